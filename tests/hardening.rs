//! Faults production throws at a health check, one regression test each: runs whose
//! task never starts, durations at the edge of their type, panics while cancelling,
//! blocking checks, listeners out of order, startup, shutdown, selections, outputs.
//! Timing uses tokio's paused clock where it can; the tests that need real threads
//! (blocking code) are bounded in real time.

mod support;

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use healthcheck::http::{Request, header};
use healthcheck::{
    Check, Details, Endpoint, HealthCheck, HealthStatus, Kind, Phase, Probe, Problem, Selection,
};
use support::{counting, registry};

const SECOND: Duration = Duration::from_secs(1);

async fn get(endpoint: &Endpoint, path: &str) -> (u16, String) {
    let request = Request::get(path).body(()).unwrap();
    let response = endpoint.respond(&request).await;
    (response.status().as_u16(), response.into_body())
}

// 1. A slot can stay "running" forever.

#[test]
fn a_run_whose_task_is_dropped_before_its_first_poll_does_not_leave_the_check_stuck() {
    let (check, runs) = counting("db", Duration::ZERO, true);
    let health = registry([check]);
    {
        let first = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        // The report spawns the run and waits; the runtime is dropped before the run's
        // task is ever polled.
        let waited = first.block_on(async { health.run().now_or_never() });
        assert!(waited.is_none(), "the run was not supposed to finish");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    let second = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let report = second
        .block_on(async { tokio::time::timeout(SECOND, health.run()).await })
        .expect("a later probe must not wait forever on the dropped run");
    assert!(report.is_success(), "{report:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn a_run_that_cannot_be_spawned_outside_a_runtime_does_not_leave_the_check_stuck() {
    let (check, runs) = counting("db", Duration::ZERO, true);
    let health = registry([check]);
    let outside = std::panic::catch_unwind(AssertUnwindSafe(|| health.run().now_or_never()));
    assert!(outside.is_err(), "tokio::spawn panics without a runtime");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let report = runtime
        .block_on(async { tokio::time::timeout(SECOND, health.run()).await })
        .expect("a probe inside a runtime must not wait forever");
    assert!(report.is_success());
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

// 2. Duration overflow hangs or kills a check.

#[test]
fn durations_past_a_year_are_an_error_at_build_naming_the_check() {
    let ok = || Check::new("db", || async { true });
    for (check, key) in [
        (ok().success_ttl(Duration::MAX), "success_ttl"),
        (ok().failed_ttl(Duration::MAX), "failed_ttl"),
        (ok().timeout(Duration::MAX), "timeout"),
        (ok().timeout(Duration::ZERO), "timeout"),
    ] {
        let err = HealthCheck::builder()
            .linked_checks(false)
            .check(check)
            .build()
            .unwrap_err();
        assert!(
            matches!(err.problems(), [Problem::InvalidDuration { name: Some(name), .. }] if name == "db"),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains(&format!("`{key}`")), "{message}");
        assert!(
            message.contains("check `db` defined at tests/hardening.rs:"),
            "{message}"
        );
    }
    let err = HealthCheck::builder()
        .linked_checks(false)
        .success_ttl(Duration::MAX)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`success_ttl` is longer than the limit of 365 days; use a shorter duration (the registry's default)"
    );
    let health = registry([]);
    let err = health.register(ok().timeout(Duration::MAX)).unwrap_err();
    assert!(err.to_string().contains("`timeout`"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn the_longest_allowed_durations_run_and_cache_without_overflow() {
    let year = Duration::from_secs(365 * 24 * 60 * 60);
    let (check, runs) = counting("db", Duration::ZERO, true);
    let health = registry([check.timeout(year).success_ttl(year).failed_ttl(year)]);
    for _ in 0..3 {
        assert!(health.run().await.is_success());
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1, "cached for a year");
    // A zero refresh interval would make tokio's interval panic: it is raised instead.
    let health = Arc::new(health);
    let refresh = health.spawn_refresh(Duration::ZERO);
    tokio::time::sleep(SECOND).await;
    assert!(!refresh.is_finished(), "the refresh task is alive");
    refresh.abort();
}

// 3. A panic in the Drop of a cancelled check.

#[tokio::test(start_paused = true)]
async fn a_panic_in_the_drop_of_a_timed_out_check_is_a_cached_timeout_failure() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("connection dropped mid-query");
        }
    }
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let check = Check::new("db", move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async {
            let _guard = PanicOnDrop;
            std::future::pending::<bool>().await
        }
    })
    .timeout(Duration::from_millis(100))
    .failed_ttl(Duration::from_secs(60));
    let health = registry([check]);
    for _ in 0..3 {
        let report = health.run().await;
        assert_eq!(report.results[0].output, "check timed out after 100ms");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the failure is cached");
}

#[tokio::test(start_paused = true)]
async fn a_panic_while_a_check_makes_its_future_is_a_cached_failure() {
    // The closure panics before it returns a future: user code that runs when a run
    // starts, so it must be inside the run's panic guard like the future's polls.
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let check = Check::new("cache", move || {
        counter.fetch_add(1, Ordering::SeqCst);
        if true {
            panic!("no client configured");
        }
        async { (true, "ok".to_string()) }
    })
    .failed_ttl(Duration::from_secs(60));
    let health = registry([check]);
    for _ in 0..3 {
        let report = health.run().await;
        assert_eq!(
            report.results[0].output,
            "check panicked: no client configured"
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the failure is cached");
}

// 4. A plain fn check that outlives its timeout runs again while still running.

/// A blocking check that holds its thread until released, counting how many of its
/// runs are under way at once.
struct Hung {
    release: Arc<AtomicBool>,
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    runs: Arc<AtomicUsize>,
}

impl Hung {
    fn new() -> Self {
        Hung {
            release: Arc::default(),
            running: Arc::default(),
            most: Arc::default(),
            runs: Arc::default(),
        }
    }

    fn check(&self) -> Check {
        let (release, running, most, runs) = (
            Arc::clone(&self.release),
            Arc::clone(&self.running),
            Arc::clone(&self.most),
            Arc::clone(&self.runs),
        );
        Check::blocking("legacy_driver", move || {
            runs.fetch_add(1, Ordering::SeqCst);
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            // Bounded: released by the test, or gives up after 10 s.
            for _ in 0..1000 {
                if release.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            running.fetch_sub(1, Ordering::SeqCst);
            true
        })
        .timeout(Duration::from_millis(20))
        .failed_ttl(Duration::ZERO)
    }
}

#[test]
fn a_plain_fn_that_outlives_its_timeout_never_runs_twice_at_once_nor_takes_the_blocking_pool() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let hung = Hung::new();
    let health = registry([hung.check()]);
    runtime.block_on(async {
        for _ in 0..10 {
            let report = tokio::time::timeout(SECOND, health.run())
                .await
                .expect("a probe answers while the thread hangs");
            assert_eq!(report.results[0].output, "check timed out after 20ms");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // The application's own blocking work still finds a thread.
        let own = tokio::time::timeout(SECOND, tokio::task::spawn_blocking(|| 42))
            .await
            .expect("the blocking pool is not exhausted by the hung check");
        assert_eq!(own.unwrap(), 42);
    });
    assert_eq!(
        hung.most.load(Ordering::SeqCst),
        1,
        "never two runs at once"
    );
    assert_eq!(
        hung.runs.load(Ordering::SeqCst),
        1,
        "one thread, still hung"
    );
    hung.release.store(true, Ordering::SeqCst);
    // Once the thread returned, the check runs again.
    runtime.block_on(async {
        for _ in 0..100 {
            if hung.runs.load(Ordering::SeqCst) == 2 {
                break;
            }
            health.run().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    assert_eq!(hung.runs.load(Ordering::SeqCst), 2);
}

// 5. An async check that blocks its thread past its timeout is reported as passing.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_check_that_blocks_its_thread_past_its_timeout_fails_saying_so() {
    let check = Check::new("blocking_in_async", || async {
        std::thread::sleep(Duration::from_millis(300));
        true
    })
    .timeout(Duration::from_millis(100));
    let report = registry([check]).run().await;
    let result = &report.results[0];
    assert!(!result.passed);
    assert!(
        result
            .output
            .starts_with("check ran 0.3s, past its 100ms timeout: it blocked its thread"),
        "{}",
        result.output
    );
    assert!(result.output.contains("plain `fn`"), "{}", result.output);
}

// 6. Listeners hear changes out of order.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listener_hears_a_checks_changes_in_order_even_behind_a_slow_listener() {
    let passing = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&passing);
    let heard: Arc<Mutex<Vec<(HealthStatus, HealthStatus)>>> = Arc::default();
    let log = Arc::clone(&heard);
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(
            Check::new("db", move || {
                let passed = flag.load(Ordering::SeqCst);
                async move { passed }
            })
            .success_ttl(Duration::ZERO)
            .failed_ttl(Duration::ZERO),
        )
        // Slow on the first failure: the next run ends while it is still busy.
        .on_change(|_, result| {
            if result.status == HealthStatus::Fail {
                std::thread::sleep(Duration::from_millis(300));
            }
        })
        .on_change(move |previous, result| {
            log.lock().unwrap().push((previous, result.status));
        })
        .build()
        .unwrap();
    let health = Arc::new(health);
    assert!(health.run().await.is_success());

    passing.store(false, Ordering::SeqCst);
    let failing = tokio::spawn({
        let health = Arc::clone(&health);
        async move { health.run().await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    passing.store(true, Ordering::SeqCst);
    assert!(health.run().await.is_success());
    failing.await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        *heard.lock().unwrap(),
        [
            (HealthStatus::Pass, HealthStatus::Fail),
            (HealthStatus::Fail, HealthStatus::Pass)
        ],
        "the last change heard is the current status"
    );
}

// 7. Startup ends on a check that never passed.

#[tokio::test(start_paused = true)]
async fn a_failing_startup_check_under_a_failure_threshold_does_not_end_startup() {
    let migrations = Check::new("migrations", || async { (false, "still migrating") })
        .kinds([Kind::Startup])
        .failure_threshold(3);
    let health = registry([migrations, Check::new("db", || async { true })]);
    for _ in 0..5 {
        let report = health.run_probe(Probe::Readiness).await;
        assert_eq!(
            report.phase,
            Phase::Starting,
            "traffic must wait for migrations"
        );
        tokio::time::sleep(SECOND).await;
    }
}

// 8. Startup is driven by probes.

#[tokio::test(start_paused = true)]
async fn startup_checks_run_in_the_background_and_probes_answer_at_once() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&attempts);
    // Slow, and failing its first two attempts; the default failed_ttl is 9 s.
    let warmup = Check::new("warmup", move || {
        let attempt = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            (attempt >= 3, format!("attempt {attempt}"))
        }
    })
    .kinds([Kind::Startup]);
    let health = Arc::new(registry([warmup, Check::new("db", || async { true })]));
    let endpoint = Endpoint::new(Arc::clone(&health));

    let asked = tokio::time::Instant::now();
    let (code, body) = get(&endpoint, "/healthcheck/ready").await;
    assert_eq!(
        asked.elapsed(),
        Duration::ZERO,
        "answered from what is known"
    );
    assert_eq!(code, 503);
    assert!(body.contains("\"phase\":\"STARTING\""), "{body}");

    // Three attempts of 3 s with a prompt retry between: started within about a second
    // of the passing attempt, with no probe in between.
    tokio::time::sleep(Duration::from_secs(9) + 3 * healthcheck::defaults::STARTUP_RETRY).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    let (code, body) = get(&endpoint, "/healthcheck/ready").await;
    assert_eq!(code, 200, "{body}");
}

// 9. Shutdown.

#[tokio::test(start_paused = true)]
async fn once_stopped_checks_no_longer_run_and_probes_get_their_last_results() {
    let (check, runs) = counting("db", Duration::ZERO, true);
    let health = registry([check.success_ttl(SECOND)]);
    assert!(health.run().await.is_success());
    health.finish_shutdown().await;
    assert!(health.is_stopped());
    tokio::time::sleep(10 * SECOND).await;
    let report = health.run().await;
    assert_eq!(report.phase, Phase::Stopped);
    assert_eq!(report.results[0].output, "run 1");
    assert_eq!(runs.load(Ordering::SeqCst), 1, "no run after STOPPED");
}

#[tokio::test]
async fn no_format_says_healthy_in_a_body_answered_with_503_while_stopping() {
    let health = Arc::new(registry([Check::new("db", || async { true })]));
    let endpoint = Endpoint::new(Arc::clone(&health));
    health.begin_shutdown();
    for (format, unhealthy) in [
        ("flask", "\"status\":\"failure\""),
        ("ietf", "\"status\":\"fail\""),
        ("microprofile", "\"status\":\"DOWN\""),
        ("spring", "\"status\":\"OUT_OF_SERVICE\""),
        ("nablarch", "\"status\":\"DOWN\""),
        ("kubernetes", "healthz check failed"),
    ] {
        let (code, body) = get(&endpoint, &format!("/healthcheck/ready?format={format}")).await;
        assert_eq!(code, 503, "{format}");
        assert!(body.contains(unhealthy), "{format}: {body}");
    }
}

// 10. `spawn_refresh` holds the registry forever.

#[tokio::test(start_paused = true)]
async fn a_refresh_task_ends_once_its_registry_is_dropped() {
    let health = Arc::new(registry([Check::new("db", || async { true })]));
    let weak = Arc::downgrade(&health);
    let refresh = health.spawn_refresh(SECOND);
    tokio::time::sleep(3 * SECOND).await;
    drop(health);
    tokio::time::timeout(3 * SECOND, refresh)
        .await
        .expect("the task ends on its own")
        .unwrap();
    assert!(weak.upgrade().is_none());
}

// 11. Named selections ignore tags and group.

#[tokio::test]
async fn a_named_selection_obeys_tags_exclusions_and_group_like_any_other() {
    let health = Arc::new(registry([
        Check::new("web", || async { true }).tags(["http"]),
        Check::new("db", || async { true }).tags(["db"]),
    ]));
    let report = health
        .run_selection(&Selection::named(["web"]).tagged(["db"]))
        .await;
    assert_eq!(report.results.len(), 1);
    assert!(!report.results[0].passed);
    assert!(
        report.results[0]
            .output
            .starts_with("not found: health check `web` is not in this selection"),
        "{}",
        report.results[0].output
    );
    let endpoint = Endpoint::new(health);
    let (code, body) = get(&endpoint, "/healthcheck/db?exclude=db").await;
    assert_eq!(code, 404, "{body}");
    assert_eq!(get(&endpoint, "/healthcheck/db?tag=db").await.0, 200);
    assert_eq!(get(&endpoint, "/healthcheck/nope").await.0, 404);
}

// 12. A misspelt tag stays green forever.

#[tokio::test]
async fn an_unknown_tag_is_a_404_naming_it() {
    let health = Arc::new(registry([Check::new("db", || async { true }).tags(["db"])]));
    let endpoint = Endpoint::new(health);
    let (code, body) = get(&endpoint, "/healthcheck/ready?tag=dbb").await;
    assert_eq!(code, 404);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"], "no tag \"dbb\"; the tags are db");
    assert_eq!(get(&endpoint, "/healthcheck/ready?tag=db").await.0, 200);
}

// 13 and 15. The bearer scheme in any case; groups withheld from the unauthorized.

#[tokio::test]
async fn an_unknown_group_lists_the_groups_only_to_an_authorized_caller() {
    let health = Arc::new(registry([
        Check::new("db", || async { true }).group("billing")
    ]));
    let endpoint = Endpoint::new(health).details(Details::WhenAuthorized("s3cret".into()));
    let (code, body) = get(&endpoint, "/healthcheck/group/nope").await;
    assert_eq!((code, body.contains("billing")), (404, false), "{body}");
    let request = Request::get("/healthcheck/group/nope")
        .header(header::AUTHORIZATION, "bearer s3cret")
        .body(())
        .unwrap();
    let response = endpoint.respond(&request).await;
    assert_eq!(response.status(), 404);
    assert!(
        response.body().contains("the groups are billing"),
        "{}",
        response.body()
    );
}

// 16. Outputs are unbounded.

#[tokio::test]
async fn a_huge_output_is_cut_to_the_cap_with_a_visible_marker() {
    let huge = || Check::new("huge", || async { (false, "x".repeat(50_000_000)) });
    let report = registry([huge()]).run().await;
    let output = &report.results[0].output;
    assert!(
        output.len() < healthcheck::defaults::MAX_OUTPUT + 100,
        "{}",
        output.len()
    );
    assert!(
        output.ends_with(" … [truncated: 50000000 bytes, the first 16384 shown]"),
        "{}",
        &output[output.len() - 80..]
    );
    let small = HealthCheck::builder()
        .linked_checks(false)
        .max_output(10)
        .check(huge())
        .build()
        .unwrap();
    assert_eq!(
        small.run().await.results[0].output,
        "xxxxxxxxxx … [truncated: 50000000 bytes, the first 10 shown]"
    );
}

// 17. Runs started together share a task for their first poll (64 or more at once):
// a run still pending after it, or one whose check blocks, must not take the others
// down with it.

/// More checks than get a task each from the start.
const MANY: usize = 100;

#[tokio::test(start_paused = true)]
async fn runs_started_together_end_on_their_own_tasks_after_their_caller_goes_away() {
    let finished = Arc::new(AtomicUsize::new(0));
    let checks = (0..MANY).map(|index| {
        let finished = Arc::clone(&finished);
        Check::new(format!("slow_{index:03}"), move || {
            let finished = Arc::clone(&finished);
            async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                finished.fetch_add(1, Ordering::SeqCst);
                true
            }
        })
        .success_ttl(Duration::from_secs(3600))
    });
    let health = registry(checks);
    // The caller goes away after the first polls, while every run waits on its timer.
    let gave_up = tokio::time::timeout(Duration::from_millis(10), health.run()).await;
    assert!(gave_up.is_err());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(finished.load(Ordering::SeqCst), MANY, "every run ended");
    let report = health.run().await;
    assert!(report.is_success());
    assert_eq!(report.results.len(), MANY);
    assert_eq!(
        finished.load(Ordering::SeqCst),
        MANY,
        "answered from the cache, not run again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_that_blocks_its_thread_in_a_shared_first_poll_fails_alone() {
    // Named to sort first: the first poll of its task, ahead of 31 others.
    let blocking = Check::new("a_blocking", || async {
        std::thread::sleep(Duration::from_millis(300));
        true
    })
    .timeout(Duration::from_millis(100));
    let others = (0..MANY).map(|index| {
        Check::new(format!("b_{index:03}"), || async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            true
        })
        .timeout(Duration::from_millis(250))
    });
    let report = registry(std::iter::once(blocking).chain(others))
        .run()
        .await;
    let failed: Vec<&str> = report
        .results
        .iter()
        .filter(|result| !result.passed)
        .map(|result| result.checker.as_str())
        .collect();
    assert_eq!(failed, ["a_blocking"], "{report:?}");
    assert!(
        report.results[0].output.contains("it blocked its thread"),
        "{}",
        report.results[0].output
    );
}
