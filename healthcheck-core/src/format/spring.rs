//! Spring Boot Actuator / Koupleless: a tree of components by group.

use std::collections::BTreeMap;

use http::Response;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Map, Value};

use super::{Format, Rendering, json, response};
use crate::health::HealthStatus;
use crate::lifecycle::Phase;
use crate::report::{CheckResult, Report, optional_field};

/// Spring Boot Actuator's `/actuator/health` shape, as Koupleless aggregates modules:
/// `{"status","components":{group:{"status","components":{check:{"status","details"}}}}}`.
///
/// A group's status is its worst check's: `DOWN` for a failure, `WARN` for a warning,
/// else `UP`. The top status is the worst group's, except that the application is
/// `UNKNOWN` while starting (Koupleless) and `OUT_OF_SERVICE` once stopping (Spring).
#[derive(Debug, Clone, Copy, Default)]
pub struct Spring;

/// `{"status", "components", "details"}`, empty components and details left out.
struct Node<'a> {
    status: &'static str,
    components: BTreeMap<&'a str, Node<'a>>,
    details: Map<String, Value>,
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len =
            1 + usize::from(!self.components.is_empty()) + usize::from(!self.details.is_empty());
        let mut fields = serializer.serialize_struct("Node", len)?;
        fields.serialize_field("status", self.status)?;
        let components = Some(&self.components).filter(|components| !components.is_empty());
        optional_field(&mut fields, "components", components)?;
        let details = Some(&self.details).filter(|details| !details.is_empty());
        optional_field(&mut fields, "details", details)?;
        fields.end()
    }
}

fn word(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::Pass => "UP",
        HealthStatus::Warn => "WARN",
        HealthStatus::Fail => "DOWN",
    }
}

fn leaf(result: &CheckResult) -> Node<'_> {
    let mut details = result.details.clone();
    details.insert("output".into(), result.output.clone().into());
    Node {
        status: word(result.status),
        components: BTreeMap::new(),
        details,
    }
}

impl Format for Spring {
    fn media_type(&self) -> &'static str {
        "application/vnd.spring-boot.actuator.v3+json"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        let mut groups: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
        for result in &report.results {
            let group = if result.group.is_empty() {
                "unknown"
            } else {
                &result.group
            };
            groups.entry(group).or_default().push(result);
        }
        // Maps filled by insertion: collecting would compile a sort of its own for each.
        let mut components = BTreeMap::new();
        for (group, results) in groups {
            let worst = results.iter().map(|r| r.status).max();
            let mut checks = BTreeMap::new();
            for result in results {
                checks.insert(result.checker.as_str(), leaf(result));
            }
            let node = Node {
                status: word(worst.unwrap_or(HealthStatus::Pass)),
                components: checks,
                details: Map::new(),
            };
            components.insert(group, node);
        }
        // The phase's word, unless it would contradict the status code.
        let status = match (report.phase, rendering.status.is_success()) {
            (Phase::Starting, _) => "UNKNOWN",
            (Phase::Stopping | Phase::Stopped, _) => "OUT_OF_SERVICE",
            (Phase::Down, false) => "DOWN",
            (Phase::Up, true) => word(report.health_status()),
            (_, true) => "UP",
            (_, false) => "DOWN",
        };
        let body = Node {
            status,
            components,
            details: Map::new(),
        };
        response(rendering.status, self.media_type(), json(&body))
    }
}
