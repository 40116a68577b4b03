use healthcheck::health_check;

struct NotDisplay;

#[health_check(name = "db")]
async fn db() -> Result<(), NotDisplay> {
    Ok(())
}

fn main() {}
