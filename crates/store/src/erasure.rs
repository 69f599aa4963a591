//! Erasure of a client's personal data. The client row stays as a tombstone and the case rows
//! stay with their codes, dates and numbers (stages, reasons, kinds, units, scores), so counts and
//! anonymous statistics survive; every name, birth date, identifier, contact detail and piece of
//! free text about the client is blanked or deleted, and the client's audit reasons redacted.

use crate::{backend_of_conn, for_update, Backend, Conn, Result};
use sqlx::Row;

/// Rows of the client's cases: `case_id IN (...)`.
const CASES: &str = "(SELECT id FROM cases WHERE client_id = $1)";

/// Each statement blanks one table's personal columns for client `$1`.
fn statements() -> Vec<String> {
    let by_case =
        |table: &str, set: &str| format!("UPDATE {table} SET {set} WHERE case_id IN {CASES}");
    vec![
        "DELETE FROM client_identifiers WHERE client_id = $1".into(),
        "DELETE FROM household_members WHERE client_id = $1".into(),
        // The presenting problem is sealed: an empty value marked plain (see the notes below).
        "UPDATE cases SET referral_source = NULL, presenting_problem = 'legacy:' WHERE client_id = $1".into(),
        by_case("stage_history", "override_reason = NULL"),
        by_case("assignments", "reason = NULL"),
        by_case("contacts", "participants = NULL, summary = NULL"),
        "UPDATE service_consents SET witness = NULL WHERE client_id = $1".into(),
        by_case(
            "assessments",
            "situation = NULL, background = NULL, resources = NULL, limitations = NULL, risk_details = NULL, client_words = NULL",
        ),
        // Sealed: an empty value marked plain (see the notes below).
        by_case("needs", "description = 'legacy:'"),
        by_case("strengths", "description = 'legacy:'"),
        by_case(
            "goals",
            "statement = NULL, measure = NULL, baseline = NULL, target = NULL, resources = NULL, barriers = NULL,
             gas_minus2 = NULL, gas_minus1 = NULL, gas_zero = NULL, gas_plus1 = NULL, gas_plus2 = NULL, client_words = NULL",
        ),
        // Sealed columns take an empty value marked plain (`legacy:`), so a reader finds nothing
        // rather than a malformed ciphertext; the client's data key is destroyed besides.
        by_case("case_notes", "sections = 'legacy:{}'"),
        format!("UPDATE note_addenda SET body = 'legacy:' WHERE note_id IN (SELECT id FROM case_notes WHERE case_id IN {CASES})"),
        by_case("plans", "client_words = NULL, return_comment = NULL"),
        format!(
            "UPDATE interventions SET description = 'legacy:', responsible_name = NULL, resources = NULL
             WHERE plan_id IN (SELECT id FROM plans WHERE case_id IN {CASES})"
        ),
        format!(
            "UPDATE plan_tasks SET description = 'legacy:', responsible_name = NULL WHERE intervention_id IN
             (SELECT i.id FROM interventions i JOIN plans p ON p.id = i.plan_id WHERE p.case_id IN {CASES})"
        ),
        by_case("evaluations", "summary = NULL, feedback_comment = NULL"),
        format!(
            "UPDATE evaluation_goals SET comment = NULL
             WHERE evaluation_id IN (SELECT id FROM evaluations WHERE case_id IN {CASES})"
        ),
        by_case(
            "terminations",
            "reason_other = NULL, closing_summary = NULL, growth = NULL, aftercare_plan = NULL, return_comment = NULL",
        ),
        by_case(
            "follow_ups",
            "new_needs = NULL, referrals = NULL, comment = NULL, cancel_reason = NULL",
        ),
        by_case("case_reopenings", "reason = ''"),
        by_case(
            "services_delivered",
            "provider_name = NULL, note = NULL, error_reason = NULL",
        ),
        by_case("progress_entries", "comment = 'legacy:'"),
        by_case("case_tasks", "title = 'legacy:', description = NULL, cancel_reason = NULL"),
        format!(
            "UPDATE override_reviews SET comment = NULL
             WHERE stage_history_id IN (SELECT id FROM stage_history WHERE case_id IN {CASES})"
        ),
        format!(
            "UPDATE safety_acknowledgements SET comment = ''
             WHERE instrument_result_id IN (SELECT id FROM instrument_results WHERE case_id IN {CASES})"
        ),
        by_case("form_responses", "answers = '{}'"),
        "UPDATE share_consents SET recipient_name = NULL, purpose_other = NULL, witness = NULL, revocation_reason = NULL
         WHERE client_id = $1".into(),
        "UPDATE disclosures SET recipient_name = '', purpose_other = NULL, law_cited = NULL, authorised_by_name = NULL
         WHERE client_id = $1".into(),
        by_case("case_shares", "reason = ''"),
        by_case("break_glass", "reason = '', review_comment = NULL"),
    ]
}

/// Lock the client row for the erasure: `None` if it does not exist, else when it was erased.
pub async fn lock_client(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
) -> Result<Option<Option<i64>>> {
    let sql = format!(
        "SELECT erased_at FROM clients WHERE agency_id = $1 AND id = $2{}",
        for_update(backend_of_conn(conn))
    );
    let row = sqlx::query(&sql)
        .bind(agency_id)
        .bind(client_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| r.try_get::<Option<i64>, _>(0))
        .transpose()
        .map_err(Into::into)
}

/// Blank everything personal about the client (inside the caller's transaction). The name
/// trigrams go, and a trigram no other client carries leaves the counts too. Returns how many
/// cases the client had.
pub async fn blank_client(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
    now: i64,
) -> Result<i64> {
    crate::client::index_names(conn, agency_id, client_id, &[]).await?;
    sqlx::query("DELETE FROM client_gram_counts WHERE agency_id = $1 AND clients <= 0")
        .bind(agency_id)
        .execute(&mut *conn)
        .await?;
    for sql in statements() {
        sqlx::query(&sql)
            .bind(client_id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "UPDATE clients SET legal_name = '', preferred_name = NULL, birth_date = NULL,
           birth_year_estimate = NULL, gender_identity = NULL, pronouns = NULL,
           cultural_considerations = NULL, phone = NULL, email = NULL, safe_contact = NULL,
           address = NULL, erased_at = $1, updated_at = $1, version = version + 1
         WHERE agency_id = $2 AND id = $3",
    )
    .bind(now)
    .bind(agency_id)
    .bind(client_id)
    .execute(&mut *conn)
    .await?;
    let cases: i64 = sqlx::query("SELECT COUNT(*) FROM cases WHERE client_id = $1")
        .bind(client_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok(cases)
}

/// What was erased, for the admin's list: no names, no content.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ErasureRow {
    pub id: i64,
    pub client_id: i64,
    pub cause: String,
    pub reason: String,
    pub erased_by: Option<i64>,
    pub erased_by_name: Option<String>,
    pub retention_run_id: Option<i64>,
    pub erased_at: i64,
    pub cases: i64,
    pub audit_entries_redacted: i64,
}

pub struct NewErasure<'a> {
    pub agency_id: i64,
    pub client_id: i64,
    pub cause: &'a str,
    pub reason: &'a str,
    pub erased_by: Option<i64>,
    pub retention_run_id: Option<i64>,
    pub erased_at: i64,
    pub cases: i64,
    pub audit_entries_redacted: i64,
}

pub async fn record(conn: &mut Conn, e: &NewErasure<'_>) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO erasures (agency_id, client_id, cause, reason, erased_by, retention_run_id, erased_at, cases, audit_entries_redacted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(e.agency_id)
    .bind(e.client_id)
    .bind(e.cause)
    .bind(e.reason)
    .bind(e.erased_by)
    .bind(e.retention_run_id)
    .bind(e.erased_at)
    .bind(e.cases)
    .bind(e.audit_entries_redacted)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// The agency's erasures, newest first, paged by id.
pub async fn list(
    conn: &mut Conn,
    agency_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ErasureRow>> {
    Ok(sqlx::query_as(
        "SELECT e.id, e.client_id, e.cause, e.reason, e.erased_by, u.display_name AS erased_by_name,
                e.retention_run_id, e.erased_at, e.cases, e.audit_entries_redacted
         FROM erasures e LEFT JOIN users u ON u.id = e.erased_by
         WHERE e.agency_id = $1 AND e.id < $2 ORDER BY e.id DESC LIMIT $3",
    )
    .bind(agency_id)
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// After an erasure on SQLite: copy the WAL into the database file and cut the WAL to nothing, so
/// the erased content's old page images do not linger in it (freed pages are already zeroed by
/// `secure_delete`). Returns false if a reader kept the checkpoint from completing.
pub async fn checkpoint(conn: &mut Conn) -> Result<bool> {
    if backend_of_conn(conn) != Backend::Sqlite {
        return Ok(true);
    }
    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut *conn)
        .await?;
    let busy: i64 = row.try_get(0)?;
    Ok(busy == 0)
}

/// How many of the client's cases are not closed.
pub async fn open_cases(conn: &mut Conn, client_id: i64) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM cases WHERE client_id = $1 AND closed_at IS NULL")
            .bind(client_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?,
    )
}

/// Lock the client's case rows (PostgreSQL), so a reopening cannot slip between the check that
/// the client is due for erasure and the erasure.
pub async fn lock_cases(conn: &mut Conn, client_id: i64) -> Result<()> {
    let sql = format!(
        "SELECT id FROM cases WHERE client_id = $1{}",
        for_update(backend_of_conn(conn))
    );
    sqlx::query(&sql)
        .bind(client_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(())
}

/// When the client was erased, if they were.
pub async fn erased_at(conn: &mut Conn, agency_id: i64, client_id: i64) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT erased_at FROM clients WHERE agency_id = $1 AND id = $2")
        .bind(agency_id)
        .bind(client_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row
        .map(|r| r.try_get::<Option<i64>, _>(0))
        .transpose()?
        .flatten())
}
