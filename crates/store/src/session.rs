//! Browser sessions, API tokens and sign-in throttling. Only hashes of secrets are stored.

use crate::fetch::Fetch;
use crate::user::User;
use crate::{Conn, Result};
use sqlx::Row;

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub agency_id: i64,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// What the person sees and revokes the session by; never the token.
    pub public_id: String,
    /// A coarse description ("Firefox on Linux"), never the full header.
    pub user_agent: Option<String>,
}

const SESSION: &str =
    "token_hash, agency_id, user_id, csrf_token, created_at, last_seen_at, public_id, user_agent";

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

pub async fn insert(conn: &mut Conn, s: &Session) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, agency_id, user_id, csrf_token, created_at, last_seen_at, public_id, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&s.token_hash)
    .bind(s.agency_id)
    .bind(s.user_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .bind(&s.public_id)
    .bind(&s.user_agent)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn by_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<Session>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SESSION} FROM sessions WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The session and its user in one round trip: every signed-in request asks this first.
pub async fn with_user(conn: &mut impl Fetch, token_hash: &str) -> Result<Option<(Session, User)>> {
    let rows = conn.rows(sqlx::query(
        "SELECT s.token_hash, s.agency_id, s.user_id, s.csrf_token, s.created_at, s.last_seen_at,
                s.public_id, s.user_agent,
                u.id, u.agency_id, u.email, u.display_name, u.role, u.team_id, u.password_hash,
                u.locale, u.active, u.version
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1",
    )
    .bind(token_hash))
    .await?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let session = Session {
        token_hash: r.try_get(0)?,
        agency_id: r.try_get(1)?,
        user_id: r.try_get(2)?,
        csrf_token: r.try_get(3)?,
        created_at: r.try_get(4)?,
        last_seen_at: r.try_get(5)?,
        public_id: r.try_get(6)?,
        user_agent: r.try_get(7)?,
    };
    let user = User {
        id: r.try_get(8)?,
        agency_id: r.try_get(9)?,
        email: r.try_get(10)?,
        display_name: r.try_get(11)?,
        role: r.try_get(12)?,
        team_id: r.try_get(13)?,
        password_hash: r.try_get(14)?,
        locale: r.try_get(15)?,
        active: r.try_get(16)?,
        version: r.try_get(17)?,
    };
    Ok(Some((session, user)))
}

pub async fn touch(conn: &mut Conn, token_hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete_for_user(conn: &mut Conn, user_id: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// A user's sessions, newest first (a person has a handful; capped all the same).
pub async fn of_user(conn: &mut Conn, user_id: i64) -> Result<Vec<Session>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SESSION} FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 200"
    ))
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// End one of the user's sessions by its public id; false when there was none.
pub async fn delete_public(conn: &mut Conn, user_id: i64, public_id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2")
        .bind(user_id)
        .bind(public_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// End every session of the user but one (after a password change).
pub async fn delete_others(conn: &mut Conn, user_id: i64, keep_public_id: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id <> $2")
        .bind(user_id)
        .bind(keep_public_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Locks in force for these throttle keys: (key, locked_until).
pub async fn locks(conn: &mut Conn, keys: &[String], now: i64) -> Result<Vec<(String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT throttle_key, locked_until FROM login_failures WHERE locked_until > $1 AND throttle_key IN ({})",
        list.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(now);
    for k in keys {
        q = q.bind(k);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect()
}

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub agency_id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiToken")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

const TOKEN: &str = "id, agency_id, user_id, name, created_at, last_used_at, revoked_at";

pub async fn insert_token(
    conn: &mut Conn,
    agency_id: i64,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: i64,
) -> Result<ApiToken> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO api_tokens (agency_id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {TOKEN}"
    ))
    .bind(agency_id)
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn token_by_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<ApiToken>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TOKEN} FROM api_tokens WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Up to `limit` of a user's tokens, newest first, older than token `before` when given.
pub async fn tokens_of(
    conn: &mut Conn,
    user_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ApiToken>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TOKEN} FROM api_tokens WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
    ))
    .bind(user_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn revoke_token(conn: &mut Conn, user_id: i64, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn token_used(conn: &mut Conn, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Current lock for a throttle key, if any.
pub async fn locked_until(conn: &mut Conn, key: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT locked_until FROM login_failures WHERE throttle_key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get(0)?,
        None => None,
    })
}

/// Count a failure in a window of `window_ms`; lock for `lock_ms` once `limit` is reached.
pub async fn record_failure(
    conn: &mut Conn,
    key: &str,
    now: i64,
    window_ms: i64,
    limit: i64,
    lock_ms: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO login_failures (throttle_key, failures, window_started_at, locked_until) VALUES ($1, 1, $2, NULL)
         ON CONFLICT (throttle_key) DO UPDATE SET
           failures = CASE WHEN login_failures.window_started_at < $3 THEN 1 ELSE login_failures.failures + 1 END,
           window_started_at = CASE WHEN login_failures.window_started_at < $3 THEN $2 ELSE login_failures.window_started_at END",
    )
    .bind(key)
    .bind(now)
    .bind(now - window_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE login_failures SET locked_until = $1 WHERE throttle_key = $2 AND failures >= $3",
    )
    .bind(now + lock_ms)
    .bind(key)
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn clear_failures(conn: &mut Conn, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
