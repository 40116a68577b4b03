use healthcheck::health_check;

#[health_check("database")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
