use std::sync::Arc;

use healthcheck::{health_check, Health, HealthCheck, HealthStatus, State};

#[derive(Clone)]
struct Pool(Arc<String>);

#[derive(Clone)]
struct Limit(u32);

#[health_check(name = "pool", group = "storage")]
async fn pool(pool: State<Pool>, State(limit): State<Limit>) -> Result<String, String> {
    Ok(format!("{} with limit {}", pool.0 .0, limit.0))
}

// A plain fn: runs on the blocking pool.
#[health_check(name = "disk")]
fn disk(State(limit): State<Limit>) -> Health {
    Health::warn("nearly full").observed(limit.0, "percent")
}

#[health_check(name = "flag")]
async fn flag() -> bool {
    false
}

#[health_check(name = "static_message", critical = false)]
async fn static_message() -> (bool, &'static str) {
    (false, "optional cache down")
}

#[health_check(name = "flaky", failure_threshold = 3)]
fn flaky() -> Result<&'static str, std::io::Error> {
    Err(std::io::Error::other("refused"))
}

#[health_check(
    name = "steady",
    success_threshold = 2,
    flapping_low = 10,
    flapping_high = 40.5,
    on_flapping = "warn"
)]
async fn steady() -> (bool, &'static str) {
    (true, "steady")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = HealthCheck::builder()
        .state(Pool(Arc::new("pool".to_string())))
        .state(Limit(90))
        .build()
        .unwrap();
    let report = health.run().await;
    let status = |name: &str| report.result(name).unwrap().status;
    assert_eq!(report.result("pool").unwrap().output, "pool with limit 90");
    assert_eq!(report.result("pool").unwrap().group, "storage");
    assert_eq!(status("disk"), HealthStatus::Warn);
    assert_eq!(report.result("disk").unwrap().details["observedValue"], 90);
    assert_eq!(status("flag"), HealthStatus::Fail);
    assert_eq!(status("static_message"), HealthStatus::Warn);
    // Never passed: the threshold's grace begins after a first pass.
    assert_eq!(status("flaky"), HealthStatus::Fail);
    let steady = health.history("steady").unwrap();
    assert_eq!((steady.flapping_low, steady.flapping_high), (10.0, 40.5));
    assert_eq!(steady.on_flapping, healthcheck::OnFlapping::Warn);
    assert_eq!(status("steady"), HealthStatus::Pass, "a first pass passes");
    // Without the state, `build` names the check, where it is and the type.
    let err = HealthCheck::builder().state(Limit(1)).build().unwrap_err().to_string();
    assert!(err.contains("`pool`") && err.contains("Pool"), "{err}");
    // The functions stay callable as written.
    assert!(!flag().await);
}
