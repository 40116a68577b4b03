//! Built-in checks for the dependencies services have, one module each, each behind
//! its cargo feature (`runtime` is always there).
//!
//! Every check is a [`Checker`](crate::Checker) struct built from the client or pool the
//! application already has (never a second pool behind its back), turned into a
//! [`Check`](crate::Check) in one line, and its probe is also a plain async function a
//! `#[health_check]` can call and wrap:
//!
//! ```no_run
//! # #[cfg(all(feature = "postgres", feature = "redis"))]
//! # async fn example(
//! #     pool: healthcheck::checks::postgres::deadpool_postgres::Pool,
//! #     manager: healthcheck::checks::redis::redis::aio::ConnectionManager,
//! # ) -> Result<(), healthcheck::CollectError> {
//! use healthcheck::{HealthCheck, checks};
//!
//! let health = HealthCheck::builder()
//!     .check(checks::postgres::pool("db", pool.clone()))
//!     .check(checks::redis::connection("cache", manager.clone()))
//!     .check(checks::runtime::responsive("runtime"))
//!     .build()?;
//! # let _ = health;
//! # Ok(())
//! # }
//! ```
//!
//! What every built-in check promises:
//! - a failure carries the whole cause chain (`error connecting to server: Connection
//!   refused (os error 111)`), never only the outermost message;
//! - no password, token or full connection string reaches an output or a detail (URLs
//!   are shown without their userinfo and query);
//! - a pass carries what was observed (latency in ms, versions, pool sizes), and a
//!   dependency that answers but slowly is a warning (`slow_after`, 1 s by default for
//!   network checks);
//! - it is cancellation-safe under the check's timeout and never blocks the runtime.

#[cfg(feature = "disk")]
#[cfg_attr(docsrs, doc(cfg(feature = "disk")))]
pub mod disk;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
#[cfg(feature = "memory")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
pub mod memory;
#[cfg(feature = "mysql")]
#[cfg_attr(docsrs, doc(cfg(feature = "mysql")))]
pub mod mysql;
#[cfg(feature = "nats")]
#[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
pub mod nats;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub mod postgres;
#[cfg(feature = "rabbitmq")]
#[cfg_attr(docsrs, doc(cfg(feature = "rabbitmq")))]
pub mod rabbitmq;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
pub mod runtime;
#[cfg(feature = "tcp")]
#[cfg_attr(docsrs, doc(cfg(feature = "tcp")))]
pub mod tcp;

use std::error::Error;
use std::time::Duration;

use crate::health::Health;

/// How slow an answering dependency may be before its check warns, unless set.
pub const DEFAULT_SLOW_AFTER: Duration = Duration::from_secs(1);

/// `error` and every `source()` under it, joined with `: `; a source whose text the
/// message above already contains is not repeated.
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !chain.contains(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        source = cause.source();
    }
    chain
}

/// `url` without what may be secret: the user information (`user:***@`, and `***@` for a
/// user name alone, which may be a token), and the query and fragment (tokens travel
/// there). The user information ends at the last `@`, so a password holding `/`, `?`,
/// `#` or `@` is hidden whole. A string that is not a URL is read the same way.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    // The authority ends at the first `/`, `?` or `#` after the last `@`, if any.
    let host_start = rest.rfind('@').map_or(0, |at| at + 1);
    let authority_end = rest[host_start..]
        .find(['/', '?', '#'])
        .map_or(rest.len(), |end| host_start + end);
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("***@{host}"),
        },
        None => authority.to_owned(),
    };
    let path = tail.split(['?', '#']).next().unwrap_or("");
    let hidden = if path.len() < tail.len() { "?***" } else { "" };
    match scheme {
        Some(scheme) => format!("{scheme}://{authority}{path}{hidden}"),
        None => format!("{authority}{path}{hidden}"),
    }
}

/// `message` with every occurrence of each non-empty secret replaced by `***`: a last
/// guard for drivers that echo what they were given.
pub fn without_secrets(message: String, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|secret| !secret.is_empty())
        .fold(message, |message, secret| message.replace(secret, "***"))
}

/// A pass that took `latency`, or a warning when it is over `slow_after`; the latency
/// in ms as the observed value.
pub fn answered(what: &str, latency: Duration, slow_after: Duration) -> Health {
    let millis = latency.as_secs_f64() * 1000.0;
    let rounded = (millis * 10.0).round() / 10.0;
    let health = if latency > slow_after {
        Health::warn(format!(
            "{what} answered in {rounded} ms, slower than {}",
            crate::human_time::duration(slow_after)
        ))
    } else {
        Health::pass(format!("{what} answered in {rounded} ms"))
    };
    health.observed(rounded, "ms")
}

#[cfg(any(feature = "disk", feature = "memory"))]
/// `bytes` in the largest binary unit that keeps it at least 1: `3.2 GiB`.
fn bytes_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password_and_query() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/app?sslmode=require&password=x"),
            "postgres://app:***@db:5432/app?***"
        );
        assert_eq!(
            redact_url("redis://:s3cret@cache/0"),
            "redis://:***@cache/0"
        );
        assert_eq!(
            redact_url("https://api.example/health#token"),
            "https://api.example/health?***"
        );
        // A user name alone may be a token.
        assert_eq!(redact_url("amqp://guest@mq"), "amqp://***@mq");
        assert_eq!(
            redact_url("https://TOKEN@github.com/o/r"),
            "https://***@github.com/o/r"
        );
        // A password holding what ends an authority is hidden whole.
        for url in [
            "redis://:pa#ss@cache:6379/0",
            "amqp://user:pa?ss@mq/vhost",
            "postgresql://user:pa/ss@host/db",
            "mysql://root:p@ss@db:3306/x",
        ] {
            let shown = redact_url(url);
            assert!(
                !shown.contains("pa") && !shown.contains("ss@"),
                "{url} shows {shown}"
            );
        }
        assert_eq!(redact_url("127.0.0.1:5432"), "127.0.0.1:5432");
        assert_eq!(redact_url("user:pw@host"), "user:***@host");
    }

    #[test]
    fn the_cause_chain_is_joined_without_repeats() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error connecting to server")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let refused =
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        assert_eq!(
            error_chain(&Outer(refused)),
            "error connecting to server: Connection refused"
        );
    }

    #[test]
    fn secrets_are_replaced_wherever_they_appear() {
        let message = "auth failed for app:hunter2@db".to_string();
        assert_eq!(
            without_secrets(message, &["hunter2", ""]),
            "auth failed for app:***@db"
        );
    }
}
