//! The probe binary's inputs: its command line's URL and duration, and the status line it
//! judges. Oracles beyond "no panic": a duration accepted is above zero and at most an
//! hour; a URL accepted has a host and a request target starting with `/` and holding no
//! fragment; a status line counts only as `HTTP/1.x NNN` with three digits, then a space
//! or the end.

#![no_main]

use healthcheck_probe::{parse_duration, parse_url, status_code};
use libfuzzer_sys::fuzz_target;
use std::time::Duration;

fuzz_target!(|input: (&str, &str, &str)| {
    let (duration, url, line) = input;
    if let Ok(parsed) = parse_duration(duration) {
        assert!(
            parsed > Duration::ZERO && parsed <= Duration::from_secs(3600),
            "{duration:?}"
        );
    }
    if let Ok(parsed) = parse_url(url) {
        assert!(url.starts_with("http://"), "{url:?}");
        assert!(!parsed.host.is_empty(), "{url:?}");
        assert!(
            parsed.path.starts_with('/'),
            "{url:?} gave {:?}",
            parsed.path
        );
        assert!(!parsed.path.contains('#'), "{url:?} sends its fragment");
    }
    if let Some(code) = status_code(line) {
        let bytes = line.as_bytes();
        assert!(line.starts_with("HTTP/1.") && bytes.len() >= 12, "{line:?}");
        assert!(bytes[7].is_ascii_digit() && bytes[8] == b' ', "{line:?}");
        assert_eq!(&line[9..12], format!("{code:03}"), "{line:?}");
        assert!(bytes.len() == 12 || bytes[12] == b' ', "{line:?}");
    }
});
