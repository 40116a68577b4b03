use healthcheck::health_check;

#[health_check]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
