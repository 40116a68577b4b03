//! Reads the item under the attribute and rejects what cannot be a health check.
//!
//! The body is kept as raw tokens: only the signature matters here.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, FnArg, Signature, Visibility};

use crate::args::Errors;

/// An `fn` item with its body left unparsed.
pub struct CheckFn {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    pub body: TokenStream,
}

impl Parse for CheckFn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let item_start = input.span();
        let sig: Signature = input.parse().map_err(|_| not_a_fn(item_start))?;
        let body: proc_macro2::Group = input.parse().map_err(|_| not_a_fn(item_start))?;
        if body.delimiter() != proc_macro2::Delimiter::Brace || !input.is_empty() {
            return Err(not_a_fn(item_start));
        }
        Ok(CheckFn {
            attrs,
            vis,
            sig,
            body: proc_macro2::TokenTree::Group(body).into(),
        })
    }
}

/// The error for an item that is not a function, pointed at its first keyword.
pub fn not_a_fn(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "#[health_check] goes on a function, such as `async fn db() -> (bool, String)`",
    )
}

/// Every reason `sig` cannot be a health check, each at the token to change.
pub fn validate(sig: &Signature) -> syn::Result<()> {
    let mut errors = Errors::default();
    if let Some(token) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            token,
            "a health check cannot be a `const fn`; remove `const`",
        ));
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        errors.push(syn::Error::new_spanned(
            token,
            "a health check cannot be an `unsafe fn`; remove `unsafe` and keep unsafe code in a block inside it",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "a health check cannot have an `extern` ABI; remove it",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "a health check cannot be generic; remove the type, lifetime and const parameters",
        ));
    }
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(_) => errors.push(syn::Error::new_spanned(
                input,
                "a health check cannot take `self`; make it a free function and give it what it needs as `State<T>`",
            )),
            FnArg::Typed(typed) => match state_type(&typed.ty) {
                Some(inner) => errors.push_all(borrowed_state(inner)),
                None => errors.push(syn::Error::new_spanned(
                    &typed.ty,
                    "a health check's parameters must be `State<T>`, given to the registry with `HealthCheck::builder().state(value)`",
                )),
            },
        }
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a health check cannot be variadic; remove the `...`",
        ));
    }
    if let syn::ReturnType::Default = sig.output {
        errors.push(syn::Error::new(
            sig.paren_token.span.close(),
            "a health check must return `(bool, String)`; add `-> (bool, String)`",
        ));
    }
    errors.finish()
}

/// `T` in a parameter of type `State<T>` (or `healthcheck::State<T>`).
pub fn state_type(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if path.qself.is_some() || last.ident != "State" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [syn::GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}

/// An error on a state type that borrows: each run gets its own clone of the state out
/// of the registry, so `T` must be owned and `'static` (`State<&Pool>` would never match
/// the `Pool` given to the builder).
pub fn borrowed_state(inner: &syn::Type) -> Option<syn::Error> {
    let message = "state is cloned out of the registry for each run, so it must be an owned, `'static` type: write `State<T>` (an `Arc<T>` or a pool handle, cheap to clone), not a reference";
    if let syn::Type::Reference(reference) = inner {
        return Some(syn::Error::new_spanned(reference, message));
    }
    let tokens = quote::ToTokens::to_token_stream(inner);
    let borrows = borrows_in(tokens);
    borrows.then(|| syn::Error::new_spanned(inner, message))
}

/// Whether `tokens` hold a reference or a lifetime other than `'static`.
fn borrows_in(tokens: TokenStream) -> bool {
    let mut previous_was_quote = false;
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Group(group) => {
                if borrows_in(group.stream()) {
                    return true;
                }
                previous_was_quote = false;
            }
            proc_macro2::TokenTree::Punct(punct) => {
                if punct.as_char() == '&' {
                    return true;
                }
                previous_was_quote = punct.as_char() == '\'';
            }
            proc_macro2::TokenTree::Ident(ident) => {
                if previous_was_quote && ident != "static" {
                    return true;
                }
                previous_was_quote = false;
            }
            proc_macro2::TokenTree::Literal(_) => previous_was_quote = false,
        }
    }
    false
}
