use healthcheck::health_check;

#[health_check(name = "database")]
async fn database() -> Option<String> {
    Some("ok".to_string())
}

fn main() {}
