//! The Flask healthcheck JSON and the framework-agnostic HTTP response.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use healthcheck::Check;
use serde_json::Value;
use support::registry;

fn epoch(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

#[tokio::test]
async fn the_response_is_flask_json_with_200_on_success() {
    let health = registry([Check::new("db", || async {
        (true, "database ok".to_string())
    })]);
    let report = health.run().await;
    let response = report.to_response();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");

    let json: Value = serde_json::from_str(response.body()).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    // The Flask fields, plus the phase that explains a 503 while every check passes.
    assert_eq!(
        keys,
        ["hostname", "phase", "results", "status", "timestamp"]
    );
    assert_eq!(json["status"], "success");
    assert_eq!(json["phase"], "UP");
    assert_eq!(json["hostname"], "test-host");
    // serde_json's default float parsing may land one ULP away: compare to the microsecond.
    assert!((json["timestamp"].as_f64().unwrap() - epoch(report.timestamp)).abs() < 1e-6);

    let result = &json["results"][0];
    let mut keys: Vec<&str> = result
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    // The Flask fields, plus response time, pass/warn/fail status, group and flapping.
    assert_eq!(
        keys,
        [
            "checker",
            "expires",
            "flapping",
            "group",
            "output",
            "passed",
            "response_time",
            "state_change_percent",
            "status",
            "timestamp"
        ]
    );
    assert_eq!(result["status"], "pass");
    assert_eq!(result["group"], "default");
    assert_eq!(result["checker"], "db");
    assert_eq!(result["output"], "database ok");
    assert_eq!(result["passed"], true);
    let timestamp = result["timestamp"].as_f64().unwrap();
    let expires = result["expires"].as_f64().unwrap();
    assert!(
        (expires - timestamp - 27.0).abs() < 1e-3,
        "{expires} - {timestamp}"
    );
    assert!(result["response_time"].as_f64().unwrap() >= 0.0);
}

#[tokio::test]
async fn a_failed_check_makes_status_failure_and_500() {
    let health = registry([
        Check::new("db", || async { (true, "database ok".to_string()) }),
        Check::new("cache", || async {
            (false, "cache unreachable".to_string())
        }),
    ]);
    let response = health.run().await.to_response();
    assert_eq!(response.status(), 500);
    let json: Value = serde_json::from_str(response.body()).unwrap();
    assert_eq!(json["status"], "failure");
    assert_eq!(json["results"][0]["checker"], "cache");
    assert_eq!(json["results"][0]["passed"], false);
    assert_eq!(json["results"][0]["output"], "cache unreachable");
}

#[tokio::test]
async fn the_report_timestamp_is_fresh_while_a_cached_result_keeps_its_own() {
    let health = registry([Check::new("db", || async { (true, "ok".to_string()) })
        .success_ttl(Duration::from_secs(3600))]);
    let first = health.run().await;
    // Spin on the clock (no sleep) until it has moved past the first report.
    while SystemTime::now() <= first.timestamp {
        std::hint::spin_loop();
    }
    let second = health.run().await;
    assert!(second.timestamp > first.timestamp);
    assert_eq!(second.results[0].timestamp, first.results[0].timestamp);
    assert_eq!(second.results[0].expires, first.results[0].expires);
}
