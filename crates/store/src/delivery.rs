//! Services delivered to a client: kept whole, corrected in place (versioned), and when wrong
//! marked entered in error with a reason rather than deleted.

use crate::fetch::{self, Fetch, Run};
use crate::vault::{client_of_case, At, Vault};
use crate::{Conn, Result};
use casework_domain::delivery::ServiceDelivery;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ServiceRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub kind: String,
    pub other_kind: Option<String>,
    pub delivered_on: String,
    pub provider: String,
    pub provider_name: Option<String>,
    pub units: f64,
    pub unit_name: String,
    pub goal_id: Option<i64>,
    pub intervention_id: Option<i64>,
    pub note: Option<String>,
    pub error_reason: Option<String>,
    pub error_by: Option<i64>,
    pub error_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_by: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl ServiceRow {
    pub fn in_error(&self) -> bool {
        self.error_at.is_some()
    }
}

const COLUMNS: &str = "id, agency_id, case_id, kind, other_kind, delivered_on, provider, provider_name, units, unit_name, goal_id, intervention_id, note, error_reason, error_by, error_at, created_by, created_at, updated_by, updated_at, version";

/// Open each row's sealed note, one reader for the list.
async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<ServiceRow>,
) -> Result<Vec<ServiceRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("services_delivered", "note", r.id, r.agency_id, 0);
        reader.open_opt_in(conn, at, &mut r.note).await?;
    }
    Ok(rows)
}

/// A new record; its note sealed under the client's data key.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    s: &ServiceDelivery,
    by: i64,
    now: i64,
) -> Result<ServiceRow> {
    let mut row: ServiceRow = sqlx::query_as(&format!(
        "INSERT INTO services_delivered (agency_id, case_id, kind, other_kind, delivered_on,
           provider, provider_name, units, unit_name, goal_id, intervention_id, note,
           created_by, created_at, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14)
         RETURNING {COLUMNS}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(s.kind.as_str())
    .bind(s.other_kind.as_deref())
    .bind(s.delivered_on.to_string())
    .bind(s.provider.kind())
    .bind(s.provider.name())
    .bind(s.units)
    .bind(&s.unit_name)
    .bind(s.goal_id)
    .bind(s.intervention_id)
    .bind(None::<String>)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    if s.note.is_some() {
        let client_id = client_of_case(conn, case_id).await?;
        let at = At::new("services_delivered", "", row.id, agency_id, client_id);
        vault
            .seal_into(
                conn,
                "services_delivered",
                at,
                &["note"],
                &[s.note.as_deref()],
                now,
            )
            .await?;
    }
    row.note.clone_from(&s.note);
    Ok(row)
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<ServiceRow>> {
    let row: Option<ServiceRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM services_delivered WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// The case's records newest first, after the cursor (an id), `limit` of them.
pub async fn of_case(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ServiceRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM services_delivered
         WHERE agency_id = $1 AND case_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

/// Rewrite a record of `client_id`'s case if still at `version` and not entered in error.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    s: &ServiceDelivery,
    by: i64,
    now: i64,
) -> Result<bool> {
    let at = At::new("services_delivered", "note", id, agency_id, client_id);
    let note = vault.seal_opt(conn, at, s.note.as_deref(), now).await?;
    let done = sqlx::query(
        "UPDATE services_delivered SET kind = $1, other_kind = $2, delivered_on = $3,
           provider = $4, provider_name = $5, units = $6, unit_name = $7, goal_id = $8,
           intervention_id = $9, note = $10, updated_by = $11, updated_at = $12,
           version = version + 1
         WHERE agency_id = $13 AND id = $14 AND version = $15 AND error_at IS NULL",
    )
    .bind(s.kind.as_str())
    .bind(s.other_kind.as_deref())
    .bind(s.delivered_on.to_string())
    .bind(s.provider.kind())
    .bind(s.provider.name())
    .bind(s.units)
    .bind(&s.unit_name)
    .bind(s.goal_id)
    .bind(s.intervention_id)
    .bind(note)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Mark a record entered in error (once), keeping it.
pub async fn mark_in_error(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE services_delivered SET error_reason = $1, error_by = $2, error_at = $3,
           updated_by = $2, updated_at = $3, version = version + 1
         WHERE agency_id = $4 AND id = $5 AND version = $6 AND error_at IS NULL",
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

/// Records of the case that stand (not entered in error).
pub async fn count_of_case(conn: &mut impl Fetch, case_id: i64) -> Result<i64> {
    let row = fetch::query(
        "SELECT COUNT(*) FROM services_delivered WHERE case_id = $1 AND error_at IS NULL",
    )
    .bind(case_id)
    .row_on(conn)
    .await?;
    Ok(row.try_get(0)?)
}
