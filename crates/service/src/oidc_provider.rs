//! Talking to identity providers over HTTP: discovery (`/.well-known/openid-configuration`),
//! the signing keys (JWKS, cached, fetched again when a token names a key we do not know, at
//! most once a minute per provider) and the token endpoint. Timeouts are short: a person is waiting at the other end.

use casework_domain::id_token::KeySet;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long discovery and keys are trusted before they are fetched again.
const CACHE_MS: i64 = 60 * 60 * 1000;
/// The keys are fetched again for an unknown `kid` at most this often per provider: tokens
/// naming keys nobody publishes must not make us hammer the provider (or wait on it).
pub const KEY_REFETCH_MS: i64 = 60 * 1000;

/// Why a provider could not be used. Codes go into the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderFault {
    /// Not reachable, timed out, or answered with something that is not what the spec says.
    Unreachable,
    /// Its discovery document names another issuer, or an endpoint we will not call.
    Misconfigured,
    /// The token endpoint refused the code.
    CodeRefused,
}

impl ProviderFault {
    pub fn code(self) -> &'static str {
        match self {
            ProviderFault::Unreachable => "unreachable",
            ProviderFault::Misconfigured => "misconfigured",
            ProviderFault::CodeRefused => "code_refused",
        }
    }
}

/// What discovery says about a provider, and its current keys.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    /// `client_secret_basic` unless the provider supports only `client_secret_post`.
    pub basic_auth: bool,
    pub keys: KeySet,
    fetched_at: i64,
}

/// The HTTP client and the per-issuer cache, shared by every request.
pub struct Providers {
    http: reqwest::Client,
    cache: Mutex<HashMap<String, Arc<Discovered>>>,
    /// When each issuer's keys were last fetched again for an unknown `kid`.
    refetched: Mutex<HashMap<String, i64>>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Providers")
    }
}

/// Endpoints are https, or plain http on this machine only (as issuers are).
fn usable_endpoint(url: &str) -> bool {
    let base = url.split(['?', '#']).next().unwrap_or_default();
    casework_domain::identity_provider::parse_issuer("endpoint", base).is_ok()
}

#[derive(serde::Deserialize)]
struct DiscoveryDocument {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// The token endpoint's answer; only the ID token matters here (no API is called with the
/// access token).
#[derive(serde::Deserialize)]
struct TokenResponse {
    id_token: String,
}

/// What the token endpoint needs to trade a code for tokens.
pub struct CodeExchange<'a> {
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub code_verifier: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Providers {
    pub fn new() -> Providers {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // A redirect from a token endpoint would carry the code somewhere we did not choose.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Casework")
            .build()
            .unwrap_or_default();
        Providers {
            http,
            cache: Mutex::new(HashMap::new()),
            refetched: Mutex::new(HashMap::new()),
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<T, ProviderFault> {
        let res = self
            .http
            .get(url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|_| ProviderFault::Unreachable)?;
        if !res.status().is_success() {
            return Err(ProviderFault::Unreachable);
        }
        res.json().await.map_err(|_| ProviderFault::Unreachable)
    }

    async fn keys(&self, jwks_uri: &str) -> Result<KeySet, ProviderFault> {
        let jwks: serde_json::Value = self.get_json(jwks_uri).await?;
        Ok(KeySet::parse(&jwks))
    }

    async fn fetch(&self, issuer: &str, now: i64) -> Result<Discovered, ProviderFault> {
        let doc: DiscoveryDocument = self
            .get_json(&format!("{issuer}/.well-known/openid-configuration"))
            .await?;
        // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
        if doc.issuer.trim_end_matches('/') != issuer {
            return Err(ProviderFault::Misconfigured);
        }
        let endpoints = [
            &doc.authorization_endpoint,
            &doc.token_endpoint,
            &doc.jwks_uri,
        ];
        if !endpoints.iter().all(|e| usable_endpoint(e)) {
            return Err(ProviderFault::Misconfigured);
        }
        let methods = doc
            .token_endpoint_auth_methods_supported
            .unwrap_or_default();
        let basic_auth = methods.is_empty() || methods.iter().any(|m| m == "client_secret_basic");
        let keys = self.keys(&doc.jwks_uri).await?;
        Ok(Discovered {
            authorization_endpoint: doc.authorization_endpoint,
            token_endpoint: doc.token_endpoint,
            jwks_uri: doc.jwks_uri,
            basic_auth,
            keys,
            fetched_at: now,
        })
    }

    /// The provider's endpoints and keys, from the cache while fresh.
    pub async fn discover(&self, issuer: &str, now: i64) -> Result<Arc<Discovered>, ProviderFault> {
        if let Some(d) = self.cache.lock().await.get(issuer) {
            if now - d.fetched_at < CACHE_MS && now >= d.fetched_at {
                return Ok(d.clone());
            }
        }
        let d = Arc::new(self.fetch(issuer, now).await?);
        self.cache
            .lock()
            .await
            .insert(issuer.to_string(), d.clone());
        Ok(d)
    }

    /// Fetch the keys again (a token names a key we do not have: the provider rotated) — unless
    /// that was done for this issuer less than [`KEY_REFETCH_MS`] ago: then the keys we hold
    /// (the newest cached) answer, and a token naming another key is refused as unknown.
    pub async fn refresh_keys(
        &self,
        issuer: &str,
        known: &Arc<Discovered>,
        now: i64,
    ) -> Result<Arc<Discovered>, ProviderFault> {
        {
            let mut refetched = self.refetched.lock().await;
            let recent = refetched
                .get(issuer)
                .is_some_and(|at| now >= *at && now - at < KEY_REFETCH_MS);
            if recent {
                drop(refetched);
                let cached = self.cache.lock().await.get(issuer).cloned();
                return Ok(cached.unwrap_or_else(|| known.clone()));
            }
            // Taken before the fetch, so that requests arriving meanwhile do not fetch too.
            refetched.insert(issuer.to_string(), now);
        }
        let keys = self.keys(&known.jwks_uri).await?;
        let d = Arc::new(Discovered {
            keys,
            fetched_at: now,
            ..(**known).clone()
        });
        self.cache
            .lock()
            .await
            .insert(issuer.to_string(), d.clone());
        Ok(d)
    }

    /// Trade the authorization code for the ID token.
    pub async fn exchange(
        &self,
        d: &Discovered,
        x: &CodeExchange<'_>,
    ) -> Result<String, ProviderFault> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", x.code),
            ("redirect_uri", x.redirect_uri),
            ("code_verifier", x.code_verifier),
            ("client_id", x.client_id),
        ];
        let mut req = self.http.post(&d.token_endpoint);
        if d.basic_auth {
            // RFC 6749 §2.3.1: both parts form-encoded before base64.
            use base64::Engine;
            let pair = format!(
                "{}:{}",
                form_encode(x.client_id),
                form_encode(x.client_secret)
            );
            let value = base64::engine::general_purpose::STANDARD.encode(pair);
            req = req.header("Authorization", format!("Basic {value}"));
        } else {
            form.push(("client_secret", x.client_secret));
        }
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let res = req
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|_| ProviderFault::Unreachable)?;
        if res.status().is_client_error() {
            return Err(ProviderFault::CodeRefused);
        }
        if !res.status().is_success() {
            return Err(ProviderFault::Unreachable);
        }
        let tokens: TokenResponse = res.json().await.map_err(|_| ProviderFault::CodeRefused)?;
        Ok(tokens.id_token)
    }
}

impl Default for Providers {
    fn default() -> Self {
        Providers::new()
    }
}
