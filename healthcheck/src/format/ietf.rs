//! The IETF health check response format (draft-inadarei-api-health-check):
//! `application/health+json`.

use std::collections::BTreeMap;

use http::Response;
use serde::Serialize;
use serde_json::Value;

use super::{Format, Rendering, json, response};
use crate::health::HealthStatus;
use crate::report::Report;

/// `application/health+json`: `status` pass / warn / fail, `checks` keyed by check
/// name, each with `status`, `time`, `output` (left out on a pass, as the draft
/// advises), `observedValue` and `observedUnit` from the check's details.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ietf;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    status: &'static str,
    service_id: &'a str,
    notes: Vec<String>,
    checks: BTreeMap<&'a str, [CheckBody<'a>; 1]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckBody<'a> {
    component_id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    component_type: &'a str,
    status: &'static str,
    time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    observed_value: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    observed_unit: Option<&'a Value>,
}

impl Format for Ietf {
    fn media_type(&self) -> &'static str {
        "application/health+json"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        let checks = report
            .results
            .iter()
            .map(|result| {
                let check = CheckBody {
                    component_id: &result.checker,
                    component_type: &result.group,
                    status: result.status.as_str(),
                    time: humantime::format_rfc3339_millis(result.timestamp).to_string(),
                    output: (result.status != HealthStatus::Pass).then_some(&*result.output),
                    observed_value: result.details.get("observedValue"),
                    observed_unit: result.details.get("observedUnit"),
                };
                (result.checker.as_str(), [check])
            })
            .collect();
        let body = Body {
            status: top_status(report, &rendering),
            service_id: &report.hostname,
            notes: vec![format!("phase: {}", report.phase)],
            checks,
        };
        response(rendering.status, self.media_type(), json(&body))
    }
}

/// The overall status, never contradicting the status code: `fail` whenever the code is
/// not a success (STARTING or STOPPING with every check passing too); on a success, a
/// failed check (liveness while STARTING) shows as `warn`.
fn top_status(report: &Report, rendering: &Rendering) -> &'static str {
    match (rendering.status.is_success(), report.health_status()) {
        (false, _) => HealthStatus::Fail.as_str(),
        (true, HealthStatus::Fail) => HealthStatus::Warn.as_str(),
        (true, status) => status.as_str(),
    }
}
