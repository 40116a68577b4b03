//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different part

pub mod backing;
pub mod http;
pub mod proxy;
pub mod servers;
pub mod sse;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use healthcheck::{Check, Checker, HealthCheck, IntoHealth};

/// A registry of only `checks`, so the test does not see the binary's linked checks.
pub fn registry(checks: impl IntoIterator<Item = Check>) -> HealthCheck {
    checks
        .into_iter()
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                .hostname("test-host"),
            |builder, check| builder.check(check),
        )
        .build()
        .expect("valid, unique names")
}

/// A never-cached check that fails (`down`) while `failing` is set, else passes (`up`).
pub fn switched(name: &str, failing: &Arc<std::sync::atomic::AtomicBool>) -> Check {
    let failing = Arc::clone(failing);
    Check::new(name, move || {
        let failed = failing.load(Ordering::SeqCst);
        async move { (!failed, if failed { "down" } else { "up" }.to_string()) }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)
}

/// Status, content type and body of `GET path` from `endpoint`, with `accept` if given.
pub async fn get_accepting(
    endpoint: &healthcheck::Endpoint,
    path: &str,
    accept: Option<&str>,
) -> (u16, String, String) {
    let mut request = healthcheck::http::Request::get(path);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = endpoint.respond(&request.body(()).unwrap()).await;
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (
        response.status().as_u16(),
        content_type,
        response.into_body(),
    )
}

/// How a test's checks are written: the two must behave alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `Check::new(name, closure)`.
    Closure,
    /// `Check::checker(name, value)` of a struct implementing `Checker`.
    Checker,
}

/// A struct checker that runs a closure: the `Checker` trait's path to a `Check`.
pub struct ClosureChecker<F>(pub F);

impl<F, Fut> Checker for ClosureChecker<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoHealth + Send,
{
    type Output = Fut::Output;

    async fn check(&self) -> Fut::Output {
        (self.0)().await
    }
}

/// A check named `name` that runs `run`, written in `form`.
#[track_caller]
pub fn check_as<F, Fut>(form: Form, name: &str, run: F) -> Check
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoHealth + Send,
{
    match form {
        Form::Closure => Check::new(name, run),
        Form::Checker => Check::checker(name, ClosureChecker(run)),
    }
}

/// A check that counts its runs, waits `delay`, then returns `passed`.
pub fn counting(name: &str, delay: Duration, passed: bool) -> (Check, Arc<AtomicUsize>) {
    counting_as(Form::Closure, name, delay, passed)
}

/// [`counting`] written in `form`.
pub fn counting_as(
    form: Form,
    name: &str,
    delay: Duration,
    passed: bool,
) -> (Check, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let check = check_as(form, name, move || {
        let counter = Arc::clone(&counter);
        async move {
            let run = counter.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(delay).await;
            (passed, format!("run {run}"))
        }
    });
    (check, runs)
}

/// An example binary, which `cargo test` builds beside the test binaries.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`, which builds the examples",
        path.display()
    );
    path
}

/// Something a test needs is missing (a server, a tool): under CI a failure saying
/// `message`; elsewhere the test is skipped, saying so.
pub fn missing(message: &str) {
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("skipped (CI is unset): {message}");
}
