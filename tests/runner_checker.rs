//! The runner's cases again, with every check a struct implementing `Checker`
//! (`Check::checker`): timeout, panic, cache, single-flight and thresholds behave as for
//! a closure.

mod support;

/// The form of every check in these cases.
const FORM: support::Form = support::Form::Checker;

#[path = "runner/cases.rs"]
mod cases;
