use healthcheck::health_check;

#[health_check(name = "data base")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
