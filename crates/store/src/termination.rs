//! Termination records (one current per case; earlier ones kept when a case is reopened), the
//! programs' follow-up schedules, and what the termination and follow-up guards count.

use crate::vault::{client_of_case, At, Vault};
use crate::{Conn, Result};
use casework_domain::termination::Termination;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct TerminationRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub reason: Option<String>,
    pub reason_other: Option<String>,
    pub closing_summary: Option<String>,
    pub growth: Option<String>,
    pub aftercare_plan: Option<String>,
    pub status: String,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub return_comment: Option<String>,
    pub reopened_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const TERMINATION: &str = "id, agency_id, case_id, reason, reason_other, closing_summary, growth, aftercare_plan, status, submitted_by, submitted_at, decided_by, decided_at, return_comment, reopened_at, created_by, created_at, updated_at, version";

/// Earlier terminations of one case shown at most (a case reopened more often than this is rare).
pub const EARLIER_MAX: i64 = 20;

/// The free texts about the client, sealed under the client's data key.
pub const SEALED_COLUMNS: [&str; 3] = ["closing_summary", "growth", "aftercare_plan"];

fn texts(row: &mut TerminationRow) -> [&mut Option<String>; 3] {
    [
        &mut row.closing_summary,
        &mut row.growth,
        &mut row.aftercare_plan,
    ]
}

/// Open the sealed texts of each row, one reader for the list.
async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<TerminationRow>,
) -> Result<Vec<TerminationRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("terminations", "", r.id, r.agency_id, 0);
        for (column, value) in SEALED_COLUMNS.iter().zip(texts(r)) {
            reader.open_opt_in(conn, at.column(column), value).await?;
        }
        reader
            .open_opt_in(conn, at.column("return_comment"), &mut r.return_comment)
            .await?;
    }
    Ok(rows)
}

async fn seal_texts(
    conn: &mut Conn,
    vault: &Vault,
    at: At<'_>,
    t: &Termination,
    now: i64,
) -> Result<Vec<Option<String>>> {
    let plain = [&t.closing_summary, &t.growth, &t.aftercare_plan];
    let mut out = Vec::with_capacity(plain.len());
    for (column, text) in SEALED_COLUMNS.iter().zip(plain) {
        out.push(
            vault
                .seal_opt(conn, at.column(column), text.as_deref(), now)
                .await?,
        );
    }
    Ok(out)
}

/// The case's current termination record (not set aside by a reopening).
pub async fn current(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
) -> Result<Option<TerminationRow>> {
    let row: Option<TerminationRow> = sqlx::query_as(&format!(
        "SELECT {TERMINATION} FROM terminations
         WHERE agency_id = $1 AND case_id = $2 AND reopened_at IS NULL"
    ))
    .bind(agency_id)
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// The case's terminations set aside by reopenings, newest first.
pub async fn earlier(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
) -> Result<Vec<TerminationRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {TERMINATION} FROM terminations
         WHERE agency_id = $1 AND case_id = $2 AND reopened_at IS NOT NULL
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(EARLIER_MAX)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<TerminationRow>> {
    let row: Option<TerminationRow> = sqlx::query_as(&format!(
        "SELECT {TERMINATION} FROM terminations WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// A new draft; a second current one for the case is refused by the unique index.
pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    t: &Termination,
    by: i64,
    now: i64,
) -> Result<TerminationRow> {
    let mut row: TerminationRow = sqlx::query_as(&format!(
        "INSERT INTO terminations (agency_id, case_id, reason, reason_other, closing_summary,
           growth, aftercare_plan, status, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, NULL, NULL, NULL, 'draft', $5, $6, $6) RETURNING {TERMINATION}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(t.reason.map(|r| r.as_str()))
    .bind(t.reason_other.as_deref())
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    // The row id is part of what the ciphertexts are bound to, so they are written second.
    let client_id = client_of_case(conn, case_id).await?;
    let at = At::new("terminations", "", row.id, agency_id, client_id);
    let sealed = seal_texts(conn, vault, at, t, now).await?;
    sqlx::query(
        "UPDATE terminations SET closing_summary = $1, growth = $2, aftercare_plan = $3 WHERE id = $4",
    )
    .bind(&sealed[0])
    .bind(&sealed[1])
    .bind(&sealed[2])
    .bind(row.id)
    .execute(&mut *conn)
    .await?;
    row.closing_summary.clone_from(&t.closing_summary);
    row.growth.clone_from(&t.growth);
    row.aftercare_plan.clone_from(&t.aftercare_plan);
    Ok(row)
}

/// Replace the draft's content if still at `version`; it becomes a draft again.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    t: &Termination,
    now: i64,
) -> Result<bool> {
    let at = At::new("terminations", "", id, agency_id, client_id);
    let sealed = seal_texts(conn, vault, at, t, now).await?;
    let done = sqlx::query(
        "UPDATE terminations SET reason = $1, reason_other = $2, closing_summary = $3,
           growth = $4, aftercare_plan = $5, status = 'draft', updated_at = $6,
           version = version + 1
         WHERE agency_id = $7 AND id = $8 AND version = $9",
    )
    .bind(t.reason.map(|r| r.as_str()))
    .bind(t.reason_other.as_deref())
    .bind(&sealed[0])
    .bind(&sealed[1])
    .bind(&sealed[2])
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_submitted(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    status: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE terminations SET status = $1, submitted_by = $2, submitted_at = $3,
           updated_at = $3, version = version + 1
         WHERE agency_id = $4 AND id = $5 AND version = $6",
    )
    .bind(status)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A supervisor's decision on the termination of `client_id`'s case: `approved`, or
/// `returned` with a comment (sealed under the client's data key).
#[allow(clippy::too_many_arguments)]
pub async fn set_decision(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    status: &str,
    comment: Option<&str>,
    by: i64,
    now: i64,
) -> Result<bool> {
    let at = At::new("terminations", "return_comment", id, agency_id, client_id);
    let comment = vault.seal_opt(conn, at, comment, now).await?;
    let done = sqlx::query(
        "UPDATE terminations SET status = $1, return_comment = $2, decided_by = $3,
           decided_at = $4, updated_at = $4, version = version + 1
         WHERE agency_id = $5 AND id = $6 AND version = $7",
    )
    .bind(status)
    .bind(comment)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The case was reopened: its current termination becomes history.
pub async fn set_reopened(conn: &mut Conn, agency_id: i64, case_id: i64, now: i64) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE terminations SET reopened_at = $1, version = version + 1
         WHERE agency_id = $2 AND case_id = $3 AND reopened_at IS NULL",
    )
    .bind(now)
    .bind(agency_id)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// A termination waiting for a supervisor, with whose case it is.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AwaitingApprovalRow {
    pub termination_id: i64,
    pub case_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub primary_worker_id: Option<i64>,
    pub submitted_at: Option<i64>,
}

/// Terminations awaiting approval on cases of `team_id`, by termination id after `after`, for a
/// supervisor's queue. Fetch `limit + 1` to know whether there is more.
pub async fn awaiting_approval_for_team(
    conn: &mut Conn,
    agency_id: i64,
    team_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<AwaitingApprovalRow>> {
    Ok(sqlx::query_as(
        "SELECT t.id AS termination_id, c.id AS case_id, c.client_id,
           COALESCE(cl.preferred_name, cl.legal_name) AS client_name,
           c.primary_worker_id, t.submitted_at
         FROM terminations t
         JOIN cases c ON c.id = t.case_id
         JOIN clients cl ON cl.id = c.client_id
         WHERE t.agency_id = $1 AND t.status = 'awaiting_approval' AND t.reopened_at IS NULL
           AND c.team_id = $2 AND t.id > $3
         ORDER BY t.id LIMIT $4",
    )
    .bind(agency_id)
    .bind(team_id)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScheduleRow {
    pub program_id: i64,
    pub agency_id: i64,
    pub days: String,
    pub updated_by: Option<i64>,
    pub updated_at: i64,
    pub version: i64,
}

pub async fn schedule(
    conn: &mut Conn,
    agency_id: i64,
    program_id: i64,
) -> Result<Option<ScheduleRow>> {
    Ok(sqlx::query_as(
        "SELECT program_id, agency_id, days, updated_by, updated_at, version
         FROM program_follow_up_schedules WHERE agency_id = $1 AND program_id = $2",
    )
    .bind(agency_id)
    .bind(program_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Write the schedule if it is still at `version` (0: none stored yet).
pub async fn set_schedule(
    conn: &mut Conn,
    agency_id: i64,
    program_id: i64,
    version: i64,
    days: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = if version == 0 {
        sqlx::query(
            "INSERT INTO program_follow_up_schedules (program_id, agency_id, days, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (program_id) DO NOTHING",
        )
        .bind(program_id)
        .bind(agency_id)
        .bind(days)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE program_follow_up_schedules SET days = $1, updated_by = $2, updated_at = $3,
               version = version + 1
             WHERE agency_id = $4 AND program_id = $5 AND version = $6",
        )
        .bind(days)
        .bind(by)
        .bind(now)
        .bind(agency_id)
        .bind(program_id)
        .bind(version)
        .execute(&mut *conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}
