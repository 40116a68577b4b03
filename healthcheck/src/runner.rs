//! Runs one check: its cached result, single-flight runs, timeout and panic isolation;
//! then the failure threshold, `critical`, the cache and the listeners.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt;
use tokio::sync::Notify;
use tokio::sync::futures::Notified;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::check::Check;
use crate::health::{Health, HealthStatus};
use crate::report::CheckResult;
use crate::state::States;

/// Called when a check's status changes between pass, warn and fail: the previous
/// status and the new result.
pub type Listener = Arc<dyn Fn(HealthStatus, &CheckResult) + Send + Sync>;

/// What every run of a registry shares: its state values and its listeners.
#[derive(Default)]
pub(crate) struct RunContext {
    pub(crate) states: States,
    pub(crate) listeners: Vec<Listener>,
}

/// A check with its settings resolved, and the state shared by everyone who asks for it.
pub(crate) struct Slot {
    pub(crate) check: Check,
    timeout: Duration,
    success_ttl: Duration,
    failed_ttl: Duration,
    state: Mutex<SlotState>,
    /// Wakes the callers waiting on the run under way when it ends.
    run_ended: Notify,
    /// Set by the first passing run: startup is over once every startup check has passed.
    passed_once: AtomicBool,
    /// A disabled check is neither listed nor run.
    enabled: AtomicBool,
    context: Arc<RunContext>,
}

#[derive(Default)]
struct SlotState {
    /// The last result and the moment it goes stale (tokio's clock, so tests can pause it).
    cached: Option<(Arc<CheckResult>, Instant)>,
    /// Whether a run is under way: callers that find the result stale wait for it.
    running: bool,
    /// Failures in a row, for the failure threshold.
    failures_in_a_row: u32,
}

/// A check's result: known, coming from a run this caller started, or from one it joined.
pub(crate) enum Lookup<'a> {
    Fresh(Arc<CheckResult>),
    Started(&'a Slot, JoinHandle<Arc<CheckResult>>),
    Joined(&'a Slot, Notified<'a>),
}

impl Lookup<'_> {
    pub(crate) async fn result(self) -> Arc<CheckResult> {
        match self {
            Lookup::Fresh(result) => result,
            Lookup::Started(slot, task) => task.await.unwrap_or_else(|_| slot.stopped()),
            Lookup::Joined(slot, run_ended) => {
                run_ended.await;
                // The run's result, or a newer one: either is what the caller waited for.
                let cached = slot
                    .lock()
                    .cached
                    .as_ref()
                    .map(|(result, _)| Arc::clone(result));
                cached.unwrap_or_else(|| slot.stopped())
            }
        }
    }
}

/// The settings a check falls back to when it sets none.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Defaults {
    pub(crate) timeout: Duration,
    pub(crate) success_ttl: Duration,
    pub(crate) failed_ttl: Duration,
}

impl Slot {
    pub(crate) fn new(check: Check, defaults: Defaults, context: Arc<RunContext>) -> Self {
        Slot {
            timeout: check.timeout.unwrap_or(defaults.timeout),
            success_ttl: check.success_ttl.unwrap_or(defaults.success_ttl),
            failed_ttl: check.failed_ttl.unwrap_or(defaults.failed_ttl),
            check,
            state: Mutex::default(),
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

    /// Whether any run of this check has passed.
    pub(crate) fn has_passed(&self) -> bool {
        self.passed_once.load(Ordering::Acquire)
    }

    /// The result cached at `now` if fresh, else the run under way, else a new run.
    /// With `serve_stale` (background refresh), any cached result is served at once and
    /// a stale one is refreshed behind it.
    ///
    /// Synchronous, so a report can look up every check before awaiting any: the runs it
    /// starts proceed concurrently while the caller awaits them one by one.
    pub(crate) fn lookup(self: &Arc<Self>, now: Instant, serve_stale: bool) -> Lookup<'_> {
        let mut state = self.lock();
        if let Some((result, fresh_until)) = &state.cached {
            let fresh = now < *fresh_until;
            if fresh || serve_stale {
                let result = Arc::clone(result);
                if !fresh && !state.running {
                    state.running = true;
                    drop(self.spawn_run());
                }
                return Lookup::Fresh(result);
            }
        }
        if state.running {
            // Made under the lock, so the end of the run cannot slip past it.
            return Lookup::Joined(self, self.run_ended.notified());
        }
        state.running = true;
        Lookup::Started(self, self.spawn_run())
    }

    /// Runs the check on a task of its own, so the run completes and is cached even if
    /// every caller goes away. The caller has set `running`.
    fn spawn_run(self: &Arc<Self>) -> JoinHandle<Arc<CheckResult>> {
        let slot = Arc::clone(self);
        tokio::spawn(async move {
            let mut run = RunGuard(Some(&slot));
            let (health, started, finished) = slot.execute().await;
            run.end(health, finished - started, finished)
        })
    }

    /// Runs the check bounded by the timeout, turning a panic into a failure.
    async fn execute(&self) -> (Health, Instant, Instant) {
        let started = Instant::now();
        // Building the future runs user code too (a sync check's setup), so it is inside
        // the unwind guard as well.
        let run =
            AssertUnwindSafe(async { (self.check.run)(&self.context.states).await }).catch_unwind();
        let health = match tokio::time::timeout_at(started + self.timeout, run).await {
            Ok(Ok(health)) => health,
            Ok(Err(panic)) => {
                Health::fail(format!("check panicked: {}", panic_message(panic.as_ref())))
            }
            // `timeout_at` has dropped the check's future, cancelling it.
            Err(_elapsed) => Health::fail(format!(
                "check timed out after {}",
                humantime::format_duration(self.timeout)
            )),
        };
        (health, started, Instant::now())
    }

    /// What a run's raw result reports once the failure threshold and `critical` apply.
    fn judged(&self, mut health: Health, failures_in_a_row: u32) -> Health {
        if health.status != HealthStatus::Fail {
            return health;
        }
        let threshold = self.check.failure_threshold;
        if failures_in_a_row < threshold {
            health.status = HealthStatus::Warn;
            health.message = format!(
                "{} (failure {failures_in_a_row} of {threshold} in a row before it counts)",
                health.message
            );
        } else if !self.check.critical {
            health.status = HealthStatus::Warn;
            health.message = format!("{} (not critical)", health.message);
        }
        health
    }

    /// Tells the listeners of a change; a panicking listener is contained.
    fn notify(&self, previous: HealthStatus, result: &CheckResult) {
        for listener in &self.context.listeners {
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| listener(previous, result)));
        }
    }

    /// The result for callers whose run was stopped before it ended (runtime shutdown).
    fn stopped(&self) -> Arc<CheckResult> {
        Arc::new(CheckResult::failed_now(
            self.check.name.clone(),
            "the check's run was stopped before it ended",
        ))
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        // The lock is never held across user code, so a poisoned state is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Ends a run: caches its result, or, if the run is dropped unfinished, just lets the
/// next caller start another. Either way the callers waiting on it are woken.
struct RunGuard<'a>(Option<&'a Slot>);

impl RunGuard<'_> {
    fn end(
        &mut self,
        health: Health,
        response_time: Duration,
        finished: Instant,
    ) -> Arc<CheckResult> {
        let slot = self.0.take().expect("a run ends once");
        let failed = health.status == HealthStatus::Fail;
        // A failure is retried after `failed_ttl` even while the threshold shows a warning.
        let ttl = if failed {
            slot.failed_ttl
        } else {
            slot.success_ttl
        };
        let timestamp = SystemTime::now();
        let mut state = slot.lock();
        state.failures_in_a_row = if failed {
            state.failures_in_a_row.saturating_add(1)
        } else {
            0
        };
        let health = slot.judged(health, state.failures_in_a_row);
        let result = Arc::new(CheckResult {
            checker: slot.check.name.clone(),
            output: health.message,
            passed: health.status != HealthStatus::Fail,
            status: health.status,
            group: slot.check.group.clone(),
            details: health.details,
            timestamp,
            expires: timestamp + ttl,
            response_time,
        });
        let previous = state.cached.as_ref().map(|(cached, _)| cached.status);
        state.cached = Some((Arc::clone(&result), finished + ttl));
        state.running = false;
        drop(state);
        if result.passed {
            slot.passed_once.store(true, Ordering::Release);
        }
        slot.run_ended.notify_waiters();
        if let Some(previous) = previous.filter(|previous| *previous != result.status) {
            slot.notify(previous, &result);
        }
        result
    }
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            slot.lock().running = false;
            slot.run_ended.notify_waiters();
        }
    }
}

/// The text of a panic payload: `panic!("…")` carries a `&str` or a `String`.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "(a panic payload that is not a string)"
    }
}
