//! What `#[health_check]` submits to `inventory` at link time.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::health::Health;
use crate::kind::Kind;
use crate::state::{StateKey, States};

/// The future a registered check's entry point returns.
pub type RunFuture = Pin<Box<dyn Future<Output = Health> + Send + 'static>>;

/// One `#[health_check]` function or `#[derive(Checker)]` struct, as the macro records
/// it. A const value, so it can be handed to `inventory::submit!`.
#[doc(hidden)]
pub struct Registration {
    /// Calls the user's function (or builds the struct) with the state it asks for and
    /// boxes the future.
    pub run: fn(&States) -> RunFuture,
    /// The state types the function's parameters (the struct's fields) ask for.
    pub requires: &'static [StateKey],
    /// Whether the function is a plain `fn`, run on the blocking pool.
    pub blocking: bool,
    /// Name and options from the attribute.
    pub settings: Settings,
}

/// A check's name and options as the attribute gives them; `None` for the registry's
/// default. The derive also hands these to `Check::from_checker` for a struct
/// registered by value.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The check's name, already validated by the macro.
    pub name: &'static str,
    /// `timeout = "…"`.
    pub timeout: Option<Duration>,
    /// `success_ttl = "…"`.
    pub success_ttl: Option<Duration>,
    /// `failed_ttl = "…"`.
    pub failed_ttl: Option<Duration>,
    /// `kind = …`; `[Readiness]` when not given.
    pub kinds: &'static [Kind],
    /// `tags = […]`.
    pub tags: &'static [&'static str],
    /// `group = "…"`, or `None` for the crate the check is defined in.
    pub group: Option<&'static str>,
    /// `critical = false` turns a failure into a warning.
    pub critical: bool,
    /// `failure_threshold = N`: consecutive failures before a failure counts.
    pub failure_threshold: u32,
    /// `success_threshold = N`: consecutive passes before a failed check passes again.
    pub success_threshold: u32,
    /// `flapping_low = P`, or `None` for the registry's.
    pub flapping_low: Option<f64>,
    /// `flapping_high = P`, or `None` for the registry's.
    pub flapping_high: Option<f64>,
    /// `depends_on = […]`: the checks this one needs.
    pub depends_on: &'static [&'static str],
    /// `on_flapping = "warn"`.
    pub on_flapping: crate::history::OnFlapping,
    /// Where the check is defined.
    pub location: Location,
}

inventory::collect!(Registration);

/// A `#[derive(Checker)]` struct with `instance`: registered by value, never at link time.
/// Recorded so that `build` can say when none was added (it would never run).
#[doc(hidden)]
pub struct Instance {
    /// The struct's type, to find among the checks added.
    pub type_id: fn() -> std::any::TypeId,
    /// The name and place its `#[checker(…)]` attribute gives.
    pub settings: Settings,
}

inventory::collect!(Instance);

/// Where a check is defined in the source, for errors and listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Source file, as `file!()` gives it.
    pub file: &'static str,
    /// Line of the `#[health_check]` attribute or `#[derive(Checker)]`, or of the
    /// `Check::new` call.
    pub line: u32,
    /// Module of a `#[health_check]` function; `None` for checks built with `Check::new`.
    pub module_path: Option<&'static str>,
}

/// `{"file", "line", "module_path"}`.
impl serde::Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = serializer.serialize_struct("Location", 3)?;
        fields.serialize_field("file", self.file)?;
        fields.serialize_field("line", &self.line)?;
        fields.serialize_field("module_path", &self.module_path)?;
        fields.end()
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}
