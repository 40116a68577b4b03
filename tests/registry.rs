//! Gathering checks: from other crates, in name order, with the builder's settings,
//! and the errors `build` gives for bad names.

mod support;

use std::time::Duration;

use healthcheck::{Check, HealthCheck, Problem, health_check};

#[health_check(name = "zulu")]
async fn zulu() -> (bool, String) {
    (true, "zulu ok".to_string())
}

#[health_check(
    name = "alpha",
    timeout = "250ms",
    success_ttl = "1m",
    failed_ttl = "3s"
)]
async fn alpha() -> (bool, String) {
    (false, "alpha down".to_string())
}

#[tokio::test]
async fn checks_defined_in_another_crate_of_the_workspace_are_collected() {
    // Naming an item links the crate, and with it its registrations.
    let _ = healthcheck_second_crate::ping;
    let health = HealthCheck::collect().unwrap();
    let check = health.check("second_crate.ping").expect("collected");
    assert_eq!(check.location().file, "tests/second_crate/lib.rs");
    assert_eq!(
        check.location().module_path,
        Some("healthcheck_second_crate")
    );
    let report = health.run_named(["second_crate.ping"]).await;
    assert_eq!(report.results[0].output, "pong from the second crate");
}

#[tokio::test]
async fn results_are_ordered_by_name_whatever_the_link_order() {
    let health = HealthCheck::builder()
        .check(Check::new("mike", || async { (true, "mike".to_string()) }))
        .build()
        .unwrap();
    let names = health.names();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    for name in ["alpha", "mike", "zulu"] {
        assert!(names.iter().any(|n| n == name), "{name}");
    }
    let report = health.run().await;
    let reported: Vec<&str> = report.results.iter().map(|r| r.checker.as_str()).collect();
    assert_eq!(reported, names);
}

#[tokio::test]
async fn cached_results_and_fresh_runs_interleave_in_name_order() {
    // Every other check is cached for an hour; the rest run on every report, so the
    // second report mixes results it knows with runs it waits for.
    let health = (0..12)
        .fold(HealthCheck::builder().linked_checks(false), |builder, i| {
            let ttl = if i % 3 == 0 {
                Duration::ZERO
            } else {
                Duration::from_secs(3600)
            };
            builder.check(
                Check::new(format!("check_{i:02}"), move || async move {
                    (true, format!("run of {i}"))
                })
                .success_ttl(ttl),
            )
        })
        .build()
        .unwrap();
    let first = health.run().await;
    let second = health.run().await;
    let names: Vec<&str> = second.results.iter().map(|r| r.checker.as_str()).collect();
    let expected: Vec<String> = (0..12).map(|i| format!("check_{i:02}")).collect();
    assert_eq!(names, expected);
    for (index, (before, after)) in first.results.iter().zip(&second.results).enumerate() {
        assert_eq!(after.output, format!("run of {index}"));
        // The cached ones are the very same results; the others were run again.
        assert_eq!(
            std::sync::Arc::ptr_eq(before, after),
            index % 3 != 0,
            "{index}"
        );
    }
}
#[tokio::test]
async fn attribute_options_and_source_location_are_recorded() {
    let health = HealthCheck::collect().unwrap();
    let alpha = health.check("alpha").unwrap();
    assert_eq!(alpha.location().file, "tests/registry.rs");
    assert_eq!(alpha.location().line, 15);
    assert_eq!(alpha.location().module_path, Some("registry"));

    let report = health.run_named(["alpha"]).await;
    let result = &report.results[0];
    assert_eq!(result.output, "alpha down");
    assert_eq!(
        result.expires.duration_since(result.timestamp).unwrap(),
        Duration::from_secs(3),
        "failed_ttl = \"3s\" applies to a failure"
    );
    // The function stays callable as written.
    assert_eq!(zulu().await, (true, "zulu ok".to_string()));
}

#[tokio::test]
async fn the_builder_sets_hostname_and_defaults_for_checks_that_set_none() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .hostname("web-7")
        .success_ttl(Duration::from_secs(42))
        .check(Check::new("plain", || async { (true, "ok".to_string()) }))
        .build()
        .unwrap();
    let report = health.run().await;
    assert_eq!(&*report.hostname, "web-7");
    let result = &report.results[0];
    assert_eq!(
        result.expires.duration_since(result.timestamp).unwrap(),
        Duration::from_secs(42)
    );
}

#[test]
fn the_default_hostname_is_the_machines() {
    let health = HealthCheck::builder().linked_checks(false).build().unwrap();
    let expected = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| health.hostname().to_owned());
    assert!(!health.hostname().is_empty());
    assert_eq!(health.hostname(), expected);
}

#[test]
fn two_programmatic_checks_with_one_name_are_an_error_naming_both_locations() {
    let first = Check::new("cache", || async { (true, String::new()) });
    let second = Check::new("cache", || async { (true, String::new()) });
    let (first_line, second_line) = (first.location().line, second.location().line);
    let err = HealthCheck::builder()
        .linked_checks(false)
        .check(first)
        .check(second)
        .build()
        .unwrap_err();
    let [
        Problem::DuplicateName {
            name,
            first,
            second,
        },
    ] = err.problems()
    else {
        panic!("expected a duplicate-name error, got {err:?}");
    };
    assert_eq!(name, "cache");
    assert_eq!((first.line, second.line), (first_line, second_line));
    assert_eq!(
        err.to_string(),
        format!(
            "two health checks are named `cache`: one at tests/registry.rs:{first_line}, \
             one at tests/registry.rs:{second_line}; rename one"
        )
    );
}

#[test]
fn a_programmatic_check_with_a_bad_name_is_an_error_at_build() {
    for (name, problem) in [
        ("", "cannot be empty"),
        ("has space", "contains ' '"),
        ("services", "is reserved"),
        ("status", "is reserved"),
        ("events", "is reserved"),
        (&"x".repeat(65) as &str, "65 characters long"),
    ] {
        let err = HealthCheck::builder()
            .linked_checks(false)
            .check(Check::new(name, || async { (true, String::new()) }))
            .build()
            .unwrap_err();
        assert!(
            matches!(err.problems(), [Problem::InvalidName { .. }]),
            "{name:?}: {err:?}"
        );
        assert!(err.to_string().contains(problem), "{name:?}: {err}");
        assert!(err.to_string().contains("tests/registry.rs:"), "{err}");
    }
    let longest = "x".repeat(64);
    let ok = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new(longest, || async { (true, String::new()) }))
        .build();
    assert!(ok.is_ok());
}

#[test]
fn a_programmatic_check_named_like_a_linked_one_is_a_duplicate() {
    let err = HealthCheck::builder()
        .check(Check::new("zulu", || async { (true, String::new()) }))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("tests/registry.rs:10"), "{err}");
}
