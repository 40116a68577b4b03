// The generated code must not rely on the caller's names for prelude types.
mod checks {
    #![allow(dead_code)]
    use healthcheck::health_check;

    struct String;
    struct Box;
    struct Vec;
    enum Option {
        None,
    }
    type Result = ();
    fn drop() {}

    #[health_check(name = "shadowed", timeout = "1s")]
    pub async fn shadowed() -> (bool, ::std::string::String) {
        (true, ::std::string::String::from("prelude names are shadowed here"))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = healthcheck::HealthCheck::collect().unwrap();
    let report = health.run().await;
    assert_eq!(report.results.len(), 1);
    assert_eq!(report.results[0].checker, "shadowed");
    assert!(report.results[0].passed);
    // The function stays callable as written.
    assert!(checks::shadowed().await.0);
}
