//! The servers the benchmark scripts drive: a bare axum handler returning a fixed JSON
//! body of about the size of the library's report, and the library's endpoint with three
//! checks that pass at once and stay cached (`scripts/bench-side-by-side.sh`,
//! `scripts/bench-memory.sh`); and, for floods of probes that wait
//! (`scripts/bench-memory.sh`), the library with one check that never returns (its
//! timeout, 1 s, ends each run) beside a bare handler whose probes all wait for one
//! deadline a second after the first.
//!
//! ```text
//! cargo run --release --example bench_server -- bare          # ADDR, default 127.0.0.1:8000
//! cargo run --release --example bench_server -- healthcheck
//! cargo run --release --example bench_server -- bare-hung
//! cargo run --release --example bench_server -- healthcheck-hung
//! ```
//!
//! All serve `/healthcheck` and `/healthcheck/ready`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use healthcheck::{Check, Endpoint, HealthCheck};
use tokio::time::Instant;

/// With the `mimalloc` feature, freed memory goes back to the system within moments, so
/// the process's RSS shows what it holds, not what the allocator kept.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A report of three passing checks as the library writes it (593 bytes), the bare
/// handler's fixed answer: the same bytes on the wire, none of the work.
const BODY: &str = r#"{"status":"success","timestamp":1795332441.0886774,"hostname":"bench-host","phase":"UP","results":[{"checker":"cache","output":"ok","passed":true,"status":"pass","group":"default","timestamp":1795332441.0789278,"expires":1795336041.0789278,"response_time":2.2e-7},{"checker":"db","output":"ok","passed":true,"status":"pass","group":"default","timestamp":1795332441.078932,"expires":1795336041.078932,"response_time":3.51e-7},{"checker":"queue","output":"ok","passed":true,"status":"pass","group":"default","timestamp":1795332441.0789194,"expires":1795336041.0789194,"response_time":3.074e-6}]}"#;

fn bare() -> Router {
    let answer = || async { ([(CONTENT_TYPE, "application/json")], BODY) };
    Router::new()
        .route("/healthcheck", get(answer))
        .route("/healthcheck/ready", get(answer))
}

/// How long a hung probe waits: the hung check's timeout, and the bare handler's wait.
const HUNG: Duration = Duration::from_secs(1);

/// A bare handler that waits as the library's probes of a hung check do: the first
/// probe of a flood sets a deadline a second away, and every probe until then is
/// answered at it, all at once (as one run's end wakes all its waiters).
fn bare_hung() -> Router {
    let deadline = Arc::new(Mutex::new(Instant::now()));
    let answer = move || {
        let deadline = Arc::clone(&deadline);
        async move {
            let wake = {
                let mut deadline = deadline.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                if *deadline <= now {
                    *deadline = now + HUNG;
                }
                *deadline
            };
            tokio::time::sleep_until(wake).await;
            ([(CONTENT_TYPE, "application/json")], BODY)
        }
    };
    Router::new()
        .route("/healthcheck", get(answer.clone()))
        .route("/healthcheck/ready", get(answer))
}

/// One check that never returns: every run ends at its timeout, failed, and is not
/// reused (a failed result's TTL is zero), so each flood waits on a fresh run.
fn library_hung() -> Result<Router, healthcheck::CollectError> {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .hostname("bench-host")
        .check(
            Check::new("hung", std::future::pending::<(bool, String)>)
                .timeout(HUNG)
                .failed_ttl(Duration::ZERO),
        )
        .build()?;
    Ok(healthcheck::axum::router(Endpoint::new(health)))
}

fn library() -> Result<Router, healthcheck::CollectError> {
    let health = ["cache", "db", "queue"]
        .into_iter()
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                .hostname("bench-host"),
            |builder, name| {
                builder.check(
                    Check::new(name, || async { (true, "ok".to_string()) })
                        .success_ttl(Duration::from_secs(3600)),
                )
            },
        )
        .build()?;
    Ok(healthcheck::axum::router(Endpoint::new(health)))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let app = match mode.as_str() {
        "bare" => bare(),
        "healthcheck" => library()?,
        "bare-hung" => bare_hung(),
        "healthcheck-hung" => library_hung()?,
        _ => return Err("usage: bench_server bare|healthcheck|bare-hung|healthcheck-hung".into()),
    };
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_string());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("{mode}: http://{}/healthcheck", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
