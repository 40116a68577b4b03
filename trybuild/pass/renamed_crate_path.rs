// An application that renamed the dependency (`hc = { package = "healthcheck" }`) points
// the generated code at it with `crate = "…"`.
extern crate healthcheck as hc;

mod checks {
    use hc::State;

    #[hc::health_check(name = "renamed", crate = "hc", kind = "liveness", timeout = "1s")]
    pub async fn renamed(limit: State<u32>) -> (bool, String) {
        (true, format!("limit {}", *limit))
    }

    #[hc::health_check(name = "renamed_sync", crate = "::hc")]
    pub fn renamed_sync() -> bool {
        true
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = hc::HealthCheck::builder().state(7u32).build().unwrap();
    let report = health.run().await;
    assert_eq!(report.result("renamed").unwrap().output, "limit 7");
    assert!(report.result("renamed_sync").unwrap().passed);
    let _ = (checks::renamed, checks::renamed_sync);
}
