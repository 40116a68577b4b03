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
    let args = args::parse(args, args::Target::Function, TokenStream::new());
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
    let private = &private_path(args);
    let ident = &func.sig.ident;
    let run = format_ident!("__healthcheck_run_{}", ident);
    // Spanned on the return type, so a type that is not a check result is reported there.
    let ret_span = match &func.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => func.sig.span(),
    };
    let private_at_ret = respan(private, ret_span);
    // The verdict first: a rejected type is reported with the library's note whatever
    // the reason (see `__private::ReturnProbe`).
    let into_health = quote_spanned! {ret_span=>
        {
            #[allow(unused_imports)]
            use #private_at_ret::{ViaFallback as _, ViaIntoHealth as _};
            #private_at_ret::accepted((&#private_at_ret::probe(&__healthcheck_returned)).verdict());
        }
        #private_at_ret::into_health(__healthcheck_returned)
    };
    // One `State<T>` per parameter, taken from the registry's states and passed in order.
    let state_types: Vec<&syn::Type> = func
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => signature::state_type(&typed.ty),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let state_args: Vec<syn::Ident> = (0..state_types.len())
        .map(|i| format_ident!("__healthcheck_state_{}", i))
        .collect();
    // Through the parameter's own type, so a `State` that is not ours (axum's) gets the
    // library's message on that type.
    let param_types: Vec<&syn::Type> = func
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => Some(&*typed.ty),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let take_states = param_types.iter().zip(&state_args).map(|(ty, arg)| {
        let private_at_ty = respan(private, ty.span());
        quote_spanned! {ty.span()=>
            let #arg = <#ty as #private_at_ty::StateParam>::take(__healthcheck_states);
        }
    });
    let call = if func.sig.asyncness.is_some() {
        quote! {
            #private::Box::pin(async move {
                let __healthcheck_returned = #ident(#(#state_args),*).await;
                #into_health
            })
        }
    } else {
        // A plain fn may block: it runs on tokio's blocking pool.
        quote! {
            #private::blocking(move || {
                let __healthcheck_returned = #ident(#(#state_args),*);
                #into_health
            })
        }
    };
    let requires = requires(private, &state_types);
    let blocking = func.sig.asyncness.is_none();
    let settings = settings(private, args);
    quote! {
        const _: () = {
            fn #run(
                __healthcheck_states: &#private::States,
            ) -> #private::RunFuture {
                #(#take_states)*
                #call
            }
            #private::inventory::submit! {
                #private::Registration {
                    run: #run,
                    requires: &[#(#requires),*],
                    blocking: #blocking,
                    settings: #settings,
                }
            }
        };
    }
}

/// The path of the runtime's hidden module: `::healthcheck::__private`, or under
/// `crate = "hc"` when the dependency is renamed.
pub fn private_path(args: &Args) -> TokenStream {
    match &args.krate {
        Some(krate) => quote!(#krate::__private),
        None => quote!(::healthcheck::__private),
    }
}

/// One `StateKey` per state type, in order.
pub fn requires(private: &TokenStream, state_types: &[&syn::Type]) -> Vec<TokenStream> {
    state_types
        .iter()
        .map(|ty| {
            quote! {
                #private::StateKey {
                    type_id: ::core::any::TypeId::of::<#ty>,
                    type_name: ::core::any::type_name::<#ty>,
                }
            }
        })
        .collect()
}

/// The const `Settings` the attribute's arguments give, stamped with where the item is.
pub fn settings(private: &TokenStream, args: &Args) -> TokenStream {
    let name = &args.name;
    let timeout = optional_duration(private, args.timeout);
    let success_ttl = optional_duration(private, args.success_ttl);
    let failed_ttl = optional_duration(private, args.failed_ttl);
    let kinds = kinds(private, args.kinds.as_deref());
    let tags = &args.tags;
    let depends_on = &args.depends_on;
    let group = match &args.group {
        Some(group) => quote!(::core::option::Option::Some(#group)),
        None => quote!(::core::option::Option::None),
    };
    let critical = args.critical;
    let failure_threshold = args.failure_threshold;
    let success_threshold = args.success_threshold;
    let percent = |value: Option<f64>| match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    };
    let flapping_low = percent(args.flapping_low);
    let flapping_high = percent(args.flapping_high);
    let on_flapping = if args.hold_while_flapping {
        quote!(#private::OnFlapping::Warn)
    } else {
        quote!(#private::OnFlapping::Report)
    };
    quote! {
        #private::Settings {
            name: #name,
            timeout: #timeout,
            success_ttl: #success_ttl,
            failed_ttl: #failed_ttl,
            kinds: &[#(#kinds),*],
            tags: &[#(#tags),*],
            depends_on: &[#(#depends_on),*],
            group: #group,
            critical: #critical,
            failure_threshold: #failure_threshold,
            success_threshold: #success_threshold,
            flapping_low: #flapping_low,
            flapping_high: #flapping_high,
            on_flapping: #on_flapping,
            location: #private::Location {
                file: ::core::file!(),
                line: ::core::line!(),
                module_path: ::core::option::Option::Some(::core::module_path!()),
            },
        }
    }
}

/// `tokens` with every span set to `span`, so an error in them is reported there.
pub fn respan(tokens: &TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(&group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            }
            token.set_span(span);
            token
        })
        .collect()
}

/// `kind = …` as `Kind::ALL[i]`, `i` the kind's place in the shared list; a check without
/// `kind` is a readiness check.
fn kinds(private: &TokenStream, kinds: Option<&[syn::LitStr]>) -> Vec<TokenStream> {
    let names = match kinds {
        Some(kinds) => kinds.iter().map(syn::LitStr::value).collect(),
        None => vec!["readiness".to_string()],
    };
    names
        .iter()
        .filter_map(|name| {
            healthcheck_rules::KINDS
                .iter()
                .position(|kind| kind == name)
        })
        .map(|index| quote!(#private::Kind::ALL[#index]))
        .collect()
}

fn optional_duration(private: &TokenStream, duration: Option<Duration>) -> TokenStream {
    match duration {
        Some(duration) => {
            let secs = duration.as_secs();
            let nanos = duration.subsec_nanos();
            quote! {
                ::core::option::Option::Some(#private::Duration::new(#secs, #nanos))
            }
        }
        None => quote! { ::core::option::Option::None },
    }
}
