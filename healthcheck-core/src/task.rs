//! The library's background tasks (the startup driver, refresh, the exit on a late
//! signal) as one boxed future type: tokio compiles its task machinery once per future
//! type and scheduler, so one type is less for a service to compile (BENCHMARKS.md).

use std::future::Future;
use std::pin::Pin;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

/// A background task's future.
type Background = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Spawns `future` on `runtime` as a [`Background`] task.
pub(crate) fn spawn_on(
    runtime: &Handle,
    future: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    let future: Background = Box::pin(future);
    runtime.spawn(future)
}
