//! The formats exact to their specifications: each JSON format validated against a
//! schema of its published rules (`tests/schemas/`) in every phase, MicroProfile's
//! UP/DOWN-only statuses and flat data, and Kubernetes' exclusion lines.

use std::sync::Arc;

use healthcheck::http::Request;
use healthcheck::{Check, Endpoint, Health, HealthCheck, Kind};
use serde_json::Value;

fn validator(schema: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(schema).unwrap();
    jsonschema::validator_for(&schema).expect("a valid schema")
}

fn registry() -> HealthCheck {
    HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("api", || async {
            Health::pass("api ok")
                .observed(12, "ms")
                .detail("pool", serde_json::json!({"in_use": 3, "max": 10}))
                .detail("hosts", serde_json::json!(["a", "b"]))
        }))
        .check(Check::new("cache", || async {
            Health::warn("hit ratio low")
        }))
        .check(Check::new("db", || async { (false, "connection refused") }).tags(["db"]))
        // Blocked by db: its root causes in every format's own place.
        .check(Check::new("orders", || async { true }).depends_on(["db"]))
        // Passes and fails by turns: its state change in every format's own place.
        .check({
            let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            Check::new("flaky", move || {
                let run = runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move { run.is_multiple_of(2) }
            })
            .success_ttl(std::time::Duration::ZERO)
            .failed_ttl(std::time::Duration::ZERO)
        })
        .check(Check::new("warmup", || async { false }).kinds([Kind::Startup]))
        .build()
        .unwrap()
}

async fn get(endpoint: &Endpoint, path: &str) -> (u16, String) {
    let request = Request::get(path).body(()).unwrap();
    let response = endpoint.respond(&request).await;
    (response.status().as_u16(), response.into_body())
}

/// Bodies of `format` while STARTING, DOWN, UP (db excluded) and STOPPING.
async fn bodies(format: &str) -> Vec<(String, Value)> {
    let health = registry();
    let endpoint = Endpoint::new(Arc::new(health.clone()));
    let mut seen = Vec::new();
    for (phase, path) in [
        ("starting", format!("/healthcheck/ready?format={format}")),
        (
            "down",
            format!("/healthcheck?format={format}&exclude=warmup"),
        ),
        ("up", format!("/healthcheck/live?format={format}")),
    ] {
        let (_, body) = get(&endpoint, &path).await;
        seen.push((phase.to_owned(), serde_json::from_str(&body).unwrap()));
    }
    health.begin_shutdown();
    let (_, body) = get(&endpoint, &format!("/healthcheck/ready?format={format}")).await;
    seen.push(("stopping".to_owned(), serde_json::from_str(&body).unwrap()));
    seen
}

fn assert_valid(validator: &jsonschema::Validator, format: &str, bodies: &[(String, Value)]) {
    for (phase, body) in bodies {
        let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{format} while {phase}: {errors:?}\n{body}"
        );
    }
}

#[tokio::test]
async fn microprofile_bodies_follow_the_specifications_schema_in_every_phase() {
    let bodies = bodies("microprofile").await;
    assert_valid(
        &validator(include_str!("schemas/microprofile-health.json")),
        "microprofile",
        &bodies,
    );
    let status = |phase: &str| bodies.iter().find(|(p, _)| p == phase).unwrap().1["status"].clone();
    assert_eq!(
        status("starting"),
        "DOWN",
        "STARTING is DOWN, as the TCK expects"
    );
    assert_eq!(status("stopping"), "DOWN");
    assert_eq!(status("down"), "DOWN");
    let down = &bodies[1].1;
    let api = down["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "api")
        .unwrap();
    assert_eq!(
        api["data"]["pool.in_use"], 3,
        "nested details are flattened"
    );
    assert_eq!(api["data"]["hosts.1"], "b");
}

#[tokio::test]
async fn ietf_bodies_carry_only_the_drafts_fields_in_every_phase() {
    let bodies = bodies("ietf").await;
    assert_valid(
        &validator(include_str!("schemas/ietf-health-draft-06.json")),
        "ietf",
        &bodies,
    );
}

#[tokio::test]
async fn kubernetes_lists_exclusions_and_warns_about_exclusions_that_match_nothing() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", || async { true }))
        .check(Check::new("etcd", || async { true }))
        .check(Check::new("log", || async { true }))
        .build()
        .unwrap();
    let endpoint = Endpoint::new(health);
    let (code, body) = get(
        &endpoint,
        "/healthcheck/ready?format=kubernetes&exclude=etcd&exclude=x&verbose",
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(
        body,
        "[+]db ok\n[+]etcd excluded: ok\n[+]log ok\n\
         warn: some health checks cannot be excluded: no matches for \"x\"\n\
         healthz check passed\n"
    );
    // Without `verbose` a passing probe is just `ok`, as the apiserver answers.
    let (_, body) = get(
        &endpoint,
        "/healthcheck/ready?format=kubernetes&exclude=etcd",
    )
    .await;
    assert_eq!(body, "ok");
}
