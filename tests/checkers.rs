//! Struct checks: `#[derive(Checker)]` at link time (here and from a second crate), by
//! value twice with different settings, a missing state named at startup, and every
//! return type a function may have.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use healthcheck::{
    Check, Checker, DynChecker, Health, HealthCheck, HealthStatus, Kind, Problem, State,
};

#[derive(Clone)]
struct Pool {
    url: &'static str,
    runs: Arc<AtomicUsize>,
}

/// Registered at link time: its only field is `State<Pool>`.
#[derive(Checker)]
#[checker(name = "pool_struct", timeout = "2s", tags = ["db"], kind = ["readiness", "liveness"])]
struct PoolCheck {
    pool: State<Pool>,
}

impl Checker for PoolCheck {
    type Output = Result<(), String>;

    async fn check(&self) -> Self::Output {
        self.pool.runs.fetch_add(1, Ordering::SeqCst);
        if self.pool.url.is_empty() {
            Err("no url".into())
        } else {
            Ok(())
        }
    }
}

/// Registered by value: it carries its own configuration.
#[derive(Checker)]
#[checker(name = "endpoint", instance, failed_ttl = "1s", group = "upstream")]
struct Endpoint {
    url: String,
    slow_after: Duration,
}

impl Checker for Endpoint {
    type Output = Health;

    async fn check(&self) -> Health {
        tokio::time::sleep(self.slow_after).await;
        Health::pass(format!("{} answered", self.url)).detail("url", self.url.clone())
    }
}

fn pool(url: &'static str) -> Pool {
    Pool {
        url,
        runs: Arc::default(),
    }
}

#[tokio::test]
async fn a_derived_checker_with_state_fields_is_collected_at_link_time_like_a_function() {
    let pool = pool("postgres://db");
    let health = HealthCheck::builder().state(pool.clone()).build().unwrap();
    let check = health.check("pool_struct").expect("collected");
    assert_eq!(check.tag_list(), ["db"]);
    assert!(check.is(Kind::Liveness) && check.is(Kind::Readiness));
    assert_eq!(check.location().file, "tests/checkers.rs");
    let report = health.run_named(["pool_struct"]).await;
    assert_eq!(report.results[0].output, "ok", "Ok(()) passes with `ok`");
    assert_eq!(pool.runs.load(Ordering::SeqCst), 1);
    // A struct registered by value is not collected.
    assert!(health.check("endpoint").is_none());
}

#[tokio::test]
async fn a_derived_checker_from_a_second_crate_is_collected() {
    let _ = healthcheck_second_crate::StructPing;
    let health = HealthCheck::builder().state(pool("x")).build().unwrap();
    let check = health.check("second_crate.struct_ping").expect("collected");
    assert_eq!(check.location().file, "tests/second_crate/lib.rs");
    assert_eq!(check.group_name(), "healthcheck_second_crate");
    let report = health.run_named(["second_crate.struct_ping"]).await;
    assert!(report.is_success());
}

#[test]
fn a_missing_state_of_a_derived_checker_is_an_error_at_startup_naming_it_and_the_type() {
    let err = HealthCheck::builder().build().unwrap_err();
    let found = err.problems().iter().any(|problem| {
        matches!(problem, Problem::MissingState { name, type_name, .. }
            if name == "pool_struct" && type_name.ends_with("Pool"))
    });
    assert!(found, "{err}");
    assert!(
        err.to_string()
            .contains("health check `pool_struct` at tests/checkers.rs:"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn one_checker_registered_by_value_twice_with_different_names_and_settings() {
    let primary = Endpoint {
        url: "http://primary".into(),
        slow_after: Duration::ZERO,
    };
    let replica = Endpoint {
        url: "http://replica".into(),
        slow_after: Duration::from_secs(3),
    };
    let health = HealthCheck::builder()
        .linked_checks(false)
        .checker(primary)
        .check(
            Check::from_checker(replica)
                .with_name("endpoint_replica")
                .timeout(Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    assert_eq!(health.names(), ["endpoint", "endpoint_replica"]);
    assert_eq!(health.groups(), ["upstream"]);
    let report = health.run().await;
    let primary = report.result("endpoint").unwrap();
    assert_eq!(primary.output, "http://primary answered");
    assert_eq!(primary.details["url"], "http://primary");
    let replica = report.result("endpoint_replica").unwrap();
    assert_eq!(
        (replica.status, replica.output.as_str()),
        (HealthStatus::Fail, "check timed out after 1s")
    );
    // `failed_ttl = "1s"` from the attribute applies to both instances.
    let seconds = replica.expires.duration_since(replica.timestamp).unwrap();
    assert_eq!(seconds, Duration::from_secs(1));
}

#[tokio::test]
async fn a_checker_may_return_whatever_a_function_may() {
    struct Returns<T>(fn() -> T);
    impl<T: healthcheck::IntoHealth + Send + 'static> Checker for Returns<T> {
        type Output = T;
        async fn check(&self) -> T {
            (self.0)()
        }
    }
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::checker(
            "tuple",
            Returns(|| (true, "up".to_string())),
        ))
        .check(Check::checker("flag", Returns(|| false)))
        .check(Check::checker("unit_ok", Returns(|| Ok::<(), String>(()))))
        .check(Check::checker(
            "unit_err",
            Returns(|| Err::<(), _>("refused")),
        ))
        .check(Check::checker("count", Returns(|| Ok::<u32, String>(3))))
        .check(Check::checker("health", Returns(|| Health::warn("slow"))))
        .build()
        .unwrap();
    let report = health.run().await;
    let seen: Vec<(&str, HealthStatus, &str)> = report
        .results
        .iter()
        .map(|r| (r.checker.as_str(), r.status, r.output.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("count", HealthStatus::Pass, "3"),
            ("flag", HealthStatus::Fail, "failed"),
            ("health", HealthStatus::Warn, "slow"),
            ("tuple", HealthStatus::Pass, "up"),
            ("unit_err", HealthStatus::Fail, "refused"),
            ("unit_ok", HealthStatus::Pass, "ok"),
        ]
    );
}

#[tokio::test]
async fn checkers_of_different_types_run_from_one_list_as_dyn_checkers() {
    struct Up;
    impl Checker for Up {
        type Output = Health;
        async fn check(&self) -> Health {
            Health::pass("up")
        }
    }
    let boxed: Vec<Box<dyn DynChecker<Output = Health>>> = vec![
        Box::new(Endpoint {
            url: "http://x".into(),
            slow_after: Duration::ZERO,
        }),
        Box::new(Up),
    ];
    let health = boxed
        .into_iter()
        .enumerate()
        .fold(
            HealthCheck::builder().linked_checks(false),
            |builder, (index, checker)| {
                builder.check(Check::checker(format!("boxed_{index}"), checker))
            },
        )
        .build()
        .unwrap();
    let report = health.run().await;
    let outputs: Vec<&str> = report.results.iter().map(|r| r.output.as_str()).collect();
    assert_eq!(outputs, ["http://x answered", "up"]);
}
