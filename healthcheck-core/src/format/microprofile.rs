//! MicroProfile Health / Cloud Health: `{"status":"UP","checks":[{"name","status","data"}]}`.

use http::Response;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Map, Value};

use super::{Format, Rendering, Reuse, json, response, up_or_down};
use crate::report::Report;

/// MicroProfile Health and Cloud Health's JSON. As the specification's schema requires,
/// the overall `status` is `UP` or `DOWN` only, following the status code (STARTING and
/// STOPPING are `DOWN` with a 503); each check is `UP` or `DOWN`, and
/// its `data` carries the output, the fine-grained `health` (pass / warn / fail) and the
/// check's details, flattened as the specification's schema wants (strings, numbers
/// and booleans only): `{"pool": {"in_use": 3}}` becomes `"pool.in_use": 3`, a list's
/// items `"hosts.0"`, `"hosts.1"`, and a null is left out. While a check is blocked,
/// `blockedBy` (its root causes, comma-separated); while it has changed lately,
/// `flapping` and `stateChangePercent`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MicroProfile;

/// `{"status", "checks"}`.
struct Body<'a> {
    status: &'static str,
    checks: Vec<CheckBody<'a>>,
}

/// `{"name", "status", "data"}`.
struct CheckBody<'a> {
    name: &'a str,
    status: &'static str,
    data: Map<String, Value>,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("Body", 2)?;
        fields.serialize_field("status", self.status)?;
        fields.serialize_field("checks", &self.checks)?;
        fields.end()
    }
}

impl Serialize for CheckBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("CheckBody", 3)?;
        fields.serialize_field("name", self.name)?;
        fields.serialize_field("status", self.status)?;
        fields.serialize_field("data", &self.data)?;
        fields.end()
    }
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
                let mut data = Map::new();
                flatten_into(&mut data, "", &result.details);
                data.insert("output".into(), result.output.clone().into());
                data.insert("health".into(), result.status.as_str().into());
                if !result.blocked_by.is_empty() {
                    data.insert("blockedBy".into(), result.blocked_by.join(",").into());
                }
                if result.changed_lately() {
                    data.insert("flapping".into(), result.flapping.into());
                    data.insert(
                        "stateChangePercent".into(),
                        result.state_change_percent.into(),
                    );
                }
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

    fn reuse(&self) -> Reuse {
        Reuse::AsWritten
    }
}

/// Copies `details` into `data` with nested objects and lists flattened to dotted keys.
fn flatten_into(data: &mut Map<String, Value>, prefix: &str, details: &Map<String, Value>) {
    for (key, value) in details {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        flatten_value(data, key, value);
    }
}

fn flatten_value(data: &mut Map<String, Value>, key: String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Object(inner) => flatten_into(data, &key, inner),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                flatten_value(data, format!("{key}.{index}"), item);
            }
        }
        scalar => {
            data.insert(key, scalar.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_details_are_flattened_to_dotted_scalar_keys() {
        let details = serde_json::json!({
            "pool": {"in_use": 3, "max": 10},
            "hosts": ["a", "b"],
            "missing": null,
            "ok": true
        });
        let mut data = Map::new();
        flatten_into(&mut data, "", details.as_object().unwrap());
        assert_eq!(
            Value::Object(data),
            serde_json::json!({"pool.in_use": 3, "pool.max": 10, "hosts.0": "a", "hosts.1": "b", "ok": true})
        );
    }
}
