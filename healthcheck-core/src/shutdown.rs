//! The operating system's shutdown signals: the first begins shutdown and the drain, a
//! second ends the drain at once, and one after the drain ends the process.

use std::time::Duration;

use futures_util::future::{self, Either};

/// How long [`HealthCheck::shutdown_signal`](crate::HealthCheck::shutdown_signal) waits
/// after SIGTERM, answering 503, before the server stops accepting: time for the
/// orchestrator to take the pod out of service.
pub const DEFAULT_DRAIN_DELAY: Duration = Duration::from_secs(5);

/// Which signal arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Received {
    Terminate,
    Interrupt,
}

impl Received {
    fn name(self) -> &'static str {
        match self {
            Received::Terminate => "SIGTERM",
            Received::Interrupt => "Ctrl-C",
        }
    }

    /// The exit status a shell reports for a process this signal ended: 128 + signal.
    fn exit_code(self) -> i32 {
        match self {
            Received::Terminate => 143,
            Received::Interrupt => 130,
        }
    }
}

/// SIGTERM and Ctrl-C, listened to for the life of the shutdown.
struct Signals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                terminate: signal(SignalKind::terminate()).ok(),
                interrupt: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The next signal; never resolves if no handler could be installed.
    async fn next(&mut self) -> Received {
        #[cfg(unix)]
        {
            let terminate = Box::pin(async {
                match &mut self.terminate {
                    Some(terminate) => terminate.recv().await,
                    None => std::future::pending().await,
                }
            });
            let interrupt = Box::pin(async {
                match &mut self.interrupt {
                    Some(interrupt) => interrupt.recv().await,
                    None => std::future::pending().await,
                }
            });
            match future::select(terminate, interrupt).await {
                Either::Left(_) => Received::Terminate,
                Either::Right(_) => Received::Interrupt,
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            Received::Interrupt
        }
    }
}

/// How a shutdown drains.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drain {
    /// How long probes answer 503 while the server still accepts.
    pub(crate) delay: Duration,
    /// Whether Ctrl-C drains too.
    pub(crate) on_interrupt: bool,
}

/// Resolves on SIGTERM (after the drain) or Ctrl-C (at once, unless it drains too),
/// calling `begin` first, with the drain's length when it drains.
///
/// On SIGTERM the orchestrator is taking the pod out of service: readiness answers 503
/// during the delay while the server still accepts, so load balancers stop sending
/// traffic before connections are refused. Ctrl-C is a person at a terminal: no delay.
///
/// Listening replaces the signals' default action for the whole process, so a person
/// (or an orchestrator) who signals again would otherwise be ignored: a second signal
/// during the drain ends it at once, and one after this resolved (while the server
/// finishes its connections) exits the process, as the default action would have.
pub(crate) async fn signal(begin: impl FnOnce(Option<Duration>), drain: Drain) {
    let mut signals = Signals::install();
    let first = signals.next().await;
    let drains = first == Received::Terminate || drain.on_interrupt;
    begin(drains.then_some(drain.delay));
    if drains {
        let drain = Box::pin(tokio::time::sleep(drain.delay));
        let second = Box::pin(signals.next());
        if let Either::Right((second, _)) = future::select(drain, second).await {
            eprintln!(
                "healthcheck: {} during the drain: ending the drain now",
                second.name()
            );
        }
    }
    let runtime = tokio::runtime::Handle::current();
    crate::task::spawn_on(&runtime, async move {
        let last = signals.next().await;
        eprintln!(
            "healthcheck: {} after shutdown began: exiting now",
            last.name()
        );
        std::process::exit(last.exit_code());
    });
}
