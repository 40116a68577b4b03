//! Tells the engines watching a fleet how runs end: the `metrics` facade (feature
//! `metrics`) and `tracing` (feature `tracing`). A check's panic is told once per change,
//! through tracing, or on standard error without it.

use crate::check::Check;
use crate::health::HealthStatus;
use crate::lifecycle::Phase;
use crate::panics::CheckPanic;
use crate::registration::Location;
use crate::report::CheckResult;
use crate::stats::Outcome;
#[cfg(feature = "metrics")]
use crate::stats::{PHASES, status_value};

/// How the run before this one ended, for telling changes apart from repeats.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Previous {
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) status: HealthStatus,
    pub(crate) outcome: Outcome,
}

/// What a run changed, as the runner decided under the check's lock.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunChanges {
    /// How the run before ended, if there was one.
    pub(crate) previous: Option<Previous>,
    /// The status a change told to listeners comes from (a first result that is not a
    /// pass: from pass).
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) told_from: Option<HealthStatus>,
    /// Whether the check started or stopped flapping with this run.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) flapping_changed: bool,
}

/// A run has ended with `result`: record it, and tell what changed.
pub(crate) fn run_ended(
    check: &Check,
    outcome: Outcome,
    result: &CheckResult,
    changes: RunChanges,
    panic: Option<&CheckPanic>,
) {
    #[cfg(not(any(feature = "metrics", feature = "tracing")))]
    let _ = (outcome, result);
    #[cfg(feature = "metrics")]
    record_metrics(check, outcome, result, changes);
    #[cfg(feature = "tracing")]
    trace_run_end(check, outcome, result, changes);
    let previous = changes.previous;
    let new_panic = previous.is_none_or(|previous| previous.outcome != Outcome::Panic);
    if let Some(panic) = panic.filter(|_| new_panic) {
        report_panic(check, panic);
    }
}

#[cfg(feature = "metrics")]
fn record_metrics(check: &Check, outcome: Outcome, result: &CheckResult, changes: RunChanges) {
    let name = check.name.clone();
    for kind in &check.kinds {
        metrics::gauge!(
            "healthcheck_check_status",
            "check" => name.clone(),
            "group" => check.group.clone(),
            "kind" => kind.as_str(),
        )
        .set(status_value(result.status));
    }
    metrics::histogram!("healthcheck_check_duration_seconds", "check" => name.clone())
        .record(result.response_time.as_secs_f64());
    metrics::counter!(
        "healthcheck_check_runs_total",
        "check" => name.clone(),
        "result" => outcome.as_str(),
    )
    .increment(1);
    metrics::gauge!("healthcheck_check_last_run_timestamp_seconds", "check" => name.clone())
        .set(crate::human_time::seconds_since_epoch(result.timestamp));
    metrics::gauge!("healthcheck_check_flapping", "check" => name.clone())
        .set(if result.flapping { 1.0 } else { 0.0 });
    metrics::gauge!("healthcheck_check_state_change_percent", "check" => name.clone())
        .set(result.state_change_percent);
    if let Some(from) = changes.told_from {
        metrics::counter!(
            "healthcheck_check_transitions_total",
            "check" => name,
            "from" => from.as_str(),
            "to" => result.status.as_str(),
        )
        .increment(1);
    }
}

/// The application's phase has changed to `phase`.
pub(crate) fn phase_changed(phase: Phase) {
    #[cfg(feature = "metrics")]
    for each in PHASES {
        let value = if each == phase { 1.0 } else { 0.0 };
        metrics::gauge!("healthcheck_phase", "phase" => each.as_str()).set(value);
    }
    #[cfg(feature = "tracing")]
    tracing::info!(target: "healthcheck", phase = phase.as_str(), "application phase changed");
    #[cfg(not(any(feature = "metrics", feature = "tracing")))]
    let _ = phase;
}

/// A `#[derive(Checker)]` struct with `instance` was never added to the registry built:
/// it will never run. Told to `tracing` (warning), else on standard error.
pub(crate) fn instance_never_added(name: &str, location: Location) {
    let message = format!(
        "the `instance` checker `{name}` ({location}) was never added with `Builder::checker` or `Check::from_checker`: it will never run"
    );
    #[cfg(feature = "tracing")]
    tracing::warn!(target: "healthcheck", check = name, "{message}");
    #[cfg(not(feature = "tracing"))]
    eprintln!("healthcheck: {message}");
}

/// What a run's span is a child of: the span of the caller that started the run, taken
/// where it starts it (the span itself is made later, on the run's task).
#[derive(Clone)]
pub(crate) struct RunParent(#[cfg(feature = "tracing")] tracing::Span);

/// The caller's span now, for the runs it starts.
pub(crate) fn run_parent() -> RunParent {
    RunParent(
        #[cfg(feature = "tracing")]
        tracing::Span::current(),
    )
}

/// The span a run of `check` runs in, a child of `parent`; its `result` and `duration`
/// are filled in when the run ends.
#[cfg(feature = "tracing")]
pub(crate) fn run_span(check: &Check, parent: &RunParent) -> tracing::Span {
    let kinds: Vec<&str> = check.kinds.iter().map(|kind| kind.as_str()).collect();
    tracing::info_span!(
        target: "healthcheck",
        parent: &parent.0,
        "healthcheck.run",
        check = %check.name,
        kind = %kinds.join(","),
        group = %check.group,
        result = tracing::field::Empty,
        duration = tracing::field::Empty,
    )
}

#[cfg(feature = "tracing")]
fn trace_run_end(check: &Check, outcome: Outcome, result: &CheckResult, changes: RunChanges) {
    let previous = changes.previous;
    let span = tracing::Span::current();
    span.record("result", outcome.as_str());
    span.record("duration", tracing::field::debug(result.response_time));
    let was = previous.map(|previous| previous.status);
    if was != Some(result.status) && !(was.is_none() && result.status == HealthStatus::Pass) {
        let from = was.map_or("none", HealthStatus::as_str);
        let to = result.status.as_str();
        let output = result.output.as_str();
        let name = check.name.as_str();
        if was == Some(HealthStatus::Fail) || result.status == HealthStatus::Fail {
            tracing::warn!(target: "healthcheck", check = name, from, to, output, "check status changed");
        } else {
            tracing::info!(target: "healthcheck", check = name, from, to, output, "check status changed");
        }
    }
    if changes.flapping_changed {
        let name = check.name.as_str();
        let percent = result.state_change_percent;
        if result.flapping {
            tracing::warn!(target: "healthcheck", check = name, state_change_percent = percent, "check started flapping");
        } else {
            tracing::info!(target: "healthcheck", check = name, state_change_percent = percent, "check stopped flapping");
        }
    }
    let new_timeout = previous.is_none_or(|previous| previous.outcome != Outcome::Timeout);
    if outcome == Outcome::Timeout && new_timeout {
        tracing::warn!(
            target: "healthcheck",
            check = check.name.as_str(),
            output = result.output.as_str(),
            "check timed out"
        );
    }
}

/// A check's panic, told once when it starts panicking (not on every run after).
fn report_panic(check: &Check, panic: &CheckPanic) {
    let location = panic.location.as_deref().unwrap_or("an unknown place");
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "healthcheck",
        check = check.name.as_str(),
        location,
        message = panic.message.as_str(),
        "check panicked"
    );
    #[cfg(not(feature = "tracing"))]
    eprintln!(
        "healthcheck: check `{}` panicked at {location}: {} (reported once until it stops panicking)",
        check.name, panic.message
    );
}
