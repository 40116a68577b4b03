//! The registry: runs a selection of checks, drives startup, tracks the application's
//! phase, and takes checks added, removed, enabled and disabled while it runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use tokio::sync::OnceCell;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::causes;
use crate::changes::Changes;
use crate::check::Check;
use crate::history::History;
use crate::info::Info;
use crate::kind::{Kind, Probe};
use crate::lifecycle::{Lifecycle, Phase};
use crate::observe;
use crate::panics;
use crate::quorum::{self, Quorum};
use crate::report::{CheckResult, Report};
use crate::runner::{Freshness, Lookups, Slot};
use crate::selection::Selection;
use crate::shutdown;
use crate::slots::{self, SlotList, Slots};
use crate::task;
use crate::validation::CollectError;

/// How soon the startup driver runs a failed startup check again: the phase leaves
/// STARTING within about this long of the check starting to pass.
pub const STARTUP_RETRY: Duration = Duration::from_millis(500);

/// The shortest interval [`HealthCheck::spawn_refresh`] runs at; a shorter one is raised
/// to it (a zero interval would spin).
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_millis(100);

/// The registry of health checks: runs them, tracks the application's phase, and
/// reports.
///
/// A handle: cloning it is cheap and every clone is the same registry, so hand clones
/// to the endpoint, the shutdown signal and your own code; no `Arc` needed. Every
/// method takes `&self`. Runs need a tokio runtime.
#[derive(Clone)]
pub struct HealthCheck {
    /// The set of checks.
    slots: Arc<Slots>,
    /// The phase: startup latch and shutdown state.
    lifecycle: Arc<Lifecycle>,
    /// What shutdown runs and how long it drains.
    shutdown: Arc<Shutdown>,
    /// The task running the startup checks until they have all passed.
    startup_driver: Arc<Mutex<Option<JoinHandle<()>>>>,
    startup_gates_readiness: bool,
    hostname: Arc<str>,
    /// What `{base}/info` shows, and when the registry was built (the start time).
    info: Arc<(Info, SystemTime)>,
    /// How many [`HealthCheck::spawn_refresh`] tasks run: while any does, probes serve
    /// the latest result at once, even a stale one, and the refresh catches up behind.
    refreshing: Arc<AtomicUsize>,
    /// The phase last told to the observers (`NO_PHASE` before any).
    told_phase: Arc<AtomicU8>,
    /// Moves on every change of a check's status or of the phase.
    changes: Changes,
    /// Groups that pass when enough of their members pass.
    quorums: Arc<[Quorum]>,
    /// The events of `{base}/events`.
    #[cfg(feature = "status-page")]
    feed: Arc<crate::feed::Feed>,
}

const NO_PHASE: u8 = u8::MAX;

/// The application's phase from the results known, running nothing: the phase a whole
/// readiness report would tell now, given the readiness checks last heard failing (each
/// looked up: one gone, disabled or passing since counts for nothing; a readiness check
/// never heard failing has passed or not run yet).
#[cfg(feature = "status-page")]
fn known_phase(
    list: &[Arc<Slot>],
    heard_failing: &std::collections::BTreeSet<String>,
    lifecycle: &Lifecycle,
    startup_gates_readiness: bool,
) -> Phase {
    let failing = heard_failing.iter().any(|name| {
        slots::find(list, name).is_some_and(|slot| {
            slot.check.is(Kind::Readiness) && slot.latest().is_some_and(|result| !result.passed)
        })
    });
    lifecycle.phase(startup_gates_readiness, !failing)
}

/// Shutdown hooks (run once by [`HealthCheck::finish_shutdown`]) and the drain delay.
pub(crate) struct Shutdown {
    pub(crate) hooks: SlotList,
    pub(crate) hook_results: OnceCell<HookResults>,
    pub(crate) drain_delay: Duration,
    pub(crate) drain_on_interrupt: bool,
}

/// The shutdown hooks' results: as they ran, for the report `finish_shutdown` returns,
/// and as every later combined report shows them, named `shutdown:{name}` in group
/// `shutdown` and of no probe's kind: a name no check can have (`:` is not allowed in
/// one), so a hook sharing a check's name repeats none of its series or keys.
pub(crate) struct HookResults {
    own: Vec<Arc<CheckResult>>,
    shown: Vec<Arc<CheckResult>>,
}

impl HookResults {
    fn new(own: Vec<Arc<CheckResult>>) -> Self {
        let shown = own
            .iter()
            .map(|result| {
                let mut shown = CheckResult::clone(result);
                shown.checker = format!("shutdown:{}", result.checker);
                shown.group = "shutdown".to_owned();
                shown.stats = result.stats.as_ref().map(|stats| {
                    let mut stats = crate::stats::RunStats::clone(stats);
                    stats.kinds = Arc::from([]);
                    Arc::new(stats)
                });
                Arc::new(shown)
            })
            .collect();
        HookResults { own, shown }
    }
}

/// The parts [`Builder`](crate::Builder) assembles a registry from.
pub(crate) struct Parts {
    pub(crate) slots: Slots,
    pub(crate) shutdown: Shutdown,
    pub(crate) startup_gates_readiness: bool,
    pub(crate) hostname: String,
    pub(crate) info: Info,
    pub(crate) changes: Changes,
    pub(crate) quorums: Vec<Quorum>,
    /// The events of `{base}/events`.
    #[cfg(feature = "status-page")]
    pub(crate) feed: Arc<crate::feed::Feed>,
}

/// What a selection matched that does not exist: the endpoint answers 404 for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// A name no check in the selection has (its "not found" result is in the report).
    Names,
    /// The group no enabled check belongs to.
    Group,
    /// Tags no enabled check carries.
    Tags(Vec<String>),
}

/// Who asks for a report: how it treats a startup check the startup driver is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asker {
    /// A probe (HTTP, gRPC): answered at once from what the startup driver has found.
    Probe,
    /// A caller of [`HealthCheck::run`] and the like, an explicit request: a startup
    /// check with no result yet is run (or its run under way waited for), not reported
    /// `not run yet`.
    Caller,
}

impl Asker {
    /// Whether a starting-up `slot` is reported from what is known, without waiting.
    fn answers_at_once(self, slot: &Slot) -> bool {
        self == Asker::Probe || slot.has_result()
    }
}

/// A report, and what the answer cache needs to know of it.
pub(crate) struct Ran {
    pub(crate) report: Report,
    /// What the selection named that does not exist.
    pub(crate) unknown: Option<Unknown>,
    /// The generation read before anything the report shows.
    pub(crate) generation: u64,
    /// For a whole probe whose every result was fresh, until when they all stay so.
    pub(crate) fresh_until: Option<Instant>,
    /// The application's phase this report tells, told again with an answer made from it.
    pub(crate) application_phase: Option<Phase>,
}

/// The longest a report of no checks at all (nothing to go stale) is reused.
const REUSE_AT_MOST: Duration = Duration::from_secs(3600);

impl HealthCheck {
    pub(crate) fn from_parts(parts: Parts) -> Self {
        let health = HealthCheck {
            slots: Arc::new(parts.slots),
            lifecycle: Arc::new(Lifecycle::new(parts.changes.clone())),
            changes: parts.changes,
            shutdown: Arc::new(parts.shutdown),
            startup_driver: Arc::default(),
            startup_gates_readiness: parts.startup_gates_readiness,
            hostname: parts.hostname.into(),
            info: Arc::new((parts.info, SystemTime::now())),
            refreshing: Arc::default(),
            told_phase: Arc::new(AtomicU8::new(NO_PHASE)),
            quorums: parts.quorums.into(),
            #[cfg(feature = "status-page")]
            feed: parts.feed,
        };
        #[cfg(feature = "status-page")]
        {
            // Weak both: the lifecycle holds the feed (through `changes`), and a cycle
            // would keep every registry ever built.
            let slots = Arc::downgrade(&health.slots);
            let lifecycle = Arc::downgrade(&health.lifecycle);
            let gates = health.startup_gates_readiness;
            health.feed.set_phase_source(Box::new(move |failing| {
                let (slots, lifecycle) = (slots.upgrade()?, lifecycle.upgrade()?);
                let phase = known_phase(&slots.load(), failing, &lifecycle, gates);
                Some((phase, lifecycle.drain_left()))
            }));
        }
        panics::install_quiet_hook();
        health.ensure_startup_driver();
        health
    }

    /// Runs every check (each one's fresh cached result is reused) and reports.
    pub async fn run(&self) -> Report {
        self.run_selection(&Selection::all()).await
    }

    /// Runs the checks of one probe: liveness, readiness or startup checks, or all.
    pub async fn run_probe(&self, probe: Probe) -> Report {
        self.run_selection(&Selection::probe(probe)).await
    }

    /// Runs the named checks; a name no enabled check has yields a failed "not found"
    /// result.
    ///
    /// Results are ordered by name and each name is reported once.
    pub async fn run_named<I, S>(&self, names: I) -> Report
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.run_selection(&Selection::named(names)).await
    }

    /// Runs the checks `selection` picks and reports, with the phase for its probe.
    ///
    /// A name the selection asks for that no check in it has is reported "not found"; a
    /// group or tag no check has selects nothing.
    pub async fn run_selection(&self, selection: &Selection) -> Report {
        self.run_selected(selection, Asker::Caller).await.report
    }

    /// The report, with what the answer cache needs to know of it: the generation it
    /// was made at and until when its results stay fresh.
    pub(crate) async fn run_selected(&self, selection: &Selection, asker: Asker) -> Ran {
        // Read before anything the report shows: an answer kept with it is never newer
        // than the generation says.
        let generation = self.changes.generation();
        self.ensure_startup_driver();
        let list = self.slots.load();
        let gated = self.startup_gates(selection);
        if let Some(unknown) = unknown_group_or_tags(selection, &list) {
            let phase = self.lifecycle.phase(gated, true);
            return Ran {
                report: Report::new(Arc::clone(&self.hostname), phase, Vec::new()),
                unknown: Some(unknown),
                generation,
                fresh_until: None,
                application_phase: None,
            };
        }
        let started = self.started_with(&list);
        let stopped = self.lifecycle.is_stopped();
        let serve_stale = self.refreshing.load(Ordering::Acquire) > 0;
        let now = Instant::now();
        let freshness = |slot: &Slot| {
            if stopped || (starting_up(slot, started) && asker.answers_at_once(slot)) {
                Freshness::KnownOnly
            } else if serve_stale {
                Freshness::ServeStale
            } else {
                Freshness::Cached
            }
        };
        // A report of no checks at all has nothing to go stale: an hour, unless a change.
        let at_most = now + REUSE_AT_MOST;
        let (mut results, fresh_until) = if self.slots.has_dependencies() {
            let selected = |slot: &Slot| slot.is_enabled() && selection.includes(&slot.check);
            causes::results(&list, selected, now, freshness, at_most).await
        } else {
            let selected = slots::enabled(&list).filter(|slot| selection.includes(&slot.check));
            let lookups = Lookups::of(selected, now, freshness);
            let fresh_until = selection
                .is_whole_probe()
                .then(|| lookups.fresh_until(at_most))
                .flatten();
            (lookups.results().await, fresh_until)
        };
        let fresh_until = fresh_until.filter(|_| selection.is_whole_probe());
        let mut unknown = None;
        if let Some(names) = selection.names() {
            for name in names {
                if results
                    .binary_search_by(|r| r.checker.as_str().cmp(name))
                    .is_err()
                {
                    let exists = slots::find(&list, name).is_some();
                    results.push(not_found(name, exists));
                    unknown = Some(Unknown::Names);
                }
            }
            results.sort_by(|a, b| a.checker.cmp(&b.checker));
        }
        let quorums = quorum::apply(&self.quorums, &mut results);
        if selection.probe_kind() == Probe::Combined && selection.names().is_none() {
            results.extend(
                self.shutdown
                    .hook_results
                    .get()
                    .into_iter()
                    .flat_map(|hooks| hooks.shown.iter().cloned()),
            );
        }
        let passed = results.iter().all(|result| result.passed);
        let phase = self.lifecycle.phase(gated, passed);
        let probe = selection.probe_kind();
        if phase == Phase::Starting && probe == Probe::Readiness && selection.names().is_none() {
            // Readiness waits on startup: say which startup checks hold it back, and why.
            let holding = slots::enabled(&list)
                .filter(|slot| starting_up(slot, false) && !selection.includes(&slot.check));
            let holding = Lookups::of(holding, now, |slot| {
                if asker.answers_at_once(slot) {
                    Freshness::KnownOnly
                } else {
                    Freshness::Cached
                }
            });
            results.extend(holding.results().await);
        }
        let application_phase = self.application_phase(selection, &results);
        if let Some(phase) = application_phase {
            self.tell_phase(phase);
        }
        let mut report = Report::new(Arc::clone(&self.hostname), phase, results);
        report.quorums = quorums;
        Ran {
            application_phase,
            report,
            fresh_until: fresh_until.filter(|_| unknown.is_none()),
            unknown,
            generation,
        }
    }

    /// The generation now: it moves on every change a report could show (`changes.rs`).
    pub(crate) fn generation(&self) -> u64 {
        self.changes.generation()
    }

    /// A whole probe was answered again from the answer cache: what a report of it would
    /// have done besides (the startup driver kept going, the application's phase told).
    pub(crate) fn answered_again(&self, application_phase: Option<Phase>) {
        self.ensure_startup_driver();
        if let Some(phase) = application_phase {
            self.tell_phase(phase);
        }
    }

    /// The application's phase, if `results` of `selection` tell it: one phase per
    /// application, that of the readiness probe (what decides whether it gets traffic),
    /// read from a whole readiness or combined report's readiness checks. So a failing
    /// liveness-only check makes the combined probe DOWN but not the application.
    fn application_phase(
        &self,
        selection: &Selection,
        results: &[Arc<CheckResult>],
    ) -> Option<Phase> {
        let probe = selection.probe_kind();
        if !selection.is_whole_probe() || !matches!(probe, Probe::Combined | Probe::Readiness) {
            return None;
        }
        let readiness_passed = results
            .iter()
            .filter(|result| {
                result
                    .stats()
                    .is_some_and(|stats| stats.kinds.contains(&Kind::Readiness))
            })
            .all(|result| result.passed);
        Some(
            self.lifecycle
                .phase(self.startup_gates_readiness, readiness_passed),
        )
    }

    /// Whether the application counts as STARTING for this selection. Liveness is
    /// reported as STARTING too (its status code says 200); a selection by name is not.
    fn startup_gates(&self, selection: &Selection) -> bool {
        if selection.names().is_some() {
            return false;
        }
        match selection.probe_kind() {
            Probe::Readiness => self.startup_gates_readiness,
            _ => true,
        }
    }

    /// Whether every enabled startup check has really passed once; latched.
    fn started_with(&self, list: &[Arc<Slot>]) -> bool {
        if self.lifecycle.is_started() {
            return true;
        }
        let started = slots::startup_passed(list);
        if started {
            self.lifecycle.mark_started();
        }
        started
    }

    /// Starts the task that runs the startup checks until they have all passed, unless
    /// it runs already or startup is over. Needs a tokio runtime; without one, the next
    /// report starts it.
    pub(crate) fn ensure_startup_driver(&self) {
        if self.lifecycle.is_started() || self.lifecycle.shutdown_begun() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut driver = self
            .startup_driver
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // A driver whose runtime shut down has finished too: start another here.
        if driver.as_ref().is_some_and(|task| !task.is_finished()) {
            return;
        }
        let slots = Arc::downgrade(&self.slots);
        let lifecycle = Arc::clone(&self.lifecycle);
        *driver = Some(task::spawn_on(&runtime, drive_startup(slots, lifecycle)));
    }

    /// Resolves once every startup check has passed (at once if there are none): for a
    /// test, or an application that wants to bind its port only once started. The
    /// startup checks run in the background; this only waits.
    pub async fn wait_started(&self) {
        self.ensure_startup_driver();
        self.lifecycle.started().await;
    }

    /// Whether every startup check has passed once (latched).
    pub fn is_started(&self) -> bool {
        self.lifecycle.is_started()
    }

    /// Runs the checks every `interval` in the background. From now on probes read the
    /// latest result at once, even a stale one (a stale result is refreshed behind the
    /// probe), so no probe waits on a slow dependency. Abort the handle to stop; probes
    /// then wait for stale checks again. The task ends by itself once the registry is
    /// dropped (every clone of it). An interval under [`MIN_REFRESH_INTERVAL`] is raised
    /// to it.
    pub fn spawn_refresh(&self, interval: Duration) -> JoinHandle<()> {
        /// Counts the refresh task out when it ends or is aborted.
        struct Refreshing(Arc<AtomicUsize>);
        impl Drop for Refreshing {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.refreshing.fetch_add(1, Ordering::AcqRel);
        let refreshing = Refreshing(Arc::clone(&self.refreshing));
        let slots: Weak<Slots> = Arc::downgrade(&self.slots);
        let lifecycle = Arc::clone(&self.lifecycle);
        task::spawn_on(&tokio::runtime::Handle::current(), async move {
            let _refreshing = refreshing;
            let mut ticks = tokio::time::interval(interval.max(MIN_REFRESH_INTERVAL));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(slots) = slots.upgrade() else {
                    return;
                };
                if !lifecycle.is_stopped() {
                    refresh_all(&slots).await;
                }
            }
        })
    }

    /// Moves the application to STOPPING: from now on every probe answers 503, so the
    /// orchestrator stops sending traffic while in-flight requests drain. Idempotent.
    pub fn begin_shutdown(&self) {
        self.lifecycle.begin_shutdown();
        self.tell_phase(self.current_phase());
    }

    /// Tells the observers (metrics, tracing) the application's phase if it changed.
    fn tell_phase(&self, phase: Phase) {
        let code = crate::stats::PHASES
            .iter()
            .position(|each| *each == phase)
            .and_then(|index| u8::try_from(index).ok())
            .unwrap_or(NO_PHASE);
        // Read first: every whole-probe report comes here, and a write on each would
        // bounce the line between cores for nothing.
        if self.told_phase.load(Ordering::Acquire) != code
            && self.told_phase.swap(code, Ordering::AcqRel) != code
        {
            observe::phase_changed(phase);
        }
    }

    /// A future that resolves on SIGTERM or Ctrl-C, after switching to STOPPING.
    ///
    /// On SIGTERM it waits the drain delay ([`Builder::drain_delay`](crate::Builder::drain_delay),
    /// 5 s by default) before resolving, so readiness answers 503 while the server still
    /// accepts; a second signal ends the delay at once. Hand it to the server's graceful
    /// shutdown (axum's `with_graceful_shutdown`), then call
    /// [`HealthCheck::finish_shutdown`] once the server has drained. A signal after it
    /// resolved exits the process (status 143 for SIGTERM, 130 for Ctrl-C), as the
    /// signal's default action would have.
    pub fn shutdown_signal(&self) -> impl Future<Output = ()> + Send + 'static {
        let health = self.clone();
        let drain = shutdown::Drain {
            delay: self.shutdown.drain_delay,
            on_interrupt: self.shutdown.drain_on_interrupt,
        };
        // Boxed here, so its body (signals, drain) is compiled in this crate rather
        // than in each application that awaits it.
        let signal: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
            let begin = |drain: Option<Duration>| {
                if let Some(delay) = drain {
                    health.lifecycle.begin_drain(delay);
                }
                health.begin_shutdown();
            };
            shutdown::signal(begin, drain).await;
            health.lifecycle.end_drain();
        });
        signal
    }

    /// Like [`HealthCheck::shutdown_signal`] for a trigger of your own (a message on a
    /// channel, an admin request, a signal you handle yourself): when `trigger`
    /// resolves, shutdown begins (STOPPING, every probe 503), and the returned future
    /// resolves after the drain delay. Hand it to the server's graceful shutdown, then
    /// call [`HealthCheck::finish_shutdown`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use healthcheck::HealthCheck;
    ///
    /// let health = HealthCheck::builder().linked_checks(false).build().unwrap();
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let shutdown = tokio::spawn(health.shutdown_on(async move { let _ = stopped.await; }));
    /// stop.send(()).unwrap();
    /// shutdown.await.unwrap(); // after the 5 s drain (instant here: paused time)
    /// assert_eq!(health.run().await.phase, healthcheck::Phase::Stopping);
    /// # }
    /// ```
    pub fn shutdown_on<F>(&self, trigger: F) -> impl Future<Output = ()> + Send + 'static
    where
        F: Future + Send + 'static,
    {
        let health = self.clone();
        let delay = self.shutdown.drain_delay;
        async move {
            trigger.await;
            health.lifecycle.begin_drain(delay);
            health.begin_shutdown();
            tokio::time::sleep(delay).await;
            health.lifecycle.end_drain();
        }
    }

    /// Runs the shutdown hooks once, concurrently, and ends the shutdown: STOPPED, or
    /// DOWN when a hook failed. From then on checks no longer run: probes get their last
    /// results. Returns the hooks' report; later reports of every check include the
    /// hooks' results too.
    pub fn finish_shutdown(&self) -> impl Future<Output = Report> + Send + '_ {
        // Boxed here, so its body is compiled in this crate rather than in each
        // application that awaits it.
        let finish: Pin<Box<dyn Future<Output = Report> + Send + '_>> = Box::pin(async move {
            self.begin_shutdown();
            let hooks = self
                .shutdown
                .hook_results
                .get_or_init(|| async {
                    let hooks = Lookups::of(self.shutdown.hooks.iter(), Instant::now(), |_| {
                        Freshness::Cached
                    });
                    let results = hooks.results().await;
                    self.lifecycle
                        .end_shutdown(results.iter().all(|result| result.passed));
                    HookResults::new(results)
                })
                .await;
            // The hooks' results are in reports from now on: answers kept before are not.
            self.changes.moved();
            let phase = self.lifecycle.phase(false, true);
            self.tell_phase(phase);
            Report::new(Arc::clone(&self.hostname), phase, hooks.own.clone())
        });
        finish
    }

    /// Whether shutdown has begun (STOPPING, or any phase after it).
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))]
    pub(crate) fn shutdown_begun(&self) -> bool {
        self.lifecycle.shutdown_begun()
    }

    /// Whether [`HealthCheck::finish_shutdown`] has ended the shutdown.
    pub fn is_stopped(&self) -> bool {
        self.lifecycle.is_stopped()
    }

    /// Adds a check to the running registry, with the same validation as `build`: name,
    /// tags, group, durations, state, and no other check of that name. Reads go on
    /// while it is added.
    pub fn register(&self, check: Check) -> Result<(), CollectError> {
        self.slots.register(check)?;
        self.ensure_startup_driver();
        Ok(())
    }

    /// Removes the check named `name`; `false` if there is none.
    pub fn unregister(&self, name: &str) -> bool {
        self.slots.unregister(name)
    }

    /// Shows and runs the check named `name` again; `false` if there is none.
    pub fn enable(&self, name: &str) -> bool {
        self.slots.set_enabled(name, true)
    }

    /// Hides the check named `name`: neither listed nor run, as if unregistered, but
    /// kept with its cached result for [`HealthCheck::enable`]. `false` if there is none.
    pub fn disable(&self, name: &str) -> bool {
        self.slots.set_enabled(name, false)
    }

    /// The enabled checks' names, in order.
    pub fn names(&self) -> Vec<String> {
        self.enabled(|check| check.name().to_owned())
    }

    /// The enabled checks, in name order.
    pub fn checks(&self) -> Vec<Check> {
        self.enabled(Check::clone)
    }

    /// The enabled check named `name`.
    pub fn check(&self, name: &str) -> Option<Check> {
        slots::find(&self.slots.load(), name).map(|slot| slot.check.clone())
    }

    /// The recent results and changes of the enabled check named `name`: the last 21
    /// runs and 50 changes of status, newest first, whether it is flapping and its
    /// percent state change. Kept in memory with the check (at most 2 KiB), so a check
    /// unregistered takes its history with it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), healthcheck::CollectError> {
    /// use healthcheck::{Check, HealthCheck};
    ///
    /// let health = HealthCheck::builder()
    ///     .linked_checks(false)
    ///     .check(Check::new("db", || async { (true, "db ok".to_string()) }))
    ///     .build()?;
    /// health.run().await;
    /// let history = health.history("db").expect("a check named db");
    /// assert_eq!(history.results[0].output.as_deref(), Some("db ok"));
    /// assert!(!history.flapping);
    /// # Ok(())
    /// # }
    /// ```
    pub fn history(&self, name: &str) -> Option<History> {
        slots::find(&self.slots.load(), name).map(|slot| slot.history())
    }

    /// The names of the groups of the enabled checks, in order, once each.
    pub fn groups(&self) -> Vec<String> {
        let mut groups = self.enabled(|check| check.group_name().to_owned());
        // The stable sort of strings the selection's sets compile already: one copy.
        groups.sort();
        groups.dedup();
        groups
    }

    /// The tags of the enabled checks, in order, once each.
    pub fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = self.enabled(|check| check.tag_list().to_vec()).concat();
        tags.sort();
        tags.dedup();
        tags
    }

    /// `each` of every enabled check, in name order.
    fn enabled<T>(&self, each: impl Fn(&Check) -> T) -> Vec<T> {
        slots::enabled(&self.slots.load())
            .map(|slot| each(&slot.check))
            .collect()
    }

    /// The JSON of `{base}/info`: the phase, then what [`Info`] shows.
    pub(crate) fn info_json(&self) -> serde_json::Value {
        let (info, started) = &*self.info;
        let mut body = serde_json::Map::new();
        body.insert("status".into(), self.current_phase().as_str().into());
        if let serde_json::Value::Object(shown) = info.render(&self.hostname, *started) {
            body.extend(shown);
        }
        serde_json::Value::Object(body)
    }

    /// The application's phase from what is known, running nothing: STARTING, UP, or
    /// the shutdown phase.
    pub(crate) fn current_phase(&self) -> Phase {
        self.started_with(&self.slots.load());
        self.lifecycle.phase(true, true)
    }

    /// A receiver that wakes on every change of a check's status or of the phase.
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))]
    pub(crate) fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Whether the drain after shutdown began is over (the shutdown signal resolved, or
    /// shutdown finished): the server is about to close, so long-lived answers end.
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))]
    pub(crate) fn is_drained(&self) -> bool {
        self.lifecycle.is_drained()
    }

    /// The events `{base}/events` streams.
    #[cfg(feature = "status-page")]
    pub(crate) fn feed(&self) -> &Arc<crate::feed::Feed> {
        &self.feed
    }

    /// While STOPPING, how long the drain has left.
    #[cfg(feature = "status-page")]
    pub(crate) fn drain_left(&self) -> Option<Duration> {
        self.lifecycle.drain_left()
    }

    /// The hostname reports carry.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }
}

impl std::fmt::Debug for HealthCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthCheck")
            .field("checks", &self.names())
            .field("hostname", &self.hostname)
            .finish_non_exhaustive()
    }
}

impl From<Arc<HealthCheck>> for HealthCheck {
    /// The registry an `Arc` holds (a clone of the handle).
    fn from(health: Arc<HealthCheck>) -> Self {
        HealthCheck::clone(&health)
    }
}

/// Runs every enabled check of `slots` whose result is stale, waiting for the runs.
async fn refresh_all(slots: &Slots) {
    let list = slots.load();
    let lookups = Lookups::of(slots::enabled(&list), Instant::now(), |_| Freshness::Cached);
    lookups.results().await;
}

/// Whether `slot` is a startup check the startup driver is still running: probes read
/// what it has found rather than waiting on it.
fn starting_up(slot: &Slot, started: bool) -> bool {
    !started && slot.check.is(Kind::Startup) && !slot.has_passed()
}

/// The group or tags `selection` names that no enabled check of `list` has.
fn unknown_group_or_tags(selection: &Selection, list: &[Arc<Slot>]) -> Option<Unknown> {
    if selection.group().is_none() && selection.tags().next().is_none() {
        return None;
    }
    if let Some(group) = selection.group()
        && !slots::enabled(list).any(|slot| slot.check.group_name() == group)
    {
        return Some(Unknown::Group);
    }
    let unknown_tags: Vec<String> = selection
        .tags()
        .filter(|tag| !slots::enabled(list).any(|slot| slot.check.tag_list().contains(tag)))
        .cloned()
        .collect();
    (!unknown_tags.is_empty()).then_some(Unknown::Tags(unknown_tags))
}

/// Runs the startup checks that have not passed, again every [`STARTUP_RETRY`], until
/// all have; then marks the application started. Ends early when the registry is
/// dropped or shutdown begins.
async fn drive_startup(slots: Weak<Slots>, lifecycle: Arc<Lifecycle>) {
    loop {
        if lifecycle.shutdown_begun() {
            return;
        }
        let pending: SlotList = {
            let Some(slots) = slots.upgrade() else {
                return;
            };
            let list = slots.load();
            slots::enabled(&list)
                .filter(|slot| slot.check.is(Kind::Startup) && !slot.has_passed())
                .cloned()
                .collect()
        };
        if pending.is_empty() {
            lifecycle.mark_started();
            return;
        }
        Lookups::of(pending.iter(), Instant::now(), |_| Freshness::Rerun)
            .results()
            .await;
        if pending.iter().any(|slot| !slot.has_passed()) {
            tokio::time::sleep(STARTUP_RETRY).await;
        }
    }
}

fn not_found(name: &str, exists: bool) -> Arc<CheckResult> {
    let output = if exists {
        format!(
            "not found: health check `{name}` is not in this selection (excluded, or left out by probe, tag or group)"
        )
    } else {
        format!("not found: no health check is named `{name}`")
    };
    Arc::new(CheckResult::failed_now(name, output))
}

#[cfg(all(test, feature = "status-page"))]
mod tests {
    use super::*;

    #[test]
    fn a_registry_dropped_frees_its_feed_and_lifecycle() {
        // Found by the fuzzer's memory limit: the feed's phase source held the lifecycle,
        // which holds the feed, so no registry was ever freed.
        let health = HealthCheck::builder().linked_checks(false).build().unwrap();
        let feed = Arc::downgrade(&health.feed);
        let lifecycle = Arc::downgrade(&health.lifecycle);
        drop(health);
        assert!(feed.upgrade().is_none(), "the feed outlived its registry");
        assert!(
            lifecycle.upgrade().is_none(),
            "the lifecycle outlived its registry"
        );
    }
}
