//! A check: a name, a function that produces a [`Health`](crate::Health), and its options.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::checker::{Checker, Described};
use crate::health::{Health, IntoHealth};
use crate::history::OnFlapping;
use crate::kind::Kind;
use crate::registration::{Location, Registration, RunFuture, Settings};
use crate::state::{StateKey, States};

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
    pub(crate) run: Arc<dyn Fn(&States) -> RunFuture + Send + Sync>,
    pub(crate) requires: Vec<StateKey>,
    /// A plain function on the blocking pool: a timed-out run keeps its thread until it
    /// returns, and the runner waits for it before the next run.
    pub(crate) blocking: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) success_ttl: Option<Duration>,
    pub(crate) failed_ttl: Option<Duration>,
    pub(crate) kinds: Vec<Kind>,
    pub(crate) tags: Vec<String>,
    pub(crate) group: String,
    /// Whether `group` was named (`.group(…)`, `group = "…"`) rather than defaulted.
    pub(crate) group_named: bool,
    pub(crate) critical: bool,
    pub(crate) failure_threshold: u32,
    /// Passes in a row before a failed check counts as passing again.
    pub(crate) success_threshold: u32,
    /// Flapping thresholds, each `None` for the registry's.
    pub(crate) flapping_low: Option<f64>,
    pub(crate) flapping_high: Option<f64>,
    pub(crate) on_flapping: OnFlapping,
    /// The checks this one needs: while one fails, this one is blocked.
    pub(crate) depends_on: Vec<String>,
    /// Whether a blocked check still runs (by default it does not).
    pub(crate) run_when_blocked: bool,
    pub(crate) location: Location,
    /// The struct's type for a check made of a [`Checker`] value.
    pub(crate) checker_type: Option<std::any::TypeId>,
}

/// The group of a check added in code that names none, unless the application's
/// `#[health_check]` functions share one (see [`Builder::build`](crate::Builder::build)).
pub const DEFAULT_GROUP: &str = "default";

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
        Fut::Output: IntoHealth,
    {
        Check::with_run(
            name.into(),
            Arc::new(move |_: &States| {
                let future = check();
                Box::pin(async move { future.await.into_health() })
            }),
            caller(),
        )
    }

    /// A check named `name` that runs `checker`, a struct implementing [`Checker`],
    /// with the registry's default settings.
    ///
    /// ```
    /// use healthcheck::{Check, Checker};
    ///
    /// struct Ping {
    ///     url: String,
    /// }
    ///
    /// impl Checker for Ping {
    ///     type Output = Result<(), String>;
    ///
    ///     async fn check(&self) -> Self::Output {
    ///         if self.url.is_empty() { Err("no url".into()) } else { Ok(()) }
    ///     }
    /// }
    ///
    /// let primary = Check::checker("ping_primary", Ping { url: "http://a".into() });
    /// let replica = Check::checker("ping_replica", Ping { url: "http://b".into() });
    /// # let _ = (primary, replica);
    /// ```
    #[track_caller]
    pub fn checker<C: Checker>(name: impl Into<String>, checker: C) -> Self {
        let checker = Arc::new(checker);
        let mut check = Check::with_run(
            name.into(),
            Arc::new(move |_: &States| run_checker_arc(Arc::clone(&checker))),
            caller(),
        );
        check.checker_type = Some(std::any::TypeId::of::<C>());
        check
    }

    /// A check that runs `checker`, a `#[derive(Checker)]` struct registered by value,
    /// with the name and settings of its `#[checker(…)]` attribute. Change any of them
    /// with the other methods ([`Check::with_name`] to register two instances).
    pub fn from_checker<C: Checker + Described>(checker: C) -> Self {
        let settings = C::SETTINGS;
        let checker = Arc::new(checker);
        let run = Arc::new(move |_: &States| run_checker_arc(Arc::clone(&checker)));
        let mut check =
            Check::with_run(settings.name.to_owned(), run, settings.location).settings(&settings);
        check.checker_type = Some(std::any::TypeId::of::<C>());
        check
    }

    /// The same check under another name (the naming rule still applies).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// A check with the defaults: readiness, critical, threshold 1, the default group.
    fn with_run(
        name: String,
        run: Arc<dyn Fn(&States) -> RunFuture + Send + Sync>,
        location: Location,
    ) -> Self {
        Check {
            name,
            run,
            requires: Vec::new(),
            blocking: false,
            timeout: None,
            success_ttl: None,
            failed_ttl: None,
            kinds: vec![Kind::Readiness],
            tags: Vec::new(),
            group: DEFAULT_GROUP.to_owned(),
            group_named: false,
            critical: true,
            failure_threshold: 1,
            success_threshold: 1,
            flapping_low: None,
            flapping_high: None,
            on_flapping: OnFlapping::Report,
            depends_on: Vec::new(),
            run_when_blocked: false,
            location,
            checker_type: None,
        }
    }

    /// Takes the options an attribute gave (not the name or run).
    fn settings(mut self, settings: &Settings) -> Self {
        self.timeout = settings.timeout;
        self.success_ttl = settings.success_ttl;
        self.failed_ttl = settings.failed_ttl;
        self.kinds = settings.kinds.to_vec();
        self.tags = settings.tags.iter().map(|tag| (*tag).to_owned()).collect();
        // Without `group = "…"`, the crate: the first segment of the module path.
        self.group_named = settings.group.is_some();
        self.group = settings
            .group
            .or_else(|| settings.location.module_path?.split("::").next())
            .unwrap_or(DEFAULT_GROUP)
            .to_owned();
        self.critical = settings.critical;
        self.failure_threshold = settings.failure_threshold.max(1);
        self.success_threshold = settings.success_threshold.max(1);
        self.flapping_low = settings.flapping_low;
        self.flapping_high = settings.flapping_high;
        self.on_flapping = settings.on_flapping;
        self.depends_on = settings
            .depends_on
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        self.location = settings.location;
        self
    }

    /// A check named `name` that runs `check`, a plain (blocking) closure, on tokio's
    /// blocking pool, as a `#[health_check]` on a plain `fn` does.
    ///
    /// A run that outlives its timeout fails at the timeout, but its thread cannot be
    /// stopped: the check does not run again until that thread returns, so a hung check
    /// holds at most one blocking thread.
    ///
    /// ```
    /// use healthcheck::Check;
    ///
    /// let check = Check::blocking("file", || std::path::Path::new("/").exists());
    /// assert_eq!(check.name(), "file");
    /// ```
    #[track_caller]
    pub fn blocking<F, T>(name: impl Into<String>, check: F) -> Self
    where
        F: Fn() -> T + Send + Sync + 'static,
        T: IntoHealth,
    {
        let check = Arc::new(check);
        let run = Arc::new(move |_: &States| {
            let check = Arc::clone(&check);
            blocking(move || check().into_health())
        });
        let mut built = Check::with_run(name.into(), run, caller());
        built.blocking = true;
        built
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

    /// The group the check is shown under in the component tree. Unnamed, a
    /// `#[health_check]` is in its crate's group, and a check added in code joins the
    /// group the application's `#[health_check]` functions share, else
    /// [`defaults::GROUP`](crate::defaults::GROUP).
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = group.into();
        self.group_named = true;
        self
    }

    /// Whether a failure of this check fails the application (default `true`). A
    /// non-critical check that fails reports a warning: degraded, still serving.
    pub fn critical(mut self, critical: bool) -> Self {
        self.critical = critical;
        self
    }

    /// How many failures in a row it takes before a failure counts (default 1); the
    /// ones before it report a warning.
    pub fn failure_threshold(mut self, failures: u32) -> Self {
        self.failure_threshold = failures.max(1);
        self
    }

    /// How many passes in a row it takes before a failed check counts as passing again
    /// (default 1): Envoy's `healthy_threshold`, AWS's healthy threshold count. The
    /// passes before it report a failure that says so
    /// (`ok (pass 1 of 3 in a row before it counts as passing)`). A check that has not
    /// failed yet passes at its first pass.
    pub fn success_threshold(mut self, passes: u32) -> Self {
        self.success_threshold = passes.max(1);
        self
    }

    /// The percent state change at which the check starts flapping (`high`) and at or
    /// below which it stops (`low`); default the registry's
    /// ([`Builder::flapping_thresholds`](crate::Builder::flapping_thresholds), else 25
    /// and 30). Each from 0 to 100, `low` below `high`, checked by
    /// [`Builder::build`](crate::Builder::build).
    pub fn flapping_thresholds(mut self, low: f64, high: f64) -> Self {
        self.flapping_low = Some(low);
        self.flapping_high = Some(high);
        self
    }

    /// What the check does while it flaps (default [`OnFlapping::Report`]: marked, no
    /// other change; [`OnFlapping::Warn`] holds it at warn).
    pub fn on_flapping(mut self, on_flapping: OnFlapping) -> Self {
        self.on_flapping = on_flapping;
        self
    }

    /// The checks this one needs (`depends_on = ["db"]`): while one of them fails, this
    /// check is blocked: its result fails (or warns, if not critical) with `blocked by db:
    /// <db's message>`, names the root causes in `blocked_by`, and the check is not run
    /// (unless [`run_when_blocked`](Check::run_when_blocked)). An unknown name and a
    /// circle of dependencies are errors at [`Builder::build`](crate::Builder::build).
    pub fn depends_on<T: Into<String>>(mut self, names: impl IntoIterator<Item = T>) -> Self {
        self.depends_on = names.into_iter().map(Into::into).collect();
        self
    }

    /// Runs the check even while a dependency fails (default `false`): a failure is
    /// still shown as blocked, a pass passes.
    pub fn run_when_blocked(mut self, run: bool) -> Self {
        self.run_when_blocked = run;
        self
    }

    /// The checks this one depends on.
    pub fn dependency_list(&self) -> &[String] {
        &self.depends_on
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

    /// The group the check belongs to.
    pub fn group_name(&self) -> &str {
        &self.group
    }

    /// Whether the check answers the probe `kind`.
    pub fn is(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }
}

impl From<&'static Registration> for Check {
    fn from(registration: &'static Registration) -> Self {
        let settings = &registration.settings;
        let mut check = Check::with_run(
            settings.name.to_owned(),
            Arc::new(registration.run),
            settings.location,
        )
        .settings(settings);
        check.requires = registration.requires.to_vec();
        check.blocking = registration.blocking;
        check
    }
}

/// Where a `#[track_caller]` constructor was called.
#[track_caller]
fn caller() -> Location {
    let caller = std::panic::Location::caller();
    Location {
        file: caller.file(),
        line: caller.line(),
        module_path: None,
    }
}

/// The future of one run of a shared checker.
fn run_checker_arc<C: Checker>(checker: Arc<C>) -> RunFuture {
    Box::pin(async move { checker.check().await.into_health() })
}

/// The future of one run of a checker built for this run (a struct of `State<T>` fields).
pub fn run_checker<C: Checker>(checker: C) -> RunFuture {
    Box::pin(async move { checker.check().await.into_health() })
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
            .field("group", &self.group)
            .field("critical", &self.critical)
            .field("failure_threshold", &self.failure_threshold)
            .field("success_threshold", &self.success_threshold)
            .field("flapping_low", &self.flapping_low)
            .field("flapping_high", &self.flapping_high)
            .field("on_flapping", &self.on_flapping)
            .field("depends_on", &self.depends_on)
            .field("run_when_blocked", &self.run_when_blocked)
            .field("requires", &self.requires)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Runs a non-async check on tokio's blocking pool, so it cannot stall the runtime; what
/// `#[health_check]` on a plain `fn` and [`Check::blocking`] run.
pub fn blocking<F>(check: F) -> RunFuture
where
    F: FnOnce() -> Health + Send + 'static,
{
    Box::pin(async move {
        match tokio::task::spawn_blocking(move || crate::panics::quietly(check)).await {
            Ok(health) => health,
            Err(err) => match err.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(err) => Health::fail(format!("check was cancelled: {err}")),
            },
        }
    })
}
