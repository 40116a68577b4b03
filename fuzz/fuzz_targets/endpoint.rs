//! The endpoint under any request (method, path, query, `Accept`, `Authorization`),
//! interleaved with registry changes (checks added, removed, enabled, disabled, turning
//! to fail and back) and shutdown. Oracles beyond "no panic":
//!
//! - an answer to a caller without the token never holds a check's output or details,
//!   a check's location, or (in a refusal) the known groups and tags it did not name;
//! - an answer given again by the answer cache equals one made afresh (an endpoint
//!   configured apart) but for the Flask top-level timestamp;
//! - every answer is well-formed in its format: JSON parses, the Prometheus and
//!   Kubernetes texts are made of their own lines, the status page keeps its own
//!   elements one each whatever a check's message (which the fuzzer writes) holds;
//!   `HEAD` has no body; every answer says `Cache-Control: no-store`;
//! - the stream of changes (`Endpoint::events`, streams kept open across the steps) is
//!   made of SSE lines with JSON data and consecutive ids, and one opened without the
//!   token never holds a check's output or details.

#![no_main]

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use arbitrary::Arbitrary;
use healthcheck::http::{HeaderValue, Method, Request, Response};
use healthcheck::{Check, Details, Endpoint, Events, Health, HealthCheck};
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "fuzz-token";
const SECRETS: [&str; 3] = ["secret-output", "secret-detail", "fuzz_targets"];
const GROUPS: [&str; 2] = ["grp-alpha", "grp-beta"];
const TAGS: [&str; 2] = ["tag-gamma", "tag-delta"];

#[derive(Arbitrary, Debug)]
enum Authorization {
    None,
    Valid,
    Other(String),
}

#[derive(Arbitrary, Debug)]
struct Ask {
    method: u8,
    /// After `/healthcheck`.
    path: String,
    query: Option<String>,
    accept: Option<String>,
    authorization: Authorization,
    /// Which of a few usual paths, or the fuzzed one.
    usual: u8,
}

#[derive(Arbitrary, Debug)]
enum Step {
    Ask(Ask),
    Register(u8),
    Unregister(u8),
    Disable(u8),
    Enable(u8),
    Flip(u8),
    BeginShutdown,
    FinishShutdown,
    /// check-0 says this (with its secret), as its message, from its next run.
    Say(String),
    /// Opens a stream of changes, with the token or without.
    Listen(bool),
}

/// A stream kept open across the steps, and what it has told so far.
struct Listener {
    events: Events,
    authorized: bool,
    text: String,
    last_id: Option<u64>,
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    })
}

/// What check-0 says, as the fuzzer wrote it.
type Said = Arc<Mutex<String>>;

/// A check that passes or fails as its switch says, with an output and a detail that only
/// an authorized caller may see.
fn check(name: &str, passing: &Arc<AtomicBool>, group: usize, said: &Said) -> Check {
    let passing = Arc::clone(passing);
    let label = name.to_owned();
    let said = Arc::clone(said);
    Check::new(name, move || {
        let passed = passing.load(Ordering::SeqCst);
        let label = label.clone();
        let said = if label == "check-0" {
            said.lock().unwrap().clone()
        } else {
            String::new()
        };
        async move {
            let health = if passed {
                Health::pass(format!("secret-output of {label}{said}"))
            } else {
                Health::fail(format!("secret-output of {label}: down{said}"))
            };
            health.detail("note", "secret-detail")
        }
    })
    .group(GROUPS[group % 2])
    .tags([TAGS[group % 2]])
    .success_ttl(Duration::from_secs(3600))
    .failed_ttl(Duration::from_secs(3600))
}

fuzz_target!(|steps: Vec<Step>| {
    runtime().block_on(run(steps));
});

async fn run(steps: Vec<Step>) {
    let switches: Vec<Arc<AtomicBool>> = (0..4).map(|_| Arc::new(AtomicBool::new(true))).collect();
    let said: Said = Arc::default();
    let mut listeners: Vec<Listener> = Vec::new();
    let mut builder = HealthCheck::builder()
        .linked_checks(false)
        .hostname("fuzz-host")
        .shutdown_hook(Check::new("flush", || async {
            (true, "secret-output flushed")
        }));
    for (index, switch) in switches.iter().take(2).enumerate() {
        builder = builder.check(check(&format!("check-{index}"), switch, index, &said));
    }
    let health = builder.build().expect("valid checks");
    let endpoint = Endpoint::new(health.clone()).details(Details::WhenAuthorized(TOKEN.into()));
    for step in steps.into_iter().take(64) {
        match step {
            Step::Ask(ask) => {
                // Copied out first: check-0 reads it while the request runs.
                let said_now = said.lock().unwrap().clone();
                ask_and_judge(&endpoint, ask, &said_now).await;
            }
            Step::Register(n) => {
                let index = usize::from(n % 4);
                let _ = health.register(check(
                    &format!("check-{index}"),
                    &switches[index],
                    index,
                    &said,
                ));
            }
            Step::Unregister(n) => {
                health.unregister(&format!("check-{}", n % 4));
            }
            Step::Disable(n) => {
                health.disable(&format!("check-{}", n % 4));
            }
            Step::Enable(n) => {
                health.enable(&format!("check-{}", n % 4));
            }
            Step::Flip(n) => {
                let switch = &switches[usize::from(n % 4)];
                switch.store(!switch.load(Ordering::SeqCst), Ordering::SeqCst);
            }
            Step::BeginShutdown => health.begin_shutdown(),
            Step::FinishShutdown => {
                health.finish_shutdown().await;
            }
            Step::Say(text) => *said.lock().unwrap() = text.chars().take(64).collect(),
            Step::Listen(authorized) if listeners.len() < 4 => {
                let mut request = Request::get("/healthcheck/events");
                if authorized {
                    request = request.header("authorization", format!("Bearer {TOKEN}"));
                }
                let response = endpoint.events(&request.body(()).expect("a request"));
                assert_eq!(response.status(), 200);
                listeners.push(Listener {
                    events: response.into_body(),
                    authorized,
                    text: String::new(),
                    last_id: None,
                });
            }
            Step::Listen(_) => {}
        }
        let said_now = said.lock().unwrap().clone();
        for listener in &mut listeners {
            listen(listener, &said_now);
        }
    }
}

/// Reads what `listener`'s stream has now (without waiting) and judges each event.
fn listen(listener: &mut Listener, said: &str) {
    let mut context = Context::from_waker(std::task::Waker::noop());
    while let Poll::Ready(Some(chunk)) =
        futures_util::Stream::poll_next(Pin::new(&mut listener.events), &mut context)
    {
        let chunk = chunk.expect("infallible");
        listener
            .text
            .push_str(std::str::from_utf8(&chunk).expect("UTF-8 events"));
    }
    while let Some(end) = listener.text.find("\n\n") {
        let block = listener.text[..end].to_owned();
        listener.text.drain(..end + 2);
        for line in block.lines() {
            if let Some(id) = line.strip_prefix("id: ") {
                let id: u64 = id.parse().expect("a numeric id");
                if let Some(last) = listener.last_id {
                    assert_eq!(id, last + 1, "ids with a gap: {block}");
                }
                listener.last_id = Some(id);
            } else if let Some(data) = line.strip_prefix("data: ") {
                serde_json::from_str::<serde_json::Value>(data)
                    .unwrap_or_else(|err| panic!("data not JSON ({err}): {block}"));
            } else {
                let known = ["event: ", ": ", "retry: "];
                assert!(
                    known.iter().any(|start| line.starts_with(start)),
                    "{line:?}"
                );
            }
        }
        if !listener.authorized {
            for secret in SECRETS {
                assert!(
                    !block.contains(secret) || said.contains(secret),
                    "{secret} streamed without the token: {block}"
                );
            }
        }
    }
}

const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "DELETE", "OPTIONS"];
const USUAL: [&str; 11] = [
    "",
    "/",
    "/live",
    "/ready",
    "/startup",
    "/services",
    "/info",
    "/group/grp-alpha",
    "/check-0",
    "/status",
    "/events",
];

async fn ask_and_judge(endpoint: &Endpoint, ask: Ask, said: &str) {
    let path = match USUAL.get(usize::from(ask.usual)) {
        Some(usual) => (*usual).to_owned(),
        None => ask.path.clone(),
    };
    let mut uri = format!("/healthcheck{path}");
    if let Some(query) = &ask.query {
        uri.push('?');
        uri.push_str(query);
    }
    let method = METHODS[usize::from(ask.method) % METHODS.len()];
    let mut request = Request::builder().method(method).uri(uri.as_str());
    if let Some(accept) = ask
        .accept
        .as_deref()
        .and_then(|a| HeaderValue::from_str(a).ok())
    {
        request = request.header("accept", accept);
    }
    let authorized = match &ask.authorization {
        Authorization::None => Some(false),
        Authorization::Valid => Some(true),
        // A fuzzed value that holds the token might be a valid one: no secrecy oracle.
        Authorization::Other(value) if value.contains(TOKEN) => None,
        Authorization::Other(_) => Some(false),
    };
    let authorization = match &ask.authorization {
        Authorization::None => None,
        Authorization::Valid => Some(format!("Bearer {TOKEN}")),
        Authorization::Other(value) => Some(value.clone()),
    };
    if let Some(value) = authorization.and_then(|v| HeaderValue::from_str(&v).ok()) {
        request = request.header("authorization", value);
    }
    let Ok(request) = request.body(()) else {
        return; // not a request http can hold
    };
    let first = endpoint.respond(&request).await;
    let again = endpoint.respond(&request).await;
    let third = endpoint.respond(&request).await;
    let head = request.method() == Method::HEAD;
    for response in [&first, &again, &third] {
        well_formed(response, head, &uri, said);
        if authorized == Some(false) {
            // What the caller sent may come back in a refusal: it names nothing new.
            let asked = format!("{uri} {:?} {:?} {said}", ask.accept, ask.authorization);
            keeps_secrets(response, &asked);
        }
    }
    // A copy configured apart keeps no answer of the first: it answers afresh. Compared
    // when the answer stands (a result made at each answer, `not run: …` after a stop,
    // is never kept, and two such answers differ in it).
    let whole_probe = matches!(path.as_str(), "" | "/" | "/live" | "/ready" | "/startup");
    if whole_probe && comparable(&again) == comparable(&third) {
        let fresh = endpoint
            .clone()
            .base_path("/healthcheck")
            .respond(&request)
            .await;
        assert_eq!(again.status(), fresh.status(), "{uri}");
        assert_eq!(
            again.headers().get("content-type"),
            fresh.headers().get("content-type"),
            "{uri}"
        );
        assert_eq!(
            comparable(&again),
            comparable(&fresh),
            "{uri}: kept and fresh differ"
        );
    }
}

/// The body, the Flask top-level timestamp left out.
fn comparable(response: &Response<String>) -> String {
    let body = response.body();
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut fields)) if fields.contains_key("hostname") => {
            fields.remove("timestamp");
            serde_json::Value::Object(fields).to_string()
        }
        _ => body.clone(),
    }
}

fn keeps_secrets(response: &Response<String>, asked: &str) {
    let body = response.body();
    for secret in SECRETS {
        if !asked.contains(secret) {
            assert!(
                !body.contains(secret),
                "{asked}: {secret} shown without the token: {body}"
            );
        }
    }
    if response.status().is_client_error() {
        for known in GROUPS.iter().chain(TAGS.iter()) {
            if !asked.contains(known) {
                assert!(
                    !body.contains(known),
                    "{asked}: a refusal lists {known}: {body}"
                );
            }
        }
    }
}

fn well_formed(response: &Response<String>, head: bool, uri: &str, said: &str) {
    assert_eq!(response.headers()["cache-control"], "no-store", "{uri}");
    let body = response.body();
    if head {
        assert!(body.is_empty(), "{uri}: HEAD with a body");
        assert!(response.headers().contains_key("content-length"), "{uri}");
        return;
    }
    let content_type = response.headers()["content-type"].to_str().expect("ASCII");
    if content_type.contains("json") {
        serde_json::from_str::<serde_json::Value>(body)
            .unwrap_or_else(|err| panic!("{uri}: not JSON ({err}): {body}"));
    } else if content_type.contains("version=0.0.4") {
        for line in body.lines() {
            if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
                continue;
            }
            let (series, value) = line
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("{uri}: {line}"));
            assert!(series.ends_with('}'), "{uri}: {line}");
            let number = value.parse::<f64>().is_ok() || ["NaN", "+Inf", "-Inf"].contains(&value);
            assert!(number, "{uri}: {line}");
        }
    } else if content_type.starts_with("text/plain") {
        if body == "ok" {
            return;
        }
        for line in body.lines() {
            let known = ["[+]", "[-]", "warn: ", "phase: ", "healthz check "];
            assert!(
                known.iter().any(|start| line.starts_with(start)),
                "{uri}: {line:?}"
            );
        }
    } else if content_type.starts_with("text/html") {
        assert!(body.starts_with("<!doctype html>"), "{uri}");
        // A message with markup in it (the fuzzer writes check-0's) adds no element: the
        // page's own elements stay one each.
        let once = [
            "<style", "</style", "<script", "</script", "<main", "</main", "<table", "</table",
            "<footer",
        ];
        for tag in once {
            assert_eq!(
                body.matches(tag).count(),
                1,
                "{uri}: {tag} with {said:?} in {body}"
            );
        }
    } else {
        panic!("{uri}: unknown content type {content_type}");
    }
}
