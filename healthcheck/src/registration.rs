//! What `#[health_check]` submits to `inventory` at link time.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::health::Health;
use crate::kind::Kind;
use crate::state::{StateKey, States};

/// The future a registered check's entry point returns.
pub type RunFuture = Pin<Box<dyn Future<Output = Health> + Send + 'static>>;

/// One `#[health_check]` function, as the macro records it. A const value, so it can
/// be handed to `inventory::submit!`.
#[doc(hidden)]
pub struct Registration {
    /// The check's name, already validated by the macro.
    pub name: &'static str,
    /// Calls the user's function with the state it asks for and boxes its future.
    pub run: fn(&States) -> RunFuture,
    /// Whether the function is a plain `fn`, run on the blocking pool.
    pub blocking: bool,
    /// The state types the function's parameters ask for.
    pub requires: &'static [StateKey],
    /// `timeout = "…"`, or `None` for the registry's default.
    pub timeout: Option<Duration>,
    /// `success_ttl = "…"`, or `None` for the registry's default.
    pub success_ttl: Option<Duration>,
    /// `failed_ttl = "…"`, or `None` for the registry's default.
    pub failed_ttl: Option<Duration>,
    /// `kind = …`; `[Readiness]` when not given.
    pub kinds: &'static [Kind],
    /// `tags = […]`.
    pub tags: &'static [&'static str],
    /// `group = "…"`, or `None` for the crate the function is defined in.
    pub group: Option<&'static str>,
    /// `critical = false` turns a failure into a warning.
    pub critical: bool,
    /// `failure_threshold = N`: consecutive failures before a failure counts.
    pub failure_threshold: u32,
    /// Where the function is defined.
    pub location: Location,
}

inventory::collect!(Registration);

/// Where a check is defined in the source, for errors and listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// Source file, as `file!()` gives it.
    pub file: &'static str,
    /// Line of the `#[health_check]` attribute, or of the `Check::new` call.
    pub line: u32,
    /// Module of a `#[health_check]` function; `None` for checks built with `Check::new`.
    pub module_path: Option<&'static str>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}
