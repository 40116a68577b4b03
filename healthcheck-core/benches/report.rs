//! One report over 1, 100 and 10,000 trivial checks, cached and uncached, the report's
//! serialization, and a whole answer of the endpoint, from outside the runtime and on a
//! task of it. Figures: BENCHMARKS.md (`cargo bench -p healthcheck-kit --bench report`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use healthcheck::{Check, Endpoint, HealthCheck};

const SIZES: [usize; 3] = [1, 100, 10_000];

/// `count` checks that pass at once; a TTL of zero makes every report run them all.
fn registry(count: usize, ttl: Duration) -> HealthCheck {
    (0..count)
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                .success_ttl(ttl)
                .hostname("bench"),
            |builder, i| {
                builder.check(Check::new(format!("check_{i:05}"), || async {
                    (true, "ok".to_string())
                }))
            },
        )
        .build()
        .expect("names are unique")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn report(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("report");
    for count in SIZES {
        let uncached = registry(count, Duration::ZERO);
        group.bench_with_input(BenchmarkId::new("uncached", count), &uncached, |b, h| {
            b.to_async(&rt).iter(|| async { black_box(h.run().await) })
        });
        let cached = registry(count, Duration::from_secs(3600));
        rt.block_on(cached.run());
        group.bench_with_input(BenchmarkId::new("cached", count), &cached, |b, h| {
            b.to_async(&rt).iter(|| async { black_box(h.run().await) })
        });
    }
    group.finish();
}

fn serialize(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("serialize");
    for count in SIZES {
        let report = rt.block_on(registry(count, Duration::ZERO).run());
        group.bench_with_input(BenchmarkId::new("flask_json", count), &report, |b, r| {
            b.iter(|| black_box(r.to_response()))
        });
    }
    group.finish();
}

/// A whole answer: `GET /healthcheck` through the endpoint, uncached (every check runs)
/// and cached, rendered to an HTTP response in the default (Flask) format.
fn respond(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("respond");
    let request = healthcheck::http::Request::get("/healthcheck")
        .body(())
        .unwrap();
    for count in SIZES {
        let uncached = Endpoint::new(registry(count, Duration::ZERO));
        group.bench_with_input(BenchmarkId::new("uncached", count), &uncached, |b, e| {
            b.to_async(&rt)
                .iter(|| async { black_box(e.respond(&request).await) })
        });
        let cached = Endpoint::new(registry(count, Duration::from_secs(3600)));
        rt.block_on(cached.respond(&request));
        group.bench_with_input(BenchmarkId::new("cached", count), &cached, |b, e| {
            b.to_async(&rt)
                .iter(|| async { black_box(e.respond(&request).await) })
        });
    }
    group.finish();
}

/// The same answer as a server gives it: the request handled on a task of the runtime
/// (as hyper, axum and tonic handle every request), not on the thread that waits for it.
fn respond_on_task(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("respond_on_task");
    for count in SIZES {
        let uncached = Arc::new(Endpoint::new(registry(count, Duration::ZERO)));
        group.bench_with_input(BenchmarkId::new("uncached", count), &uncached, |b, e| {
            b.to_async(&rt).iter(|| {
                let e = Arc::clone(e);
                async move {
                    let request = healthcheck::http::Request::get("/healthcheck")
                        .body(())
                        .unwrap();
                    black_box(tokio::spawn(async move { e.respond(&request).await }).await)
                }
            })
        });
    }
    group.finish();
}

/// Runs of 1,000 checks on a current-thread runtime, each iteration running every
/// check once: a thousandth of its time is what one run costs, history and flap
/// detection included, with little of the scheduling noise of single runs. `steady`
/// passes with the same message every time; `changing` passes and fails by turns with a
/// new message each run (a new message and a change of status kept every run: the
/// history's most work).
fn runs(c: &mut Criterion) {
    const CHECKS: usize = 1_000;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut group = c.benchmark_group("runs_1000");
    let steady = registry(CHECKS, Duration::ZERO);
    group.bench_function("steady", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(steady.run().await) })
    });
    let changing = (0..CHECKS)
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                .success_ttl(Duration::ZERO)
                .failed_ttl(Duration::ZERO),
            |builder, i| {
                let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
                builder.check(Check::new(format!("check_{i:05}"), move || {
                    let run = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    async move {
                        let message = format!("run {run} answered in {} ms", run % 97);
                        (run.is_multiple_of(2), message)
                    }
                }))
            },
        )
        .build()
        .expect("names are unique");
    group.bench_function("changing", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(changing.run().await) })
    });
    group.finish();
}

/// 10,000 checks in a dependency graph five deep (2,000 a layer, each depending on one
/// of the layer before), uncached: every layer looked up after the one before.
fn graph(c: &mut Criterion) {
    const LAYER: usize = 2_000;
    let rt = runtime();
    let health = (0..5 * LAYER)
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                .success_ttl(Duration::ZERO)
                .hostname("bench"),
            |builder, i| {
                let check = Check::new(format!("check_{i:05}"), || async {
                    (true, "ok".to_string())
                });
                let check = if i >= LAYER {
                    check.depends_on([format!("check_{:05}", i - LAYER)])
                } else {
                    check
                };
                builder.check(check)
            },
        )
        .build()
        .expect("a graph without circles");
    let mut group = c.benchmark_group("report");
    group.bench_function("uncached_graph_5_deep/10000", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(health.run().await) })
    });
    group.finish();
}

criterion_group!(
    benches,
    report,
    serialize,
    respond,
    respond_on_task,
    runs,
    graph
);
criterion_main!(benches);
