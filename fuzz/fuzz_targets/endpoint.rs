//! The endpoint under any request (method, path, query, `Accept`, `Authorization`),
//! interleaved with registry changes (checks added, removed, enabled, disabled, turning
//! to fail and back) and shutdown. Oracles beyond "no panic":
//!
//! - an answer to a caller without the token never holds a check's output or details,
//!   a check's location, or (in a refusal) the known groups and tags it did not name;
//! - an answer given again by the answer cache equals one made afresh (an endpoint
//!   configured apart) but for the Flask top-level timestamp;
//! - every answer is well-formed in its format: JSON parses, the Prometheus and
//!   Kubernetes texts are made of their own lines; `HEAD` has no body; every answer
//!   says `Cache-Control: no-store`.

#![no_main]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arbitrary::Arbitrary;
use healthcheck::http::{HeaderValue, Method, Request, Response};
use healthcheck::{Check, Details, Endpoint, Health, HealthCheck};
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

/// A check that passes or fails as its switch says, with an output and a detail that only
/// an authorized caller may see.
fn check(name: &str, passing: &Arc<AtomicBool>, group: usize) -> Check {
    let passing = Arc::clone(passing);
    let label = name.to_owned();
    Check::new(name, move || {
        let passed = passing.load(Ordering::SeqCst);
        let label = label.clone();
        async move {
            let health = if passed {
                Health::pass(format!("secret-output of {label}"))
            } else {
                Health::fail(format!("secret-output of {label}: down"))
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
    let mut builder = HealthCheck::builder()
        .linked_checks(false)
        .hostname("fuzz-host")
        .shutdown_hook(Check::new("flush", || async {
            (true, "secret-output flushed")
        }));
    for (index, switch) in switches.iter().take(2).enumerate() {
        builder = builder.check(check(&format!("check-{index}"), switch, index));
    }
    let health = builder.build().expect("valid checks");
    let endpoint = Endpoint::new(health.clone()).details(Details::WhenAuthorized(TOKEN.into()));
    for step in steps.into_iter().take(64) {
        match step {
            Step::Ask(ask) => ask_and_judge(&endpoint, ask).await,
            Step::Register(n) => {
                let index = usize::from(n % 4);
                let _ = health.register(check(&format!("check-{index}"), &switches[index], index));
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
        }
    }
}

const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "DELETE", "OPTIONS"];
const USUAL: [&str; 9] = [
    "",
    "/",
    "/live",
    "/ready",
    "/startup",
    "/services",
    "/info",
    "/group/grp-alpha",
    "/check-0",
];

async fn ask_and_judge(endpoint: &Endpoint, ask: Ask) {
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
        well_formed(response, head, &uri);
        if authorized == Some(false) {
            // What the caller sent may come back in a refusal: it names nothing new.
            let asked = format!("{uri} {:?} {:?}", ask.accept, ask.authorization);
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

fn well_formed(response: &Response<String>, head: bool, uri: &str) {
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
    } else {
        panic!("{uri}: unknown content type {content_type}");
    }
}
