//! What the framework examples share: checks of every kind, a shutdown hook, and their
//! settings from the environment.
#![allow(dead_code)] // each example uses a different part

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use healthcheck::{Check, HealthCheck, health_check};

/// When the process started, for `uptime` and `warmup`.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// A number of milliseconds from the environment, or `default`.
pub fn millis(variable: &str, default: u64) -> Duration {
    let millis = std::env::var(variable)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default);
    Duration::from_millis(millis)
}

/// `ADDR` from the environment, or `default`.
pub fn addr(default: &str) -> String {
    std::env::var("ADDR").unwrap_or_else(|_| default.to_string())
}

/// Liveness: the process answers. Depends on nothing external, as liveness must.
#[health_check(name = "uptime", kind = "liveness", success_ttl = "1s")]
async fn uptime() -> (bool, String) {
    let up = STARTED.get_or_init(Instant::now).elapsed();
    (true, format!("up for {}s", up.as_secs()))
}

/// Startup: passes once the warm-up (`WARMUP_MS`, default 2 s) is over, as a cache
/// that loads at start would.
#[health_check(
    name = "warmup",
    kind = "startup",
    success_ttl = "1m",
    failed_ttl = "0s"
)]
async fn warmup() -> (bool, String) {
    let warmup = millis("WARMUP_MS", 2000);
    let elapsed = STARTED.get_or_init(Instant::now).elapsed();
    if elapsed >= warmup {
        (true, "warm".to_string())
    } else {
        (false, format!("warming up: {elapsed:.1?} of {warmup:?}"))
    }
}

/// Readiness: the scratch directory takes a write and gives it back.
#[health_check(name = "scratch_file", tags = ["storage"], timeout = "1s")]
async fn scratch_file() -> (bool, String) {
    let path = std::env::temp_dir().join(format!("healthcheck-example-{}", std::process::id()));
    let written = tokio::fs::write(&path, b"ok").await;
    let read = tokio::fs::read(&path).await;
    let _ = tokio::fs::remove_file(&path).await;
    match (written, read) {
        (Ok(()), Ok(bytes)) if bytes == b"ok" => {
            (true, format!("wrote and read {}", path.display()))
        }
        (Err(err), _) | (_, Err(err)) => (false, format!("{}: {err}", path.display())),
        _ => (false, format!("{} came back changed", path.display())),
    }
}

/// The registry: the checks above, a shutdown hook, the drain delay from
/// `DRAIN_DELAY_MS` (default 5 s), and `DRAIN_ON_INTERRUPT=1` to drain on Ctrl-C too.
pub fn health() -> Result<HealthCheck, healthcheck::CollectError> {
    STARTED.get_or_init(Instant::now);
    HealthCheck::builder()
        .drain_delay(millis("DRAIN_DELAY_MS", 5000))
        .drain_on_interrupt(std::env::var("DRAIN_ON_INTERRUPT").is_ok_and(|v| v == "1"))
        // `{base}/info`: this crate's name and version, a build fact, the environment.
        .info(
            healthcheck::app_info!()
                .build_fact("git_commit", option_env!("GIT_COMMIT").unwrap_or("unknown"))
                .section(
                    "example",
                    serde_json::json!({"framework": "axum and friends"}),
                )
                .environment(true),
        )
        .shutdown_hook(Check::new("flush", || async {
            (true, "flushed buffered work".to_string())
        }))
        .build()
}

/// What the process prints once shutdown is over.
pub fn print_shutdown(report: &healthcheck::Report) {
    let hooks: Vec<String> = report
        .results
        .iter()
        .map(|hook| format!("{}: {}", hook.checker, hook.output))
        .collect();
    println!("shutdown: {} ({})", report.phase, hooks.join("; "));
}
