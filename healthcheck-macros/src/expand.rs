//! Emits the user's function unchanged plus its registration.

use std::time::Duration;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::args::{self, Args};
use crate::signature::{self, CheckFn};

/// Entry point of `#[health_check]`.
pub fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: CheckFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        // Not a function: leave the item as it is so only this error shows.
        Err(err) => return with_error(item, err),
    };
    let args = args::parse(args);
    let sig = signature::validate(&func.sig);
    let args = match (args, sig) {
        (Ok(args), Ok(())) => args,
        (Err(mut err), Err(sig_err)) => {
            err.combine(sig_err);
            return with_error(item, err);
        }
        (Err(err), _) | (_, Err(err)) => return with_error(item, err),
    };
    let registration = registration(&func, &args);
    let CheckFn {
        attrs,
        vis,
        sig,
        body,
    } = func;
    quote! {
        #(#attrs)* #vis #sig #body
        #registration
    }
}

/// The user's item unchanged, then the error: one mistake must not cascade.
fn with_error(item: TokenStream, err: syn::Error) -> TokenStream {
    let err = err.into_compile_error();
    quote! { #item #err }
}

/// `const _: () = { fn run() -> future; inventory::submit!(Registration { … }); };`
fn registration(func: &CheckFn, args: &Args) -> TokenStream {
    let ident = &func.sig.ident;
    let name = &args.name;
    let run = format_ident!("__healthcheck_run_{}", ident);
    let timeout = optional_duration(args.timeout);
    let success_ttl = optional_duration(args.success_ttl);
    let failed_ttl = optional_duration(args.failed_ttl);
    let kinds = kinds(args.kinds.as_deref());
    let tags = &args.tags;
    // Spanned on the return type, so a type that is not a check result is reported there.
    let ret_span = match &func.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => func.sig.span(),
    };
    let into_outcome = quote_spanned! {ret_span=>
        ::healthcheck::__private::into_outcome(__healthcheck_returned)
    };
    quote! {
        const _: () = {
            fn #run() -> ::healthcheck::__private::RunFuture {
                ::healthcheck::__private::Box::pin(async {
                    let __healthcheck_returned = #ident().await;
                    #into_outcome
                })
            }
            ::healthcheck::__private::inventory::submit! {
                ::healthcheck::__private::Registration {
                    name: #name,
                    run: #run,
                    timeout: #timeout,
                    success_ttl: #success_ttl,
                    failed_ttl: #failed_ttl,
                    kinds: &[#(#kinds),*],
                    tags: &[#(#tags),*],
                    location: ::healthcheck::__private::Location {
                        file: ::core::file!(),
                        line: ::core::line!(),
                        module_path: ::core::option::Option::Some(::core::module_path!()),
                    },
                }
            }
        };
    }
}

/// `kind = …` as `Kind` paths; a check without `kind` is a readiness check.
fn kinds(kinds: Option<&[syn::LitStr]>) -> Vec<TokenStream> {
    let names = match kinds {
        Some(kinds) => kinds.iter().map(syn::LitStr::value).collect(),
        None => vec!["readiness".to_string()],
    };
    names
        .iter()
        .map(|name| {
            let variant = match name.as_str() {
                "liveness" => quote!(Liveness),
                "startup" => quote!(Startup),
                // args.rs let only the three kinds through.
                _ => quote!(Readiness),
            };
            quote!(::healthcheck::__private::Kind::#variant)
        })
        .collect()
}

fn optional_duration(duration: Option<Duration>) -> TokenStream {
    match duration {
        Some(duration) => {
            let secs = duration.as_secs();
            let nanos = duration.subsec_nanos();
            quote! {
                ::core::option::Option::Some(::healthcheck::__private::Duration::new(#secs, #nanos))
            }
        }
        None => quote! { ::core::option::Option::None },
    }
}
