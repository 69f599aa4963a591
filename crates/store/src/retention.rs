//! The agency's subject-rights settings (retention period, privacy officer), the retention job's
//! claim and runs, and the clients whose retention period has run out.

use crate::{Conn, Result};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct SubjectRightsSettings {
    /// Months after the client's last case closed; None: never erase by retention.
    pub retention_months: Option<i64>,
    /// Admins act as privacy officer (subject access exports, erasure on request).
    pub admin_privacy_officer: bool,
    /// 0 before the settings were first saved.
    pub version: i64,
}

pub async fn settings(conn: &mut Conn, agency_id: i64) -> Result<SubjectRightsSettings> {
    let row = sqlx::query(
        "SELECT retention_months, admin_privacy_officer, version FROM agency_subject_rights WHERE agency_id = $1",
    )
    .bind(agency_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => SubjectRightsSettings::default(),
        Some(r) => SubjectRightsSettings {
            retention_months: r.try_get(0)?,
            admin_privacy_officer: r.try_get::<i64, _>(1)? != 0,
            version: r.try_get(2)?,
        },
    })
}

/// Save if still at `version` (0: never saved); false when someone else saved first.
pub async fn save_settings(
    conn: &mut Conn,
    agency_id: i64,
    version: i64,
    s: &SubjectRightsSettings,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = if version == 0 {
        sqlx::query(
            "INSERT INTO agency_subject_rights (agency_id, retention_months, admin_privacy_officer, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agency_id) DO NOTHING",
        )
        .bind(agency_id)
        .bind(s.retention_months)
        .bind(s.admin_privacy_officer as i64)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE agency_subject_rights SET retention_months = $1, admin_privacy_officer = $2,
               updated_by = $3, updated_at = $4, version = version + 1
             WHERE agency_id = $5 AND version = $6",
        )
        .bind(s.retention_months)
        .bind(s.admin_privacy_officer as i64)
        .bind(by)
        .bind(now)
        .bind(agency_id)
        .bind(version)
        .execute(&mut *conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// Agencies with a retention period: (agency id, months).
pub async fn agencies_with_retention(conn: &mut Conn) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT agency_id, retention_months FROM agency_subject_rights
         WHERE retention_months IS NOT NULL ORDER BY agency_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Clients not yet erased (nor merged away) that have at least one case and whose every case
/// closed before `closed_before` (ms). Paged by id.
pub async fn due_clients(
    conn: &mut Conn,
    agency_id: i64,
    closed_before: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT c.id FROM clients c
         WHERE c.agency_id = $1 AND c.erased_at IS NULL AND c.merged_into IS NULL AND c.id > $2
           AND EXISTS (SELECT 1 FROM cases k WHERE k.client_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.client_id = c.id
                           AND (k.closed_at IS NULL OR k.closed_at >= $3))
         ORDER BY c.id LIMIT $4",
    )
    .bind(agency_id)
    .bind(after_id)
    .bind(closed_before)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Take the job's claim for `holder` until `lease_until` if nobody holds an unexpired one.
/// One conditional UPDATE: under concurrency exactly one process gets the row back.
pub async fn claim(
    conn: &mut Conn,
    job: &str,
    holder: &str,
    now: i64,
    lease_until: i64,
) -> Result<bool> {
    let row = sqlx::query(
        "UPDATE job_claims SET holder = $1, lease_until = $2
         WHERE job = $3 AND lease_until <= $4 RETURNING holder",
    )
    .bind(holder)
    .bind(lease_until)
    .bind(job)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Shorten the claim to `until` (only if `holder` still has it): now, to give it back.
pub async fn release(conn: &mut Conn, job: &str, holder: &str, until: i64) -> Result<()> {
    sqlx::query("UPDATE job_claims SET lease_until = $1 WHERE job = $2 AND holder = $3")
        .bind(until)
        .bind(job)
        .bind(holder)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn start_run(conn: &mut Conn, holder: &str, now: i64) -> Result<i64> {
    let row =
        sqlx::query("INSERT INTO retention_runs (holder, started_at) VALUES ($1, $2) RETURNING id")
            .bind(holder)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
    Ok(row.try_get(0)?)
}

pub async fn finish_run(conn: &mut Conn, id: i64, erased: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE retention_runs SET finished_at = $1, erased = $2 WHERE id = $3")
        .bind(now)
        .bind(erased)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
