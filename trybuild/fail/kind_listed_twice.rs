use healthcheck::health_check;

#[health_check(name = "database", kind = ["liveness", "readiness", "liveness"])]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
