//! Memory: each check's history, flap detection, the success threshold, what flapping
//! does, and the changes told once; through the API and the endpoint. Also the known
//! bug classes of health-check state, each as a regression test.

mod support;

use support::switched;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use healthcheck::{Check, Details, Endpoint, HealthCheck, HealthStatus, OnFlapping, Phase};
use serde_json::Value;

/// A check that passes and fails by turns (pass first), run anew on every ask.
fn alternating(name: &str) -> Check {
    let runs = Arc::new(AtomicUsize::new(0));
    Check::new(name, move || {
        let run = runs.fetch_add(1, Ordering::SeqCst);
        async move { (run.is_multiple_of(2), format!("run {run}")) }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)
}

fn built(builder: healthcheck::Builder) -> HealthCheck {
    builder.linked_checks(false).build().unwrap()
}

async fn get(endpoint: &Endpoint, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = healthcheck::http::Request::get(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = endpoint.respond(&request.body(()).unwrap()).await;
    let status = response.status().as_u16();
    (status, serde_json::from_str(response.body()).unwrap())
}

#[tokio::test]
async fn the_history_route_lists_the_last_runs_and_changes_newest_first_under_the_details_policy() {
    let failing = Arc::new(AtomicBool::new(false));
    let health = built(HealthCheck::builder().check(switched("db", &failing)));
    for fail in [false, false, true, true, false] {
        failing.store(fail, Ordering::SeqCst);
        health.run().await;
    }
    let endpoint = Endpoint::new(Arc::new(health)).details(Details::WhenAuthorized("t0ken".into()));

    let (status, body) = get(&endpoint, "/healthcheck/db/history", Some("t0ken")).await;
    assert_eq!(status, 200);
    assert_eq!(body["checker"], "db");
    let results = body["results"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["pass", "fail", "fail", "pass", "pass"],
        "newest first"
    );
    assert_eq!(results[1]["output"], "down");
    assert!(results[0]["timestamp"].as_f64().unwrap() >= results[4]["timestamp"].as_f64().unwrap());
    assert!(results[0]["response_time"].is_number());
    let transitions = body["transitions"].as_array().unwrap();
    let changes: Vec<(&str, &str)> = transitions
        .iter()
        .map(|t| (t["from"].as_str().unwrap(), t["to"].as_str().unwrap()))
        .collect();
    assert_eq!(changes, [("fail", "pass"), ("pass", "fail")]);
    assert_eq!(transitions[1]["output"], "down");
    assert_eq!(body["flapping"], false);
    // Two changes, at the newest place (1.25) and two before it (1.25 − 2·0.5/19), / 20.
    assert_eq!(body["state_change_percent"], 12.24);
    assert_eq!(body["flapping_thresholds"]["low"], 25.0);
    assert_eq!(body["flapping_thresholds"]["high"], 30.0);
    assert_eq!(body["on_flapping"], "report");

    // Without the token: the same entries, no message.
    let (status, anonymous) = get(&endpoint, "/healthcheck/db/history", None).await;
    assert_eq!(status, 200);
    let text = anonymous.to_string();
    assert!(!text.contains("down"), "{text}");
    assert_eq!(
        anonymous["results"][1]["output"],
        healthcheck::defaults::WITHHELD
    );
    assert_eq!(anonymous["results"].as_array().unwrap().len(), 5);

    let (status, missing) = get(&endpoint, "/healthcheck/nope/history", None).await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"], "no check named \"nope\"");
}

#[tokio::test]
async fn the_history_keeps_21_results_and_50_changes() {
    let health = built(HealthCheck::builder().check(alternating("flaky")));
    for _ in 0..80 {
        health.run().await;
    }
    let history = health.history("flaky").unwrap();
    assert_eq!(history.results.len(), 21);
    assert_eq!(history.transitions.len(), 50);
    assert_eq!(history.results[0].output.as_deref(), Some("run 79"));
    assert_eq!(history.state_change_percent, 100.0);
    assert!(history.flapping);
    assert!(health.history("nope").is_none());
}

#[tokio::test]
async fn a_failed_check_passes_again_only_after_the_success_threshold_of_passes_in_a_row() {
    let failing = Arc::new(AtomicBool::new(false));
    let health = built(HealthCheck::builder().check(switched("db", &failing).success_threshold(3)));
    let run = || async { health.run().await };

    assert_eq!(
        run().await.results[0].status,
        HealthStatus::Pass,
        "a first pass passes"
    );
    failing.store(true, Ordering::SeqCst);
    assert_eq!(run().await.phase, Phase::Down);
    failing.store(false, Ordering::SeqCst);
    for passes in 1..3 {
        let report = run().await;
        assert_eq!(report.phase, Phase::Down);
        assert_eq!(
            report.results[0].output,
            format!("up (pass {passes} of 3 in a row before it counts as passing)")
        );
    }
    // A failure among the passes starts the count again.
    failing.store(true, Ordering::SeqCst);
    run().await;
    failing.store(false, Ordering::SeqCst);
    assert!(run().await.results[0].output.contains("pass 1 of 3"));
    run().await;
    let report = run().await;
    assert_eq!(
        (report.phase, report.results[0].output.as_str()),
        (Phase::Up, "up")
    );
    // The history shows what each run was and what was reported.
    let history = health.history("db").unwrap();
    assert_eq!(history.results[1].status, HealthStatus::Pass);
    assert_eq!(history.results[1].reported, HealthStatus::Fail);
}

#[tokio::test]
async fn on_flapping_warn_holds_the_check_at_warn_so_readiness_stops_switching() {
    let flipped = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::clone(&flipped);
    let health = built(
        HealthCheck::builder()
            .check(alternating("flaky").on_flapping(OnFlapping::Warn))
            .on_change(move |previous, result| {
                heard.lock().unwrap().push((previous, result.status));
            }),
    );
    let endpoint = Endpoint::new(Arc::new(health.clone()));
    let mut codes = Vec::new();
    for _ in 0..30 {
        let (code, _, _) = support::get_accepting(&endpoint, "/healthcheck/ready", None).await;
        codes.push(code);
    }
    // It flaps from its 7th run on: readiness answered 200, 503 by turns until then,
    // then 200 for as long as it flaps.
    assert_eq!(codes[..6], [200, 503, 200, 503, 200, 503]);
    assert!(codes[6..].iter().all(|code| *code == 200), "{codes:?}");
    let history = health.history("flaky").unwrap();
    assert!(history.flapping);
    let runs: Vec<HealthStatus> = history.results.iter().take(4).map(|r| r.status).collect();
    assert_eq!(
        runs,
        [
            HealthStatus::Fail,
            HealthStatus::Pass,
            HealthStatus::Fail,
            HealthStatus::Pass
        ],
        "the history still shows every run"
    );
    assert!(
        history
            .results
            .iter()
            .take(4)
            .all(|r| r.reported == HealthStatus::Warn)
    );
    let report = health.run().await;
    assert_eq!(
        report.results[0].output,
        "run 30 (flapping: 100.0% state change; held at warn)"
    );
    // Listeners heard the flips until it was held, then one change to warn, no more.
    let flipped = flipped.lock().unwrap();
    assert_eq!(
        flipped.last(),
        Some(&(HealthStatus::Fail, HealthStatus::Warn))
    );
    assert_eq!(flipped.len(), 6, "{flipped:?}");
}

#[tokio::test]
async fn flapping_start_and_stop_are_heard_once_each_and_shown_in_every_result() {
    let failing = Arc::new(AtomicBool::new(false));
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&heard);
    let health = built(
        HealthCheck::builder()
            .check(switched("db", &failing))
            .flapping_thresholds(20.0, 40.0)
            .on_flapping(move |result| {
                log.lock()
                    .unwrap()
                    .push((result.flapping, result.state_change_percent));
            }),
    );
    for run in 0..12u32 {
        failing.store(!run.is_multiple_of(2), Ordering::SeqCst);
        health.run().await;
    }
    for _ in 0..25 {
        failing.store(false, Ordering::SeqCst);
        let report = health.run().await;
        assert_eq!(
            report.results[0].flapping,
            health.history("db").unwrap().flapping
        );
    }
    let heard = heard.lock().unwrap();
    assert_eq!(heard.len(), 2, "{heard:?}");
    assert!(heard[0].0 && heard[0].1 >= 40.0, "{heard:?}");
    assert!(!heard[1].0 && heard[1].1 <= 20.0, "{heard:?}");
}

#[tokio::test]
async fn bad_thresholds_are_build_errors_naming_the_check() {
    let err = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", || async { true }).flapping_thresholds(40.0, 30.0))
        .check(Check::new("cache", || async { true }).flapping_thresholds(f64::NAN, 30.0))
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`flapping_low` (40) must be below `flapping_high` (30): flapping starts at the high one and stops at the low one (check `db` defined at"),
        "{err}"
    );
    assert!(
        err.contains(
            "`flapping_low` is NaN; it is a percent state change from 0 to 100 (check `cache`"
        ),
        "{err}"
    );
    let err = HealthCheck::builder()
        .linked_checks(false)
        .flapping_thresholds(10.0, 101.0)
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "`flapping_high` is 101; it is a percent state change from 0 to 100 (the registry's default)"
    );
    let registered = HealthCheck::builder().linked_checks(false).build().unwrap();
    let err = registered
        .register(Check::new("db", || async { true }).flapping_thresholds(50.0, 50.0))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`flapping_low` (50) must be below"),
        "{err}"
    );
}

// Known bug classes of health-check state, as regression tests.

#[tokio::test]
async fn a_consecutive_failure_counter_resets_after_a_success() {
    let failing = Arc::new(AtomicBool::new(false));
    let health = built(HealthCheck::builder().check(switched("db", &failing).failure_threshold(3)));
    let mut statuses = Vec::new();
    for fail in [false, true, true, false, true, true, false] {
        failing.store(fail, Ordering::SeqCst);
        statuses.push(health.run().await.results[0].status);
    }
    assert!(
        !statuses.contains(&HealthStatus::Fail),
        "never 3 in a row: {statuses:?}"
    );
}

#[tokio::test]
async fn an_up_event_always_has_a_down_event_before_it() {
    // The first result fails, the next passes: a listener that heard only the recovery
    // would page "recovered" for an outage it never heard of.
    let failing = Arc::new(AtomicBool::new(true));
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&heard);
    let health = built(
        HealthCheck::builder()
            .check(switched("db", &failing))
            .on_change(move |previous, result| {
                log.lock().unwrap().push((previous, result.status));
            }),
    );
    health.run().await;
    failing.store(false, Ordering::SeqCst);
    health.run().await;
    assert_eq!(
        *heard.lock().unwrap(),
        [
            (HealthStatus::Pass, HealthStatus::Fail),
            (HealthStatus::Fail, HealthStatus::Pass)
        ]
    );
    let transitions = health.history("db").unwrap().transitions;
    assert_eq!(transitions.len(), 2);
    assert_eq!(
        (transitions[1].from, transitions[1].to),
        (HealthStatus::Pass, HealthStatus::Fail)
    );
}

#[tokio::test]
async fn up_is_not_reported_at_startup_before_any_success() {
    // A failure threshold softens failures of a check that has passed; one that never
    // has is not up, whatever its threshold.
    let failing = Arc::new(AtomicBool::new(true));
    let health = built(HealthCheck::builder().check(switched("db", &failing).failure_threshold(3)));
    let endpoint = Endpoint::new(Arc::new(health.clone()));
    let (code, _, body) = support::get_accepting(&endpoint, "/healthcheck/ready", None).await;
    assert_eq!(code, 503, "{body}");
    assert_eq!(health.run().await.phase, Phase::Down);
    failing.store(false, Ordering::SeqCst);
    let (code, _, _) = support::get_accepting(&endpoint, "/healthcheck/ready", None).await;
    assert_eq!(code, 200);
    // Once it has passed, the threshold's grace applies.
    failing.store(true, Ordering::SeqCst);
    let report = health.run().await;
    assert_eq!(report.results[0].status, HealthStatus::Warn);
}

#[tokio::test]
async fn history_goes_with_an_unregistered_check() {
    let health = built(HealthCheck::builder());
    health.register(alternating("db")).unwrap();
    health.run().await;
    health.run().await;
    assert_eq!(health.history("db").unwrap().results.len(), 2);
    assert!(health.unregister("db"));
    assert!(health.history("db").is_none());
    health.register(alternating("db")).unwrap();
    let history = health.history("db").unwrap();
    assert!(history.results.is_empty() && history.transitions.is_empty());
    assert_eq!(history.state_change_percent, 0.0);
}

/// Many callers run a flapping check at once: the listeners hear flapping start and stop
/// by turns, never twice in a row, and status changes that chain (each from the last to).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn flapping_and_changes_are_told_in_order_under_concurrent_runs() {
    let flapping = Arc::new(Mutex::new(Vec::new()));
    let changes = Arc::new(Mutex::new(Vec::new()));
    let (flap_log, change_log) = (Arc::clone(&flapping), Arc::clone(&changes));
    // Random-ish runs: a pass or fail by a shared counter's bits.
    let runs = Arc::new(AtomicUsize::new(0));
    let check = Check::new("db", move || {
        let run = runs.fetch_add(1, Ordering::SeqCst);
        async move {
            (
                run.count_ones().is_multiple_of(2) || run.is_multiple_of(7),
                "x",
            )
        }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO);
    let health = built(
        HealthCheck::builder()
            .check(check)
            .on_flapping(move |result| flap_log.lock().unwrap().push(result.flapping))
            .on_change(move |previous, result| {
                change_log.lock().unwrap().push((previous, result.status))
            }),
    );
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let health = health.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..250 {
                health.run().await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let flapping = flapping.lock().unwrap();
    assert!(!flapping.is_empty());
    for (index, started) in flapping.iter().enumerate() {
        assert_eq!(*started, index % 2 == 0, "{flapping:?}");
    }
    let changes = changes.lock().unwrap();
    for pair in changes.windows(2) {
        assert_eq!(pair[0].1, pair[1].0, "changes chain: {changes:?}");
    }
    let history = health.history("db").unwrap();
    assert_eq!(history.flapping, flapping.len() % 2 == 1);
    let told = history.transitions.len().min(changes.len());
    let last: Vec<(HealthStatus, HealthStatus)> = history.transitions[..told]
        .iter()
        .rev()
        .map(|t| (t.from, t.to))
        .collect();
    assert_eq!(
        last,
        changes[changes.len() - told..],
        "the history keeps what was told"
    );
}
