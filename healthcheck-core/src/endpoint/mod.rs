//! The HTTP endpoint, framework-agnostic: one function from an `http::Request` to an
//! `http::Response`. The adapters are thin wrappers around [`Endpoint::respond`].

mod accept;
mod config;
#[cfg(feature = "status-page")]
mod events;
mod plan;
mod respond;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use tokio::time::Instant;

use crate::answers;
use crate::details::Details;
use crate::format::Format;
use crate::registry::{Asker, HealthCheck};
use crate::status_codes::StatusCodes;
use config::Config;
#[cfg(feature = "status-page")]
pub use events::{Events, HEARTBEAT as EVENTS_HEARTBEAT, MAX_EVENT_STREAMS};

use plan::{Action, Run};

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
    /// An answer given again, made a response when polled: moved as its parts until then
    /// (the body as a `Box<str>`: sized exactly, it is one pointer and a length).
    Kept(StatusCode, &'static str, Box<str>),
    /// Nothing to do: the response, boxed.
    Ready(Box<Response<String>>),
    /// The run and the response to its report.
    Running(Running<'a>),
    /// The response was given.
    Given,
}

/// A run and the response to its report, boxed where it is made: so compiled there.
type Running<'a> = Pin<Box<dyn Future<Output = Response<String>> + Send + 'a>>;

impl<'a> Answer<'a> {
    /// The answer to a decided request; `running` boxes the run it asks for.
    fn new(head: bool, decided: Decided, running: impl FnOnce(Job, bool) -> Running<'a>) -> Self {
        let state = match decided {
            Decided::Run(job, details) => Pending::Running(running(job, details)),
            Decided::Ready(response) => Pending::Ready(response),
            Decided::Kept(status, media_type, body) => {
                Pending::Kept(status, media_type, body.into_boxed_str())
            }
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
            Pending::Kept(status, media_type, body) => {
                crate::format::response(status, media_type, body.into_string())
            }
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
        Poll::Ready(respond::finish(answer.head, response))
    }
}

impl Endpoint {
    /// An endpoint for `health` at [`defaults::BASE_PATH`](crate::defaults::BASE_PATH), showing details to everyone,
    /// with the default [`StatusCodes`].
    pub fn new(health: impl Into<HealthCheck>) -> Self {
        let health = health.into();
        // Serving begins: the startup checks run from now on, not from the first probe.
        health.ensure_startup_driver();
        Endpoint {
            config: Arc::new(Config::new(health)),
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

    /// The format of answers whose request names none (default [`Flask`](crate::format::Flask)).
    pub fn format(mut self, format: impl Format) -> Self {
        self.config_mut().format = Arc::new(format);
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
        config.renew_id();
        config
    }

    /// The most event streams ([`Endpoint::events`]) open at once (default
    /// [`MAX_EVENT_STREAMS`], at least 1): one more is answered 503 with a JSON body.
    #[cfg(feature = "status-page")]
    pub fn max_event_streams(mut self, streams: usize) -> Self {
        self.config_mut().max_event_streams = streams.max(1);
        self
    }

    /// `GET {base}/events`: the stream of changes, as Server-Sent Events. Each event has
    /// an id and JSON data: `status` (a check's status changed: `checker`, `from`,
    /// `status`, `output` under the details policy, `timestamp`, `response_time`,
    /// `flapping`), `flapping` (started or stopped) and `phase` (`phase`, and
    /// `drain_left` in seconds while draining). A comment every 15 s keeps it open.
    /// `Last-Event-ID` (or `?last_event_id=`) resumes after that event while the last
    /// 256 are kept, else a `reset` event says what was lost. A reader that falls 256
    /// events behind gets an `end` event and the stream closes; so does every stream
    /// when shutdown's drain ends. Refusals (wrong path or method, a bad id, too many
    /// streams: 503) have a JSON body. The axum and actix-web adapters route it; with
    /// hyper or tower, route `{base}/events` here yourself.
    ///
    /// ```standalone_crate
    /// use healthcheck::{Endpoint, HealthCheck, http};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let health = HealthCheck::builder().linked_checks(false).build().unwrap();
    /// let endpoint = Endpoint::new(health);
    /// let request = http::Request::get("/healthcheck/events").body(()).unwrap();
    /// let response = endpoint.events(&request);
    /// assert_eq!(response.headers()["content-type"], "text/event-stream");
    /// # }
    /// ```
    #[cfg(feature = "status-page")]
    pub fn events<B>(&self, request: &Request<B>) -> Response<Events> {
        events::answer(&self.config, request)
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
        let (head, decided) = self.decide(request);
        Answer::new(head, decided, |run, details| {
            Box::pin(self.run(run, details))
        })
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
        let (head, decided) = self.decide(request);
        Answer::new(head, decided, move |run, details| {
            Box::pin(async move { self.run(run, details).await })
        })
    }

    /// The request's plan, and the answer when it needs no run: a refusal, `/services`,
    /// `/info`, or an answer the cache gives again.
    fn decide<B>(&self, request: &Request<B>) -> (bool, Decided) {
        self.decide_parts(request.method(), request.uri(), request.headers())
    }

    /// [`decide`](Self::decide) from the request's parts: not generic over the body, so
    /// compiled once, here.
    fn decide_parts(
        &self,
        method: &http::Method,
        uri: &http::Uri,
        headers: &http::HeaderMap,
    ) -> (bool, Decided) {
        let config = &*self.config;
        let plan = plan::plan(config, method, uri, headers);
        let response = match plan.action {
            Action::Refuse(rejection) => respond::refused(&rejection),
            Action::Services(tags) => respond::services(config, &tags, plan.details),
            Action::Info => respond::info(config, plan.details),
            Action::History(name) => respond::history(config, &name, plan.details),
            #[cfg(feature = "status-page")]
            Action::Page => return (plan.head, Decided::Run(Job::Page, plan.details)),
            Action::Run(run) => {
                let again = run.cache.as_ref().and_then(|key| {
                    answers::again(key, config.health.generation(), Instant::now())
                });
                return match again {
                    Some((phase, status, body)) => {
                        config.health.answered_again(phase);
                        let media_type = config.format(run.format).media_type();
                        (plan.head, Decided::Kept(status, media_type, body))
                    }
                    None => (
                        plan.head,
                        Decided::Run(Job::Report(Box::new(run)), plan.details),
                    ),
                };
            }
        };
        (plan.head, Decided::Ready(Box::new(response)))
    }

    /// Runs what `job` asks for and answers.
    async fn run(&self, job: Job, details: bool) -> Response<String> {
        match job {
            Job::Report(run) => self.report(run, details).await,
            #[cfg(feature = "status-page")]
            Job::Page => self.page(details).await,
        }
    }

    /// The status page: every check run (or its fresh result), drawn with the checks'
    /// histories and the phase.
    #[cfg(feature = "status-page")]
    async fn page(&self, details: bool) -> Response<String> {
        let health = &self.config.health;
        // Read before the run: the page's script follows from here, so no change made
        // while the page is drawn is missed (one shown already is told again).
        let last_event_id = health.feed().last_id();
        let ran = health
            .run_selected(&crate::selection::Selection::all(), Asker::Probe)
            .await;
        respond::page(&self.config, ran, last_event_id, details)
    }

    /// Runs what `run` selects and answers with its report.
    async fn report(&self, run: Box<Run>, details: bool) -> Response<String> {
        // One snapshot decides both what exists and what runs: no check-then-run gap.
        let (selection, rendering) = run.selection(&self.config);
        let ran = (self.config.health)
            .run_selected(&selection, Asker::Probe)
            .await;
        respond::report(&self.config, *run, (selection, rendering), ran, details)
    }
}

/// What a request needs once decided: nothing but its answer, or a run.
enum Decided {
    Ready(Box<Response<String>>),
    /// An answer given again: status code, media type, body.
    Kept(StatusCode, &'static str, String),
    /// A run, and whether the caller may see details.
    Run(Job, bool),
}

/// What a run answers with.
enum Job {
    /// The report of what the request selects, in its format.
    Report(Box<Run>),
    /// The status page.
    #[cfg(feature = "status-page")]
    Page,
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
        // An adapter may box this future on every request: it holds only what the plan
        // leaves to do, well below where an allocator leaves its per-thread caches.
        let health = HealthCheck::builder().linked_checks(false).build().unwrap();
        let endpoint = Endpoint::new(health);
        let request = Request::get("/healthcheck/ready").body(()).unwrap();
        let future = endpoint.respond(&request);
        let size = std::mem::size_of_val(&future);
        assert!(size <= 48, "the future is {size} bytes");
    }
}
