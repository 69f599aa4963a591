//! An agency's OpenID Connect identity provider, as its admin describes it.

use crate::text;
use crate::Invalid;

/// The claim users are linked by when the admin names none: the verified `email`.
pub const DEFAULT_USER_CLAIM: &str = "email";

/// A provider description that passed every rule. The client secret is not here: it is
/// write-only and travels on its own (see the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    pub display_name: String,
    /// Without a trailing slash, as the provider's `iss` claim must read.
    pub issuer: String,
    pub client_id: String,
    pub user_claim: String,
}

/// An issuer must be https; plain http only on this machine (a provider under test, or a
/// proxy on the loopback).
pub fn parse_issuer(field: &str, raw: &str) -> Result<String, Invalid> {
    let issuer = raw.trim().trim_end_matches('/');
    let bad = || Invalid::new(field, "issuer_invalid");
    if issuer.is_empty() || issuer.len() > 500 || issuer.contains(['?', '#', ' ']) {
        return Err(bad());
    }
    let rest = if let Some(rest) = issuer.strip_prefix("https://") {
        rest
    } else if let Some(rest) = issuer.strip_prefix("http://") {
        let host = rest.split(['/', ':']).next().unwrap_or_default();
        if !matches!(host, "127.0.0.1" | "localhost") && !rest.starts_with("[::1]") {
            return Err(bad());
        }
        rest
    } else {
        return Err(bad());
    };
    if rest.is_empty() || rest.starts_with('/') || rest.contains('@') {
        return Err(bad());
    }
    Ok(issuer.to_string())
}

/// A claim name: letters, digits, `_`, `-`, `.`, `:` (namespaced claims), at most 100.
fn parse_claim(raw: &str) -> Result<String, Invalid> {
    let claim = raw.trim();
    if claim.is_empty() {
        return Ok(DEFAULT_USER_CLAIM.to_string());
    }
    let ok = claim.len() <= 100
        && claim
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if ok {
        Ok(claim.to_string())
    } else {
        Err(Invalid::new("user_claim", "claim_invalid"))
    }
}

impl ProviderSettings {
    pub fn parse(
        display_name: &str,
        issuer: &str,
        client_id: &str,
        user_claim: &str,
    ) -> Result<ProviderSettings, Invalid> {
        Ok(ProviderSettings {
            display_name: text::required("display_name", display_name, 100)?,
            issuer: parse_issuer("issuer", issuer)?,
            client_id: text::required("client_id", client_id, 255)?,
            user_claim: parse_claim(user_claim)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_must_be_https_except_on_this_machine() {
        assert_eq!(
            parse_issuer("issuer", " https://login.example.org/realm/ "),
            Ok("https://login.example.org/realm".into())
        );
        assert!(parse_issuer("issuer", "http://127.0.0.1:4000").is_ok());
        assert!(parse_issuer("issuer", "http://localhost/x").is_ok());
        for bad in [
            "",
            "http://login.example.org",
            "ftp://x",
            "https://",
            "https://a.example.org?x=1",
            "https://user@a.example.org",
            "http://127.0.0.1.evil.example/",
        ] {
            assert_eq!(
                parse_issuer("issuer", bad),
                Err(Invalid::new("issuer", "issuer_invalid")),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_claim_defaults_to_email_and_must_be_a_name() {
        let s = ProviderSettings::parse("Agency login", "https://id.example.org", "cw", "")
            .expect("valid");
        assert_eq!(s.user_claim, "email");
        assert_eq!(
            ProviderSettings::parse("A", "https://id.example.org", "cw", "a b"),
            Err(Invalid::new("user_claim", "claim_invalid"))
        );
        assert_eq!(
            ProviderSettings::parse("", "https://id.example.org", "cw", "").map_err(|e| e.field),
            Err("display_name".to_string())
        );
    }
}
