//! The registry: gathers checks, validates them at startup, and runs a selection of them.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::check::Check;
use crate::name;
use crate::registration::{Location, Registration};
use crate::report::{CheckResult, Report};
use crate::runner::{Defaults, Lookup, Slot};
use tokio::time::Instant;

/// A run that takes longer is dropped and fails. Long enough for a slow database
/// handshake, short enough that a hung dependency shows within one probe period.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a passing result is reused: 27 seconds, as in Flask healthcheck.
pub const DEFAULT_SUCCESS_TTL: Duration = Duration::from_secs(27);
/// How long a failing result is reused: 9 seconds, as in Flask healthcheck.
pub const DEFAULT_FAILED_TTL: Duration = Duration::from_secs(9);

/// The registry of health checks: runs them and reports.
///
/// Cheap to share behind an `Arc`; every method takes `&self`. Runs need a tokio runtime.
pub struct HealthCheck {
    /// Sorted by name: `inventory` gives no order.
    slots: Vec<Arc<Slot>>,
    hostname: String,
}

impl HealthCheck {
    /// Every `#[health_check]` function linked into the binary, with the default settings.
    ///
    /// Errors when two checks share a name.
    pub fn collect() -> Result<Self, CollectError> {
        Self::builder().build()
    }

    /// A builder for global defaults and programmatically added checks.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Runs every check (each one's fresh cached result is reused) and reports.
    pub async fn run(&self) -> Report {
        let now = Instant::now();
        let lookups = self.slots.iter().map(|slot| Ok(slot.lookup(now))).collect();
        self.report(lookups).await
    }

    /// Runs the named checks; a name no check has yields a failed "not found" result.
    ///
    /// Results are ordered by name and each name is reported once.
    pub async fn run_named<I, S>(&self, names: I) -> Report
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let names: BTreeSet<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        let now = Instant::now();
        let lookups = names
            .into_iter()
            .map(|name| self.slot(&name).map(|slot| slot.lookup(now)).ok_or(name))
            .collect();
        self.report(lookups).await
    }

    /// Awaits the lookups in order. Every run they need has already started, so the
    /// wait is as long as the slowest run, not the sum.
    async fn report(&self, lookups: Vec<Result<Lookup<'_>, String>>) -> Report {
        let mut results = Vec::with_capacity(lookups.len());
        for lookup in lookups {
            results.push(match lookup {
                Ok(lookup) => lookup.result().await,
                Err(unknown) => not_found(unknown),
            });
        }
        Report::new(self.hostname.clone(), results)
    }

    /// The checks' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().map(|slot| slot.check.name())
    }

    /// The check named `name`.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.slot(name).map(|slot| &slot.check)
    }

    /// The hostname reports carry.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    fn slot(&self, name: &str) -> Option<&Arc<Slot>> {
        self.slots
            .binary_search_by(|slot| slot.check.name().cmp(name))
            .ok()
            .map(|index| &self.slots[index])
    }
}

impl std::fmt::Debug for HealthCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthCheck")
            .field("checks", &self.names().collect::<Vec<_>>())
            .field("hostname", &self.hostname)
            .finish()
    }
}

fn not_found(name: String) -> Arc<CheckResult> {
    let now = SystemTime::now();
    Arc::new(CheckResult {
        output: format!("not found: no health check is named `{name}`"),
        checker: name,
        passed: false,
        timestamp: now,
        expires: now,
        response_time: Duration::ZERO,
    })
}

/// Builds a [`HealthCheck`]: defaults, hostname, and checks added in code.
///
/// ```standalone_crate
/// use std::time::Duration;
/// use healthcheck::{Check, HealthCheck};
///
/// # fn main() -> Result<(), healthcheck::CollectError> {
/// let health = HealthCheck::builder()
///     .timeout(Duration::from_secs(2))
///     .success_ttl(Duration::from_secs(10))
///     .hostname("web-1")
///     .check(Check::new("queue", || async { (true, "queue ok".to_string()) }))
///     .build()?;
/// assert!(health.names().any(|name| name == "queue"));
/// # Ok(())
/// # }
/// ```
#[must_use = "a builder does nothing until `build` is called"]
#[derive(Debug)]
pub struct Builder {
    defaults: Defaults,
    hostname: Option<String>,
    checks: Vec<Check>,
    linked_checks: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            defaults: Defaults {
                timeout: DEFAULT_TIMEOUT,
                success_ttl: DEFAULT_SUCCESS_TTL,
                failed_ttl: DEFAULT_FAILED_TTL,
            },
            hostname: None,
            checks: Vec::new(),
            linked_checks: true,
        }
    }
}

impl Builder {
    /// Timeout of checks that set none (default [`DEFAULT_TIMEOUT`], 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.defaults.timeout = timeout;
        self
    }

    /// Success TTL of checks that set none (default [`DEFAULT_SUCCESS_TTL`], 27 s).
    pub fn success_ttl(mut self, ttl: Duration) -> Self {
        self.defaults.success_ttl = ttl;
        self
    }

    /// Failure TTL of checks that set none (default [`DEFAULT_FAILED_TTL`], 9 s).
    pub fn failed_ttl(mut self, ttl: Duration) -> Self {
        self.defaults.failed_ttl = ttl;
        self
    }

    /// The hostname reports carry (default: the machine's hostname).
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = Some(hostname.into());
        self
    }

    /// Adds a check built in code.
    pub fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    /// Whether `build` gathers every `#[health_check]` linked into the binary (default
    /// `true`). Turn it off for a registry of only the checks added with [`Builder::check`].
    pub fn linked_checks(mut self, linked: bool) -> Self {
        self.linked_checks = linked;
        self
    }

    /// Validates the checks and builds the registry.
    ///
    /// Errors on a name that breaks the naming rule and on two checks with one name.
    pub fn build(self) -> Result<HealthCheck, CollectError> {
        let mut checks = self.checks;
        if self.linked_checks {
            checks.extend(inventory::iter::<Registration>.into_iter().map(Check::from));
        }
        for check in &checks {
            if let Some(problem) = name::problem(check.name()) {
                return Err(CollectError::InvalidName {
                    name: check.name.clone(),
                    location: check.location,
                    problem,
                });
            }
        }
        checks.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(pair) = checks.windows(2).find(|pair| pair[0].name == pair[1].name) {
            return Err(CollectError::DuplicateName {
                name: pair[0].name.clone(),
                first: pair[0].location,
                second: pair[1].location,
            });
        }
        let slots = checks
            .into_iter()
            .map(|check| Arc::new(Slot::new(check, self.defaults)))
            .collect();
        let hostname = self
            .hostname
            .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned());
        Ok(HealthCheck { slots, hostname })
    }
}

/// Why the checks could not be gathered into a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CollectError {
    /// Two checks have the same name.
    DuplicateName {
        /// The name they share.
        name: String,
        /// Where one is defined.
        first: Location,
        /// Where the other is defined.
        second: Location,
    },
    /// A check added in code has a name the naming rule rejects.
    InvalidName {
        /// The rejected name.
        name: String,
        /// Where the check is defined.
        location: Location,
        /// What is wrong with the name.
        problem: String,
    },
}

impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CollectError::DuplicateName {
                name,
                first,
                second,
            } => write!(
                f,
                "two health checks are named `{name}`: one at {first}, one at {second}; rename one"
            ),
            CollectError::InvalidName {
                location, problem, ..
            } => write!(f, "{problem} (check defined at {location})"),
        }
    }
}

impl std::error::Error for CollectError {}
