//! Runs one check: its cached result, single-flight runs, timeout and panic isolation.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::time::Instant;

use crate::check::{Check, Outcome};
use crate::report::CheckResult;

/// A check's result, already known or on its way.
pub(crate) enum Lookup {
    Fresh(Arc<CheckResult>),
    Running(Shared<BoxFuture<'static, Arc<CheckResult>>>),
}

impl Lookup {
    pub(crate) async fn result(self) -> Arc<CheckResult> {
        match self {
            Lookup::Fresh(result) => result,
            Lookup::Running(run) => run.await,
        }
    }
}

/// A check with its settings resolved, and the state shared by everyone who asks for it.
pub(crate) struct Slot {
    pub(crate) check: Check,
    timeout: Duration,
    success_ttl: Duration,
    failed_ttl: Duration,
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    /// The last result and the moment it goes stale (tokio's clock, so tests can pause it).
    cached: Option<(Arc<CheckResult>, Instant)>,
    /// The run under way, if any: every caller that finds the result stale awaits this one.
    in_flight: Option<Shared<BoxFuture<'static, Arc<CheckResult>>>>,
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
        }
    }

    /// The result cached at `now` if fresh, else the run under way, else a new run.
    ///
    /// Synchronous, so a report can look up every check before awaiting any: the runs it
    /// starts proceed concurrently while the caller awaits them one by one.
    pub(crate) fn lookup(self: &Arc<Self>, now: Instant) -> Lookup {
        let mut state = self.lock();
        if let Some((result, fresh_until)) = &state.cached
            && now < *fresh_until
        {
            return Lookup::Fresh(Arc::clone(result));
        }
        let run = match &state.in_flight {
            Some(run) => run.clone(),
            None => {
                let run = self.start_run();
                state.in_flight = Some(run.clone());
                run
            }
        };
        Lookup::Running(run)
    }

    /// Spawns the run so it completes and is cached even if every caller goes away.
    fn start_run(self: &Arc<Self>) -> Shared<BoxFuture<'static, Arc<CheckResult>>> {
        let slot = Arc::clone(self);
        let task = tokio::spawn(async move {
            let (outcome, started, finished) = slot.execute().await;
            slot.finish(outcome, finished - started, finished)
        });
        let name = self.check.name.clone();
        async move {
            // Only a runtime shutting down stops the task: it catches the check's panics.
            task.await.unwrap_or_else(|err| {
                let now = SystemTime::now();
                Arc::new(CheckResult {
                    checker: name,
                    output: format!("the check's run was stopped: {err}"),
                    passed: false,
                    timestamp: now,
                    expires: now,
                    response_time: Duration::ZERO,
                })
            })
        }
        .boxed()
        .shared()
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
            // The check's future was dropped by `timeout_at`, cancelling it.
            Err(_elapsed) => Outcome::fail(format!(
                "check timed out after {}",
                humantime::format_duration(self.timeout)
            )),
        };
        (outcome, started, Instant::now())
    }

    /// Caches the outcome of the run that finished at `finished` and ends the run.
    fn finish(
        &self,
        outcome: Outcome,
        response_time: Duration,
        finished: Instant,
    ) -> Arc<CheckResult> {
        let ttl = if outcome.passed {
            self.success_ttl
        } else {
            self.failed_ttl
        };
        let timestamp = SystemTime::now();
        let result = Arc::new(CheckResult {
            checker: self.check.name.clone(),
            output: outcome.output,
            passed: outcome.passed,
            timestamp,
            expires: timestamp + ttl,
            response_time,
        });
        let mut state = self.lock();
        state.cached = Some((Arc::clone(&result), finished + ttl));
        state.in_flight = None;
        result
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        // The lock is never held across user code, so a poisoned state is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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
