//! Checks that take `State<T>`, and plain (non-async) checks that run on the blocking
//! pool.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use healthcheck::{Endpoint, HealthCheck, HealthStatus, Problem, State, health_check};

/// Stands for a connection pool.
#[derive(Clone)]
struct Pool {
    url: &'static str,
}

/// Lets the test release the blocking check once it is running.
#[derive(Clone)]
struct Gate(Arc<Mutex<mpsc::Receiver<()>>>);

#[health_check(name = "pool", group = "storage")]
async fn pool(pool: State<Pool>) -> Result<String, String> {
    Ok(format!("connected to {}", pool.url))
}

/// Blocks its thread until the gate opens: on a runtime thread it would stall the
/// single-threaded runtime and the test could never open the gate.
#[health_check(name = "blocking", timeout = "10s")]
fn blocking(State(gate): State<Gate>) -> (bool, &'static str) {
    let opened = gate.0.lock().unwrap().recv_timeout(Duration::from_secs(5));
    (
        opened.is_ok(),
        if opened.is_ok() {
            "gate opened"
        } else {
            "gate never opened"
        },
    )
}

#[test]
fn a_check_asking_for_state_nobody_gave_is_an_error_at_build() {
    let err = HealthCheck::builder()
        .state(Pool { url: "db://" })
        .build()
        .unwrap_err();
    let [
        Problem::MissingState {
            name,
            location,
            type_name,
        },
    ] = err.problems()
    else {
        panic!("expected a missing-state error, got {err:?}");
    };
    assert_eq!(name, "blocking");
    let attribute_line = include_str!("state.rs")
        .lines()
        .position(|line| line.starts_with("#[health_check(name = \"blocking\""))
        .unwrap() as u32
        + 1;
    assert_eq!(
        (location.file, location.line),
        ("tests/state.rs", attribute_line)
    );
    assert_eq!(*type_name, "state::Gate");
    assert_eq!(
        err.to_string(),
        format!(
            "health check `blocking` at tests/state.rs:{attribute_line} asks for \
             `State<state::Gate>`, but no state of type `state::Gate` was given; add \
             `.state(value)` to the builder"
        )
    );
}

#[tokio::test(flavor = "current_thread")]
async fn state_is_handed_to_checks_and_a_sync_check_does_not_stall_the_runtime() {
    let (open, gate) = mpsc::channel();
    let health = Arc::new(
        HealthCheck::builder()
            .state(Pool {
                url: "db://primary",
            })
            .state(Gate(Arc::new(Mutex::new(gate))))
            .build()
            .unwrap(),
    );
    let running = tokio::spawn({
        let health = Arc::clone(&health);
        async move { health.run().await }
    });
    // This task runs while the blocking check waits: the runtime's one thread is free.
    tokio::task::yield_now().await;
    open.send(()).unwrap();
    let report = running.await.unwrap();

    let blocking = report.result("blocking").unwrap();
    assert_eq!(
        (blocking.passed, blocking.output.as_str()),
        (true, "gate opened")
    );
    let pool = report.result("pool").unwrap();
    assert_eq!(pool.output, "connected to db://primary");
    assert_eq!(pool.status, HealthStatus::Pass);
    assert_eq!(pool.group, "storage");
    assert_eq!(blocking.group, "state", "without `group`, the crate's name");
}

#[tokio::test]
async fn a_group_is_served_at_its_own_route() {
    let (_open, gate) = mpsc::channel::<()>();
    let health = HealthCheck::builder()
        .state(Pool {
            url: "db://primary",
        })
        .state(Gate(Arc::new(Mutex::new(gate))))
        .build()
        .unwrap();
    assert_eq!(health.groups(), ["state", "storage"]);
    let endpoint = Endpoint::new(Arc::new(health));
    let request = healthcheck::http::Request::get("/healthcheck/group/storage?format=spring")
        .body(())
        .unwrap();
    let response = endpoint.respond(&request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.body(),
        "{\"status\":\"UP\",\"components\":{\"storage\":{\"status\":\"UP\",\"components\":\
         {\"pool\":{\"status\":\"UP\",\"details\":{\"output\":\"connected to db://primary\"}}}}}}"
    );
    let missing = healthcheck::http::Request::get("/healthcheck/group/billing")
        .body(())
        .unwrap();
    let response = endpoint.respond(&missing).await;
    assert_eq!(response.status(), 404);
    assert!(
        response.body().contains("the groups are state, storage"),
        "{}",
        response.body()
    );
}
