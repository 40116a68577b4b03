//! A tonic server serving its own service (a stand-in `example.Greeter`) plus the
//! `grpc.health.v1.Health` service fed by the registry's checks, with graceful shutdown.
//!
//! ```text
//! cargo run --example grpc
//! grpcurl -plaintext localhost:50051 grpc.health.v1.Health/Check            # SERVING
//! grpcurl -plaintext -d '{"service":"uptime"}' localhost:50051 grpc.health.v1.Health/Check
//! ```
//!
//! On SIGTERM every service answers `NOT_SERVING` at once (a `Watch` hears it), the
//! server keeps serving for `DRAIN_DELAY_MS` (default 5000), then drains and exits 0.

mod support;

use std::net::SocketAddr;

use tonic::{Request, Response, Status};

/// The application's own gRPC service: a greeter, written against tonic's generic
/// server plumbing so the example needs no protobuf compiler.
mod greeter {
    use std::convert::Infallible;
    use std::task::{Context, Poll};

    use tonic::body::Body;
    use tonic::codegen::{BoxFuture, Service, http};
    use tonic::server::NamedService;

    /// Answers every call to `example.Greeter` with `UNIMPLEMENTED`, as a stand-in for
    /// the services a real application adds next to health.
    #[derive(Debug, Clone, Default)]
    pub struct Greeter;

    impl NamedService for Greeter {
        const NAME: &'static str = "example.Greeter";
    }

    impl Service<http::Request<Body>> for Greeter {
        type Response = http::Response<Body>;
        type Error = Infallible;
        type Future = BoxFuture<Self::Response, Self::Error>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<Body>) -> Self::Future {
            Box::pin(async { Ok(tonic::Status::unimplemented("a stand-in service").into_http()) })
        }
    }
}

/// A unary health `Check` through a client, to show the service answering.
async fn ask(addr: SocketAddr, service: &str) -> Result<String, Box<dyn std::error::Error>> {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;

    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let request = Request::new(HealthCheckRequest {
        service: service.to_string(),
    });
    let answer: Result<Response<_>, Status> = HealthClient::new(channel).check(request).await;
    Ok(match answer {
        Ok(response) => format!("{:?}", response.into_inner().status()),
        Err(status) => format!("{:?}: {}", status.code(), status.message()),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let health = support::health()?;
    let addr: SocketAddr = support::addr("127.0.0.1:50051").parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    println!("grpc example: {addr} (grpc.health.v1.Health, example.Greeter)");

    let server = tonic::transport::Server::builder()
        .add_service(healthcheck::grpc::server(health.clone()))
        .add_service(greeter::Greeter)
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            health.shutdown_signal(),
        );
    let server = tokio::spawn(server);
    println!("liveness check `uptime`: {}", ask(addr, "uptime").await?);

    server.await??;
    let report = health.finish_shutdown().await;
    support::print_shutdown(&report);
    Ok(())
}
