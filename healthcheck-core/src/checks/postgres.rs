//! PostgreSQL: a one-round-trip query through the application's deadpool-postgres
//! `Pool` or tokio-postgres `Client` (what .NET's `NpgSqlHealthCheck` and Spring's
//! `DataSourceHealthIndicator` do), with the server version, latency and pool figures.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::{DEFAULT_SLOW_AFTER, answered, error_chain};
use crate::check::Check;
use crate::checker::Checker;
use crate::health::Health;

/// The client crates this check takes a pool or client of, re-exported so that an
/// application can use exactly the versions this library was built with (deadpool-postgres
/// 0.14, tokio-postgres 0.7): `healthcheck::checks::postgres::deadpool_postgres::Pool`.
pub use {deadpool_postgres, tokio_postgres};

/// The query: proves a statement runs, and reads the version in the same round trip.
const QUERY: &str = "SELECT 1, current_setting('server_version')";

/// What the check talks through.
#[derive(Clone)]
enum Target {
    Pool(deadpool_postgres::Pool),
    Client(Arc<Client>),
}

/// Runs `SELECT 1` through a pool or a client.
#[derive(Clone)]
pub struct Postgres {
    target: Target,
    slow_after: Duration,
}

impl Postgres {
    /// Through `pool`: takes a connection (as the application's requests do), so a full
    /// or broken pool shows.
    pub fn pool(pool: deadpool_postgres::Pool) -> Self {
        Postgres {
            target: Target::Pool(pool),
            slow_after: DEFAULT_SLOW_AFTER,
        }
    }

    /// Through one `client`.
    pub fn client(client: Arc<Client>) -> Self {
        Postgres {
            target: Target::Client(client),
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

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("slow_after", &self.slow_after)
            .finish_non_exhaustive()
    }
}

impl Checker for Postgres {
    type Output = Health;

    async fn check(&self) -> Health {
        match &self.target {
            Target::Pool(pool) => ping_pool(pool, self.slow_after).await,
            Target::Client(client) => ping_client(client, self.slow_after).await,
        }
    }
}

/// A check named `name` through the application's `pool`.
///
/// ```no_run
/// # fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use healthcheck::checks::postgres::{deadpool_postgres, tokio_postgres};
///
/// let pool = deadpool_postgres::Config {
///     url: Some("postgres://postgres@127.0.0.1/test".into()),
///     ..Default::default()
/// }
/// .create_pool(Some(deadpool_postgres::Runtime::Tokio1), tokio_postgres::NoTls)?;
/// let health = healthcheck::HealthCheck::builder()
///     .check(healthcheck::checks::postgres::pool("db", pool.clone()))
///     .build()?;
/// # let _ = health;
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn pool(name: impl Into<String>, pool: deadpool_postgres::Pool) -> Check {
    Check::checker(name, Postgres::pool(pool)).tags(["postgres"])
}

/// A check named `name` through one `client`. A client whose connection closed stays
/// closed (tokio-postgres does not reconnect): prefer a pool.
#[track_caller]
pub fn client(name: impl Into<String>, client: Arc<Client>) -> Check {
    Check::checker(name, Postgres::client(client)).tags(["postgres"])
}

/// Takes a connection from `pool` and runs `SELECT 1`; the probe a `#[health_check]`
/// fn can call. Details: latency, server version, and the pool's `size`, `available`,
/// `waiting` and `max_size`.
pub async fn ping_pool(pool: &deadpool_postgres::Pool, slow_after: Duration) -> Health {
    let started = Instant::now();
    let health = match pool.get().await {
        Ok(client) => query(&client, started, slow_after).await,
        Err(err) => Health::fail(format!(
            "cannot get a PostgreSQL connection: {}",
            error_chain(&err)
        )),
    };
    let status = pool.status();
    health
        .detail("pool_size", status.size)
        .detail("pool_available", status.available)
        .detail("pool_waiting", status.waiting)
        .detail("pool_max_size", status.max_size)
}

/// Runs `SELECT 1` on `client`; the probe a `#[health_check]` fn can call.
pub async fn ping_client(client: &Client, slow_after: Duration) -> Health {
    query(client, Instant::now(), slow_after).await
}

async fn query(client: &Client, started: Instant, slow_after: Duration) -> Health {
    match client.simple_query(QUERY).await {
        Ok(messages) => {
            let version = messages.iter().find_map(|message| match message {
                SimpleQueryMessage::Row(row) => row.get(1).map(str::to_owned),
                _ => None,
            });
            let health = answered("PostgreSQL", started.elapsed(), slow_after);
            match version {
                Some(version) => health.detail("server_version", version),
                None => health,
            }
        }
        Err(err) => Health::fail(format!("PostgreSQL query failed: {}", error_chain(&err))),
    }
}
