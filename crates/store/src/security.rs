//! Second factors (TOTP and recovery codes), the half-signed-in state between password and
//! code, and each agency's sign-in rules. Recovery codes and pending tokens are stored hashed.

use crate::vault::Vault;
use crate::{Conn, Result};
use casework_domain::crypto::Place;

/// A user's authenticator enrolment. The secret is base32 text, sealed at rest under the master
/// key (it belongs to a user, not to a client).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Totp {
    pub user_id: i64,
    pub agency_id: i64,
    pub secret: String,
    pub confirmed_at: Option<i64>,
    pub last_used_step: Option<i64>,
    pub created_at: i64,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Totp")
            .field("user_id", &self.user_id)
            .field("secret", &"<redacted>")
            .field("confirmed_at", &self.confirmed_at)
            .finish_non_exhaustive()
    }
}

const TOTP: &str = "user_id, agency_id, secret, confirmed_at, last_used_step, created_at";

pub(crate) fn totp_place(agency_id: i64, user_id: i64) -> Place<'static> {
    Place {
        table: "user_totp",
        column: "secret",
        row_id: user_id,
        agency_id,
        client_id: None,
    }
}

pub async fn totp(conn: &mut Conn, vault: &Vault, user_id: i64) -> Result<Option<Totp>> {
    let row: Option<Totp> =
        sqlx::query_as(&format!("SELECT {TOTP} FROM user_totp WHERE user_id = $1"))
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(mut row) = row else {
        return Ok(None);
    };
    row.secret = vault.open_master(&totp_place(row.agency_id, row.user_id), &row.secret)?;
    Ok(Some(row))
}

/// Start (or restart) an enrolment: a new unconfirmed secret replaces any unconfirmed one.
pub async fn start_totp(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    user_id: i64,
    secret: &str,
    now: i64,
) -> Result<()> {
    let secret = vault.seal_master(&totp_place(agency_id, user_id), secret);
    sqlx::query(
        "INSERT INTO user_totp (user_id, agency_id, secret, confirmed_at, last_used_step, created_at)
         VALUES ($1, $2, $3, NULL, NULL, $4)
         ON CONFLICT (user_id) DO UPDATE SET secret = $3, confirmed_at = NULL, last_used_step = NULL, created_at = $4",
    )
    .bind(user_id)
    .bind(agency_id)
    .bind(&secret)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn confirm_totp(conn: &mut Conn, user_id: i64, step: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE user_totp SET confirmed_at = $1, last_used_step = $2 WHERE user_id = $3")
        .bind(now)
        .bind(step)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Record the step a code was accepted for; false if a concurrent sign-in took it first.
pub async fn use_step(conn: &mut Conn, user_id: i64, step: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE user_totp SET last_used_step = $1
         WHERE user_id = $2 AND (last_used_step IS NULL OR last_used_step < $1)",
    )
    .bind(step)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Remove the authenticator and its recovery codes.
pub async fn remove_totp(conn: &mut Conn, user_id: i64) -> Result<bool> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replace the user's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    conn: &mut Conn,
    agency_id: i64,
    user_id: i64,
    hashes: &[String],
    now: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for h in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (agency_id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(agency_id)
        .bind(user_id)
        .bind(h)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Spend an unused recovery code; false if it is unknown or already spent.
pub async fn use_recovery_code(
    conn: &mut Conn,
    user_id: i64,
    hash: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() >= 1)
}

pub async fn unused_recovery_codes(conn: &mut Conn, user_id: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Pending {
    pub token_hash: String,
    pub agency_id: i64,
    pub user_id: i64,
    pub purpose: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("user_id", &self.user_id)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

pub async fn insert_pending(conn: &mut Conn, p: &Pending) -> Result<()> {
    sqlx::query(
        "INSERT INTO pending_sign_ins (token_hash, agency_id, user_id, purpose, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&p.token_hash)
    .bind(p.agency_id)
    .bind(p.user_id)
    .bind(&p.purpose)
    .bind(p.created_at)
    .bind(p.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn pending(conn: &mut Conn, token_hash: &str) -> Result<Option<Pending>> {
    Ok(sqlx::query_as(
        "SELECT token_hash, agency_id, user_id, purpose, created_at, expires_at FROM pending_sign_ins WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn delete_pending(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM pending_sign_ins WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Drop the user's half-finished sign-ins, and anyone's that have expired.
pub async fn delete_pending_of(conn: &mut Conn, user_id: i64, now: i64) -> Result<()> {
    sqlx::query("DELETE FROM pending_sign_ins WHERE user_id = $1 OR expires_at < $2")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgencySecurity {
    pub agency_id: i64,
    pub mfa_roles: String,
    pub updated_at: i64,
    pub version: i64,
}

pub async fn agency_security(conn: &mut Conn, agency_id: i64) -> Result<Option<AgencySecurity>> {
    Ok(sqlx::query_as(
        "SELECT agency_id, mfa_roles, updated_at, version FROM agency_security WHERE agency_id = $1",
    )
    .bind(agency_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Save the agency's rules if they are still at `version` (0: never saved); false otherwise.
pub async fn save_agency_security(
    conn: &mut Conn,
    agency_id: i64,
    version: i64,
    mfa_roles: &str,
    now: i64,
) -> Result<bool> {
    let done = if version == 0 {
        sqlx::query(
            "INSERT INTO agency_security (agency_id, mfa_roles, updated_at, version) VALUES ($1, $2, $3, 1)
             ON CONFLICT (agency_id) DO NOTHING",
        )
        .bind(agency_id)
        .bind(mfa_roles)
        .bind(now)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE agency_security SET mfa_roles = $1, updated_at = $2, version = version + 1
             WHERE agency_id = $3 AND version = $4",
        )
        .bind(mfa_roles)
        .bind(now)
        .bind(agency_id)
        .bind(version)
        .execute(&mut *conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// Which of these users of the agency have a confirmed authenticator.
pub async fn enrolled_among(conn: &mut Conn, agency_id: i64, user_ids: &[i64]) -> Result<Vec<i64>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..user_ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT user_id FROM user_totp WHERE agency_id = $1 AND confirmed_at IS NOT NULL AND user_id IN ({})",
        list.join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64,)>(&sql).bind(agency_id);
    for id in user_ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}
