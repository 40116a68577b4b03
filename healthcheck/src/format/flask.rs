//! The Flask healthcheck format, the default: the report itself as JSON.

use std::sync::Arc;
use std::time::SystemTime;

use http::Response;
use serde::Serialize;

use super::{Format, Rendering, json, response};
use crate::lifecycle::Phase;
use crate::report::{CheckResult, Report, Status};

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
        /// The report with its status taken from the status code.
        #[derive(Serialize)]
        struct Body<'a> {
            status: Status,
            #[serde(serialize_with = "crate::report::epoch_seconds")]
            timestamp: SystemTime,
            hostname: &'a str,
            phase: Phase,
            results: &'a [Arc<CheckResult>],
        }
        let status = if rendering.status.is_success() {
            Status::Success
        } else {
            Status::Failure
        };
        let body = Body {
            status,
            timestamp: report.timestamp,
            hostname: &report.hostname,
            phase: report.phase,
            results: &report.results,
        };
        response(rendering.status, self.media_type(), json(&body))
    }
}
