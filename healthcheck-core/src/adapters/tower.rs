//! tower and hyper 1.x: [`Endpoint`] is a [`tower_service::Service`].
//!
//! With hyper, wrap it in `hyper_util::service::TowerToHyperService`:
//!
//! ```no_run
//! # async fn serve(
//! #     endpoint: healthcheck::Endpoint,
//! #     stream: tokio::net::TcpStream,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! let service = hyper_util::service::TowerToHyperService::new(endpoint.clone());
//! hyper::server::conn::http1::Builder::new()
//!     .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! `examples/hyper.rs` is a whole server.

use std::convert::Infallible;
use std::task::{Context, Poll};

use futures_util::FutureExt;
use futures_util::future::Map;
use http::{Request, Response};

use crate::endpoint::{Answer, Endpoint};

/// The answer, which cannot fail, as a service's result.
type Answered = fn(Response<String>) -> Result<Response<String>, Infallible>;

impl<B: Send + 'static> tower_service::Service<Request<B>> for Endpoint {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Map<Answer<'static>, Answered>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The future owns a clone of the endpoint and not the request; no box of its own.
        self.clone().respond_owned(&request).map(Ok as Answered)
    }
}
