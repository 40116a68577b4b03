use healthcheck::health_check;

#[health_check(name = "database", failure_threshold = 0)]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
