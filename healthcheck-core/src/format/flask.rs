//! The Flask healthcheck format, the default: how a report is written as Flask's JSON.
//! This module is the one place that JSON is written.

use std::fmt;
use std::time::SystemTime;

use http::Response;
use serde::Serialize;

use super::{Format, Rendering, Reuse, response};
use crate::human_time::seconds_since_epoch;
use crate::report::{CheckResult, Report};

/// The Flask healthcheck JSON: `status`, `timestamp`, `hostname`, `results` with
/// `checker`, `output`, `passed`, `timestamp`, `expires`; plus `phase`, and per result
/// `status` (pass / warn / fail), `group` and `details` (left out when empty),
/// `response_time`, `flapping` and `state_change_percent` (see [`History`](crate::History)),
/// `blocked_by` (left out when empty); and at the top `root_causes` and `quorums`
/// (`{"replicas": {"passed": 2, "of": 3, "needed": 2}}`), each left out when empty. Times are float seconds since the Unix epoch, as Python's
/// `time.time()` gives them.
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
        let body = body(report, rendering.status.is_success());
        response(rendering.status, self.media_type(), body)
    }

    fn reuse(&self) -> Reuse {
        Reuse::WithTimestamp(write_timestamp)
    }
}

/// The report as Flask's JSON, its top-level `status` `success` or `failure`.
fn body(report: &Report, success: bool) -> String {
    let mut out = Vec::with_capacity(128 + report.results.len() * 192);
    out.extend_from_slice(if success {
        b"{\"status\":\"success\""
    } else {
        b"{\"status\":\"failure\""
    });
    out.extend_from_slice(b",\"timestamp\":");
    write_seconds(&mut out, report.timestamp);
    field(&mut out, b",\"hostname\":", &*report.hostname);
    field(&mut out, b",\"phase\":", report.phase.as_str());
    if !report.root_causes.is_empty() {
        field(&mut out, b",\"root_causes\":", &report.root_causes);
    }
    if !report.quorums.is_empty() {
        out.extend_from_slice(b",\"quorums\":{");
        for (index, quorum) in report.quorums.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            field(&mut out, b"", &quorum.group);
            out.extend_from_slice(b":{\"passed\":");
            field(&mut out, b"", &quorum.passed);
            field(&mut out, b",\"of\":", &quorum.of);
            field(&mut out, b",\"needed\":", &quorum.needed);
            out.push(b'}');
        }
        out.push(b'}');
    }
    out.extend_from_slice(b",\"results\":[");
    for (index, result) in report.results.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_result(&mut out, result);
    }
    out.extend_from_slice(b"]}");
    String::from_utf8(out).expect("JSON text is UTF-8")
}

/// One result's object.
fn write_result(out: &mut Vec<u8>, result: &CheckResult) {
    field(out, b"{\"checker\":", &result.checker);
    field(out, b",\"output\":", &result.output);
    field(out, b",\"passed\":", &result.passed);
    field(out, b",\"status\":", result.status.as_str());
    if !result.group.is_empty() {
        field(out, b",\"group\":", &result.group);
    }
    if !result.details.is_empty() {
        field(out, b",\"details\":", &result.details);
    }
    if !result.blocked_by.is_empty() {
        field(out, b",\"blocked_by\":", &result.blocked_by);
    }
    out.extend_from_slice(b",\"timestamp\":");
    write_seconds(out, result.timestamp);
    out.extend_from_slice(b",\"expires\":");
    write_seconds(out, result.expires);
    field(
        out,
        b",\"response_time\":",
        &result.response_time.as_secs_f64(),
    );
    field(out, b",\"flapping\":", &result.flapping);
    field(
        out,
        b",\"state_change_percent\":",
        &result.state_change_percent,
    );
    out.push(b'}');
}

/// `key` (JSON text: a separator, a quoted key, a colon) then `value` as JSON.
fn field(out: &mut Vec<u8>, key: &[u8], value: &(impl Serialize + ?Sized)) {
    out.extend_from_slice(key);
    serde_json::to_writer(out, value).expect("strings, numbers and maps always serialize");
}

/// `time` as float seconds since the Unix epoch (0 before it).
fn write_seconds(out: &mut Vec<u8>, time: SystemTime) {
    serde_json::to_writer(out, &seconds_since_epoch(time)).expect("a float always serializes");
}

/// The top-level timestamp as [`body`] writes it (a time is always finite, which
/// serde_json writes through this same writer), for the answer cache to write a fresh
/// one into a body it gives again.
fn write_timestamp(time: SystemTime, out: &mut dyn fmt::Write) -> fmt::Result {
    out.write_str(zmij::Buffer::new().format_finite(seconds_since_epoch(time)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use super::body;
    use crate::health::HealthStatus;
    use crate::lifecycle::Phase;
    use crate::report::{CheckResult, Report};

    #[test]
    fn a_report_is_written_as_the_flask_fields_in_order_with_empty_group_and_details_left_out() {
        let mut warned = CheckResult::failed_now("db", "pool \"low\"");
        warned.passed = true;
        warned.status = HealthStatus::Warn;
        warned.group = "storage".into();
        warned.details.insert("observedValue".into(), 48.into());
        warned.timestamp = UNIX_EPOCH + Duration::from_millis(1_763_820_000_250);
        warned.expires = warned.timestamp + Duration::from_secs(10);
        warned.response_time = Duration::from_micros(1_500);
        let mut failed = CheckResult::failed_now("queue", "refused");
        failed.timestamp = UNIX_EPOCH + Duration::from_secs(1_763_820_000);
        failed.expires = failed.timestamp;
        let mut report = Report::new(
            "web-1",
            Phase::Down,
            vec![Arc::new(warned), Arc::new(failed)],
        );
        report.timestamp = UNIX_EPOCH + Duration::from_millis(1_763_820_001_500);
        assert_eq!(
            body(&report, false),
            concat!(
                r#"{"status":"failure","timestamp":1763820001.5,"hostname":"web-1","phase":"DOWN","#,
                r#""root_causes":["queue"],"#,
                r#""results":[{"checker":"db","output":"pool \"low\"","passed":true,"#,
                r#""status":"warn","group":"storage","details":{"observedValue":48},"#,
                r#""timestamp":1763820000.25,"expires":1763820010.25,"response_time":0.0015,"flapping":false,"state_change_percent":0.0},"#,
                r#"{"checker":"queue","output":"refused","passed":false,"status":"fail","#,
                r#""timestamp":1763820000.0,"expires":1763820000.0,"response_time":0.0,"flapping":false,"state_change_percent":0.0}]}"#,
            )
        );
    }

    #[test]
    fn the_timestamp_is_written_as_serde_json_writes_any_time() {
        for micros in [
            0,
            1,
            1_763_820_000_000_000,
            1_763_820_000_123_456,
            u64::MAX / 2,
        ] {
            let time = UNIX_EPOCH + Duration::from_micros(micros);
            let mut text = String::new();
            super::write_timestamp(time, &mut text).unwrap();
            let mut expected = Vec::new();
            super::write_seconds(&mut expected, time);
            assert_eq!(text.as_bytes(), expected, "{micros}");
        }
    }

    #[test]
    fn strings_are_escaped_wherever_they_are() {
        let result = CheckResult::failed_now("db \"primary\"", "line\nbreak é \\");
        let report = Report::new("host \"a\"\t", Phase::Up, vec![Arc::new(result)]);
        let text = body(&report, true);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["hostname"], "host \"a\"\t");
        assert_eq!(parsed["results"][0]["checker"], "db \"primary\"");
        assert_eq!(parsed["results"][0]["output"], "line\nbreak é \\");
    }
}
