use healthcheck::health_check;

#[health_check(name = "database", timeout = "1s", timeout = "2s")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
