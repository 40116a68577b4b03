use healthcheck::health_check;

#[health_check(name = "database", critical = "no")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
