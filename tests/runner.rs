//! How checks run (concurrency, timeouts, panics, caching, single-flight, thresholds),
//! with every check a closure (`Check::new`). `tests/runner_checker.rs` runs the same
//! cases with struct checkers. Time is tokio's paused clock, so every duration here is
//! exact and instant.

mod support;

/// The form of every check in these cases.
const FORM: support::Form = support::Form::Closure;

#[path = "runner/cases.rs"]
mod cases;
