//! A request's plan: what to run and how to answer, decided from the method, URI and
//! headers alone. Pure: it runs nothing, needs no runtime, and the future of an answer
//! holds only what the plan leaves to do.

use http::header::ACCEPT;
use http::{HeaderMap, Method, StatusCode, Uri};

use super::accept;
use super::config::Config;
use crate::answers;
use crate::format::Rendering;
use crate::kind::Probe;
use crate::request::{self, Query, Rejection, Route};
use crate::selection::Selection;

/// What a request asks for.
pub(crate) struct Plan {
    /// A `HEAD` request: answered like `GET`, without the body.
    pub(crate) head: bool,
    /// Whether the caller may see outputs, details and locations.
    pub(crate) details: bool,
    pub(crate) action: Action,
}

/// What to do for it.
pub(crate) enum Action {
    /// A 4xx naming the problem (a 405 also says which methods are allowed).
    Refuse(Rejection),
    /// `{base}/services`, with the tags asked for.
    Services(Vec<String>),
    /// `{base}/info`.
    Info,
    /// `{base}/{name}/history`.
    History(String),
    /// A run of the checks selected, and its report written.
    Run(Run),
    /// `{base}/status`: a run of every check, drawn as the status page.
    #[cfg(feature = "status-page")]
    Page,
}

/// A run a request asks for, and how to answer with its report.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) probe: Probe,
    /// What the route selects, before the query narrows it.
    route: Route,
    /// `?exclude=`, `?tag=`, `?verbose` (the format is decided).
    query: Query<'static>,
    /// The format: `None` for the endpoint's default, else its index among the named.
    pub(crate) format: Option<usize>,
    /// The answer cache's key, for a request whose answer may be given again.
    pub(crate) cache: Option<answers::Key>,
}

impl Run {
    /// The checks it selects, and what the format is told besides the report (all but
    /// the status code, which the report decides): made only when it runs, so an
    /// answer given again makes neither.
    pub(crate) fn selection(&self, config: &Config) -> (Selection, Rendering) {
        let mut selection = match &self.route {
            Route::Check(name) => Selection::named([name]),
            Route::Group(group) => Selection::all().in_group(group.clone()),
            _ => Selection::probe(self.probe),
        };
        let query = &self.query;
        let (mut excluded, mut unmatched) = (Vec::new(), Vec::new());
        if !query.tags.is_empty() {
            selection = selection.tagged(&query.tags);
        }
        if !query.exclude.is_empty() {
            // Which exclusions name a check this request would have covered
            // (Kubernetes lists those as excluded and warns about the others).
            (excluded, unmatched) = query.exclude.iter().cloned().partition(|name| {
                config
                    .health
                    .check(name)
                    .is_some_and(|check| selection.includes(&check))
            });
            selection = selection.exclude(&query.exclude);
        }
        let mut rendering = Rendering::new(StatusCode::OK);
        rendering.verbose = query.verbose;
        rendering.excluded = excluded;
        rendering.unmatched_excludes = unmatched;
        (selection, rendering)
    }
}

/// The plan for a request with `method`, `uri` and `headers` to the endpoint `config`.
pub(crate) fn plan(config: &Config, method: &Method, uri: &Uri, headers: &HeaderMap) -> Plan {
    let details = config.details.allows(headers);
    let accept = headers.get(ACCEPT).and_then(|accept| accept.to_str().ok());
    let action = action(config, method, uri, accept, details).unwrap_or_else(Action::Refuse);
    Plan {
        head: method == Method::HEAD,
        details,
        action,
    }
}

fn action(
    config: &Config,
    method: &Method,
    uri: &Uri,
    accept: Option<&str>,
    details: bool,
) -> Result<Action, Rejection> {
    let route = request::route(&config.base, uri.path())?;
    allowed(method)?;
    let query = request::query(uri.query())?;
    let probe = match route {
        Route::Services => return Ok(Action::Services(query.tags)),
        Route::Info => return Ok(Action::Info),
        Route::History(name) => return Ok(Action::History(name)),
        Route::Status | Route::Events => return face(config, route, &query),
        Route::Check(_) | Route::Group(_) | Route::All => Probe::Combined,
        Route::Live => Probe::Liveness,
        Route::Ready => Probe::Readiness,
        Route::Startup => Probe::Startup,
    };
    let format = pick_format(config, query.format.as_deref(), accept)?;
    // A whole probe asking nothing of the query but the format may be answered again.
    let whole = matches!(
        route,
        Route::All | Route::Live | Route::Ready | Route::Startup
    );
    let plain = query.exclude.is_empty() && query.tags.is_empty() && !query.verbose;
    let cache = (whole && plain).then_some(answers::Key {
        endpoint: config.id,
        probe,
        format,
        details,
    });
    let query = Query {
        format: None,
        exclude: query.exclude,
        tags: query.tags,
        verbose: query.verbose,
    };
    Ok(Action::Run(Run {
        probe,
        route,
        query,
        format,
        cache,
    }))
}

/// GET and HEAD, else a 405 naming them.
pub(crate) fn allowed(method: &Method) -> Result<(), Rejection> {
    if method == Method::GET || method == Method::HEAD {
        return Ok(());
    }
    Err(Rejection::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {method} is not allowed; use GET or HEAD"),
    ))
}

/// `{base}/status` and `{base}/events`: the page (it takes no query), and a pointer to
/// [`Endpoint::events`](crate::Endpoint::events), which serves the stream.
#[cfg(feature = "status-page")]
fn face(config: &Config, route: Route, query: &Query<'_>) -> Result<Action, Rejection> {
    let base = &config.base;
    if route == Route::Events {
        return Err(Rejection::new(
            StatusCode::NOT_IMPLEMENTED,
            format!(
                "{base}/events is a stream: the server routes it to Endpoint::events (the axum and actix-web adapters do)"
            ),
        ));
    }
    if *query != Query::default() {
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            format!("{base}/status takes no query parameters"),
        ));
    }
    Ok(Action::Page)
}

/// Without the feature: a 404 saying which feature serves the page and the stream.
#[cfg(not(feature = "status-page"))]
fn face(config: &Config, _: Route, _: &Query<'_>) -> Result<Action, Rejection> {
    let base = &config.base;
    Err(Rejection::new(
        StatusCode::NOT_FOUND,
        format!(
            "{base}/status and {base}/events are served with the feature `status-page` of healthcheck-kit"
        ),
    ))
}

/// `?format=name` if given (an unknown name is a 400), else the format `Accept` prefers
/// (none acceptable is a 406), else the default (`None`); a named format as its index.
fn pick_format(
    config: &Config,
    name: Option<&str>,
    accept: Option<&str>,
) -> Result<Option<usize>, Rejection> {
    let formats = &config.formats;
    if let Some(name) = name {
        return formats
            .iter()
            .position(|(known, _)| known == name)
            .map(Some)
            .ok_or_else(|| {
                let names: Vec<&str> = formats.iter().map(|(known, _)| known.as_str()).collect();
                Rejection::new(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "unknown format {name:?}; the formats are {}",
                        names.join(", ")
                    ),
                )
            });
    }
    let Some(accept) = accept.filter(|accept| !accept.trim().is_empty()) else {
        return Ok(None);
    };
    // The default first: among equal preferences it answers.
    let offered = || {
        std::iter::once(config.format.media_type())
            .chain(formats.iter().map(|(_, format)| format.media_type()))
    };
    match accept::preferred(accept, offered()) {
        Some(0) => Ok(None),
        Some(index) => Ok(Some(index - 1)),
        None => {
            let mut types: Vec<&str> = Vec::new();
            for media_type in offered() {
                if !types.contains(&media_type) {
                    types.push(media_type);
                }
            }
            Err(Rejection::new(
                StatusCode::NOT_ACCEPTABLE,
                format!(
                    "none of the media types in Accept ({accept:?}) is offered; the types are {}",
                    types.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::HealthCheck;

    fn config() -> Config {
        Config::new(HealthCheck::builder().linked_checks(false).build().unwrap())
    }

    fn plan_of(method: Method, uri: &str, accept: Option<&str>) -> Plan {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(ACCEPT, accept.parse().unwrap());
        }
        plan(&config(), &method, &uri.parse().unwrap(), &headers)
    }

    #[test]
    fn a_plan_is_made_without_a_runtime_and_says_what_to_run_and_how_to_answer() {
        let plan = plan_of(Method::HEAD, "/healthcheck/ready?format=ietf", None);
        assert!(plan.head);
        let Action::Run(run) = plan.action else {
            panic!("not a run")
        };
        assert_eq!(run.probe, Probe::Readiness);
        assert_eq!(run.format, Some(1));
        assert!(
            run.cache.is_some(),
            "a whole probe in any format may be answered again"
        );
        let Action::Run(run) = plan_of(Method::GET, "/healthcheck?exclude=db", None).action else {
            panic!("not a run")
        };
        assert!(
            run.cache.is_none(),
            "a query narrowing the probe is not kept"
        );
        assert!(matches!(
            plan_of(Method::POST, "/healthcheck", None).action,
            Action::Refuse(rejection) if rejection.status == StatusCode::METHOD_NOT_ALLOWED
        ));
        assert!(matches!(
            plan_of(Method::GET, "/healthcheck/services?tag=a", None).action,
            Action::Services(tags) if tags == ["a"]
        ));
    }

    #[test]
    fn nothing_acceptable_is_a_406_naming_the_types_offered() {
        let Action::Refuse(rejection) =
            plan_of(Method::GET, "/healthcheck", Some("text/html")).action
        else {
            panic!("not refused")
        };
        assert_eq!(rejection.status, StatusCode::NOT_ACCEPTABLE);
        assert!(
            rejection
                .message
                .ends_with("the types are application/json, application/health+json, application/vnd.spring-boot.actuator.v3+json, text/plain; charset=utf-8, text/plain; version=0.0.4; charset=utf-8"),
            "{}",
            rejection.message
        );
        let Action::Run(run) = plan_of(Method::GET, "/healthcheck", Some("")).action else {
            panic!("an empty Accept accepts anything")
        };
        assert_eq!(run.format, None);
    }
}
