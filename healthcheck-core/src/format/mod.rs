//! Ways of writing a [`Report`] as an HTTP response. The endpoint picks one per request
//! (`?format=`, `Accept`) or uses its default; a user-defined format implements
//! [`Format`] too.

mod flask;
mod ietf;
mod keyed;
mod kubernetes;
mod microprofile;
mod nablarch;
#[cfg(feature = "status-page")]
pub(crate) mod page;
mod prometheus;
mod spring;

use std::fmt;
use std::time::SystemTime;

use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response, StatusCode};
use serde::ser::{Serialize, SerializeStruct};

pub use flask::Flask;
pub use ietf::Ietf;
pub use kubernetes::Kubernetes;
pub use microprofile::MicroProfile;
pub use nablarch::Nablarch;
pub use prometheus::Prometheus;
pub use spring::Spring;

use crate::health::HealthStatus;
use crate::report::Report;

/// What the endpoint knows besides the report when a format renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rendering {
    /// The status code the endpoint's [`StatusCodes`](crate::StatusCodes) give for the
    /// probe and phase. Most formats answer with it.
    pub status: StatusCode,
    /// Whether the request asked for `?verbose`.
    pub verbose: bool,
    /// The checks `?exclude=` left out that the request would have covered.
    pub excluded: Vec<String>,
    /// The `?exclude=` names that match no check the request covers.
    pub unmatched_excludes: Vec<String>,
}

impl Rendering {
    /// A rendering with `status`, not verbose, nothing excluded. The endpoint makes the
    /// renderings it serves; this is for a format of your own to be tested with.
    pub fn new(status: StatusCode) -> Self {
        Rendering {
            status,
            verbose: false,
            excluded: Vec::new(),
            unmatched_excludes: Vec::new(),
        }
    }
}

/// A way of writing a [`Report`] as an HTTP response: status code, content type, body.
///
/// ```
/// use healthcheck::format::{Format, Rendering};
/// use healthcheck::{Report, http};
///
/// /// One line per check: `db: pass`.
/// struct Lines;
///
/// impl Format for Lines {
///     fn media_type(&self) -> &'static str {
///         "text/x-health-lines"
///     }
///
///     fn render(&self, report: &Report, rendering: Rendering) -> http::Response<String> {
///         let body: String = report
///             .results
///             .iter()
///             .map(|r| format!("{}: {}\n", r.checker, r.status.as_str()))
///             .collect();
///         healthcheck::format::response(rendering.status, self.media_type(), body)
///     }
/// }
/// ```
///
/// `Endpoint::with_format("lines", Lines)` serves it for `?format=lines` and for
/// `Accept: text/x-health-lines`.
pub trait Format: Send + Sync + 'static {
    /// The media type it writes, matched against `Accept`.
    fn media_type(&self) -> &'static str;

    /// The response for `report`.
    fn render(&self, report: &Report, rendering: Rendering) -> Response<String>;

    /// Whether the endpoint may give an answer this format wrote again, while the
    /// results it shows stand, instead of writing it anew ([`Reuse`]). A kept answer
    /// keeps its status code and body, and is given under [`media_type`](Self::media_type)
    /// with no other header of its own. `Never` unless
    /// the format says otherwise: a format of your own may write the time it answers.
    fn reuse(&self) -> Reuse {
        Reuse::Never
    }
}

/// How an answer a [`Format`] wrote may be given again while nothing it shows changed.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Reuse {
    /// Written anew for every request.
    Never,
    /// Given again as written: the body shows nothing of the moment it was written.
    AsWritten,
    /// Given again with the report's top-level timestamp written afresh by the function,
    /// which writes a time exactly as the format's body does. The first place the body
    /// holds the report's timestamp so written is where the fresh one goes; a body in
    /// which it is not found is not kept.
    WithTimestamp(fn(SystemTime, &mut dyn fmt::Write) -> fmt::Result),
}

/// The built-in formats' media types as header values checked once (`from_static`
/// checks each byte of a value not known at compile time, as a format's media type is):
/// a response made of a kept answer costs a comparison of its type, not a check.
static MEDIA_TYPES: [HeaderValue; 5] = [
    HeaderValue::from_static("application/json"),
    HeaderValue::from_static("application/health+json"),
    HeaderValue::from_static("application/vnd.spring-boot.actuator.v3+json"),
    HeaderValue::from_static("text/plain; charset=utf-8"),
    HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
];

/// A response with `status`, a `Content-Type` of `media_type`, and `body`.
pub fn response(status: StatusCode, media_type: &'static str, body: String) -> Response<String> {
    let content_type = MEDIA_TYPES
        .iter()
        .find(|known| known.as_bytes() == media_type.as_bytes())
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static(media_type));
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// Writes `value` under `key` when there is one, else skips the field, as a derived
/// `skip_serializing_if` does.
fn optional_field<F: SerializeStruct>(
    fields: &mut F,
    key: &'static str,
    value: Option<&(impl Serialize + ?Sized)>,
) -> Result<(), F::Error> {
    match value {
        Some(value) => fields.serialize_field(key, value),
        None => fields.skip_field(key),
    }
}

/// `value` as JSON text; the formats' own structs of strings, numbers and maps always
/// serialize.
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("a format's JSON always serializes")
}

/// `UP`, `DOWN` and the like for the formats that speak Cloud Health / Spring statuses:
/// a warning is not a failure, so it is `UP` where only UP and DOWN exist.
fn up_or_down(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::Fail => "DOWN",
        _ => "UP",
    }
}

impl Report {
    /// The report as an HTTP response in the default (Flask) format: 200 when every
    /// check passed, 500 otherwise, as Flask healthcheck answers. For a report returned
    /// from a handler of your own, where Flask's contract is wanted. The
    /// [`Endpoint`](crate::Endpoint) answers 503 instead (Cloud Health's table, which
    /// orchestrators read as "route elsewhere", not "server error"), by probe and phase.
    pub fn to_response(&self) -> Response<String> {
        let status = if self.is_success() {
            StatusCode::OK
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        Flask.render(self, Rendering::new(status))
    }
}
