use healthcheck::{health_check, HealthCheck};

#[health_check(name = "first")]
async fn first() -> (bool, String) {
    (true, "first ok".to_string())
}

#[health_check(name = "second", success_ttl = "0s", failed_ttl = "1m")]
async fn second() -> (bool, String) {
    (false, "second down".to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = HealthCheck::collect().unwrap();
    assert_eq!(health.names(), ["first", "second"]);
    let report = health.run().await;
    assert!(!report.is_success());
    assert_eq!(report.result("second").unwrap().output, "second down");
}
