//! The Flask healthcheck format, the default: the report itself as JSON.

use std::ops::Range;
use std::time::SystemTime;

use http::Response;

use super::{Format, Rendering, response};
use crate::report::{
    FloatText, Report, Status, needs_no_escape, push_str_field, seconds_since_epoch,
};

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
    // The status and the phase are fixed ASCII words: nothing to escape.
    let head = match status {
        Status::Success => "{\"status\":\"success\"",
        Status::Failure => "{\"status\":\"failure\"",
    };
    let timestamp = FloatText::new(seconds_since_epoch(report.timestamp));
    let timestamp = timestamp.as_str();
    let phase = report.phase.as_str();
    // Sized exactly when every result's JSON is kept and the hostname needs no escaping
    // (a cached probe): a body whose length is its capacity becomes the response's bytes
    // with no allocation of its own (bytes' `From<Vec<u8>>`), where a roomier one costs one.
    let hostname = report.hostname.len() + 2;
    let hostname = if needs_no_escape(&report.hostname) {
        hostname
    } else {
        hostname + 16
    };
    let results: usize = report
        .results
        .iter()
        .map(|result| result.kept_json_len().unwrap_or(FRESH_RESULT_LEN))
        .sum::<usize>()
        + report.results.len().saturating_sub(1);
    let length = head.len()
        + TIMESTAMP.len()
        + timestamp.len()
        + HOSTNAME.len()
        + hostname
        + PHASE.len()
        + phase.len()
        + RESULTS.len()
        + results
        + END.len();
    let mut out = String::with_capacity(length);
    let mut scratch = Vec::new();
    out.push_str(head);
    out.push_str(TIMESTAMP);
    out.push_str(timestamp);
    push_str_field(&mut out, &mut scratch, HOSTNAME, &report.hostname);
    out.push_str(PHASE);
    out.push_str(phase);
    out.push_str(RESULTS);
    for (index, result) in report.results.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        result.write_json(&mut out, &mut scratch);
    }
    out.push_str(END);
    out
}

/// A body [`body`] wrote, kept to be written again with its top-level `timestamp` made
/// later and all else as it was: the answer to a report made again from the same
/// results. Where the timestamp lies is found once, when kept; searching for it on
/// every answer cost a kept probe ~1,080 instructions (callgrind).
#[derive(Debug)]
pub(crate) struct KeptBody {
    text: String,
    /// Where the top-level timestamp's digits start and end in `text`.
    timestamp: Range<usize>,
}

impl KeptBody {
    /// `None` for a body with no top-level timestamp to write again.
    pub(crate) fn new(body: &str) -> Option<Self> {
        // The top-level timestamp follows the status: the first of its key, ended by the
        // comma before the hostname (a number has none).
        let start = body.find(TIMESTAMP)? + TIMESTAMP.len();
        let end = start + body[start..].find(',')?;
        Some(KeptBody {
            text: body.to_owned(),
            timestamp: start..end,
        })
    }

    /// The body with its top-level timestamp `now`, sized exactly.
    pub(crate) fn at(&self, now: SystemTime) -> String {
        let timestamp = FloatText::new(seconds_since_epoch(now));
        let timestamp = timestamp.as_str();
        let (before, after) = (
            &self.text[..self.timestamp.start],
            &self.text[self.timestamp.end..],
        );
        let mut out = String::with_capacity(before.len() + timestamp.len() + after.len());
        out.push_str(before);
        out.push_str(timestamp);
        out.push_str(after);
        out
    }
}

const TIMESTAMP: &str = ",\"timestamp\":";
const HOSTNAME: &str = ",\"hostname\":";
const PHASE: &str = ",\"phase\":\"";
const RESULTS: &str = "\",\"results\":[";
const END: &str = "]}";

/// About the length of a result not written yet (a short name and output), so the
/// body of an uncached report is rarely copied as it grows.
const FRESH_RESULT_LEN: usize = 192;

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::{KeptBody, body};
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
        let expected = |report: &Report, status| {
            let mut report = report.clone();
            report.status = status;
            serde_json::to_string(&report).unwrap()
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

    #[test]
    fn a_cached_probes_body_is_sized_exactly_so_its_bytes_need_no_allocation() {
        let mut cached = CheckResult::failed_now("db", "ok");
        cached.passed = true;
        cached.expires = cached.timestamp + Duration::from_secs(60);
        let cached = Arc::new(cached);
        let mut scratch = Vec::new();
        // A first write keeps the result's JSON, as the probe that ran it does.
        cached.write_json(&mut String::new(), &mut scratch);
        for results in [
            vec![],
            vec![Arc::clone(&cached)],
            vec![Arc::clone(&cached); 3],
        ] {
            let report = Report::new("web-1.example", Phase::Up, results);
            for status in [Status::Success, Status::Failure] {
                let body = body(&report, status);
                // Bytes takes a `Vec` whose length is its capacity without allocating.
                assert_eq!(body.len(), body.capacity(), "{body}");
            }
        }
    }

    #[test]
    fn a_kept_body_written_again_is_the_body_of_the_same_results_at_the_new_time() {
        let mut cached = CheckResult::failed_now("timestamp", ",\"timestamp\":1,");
        cached.passed = true;
        cached.expires = cached.timestamp + Duration::from_secs(60);
        let results = vec![Arc::new(cached)];
        // A hostname that reads like the key: JSON escapes its quotes, so the top-level
        // timestamp is still the first of its key.
        let mut report = Report::new(",\"timestamp\":2,", Phase::Up, results);
        let kept = KeptBody::new(&body(&report, Status::Success)).unwrap();
        for later in [1, 1_000, 86_400_000] {
            report.timestamp += Duration::from_micros(later);
            let again = kept.at(report.timestamp);
            assert_eq!(again, body(&report, Status::Success));
            assert_eq!(again.len(), again.capacity());
        }
        // A body with no top-level timestamp is not kept, rather than written wrong.
        assert!(KeptBody::new("{\"status\":\"success\"}").is_none());
        assert!(KeptBody::new("{\"status\":\"success\",\"timestamp\":1}").is_none());
    }
}
