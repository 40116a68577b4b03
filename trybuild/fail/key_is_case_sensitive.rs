use healthcheck::health_check;

#[health_check(Name = "database")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
