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
use ::axum::extract::Request;
use ::axum::routing::any;
use healthcheck_core::{Answer, Endpoint};

/// Routes `{base}`, `{base}/`, the probe paths and everything under `{base}/` to
/// `endpoint`, for every method (the endpoint answers 405 itself, with a JSON body).
/// Generic over the application's state `S`, so it merges into a `Router<S>` before
/// `.with_state(…)`.
pub fn router<S>(endpoint: Endpoint) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let base = endpoint.base().to_owned();
    let root = if base.is_empty() { "/" } else { base.as_str() };
    // Every route's handler. axum clones it for each request and calls it once, so the
    // endpoint it owns goes into the answer's future with no clone of its own; the
    // request is its one argument, so axum takes no extractor's parts out of it and puts
    // them back (~260 instructions a probe against a `State` extractor, callgrind).
    let respond = move |request: Request| answer(endpoint, request);
    let mut router = Router::new().route(root, any(respond.clone()));
    if !base.is_empty() {
        router = router.route(&format!("{base}/"), any(respond.clone()));
    }
    // The three probe paths Kubernetes polls have routes of their own, so axum decodes no
    // wildcard for them: ~850 fewer instructions per probe (callgrind). axum rebuilds
    // every route for each connection it accepts: the three cost ~160 instructions and
    // ~1.1 KiB more per open connection (a flood of 1,000 peaks 1.1 MiB higher;
    // BENCHMARKS.md), so the rest goes through one wildcard. `any`, not `get` plus a
    // fallback: one boxed route per path to clone per connection, not two (~2,400
    // instructions more per connection for ~190 fewer per request).
    for probe in ["live", "ready", "startup"] {
        router = router.route(&format!("{base}/{probe}"), any(respond.clone()));
    }
    router.route(&format!("{base}/{{*rest}}"), any(respond))
}

/// What every route's handler does: the endpoint answers the request. The future owns
/// the endpoint and not the request: an `async fn` would store the request twice (as an
/// argument and as a local) beside it, 824 bytes that axum boxes and moves per request,
/// where this is the endpoint's future alone.
fn answer(endpoint: Endpoint, request: Request) -> Answer<'static> {
    endpoint.respond_owned(&request)
}

#[cfg(test)]
mod tests {
    use ::axum::body::Body;

    use super::*;
    use healthcheck_core::{HealthCheck, http};

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
        let handlers = std::mem::size_of_val(&answer(endpoint, request));
        assert!(
            handlers <= alone + 16,
            "{handlers} bytes, the endpoint's {alone}"
        );
    }
}
