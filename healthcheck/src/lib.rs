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
//! | `timeout` | a duration such as `"500ms"`, `"2s"`, `"1m"` | [`defaults::TIMEOUT`] (5 s) |
//! | `success_ttl` | how long a pass is reused; `"0s"` never caches | [`defaults::SUCCESS_TTL`] (27 s) |
//! | `failed_ttl` | how long a failure is reused; `"0s"` never caches | [`defaults::FAILED_TTL`] (9 s) |
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
//! ```text
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

#[doc(inline)]
pub use healthcheck_core::*;

#[cfg(feature = "actix-web")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix-web")))]
pub mod actix;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

/// The README's examples, compiled and run as doc tests (they use every adapter).
#[cfg(all(
    doctest,
    feature = "axum",
    feature = "actix-web",
    feature = "tower",
    feature = "grpc",
    feature = "status-page"
))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
