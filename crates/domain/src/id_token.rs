//! OpenID Connect ID tokens: the checks of OpenID Connect Core 1.0 §3.1.3.7 on a compact JWT,
//! against the provider's published keys and what the relying party expects. Pure: the caller
//! passes the keys and the time in.
//!
//! RS256 (the algorithm every provider must support) and ES256 (ECDSA on P-256, which many
//! providers sign with) are accepted; `none`, HMAC and any other algorithm the header names are
//! refused, and a token is only checked against keys of the kind its algorithm names, so a
//! token cannot pick a weaker check for itself.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::{Signature as EcSignature, VerifyingKey as EcVerifyingKey};
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

/// The signature algorithms we accept, as a JWS header names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Rs256,
    Es256,
}

impl Algorithm {
    fn named(alg: Option<&str>) -> Option<Algorithm> {
        match alg? {
            "RS256" => Some(Algorithm::Rs256),
            "ES256" => Some(Algorithm::Es256),
            _ => None,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
enum PublicKey {
    Rsa(RsaPublicKey),
    P256(EcVerifyingKey),
}

/// One signing key from the provider's JWKS: RSA (RS256) or EC P-256 (ES256).
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: Option<String>,
    key: PublicKey,
}

impl SigningKey {
    pub fn algorithm(&self) -> Algorithm {
        match self.key {
            PublicKey::Rsa(_) => Algorithm::Rs256,
            PublicKey::P256(_) => Algorithm::Es256,
        }
    }

    /// Does `signature` over `signed` verify under this key? (The caller matched the key's
    /// algorithm to the token's.)
    fn verifies(&self, signed: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            PublicKey::Rsa(key) => Signature::try_from(signature).is_ok_and(|sig| {
                VerifyingKey::<Sha256>::new(key.clone())
                    .verify(signed, &sig)
                    .is_ok()
            }),
            // JWS carries ECDSA signatures as r ‖ s, 32 bytes each (RFC 7518 §3.4), not DER.
            PublicKey::P256(key) => {
                signature.len() == 64
                    && EcSignature::from_slice(signature)
                        .is_ok_and(|sig| key.verify(signed, &sig).is_ok())
            }
        }
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

/// The usable keys of a JWKS document (RSA and P-256 signature keys; others are skipped, not
/// errors, since providers publish encryption keys and other curves beside them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet(pub Vec<SigningKey>);

impl KeySet {
    pub fn parse(jwks: &Value) -> KeySet {
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        KeySet(
            keys.iter()
                .filter_map(|k| rsa_key(k).or_else(|| p256_key(k)))
                .collect(),
        )
    }

    pub fn has_kid(&self, kid: &str) -> bool {
        self.0.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// The keys a token with this `kid` and algorithm may be checked against: the one named,
    /// or all of the algorithm's when the token names none.
    fn candidates<'a>(
        &'a self,
        kid: Option<&'a str>,
        alg: Algorithm,
    ) -> impl Iterator<Item = &'a SigningKey> {
        self.0
            .iter()
            .filter(move |k| k.algorithm() == alg && (kid.is_none() || k.kid.as_deref() == kid))
    }
}

fn text<'a>(jwk: &'a Value, name: &str) -> Option<&'a str> {
    jwk.get(name).and_then(Value::as_str)
}

/// A key meant for signatures (or not saying) and for `alg` (or not saying).
fn for_signing(jwk: &Value, alg: &str) -> bool {
    text(jwk, "use").is_none_or(|u| u == "sig") && text(jwk, "alg").is_none_or(|a| a == alg)
}

fn rsa_key(jwk: &Value) -> Option<SigningKey> {
    if text(jwk, "kty") != Some("RSA") || !for_signing(jwk, "RS256") {
        return None;
    }
    let n = URL_SAFE_NO_PAD.decode(text(jwk, "n")?).ok()?;
    let e = URL_SAFE_NO_PAD.decode(text(jwk, "e")?).ok()?;
    let key = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e)).ok()?;
    if rsa::traits::PublicKeyParts::n(&key).bits() < MIN_RSA_BITS {
        return None;
    }
    Some(SigningKey {
        kid: text(jwk, "kid").map(str::to_string),
        key: PublicKey::Rsa(key),
    })
}

/// An EC key on P-256 (RFC 7518 §6.2): the point's coordinates, 32 bytes each. A point off
/// the curve is refused by the key's constructor.
fn p256_key(jwk: &Value) -> Option<SigningKey> {
    if text(jwk, "kty") != Some("EC") || text(jwk, "crv") != Some("P-256") {
        return None;
    }
    if !for_signing(jwk, "ES256") {
        return None;
    }
    let x = URL_SAFE_NO_PAD.decode(text(jwk, "x")?).ok()?;
    let y = URL_SAFE_NO_PAD.decode(text(jwk, "y")?).ok()?;
    if x.len() != 32 || y.len() != 32 {
        return None;
    }
    let mut sec1 = Vec::with_capacity(65);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    let key = EcVerifyingKey::from_sec1_bytes(&sec1).ok()?;
    Some(SigningKey {
        kid: text(jwk, "kid").map(str::to_string),
        key: PublicKey::P256(key),
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
    let alg =
        Algorithm::named(head.get("alg").and_then(Value::as_str)).ok_or(TokenRefusal::Algorithm)?;
    let kid = head.get("kid").and_then(Value::as_str);
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenRefusal::Malformed)?;
    if signature.is_empty() {
        return Err(TokenRefusal::Malformed);
    }
    let signed = &token[..header.len() + 1 + payload.len()];
    let mut candidates = keys.candidates(kid, alg).peekable();
    if candidates.peek().is_none() {
        return Err(TokenRefusal::UnknownKey);
    }
    let verified = candidates.any(|k| k.verifies(signed.as_bytes(), &signature));
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
