//! An OpenID Connect provider for tests: a small axum app on 127.0.0.1 (port 0) serving
//! discovery, JWKS, authorize (which sends the browser straight back with a code) and the token
//! endpoint, signing real RS256 (or, when told, ES256) ID tokens. What it puts in the next token (or how it misbehaves)
//! is set through [`TestProvider::set`].

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub const CLIENT_ID: &str = "casework-test";
pub const CLIENT_SECRET: &str = "s3cret: with & odd = characters";

/// Two keys for every provider of the test binary: generating RSA keys takes a while.
fn key(which: usize) -> &'static RsaPrivateKey {
    static KEYS: OnceLock<Vec<RsaPrivateKey>> = OnceLock::new();
    &KEYS.get_or_init(|| {
        (0..2)
            .map(|_| RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("rsa key"))
            .collect()
    })[which]
}

/// Two P-256 keys, fixed (test constants, not secrets).
fn ec_key(which: usize) -> p256::ecdsa::SigningKey {
    let scalar = [u8::try_from(which).unwrap_or(0) + 1; 32];
    p256::ecdsa::SigningKey::from_slice(&scalar).expect("a scalar below the order")
}

fn ec_jwk(key: &p256::ecdsa::SigningKey, kid: &str) -> Value {
    let point = key.verifying_key().to_encoded_point(false);
    json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
        "x": URL_SAFE_NO_PAD.encode(point.x().map(|x| x.as_slice()).unwrap_or_default()),
        "y": URL_SAFE_NO_PAD.encode(point.y().map(|y| y.as_slice()).unwrap_or_default()),
    })
}

fn jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
    })
}

/// What the next ID token says, and how the provider behaves.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub amr: Vec<String>,
    /// The provider's "now", Unix seconds: tokens are issued at it.
    pub now: i64,
    /// Seconds from `now` to `exp`.
    pub lifetime: i64,
    /// Replace the audience, issuer or nonce the token would carry.
    pub audience: Option<String>,
    pub issuer: Option<String>,
    pub nonce: Option<String>,
    /// Sign with the second key while the JWKS publishes the first under the same `kid`.
    pub forge_signature: bool,
    /// Sign ES256 with a P-256 key (the JWKS then publishes that key) instead of RS256.
    pub es256: bool,
    /// The key id tokens are signed under; the JWKS publishes `published_kids`.
    pub kid: String,
    pub published_kids: Vec<String>,
    /// Answer the authorization request with `error=access_denied`.
    pub deny: bool,
    /// Answer every request with 503.
    pub down: bool,
}

impl Behaviour {
    fn new(now: i64) -> Behaviour {
        Behaviour {
            subject: "subject-1".into(),
            email: None,
            email_verified: true,
            amr: vec!["pwd".into()],
            now,
            lifetime: 300,
            audience: None,
            issuer: None,
            nonce: None,
            forge_signature: false,
            es256: false,
            kid: "key-1".into(),
            published_kids: vec!["key-1".into()],
            deny: false,
            down: false,
        }
    }
}

struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct Inner {
    issuer: String,
    behaviour: Behaviour,
    grants: HashMap<String, Grant>,
    jwks_fetches: usize,
    next_code: u64,
    /// How the client authenticated at the token endpoint last time ("basic" or "post").
    last_auth: Option<&'static str>,
}

type Shared = Arc<Mutex<Inner>>;

/// A running test provider; it stops when dropped.
pub struct TestProvider {
    pub issuer: String,
    inner: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(inner: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(|e| e.into_inner())
}

impl TestProvider {
    /// Start a provider whose clock reads `now_ms` (the service's test clock).
    pub async fn start(now_ms: i64) -> TestProvider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind test provider");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let inner = Arc::new(Mutex::new(Inner {
            issuer: issuer.clone(),
            behaviour: Behaviour::new(now_ms.div_euclid(1000)),
            grants: HashMap::new(),
            jwks_fetches: 0,
            next_code: 1,
            last_auth: None,
        }));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestProvider {
            issuer,
            inner,
            task,
        }
    }

    /// Change what the next token says.
    pub fn set(&self, change: impl FnOnce(&mut Behaviour)) {
        change(&mut lock(&self.inner).behaviour);
    }

    pub fn jwks_fetches(&self) -> usize {
        lock(&self.inner).jwks_fetches
    }

    pub fn last_client_auth(&self) -> Option<&'static str> {
        lock(&self.inner).last_auth
    }

    /// Play the browser at the provider: follow the authorization URL and return where the
    /// provider sends the browser back (the callback address with `code` and `state`).
    pub async fn authorize(authorize_url: &str) -> String {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let res = client.get(authorize_url).send().await.expect("authorize");
        assert_eq!(
            res.status(),
            reqwest::StatusCode::SEE_OTHER,
            "authorize answer"
        );
        res.headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .expect("location")
            .to_string()
    }

    /// The query parameters of a callback address.
    pub fn query_of(callback: &str) -> HashMap<String, String> {
        url::Url::parse(callback)
            .expect("callback url")
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

fn unavailable() -> Response {
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

async fn discovery(State(inner): State<Shared>) -> Response {
    let i = lock(&inner);
    if i.behaviour.down {
        return unavailable();
    }
    let iss = &i.issuer;
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
    .into_response()
}

async fn jwks(State(inner): State<Shared>) -> Response {
    let mut i = lock(&inner);
    if i.behaviour.down {
        return unavailable();
    }
    i.jwks_fetches += 1;
    let es256 = i.behaviour.es256;
    let keys: Vec<Value> = i
        .behaviour
        .published_kids
        .iter()
        .map(|kid| {
            if es256 {
                ec_jwk(&ec_key(0), kid)
            } else {
                jwk(key(0), kid)
            }
        })
        .collect();
    Json(json!({ "keys": keys })).into_response()
}

#[derive(serde::Deserialize)]
struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    code_challenge_method: String,
}

async fn authorize(State(inner): State<Shared>, Query(q): Query<AuthorizeQuery>) -> Response {
    let mut i = lock(&inner);
    if q.response_type != "code" || q.client_id != CLIENT_ID || q.code_challenge_method != "S256" {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let mut back = match url::Url::parse(&q.redirect_uri) {
        Ok(u) => u,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    if i.behaviour.deny {
        back.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", &q.state);
        return Redirect::to(back.as_str()).into_response();
    }
    let code = format!("code-{}", i.next_code);
    i.next_code += 1;
    i.grants.insert(
        code.clone(),
        Grant {
            nonce: q.nonce,
            challenge: q.code_challenge,
            redirect_uri: q.redirect_uri,
        },
    );
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q.state);
    Redirect::to(back.as_str()).into_response()
}

#[derive(serde::Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let decoded = STANDARD.decode(value.strip_prefix("Basic ")?).ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    let (id, secret) = pair.split_once(':')?;
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

fn refuse(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

async fn token(
    State(inner): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Response {
    let mut i = lock(&inner);
    if i.behaviour.down {
        return unavailable();
    }
    let (auth, credentials) = match basic_credentials(&headers) {
        Some(c) => ("basic", Some(c)),
        None => ("post", f.client_id.clone().zip(f.client_secret.clone())),
    };
    if credentials != Some((CLIENT_ID.to_string(), CLIENT_SECRET.to_string())) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    i.last_auth = Some(auth);
    if f.grant_type != "authorization_code" {
        return refuse("unsupported_grant_type");
    }
    // A code is good once.
    let Some(grant) = i.grants.remove(&f.code) else {
        return refuse("invalid_grant");
    };
    let challenge = casework_domain::id_token::pkce_challenge(&f.code_verifier);
    if challenge != grant.challenge || f.redirect_uri != grant.redirect_uri {
        return refuse("invalid_grant");
    }
    let b = &i.behaviour;
    let mut claims = json!({
        "iss": b.issuer.clone().unwrap_or_else(|| i.issuer.clone()),
        "aud": b.audience.clone().unwrap_or_else(|| CLIENT_ID.to_string()),
        "sub": b.subject,
        "nonce": b.nonce.clone().unwrap_or(grant.nonce),
        "iat": b.now,
        "exp": b.now + b.lifetime,
        "amr": b.amr,
    });
    if let Some(email) = &b.email {
        claims["email"] = json!(email);
        claims["email_verified"] = json!(b.email_verified);
    }
    let alg = if b.es256 { "ES256" } else { "RS256" };
    let header = json!({ "alg": alg, "typ": "JWT", "kid": b.kid });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let which = usize::from(b.forge_signature);
    let signature: Vec<u8> = if b.es256 {
        // JWS form: r ‖ s.
        let signature: p256::ecdsa::Signature = ec_key(which).sign(input.as_bytes());
        signature.to_bytes().to_vec()
    } else {
        let signer = SigningKey::<Sha256>::new(key(which).clone());
        signer.sign(input.as_bytes()).to_vec()
    };
    let id_token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
    Json(json!({
        "access_token": "opaque",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}
