//! axum: a [`Router`](::axum::Router) serving an [`Endpoint`], to merge into an app,
//! whatever the app's own state.
//!
//! ```standalone_crate
//! use healthcheck::{Endpoint, HealthCheck};
//!
//! #[derive(Clone)]
//! struct AppState {
//!     greeting: &'static str,
//! }
//!
//! # fn main() -> Result<(), healthcheck::CollectError> {
//! let health = HealthCheck::collect()?;
//! let app = axum::Router::new()
//!     .route("/", axum::routing::get(|axum::extract::State(state): axum::extract::State<AppState>| async move { state.greeting }))
//!     .merge(healthcheck::axum::router(Endpoint::new(health)))
//!     .with_state(AppState { greeting: "hello" });
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
/// method (the endpoint answers 405 itself, with a JSON body). Generic over the
/// application's state `S`, so it merges into a `Router<S>` before `.with_state(…)`.
pub fn router<S>(endpoint: Endpoint) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let base = endpoint.base().to_owned();
    let root = if base.is_empty() { "/" } else { base.as_str() };
    // The endpoint is the router's own state: a request clones it once, not once for
    // the handler and again for its future.
    let mut router = Router::new().route(root, any(respond));
    if !base.is_empty() {
        router = router.route(&format!("{base}/"), any(respond));
    }
    // One wildcard for everything below, not a route per probe path: axum rebuilds
    // every route for each connection it accepts, and Kubernetes opens one per probe.
    // Routes of their own for live/ready/startup saved ~840 instructions per request
    // on those paths (no wildcard to decode) but cost ~7,400 more per connection, and
    // five raised a flood of 1,000 probes' peak by 3.5 MiB (BENCHMARKS.md). `any`, not
    // `get` plus a fallback: one route per path to rebuild, not two (~2,400
    // instructions more per connection, for ~190 fewer per request).
    router
        .route(&format!("{base}/{{*rest}}"), any(respond))
        .with_state(endpoint)
}

/// Every route's handler: the endpoint answers the request. A plain `fn` returning the
/// endpoint's own future, which owns the endpoint and not the request: an `async fn`
/// would store the request twice (as an argument and as a local) beside it, 824 bytes
/// that axum boxes and moves per request, where this is the endpoint's future alone.
fn respond(
    State(endpoint): State<Endpoint>,
    request: Request,
) -> impl Future<Output = Response<String>> + Send {
    endpoint.respond_owned(&request)
}

#[cfg(test)]
mod tests {
    use ::axum::body::Body;

    use super::*;
    use crate::HealthCheck;

    #[test]
    fn the_handlers_future_holds_the_endpoints_future_and_not_the_request() {
        // axum boxes and moves this future per request. As an `async fn` holding the
        // request across the wait it was 824 bytes, and a box that size (with axum's
        // own state around it) left glibc's per-thread caches: a slower allocation on
        // every probe.
        let health = HealthCheck::builder().linked_checks(false).build().unwrap();
        let endpoint = Endpoint::new(health);
        let alone = {
            let request = http::Request::get("/healthcheck").body(()).unwrap();
            std::mem::size_of_val(&endpoint.respond(&request))
        };
        let request = Request::new(Body::empty());
        let handlers = std::mem::size_of_val(&respond(State(endpoint), request));
        assert!(
            handlers <= alone + 16,
            "{handlers} bytes, the endpoint's {alone}"
        );
    }
}
