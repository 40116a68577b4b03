//! Every error message the README quotes, produced here and compared with the README's
//! text (locations aside: the README shows a user's `src/…` files).

mod support;

use std::sync::Arc;

use healthcheck::http::Request;
use healthcheck::{Check, Endpoint, HealthCheck};

const README: &str = include_str!("../README.md");

/// The README with line breaks and indentation folded to single spaces, so a quoted
/// message wrapped over lines still matches.
fn folded_readme() -> String {
    README.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_quoted(message: &str) {
    let folded = message.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        folded_readme().contains(&folded),
        "the README does not quote, as produced:\n{message}"
    );
}

#[test]
fn the_headline_compile_error_is_the_one_the_macro_gives() {
    let produced = include_str!("../trybuild/fail/unknown_key.stderr")
        .replace("trybuild/fail/unknown_key.rs", "src/checks.rs");
    assert!(README.contains(&produced), "README lacks:\n{produced}");
}

#[test]
fn the_return_type_error_it_quotes_is_the_one_rustc_gives() {
    let produced = include_str!("../trybuild/fail/result_error_not_display.stderr");
    let message = "the check's return type is not a health check result";
    assert!(
        produced.contains(&format!("error[E0277]: {message}")),
        "{produced}"
    );
    assert_quoted(&format!("`{message}`"));
}

#[test]
fn the_duplicate_name_error_is_the_one_build_gives() {
    // The same sentence `tests/duplicate_names.rs` gets from real attributes.
    let first = Check::new("database", || async { true });
    let second = Check::new("database", || async { true });
    let (a, b) = (first.location().line, second.location().line);
    let err = HealthCheck::builder()
        .linked_checks(false)
        .check(first)
        .check(second)
        .build()
        .unwrap_err();
    let produced = err
        .to_string()
        .replace(&format!("tests/readme_messages.rs:{a}"), "src/billing.rs:6")
        .replace(&format!("tests/readme_messages.rs:{b}"), "src/orders.rs:13");
    assert_quoted(&produced);
}

async fn body(endpoint: &Endpoint, path: &str) -> String {
    let request = Request::get(path).body(()).unwrap();
    endpoint.respond(&request).await.into_body()
}

#[tokio::test]
async fn the_refusals_it_quotes_are_the_endpoints() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", || async { true }).tags(["db"]))
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health));
    assert_quoted(&body(&endpoint, "/healthcheck/ready?debug=1").await);
    assert_quoted(&body(&endpoint, "/healthcheck/ready?tag=dbb").await);
}

#[test]
fn the_postgres_cause_chain_it_quotes_is_the_one_tests_builtins_asserts() {
    // `tests/builtins.rs` (a_refused_postgres_pool_names_every_cause_down_to_the_refusal)
    // asserts this exact output against the real server; here, that the README says it.
    assert_quoted(
        "cannot get a PostgreSQL connection: Error occurred while creating a new object: \
         error connecting to server: Connection refused (os error 111)",
    );
}

#[test]
fn the_flapping_threshold_error_is_the_one_build_gives() {
    let err = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", || async { true }).flapping_thresholds(40.0, 30.0))
        .build()
        .unwrap_err()
        .to_string();
    let message = "`flapping_low` (40) must be below `flapping_high` (30): flapping starts at the high one and stops at the low one";
    assert!(err.starts_with(message), "{err}");
    assert_quoted(&format!("`` {message} ``"));
}

#[tokio::test]
async fn the_success_threshold_message_is_the_one_a_run_gives() {
    let passing = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&passing);
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(
            Check::new("db", move || {
                let up = flag.load(std::sync::atomic::Ordering::SeqCst);
                async move { (up, if up { "up" } else { "down" }.to_string()) }
            })
            .success_threshold(3)
            .success_ttl(std::time::Duration::ZERO)
            .failed_ttl(std::time::Duration::ZERO),
        )
        .build()
        .unwrap();
    health.run().await;
    passing.store(true, std::sync::atomic::Ordering::SeqCst);
    let output = health.run().await.results[0].output.clone();
    assert_quoted(&format!("`{output}`"));
}

#[tokio::test]
async fn the_event_stream_refusals_it_quotes_are_the_ones_the_endpoint_gives() {
    let endpoint = Endpoint::new(support::registry([])).max_event_streams(2);
    let request = Request::get("/healthcheck/events").body(()).unwrap();
    let (_one, _two) = (endpoint.events(&request), endpoint.events(&request));
    let refused = endpoint.events(&request);
    assert_eq!(refused.status(), 503);
    let body = futures_util::StreamExt::next(&mut refused.into_body())
        .await
        .unwrap()
        .unwrap();
    assert_quoted(&format!("`{}`", std::str::from_utf8(&body).unwrap()));
    // The tower service cannot stream: it says where the stream is served.
    let answer = endpoint.respond(&request).await;
    assert_eq!(answer.status(), 501);
    let error: serde_json::Value = serde_json::from_str(answer.body()).unwrap();
    assert_quoted(&format!("(`{}`)", error["error"].as_str().unwrap()));
}
