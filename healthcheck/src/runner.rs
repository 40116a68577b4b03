//! Runs one check: its cached result, single-flight runs, timeout and panic isolation.

use std::any::Any;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
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
}

#[derive(Default)]
struct SlotState {
    /// The last result and the moment it goes stale (tokio's clock, so tests can pause it).
    cached: Option<(CheckResult, Instant)>,
    /// The run under way, if any: every caller that finds the result stale awaits this one.
    in_flight: Option<Shared<BoxFuture<'static, CheckResult>>>,
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

    /// The fresh cached result, or the result of the run under way, or of a new run.
    pub(crate) async fn result(self: Arc<Self>) -> CheckResult {
        let run = {
            let mut state = self.lock();
            if let Some((result, fresh_until)) = &state.cached
                && Instant::now() < *fresh_until
            {
                return result.clone();
            }
            match &state.in_flight {
                Some(run) => run.clone(),
                None => {
                    let run = self.start_run();
                    state.in_flight = Some(run.clone());
                    run
                }
            }
        };
        run.await
    }

    /// Spawns the run so it completes and is cached even if every caller goes away.
    fn start_run(self: &Arc<Self>) -> Shared<BoxFuture<'static, CheckResult>> {
        let slot = Arc::clone(self);
        let name = self.check.name.clone();
        let task = tokio::spawn(async move {
            let result = slot.execute().await;
            slot.finish(result.clone());
            result
        });
        async move {
            // Only a runtime shutting down can stop the task: it catches the check's panics.
            task.await.unwrap_or_else(|err| {
                let now = SystemTime::now();
                CheckResult {
                    checker: name,
                    output: format!("the check's run was stopped: {err}"),
                    passed: false,
                    timestamp: now,
                    expires: now,
                    response_time: Duration::ZERO,
                }
            })
        }
        .boxed()
        .shared()
    }

    /// Runs the check on a task of its own, bounded by the timeout.
    async fn execute(&self) -> CheckResult {
        let started = Instant::now();
        let mut task = tokio::spawn((self.check.run)());
        let outcome = match tokio::time::timeout(self.timeout, &mut task).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(err)) if err.is_panic() => Outcome::fail(format!(
                "check panicked: {}",
                panic_message(err.into_panic().as_ref())
            )),
            Ok(Err(err)) => Outcome::fail(format!("check was cancelled: {err}")),
            Err(_elapsed) => {
                // Drops the check's future at its next await point.
                task.abort();
                Outcome::fail(format!(
                    "check timed out after {}",
                    humantime::format_duration(self.timeout)
                ))
            }
        };
        let response_time = started.elapsed();
        let ttl = if outcome.passed {
            self.success_ttl
        } else {
            self.failed_ttl
        };
        let timestamp = SystemTime::now();
        CheckResult {
            checker: self.check.name.clone(),
            output: outcome.output,
            passed: outcome.passed,
            timestamp,
            expires: timestamp + ttl,
            response_time,
        }
    }

    fn finish(&self, result: CheckResult) {
        let ttl = if result.passed {
            self.success_ttl
        } else {
            self.failed_ttl
        };
        let mut state = self.lock();
        state.cached = Some((result, Instant::now() + ttl));
        state.in_flight = None;
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
