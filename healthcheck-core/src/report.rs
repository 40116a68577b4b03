//! What a report is: the results of one run of a selection of checks, as plain data.
//! How a report is written is each format's job (`format/`), and when an answer is
//! given again the answer cache's (`answers.rs`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::health::HealthStatus;
use crate::lifecycle::Phase;
use crate::stats::RunStats;

/// Overall status of a report: `"success"` when every check passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Every check passed (or there were none).
    Success,
    /// At least one check failed.
    Failure,
}

/// The result of every selected check, as Flask healthcheck reports it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// `success` when every result passed, `failure` otherwise.
    pub status: Status,
    /// When this report was made (fresh on every report, even when results are cached).
    pub timestamp: SystemTime,
    /// The host that ran the checks; shared with the registry, so a report copies no
    /// string for it.
    pub hostname: Arc<str>,
    /// The application's phase for the probe this report answers; an addition to the
    /// Flask format that explains a 503 while every check passes (STARTING, STOPPING).
    pub phase: Phase,
    /// One result per check, ordered by name. Shared with the cache, so a report of
    /// cached results copies no strings.
    pub results: Vec<Arc<CheckResult>>,
    /// The failures not blocked by another failure, by name, once each: every failed
    /// result that is not blocked, and every check a blocked result waits on (shown in
    /// this report or not).
    pub root_causes: Vec<String>,
    /// How each quorum group ([`Builder::quorum`](crate::Builder::quorum)) with members
    /// in this report fared.
    pub quorums: Vec<QuorumCount>,
}

/// One check's result. A cached result keeps the `timestamp` and `expires` of the run
/// that produced it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CheckResult {
    /// The check's name.
    pub checker: String,
    /// The check's message, or why it failed (timeout, panic, not found).
    pub output: String,
    /// Whether the check passed: `status` is not `fail`.
    pub passed: bool,
    /// Pass, warn or fail. A warning passes: degraded but serving.
    pub status: HealthStatus,
    /// The check's group (`group = "…"`, else its crate); empty for "not found".
    pub group: String,
    /// The details the check returned (`Health::detail`), if any.
    pub details: Map<String, Value>,
    /// When the run finished.
    pub timestamp: SystemTime,
    /// When this result stops being reused: `timestamp` plus the TTL that applies.
    pub expires: SystemTime,
    /// How long the run took, in seconds in JSON.
    pub response_time: Duration,
    /// Whether the check is flapping (see [`History`](crate::History)): its percent
    /// state change reached its high threshold and has not yet fallen to its low one.
    pub flapping: bool,
    /// Nagios' weighted percent state change over the check's last 21 runs, this one
    /// included (0 to 100).
    pub state_change_percent: f64,
    /// The failing checks this one waits on (`depends_on`, directly or through others),
    /// the root causes of its failure, by name; empty when it is not blocked.
    pub blocked_by: Vec<String>,
    /// The check's runs up to this one; none for a result no run made ("not found").
    pub(crate) stats: Option<Arc<RunStats>>,
}

impl CheckResult {
    /// A failed result made now that is never cached: for a name no check has, or a run
    /// that was stopped.
    pub(crate) fn failed_now(checker: impl Into<String>, output: impl Into<String>) -> Self {
        let now = SystemTime::now();
        CheckResult {
            checker: checker.into(),
            output: output.into(),
            passed: false,
            status: HealthStatus::Fail,
            group: String::new(),
            details: Map::new(),
            timestamp: now,
            expires: now,
            response_time: Duration::ZERO,
            flapping: false,
            state_change_percent: 0.0,
            blocked_by: Vec::new(),
            stats: None,
        }
    }

    /// This result as a caller who may not see details gets it: the output replaced
    /// by [`WITHHELD`](crate::defaults::WITHHELD) and the details dropped; the rest as it is.
    pub(crate) fn withheld(&self) -> CheckResult {
        CheckResult {
            checker: self.checker.clone(),
            output: crate::details::WITHHELD.to_owned(),
            passed: self.passed,
            status: self.status,
            group: self.group.clone(),
            details: Map::new(),
            timestamp: self.timestamp,
            expires: self.expires,
            response_time: self.response_time,
            flapping: self.flapping,
            state_change_percent: self.state_change_percent,
            blocked_by: self.blocked_by.clone(),
            stats: self.stats.clone(),
        }
    }

    /// Whether its check has changed status within its last 21 runs: the formats that
    /// show flapping only where it says something (MicroProfile, Spring, IETF) show it then.
    pub(crate) fn changed_lately(&self) -> bool {
        self.state_change_percent > 0.0
    }

    /// The root causes this result stands for: what blocks it, else itself if it
    /// failed, else none.
    pub(crate) fn roots(&self) -> impl Iterator<Item = &str> {
        let own = (self.blocked_by.is_empty() && !self.passed).then_some(self.checker.as_str());
        self.blocked_by.iter().map(String::as_str).chain(own)
    }

    /// The check's runs up to the one that made this result, for metrics; none for a
    /// result no run made (a name no check has, a check not run yet).
    pub fn stats(&self) -> Option<&RunStats> {
        self.stats.as_deref()
    }
}

/// How a quorum group ([`Builder::quorum`](crate::Builder::quorum)) fared in one
/// report: its members in the report, how many of them passed, how many must.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuorumCount {
    /// The group.
    pub group: String,
    /// Its members in the report that passed (a warning passes).
    pub passed: usize,
    /// Its members in the report.
    pub of: usize,
    /// How many must pass.
    pub needed: usize,
}

impl QuorumCount {
    /// Whether enough members passed.
    pub fn met(&self) -> bool {
        self.passed >= self.needed
    }
}

/// The failures of `results` not blocked by another, and what blocked ones wait on.
fn root_causes(results: &[Arc<CheckResult>]) -> Vec<String> {
    let mut roots: Vec<String> = results
        .iter()
        .flat_map(|result| result.roots())
        .map(str::to_owned)
        .collect();
    roots.sort_unstable();
    roots.dedup();
    roots
}

impl Report {
    /// A report stamped now; the status follows from the results. The registry makes
    /// the reports it serves; this is for a [`Format`](crate::format::Format) of your
    /// own to be tested with, or a report of your own making.
    pub fn new(
        hostname: impl Into<Arc<str>>,
        phase: Phase,
        results: Vec<Arc<CheckResult>>,
    ) -> Self {
        let status = if results.iter().all(|result| result.passed) {
            Status::Success
        } else {
            Status::Failure
        };
        Report {
            status,
            timestamp: SystemTime::now(),
            hostname: hostname.into(),
            phase,
            root_causes: root_causes(&results),
            quorums: Vec::new(),
            results,
        }
    }

    /// The worst status among the results: `pass` when there are none.
    pub fn health_status(&self) -> HealthStatus {
        self.results
            .iter()
            .map(|result| result.status)
            .max()
            .unwrap_or(HealthStatus::Pass)
    }

    /// Whether every check passed.
    pub fn is_success(&self) -> bool {
        self.status == Status::Success
    }

    /// The result of the check named `name`, if the report has one.
    pub fn result(&self, name: &str) -> Option<&CheckResult> {
        self.results
            .iter()
            .find(|result| result.checker == name)
            .map(|result| &**result)
    }
}
