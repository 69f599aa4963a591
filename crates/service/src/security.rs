//! Sign-in security: the second step after the password (TOTP or a recovery code), enrolling
//! and removing an authenticator, changing one's password, one's sessions, unlocking accounts,
//! and the agency's rule of which roles must use a second factor.
//!
//! The TOTP secret is stored as base32 text: encryption at rest is a later piece of work and
//! must cover `user_totp.secret`. It is never logged; the types holding it redact it.

use crate::auth::{
    hash_password, password_matches, principal_of, random_secret, token_hash, NewSession, Secret,
};
use crate::{Act, Actor, Casework, ServiceError, ServiceResult};
use casework_domain::access::may_administer;
use casework_domain::audit::Outcome;
use casework_domain::password::NewPassword;
use casework_domain::totp::{self, MfaRoles, TotpSecret};
use casework_domain::Invalid;
use casework_store::security::{self, Pending};
use casework_store::session;
use casework_store::user::{self, User};
use casework_store::Wall;
use rand::RngCore;

/// How long the half-signed-in state lasts: long enough to open an authenticator app, or to
/// set one up when the role requires it.
const CODE_STEP_MS: i64 = 5 * 60 * 1000;
const ENROL_STEP_MS: i64 = 15 * 60 * 1000;
/// Shown as the issuer in authenticator apps.
const ISSUER: &str = "Casework";

/// Where sign-in stands after a correct password.
#[derive(Debug)]
pub enum SignInStep {
    /// Signed in.
    Done(NewSession),
    /// A code (or a recovery code) is needed; the token identifies this half-signed-in state.
    Code(Secret),
    /// The role requires a second factor and the user has none: enrol first.
    Enrol(Secret),
}

/// A half-finished sign-in, as the second-step pages show it.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    /// "code" or "enrol".
    pub purpose: String,
    pub email: String,
    pub locale: String,
}

/// A secret to add to an authenticator app, shown during enrolment only.
#[derive(Clone)]
pub struct TotpEnrolment {
    pub secret: TotpSecret,
    /// The `otpauth://` URI the QR code carries.
    pub uri: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment(<redacted>)")
    }
}

/// Recovery codes, shown once after enrolment.
#[derive(Clone)]
pub struct RecoveryCodes(pub Vec<String>);

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes({} codes, redacted)", self.0.len())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TotpStatus {
    /// An authenticator is set up and confirmed.
    pub enabled: bool,
    /// Enrolment started but not confirmed yet.
    pub pending: bool,
    pub recovery_codes_left: i64,
    /// The agency requires a second factor of this user's role.
    pub required: bool,
}

/// One of the user's sessions, by its public id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: Option<String>,
    pub current: bool,
}

/// The agency's sign-in rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecuritySettings {
    pub mfa_roles: MfaRoles,
    /// 0 until first saved.
    pub version: i64,
}

/// A locked account on the admin's users list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub user_id: i64,
    pub locked_until: i64,
}

fn draw_secret() -> TotpSecret {
    let mut bytes = [0u8; totp::SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    TotpSecret::from_bytes(bytes)
}

fn draw_recovery_codes() -> Vec<String> {
    (0..totp::RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            totp::recovery_code_from(bytes)
        })
        .collect()
}

fn recovery_hash(normalized: &str) -> String {
    token_hash(&format!("recovery:{normalized}"))
}

fn stored_secret(t: &security::Totp) -> ServiceResult<TotpSecret> {
    TotpSecret::from_base32(&t.secret).ok_or_else(|| {
        ServiceError::Store(casework_store::StoreError::Corrupt(format!(
            "totp secret of user {}",
            t.user_id
        )))
    })
}

fn wrong_code() -> ServiceError {
    ServiceError::Invalid(Invalid::new("code", "code_wrong"))
}

impl Casework {
    fn unix_secs(&self) -> i64 {
        self.clock.now_ms().div_euclid(1000)
    }

    /// A new password checked against the rules, with what a guesser knows of its owner.
    pub(crate) async fn new_password(
        &self,
        agency_id: i64,
        email: &str,
        display_name: &str,
        raw: &Secret,
    ) -> ServiceResult<NewPassword> {
        let mut conn = self.store.conn(Wall::Agency(agency_id)).await?;
        let agency = casework_store::agency::by_id(&mut conn, agency_id)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        drop(conn);
        Ok(NewPassword::parse(
            raw.expose(),
            &[email, display_name, &agency],
        )?)
    }

    async fn mfa_roles(
        &self,
        conn: &mut casework_store::Conn,
        agency_id: i64,
    ) -> ServiceResult<MfaRoles> {
        Ok(security::agency_security(conn, agency_id)
            .await?
            .map(|s| MfaRoles::from_stored(&s.mfa_roles))
            .unwrap_or_default())
    }

    /// Check email and password. Without a second factor the session opens at once; with one
    /// (or when the role requires one) a short-lived pending state is handed back instead.
    pub async fn begin_sign_in(
        &self,
        email: &str,
        password: &Secret,
        address: &str,
        user_agent: Option<&str>,
    ) -> ServiceResult<SignInStep> {
        let u = self.check_password(email, password, address).await?;
        let tx = self.store.begin_write(Wall::Agency(u.agency_id)).await?;
        self.after_first_factor(tx, &u, user_agent, false, "session.password_accepted")
            .await
    }

    /// After the first factor (a password, or an identity provider's word): the session at
    /// once, or the second step when the user has an authenticator or their role requires
    /// one — unless `second_factor_done` (the identity provider already used one). Commits
    /// `tx`; `accepted_action` is what the audit log says when a second step follows.
    pub(crate) async fn after_first_factor(
        &self,
        mut tx: casework_store::Tx,
        u: &User,
        user_agent: Option<&str>,
        second_factor_done: bool,
        accepted_action: &str,
    ) -> ServiceResult<SignInStep> {
        let now = self.clock.now_ms();
        let enrolled = security::totp(&mut tx, &self.vault, u.id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some());
        let role = principal_of(u)?.actor.role;
        let purpose = if second_factor_done {
            None
        } else if enrolled {
            Some("code")
        } else if self.mfa_roles(&mut tx, u.agency_id).await?.requires(role) {
            Some("enrol")
        } else {
            None
        };
        let Some(purpose) = purpose else {
            let s = self.open_session(&mut tx, u, user_agent).await?;
            casework_store::commit(tx).await?;
            return Ok(SignInStep::Done(s));
        };
        security::delete_pending_of(&mut tx, u.id, now).await?;
        let token = random_secret();
        let lasts = if purpose == "code" {
            CODE_STEP_MS
        } else {
            ENROL_STEP_MS
        };
        security::insert_pending(
            &mut tx,
            &Pending {
                token_hash: token_hash(&token),
                agency_id: u.agency_id,
                user_id: u.id,
                purpose: purpose.to_string(),
                created_at: now,
                expires_at: now + lasts,
            },
        )
        .await?;
        let event = self.system_event(u.agency_id, Some(u.id), accepted_action, Outcome::Allowed);
        casework_store::audit::append(&mut tx, u.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        let token = Secret::new(token);
        Ok(if purpose == "code" {
            SignInStep::Code(token)
        } else {
            SignInStep::Enrol(token)
        })
    }

    async fn live_pending(
        &self,
        conn: &mut casework_store::Conn,
        token: &Secret,
    ) -> ServiceResult<(Pending, User)> {
        let p = security::pending(conn, &token_hash(token.expose()))
            .await?
            .filter(|p| p.expires_at > self.clock.now_ms())
            .ok_or(ServiceError::Unauthenticated)?;
        let u = user::by_id(conn, p.user_id)
            .await?
            .filter(|u| u.active == 1)
            .ok_or(ServiceError::Unauthenticated)?;
        Ok((p, u))
    }

    /// The half-finished sign-in behind a pending token, if it is still live.
    pub async fn pending_sign_in(&self, token: &Secret) -> ServiceResult<PendingSignIn> {
        let mut conn = self.store.conn(Wall::System).await?;
        let (p, u) = self.live_pending(&mut conn, token).await?;
        Ok(PendingSignIn {
            purpose: p.purpose,
            email: u.email,
            locale: u.locale,
        })
    }

    /// Abandon a half-finished sign-in.
    pub async fn cancel_sign_in(&self, token: &Secret) -> ServiceResult<()> {
        let mut conn = self.store.conn(Wall::System).await?;
        security::delete_pending(&mut conn, &token_hash(token.expose())).await?;
        Ok(())
    }

    /// Check a TOTP code or a recovery code for `u` inside `tx`; true when it is accepted (and
    /// spent). `recovery_allowed` is false while enrolling.
    async fn accept_code(
        &self,
        tx: &mut casework_store::Tx,
        u: &User,
        code: &Secret,
        recovery_allowed: bool,
    ) -> ServiceResult<Option<&'static str>> {
        let Some(t) = security::totp(tx, &self.vault, u.id).await? else {
            return Ok(None);
        };
        let secret = stored_secret(&t)?;
        if let Ok(digits) = totp::parse_code(code.expose()) {
            let last = t.last_used_step.map(|s| s.max(0) as u64);
            if let Some(step) = secret.verify(&digits, self.unix_secs(), last) {
                if security::use_step(tx, u.id, step as i64).await? {
                    return Ok(Some("totp"));
                }
            }
            return Ok(None);
        }
        if recovery_allowed && t.confirmed_at.is_some() {
            if let Some(normal) = totp::normalize_recovery_code(code.expose()) {
                let now = self.clock.now_ms();
                if security::use_recovery_code(tx, u.id, &recovery_hash(&normal), now).await? {
                    return Ok(Some("recovery_code"));
                }
            }
        }
        Ok(None)
    }

    /// Count a wrong code against the account (and address) and audit it as a refusal.
    async fn refuse_code(&self, u: &User, address: &str, action: &str) -> ServiceResult<()> {
        let mut tx = self.store.begin_write(Wall::Agency(u.agency_id)).await?;
        self.count_failure(&mut tx, &u.email, address).await?;
        let event = self.system_event(u.agency_id, Some(u.id), action, Outcome::Denied);
        casework_store::audit::append(&mut tx, u.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(())
    }

    /// The second step: a code from the authenticator, or one of the recovery codes. A wrong
    /// code counts toward the account's lockout like a wrong password.
    pub async fn finish_sign_in(
        &self,
        pending: &Secret,
        code: &Secret,
        address: &str,
        user_agent: Option<&str>,
    ) -> ServiceResult<NewSession> {
        let mut conn = self.store.conn(Wall::System).await?;
        let (p, u) = self.live_pending(&mut conn, pending).await?;
        drop(conn);
        if p.purpose != "code" {
            return Err(ServiceError::Unauthenticated);
        }
        self.check_throttle(&u.email, address).await?;
        let mut tx = self.store.begin_write(Wall::Agency(u.agency_id)).await?;
        let Some(kind) = self.accept_code(&mut tx, &u, code, true).await? else {
            drop(tx);
            self.refuse_code(&u, address, "session.second_factor")
                .await?;
            return Err(wrong_code());
        };
        security::delete_pending(&mut tx, &p.token_hash).await?;
        if kind == "recovery_code" {
            let event = self.system_event(
                u.agency_id,
                Some(u.id),
                "session.recovery_code_used",
                Outcome::Allowed,
            );
            casework_store::audit::append(&mut tx, u.agency_id, vec![event]).await?;
        }
        let s = self.open_session(&mut tx, &u, user_agent).await?;
        casework_store::commit(tx).await?;
        Ok(s)
    }

    /// The secret a user adds to their authenticator: the unconfirmed one if enrolment has
    /// started, else a new one. Refused when one is already confirmed.
    async fn enrolment_of(&self, u: &User) -> ServiceResult<TotpEnrolment> {
        let mut tx = self.store.begin_write(Wall::Agency(u.agency_id)).await?;
        let existing = security::totp(&mut tx, &self.vault, u.id).await?;
        let secret = match existing {
            Some(t) if t.confirmed_at.is_some() => {
                return Err(ServiceError::Duplicate("totp"));
            }
            Some(t) => stored_secret(&t)?,
            None => {
                let s = draw_secret();
                security::start_totp(
                    &mut tx,
                    &self.vault,
                    u.agency_id,
                    u.id,
                    &s.to_base32(),
                    self.clock.now_ms(),
                )
                .await?;
                let event =
                    self.system_event(u.agency_id, Some(u.id), "totp.enrol", Outcome::Allowed);
                casework_store::audit::append(&mut tx, u.agency_id, vec![event]).await?;
                s
            }
        };
        casework_store::commit(tx).await?;
        let account = u.email.clone();
        Ok(TotpEnrolment {
            uri: secret.uri(ISSUER, &account),
            secret,
        })
    }

    /// Confirm the enrolment with a first code; hands back fresh recovery codes, shown once.
    async fn confirm_enrolment(
        &self,
        tx: &mut casework_store::Tx,
        u: &User,
        code: &Secret,
    ) -> ServiceResult<Option<RecoveryCodes>> {
        let Some(t) = security::totp(tx, &self.vault, u.id).await? else {
            return Err(ServiceError::NotFound);
        };
        if t.confirmed_at.is_some() {
            return Err(ServiceError::Duplicate("totp"));
        }
        let digits = totp::parse_code(code.expose())?;
        let Some(step) = stored_secret(&t)?.verify(&digits, self.unix_secs(), None) else {
            return Ok(None);
        };
        let now = self.clock.now_ms();
        security::confirm_totp(tx, u.id, step as i64, now).await?;
        let codes = draw_recovery_codes();
        let hashes: Vec<String> = codes
            .iter()
            .filter_map(|c| totp::normalize_recovery_code(c))
            .map(|n| recovery_hash(&n))
            .collect();
        security::replace_recovery_codes(tx, u.agency_id, u.id, &hashes, now).await?;
        let event = self.system_event(u.agency_id, Some(u.id), "totp.confirm", Outcome::Allowed);
        casework_store::audit::append(tx, u.agency_id, vec![event]).await?;
        Ok(Some(RecoveryCodes(codes)))
    }

    /// Enrolment forced at sign-in: the secret to show.
    pub async fn pending_enrolment(&self, pending: &Secret) -> ServiceResult<TotpEnrolment> {
        let mut conn = self.store.conn(Wall::System).await?;
        let (p, u) = self.live_pending(&mut conn, pending).await?;
        drop(conn);
        if p.purpose != "enrol" {
            return Err(ServiceError::Unauthenticated);
        }
        self.enrolment_of(&u).await
    }

    /// Enrolment forced at sign-in, confirmed: the session opens and the recovery codes are
    /// handed back once. A wrong code counts toward the lockout.
    pub async fn finish_enrolment(
        &self,
        pending: &Secret,
        code: &Secret,
        address: &str,
        user_agent: Option<&str>,
    ) -> ServiceResult<(NewSession, RecoveryCodes)> {
        let mut conn = self.store.conn(Wall::System).await?;
        let (p, u) = self.live_pending(&mut conn, pending).await?;
        drop(conn);
        if p.purpose != "enrol" {
            return Err(ServiceError::Unauthenticated);
        }
        self.check_throttle(&u.email, address).await?;
        let mut tx = self.store.begin_write(Wall::Agency(u.agency_id)).await?;
        let Some(codes) = self.confirm_enrolment(&mut tx, &u, code).await? else {
            drop(tx);
            self.refuse_code(&u, address, "totp.confirm").await?;
            return Err(wrong_code());
        };
        security::delete_pending(&mut tx, &p.token_hash).await?;
        let s = self.open_session(&mut tx, &u, user_agent).await?;
        casework_store::commit(tx).await?;
        Ok((s, codes))
    }

    async fn own_user(&self, actor: &Actor) -> ServiceResult<User> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        user::in_agency(&mut conn, actor.agency_id, actor.user_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)
    }

    pub async fn totp_status(&self, actor: &Actor) -> ServiceResult<TotpStatus> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let t = security::totp(&mut conn, &self.vault, actor.user_id).await?;
        let left = security::unused_recovery_codes(&mut conn, actor.user_id).await?;
        let required = self
            .mfa_roles(&mut conn, actor.agency_id)
            .await?
            .requires(actor.role);
        Ok(TotpStatus {
            enabled: t.as_ref().is_some_and(|t| t.confirmed_at.is_some()),
            pending: t.as_ref().is_some_and(|t| t.confirmed_at.is_none()),
            recovery_codes_left: left,
            required,
        })
    }

    /// Start setting up an authenticator from the account page.
    pub async fn start_totp(&self, actor: &Actor) -> ServiceResult<TotpEnrolment> {
        let u = self.own_user(actor).await?;
        self.enrolment_of(&u).await
    }

    /// Confirm the authenticator with a first code: recovery codes come back, once.
    pub async fn confirm_totp(&self, actor: &Actor, code: &Secret) -> ServiceResult<RecoveryCodes> {
        let u = self.own_user(actor).await?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        match self.confirm_enrolment(&mut tx, &u, code).await? {
            Some(codes) => {
                casework_store::commit(tx).await?;
                Ok(codes)
            }
            None => {
                drop(tx);
                self.refuse_code(&u, "", "totp.confirm").await?;
                Err(wrong_code())
            }
        }
    }

    /// Turn the second factor off, proven with a current code (or a recovery code).
    pub async fn disable_totp(&self, actor: &Actor, code: &Secret) -> ServiceResult<()> {
        let u = self.own_user(actor).await?;
        self.check_throttle(&u.email, "").await?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let enabled = security::totp(&mut tx, &self.vault, u.id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some());
        if !enabled {
            return Err(ServiceError::NotFound);
        }
        if self.accept_code(&mut tx, &u, code, true).await?.is_none() {
            drop(tx);
            self.refuse_code(&u, "", "totp.disable").await?;
            return Err(wrong_code());
        }
        security::remove_totp(&mut tx, u.id).await?;
        let event = self.event(
            actor,
            Act {
                action: "totp.disable",
                record_type: "user",
                record_id: Some(u.id),
                client_id: None,
            },
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(())
    }

    /// An admin removes a user's authenticator (lost phone); they enrol again at next sign-in
    /// if their role requires it. Audited.
    pub async fn reset_totp(&self, admin: &Actor, user_id: i64) -> ServiceResult<()> {
        let act = || Act {
            action: "totp.reset",
            record_type: "user",
            record_id: Some(user_id),
            client_id: None,
        };
        if !may_administer(admin) {
            return Err(self
                .deny(admin, act(), casework_domain::access::Decision::Forbidden)
                .await);
        }
        let mut tx = self
            .store
            .begin_write(Wall::Agency(admin.agency_id))
            .await?;
        user::in_agency(&mut tx, admin.agency_id, user_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !security::remove_totp(&mut tx, user_id).await? {
            return Err(ServiceError::NotFound);
        }
        let event = self.event(admin, act(), Outcome::Allowed, None);
        casework_store::audit::append(&mut tx, admin.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(())
    }

    /// Change one's own password, proven with the current one. Every other session of the
    /// user ends; `keep` is the public id of the session making the change (none through the
    /// API with a bearer token).
    pub async fn change_password(
        &self,
        actor: &Actor,
        keep: Option<&str>,
        current: &Secret,
        new: &Secret,
    ) -> ServiceResult<()> {
        let u = self.own_user(actor).await?;
        self.check_throttle(&u.email, "").await?;
        if !password_matches(current.expose(), &u.password_hash) {
            let mut tx = self
                .store
                .begin_write(Wall::Agency(actor.agency_id))
                .await?;
            self.count_failure(&mut tx, &u.email, "").await?;
            casework_store::commit(tx).await?;
            return Err(ServiceError::Invalid(Invalid::new(
                "current_password",
                "password_wrong",
            )));
        }
        let password = self
            .new_password(u.agency_id, &u.email, &u.display_name, new)
            .await?;
        let hash = hash_password(password.expose())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        user::set_password(&mut tx, u.id, &hash).await?;
        match keep {
            Some(public_id) => {
                session::delete_others(&mut tx, u.id, public_id).await?;
            }
            None => {
                session::delete_for_user(&mut tx, u.id).await?;
            }
        }
        security::delete_pending_of(&mut tx, u.id, self.clock.now_ms()).await?;
        let event = self.event(
            actor,
            Act {
                action: "user.password_change",
                record_type: "user",
                record_id: Some(u.id),
                client_id: None,
            },
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(())
    }

    /// The user's own live sessions, newest first; `current` marks the one asking.
    pub async fn my_sessions(
        &self,
        actor: &Actor,
        current: Option<&str>,
    ) -> ServiceResult<Vec<SessionView>> {
        let now = self.clock.now_ms();
        let idle = self.settings.session_idle.as_millis() as i64;
        let absolute = self.settings.session_absolute.as_millis() as i64;
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = session::of_user(&mut conn, actor.user_id).await?;
        Ok(rows
            .into_iter()
            .filter(|s| now - s.last_seen_at <= idle && now - s.created_at <= absolute)
            .map(|s| SessionView {
                current: current == Some(s.public_id.as_str()),
                id: s.public_id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                user_agent: s.user_agent,
            })
            .collect())
    }

    /// End one of the user's own sessions.
    pub async fn revoke_session(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        if id.is_empty() || id.len() > 64 {
            return Err(ServiceError::NotFound);
        }
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        if !session::delete_public(&mut tx, actor.user_id, id).await? {
            return Err(ServiceError::NotFound);
        }
        let event = self.event(
            actor,
            Act {
                action: "session.revoke",
                record_type: "user",
                record_id: Some(actor.user_id),
                client_id: None,
            },
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(())
    }

    /// Which of these users' accounts are locked after failed sign-ins, and until when.
    pub async fn locks(&self, admin: &Actor, users: &[(i64, String)]) -> ServiceResult<Vec<Lock>> {
        if !may_administer(admin) {
            return Err(ServiceError::Forbidden);
        }
        let keys: Vec<String> = users.iter().map(|(_, e)| format!("account:{e}")).collect();
        let mut conn = self.store.conn(Wall::Agency(admin.agency_id)).await?;
        let found = session::locks(&mut conn, &keys, self.clock.now_ms()).await?;
        Ok(users
            .iter()
            .filter_map(|(id, email)| {
                let key = format!("account:{email}");
                found
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, until)| Lock {
                        user_id: *id,
                        locked_until: *until,
                    })
            })
            .collect())
    }

    /// Which of these users have a confirmed authenticator (for the admin's users list).
    pub async fn totp_enrolled(&self, admin: &Actor, user_ids: &[i64]) -> ServiceResult<Vec<i64>> {
        if !may_administer(admin) {
            return Err(ServiceError::Forbidden);
        }
        let mut conn = self.store.conn(Wall::Agency(admin.agency_id)).await?;
        Ok(security::enrolled_among(&mut conn, admin.agency_id, user_ids).await?)
    }

    /// Lift an account's lockout before it runs out. Audited.
    pub async fn unlock_user(&self, admin: &Actor, user_id: i64) -> ServiceResult<()> {
        let act = || Act {
            action: "user.unlock",
            record_type: "user",
            record_id: Some(user_id),
            client_id: None,
        };
        if !may_administer(admin) {
            return Err(self
                .deny(admin, act(), casework_domain::access::Decision::Forbidden)
                .await);
        }
        let mut tx = self
            .store
            .begin_write(Wall::Agency(admin.agency_id))
            .await?;
        let u = user::in_agency(&mut tx, admin.agency_id, user_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        session::clear_failures(&mut tx, &format!("account:{}", u.email)).await?;
        let event = self.event(admin, act(), Outcome::Allowed, None);
        casework_store::audit::append(&mut tx, admin.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(())
    }

    /// The agency's sign-in rules (admins).
    pub async fn security_settings(&self, admin: &Actor) -> ServiceResult<SecuritySettings> {
        if !may_administer(admin) {
            return Err(ServiceError::Forbidden);
        }
        let mut conn = self.store.conn(Wall::Agency(admin.agency_id)).await?;
        let row = security::agency_security(&mut conn, admin.agency_id).await?;
        Ok(SecuritySettings {
            mfa_roles: row
                .as_ref()
                .map(|r| MfaRoles::from_stored(&r.mfa_roles))
                .unwrap_or_default(),
            version: row.map_or(0, |r| r.version),
        })
    }

    /// Change which roles must sign in with a second factor, if unchanged since `version`.
    pub async fn update_security_settings(
        &self,
        admin: &Actor,
        version: i64,
        mfa_roles: &[String],
    ) -> ServiceResult<SecuritySettings> {
        if !may_administer(admin) {
            return Err(ServiceError::Forbidden);
        }
        let roles = MfaRoles::parse(mfa_roles)?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(admin.agency_id))
            .await?;
        if !security::save_agency_security(
            &mut tx,
            admin.agency_id,
            version,
            &roles.to_stored(),
            self.clock.now_ms(),
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        let event = self.event(
            admin,
            Act {
                action: "agency.security_update",
                record_type: "agency",
                record_id: Some(admin.agency_id),
                client_id: None,
            },
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, admin.agency_id, vec![event]).await?;
        let row = security::agency_security(&mut tx, admin.agency_id).await?;
        casework_store::commit(tx).await?;
        Ok(SecuritySettings {
            mfa_roles: roles,
            version: row.map_or(1, |r| r.version),
        })
    }
}
