//! MicroProfile Health / Cloud Health: `{"status":"UP","checks":[{"name","status","data"}]}`.

use http::Response;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Format, Rendering, json, response, up_or_down};
use crate::report::Report;

/// MicroProfile Health and Cloud Health's JSON. As the specification's schema requires,
/// the overall `status` is `UP` or `DOWN` only, following the status code (STARTING and
/// STOPPING are `DOWN` with a 503); each check is `UP` or `DOWN`, and
/// its `data` carries the output, the fine-grained `health` (pass / warn / fail) and the
/// check's details.
#[derive(Debug, Clone, Copy, Default)]
pub struct MicroProfile;

#[derive(Serialize)]
struct Body<'a> {
    status: &'static str,
    checks: Vec<CheckBody<'a>>,
}

#[derive(Serialize)]
struct CheckBody<'a> {
    name: &'a str,
    status: &'static str,
    data: Map<String, Value>,
}

impl Format for MicroProfile {
    fn media_type(&self) -> &'static str {
        "application/json"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        let checks = report
            .results
            .iter()
            .map(|result| {
                let mut data = result.details.clone();
                data.insert("output".into(), result.output.clone().into());
                data.insert("health".into(), result.status.as_str().into());
                CheckBody {
                    name: &result.checker,
                    status: up_or_down(result.status),
                    data,
                }
            })
            .collect();
        let body = Body {
            status: if rendering.status.is_success() {
                "UP"
            } else {
                "DOWN"
            },
            checks,
        };
        response(rendering.status, self.media_type(), json(&body))
    }
}
