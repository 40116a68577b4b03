//! Durations and instants as text people read: `1m 30s 500ms` and RFC 3339 UTC, written
//! here rather than by a dependency (a service's cold build compiles less).

use std::fmt::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `duration` as `1h 2m 3s 500ms`: the non-zero units from years (365.25 days) and
/// months (30.44 days) down to nanoseconds, `0s` for zero; the text humantime writes.
pub(crate) fn duration(duration: Duration) -> String {
    const YEAR: u64 = 31_557_600;
    const MONTH: u64 = 2_630_016;
    let seconds = duration.as_secs();
    let nanos = duration.subsec_nanos();
    if seconds == 0 && nanos == 0 {
        return "0s".to_owned();
    }
    let in_year = seconds % YEAR;
    let in_month = in_year % MONTH;
    let in_day = in_month % 86_400;
    let units: [(u64, &str, bool); 9] = [
        (seconds / YEAR, "year", true),
        (in_year / MONTH, "month", true),
        (in_month / 86_400, "day", true),
        (in_day / 3_600, "h", false),
        (in_day % 3_600 / 60, "m", false),
        (in_day % 60, "s", false),
        (u64::from(nanos / 1_000_000), "ms", false),
        (u64::from(nanos / 1_000 % 1_000), "us", false),
        (u64::from(nanos % 1_000), "ns", false),
    ];
    let mut text = String::new();
    for (count, unit, plural) in units {
        if count == 0 {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        let s = if plural && count > 1 { "s" } else { "" };
        let _ = write!(text, "{count}{unit}{s}");
    }
    text
}

/// `time` in RFC 3339 UTC to the second: `2026-11-22T23:41:36Z` (the epoch for a time
/// before it).
pub(crate) fn rfc3339_seconds(time: SystemTime) -> String {
    rfc3339(time, false)
}

/// `time` in RFC 3339 UTC to the millisecond: `2026-11-22T23:41:36.123Z`.
pub(crate) fn rfc3339_millis(time: SystemTime) -> String {
    rfc3339(time, true)
}

/// `YYYY-MM-DDTHH:MM:SS`, then `.mmm` when asked, then `Z`, of `time` in UTC.
fn rfc3339(time: SystemTime, millis: bool) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (year, month, day) = civil_from_days(seconds / 86_400);
    let in_day = seconds % 86_400;
    let mut text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        in_day / 3_600,
        in_day % 3_600 / 60,
        in_day % 60
    );
    if millis {
        let _ = write!(text, ".{:03}", since_epoch.subsec_millis());
    }
    text.push('Z');
    text
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Counted from 0000-03-01, so a leap day ends its year; eras are 400 years.
    let days = days + 719_468;
    let era = days / 146_097;
    let day_of_era = days % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// `time` as float seconds since the Unix epoch (0 before it), as Python's `time.time()`
/// gives them: Flask's times, Prometheus' timestamps.
pub(crate) fn seconds_since_epoch(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn durations_read_as_humantime_writes_them() {
        let mut seconds = 0u64;
        let mut nanos = 0u32;
        for step in 0..20_000u64 {
            // Every unit and its carries: steps from a nanosecond up past a century.
            seconds = seconds.wrapping_mul(3).wrapping_add(step * 7_919) % 4_000_000_000;
            nanos = nanos
                .wrapping_mul(31)
                .wrapping_add((step as u32).wrapping_mul(104_729))
                % 1_000_000_000;
            for value in [
                Duration::new(seconds, nanos),
                Duration::new(seconds, 0),
                Duration::from_nanos(u64::from(nanos)),
                Duration::from_millis(step),
            ] {
                let expected = humantime::format_duration(value).to_string();
                assert_eq!(super::duration(value), expected, "{value:?}");
            }
        }
        assert_eq!(super::duration(Duration::from_millis(1_500)), "1s 500ms");
        assert_eq!(
            super::duration(Duration::MAX),
            humantime::format_duration(Duration::MAX).to_string()
        );
    }

    #[test]
    fn instants_read_as_rfc3339_utc_as_humantime_writes_them() {
        let mut seconds = 0u64;
        for step in 0..20_000u64 {
            // Days across leap years, centuries and 2000's leap day, up to year 9999.
            seconds = (seconds + step * 86_399 * 37 + 1) % 253_402_300_799;
            let time = UNIX_EPOCH
                + Duration::new(
                    seconds,
                    (step as u32).wrapping_mul(7_654_321) % 1_000_000_000,
                );
            assert_eq!(
                super::rfc3339_seconds(time),
                humantime::format_rfc3339_seconds(time).to_string()
            );
            assert_eq!(
                super::rfc3339_millis(time),
                humantime::format_rfc3339_millis(time).to_string()
            );
        }
        let leap_day = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(super::rfc3339_millis(leap_day), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            super::rfc3339_seconds(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00Z"
        );
    }
}
