//! Agencies (tenants), their teams and programs.

use crate::fetch::{self, Fetch, Run};
use crate::{Conn, Result};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Agency {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Team {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Program {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
    pub plan_approval_required: i64,
    pub closure_approval_required: i64,
}

pub async fn insert(conn: &mut Conn, name: &str, slug: &str, now: i64) -> Result<Agency> {
    Ok(sqlx::query_as(
        "INSERT INTO agencies (name, slug, created_at) VALUES ($1, $2, $3) RETURNING id, name, slug",
    )
    .bind(name)
    .bind(slug)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn by_slug(conn: &mut Conn, slug: &str) -> Result<Option<Agency>> {
    Ok(
        sqlx::query_as("SELECT id, name, slug FROM agencies WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<Agency>> {
    Ok(
        sqlx::query_as("SELECT id, name, slug FROM agencies WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub async fn all(conn: &mut Conn) -> Result<Vec<Agency>> {
    Ok(
        sqlx::query_as("SELECT id, name, slug FROM agencies ORDER BY id")
            .fetch_all(&mut *conn)
            .await?,
    )
}

pub async fn insert_team(conn: &mut Conn, agency_id: i64, name: &str, now: i64) -> Result<Team> {
    Ok(sqlx::query_as(
        "INSERT INTO teams (agency_id, name, created_at) VALUES ($1, $2, $3) RETURNING id, agency_id, name",
    )
    .bind(agency_id)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Every team of the agency, by name: for pickers. An agency has a handful of teams, so this is
/// not paged; lists a person browses use `teams_page`.
pub async fn teams(conn: &mut Conn, agency_id: i64) -> Result<Vec<Team>> {
    Ok(sqlx::query_as(
        "SELECT id, agency_id, name FROM teams WHERE agency_id = $1 ORDER BY name, id",
    )
    .bind(agency_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Up to `limit` teams by (name, id), after `after` (the name and id of the last one seen).
/// Keyset on the (agency_id, name) unique index, so a page costs the same wherever it starts.
pub async fn teams_page(
    conn: &mut Conn,
    agency_id: i64,
    after: Option<(&str, i64)>,
    limit: i64,
) -> Result<Vec<Team>> {
    let (name, id) = after.unwrap_or(("", i64::MIN));
    Ok(sqlx::query_as(
        "SELECT id, agency_id, name FROM teams
         WHERE agency_id = $1 AND (name > $2 OR (name = $2 AND id > $3))
         ORDER BY name, id LIMIT $4",
    )
    .bind(agency_id)
    .bind(name)
    .bind(id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn team(conn: &mut impl Fetch, agency_id: i64, id: i64) -> Result<Option<Team>> {
    fetch::query("SELECT id, agency_id, name FROM teams WHERE agency_id = $1 AND id = $2")
        .bind(agency_id)
        .bind(id)
        .optional_on(conn)
        .await
}

const PROGRAM: &str = "id, agency_id, name, plan_approval_required, closure_approval_required";

pub async fn insert_program(
    conn: &mut Conn,
    agency_id: i64,
    name: &str,
    plan_approval: bool,
    closure_approval: bool,
    now: i64,
) -> Result<Program> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO programs (agency_id, name, plan_approval_required, closure_approval_required, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING {PROGRAM}"
    ))
    .bind(agency_id)
    .bind(name)
    .bind(plan_approval as i64)
    .bind(closure_approval as i64)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Every program of the agency, by name: for pickers (few per agency); browsing uses
/// `programs_page`.
pub async fn programs(conn: &mut Conn, agency_id: i64) -> Result<Vec<Program>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PROGRAM} FROM programs WHERE agency_id = $1 ORDER BY name, id"
    ))
    .bind(agency_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Up to `limit` programs by (name, id), after `after` (name and id of the last one seen).
pub async fn programs_page(
    conn: &mut Conn,
    agency_id: i64,
    after: Option<(&str, i64)>,
    limit: i64,
) -> Result<Vec<Program>> {
    let (name, id) = after.unwrap_or(("", i64::MIN));
    Ok(sqlx::query_as(&format!(
        "SELECT {PROGRAM} FROM programs
         WHERE agency_id = $1 AND (name > $2 OR (name = $2 AND id > $3))
         ORDER BY name, id LIMIT $4"
    ))
    .bind(agency_id)
    .bind(name)
    .bind(id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn program(conn: &mut impl Fetch, agency_id: i64, id: i64) -> Result<Option<Program>> {
    fetch::query(&format!(
        "SELECT {PROGRAM} FROM programs WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .optional_on(conn)
    .await
}

/// What a case page names around the case: its program, its primary worker's name and its team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSetting {
    pub program: Option<Program>,
    pub worker_name: Option<String>,
    pub team: Option<Team>,
}

/// The program, worker's name and team of a case, each within `agency_id`, in one statement
/// (three lookups were three round trips on every case page). An id that is `None` or not the
/// agency's reads as `None`.
pub async fn case_setting(
    conn: &mut impl Fetch,
    agency_id: i64,
    program_id: Option<i64>,
    worker_id: Option<i64>,
    team_id: Option<i64>,
) -> Result<CaseSetting> {
    let r = fetch::query(
        "SELECT p.id, p.name, p.plan_approval_required, p.closure_approval_required,
                (SELECT u.display_name FROM users u WHERE u.agency_id = $1 AND u.id = $3),
                t.id, t.name
         FROM (SELECT 1 AS one) o
              LEFT JOIN programs p ON p.agency_id = $1 AND p.id = $2
              LEFT JOIN teams t ON t.agency_id = $1 AND t.id = $4",
    )
    .bind(agency_id)
    .bind(program_id)
    .bind(worker_id)
    .bind(team_id)
    .row_on(conn)
    .await?;
    let program = match r.try_get::<Option<i64>, _>(0)? {
        Some(id) => Some(Program {
            id,
            agency_id,
            name: r.try_get(1)?,
            plan_approval_required: r.try_get(2)?,
            closure_approval_required: r.try_get(3)?,
        }),
        None => None,
    };
    let team = match r.try_get::<Option<i64>, _>(5)? {
        Some(id) => Some(Team {
            id,
            agency_id,
            name: r.try_get(6)?,
        }),
        None => None,
    };
    Ok(CaseSetting {
        program,
        worker_name: r.try_get(4)?,
        team,
    })
}
