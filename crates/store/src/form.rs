//! Agency assessment forms: forms, their numbered versions (definition as JSON), responses
//! pinned to a version, and what each program requires to be assessed.

use crate::fetch::{self, Fetch, Run};
use crate::vault::{client_of_case, At, Vault};
use crate::{Conn, Result};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct FormRow {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
    pub created_by: i64,
    pub created_at: i64,
    /// Bumped by every change to the form or its draft: the concurrency token.
    pub version: i64,
    /// The newest published version, if any: what workers fill.
    pub published_version_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct FormVersionRow {
    pub id: i64,
    pub agency_id: i64,
    pub form_id: i64,
    pub version_no: i64,
    pub status: String,
    pub definition: String,
    pub published_by: Option<i64>,
    pub published_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ResponseRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub form_id: i64,
    pub form_version_id: i64,
    pub status: String,
    pub answers: String,
    pub filled_on: String,
    pub completed_by: Option<i64>,
    pub completed_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub version: i64,
}

const FORM: &str = "f.id, f.agency_id, f.name, f.created_by, f.created_at, f.version,
  (SELECT MAX(v.id) FROM assessment_form_versions v
   WHERE v.form_id = f.id AND v.status = 'published') AS published_version_id";
const VERSION: &str = "id, agency_id, form_id, version_no, status, definition, published_by, published_at, created_by, created_at";
const RESPONSE: &str = "id, agency_id, case_id, form_id, form_version_id, status, answers, filled_on, completed_by, completed_at, created_by, created_at, version";

pub async fn insert_form(
    conn: &mut Conn,
    agency_id: i64,
    name: &str,
    by: i64,
    now: i64,
) -> Result<i64> {
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO assessment_forms (agency_id, name, created_by, created_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(agency_id)
    .bind(name)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.0)
}

pub async fn form(conn: &mut impl Fetch, agency_id: i64, id: i64) -> Result<Option<FormRow>> {
    fetch::query(&format!(
        "SELECT {FORM} FROM assessment_forms f WHERE f.agency_id = $1 AND f.id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .optional_on(conn)
    .await
}

/// Forms by id after `after`, `limit` of them (callers ask one more to learn there is more).
pub async fn forms(
    conn: &mut Conn,
    agency_id: i64,
    after: i64,
    limit: i64,
    published_only: bool,
) -> Result<Vec<FormRow>> {
    let only = if published_only {
        " AND EXISTS (SELECT 1 FROM assessment_form_versions p
           WHERE p.form_id = f.id AND p.status = 'published')"
    } else {
        ""
    };
    Ok(sqlx::query_as(&format!(
        "SELECT {FORM} FROM assessment_forms f WHERE f.agency_id = $1 AND f.id > $2{only}
         ORDER BY f.id LIMIT $3"
    ))
    .bind(agency_id)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Bump the form's version if still at `version`, renaming it when `name` is given.
pub async fn touch_form(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    name: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE assessment_forms SET name = COALESCE($1, name), version = version + 1
         WHERE agency_id = $2 AND id = $3 AND version = $4",
    )
    .bind(name)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_version(
    conn: &mut Conn,
    agency_id: i64,
    form_id: i64,
    version_no: i64,
    definition: &str,
    by: i64,
    now: i64,
) -> Result<FormVersionRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO assessment_form_versions (agency_id, form_id, version_no, status, definition,
           created_by, created_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6) RETURNING {VERSION}"
    ))
    .bind(agency_id)
    .bind(form_id)
    .bind(version_no)
    .bind(definition)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn latest_version(
    conn: &mut Conn,
    agency_id: i64,
    form_id: i64,
) -> Result<Option<FormVersionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VERSION} FROM assessment_form_versions WHERE agency_id = $1 AND form_id = $2
         ORDER BY version_no DESC LIMIT 1"
    ))
    .bind(agency_id)
    .bind(form_id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn version(conn: &mut Conn, agency_id: i64, id: i64) -> Result<Option<FormVersionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VERSION} FROM assessment_form_versions WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Replace a draft version's definition. A published version is never changed.
pub async fn set_definition(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    definition: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE assessment_form_versions SET definition = $1
         WHERE agency_id = $2 AND id = $3 AND status = 'draft'",
    )
    .bind(definition)
    .bind(agency_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn publish(conn: &mut Conn, agency_id: i64, id: i64, by: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE assessment_form_versions SET status = 'published', published_by = $1,
           published_at = $2
         WHERE agency_id = $3 AND id = $4 AND status = 'draft'",
    )
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewResponse<'a> {
    pub agency_id: i64,
    pub case_id: i64,
    pub form_id: i64,
    pub form_version_id: i64,
    pub status: &'a str,
    pub answers: &'a str,
    pub filled_on: &'a str,
    pub by: i64,
    pub now: i64,
}

pub async fn insert_response(
    conn: &mut Conn,
    vault: &Vault,
    r: &NewResponse<'_>,
) -> Result<ResponseRow> {
    let completed = r.status == "completed";
    let mut row: ResponseRow = sqlx::query_as(&format!(
        "INSERT INTO form_responses (agency_id, case_id, form_id, form_version_id, status, answers,
           filled_on, completed_by, completed_at, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {RESPONSE}"
    ))
    .bind(r.agency_id)
    .bind(r.case_id)
    .bind(r.form_id)
    .bind(r.form_version_id)
    .bind(r.status)
    .bind("")
    .bind(r.filled_on)
    .bind(completed.then_some(r.by))
    .bind(completed.then_some(r.now))
    .bind(r.by)
    .bind(r.now)
    .fetch_one(&mut *conn)
    .await?;
    let client_id = client_of_case(conn, r.case_id).await?;
    let sealed = vault
        .seal(conn, at(r.agency_id, row.id, client_id), r.answers, r.now)
        .await?;
    sqlx::query("UPDATE form_responses SET answers = $1 WHERE id = $2")
        .bind(sealed)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    row.answers = r.answers.to_string();
    Ok(row)
}

fn at(agency_id: i64, id: i64, client_id: i64) -> At<'static> {
    At::new("form_responses", "answers", id, agency_id, client_id)
}

async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<ResponseRow>,
) -> Result<Vec<ResponseRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        reader
            .open_in(conn, at(r.agency_id, r.id, 0), &mut r.answers)
            .await?;
    }
    Ok(rows)
}

pub async fn response(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<ResponseRow>> {
    let row: Option<ResponseRow> = sqlx::query_as(&format!(
        "SELECT {RESPONSE} FROM form_responses WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// The case's responses, newest first, by id below `before`.
pub async fn responses_of_case(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    before: i64,
    limit: i64,
) -> Result<Vec<ResponseRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {RESPONSE} FROM form_responses WHERE agency_id = $1 AND case_id = $2 AND id < $3
         ORDER BY id DESC LIMIT $4"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

/// Change a draft response if still at `version`; `completed_by` set completes it.
#[allow(clippy::too_many_arguments)]
pub async fn update_response(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
    version: i64,
    answers: &str,
    filled_on: &str,
    completed_by: Option<i64>,
    now: i64,
) -> Result<bool> {
    let case_id: Option<i64> =
        sqlx::query_scalar("SELECT case_id FROM form_responses WHERE agency_id = $1 AND id = $2")
            .bind(agency_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(case_id) = case_id else {
        return Ok(false);
    };
    let client_id = client_of_case(conn, case_id).await?;
    let answers = vault
        .seal(conn, at(agency_id, id, client_id), answers, now)
        .await?;
    let status = if completed_by.is_some() {
        "completed"
    } else {
        "draft"
    };
    let done = sqlx::query(
        "UPDATE form_responses SET answers = $1, filled_on = $2, status = $3, completed_by = $4,
           completed_at = $5, version = version + 1
         WHERE agency_id = $6 AND id = $7 AND version = $8 AND status = 'draft'",
    )
    .bind(answers)
    .bind(filled_on)
    .bind(status)
    .bind(completed_by)
    .bind(completed_by.map(|_| now))
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A program's requirements as stored codes (`form:12`, `phq9`), in code order.
pub async fn requirements(
    conn: &mut impl Fetch,
    agency_id: i64,
    program_id: i64,
) -> Result<Vec<String>> {
    let rows = fetch::query(
        "SELECT requirement FROM program_requirements WHERE agency_id = $1 AND program_id = $2
         ORDER BY requirement LIMIT 100",
    )
    .bind(agency_id)
    .bind(program_id)
    .rows_on(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Replace the program's requirements: each (code, form id when it is a form).
pub async fn replace_requirements(
    conn: &mut Conn,
    agency_id: i64,
    program_id: i64,
    list: &[(String, Option<i64>)],
    now: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM program_requirements WHERE agency_id = $1 AND program_id = $2")
        .bind(agency_id)
        .bind(program_id)
        .execute(&mut *conn)
        .await?;
    for (code, form_id) in list {
        sqlx::query(
            "INSERT INTO program_requirements (agency_id, program_id, requirement, form_id,
               created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(agency_id)
        .bind(program_id)
        .bind(code)
        .bind(*form_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Forms with at least one completed response on the case.
pub async fn completed_forms(conn: &mut impl Fetch, case_id: i64) -> Result<Vec<i64>> {
    let rows = fetch::query(
        "SELECT DISTINCT form_id FROM form_responses WHERE case_id = $1 AND status = 'completed'",
    )
    .bind(case_id)
    .rows_on(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Instruments given at least once on the case, by stable name.
pub async fn instruments_given(conn: &mut impl Fetch, case_id: i64) -> Result<Vec<String>> {
    let rows =
        fetch::query("SELECT DISTINCT instrument FROM instrument_results WHERE case_id = $1")
            .bind(case_id)
            .rows_on(conn)
            .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}
