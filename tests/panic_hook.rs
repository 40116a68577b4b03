//! A panicking check no longer goes through the process's panic hook on every run (with
//! `RUST_BACKTRACE` set, a backtrace per probe), while panics elsewhere in the
//! application still reach the hook the application installed.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use healthcheck::Check;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_check_skips_the_panic_hook_that_other_panics_still_reach() {
    let hook_calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hook_calls);
    // The application's own hook, set before the registry is built.
    std::panic::set_hook(Box::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    let registry = support::registry([
        Check::new("async_boom", || async {
            if true {
                panic!("async boom");
            }
            (true, String::new())
        })
        .failed_ttl(Duration::ZERO),
        Check::blocking("blocking_boom", || -> (bool, String) {
            panic!("blocking boom")
        })
        .failed_ttl(Duration::ZERO),
    ]);
    for _ in 0..5 {
        let report = registry.run().await;
        assert_eq!(report.results[0].output, "check panicked: async boom");
        assert_eq!(report.results[1].output, "check panicked: blocking boom");
    }
    assert_eq!(
        hook_calls.load(Ordering::SeqCst),
        0,
        "ten panicking runs, none through the hook"
    );

    // A panic of the application's own, on a runtime thread and on a plain thread.
    let task = tokio::spawn(async { panic!("the application's own") });
    assert!(task.await.is_err());
    let thread = std::thread::spawn(|| panic!("the application's own thread"));
    assert!(thread.join().is_err());
    assert_eq!(
        hook_calls.load(Ordering::SeqCst),
        2,
        "both reached the hook"
    );
}
