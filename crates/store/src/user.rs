//! Staff accounts.

use crate::fetch::{self, Fetch, Run};
use crate::{Conn, Result};

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub agency_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub team_id: Option<i64>,
    pub password_hash: String,
    pub locale: String,
    pub active: i64,
    pub version: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("agency_id", &self.agency_id)
            .field("role", &self.role)
            .field("password_hash", &"<redacted>")
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "id, agency_id, email, display_name, role, team_id, password_hash, locale, active, version";

pub struct NewUser<'a> {
    pub agency_id: i64,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub team_id: Option<i64>,
    pub password_hash: &'a str,
    pub locale: &'a str,
}

pub async fn insert(conn: &mut Conn, u: &NewUser<'_>, now: i64) -> Result<User> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO users (agency_id, email, display_name, role, team_id, password_hash, locale, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(u.agency_id)
    .bind(u.email)
    .bind(u.display_name)
    .bind(u.role)
    .bind(u.team_id)
    .bind(u.password_hash)
    .bind(u.locale)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn by_email(conn: &mut Conn, email: &str) -> Result<Option<User>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<User>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub async fn in_agency(conn: &mut impl Fetch, agency_id: i64, id: i64) -> Result<Option<User>> {
    fetch::query(&format!(
        "SELECT {COLUMNS} FROM users WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .optional_on(conn)
    .await
}

/// One page of an agency's users, by id.
pub async fn page(conn: &mut Conn, agency_id: i64, after_id: i64, limit: i64) -> Result<Vec<User>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE agency_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    ))
    .bind(agency_id)
    .bind(after_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Every active caseworker and supervisor of the agency, by id: the staff who can carry cases,
/// for assignment pickers. Filtered here rather than after a bounded page, which would leave out
/// whoever came after the page's end.
pub async fn workers(conn: &mut Conn, agency_id: i64) -> Result<Vec<User>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users
         WHERE agency_id = $1 AND active = 1 AND role IN ('caseworker', 'supervisor')
         ORDER BY id"
    ))
    .bind(agency_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn set_locale(conn: &mut Conn, id: i64, locale: &str) -> Result<()> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(locale)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Update role, team and active flag if the row is still at `version`; false when it was not.
pub async fn update_access(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    role: &str,
    team_id: Option<i64>,
    active: bool,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET role = $1, team_id = $2, active = $3, version = version + 1
         WHERE agency_id = $4 AND id = $5 AND version = $6",
    )
    .bind(role)
    .bind(team_id)
    .bind(active as i64)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password(conn: &mut Conn, id: i64, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
