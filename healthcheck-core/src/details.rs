//! Who sees each check's output: everyone, bearer-token holders, or no one.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;

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
    /// Whether the request with `headers` may see details: an `Authorization` header
    /// with the `Bearer` scheme (in any case, as RFC 9110 makes schemes
    /// case-insensitive) and the token.
    ///
    /// The tokens are compared as fixed-length keyed digests in constant time, so the
    /// time taken tells nothing of the token, not even its length.
    pub(crate) fn allows(&self, headers: &HeaderMap) -> bool {
        match self {
            Details::Always => true,
            Details::Never => false,
            Details::WhenAuthorized(token) => {
                let expected = digest(token.as_bytes());
                headers
                    .get_all(AUTHORIZATION)
                    .iter()
                    .filter_map(|value| bearer_token(value.as_bytes()))
                    .any(|sent| bool::from(digest(sent).ct_eq(&expected)))
            }
        }
    }
}

/// The token of `Bearer <token>`, the scheme matched case-insensitively.
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let (scheme, token) = value.split_at_checked(7)?;
    scheme.eq_ignore_ascii_case(b"bearer ").then_some(token)
}

/// A 128-bit digest of `bytes` under keys random to this process: equal tokens give
/// equal digests, and the digests of unequal ones differ in a way the caller cannot steer.
fn digest(bytes: &[u8]) -> [u8; 16] {
    static KEYS: OnceLock<(RandomState, RandomState)> = OnceLock::new();
    let (first, second) = KEYS.get_or_init(|| (RandomState::new(), RandomState::new()));
    let mut out = [0; 16];
    out[..8].copy_from_slice(&first.hash_one(bytes).to_le_bytes());
    out[8..].copy_from_slice(&second.hash_one(bytes).to_le_bytes());
    out
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
    fn tokens_are_compared_as_digests_of_one_length_whatever_the_token_length() {
        // The comparison sees 16 bytes (the digest's type) whether the token is empty or
        // huge, so its time cannot depend on the expected token's length.
        assert_eq!(digest(b"s3cret"), digest(b"s3cret"));
        assert_ne!(digest(b"s3cret"), digest(b"s3cre"));
        let long = "t".repeat(4096);
        let details = Details::WhenAuthorized(long.clone());
        assert!(details.allows(&headers(&[&format!("Bearer {long}")])));
        assert!(!details.allows(&headers(&["Bearer t"])));
    }

    #[test]
    fn the_bearer_scheme_is_matched_in_any_case() {
        let details = Details::WhenAuthorized("s3cret".into());
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            assert!(
                details.allows(&headers(&[&format!("{scheme} s3cret")])),
                "{scheme}"
            );
        }
    }

    #[test]
    fn only_the_exact_bearer_token_is_authorized() {
        let details = Details::WhenAuthorized("s3cret".into());
        assert!(details.allows(&headers(&["Bearer s3cret"])));
        assert!(details.allows(&headers(&["Basic x", "Bearer s3cret"])));
        assert!(!details.allows(&headers(&[])));
        assert!(!details.allows(&headers(&["Bearer s3cre"])));
        assert!(!details.allows(&headers(&["Bearer s3cret2"])));
        assert!(details.allows(&headers(&["bearer s3cret"])));
        assert!(details.allows(&headers(&["BEARER s3cret"])));
        assert!(!details.allows(&headers(&["Bearers3cret"])));
        assert!(!details.allows(&headers(&["Bearer"])));
        assert!(!details.allows(&headers(&["s3cret"])));
        assert!(Details::Always.allows(&headers(&[])));
        assert!(!Details::Never.allows(&headers(&["Bearer s3cret"])));
        assert_eq!(format!("{details:?}"), "WhenAuthorized(..)");
    }
}
