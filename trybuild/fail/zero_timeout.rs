use healthcheck::health_check;

#[health_check(name = "database", timeout = "0s")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
