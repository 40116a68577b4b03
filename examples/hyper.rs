//! A hyper 1.x server: the endpoint is a `tower::Service`, wrapped for hyper.
//!
//! ```text
//! cargo run --example hyper
//! curl -i localhost:8002/healthcheck/live
//! ```

mod support;

use healthcheck::Endpoint;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let health = support::health()?;
    let endpoint = Endpoint::new(health.clone());
    let listener = tokio::net::TcpListener::bind(support::addr("127.0.0.1:8002")).await?;
    println!(
        "hyper example: http://{}/healthcheck",
        listener.local_addr()?
    );

    let graceful = GracefulShutdown::new();
    let shutdown = health.shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                let service = TowerToHyperService::new(endpoint.clone());
                let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    graceful.shutdown().await; // in-flight requests finish

    let report = health.finish_shutdown().await;
    support::print_shutdown(&report);
    Ok(())
}
