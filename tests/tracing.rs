//! Feature `tracing`: a span per run with its result, an event per change of status, and
//! a panic told once per change, read back from a real `tracing-subscriber` formatter.

mod support;

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use healthcheck::http::Request;
use healthcheck::{Check, Endpoint, HealthCheck, Kind};
use tracing::Instrument;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Everything the subscriber writes, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The lines that close a run's span (`FmtSpan::CLOSE`); events inside the span
    /// name it too.
    fn spans_closed(&self) -> Vec<String> {
        self.lines_with("healthcheck.run")
            .into_iter()
            .filter(|line| line.contains("close"))
            .collect()
    }

    /// The panic events (a status change's output may say "check panicked" too).
    fn panics_told(&self) -> Vec<String> {
        self.lines_with("check panicked")
            .into_iter()
            .filter(|line| line.contains("ERROR"))
            .collect()
    }

    /// The closed spans once there are `count` (or after 5 s, whatever there are).
    async fn spans_closed_when(&self, count: usize) -> Vec<String> {
        for _ in 0..100 {
            if self.spans_closed().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.spans_closed()
    }

    fn lines_with(&self, needle: &str) -> Vec<String> {
        self.text()
            .lines()
            .filter(|line| line.contains(needle))
            .map(str::to_owned)
            .collect()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// A subscriber writing into a `Captured`, for this thread only while the guard lives.
fn captured_on_this_thread() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

const PASS: u8 = 0;
const FAIL: u8 = 1;
const PANIC: u8 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_are_spans_changes_are_events_and_a_panic_is_told_once_per_change() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_span_events(FmtSpan::CLOSE)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let mode = Arc::new(AtomicU8::new(PASS));
    let seen = Arc::clone(&mode);
    // Never cached: every probe runs it.
    let registry = support::registry([Check::new("flaky", move || {
        let mode = seen.load(Ordering::SeqCst);
        async move {
            match mode {
                PASS => (true, "all good".to_string()),
                FAIL => (false, "connection refused".to_string()),
                _ => panic!("index out of range"),
            }
        }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)]);

    registry.run().await;
    // A run's task closes its span just after handing over the result.
    let closed = captured.spans_closed_when(1).await;
    assert_eq!(closed.len(), 1, "one span per run: {closed:?}");
    assert!(closed[0].contains("check=flaky"), "{}", closed[0]);
    assert!(closed[0].contains("kind=readiness"), "{}", closed[0]);
    assert!(closed[0].contains("result=\"pass\""), "{}", closed[0]);
    assert!(captured.lines_with("check status changed").is_empty());

    mode.store(FAIL, Ordering::SeqCst);
    registry.run().await;
    registry.run().await;
    let changes = captured.lines_with("check status changed");
    assert_eq!(
        changes.len(),
        1,
        "one event per change, not per run: {changes:?}"
    );
    assert!(
        changes[0].contains("WARN"),
        "pass to fail is a warning: {}",
        changes[0]
    );
    assert!(changes[0].contains("from=\"pass\"") && changes[0].contains("to=\"fail\""));
    assert!(
        changes[0].contains("connection refused"),
        "with the output: {}",
        changes[0]
    );

    mode.store(PANIC, Ordering::SeqCst);
    for _ in 0..5 {
        let report = registry.run().await;
        assert_eq!(
            report.results[0].output,
            "check panicked: index out of range"
        );
    }
    let panics = captured.panics_told();
    assert_eq!(
        panics.len(),
        1,
        "five panicking runs, one report: {panics:?}"
    );
    assert!(panics[0].contains("ERROR"), "{}", panics[0]);
    assert!(
        panics[0].contains("tests/tracing.rs"),
        "where it panicked: {}",
        panics[0]
    );
    assert!(panics[0].contains("index out of range"), "{}", panics[0]);

    // It stops panicking, then panics again: that is a change, told again.
    mode.store(PASS, Ordering::SeqCst);
    registry.run().await;
    mode.store(PANIC, Ordering::SeqCst);
    registry.run().await;
    assert_eq!(captured.panics_told().len(), 2);
    let changes = captured.lines_with("check status changed");
    assert!(
        changes.iter().any(|line| line.contains("from=\"fail\"")
            && line.contains("to=\"pass\"")
            && line.contains("WARN")),
        "fail to pass is a warning too: {changes:?}"
    );
    assert_eq!(
        captured.spans_closed_when(10).await.len(),
        10,
        "a span per run"
    );

    // A timeout is told when it starts, not on every run.
    let hung = support::registry([Check::new("hung_disk", || async {
        tokio::time::sleep(Duration::from_secs(60)).await;
        (true, String::new())
    })
    .timeout(Duration::from_millis(50))
    .failed_ttl(Duration::ZERO)]);
    for _ in 0..3 {
        let report = hung.run().await;
        assert!(
            report.results[0]
                .output
                .starts_with("check timed out after 50ms")
        );
    }
    // The event itself, not a status change whose output says so.
    let timeouts = captured.lines_with("healthcheck: check timed out");
    assert_eq!(timeouts.len(), 1, "{timeouts:?}");
    assert!(
        timeouts[0].contains("check=\"hung_disk\""),
        "{}",
        timeouts[0]
    );
}

/// A subscriber's layer that panics making the span of one check's run.
struct PanicsOnSpanOf(&'static str);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for PanicsOnSpanOf {
    fn on_new_span(&self, attributes: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        struct CheckName(String);
        impl Visit for CheckName {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "check" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut name = CheckName(String::new());
        attributes.record(&mut name);
        assert_ne!(name.0, self.0, "the subscriber broke on this span");
    }
}

/// The current-thread runtime runs every task on this thread, whose own subscriber
/// (not the global one of the test above) sees every run.
#[tokio::test]
async fn a_subscriber_that_panics_making_a_runs_span_ends_that_run_alone() {
    let subscriber = tracing_subscriber::registry().with(PanicsOnSpanOf("check_007"));
    let _default = tracing::subscriber::set_default(subscriber);
    // A few runs get a task each; 100 share tasks for their first polls.
    for count in [8, 100] {
        let registry = support::registry(
            (0..count).map(|index| Check::new(format!("check_{index:03}"), || async { true })),
        );
        let report = registry.run().await;
        assert_eq!(report.results.len(), count);
        for result in &report.results {
            if result.checker == "check_007" {
                assert!(!result.passed);
                assert_eq!(result.output, "the check's run was stopped before it ended");
            } else {
                assert!(result.passed, "{count} checks: {result:?}");
            }
        }
    }
}

/// For every run's span, the name of its parent span.
#[derive(Clone, Default)]
struct RunParents(Arc<Mutex<Vec<Option<&'static str>>>>);

impl<S> tracing_subscriber::Layer<S> for RunParents
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        if attributes.metadata().name() == "healthcheck.run" {
            let parent = context
                .span(id)
                .and_then(|span| span.parent())
                .map(|parent| parent.name());
            self.0.lock().unwrap().push(parent);
        }
    }
}

/// A run's span sits under the span of the request that started it, whether the run
/// had a task of its own from the start or shared one for its first poll.
#[tokio::test]
async fn a_runs_span_is_a_child_of_the_span_of_the_caller_that_started_it() {
    let parents = RunParents::default();
    let _default =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(parents.clone()));
    for count in [8, 100] {
        let registry = support::registry(
            (0..count).map(|index| Check::new(format!("check_{index:03}"), || async { true })),
        );
        let report = registry
            .run()
            .instrument(tracing::info_span!("request"))
            .await;
        assert_eq!(report.results.len(), count);
        let seen = std::mem::take(&mut *parents.0.lock().unwrap());
        assert_eq!(seen.len(), count, "one span per run");
        assert!(
            seen.iter().all(|parent| *parent == Some("request")),
            "{count} checks: {seen:?}"
        );
    }
}

#[tokio::test]
async fn alternating_probes_tell_the_applications_phase_once_not_at_every_probe() {
    // This thread only: the probes below run on it (a current-thread runtime).
    let (captured, _scoped) = captured_on_this_thread();
    let registry = support::registry([
        Check::new("db", || async { (true, "ok".to_string()) }),
        Check::new("deadlock", || async {
            (false, "a worker is stuck".to_string())
        })
        .kinds([Kind::Liveness]),
    ]);
    let endpoint = Endpoint::new(registry);
    for round in 0..10 {
        let path = if round % 2 == 0 {
            "/healthcheck"
        } else {
            "/healthcheck/ready"
        };
        let response = endpoint
            .respond(&Request::get(path).body(()).unwrap())
            .await;
        // The combined probe is DOWN, readiness UP: the probes differ, the application
        // does not.
        let expected = if round % 2 == 0 { 503 } else { 200 };
        assert_eq!(response.status(), expected, "{path}");
    }
    let told = captured.lines_with("application phase changed");
    assert_eq!(told.len(), 1, "{told:#?}");
    assert!(told[0].contains("phase=\"UP\""), "{}", told[0]);
}

#[tokio::test]
async fn flapping_is_told_once_when_it_starts_and_once_when_it_stops() {
    let (captured, _scoped) = captured_on_this_thread();
    let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let registry = support::registry([Check::new("flaky", move || {
        let run = runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // Passes and fails by turns for 12 runs, then passes.
        async move { run >= 12 || run.is_multiple_of(2) }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)]);
    for _ in 0..40 {
        registry.run().await;
    }
    let started = captured.lines_with("check started flapping");
    let stopped = captured.lines_with("check stopped flapping");
    assert_eq!(
        (started.len(), stopped.len()),
        (1, 1),
        "{started:#?}{stopped:#?}"
    );
    assert!(
        started[0].contains("WARN") && started[0].contains("check=\"flaky\""),
        "{}",
        started[0]
    );
    assert!(
        stopped[0].contains("state_change_percent="),
        "{}",
        stopped[0]
    );
}

#[tokio::test]
async fn a_root_cause_going_down_and_up_is_told_once_not_once_per_dependant() {
    let (captured, _scoped) = captured_on_this_thread();
    let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&down);
    let mut builder = HealthCheck::builder().linked_checks(false).check(
        Check::new("db", move || {
            let failed = flag.load(std::sync::atomic::Ordering::SeqCst);
            async move { (!failed, if failed { "refused" } else { "ok" }) }
        })
        .success_ttl(Duration::ZERO)
        .failed_ttl(Duration::ZERO),
    );
    for i in 0..5 {
        builder = builder.check(
            Check::new(format!("svc_{i}"), || async { true })
                .depends_on(["db"])
                .success_ttl(Duration::ZERO),
        );
    }
    let registry = builder.build().unwrap();
    registry.run().await;
    down.store(true, std::sync::atomic::Ordering::SeqCst);
    registry.run().await;
    registry.run().await;
    down.store(false, std::sync::atomic::Ordering::SeqCst);
    registry.run().await;
    let told = captured.lines_with("check status changed");
    assert_eq!(told.len(), 2, "{told:#?}");
    assert!(
        told.iter().all(|line| line.contains("check=\"db\"")),
        "{told:#?}"
    );
}

/// Registered by value only (`instance`): a registry that never adds it never runs it.
#[derive(healthcheck::Checker)]
#[checker(name = "upstream_instance", instance)]
struct UpstreamInstance;

impl healthcheck::Checker for UpstreamInstance {
    type Output = bool;
    async fn check(&self) -> bool {
        true
    }
}

#[test]
fn an_instance_checker_never_added_is_warned_of_once_at_build_and_not_once_added() {
    let (captured, _scoped) = captured_on_this_thread();
    let health = HealthCheck::builder().build().unwrap();
    let warned = captured.lines_with("upstream_instance");
    assert_eq!(warned.len(), 1, "{warned:#?}");
    assert!(warned[0].contains("WARN"), "{}", warned[0]);
    assert!(
        warned[0].contains(
            "was never added with `Builder::checker` or `Check::from_checker`: it will never run"
        ),
        "{}",
        warned[0]
    );
    assert!(
        warned[0].contains("tests/tracing.rs"),
        "names where: {}",
        warned[0]
    );
    drop(health);
    let added = HealthCheck::builder()
        .checker(UpstreamInstance)
        .build()
        .unwrap();
    assert_eq!(
        captured.lines_with("upstream_instance").len(),
        1,
        "no second warning"
    );
    assert!(added.check("upstream_instance").is_some());
}
