//! MariaDB / MySQL: `SELECT VERSION()` (one round trip, proving a statement runs)
//! through the application's mysql_async `Pool`, with latency and the server version.

use std::time::Duration;

use mysql_async::prelude::Queryable;
use tokio::time::Instant;

use super::{DEFAULT_SLOW_AFTER, answered, error_chain};
use crate::check::Check;
use crate::checker::Checker;
use crate::health::Health;

/// The client crate this check takes a pool of (mysql_async 0.37), re-exported so that an
/// application can use exactly that version.
pub use mysql_async;

/// Runs a query through a pool.
#[derive(Clone)]
pub struct MySql {
    pool: mysql_async::Pool,
    slow_after: Duration,
}

impl MySql {
    /// Through `pool` (a handle: cloning it shares the pool).
    pub fn new(pool: mysql_async::Pool) -> Self {
        MySql {
            pool,
            slow_after: DEFAULT_SLOW_AFTER,
        }
    }

    /// Warns when the query takes longer than `slow_after` (default 1 s).
    #[must_use]
    pub fn slow_after(mut self, slow_after: Duration) -> Self {
        self.slow_after = slow_after;
        self
    }
}

impl std::fmt::Debug for MySql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MySql")
            .field("slow_after", &self.slow_after)
            .finish_non_exhaustive()
    }
}

impl Checker for MySql {
    type Output = Health;

    async fn check(&self) -> Health {
        ping(&self.pool, self.slow_after).await
    }
}

/// A check named `name` through the application's `pool`.
///
/// ```no_run
/// # fn example() -> Result<(), healthcheck::CollectError> {
/// use healthcheck::checks::mysql::mysql_async;
///
/// let pool = mysql_async::Pool::new("mysql://root@127.0.0.1:3306/test");
/// let health = healthcheck::HealthCheck::builder()
///     .check(healthcheck::checks::mysql::pool("db", pool.clone()))
///     .build()?;
/// # let _ = health;
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn pool(name: impl Into<String>, pool: mysql_async::Pool) -> Check {
    Check::checker(name, MySql::new(pool)).tags(["mysql"])
}

/// Takes a connection from `pool` and runs `SELECT VERSION()`; the probe a
/// `#[health_check]` fn can call.
pub async fn ping(pool: &mysql_async::Pool, slow_after: Duration) -> Health {
    let started = Instant::now();
    let mut conn = match pool.get_conn().await {
        Ok(conn) => conn,
        Err(err) => {
            return Health::fail(format!(
                "cannot get a MySQL connection: {}",
                error_chain(&err)
            ));
        }
    };
    match conn.query_first::<String, _>("SELECT VERSION()").await {
        Ok(version) => {
            let health = answered("MySQL", started.elapsed(), slow_after);
            match version {
                Some(version) => health.detail("server_version", version),
                None => health,
            }
        }
        Err(err) => Health::fail(format!("MySQL query failed: {}", error_chain(&err))),
    }
}
