//! The registry, runner, formats and built-in checks of
//! [healthcheck-kit](https://crates.io/crates/healthcheck-kit), which re-exports all of
//! this crate with the adapters that need a web framework (axum, actix-web). Depend on
//! healthcheck-kit; this crate is apart so that a service's build compiles it beside
//! the web framework instead of after it.
#![cfg_attr(docsrs, feature(doc_cfg))]
// A builder method whose result is dropped did nothing: say so at the call.
#![warn(clippy::return_self_not_must_use)]

#[cfg(feature = "grpc")]
#[cfg_attr(docsrs, doc(cfg(feature = "grpc")))]
#[path = "adapters/grpc.rs"]
pub mod grpc;
#[cfg(feature = "tower")]
#[path = "adapters/tower.rs"]
mod tower;

mod answers;
mod builder;
mod causes;
mod changes;
mod check;
mod checker;
pub mod checks;
mod details;
mod endpoint;
#[cfg(feature = "status-page")]
mod feed;
pub mod format;
mod health;
mod history;
mod human_time;
mod info;
mod kind;
mod lifecycle;
mod observe;
mod panics;
mod quorum;
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
mod task;
mod validation;

pub use builder::Builder;
pub use check::Check;
pub use checker::{Checker, Described, DynChecker};
pub use details::Details;
#[cfg(feature = "status-page")]
#[cfg_attr(docsrs, doc(cfg(feature = "status-page")))]
pub use endpoint::Events;
pub use endpoint::{Answer, Endpoint};
pub use health::{Health, HealthStatus, IntoHealth, OkMessage};
pub use healthcheck_macros::{Checker, async_trait, health_check};
pub use history::{History, OnFlapping, PastResult, Transition};
pub use info::Info;
pub use kind::{Kind, Probe};
pub use lifecycle::Phase;
pub use registration::Location;
pub use registry::HealthCheck;
pub use report::{CheckResult, QuorumCount, Report, Status};
pub use selection::Selection;
pub use state::State;
pub use status_codes::StatusCodes;
pub use validation::{CollectError, Problem};

/// The values the library uses when a setting is not given, its fixed limits, and the
/// texts it writes in place of what it hides.
pub mod defaults {
    pub use crate::builder::{
        DEFAULT_FAILED_TTL as FAILED_TTL, DEFAULT_SUCCESS_TTL as SUCCESS_TTL,
        DEFAULT_TIMEOUT as TIMEOUT,
    };
    pub use crate::check::DEFAULT_GROUP as GROUP;
    pub use crate::details::WITHHELD;
    pub use crate::endpoint::DEFAULT_BASE_PATH as BASE_PATH;
    #[cfg(feature = "status-page")]
    pub use crate::endpoint::{EVENTS_HEARTBEAT, MAX_EVENT_STREAMS};
    pub use crate::info::{MASKED, SECRET_WORDS};
    pub use crate::registry::{MIN_REFRESH_INTERVAL, STARTUP_RETRY};
    pub use crate::runner::DEFAULT_MAX_OUTPUT as MAX_OUTPUT;
    pub use crate::shutdown::DEFAULT_DRAIN_DELAY as DRAIN_DELAY;
    pub use healthcheck_rules::{FLAPPING_HIGH, FLAPPING_LOW};
}

/// The `http` crate this one's requests and responses come from.
pub use http;

/// What the code `#[health_check]` generates names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::check::run_checker;
    pub use crate::checker::Described;
    pub use crate::history::OnFlapping;
    pub use crate::kind::Kind;
    pub use crate::registration::{Instance, Location, Registration, RunFuture, Settings};
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
