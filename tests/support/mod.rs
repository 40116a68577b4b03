//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different part

pub mod http;
pub mod servers;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use healthcheck::{Check, HealthCheck};

/// A registry of only `checks`, so the test does not see the binary's linked checks.
pub fn registry(checks: impl IntoIterator<Item = Check>) -> HealthCheck {
    checks
        .into_iter()
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                .hostname("test-host"),
            |builder, check| builder.check(check),
        )
        .build()
        .expect("valid, unique names")
}

/// A check that counts its runs, waits `delay`, then returns `passed`.
pub fn counting(name: &str, delay: Duration, passed: bool) -> (Check, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let check = Check::new(name, move || {
        let counter = Arc::clone(&counter);
        async move {
            let run = counter.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(delay).await;
            (passed, format!("run {run}"))
        }
    });
    (check, runs)
}

/// An example binary, which `cargo test` builds beside the test binaries.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`, which builds the examples",
        path.display()
    );
    path
}
