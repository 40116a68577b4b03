//! The API as a newcomer meets it: no `Arc` ceremony, the axum router inside an app
//! with state of its own, errors that read as sentences.

mod support;

use std::time::Duration;

use axum::extract::State;
use healthcheck::{Check, Endpoint, HealthCheck};

#[derive(Clone)]
struct AppState {
    greeting: &'static str,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_router_merges_into_an_app_with_state_of_its_own() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", || async { true }))
        .build()
        .unwrap();
    // The registry is a cheap handle: clones go to the endpoint and to the shutdown.
    let app = axum::Router::new()
        .route(
            "/",
            axum::routing::get(|State(state): State<AppState>| async move { state.greeting }),
        )
        .merge(healthcheck::axum::router(Endpoint::new(health.clone())))
        .with_state(AppState { greeting: "hello" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = health.shutdown_signal();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    });
    let home = support::http::get(addr, "/").await;
    assert_eq!((home.status, home.body.as_str()), (200, "hello"));
    let ready = support::http::get(addr, "/healthcheck/ready").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    health.begin_shutdown();
    assert_eq!(
        support::http::get(addr, "/healthcheck/ready").await.status,
        503
    );
}

#[test]
fn a_collect_error_prints_every_problem_as_sentences_under_debug_too() {
    let err = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("has space", || async { true }))
        .check(Check::new("db", || async { true }).timeout(Duration::ZERO))
        .build()
        .unwrap_err();
    assert_eq!(err.problems().len(), 2);
    let shown = err.to_string();
    assert!(
        shown.starts_with("2 problems with the health checks:\n- "),
        "{shown}"
    );
    assert!(
        shown.contains("health check name `has space` contains ' '"),
        "{shown}"
    );
    assert!(
        shown.contains("`timeout` must be longer than zero"),
        "{shown}"
    );
    // What `fn main() -> Result<(), Box<dyn Error>>` prints on `?`.
    assert_eq!(format!("{err:?}"), shown);
}

#[tokio::test]
async fn run_right_after_build_runs_the_startup_checks_rather_than_reporting_them_not_run() {
    // The README's first example, with a startup check linked: `run()` is an explicit
    // request, so it runs the startup check (or waits for the background run of it).
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(
            Check::new("migrations", || async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                (true, "migrations applied".to_string())
            })
            .kinds([healthcheck::Kind::Startup]),
        )
        .check(Check::new("db", || async { (true, "db ok".to_string()) }))
        .build()
        .unwrap();
    let report = health.run().await;
    let outputs: Vec<&str> = report.results.iter().map(|r| r.output.as_str()).collect();
    assert_eq!(outputs, ["db ok", "migrations applied"]);
    assert_eq!(report.to_response().status(), 200);
    // A probe still answers at once from what is known.
    let endpoint = Endpoint::new(health);
    let response = endpoint
        .respond(
            &healthcheck::http::Request::get("/healthcheck/startup")
                .body(())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), 200);
}
