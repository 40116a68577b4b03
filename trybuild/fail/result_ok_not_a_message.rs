use healthcheck::health_check;

struct Rows(u32);

#[health_check(name = "db")]
async fn db() -> Result<Rows, String> {
    Ok(Rows(3))
}

fn main() {}
