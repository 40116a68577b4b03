//! The application's phase: STARTING, UP, DOWN, STOPPING, STOPPED; and the shutdown
//! signal that moves it to STOPPING.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use serde::Serialize;

/// The application's phase, as Cloud Health names it. The HTTP status code of a probe
/// is looked up from the probe and this phase (see [`StatusCodes`](crate::StatusCodes)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
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

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long [`HealthCheck::shutdown_signal`](crate::HealthCheck::shutdown_signal) waits
/// after SIGTERM, answering 503, before the server stops accepting: time for the
/// orchestrator to take the pod out of service.
pub const DEFAULT_DRAIN_DELAY: Duration = Duration::from_secs(5);

const RUNNING: u8 = 0;
const STOPPING: u8 = 1;
const STOPPED: u8 = 2;
const HOOK_FAILED: u8 = 3;

/// Startup and shutdown state; the checks' results supply UP or DOWN.
#[derive(Debug, Default)]
pub(crate) struct Lifecycle {
    /// Latched once every startup check has passed once.
    started: AtomicBool,
    shutdown: AtomicU8,
}

impl Lifecycle {
    pub(crate) fn is_started(&self) -> bool {
        self.started.load(Ordering::Acquire)
    }

    pub(crate) fn mark_started(&self) {
        self.started.store(true, Ordering::Release);
    }

    /// Moves to STOPPING unless shutdown has already begun.
    pub(crate) fn begin_shutdown(&self) {
        let _ =
            self.shutdown
                .compare_exchange(RUNNING, STOPPING, Ordering::AcqRel, Ordering::Acquire);
    }

    /// STOPPED, or DOWN when a shutdown hook failed.
    pub(crate) fn end_shutdown(&self, hooks_passed: bool) {
        let end = if hooks_passed { STOPPED } else { HOOK_FAILED };
        self.shutdown.store(end, Ordering::Release);
    }

    /// The shutdown phase, or `None` while running.
    pub(crate) fn shutdown_phase(&self) -> Option<Phase> {
        match self.shutdown.load(Ordering::Acquire) {
            RUNNING => None,
            STOPPING => Some(Phase::Stopping),
            STOPPED => Some(Phase::Stopped),
            _ => Some(Phase::Down),
        }
    }
}

/// Resolves on SIGTERM (after `drain_delay`) or Ctrl-C (at once), calling `begin` first.
///
/// On SIGTERM the orchestrator is taking the pod out of service: readiness answers 503
/// during the delay while the server still accepts, so load balancers stop sending
/// traffic before connections are refused. Ctrl-C is a person at a terminal: no delay.
pub(crate) async fn signal(begin: impl FnOnce(), drain_delay: Duration) {
    let terminated = terminate_or_interrupt().await;
    begin();
    if terminated {
        tokio::time::sleep(drain_delay).await;
    }
}

/// Waits for SIGTERM (`true`) or Ctrl-C (`false`).
async fn terminate_or_interrupt() -> bool {
    let interrupt = Box::pin(async {
        // If the handler cannot be installed, only SIGTERM can end the wait.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    });
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = Box::pin(async {
            match signal(SignalKind::terminate()) {
                Ok(mut terminate) => {
                    terminate.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        });
        matches!(
            futures_util::future::select(terminate, interrupt).await,
            futures_util::future::Either::Left(_)
        )
    }
    #[cfg(not(unix))]
    {
        interrupt.await;
        false
    }
}
