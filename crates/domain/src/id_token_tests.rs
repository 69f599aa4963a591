use super::*;
use rsa::pkcs1v15::SigningKey as RsaSigner;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::json;
use std::sync::OnceLock;

const NOW: i64 = 1_795_341_600;
const ISSUER: &str = "https://id.example.org";
const CLIENT: &str = "casework";
const NONCE: &str = "n-0S6_WzA2Mj";

fn key(which: usize) -> &'static RsaPrivateKey {
    static KEYS: OnceLock<Vec<RsaPrivateKey>> = OnceLock::new();
    &KEYS.get_or_init(|| {
        (0..2)
            .map(|_| RsaPrivateKey::new(&mut rand_core_rng(), 2048).expect("key"))
            .collect()
    })[which]
}

fn rand_core_rng() -> impl rsa::rand_core::CryptoRngCore {
    rsa::rand_core::OsRng
}

fn jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
    })
}

fn keys() -> KeySet {
    KeySet::parse(&json!({ "keys": [jwk(key(0), "k1")] }))
}

fn sign(header: Value, claims: Value, with: &RsaPrivateKey) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = RsaSigner::<Sha256>::new(with.clone()).sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

fn claims() -> Value {
    json!({
        "iss": ISSUER, "aud": CLIENT, "sub": "248289761001", "nonce": NONCE,
        "iat": NOW - 5, "exp": NOW + 300,
        "email": "ana@example.org", "email_verified": true,
    })
}

fn header() -> Value {
    json!({ "alg": "RS256", "kid": "k1", "typ": "JWT" })
}

fn expected() -> Expected<'static> {
    Expected {
        issuer: ISSUER,
        client_id: CLIENT,
        nonce: NONCE,
        now: NOW,
        leeway: 60,
        max_age: 600,
    }
}

fn check(claims: Value) -> Result<IdClaims, TokenRefusal> {
    validate(&sign(header(), claims, key(0)), &keys(), &expected())
}

fn with(change: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let mut c = claims();
    if let Value::Object(map) = &mut c {
        change(map);
    }
    c
}

#[test]
fn a_good_token_passes_with_its_subject_and_verified_email() {
    let c = check(claims()).expect("valid");
    assert_eq!(c.subject, "248289761001");
    assert_eq!(c.verified_email(), Some("ana@example.org"));
    assert!(!c.multi_factor());
}

#[test]
fn a_token_signed_by_another_key_is_refused() {
    let token = sign(header(), claims(), key(1));
    assert_eq!(
        validate(&token, &keys(), &expected()),
        Err(TokenRefusal::Signature)
    );
}

#[test]
fn a_changed_payload_breaks_the_signature() {
    let token = sign(header(), claims(), key(0));
    let parts: Vec<&str> = token.split('.').collect();
    let forged = URL_SAFE_NO_PAD.encode(
        with(|m| {
            m.insert("sub".into(), json!("someone-else"));
        })
        .to_string(),
    );
    let token = format!("{}.{forged}.{}", parts[0], parts[2]);
    assert_eq!(
        validate(&token, &keys(), &expected()),
        Err(TokenRefusal::Signature)
    );
}

#[test]
fn none_and_hmac_algorithms_are_refused() {
    for alg in ["none", "HS256", "RS512"] {
        let token = sign(json!({ "alg": alg, "kid": "k1" }), claims(), key(0));
        assert_eq!(
            validate(&token, &keys(), &expected()),
            Err(TokenRefusal::Algorithm),
            "{alg}"
        );
    }
}

#[test]
fn an_unpublished_key_id_is_unknown() {
    let token = sign(json!({ "alg": "RS256", "kid": "k9" }), claims(), key(0));
    assert_eq!(key_id(&token), Ok(Some("k9".into())));
    assert_eq!(
        validate(&token, &keys(), &expected()),
        Err(TokenRefusal::UnknownKey)
    );
}

#[test]
fn issuer_audience_and_authorized_party_must_be_ours() {
    assert_eq!(
        check(with(|m| {
            m.insert("iss".into(), json!("https://evil.example.org"));
        })),
        Err(TokenRefusal::Issuer)
    );
    assert_eq!(
        check(with(|m| {
            m.insert("aud".into(), json!("another-client"));
        })),
        Err(TokenRefusal::Audience)
    );
    assert!(check(with(|m| {
        m.insert("aud".into(), json!(["another-client", CLIENT]));
        m.insert("azp".into(), json!(CLIENT));
    }))
    .is_ok());
    assert_eq!(
        check(with(|m| {
            m.insert("aud".into(), json!(["another-client", CLIENT]));
            m.insert("azp".into(), json!("another-client"));
        })),
        Err(TokenRefusal::AuthorizedParty)
    );
}

#[test]
fn expiry_and_issue_time_are_checked_with_leeway() {
    assert_eq!(
        check(with(|m| {
            m.insert("exp".into(), json!(NOW - 61));
        })),
        Err(TokenRefusal::Expired)
    );
    assert!(check(with(|m| {
        m.insert("exp".into(), json!(NOW - 30));
    }))
    .is_ok());
    assert_eq!(
        check(with(|m| {
            m.insert("iat".into(), json!(NOW + 120));
        })),
        Err(TokenRefusal::IssuedAt)
    );
    assert_eq!(
        check(with(|m| {
            m.insert("iat".into(), json!(NOW - 3600));
        })),
        Err(TokenRefusal::IssuedAt)
    );
    assert_eq!(
        check(with(|m| {
            m.remove("exp");
        })),
        Err(TokenRefusal::Malformed)
    );
}

#[test]
fn the_nonce_and_subject_are_required() {
    assert_eq!(
        check(with(|m| {
            m.insert("nonce".into(), json!("other"));
        })),
        Err(TokenRefusal::Nonce)
    );
    assert_eq!(
        check(with(|m| {
            m.remove("nonce");
        })),
        Err(TokenRefusal::Nonce)
    );
    assert_eq!(
        check(with(|m| {
            m.remove("sub");
        })),
        Err(TokenRefusal::Subject)
    );
}

#[test]
fn an_unverified_email_is_not_offered_and_amr_tells_multi_factor() {
    let c = check(with(|m| {
        m.insert("email_verified".into(), json!(false));
        m.insert("amr".into(), json!(["pwd", "otp"]));
    }))
    .expect("valid");
    assert_eq!(c.verified_email(), None);
    assert!(c.multi_factor());
    let c = check(with(|m| {
        m.insert("amr".into(), json!(["pwd"]));
    }))
    .expect("valid");
    assert!(!c.multi_factor());
}

#[test]
fn garbage_is_malformed_and_small_or_foreign_keys_are_skipped() {
    assert_eq!(
        validate("a.b", &keys(), &expected()),
        Err(TokenRefusal::Malformed)
    );
    assert_eq!(
        validate("!!.??.**", &keys(), &expected()),
        Err(TokenRefusal::Malformed)
    );
    let set = KeySet::parse(&json!({ "keys": [
        { "kty": "EC", "crv": "P-256", "x": "AA", "y": "AA" },
        { "kty": "OKP", "crv": "Ed25519", "x": "AA" },
        { "kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB" },
        { "kty": "RSA", "n": "AQAB", "e": "AQAB" },
        jwk(key(1), "k2"),
    ]}));
    assert_eq!(set.0.len(), 1);
    assert!(set.has_kid("k2"));
}

#[test]
fn the_pkce_challenge_matches_rfc_7636() {
    // RFC 7636, appendix B.
    assert_eq!(
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

/// Fixed P-256 keys (the scalars are test constants, not secrets).
fn ec_key(which: u8) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[which + 1; 32]).expect("a scalar below the order")
}

fn ec_jwk(key: &p256::ecdsa::SigningKey, kid: &str) -> Value {
    let point = key.verifying_key().to_encoded_point(false);
    json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
        "x": URL_SAFE_NO_PAD.encode(point.x().expect("x")),
        "y": URL_SAFE_NO_PAD.encode(point.y().expect("y")),
    })
}

fn ec_sign(header: Value, claims: Value, with: &p256::ecdsa::SigningKey) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature: p256::ecdsa::Signature = with.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

fn es_header(kid: &str) -> Value {
    json!({ "alg": "ES256", "kid": kid, "typ": "JWT" })
}

/// A provider publishing an RSA key (k1) and a P-256 key (e1).
fn mixed_keys() -> KeySet {
    KeySet::parse(&json!({ "keys": [jwk(key(0), "k1"), ec_jwk(&ec_key(0), "e1")] }))
}

#[test]
fn an_es256_token_passes_beside_rs256() {
    let keys = mixed_keys();
    assert_eq!(keys.0.len(), 2);
    let token = ec_sign(es_header("e1"), claims(), &ec_key(0));
    let c = validate(&token, &keys, &expected()).expect("valid ES256");
    assert_eq!(c.subject, "248289761001");
    // Without a kid, every P-256 key is tried.
    let token = ec_sign(json!({ "alg": "ES256" }), claims(), &ec_key(0));
    assert!(validate(&token, &keys, &expected()).is_ok());
    let token = sign(header(), claims(), key(0));
    assert!(validate(&token, &keys, &expected()).is_ok(), "RS256 still");
}

#[test]
fn an_es256_token_by_another_key_or_changed_is_refused() {
    let keys = mixed_keys();
    let token = ec_sign(es_header("e1"), claims(), &ec_key(1));
    assert_eq!(
        validate(&token, &keys, &expected()),
        Err(TokenRefusal::Signature)
    );
    let token = ec_sign(es_header("e1"), claims(), &ec_key(0));
    let parts: Vec<&str> = token.split('.').collect();
    let forged = URL_SAFE_NO_PAD.encode(
        with(|m| {
            m.insert("sub".into(), json!("someone-else"));
        })
        .to_string(),
    );
    let changed = format!("{}.{forged}.{}", parts[0], parts[2]);
    assert_eq!(
        validate(&changed, &keys, &expected()),
        Err(TokenRefusal::Signature)
    );
    // A DER-encoded signature (not JWS's r ‖ s) does not verify.
    let signature: p256::ecdsa::Signature =
        ec_key(0).sign(format!("{}.{}", parts[0], parts[1]).as_bytes());
    let der = signature.to_der();
    let der = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(der.as_bytes())
    );
    assert_eq!(
        validate(&der, &keys, &expected()),
        Err(TokenRefusal::Signature)
    );
}

#[test]
fn a_token_is_checked_only_against_keys_of_its_algorithm() {
    let set = mixed_keys();
    // ES256 naming the RSA key, and RS256 naming the EC key: no key of that kind has the kid.
    let token = ec_sign(es_header("k1"), claims(), &ec_key(0));
    assert_eq!(
        validate(&token, &set, &expected()),
        Err(TokenRefusal::UnknownKey)
    );
    let token = sign(json!({ "alg": "RS256", "kid": "e1" }), claims(), key(0));
    assert_eq!(
        validate(&token, &set, &expected()),
        Err(TokenRefusal::UnknownKey)
    );
    // Only RSA keys published: an ES256 token finds none.
    let token = ec_sign(json!({ "alg": "ES256" }), claims(), &ec_key(0));
    assert_eq!(
        validate(&token, &keys(), &expected()),
        Err(TokenRefusal::UnknownKey)
    );
}

#[test]
fn ec_keys_off_the_curve_on_other_curves_or_for_other_uses_are_skipped() {
    let good = ec_jwk(&ec_key(0), "e1");
    let mut off_curve = good.clone();
    off_curve["y"] = json!(URL_SAFE_NO_PAD.encode([1u8; 32]));
    let mut p384 = good.clone();
    p384["crv"] = json!("P-384");
    let mut encryption = good.clone();
    encryption["use"] = json!("enc");
    let mut other_alg = good.clone();
    other_alg["alg"] = json!("ES384");
    let mut short = good.clone();
    short["x"] = json!("AQAB");
    let set = KeySet::parse(&json!({ "keys": [off_curve, p384, encryption, other_alg, short] }));
    assert!(set.0.is_empty(), "{set:?}");
    assert_eq!(KeySet::parse(&json!({ "keys": [good] })).0.len(), 1);
}
