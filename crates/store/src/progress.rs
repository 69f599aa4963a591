//! Progress entries against a goal: a value of its measure or a GAS level, dated.

use crate::vault::{client_of_case, At, Vault};
use crate::{Conn, Result};
use casework_domain::progress::ProgressEntry;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProgressRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub goal_id: i64,
    pub recorded_on: String,
    pub value: Option<f64>,
    pub gas_level: Option<i64>,
    pub comment: String,
    pub created_by: i64,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, agency_id, case_id, goal_id, recorded_on, value, gas_level, comment, created_by, created_at";

/// Entries per goal are bounded so a goal's page and chart stay whole.
pub const ENTRIES_MAX: i64 = 500;

/// Open each row's sealed comment, one reader for the list.
async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<ProgressRow>,
) -> Result<Vec<ProgressRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("progress_entries", "comment", r.id, r.agency_id, 0);
        reader.open_in(conn, at, &mut r.comment).await?;
    }
    Ok(rows)
}

/// A new entry; its comment sealed under the client's data key.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    goal_id: i64,
    p: &ProgressEntry,
    by: i64,
    now: i64,
) -> Result<ProgressRow> {
    let mut row: ProgressRow = sqlx::query_as(&format!(
        "INSERT INTO progress_entries (agency_id, case_id, goal_id, recorded_on, value, gas_level,
           comment, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(goal_id)
    .bind(p.recorded_on.to_string())
    .bind(p.value())
    .bind(p.gas_level())
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    // Sealed second: the row id is part of what the ciphertext is bound to.
    let client_id = client_of_case(conn, case_id).await?;
    let at = At::new("progress_entries", "", row.id, agency_id, client_id);
    vault
        .seal_into(
            conn,
            "progress_entries",
            at,
            &["comment"],
            &[Some(&p.comment)],
            now,
        )
        .await?;
    row.comment.clone_from(&p.comment);
    Ok(row)
}

/// All of a goal's entries (at most [`ENTRIES_MAX`]) in date order, for its page and chart.
pub async fn of_goal(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    goal_id: i64,
) -> Result<Vec<ProgressRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM progress_entries WHERE agency_id = $1 AND goal_id = $2
         ORDER BY recorded_on, id LIMIT $3"
    ))
    .bind(agency_id)
    .bind(goal_id)
    .bind(ENTRIES_MAX)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

/// A page of a goal's entries by id, after the cursor.
pub async fn page_of_goal(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    goal_id: i64,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<ProgressRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM progress_entries WHERE agency_id = $1 AND goal_id = $2 AND id > $3
         ORDER BY id LIMIT $4"
    ))
    .bind(agency_id)
    .bind(goal_id)
    .bind(after.unwrap_or(0))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

pub async fn count_of_goal(conn: &mut Conn, goal_id: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM progress_entries WHERE goal_id = $1")
        .bind(goal_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}
