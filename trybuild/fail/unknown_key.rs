use healthcheck::health_check;

#[health_check(name = "database", interval = "5s")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
