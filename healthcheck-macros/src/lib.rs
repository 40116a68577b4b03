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

/// Registers a function as a health check; see the `healthcheck` crate's docs.
#[proc_macro_attribute]
pub fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::health_check(args.into(), item.into()).into()
}

/// Makes a struct implementing `healthcheck::Checker` a named check with settings from
/// `#[checker(…)]`; see the `healthcheck` crate's docs.
#[proc_macro_derive(Checker, attributes(checker))]
pub fn checker(input: TokenStream) -> TokenStream {
    derive::checker(input.into()).into()
}
