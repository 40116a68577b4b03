//! Who sees each check's output: everyone, bearer-token holders, or no one.

use http::HeaderMap;
use http::header::AUTHORIZATION;
use subtle::ConstantTimeEq;

/// What replaces a check's `output` for a caller who may not see details.
pub const WITHHELD: &str = "withheld: details need an authorized request";

/// Who may see each check's output and where it is defined. Statuses are always shown,
/// so probes work without credentials.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Details {
    /// Everyone sees details (the default).
    #[default]
    Always,
    /// Only requests with `Authorization: Bearer <token>` see details.
    WhenAuthorized(String),
    /// No one sees details.
    Never,
}

impl Details {
    /// Whether the request with `headers` may see details. The token is compared in
    /// constant time.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        match self {
            Details::Always => true,
            Details::Never => false,
            Details::WhenAuthorized(token) => headers
                .get_all(AUTHORIZATION)
                .iter()
                .filter_map(|value| value.as_bytes().strip_prefix(b"Bearer "))
                .any(|sent| bool::from(sent.ct_eq(token.as_bytes()))),
        }
    }
}

impl std::fmt::Debug for Details {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Details::Always => f.write_str("Always"),
            // Never print the token.
            Details::WhenAuthorized(_) => f.write_str("WhenAuthorized(..)"),
            Details::Never => f.write_str("Never"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in authorization {
            headers.append(AUTHORIZATION, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn only_the_exact_bearer_token_is_authorized() {
        let details = Details::WhenAuthorized("s3cret".into());
        assert!(details.allows(&headers(&["Bearer s3cret"])));
        assert!(details.allows(&headers(&["Basic x", "Bearer s3cret"])));
        assert!(!details.allows(&headers(&[])));
        assert!(!details.allows(&headers(&["Bearer s3cre"])));
        assert!(!details.allows(&headers(&["Bearer s3cret2"])));
        assert!(!details.allows(&headers(&["bearer s3cret"])));
        assert!(!details.allows(&headers(&["s3cret"])));
        assert!(Details::Always.allows(&headers(&[])));
        assert!(!Details::Never.allows(&headers(&["Bearer s3cret"])));
        assert_eq!(format!("{details:?}"), "WhenAuthorized(..)");
    }
}
