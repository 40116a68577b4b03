//! Content negotiation: which of the offered media types an `Accept` header prefers
//! (RFC 9110 §12.5.1), read in place: nothing is allocated, even for the kubelet's
//! `Accept: */*` on every probe.

/// The index in `offered` (media types, in the server's order of preference) of the one
/// `accept` ranks highest, or `None` when it accepts none. A type's quality is that of
/// the most specific range matching it (`text/plain;version=0.0.4` over `text/plain`
/// over `text/*` over `*/*`); a quality of 0 refuses it; among equal qualities the
/// server's order decides. A range with a malformed quality is ignored.
pub(crate) fn preferred<'a>(accept: &str, offered: impl Iterator<Item = &'a str>) -> Option<usize> {
    let mut best: Option<(u16, usize)> = None;
    for (index, media_type) in offered.enumerate() {
        let Some(quality) = quality(accept, media_type) else {
            continue;
        };
        if quality > 0 && best.is_none_or(|(known, _)| quality > known) {
            best = Some((quality, index));
        }
    }
    best.map(|(_, index)| index)
}

/// The quality, in thousandths, `accept` gives `media_type`; `None` when no range
/// matches it.
fn quality(accept: &str, media_type: &str) -> Option<u16> {
    let (offered, offered_params) = split_params(media_type);
    let (offered_type, offered_subtype) = offered.split_once('/')?;
    // (specificity, quality) of the most specific matching range.
    let mut best: Option<(usize, u16)> = None;
    for range in accept.split(',') {
        let (range_type, params) = split_params(range);
        let Some((kind, subtype)) = range_type.split_once('/') else {
            continue;
        };
        let specificity = match (kind.trim(), subtype.trim()) {
            ("*", "*") => 0,
            (kind, "*") if kind.eq_ignore_ascii_case(offered_type) => 1,
            (kind, subtype)
                if kind.eq_ignore_ascii_case(offered_type)
                    && subtype.eq_ignore_ascii_case(offered_subtype) =>
            {
                2
            }
            _ => continue,
        };
        let mut quality = 1000;
        let mut asked = 0;
        let mut matches = true;
        for (name, value) in parameters(params) {
            if name.eq_ignore_ascii_case("q") {
                // The weight ends the media type's parameters; what follows is ignored.
                match parse_quality(value) {
                    Some(weight) => quality = weight,
                    None => matches = false,
                }
                break;
            }
            asked += 1;
            matches &= parameters(offered_params).any(|(known, its)| {
                known.eq_ignore_ascii_case(name) && its.eq_ignore_ascii_case(value)
            });
        }
        if !matches {
            continue;
        }
        let specificity = specificity + asked;
        if best.is_none_or(|(known, _)| specificity > known) {
            best = Some((specificity, quality));
        }
    }
    best.map(|(_, quality)| quality)
}

/// `type/subtype` and what follows its first `;`.
fn split_params(media_type: &str) -> (&str, &str) {
    let (media, params) = media_type.split_once(';').unwrap_or((media_type, ""));
    (media.trim(), params)
}

/// `name=value` pairs of a parameter list, trimmed, quotes around a value dropped.
fn parameters(params: &str) -> impl Iterator<Item = (&str, &str)> {
    params.split(';').filter_map(|param| {
        let (name, value) = param.split_once('=')?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|value| value.strip_suffix('"'))
            .unwrap_or(value);
        Some((name.trim(), value))
    })
}

/// A `qvalue` (`0`, `0.5`, `1.000`) in thousandths; `None` when malformed.
fn parse_quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |sum, digit| sum * 10 + u16::from(digit - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The endpoint's built-in formats' media types, the default (Flask) first.
    const OFFERED: [&str; 8] = [
        "application/json",
        "application/json",
        "application/health+json",
        "application/json",
        "application/vnd.spring-boot.actuator.v3+json",
        "application/json",
        "text/plain; charset=utf-8",
        "text/plain; version=0.0.4; charset=utf-8",
    ];

    fn pick(accept: &str) -> Option<&'static str> {
        preferred(accept, OFFERED.iter().copied()).map(|index| OFFERED[index])
    }

    #[test]
    fn quality_values_and_parameters_decide_the_format() {
        assert_eq!(
            pick("text/plain;q=0, application/health+json"),
            Some("application/health+json")
        );
        assert_eq!(
            pick("application/health+json;q=0, application/json"),
            Some("application/json")
        );
        // Prometheus' own scrape header: its text, not Kubernetes' plain text.
        assert_eq!(
            pick(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
            ),
            Some("text/plain; version=0.0.4; charset=utf-8")
        );
        assert_eq!(pick("*/*"), Some("application/json"));
        assert_eq!(pick("TEXT/Plain"), Some("text/plain; charset=utf-8"));
        assert_eq!(
            pick("text/*;q=0.9, application/json;q=0.8"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            pick("application/*;q=0.2, */*;q=0"),
            Some("application/json")
        );
    }

    #[test]
    fn nothing_acceptable_is_none() {
        assert_eq!(pick("text/html"), None);
        assert_eq!(
            pick("application/json;q=0, text/plain;q=0, application/health+json;q=0"),
            None
        );
        assert_eq!(pick("*/*;q=0"), None);
    }

    #[test]
    fn a_malformed_quality_ignores_its_range_and_panics_nowhere() {
        assert_eq!(
            pick("application/health+json;q=2, application/json"),
            Some("application/json")
        );
        for q in [
            "",
            "x",
            "1.5",
            "0.0000",
            "-1",
            "99999999999",
            "0.ü",
            "1.001",
        ] {
            assert_eq!(parse_quality(q), None, "{q:?}");
        }
        assert_eq!(parse_quality("0.5"), Some(500));
        assert_eq!(parse_quality("1.000"), Some(1000));
        assert_eq!(parse_quality("0"), Some(0));
        for accept in [";;;,,,", "/", "*/*;q", "a/b;=;q=", "\u{0}/\u{0}", ";q=0.5/"] {
            let _ = pick(accept);
        }
    }
}
