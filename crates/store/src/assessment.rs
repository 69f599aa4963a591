//! Assessments with their needs and strengths, and the standard instruments' results.

use crate::vault::{client_of_case, At, Vault};
use crate::{Conn, Result};
use casework_domain::assessment::{Assessment, AssessmentStatus};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub kind: String,
    pub status: String,
    pub situation: Option<String>,
    pub background: Option<String>,
    pub resources: Option<String>,
    pub limitations: Option<String>,
    pub risk_level: Option<String>,
    pub risk_details: Option<String>,
    pub client_words: Option<String>,
    pub assessed_on: String,
    pub completed_by: Option<i64>,
    pub completed_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub version: i64,
}

const COLUMNS: &str = "id, agency_id, case_id, kind, status, situation, background, resources, limitations, risk_level, risk_details, client_words, assessed_on, completed_by, completed_at, created_by, created_at, version";

/// The only kind so far; agency-defined forms will add others.
pub const STRUCTURED: &str = "structured";

/// A need or a strength.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub assessment_id: i64,
    pub description: String,
    pub created_at: i64,
}

/// Which list of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    Needs,
    Strengths,
}

impl Items {
    fn table(self) -> &'static str {
        match self {
            Items::Needs => "needs",
            Items::Strengths => "strengths",
        }
    }
}

fn completed(a: &Assessment, by: i64, now: i64) -> (Option<i64>, Option<i64>) {
    match a.status {
        AssessmentStatus::Completed => (Some(by), Some(now)),
        AssessmentStatus::Draft => (None, None),
    }
}

/// Each description is sealed under the client's key, bound to its own row (written second).
#[allow(clippy::too_many_arguments)]
async fn insert_items(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    assessment_id: i64,
    which: Items,
    descriptions: &[String],
    now: i64,
) -> Result<()> {
    if descriptions.is_empty() {
        return Ok(());
    }
    let client_id = client_of_case(conn, case_id).await?;
    // The key once for the list, not once per item.
    let (version, key) =
        crate::client_key::current(conn, &vault.keyring(), agency_id, client_id, now).await?;
    let insert = format!(
        "INSERT INTO {} (agency_id, case_id, assessment_id, description, created_at) VALUES ($1, $2, $3, '', $4) RETURNING id",
        which.table()
    );
    let update = format!(
        "UPDATE {} SET description = $1 WHERE id = $2",
        which.table()
    );
    for d in descriptions {
        let id: i64 = sqlx::query_scalar(&insert)
            .bind(agency_id)
            .bind(case_id)
            .bind(assessment_id)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
        let at = At::new(which.table(), "description", id, agency_id, client_id);
        sqlx::query(&update)
            .bind(Vault::seal_under(&key, version, at, d))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn replace_items(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    row: &AssessmentRow,
    a: &Assessment,
    now: i64,
) -> Result<()> {
    for (which, list) in [(Items::Needs, &a.needs), (Items::Strengths, &a.strengths)] {
        sqlx::query(&format!(
            "DELETE FROM {} WHERE assessment_id = $1",
            which.table()
        ))
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
        insert_items(
            conn,
            vault,
            agency_id,
            row.case_id,
            row.id,
            which,
            list,
            now,
        )
        .await?;
    }
    Ok(())
}

async fn opened_items(
    conn: &mut Conn,
    vault: &Vault,
    which: Items,
    mut rows: Vec<ItemRow>,
) -> Result<Vec<ItemRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new(which.table(), "description", r.id, r.agency_id, 0);
        reader.open_in(conn, at, &mut r.description).await?;
    }
    Ok(rows)
}

/// A new assessment (draft or completed) with its needs and strengths.
pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    a: &Assessment,
    by: i64,
    now: i64,
) -> Result<AssessmentRow> {
    let (completed_by, completed_at) = completed(a, by, now);
    let row: AssessmentRow = sqlx::query_as(&format!(
        "INSERT INTO assessments (agency_id, case_id, kind, status, situation, background, resources, limitations,
           risk_level, risk_details, client_words, assessed_on, completed_by, completed_at, created_by, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING {COLUMNS}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(STRUCTURED)
    .bind(a.status.as_str())
    .bind(None::<String>)
    .bind(None::<String>)
    .bind(None::<String>)
    .bind(None::<String>)
    .bind(a.risk_level.map(|r| r.as_str()))
    .bind(None::<String>)
    .bind(None::<String>)
    .bind(a.assessed_on.to_string())
    .bind(completed_by)
    .bind(completed_at)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    // The row id is part of what the ciphertexts are bound to, so they are written second.
    let sealed = seal_texts(conn, vault, agency_id, case_id, row.id, a, now).await?;
    sqlx::query(
        "UPDATE assessments SET situation = $1, background = $2, resources = $3, limitations = $4,
           risk_details = $5, client_words = $6 WHERE id = $7",
    )
    .bind(&sealed[0])
    .bind(&sealed[1])
    .bind(&sealed[2])
    .bind(&sealed[3])
    .bind(&sealed[4])
    .bind(&sealed[5])
    .bind(row.id)
    .execute(&mut *conn)
    .await?;
    replace_items(conn, vault, agency_id, &row, a, now).await?;
    Ok(with_texts(row, a))
}

/// The free-text sections, sealed, in [`SEALED_COLUMNS`] order.
pub const SEALED_COLUMNS: [&str; 6] = [
    "situation",
    "background",
    "resources",
    "limitations",
    "risk_details",
    "client_words",
];

async fn seal_texts(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    id: i64,
    a: &Assessment,
    now: i64,
) -> Result<Vec<Option<String>>> {
    let client_id = client_of_case(conn, case_id).await?;
    let texts = [
        &a.situation,
        &a.background,
        &a.resources,
        &a.limitations,
        &a.risk_details,
        &a.client_words,
    ];
    let mut out = Vec::with_capacity(texts.len());
    for (column, text) in SEALED_COLUMNS.iter().zip(texts) {
        let place = At::new("assessments", column, id, agency_id, client_id);
        out.push(vault.seal_opt(conn, place, text.as_deref(), now).await?);
    }
    Ok(out)
}

fn with_texts(mut row: AssessmentRow, a: &Assessment) -> AssessmentRow {
    row.situation.clone_from(&a.situation);
    row.background.clone_from(&a.background);
    row.resources.clone_from(&a.resources);
    row.limitations.clone_from(&a.limitations);
    row.risk_details.clone_from(&a.risk_details);
    row.client_words.clone_from(&a.client_words);
    row
}

async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<AssessmentRow>,
) -> Result<Vec<AssessmentRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("assessments", "", r.id, r.agency_id, 0);
        for (column, value) in SEALED_COLUMNS.iter().zip([
            &mut r.situation,
            &mut r.background,
            &mut r.resources,
            &mut r.limitations,
            &mut r.risk_details,
            &mut r.client_words,
        ]) {
            reader.open_opt_in(conn, at.column(column), value).await?;
        }
    }
    Ok(rows)
}

/// Rewrite a draft (and complete it, if `a` is completed) when it is still a draft at `version`;
/// `None` when it changed, was completed, or is not there.
#[allow(clippy::too_many_arguments)]
pub async fn update_draft(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
    version: i64,
    a: &Assessment,
    by: i64,
    now: i64,
) -> Result<Option<AssessmentRow>> {
    let (completed_by, completed_at) = completed(a, by, now);
    let case_id: Option<i64> =
        sqlx::query_scalar("SELECT case_id FROM assessments WHERE agency_id = $1 AND id = $2")
            .bind(agency_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(case_id) = case_id else {
        return Ok(None);
    };
    let sealed = seal_texts(conn, vault, agency_id, case_id, id, a, now).await?;
    let row: Option<AssessmentRow> = sqlx::query_as(&format!(
        "UPDATE assessments SET status = $1, situation = $2, background = $3, resources = $4, limitations = $5,
           risk_level = $6, risk_details = $7, client_words = $8, assessed_on = $9, completed_by = $10,
           completed_at = $11, version = version + 1
         WHERE agency_id = $12 AND id = $13 AND version = $14 AND status = 'draft' RETURNING {COLUMNS}"
    ))
    .bind(a.status.as_str())
    .bind(&sealed[0])
    .bind(&sealed[1])
    .bind(&sealed[2])
    .bind(&sealed[3])
    .bind(a.risk_level.map(|r| r.as_str()))
    .bind(&sealed[4])
    .bind(&sealed[5])
    .bind(a.assessed_on.to_string())
    .bind(completed_by)
    .bind(completed_at)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = &row {
        replace_items(conn, vault, agency_id, row, a, now).await?;
    }
    Ok(row.map(|r| with_texts(r, a)))
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<AssessmentRow>> {
    let row: Option<AssessmentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM assessments WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// A case's assessments, newest first, paged by id.
pub async fn of_case(
    conn: &mut Conn,
    vault: &Vault,
    case_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AssessmentRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM assessments WHERE case_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
    ))
    .bind(case_id)
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

/// The needs or strengths of one assessment, in the order given.
pub async fn items_of(
    conn: &mut Conn,
    vault: &Vault,
    assessment_id: i64,
    which: Items,
) -> Result<Vec<ItemRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT id, agency_id, case_id, assessment_id, description, created_at FROM {}
         WHERE assessment_id = $1 ORDER BY id LIMIT 200",
        which.table()
    ))
    .bind(assessment_id)
    .fetch_all(&mut *conn)
    .await?;
    opened_items(conn, vault, which, rows).await
}

/// The needs or strengths a case's completed assessments name: what goals may point to.
pub async fn items_of_case(
    conn: &mut Conn,
    vault: &Vault,
    case_id: i64,
    which: Items,
) -> Result<Vec<ItemRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT i.id, i.agency_id, i.case_id, i.assessment_id, i.description, i.created_at
         FROM {} i JOIN assessments a ON a.id = i.assessment_id
         WHERE i.case_id = $1 AND a.status = 'completed' ORDER BY i.id LIMIT 500",
        which.table()
    ))
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    opened_items(conn, vault, which, rows).await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InstrumentRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub assessment_id: Option<i64>,
    pub instrument: String,
    /// JSON: PHQ-9 and GAD-7 a list of answers; the matrix `{"domain": rating}`.
    pub answers: String,
    pub total: Option<i64>,
    pub band: Option<String>,
    pub safety_alert: i64,
    pub taken_on: String,
    pub recorded_by: i64,
    pub recorded_at: i64,
}

const INSTRUMENT: &str = "id, agency_id, case_id, assessment_id, instrument, answers, total, band, safety_alert, taken_on, recorded_by, recorded_at";

/// An instrument result as scored by the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstrumentResult<'a> {
    pub assessment_id: Option<i64>,
    pub instrument: &'a str,
    pub answers_json: &'a str,
    pub total: Option<i64>,
    pub band: Option<&'a str>,
    pub safety_alert: bool,
    /// `YYYY-MM-DD`.
    pub taken_on: &'a str,
}

pub async fn insert_instrument_result(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    r: &NewInstrumentResult<'_>,
    by: i64,
    now: i64,
) -> Result<InstrumentRow> {
    let mut row: InstrumentRow = sqlx::query_as(&format!(
        "INSERT INTO instrument_results (agency_id, case_id, assessment_id, instrument, answers, total, band,
           safety_alert, taken_on, recorded_by, recorded_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING {INSTRUMENT}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(r.assessment_id)
    .bind(r.instrument)
    .bind("")
    .bind(r.total)
    .bind(r.band)
    .bind(r.safety_alert as i64)
    .bind(r.taken_on)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let client_id = client_of_case(conn, case_id).await?;
    let place = At::new(
        "instrument_results",
        "answers",
        row.id,
        agency_id,
        client_id,
    );
    let sealed = vault.seal(conn, place, r.answers_json, now).await?;
    sqlx::query("UPDATE instrument_results SET answers = $1 WHERE id = $2")
        .bind(sealed)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    row.answers = r.answers_json.to_string();
    Ok(row)
}

/// One instrument's results for a case, newest first, at most `limit`.
pub async fn instrument_results(
    conn: &mut Conn,
    vault: &Vault,
    case_id: i64,
    instrument: &str,
    limit: i64,
) -> Result<Vec<InstrumentRow>> {
    let mut rows: Vec<InstrumentRow> = sqlx::query_as(&format!(
        "SELECT {INSTRUMENT} FROM instrument_results WHERE case_id = $1 AND instrument = $2
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(case_id)
    .bind(instrument)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut reader = vault.reader();
    for r in &mut rows {
        let place = At::new("instrument_results", "answers", r.id, r.agency_id, 0);
        reader.open_in(conn, place, &mut r.answers).await?;
    }
    Ok(rows)
}
