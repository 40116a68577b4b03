//! The HTTP endpoint, framework-agnostic: one function from an `http::Request` to an
//! `http::Response`. The adapters are thin wrappers around [`Endpoint::respond`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use http::header::{ACCEPT, ALLOW, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::details::{Details, WITHHELD};
use crate::format::{self, Format, Rendering};
use crate::kind::{Kind, Probe};
use crate::memo;
use crate::registration::Location;
use crate::registry::{HealthCheck, Unknown};
use crate::report::{CheckResult, JsonOnce, Report};
use crate::request::{self, Query, Rejection, Route};
use crate::selection::Selection;
use crate::status_codes::StatusCodes;

/// The default base path, as in Flask healthcheck and OpenPaaS.
pub const DEFAULT_BASE_PATH: &str = "/healthcheck";

/// Serves a [`HealthCheck`] over HTTP.
///
/// | route | answers |
/// |---|---|
/// | `GET {base}` | every check; combined status |
/// | `GET {base}/live`, `/ready`, `/startup` | the checks of that kind |
/// | `GET {base}/services` | the registered checks: name, kinds, tags, group, location |
/// | `GET {base}/group/{group}` | one group's checks |
/// | `GET {base}/{name}` | one check; 404 with a "not found" result for an unknown name |
///
/// `?exclude=a,b` leaves checks out, `?tag=x` keeps checks tagged `x`, `?format=ietf`
/// (or an `Accept` header) picks the format, `?verbose` lists every check in the
/// Kubernetes text format. `HEAD` answers
/// like `GET` without a body; other methods get 405. Every answer carries
/// `Cache-Control: no-store`, and every refusal a JSON body naming the problem.
///
/// ```standalone_crate
/// use std::sync::Arc;
/// use healthcheck::{Endpoint, HealthCheck, http};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let health = HealthCheck::builder().linked_checks(false).build().unwrap();
/// let endpoint = Endpoint::new(health).base_path("/health");
/// let request = http::Request::get("/health/ready").body(()).unwrap();
/// let response = endpoint.respond(&request).await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["cache-control"], "no-store");
/// # }
/// ```
#[derive(Clone)]
#[must_use]
pub struct Endpoint {
    /// The registry and the settings, behind one `Arc`: adapters clone an endpoint per
    /// request.
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    /// Unique to this configuration (a changed copy gets its own): which answers a
    /// thread keeps for it ([`memo`]).
    id: u64,
    health: HealthCheck,
    base: String,
    details: Details,
    status_codes: StatusCodes,
    /// The format when the request names none.
    format: Arc<dyn Format>,
    /// Whether that is the built-in Flask format, whose answers a thread may keep.
    default_is_flask: bool,
    /// The formats `?format=` can name, built-in and added.
    formats: Vec<(String, Arc<dyn Format>)>,
}

/// What a request asks for, decided before anything runs.
enum Plan {
    /// An answer that needs no run, boxed: the future holds a pointer, not a response
    /// (~140 bytes) moved with it on every probe.
    Answer(Box<Response<String>>),
    /// A Flask answer this thread kept, given again: its status code and body.
    Kept(StatusCode, String),
    /// A run of the selected checks.
    Run(Box<Run>),
}

/// The answer to one request, as a future: ready at once when nothing needs to run (a
/// kept answer, a refusal, `/services`, `/info`), else the run of the selected checks
/// and their report rendered. Its `poll` is compiled once, in this crate, rather than
/// in every application that awaits it (an `async` future's body is compiled where it
/// is polled), and an answer that runs nothing allocates nothing of its own.
#[must_use = "futures do nothing unless polled"]
pub struct Answer<'a> {
    /// A `HEAD` request: the body is left out, its length kept.
    head: bool,
    state: Pending<'a>,
}

/// What an [`Answer`] still has to do.
enum Pending<'a> {
    /// A Flask answer this thread kept, given again: its status code and body, made a
    /// response when polled (moved as 32 bytes until then, not ~140).
    Kept(StatusCode, String),
    /// Nothing to do: the response, boxed.
    Ready(Box<Response<String>>),
    /// The run and the rendering.
    Running(Running<'a>),
    /// The response was given.
    Given,
}

/// A run and the rendering of its report, boxed where it is made: so compiled there.
type Running<'a> = Pin<Box<dyn Future<Output = Response<String>> + Send + 'a>>;

impl<'a> Answer<'a> {
    /// The answer to a decided request; `running` boxes the run the plan asks for.
    fn new(head: bool, plan: Plan, running: impl FnOnce(Box<Run>) -> Running<'a>) -> Self {
        let state = match plan {
            Plan::Run(run) => Pending::Running(running(run)),
            Plan::Answer(response) => Pending::Ready(response),
            Plan::Kept(status, body) => Pending::Kept(status, body),
        };
        Answer { head, state }
    }
}

impl std::fmt::Debug for Answer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            Pending::Kept(..) | Pending::Ready(_) => "ready",
            Pending::Running(_) => "running",
            Pending::Given => "given",
        };
        f.debug_struct("Answer")
            .field("head", &self.head)
            .field("state", &state)
            .finish()
    }
}

impl Future for Answer<'_> {
    type Output = Response<String>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Response<String>> {
        let answer = self.get_mut();
        let response = match std::mem::replace(&mut answer.state, Pending::Given) {
            Pending::Kept(status, body) => format::response(status, "application/json", body),
            Pending::Ready(response) => *response,
            Pending::Running(mut run) => match run.as_mut().poll(context) {
                Poll::Ready(response) => response,
                Poll::Pending => {
                    answer.state = Pending::Running(run);
                    return Poll::Pending;
                }
            },
            Pending::Given => panic!("an Answer polled after it gave its response"),
        };
        Poll::Ready(finish(answer.head, response))
    }
}

/// A run a request asks for and how to answer with its report.
struct Run {
    probe: Probe,
    selection: Selection,
    /// Which of the endpoint's formats answers: `None` for the default, else an index
    /// into `formats` (no `Arc` counted up and down per probe).
    format: Option<usize>,
    /// Everything but the status code, which the report decides.
    rendering: Rendering,
    /// Under which key this thread keeps the answer, when it may be given again.
    keep_as: Option<memo::Key>,
}

/// The formats every endpoint knows by name, in `Accept` preference order.
fn builtin_formats() -> Vec<(String, Arc<dyn Format>)> {
    let formats: [(&str, Arc<dyn Format>); 7] = [
        ("flask", Arc::new(format::Flask)),
        ("ietf", Arc::new(format::Ietf)),
        ("microprofile", Arc::new(format::MicroProfile)),
        ("spring", Arc::new(format::Spring)),
        ("nablarch", Arc::new(format::Nablarch::default())),
        ("kubernetes", Arc::new(format::Kubernetes)),
        ("prometheus", Arc::new(format::Prometheus)),
    ];
    formats
        .into_iter()
        .map(|(name, format)| (name.to_owned(), format))
        .collect()
}

impl Endpoint {
    /// An endpoint for `health` at [`DEFAULT_BASE_PATH`], showing details to everyone,
    /// with the default [`StatusCodes`].
    pub fn new(health: impl Into<HealthCheck>) -> Self {
        let health = health.into();
        // Serving begins: the startup checks run from now on, not from the first probe.
        health.ensure_startup_driver();
        Endpoint {
            config: Arc::new(Config {
                id: next_id(),
                health,
                base: DEFAULT_BASE_PATH.to_owned(),
                details: Details::Always,
                status_codes: StatusCodes::default(),
                format: Arc::new(format::Flask),
                default_is_flask: true,
                formats: builtin_formats(),
            }),
        }
    }

    /// Serves under `path` (`"/"` for the root). A missing leading slash is added and a
    /// trailing one dropped.
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        let trimmed = path.trim_matches('/');
        self.config_mut().base = if trimmed.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        };
        self
    }

    /// Who sees each check's output and location (default [`Details::Always`]).
    pub fn details(mut self, details: Details) -> Self {
        self.config_mut().details = details;
        self
    }

    /// The status code of each probe in each phase.
    pub fn status_codes(mut self, status_codes: StatusCodes) -> Self {
        self.config_mut().status_codes = status_codes;
        self
    }

    /// The format of answers whose request names none (default [`format::Flask`]).
    pub fn format(mut self, format: impl Format) -> Self {
        let config = self.config_mut();
        config.format = Arc::new(format);
        config.default_is_flask = false;
        self
    }

    /// Serves `format` for `?format={name}` and for an `Accept` of its media type. A
    /// built-in name (`flask`, `ietf`, `microprofile`, `spring`, `nablarch`,
    /// `kubernetes`) is replaced, as to configure Nablarch's labels.
    pub fn with_format(mut self, name: impl Into<String>, format: impl Format) -> Self {
        let name = name.into();
        let formats = &mut self.config_mut().formats;
        formats.retain(|(known, _)| *known != name);
        formats.push((name, Arc::new(format)));
        self
    }

    /// The configuration to change: this endpoint's own (copied if shared), with an id of
    /// its own, so no answer kept for the old one is given for it.
    fn config_mut(&mut self) -> &mut Config {
        let config = Arc::make_mut(&mut self.config);
        config.id = next_id();
        config
    }

    /// The base path: `""` for the root, else `/name`.
    pub fn base(&self) -> &str {
        &self.config.base
    }

    /// The registry this endpoint serves.
    pub fn health(&self) -> &HealthCheck {
        &self.config.health
    }

    /// The response to `request`. Only the method, URI and headers are read, before the
    /// returned future is first polled, so the body type need not be `Sync`, and the
    /// future does not borrow the request: a caller may drop it before awaiting.
    pub fn respond<B>(&self, request: &Request<B>) -> Answer<'_> {
        let (head, details, plan) = self.decide(request.method(), request.uri(), request.headers());
        Answer::new(head, plan, |run| Box::pin(self.run(run, details)))
    }

    /// [`respond`](Self::respond) for an adapter holding its own clone of the endpoint
    /// (a cheap one: an `Arc`): the future owns it and borrows nothing, so the adapter
    /// can return it as its own future instead of awaiting it in an `async fn` that
    /// keeps the request beside it. The built-in axum and tower adapters answer so.
    ///
    /// ```standalone_crate
    /// use healthcheck::{Endpoint, HealthCheck, http};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let health = HealthCheck::builder().linked_checks(false).build().unwrap();
    /// let endpoint = Endpoint::new(health);
    /// let request = http::Request::get("/healthcheck").body(()).unwrap();
    /// let answer = endpoint.clone().respond_owned(&request);
    /// drop(request);
    /// // It borrows nothing: it can even be spawned.
    /// let response = tokio::spawn(answer).await.unwrap();
    /// assert_eq!(response.status(), 200);
    /// # }
    /// ```
    pub fn respond_owned<B>(self, request: &Request<B>) -> Answer<'static> {
        let (head, details, plan) = self.decide(request.method(), request.uri(), request.headers());
        Answer::new(head, plan, move |run| {
            Box::pin(async move { self.run(run, details).await })
        })
    }

    /// Everything about a request but the run, decided before any future exists, so the
    /// future holds only what the run needs. Whether it is `HEAD`, whether details
    /// show, and the plan. Not generic over the request's body: compiled once, here.
    fn decide(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> (bool, bool, Plan) {
        let head = method == Method::HEAD;
        let details = self.config.details.allows(headers);
        let accept = headers.get(ACCEPT).and_then(|accept| accept.to_str().ok());
        let plan = self
            .plan(method, uri, details, accept)
            .unwrap_or_else(|rejection| Plan::Answer(Box::new(rejected(&rejection))));
        (head, details, plan)
    }

    /// What a request asks for: an answer known without running anything (a refusal,
    /// `/services`, `/info`), or a run of the checks it selects.
    fn plan(
        &self,
        method: &Method,
        uri: &Uri,
        details: bool,
        accept: Option<&str>,
    ) -> Result<Plan, Rejection> {
        let route = request::route(&self.config.base, uri.path())?;
        if method != Method::GET && method != Method::HEAD {
            let mut rejection = rejected(&Rejection::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("method {method} is not allowed; use GET or HEAD"),
            ));
            rejection
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            return Ok(Plan::Answer(Box::new(rejection)));
        }
        let query = request::query(uri.query())?;
        let format = self.pick_format(query.format.as_deref(), accept)?;
        let keep_as = self.keep_key(&route, &query, format, details);
        let (probe, selection) = match route {
            Route::Services => {
                return Ok(Plan::Answer(Box::new(self.services(&query.tags, details))));
            }
            Route::Info => {
                // Without details, only the status: the rest tells an attacker a lot.
                let mut info = self.config.health.info_json();
                if !details && let serde_json::Value::Object(body) = &mut info {
                    body.retain(|key, _| key == "status");
                }
                return Ok(Plan::Answer(Box::new(json(StatusCode::OK, &info))));
            }
            Route::All | Route::Live | Route::Ready | Route::Startup
                if let Some(key) = keep_as
                    && let Some((status, body)) = memo::answer(key, &self.config.health) =>
            {
                return Ok(Plan::Kept(status, body));
            }
            Route::Check(name) => (Probe::Combined, Selection::named([name])),
            Route::Group(group) => (Probe::Combined, Selection::all().in_group(group)),
            Route::All => (Probe::Combined, Selection::all()),
            Route::Live => (Probe::Liveness, Selection::probe(Probe::Liveness)),
            Route::Ready => (Probe::Readiness, Selection::probe(Probe::Readiness)),
            Route::Startup => (Probe::Startup, Selection::probe(Probe::Startup)),
        };
        let mut selection = selection;
        let (mut excluded, mut unmatched) = (Vec::new(), Vec::new());
        // A probe without a query (the usual one) has nothing to narrow.
        if !query.tags.is_empty() {
            selection = selection.tagged(&query.tags);
        }
        if !query.exclude.is_empty() {
            // Which exclusions name a check this request would have covered
            // (Kubernetes lists those as excluded and warns about the others).
            (excluded, unmatched) = query.exclude.iter().cloned().partition(|name| {
                self.config
                    .health
                    .check(name)
                    .is_some_and(|check| selection.includes(&check))
            });
            selection = selection.exclude(&query.exclude);
        }
        Ok(Plan::Run(Box::new(Run {
            probe,
            selection,
            format,
            keep_as,
            rendering: Rendering {
                status: StatusCode::OK,
                verbose: query.verbose,
                excluded,
                unmatched_excludes: unmatched,
            },
        })))
    }

    /// Runs what `run` selects and renders the report, or refuses.
    async fn run(&self, run: Box<Run>, details: bool) -> Response<String> {
        self.run_and_render(run, details)
            .await
            .unwrap_or_else(|rejection| rejected(&rejection))
    }

    /// Runs what `run` selects and renders the report.
    async fn run_and_render(
        &self,
        run: Box<Run>,
        details: bool,
    ) -> Result<Response<String>, Rejection> {
        // One snapshot decides both what exists and what runs: no check-then-run gap.
        let (mut report, unknown, reusable) = self.config.health.run_selected(&run.selection).await;
        let Run {
            probe,
            selection,
            format,
            mut rendering,
            keep_as,
        } = *run;
        rendering.status = match unknown {
            None => self.config.status_codes.get(probe, report.phase),
            Some(Unknown::Names) => StatusCode::NOT_FOUND,
            Some(Unknown::Group) => {
                let group = selection.group().unwrap_or_default();
                return Err(self.not_found("group", group, self.config.health.groups(), details));
            }
            Some(Unknown::Tags(tags)) => {
                let tags = tags.join(", ");
                return Err(self.not_found("tag", &tags, self.config.health.tags(), details));
            }
        };
        withhold_unless(details, &mut report);
        let format = match format {
            Some(index) => &self.config.formats[index].1,
            None => &self.config.format,
        };
        let status = rendering.status;
        let response = format.render(&report, rendering);
        if let (Some(key), Some(reusable)) = (keep_as, reusable) {
            memo::keep(key, reusable, report.phase, status, response.body());
        }
        Ok(response)
    }

    /// The key under which a thread keeps this request's answer, if it may: a whole
    /// probe, nothing asked of the query, answered in the default format, Flask.
    fn keep_key(
        &self,
        route: &Route,
        query: &Query,
        format: Option<usize>,
        details: bool,
    ) -> Option<memo::Key> {
        let probe = match route {
            Route::All => Probe::Combined,
            Route::Live => Probe::Liveness,
            Route::Ready => Probe::Readiness,
            Route::Startup => Probe::Startup,
            _ => return None,
        };
        let plain = query.exclude.is_empty() && query.tags.is_empty() && !query.verbose;
        (plain && format.is_none() && self.config.default_is_flask).then_some(memo::Key {
            endpoint: self.config.id,
            probe,
            details,
        })
    }

    /// A 404 for an unknown group or tag; the known ones are listed only to callers who
    /// may see details.
    fn not_found(&self, what: &str, asked: &str, known: Vec<String>, details: bool) -> Rejection {
        let message = if details {
            format!("no {what} {asked:?}; the {what}s are {}", known.join(", "))
        } else {
            format!("no {what} {asked:?}")
        };
        Rejection::new(StatusCode::NOT_FOUND, message)
    }

    /// `?format=name` if given (an unknown name is a 400), else the first `Accept`
    /// media type a format writes, else the default (`None`); a format as its index in
    /// `formats`.
    fn pick_format(
        &self,
        name: Option<&str>,
        accept: Option<&str>,
    ) -> Result<Option<usize>, Rejection> {
        let formats = &self.config.formats;
        if let Some(name) = name {
            return match formats.iter().position(|(known, _)| known == name) {
                Some(index) => Ok(Some(index)),
                None => {
                    // Strings, as every other list joined here: one `join` compiled.
                    let names: Vec<String> = formats.iter().map(|(n, _)| n.clone()).collect();
                    Err(Rejection::new(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "unknown format {name:?}; the formats are {}",
                            names.join(", ")
                        ),
                    ))
                }
            };
        }
        let default = &self.config.format;
        let Some(accept) = accept else {
            return Ok(None);
        };
        // Media types compared in place, case-insensitively: nothing allocated for the
        // `Accept: */*` every kubelet probe sends.
        let media_type = |format: &Arc<dyn Format>| {
            let full = format.media_type();
            full.split(';').next().unwrap_or(full).trim()
        };
        for wanted in accept.split(',') {
            let wanted = wanted.split(';').next().unwrap_or("").trim();
            if wanted.is_empty()
                || wanted == "*/*"
                || wanted.eq_ignore_ascii_case(media_type(default))
            {
                return Ok(None);
            }
            if let Some(index) = formats
                .iter()
                .position(|(_, f)| wanted.eq_ignore_ascii_case(media_type(f)))
            {
                return Ok(Some(index));
            }
        }
        Ok(None)
    }

    /// `GET {base}/services`: what is registered, without running anything.
    fn services(&self, tags: &[String], details: bool) -> Response<String> {
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
        let checks = self.config.health.checks();
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
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base", &self.config.base)
            .field("details", &self.config.details)
            .field(
                "formats",
                &self
                    .config
                    .formats
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("health", &self.config.health)
            .finish_non_exhaustive()
    }
}

/// Replaces each output with [`WITHHELD`], and drops each check's details, unless the
/// caller may see details. Copies only the small fields: an output is never cloned.
fn withhold_unless(details: bool, report: &mut Report) {
    if details {
        return;
    }
    for result in &mut report.results {
        *result = Arc::new(CheckResult {
            checker: result.checker.clone(),
            output: WITHHELD.to_owned(),
            passed: result.passed,
            status: result.status,
            group: result.group.clone(),
            details: serde_json::Map::new(),
            timestamp: result.timestamp,
            expires: result.expires,
            response_time: result.response_time,
            stats: result.stats.clone(),
            json: JsonOnce::default(),
        });
    }
}

/// A new endpoint configuration's id.
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A refusal: its status code and `{"error": "…", "status": code}`.
fn rejected(rejection: &Rejection) -> Response<String> {
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
    json(
        rejection.status,
        &Error {
            error: &rejection.message,
            status: rejection.status.as_u16(),
        },
    )
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
fn finish(head: bool, mut response: Response<String>) -> Response<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_that_runs_nothing_is_ready_at_its_first_poll_without_a_runtime() {
        let health = HealthCheck::builder().linked_checks(false).build().unwrap();
        let endpoint = Endpoint::new(health);
        let request = Request::post("/healthcheck").body(()).unwrap();
        let mut answer = endpoint.respond(&request);
        assert_eq!(
            format!("{answer:?}"),
            r#"Answer { head: false, state: "ready" }"#
        );
        let mut context = Context::from_waker(std::task::Waker::noop());
        let Poll::Ready(response) = Pin::new(&mut answer).poll(&mut context) else {
            panic!("a refusal waited");
        };
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(
            format!("{answer:?}"),
            r#"Answer { head: false, state: "given" }"#
        );
    }

    #[test]
    fn the_future_of_a_request_is_small_enough_to_box_cheaply() {
        // Adapters box this future on every request; it was over 1,000 bytes when it
        // held the request's URI and the whole run, past the ~1 KiB where glibc's
        // allocator leaves its per-thread caches for a slower path.
        let health = HealthCheck::builder().linked_checks(false).build().unwrap();
        let endpoint = Endpoint::new(health);
        let request = Request::get("/healthcheck/ready").body(()).unwrap();
        let future = endpoint.respond(&request);
        let size = std::mem::size_of_val(&future);
        // 40 as an `Answer` holding a kept body or a boxed run (200 as an `async` block
        // over a plan, 320 before that; an `async fn` answering it would add ~140).
        assert!(size <= 48, "the future is {size} bytes");
    }
}
