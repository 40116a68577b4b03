use healthcheck::health_check;

#[health_check(name = "database", crate = "not a path")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
