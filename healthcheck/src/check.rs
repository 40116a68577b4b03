//! A check: a name, a function that produces an [`Outcome`], and its options.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::kind::Kind;
use crate::registration::{Location, Registration, RunFuture};

/// What one run of a check found: whether it passed, and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Whether the check passed.
    pub passed: bool,
    /// The message shown as the result's `output`.
    pub output: String,
}

impl Outcome {
    /// A passing outcome with `output` as its message.
    pub fn pass(output: impl Into<String>) -> Self {
        Outcome {
            passed: true,
            output: output.into(),
        }
    }

    /// A failing outcome with `output` as its message.
    pub fn fail(output: impl Into<String>) -> Self {
        Outcome {
            passed: false,
            output: output.into(),
        }
    }
}

/// A value a health check may return.
///
/// Implemented for `(bool, String)`, the Flask-healthcheck contract: whether the check
/// passed, and a message.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a health check result",
    label = "a health check must return `(bool, String)`",
    note = "return `(passed, message)`, e.g. `(true, \"database ok\".to_string())`"
)]
pub trait IntoOutcome {
    /// Turns the returned value into an [`Outcome`].
    fn into_outcome(self) -> Outcome;
}

impl IntoOutcome for (bool, String) {
    fn into_outcome(self) -> Outcome {
        Outcome {
            passed: self.0,
            output: self.1,
        }
    }
}

/// A health check added programmatically, with the same semantics as a
/// `#[health_check]` function.
///
/// ```
/// use std::time::Duration;
/// use healthcheck::Check;
///
/// let check = Check::new("cache", || async { (true, "cache ok".to_string()) })
///     .timeout(Duration::from_millis(500))
///     .success_ttl(Duration::from_secs(5));
/// assert_eq!(check.name(), "cache");
/// ```
#[must_use = "a check does nothing until it is added to a registry with `Builder::check`"]
#[derive(Clone)]
pub struct Check {
    pub(crate) name: String,
    pub(crate) run: Arc<dyn Fn() -> RunFuture + Send + Sync>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) success_ttl: Option<Duration>,
    pub(crate) failed_ttl: Option<Duration>,
    pub(crate) kinds: Vec<Kind>,
    pub(crate) tags: Vec<String>,
    pub(crate) location: Location,
}

impl Check {
    /// A check named `name` that runs `check`, an async closure returning `(bool, String)`.
    ///
    /// The name follows the same rule as the attribute's; a bad one is reported by
    /// [`Builder::build`](crate::Builder::build). The caller's file and line become the
    /// check's [`Location`].
    #[track_caller]
    pub fn new<F, Fut>(name: impl Into<String>, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoOutcome,
    {
        let caller = std::panic::Location::caller();
        Check {
            name: name.into(),
            run: Arc::new(move || {
                let future = check();
                Box::pin(async move { future.await.into_outcome() })
            }),
            timeout: None,
            success_ttl: None,
            failed_ttl: None,
            kinds: vec![Kind::Readiness],
            tags: Vec::new(),
            location: Location {
                file: caller.file(),
                line: caller.line(),
                module_path: None,
            },
        }
    }

    /// Drops a run that takes longer than `timeout`; the result fails and says so.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long a passing result is reused before the check runs again.
    pub fn success_ttl(mut self, ttl: Duration) -> Self {
        self.success_ttl = Some(ttl);
        self
    }

    /// How long a failing result is reused before the check runs again.
    pub fn failed_ttl(mut self, ttl: Duration) -> Self {
        self.failed_ttl = Some(ttl);
        self
    }

    /// The probes this check answers (default: readiness only). An empty list keeps
    /// the default.
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = Kind>) -> Self {
        let mut kinds: Vec<Kind> = kinds.into_iter().collect();
        kinds.sort_unstable();
        kinds.dedup();
        if !kinds.is_empty() {
            self.kinds = kinds;
        }
        self
    }

    /// Tags to select the check by (`?tag=db`). Each follows the naming rule, checked by
    /// [`Builder::build`](crate::Builder::build).
    pub fn tags<T: Into<String>>(mut self, tags: impl IntoIterator<Item = T>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// The check's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the check is defined.
    pub fn location(&self) -> Location {
        self.location
    }

    /// The probes this check answers.
    pub fn kind_list(&self) -> &[Kind] {
        &self.kinds
    }

    /// The check's tags.
    pub fn tag_list(&self) -> &[String] {
        &self.tags
    }

    /// Whether the check answers the probe `kind`.
    pub fn is(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }
}

impl From<&'static Registration> for Check {
    fn from(registration: &'static Registration) -> Self {
        Check {
            name: registration.name.to_owned(),
            run: Arc::new(registration.run),
            timeout: registration.timeout,
            success_ttl: registration.success_ttl,
            failed_ttl: registration.failed_ttl,
            kinds: registration.kinds.to_vec(),
            tags: registration
                .tags
                .iter()
                .map(|tag| (*tag).to_owned())
                .collect(),
            location: registration.location,
        }
    }
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .field("success_ttl", &self.success_ttl)
            .field("failed_ttl", &self.failed_ttl)
            .field("kinds", &self.kinds)
            .field("tags", &self.tags)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}
