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
