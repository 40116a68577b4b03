//! NATS: the application's async-nats `Client` is connected and a message round-trips
//! through the server (published to a fresh inbox the client subscribed to), with
//! latency and the server version.

use std::time::Duration;

use async_nats::connection::State;
use futures_util::StreamExt;
use tokio::time::Instant;

use super::{DEFAULT_SLOW_AFTER, answered, error_chain};
use crate::check::Check;
use crate::checker::Checker;
use crate::health::Health;

/// The client crate this check takes a client of (async-nats 0.51), re-exported so that
/// an application can use exactly that version.
pub use async_nats;

/// Round-trips a message through the server.
#[derive(Clone)]
pub struct Nats {
    client: async_nats::Client,
    slow_after: Duration,
}

impl Nats {
    /// On `client` (a handle: cloning it shares the connection).
    pub fn new(client: async_nats::Client) -> Self {
        Nats {
            client,
            slow_after: DEFAULT_SLOW_AFTER,
        }
    }

    /// Warns when the round trip takes longer than `slow_after` (default 1 s).
    #[must_use]
    pub fn slow_after(mut self, slow_after: Duration) -> Self {
        self.slow_after = slow_after;
        self
    }
}

impl std::fmt::Debug for Nats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nats")
            .field("slow_after", &self.slow_after)
            .finish_non_exhaustive()
    }
}

impl Checker for Nats {
    type Output = Health;

    async fn check(&self) -> Health {
        round_trip(&self.client, self.slow_after).await
    }
}

/// A check named `name` on the application's `client`.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use healthcheck::checks::nats::async_nats;
///
/// let client = async_nats::connect("127.0.0.1:4222").await?;
/// let health = healthcheck::HealthCheck::builder()
///     .check(healthcheck::checks::nats::client("bus", client.clone()))
///     .build()?;
/// # let _ = health;
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn client(name: impl Into<String>, client: async_nats::Client) -> Check {
    Check::checker(name, Nats::new(client)).tags(["nats"])
}

/// Checks the connection state, then subscribes to a fresh inbox, publishes to it and
/// waits for the message (a flush alone only empties the client's buffer); the probe a
/// `#[health_check]` fn can call.
pub async fn round_trip(client: &async_nats::Client, slow_after: Duration) -> Health {
    let state = match client.connection_state() {
        State::Connected => "connected",
        State::Disconnected => "disconnected",
        State::Pending => "pending",
    };
    if state != "connected" {
        return Health::fail(format!("the NATS connection is {state}"))
            .detail("connection_state", state);
    }
    let started = Instant::now();
    let failed = |what: &str, err: &(dyn std::error::Error + 'static)| {
        Health::fail(format!("NATS {what} failed: {}", error_chain(err)))
            .detail("connection_state", state)
    };
    let inbox = client.new_inbox();
    let mut subscription = match client.subscribe(inbox.clone()).await {
        Ok(subscription) => subscription,
        Err(err) => return failed("subscribe", &err),
    };
    if let Err(err) = client.publish(inbox, "health check".into()).await {
        return failed("publish", &err);
    }
    let health = match subscription.next().await {
        Some(_) => answered("NATS", started.elapsed(), slow_after)
            .detail("connection_state", state)
            .detail("server_version", client.server_info().version),
        None => Health::fail("NATS closed the subscription before the message came back")
            .detail("connection_state", state),
    };
    // Unsubscribing is best effort: dropping the subscription unsubscribes too.
    let _ = subscription.unsubscribe().await;
    health
}
