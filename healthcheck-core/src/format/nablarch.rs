//! Nablarch's health check handler: `{"status":"UP","targets":[{"name","status"}]}`
//! with configurable labels, status codes, and whether a body is written.

use http::{Response, StatusCode};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{Format, Rendering, Reuse, json, response};
use crate::health::HealthStatus;
use crate::report::Report;

/// Nablarch's JSON. The application is up when the endpoint's status code is a success
/// (so STARTING and STOPPING are down, as probes see them); each target is up, warn or
/// down. Every label and both codes are settings, as in Nablarch.
///
/// ```
/// use healthcheck::format::Nablarch;
/// use healthcheck::http::StatusCode;
///
/// let nablarch = Nablarch::default()
///     .labels("OK", "WARN", "NG")
///     .status_codes(StatusCode::OK, StatusCode::INTERNAL_SERVER_ERROR)
///     .write_body(false);
/// # let _ = nablarch;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nablarch {
    up_label: &'static str,
    warn_label: &'static str,
    down_label: &'static str,
    up_status: StatusCode,
    down_status: StatusCode,
    write_body: bool,
}

impl Default for Nablarch {
    fn default() -> Self {
        Nablarch {
            up_label: "UP",
            warn_label: "WARN",
            down_label: "DOWN",
            up_status: StatusCode::OK,
            down_status: StatusCode::SERVICE_UNAVAILABLE,
            write_body: true,
        }
    }
}

impl Nablarch {
    /// The words for up, warn (a target only) and down.
    #[must_use]
    pub fn labels(mut self, up: &'static str, warn: &'static str, down: &'static str) -> Self {
        self.up_label = up;
        self.warn_label = warn;
        self.down_label = down;
        self
    }

    /// The codes for up and down (default 200 and 503).
    #[must_use]
    pub fn status_codes(mut self, up: StatusCode, down: StatusCode) -> Self {
        self.up_status = up;
        self.down_status = down;
        self
    }

    /// Whether to write a body at all (default `true`): some load balancers need only
    /// the code.
    #[must_use]
    pub fn write_body(mut self, write: bool) -> Self {
        self.write_body = write;
        self
    }
}

/// `{"status", "targets"}`.
struct Body<'a> {
    status: &'static str,
    targets: Vec<Target<'a>>,
}

/// `{"name", "status"}`.
struct Target<'a> {
    name: &'a str,
    status: &'static str,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("Body", 2)?;
        fields.serialize_field("status", self.status)?;
        fields.serialize_field("targets", &self.targets)?;
        fields.end()
    }
}

impl Serialize for Target<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("Target", 2)?;
        fields.serialize_field("name", self.name)?;
        fields.serialize_field("status", self.status)?;
        fields.end()
    }
}

impl Format for Nablarch {
    fn media_type(&self) -> &'static str {
        "application/json"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        let up = rendering.status.is_success();
        let status = if up { self.up_status } else { self.down_status };
        if !self.write_body {
            return response(status, self.media_type(), String::new());
        }
        let targets = report
            .results
            .iter()
            .map(|result| Target {
                name: &result.checker,
                status: match result.status {
                    HealthStatus::Pass => self.up_label,
                    HealthStatus::Warn => self.warn_label,
                    HealthStatus::Fail => self.down_label,
                },
            })
            .collect();
        let body = Body {
            status: if up { self.up_label } else { self.down_label },
            targets,
        };
        response(status, self.media_type(), json(&body))
    }

    fn reuse(&self) -> Reuse {
        Reuse::AsWritten
    }
}
