//! Runs one check: its cached result, single-flight runs, timeout and panic isolation;
//! then the failure threshold, `critical`, the output cap, the cache and the listeners.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;
use tokio::sync::futures::Notified;
use tokio::time::Instant;

use crate::changes::Changes;
use crate::check::Check;
use crate::health::{Health, HealthStatus};
use crate::history::{self, Flap, History, Memory, OnFlapping, Thresholds};
use crate::observe::{self, Previous};
use crate::panics::{self, CheckPanic, Quiet};
use crate::registration::RunFuture;
use crate::report::CheckResult;
use crate::state::States;
use crate::stats::{Outcome, RunStats};

/// Called when a check's status changes between pass, warn and fail: the previous
/// status and the new result.
pub(crate) type Listener = Arc<dyn Fn(HealthStatus, &CheckResult) + Send + Sync>;

/// Called when a check starts or stops flapping: the result that made it
/// (`result.flapping` says which).
pub(crate) type FlappingListener = Arc<dyn Fn(&CheckResult) + Send + Sync>;

/// The longest output a result keeps by default; the rest is cut with a marker.
pub const DEFAULT_MAX_OUTPUT: usize = 16 * 1024;

/// What every run of a registry shares: its state values, its listeners, the output cap.
pub(crate) struct RunContext {
    pub(crate) states: States,
    pub(crate) listeners: Vec<Listener>,
    pub(crate) flapping_listeners: Vec<FlappingListener>,
    pub(crate) max_output: usize,
    /// Told every change of a check's status.
    pub(crate) changes: Changes,
}

/// How a lookup treats the cached result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// A fresh result, else the run under way, else a new run.
    Cached,
    /// Any cached result at once (a stale one is refreshed behind it); none: as `Cached`.
    ServeStale,
    /// A new run whatever the cache holds, or the one under way: the startup driver.
    Rerun,
    /// Only what is known, never a run: once stopped, and for startup checks while the
    /// startup driver runs them.
    KnownOnly,
}

/// A check with its settings resolved, and the state shared by everyone who asks for it.
pub(crate) struct Slot {
    pub(crate) check: Check,
    timeout: Duration,
    success_ttl: Duration,
    failed_ttl: Duration,
    flapping: Thresholds,
    state: Mutex<SlotState>,
    /// Wakes the callers waiting on the run under way when its result is known.
    run_ended: Notify,
    /// Set by the first run that has the check passing by its thresholds (a pass, or
    /// `success_threshold` in a row after a failure): startup is over once every
    /// startup check has.
    passed_once: AtomicBool,
    /// A disabled check is neither listed nor run.
    enabled: AtomicBool,
    context: Arc<RunContext>,
}

struct SlotState {
    /// The last result and the moment it goes stale (tokio's clock, so tests can pause it).
    cached: Option<(Arc<CheckResult>, Instant)>,
    /// Whether a run is under way: callers that find the result stale wait for it.
    running: bool,
    /// A plain `fn` that timed out but whose thread has not returned: its timeout
    /// failure is cached, the run stays in flight, and callers get the cached result.
    overrunning: bool,
    /// Failures in a row, for the failure threshold.
    failures_in_a_row: u32,
    /// Passes in a row, for the success threshold.
    passes_in_a_row: u32,
    /// Where the thresholds have the check stand.
    standing: Standing,
    /// The last results and changes, and flap detection over them.
    memory: Memory,
    /// Changes not yet told to the listeners, oldest first.
    transitions: VecDeque<Told>,
    /// Whether a task is telling the listeners; others leave their changes to it.
    delivering: bool,
    /// How the last run ended, for telling changes apart from repeats.
    last_outcome: Option<Outcome>,
    /// The runs so far; each result carries a copy.
    stats: RunStats,
}

/// Where the failure and success thresholds have a check stand between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// No run yet: a first failure counts at once (a check that never passed is not
    /// given the failure threshold's grace), a first pass too.
    Unproven,
    /// Passing: failures count once `failure_threshold` are in a row.
    Up,
    /// Failed: passes count once `success_threshold` are in a row.
    Down,
}

/// A change for the listeners.
enum Told {
    /// The reported status changed from this one to the result's.
    Status(HealthStatus, Arc<CheckResult>),
    /// The check started or stopped flapping (`result.flapping`).
    Flapping(Arc<CheckResult>),
}

/// A check's result: known, or coming from the run under way (started by this caller or
/// joined). A caller waits for the run's result, not its end: a plain `fn` that timed
/// out has its result while its thread still runs.
enum Lookup<'a> {
    /// A result at once; with the instant it stays fresh until, when it is fresh.
    Known(Arc<CheckResult>, Option<Instant>),
    Waiting(&'a Slot, Notified<'a>),
}

impl Lookup<'_> {
    async fn result(self) -> Arc<CheckResult> {
        match self {
            Lookup::Known(result, _) => result,
            Lookup::Waiting(slot, run_ended) => {
                run_ended.await;
                // The run's result, or a newer one: either is what the caller waited for.
                slot.cached().unwrap_or_else(|| slot.stopped())
            }
        }
    }
}

/// The results of a set of slots, looked up together before any is awaited: the runs
/// they decide on start together, so awaiting them costs the slowest run, not the sum.
/// The one way the registry gets results (probes, startup, refresh, shutdown hooks).
pub(crate) struct Lookups<'a>(Vec<Lookup<'a>>);

impl<'a> Lookups<'a> {
    /// Looks up each of `slots` as `freshness` says for it at `now`, then starts the runs
    /// decided on.
    pub(crate) fn of(
        slots: impl IntoIterator<Item = &'a Arc<Slot>>,
        now: Instant,
        freshness: impl Fn(&Slot) -> Freshness,
    ) -> Self {
        let mut starts = Starts::default();
        let lookups = slots
            .into_iter()
            .map(|slot| slot.lookup(now, freshness(slot), &mut starts))
            .collect();
        starts.start();
        Lookups(lookups)
    }

    /// Until when every result is fresh, `at_most` at the latest: `None` when one is
    /// not (stale, not run yet, or coming from a run).
    pub(crate) fn fresh_until(&self, at_most: Instant) -> Option<Instant> {
        self.0
            .iter()
            .try_fold(at_most, |until, lookup| match lookup {
                Lookup::Known(_, Some(fresh)) => Some(until.min(*fresh)),
                _ => None,
            })
    }

    /// Every result, in the order of the slots.
    pub(crate) async fn results(self) -> Vec<Arc<CheckResult>> {
        let mut results = Vec::with_capacity(self.0.len());
        for lookup in self.0 {
            results.push(lookup.result().await);
        }
        results
    }
}

/// The settings a check falls back to when it sets none.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Defaults {
    pub(crate) timeout: Duration,
    pub(crate) success_ttl: Duration,
    pub(crate) failed_ttl: Duration,
    pub(crate) flapping: Thresholds,
}

impl Defaults {
    /// `check`'s flapping thresholds, each it sets none of the registry's.
    pub(crate) fn flapping_of(&self, check: &Check) -> Thresholds {
        Thresholds {
            low: check.flapping_low.unwrap_or(self.flapping.low),
            high: check.flapping_high.unwrap_or(self.flapping.high),
        }
    }
}

impl Slot {
    pub(crate) fn new(check: Check, defaults: Defaults, context: Arc<RunContext>) -> Self {
        Slot {
            timeout: check.timeout.unwrap_or(defaults.timeout),
            success_ttl: check.success_ttl.unwrap_or(defaults.success_ttl),
            failed_ttl: check.failed_ttl.unwrap_or(defaults.failed_ttl),
            flapping: defaults.flapping_of(&check),
            state: Mutex::new(SlotState {
                cached: None,
                running: false,
                overrunning: false,
                failures_in_a_row: 0,
                passes_in_a_row: 0,
                standing: Standing::Unproven,
                memory: Memory::default(),
                transitions: VecDeque::new(),
                delivering: false,
                last_outcome: None,
                stats: RunStats::new(&check.kinds),
            }),
            check,
            run_ended: Notify::new(),
            passed_once: AtomicBool::new(false),
            enabled: AtomicBool::new(true),
            context,
        }
    }

    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    pub(crate) fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Release);
    }

    /// Whether any run of this check has a result.
    pub(crate) fn has_result(&self) -> bool {
        self.lock().cached.is_some()
    }

    /// The check's runs so far, as its last result carries them (none run yet: none
    /// counted).
    pub(crate) fn stats(&self) -> Option<Arc<RunStats>> {
        let state = self.lock();
        match &state.cached {
            Some((result, _)) => result.stats.clone(),
            None => Some(Arc::new(state.stats.clone())),
        }
    }

    /// The check's recent results and changes.
    pub(crate) fn history(&self) -> History {
        self.lock()
            .memory
            .history(&self.check.name, self.flapping, self.check.on_flapping)
    }

    /// Whether any run of this check has really passed.
    pub(crate) fn has_passed(&self) -> bool {
        self.passed_once.load(Ordering::Acquire)
    }

    /// The result `freshness` allows at `now`: a known one, the run under way, or a
    /// new run.
    ///
    /// Synchronous, so a report can look up every check before awaiting any: the runs it
    /// starts proceed concurrently while the caller awaits them one by one. A run it
    /// decides on goes into `starts`, which the caller starts once its lookups are done.
    fn lookup(
        self: &Arc<Self>,
        now: Instant,
        freshness: Freshness,
        starts: &mut Starts,
    ) -> Lookup<'_> {
        let mut state = self.lock();
        if let Some((result, fresh_until)) = &state.cached {
            let fresh_until = *fresh_until;
            let fresh = now < fresh_until;
            let known = match freshness {
                Freshness::Cached => fresh || state.overrunning,
                Freshness::Rerun => state.overrunning,
                Freshness::ServeStale | Freshness::KnownOnly => true,
            };
            if known {
                let result = Arc::clone(result);
                let refresh = freshness == Freshness::ServeStale && !fresh && !state.running;
                if refresh {
                    state.running = true;
                }
                drop(state);
                if refresh {
                    starts.push(self);
                }
                return Lookup::Known(result, fresh.then_some(fresh_until));
            }
        }
        if freshness == Freshness::KnownOnly {
            return Lookup::Known(self.not_run_yet(&state.stats), None);
        }
        // Made under the lock, so the end of the run cannot slip past it.
        let run_ended = self.run_ended.notified();
        if !state.running {
            state.running = true;
            drop(state);
            starts.push(self);
        }
        Lookup::Waiting(self, run_ended)
    }

    /// What a run's own result reports once the failure and success thresholds and
    /// `critical` apply; the counters and the standing moved on.
    fn judged(&self, mut health: Health, state: &mut SlotState) -> Health {
        let failed = health.status == HealthStatus::Fail;
        if failed {
            state.failures_in_a_row = state.failures_in_a_row.saturating_add(1);
            state.passes_in_a_row = 0;
        } else {
            state.passes_in_a_row = state.passes_in_a_row.saturating_add(1);
            state.failures_in_a_row = 0;
        }
        let (failures, passes) = (state.failures_in_a_row, state.passes_in_a_row);
        let (needed_failures, needed_passes) =
            (self.check.failure_threshold, self.check.success_threshold);
        state.standing = match (state.standing, failed) {
            (Standing::Up, true) if failures < needed_failures => {
                health.status = HealthStatus::Warn;
                health.message = format!(
                    "{} (failure {failures} of {needed_failures} in a row before it counts)",
                    health.message
                );
                return health;
            }
            (_, true) => Standing::Down,
            (Standing::Down, false) if passes < needed_passes => {
                health.status = HealthStatus::Fail;
                health.message = format!(
                    "{} (pass {passes} of {needed_passes} in a row before it counts as passing)",
                    health.message
                );
                Standing::Down
            }
            (_, false) => Standing::Up,
        };
        if health.status == HealthStatus::Fail && !self.check.critical {
            health.status = HealthStatus::Warn;
            health.message = format!("{} (not critical)", health.message);
        }
        health
    }

    /// `health` held at warn while the check flaps, if its policy says so.
    fn held(&self, mut health: Health, flap: Flap) -> Health {
        if flap.flapping && self.check.on_flapping == OnFlapping::Warn {
            health.status = HealthStatus::Warn;
            health.message = format!(
                "{} (flapping: {:.1}% state change; held at warn)",
                health.message, flap.percent
            );
        }
        health
    }

    /// Tells the listeners every queued change, in order. One task delivers at a time;
    /// a change queued while it delivers is delivered by it, after the earlier ones.
    fn deliver_transitions(&self) {
        if self.context.listeners.is_empty() && self.context.flapping_listeners.is_empty() {
            return;
        }
        {
            let mut state = self.lock();
            if state.delivering || state.transitions.is_empty() {
                return;
            }
            state.delivering = true;
        }
        loop {
            let told = {
                let mut state = self.lock();
                match state.transitions.pop_front() {
                    Some(told) => told,
                    None => {
                        state.delivering = false;
                        return;
                    }
                }
            };
            // A panicking listener is contained; the others still hear the change.
            match told {
                Told::Status(previous, result) => {
                    for listener in &self.context.listeners {
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
                            listener(previous, &result)
                        }));
                    }
                }
                Told::Flapping(result) => {
                    for listener in &self.context.flapping_listeners {
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| listener(&result)));
                    }
                }
            }
        }
    }

    /// The last result, fresh or not, without starting a run.
    #[cfg(feature = "status-page")]
    pub(crate) fn latest(&self) -> Option<Arc<CheckResult>> {
        self.cached()
    }

    fn cached(&self) -> Option<Arc<CheckResult>> {
        self.lock()
            .cached
            .as_ref()
            .map(|(result, _)| Arc::clone(result))
    }

    /// The result for callers whose run was stopped before it ended (runtime shutdown).
    fn stopped(&self) -> Arc<CheckResult> {
        Arc::new(CheckResult::failed_now(
            self.check.name.clone(),
            "the check's run was stopped before it ended",
        ))
    }

    /// The result of a check that has no result yet and may not run now.
    fn not_run_yet(&self, stats: &RunStats) -> Arc<CheckResult> {
        // Only what is known is read for a startup check the startup driver runs, and
        // for every check once the application has stopped.
        let why = if self.check.is(crate::kind::Kind::Startup) {
            "not run yet: startup checks run in the background until they pass"
        } else {
            "not run: the application stopped before this check's first run"
        };
        let mut result = CheckResult::failed_now(self.check.name.clone(), why);
        result.group = self.check.group.clone();
        result.stats = Some(Arc::new(stats.clone()));
        Arc::new(result)
    }

    /// Under the lock: the run kept in the check's history and weighed for flapping;
    /// `health`, the run's own, judged by the thresholds and `critical` and held while
    /// flapping if the check says so; the run counted; the result made and cached; the
    /// run marked ended (unless `overrunning`); changes queued for the listeners.
    fn store(&self, health: Health, ended: &Ended, overrunning: bool) -> Stored {
        let failed = health.status == HealthStatus::Fail;
        // A failure is retried after `failed_ttl` even while the threshold shows a warning.
        let ttl = if failed {
            self.failed_ttl
        } else {
            self.success_ttl
        };
        let timestamp = SystemTime::now();
        let mut state = self.lock();
        let run = history::Run {
            at: timestamp,
            duration: ended.response_time,
            status: health.status,
            message: &health.message,
        };
        let flap = state.memory.record_run(&run, self.flapping);
        // Another service's root causes, named from this check: `orders-svc/db`.
        let blocked_by: Vec<String> = if health.status == HealthStatus::Fail {
            let name = &self.check.name;
            let causes = health.remote_causes.iter();
            causes.map(|cause| format!("{name}/{cause}")).collect()
        } else {
            Vec::new()
        };
        let health = self.judged(health, &mut state);
        let health = self.held(health, flap);
        let status = health.status;
        state.memory.record_reported(status);
        state
            .stats
            .count(ended.outcome, ended.response_time, timestamp);
        let previous = state.cached.as_ref().map(|(cached, _)| cached.status);
        // Events compare a first result with pass: every recovery told has a failure
        // told before it.
        let told_from = match previous {
            Some(previous) => (previous != status).then_some(previous),
            None => (status != HealthStatus::Pass).then_some(HealthStatus::Pass),
        };
        let output = capped(health.message, self.context.max_output);
        if let Some(from) = told_from {
            state.stats.count_transition(from, status);
            state.memory.record_change(from, status, timestamp, &output);
        }
        let result = Arc::new(CheckResult {
            checker: self.check.name.clone(),
            output,
            passed: status != HealthStatus::Fail,
            status,
            group: self.check.group.clone(),
            details: health.details,
            timestamp,
            // TTLs are validated to at most a year; saturate rather than panic anyway.
            expires: timestamp.checked_add(ttl).unwrap_or(timestamp),
            response_time: ended.response_time,
            flapping: flap.flapping,
            state_change_percent: flap.percent,
            blocked_by,
            stats: Some(Arc::new(state.stats.clone())),
        });
        let before = previous
            .zip(state.last_outcome)
            .map(|(status, outcome)| Previous { status, outcome });
        state.last_outcome = Some(ended.outcome);
        let fresh_until = ended.finished.checked_add(ttl).unwrap_or(ended.finished);
        state.cached = Some((Arc::clone(&result), fresh_until));
        if overrunning {
            state.overrunning = true;
        } else {
            state.running = false;
        }
        if flap.changed && !self.context.flapping_listeners.is_empty() {
            state
                .transitions
                .push_back(Told::Flapping(Arc::clone(&result)));
        }
        if let Some(from) = told_from.filter(|_| !self.context.listeners.is_empty()) {
            state
                .transitions
                .push_back(Told::Status(from, Arc::clone(&result)));
        }
        Stored {
            before,
            // A first result is a change for watchers, whatever it is.
            changed: previous != Some(status),
            told_from,
            flapping_changed: flap.changed,
            up: state.standing == Standing::Up,
            result,
        }
    }

    /// After the lock: watchers, the startup latch, the generation, the observers, the
    /// waiters and the listeners told, in that order.
    fn tell(&self, stored: &Stored, ended: &Ended) {
        if stored.changed {
            self.context.changes.status_changed();
        }
        if stored.up {
            self.passed_once.store(true, Ordering::Release);
        }
        // After the result and the startup latch are in place: a report that sees the
        // new generation shows them.
        self.context.changes.moved();
        // Told before the waiters wake, so a run's events precede the answers it makes.
        let (check, result) = (&self.check, &stored.result);
        observe::run_ended(
            check,
            ended.outcome,
            result,
            observe::RunChanges {
                previous: stored.before,
                told_from: stored.told_from,
                flapping_changed: stored.flapping_changed,
            },
            ended.panic.as_ref(),
        );
        self.run_ended.notify_waiters();
        self.deliver_transitions();
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        // The lock is never held across user code, so a poisoned state is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The runs a pass of lookups decided on, started together once the pass is over, each
/// on a task, so it completes and is cached even if every caller goes away. Each holds
/// a guard made before its task: a run dropped unstarted or unpolled still ends.
#[derive(Default)]
struct Starts(Vec<RunGuard>);

/// From this many runs started at once, their first polls share tasks (see
/// [`Starts::start`]); below it, every run has a task of its own from the start.
const SHARED_FIRST_POLLS_FROM: usize = 64;

/// How many runs' first polls one shared task makes.
const FIRST_POLLS_PER_TASK: usize = 32;

impl Starts {
    /// Adds a run of `slot`, which the caller has marked `running`, lock released.
    fn push(&mut self, slot: &Arc<Slot>) {
        self.0.push(RunGuard {
            slot: Arc::clone(slot),
            ended: false,
        });
    }

    /// Starts the runs. A few get a task each. Many (a registry of hundreds of checks
    /// with nothing cached) share a task per [`FIRST_POLLS_PER_TASK`] for their first
    /// poll, in which most checks end; a run still pending after it moves to a task of
    /// its own, so a check waiting on I/O never holds up another. A task per run costs
    /// more than the run of a trivial check.
    fn start(self) {
        let runs = self.0;
        if runs.is_empty() {
            return;
        }
        let parent = observe::run_parent();
        if runs.len() < SHARED_FIRST_POLLS_FROM {
            for guard in runs {
                // Boxed: the same task type as a run moved off a shared first poll.
                drop(tokio::spawn(Box::pin(guard.into_run(parent.clone()))));
            }
            return;
        }
        let mut runs = runs.into_iter();
        loop {
            let batch: Vec<RunGuard> = runs.by_ref().take(FIRST_POLLS_PER_TASK).collect();
            if batch.is_empty() {
                return;
            }
            drop(tokio::spawn(first_polls(batch, parent.clone())));
        }
    }
}

/// Polls each run once on this task; a run not over moves to a task of its own.
async fn first_polls(batch: Vec<RunGuard>, parent: observe::RunParent) {
    let mut batch = Some(batch);
    std::future::poll_fn(|cx| {
        for guard in batch.take().into_iter().flatten() {
            let mut run = Box::pin(guard.into_run(parent.clone()));
            // A panic outside the check's code (a metrics recorder, a subscriber) ends
            // this run alone: its guard, dropped in the unwinding, clears `running`.
            let polled = std::panic::catch_unwind(AssertUnwindSafe(|| run.as_mut().poll(cx)));
            if let Ok(Poll::Pending) = polled {
                // Its next poll, on its own task, registers that task's waker instead.
                drop(tokio::spawn(run));
            }
        }
        Poll::Ready(())
    })
    .await;
}

/// A check's future, made inside its first poll: making it runs user code too (a sync
/// check's setup), which must panic inside the quiet poll, not before it.
struct MadeOnPoll<'a> {
    slot: &'a Slot,
    future: Option<RunFuture>,
}

impl Future for MadeOnPoll<'_> {
    type Output = Health;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Health> {
        let this = self.get_mut();
        let slot = this.slot;
        this.future
            .get_or_insert_with(|| (slot.check.run)(&slot.context.states))
            .as_mut()
            .poll(cx)
    }
}

/// One run of a slot's check. Owns the slot, so whatever happens to the run (finished,
/// dropped unpolled, panicked) the slot ends up not running and its waiters are woken.
struct RunGuard {
    slot: Arc<Slot>,
    ended: bool,
}

impl RunGuard {
    /// The run as a future, in its span under `tracing`, a child of `parent`. The span
    /// is made in the first poll, so a subscriber that panics making it ends this run
    /// alone.
    fn into_run(
        self,
        parent: observe::RunParent,
    ) -> impl Future<Output = Arc<CheckResult>> + Send + 'static {
        #[cfg(feature = "tracing")]
        return async move {
            let span = observe::run_span(&self.slot.check, &parent);
            tracing::Instrument::instrument(self.run(), span).await
        };
        #[cfg(not(feature = "tracing"))]
        {
            let _ = parent;
            self.run()
        }
    }

    /// Runs the check bounded by its timeout, turning panics (in the check or in its
    /// `Drop`) into failures, and records the result.
    async fn run(mut self) -> Arc<CheckResult> {
        let slot = Arc::clone(&self.slot);
        let timeout = slot.timeout;
        let started = Instant::now();
        // `timeout` is validated to at most a year; an addition that fails still cannot panic.
        let deadline = started
            .checked_add(timeout)
            .unwrap_or_else(|| started + healthcheck_rules::MAX_DURATION);
        // Polled quietly: a panic ends the run as a failure and skips the process's
        // panic hook (see `panics`).
        let mut run = Quiet(MadeOnPoll {
            slot: &slot,
            future: None,
        });
        let ended = tokio::time::timeout_at(deadline, &mut run).await;
        if ended.is_err() && slot.check.blocking {
            // The thread cannot be stopped: publish the timeout now, and keep the run in
            // flight until the thread returns, so it never runs twice at once.
            let ended = Ended {
                health: timed_out(timeout),
                outcome: Outcome::Timeout,
                response_time: timeout,
                finished: Instant::now(),
                panic: None,
            };
            let result = self.record(ended, true);
            let _ = run.await;
            self.end_overrun();
            return result;
        }
        // Cancelling the check drops its future; a panic there is still this run's.
        panics::drop_quietly(run);
        // One clock read ends the run: its response time and the cache's freshness.
        let finished = Instant::now();
        let response_time = finished.saturating_duration_since(started);
        let mut panic = None;
        let (health, outcome) = match ended {
            Ok(Ok(_)) if response_time > timeout => {
                (overran(response_time, timeout), Outcome::Timeout)
            }
            Ok(Ok(health)) => {
                let outcome = Outcome::of(health.status);
                (health, outcome)
            }
            Ok(Err(caught)) => {
                let health = Health::fail(format!("check panicked: {}", caught.message));
                panic = Some(caught);
                (health, Outcome::Panic)
            }
            Err(_elapsed) => (timed_out(timeout), Outcome::Timeout),
        };
        let ended = Ended {
            health,
            outcome,
            response_time,
            finished,
            panic,
        };
        self.record(ended, false)
    }

    /// Records the run's end: its result stored, then told. With `overrunning`, the
    /// run stays in flight (see [`SlotState::overrunning`]).
    fn record(&mut self, mut ended: Ended, overrunning: bool) -> Arc<CheckResult> {
        let slot = Arc::clone(&self.slot);
        // Moved out, not copied: the message becomes the result's output.
        let health = std::mem::replace(&mut ended.health, Health::pass(String::new()));
        let stored = slot.store(health, &ended, overrunning);
        if !overrunning {
            self.ended = true;
        }
        slot.tell(&stored, &ended);
        stored.result
    }

    /// The thread of an overrunning run has returned: the check may run again.
    fn end_overrun(&mut self) {
        let mut state = self.slot.lock();
        state.running = false;
        state.overrunning = false;
        self.ended = true;
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        if !self.ended {
            let mut state = self.slot.lock();
            state.running = false;
            state.overrunning = false;
            drop(state);
            self.slot.run_ended.notify_waiters();
        }
    }
}

fn timed_out(timeout: Duration) -> Health {
    Health::fail(format!(
        "check timed out after {}",
        crate::human_time::duration(timeout)
    ))
}

/// A run's result as stored, and what telling it needs.
struct Stored {
    result: Arc<CheckResult>,
    /// The status and outcome before this run, if there was one.
    before: Option<Previous>,
    /// Whether the status changed (a first result always has), for watchers.
    changed: bool,
    /// The status a change told to the listeners comes from.
    told_from: Option<HealthStatus>,
    /// Whether the check started or stopped flapping.
    flapping_changed: bool,
    /// Whether the thresholds have the check passing (it has really passed).
    up: bool,
}

/// How a run ended, before the threshold and `critical` apply.
struct Ended {
    health: Health,
    outcome: Outcome,
    response_time: Duration,
    /// When it ended, on tokio's clock: the cache's freshness counts from it.
    finished: Instant,
    panic: Option<CheckPanic>,
}

/// A result that came back after the timeout: the check blocked its thread, so the
/// timer could not fire. It fails, saying why.
fn overran(elapsed: Duration, timeout: Duration) -> Health {
    Health::fail(format!(
        "check ran {:.1}s, past its {} timeout: it blocked its thread, so the timeout could not fire; \
         move blocking code into a plain `fn` check, which runs on the blocking pool",
        elapsed.as_secs_f64(),
        crate::human_time::duration(timeout)
    ))
}

/// `output` cut to at most `max` bytes (on a character boundary) with a marker saying so.
fn capped(mut output: String, max: usize) -> String {
    if output.len() <= max {
        return output;
    }
    let total = output.len();
    let mut end = max;
    while !output.is_char_boundary(end) {
        end -= 1;
    }
    output.truncate(end);
    output.push_str(&format!(
        " … [truncated: {total} bytes, the first {end} shown]"
    ));
    output
}

#[cfg(test)]
mod tests {
    use super::capped;

    #[test]
    fn a_long_output_is_cut_on_a_character_boundary_with_a_marker() {
        assert_eq!(capped("short".into(), 16), "short");
        let cut = capped("ééééé".into(), 5); // 2 bytes each: 4 fit
        assert_eq!(cut, "éé … [truncated: 10 bytes, the first 4 shown]");
        assert_eq!(
            capped("abc".into(), 0),
            " … [truncated: 3 bytes, the first 0 shown]"
        );
    }
}
