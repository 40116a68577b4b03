use healthcheck::health_check;

struct Database;

impl Database {
    #[health_check(name = "database")]
    async fn check(&self) -> (bool, String) {
        (true, "ok".to_string())
    }
}

fn main() {}
