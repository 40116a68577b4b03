//! Background refresh: checks run on a timer, and probes read the latest results
//! without waiting.

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use support::{counting, registry};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn refresh_runs_checks_on_its_own_and_probes_never_wait_for_a_stale_one() {
    let (slow, runs) = counting("slow", Duration::from_secs(3), true);
    let health = Arc::new(registry([slow.success_ttl(Duration::from_secs(10))]));
    let refresh = health.spawn_refresh(Duration::from_secs(15));

    // The first tick runs at once; wait for that first result.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // At 14 s the result is stale (10 s TTL), yet a probe answers at once with it.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let asked = Instant::now();
    let report = health.run().await;
    assert_eq!(asked.elapsed(), Duration::ZERO, "served without waiting");
    assert_eq!(report.results[0].output, "run 1");
    // ... and the stale result is being refreshed behind the probe (3 s).
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 2, "run 2 started");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(health.run().await.results[0].output, "run 2");

    // Ticks keep running checks with no probe at all.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(
        runs.load(Ordering::SeqCst) >= 3,
        "{}",
        runs.load(Ordering::SeqCst)
    );

    // Once stopped, probes wait for a stale check again.
    refresh.abort();
    let _ = refresh.await;
    tokio::time::sleep(Duration::from_secs(11)).await;
    let asked = Instant::now();
    health.run().await;
    assert_eq!(asked.elapsed(), Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn stopping_one_of_two_refreshes_keeps_probes_from_waiting() {
    let (slow, _runs) = counting("slow", Duration::from_secs(3), true);
    let health = Arc::new(registry([slow.success_ttl(Duration::from_secs(10))]));
    let first = health.spawn_refresh(Duration::from_secs(60));
    let second = health.spawn_refresh(Duration::from_secs(60));
    tokio::time::sleep(Duration::from_secs(4)).await; // the first results are in
    first.abort();
    let _ = first.await;

    tokio::time::sleep(Duration::from_secs(10)).await; // stale now
    let asked = Instant::now();
    health.run().await;
    assert_eq!(
        asked.elapsed(),
        Duration::ZERO,
        "the other refresh still runs"
    );

    second.abort();
    let _ = second.await;
    tokio::time::sleep(Duration::from_secs(20)).await;
    let asked = Instant::now();
    health.run().await;
    assert_eq!(asked.elapsed(), Duration::from_secs(3), "no refresh left");
}
