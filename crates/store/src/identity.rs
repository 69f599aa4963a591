//! OpenID Connect: each agency's identity provider, the links from a provider's subjects to
//! users, and sign-ins waiting for the provider's answer (stored by the hash of their state).

use crate::vault::Vault;
use crate::{Conn, Result};
use casework_domain::crypto::Place;

/// An agency's provider. The client secret is sealed under the master key at rest (migration
/// 0021) and in the clear here.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdentityProvider {
    pub agency_id: i64,
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub user_claim: String,
    pub enabled: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityProvider")
            .field("agency_id", &self.agency_id)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

const PROVIDER: &str = "agency_id, display_name, issuer, client_id, client_secret, user_claim, \
                        enabled, updated_at, version";

/// Where the secret is sealed: bound to its agency's row, like a TOTP secret to its user.
pub(crate) fn secret_place(agency_id: i64) -> Place<'static> {
    Place {
        table: "identity_providers",
        column: "client_secret",
        row_id: agency_id,
        agency_id,
        client_id: None,
    }
}

pub async fn provider(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
) -> Result<Option<IdentityProvider>> {
    let row: Option<IdentityProvider> = sqlx::query_as(&format!(
        "SELECT {PROVIDER} FROM identity_providers WHERE agency_id = $1"
    ))
    .bind(agency_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(mut row) = row else {
        return Ok(None);
    };
    row.client_secret = vault.open_master(&secret_place(row.agency_id), &row.client_secret)?;
    Ok(Some(row))
}

/// The enabled providers the sign-in page may offer, as (agency id, display name): the provider
/// of the agency whose slug is given, or with none given, the provider of the only agency when
/// the server holds just one. Secrets stay sealed: the page needs none.
pub async fn enabled_providers(
    conn: &mut Conn,
    agency_slug: Option<&str>,
) -> Result<Vec<(i64, String)>> {
    let rows = match agency_slug {
        Some(slug) => {
            sqlx::query_as::<_, (i64, String)>(
                "SELECT p.agency_id, p.display_name FROM identity_providers p
                 JOIN agencies a ON a.id = p.agency_id
                 WHERE p.enabled = 1 AND a.slug = $1",
            )
            .bind(slug)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as::<_, (i64, String)>(
                "SELECT agency_id, display_name FROM identity_providers
                 WHERE enabled = 1 AND (SELECT COUNT(*) FROM agencies) = 1",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows)
}

/// Create or change the agency's provider. `expected_version` 0 means "none yet"; false if
/// someone else saved in between.
pub async fn save_provider(
    conn: &mut Conn,
    vault: &Vault,
    p: &IdentityProvider,
    expected_version: i64,
) -> Result<bool> {
    let secret = vault.seal_master(&secret_place(p.agency_id), &p.client_secret);
    let sql = if expected_version == 0 {
        // $9 is the expected version; here it is 0 and only keeps the binds alike.
        "INSERT INTO identity_providers
         (agency_id, display_name, issuer, client_id, client_secret, user_claim, enabled, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9 + 1)
         ON CONFLICT (agency_id) DO NOTHING"
    } else {
        "UPDATE identity_providers SET display_name = $2, issuer = $3, client_id = $4,
         client_secret = $5, user_claim = $6, enabled = $7, updated_at = $8, version = version + 1
         WHERE agency_id = $1 AND version = $9"
    };
    let done = sqlx::query(sql)
        .bind(p.agency_id)
        .bind(&p.display_name)
        .bind(&p.issuer)
        .bind(&p.client_id)
        .bind(&secret)
        .bind(&p.user_claim)
        .bind(p.enabled)
        .bind(p.updated_at)
        .bind(expected_version)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A provider subject linked to a user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserIdentity {
    pub issuer: String,
    pub subject: String,
    pub agency_id: i64,
    pub user_id: i64,
    pub created_at: i64,
    pub last_used_at: i64,
}

pub async fn identity(
    conn: &mut Conn,
    issuer: &str,
    subject: &str,
) -> Result<Option<UserIdentity>> {
    Ok(sqlx::query_as(
        "SELECT issuer, subject, agency_id, user_id, created_at, last_used_at
         FROM user_identities WHERE issuer = $1 AND subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Is this user already linked to another subject of the issuer?
pub async fn identity_of_user(
    conn: &mut Conn,
    user_id: i64,
    issuer: &str,
) -> Result<Option<UserIdentity>> {
    Ok(sqlx::query_as(
        "SELECT issuer, subject, agency_id, user_id, created_at, last_used_at
         FROM user_identities WHERE user_id = $1 AND issuer = $2",
    )
    .bind(user_id)
    .bind(issuer)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn link(conn: &mut Conn, id: &UserIdentity) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_identities (issuer, subject, agency_id, user_id, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id.issuer)
    .bind(&id.subject)
    .bind(id.agency_id)
    .bind(id.user_id)
    .bind(id.created_at)
    .bind(id.last_used_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn identity_used(conn: &mut Conn, issuer: &str, subject: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE user_identities SET last_used_at = $1 WHERE issuer = $2 AND subject = $3")
        .bind(now)
        .bind(issuer)
        .bind(subject)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A sign-in sent to the provider, waiting for it to send the browser back.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Attempt {
    pub state_hash: String,
    pub agency_id: i64,
    pub nonce: String,
    pub code_verifier: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attempt")
            .field("agency_id", &self.agency_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Store an attempt started from `address`, dropping the expired ones so abandoned sign-ins
/// do not pile up.
pub async fn insert_attempt(conn: &mut Conn, a: &Attempt, address: &str) -> Result<()> {
    sqlx::query("DELETE FROM oidc_attempts WHERE expires_at <= $1")
        .bind(a.created_at)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO oidc_attempts (state_hash, agency_id, nonce, code_verifier, created_at, expires_at, address)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&a.state_hash)
    .bind(a.agency_id)
    .bind(&a.nonce)
    .bind(&a.code_verifier)
    .bind(a.created_at)
    .bind(a.expires_at)
    .bind(address)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Live attempts (not yet expired at `now`) started from `address`, and for `agency_id`'s
/// provider.
pub async fn live_attempts(
    conn: &mut Conn,
    agency_id: i64,
    address: &str,
    now: i64,
) -> Result<(i64, i64)> {
    let from_address: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM oidc_attempts WHERE address = $1 AND expires_at > $2",
    )
    .bind(address)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let for_provider: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM oidc_attempts WHERE agency_id = $1 AND expires_at > $2",
    )
    .bind(agency_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok((from_address, for_provider))
}

/// Take an attempt: it is deleted in the same statement, so a state is good for one answer.
pub async fn take_attempt(conn: &mut Conn, state_hash: &str) -> Result<Option<Attempt>> {
    Ok(sqlx::query_as(
        "DELETE FROM oidc_attempts WHERE state_hash = $1
         RETURNING state_hash, agency_id, nonce, code_verifier, created_at, expires_at",
    )
    .bind(state_hash)
    .fetch_optional(&mut *conn)
    .await?)
}
