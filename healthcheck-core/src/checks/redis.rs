//! Redis: `PING` answered with `PONG` through the application's `ConnectionManager` or
//! `MultiplexedConnection` (both cheap to clone), with latency, and the server version
//! from `INFO server` when asked.

use std::time::Duration;

use redis::aio::ConnectionLike;
use tokio::time::Instant;

use super::{DEFAULT_SLOW_AFTER, answered, error_chain};
use crate::check::Check;
use crate::checker::Checker;
use crate::health::Health;

/// The client crate this check takes a connection of (redis 1), re-exported so that an
/// application can use exactly that version: another major version's `ConnectionManager`
/// is another type, and does not implement this one's `ConnectionLike`.
pub use redis;

/// Sends `PING` on a connection.
#[derive(Clone)]
pub struct Redis<C> {
    connection: C,
    slow_after: Duration,
    version: bool,
}

impl<C> Redis<C> {
    /// On `connection`: a `redis::aio::ConnectionManager` (reconnects by itself) or a
    /// `MultiplexedConnection`. The client's own response timeout (500 ms by default)
    /// ends a slow `PING` before the check's timeout does: for the check's to govern,
    /// give the client a longer one (`ConnectionManagerConfig::set_response_timeout`);
    /// otherwise a failure says which timeout fired.
    pub fn new(connection: C) -> Self {
        Redis {
            connection,
            slow_after: DEFAULT_SLOW_AFTER,
            version: false,
        }
    }

    /// Warns when `PING` takes longer than `slow_after` (default 1 s).
    #[must_use]
    pub fn slow_after(mut self, slow_after: Duration) -> Self {
        self.slow_after = slow_after;
        self
    }

    /// Also reads the server version (`INFO server`, a second round trip).
    #[must_use]
    pub fn with_version(mut self) -> Self {
        self.version = true;
        self
    }
}

impl<C> std::fmt::Debug for Redis<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("slow_after", &self.slow_after)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl<C> Checker for Redis<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    type Output = Health;

    async fn check(&self) -> Health {
        let mut connection = self.connection.clone();
        let health = ping(&mut connection, self.slow_after).await;
        if !self.version || !health.passed() {
            return health;
        }
        match redis::cmd("INFO")
            .arg("server")
            .query_async::<String>(&mut connection)
            .await
        {
            Ok(info) => match server_version(&info) {
                Some(version) => health.detail("server_version", version),
                None => health,
            },
            Err(err) => Health::fail(format!("Redis INFO failed: {}", error_chain(&err))),
        }
    }
}

/// A check named `name` on the application's `connection`.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use healthcheck::checks::redis::redis;
///
/// let client = redis::Client::open("redis://127.0.0.1/")?;
/// // No response timeout of the client's own: the check's timeout governs.
/// let config = redis::aio::ConnectionManagerConfig::new().set_response_timeout(None);
/// let manager = redis::aio::ConnectionManager::new_with_config(client, config).await?;
/// let health = healthcheck::HealthCheck::builder()
///     .check(healthcheck::checks::redis::connection("cache", manager.clone()))
///     .build()?;
/// # let _ = health;
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn connection<C>(name: impl Into<String>, connection: C) -> Check
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    Check::checker(name, Redis::new(connection)).tags(["redis"])
}

/// Sends `PING` and expects `PONG`; the probe a `#[health_check]` fn can call.
pub async fn ping<C: ConnectionLike + Send>(connection: &mut C, slow_after: Duration) -> Health {
    let started = Instant::now();
    match redis::cmd("PING").query_async::<String>(connection).await {
        Ok(reply) if reply == "PONG" => answered("Redis", started.elapsed(), slow_after),
        Ok(reply) => Health::fail(format!("Redis answered PING with {reply:?}, not PONG")),
        Err(err) if err.is_timeout() => Health::fail(format!(
            "Redis PING failed: {}: the Redis client's own response timeout fired, before \
             the check's; the check's timeout governs only when the client's is longer \
             (`ConnectionManagerConfig::set_response_timeout`, 500 ms by default in redis)",
            error_chain(&err)
        )),
        Err(err) => Health::fail(format!("Redis PING failed: {}", error_chain(&err))),
    }
}

/// `redis_version` from the text of `INFO server`.
fn server_version(info: &str) -> Option<String> {
    info.lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .map(|version| version.trim().to_owned())
}
