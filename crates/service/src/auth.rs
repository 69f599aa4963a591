//! Sign-in, sessions and API tokens. Secrets are random, shown once, and stored only as hashes.

use crate::{Act, Actor, Casework, ServiceError, ServiceResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use casework_domain::audit::{Event, Outcome};
use casework_domain::Role;
use casework_store::session::{self, ApiToken, Session};
use casework_store::user::{self, User};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A secret string that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| {
            ServiceError::Invalid(casework_domain::Invalid::new(
                "password",
                "password_unusable",
            ))
        })
}

/// A real hash to check against when the account does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A minimal strength rule until the fuller check arrives: long enough, not all one kind.
pub fn check_password_strength(password: &str) -> Result<(), casework_domain::Invalid> {
    let len = password.chars().count();
    if len < 12 {
        return Err(casework_domain::Invalid::new(
            "password",
            "password_too_short",
        ));
    }
    if len > 256 {
        return Err(casework_domain::Invalid::new("password", "too_long"));
    }
    let distinct: std::collections::BTreeSet<char> = password.chars().collect();
    if distinct.len() < 5 {
        return Err(casework_domain::Invalid::new(
            "password",
            "password_too_simple",
        ));
    }
    Ok(())
}

/// A signed-in person: the actor the policy sees, plus what pages show.
#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    pub email: String,
    pub display_name: String,
    pub locale: String,
}

/// A live browser session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub principal: Principal,
    pub csrf_token: Secret,
}

/// What a successful sign-in hands back; the token goes into a cookie and nowhere else.
#[derive(Debug)]
pub struct NewSession {
    pub token: Secret,
    pub csrf_token: Secret,
    pub principal: Principal,
}

pub(crate) fn principal_of(u: &User) -> ServiceResult<Principal> {
    let role: Role = u.role.parse().map_err(|_| {
        ServiceError::Store(casework_store::StoreError::Corrupt(format!(
            "role of user {}",
            u.id
        )))
    })?;
    Ok(Principal {
        actor: Actor {
            user_id: u.id,
            agency_id: u.agency_id,
            role,
            team_id: u.team_id,
        },
        email: u.email.clone(),
        display_name: u.display_name.clone(),
        locale: u.locale.clone(),
    })
}

impl Casework {
    fn system_event(
        &self,
        agency_id: i64,
        user_id: Option<i64>,
        action: &str,
        outcome: Outcome,
    ) -> Event {
        Event {
            agency_id,
            at_ms: self.clock.now_ms(),
            actor_user_id: user_id,
            action: action.to_string(),
            record_type: "user".into(),
            record_id: user_id,
            client_id: None,
            outcome,
            reason: None,
        }
    }

    /// Check email and password; throttled per account and per network address.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &Secret,
        address: &str,
    ) -> ServiceResult<NewSession> {
        let now = self.clock.now_ms();
        let email = email.trim().to_lowercase();
        let account_key = format!("account:{email}");
        let address_key = format!("address:{address}");
        let mut conn = self.store.conn().await?;
        for key in [&account_key, &address_key] {
            if let Some(until) = session::locked_until(&mut conn, key).await? {
                if until > now {
                    return Err(ServiceError::Throttled {
                        retry_after_secs: (until - now + 999) / 1000,
                    });
                }
            }
        }
        let found = user::by_email(&mut conn, &email).await?;
        drop(conn);
        // Hash even when the account is unknown, so timing does not reveal which emails exist.
        let ok = match &found {
            Some(u) => u.active == 1 && password_matches(password.expose(), &u.password_hash),
            None => {
                let _ = password_matches(password.expose(), dummy_hash());
                false
            }
        };
        let mut tx = self.store.begin_write().await?;
        let Some(u) = found.filter(|_| ok) else {
            let s = &self.settings;
            let window = s.lockout.as_millis() as i64;
            session::record_failure(
                &mut tx,
                &account_key,
                now,
                window,
                s.account_failure_limit,
                window,
            )
            .await?;
            session::record_failure(
                &mut tx,
                &address_key,
                now,
                window,
                s.address_failure_limit,
                window,
            )
            .await?;
            casework_store::commit(tx).await?;
            return Err(ServiceError::BadCredentials);
        };
        session::clear_failures(&mut tx, &account_key).await?;
        let token = random_token();
        let csrf = random_token();
        session::insert(
            &mut tx,
            &Session {
                token_hash: token_hash(&token),
                agency_id: u.agency_id,
                user_id: u.id,
                csrf_token: csrf.clone(),
                created_at: now,
                last_seen_at: now,
            },
        )
        .await?;
        let event = self.system_event(u.agency_id, Some(u.id), "session.sign_in", Outcome::Allowed);
        casework_store::audit::append(&mut tx, u.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(NewSession {
            token: Secret(token),
            csrf_token: Secret(csrf),
            principal: principal_of(&u)?,
        })
    }

    /// The session behind a cookie, if it is still live; refreshes its idle timer.
    pub async fn session(&self, token: &Secret) -> ServiceResult<SignedIn> {
        let now = self.clock.now_ms();
        let hash = token_hash(token.expose());
        let mut conn = self.store.conn().await?;
        let s = session::by_hash(&mut conn, &hash)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let idle = self.settings.session_idle.as_millis() as i64;
        let absolute = self.settings.session_absolute.as_millis() as i64;
        if now - s.last_seen_at > idle || now - s.created_at > absolute {
            session::delete(&mut conn, &hash).await?;
            return Err(ServiceError::Unauthenticated);
        }
        let u = user::by_id(&mut conn, s.user_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if u.active != 1 {
            return Err(ServiceError::Unauthenticated);
        }
        // Touch at most once a minute: a write per request would serialize every reader on SQLite.
        if now - s.last_seen_at > 60_000 {
            session::touch(&mut conn, &hash, now).await?;
        }
        Ok(SignedIn {
            principal: principal_of(&u)?,
            csrf_token: Secret(s.csrf_token),
        })
    }

    pub async fn sign_out(&self, token: &Secret) -> ServiceResult<()> {
        let hash = token_hash(token.expose());
        let mut tx = self.store.begin_write().await?;
        if let Some(s) = session::by_hash(&mut tx, &hash).await? {
            session::delete(&mut tx, &hash).await?;
            let event = self.system_event(
                s.agency_id,
                Some(s.user_id),
                "session.sign_out",
                Outcome::Allowed,
            );
            casework_store::audit::append(&mut tx, s.agency_id, vec![event]).await?;
        }
        casework_store::commit(tx).await?;
        Ok(())
    }

    /// End every session of this user, on every device.
    pub async fn sign_out_everywhere(&self, actor: &Actor) -> ServiceResult<u64> {
        let mut tx = self.store.begin_write().await?;
        let n = session::delete_for_user(&mut tx, actor.user_id).await?;
        let event = self.event(
            actor,
            Act {
                action: "session.sign_out_everywhere",
                record_type: "user",
                record_id: Some(actor.user_id),
                client_id: None,
            },
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(n)
    }

    /// A new API token for the actor's own account. The token is returned once and never again.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
    ) -> ServiceResult<(ApiToken, Secret)> {
        let name = casework_domain::text::required("name", name, 100)?;
        let token = format!("cw_{}", random_token());
        let now = self.clock.now_ms();
        let mut tx = self.store.begin_write().await?;
        let row = session::insert_token(
            &mut tx,
            actor.agency_id,
            actor.user_id,
            &name,
            &token_hash(&token),
            now,
        )
        .await?;
        let event = self.event(
            actor,
            Act {
                action: "token.create",
                record_type: "api_token",
                record_id: Some(row.id),
                client_id: None,
            },
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok((row, Secret(token)))
    }

    pub async fn tokens(&self, actor: &Actor) -> ServiceResult<Vec<ApiToken>> {
        let mut conn = self.store.conn().await?;
        Ok(session::tokens_of(&mut conn, actor.user_id).await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> ServiceResult<()> {
        let mut tx = self.store.begin_write().await?;
        if !session::revoke_token(&mut tx, actor.user_id, id, self.clock.now_ms()).await? {
            return Err(ServiceError::NotFound);
        }
        let event = self.event(
            actor,
            Act {
                action: "token.revoke",
                record_type: "api_token",
                record_id: Some(id),
                client_id: None,
            },
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(())
    }

    /// The user behind a bearer token, if it is live.
    pub async fn token_principal(&self, token: &Secret) -> ServiceResult<Principal> {
        let mut conn = self.store.conn().await?;
        let t = session::token_by_hash(&mut conn, &token_hash(token.expose()))
            .await?
            .filter(|t| t.revoked_at.is_none())
            .ok_or(ServiceError::Unauthenticated)?;
        let u = user::by_id(&mut conn, t.user_id)
            .await?
            .filter(|u| u.active == 1)
            .ok_or(ServiceError::Unauthenticated)?;
        let now = self.clock.now_ms();
        if t.last_used_at.is_none_or(|at| now - at > 60_000) {
            session::token_used(&mut conn, t.id, now).await?;
        }
        principal_of(&u)
    }

    pub async fn set_locale(&self, actor: &Actor, locale: &str) -> ServiceResult<()> {
        let locale = casework_domain::client::parse_language("locale", locale)?;
        let mut conn = self.store.conn().await?;
        user::set_locale(&mut conn, actor.user_id, &locale).await?;
        Ok(())
    }
}
