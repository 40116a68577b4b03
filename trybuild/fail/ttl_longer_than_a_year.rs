use healthcheck::health_check;

#[health_check(name = "database", success_ttl = "300000000000y")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
