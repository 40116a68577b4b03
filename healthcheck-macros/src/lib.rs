//! The `#[health_check]` attribute of the [`healthcheck`] crate.
//!
//! Depend on `healthcheck`, which re-exports this macro; the generated code names the
//! runtime only through `::healthcheck::__private`.
//!
//! [`healthcheck`]: https://docs.rs/healthcheck

mod args;
mod derive;
mod expand;
mod signature;

use proc_macro::TokenStream;

/// Registers a function as a health check, collected by `HealthCheck::collect()` /
/// `HealthCheck::builder().build()` from any crate of the binary.
///
/// ```
/// use healthcheck::{health_check, State};
///
/// # #[derive(Clone)]
/// # struct PgPool;
/// # impl PgPool {
/// #     async fn execute(&self, _query: &str) -> Result<u64, std::io::Error> { Ok(1) }
/// # }
/// #[health_check(name = "database", timeout = "2s", tags = ["db"])]
/// async fn database(pool: State<PgPool>) -> Result<(), std::io::Error> {
///     pool.execute("SELECT 1").await?;
///     Ok(())
/// }
/// # fn main() {}
/// ```
///
/// # The function
///
/// - `async fn`, or a plain `fn` (it then runs on tokio's blocking pool, and a run past
///   its timeout keeps its thread until it returns; the check does not run twice at once).
/// - Parameters: only `healthcheck::State<T>` (any pattern, `State(pool): State<Pool>`),
///   `T` owned and `'static`, given with `HealthCheck::builder().state(value)`; a
///   missing state is an error from `build()` naming the check and the type.
/// - Not generic, not `const`, `unsafe` or `extern`, no `self`.
/// - It stays callable as written.
///
/// # What it may return
///
/// | return type | means |
/// |---|---|
/// | `(bool, String)`, `(bool, &'static str)` | passed, and the message |
/// | `bool` | passed; the message is `passed` or `failed` |
/// | `Result<(), E>` | `Ok(())` passes with `ok`, `Err(e)` fails with `e`'s `Display` text |
/// | `Result<T, E>`, `T` a string or a number | `Ok` passes with its text |
/// | `healthcheck::Health` | pass, warn or fail, a message, details |
///
/// # Keys
///
/// | key | value | default |
/// |---|---|---|
/// | `name` | 1–64 characters of `A-Za-z0-9_.-`; not `services`, `live`, `ready`, `startup`, `group`, `info` | required |
/// | `timeout` | a duration: `"500ms"`, `"2s"`, `"1m"`; above zero, at most 365 days | the registry's, 5 s |
/// | `success_ttl` | how long a pass is reused; `"0s"` never caches | the registry's, 27 s |
/// | `failed_ttl` | how long a failure is reused; `"0s"` never caches | the registry's, 9 s |
/// | `kind` | `"liveness"`, `"readiness"`, `"startup"`, or a list of them | `"readiness"` |
/// | `tags` | a list such as `["db", "external"]`, to select checks by (`?tag=db`) | none |
/// | `group` | the group in the component tree (`{base}/group/{group}`) | the crate's name |
/// | `critical` | `false` turns failures into warnings | `true` |
/// | `failure_threshold` | failures in a row before a failure counts (the ones before warn) | `1` |
/// | `crate` | the path of `healthcheck` if the dependency is renamed: `crate = "hc"` | `"::healthcheck"` |
///
/// An unknown key (keys are case-sensitive), a key given twice, a bad value, a parameter
/// that is not `State<T>`, and a return type that is not a check result are compile
/// errors on the offending token; every mistake is reported at once.
#[proc_macro_attribute]
pub fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::health_check(args.into(), item.into()).into()
}

/// Makes a struct implementing `healthcheck::Checker` a named check with settings from
/// `#[checker(…)]`: the keys of `#[health_check]` (`name`, `timeout`, `success_ttl`,
/// `failed_ttl`, `kind`, `tags`, `group`, `critical`, `failure_threshold`, `crate`),
/// checked the same way, plus `instance`.
///
/// ```
/// use healthcheck::{Checker, State};
///
/// # #[derive(Clone)]
/// # struct PgPool;
/// # impl PgPool {
/// #     async fn execute(&self, _query: &str) -> Result<u64, std::io::Error> { Ok(1) }
/// # }
/// #[derive(Checker)]
/// #[checker(name = "database", timeout = "2s")]
/// struct Database {
///     pool: State<PgPool>,
/// }
///
/// impl Checker for Database {
///     type Output = Result<(), std::io::Error>;
///     async fn check(&self) -> Self::Output {
///         self.pool.execute("SELECT 1").await.map(|_| ())
///     }
/// }
/// # fn main() {}
/// ```
///
/// - Every field `State<T>` (or none): registered at link time, like a `#[health_check]`
///   fn; the struct is built from the registry's state for each run.
/// - Other fields: add `instance` and register a value with `Builder::checker(value)`
///   or `Check::from_checker(value)`, which take this attribute's name and settings.
/// - Enums, unions, generic structs, a non-`State` field without `instance`, a
///   `State<&T>` field, and a missing `impl Checker` are compile errors on the token.
#[proc_macro_derive(Checker, attributes(checker))]
pub fn checker(input: TokenStream) -> TokenStream {
    derive::checker(input.into()).into()
}

/// Accepted on an `impl Checker` written for versions whose `Checker` was an
/// `async-trait` trait, and changes nothing: `Checker` is a native async trait now, and
/// `async fn check` works as written, with or without this attribute.
#[proc_macro_attribute]
pub fn async_trait(args: TokenStream, item: TokenStream) -> TokenStream {
    if args.is_empty() {
        return item;
    }
    let args = proc_macro2::TokenStream::from(args);
    let mut out = proc_macro2::TokenStream::from(item);
    out.extend(
        syn::Error::new_spanned(args, "`#[healthcheck::async_trait]` takes no arguments")
            .into_compile_error(),
    );
    out.into()
}
