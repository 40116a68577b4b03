//! The async trait a struct check implements: the struct carries its configuration (a
//! pool, a URL, thresholds) and `check` runs the probe.

use crate::health::IntoHealth;
use crate::registration::Settings;

/// A check as a struct: `check` runs once per run, with the struct's fields as its
/// configuration. Dyn-compatible (through [`async_trait`](crate::async_trait)), so
/// `Box<dyn Checker<Output = Health>>` works.
///
/// Make a [`Check`](crate::Check) of any value with
/// [`Check::checker(name, value)`](crate::Check::checker), or derive
/// [`Checker`](derive@crate::Checker) to give the struct a name and settings:
///
/// ```standalone_crate
/// use healthcheck::{Checker, HealthCheck, State, async_trait};
///
/// #[derive(Clone)]
/// struct Pool;
///
/// /// Registered at link time, like a `#[health_check]` fn: its fields are all `State<T>`.
/// #[derive(Checker)]
/// #[checker(name = "database", timeout = "2s")]
/// struct Database {
///     pool: State<Pool>,
/// }
///
/// #[async_trait]
/// impl Checker for Database {
///     type Output = (bool, String);
///
///     async fn check(&self) -> Self::Output {
///         let _pool = &self.pool;
///         (true, "database ok".to_string())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), healthcheck::CollectError> {
/// let health = HealthCheck::builder().state(Pool).build()?;
/// assert!(health.run().await.is_success());
/// # Ok(())
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` derives `Checker` but does not implement the `Checker` trait",
    label = "implement `healthcheck::Checker` for `{Self}`",
    note = "add `#[healthcheck::async_trait] impl healthcheck::Checker for {Self} {{ type Output = (bool, String); async fn check(&self) -> Self::Output {{ … }} }}`"
)]
#[async_trait::async_trait]
pub trait Checker: Send + Sync + 'static {
    /// What `check` returns: anything a `#[health_check]` fn may return (`(bool, String)`,
    /// `bool`, `Result<T, E>`, `Result<(), E>`, [`Health`](crate::Health)).
    type Output: IntoHealth + Send;

    /// Runs the check once.
    async fn check(&self) -> Self::Output;
}

/// The name and settings `#[derive(Checker)]` gives a struct, for
/// [`Check::from_checker`](crate::Check::from_checker) and
/// [`Builder::checker`](crate::Builder::checker).
pub trait Described {
    /// From the struct's `#[checker(…)]` attribute.
    #[doc(hidden)]
    const SETTINGS: Settings;
}
