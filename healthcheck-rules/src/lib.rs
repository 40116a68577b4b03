//! The rules a health check's settings follow, in one place: the `#[health_check]`
//! macro applies them at compile time and the `healthcheck` runtime to checks added in
//! code, so the two can never disagree.
//!
//! Use the `healthcheck` crate; this one has no API of its own worth depending on.

use std::time::Duration;

/// The longest name a check, tag or group may have.
pub const MAX_LEN: usize = 64;

/// Names the HTTP endpoint uses for its own routes (`/healthcheck/services`, …), and
/// those it keeps for the status page and its stream of changes (`status`, `events`).
pub const RESERVED: &[&str] = &[
    "services", "live", "ready", "startup", "group", "info", "status", "events",
];

/// The probe kinds as written in `kind = "…"` and in URLs, in `Kind`'s order.
pub const KINDS: [&str; 3] = ["liveness", "readiness", "startup"];

/// The longest timeout or TTL a check may have: longer ones are almost certainly a
/// mistake (`"300000000000y"`), and keeping durations below it keeps every deadline the
/// runner computes far from overflowing.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// How [`MAX_DURATION`] is written in error messages.
pub const MAX_DURATION_TEXT: &str = "365 days";

/// Why `name` cannot name a check, or `None` when it can.
pub fn name_problem(name: &str) -> Option<String> {
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
pub fn tag_problem(tag: &str) -> Option<String> {
    word_problem("tag", tag)
}

/// Why `group` cannot name a group, or `None` when it can.
pub fn group_problem(group: &str) -> Option<String> {
    word_problem("group", group)
}

/// Why `duration` cannot be the setting `key` (`timeout`, `success_ttl`, …), or `None`
/// when it can. A timeout must be longer than zero; a TTL of zero means "never cache".
pub fn duration_problem(key: &str, duration: Duration) -> Option<String> {
    if duration.is_zero() && key == "timeout" {
        return Some(format!("`{key}` must be longer than zero, such as \"2s\""));
    }
    if duration > MAX_DURATION {
        return Some(format!(
            "`{key}` is longer than the limit of {MAX_DURATION_TEXT}; use a shorter duration"
        ));
    }
    None
}

/// The percent state change at which a check starts flapping, unless it sets its own:
/// Icinga 2's default. A check that changes in about a third of its last 20 runs flaps.
pub const FLAPPING_HIGH: f64 = 30.0;

/// The percent state change at or below which a flapping check stops flapping, unless
/// it sets its own: Icinga 2's default, 5 points below the high one, so a check near the
/// line does not start and stop on every run.
pub const FLAPPING_LOW: f64 = 25.0;

/// Why `low` and `high` cannot be a check's flapping thresholds (percent state change),
/// or `None` when they can: each from 0 to 100, `low` below `high`.
pub fn flapping_problem(low: f64, high: f64) -> Option<String> {
    for (key, value) in [("flapping_low", low), ("flapping_high", high)] {
        if !(0.0..=100.0).contains(&value) {
            return Some(format!(
                "`{key}` is {value}; it is a percent state change from 0 to 100"
            ));
        }
    }
    if low >= high {
        return Some(format!(
            "`flapping_low` ({low}) must be below `flapping_high` ({high}): flapping starts at the high one and stops at the low one"
        ));
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_at_the_edges_of_their_type_are_refused_by_name() {
        assert!(duration_problem("timeout", Duration::ZERO).is_some());
        assert!(duration_problem("success_ttl", Duration::ZERO).is_none());
        assert!(duration_problem("failed_ttl", MAX_DURATION).is_none());
        let problem = duration_problem("success_ttl", Duration::MAX).unwrap();
        assert!(problem.contains("`success_ttl`"), "{problem}");
    }
}
