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
use healthcheck_core::Endpoint;

/// Routes `{base}`, `{base}/`, the probe paths and everything under `{base}/` to
/// `endpoint` (with the feature `status-page`, `{base}/events` to
/// [`Endpoint::events`]), for every method (the endpoint answers 405 itself, with a JSON body).
/// Generic over the application's state `S`, so it merges into a `Router<S>` before
/// `.with_state(…)`.
pub fn router<S>(endpoint: Endpoint) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let base = endpoint.base().to_owned();
    let root = if base.is_empty() { "/" } else { base.as_str() };
    // Each route is the endpoint as a tower service (its `Future` a named type, not a
    // box): no handler, so axum neither boxes an `async` block per request to call it
    // nor dispatches on the method first (BENCHMARKS.md has the cost of each way).
    let mut router = Router::new().route_service(root, endpoint.clone());
    if !base.is_empty() {
        router = router.route_service(&format!("{base}/"), endpoint.clone());
    }
    // The three probe paths Kubernetes polls have routes of their own, so axum decodes no
    // wildcard for them; axum rebuilds every route for each connection it accepts, so
    // the rest goes through one wildcard (BENCHMARKS.md measures both).
    for probe in ["live", "ready", "startup"] {
        router = router.route_service(&format!("{base}/{probe}"), endpoint.clone());
    }
    // The stream of changes has a body that streams: its own route, to `Endpoint::events`.
    #[cfg(feature = "status-page")]
    {
        let events = endpoint.clone();
        let stream = move |request: ::axum::extract::Request| {
            let answer = events.events(&request);
            async move { answer }
        };
        router = router.route(&format!("{base}/events"), ::axum::routing::any(stream));
    }
    router.route_service(&format!("{base}/{{*rest}}"), endpoint)
}
