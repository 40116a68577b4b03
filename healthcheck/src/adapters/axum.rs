//! axum: a [`Router`](::axum::Router) serving an [`Endpoint`], to merge into an app.
//!
//! ```standalone_crate
//! use std::sync::Arc;
//! use healthcheck::{Endpoint, HealthCheck};
//!
//! # fn main() -> Result<(), healthcheck::CollectError> {
//! let health = Arc::new(HealthCheck::collect()?);
//! let app = axum::Router::new()
//!     .route("/", axum::routing::get(|| async { "hello" }))
//!     .merge(healthcheck::axum::router(Endpoint::new(health)));
//! # let _: axum::Router = app;
//! # Ok(())
//! # }
//! ```

use ::axum::Router;
use ::axum::extract::{Request, State};
use ::axum::routing::any;
use http::Response;

use crate::endpoint::Endpoint;

/// Routes `{base}`, `{base}/` and everything under `{base}/` to `endpoint`, for every
/// method (the endpoint answers 405 itself, with a JSON body).
pub fn router(endpoint: Endpoint) -> Router {
    let base = endpoint.base().to_owned();
    let root = if base.is_empty() { "/" } else { base.as_str() };
    let mut router = Router::new().route(root, any(respond));
    if !base.is_empty() {
        router = router.route(&format!("{base}/"), any(respond));
    }
    router
        .route(&format!("{base}/{{*rest}}"), any(respond))
        .with_state(endpoint)
}

async fn respond(State(endpoint): State<Endpoint>, request: Request) -> Response<String> {
    endpoint.respond(&request).await
}
