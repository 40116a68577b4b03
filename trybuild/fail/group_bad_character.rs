use healthcheck::health_check;

#[health_check(name = "database", group = "billing team")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
