use healthcheck::health_check;

#[health_check(name = "services")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
