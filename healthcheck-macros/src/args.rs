//! Parses and checks the attribute's arguments: `#[health_check(name = "db", timeout = "2s")]`.

use std::time::Duration;

use proc_macro2::TokenStream;
use syn::LitStr;
use syn::meta::ParseNestedMeta;

use healthcheck_rules::{self as rules, KINDS};

/// The keys the attribute accepts, listed in the error for an unknown key.
const KEYS: &str = "`name`, `timeout`, `success_ttl`, `failed_ttl`, `kind`, `tags`, `group`, `critical`, `failure_threshold`, `success_threshold`, `flapping_low`, `flapping_high`, `on_flapping`, `depends_on`, `crate`";

/// What the arguments are written on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `#[health_check(…)]` on a function.
    Function,
    /// `#[checker(…)]` on a `#[derive(Checker)]` struct, which also takes `instance`.
    Struct,
}

impl Target {
    /// How the attribute is written, for messages.
    fn attribute(self) -> &'static str {
        match self {
            Target::Function => "#[health_check",
            Target::Struct => "#[checker",
        }
    }

    fn keys(self) -> String {
        match self {
            Target::Function => KEYS.to_string(),
            Target::Struct => format!("{KEYS}, `instance`"),
        }
    }
}

/// The attribute's arguments, each value already checked.
pub struct Args {
    pub name: LitStr,
    pub timeout: Option<Duration>,
    pub success_ttl: Option<Duration>,
    pub failed_ttl: Option<Duration>,
    /// `kind = …`, each one of [`KINDS`], without repeats; `None` for the default.
    pub kinds: Option<Vec<LitStr>>,
    /// `tags = […]`, each valid, without repeats.
    pub tags: Vec<LitStr>,
    /// `group = "…"`; `None` for the crate's name.
    pub group: Option<LitStr>,
    /// `critical = false` turns failures into warnings.
    pub critical: bool,
    /// `failure_threshold = N`, at least 1.
    pub failure_threshold: u32,
    /// `success_threshold = N`, at least 1.
    pub success_threshold: u32,
    /// `flapping_low = P`, a percent.
    pub flapping_low: Option<f64>,
    /// `flapping_high = P`, a percent.
    pub flapping_high: Option<f64>,
    /// `on_flapping = "warn"`: whether the check is held at warn while it flaps.
    pub hold_while_flapping: bool,
    /// `depends_on = ["db"]`: the checks this one needs, each a valid name, without repeats.
    pub depends_on: Vec<LitStr>,
    /// `crate = "hc"`: the path of the `healthcheck` crate when it is renamed.
    pub krate: Option<syn::Path>,
    /// `instance` (structs only): registered by value, not at link time.
    pub instance: bool,
}

/// Parses `args`, reporting every bad argument at once rather than the first only.
/// A missing `name` is reported on `site`'s tokens (the whole attribute), or at the
/// macro's call site when `site` is empty.
pub fn parse(args: TokenStream, target: Target, site: TokenStream) -> syn::Result<Args> {
    let mut errors = Errors::default();
    let mut name: Option<LitStr> = None;
    // Set when `name` is given, even with a bad value, so "missing" is not reported too.
    let mut name_given = false;
    let mut timeout = None;
    let mut success_ttl = None;
    let mut failed_ttl = None;
    let mut kinds = None;
    let mut tags = None;
    let mut group = None;
    let mut critical = None;
    let mut failure_threshold = None;
    let mut success_threshold = None;
    let mut flapping_low = None;
    let mut flapping_high = None;
    let mut on_flapping = None;
    let mut depends_on = None;
    let mut krate = None;
    let mut instance = None;

    let parser = syn::meta::parser(|meta| {
        let result = if meta.path.is_ident("name") {
            // #[health_check(name = "db")]
            name_given = true;
            parse_name(&meta).and_then(|v| set_once(&meta, &mut name, v))
        } else if meta.path.is_ident("timeout") {
            // #[health_check(timeout = "2s")]
            parse_duration(&meta).and_then(|v| set_once(&meta, &mut timeout, v))
        } else if meta.path.is_ident("success_ttl") {
            // #[health_check(success_ttl = "27s")]
            parse_duration(&meta).and_then(|v| set_once(&meta, &mut success_ttl, v))
        } else if meta.path.is_ident("failed_ttl") {
            // #[health_check(failed_ttl = "9s")]
            parse_duration(&meta).and_then(|v| set_once(&meta, &mut failed_ttl, v))
        } else if meta.path.is_ident("kind") {
            // #[health_check(kind = "liveness")], #[health_check(kind = ["liveness", "readiness"])]
            parse_kinds(&meta).and_then(|v| set_once(&meta, &mut kinds, v))
        } else if meta.path.is_ident("tags") {
            // #[health_check(tags = ["db", "external"])]
            parse_tags(&meta).and_then(|v| set_once(&meta, &mut tags, v))
        } else if meta.path.is_ident("group") {
            // #[health_check(group = "billing")]
            parse_group(&meta).and_then(|v| set_once(&meta, &mut group, v))
        } else if meta.path.is_ident("critical") {
            // #[health_check(critical = false)]
            parse_bool(&meta).and_then(|v| set_once(&meta, &mut critical, v))
        } else if meta.path.is_ident("failure_threshold") {
            // #[health_check(failure_threshold = 3)]
            parse_threshold(&meta).and_then(|v| set_once(&meta, &mut failure_threshold, v))
        } else if meta.path.is_ident("success_threshold") {
            // #[health_check(success_threshold = 3)]
            parse_threshold(&meta).and_then(|v| set_once(&meta, &mut success_threshold, v))
        } else if meta.path.is_ident("flapping_low") {
            // #[health_check(flapping_low = 20)]
            parse_percent(&meta).and_then(|v| set_once(&meta, &mut flapping_low, v))
        } else if meta.path.is_ident("flapping_high") {
            // #[health_check(flapping_high = 40.5)]
            parse_percent(&meta).and_then(|v| set_once(&meta, &mut flapping_high, v))
        } else if meta.path.is_ident("on_flapping") {
            // #[health_check(on_flapping = "warn")]
            parse_on_flapping(&meta).and_then(|v| set_once(&meta, &mut on_flapping, v))
        } else if meta.path.is_ident("depends_on") {
            // #[health_check(depends_on = ["db", "cache"])]
            parse_dependencies(&meta).and_then(|v| set_once(&meta, &mut depends_on, v))
        } else if meta.path.is_ident("crate") {
            // #[health_check(crate = "hc")]
            parse_crate_path(&meta).and_then(|v| set_once(&meta, &mut krate, v))
        } else if target == Target::Struct && meta.path.is_ident("instance") {
            // #[checker(name = "db", instance)], and `instance = true` as a bool key reads
            if meta.input.peek(syn::Token![=]) {
                parse_bool(&meta).and_then(|v| set_once(&meta, &mut instance, v))
            } else {
                set_once(&meta, &mut instance, true)
            }
        } else {
            let key = path_text(&meta);
            skip_value(&meta);
            let keys = target.keys();
            let hint = if keys.contains(&format!("`{}`", key.to_lowercase())) {
                format!("; keys are case-sensitive: write `{}`", key.to_lowercase())
            } else {
                String::new()
            };
            Err(meta.error(format!("unknown key `{key}`; valid keys are {keys}{hint}")))
        };
        if let Err(err) = result {
            errors.push(err);
        }
        Ok(())
    });
    syn::parse::Parser::parse2(parser, args).map_err(|err| {
        syn::Error::new(
            err.span(),
            format!("{err}; the arguments are `key = \"value\"` pairs, such as name = \"db\""),
        )
    })?;

    if !name_given {
        errors.push(syn::Error::new_spanned(
            site,
            format!(
                "missing `name`: write {}(name = \"...\")]",
                target.attribute()
            ),
        ));
    }
    if let (Some((low, low_lit)), Some((high, _))) = (&flapping_low, &flapping_high)
        && let Some(problem) = rules::flapping_problem(*low, *high)
    {
        errors.push(syn::Error::new_spanned(low_lit, problem));
    }
    if let (Some(name), Some(depends_on)) = (&name, &depends_on) {
        for itself in depends_on
            .iter()
            .filter(|dependency| dependency.value() == name.value())
        {
            errors.push(syn::Error::new(
                itself.span(),
                format!("check `{}` cannot depend on itself", name.value()),
            ));
        }
    }
    errors.finish()?;
    let name = name.expect("a given name without an error was stored");
    Ok(Args {
        name,
        timeout,
        success_ttl,
        failed_ttl,
        kinds,
        tags: tags.unwrap_or_default(),
        group,
        critical: critical.unwrap_or(true),
        failure_threshold: failure_threshold.unwrap_or(1),
        success_threshold: success_threshold.unwrap_or(1),
        flapping_low: flapping_low.map(|(value, _)| value),
        flapping_high: flapping_high.map(|(value, _)| value),
        hold_while_flapping: on_flapping.unwrap_or(false),
        depends_on: depends_on.unwrap_or_default(),
        krate,
        instance: instance.unwrap_or(false),
    })
}

/// Gathers errors so the user sees all of them in one build.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub fn push_all(&mut self, errors: impl IntoIterator<Item = syn::Error>) {
        errors.into_iter().for_each(|err| self.push(err));
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Stores a key's value, or errors on the key's second appearance.
fn set_once<T>(meta: &ParseNestedMeta, slot: &mut Option<T>, value: T) -> syn::Result<()> {
    if slot.is_some() {
        let key = path_text(meta);
        return Err(syn::Error::new_spanned(
            &meta.path,
            format!("`{key}` is given twice; keep one"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

fn parse_name(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    let lit = string_value(meta, "name = \"db\"")?;
    match rules::name_problem(&lit.value()) {
        Some(problem) => Err(syn::Error::new(lit.span(), problem)),
        None => Ok(lit),
    }
}

fn parse_duration(meta: &ParseNestedMeta) -> syn::Result<Duration> {
    let key = path_text(meta);
    let lit = string_value(meta, &format!("{key} = \"2s\""))?;
    let text = lit.value();
    let duration = humantime::parse_duration(&text).map_err(|err| {
        syn::Error::new(
            lit.span(),
            format!(
                "`{key}` is not a duration ({err}); write a number and a unit, such as \"500ms\", \"2s\" or \"1m\""
            ),
        )
    })?;
    match rules::duration_problem(&key, duration) {
        Some(problem) => Err(syn::Error::new(lit.span(), problem)),
        None => Ok(duration),
    }
}

fn parse_kinds(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    let kinds = string_values(
        meta,
        "kind = \"liveness\" or kind = [\"liveness\", \"readiness\"]",
    )?;
    let mut errors = Errors::default();
    for kind in &kinds {
        if !KINDS.contains(&kind.value().as_str()) {
            errors.push(syn::Error::new(
                kind.span(),
                format!(
                    "unknown kind `{}`; use \"{}\", \"{}\" or \"{}\"",
                    kind.value(),
                    KINDS[0],
                    KINDS[1],
                    KINDS[2]
                ),
            ));
        }
    }
    errors.push_all(repeats("kind", &kinds));
    errors.finish()?;
    Ok(kinds)
}

fn parse_tags(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    let tags = string_values(meta, "tags = [\"db\", \"external\"]")?;
    let mut errors = Errors::default();
    for tag in &tags {
        if let Some(problem) = rules::tag_problem(&tag.value()) {
            errors.push(syn::Error::new(tag.span(), problem));
        }
    }
    errors.push_all(repeats("tag", &tags));
    errors.finish()?;
    Ok(tags)
}

/// `= ["db", …]`: names of checks, each following the naming rule, none twice.
fn parse_dependencies(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    let names = string_values(meta, "depends_on = [\"db\", \"cache\"]")?;
    let mut errors = Errors::default();
    for name in &names {
        if let Some(problem) = rules::name_problem(&name.value()) {
            errors.push(syn::Error::new(name.span(), problem));
        }
    }
    errors.push_all(repeats("dependency", &names));
    errors.finish()?;
    Ok(names)
}

fn parse_group(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    let lit = string_value(meta, "group = \"billing\"")?;
    match rules::group_problem(&lit.value()) {
        Some(problem) => Err(syn::Error::new(lit.span(), problem)),
        None => Ok(lit),
    }
}

fn parse_crate_path(meta: &ParseNestedMeta) -> syn::Result<syn::Path> {
    let lit = string_value(meta, "crate = \"hc\"")?;
    lit.parse::<syn::Path>().map_err(|_| {
        syn::Error::new(
            lit.span(),
            "`crate` takes the path of the healthcheck crate, such as crate = \"hc\" or crate = \"::deps::healthcheck\"",
        )
    })
}

fn parse_bool(meta: &ParseNestedMeta) -> syn::Result<bool> {
    let key = path_text(meta);
    let expr: syn::Expr = meta.value()?.parse()?;
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(lit),
            ..
        }) => Ok(lit.value),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{key}` takes `true` or `false`"),
        )),
    }
}

/// `= P`, a percent state change from 0 to 100 (a whole or decimal number), with its
/// literal for errors about it.
fn parse_percent(meta: &ParseNestedMeta) -> syn::Result<(f64, syn::Expr)> {
    let key = path_text(meta);
    let expr: syn::Expr = meta.value()?.parse()?;
    let value = match &expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(lit),
            ..
        }) => lit.base10_parse::<u32>().ok().map(f64::from),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(lit),
            ..
        }) => lit.base10_parse::<f64>().ok(),
        _ => None,
    };
    match value {
        Some(value) if (0.0..=100.0).contains(&value) => Ok((value, expr)),
        _ => Err(syn::Error::new_spanned(
            &expr,
            format!("`{key}` takes a percent state change from 0 to 100, such as {key} = 30"),
        )),
    }
}

/// `= "report"` or `= "warn"`: whether the check is held at warn while it flaps.
fn parse_on_flapping(meta: &ParseNestedMeta) -> syn::Result<bool> {
    let value = string_value(meta, "on_flapping = \"warn\"")?;
    match value.value().as_str() {
        "report" => Ok(false),
        "warn" => Ok(true),
        other => Err(syn::Error::new_spanned(
            &value,
            format!("`on_flapping` is \"report\" or \"warn\", not {other:?}"),
        )),
    }
}

fn parse_threshold(meta: &ParseNestedMeta) -> syn::Result<u32> {
    let key = path_text(meta);
    let expr: syn::Expr = meta.value()?.parse()?;
    let message = format!("`{key}` takes a whole number from 1, such as {key} = 3");
    match &expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(lit),
            ..
        }) => match lit.base10_parse::<u32>() {
            Ok(count) if count >= 1 => Ok(count),
            _ => Err(syn::Error::new_spanned(lit, &message)),
        },
        other => Err(syn::Error::new_spanned(other, &message)),
    }
}

/// An error on each literal whose value an earlier one already has.
fn repeats(what: &str, values: &[LitStr]) -> Vec<syn::Error> {
    values
        .iter()
        .enumerate()
        .filter(|(i, value)| values[..*i].iter().any(|v| v.value() == value.value()))
        .map(|(_, value)| {
            syn::Error::new(
                value.span(),
                format!("{what} `{}` is listed twice; keep one", value.value()),
            )
        })
        .collect()
}

/// Reads `= "…"` or `= ["…", …]` (at least one), erroring on any element that is not a
/// string literal.
fn string_values(meta: &ParseNestedMeta, example: &str) -> syn::Result<Vec<LitStr>> {
    let key = path_text(meta);
    let expr: syn::Expr = meta.value()?.parse()?;
    let not_a_string = |tokens: &dyn quote::ToTokens| {
        syn::Error::new_spanned(
            tokens,
            format!("`{key}` takes a string literal or a list of them, such as {example}"),
        )
    };
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Ok(vec![lit]),
        syn::Expr::Array(array) if array.elems.is_empty() => Err(syn::Error::new_spanned(
            array,
            format!("`{key}` needs at least one value, such as {example}"),
        )),
        syn::Expr::Array(array) => array
            .elems
            .into_iter()
            .map(|elem| match elem {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(lit),
                    ..
                }) => Ok(lit),
                other => Err(not_a_string(&other)),
            })
            .collect(),
        other => Err(not_a_string(&other)),
    }
}

/// Reads `= "…"`, erroring on the value when it is not a string literal.
fn string_value(meta: &ParseNestedMeta, example: &str) -> syn::Result<LitStr> {
    let key = path_text(meta);
    let value = meta.value()?;
    let expr: syn::Expr = value.parse()?;
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Ok(lit),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{key}` takes a string literal, such as {example}"),
        )),
    }
}

/// Consumes an unknown key's value, if any, so parsing can go on to the next key.
fn skip_value(meta: &ParseNestedMeta) {
    if meta.input.peek(syn::Token![=]) {
        if let Ok(value) = meta.value() {
            let _ = value.parse::<syn::Expr>();
        }
    } else if meta.input.peek(syn::token::Paren) {
        let _ = meta.parse_nested_meta(|_| Ok(()));
    }
}

fn path_text(meta: &ParseNestedMeta) -> String {
    quote::ToTokens::to_token_stream(&meta.path)
        .to_string()
        .replace(' ', "")
}
