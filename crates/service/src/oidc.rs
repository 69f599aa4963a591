//! Sign-in through the agency's OpenID Connect provider: the authorization code flow with PKCE
//! (S256), `state` and `nonce`.
//!
//! `start` stores the attempt (state hashed, nonce, PKCE verifier) for ten minutes and hands
//! back the provider's address; the browser also keeps the state in a cookie, so an answer
//! only counts in the browser that asked (no sign-in CSRF). `finish` takes the attempt (once),
//! trades the code for the ID token, checks it, finds the person and signs them in like a
//! password would.
//!
//! People are never created here: the provider's subject is linked to an existing, active user
//! of the provider's agency, by the agency's chosen claim (the verified `email` by default) on
//! first sign-in and by `(issuer, sub)` afterwards.
//!
//! A second factor: the provider replaces the password, not the authenticator. When the
//! user has an authenticator, or their role requires one, the usual second step follows —
//! unless the ID token's `amr` says the provider itself used more than one factor
//! (`mfa`, `otp`, `hwk`, `sc`). That claim is the provider's word, which the agency trusts by
//! choosing it.
//!
//! Every outcome is audited in the provider's agency by code (`session.oidc_sign_in`,
//! `session.oidc_refused` with the reason); an answer whose state we cannot place has no
//! agency to be audited in and is logged by code only.

use crate::auth::{random_secret, token_hash, Secret};
use crate::oidc_provider::{CodeExchange, Discovered, ProviderFault};
use crate::security::SignInStep;
use crate::{Casework, ServiceError, ServiceResult};
use casework_domain::audit::Outcome;
use casework_domain::id_token::{self, constant_time_eq, Expected, IdClaims, TokenRefusal};
use casework_domain::identity_provider::DEFAULT_USER_CLAIM;
use casework_store::identity::{self, Attempt, IdentityProvider, UserIdentity};
use casework_store::user::{self, User};
use casework_store::Wall;
use std::sync::Arc;

/// How long the provider has to send the browser back.
pub const ATTEMPT_MS: i64 = 10 * 60 * 1000;
/// A provider's live attempts are capped at this many addresses' worth (2000 with the default
/// address limit of 50): a flood from many addresses stops there, well above a real morning.
pub const PROVIDER_ADDRESSES: i64 = 40;
/// Clock difference tolerated with the provider, in seconds.
const LEEWAY_SECS: i64 = 60;
/// An ID token is used right after it is issued; older ones are refused.
const MAX_TOKEN_AGE_SECS: i64 = 10 * 60;

/// Why an OpenID Connect sign-in was refused. The code goes to the audit log; the web layer
/// shows a page per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcRefusal {
    /// No provider, or it is switched off.
    NoProvider,
    /// The provider could not be reached, or did not behave as the spec says.
    Unreachable(ProviderFault),
    /// The provider answered with an error (the person cancelled, or was refused there).
    ProviderDenied,
    /// No state, an unknown or spent one, one from another browser, or expired.
    State,
    /// The code was refused or the ID token failed a check.
    Token(TokenRefusal),
    /// The token endpoint refused the code.
    Code,
    /// No active account of the agency matches.
    NoUser,
    /// The matching account is deactivated.
    Disabled,
    /// The matching account is locked after failed sign-ins.
    Locked,
    /// Too many sign-ins started from this address, or for this provider, in the last minutes.
    Throttled,
}

impl OidcRefusal {
    /// The kind the person is shown: one page each.
    pub fn kind(self) -> &'static str {
        match self {
            OidcRefusal::NoProvider | OidcRefusal::Unreachable(_) => "oidc_unreachable",
            OidcRefusal::ProviderDenied => "oidc_provider_denied",
            OidcRefusal::State => "oidc_state",
            OidcRefusal::Token(_) | OidcRefusal::Code => "oidc_token_invalid",
            OidcRefusal::NoUser => "oidc_no_user",
            OidcRefusal::Disabled => "oidc_user_disabled",
            OidcRefusal::Locked => "oidc_user_locked",
            OidcRefusal::Throttled => "oidc_throttled",
        }
    }

    /// The precise reason, for the audit log.
    pub fn reason(self) -> String {
        match self {
            OidcRefusal::Unreachable(f) => format!("provider_{}", f.code()),
            OidcRefusal::Token(t) => format!("token_{}", t.code()),
            other => other.kind().trim_start_matches("oidc_").to_string(),
        }
    }
}

/// Where to send the browser, and the state its cookie must keep.
#[derive(Debug)]
pub struct OidcStart {
    pub authorize_url: String,
    pub state: Secret,
}

/// What the provider sent the browser back with.
#[derive(Debug, Default)]
pub struct OidcAnswer {
    pub state: Option<String>,
    pub code: Option<Secret>,
    /// The provider's `error` parameter, if it refused.
    pub error: Option<String>,
}

/// A refusal waiting to be audited (in the provider's agency, with the user when known).
struct Refused {
    agency_id: Option<i64>,
    user_id: Option<i64>,
    refusal: OidcRefusal,
}

impl From<OidcRefusal> for Refused {
    fn from(refusal: OidcRefusal) -> Self {
        Refused {
            agency_id: None,
            user_id: None,
            refusal,
        }
    }
}

enum Failure {
    Refused(Refused),
    Failed(ServiceError),
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        Failure::Failed(e)
    }
}

impl From<casework_store::StoreError> for Failure {
    fn from(e: casework_store::StoreError) -> Self {
        Failure::Failed(e.into())
    }
}

fn refused(agency_id: i64, user_id: Option<i64>, refusal: OidcRefusal) -> Failure {
    Failure::Refused(Refused {
        agency_id: Some(agency_id),
        user_id,
        refusal,
    })
}

impl Casework {
    async fn enabled_provider(&self, agency_id: i64) -> ServiceResult<Option<IdentityProvider>> {
        let mut conn = self.store.conn(Wall::System).await?;
        Ok(identity::provider(&mut conn, &self.vault, agency_id)
            .await?
            .filter(|p| p.enabled == 1 && !p.client_secret.is_empty()))
    }

    /// Begin a sign-in through `agency_id`'s provider; `redirect_uri` is our callback address
    /// as registered with the provider.
    ///
    /// Starting needs no account, and each start stores a row: the live attempts are capped
    /// per `address` (the peer, as failed password sign-ins are counted by) at the address
    /// failure limit, and per provider at [`PROVIDER_ADDRESSES`] times that. A start over
    /// either cap is refused before anything is stored or fetched, and logged by code only, so
    /// a flood writes neither attempts nor audit entries.
    pub async fn start_oidc_sign_in(
        &self,
        agency_id: i64,
        redirect_uri: &str,
        address: &str,
    ) -> ServiceResult<OidcStart> {
        let now = self.clock.now_ms();
        let Some(p) = self.enabled_provider(agency_id).await? else {
            return Err(ServiceError::SignInRefused(OidcRefusal::NoProvider));
        };
        let (from_address, for_provider) = {
            let mut conn = self.store.conn(Wall::System).await?;
            identity::live_attempts(&mut conn, agency_id, address, now).await?
        };
        let per_address = self.settings.address_failure_limit.max(1);
        if from_address >= per_address || for_provider >= per_address * PROVIDER_ADDRESSES {
            tracing::warn!(
                agency_id,
                per_address = from_address >= per_address,
                "OpenID Connect sign-in starts throttled"
            );
            return Err(ServiceError::SignInRefused(OidcRefusal::Throttled));
        }
        let d = match self.oidc.discover(&p.issuer, now).await {
            Ok(d) => d,
            Err(fault) => {
                let failure = refused(agency_id, None, OidcRefusal::Unreachable(fault));
                return Err(self.settle(failure).await);
            }
        };
        let state = random_secret();
        let nonce = random_secret();
        let verifier = random_secret();
        let mut tx = self.store.begin_write(Wall::System).await?;
        identity::insert_attempt(
            &mut tx,
            &Attempt {
                state_hash: token_hash(&state),
                agency_id,
                nonce: nonce.clone(),
                code_verifier: verifier.clone(),
                created_at: now,
                expires_at: now + ATTEMPT_MS,
            },
            address,
        )
        .await?;
        casework_store::commit(tx).await?;
        let mut url = url::Url::parse(&d.authorization_endpoint).map_err(|_| {
            ServiceError::SignInRefused(OidcRefusal::Unreachable(ProviderFault::Misconfigured))
        })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &p.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", "openid email profile")
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &id_token::pkce_challenge(&verifier))
            .append_pair("code_challenge_method", "S256");
        Ok(OidcStart {
            authorize_url: url.into(),
            state: Secret::new(state),
        })
    }

    /// The provider sent the browser back: check everything, then sign in as a password
    /// would (with the second step where it applies). `cookie_state` is the state the
    /// browser kept when it left.
    pub async fn finish_oidc_sign_in(
        &self,
        answer: &OidcAnswer,
        cookie_state: Option<&Secret>,
        redirect_uri: &str,
        user_agent: Option<&str>,
    ) -> ServiceResult<SignInStep> {
        match self
            .finish(answer, cookie_state, redirect_uri, user_agent)
            .await
        {
            Ok(step) => Ok(step),
            Err(failure) => Err(self.settle(failure).await),
        }
    }

    /// Audit a refusal (or log it, when no agency is known) and hand back the error.
    async fn settle(&self, failure: Failure) -> ServiceError {
        let r = match failure {
            Failure::Failed(e) => return e,
            Failure::Refused(r) => r,
        };
        let reason = r.refusal.reason();
        match r.agency_id {
            Some(agency_id) => {
                let mut event = self.system_event(
                    agency_id,
                    r.user_id,
                    "session.oidc_refused",
                    Outcome::Denied,
                );
                event.record_type = "identity_provider".into();
                event.record_id = Some(agency_id);
                event.reason = Some(reason);
                if let Err(e) = self.audit.record(vec![event]).await {
                    return e;
                }
            }
            None => tracing::warn!(reason = %reason, "OpenID Connect answer refused"),
        }
        ServiceError::SignInRefused(r.refusal)
    }

    async fn finish(
        &self,
        answer: &OidcAnswer,
        cookie_state: Option<&Secret>,
        redirect_uri: &str,
        user_agent: Option<&str>,
    ) -> Result<SignInStep, Failure> {
        let now = self.clock.now_ms();
        let state = answer
            .state
            .as_deref()
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .ok_or(Failure::Refused(OidcRefusal::State.into()))?;
        let same_browser =
            cookie_state.is_some_and(|c| constant_time_eq(c.expose().as_bytes(), state.as_bytes()));
        if !same_browser {
            return Err(Failure::Refused(OidcRefusal::State.into()));
        }
        // A write transaction: a walled read connection on PostgreSQL never commits, and the
        // delete that spends the state must stick.
        let mut tx = self.store.begin_write(Wall::System).await?;
        let attempt = identity::take_attempt(&mut tx, &token_hash(state)).await?;
        casework_store::commit(tx).await?;
        let attempt = attempt.ok_or(Failure::Refused(OidcRefusal::State.into()))?;
        let agency_id = attempt.agency_id;
        if attempt.expires_at <= now {
            return Err(refused(agency_id, None, OidcRefusal::State));
        }
        if answer.error.is_some() {
            return Err(refused(agency_id, None, OidcRefusal::ProviderDenied));
        }
        let Some(code) = answer.code.as_ref().filter(|c| !c.expose().is_empty()) else {
            return Err(refused(agency_id, None, OidcRefusal::Code));
        };
        let Some(p) = self.enabled_provider(agency_id).await? else {
            return Err(refused(agency_id, None, OidcRefusal::NoProvider));
        };
        let unreachable = |f: ProviderFault| match f {
            ProviderFault::CodeRefused => refused(agency_id, None, OidcRefusal::Code),
            other => refused(agency_id, None, OidcRefusal::Unreachable(other)),
        };
        let d = self
            .oidc
            .discover(&p.issuer, now)
            .await
            .map_err(unreachable)?;
        let exchange = CodeExchange {
            code: code.expose(),
            redirect_uri,
            code_verifier: &attempt.code_verifier,
            client_id: &p.client_id,
            client_secret: &p.client_secret,
        };
        let token = self
            .oidc
            .exchange(&d, &exchange)
            .await
            .map_err(unreachable)?;
        let claims = self
            .checked_claims(&p, d, &token, &attempt.nonce, now)
            .await
            .map_err(|r| refused(agency_id, None, r))?;
        let (u, new_link) = self.linked_user(&p, &claims, now).await?;
        let mut tx = self.store.begin_write(Wall::Agency(agency_id)).await?;
        match &new_link {
            Some(link) => identity::link(&mut tx, link).await?,
            None => identity::identity_used(&mut tx, &p.issuer, &claims.subject, now).await?,
        }
        let mfa = claims.multi_factor();
        let mut event = self.system_event(
            agency_id,
            Some(u.id),
            "session.oidc_sign_in",
            Outcome::Allowed,
        );
        event.reason = Some(
            match (new_link.is_some(), mfa) {
                (true, true) => "linked,amr_mfa",
                (true, false) => "linked",
                (false, true) => "amr_mfa",
                (false, false) => "known",
            }
            .into(),
        );
        casework_store::audit::append(&mut tx, agency_id, vec![event]).await?;
        Ok(self
            .after_first_factor(tx, &u, user_agent, mfa, "session.oidc_accepted")
            .await?)
    }

    /// Validate the ID token, fetching the keys again once if it names one we do not know.
    async fn checked_claims(
        &self,
        p: &IdentityProvider,
        d: Arc<Discovered>,
        token: &str,
        nonce: &str,
        now: i64,
    ) -> Result<IdClaims, OidcRefusal> {
        let kid = id_token::key_id(token).map_err(OidcRefusal::Token)?;
        let d = match kid {
            Some(kid) if !d.keys.has_kid(&kid) => self
                .oidc
                .refresh_keys(&p.issuer, &d, now)
                .await
                .map_err(OidcRefusal::Unreachable)?,
            _ => d,
        };
        let expected = Expected {
            issuer: &p.issuer,
            client_id: &p.client_id,
            nonce,
            now: now.div_euclid(1000),
            leeway: LEEWAY_SECS,
            max_age: MAX_TOKEN_AGE_SECS,
        };
        id_token::validate(token, &d.keys, &expected).map_err(OidcRefusal::Token)
    }

    /// The existing user the token speaks for: by `(issuer, sub)` once linked, else by the
    /// agency's claim (the link to write is handed back). Active, not locked, of the
    /// provider's agency. Reads only: the caller writes in the session's transaction.
    async fn linked_user(
        &self,
        p: &IdentityProvider,
        claims: &IdClaims,
        now: i64,
    ) -> Result<(User, Option<UserIdentity>), Failure> {
        let agency_id = p.agency_id;
        let mut conn = self.store.conn(Wall::System).await?;
        let linked = identity::identity(&mut conn, &p.issuer, &claims.subject).await?;
        let (u, new_link) = match linked {
            Some(link) => {
                let u = user::by_id(&mut conn, link.user_id)
                    .await?
                    .filter(|u| u.agency_id == agency_id && link.agency_id == agency_id);
                let Some(u) = u else {
                    return Err(refused(agency_id, None, OidcRefusal::NoUser));
                };
                (u, None)
            }
            None => {
                let value = if p.user_claim == DEFAULT_USER_CLAIM {
                    claims.verified_email()
                } else {
                    claims.text(&p.user_claim)
                };
                let Some(value) = value.map(|v| v.trim().to_lowercase()) else {
                    return Err(refused(agency_id, None, OidcRefusal::NoUser));
                };
                let u = user::by_email(&mut conn, &value)
                    .await?
                    .filter(|u| u.agency_id == agency_id);
                let Some(u) = u else {
                    return Err(refused(agency_id, None, OidcRefusal::NoUser));
                };
                // Another subject of this issuer already holds the account: a new subject
                // with the same email does not take it over.
                if identity::identity_of_user(&mut conn, u.id, &p.issuer)
                    .await?
                    .is_some()
                {
                    return Err(refused(agency_id, Some(u.id), OidcRefusal::NoUser));
                }
                let link = UserIdentity {
                    issuer: p.issuer.clone(),
                    subject: claims.subject.clone(),
                    agency_id,
                    user_id: u.id,
                    created_at: now,
                    last_used_at: now,
                };
                (u, Some(link))
            }
        };
        drop(conn);
        if u.active != 1 {
            return Err(refused(agency_id, Some(u.id), OidcRefusal::Disabled));
        }
        if self.check_throttle(&u.email, "").await.is_err() {
            return Err(refused(agency_id, Some(u.id), OidcRefusal::Locked));
        }
        Ok((u, new_link))
    }
}
