use healthcheck::health_check;

#[health_check(name = "database", timeout = "2 parsecs")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
