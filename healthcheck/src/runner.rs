//! Runs one check: its cached result, single-flight runs, timeout and panic isolation.

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

use crate::check::{Check, Outcome};
use crate::report::CheckResult;

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
}

#[derive(Default)]
struct SlotState {
    /// The last result and the moment it goes stale (tokio's clock, so tests can pause it).
    cached: Option<(Arc<CheckResult>, Instant)>,
    /// Whether a run is under way: callers that find the result stale wait for it.
    running: bool,
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
    pub(crate) fn new(check: Check, defaults: Defaults) -> Self {
        Slot {
            timeout: check.timeout.unwrap_or(defaults.timeout),
            success_ttl: check.success_ttl.unwrap_or(defaults.success_ttl),
            failed_ttl: check.failed_ttl.unwrap_or(defaults.failed_ttl),
            check,
            state: Mutex::default(),
            run_ended: Notify::new(),
            passed_once: AtomicBool::new(false),
        }
    }

    /// Whether any run of this check has passed.
    pub(crate) fn has_passed(&self) -> bool {
        self.passed_once.load(Ordering::Acquire)
    }

    /// The result cached at `now` if fresh, else the run under way, else a new run.
    ///
    /// Synchronous, so a report can look up every check before awaiting any: the runs it
    /// starts proceed concurrently while the caller awaits them one by one.
    pub(crate) fn lookup(self: &Arc<Self>, now: Instant) -> Lookup<'_> {
        let mut state = self.lock();
        if let Some((result, fresh_until)) = &state.cached
            && now < *fresh_until
        {
            return Lookup::Fresh(Arc::clone(result));
        }
        if state.running {
            // Made under the lock, so the end of the run cannot slip past it.
            return Lookup::Joined(self, self.run_ended.notified());
        }
        state.running = true;
        // A task of its own: the run completes and is cached even if every caller goes away.
        let slot = Arc::clone(self);
        let task = tokio::spawn(async move {
            let mut run = RunGuard(Some(&slot));
            let (outcome, started, finished) = slot.execute().await;
            run.end(outcome, finished - started, finished)
        });
        Lookup::Started(self, task)
    }

    /// Runs the check bounded by the timeout, turning a panic into a failure.
    async fn execute(&self) -> (Outcome, Instant, Instant) {
        let started = Instant::now();
        let run = AssertUnwindSafe((self.check.run)()).catch_unwind();
        let outcome = match tokio::time::timeout_at(started + self.timeout, run).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(panic)) => {
                Outcome::fail(format!("check panicked: {}", panic_message(panic.as_ref())))
            }
            // `timeout_at` has dropped the check's future, cancelling it.
            Err(_elapsed) => Outcome::fail(format!(
                "check timed out after {}",
                humantime::format_duration(self.timeout)
            )),
        };
        (outcome, started, Instant::now())
    }

    /// The result for callers whose run was stopped before it ended (runtime shutdown).
    fn stopped(&self) -> Arc<CheckResult> {
        let now = SystemTime::now();
        Arc::new(CheckResult {
            checker: self.check.name.clone(),
            output: "the check's run was stopped before it ended".to_string(),
            passed: false,
            timestamp: now,
            expires: now,
            response_time: Duration::ZERO,
        })
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
        outcome: Outcome,
        response_time: Duration,
        finished: Instant,
    ) -> Arc<CheckResult> {
        let slot = self.0.take().expect("a run ends once");
        let ttl = if outcome.passed {
            slot.success_ttl
        } else {
            slot.failed_ttl
        };
        let timestamp = SystemTime::now();
        let outcome_passed = outcome.passed;
        let result = Arc::new(CheckResult {
            checker: slot.check.name.clone(),
            output: outcome.output,
            passed: outcome.passed,
            timestamp,
            expires: timestamp + ttl,
            response_time,
        });
        if outcome_passed {
            slot.passed_once.store(true, Ordering::Release);
        }
        let mut state = slot.lock();
        state.cached = Some((Arc::clone(&result), finished + ttl));
        state.running = false;
        drop(state);
        slot.run_ended.notify_waiters();
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
