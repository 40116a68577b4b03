//! Health checks for Rust services.
//!
//! Mark plain async functions with `#[health_check]`; [`HealthCheck::collect`] finds
//! every one linked into the binary, from any crate, and runs them into a
//! [Flask healthcheck](https://github.com/Runscope/healthcheck)-style [`Report`].
//!
//! ```standalone_crate
//! use healthcheck::{health_check, HealthCheck};
//!
//! #[health_check(name = "database", timeout = "2s")]
//! async fn database() -> (bool, String) {
//!     (true, "database ok".to_string())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), healthcheck::CollectError> {
//! let health = HealthCheck::collect()?;
//! let report = health.run().await;
//! assert!(report.is_success());
//! assert_eq!(report.results[0].checker, "database");
//!
//! let response = report.to_response(); // http::Response: 200 or 500, JSON body
//! assert_eq!(response.status(), 200);
//! # Ok(())
//! # }
//! ```
//!
//! # The attribute
//!
//! `#[health_check(name = "…")]` goes on an `async fn` (or a plain `fn`, run on the
//! blocking pool) whose parameters are [`State<T>`] values given to the registry, and
//! which returns `(bool, String)`, `(bool, &'static str)`, `bool`, `Result<T, E>` of
//! two `Display` types, or [`Health`] (pass / warn / fail with details). The function
//! stays callable as written. Keys:
//!
//! | key | value | default |
//! |---|---|---|
//! | `name` | 1–64 characters of `A-Za-z0-9_.-`; not `services`, `live`, `ready`, `startup`, `group`, `info` | required |
//! | `timeout` | a duration such as `"500ms"`, `"2s"`, `"1m"` | [`DEFAULT_TIMEOUT`] (5 s) |
//! | `success_ttl` | how long a pass is reused; `"0s"` never caches | [`DEFAULT_SUCCESS_TTL`] (27 s) |
//! | `failed_ttl` | how long a failure is reused; `"0s"` never caches | [`DEFAULT_FAILED_TTL`] (9 s) |
//! | `kind` | `"liveness"`, `"readiness"`, `"startup"`, or a list of them | `"readiness"` |
//! | `tags` | a list such as `["db", "external"]`, to select checks by | none |
//! | `group` | the group in the component tree | the crate's name |
//! | `critical` | `false` turns failures into warnings | `true` |
//! | `failure_threshold` | failures in a row before a failure counts | `1` |
//! | `crate` | the path of this crate if the dependency is renamed: `crate = "hc"` | `"::healthcheck"` |
//!
//! Any other key, a key given twice, a bad value, a parameter that is not `State<T>`,
//! and a return type that is not a check result are compile errors pointing at the
//! mistake.
//!
//! # Struct checks
//!
//! A struct implementing [`Checker`] is a check too: `#[derive(Checker)]` with
//! `#[checker(name = "…", …)]` (the same keys, plus `instance`) registers it at link time
//! when every field is `State<T>`, or gives it a name and settings for
//! [`Builder::checker`] with `instance`. See [`Checker`] and the README.
//!
//! # What the macro expands to
//!
//! The function is left as it is. Beside it, the macro emits a plain `fn` that clones
//! out the states the function asks for and boxes its future, and hands a const
//! [`Location`]-stamped registration to [`inventory`](https://docs.rs/inventory):
//!
//! ```ignore
//! async fn database() -> (bool, String) { /* unchanged */ }
//!
//! const _: () = {
//!     fn __healthcheck_run_database(
//!         __healthcheck_states: &::healthcheck::__private::States,
//!     ) -> ::healthcheck::__private::RunFuture {
//!         ::healthcheck::__private::Box::pin(async move {
//!             let __healthcheck_returned = database().await;
//!             ::healthcheck::__private::into_health(__healthcheck_returned)
//!         })
//!     }
//!     ::healthcheck::__private::inventory::submit! {
//!         ::healthcheck::__private::Registration {
//!             run: __healthcheck_run_database,
//!             requires: &[],
//!             blocking: false,
//!             settings: ::healthcheck::__private::Settings {
//!                 name: "database",
//!                 timeout: Some(::healthcheck::__private::Duration::new(2, 0)),
//!                 success_ttl: None,
//!                 failed_ttl: None,
//!                 kinds: &[::healthcheck::__private::Kind::ALL[1]], // readiness
//!                 tags: &[],
//!                 group: None,
//!                 critical: true,
//!                 failure_threshold: 1,
//!                 location: ::healthcheck::__private::Location {
//!                     file: file!(),
//!                     line: line!(),
//!                     module_path: Some(module_path!()),
//!                 },
//!             },
//!         }
//!     }
//! };
//! ```
//!
//! # How checks run
//!
//! - Every selected check runs concurrently: a report costs the slowest check, not the
//!   sum. Runs need a tokio runtime. A run has a tokio task of its own (64 runs or more
//!   started at once share tasks for their first poll; one that awaits moves to a task
//!   of its own there).
//! - A run longer than its timeout is dropped and fails with `check timed out after 2s`.
//! - A panic fails that check with the panic message; nothing else is affected.
//! - A pass is reused for `success_ttl`, a failure for `failed_ttl`; a reused result keeps
//!   the `timestamp` and `expires` of the run that produced it.
//! - Single-flight: callers that find a stale result share the one run under way, so a
//!   check never runs twice at once, however many probes arrive. A run is not cancelled
//!   when its callers go away: it finishes and its result is cached.
//!
//! # Platform caveats
//!
//! Registration relies on [`inventory`](https://docs.rs/inventory), which runs static
//! constructors before `main`. It works on Linux, macOS, Windows and the BSDs; on
//! WebAssembly, constructors need the target's support. A check in a crate that nothing
//! in the binary refers to is not linked, and so not collected: name something from that
//! crate (a `use some_crate as _;` is not enough; call or mention one of its items).
//! Inventory gives no order; the registry sorts checks by name.
//!
//! Edition 2024 merges doctests into one binary, so the checks of every doctest would
//! meet in one registry: mark a doctest that defines checks or collects them
//! `standalone_crate`.
#![cfg_attr(docsrs, feature(doc_cfg))]
// A builder method whose result is dropped did nothing: say so at the call.
#![warn(clippy::return_self_not_must_use)]

#[cfg(feature = "actix-web")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix-web")))]
#[path = "adapters/actix.rs"]
pub mod actix;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
#[path = "adapters/axum.rs"]
pub mod axum;
#[cfg(feature = "grpc")]
#[cfg_attr(docsrs, doc(cfg(feature = "grpc")))]
#[path = "adapters/grpc.rs"]
pub mod grpc;
#[cfg(feature = "tower")]
#[path = "adapters/tower.rs"]
mod tower;

mod builder;
mod changes;
mod check;
mod checker;
pub mod checks;
mod details;
mod endpoint;
pub mod format;
mod health;
mod human_time;
mod info;
mod kind;
mod lifecycle;
mod memo;
mod observe;
mod panics;
mod registration;
mod registry;
mod report;
mod request;
mod runner;
mod selection;
mod shutdown;
mod slots;
mod state;
pub mod stats;
mod status_codes;
mod validation;

pub use builder::{Builder, DEFAULT_FAILED_TTL, DEFAULT_SUCCESS_TTL, DEFAULT_TIMEOUT};
pub use check::{Check, DEFAULT_GROUP};
pub use checker::{Checker, Described};
pub use details::{Details, WITHHELD};
pub use endpoint::{DEFAULT_BASE_PATH, Endpoint};
pub use health::{Health, HealthStatus, IntoHealth, OkMessage};
pub use healthcheck_macros::{Checker, health_check};

/// The attribute a [`Checker`] impl needs (re-exported, so no direct dependency is).
pub use async_trait::async_trait;
pub use info::{Info, MASKED, SECRET_WORDS};
pub use kind::{Kind, Probe};
pub use lifecycle::Phase;
pub use registration::Location;
pub use registry::{HealthCheck, MIN_REFRESH_INTERVAL, STARTUP_RETRY};
pub use report::{CheckResult, Report, Status};
pub use runner::DEFAULT_MAX_OUTPUT;
pub use selection::Selection;
pub use shutdown::DEFAULT_DRAIN_DELAY;
pub use state::State;
pub use status_codes::StatusCodes;
pub use validation::{CollectError, Problem};

/// The `http` crate this one's requests and responses come from.
pub use http;

/// The README's examples, compiled and run as doc tests (they use every adapter).
#[cfg(all(
    doctest,
    feature = "axum",
    feature = "actix-web",
    feature = "tower",
    feature = "grpc"
))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// What the code `#[health_check]` generates names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::check::run_checker;
    pub use crate::checker::Described;
    pub use crate::kind::Kind;
    pub use crate::registration::{Location, Registration, RunFuture, Settings};
    pub use crate::state::{State, StateKey, States};
    pub use inventory;
    pub use std::boxed::Box;
    pub use std::time::Duration;

    /// Converts a check's return value; spanned on the return type by the macro so a
    /// wrong type is reported there.
    pub fn into_health<T: crate::IntoHealth>(value: T) -> crate::Health {
        value.into_health()
    }

    // Whether a return type is accepted, told with the library's note in every case.
    // rustc reports a type with no `IntoHealth` impl with `IntoHealth`'s note, but one
    // whose impl's bound fails (`Result<(), E>` with `E` not `Display`) with the bound's
    // own message only. Method lookup picks `ViaIntoHealth` when `T: IntoHealth` holds
    // and `ViaFallback` otherwise, whose `Rejected` fails `Accepted` with the note.

    /// The type of a check's returned value, for method lookup. `Copy` whatever `T`,
    /// so the fallback can take it by value through a reference.
    pub struct ReturnProbe<T>(core::marker::PhantomData<T>);

    impl<T> Clone for ReturnProbe<T> {
        fn clone(&self) -> Self {
            *self
        }
    }

    impl<T> Copy for ReturnProbe<T> {}

    /// A probe of `value`'s type.
    pub fn probe<T>(_: &T) -> ReturnProbe<T> {
        ReturnProbe(core::marker::PhantomData)
    }

    /// The return type is accepted.
    pub struct Fine;

    /// The return type is not accepted.
    pub struct Rejected;

    /// Chosen when the returned type is a health check result: its receiver is the
    /// probe's reference itself, found before the fallback's, which needs a deref.
    pub trait ViaIntoHealth: Sized {
        /// [`Fine`].
        fn verdict(self) -> Fine {
            Fine
        }
    }

    impl<T: crate::IntoHealth> ViaIntoHealth for &ReturnProbe<T> {}

    /// Chosen otherwise.
    pub trait ViaFallback: Sized {
        /// [`Rejected`].
        fn verdict(self) -> Rejected {
            Rejected
        }
    }

    impl<T> ViaFallback for ReturnProbe<T> {}

    /// Implemented by [`Fine`] alone.
    #[diagnostic::on_unimplemented(
        message = "the check's return type is not a health check result",
        label = "not a health check result",
        note = "a health check returns `(bool, String)`, `(bool, &'static str)`, `bool`, `Result<(), E>` or `Result<T, E>` where `T` is a string or a number and `E` is `Display` (`anyhow::Error`, `sqlx::Error`, `String`, …), or `healthcheck::Health`"
    )]
    pub trait Accepted {}

    impl Accepted for Fine {}

    /// Requires the verdict to be [`Fine`].
    pub fn accepted<V: Accepted>(_: V) {}

    /// The state a `State<T>` parameter asks for. `build` and `register` have checked
    /// that it was given, so it is there.
    pub fn state<T: Clone + Send + Sync + 'static>(states: &States) -> State<T> {
        State(
            states
                .get::<T>()
                .expect("validated when the registry was built"),
        )
    }

    pub use crate::check::blocking;

    /// A parameter (or field) the registry fills: only `healthcheck::State<T>`. Named by
    /// the macros on the parameter's own type, so another `State` (axum's) is reported
    /// there with this message rather than as a type mismatch.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not `healthcheck::State<T>`",
        label = "the registry fills only `healthcheck::State<T>` parameters",
        note = "if this is axum's `State`, write `healthcheck::State<T>`: health checks get their state from `HealthCheck::builder().state(value)`, not from axum"
    )]
    pub trait StateParam: Sized {
        /// The value for one run.
        fn take(states: &States) -> Self;
    }

    impl<T: Clone + Send + Sync + 'static> StateParam for State<T> {
        fn take(states: &States) -> Self {
            state::<T>(states)
        }
    }

    /// Fails to compile, with the trait's own message, unless `C` implements
    /// [`Checker`](crate::Checker): spanned by the derive on the struct's name.
    pub fn require_checker<C: crate::Checker>() {}
}
