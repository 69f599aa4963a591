//! OpenID Connect ID tokens: the checks of OpenID Connect Core 1.0 §3.1.3.7 on a compact JWT,
//! against the provider's published keys and what the relying party expects. Pure: the caller
//! passes the keys and the time in.
//!
//! Only RS256 is accepted (the algorithm every provider must support); `none`, HMAC and any
//! algorithm the header names but we did not choose are refused, so a token cannot pick a
//! weaker check for itself.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::sha2::Sha256;
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{Map, Value};

/// Smallest RSA modulus we trust, in bits.
const MIN_RSA_BITS: usize = 2048;

/// Why an ID token was refused. `code()` is stable and goes into the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefusal {
    #[error("not a well-formed token")]
    Malformed,
    #[error("signed with an algorithm we do not accept")]
    Algorithm,
    #[error("signed with a key the provider does not publish")]
    UnknownKey,
    #[error("the signature does not verify")]
    Signature,
    #[error("issued by another issuer")]
    Issuer,
    #[error("issued for another client")]
    Audience,
    #[error("the authorized party is another client")]
    AuthorizedParty,
    #[error("expired")]
    Expired,
    #[error("issued in the future or too long ago")]
    IssuedAt,
    #[error("the nonce does not match")]
    Nonce,
    #[error("no subject")]
    Subject,
}

impl TokenRefusal {
    pub fn code(self) -> &'static str {
        match self {
            TokenRefusal::Malformed => "malformed",
            TokenRefusal::Algorithm => "algorithm",
            TokenRefusal::UnknownKey => "unknown_key",
            TokenRefusal::Signature => "signature",
            TokenRefusal::Issuer => "issuer",
            TokenRefusal::Audience => "audience",
            TokenRefusal::AuthorizedParty => "azp",
            TokenRefusal::Expired => "expired",
            TokenRefusal::IssuedAt => "iat",
            TokenRefusal::Nonce => "nonce",
            TokenRefusal::Subject => "subject",
        }
    }
}

/// One RSA signing key from the provider's JWKS.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: Option<String>,
    key: RsaPublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The usable keys of a JWKS document (RSA signature keys; others are skipped, not errors,
/// since providers publish encryption and EC keys beside them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet(pub Vec<SigningKey>);

impl KeySet {
    pub fn parse(jwks: &Value) -> KeySet {
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        KeySet(keys.iter().filter_map(rsa_key).collect())
    }

    pub fn has_kid(&self, kid: &str) -> bool {
        self.0.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// The keys a token with this `kid` may be checked against: the one named, or all of them
    /// when the token names none.
    fn candidates<'a>(&'a self, kid: Option<&'a str>) -> impl Iterator<Item = &'a SigningKey> {
        self.0
            .iter()
            .filter(move |k| kid.is_none() || k.kid.as_deref() == kid)
    }
}

fn rsa_key(jwk: &Value) -> Option<SigningKey> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    if text("kty") != Some("RSA") {
        return None;
    }
    if text("use").is_some_and(|u| u != "sig") || text("alg").is_some_and(|a| a != "RS256") {
        return None;
    }
    let n = URL_SAFE_NO_PAD.decode(text("n")?).ok()?;
    let e = URL_SAFE_NO_PAD.decode(text("e")?).ok()?;
    let key = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e)).ok()?;
    if rsa::traits::PublicKeyParts::n(&key).bits() < MIN_RSA_BITS {
        return None;
    }
    Some(SigningKey {
        kid: text("kid").map(str::to_string),
        key,
    })
}

/// What the relying party expects of a token.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Unix seconds.
    pub now: i64,
    /// Clock difference tolerated between us and the provider, in seconds.
    pub leeway: i64,
    /// How old `iat` may be, in seconds: a token is used right after it is issued.
    pub max_age: i64,
}

/// The claims of a token that passed every check.
#[derive(Clone, PartialEq)]
pub struct IdClaims {
    pub subject: String,
    /// Every claim, for the one an agency links users by.
    pub claims: Map<String, Value>,
}

impl std::fmt::Debug for IdClaims {
    // Claims name a person: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdClaims(<redacted>)")
    }
}

/// Authentication methods (RFC 8176) that mean more than one factor was used.
const MULTI_FACTOR: [&str; 4] = ["mfa", "otp", "hwk", "sc"];

impl IdClaims {
    /// The value of a string claim, if present.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// The `email` claim, only when the provider says it verified it.
    pub fn verified_email(&self) -> Option<&str> {
        let verified = match self.claims.get("email_verified") {
            Some(Value::Bool(b)) => *b,
            // Some providers send it as a string.
            Some(Value::String(s)) => s == "true",
            _ => false,
        };
        self.text("email").filter(|_| verified)
    }

    /// Did the provider say it used a second factor (`amr`)?
    pub fn multi_factor(&self) -> bool {
        self.claims
            .get("amr")
            .and_then(Value::as_array)
            .is_some_and(|methods| {
                methods
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|m| MULTI_FACTOR.contains(&m))
            })
    }
}

fn decode_json(part: &str) -> Result<Map<String, Value>, TokenRefusal> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenRefusal::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenRefusal::Malformed),
    }
}

/// The `kid` a token's header names, to tell whether the key set must be fetched again.
pub fn key_id(token: &str) -> Result<Option<String>, TokenRefusal> {
    let header = token.split('.').next().ok_or(TokenRefusal::Malformed)?;
    Ok(decode_json(header)?
        .get("kid")
        .and_then(Value::as_str)
        .map(str::to_string))
}

fn number(claims: &Map<String, Value>, name: &str) -> Result<i64, TokenRefusal> {
    claims
        .get(name)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
        .ok_or(TokenRefusal::Malformed)
}

/// Check signature and claims; the claims of a token that passes.
pub fn validate(
    token: &str,
    keys: &KeySet,
    expected: &Expected<'_>,
) -> Result<IdClaims, TokenRefusal> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenRefusal::Malformed);
    };
    let head = decode_json(header)?;
    if head.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(TokenRefusal::Algorithm);
    }
    let kid = head.get("kid").and_then(Value::as_str);
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenRefusal::Malformed)?;
    let signature =
        Signature::try_from(signature.as_slice()).map_err(|_| TokenRefusal::Malformed)?;
    let signed = &token[..header.len() + 1 + payload.len()];
    let mut candidates = keys.candidates(kid).peekable();
    if candidates.peek().is_none() {
        return Err(TokenRefusal::UnknownKey);
    }
    let verified = candidates.any(|k| {
        VerifyingKey::<Sha256>::new(k.key.clone())
            .verify(signed.as_bytes(), &signature)
            .is_ok()
    });
    if !verified {
        return Err(TokenRefusal::Signature);
    }
    // Only now is the payload the provider's word.
    let claims = decode_json(payload)?;
    if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer) {
        return Err(TokenRefusal::Issuer);
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == expected.client_id,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(expected.client_id)),
        _ => false,
    };
    if !audience_ok {
        return Err(TokenRefusal::Audience);
    }
    if let Some(azp) = claims.get("azp") {
        if azp.as_str() != Some(expected.client_id) {
            return Err(TokenRefusal::AuthorizedParty);
        }
    }
    if number(&claims, "exp")? + expected.leeway <= expected.now {
        return Err(TokenRefusal::Expired);
    }
    let issued = number(&claims, "iat")?;
    if issued > expected.now + expected.leeway || issued < expected.now - expected.max_age {
        return Err(TokenRefusal::IssuedAt);
    }
    let nonce_ok = claims
        .get("nonce")
        .and_then(Value::as_str)
        .is_some_and(|n| constant_time_eq(n.as_bytes(), expected.nonce.as_bytes()));
    if !nonce_ok {
        return Err(TokenRefusal::Nonce);
    }
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 255)
        .ok_or(TokenRefusal::Subject)?
        .to_string();
    Ok(IdClaims { subject, claims })
}

/// Compare secrets without an early exit that would time how much of them matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The PKCE challenge (RFC 7636, method S256) of a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    use sha2::Digest;
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
#[path = "id_token_tests.rs"]
mod tests;
