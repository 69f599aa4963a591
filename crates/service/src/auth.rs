//! Sign-in, sessions and API tokens. Secrets are random, shown once, and stored only as hashes.

use crate::{Act, Actor, Casework, Cursor, Page, ServiceError, ServiceResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use casework_domain::audit::{Event, Outcome};
use casework_domain::Role;
use casework_store::session::{self, ApiToken, Session};
use casework_store::user::{self, User};
use casework_store::Wall;
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

/// An id to show a session by: random, unrelated to its token.
fn random_public_id() -> String {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn random_secret() -> String {
    random_token()
}

pub(crate) fn token_hash(token: &str) -> String {
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

pub(crate) fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The password rule without knowing whose password it is (seeding, demo accounts): see
/// [`casework_domain::password::NewPassword`], which user creation and password changes use
/// with the person's details.
pub fn check_password_strength(password: &str) -> Result<(), ServiceError> {
    casework_domain::password::NewPassword::parse(password, &[])?;
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
    /// The session's public id (what the sessions list shows), never its token.
    pub session_id: String,
}

/// What a successful sign-in hands back; the token goes into a cookie and nowhere else.
#[derive(Debug)]
pub struct NewSession {
    pub token: Secret,
    pub csrf_token: Secret,
    pub principal: Principal,
    pub session_id: String,
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
    pub(crate) fn system_event(
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
            subjects: Vec::new(),
        }
    }

    /// Check email and password and open a session, for callers that cannot offer a second
    /// step (tools, tests): an account that needs one is refused as unauthenticated.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &Secret,
        address: &str,
    ) -> ServiceResult<NewSession> {
        match self.begin_sign_in(email, password, address, None).await? {
            crate::security::SignInStep::Done(s) => Ok(s),
            _ => Err(ServiceError::Unauthenticated),
        }
    }

    fn throttle_keys(email: &str, address: &str) -> (String, String) {
        (format!("account:{email}"), format!("address:{address}"))
    }

    /// Refuse while the account or the address is locked.
    pub(crate) async fn check_throttle(&self, email: &str, address: &str) -> ServiceResult<()> {
        let now = self.clock.now_ms();
        let (account_key, address_key) = Self::throttle_keys(email, address);
        let mut conn = self.store.conn(Wall::System).await?;
        // An empty address: an action from a signed-in session, counted per account only.
        let keys = if address.is_empty() {
            vec![account_key]
        } else {
            vec![account_key, address_key]
        };
        for key in &keys {
            if let Some(until) = session::locked_until(&mut conn, key).await? {
                if until > now {
                    return Err(ServiceError::Throttled {
                        retry_after_secs: (until - now + 999) / 1000,
                    });
                }
            }
        }
        Ok(())
    }

    /// Count a failed attempt (wrong password or wrong code) against account and address.
    pub(crate) async fn count_failure(
        &self,
        tx: &mut casework_store::Tx,
        email: &str,
        address: &str,
    ) -> ServiceResult<()> {
        let now = self.clock.now_ms();
        let (account_key, address_key) = Self::throttle_keys(email, address);
        let s = &self.settings;
        let window = s.lockout.as_millis() as i64;
        session::record_failure(
            tx,
            &account_key,
            now,
            window,
            s.account_failure_limit,
            window,
        )
        .await?;
        if !address.is_empty() {
            session::record_failure(
                tx,
                &address_key,
                now,
                window,
                s.address_failure_limit,
                window,
            )
            .await?;
        }
        Ok(())
    }

    /// The account behind a correct email and password, throttled per account and per address.
    pub(crate) async fn check_password(
        &self,
        email: &str,
        password: &Secret,
        address: &str,
    ) -> ServiceResult<User> {
        let email = email.trim().to_lowercase();
        self.check_throttle(&email, address).await?;
        let mut conn = self.store.conn(Wall::System).await?;
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
        match found.filter(|_| ok) {
            Some(u) => Ok(u),
            None => {
                let mut tx = self.store.begin_write(Wall::System).await?;
                self.count_failure(&mut tx, &email, address).await?;
                casework_store::commit(tx).await?;
                Err(ServiceError::BadCredentials)
            }
        }
    }

    /// A full session for a user who has passed every step of sign-in, in the caller's
    /// transaction (which also clears the account's failures and writes the audit entry).
    pub(crate) async fn open_session(
        &self,
        tx: &mut casework_store::Tx,
        u: &User,
        user_agent: Option<&str>,
    ) -> ServiceResult<NewSession> {
        let now = self.clock.now_ms();
        session::clear_failures(tx, &format!("account:{}", u.email)).await?;
        let token = random_token();
        let csrf = random_token();
        let public_id = random_public_id();
        session::insert(
            tx,
            &Session {
                token_hash: token_hash(&token),
                agency_id: u.agency_id,
                user_id: u.id,
                csrf_token: csrf.clone(),
                created_at: now,
                last_seen_at: now,
                public_id: public_id.clone(),
                user_agent: user_agent.map(str::to_string),
            },
        )
        .await?;
        let event = self.system_event(u.agency_id, Some(u.id), "session.sign_in", Outcome::Allowed);
        casework_store::audit::append(tx, u.agency_id, vec![event]).await?;
        Ok(NewSession {
            token: Secret(token),
            csrf_token: Secret(csrf),
            principal: principal_of(u)?,
            session_id: public_id,
        })
    }

    /// The session behind a cookie, if it is still live; refreshes its idle timer.
    pub async fn session(&self, token: &Secret) -> ServiceResult<SignedIn> {
        let now = self.clock.now_ms();
        let hash = token_hash(token.expose());
        let mut conn = self.store.conn(Wall::System).await?;
        let (s, u) = session::with_user(&mut conn, &hash)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let idle = self.settings.session_idle.as_millis() as i64;
        let absolute = self.settings.session_absolute.as_millis() as i64;
        if now - s.last_seen_at > idle || now - s.created_at > absolute {
            session::delete(&mut conn, &hash).await?;
            return Err(ServiceError::Unauthenticated);
        }
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
            session_id: s.public_id,
        })
    }

    pub async fn sign_out(&self, token: &Secret) -> ServiceResult<()> {
        let hash = token_hash(token.expose());
        let mut tx = self.store.begin_write(Wall::System).await?;
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
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
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
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
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

    /// The actor's own tokens, revoked ones included, newest first, a page at a time.
    pub async fn tokens(
        &self,
        actor: &Actor,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<ApiToken>> {
        let limit = crate::page::limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows =
            session::tokens_of(&mut conn, actor.user_id, cursor.map(|c| c.0), limit + 1).await?;
        Ok(crate::page::page_of(rows, limit, |t| t.id))
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> ServiceResult<()> {
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
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
        let mut conn = self.store.conn(Wall::System).await?;
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
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        user::set_locale(&mut conn, actor.user_id, &locale).await?;
        Ok(())
    }
}
