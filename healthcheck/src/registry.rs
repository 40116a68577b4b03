//! The registry: runs a selection of checks, tracks the application's phase, and takes
//! checks added, removed, enabled and disabled while it runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::OnceCell;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::builder::{Builder, CollectError, validate_check};
use crate::check::Check;
use crate::kind::Kind;
use crate::lifecycle::{self, Lifecycle, Phase};
use crate::report::{CheckResult, Report};
use crate::runner::{Defaults, Lookup, RunContext, Slot};
use crate::selection::Selection;
use crate::status_codes::Probe;

/// The registry of health checks: runs them, tracks the application's phase, and
/// reports.
///
/// Share it behind an `Arc`; every method takes `&self`. Runs need a tokio runtime.
pub struct HealthCheck {
    /// Sorted by name (`inventory` gives no order). Replaced whole on each change, so
    /// readers never wait for a writer.
    pub(crate) slots: ArcSwap<Vec<Arc<Slot>>>,
    /// Serializes changes, so two registrations cannot lose one another.
    pub(crate) changes: Mutex<()>,
    /// Shutdown hooks, run once by [`HealthCheck::finish_shutdown`].
    pub(crate) hooks: Vec<Arc<Slot>>,
    pub(crate) hook_results: OnceCell<Vec<Arc<CheckResult>>>,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) startup_gates_readiness: bool,
    pub(crate) drain_delay: Duration,
    pub(crate) hostname: String,
    pub(crate) defaults: Defaults,
    pub(crate) context: Arc<RunContext>,
    /// How many [`HealthCheck::spawn_refresh`] tasks run: while any does, probes serve
    /// the latest result at once, even a stale one, and the refresh catches up behind.
    pub(crate) refreshing: AtomicUsize,
}

impl HealthCheck {
    /// Every `#[health_check]` function linked into the binary, with the default settings.
    ///
    /// Errors when two checks share a name.
    pub fn collect() -> Result<Self, CollectError> {
        Self::builder().build()
    }

    /// A builder for global defaults, state, and programmatically added checks.
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

    /// Runs the named checks; a name no enabled check has yields a failed "not found"
    /// result.
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
        let serve_stale = self.refreshing.load(Ordering::Acquire) > 0;
        self.run_selected(selection, serve_stale).await
    }

    async fn run_selected(&self, selection: &Selection, serve_stale: bool) -> Report {
        let slots = self.slots.load_full();
        let gated = self.startup_gates(selection, &slots);
        let now = Instant::now();
        let lookups: Vec<Result<Lookup<'_>, String>> = match selection.names() {
            Some(names) => names
                .iter()
                .filter(|name| !selection.excludes(name))
                .map(|name| {
                    find(&slots, name)
                        .map(|slot| slot.lookup(now, serve_stale))
                        .ok_or_else(|| name.clone())
                })
                .collect(),
            None => slots
                .iter()
                .filter(|slot| slot.is_enabled() && selection.includes(&slot.check, gated))
                .map(|slot| Ok(slot.lookup(now, serve_stale)))
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
        if selection.probe_kind() == Probe::Combined && selection.names().is_none() {
            results.extend(self.hook_results.get().into_iter().flatten().cloned());
        }
        let passed = results.iter().all(|result| result.passed);
        let starting = gated && !self.is_started(&slots);
        Report::new(self.hostname.clone(), self.phase(starting, passed), results)
    }

    /// Whether the application counts as STARTING for this selection. Liveness is
    /// reported as STARTING too (its status code says 200); a single named check is not.
    fn startup_gates(&self, selection: &Selection, slots: &[Arc<Slot>]) -> bool {
        if selection.names().is_some() || self.is_started(slots) {
            return false;
        }
        match selection.probe_kind() {
            Probe::Readiness => self.startup_gates_readiness,
            _ => true,
        }
    }

    /// Whether every enabled startup check has passed once; latched, so a later failure
    /// of a startup check makes the application DOWN, not STARTING again.
    fn is_started(&self, slots: &[Arc<Slot>]) -> bool {
        if self.lifecycle.is_started() {
            return true;
        }
        let started = slots
            .iter()
            .filter(|slot| slot.is_enabled() && slot.check.is(Kind::Startup))
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

    /// Runs the checks every `interval` in the background. From now on probes read the
    /// latest result at once, even a stale one (a stale result is refreshed behind the
    /// probe), so no probe waits on a slow dependency. Abort the handle to stop; probes
    /// then wait for stale checks again.
    pub fn spawn_refresh(self: &Arc<Self>, interval: Duration) -> JoinHandle<()> {
        /// Counts the refresh task out when it ends or is aborted.
        struct Refreshing(Arc<HealthCheck>);
        impl Drop for Refreshing {
            fn drop(&mut self) {
                self.0.refreshing.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.refreshing.fetch_add(1, Ordering::AcqRel);
        let refreshing = Refreshing(Arc::clone(self));
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                refreshing.0.run_selected(&Selection::all(), false).await;
            }
        })
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
                let lookups: Vec<Lookup<'_>> = self
                    .hooks
                    .iter()
                    .map(|hook| hook.lookup(now, false))
                    .collect();
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

    /// Adds a check to the running registry, with the same validation as `build`: name,
    /// tags, state, and no other check of that name. Reads go on while it is added.
    pub fn register(&self, check: Check) -> Result<(), CollectError> {
        validate_check(&check, &self.context.states)?;
        let _change = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.slots.load_full();
        if let Err(index) = current.binary_search_by(|slot| slot.check.name().cmp(check.name())) {
            let mut slots = Vec::clone(&current);
            let slot = Slot::new(check, self.defaults, Arc::clone(&self.context));
            slots.insert(index, Arc::new(slot));
            self.slots.store(Arc::new(slots));
            return Ok(());
        }
        let existing = find_any(&current, check.name()).map(|slot| slot.check.location());
        Err(CollectError::DuplicateName {
            name: check.name().to_owned(),
            first: existing.unwrap_or(check.location()),
            second: check.location(),
        })
    }

    /// Removes the check named `name`; `false` if there is none.
    pub fn unregister(&self, name: &str) -> bool {
        let _change = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.slots.load_full();
        match current.binary_search_by(|slot| slot.check.name().cmp(name)) {
            Ok(index) => {
                let mut slots = Vec::clone(&current);
                slots.remove(index);
                self.slots.store(Arc::new(slots));
                true
            }
            Err(_) => false,
        }
    }

    /// Shows and runs the check named `name` again; `false` if there is none.
    pub fn enable(&self, name: &str) -> bool {
        self.set_enabled(name, true)
    }

    /// Hides the check named `name`: neither listed nor run, as if unregistered, but
    /// kept with its cached result for [`HealthCheck::enable`]. `false` if there is none.
    pub fn disable(&self, name: &str) -> bool {
        self.set_enabled(name, false)
    }

    fn set_enabled(&self, name: &str, enabled: bool) -> bool {
        let slots = self.slots.load();
        match find_any(&slots, name) {
            Some(slot) => {
                slot.set_enabled(enabled);
                true
            }
            None => false,
        }
    }

    /// The enabled checks' names, in order.
    pub fn names(&self) -> Vec<String> {
        self.enabled(|check| check.name().to_owned())
    }

    /// The enabled checks, in name order.
    pub fn checks(&self) -> Vec<Check> {
        self.enabled(Check::clone)
    }

    /// The enabled check named `name`.
    pub fn check(&self, name: &str) -> Option<Check> {
        find(&self.slots.load(), name).map(|slot| slot.check.clone())
    }

    /// Whether an enabled check is named `name`; copies nothing, for the request path.
    pub(crate) fn contains(&self, name: &str) -> bool {
        find(&self.slots.load(), name).is_some()
    }

    /// The names of the groups of the enabled checks, in order, once each.
    pub fn groups(&self) -> Vec<String> {
        let mut groups = self.enabled(|check| check.group_name().to_owned());
        groups.sort_unstable();
        groups.dedup();
        groups
    }

    /// `each` of every enabled check, in name order.
    fn enabled<T>(&self, each: impl Fn(&Check) -> T) -> Vec<T> {
        self.slots
            .load()
            .iter()
            .filter(|slot| slot.is_enabled())
            .map(|slot| each(&slot.check))
            .collect()
    }

    /// The hostname reports carry.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }
}

/// The enabled slot named `name` in `slots`, sorted by name.
fn find<'a>(slots: &'a [Arc<Slot>], name: &str) -> Option<&'a Arc<Slot>> {
    find_any(slots, name).filter(|slot| slot.is_enabled())
}

/// The slot named `name`, enabled or not.
fn find_any<'a>(slots: &'a [Arc<Slot>], name: &str) -> Option<&'a Arc<Slot>> {
    slots
        .binary_search_by(|slot| slot.check.name().cmp(name))
        .ok()
        .map(|index| &slots[index])
}

impl std::fmt::Debug for HealthCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthCheck")
            .field("checks", &self.names())
            .field("hostname", &self.hostname)
            .finish_non_exhaustive()
    }
}

fn not_found(name: String) -> Arc<CheckResult> {
    let output = format!("not found: no health check is named `{name}`");
    Arc::new(CheckResult::failed_now(name, output))
}
