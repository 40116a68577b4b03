//! The memory 10,000 checks' histories hold, full: the process's resident memory after
//! 60 runs of every check, each run with a new 130-byte message and a change of status
//! (the history's worst case: every message distinct, every run a transition). Run it
//! beside a build without histories to see what they add. Figures: BENCHMARKS.md
//! (`cargo bench -p healthcheck-kit-core --bench history_memory`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use healthcheck::{Check, HealthCheck};

const CHECKS: usize = 10_000;
const RUNS: usize = 60;

/// The process's resident memory in KiB (`VmRSS`).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that names nothing here skips the run.
    if std::env::args()
        .skip(1)
        .any(|arg| !arg.starts_with('-') && !"history_memory".contains(&arg))
    {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let before = rss_kib();
    let health = (0..CHECKS)
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                .success_ttl(Duration::ZERO)
                .failed_ttl(Duration::ZERO),
            |builder, i| {
                let runs = Arc::new(AtomicUsize::new(0));
                builder.check(Check::new(format!("check_{i:05}"), move || {
                    let run = runs.fetch_add(1, Ordering::Relaxed);
                    async move {
                        (
                            run.is_multiple_of(2),
                            format!("check {i:05} run {run:03}: {}", "x".repeat(110)),
                        )
                    }
                }))
            },
        )
        .build()
        .expect("names are unique");
    let built = rss_kib();
    rt.block_on(health.run());
    let first = rss_kib();
    for _ in 1..RUNS {
        rt.block_on(health.run());
    }
    let full = rss_kib();
    let per_check = |kib: u64| kib as f64 * 1024.0 / CHECKS as f64;
    println!("history_memory: {CHECKS} checks, {RUNS} runs each");
    println!(
        "  built:           {:>7} KiB ({:.0} B per check)",
        built - before,
        per_check(built - before)
    );
    println!(
        "  after 1 run:     {:>7} KiB ({:.0} B per check)",
        first - before,
        per_check(first - before)
    );
    println!(
        "  after {RUNS} runs:   {:>7} KiB ({:.0} B per check)",
        full - before,
        per_check(full - before)
    );
    println!(
        "  growth 1 → {RUNS} runs: {} KiB",
        full as i64 - first as i64
    );
}
