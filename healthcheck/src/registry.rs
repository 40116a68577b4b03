//! The registry: gathers checks, validates them at startup, and runs a selection of them.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::OnceCell;
use tokio::time::Instant;

use crate::check::Check;
use crate::kind::Kind;
use crate::lifecycle::{self, Lifecycle, Phase};
use crate::name;
use crate::registration::{Location, Registration};
use crate::report::{CheckResult, Report};
use crate::runner::{Defaults, Lookup, Slot};
use crate::status_codes::Probe;

/// A run that takes longer is dropped and fails. Long enough for a slow database
/// handshake, short enough that a hung dependency shows within one probe period.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a passing result is reused: 27 seconds, as in Flask healthcheck.
pub const DEFAULT_SUCCESS_TTL: Duration = Duration::from_secs(27);
/// How long a failing result is reused: 9 seconds, as in Flask healthcheck.
pub const DEFAULT_FAILED_TTL: Duration = Duration::from_secs(9);

/// The registry of health checks: runs them, tracks the application's phase, and
/// reports.
///
/// Share it behind an `Arc`; every method takes `&self`. Runs need a tokio runtime.
pub struct HealthCheck {
    /// Sorted by name: `inventory` gives no order.
    slots: Vec<Arc<Slot>>,
    /// Shutdown hooks, run once by [`HealthCheck::finish_shutdown`].
    hooks: Vec<Arc<Slot>>,
    hook_results: OnceCell<Vec<Arc<CheckResult>>>,
    lifecycle: Lifecycle,
    startup_gates_readiness: bool,
    drain_delay: Duration,
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
        self.run_selection(&Selection::all()).await
    }

    /// Runs the checks of one probe: liveness, readiness or startup checks, or all.
    pub async fn run_probe(&self, probe: Probe) -> Report {
        self.run_selection(&Selection::probe(probe)).await
    }

    /// Runs the named checks; a name no check has yields a failed "not found" result.
    ///
    /// Results are ordered by name and each name is reported once.
    pub async fn run_named<I, S>(&self, names: I) -> Report
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.run_selection(&Selection::named(names)).await
    }

    /// Runs the checks `selection` picks and reports, with the phase for its probe.
    pub async fn run_selection(&self, selection: &Selection) -> Report {
        let gated = self.startup_gates(selection);
        let now = Instant::now();
        let lookups: Vec<Result<Lookup<'_>, String>> = match &selection.names {
            Some(names) => names
                .iter()
                .filter(|name| !selection.exclude.contains(*name))
                .map(|name| {
                    self.slot(name)
                        .map(|slot| slot.lookup(now))
                        .ok_or_else(|| name.clone())
                })
                .collect(),
            None => self
                .slots
                .iter()
                .filter(|slot| selection.includes(&slot.check, gated))
                .map(|slot| Ok(slot.lookup(now)))
                .collect(),
        };
        // Every run the lookups need has started: awaiting them in order costs the
        // slowest run, not the sum.
        let mut results = Vec::with_capacity(lookups.len());
        for lookup in lookups {
            results.push(match lookup {
                Ok(lookup) => lookup.result().await,
                Err(unknown) => not_found(unknown),
            });
        }
        if selection.probe == Probe::Combined && selection.names.is_none() {
            results.extend(self.hook_results.get().into_iter().flatten().cloned());
        }
        let passed = results.iter().all(|result| result.passed);
        let starting = gated && !self.is_started();
        Report::new(self.hostname.clone(), self.phase(starting, passed), results)
    }

    /// Whether the application counts as STARTING for this selection. Liveness is
    /// reported as STARTING too (its status code says 200); a single named check is not.
    fn startup_gates(&self, selection: &Selection) -> bool {
        if selection.names.is_some() || self.is_started() {
            return false;
        }
        match selection.probe {
            Probe::Readiness => self.startup_gates_readiness,
            _ => true,
        }
    }

    /// Whether every startup check has passed once; latched, so a later failure of a
    /// startup check makes the application DOWN, not STARTING again.
    fn is_started(&self) -> bool {
        if self.lifecycle.is_started() {
            return true;
        }
        let started = self
            .slots
            .iter()
            .filter(|slot| slot.check.is(Kind::Startup))
            .all(|slot| slot.has_passed());
        if started {
            self.lifecycle.mark_started();
        }
        started
    }

    fn phase(&self, starting: bool, passed: bool) -> Phase {
        match self.lifecycle.shutdown_phase() {
            Some(phase) => phase,
            None if starting => Phase::Starting,
            None if passed => Phase::Up,
            None => Phase::Down,
        }
    }

    /// Moves the application to STOPPING: from now on every probe answers 503, so the
    /// orchestrator stops sending traffic while in-flight requests drain. Idempotent.
    pub fn begin_shutdown(&self) {
        self.lifecycle.begin_shutdown();
    }

    /// A future that resolves on SIGTERM or Ctrl-C, after switching to STOPPING.
    ///
    /// On SIGTERM it waits the drain delay ([`Builder::drain_delay`], 5 s by default)
    /// before resolving, so readiness answers 503 while the server still accepts. Hand it
    /// to the server's graceful shutdown (axum's `with_graceful_shutdown`), then call
    /// [`HealthCheck::finish_shutdown`] once the server has drained.
    pub fn shutdown_signal(self: &Arc<Self>) -> impl Future<Output = ()> + Send + 'static {
        let health = Arc::clone(self);
        async move {
            let drain_delay = health.drain_delay;
            lifecycle::signal(|| health.begin_shutdown(), drain_delay).await;
        }
    }

    /// Runs the shutdown hooks once, concurrently, and ends the shutdown: STOPPED, or
    /// DOWN when a hook failed. Returns the hooks' report; later reports of every check
    /// include the hooks' results too.
    pub async fn finish_shutdown(&self) -> Report {
        self.begin_shutdown();
        let results = self
            .hook_results
            .get_or_init(|| async {
                let now = Instant::now();
                let lookups: Vec<Lookup<'_>> =
                    self.hooks.iter().map(|hook| hook.lookup(now)).collect();
                let mut results = Vec::with_capacity(lookups.len());
                for lookup in lookups {
                    results.push(lookup.result().await);
                }
                self.lifecycle
                    .end_shutdown(results.iter().all(|result| result.passed));
                results
            })
            .await;
        let phase = self.phase(false, true);
        Report::new(self.hostname.clone(), phase, results.clone())
    }

    /// The checks' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().map(|slot| slot.check.name())
    }

    /// Every check, in name order.
    pub fn checks(&self) -> impl Iterator<Item = &Check> {
        self.slots.iter().map(|slot| &slot.check)
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

/// Which checks a run covers: a probe's checks or named ones, less exclusions, and, when
/// tags are given, only checks carrying one of them.
///
/// ```
/// use healthcheck::{Probe, Selection};
///
/// // GET /healthcheck/ready?exclude=cache&tag=db
/// let selection = Selection::probe(Probe::Readiness).exclude(["cache"]).tagged(["db"]);
/// # let _ = selection;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Selection {
    probe: Probe,
    names: Option<BTreeSet<String>>,
    exclude: BTreeSet<String>,
    tags: BTreeSet<String>,
}

impl Selection {
    /// Every check.
    pub fn all() -> Self {
        Self::probe(Probe::Combined)
    }

    /// The checks of `probe`'s kind; every check for [`Probe::Combined`].
    pub fn probe(probe: Probe) -> Self {
        Selection {
            probe,
            names: None,
            exclude: BTreeSet::new(),
            tags: BTreeSet::new(),
        }
    }

    /// The checks with these names, each reported once, in name order.
    pub fn named<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Selection {
            names: Some(names.into_iter().map(|n| n.as_ref().to_owned()).collect()),
            ..Self::all()
        }
    }

    /// Leaves these checks out (Kubernetes' `?exclude=`); unknown names are ignored.
    pub fn exclude<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.exclude
            .extend(names.into_iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// Keeps only checks carrying at least one of these tags.
    pub fn tagged<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.tags
            .extend(tags.into_iter().map(|t| t.as_ref().to_owned()));
        self
    }

    /// The probe this selection answers.
    pub fn probe_kind(&self) -> Probe {
        self.probe
    }

    /// Whether `check` is in; `starting` adds startup checks to readiness, so that a
    /// readiness probe alone can finish startup.
    fn includes(&self, check: &Check, starting: bool) -> bool {
        let by_kind = match self.probe {
            Probe::Combined => true,
            Probe::Liveness => check.is(Kind::Liveness),
            Probe::Readiness => check.is(Kind::Readiness) || (starting && check.is(Kind::Startup)),
            Probe::Startup => check.is(Kind::Startup),
        };
        by_kind
            && !self.exclude.contains(check.name())
            && (self.tags.is_empty() || check.tags.iter().any(|tag| self.tags.contains(tag)))
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
    hooks: Vec<Check>,
    linked_checks: bool,
    startup_gates_readiness: bool,
    drain_delay: Duration,
}

/// How long [`HealthCheck::shutdown_signal`] waits after SIGTERM, answering 503, before
/// the server stops accepting: time for the orchestrator to take the pod out of service.
pub const DEFAULT_DRAIN_DELAY: Duration = Duration::from_secs(5);

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
        let slots = validated(checks, self.defaults)?;
        let hooks = validated(self.hooks, self.defaults)?;
        let hostname = self
            .hostname
            .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned());
        Ok(HealthCheck {
            slots,
            hooks,
            hook_results: OnceCell::new(),
            lifecycle: Lifecycle::default(),
            startup_gates_readiness: self.startup_gates_readiness,
            drain_delay: self.drain_delay,
            hostname,
        })
    }
}

/// Checks names and tags, sorts by name, rejects duplicates, and makes the slots.
fn validated(mut checks: Vec<Check>, defaults: Defaults) -> Result<Vec<Arc<Slot>>, CollectError> {
    for check in &checks {
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
        .map(|check| Arc::new(Slot::new(check, defaults)))
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
        }
    }
}

impl std::error::Error for CollectError {}
