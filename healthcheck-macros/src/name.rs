//! The rule for check names. The runtime applies the same rule to checks added
//! programmatically (`healthcheck/src/name.rs`); keep the two in step.

/// The longest name a check may have.
pub const MAX_LEN: usize = 64;

/// Names the HTTP endpoint uses for its own routes (`/healthcheck/services`, …).
pub const RESERVED: &[&str] = &["services", "live", "ready", "startup", "group"];

/// Why `name` cannot name a check, or `None` when it can.
pub fn problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("health check name cannot be empty".into());
    }
    let len = name.chars().count();
    if len > MAX_LEN {
        return Some(format!(
            "health check name is {len} characters long; the limit is {MAX_LEN}"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Some(format!(
            "health check name `{name}` contains {bad:?}; use only A-Z, a-z, 0-9, `_`, `.` and `-`"
        ));
    }
    if RESERVED.contains(&name) {
        return Some(format!(
            "health check name `{name}` is reserved for the endpoint's own routes ({}); choose another name",
            RESERVED.join(", ")
        ));
    }
    None
}
