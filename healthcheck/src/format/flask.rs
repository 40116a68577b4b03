//! The Flask healthcheck format, the default: the report itself as JSON.

use http::Response;

use super::{Format, Rendering, response};
use crate::report::{Report, Status, push_float_field, push_str_field, seconds_since_epoch};

/// The Flask healthcheck JSON: `status`, `timestamp`, `hostname`, `results` with
/// `checker`, `output`, `passed`, `timestamp`, `expires`; plus `phase`, and per result
/// `response_time`, `status` (pass / warn / fail), `group` and `details`.
///
/// The top-level `status` follows the status code, so the body never contradicts it:
/// `success` on a 2xx, `failure` otherwise (a 503 while every check passes, as when
/// STARTING or STOPPING; the `phase` says why).
#[derive(Debug, Clone, Copy, Default)]
pub struct Flask;

impl Format for Flask {
    fn media_type(&self) -> &'static str {
        "application/json"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        let status = if rendering.status.is_success() {
            Status::Success
        } else {
            Status::Failure
        };
        response(rendering.status, self.media_type(), body(report, status))
    }
}

/// The report as JSON with `status` at the top, field for field what serializing
/// `{status, timestamp, hostname, phase, results}` writes. A cached result's JSON is
/// kept with it (a cached result never changes), so a probe answered from the cache
/// writes only the top-level fields and copies the rest, already known to be text.
fn body(report: &Report, status: Status) -> String {
    let results: usize = report
        .results
        .iter()
        .map(|result| result.kept_json_len().unwrap_or(FRESH_RESULT_LEN) + 1)
        .sum();
    let mut out = String::with_capacity(results + report.hostname.len() + 128);
    let mut scratch = Vec::new();
    // The status and the phase are fixed ASCII words: nothing to escape.
    out.push_str(match status {
        Status::Success => "{\"status\":\"success\"",
        Status::Failure => "{\"status\":\"failure\"",
    });
    let timestamp = seconds_since_epoch(report.timestamp);
    push_float_field(&mut out, ",\"timestamp\":", timestamp);
    push_str_field(&mut out, &mut scratch, ",\"hostname\":", &report.hostname);
    out.push_str(",\"phase\":\"");
    out.push_str(report.phase.as_str());
    out.push_str("\",\"results\":[");
    for (index, result) in report.results.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        result.write_json(&mut out, &mut scratch);
    }
    out.push_str("]}");
    out
}

/// About the length of a result not written yet (a short name and output), so the
/// body of an uncached report is rarely copied as it grows.
const FRESH_RESULT_LEN: usize = 192;

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    use serde::Serialize;

    use super::body;
    use crate::lifecycle::Phase;
    use crate::report::{CheckResult, Report, Status};

    #[test]
    fn the_body_is_what_serializing_the_report_writes_and_only_a_cached_result_is_kept() {
        let mut passed = CheckResult::failed_now("db \"primary\"", "line\nbreak é");
        passed.passed = true;
        passed.status = crate::HealthStatus::Pass;
        passed.response_time = Duration::from_micros(1234);
        passed.details.insert("observedValue".into(), 48.into());
        // Cached for a while: its JSON is kept. The failed one's TTL is zero: never kept.
        passed.expires = passed.timestamp + Duration::from_secs(10);
        let failed = CheckResult::failed_now("queue", "connection refused");
        let results = vec![Arc::new(passed), Arc::new(failed)];
        #[derive(Serialize)]
        struct Expected<'a> {
            status: Status,
            #[serde(serialize_with = "crate::report::epoch_seconds")]
            timestamp: SystemTime,
            hostname: &'a str,
            phase: Phase,
            results: &'a [Arc<CheckResult>],
        }
        let expected = |report: &Report, status| {
            serde_json::to_string(&Expected {
                status,
                timestamp: report.timestamp,
                hostname: &report.hostname,
                phase: report.phase,
                results: &report.results,
            })
            .unwrap()
        };
        // Hostnames copied as they are, and ones serde_json escapes; every status and phase.
        let hostnames = [
            "web-1.example",
            "é-ü",
            "host \"a\"",
            "back\\slash",
            "tab\there",
            "\u{7f}",
        ];
        let phases = [
            Phase::Starting,
            Phase::Up,
            Phase::Down,
            Phase::Stopping,
            Phase::Stopped,
        ];
        for (hostname, phase) in hostnames.into_iter().zip(phases.into_iter().cycle()) {
            let report = Report::new(hostname, phase, results.clone());
            for status in [Status::Success, Status::Failure] {
                assert_eq!(body(&report, status), expected(&report, status));
            }
        }
        let report = Report::new("host", Phase::Down, results);
        let expected = expected(&report, Status::Failure);
        // The second time, the cached result from its kept JSON: the same bytes.
        assert_eq!(body(&report, Status::Failure), expected);
    }
}
