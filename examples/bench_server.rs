//! The two servers `scripts/bench-side-by-side.sh` drives with wrk: a bare axum handler
//! returning a fixed JSON body of about the size of the library's report, and the
//! library's endpoint with three checks that pass at once and stay cached.
//!
//! ```text
//! cargo run --release --example bench_server -- bare          # ADDR, default 127.0.0.1:8000
//! cargo run --release --example bench_server -- healthcheck
//! ```
//!
//! Both serve `/healthcheck` and `/healthcheck/ready`.

use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use healthcheck::{Check, Endpoint, HealthCheck};

/// A report of three passing checks as the library writes it (593 bytes), the bare
/// handler's fixed answer: the same bytes on the wire, none of the work.
const BODY: &str = r#"{"status":"success","timestamp":1795332441.0886774,"hostname":"bench-host","phase":"UP","results":[{"checker":"cache","output":"ok","passed":true,"status":"pass","group":"default","timestamp":1795332441.0789278,"expires":1795336041.0789278,"response_time":2.2e-7},{"checker":"db","output":"ok","passed":true,"status":"pass","group":"default","timestamp":1795332441.078932,"expires":1795336041.078932,"response_time":3.51e-7},{"checker":"queue","output":"ok","passed":true,"status":"pass","group":"default","timestamp":1795332441.0789194,"expires":1795336041.0789194,"response_time":3.074e-6}]}"#;

fn bare() -> Router {
    let answer = || async { ([(CONTENT_TYPE, "application/json")], BODY) };
    Router::new()
        .route("/healthcheck", get(answer))
        .route("/healthcheck/ready", get(answer))
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
        _ => return Err("usage: bench_server bare|healthcheck".into()),
    };
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_string());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("{mode}: http://{}/healthcheck", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
