//! A hyper 1.x server: the endpoint answers through a hyper service of its own, which
//! routes `{base}/events` (a body that streams) to `Endpoint::events` and every other
//! route to `Endpoint::respond`, both in the `Events` body type. (Without the stream,
//! the endpoint is a `tower::Service` that `TowerToHyperService` wraps as it is.)
//!
//! ```text
//! cargo run --example hyper
//! curl -i localhost:8002/healthcheck/live
//! curl -N localhost:8002/healthcheck/events
//! ```

mod support;

use std::convert::Infallible;

use healthcheck::{Endpoint, Events};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;

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
                let endpoint = endpoint.clone();
                let service = service_fn(move |request: hyper::Request<Incoming>| {
                    let endpoint = endpoint.clone();
                    async move {
                        // The stream ends when the drain does, so the graceful shutdown
                        // below does not wait on it.
                        let response = if request.uri().path() == "/healthcheck/events" {
                            endpoint.events(&request)
                        } else {
                            endpoint.respond(&request).await.map(Events::from)
                        };
                        Ok::<_, Infallible>(response)
                    }
                });
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
