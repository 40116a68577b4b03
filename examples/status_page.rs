//! A server whose checks a test steers, for the status page in a real browser
//! (`tests/browser.rs`): every phase and status on demand.
//!
//! ```text
//! cargo run --example status_page        # prints: status page: http://127.0.0.1:PORT/healthcheck/status
//! curl -X POST http://127.0.0.1:PORT/control/check/db/fail --data 'connection refused'
//! curl -X POST http://127.0.0.1:PORT/control/shutdown   # STOPPING, a 60 s drain
//! curl -X POST http://127.0.0.1:PORT/control/stop       # the shutdown hooks: STOPPED
//! ```
//!
//! Checks: `warmup` (a startup check, failing until set), `db`, `cache`, `orders` and
//! `payments` (both depend on `db`), `flappy`, and `hostile`, whose message and details
//! hold markup (`<script>`, quotes, `</style>`) that the page must show as text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use healthcheck::{Check, Endpoint, Health, HealthCheck, Kind};

/// The system allocator, counting the bytes allocated and freed: `GET /control/heap`
/// answers the bytes live (scripts/bench-events.sh reads them per open stream).
#[global_allocator]
static ALLOCATOR: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// `GET /control/heap`: the bytes allocated and not freed.
async fn heap() -> String {
    let stats = ALLOCATOR.stats();
    let live = (stats.bytes_allocated + stats.bytes_reallocated.max(0) as usize)
        .saturating_sub(stats.bytes_deallocated + (-stats.bytes_reallocated.min(0)) as usize);
    live.to_string()
}

/// Each steered check's status and message.
type Steering = Arc<Mutex<HashMap<String, (String, String)>>>;

/// What the `hostile` check says: markup that must stay text.
const HOSTILE: &str =
    "<script>window.hacked = 1</script> \"double\" 'single' </style><b>bold</b> &amp;";

fn steered(name: &str, steering: &Steering) -> Check {
    let steering = Arc::clone(steering);
    let key = name.to_owned();
    Check::new(name, move || {
        let (status, message) = steering
            .lock()
            .unwrap()
            .get(&key)
            .cloned()
            .unwrap_or_else(|| ("pass".into(), "ok".into()));
        async move {
            match status.as_str() {
                "fail" => Health::fail(message),
                "warn" => Health::warn(message),
                _ => Health::pass(message),
            }
        }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)
}

#[derive(Clone)]
struct Control {
    health: HealthCheck,
    steering: Steering,
    shutdown: Arc<Mutex<Option<tokio::sync::oneshot::Sender<()>>>>,
}

/// `POST /control/check/{name}/{status}` with the message as the body: sets and runs it.
async fn steer(
    State(control): State<Control>,
    Path((name, status)): Path<(String, String)>,
    message: String,
) -> StatusCode {
    control
        .steering
        .lock()
        .unwrap()
        .insert(name.clone(), (status, message));
    control.health.run_named([name]).await;
    // A whole report, as a probe would make: the phase is decided from it too.
    control.health.run().await;
    StatusCode::NO_CONTENT
}

/// `POST /control/shutdown`: shutdown begins, with a 60 s drain.
async fn shutdown(State(control): State<Control>) -> StatusCode {
    if let Some(trigger) = control.shutdown.lock().unwrap().take() {
        let _ = trigger.send(());
    }
    // Told once the phase has moved.
    for _ in 0..100 {
        if control.health.run().await.phase == healthcheck::Phase::Stopping {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    StatusCode::NO_CONTENT
}

/// `POST /control/stop`: the shutdown hooks run; STOPPED.
async fn stop(State(control): State<Control>) -> StatusCode {
    control.health.finish_shutdown().await;
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let steering: Steering = Arc::default();
    steering
        .lock()
        .unwrap()
        .insert("warmup".into(), ("fail".into(), "loading the cache".into()));
    let hostile = Check::new("hostile", || async {
        Health::warn(HOSTILE).detail("markup", "</style><script>window.hacked = 2</script>")
    });
    let health = HealthCheck::builder()
        .linked_checks(false)
        .hostname("browser-test")
        .drain_delay(Duration::from_secs(60))
        .check(steered("warmup", &steering).kinds([Kind::Startup]))
        .check(steered("db", &steering))
        .check(steered("cache", &steering))
        .check(steered("flappy", &steering))
        .check(steered("orders", &steering).depends_on(["db"]))
        .check(steered("payments", &steering).depends_on(["db"]))
        .check(hostile)
        .build()?;
    let (trigger, triggered) = tokio::sync::oneshot::channel::<()>();
    let drain = health.shutdown_on(async move {
        let _ = triggered.await;
    });
    tokio::spawn(drain);
    let control = Control {
        health: health.clone(),
        steering,
        shutdown: Arc::new(Mutex::new(Some(trigger))),
    };
    let app = axum::Router::new()
        .route("/control/check/{name}/{status}", post(steer))
        .route("/control/shutdown", post(shutdown))
        .route("/control/stop", post(stop))
        .route("/control/heap", axum::routing::get(heap))
        .with_state(control)
        .merge(healthcheck::axum::router(Endpoint::new(health)));
    let addr = std::env::var("STATUS_PAGE_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "status page: http://{}/healthcheck/status",
        listener.local_addr()?
    );
    if std::env::var("SERVER").is_ok_and(|server| server == "hyper") {
        // hyper's HTTP/1 connection alone, without axum::serve's: what a connection
        // costs with the least in between (scripts/bench-events.sh).
        loop {
            let (stream, _) = listener.accept().await?;
            let service = hyper_util::service::TowerToHyperService::new(app.clone());
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
            );
        }
    }
    axum::serve(listener, app).await?;
    Ok(())
}
