//! Checks registered, unregistered, enabled and disabled on a running registry.

mod support;

use std::sync::Arc;

use healthcheck::http::Request;
use healthcheck::{Check, Endpoint, Problem};
use tokio::sync::oneshot;

fn check(name: &str) -> Check {
    let output = format!("{name} ok");
    Check::new(name, move || {
        let output = output.clone();
        async move { (true, output) }
    })
}

#[tokio::test]
async fn a_provider_registers_when_enabled_and_is_neither_listed_nor_run_when_disabled() {
    let health = Arc::new(support::registry([check("core")]));
    let endpoint = Endpoint::new(Arc::clone(&health));
    let status = |path: &'static str| {
        let endpoint = endpoint.clone();
        async move {
            let response = endpoint
                .respond(&Request::get(path).body(()).unwrap())
                .await;
            (response.status().as_u16(), response.into_body())
        }
    };

    health.register(check("mongodb")).unwrap();
    assert_eq!(health.names(), ["core", "mongodb"]);
    assert_eq!(status("/healthcheck/mongodb").await.0, 200);

    assert!(health.disable("mongodb"));
    assert_eq!(health.names(), ["core"]);
    assert!(!status("/healthcheck/services").await.1.contains("mongodb"));
    assert_eq!(status("/healthcheck/mongodb").await.0, 404);
    assert_eq!(health.run().await.results.len(), 1);

    assert!(health.enable("mongodb"));
    assert_eq!(health.run().await.results.len(), 2);

    assert!(health.unregister("mongodb"));
    assert!(!health.unregister("mongodb"));
    assert!(!health.enable("mongodb"));
    assert_eq!(health.names(), ["core"]);
}

#[tokio::test]
async fn a_registration_is_validated_like_a_build() {
    let health = support::registry([check("core")]);
    let duplicate = health.register(check("core")).unwrap_err();
    assert!(
        matches!(duplicate.problems(), [Problem::DuplicateName { .. }]),
        "{duplicate:?}"
    );
    assert!(
        duplicate.to_string().contains("tests/dynamic.rs:"),
        "{duplicate}"
    );
    let bad = health.register(check("no spaces")).unwrap_err();
    assert!(
        matches!(bad.problems(), [Problem::InvalidName { .. }]),
        "{bad:?}"
    );
}

#[tokio::test]
async fn changes_do_not_wait_for_a_run_in_flight_and_reads_see_them_at_once() {
    let (release, released) = oneshot::channel::<()>();
    let released = Arc::new(tokio::sync::Mutex::new(Some(released)));
    let slow = Check::new("slow", move || {
        let released = Arc::clone(&released);
        async move {
            if let Some(released) = released.lock().await.take() {
                let _ = released.await;
            }
            (true, "released".to_string())
        }
    });
    let health = Arc::new(support::registry([slow]));
    let in_flight = tokio::spawn({
        let health = Arc::clone(&health);
        async move { health.run().await }
    });
    tokio::task::yield_now().await;

    // The run above is waiting; changes and reads go through regardless.
    health.register(check("added")).unwrap();
    assert_eq!(health.names(), ["added", "slow"]);
    assert!(health.disable("added"));
    assert_eq!(health.names(), ["slow"]);

    release.send(()).unwrap();
    let report = in_flight.await.unwrap();
    assert_eq!(
        report.results.len(),
        1,
        "a run keeps the checks it started with"
    );
    assert_eq!(report.results[0].output, "released");
}
