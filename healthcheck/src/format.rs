//! Turns a [`Report`] into an HTTP response, independent of any web framework.

use http::{HeaderValue, Response, StatusCode, header};

use crate::report::Report;

/// A way of writing a [`Report`] as an HTTP response: status code, content type, body.
pub trait Format {
    /// The response for `report`.
    fn render(&self, report: &Report) -> Response<String>;
}

/// The Flask healthcheck format: the report as JSON, 200 when every check passed and
/// 500 otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flask;

impl Format for Flask {
    fn render(&self, report: &Report) -> Response<String> {
        let status = if report.is_success() {
            StatusCode::OK
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        // A report holds only strings, numbers and booleans, so this cannot fail.
        let body = serde_json::to_string(report).expect("a report always serializes");
        let mut response = Response::new(body);
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

impl Report {
    /// The report as an HTTP response in the default (Flask) format.
    pub fn to_response(&self) -> Response<String> {
        Flask.render(self)
    }
}
