//! The application's phase: STARTING, UP, DOWN, STOPPING, STOPPED, decided from facts
//! the registry hands over.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::changes::Changes;

use serde::{Serialize, Serializer};

/// The application's phase, as Cloud Health names it. The HTTP status code of a probe
/// is looked up from the probe and this phase (see [`StatusCodes`](crate::StatusCodes)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Not every startup check has passed yet.
    Starting,
    /// Started, and every selected check passed.
    Up,
    /// A selected check failed, or a shutdown hook failed.
    Down,
    /// Shutdown has begun: in-flight work drains, probes answer 503.
    Stopping,
    /// Shutdown is done and every shutdown hook passed.
    Stopped,
}

impl Phase {
    /// The phase as Cloud Health writes it: `STARTING`, `UP`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Starting => "STARTING",
            Phase::Up => "UP",
            Phase::Down => "DOWN",
            Phase::Stopping => "STOPPING",
            Phase::Stopped => "STOPPED",
        }
    }
}

/// `"STARTING"`, `"UP"`, `"DOWN"`, `"STOPPING"` or `"STOPPED"`.
impl Serialize for Phase {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit_variant("Phase", *self as u32, self.as_str())
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const RUNNING: u8 = 0;
const STOPPING: u8 = 1;
const STOPPED: u8 = 2;
const HOOK_FAILED: u8 = 3;

/// Startup and shutdown state. It decides the phase from facts handed to it (whether
/// the report is gated by startup, whether it passed) and knows nothing of checks.
#[derive(Debug)]
pub(crate) struct Lifecycle {
    /// Latched once every startup check has passed once.
    started: AtomicBool,
    /// Wakes those waiting for startup to end.
    started_now: Notify,
    shutdown: AtomicU8,
    /// Set when the drain after shutdown began is over.
    drained: AtomicBool,
    /// When the drain under way ends, for the status page's countdown.
    drain_ends: Mutex<Option<Instant>>,
    /// Told every change of phase.
    changes: Changes,
}

impl Lifecycle {
    pub(crate) fn new(changes: Changes) -> Self {
        Lifecycle {
            started: AtomicBool::new(false),
            started_now: Notify::new(),
            shutdown: AtomicU8::new(RUNNING),
            drained: AtomicBool::new(false),
            drain_ends: Mutex::new(None),
            changes,
        }
    }

    pub(crate) fn is_started(&self) -> bool {
        self.started.load(Ordering::Acquire)
    }

    /// Every startup check has passed once: latched, so a later failure of a startup
    /// check makes the application DOWN, not STARTING again.
    pub(crate) fn mark_started(&self) {
        if !self.started.swap(true, Ordering::AcqRel) {
            self.changes.changed();
        }
        self.started_now.notify_waiters();
    }

    /// Resolves once startup has ended.
    pub(crate) async fn started(&self) {
        loop {
            let started_now = self.started_now.notified();
            if self.is_started() {
                return;
            }
            started_now.await;
        }
    }

    /// Moves to STOPPING unless shutdown has already begun.
    pub(crate) fn begin_shutdown(&self) {
        let begun =
            self.shutdown
                .compare_exchange(RUNNING, STOPPING, Ordering::AcqRel, Ordering::Acquire);
        if begun.is_ok() {
            self.changes.changed();
        }
    }

    /// A drain of `delay` begins now (told before shutdown begins, so the phase's first
    /// telling has it).
    pub(crate) fn begin_drain(&self, delay: Duration) {
        let mut ends = self
            .drain_ends
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if ends.is_none() && !self.shutdown_begun() {
            *ends = Instant::now().checked_add(delay);
        }
    }

    /// How long the drain under way has left: while STOPPING, before the drain is over.
    #[cfg_attr(not(feature = "status-page"), allow(dead_code))]
    pub(crate) fn drain_left(&self) -> Option<Duration> {
        if self.shutdown.load(Ordering::Acquire) != STOPPING || self.is_drained() {
            return None;
        }
        let ends = *self
            .drain_ends
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        ends.map(|ends| ends.saturating_duration_since(Instant::now()))
    }

    /// STOPPED, or DOWN when a shutdown hook failed.
    pub(crate) fn end_shutdown(&self, hooks_passed: bool) {
        let end = if hooks_passed { STOPPED } else { HOOK_FAILED };
        self.shutdown.store(end, Ordering::Release);
        self.changes.changed();
        self.changes.drained();
    }

    /// The drain is over: the server is about to stop accepting and finish.
    pub(crate) fn end_drain(&self) {
        if !self.drained.swap(true, Ordering::AcqRel) {
            self.changes.changed();
        }
        // Long-lived answers end: the server is closing (its graceful shutdown waits).
        self.changes.drained();
    }

    /// Whether the drain is over, or shutdown has ended.
    pub(crate) fn is_drained(&self) -> bool {
        self.drained.load(Ordering::Acquire) || self.is_stopped()
    }

    /// Whether shutdown has begun (STOPPING or later).
    pub(crate) fn shutdown_begun(&self) -> bool {
        self.shutdown.load(Ordering::Acquire) != RUNNING
    }

    /// Whether shutdown is done: checks no longer run.
    pub(crate) fn is_stopped(&self) -> bool {
        matches!(self.shutdown.load(Ordering::Acquire), STOPPED | HOOK_FAILED)
    }

    /// The phase of a report: the shutdown phase if shutdown has begun; else STARTING
    /// when the report is `gated` by startup and startup is not over; else UP or DOWN
    /// as the report `passed`.
    pub(crate) fn phase(&self, gated: bool, passed: bool) -> Phase {
        match self.shutdown.load(Ordering::Acquire) {
            STOPPING => Phase::Stopping,
            STOPPED => Phase::Stopped,
            HOOK_FAILED => Phase::Down,
            _ if gated && !self.is_started() => Phase::Starting,
            _ if passed => Phase::Up,
            _ => Phase::Down,
        }
    }
}
