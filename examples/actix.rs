//! An actix-web server with liveness, readiness and startup checks and graceful
//! shutdown.
//!
//! ```text
//! cargo run --example actix
//! curl -i localhost:8001/healthcheck
//! ```
//!
//! actix-web's own signal handling is off: the health registry's shutdown signal turns
//! readiness to 503, waits the drain delay, then stops the server gracefully.

mod support;

use actix_web::{App, HttpServer, web};
use healthcheck::Endpoint;

async fn work() -> &'static str {
    tokio::time::sleep(support::millis("WORK_MS", 1000)).await;
    "done"
}

fn main() -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(serve())
}

async fn serve() -> std::io::Result<()> {
    let health = support::health().map_err(std::io::Error::other)?;
    let endpoint = Endpoint::new(health.clone());
    let listener = std::net::TcpListener::bind(support::addr("127.0.0.1:8001"))?;
    println!(
        "actix example: http://{}/healthcheck",
        listener.local_addr()?
    );

    let server = HttpServer::new(move || {
        App::new()
            .route("/work", web::get().to(work))
            .configure(healthcheck::actix::configure(endpoint.clone()))
    })
    .disable_signals()
    .listen(listener)?
    .run();

    let handle = server.handle();
    let signal = health.shutdown_signal();
    actix_web::rt::spawn(async move {
        signal.await;
        handle.stop(true).await; // graceful: in-flight requests finish
    });
    server.await?;

    let report = health.finish_shutdown().await;
    support::print_shutdown(&report);
    Ok(())
}
