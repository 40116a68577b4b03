//! The IETF health check response format (draft-inadarei-api-health-check):
//! `application/health+json`.

use http::Response;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::Value;

use super::keyed::{Entries, each_name_once};
use super::{Format, Rendering, Reuse, json, optional_field, response};
use crate::health::HealthStatus;
use crate::report::Report;

/// `application/health+json`: `status` pass / warn / fail, `checks` keyed by check
/// name, each with `status`, `time`, `output` (left out on a pass, as the draft
/// advises), `observedValue` and `observedUnit` from the check's details; while a check
/// has changed lately, a measurement `{name}:stateChange` after it: its percent state
/// change as `observedValue` in `%`, `output` `flapping` while it flaps. `notes` hold
/// the phase and, when checks fail, the root causes (`root causes: db`); a blocked
/// check's `output` says what blocks it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ietf;

/// `{"status", "serviceId", "notes", "checks"}`.
struct Body<'a> {
    status: &'static str,
    service_id: &'a str,
    notes: Vec<String>,
    checks: Entries<'a, [CheckBody<'a>; 1]>,
}

/// `{"componentId", "componentType", "status", "time", "output", "observedValue",
/// "observedUnit"}`, the empty type and absent values left out.
struct CheckBody<'a> {
    component_id: &'a str,
    component_type: &'a str,
    status: &'static str,
    time: String,
    output: Option<&'a str>,
    observed_value: Option<&'a Value>,
    observed_unit: Option<&'a Value>,
    /// A percent of the library's own, written as `observedValue` with `observedUnit` `%`.
    percent: Option<f64>,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("Body", 4)?;
        fields.serialize_field("status", self.status)?;
        fields.serialize_field("serviceId", self.service_id)?;
        fields.serialize_field("notes", &self.notes)?;
        fields.serialize_field("checks", &self.checks)?;
        fields.end()
    }
}

impl Serialize for CheckBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("CheckBody", 7)?;
        fields.serialize_field("componentId", self.component_id)?;
        let component_type = Some(self.component_type).filter(|text| !text.is_empty());
        optional_field(&mut fields, "componentType", component_type)?;
        fields.serialize_field("status", self.status)?;
        fields.serialize_field("time", &self.time)?;
        optional_field(&mut fields, "output", self.output)?;
        optional_field(&mut fields, "observedValue", self.observed_value)?;
        optional_field(&mut fields, "observedUnit", self.observed_unit)?;
        if let Some(percent) = self.percent {
            fields.serialize_field("observedValue", &percent)?;
            fields.serialize_field("observedUnit", "%")?;
        }
        fields.end()
    }
}

impl Format for Ietf {
    fn media_type(&self) -> &'static str {
        "application/health+json"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        // By name, each once (a report of its own making may repeat one: the last counts).
        let names = report.results.iter().enumerate();
        let names = names
            .map(|(index, result)| (result.checker.as_str(), index))
            .collect();
        let names = each_name_once(names);
        // The draft's idiom for a measurement: a `component:measurement` entry of its own,
        // after its check, while the check has changed lately (its percent state change).
        let measurements: Vec<String> = names
            .iter()
            .filter(|(_, index)| report.results[*index].changed_lately())
            .map(|(name, _)| format!("{name}:stateChange"))
            .collect();
        let mut measurements = measurements.iter();
        let mut checks = Vec::with_capacity(report.results.len());
        for (name, index) in names {
            let result = &report.results[index];
            let check = CheckBody {
                component_id: &result.checker,
                component_type: &result.group,
                status: result.status.as_str(),
                time: crate::human_time::rfc3339_millis(result.timestamp),
                output: (result.status != HealthStatus::Pass).then_some(&*result.output),
                observed_value: result.details.get("observedValue"),
                observed_unit: result.details.get("observedUnit"),
                percent: None,
            };
            checks.push((name, [check]));
            if result.changed_lately()
                && let Some(key) = measurements.next()
            {
                let measurement = CheckBody {
                    component_id: &result.checker,
                    component_type: &result.group,
                    status: result.status.as_str(),
                    time: crate::human_time::rfc3339_millis(result.timestamp),
                    output: result.flapping.then_some("flapping"),
                    observed_value: None,
                    observed_unit: None,
                    percent: Some(result.state_change_percent),
                };
                checks.push((key.as_str(), [measurement]));
            }
        }
        let body = Body {
            status: top_status(report, &rendering),
            service_id: &report.hostname,
            notes: notes(report),
            checks: Entries(checks),
        };
        response(rendering.status, self.media_type(), json(&body))
    }

    fn reuse(&self) -> Reuse {
        Reuse::AsWritten
    }
}

/// The phase, and the root causes when there are failures.
fn notes(report: &Report) -> Vec<String> {
    let mut notes = vec![format!("phase: {}", report.phase)];
    if !report.root_causes.is_empty() {
        notes.push(format!("root causes: {}", report.root_causes.join(", ")));
    }
    notes
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
