//! Spring Boot Actuator / Koupleless: a tree of components by group.

use http::Response;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Map, Value};

use super::keyed::{Entries, each_name_once, in_name_order};
use super::{Format, Rendering, Reuse, json, optional_field, response};
use crate::health::HealthStatus;
use crate::lifecycle::Phase;
use crate::report::{CheckResult, Report};

/// Spring Boot Actuator's `/actuator/health` shape, as Koupleless aggregates modules:
/// `{"status","components":{group:{"status","components":{check:{"status","details"}}}}}`.
///
/// A group's status is its worst check's: `DOWN` for a failure, `WARN` for a warning,
/// else `UP`. The top status is the worst group's, except that the application is
/// `UNKNOWN` while starting (Koupleless) and `OUT_OF_SERVICE` once stopping (Spring).
/// A check's details carry its output, `blockedBy` while it is blocked and, while it
/// has changed lately, `flapping` and `stateChangePercent`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spring;

/// `{"status", "components", "details"}`, empty components and details left out.
struct Node<'a> {
    status: &'static str,
    components: Entries<'a, Node<'a>>,
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

/// A check's group in the tree: `unknown` when it has none.
fn group_of(result: &CheckResult) -> &str {
    if result.group.is_empty() {
        "unknown"
    } else {
        &result.group
    }
}

fn leaf(result: &CheckResult) -> Node<'_> {
    let mut details = result.details.clone();
    details.insert("output".into(), result.output.clone().into());
    if !result.blocked_by.is_empty() {
        details.insert("blockedBy".into(), result.blocked_by.clone().into());
    }
    if result.changed_lately() {
        details.insert("flapping".into(), result.flapping.into());
        details.insert(
            "stateChangePercent".into(),
            result.state_change_percent.into(),
        );
    }
    Node {
        status: word(result.status),
        components: Entries(Vec::new()),
        details,
    }
}

impl Format for Spring {
    fn media_type(&self) -> &'static str {
        "application/vnd.spring-boot.actuator.v3+json"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        // By group, then by name, each name once in its group (a report of its own
        // making may repeat one: the last counts, the worst status of all).
        let results = &report.results;
        let groups = results.iter().enumerate();
        let groups = groups
            .map(|(index, result)| (group_of(result), index))
            .collect();
        let groups = in_name_order(groups);
        let mut components = Vec::new();
        for group in groups.chunk_by(|a, b| a.0 == b.0) {
            let worst = group.iter().map(|&(_, index)| results[index].status).max();
            let names = group.iter();
            let names = names.map(|&(_, index)| (results[index].checker.as_str(), index));
            let mut checks = Vec::with_capacity(group.len());
            for (name, index) in each_name_once(names.collect()) {
                checks.push((name, leaf(&results[index])));
            }
            let node = Node {
                status: word(worst.unwrap_or(HealthStatus::Pass)),
                components: Entries(checks),
                details: Map::new(),
            };
            components.push((group[0].0, node));
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
            components: Entries(components),
            details: Map::new(),
        };
        response(rendering.status, self.media_type(), json(&body))
    }

    fn reuse(&self) -> Reuse {
        Reuse::AsWritten
    }
}
