//! The tokio runtime is responsive: a short timer fires close to on time. The canonical
//! liveness check: it depends on nothing external, and fails when the process is
//! wedged (every worker blocked), which a restart cures.

use std::time::Duration;

use tokio::time::Instant;

use crate::check::Check;
use crate::checker::Checker;
use crate::health::Health;
use crate::kind::Kind;

/// The timer the check sets; the lag is how late it fires.
const TICK: Duration = Duration::from_millis(10);

/// Lag over which the runtime is degraded (a warning), by default.
pub const DEFAULT_WARN_LAG: Duration = Duration::from_millis(100);
/// Lag over which the runtime counts as wedged (a failure), by default.
pub const DEFAULT_FAIL_LAG: Duration = Duration::from_secs(1);

/// Measures how late a 10 ms timer fires on the runtime the check runs on.
#[derive(Debug, Clone, Copy)]
pub struct Responsive {
    warn_lag: Duration,
    fail_lag: Duration,
}

impl Default for Responsive {
    fn default() -> Self {
        Responsive {
            warn_lag: DEFAULT_WARN_LAG,
            fail_lag: DEFAULT_FAIL_LAG,
        }
    }
}

impl Responsive {
    /// Warns when the timer is later than `lag` (default 100 ms).
    #[must_use]
    pub fn warn_lag(mut self, lag: Duration) -> Self {
        self.warn_lag = lag;
        self
    }

    /// Fails when the timer is later than `lag` (default 1 s). Keep the check's
    /// timeout above it, or a wedged runtime reads as a timeout.
    #[must_use]
    pub fn fail_lag(mut self, lag: Duration) -> Self {
        self.fail_lag = lag;
        self
    }
}

impl Checker for Responsive {
    type Output = Health;

    async fn check(&self) -> Health {
        judge(lag().await, self.warn_lag, self.fail_lag)
    }
}

/// A liveness check named `name` with the default lags, rerun every 5 s.
///
/// ```
/// let check = healthcheck::checks::runtime::responsive("runtime");
/// assert!(check.is(healthcheck::Kind::Liveness));
/// ```
#[track_caller]
pub fn responsive(name: impl Into<String>) -> Check {
    Check::checker(name, Responsive::default())
        .kinds([Kind::Liveness])
        .success_ttl(Duration::from_secs(5))
        .failed_ttl(Duration::from_secs(1))
}

/// How late a 10 ms timer fires on the current runtime.
pub async fn lag() -> Duration {
    let started = Instant::now();
    tokio::time::sleep(TICK).await;
    started.elapsed().saturating_sub(TICK)
}

/// The health of a runtime whose timers fire `lag` late.
fn judge(lag: Duration, warn_lag: Duration, fail_lag: Duration) -> Health {
    let millis = (lag.as_secs_f64() * 10_000.0).round() / 10.0;
    let health = if lag > fail_lag {
        Health::fail(format!(
            "the runtime is not responsive: a timer fired {millis} ms late (limit {})",
            crate::human_time::duration(fail_lag)
        ))
    } else if lag > warn_lag {
        Health::warn(format!(
            "the runtime is slow: a timer fired {millis} ms late (warning above {})",
            crate::human_time::duration(warn_lag)
        ))
    } else {
        Health::pass(format!("the runtime is responsive: timer lag {millis} ms"))
    };
    health.observed(millis, "ms")
}
