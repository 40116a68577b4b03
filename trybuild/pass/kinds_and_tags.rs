use healthcheck::{health_check, HealthCheck, Kind, Probe};

#[health_check(name = "process", kind = "liveness")]
async fn process() -> (bool, String) {
    (true, "alive".to_string())
}

#[health_check(name = "db", kind = ["readiness", "startup"], tags = ["db", "external"])]
async fn db() -> (bool, String) {
    (true, "db ok".to_string())
}

#[health_check(name = "cache")]
async fn cache() -> (bool, String) {
    (true, "cache ok".to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = HealthCheck::collect().unwrap();
    assert_eq!(health.check("process").unwrap().kind_list(), [Kind::Liveness]);
    assert_eq!(health.check("db").unwrap().kind_list(), [Kind::Readiness, Kind::Startup]);
    assert_eq!(health.check("db").unwrap().tag_list(), ["db", "external"]);
    assert_eq!(health.check("cache").unwrap().kind_list(), [Kind::Readiness]);
    let ready: Vec<String> = health
        .run_probe(Probe::Readiness)
        .await
        .results
        .iter()
        .map(|r| r.checker.clone())
        .collect();
    assert_eq!(ready, ["cache", "db"]);
}
