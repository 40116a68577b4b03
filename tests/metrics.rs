//! Feature `metrics`: every run is recorded through the `metrics` facade, read back from
//! a real exporter (metrics-exporter-prometheus) installed as the process's recorder.
//! A cached answer records nothing.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use healthcheck::{Check, Kind};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The sample of `name` whose labels include every one of `labels`, from the exporter.
fn sample(handle: &PrometheusHandle, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let text = handle.render();
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
                && labels
                    .iter()
                    .all(|(label, value)| line.contains(&format!("{label}=\"{value}\"")))
        })
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test(start_paused = true)]
async fn runs_are_recorded_through_the_metrics_facade_and_cached_answers_record_nothing() {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder of this test binary");
    let healthy = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&healthy);
    let registry = support::registry([
        Check::new("db", move || {
            let healthy = flag.load(Ordering::SeqCst);
            async move { (healthy, format!("healthy: {healthy}")) }
        })
        .kinds([Kind::Liveness, Kind::Readiness])
        .group("storage")
        .success_ttl(Duration::from_secs(60))
        .failed_ttl(Duration::from_secs(60)),
        Check::new("slow", || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            (true, "never".to_string())
        })
        .timeout(Duration::from_secs(1))
        .failed_ttl(Duration::from_secs(60)),
        Check::new("boom", || async {
            if true {
                panic!("boom");
            }
            (true, String::new())
        })
        .failed_ttl(Duration::from_secs(60)),
    ]);

    registry.run().await;
    let db_fail = [("check", "db"), ("result", "fail")];
    assert_eq!(
        sample(&handle, "healthcheck_check_runs_total", &db_fail),
        Some(1.0)
    );
    for kind in ["liveness", "readiness"] {
        let labels = [("check", "db"), ("group", "storage"), ("kind", kind)];
        assert_eq!(
            sample(&handle, "healthcheck_check_status", &labels),
            Some(0.0)
        );
    }
    let timeout = [("check", "slow"), ("result", "timeout")];
    assert_eq!(
        sample(&handle, "healthcheck_check_runs_total", &timeout),
        Some(1.0)
    );
    let panic = [("check", "boom"), ("result", "panic")];
    assert_eq!(
        sample(&handle, "healthcheck_check_runs_total", &panic),
        Some(1.0)
    );
    let down = [("phase", "DOWN")];
    assert_eq!(sample(&handle, "healthcheck_phase", &down), Some(1.0));
    assert!(
        sample(
            &handle,
            "healthcheck_check_last_run_timestamp_seconds",
            &[("check", "db")]
        )
        .is_some_and(|seconds| seconds > 1.6e9)
    );
    assert!(
        handle
            .render()
            .contains("healthcheck_check_duration_seconds"),
        "the run's duration is recorded"
    );

    // Cached: nothing runs, nothing is recorded.
    registry.run().await;
    assert_eq!(
        sample(&handle, "healthcheck_check_runs_total", &db_fail),
        Some(1.0)
    );

    // The cache expires, the check passes now: a second run, status 1, phase UP.
    healthy.store(true, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(61)).await;
    let report = registry.run_named(["db"]).await;
    assert!(report.is_success());
    let db_pass = [("check", "db"), ("result", "pass")];
    assert_eq!(
        sample(&handle, "healthcheck_check_runs_total", &db_pass),
        Some(1.0)
    );
    assert_eq!(
        sample(&handle, "healthcheck_check_runs_total", &db_fail),
        Some(1.0)
    );
    let readiness = [("check", "db"), ("kind", "readiness")];
    assert_eq!(
        sample(&handle, "healthcheck_check_status", &readiness),
        Some(1.0)
    );

    registry.begin_shutdown();
    assert_eq!(
        sample(&handle, "healthcheck_phase", &[("phase", "STOPPING")]),
        Some(1.0)
    );
    assert_eq!(sample(&handle, "healthcheck_phase", &down), Some(0.0));

    // Flapping and changes: a check passing and failing by turns, 8 runs.
    let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let flaky = support::registry([Check::new("flaky", move || {
        let run = runs.fetch_add(1, Ordering::SeqCst);
        async move { run.is_multiple_of(2) }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)]);
    for _ in 0..8 {
        flaky.run().await;
    }
    let check = [("check", "flaky")];
    assert_eq!(
        sample(&handle, "healthcheck_check_flapping", &check),
        Some(1.0)
    );
    assert_eq!(
        sample(&handle, "healthcheck_check_state_change_percent", &check),
        Some(40.99)
    );
    let counted = |from: &str, to: &str| {
        let labels = [("check", "flaky"), ("from", from), ("to", to)];
        sample(&handle, "healthcheck_check_transitions_total", &labels)
    };
    assert_eq!(counted("pass", "fail"), Some(4.0));
    assert_eq!(counted("fail", "pass"), Some(3.0));
}
