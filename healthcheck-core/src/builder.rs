//! Builds the registry: defaults, state, listeners, hooks, and checks from the attribute
//! and from code, validated before the first probe.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OnceCell;

use crate::changes::Changes;
use crate::check::{Check, DEFAULT_GROUP};
use crate::health::HealthStatus;
use crate::history::Thresholds;
use crate::info::Info;
use crate::observe;
use crate::quorum::Quorum;
use crate::registration::{Instance, Registration};
use crate::registry::{HealthCheck, Parts, Shutdown};
use crate::report::CheckResult;
use crate::runner::{DEFAULT_MAX_OUTPUT, Defaults, FlappingListener, Listener, RunContext};
use crate::shutdown::DEFAULT_DRAIN_DELAY;
use crate::slots::{self, Slots};
use crate::state::States;
use crate::validation::{self, CollectError};

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
    listeners: Vec<Listener>,
    flapping_listeners: Vec<FlappingListener>,
    quorums: Vec<Quorum>,
    max_output: usize,
    linked_checks: bool,
    startup_gates_readiness: bool,
    drain_delay: Duration,
    drain_on_interrupt: bool,
    info: Info,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            defaults: Defaults {
                timeout: DEFAULT_TIMEOUT,
                success_ttl: DEFAULT_SUCCESS_TTL,
                failed_ttl: DEFAULT_FAILED_TTL,
                flapping: Thresholds {
                    low: healthcheck_rules::FLAPPING_LOW,
                    high: healthcheck_rules::FLAPPING_HIGH,
                },
            },
            hostname: None,
            checks: Vec::new(),
            hooks: Vec::new(),
            states: States::default(),
            listeners: Vec::new(),
            flapping_listeners: Vec::new(),
            quorums: Vec::new(),
            max_output: DEFAULT_MAX_OUTPUT,
            linked_checks: true,
            startup_gates_readiness: true,
            drain_delay: DEFAULT_DRAIN_DELAY,
            drain_on_interrupt: false,
            info: Info::default(),
        }
    }
}

impl Builder {
    /// Timeout of checks that set none (default [`defaults::TIMEOUT`](crate::defaults::TIMEOUT), 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.defaults.timeout = timeout;
        self
    }

    /// Success TTL of checks that set none (default [`defaults::SUCCESS_TTL`](crate::defaults::SUCCESS_TTL), 27 s).
    pub fn success_ttl(mut self, ttl: Duration) -> Self {
        self.defaults.success_ttl = ttl;
        self
    }

    /// Failure TTL of checks that set none (default [`defaults::FAILED_TTL`](crate::defaults::FAILED_TTL), 9 s).
    pub fn failed_ttl(mut self, ttl: Duration) -> Self {
        self.defaults.failed_ttl = ttl;
        self
    }

    /// Flapping thresholds of checks that set none, in percent state change: a check
    /// starts flapping when its percent reaches `high` and stops when it falls to `low`
    /// (default [`defaults::FLAPPING_LOW`](crate::defaults::FLAPPING_LOW) 25 and
    /// [`defaults::FLAPPING_HIGH`](crate::defaults::FLAPPING_HIGH) 30, Icinga 2's). Each
    /// from 0 to 100, `low` below `high`, checked by [`Builder::build`].
    pub fn flapping_thresholds(mut self, low: f64, high: f64) -> Self {
        self.defaults.flapping = Thresholds { low, high };
        self
    }

    /// Makes `group` a quorum group: it passes while at least `needed` of its members
    /// pass (Route 53's calculated health checks; `1` for "any one"). While enough pass,
    /// a failing member is shown as a warning, so it fails neither the report nor its
    /// probes; each failing member's message and [`Report::quorums`](crate::Report::quorums)
    /// say how many passed of how many. Counted over the members a report holds. A group
    /// no check is in, or `needed` of 0 or above the group's size, is an error at
    /// [`Builder::build`].
    pub fn quorum(mut self, group: impl Into<String>, needed: usize) -> Self {
        self.quorums.push(Quorum {
            group: group.into(),
            needed,
        });
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
    /// with the previous status and the new result. Before its first result a check
    /// counts as passing: a first result that warns or fails is heard as a change from
    /// pass, so every recovery heard has a failure heard before it. It runs on the
    /// check's task: keep it short (log, count, send on a channel). A panic in it is
    /// contained.
    pub fn on_change<F>(mut self, listener: F) -> Self
    where
        F: Fn(HealthStatus, &CheckResult) + Send + Sync + 'static,
    {
        self.listeners.push(Arc::new(listener));
        self
    }

    /// Calls `listener` when a check starts flapping and when it stops, once each, with
    /// the result that made it (`result.flapping` says which), in order with the
    /// changes [`on_change`](Builder::on_change) hears. It runs on the check's task:
    /// keep it short. A panic in it is contained.
    pub fn on_flapping<F>(mut self, listener: F) -> Self
    where
        F: Fn(&CheckResult) + Send + Sync + 'static,
    {
        self.flapping_listeners.push(Arc::new(listener));
        self
    }

    /// The longest output a result keeps, in bytes (default [`defaults::MAX_OUTPUT`](crate::defaults::MAX_OUTPUT),
    /// 16 KiB): a longer one is cut on a character boundary and ends with
    /// `… [truncated: N bytes, the first M shown]`, so a check that returns a huge
    /// message cannot make every probe huge.
    pub fn max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes;
        self
    }

    /// What `GET {base}/info` shows: the application's name and version (default: the
    /// executable's name, no version; `healthcheck::app_info!()` takes both from your
    /// `Cargo.toml`), build facts, sections of your own, and optionally the environment
    /// with secrets masked. Shown only to callers the endpoint's details policy allows.
    pub fn info(mut self, info: Info) -> Self {
        self.info = info;
        self
    }

    /// Adds a check built in code.
    pub fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    /// Adds a `#[derive(Checker)]` struct registered by value, with the name and
    /// settings of its `#[checker(…)]` attribute ([`Check::from_checker`]). For two
    /// instances, give one another name: `.check(Check::from_checker(b).with_name("b"))`.
    pub fn checker<C: crate::Checker + crate::Described>(self, checker: C) -> Self {
        self.check(Check::from_checker(checker))
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

    /// How long shutdown drains: after SIGTERM ([`HealthCheck::shutdown_signal`]) or
    /// your own trigger ([`HealthCheck::shutdown_on`]), probes answer 503 for this long
    /// while the server still accepts, before the returned future resolves (default
    /// [`defaults::DRAIN_DELAY`](crate::defaults::DRAIN_DELAY), 5 s).
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.drain_delay = delay;
        self
    }

    /// Whether Ctrl-C (SIGINT) drains too (default `false`: Ctrl-C is a person at a
    /// terminal, who wants the process gone, so it skips the drain). Turn it on where
    /// SIGINT is what the orchestrator sends.
    pub fn drain_on_interrupt(mut self, drain: bool) -> Self {
        self.drain_on_interrupt = drain;
        self
    }

    /// Validates the checks and builds the registry. A check added in code that names
    /// no group joins the group of the linked `#[health_check]` functions that name none,
    /// when they share one (a single-crate application: its crate's name).
    ///
    /// Errors on a name, tag or group that breaks the naming rule, a timeout or TTL out
    /// of range (a zero timeout, anything over 365 days), a missing state, and two
    /// checks (or two hooks) with one name; every problem is reported at once.
    pub fn build(self) -> Result<HealthCheck, CollectError> {
        let mut checks = self.checks;
        if self.linked_checks {
            let linked: Vec<Check> = inventory::iter::<Registration>
                .into_iter()
                .map(Check::from)
                .collect();
            join_the_applications_group(&mut checks, &linked);
            checks.extend(linked);
            warn_of_instances_never_added(&checks, &self.hooks);
        }
        let mut hooks = self.hooks;
        let mut problems = validation::default_problems(&self.defaults);
        problems.extend(validation::sorted_problems(
            &mut checks,
            &self.states,
            &self.defaults,
        ));
        problems.extend(validation::dependency_problems(&checks));
        problems.extend(validation::quorum_problems(&checks, &self.quorums));
        problems.extend(validation::sorted_problems(
            &mut hooks,
            &self.states,
            &self.defaults,
        ));
        validation::ok_or_error(problems)?;
        let changes = Changes::default();
        // The events' feed hears the lifecycle's changes through `changes`.
        #[cfg(feature = "status-page")]
        let feed = Arc::new(crate::feed::Feed::default());
        #[cfg(feature = "status-page")]
        let changes = changes.watched_by(feed.clone());
        // The shutdown hooks' listeners are the application's alone: a hook named like a
        // check is never streamed as that check.
        let hook_context = Arc::new(RunContext {
            states: self.states.clone(),
            listeners: self.listeners.clone(),
            flapping_listeners: self.flapping_listeners.clone(),
            max_output: self.max_output,
            changes: changes.clone(),
        });
        let (listeners, flapping_listeners) = (self.listeners, self.flapping_listeners);
        #[cfg(feature = "status-page")]
        let (listeners, flapping_listeners) = heard_by(&feed, listeners, flapping_listeners);
        let context = Arc::new(RunContext {
            states: self.states,
            listeners,
            flapping_listeners,
            max_output: self.max_output,
            changes: changes.clone(),
        });
        let hostname = self.hostname.unwrap_or_else(system_hostname);
        Ok(HealthCheck::from_parts(Parts {
            shutdown: Shutdown {
                hooks: slots::make(hooks, self.defaults, &hook_context),
                hook_results: OnceCell::new(),
                drain_delay: self.drain_delay,
                drain_on_interrupt: self.drain_on_interrupt,
            },
            slots: Slots::new(checks, self.defaults, context),
            startup_gates_readiness: self.startup_gates_readiness,
            hostname,
            info: self.info,
            changes,
            quorums: self.quorums,
            #[cfg(feature = "status-page")]
            feed,
        }))
    }
}

/// A check added in code (a built-in, `Check::new`) that names no group joins the one
/// the application's linked checks that name none share (their crate's), so one
/// service's checks are not split between `default` and its crate's name; with linked
/// checks from several crates, or none, it stays in `default`.
fn join_the_applications_group(added: &mut [Check], linked: &[Check]) {
    let mut groups = linked
        .iter()
        .filter(|check| !check.group_named)
        .map(|check| &check.group);
    let Some(first) = groups.next() else {
        return;
    };
    if groups.any(|group| group != first) {
        return;
    }
    for check in added
        .iter_mut()
        .filter(|check| !check.group_named && check.group == DEFAULT_GROUP)
    {
        check.group = first.clone();
    }
}

/// Says (a warning, as `#[must_use]` would) which `#[derive(Checker)]` structs with
/// `instance` were never added with `Builder::checker` or `Check::from_checker`: such a
/// struct is registered by value only, so it would never run.
fn warn_of_instances_never_added(checks: &[Check], hooks: &[Check]) {
    for instance in inventory::iter::<Instance> {
        let type_id = (instance.type_id)();
        let added = checks
            .iter()
            .chain(hooks)
            .any(|check| check.checker_type == Some(type_id));
        if !added {
            observe::instance_never_added(instance.settings.name, instance.settings.location);
        }
    }
}

impl HealthCheck {
    /// Every `#[health_check]` function linked into the binary, with the default settings.
    ///
    /// Errors when two checks share a name, or a check asks for state (see
    /// [`Builder::build`]).
    pub fn collect() -> Result<Self, CollectError> {
        Self::builder().build()
    }

    /// A builder for global defaults, state, and programmatically added checks.
    pub fn builder() -> Builder {
        Builder::default()
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
            .field("flapping_listeners", &self.flapping_listeners.len())
            .field("linked_checks", &self.linked_checks)
            .finish_non_exhaustive()
    }
}

/// `listeners` and `flapping_listeners` with the feed's last: it hears each change of the
/// checks as the application's listeners do, after them.
#[cfg(feature = "status-page")]
fn heard_by(
    feed: &Arc<crate::feed::Feed>,
    mut listeners: Vec<Listener>,
    mut flapping_listeners: Vec<FlappingListener>,
) -> (Vec<Listener>, Vec<FlappingListener>) {
    let told = Arc::clone(feed);
    listeners.push(Arc::new(move |from, result: &CheckResult| {
        told.status(from, result)
    }));
    let told = Arc::clone(feed);
    flapping_listeners.push(Arc::new(move |result: &CheckResult| told.flapping(result)));
    (listeners, flapping_listeners)
}

/// The kernel's hostname, as `gethostname(2)` gives it: on Linux, the UTS namespace's
/// name under `/proc` (a container's own name), read without a crate.
#[cfg(target_os = "linux")]
fn system_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim_end().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// The system's hostname, through the gethostname crate.
#[cfg(not(target_os = "linux"))]
fn system_hostname() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}
