//! A TCP connect to `host:port` within the check's timeout: for a dependency that has
//! no client of its own in the application, or whose port is all there is to know.

use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{DEFAULT_SLOW_AFTER, answered, error_chain, redact_url};
use crate::check::Check;
use crate::checker::Checker;
use crate::health::Health;

/// Connects to an address and closes the connection.
#[derive(Debug, Clone)]
pub struct TcpConnect {
    address: String,
    slow_after: Duration,
}

impl TcpConnect {
    /// Connects to `address` (`host:port`).
    pub fn new(address: impl Into<String>) -> Self {
        TcpConnect {
            address: address.into(),
            slow_after: DEFAULT_SLOW_AFTER,
        }
    }

    /// Warns when the connect takes longer than `slow_after` (default 1 s).
    #[must_use]
    pub fn slow_after(mut self, slow_after: Duration) -> Self {
        self.slow_after = slow_after;
        self
    }
}

impl Checker for TcpConnect {
    type Output = Health;

    async fn check(&self) -> Health {
        probe(&self.address, self.slow_after).await
    }
}

/// A check named `name` that connects to `address` (`host:port`).
///
/// ```
/// let check = healthcheck::checks::tcp::connect("search", "127.0.0.1:9200");
/// assert_eq!(check.name(), "search");
/// ```
#[track_caller]
pub fn connect(name: impl Into<String>, address: impl Into<String>) -> Check {
    Check::checker(name, TcpConnect::new(address)).tags(["tcp"])
}

/// Connects to `address` and reports; the probe a `#[health_check]` fn can call.
pub async fn probe(address: &str, slow_after: Duration) -> Health {
    let shown = redact_url(address);
    let started = Instant::now();
    match TcpStream::connect(address).await {
        Ok(_stream) => answered(&shown, started.elapsed(), slow_after).detail("address", shown),
        Err(err) => Health::fail(format!("cannot connect to {shown}: {}", error_chain(&err)))
            .detail("address", shown),
    }
}
