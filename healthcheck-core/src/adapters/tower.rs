//! tower and hyper 1.x: [`Endpoint`] is a [`tower_service::Service`].
//!
//! With hyper, wrap it in `hyper_util::service::TowerToHyperService`:
//!
//! ```ignore
//! let service = hyper_util::service::TowerToHyperService::new(endpoint.clone());
//! hyper::server::conn::http1::Builder::new()
//!     .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
//!     .await?;
//! ```
//!
//! `examples/hyper.rs` is a whole server.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};

use crate::endpoint::Endpoint;

impl<B: Send + 'static> tower_service::Service<Request<B>> for Endpoint {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<String>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The future owns a clone of the endpoint and not the request: a smaller box.
        let answer = self.clone().respond_owned(&request);
        Box::pin(async move { Ok(answer.await) })
    }
}
