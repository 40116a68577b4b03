use healthcheck::health_check;

#[health_check(name = "database", kind = "liveness", kind = "startup")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
