//! RabbitMQ: the application's lapin `Connection` is connected and a channel opens (and
//! closes) on it, with latency.

use std::sync::Arc;
use std::time::Duration;

use lapin::Connection;
use tokio::time::Instant;

use super::{DEFAULT_SLOW_AFTER, answered, error_chain};
use crate::check::Check;
use crate::checker::Checker;
use crate::health::Health;

/// The client crate this check takes a connection of (lapin 4), re-exported so that an
/// application can use exactly that version.
pub use lapin;

/// Opens a channel on a connection.
#[derive(Clone)]
pub struct RabbitMq {
    connection: Arc<Connection>,
    slow_after: Duration,
}

impl RabbitMq {
    /// On `connection`.
    pub fn new(connection: Arc<Connection>) -> Self {
        RabbitMq {
            connection,
            slow_after: DEFAULT_SLOW_AFTER,
        }
    }

    /// Warns when opening a channel takes longer than `slow_after` (default 1 s).
    #[must_use]
    pub fn slow_after(mut self, slow_after: Duration) -> Self {
        self.slow_after = slow_after;
        self
    }
}

impl std::fmt::Debug for RabbitMq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RabbitMq")
            .field("slow_after", &self.slow_after)
            .finish_non_exhaustive()
    }
}

impl Checker for RabbitMq {
    type Output = Health;

    async fn check(&self) -> Health {
        open_channel(&self.connection, self.slow_after).await
    }
}

/// A check named `name` on the application's `connection`.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use healthcheck::checks::rabbitmq::lapin;
///
/// let url = "amqp://guest:guest@127.0.0.1:5672/%2f";
/// let connection = Arc::new(lapin::Connection::connect(url, Default::default()).await?);
/// let health = healthcheck::HealthCheck::builder()
///     .check(healthcheck::checks::rabbitmq::connection("queue", connection.clone()))
///     .build()?;
/// # let _ = health;
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn connection(name: impl Into<String>, connection: Arc<Connection>) -> Check {
    Check::checker(name, RabbitMq::new(connection)).tags(["rabbitmq"])
}

/// Checks the connection's state and opens and closes a channel; the probe a
/// `#[health_check]` fn can call.
pub async fn open_channel(connection: &Connection, slow_after: Duration) -> Health {
    let status = connection.status();
    let state = if status.connected() {
        "connected"
    } else if status.reconnecting() {
        "reconnecting"
    } else if status.connecting() {
        "connecting"
    } else if status.closing() {
        "closing"
    } else if status.closed() {
        "closed"
    } else {
        "failed"
    };
    if state != "connected" {
        return Health::fail(format!("the RabbitMQ connection is {state}"))
            .detail("connection_state", state);
    }
    let started = Instant::now();
    let health = match connection.create_channel().await {
        Ok(channel) => {
            let latency = started.elapsed();
            // The channel has served its purpose; a failure to close it is not the broker's.
            let _ = channel.close(200, "health check done".into()).await;
            answered("RabbitMQ", latency, slow_after)
        }
        Err(err) => Health::fail(format!(
            "cannot open a RabbitMQ channel: {}",
            error_chain(&err)
        )),
    };
    health.detail("connection_state", state)
}
