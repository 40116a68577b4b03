//! An HTTP endpoint answers: a GET or HEAD through the application's `reqwest::Client`,
//! with the status in an expected range and, optionally, a substring in the body.

use std::ops::RangeInclusive;
use std::time::Duration;

use tokio::time::Instant;

use super::{DEFAULT_SLOW_AFTER, answered, error_chain, redact_url, without_secrets};
use crate::check::Check;
use crate::checker::Checker;
use crate::health::Health;

/// The client crate this check takes a client of (reqwest 0.13), re-exported so that an
/// application can use exactly that version.
pub use reqwest;

/// Requests a URL and judges the answer.
#[derive(Clone)]
pub struct HttpEndpoint {
    client: reqwest::Client,
    url: String,
    head: bool,
    expected: RangeInclusive<u16>,
    body_contains: Option<String>,
    slow_after: Duration,
}

impl HttpEndpoint {
    /// `GET url` through `client`, expecting a 2xx.
    pub fn new(client: reqwest::Client, url: impl Into<String>) -> Self {
        HttpEndpoint {
            client,
            url: url.into(),
            head: false,
            expected: 200..=299,
            body_contains: None,
            slow_after: DEFAULT_SLOW_AFTER,
        }
    }

    /// Sends `HEAD` instead of `GET` (no body is read).
    #[must_use]
    pub fn head(mut self) -> Self {
        self.head = true;
        self
    }

    /// The status codes that pass (default `200..=299`).
    #[must_use]
    pub fn expect_status(mut self, expected: RangeInclusive<u16>) -> Self {
        self.expected = expected;
        self
    }

    /// Passes only if the body contains `text`.
    #[must_use]
    pub fn body_contains(mut self, text: impl Into<String>) -> Self {
        self.body_contains = Some(text.into());
        self
    }

    /// Warns when the answer takes longer than `slow_after` (default 1 s).
    #[must_use]
    pub fn slow_after(mut self, slow_after: Duration) -> Self {
        self.slow_after = slow_after;
        self
    }

    /// Requests the URL and reports; the probe a `#[health_check]` fn can call.
    pub async fn probe(&self) -> Health {
        let shown = redact_url(&self.url);
        let secrets = url_secrets(&self.url);
        let started = Instant::now();
        let request = if self.head {
            self.client.head(&self.url)
        } else {
            self.client.get(&self.url)
        };
        let failed = |what: &str, err: reqwest::Error| {
            // reqwest's message names the URL, password and query included: drop it.
            let message = format!("{what} {shown}: {}", error_chain(&err.without_url()));
            Health::fail(without_secrets(message, &secrets)).detail("url", shown.clone())
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => return failed("cannot request", err),
        };
        let status = response.status().as_u16();
        if !self.expected.contains(&status) {
            // Another service serving this library's report names its root causes.
            let causes = if self.head {
                Vec::new()
            } else {
                remote_root_causes(response).await
            };
            let mut message = format!(
                "{shown} answered {status}, expected {}–{}",
                self.expected.start(),
                self.expected.end()
            );
            if !causes.is_empty() {
                message.push_str(&format!("; its root causes: {}", causes.join(", ")));
            }
            return Health::fail(message)
                .detail("url", shown)
                .detail("status_code", status)
                .caused_by(causes);
        }
        if let Some(wanted) = &self.body_contains {
            match response.text().await {
                Ok(body) if body.contains(wanted.as_str()) => {}
                Ok(_) => {
                    return Health::fail(format!(
                        "{shown} answered {status} without {wanted:?} in its body"
                    ))
                    .detail("url", shown)
                    .detail("status_code", status);
                }
                Err(err) => return failed("cannot read the body of", err),
            }
        }
        answered(&shown, started.elapsed(), self.slow_after)
            .detail("url", shown)
            .detail("status_code", status)
    }
}

/// The most of a failing answer's body read for its root causes.
const MAX_REPORT_BYTES: usize = 64 * 1024;

/// The most root causes taken from another service's report.
const MAX_REMOTE_CAUSES: usize = 32;

/// The `root_causes` of a failing answer that is this library's Flask report: the
/// first 64 KiB read at most; names that break the naming rule (in each `/`-separated
/// part: a cause may itself be another service's) left out; at most 32.
async fn remote_root_causes(mut response: reqwest::Response) -> Vec<String> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_REPORT_BYTES {
            return Vec::new();
        }
    }
    let Ok(report) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return Vec::new();
    };
    let Some(causes) = report
        .get("root_causes")
        .and_then(|causes| causes.as_array())
    else {
        return Vec::new();
    };
    causes
        .iter()
        .filter_map(|cause| cause.as_str())
        .filter(|cause| {
            cause
                .split('/')
                .all(|part| healthcheck_rules::name_problem(part).is_none())
        })
        .take(MAX_REMOTE_CAUSES)
        .map(str::to_owned)
        .collect()
}

impl std::fmt::Debug for HttpEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpEndpoint")
            .field("url", &redact_url(&self.url))
            .field("head", &self.head)
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

impl Checker for HttpEndpoint {
    type Output = Health;

    async fn check(&self) -> Health {
        self.probe().await
    }
}

/// A check named `name` that GETs `url` through `client` and expects a 2xx.
///
/// ```no_run
/// # fn example() -> Result<(), healthcheck::CollectError> {
/// use healthcheck::checks::http::reqwest;
///
/// let client = reqwest::Client::new();
/// let health = healthcheck::HealthCheck::builder()
///     .check(healthcheck::checks::http::get("payments", client.clone(), "http://127.0.0.1:8081/health"))
///     .build()?;
/// # let _ = health;
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn get(name: impl Into<String>, client: reqwest::Client, url: impl Into<String>) -> Check {
    Check::checker(name, HttpEndpoint::new(client, url)).tags(["http"])
}

/// Shorter values are not scrubbed: replacing every `1` of a message for `?v=1` would
/// mangle it, and the URL itself never reaches the message (it is shown redacted).
const MIN_SECRET_LEN: usize = 4;

/// The parts of `url` that may be secret: the userinfo's password and the query values,
/// each at least [`MIN_SECRET_LEN`] long.
fn url_secrets(url: &str) -> Vec<&str> {
    let mut secrets = Vec::new();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && let Some((_, password)) = userinfo.split_once(':')
    {
        secrets.push(password);
    }
    if let Some((_, query)) = url.split_once('?') {
        secrets.extend(
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .map(|(_, value)| value),
        );
    }
    secrets.retain(|secret| secret.len() >= MIN_SECRET_LEN);
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_short_query_value_does_not_mangle_the_rest_of_a_failure() {
        // Port 1 refuses; `v=1` is no secret worth scrubbing every `1` for.
        let endpoint = HttpEndpoint::new(reqwest::Client::new(), "http://127.0.0.1:1/health?v=1");
        let health = endpoint.probe().await;
        assert!(!health.passed());
        assert!(
            health
                .message
                .starts_with("cannot request http://127.0.0.1:1/health?***: "),
            "{}",
            health.message
        );
    }

    #[test]
    fn passwords_and_query_values_are_the_secrets() {
        assert_eq!(
            url_secrets("http://user:hunter2@host/p?token=s3cret&v=1"),
            ["hunter2", "s3cret"]
        );
    }
}
