//! The Prometheus text exposition format (version 0.0.4), for scraping health without
//! a metrics exporter.

use std::fmt::Write;

use http::{Response, StatusCode};

use super::{Format, Rendering, Reuse, response};
use crate::health::HealthStatus;
use crate::human_time::seconds_since_epoch;
use crate::report::Report;
use crate::stats::{DURATION_BUCKETS, Outcome, PHASES, status_value};

/// The same series the `metrics` feature records, rendered from the report:
/// `healthcheck_check_status{check,group,kind}` (1 pass, 0.5 warn, 0 fail; one series
/// per kind the check answers), `healthcheck_check_duration_seconds` (histogram),
/// `healthcheck_check_runs_total{check,result}`,
/// `healthcheck_check_last_run_timestamp_seconds{check}`, `healthcheck_check_flapping{check}`
/// (1 or 0), `healthcheck_check_state_change_percent{check}`,
/// `healthcheck_check_transitions_total{check,from,to}` (the changes there have been),
/// `healthcheck_check_blocked{check,by}` (1 per root cause of a blocked check) and
/// `healthcheck_phase{phase}`.
///
/// Answers 200 whatever the health (a 4xx for a bad request stays): Prometheus drops a
/// scrape that gets a 5xx, so a failing instance would vanish instead of showing its
/// failing series. The health is in the values.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prometheus;

impl Format for Prometheus {
    fn media_type(&self) -> &'static str {
        "text/plain; version=0.0.4; charset=utf-8"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        let status = if rendering.status.is_client_error() {
            rendering.status
        } else {
            StatusCode::OK
        };
        response(status, self.media_type(), exposition(report))
    }

    fn reuse(&self) -> Reuse {
        Reuse::AsWritten
    }
}

/// The exposition text of `report`.
fn exposition(report: &Report) -> String {
    let mut out = String::with_capacity(256 + report.results.len() * 1024);
    let results = &report.results;
    family(
        &mut out,
        "healthcheck_check_status",
        "gauge",
        "The check's last result: 1 pass, 0.5 warn, 0 fail.",
    );
    for result in results {
        let value = status_value(result.status);
        match result.stats() {
            Some(stats) if !stats.kinds.is_empty() => {
                for kind in stats.kinds.iter() {
                    let labels = [
                        ("check", result.checker.as_str()),
                        ("group", result.group.as_str()),
                        ("kind", kind.as_str()),
                    ];
                    sample(&mut out, "healthcheck_check_status", &labels, value);
                }
            }
            _ => {
                let labels = [
                    ("check", result.checker.as_str()),
                    ("group", result.group.as_str()),
                ];
                sample(&mut out, "healthcheck_check_status", &labels, value);
            }
        }
    }
    let with_stats = || {
        results
            .iter()
            .filter_map(|result| result.stats().map(|stats| (&**result, stats)))
    };
    family(
        &mut out,
        "healthcheck_check_duration_seconds",
        "histogram",
        "How long the check's runs took.",
    );
    for (result, stats) in with_stats() {
        let check = result.checker.as_str();
        let bounds = DURATION_BUCKETS.iter().map(|bound| bound.to_string());
        for (bound, runs) in bounds
            .chain(["+Inf".to_owned()])
            .zip(stats.cumulative_buckets())
        {
            let labels = [("check", check), ("le", bound.as_str())];
            sample(
                &mut out,
                "healthcheck_check_duration_seconds_bucket",
                &labels,
                runs as f64,
            );
        }
        let labels = [("check", check)];
        let name = "healthcheck_check_duration_seconds";
        sample(
            &mut out,
            &format!("{name}_sum"),
            &labels,
            stats.total_seconds(),
        );
        sample(
            &mut out,
            &format!("{name}_count"),
            &labels,
            stats.total_runs() as f64,
        );
    }
    family(
        &mut out,
        "healthcheck_check_runs_total",
        "counter",
        "The check's runs by how they ended: pass, warn, fail, timeout, panic.",
    );
    for (result, stats) in with_stats() {
        for outcome in Outcome::ALL {
            let labels = [
                ("check", result.checker.as_str()),
                ("result", outcome.as_str()),
            ];
            let runs = stats.runs(outcome) as f64;
            sample(&mut out, "healthcheck_check_runs_total", &labels, runs);
        }
    }
    family(
        &mut out,
        "healthcheck_check_last_run_timestamp_seconds",
        "gauge",
        "When the check's last run ended, in seconds since the Unix epoch.",
    );
    for (result, stats) in with_stats() {
        if let Some(ended) = stats.last_run {
            let labels = [("check", result.checker.as_str())];
            let name = "healthcheck_check_last_run_timestamp_seconds";
            sample(&mut out, name, &labels, seconds_since_epoch(ended));
        }
    }
    family(
        &mut out,
        "healthcheck_check_flapping",
        "gauge",
        "Whether the check is flapping: 1 or 0.",
    );
    for (result, _) in with_stats() {
        let labels = [("check", result.checker.as_str())];
        let value = if result.flapping { 1.0 } else { 0.0 };
        sample(&mut out, "healthcheck_check_flapping", &labels, value);
    }
    family(
        &mut out,
        "healthcheck_check_state_change_percent",
        "gauge",
        "The check's weighted percent state change over its last 21 runs (Nagios').",
    );
    for (result, _) in with_stats() {
        let labels = [("check", result.checker.as_str())];
        let name = "healthcheck_check_state_change_percent";
        sample(&mut out, name, &labels, result.state_change_percent);
    }
    family(
        &mut out,
        "healthcheck_check_transitions_total",
        "counter",
        "Changes of the check's reported status, by from and to (a first result that is not a pass: from pass).",
    );
    for (result, stats) in with_stats() {
        for (from, to) in TRANSITIONS {
            let count = stats.transitions(from, to);
            if count > 0 {
                let labels = [
                    ("check", result.checker.as_str()),
                    ("from", from.as_str()),
                    ("to", to.as_str()),
                ];
                let name = "healthcheck_check_transitions_total";
                sample(&mut out, name, &labels, count as f64);
            }
        }
    }
    family(
        &mut out,
        "healthcheck_check_blocked",
        "gauge",
        "1 for each root cause a blocked check waits on (no series while it is not blocked).",
    );
    for result in results {
        for root in &result.blocked_by {
            let labels = [("check", result.checker.as_str()), ("by", root.as_str())];
            sample(&mut out, "healthcheck_check_blocked", &labels, 1.0);
        }
    }
    family(
        &mut out,
        "healthcheck_phase",
        "gauge",
        "The application's phase: 1 for the current one.",
    );
    for phase in PHASES {
        let value = if phase == report.phase { 1.0 } else { 0.0 };
        sample(
            &mut out,
            "healthcheck_phase",
            &[("phase", phase.as_str())],
            value,
        );
    }
    out
}

/// Every change of status there can be, in the order the series are written.
const TRANSITIONS: [(HealthStatus, HealthStatus); 6] = [
    (HealthStatus::Pass, HealthStatus::Warn),
    (HealthStatus::Pass, HealthStatus::Fail),
    (HealthStatus::Warn, HealthStatus::Pass),
    (HealthStatus::Warn, HealthStatus::Fail),
    (HealthStatus::Fail, HealthStatus::Pass),
    (HealthStatus::Fail, HealthStatus::Warn),
];

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push_str(name);
    out.push('{');
    for (index, (label, text)) in labels.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(label);
        out.push_str("=\"");
        escape_label(out, text);
        out.push('"');
    }
    out.push_str("} ");
    write_value(out, value);
    out.push('\n');
}

/// A label value as the format wants it: backslash, double quote and line feed escaped.
fn escape_label(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// A sample value: Go's float syntax, which Rust's `Display` for finite values matches.
fn write_value(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{value}");
    }
}

#[cfg(test)]
mod tests {
    use super::escape_label;

    #[test]
    fn label_values_escape_backslash_quote_and_newline() {
        let mut out = String::new();
        escape_label(&mut out, "a\\b\"c\nd");
        assert_eq!(out, "a\\\\b\\\"c\\nd");
    }
}
