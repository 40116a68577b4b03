//! The runner's cases, compiled twice: `tests/runner.rs` makes every check a closure
//! (`Check::new`), `tests/runner_checker.rs` a struct implementing `Checker`
//! (`Check::checker`). Both forms must behave exactly alike.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use healthcheck::{Check, HealthCheck, HealthStatus, IntoHealth, Phase};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::FORM;
use super::support::{self, registry};

/// A check of this binary's form.
fn check<F, Fut>(name: &str, run: F) -> Check
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoHealth + Send,
{
    support::check_as(FORM, name, run)
}

/// A counting check of this binary's form (see `support::counting`).
fn counting(
    name: &str,
    delay: Duration,
    passed: bool,
) -> (Check, Arc<std::sync::atomic::AtomicUsize>) {
    support::counting_as(FORM, name, delay, passed)
}

/// A never-cached check that fails while `failing` is set.
fn switched(name: &str, failing: &Arc<AtomicBool>) -> Check {
    let failing = Arc::clone(failing);
    check(name, move || {
        let failed = failing.load(Ordering::SeqCst);
        async move { (!failed, if failed { "down" } else { "up" }.to_string()) }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)
}

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(start_paused = true)]
async fn checks_run_concurrently_so_a_report_costs_the_slowest_check() {
    let (a, _) = counting("a", SECOND, true);
    let (b, _) = counting("b", 2 * SECOND, true);
    let (c, _) = counting("c", 3 * SECOND, true);
    let health = registry([a, b, c]);
    let started = Instant::now();
    let report = health.run().await;
    assert_eq!(started.elapsed(), 3 * SECOND, "the sum would be 6 s");
    assert!(report.is_success());
    assert_eq!(report.results[2].response_time, 3 * SECOND);
}

#[tokio::test(start_paused = true)]
async fn a_hanging_check_times_out_and_its_future_is_dropped() {
    struct SetOnDrop(Arc<AtomicBool>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&dropped);
    let hanging = check("hanging", move || {
        let guard = SetOnDrop(Arc::clone(&flag));
        async move {
            let _guard = guard;
            std::future::pending::<(bool, String)>().await
        }
    })
    .timeout(Duration::from_millis(150));
    let (quick, _) = counting("quick", Duration::ZERO, true);
    let health = registry([hanging, quick]);

    let started = Instant::now();
    let report = health.run().await;
    assert_eq!(started.elapsed(), Duration::from_millis(150));
    let result = report.result("hanging").unwrap();
    assert!(!result.passed);
    assert_eq!(result.output, "check timed out after 150ms");
    assert_eq!(result.response_time, Duration::from_millis(150));
    assert!(report.result("quick").unwrap().passed);
    assert!(!report.is_success());

    tokio::time::sleep(Duration::from_millis(1)).await;
    assert!(
        dropped.load(Ordering::SeqCst),
        "the timed-out future was not dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_timeout_is_five_seconds_and_the_builder_changes_it() {
    let never = || check("never", std::future::pending::<(bool, String)>);
    let report = registry([never()]).run().await;
    assert_eq!(report.results[0].output, "check timed out after 5s");

    let health = HealthCheck::builder()
        .linked_checks(false)
        .timeout(Duration::from_millis(500))
        .check(never())
        .build()
        .unwrap();
    assert_eq!(
        health.run().await.results[0].output,
        "check timed out after 500ms"
    );
}

#[tokio::test]
async fn a_panicking_check_fails_with_its_message_and_the_others_are_unaffected() {
    let panicking = check("panicking", || async {
        if true {
            panic!("the check fell over");
        }
        (true, String::new())
    });
    let (fine, _) = counting("fine", Duration::ZERO, true);
    let health = registry([panicking, fine]);

    let report = health.run().await;
    let failed = report.result("panicking").unwrap();
    assert!(!failed.passed);
    assert_eq!(failed.output, "check panicked: the check fell over");
    assert!(report.result("fine").unwrap().passed);

    // The registry keeps working after the panic.
    let again = health.run_named(["fine"]).await;
    assert!(again.is_success());
}

#[tokio::test(start_paused = true)]
async fn a_pass_is_cached_for_27_seconds_by_default_keeping_its_timestamps() {
    let (check, runs) = counting("db", Duration::ZERO, true);
    let health = registry([check]);

    let first = health.run().await.results[0].clone();
    assert_eq!(
        first.expires.duration_since(first.timestamp).unwrap(),
        Duration::from_secs(27)
    );
    tokio::time::advance(Duration::from_secs(26)).await;
    let cached = health.run().await.results[0].clone();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(cached, first, "a cached result keeps timestamp and expires");

    tokio::time::advance(Duration::from_secs(1)).await;
    let rerun = health.run().await.results[0].clone();
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert_eq!(rerun.output, "run 2");
}

#[tokio::test(start_paused = true)]
async fn a_failure_is_cached_for_9_seconds_by_default() {
    let (check, runs) = counting("db", Duration::ZERO, false);
    let health = registry([check]);

    let first = health.run().await.results[0].clone();
    assert_eq!(
        first.expires.duration_since(first.timestamp).unwrap(),
        Duration::from_secs(9)
    );
    tokio::time::advance(Duration::from_millis(8_999)).await;
    health.run().await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_millis(1)).await;
    health.run().await;
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn per_check_ttls_override_the_builder_defaults_and_zero_never_caches() {
    let (never_cached, never_runs) = counting("never_cached", Duration::ZERO, true);
    let (short, short_runs) = counting("short", Duration::ZERO, true);
    let health = HealthCheck::builder()
        .linked_checks(false)
        .success_ttl(Duration::from_secs(60))
        .check(never_cached.success_ttl(Duration::ZERO))
        .check(short.success_ttl(Duration::from_secs(2)))
        .build()
        .unwrap();

    let report = health.run().await;
    let result = report.result("never_cached").unwrap();
    assert_eq!(result.expires, result.timestamp);
    health.run().await;
    assert_eq!(never_runs.load(Ordering::SeqCst), 2);
    assert_eq!(short_runs.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    health.run().await;
    assert_eq!(short_runs.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_hundred_concurrent_callers_on_a_slow_stale_check_run_it_once() {
    let (slow, runs) = counting("slow", SECOND, true);
    let health = Arc::new(registry([slow]));
    health.run().await;
    tokio::time::advance(Duration::from_secs(30)).await; // past the 27 s TTL: stale

    let mut callers = JoinSet::new();
    for _ in 0..100 {
        let health = Arc::clone(&health);
        callers.spawn(async move { health.run().await });
    }
    let reports = callers.join_all().await;
    assert_eq!(
        runs.load(Ordering::SeqCst),
        2,
        "one run before, one for all 100"
    );
    let first = &reports[0].results[0];
    assert_eq!(first.output, "run 2");
    assert!(reports.iter().all(|report| &report.results[0] == first));
}

#[tokio::test(start_paused = true)]
async fn a_check_never_runs_twice_at_once_even_when_it_is_never_cached() {
    let (slow, runs) = counting("slow", SECOND, true);
    let health = Arc::new(registry([slow.success_ttl(Duration::ZERO)]));
    let mut callers = JoinSet::new();
    for _ in 0..50 {
        let health = Arc::clone(&health);
        callers.spawn(async move { health.run().await });
    }
    callers.join_all().await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_run_whose_callers_went_away_still_finishes_and_is_cached() {
    let (slow, runs) = counting("slow", 2 * SECOND, true);
    let health = registry([slow]);
    // The caller gives up after 1 s, as a probe with timeoutSeconds: 1 would.
    let gave_up = tokio::time::timeout(SECOND, health.run()).await;
    assert!(gave_up.is_err());
    tokio::time::sleep(2 * SECOND).await;
    let report = health.run().await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(report.results[0].output, "run 1");
}

#[tokio::test]
async fn run_named_reports_unknown_names_as_not_found_in_name_order() {
    let (b, _) = counting("b", Duration::ZERO, true);
    let (a, a_runs) = counting("a", Duration::ZERO, true);
    let (c, c_runs) = counting("c", Duration::ZERO, true);
    let health = registry([b, a, c]);

    let report = health.run_named(["missing", "a", "b", "a"]).await;
    let names: Vec<&str> = report.results.iter().map(|r| r.checker.as_str()).collect();
    assert_eq!(names, ["a", "b", "missing"]);
    let missing = report.result("missing").unwrap();
    assert!(!missing.passed);
    assert_eq!(
        missing.output,
        "not found: no health check is named `missing`"
    );
    assert!(!report.is_success());
    assert_eq!(a_runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        c_runs.load(Ordering::SeqCst),
        0,
        "unselected checks do not run"
    );
}

#[tokio::test]
async fn any_failed_check_fails_the_report_and_no_checks_at_all_is_success() {
    let empty = registry([]).run().await;
    assert!(empty.is_success());
    assert!(empty.results.is_empty());

    let (up, _) = counting("up", Duration::ZERO, true);
    let (down, _) = counting("down", Duration::ZERO, false);
    let report = registry([up, down]).run().await;
    assert_eq!(report.status, healthcheck::Status::Failure);
    assert_eq!(report.to_response().status(), 500);
}

#[tokio::test]
async fn a_failure_counts_only_after_the_threshold_of_failures_in_a_row() {
    let failing = Arc::new(AtomicBool::new(false));
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(switched("db", &failing).failure_threshold(3))
        .build()
        .unwrap();
    let run = || async { health.run().await.results[0].clone() };

    assert_eq!(run().await.status, HealthStatus::Pass);
    failing.store(true, Ordering::SeqCst);
    let first = run().await;
    assert_eq!(first.status, HealthStatus::Warn);
    assert_eq!(
        first.output,
        "down (failure 1 of 3 in a row before it counts)"
    );
    assert_eq!(run().await.status, HealthStatus::Warn);
    let third = run().await;
    assert_eq!(
        (third.status, third.output.as_str()),
        (HealthStatus::Fail, "down")
    );
    assert_eq!(health.run().await.phase, Phase::Down);

    failing.store(false, Ordering::SeqCst);
    assert_eq!(run().await.status, HealthStatus::Pass);
    failing.store(true, Ordering::SeqCst);
    assert_eq!(
        run().await.status,
        HealthStatus::Warn,
        "a pass resets the count"
    );
}
