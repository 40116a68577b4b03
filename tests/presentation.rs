//! Faults in how reports were presented, each reproduced through the endpoint: content
//! negotiation, shutdown hooks in every format, names asked for in a URL, and a
//! readiness probe held back by startup.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use healthcheck::{Check, Endpoint, HealthCheck, Kind};
use serde_json::Value;

fn passing(name: &str) -> Check {
    Check::new(name, || async { (true, "ok".to_string()) })
}

#[tokio::test]
async fn accept_honours_quality_values_and_parameters() {
    let endpoint = Endpoint::new(support::registry([passing("db")]));
    let cases = [
        (
            "text/plain;q=0, application/health+json",
            "application/health+json",
        ),
        (
            "application/health+json;q=0, application/json",
            "application/json",
        ),
        // Prometheus' own scrape header: a scrape config needs no `?format=`.
        (
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
            "text/plain; version=0.0.4; charset=utf-8",
        ),
        ("*/*", "application/json"),
    ];
    for (accept, expected) in cases {
        let (status, content_type, body) =
            support::get_accepting(&endpoint, "/healthcheck", Some(accept)).await;
        assert_eq!((status, content_type.as_str()), (200, expected), "{accept}");
        if expected == "application/json" {
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["results"][0]["checker"], "db", "the Flask JSON");
        }
    }
    let (_, _, scrape) = support::get_accepting(
        &endpoint,
        "/healthcheck",
        Some("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
    )
    .await;
    assert!(
        scrape.contains("healthcheck_check_status{check=\"db\""),
        "{scrape}"
    );
}

#[tokio::test]
async fn nothing_acceptable_is_a_406_with_a_json_body_naming_the_types_offered() {
    let endpoint = Endpoint::new(support::registry([passing("db")]));
    let (status, content_type, body) = support::get_accepting(
        &endpoint,
        "/healthcheck/ready",
        Some("text/html;q=1, application/json;q=0"),
    )
    .await;
    assert_eq!((status, content_type.as_str()), (406, "application/json"));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["status"], 406);
    let error = body["error"].as_str().unwrap();
    assert!(
        error.starts_with("none of the media types in Accept"),
        "{error}"
    );
    for offered in [
        "application/json",
        "application/health+json",
        "text/plain; version=0.0.4",
    ] {
        assert!(error.contains(offered), "{error} names {offered}");
    }
}

#[tokio::test]
async fn a_shutdown_hook_sharing_a_checks_name_repeats_none_of_its_series_or_keys() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(passing("db"))
        .shutdown_hook(Check::new("db", || async {
            (true, "pool closed".to_string())
        }))
        .build()
        .unwrap();
    let endpoint = Endpoint::new(health.clone());
    health.run().await;
    health.finish_shutdown().await;
    let (_, _, text) =
        support::get_accepting(&endpoint, "/healthcheck?format=prometheus", None).await;
    let mut seen = HashSet::new();
    for sample in text.lines().filter(|line| !line.starts_with('#')) {
        let (series, _) = sample.rsplit_once(' ').unwrap();
        assert!(
            seen.insert(series.to_owned()),
            "repeated series {series}:\n{text}"
        );
    }
    // The hook is no readiness check: its status series carries no kind.
    assert!(
        text.contains("healthcheck_check_status{check=\"shutdown:db\",group=\"shutdown\"} 1"),
        "{text}"
    );
    let (_, _, ietf) = support::get_accepting(&endpoint, "/healthcheck?format=ietf", None).await;
    let ietf: Value = serde_json::from_str(&ietf).unwrap();
    let keys: Vec<&String> = ietf["checks"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["db", "shutdown:db"]);
}

#[tokio::test]
async fn a_name_asked_for_in_the_url_cannot_add_a_line_to_the_kubernetes_text() {
    let endpoint = Endpoint::new(support::registry([passing("db")]));
    let (status, _, text) = support::get_accepting(
        &endpoint,
        "/healthcheck/x%0A%5B%2B%5Dinjected%20ok?format=kubernetes",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        !text.lines().any(|line| line.starts_with("[+]")),
        "an injected line:\n{text}"
    );
    assert!(
        text.starts_with("[-]\"x\\n[+]injected ok\" failed"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn ready_while_starting_names_the_startup_checks_that_hold_it_back() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(passing("db"))
        .check(
            Check::new("migrations", || async {
                (false, "3 migrations pending".to_string())
            })
            .kinds([Kind::Startup]),
        )
        .build()
        .unwrap();
    let endpoint = Endpoint::new(health);
    // Let the startup driver run the startup check once.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let (status, _, body) = support::get_accepting(&endpoint, "/healthcheck/ready", None).await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((status, body["phase"].as_str()), (503, Some("STARTING")));
    let migrations = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| result["checker"] == "migrations")
        .unwrap_or_else(|| panic!("no startup check named: {body}"));
    assert_eq!(migrations["output"], "3 migrations pending");
    for (format, expected) in [
        ("kubernetes", "[-]migrations failed"),
        ("ietf", "\"migrations\""),
        ("microprofile", "\"migrations\""),
        ("spring", "\"migrations\""),
        ("nablarch", "\"migrations\""),
    ] {
        let path = format!("/healthcheck/ready?format={format}");
        let (status, _, text) = support::get_accepting(&endpoint, &path, None).await;
        assert_eq!(status, 503, "{format}");
        assert!(text.contains(expected), "{format}: {text}");
    }
}
