//! Cross-site request forgery defence. Signed-in forms carry the session's token in a hidden
//! `csrf` field; forms shown before sign-in use a double-submit cookie (the field must equal the
//! `casework_csrf` cookie, which another site can neither read nor set).

use base64::Engine;
use rand::RngCore;
use subtle::ConstantTimeEq;

/// The hidden form field every state-changing form carries.
pub const FIELD: &str = "csrf";
/// The header API clients using the session cookie send instead.
pub const HEADER: &str = "x-csrf-token";

/// A fresh random token for the pre-session cookie.
pub fn fresh() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A cookie value we could have issued: anything else (empty, huge, odd bytes) is replaced.
pub fn plausible(token: &str) -> bool {
    (20..=100).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Constant-time comparison, so response timing does not leak the token byte by byte.
pub fn matches(submitted: Option<&str>, expected: &str) -> bool {
    match submitted {
        Some(s) if !expected.is_empty() => s.as_bytes().ct_eq(expected.as_bytes()).into(),
        _ => false,
    }
}

/// The `csrf` field of an urlencoded form body.
pub fn field_of(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_equal_token_matches() {
        let t = fresh();
        assert!(plausible(&t));
        assert!(matches(Some(&t), &t));
        assert!(!matches(Some("x"), &t));
        assert!(!matches(None, &t));
        assert!(!matches(Some(""), ""));
    }

    #[test]
    fn the_field_is_read_from_a_form_body() {
        assert_eq!(
            field_of(b"email=a%40b.org&csrf=abc&password=x").as_deref(),
            Some("abc")
        );
        assert_eq!(field_of(b"email=a"), None);
    }
}
