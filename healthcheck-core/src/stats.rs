//! What a check's runs add up to: runs by outcome and a histogram of their durations,
//! counted when a run ends and carried by each result, so a format can show them from
//! a report alone.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::health::HealthStatus;
use crate::kind::Kind;
use crate::lifecycle::Phase;

/// The upper bounds (seconds) of the run-duration histogram's buckets: Prometheus'
/// default buckets.
pub(crate) const DURATION_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The value of `healthcheck_check_status` for a status: 1 pass, 0.5 warn, 0 fail.
pub(crate) fn status_value(status: HealthStatus) -> f64 {
    match status {
        HealthStatus::Pass => 1.0,
        HealthStatus::Warn => 0.5,
        HealthStatus::Fail => 0.0,
    }
}

/// Every phase, for `healthcheck_phase`: 1 for the current one, 0 for the others.
pub(crate) const PHASES: [Phase; 5] = [
    Phase::Starting,
    Phase::Up,
    Phase::Down,
    Phase::Stopping,
    Phase::Stopped,
];

/// How one run ended, before the failure threshold or `critical` softened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The check passed.
    Pass,
    /// The check passed with a warning.
    Warn,
    /// The check failed.
    Fail,
    /// The check ran past its timeout (or blocked its thread past it).
    Timeout,
    /// The check panicked.
    Panic,
}

impl Outcome {
    /// Every outcome, in the order [`Outcome::as_str`] lists them.
    pub const ALL: [Outcome; 5] = [
        Outcome::Pass,
        Outcome::Warn,
        Outcome::Fail,
        Outcome::Timeout,
        Outcome::Panic,
    ];

    /// `pass`, `warn`, `fail`, `timeout` or `panic`: the `result` label of
    /// `healthcheck_check_runs_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Timeout => "timeout",
            Outcome::Panic => "panic",
        }
    }

    /// The outcome of a run that returned `status`.
    pub(crate) fn of(status: HealthStatus) -> Self {
        match status {
            HealthStatus::Pass => Outcome::Pass,
            HealthStatus::Warn => Outcome::Warn,
            HealthStatus::Fail => Outcome::Fail,
        }
    }

    fn index(self) -> usize {
        match self {
            Outcome::Pass => 0,
            Outcome::Warn => 1,
            Outcome::Fail => 2,
            Outcome::Timeout => 3,
            Outcome::Panic => 4,
        }
    }
}

/// A check's runs so far, as of the run that made the result carrying it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStats {
    /// The probes the check answers: one `healthcheck_check_status` series each.
    /// Shared, since every result carries a copy of the stats.
    pub kinds: Arc<[Kind]>,
    runs: [u64; 5],
    /// Runs per bucket of [`DURATION_BUCKETS`] (not cumulative), then those above.
    buckets: [u64; DURATION_BUCKETS.len() + 1],
    total_seconds: f64,
    /// Changes of the reported status, `[from][to]` (pass, warn, fail).
    transitions: [[u64; 3]; 3],
    /// When the last run ended.
    pub last_run: Option<SystemTime>,
}

impl RunStats {
    pub(crate) fn new(kinds: &[Kind]) -> Self {
        RunStats {
            kinds: kinds.into(),
            runs: [0; 5],
            buckets: [0; DURATION_BUCKETS.len() + 1],
            total_seconds: 0.0,
            transitions: [[0; 3]; 3],
            last_run: None,
        }
    }

    /// Counts one run.
    pub(crate) fn count(&mut self, outcome: Outcome, duration: Duration, ended: SystemTime) {
        let seconds = duration.as_secs_f64();
        let slot = &mut self.runs[outcome.index()];
        *slot = slot.saturating_add(1);
        let bucket = DURATION_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(DURATION_BUCKETS.len());
        self.buckets[bucket] = self.buckets[bucket].saturating_add(1);
        self.total_seconds += seconds;
        self.last_run = Some(ended);
    }

    /// Counts one change of the reported status.
    pub(crate) fn count_transition(&mut self, from: HealthStatus, to: HealthStatus) {
        let slot = &mut self.transitions[from.index()][to.index()];
        *slot = slot.saturating_add(1);
    }

    /// Changes of the reported status from `from` to `to` so far (a check's first
    /// result, when it is not a pass, counts as a change from pass).
    pub fn transitions(&self, from: HealthStatus, to: HealthStatus) -> u64 {
        self.transitions[from.index()][to.index()]
    }

    /// Runs that ended with `outcome`.
    pub fn runs(&self, outcome: Outcome) -> u64 {
        self.runs[outcome.index()]
    }

    /// Every run counted.
    pub fn total_runs(&self) -> u64 {
        self.runs
            .iter()
            .fold(0, |sum, runs| sum.saturating_add(*runs))
    }

    /// The histogram's cumulative counts: runs that took at most each bound of
    /// Prometheus' default buckets (0.005 s to 10 s), then every run (`+Inf`).
    pub fn cumulative_buckets(&self) -> impl Iterator<Item = u64> + '_ {
        self.buckets.iter().scan(0u64, |sum, runs| {
            *sum = sum.saturating_add(*runs);
            Some(*sum)
        })
    }

    /// The runs' durations added up, in seconds.
    pub fn total_seconds(&self) -> f64 {
        self.total_seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_fall_into_the_first_bucket_that_holds_them_and_add_up() {
        let mut stats = RunStats::new(&[Kind::Readiness]);
        let now = SystemTime::now();
        stats.count(Outcome::Pass, Duration::from_millis(5), now);
        stats.count(Outcome::Timeout, Duration::from_millis(30), now);
        stats.count(Outcome::Panic, Duration::from_secs(11), now);
        let buckets: Vec<u64> = stats.cumulative_buckets().collect();
        assert_eq!(buckets, [1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3]);
        assert_eq!(stats.total_runs(), 3);
        assert_eq!(stats.runs(Outcome::Timeout), 1);
        assert_eq!(stats.runs(Outcome::Fail), 0);
        assert!((stats.total_seconds() - 11.035).abs() < 1e-9);
    }
}
