//! Two counters of what changed. One moves on every change a watcher cares about (a
//! check's status, the application's phase), so watchers (gRPC `Watch`) wait for it
//! instead of polling. The other, the generation, moves on every change a report could
//! show (those, and any new result, and any change to the list of checks), so an answer
//! made at one generation can be given again while the generation stands.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::watch;

/// Shared by the runner (results, status changes), the lifecycle (phase changes), the
/// slots (the list of checks) and the registry, which hands out receivers.
#[derive(Debug, Clone)]
pub(crate) struct Changes {
    watched: Arc<watch::Sender<u64>>,
    generation: Arc<AtomicU64>,
    /// Told every change of the phase and the drain's end (the events' feed).
    #[cfg(feature = "status-page")]
    watcher: Option<Arc<dyn PhaseWatcher>>,
}

/// What hears the lifecycle's changes besides the watchers: the events' feed, which
/// weighs the phase then. A trait here, so this module imports nothing above it.
#[cfg(feature = "status-page")]
pub(crate) trait PhaseWatcher: Send + Sync + std::fmt::Debug {
    /// The phase may have changed (startup over, shutdown begun or ended, a drain).
    fn phase_may_have_changed(&self);
    /// The drain is over: long-lived answers end.
    fn drained(&self);
}

impl Default for Changes {
    fn default() -> Self {
        Changes {
            watched: Arc::new(watch::Sender::new(0)),
            generation: Arc::default(),
            #[cfg(feature = "status-page")]
            watcher: None,
        }
    }
}

impl Changes {
    /// The application's phase may have changed (startup over, shutdown begun or ended,
    /// the drain over): wake every receiver. A report would differ too.
    pub(crate) fn changed(&self) {
        self.status_changed();
        self.phase_may_have_changed();
    }

    /// The list of checks changed (one added, removed, enabled or disabled): a report
    /// would differ, and the phase may (a failing readiness check gone).
    pub(crate) fn listed(&self) {
        self.moved();
        self.phase_may_have_changed();
    }

    fn phase_may_have_changed(&self) {
        #[cfg(feature = "status-page")]
        if let Some(watcher) = &self.watcher {
            watcher.phase_may_have_changed();
        }
    }

    /// The drain is over (or shutdown ended): the watcher ends its long-lived answers.
    pub(crate) fn drained(&self) {
        #[cfg(feature = "status-page")]
        if let Some(watcher) = &self.watcher {
            watcher.drained();
        }
    }

    /// These changes, told to `watcher` too.
    #[cfg(feature = "status-page")]
    pub(crate) fn watched_by(mut self, watcher: Arc<dyn PhaseWatcher>) -> Self {
        self.watcher = Some(watcher);
        self
    }

    /// A check's status changed: wake every receiver. The events' feed hears it from the
    /// check's listener, which tells the status before the phase it changes.
    pub(crate) fn status_changed(&self) {
        self.moved();
        self.watched
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    /// Something a report could show changed (a new result, a check added, removed,
    /// enabled or disabled): called after the change is in place, so a reader that sees
    /// the new generation sees the change.
    pub(crate) fn moved(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The generation now: read before looking at what a report shows, so an answer
    /// kept with it is never newer than it says.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// A receiver that wakes on every change from now on.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.watched.subscribe()
    }
}
