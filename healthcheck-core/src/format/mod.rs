//! Ways of writing a [`Report`] as an HTTP response. The endpoint picks one per request
//! (`?format=`, `Accept`) or uses its default; a user-defined format implements
//! [`Format`] too.

mod flask;
pub(crate) use flask::KeptBody as KeptFlaskBody;
mod ietf;
mod keyed;
mod kubernetes;
mod microprofile;
mod nablarch;
mod prometheus;
mod spring;

use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response, StatusCode};

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
    /// A rendering with `status`, not verbose. For testing a format of your own; the
    /// endpoint makes renderings.
    #[doc(hidden)]
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
}

/// `application/json`, the default format's type, as a header value checked once:
/// `HeaderValue::from_static` checks each byte whenever it runs on a value not known
/// at compile time, as a format's media type is.
static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A response with `status`, a `Content-Type` of `media_type`, and `body`.
pub fn response(status: StatusCode, media_type: &'static str, body: String) -> Response<String> {
    let content_type = if media_type == "application/json" {
        APPLICATION_JSON.clone()
    } else {
        HeaderValue::from_static(media_type)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
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
