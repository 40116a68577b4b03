//! Builds the registry: defaults, state, listeners, hooks, and checks from the attribute
//! and from code, validated before the first probe.

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::OnceCell;

use crate::check::Check;
use crate::health::HealthStatus;
use crate::lifecycle::{DEFAULT_DRAIN_DELAY, Lifecycle};
use crate::name;
use crate::registration::{Location, Registration};
use crate::registry::HealthCheck;
use crate::report::CheckResult;
use crate::runner::{Defaults, RunContext, Slot};
use crate::state::States;

/// A run that takes longer is dropped and fails. Long enough for a slow database
/// handshake, short enough that a hung dependency shows within one probe period.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a passing result is reused: 27 seconds, as in Flask healthcheck.
pub const DEFAULT_SUCCESS_TTL: Duration = Duration::from_secs(27);
/// How long a failing result is reused: 9 seconds, as in Flask healthcheck.
pub const DEFAULT_FAILED_TTL: Duration = Duration::from_secs(9);

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
/// assert!(health.names().iter().any(|name| name == "queue"));
/// # Ok(())
/// # }
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder {
    defaults: Defaults,
    hostname: Option<String>,
    checks: Vec<Check>,
    hooks: Vec<Check>,
    states: States,
    listeners: Vec<crate::runner::Listener>,
    linked_checks: bool,
    startup_gates_readiness: bool,
    drain_delay: Duration,
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
            hooks: Vec::new(),
            states: States::default(),
            listeners: Vec::new(),
            linked_checks: true,
            startup_gates_readiness: true,
            drain_delay: DEFAULT_DRAIN_DELAY,
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

    /// Gives checks a value of type `T`: a check with a `State<T>` parameter gets a
    /// clone on each run. One value per type; a second replaces the first.
    pub fn state<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.states.insert(value);
        self
    }

    /// Calls `listener` whenever a check's status changes between pass, warn and fail,
    /// with the previous status and the new result. It runs on the check's task: keep it
    /// short (log, count, send on a channel). A panic in it is contained.
    pub fn on_change<F>(mut self, listener: F) -> Self
    where
        F: Fn(HealthStatus, &CheckResult) + Send + Sync + 'static,
    {
        self.listeners.push(Arc::new(listener));
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

    /// Whether readiness answers STARTING (503) until every startup check has passed
    /// once (default `true`). Turn it off when startup must not hold back traffic, as
    /// Koupleless does for modules deployed into a running application.
    pub fn startup_gates_readiness(mut self, gates: bool) -> Self {
        self.startup_gates_readiness = gates;
        self
    }

    /// Adds a shutdown hook: run once by [`HealthCheck::finish_shutdown`], with the same
    /// timeout and panic handling as a check; a failure ends shutdown in DOWN.
    pub fn shutdown_hook(mut self, hook: Check) -> Self {
        self.hooks.push(hook);
        self
    }

    /// How long [`HealthCheck::shutdown_signal`] waits after SIGTERM before resolving
    /// (default [`DEFAULT_DRAIN_DELAY`], 5 s).
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.drain_delay = delay;
        self
    }

    /// Validates the checks and builds the registry.
    ///
    /// Errors on a name or tag that breaks the naming rule and on two checks (or two
    /// hooks) with one name.
    pub fn build(self) -> Result<HealthCheck, CollectError> {
        let mut checks = self.checks;
        if self.linked_checks {
            checks.extend(inventory::iter::<Registration>.into_iter().map(Check::from));
        }
        let context = Arc::new(RunContext {
            states: self.states,
            listeners: self.listeners,
        });
        let slots = validated(checks, self.defaults, &context)?;
        let hooks = validated(self.hooks, self.defaults, &context)?;
        let hostname = self
            .hostname
            .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned());
        Ok(HealthCheck {
            slots: ArcSwap::from_pointee(slots),
            changes: Mutex::new(()),
            hooks,
            hook_results: OnceCell::new(),
            lifecycle: Lifecycle::default(),
            startup_gates_readiness: self.startup_gates_readiness,
            drain_delay: self.drain_delay,
            hostname,
            defaults: self.defaults,
            context,
            refreshing: AtomicUsize::new(0),
        })
    }
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("defaults", &self.defaults)
            .field("hostname", &self.hostname)
            .field("checks", &self.checks)
            .field("hooks", &self.hooks)
            .field("states", &self.states)
            .field("listeners", &self.listeners.len())
            .field("linked_checks", &self.linked_checks)
            .finish_non_exhaustive()
    }
}

/// Checks one check's name, tags and state against the rules and `states`.
pub(crate) fn validate_check(check: &Check, states: &States) -> Result<(), CollectError> {
    if let Some(problem) = name::problem(check.name()) {
        return Err(CollectError::InvalidName {
            name: check.name.clone(),
            location: check.location,
            problem,
        });
    }
    for tag in &check.tags {
        if let Some(problem) = name::tag_problem(tag) {
            return Err(CollectError::InvalidTag {
                name: check.name.clone(),
                location: check.location,
                problem,
            });
        }
    }
    if let Some(problem) = name::group_problem(&check.group) {
        return Err(CollectError::InvalidName {
            name: check.name.clone(),
            location: check.location,
            problem,
        });
    }
    if let Some(missing) = check.requires.iter().find(|key| !states.contains(key)) {
        return Err(CollectError::MissingState {
            name: check.name.clone(),
            location: check.location,
            type_name: (missing.type_name)(),
        });
    }
    Ok(())
}

/// Validates each check, sorts by name, rejects duplicates, and makes the slots.
fn validated(
    mut checks: Vec<Check>,
    defaults: Defaults,
    context: &Arc<RunContext>,
) -> Result<Vec<Arc<Slot>>, CollectError> {
    for check in &checks {
        validate_check(check, &context.states)?;
    }
    checks.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = checks.windows(2).find(|pair| pair[0].name == pair[1].name) {
        return Err(CollectError::DuplicateName {
            name: pair[0].name.clone(),
            first: pair[0].location,
            second: pair[1].location,
        });
    }
    Ok(checks
        .into_iter()
        .map(|check| Arc::new(Slot::new(check, defaults, Arc::clone(context))))
        .collect())
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
    /// A check added in code has a tag the naming rule rejects.
    InvalidTag {
        /// The check's name.
        name: String,
        /// Where the check is defined.
        location: Location,
        /// What is wrong with the tag.
        problem: String,
    },
    /// A check asks for a `State<T>` that was not given with [`Builder::state`].
    MissingState {
        /// The check's name.
        name: String,
        /// Where the check is defined.
        location: Location,
        /// The type of the missing state.
        type_name: &'static str,
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
            CollectError::InvalidTag {
                name,
                location,
                problem,
            } => write!(f, "{problem} (check `{name}` defined at {location})"),
            CollectError::MissingState {
                name,
                location,
                type_name,
            } => write!(
                f,
                "health check `{name}` at {location} asks for `State<{type_name}>`, but no state of type `{type_name}` was given; add `.state(value)` to the builder"
            ),
        }
    }
}

impl std::error::Error for CollectError {}
