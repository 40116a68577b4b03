use healthcheck::health_check;

#[health_check(name = "database", kind = "readyness")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
