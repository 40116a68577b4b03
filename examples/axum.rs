//! An axum server with liveness, readiness and startup checks, graceful shutdown, and
//! a `/work` route that stands for the application's own slow requests.
//!
//! ```text
//! cargo run --example axum
//! curl -i localhost:8000/healthcheck/ready     # 503 for the 2 s warm-up, then 200
//! ```
//!
//! On SIGTERM readiness answers 503 at once; the server keeps accepting for
//! `DRAIN_DELAY_MS` (default 5000), then drains in-flight requests, runs the shutdown
//! hook and exits 0.

mod support;

use axum::Router;
use axum::routing::get;
use healthcheck::Endpoint;

/// Stands for real work: answers after `WORK_MS` (default 1000).
async fn work() -> &'static str {
    println!("work: started");
    tokio::time::sleep(support::millis("WORK_MS", 1000)).await;
    "done"
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let health = support::health()?;
    let app = Router::new()
        .route("/work", get(work))
        .merge(healthcheck::axum::router(Endpoint::new(health.clone())));

    let listener = tokio::net::TcpListener::bind(support::addr("127.0.0.1:8000")).await?;
    println!(
        "axum example: http://{}/healthcheck",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(health.shutdown_signal())
        .await?;

    let report = health.finish_shutdown().await;
    support::print_shutdown(&report);
    Ok(())
}
