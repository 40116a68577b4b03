//! The application's phases through the framework-agnostic endpoint: startup, its
//! effect on readiness, configurable codes, shutdown hooks, and the cache that no
//! request parameter bypasses.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use healthcheck::http::{Request, StatusCode};
use healthcheck::{Check, Details, Endpoint, HealthCheck, Kind, Phase, Probe, StatusCodes};

async fn status(endpoint: &Endpoint, path: &str) -> (u16, serde_json::Value) {
    let request = Request::get(path).body(()).unwrap();
    let response = endpoint.respond(&request).await;
    let json = serde_json::from_str(response.body()).unwrap();
    (response.status().as_u16(), json)
}

/// A startup check that passes once `done` is set; never cached.
fn startup_check(done: &Arc<AtomicBool>) -> Check {
    let done = Arc::clone(done);
    Check::new("migrations", move || {
        let passed = done.load(Ordering::SeqCst);
        async move { (passed, format!("applied: {passed}")) }
    })
    .kinds([Kind::Startup])
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)
}

/// The names of a Flask body's results, in order.
fn names(json: &serde_json::Value) -> Vec<&str> {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["checker"].as_str().unwrap())
        .collect()
}

fn ready_check() -> Check {
    Check::new("db", || async { (true, "db ok".to_string()) })
}

#[tokio::test(start_paused = true)]
async fn startup_checks_run_in_the_background_and_startup_is_latched() {
    let migrated = Arc::new(AtomicBool::new(false));
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(startup_check(&migrated))
        .check(ready_check())
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health));

    let (code, json) = status(&endpoint, "/healthcheck/ready").await;
    assert_eq!((code, json["phase"].as_str()), (503, Some("STARTING")));
    assert_eq!(
        names(&json),
        ["db", "migrations"],
        "the readiness checks, then the startup check holding readiness back"
    );
    let (code, json) = status(&endpoint, "/healthcheck/startup").await;
    assert_eq!(
        (code, json["results"][0]["passed"].as_bool()),
        (503, Some(false))
    );

    // No probe runs the startup check: the background driver does, and retries it.
    migrated.store(true, Ordering::SeqCst);
    tokio::time::sleep(healthcheck::defaults::STARTUP_RETRY + Duration::from_millis(1)).await;
    let (code, json) = status(&endpoint, "/healthcheck/ready").await;
    assert_eq!((code, json["phase"].as_str()), (200, Some("UP")));

    // Once started, a failing startup check makes the application DOWN, not STARTING.
    migrated.store(false, Ordering::SeqCst);
    let (code, json) = status(&endpoint, "/healthcheck/startup").await;
    assert_eq!((code, json["phase"].as_str()), (503, Some("DOWN")));
    let (code, json) = status(&endpoint, "/healthcheck/ready").await;
    assert_eq!((code, json["phase"].as_str()), (200, Some("UP")));
    assert_eq!(
        json["results"].as_array().unwrap().len(),
        1,
        "startup checks left out"
    );
}

#[tokio::test]
async fn startup_need_not_gate_readiness() {
    let migrated = Arc::new(AtomicBool::new(false));
    let health = HealthCheck::builder()
        .linked_checks(false)
        .startup_gates_readiness(false)
        .check(startup_check(&migrated))
        .check(ready_check())
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health));
    let (code, json) = status(&endpoint, "/healthcheck/ready").await;
    assert_eq!((code, json["phase"].as_str()), (200, Some("UP")));
    let (code, _) = status(&endpoint, "/healthcheck/startup").await;
    assert_eq!(code, 503, "startup itself still reports STARTING");
    let (code, _) = status(&endpoint, "/healthcheck").await;
    assert_eq!(code, 503);
}

#[tokio::test]
async fn every_status_code_and_the_base_path_can_be_configured() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", || async { (false, "down".to_string()) }))
        .build()
        .unwrap();
    let codes = StatusCodes::default()
        .set(
            Probe::Combined,
            Phase::Down,
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .set(Probe::Readiness, Phase::Down, StatusCode::IM_A_TEAPOT);
    let endpoint = Endpoint::new(Arc::new(health))
        .base_path("/internal/health/")
        .status_codes(codes);
    assert_eq!(status(&endpoint, "/internal/health").await.0, 500);
    assert_eq!(status(&endpoint, "/internal/health/ready").await.0, 418);
    assert_eq!(
        status(&endpoint, "/internal/health/live").await.0,
        200,
        "no liveness checks"
    );
    assert_eq!(status(&endpoint, "/healthcheck").await.0, 404);

    let root = Endpoint::new(endpoint.health().clone()).base_path("/");
    assert_eq!(status(&root, "/live").await.0, 200);
    assert_eq!(status(&root, "/").await.0, 503);
}

#[tokio::test]
async fn shutdown_answers_503_at_once_runs_hooks_once_and_shows_their_results() {
    let flushes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&flushes);
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(ready_check())
        .shutdown_hook(Check::new("flush", move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { (true, "flushed".to_string()) }
        }))
        .shutdown_hook(Check::new("close_pool", || async {
            if true {
                panic!("pool already closed");
            }
            (true, String::new())
        }))
        .build()
        .unwrap();
    let health = Arc::new(health);
    let endpoint = Endpoint::new(Arc::clone(&health));
    assert_eq!(status(&endpoint, "/healthcheck/ready").await.0, 200);

    health.begin_shutdown();
    let (code, json) = status(&endpoint, "/healthcheck/ready").await;
    assert_eq!((code, json["phase"].as_str()), (503, Some("STOPPING")));
    assert_eq!(
        json["status"], "failure",
        "the body agrees with the 503 although the checks pass; the phase says why"
    );
    assert_eq!(json["results"][0]["passed"], true);
    assert_eq!(status(&endpoint, "/healthcheck/live").await.0, 503);
    assert_eq!(status(&endpoint, "/healthcheck/services").await.0, 200);

    let hooks = health.finish_shutdown().await;
    assert_eq!(hooks.phase, Phase::Down, "a hook panicked");
    assert_eq!(hooks.results.len(), 2);
    assert_eq!(
        hooks.result("close_pool").unwrap().output,
        "check panicked: pool already closed"
    );
    assert_eq!(hooks.result("flush").unwrap().output, "flushed");
    let again = health.finish_shutdown().await;
    assert_eq!(flushes.load(Ordering::SeqCst), 1, "hooks run once");
    assert_eq!(again.results, hooks.results);

    let (code, json) = status(&endpoint, "/healthcheck").await;
    assert_eq!((code, json["phase"].as_str()), (503, Some("DOWN")));
    assert_eq!(
        names(&json),
        ["db", "shutdown:close_pool", "shutdown:flush"],
        "hook results follow the checks, under names no check can have"
    );
}

#[tokio::test]
async fn a_clean_shutdown_ends_stopped() {
    let health = Arc::new(
        HealthCheck::builder()
            .linked_checks(false)
            .shutdown_hook(Check::new("flush", || async {
                (true, "flushed".to_string())
            }))
            .build()
            .unwrap(),
    );
    let report = health.finish_shutdown().await;
    assert_eq!(report.phase, Phase::Stopped);
    let endpoint = Endpoint::new(health);
    let (code, json) = status(&endpoint, "/healthcheck/live").await;
    assert_eq!((code, json["phase"].as_str()), (503, Some("STOPPED")));
}

#[tokio::test]
async fn no_request_parameter_lets_a_caller_bypass_the_cache() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { (true, "db ok".to_string()) }
        }))
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health)).details(Details::WhenAuthorized("t".into()));
    for path in [
        "/healthcheck",
        "/healthcheck/db",
        "/healthcheck/ready",
        "/healthcheck?exclude=other",
        "/healthcheck?tag=",
        "/healthcheck?refresh=true",
        "/healthcheck?nocache=1",
        "/healthcheck?force",
        "/healthcheck/db?cache=false",
    ] {
        let request = Request::get(path)
            .header("cache-control", "no-cache")
            .body(())
            .unwrap();
        let response = endpoint.respond(&request).await;
        assert!(response.status().as_u16() < 500, "{path}");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn checks_filter_by_kind_and_tag_through_the_attribute_and_the_builder() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(
            Check::new("both", || async { (true, String::new()) })
                .kinds([Kind::Liveness, Kind::Readiness, Kind::Liveness])
                .tags(["core"]),
        )
        .build()
        .unwrap();
    let both = health.check("both").unwrap();
    assert_eq!(both.kind_list(), [Kind::Liveness, Kind::Readiness]);
    assert!(both.is(Kind::Liveness) && both.is(Kind::Readiness) && !both.is(Kind::Startup));
    assert_eq!(health.run_probe(Probe::Liveness).await.results.len(), 1);
    assert_eq!(health.run_probe(Probe::Startup).await.results.len(), 0);

    let err = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("tagged", || async { (true, String::new()) }).tags(["bad tag"]))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("tag `bad tag` contains ' '"),
        "{err}"
    );
}

#[tokio::test]
async fn a_check_that_never_ran_before_the_stop_says_so_not_that_startup_runs_it() {
    // Found by the endpoint fuzz target: the message was a startup check's.
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(ready_check())
        .build()
        .unwrap();
    health.finish_shutdown().await;
    let endpoint = Endpoint::new(health);
    let (code, json) = status(&endpoint, "/healthcheck").await;
    assert_eq!((code, json["phase"].as_str()), (503, Some("STOPPED")));
    assert_eq!(
        json["results"][0]["output"],
        "not run: the application stopped before this check's first run"
    );
}
