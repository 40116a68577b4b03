use healthcheck::health_check;

#[health_check(name = "services")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

#[health_check(name = "status")]
async fn status_page() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
