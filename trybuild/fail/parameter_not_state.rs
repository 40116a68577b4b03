use healthcheck::health_check;

#[health_check(name = "database")]
async fn database(pool: std::sync::Arc<String>) -> (bool, String) {
    (true, format!("{pool} ok"))
}

fn main() {}
