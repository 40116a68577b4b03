//! The `#[health_check]` compile-fail and pass cases in `trybuild/`.
//! Regenerate the expected errors with `TRYBUILD=overwrite cargo test --test trybuild`
//! and read every diff.

#[test]
fn attribute_mistakes_are_compile_errors_on_the_offending_token() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("trybuild/fail/*.rs");
    cases.pass("trybuild/pass/*.rs");
}
