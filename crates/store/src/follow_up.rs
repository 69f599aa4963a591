//! Follow-up check-ins after closure (open, done with what was found, or cancelled with a
//! reason), the due list of a worker, and the record of reopened cases.

use crate::fetch::{self, Fetch, Run};
use crate::vault::{At, Vault};
use crate::{Conn, Result};
use casework_domain::termination::CheckIn;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct FollowUpRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub day_offset: i64,
    pub due_on: String,
    pub assigned_to: Option<i64>,
    pub status: String,
    pub contact_date: Option<String>,
    pub contact_mode: Option<String>,
    pub change_held: Option<String>,
    pub new_needs: Option<String>,
    pub referrals: Option<String>,
    pub comment: Option<String>,
    pub cancel_reason: Option<String>,
    pub closed_by: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
    pub version: i64,
}

/// What a check-in found about the client, sealed under the client's data key.
pub const SEALED_COLUMNS: [&str; 3] = ["new_needs", "referrals", "comment"];

fn texts(row: &mut FollowUpRow) -> [&mut Option<String>; 3] {
    [&mut row.new_needs, &mut row.referrals, &mut row.comment]
}

/// Open the sealed texts of each row, one reader for the list.
async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<FollowUpRow>,
) -> Result<Vec<FollowUpRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("follow_ups", "", r.id, r.agency_id, 0);
        for (column, value) in SEALED_COLUMNS.iter().zip(texts(r)) {
            reader.open_opt_in(conn, at.column(column), value).await?;
        }
    }
    Ok(rows)
}

const FOLLOW_UP: &str = "id, agency_id, case_id, day_offset, due_on, assigned_to, status, contact_date, contact_mode, change_held, new_needs, referrals, comment, cancel_reason, closed_by, closed_at, created_at, version";

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    day_offset: i64,
    due_on: &str,
    assigned_to: Option<i64>,
    now: i64,
) -> Result<FollowUpRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO follow_ups (agency_id, case_id, day_offset, due_on, assigned_to, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING {FOLLOW_UP}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(day_offset)
    .bind(due_on)
    .bind(assigned_to)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<FollowUpRow>> {
    let row: Option<FollowUpRow> = sqlx::query_as(&format!(
        "SELECT {FOLLOW_UP} FROM follow_ups WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// The case's check-ins by id after `after`; fetch `limit + 1` to know whether there is more.
pub async fn of_case(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<FollowUpRow>> {
    let rows = fetch::query(&format!(
        "SELECT {FOLLOW_UP} FROM follow_ups WHERE agency_id = $1 AND case_id = $2 AND id > $3
         ORDER BY id LIMIT $4"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(after)
    .bind(limit)
    .all_on(conn)
    .await?;
    opened(conn.sqlx(), vault, rows).await
}

/// Record what an open check-in of `client_id`'s case found, if it is still open at `version`;
/// the free texts sealed under the client's data key.
#[allow(clippy::too_many_arguments)]
pub async fn set_done(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    c: &CheckIn,
    by: i64,
    now: i64,
) -> Result<bool> {
    let at = At::new("follow_ups", "", id, agency_id, client_id);
    let new_needs = vault
        .seal_opt(conn, at.column("new_needs"), c.new_needs.as_deref(), now)
        .await?;
    let referrals = vault
        .seal_opt(conn, at.column("referrals"), c.referrals.as_deref(), now)
        .await?;
    let comment = vault
        .seal_opt(conn, at.column("comment"), c.comment.as_deref(), now)
        .await?;
    let done = sqlx::query(
        "UPDATE follow_ups SET status = 'done', contact_date = $1, contact_mode = $2,
           change_held = $3, new_needs = $4, referrals = $5, comment = $6, closed_by = $7,
           closed_at = $8, version = version + 1
         WHERE agency_id = $9 AND id = $10 AND version = $11 AND status = 'open'",
    )
    .bind(c.contact_date.to_string())
    .bind(c.contact_mode.as_str())
    .bind(c.change_held.as_str())
    .bind(new_needs)
    .bind(referrals)
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

/// Cancel an open check-in at `version` with a reason.
#[allow(clippy::too_many_arguments)]
pub async fn set_cancelled(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE follow_ups SET status = 'cancelled', cancel_reason = $1, closed_by = $2,
           closed_at = $3, version = version + 1
         WHERE agency_id = $4 AND id = $5 AND version = $6 AND status = 'open'",
    )
    .bind(reason)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cancel every open check-in of the case (it was reopened); returns their ids.
pub async fn cancel_open_of_case(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "UPDATE follow_ups SET status = 'cancelled', cancel_reason = $1, closed_by = $2,
           closed_at = $3, version = version + 1
         WHERE agency_id = $4 AND case_id = $5 AND status = 'open' RETURNING id",
    )
    .bind(reason)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A due check-in in a worker's list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct DueRow {
    pub id: i64,
    pub case_id: i64,
    pub client_id: i64,
    pub client_preferred_name: String,
    pub due_on: String,
    pub day_offset: i64,
}

/// Open check-ins assigned to `worker` due on or before `until`, by due date then id, after
/// the position (`after_due`, `after_id`); fetch `limit + 1` to know whether there is more.
#[allow(clippy::too_many_arguments)]
pub async fn due_for_worker(
    conn: &mut Conn,
    agency_id: i64,
    worker: i64,
    until: &str,
    after_due: &str,
    after_id: i64,
    limit: i64,
) -> Result<Vec<DueRow>> {
    Ok(sqlx::query_as(
        "SELECT f.id, f.case_id, c.client_id,
           COALESCE(cl.preferred_name, cl.legal_name) AS client_preferred_name,
           f.due_on, f.day_offset
         FROM follow_ups f
         JOIN cases c ON c.id = f.case_id
         JOIN clients cl ON cl.id = c.client_id
         WHERE f.agency_id = $1 AND f.assigned_to = $2 AND f.status = 'open' AND f.due_on <= $3
           AND (f.due_on > $4 OR (f.due_on = $4 AND f.id > $5))
         ORDER BY f.due_on, f.id LIMIT $6",
    )
    .bind(agency_id)
    .bind(worker)
    .bind(until)
    .bind(after_due)
    .bind(after_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ReopeningRow {
    pub id: i64,
    pub case_id: i64,
    pub from_stage: String,
    pub to_stage: String,
    pub reason: String,
    pub reopened_by: i64,
    pub reopened_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_reopening(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    from: &str,
    to: &str,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<i64> {
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO case_reopenings (agency_id, case_id, from_stage, to_stage, reason,
           reopened_by, reopened_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(agency_id)
    .bind(case_id)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.0)
}

/// Reopenings of one case shown at most, newest first.
pub const REOPENINGS_MAX: i64 = 20;

pub async fn reopenings(
    conn: &mut impl Fetch,
    agency_id: i64,
    case_id: i64,
) -> Result<Vec<ReopeningRow>> {
    fetch::query(
        "SELECT id, case_id, from_stage, to_stage, reason, reopened_by, reopened_at
         FROM case_reopenings WHERE agency_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(agency_id)
    .bind(case_id)
    .bind(REOPENINGS_MAX)
    .all_on(conn)
    .await
}
