//! The `#[health_check]` attribute of the [`healthcheck`] crate.
//!
//! Depend on `healthcheck`, which re-exports this macro; the generated code names the
//! runtime only through `::healthcheck::__private`.
//!
//! [`healthcheck`]: https://docs.rs/healthcheck

mod args;
mod expand;
mod signature;

use proc_macro::TokenStream;

/// Registers an `async fn() -> (bool, String)` as a health check.
///
/// See the `healthcheck` crate for the keys (`name`, `timeout`, `success_ttl`,
/// `failed_ttl`) and for what this expands to.
#[proc_macro_attribute]
pub fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::health_check(args.into(), item.into()).into()
}
