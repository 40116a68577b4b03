//! A counter that moves on every change a watcher cares about (a check's status, the
//! application's phase), so watchers (gRPC `Watch`) wait for it instead of polling.

use std::sync::Arc;

use tokio::sync::watch;

/// Shared by the runner (status changes), the lifecycle (phase changes) and the
/// registry, which hands out receivers.
#[derive(Debug, Clone)]
pub(crate) struct Changes(Arc<watch::Sender<u64>>);

impl Default for Changes {
    fn default() -> Self {
        Changes(Arc::new(watch::Sender::new(0)))
    }
}

impl Changes {
    /// Something changed: wake every receiver.
    pub(crate) fn changed(&self) {
        self.0.send_modify(|count| *count = count.wrapping_add(1));
    }

    /// A receiver that wakes on every change from now on.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}
