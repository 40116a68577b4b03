//! The async trait a struct check implements, written as Rust writes async traits
//! (`async fn check`): the struct carries its configuration (a pool, a URL, thresholds)
//! and `check` runs the probe. `DynChecker` is its form behind a pointer.

use std::future::Future;
use std::pin::Pin;

use crate::health::IntoHealth;
use crate::registration::Settings;

/// A check as a struct: `check` runs once per run, with the struct's fields as its
/// configuration. An async trait as Rust writes them: `async fn check` in the impl, no
/// attribute (a `#[healthcheck::async_trait]` left from earlier code is accepted and
/// changes nothing). For a `Box<dyn …>` of checkers, see [`DynChecker`].
///
/// Make a [`Check`](crate::Check) of any value with
/// [`Check::checker(name, value)`](crate::Check::checker), or derive
/// [`Checker`](derive@crate::Checker) to give the struct a name and settings:
///
/// ```standalone_crate
/// use healthcheck::{Checker, HealthCheck, State};
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
    note = "add `impl healthcheck::Checker for {Self} {{ type Output = (bool, String); async fn check(&self) -> Self::Output {{ … }} }}`"
)]
pub trait Checker: Send + Sync + 'static {
    /// What `check` returns: anything a `#[health_check]` fn may return (`(bool, String)`,
    /// `bool`, `Result<T, E>`, `Result<(), E>`, [`Health`](crate::Health)).
    type Output: IntoHealth + Send;

    /// Runs the check once; written `async fn check(&self) -> Self::Output` in an impl.
    /// Its future is `Send`: a run may move between worker threads.
    fn check(&self) -> impl Future<Output = Self::Output> + Send;
}

/// A [`Checker`] behind a pointer: every checker is one, and `Box<dyn DynChecker<Output =
/// O>>` is a [`Checker`] again, for a list of checkers of different types.
///
/// ```
/// use healthcheck::{Check, Checker, DynChecker, Health};
///
/// struct Up;
///
/// impl Checker for Up {
///     type Output = Health;
///     async fn check(&self) -> Health {
///         Health::pass("up")
///     }
/// }
///
/// let boxed: Box<dyn DynChecker<Output = Health>> = Box::new(Up);
/// let check = Check::checker("up", boxed);
/// # let _ = check;
/// ```
pub trait DynChecker: Send + Sync + 'static {
    /// As [`Checker::Output`].
    type Output: IntoHealth + Send;

    /// [`Checker::check`], its future boxed.
    fn check_boxed(&self) -> Pin<Box<dyn Future<Output = Self::Output> + Send + '_>>;
}

impl<C: Checker> DynChecker for C {
    type Output = C::Output;

    fn check_boxed(&self) -> Pin<Box<dyn Future<Output = Self::Output> + Send + '_>> {
        Box::pin(self.check())
    }
}

impl<O: IntoHealth + Send + 'static> Checker for Box<dyn DynChecker<Output = O>> {
    type Output = O;

    fn check(&self) -> impl Future<Output = O> + Send {
        (**self).check_boxed()
    }
}

/// The name and settings `#[derive(Checker)]` gives a struct, for
/// [`Check::from_checker`](crate::Check::from_checker) and
/// [`Builder::checker`](crate::Builder::checker).
pub trait Described {
    /// From the struct's `#[checker(…)]` attribute.
    #[doc(hidden)]
    const SETTINGS: Settings;
}
