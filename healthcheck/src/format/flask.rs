//! The Flask healthcheck format, the default: the report itself as JSON.

use http::Response;

use super::{Format, Rendering, json, response};
use crate::report::Report;

/// The Flask healthcheck JSON: `status`, `timestamp`, `hostname`, `results` with
/// `checker`, `output`, `passed`, `timestamp`, `expires`; plus `phase`, and per result
/// `response_time`, `status` (pass / warn / fail), `group` and `details`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flask;

impl Format for Flask {
    fn media_type(&self) -> &'static str {
        "application/json"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        response(rendering.status, self.media_type(), json(report))
    }
}
