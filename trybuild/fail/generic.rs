use healthcheck::health_check;

#[health_check(name = "database")]
async fn database<T: Default>() -> (bool, String) {
    let _ = T::default();
    (true, "ok".to_string())
}

fn main() {}
