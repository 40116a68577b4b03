//! The report of one run: plain data in the Flask-healthcheck shape, no I/O.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::ser::{Serialize, SerializeStruct, Serializer};

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
}

/// One check's result. A cached result keeps the `timestamp` and `expires` of the run
/// that produced it.
///
/// Serialized in the Flask shape plus `response_time`, `status` and `details`.
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
    /// The check's runs up to this one; none for a result no run made ("not found").
    pub(crate) stats: Option<Arc<RunStats>>,
    /// This result's JSON, written the first time a report shows it: a cached result
    /// is shared and never changed, so every later probe copies the text.
    pub(crate) json: JsonOnce,
}

/// A result's JSON, written at most once. Not part of a result's value: equal results
/// are equal whether or not theirs was written, and a clone (which may then be
/// changed) starts without it.
#[derive(Default)]
pub(crate) struct JsonOnce(OnceLock<String>);

impl Clone for JsonOnce {
    fn clone(&self) -> Self {
        JsonOnce::default()
    }
}

impl PartialEq for JsonOnce {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for JsonOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonOnce")
    }
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
            stats: None,
            json: JsonOnce::default(),
        }
    }

    /// Appends this result's JSON to `out`: the text kept from an earlier report if
    /// there is one (valid text already, so a cached probe copies it unchecked), else
    /// written now through `scratch`, and kept when the cache will show this result
    /// again (it outlives its run: `expires` after `timestamp`).
    pub(crate) fn write_json(&self, out: &mut String, scratch: &mut Vec<u8>) {
        if let Some(text) = self.json.0.get() {
            out.push_str(text);
            return;
        }
        scratch.clear();
        self.write_fields(scratch);
        let text = std::str::from_utf8(scratch).expect("JSON text is UTF-8");
        out.push_str(text);
        if self.expires > self.timestamp {
            // Another report may have kept it first: the same text either way.
            let _ = self.json.0.set(text.to_owned());
        }
    }

    /// The result's fields as its `Serialize` writes them, keys as literals.
    fn write_fields(&self, out: &mut Vec<u8>) {
        write_field(out, b"{\"checker\":", &self.checker);
        write_field(out, b",\"output\":", &self.output);
        write_field(out, b",\"passed\":", &self.passed);
        write_field(out, b",\"status\":", &self.status);
        if !self.group.is_empty() {
            write_field(out, b",\"group\":", &self.group);
        }
        if !self.details.is_empty() {
            write_field(out, b",\"details\":", &self.details);
        }
        let timestamp = seconds_since_epoch(self.timestamp);
        write_field(out, b",\"timestamp\":", &timestamp);
        let expires = seconds_since_epoch(self.expires);
        write_field(out, b",\"expires\":", &expires);
        let response_time = self.response_time.as_secs_f64();
        write_field(out, b",\"response_time\":", &response_time);
        out.push(b'}');
    }

    /// The length of this result's JSON if it was kept, for sizing a body.
    pub(crate) fn kept_json_len(&self) -> Option<usize> {
        self.json.0.get().map(String::len)
    }

    /// The check's runs up to the one that made this result, for metrics; none for a
    /// result no run made (a name no check has, a check not run yet).
    pub fn stats(&self) -> Option<&RunStats> {
        self.stats.as_deref()
    }
}

impl Report {
    /// Builds a report stamped now; the status follows from the results. For testing a
    /// [`Format`](crate::format::Format) of your own; the registry makes reports.
    #[doc(hidden)]
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

/// `"success"` or `"failure"`.
impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (index, name) = match self {
            Status::Success => (0, "success"),
            Status::Failure => (1, "failure"),
        };
        serializer.serialize_unit_variant("Status", index, name)
    }
}

/// `{"status", "timestamp", "hostname", "phase", "results"}`, times in float seconds
/// since the epoch.
impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("Report", 5)?;
        fields.serialize_field("status", &self.status)?;
        fields.serialize_field("timestamp", &seconds_since_epoch(self.timestamp))?;
        fields.serialize_field("hostname", &*self.hostname)?;
        fields.serialize_field("phase", &self.phase)?;
        fields.serialize_field("results", &self.results)?;
        fields.end()
    }
}

/// The Flask fields `checker`, `output`, `passed`, `timestamp`, `expires`, plus
/// `status`, `group` and `details` (left out when empty) and `response_time` in
/// seconds; the same text `write_fields` writes.
impl Serialize for CheckResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 7 + usize::from(!self.group.is_empty()) + usize::from(!self.details.is_empty());
        let mut fields = serializer.serialize_struct("CheckResult", len)?;
        fields.serialize_field("checker", &self.checker)?;
        fields.serialize_field("output", &self.output)?;
        fields.serialize_field("passed", &self.passed)?;
        fields.serialize_field("status", &self.status)?;
        let group = Some(&self.group).filter(|group| !group.is_empty());
        optional_field(&mut fields, "group", group)?;
        let details = Some(&self.details).filter(|details| !details.is_empty());
        optional_field(&mut fields, "details", details)?;
        fields.serialize_field("timestamp", &seconds_since_epoch(self.timestamp))?;
        fields.serialize_field("expires", &seconds_since_epoch(self.expires))?;
        fields.serialize_field("response_time", &self.response_time.as_secs_f64())?;
        fields.end()
    }
}

/// Writes `value` under `key` when there is one, else skips the field, as a derived
/// `skip_serializing_if` does.
pub(crate) fn optional_field<F: SerializeStruct>(
    fields: &mut F,
    key: &'static str,
    value: Option<&(impl Serialize + ?Sized)>,
) -> Result<(), F::Error> {
    match value {
        Some(value) => fields.serialize_field(key, value),
        None => fields.skip_field(key),
    }
}

/// `name` (JSON text: a separator, a quoted key, a colon) then `value` as JSON, written
/// straight into `out`: no string per field.
pub(crate) fn write_field(out: &mut Vec<u8>, name: &[u8], value: &impl Serialize) {
    out.extend_from_slice(name);
    serde_json::to_writer(out, value).expect("plain values always serialize");
}

/// A float as serde_json writes it, on the stack: a probe's fresh timestamp allocates
/// nothing, and its length is known before the body is sized.
pub(crate) struct FloatText {
    // At most 24 bytes ("-1.7976931348623157e308"); `null` when not finite.
    buffer: [u8; 32],
    len: usize,
}

impl FloatText {
    pub(crate) fn new(value: f64) -> Self {
        let mut buffer = [0u8; 32];
        let mut rest = &mut buffer[..];
        serde_json::to_writer(&mut rest, &value).expect("a float's JSON fits 32 bytes");
        let len = 32 - rest.len();
        FloatText { buffer, len }
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buffer[..self.len]).expect("JSON text is UTF-8")
    }
}

/// Whether `text` is its own JSON between quotes: nothing serde_json escapes (`"`, `\\`,
/// control characters).
pub(crate) fn needs_no_escape(text: &str) -> bool {
    text.bytes()
        .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\')
}

/// Appends `name` and `text` as a JSON string: copied between quotes when it needs no
/// escaping, else escaped by serde_json through `scratch` (only the string's bytes are
/// checked as text, not the body).
pub(crate) fn push_str_field(out: &mut String, scratch: &mut Vec<u8>, name: &str, text: &str) {
    out.push_str(name);
    if needs_no_escape(text) {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        scratch.clear();
        serde_json::to_writer(&mut *scratch, text).expect("a string always serializes");
        out.push_str(std::str::from_utf8(scratch).expect("JSON text is UTF-8"));
    }
}

/// `time` as float seconds since the Unix epoch (0 before it), as Python's
/// `time.time()` gives them.
pub(crate) fn seconds_since_epoch(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use super::{CheckResult, FloatText, Report, Status};
    use crate::health::HealthStatus;
    use crate::lifecycle::Phase;

    #[test]
    fn a_report_serializes_to_the_flask_fields_in_order_with_empty_group_and_details_left_out() {
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
        assert_eq!(report.status, Status::Failure);
        assert_eq!(
            serde_json::to_string(&report).unwrap(),
            concat!(
                r#"{"status":"failure","timestamp":1763820001.5,"hostname":"web-1","phase":"DOWN","#,
                r#""results":[{"checker":"db","output":"pool \"low\"","passed":true,"#,
                r#""status":"warn","group":"storage","details":{"observedValue":48},"#,
                r#""timestamp":1763820000.25,"expires":1763820010.25,"response_time":0.0015},"#,
                r#"{"checker":"queue","output":"refused","passed":false,"status":"fail","#,
                r#""timestamp":1763820000.0,"expires":1763820000.0,"response_time":0.0}]}"#,
            )
        );
    }

    #[test]
    fn a_float_on_the_stack_is_what_serde_json_writes_for_any_value() {
        let values = [
            1_763_820_000.123_456,
            1_763_820_000.0,
            0.0,
            -0.0,
            1e16,
            5e-324,
            f64::MAX,
            f64::MIN,
            f64::NAN,
            f64::INFINITY,
        ];
        for value in values {
            let expected = serde_json::to_string(&value).unwrap();
            assert_eq!(FloatText::new(value).as_str(), expected, "{value:?}");
        }
    }
}
