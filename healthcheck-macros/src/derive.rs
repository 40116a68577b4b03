//! `#[derive(Checker)]`: gives a struct its name and settings from `#[checker(…)]` and,
//! when every field is `State<T>`, registers it at link time like a `#[health_check]` fn.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

use crate::args::{self, Args, Errors, Target};
use crate::expand::{self, respan};
use crate::signature;

/// Entry point of `#[derive(Checker)]`.
pub fn checker(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(err) => return err.into_compile_error(),
    };
    match expand_checker(&input) {
        Ok(tokens) => tokens,
        Err(err) => err.into_compile_error(),
    }
}

fn expand_checker(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let fields = match &input.data {
        Data::Struct(data) => Some(&data.fields),
        Data::Enum(data) => {
            errors.push(syn::Error::new_spanned(
                data.enum_token,
                "`#[derive(Checker)]` goes on a struct; an enum cannot be a checker",
            ));
            None
        }
        Data::Union(data) => {
            errors.push(syn::Error::new_spanned(
                data.union_token,
                "`#[derive(Checker)]` goes on a struct; a union cannot be a checker",
            ));
            None
        }
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "a `#[derive(Checker)]` struct cannot be generic: the derive names one type; remove the type, lifetime and const parameters",
        ));
    }
    let args = match attribute_args(input) {
        Ok(args) => Some(args),
        Err(err) => {
            errors.push(err);
            None
        }
    };
    let state_types = match (fields, &args) {
        (Some(fields), Some(args)) => match field_states(fields, args.instance) {
            Ok(types) => Some(types),
            Err(err) => {
                errors.push(err);
                None
            }
        },
        _ => None,
    };
    errors.finish()?;
    let (Some(args), Some(fields), Some(state_types)) = (args, fields, state_types) else {
        unreachable!("every missing part pushed an error")
    };
    Ok(emit(input, &args, fields, &state_types))
}

/// The one `#[checker(…)]` attribute's arguments.
fn attribute_args(input: &DeriveInput) -> syn::Result<Args> {
    let mut found = input
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("checker"));
    let Some(attr) = found.next() else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "missing `#[checker(name = \"...\")]` under `#[derive(Checker)]`",
        ));
    };
    if let Some(second) = found.next() {
        return Err(syn::Error::new_spanned(
            second,
            "`#[checker(…)]` is given twice; keep one",
        ));
    }
    let list = attr.meta.require_list()?;
    // A missing name is reported at the attribute.
    args::parse(
        list.tokens.clone(),
        Target::Struct,
        quote::ToTokens::to_token_stream(attr),
    )
}

/// The `T` of each field's `State<T>`, in order. Link-time registration builds the
/// struct from the registry's state, so every field must be one; `instance` lifts that.
fn field_states(fields: &Fields, instance: bool) -> syn::Result<Vec<syn::Type>> {
    if instance {
        return Ok(Vec::new());
    }
    let mut errors = Errors::default();
    let mut types = Vec::new();
    for field in fields {
        match signature::state_type(&field.ty) {
            Some(inner) => {
                errors.push_all(signature::borrowed_state(inner));
                types.push(inner.clone());
            }
            None => errors.push(syn::Error::new_spanned(
                &field.ty,
                "a `#[derive(Checker)]` struct is registered at link time, built from the registry's state, so each field must be `State<T>`; to register it by value with `Builder::checker(value)` instead, add `instance`: #[checker(name = \"...\", instance)]",
            )),
        }
    }
    errors.finish()?;
    Ok(types)
}

fn emit(
    input: &DeriveInput,
    args: &Args,
    fields: &Fields,
    state_types: &[syn::Type],
) -> TokenStream {
    let private = &expand::private_path(args);
    let ident = &input.ident;
    let settings = expand::settings(private, args);
    let describe = quote! {
        impl #private::Described for #ident {
            const SETTINGS: #private::Settings = #settings;
        }
    };
    // Spanned on the struct's name, so a missing `Checker` impl is reported there.
    let private_at_ident = respan(private, ident.span());
    if args.instance {
        let require = quote_spanned! {ident.span()=>
            #private_at_ident::require_checker::<#ident>
        };
        return quote! {
            const _: () = {
                #describe
                const _: fn() = #require;
                // Recorded so that `build` can warn when no value of it was ever added.
                #private::inventory::submit! {
                    #private::Instance {
                        type_id: ::core::any::TypeId::of::<#ident>,
                        settings: <#ident as #private::Described>::SETTINGS,
                    }
                }
            };
        };
    }
    let takes = fields.iter().map(|field| {
        let ty = &field.ty;
        let private_at_ty = respan(private, ty.span());
        quote_spanned! {ty.span()=> <#ty as #private_at_ty::StateParam>::take(__healthcheck_states) }
    });
    let build = match fields {
        Fields::Named(named) => {
            let names = named.named.iter().map(|field| &field.ident);
            quote!(#ident { #(#names: #takes),* })
        }
        Fields::Unnamed(_) => quote!(#ident ( #(#takes),* )),
        Fields::Unit => quote!(#ident),
    };
    let run_checker = quote_spanned! {ident.span()=>
        #private_at_ident::run_checker(__healthcheck_checker)
    };
    let state_refs: Vec<&syn::Type> = state_types.iter().collect();
    let requires = expand::requires(private, &state_refs);
    quote! {
        const _: () = {
            #describe
            fn __healthcheck_run(
                __healthcheck_states: &#private::States,
            ) -> #private::RunFuture {
                let __healthcheck_checker = #build;
                #run_checker
            }
            #private::inventory::submit! {
                #private::Registration {
                    run: __healthcheck_run,
                    requires: &[#(#requires),*],
                    blocking: false,
                    settings: <#ident as #private::Described>::SETTINGS,
                }
            }
        };
    }
}
