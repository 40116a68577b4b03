//! A bounded stress test of the registry's promises under concurrent change: writers
//! register, unregister, enable and disable checks while 64 tasks report and listeners
//! record transitions. No panic, no stuck probe, no overlapping run of one check, and
//! every check's transitions heard in order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use healthcheck::http::Request;
use healthcheck::{Check, Endpoint, HealthCheck, HealthStatus, Kind, Probe, Selection};
use tokio::task::JoinSet;

/// How long the storm lasts; the whole test stays well under 20 s.
const STORM: Duration = Duration::from_secs(3);
/// A probe that takes longer than this is stuck.
const STUCK: Duration = Duration::from_secs(5);
const STABLE: usize = 8;

type Heard = Arc<Mutex<HashMap<String, Vec<(HealthStatus, HealthStatus)>>>>;

/// Counts a check's runs under way; flags two at once. Decrements on drop, so a run
/// cancelled by its timeout still counts out.
struct Running {
    running: Arc<AtomicUsize>,
}

impl Running {
    fn enter(running: &Arc<AtomicUsize>, overlapped: &AtomicBool) -> Self {
        if running.fetch_add(1, Ordering::SeqCst) > 0 {
            overlapped.store(true, Ordering::SeqCst);
        }
        Running {
            running: Arc::clone(running),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A check that flips between pass and fail every few runs, never cached, sometimes
/// too slow for its timeout.
fn flipping(index: usize, overlapped: &Arc<AtomicBool>) -> Check {
    let running = Arc::new(AtomicUsize::new(0));
    let runs = Arc::new(AtomicUsize::new(0));
    let overlapped = Arc::clone(overlapped);
    let kind = [Kind::Liveness, Kind::Readiness, Kind::Startup][index % 3];
    Check::new(format!("c{index}"), move || {
        let guard = Running::enter(&running, &overlapped);
        let run = runs.fetch_add(1, Ordering::SeqCst);
        async move {
            let _guard = guard;
            let pause = (run % 5) as u64;
            tokio::time::sleep(Duration::from_millis(pause)).await;
            (run / (index + 2)).is_multiple_of(2)
        }
    })
    .kinds([kind])
    .tags([if index.is_multiple_of(2) {
        "even"
    } else {
        "odd"
    }])
    .timeout(Duration::from_millis(3))
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)
    .failure_threshold(1 + (index % 2) as u32)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_keeps_its_promises_under_concurrent_change_and_load() {
    let overlapped = Arc::new(AtomicBool::new(false));
    let heard: Heard = Arc::default();
    let log = Arc::clone(&heard);
    let slow_calls = AtomicUsize::new(0);
    let health = (0..STABLE)
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                // Now and then slow, so a later change can overtake an earlier one.
                .on_change(move |_, _| {
                    if slow_calls.fetch_add(1, Ordering::Relaxed).is_multiple_of(4) {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                })
                .on_change(move |previous, result| {
                    log.lock()
                        .unwrap()
                        .entry(result.checker.clone())
                        .or_default()
                        .push((previous, result.status));
                }),
            |builder, index| builder.check(flipping(index, &overlapped)),
        )
        .build()
        .unwrap();
    let health = Arc::new(health);
    let endpoint = Endpoint::new(Arc::clone(&health));
    let deadline = tokio::time::Instant::now() + STORM;
    let mut tasks = JoinSet::new();

    // Writers: checks come and go, stable ones are disabled and enabled.
    for writer in 0..2 {
        let health = Arc::clone(&health);
        tasks.spawn(async move {
            let mut round = 0usize;
            while tokio::time::Instant::now() < deadline {
                let name = format!("dyn{writer}_{}", round % 4);
                let _ = health.register(Check::new(name.clone(), || async { true }).tags(["dyn"]));
                tokio::task::yield_now().await;
                let stable = format!("c{}", round % STABLE);
                health.disable(&stable);
                tokio::task::yield_now().await;
                health.enable(&stable);
                health.unregister(&name);
                round += 1;
            }
        });
    }

    // Readers: 64 tasks asking every kind of question.
    let probes = Arc::new(AtomicUsize::new(0));
    for reader in 0..64usize {
        let health = Arc::clone(&health);
        let endpoint = endpoint.clone();
        let probes = Arc::clone(&probes);
        tasks.spawn(async move {
            let mut round = reader;
            while tokio::time::Instant::now() < deadline {
                let asked = async {
                    match round % 6 {
                        0 => drop(health.run().await),
                        1 => drop(health.run_probe(Probe::Readiness).await),
                        2 => drop(health.run_named([format!("c{}", round % STABLE)]).await),
                        3 => drop(
                            health
                                .run_selection(&Selection::probe(Probe::Liveness).tagged(["even"]))
                                .await,
                        ),
                        4 => {
                            // A check that comes and goes: found or not, never a 5xx.
                            let path = format!("/healthcheck/dyn{}_{}", round % 2, round % 4);
                            let request = Request::get(path).body(()).unwrap();
                            let code = endpoint.respond(&request).await.status().as_u16();
                            assert!(code == 200 || code == 404, "answered {code}");
                        }
                        _ => {
                            let request = Request::get("/healthcheck/ready").body(()).unwrap();
                            drop(endpoint.respond(&request).await);
                        }
                    }
                };
                tokio::time::timeout(STUCK, asked)
                    .await
                    .expect("a probe got stuck");
                probes.fetch_add(1, Ordering::Relaxed);
                round += 1;
            }
        });
    }

    while let Some(joined) = tasks.join_next().await {
        joined.expect("no task panicked");
    }
    // Let the last deliveries finish.
    tokio::time::sleep(Duration::from_millis(100)).await;

    assert!(
        probes.load(Ordering::Relaxed) > 1000,
        "the storm was a storm"
    );
    assert!(
        !overlapped.load(Ordering::SeqCst),
        "a check ran twice at once"
    );
    let heard = heard.lock().unwrap();
    let mut changes = 0;
    for (check, transitions) in heard.iter() {
        for pair in transitions.windows(2) {
            assert_eq!(
                pair[1].0, pair[0].1,
                "{check}: heard {pair:?}: a change's previous status is the last one heard"
            );
        }
        assert!(transitions.iter().all(|(before, after)| before != after));
        changes += transitions.len();
    }
    assert!(changes > 20, "the checks changed status often: {changes}");
}

/// More checks than get a task each from the start: their first polls share tasks.
const MANY: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_started_together_keep_their_promises_under_load_and_callers_going_away() {
    let overlapped = Arc::new(AtomicBool::new(false));
    let health = (0..MANY)
        .fold(
            HealthCheck::builder().linked_checks(false),
            |builder, index| builder.check(flipping(index, &overlapped)),
        )
        .build()
        .unwrap();
    let health = Arc::new(health);
    let deadline = tokio::time::Instant::now() + STORM / 3;
    let mut tasks = JoinSet::new();
    let answered = Arc::new(AtomicUsize::new(0));
    for reader in 0..16usize {
        let health = Arc::clone(&health);
        let answered = Arc::clone(&answered);
        tasks.spawn(async move {
            let mut round = reader;
            while tokio::time::Instant::now() < deadline {
                if round.is_multiple_of(3) {
                    // A caller that goes away mid-report: its runs still end.
                    let _ = tokio::time::timeout(Duration::from_micros(300), health.run()).await;
                } else {
                    let report = tokio::time::timeout(STUCK, health.run())
                        .await
                        .expect("a report got stuck");
                    assert_eq!(report.results.len(), MANY);
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                round += 1;
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("no task panicked");
    }
    assert!(answered.load(Ordering::Relaxed) > 50, "the load was a load");
    // A run that never ended would leave its check running: this report would wait on it.
    let last = tokio::time::timeout(STUCK, health.run())
        .await
        .expect("every run ended");
    assert_eq!(last.results.len(), MANY);
    assert!(
        !overlapped.load(Ordering::SeqCst),
        "a check ran twice at once"
    );
}
