//! The rule for check names and tags, applied to checks added programmatically. The
//! macro applies the same rule at compile time (`healthcheck-macros/src/name.rs`); keep
//! the two in step.

/// The longest name a check may have.
pub(crate) const MAX_LEN: usize = 64;

/// Names the HTTP endpoint uses for its own routes (`/healthcheck/services`, …).
pub(crate) const RESERVED: &[&str] = &["services", "live", "ready", "startup", "group"];

/// Why `name` cannot name a check, or `None` when it can.
pub(crate) fn problem(name: &str) -> Option<String> {
    if let Some(problem) = word_problem("health check name", name) {
        return Some(problem);
    }
    if RESERVED.contains(&name) {
        return Some(format!(
            "health check name `{name}` is reserved for the endpoint's own routes ({}); choose another name",
            RESERVED.join(", ")
        ));
    }
    None
}

/// Why `tag` cannot tag a check, or `None` when it can.
pub(crate) fn tag_problem(tag: &str) -> Option<String> {
    word_problem("tag", tag)
}

/// Why `group` cannot name a group, or `None` when it can.
pub(crate) fn group_problem(group: &str) -> Option<String> {
    word_problem("group", group)
}

/// Names and tags: 1 to 64 characters of `A-Za-z0-9_.-`, safe in a URL and a query.
fn word_problem(what: &str, word: &str) -> Option<String> {
    if word.is_empty() {
        return Some(format!("{what} cannot be empty"));
    }
    let len = word.chars().count();
    if len > MAX_LEN {
        return Some(format!(
            "{what} is {len} characters long; the limit is {MAX_LEN}"
        ));
    }
    if let Some(bad) = word
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Some(format!(
            "{what} `{word}` contains {bad:?}; use only A-Z, a-z, 0-9, `_`, `.` and `-`"
        ));
    }
    None
}
