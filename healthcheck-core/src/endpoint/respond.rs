//! A request's response: from its plan and what the registry ran to an `http::Response`
//! (status code, details withheld, the format's writing, the answer kept), and the
//! answers that need no run (refusals, `/services`, `/info`).

use std::sync::Arc;

use http::header::{ALLOW, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Response, StatusCode};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::config::Config;
use super::plan::Run;
use crate::answers::{self, Made};
use crate::format::Rendering;
use crate::human_time::seconds_since_epoch;
use crate::kind::Kind;
use crate::registration::Location;
use crate::registry::{Ran, Unknown};
use crate::report::Report;
use crate::request::Rejection;
use crate::selection::Selection;

/// The response to the report of `run`, made of `selection`: its status code (404 for an unknown name, tag or
/// group), outputs withheld unless `details`, written in the format asked for, and kept
/// by the answer cache when it may be given again.
pub(crate) fn report(
    config: &Config,
    run: Run,
    (selection, mut rendering): (Selection, Rendering),
    ran: Ran,
    details: bool,
) -> Response<String> {
    let Ran {
        mut report,
        unknown,
        generation,
        fresh_until,
        application_phase,
    } = ran;
    let Run {
        probe,
        format,
        cache,
        ..
    } = run;
    rendering.status = match unknown {
        None => config.status_codes.get(probe, report.phase),
        Some(Unknown::Names) => StatusCode::NOT_FOUND,
        Some(Unknown::Group) => {
            let group = selection.group().unwrap_or_default();
            let known = config.health.groups();
            return refused(&not_found("group", group, &known, details));
        }
        Some(Unknown::Tags(tags)) => {
            let known = config.health.tags();
            return refused(&not_found("tag", &tags.join(", "), &known, details));
        }
    };
    if !details {
        withhold(&mut report);
    }
    let format = config.format(format);
    let response = format.render(&report, rendering);
    if let (Some(key), Some(fresh_until)) = (cache, fresh_until) {
        let made = Made {
            generation,
            fresh_until,
            timestamp: report.timestamp,
            phase: application_phase,
        };
        answers::keep(key, made, format.reuse(), &response);
    }
    response
}

/// Every output and detail of `report` withheld, for a caller who may not see them.
fn withhold(report: &mut Report) {
    for result in &mut report.results {
        *result = Arc::new(result.withheld());
    }
}

/// A 404 for an unknown group or tag; the known ones are listed only to callers who may
/// see details.
fn not_found(what: &str, asked: &str, known: &[String], details: bool) -> Rejection {
    let message = if details {
        format!("no {what} {asked:?}; the {what}s are {}", known.join(", "))
    } else {
        format!("no {what} {asked:?}")
    };
    Rejection::new(StatusCode::NOT_FOUND, message)
}

/// A refusal: its status code and `{"error": "…", "status": code}`; a 405 says which
/// methods are allowed.
pub(crate) fn refused(rejection: &Rejection) -> Response<String> {
    /// `{"error", "status"}`.
    struct Error<'a> {
        error: &'a str,
        status: u16,
    }
    impl Serialize for Error<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut fields = serializer.serialize_struct("Error", 2)?;
            fields.serialize_field("error", self.error)?;
            fields.serialize_field("status", &self.status)?;
            fields.end()
        }
    }
    let mut response = json(
        rejection.status,
        &Error {
            error: &rejection.message,
            status: rejection.status.as_u16(),
        },
    );
    if rejection.status == StatusCode::METHOD_NOT_ALLOWED {
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    }
    response
}

/// `GET {base}/services`: what is registered, without running anything; locations only
/// under the details policy.
pub(crate) fn services(config: &Config, tags: &[String], details: bool) -> Response<String> {
    /// `{"name", "kinds", "tags", "group", "location"}`.
    struct Service<'a> {
        name: &'a str,
        kinds: &'a [Kind],
        tags: &'a [String],
        group: &'a str,
        location: Option<Location>,
    }
    impl Serialize for Service<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut fields = serializer.serialize_struct("Service", 5)?;
            fields.serialize_field("name", self.name)?;
            fields.serialize_field("kinds", self.kinds)?;
            fields.serialize_field("tags", self.tags)?;
            fields.serialize_field("group", self.group)?;
            fields.serialize_field("location", &self.location)?;
            fields.end()
        }
    }
    /// `{"services": […]}`.
    struct Services<'a> {
        services: Vec<Service<'a>>,
    }
    impl Serialize for Services<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut fields = serializer.serialize_struct("Services", 1)?;
            fields.serialize_field("services", &self.services)?;
            fields.end()
        }
    }
    let checks = config.health.checks();
    let services = checks
        .iter()
        .filter(|check| tags.is_empty() || check.tag_list().iter().any(|t| tags.contains(t)))
        .map(|check| Service {
            name: check.name(),
            kinds: check.kind_list(),
            tags: check.tag_list(),
            group: check.group_name(),
            location: details.then(|| check.location()),
        })
        .collect();
    json(StatusCode::OK, &Services { services })
}

/// `GET {base}/info`; without details, only the status: the rest tells an attacker a lot.
pub(crate) fn info(config: &Config, details: bool) -> Response<String> {
    let mut info = config.health.info_json();
    if !details && let serde_json::Value::Object(body) = &mut info {
        body.retain(|key, _| key == "status");
    }
    json(StatusCode::OK, &info)
}

/// `{base}/{name}/history`: the check's recent results and changes, newest first;
/// outputs withheld unless `details`; a 404 naming the check when there is none.
pub(crate) fn history(config: &Config, name: &str, details: bool) -> Response<String> {
    use serde_json::json;
    let Some(history) = config.health.history(name) else {
        return refused(&Rejection::new(
            StatusCode::NOT_FOUND,
            format!("no check named {name:?}"),
        ));
    };
    let output = |output: &Option<String>| match (details, output) {
        (false, _) => json!(crate::details::WITHHELD),
        (true, output) => json!(output),
    };
    let results: Vec<serde_json::Value> = history
        .results
        .iter()
        .map(|result| {
            json!({
                "status": result.status.as_str(),
                "reported": result.reported.as_str(),
                "timestamp": seconds_since_epoch(result.timestamp),
                "response_time": result.response_time.as_secs_f64(),
                "output": output(&result.output),
            })
        })
        .collect();
    let transitions: Vec<serde_json::Value> = history
        .transitions
        .iter()
        .map(|transition| {
            json!({
                "from": transition.from.as_str(),
                "to": transition.to.as_str(),
                "timestamp": seconds_since_epoch(transition.timestamp),
                "output": output(&transition.output),
            })
        })
        .collect();
    let body = json!({
        "checker": history.checker,
        "flapping": history.flapping,
        "state_change_percent": history.state_change_percent,
        "flapping_thresholds": {"low": history.flapping_low, "high": history.flapping_high},
        "on_flapping": history.on_flapping.as_str(),
        "results": results,
        "transitions": transitions,
    });
    json(StatusCode::OK, &body)
}

/// `{base}/status`: the page drawn from `ran` (every check), outputs withheld unless
/// `details`; 200 whatever the phase (the probes' routes say it with their codes).
#[cfg(feature = "status-page")]
pub(crate) fn page(
    config: &Config,
    ran: Ran,
    last_event_id: u64,
    details: bool,
) -> Response<String> {
    use crate::format::page;
    let mut report = ran.report;
    if !details {
        withhold(&mut report);
    }
    let health = &config.health;
    let histories: Vec<_> = report
        .results
        .iter()
        .map(|result| health.history(&result.checker))
        .collect();
    let html = page::render(&page::Page {
        report: &report,
        histories: &histories,
        phase: ran.application_phase.unwrap_or(report.phase),
        drain_left: health.drain_left(),
        last_event_id,
    });
    let mut response = Response::new(html);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(page::CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

fn json(status: StatusCode, body: &impl Serialize) -> Response<String> {
    // Plain structs of strings and numbers always serialize.
    let body = serde_json::to_string(body).expect("serializable");
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Headers every answer carries; `HEAD` keeps the length of the body it leaves out.
pub(crate) fn finish(head: bool, mut response: Response<String>) -> Response<String> {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if head {
        let length = response.body().len();
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
        response.body_mut().clear();
    }
    response
}
