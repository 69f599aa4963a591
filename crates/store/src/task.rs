//! Case tasks and the program default tasks that make them when a case enters a stage.

use crate::vault::{client_of_case, At, Vault};
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct CaseTaskRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub due_on: String,
    pub remind_days: Option<i64>,
    pub remind_on: String,
    pub assignee_id: Option<i64>,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub template_id: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct TemplateRow {
    pub id: i64,
    pub agency_id: i64,
    pub program_id: i64,
    pub stage: String,
    pub title: String,
    pub due_days: i64,
    pub remind_days: Option<i64>,
    pub retired_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub version: i64,
}

const TASK: &str = "id, agency_id, case_id, title, description, due_on, remind_days, remind_on, assignee_id, status, cancel_reason, template_id, created_by, created_at, closed_at, version";
const TEMPLATE: &str = "id, agency_id, program_id, stage, title, due_days, remind_days, retired_at, created_by, created_at, version";

/// Default tasks per program are bounded: a timeline, not a backlog.
pub const TEMPLATES_MAX: i64 = 200;

/// A case task ready to write: checked, its assignee and reminder day decided.
pub struct NewTask<'a> {
    pub case_id: i64,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub due_on: String,
    pub remind_days: Option<i64>,
    pub remind_on: String,
    pub assignee_id: Option<i64>,
    pub template_id: Option<i64>,
}

/// Open each row's sealed texts (title, description, cancel reason), one reader for the list.
async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<CaseTaskRow>,
) -> Result<Vec<CaseTaskRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("case_tasks", "title", r.id, r.agency_id, 0);
        reader.open_in(conn, at, &mut r.title).await?;
        reader
            .open_opt_in(conn, at.column("description"), &mut r.description)
            .await?;
        reader
            .open_opt_in(conn, at.column("cancel_reason"), &mut r.cancel_reason)
            .await?;
    }
    Ok(rows)
}

/// A new open task; its title and description sealed under the client's data key once the row
/// id is known (the id is part of what each ciphertext is bound to).
pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    t: &NewTask<'_>,
    by: i64,
    now: i64,
) -> Result<CaseTaskRow> {
    let mut row: CaseTaskRow = sqlx::query_as(&format!(
        "INSERT INTO case_tasks (agency_id, case_id, title, description, due_on, remind_days,
           remind_on, assignee_id, status, template_id, created_by, created_at)
         VALUES ($1, $2, '', NULL, $3, $4, $5, $6, 'open', $7, $8, $9) RETURNING {TASK}"
    ))
    .bind(agency_id)
    .bind(t.case_id)
    .bind(&t.due_on)
    .bind(t.remind_days)
    .bind(&t.remind_on)
    .bind(t.assignee_id)
    .bind(t.template_id)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let client_id = client_of_case(conn, t.case_id).await?;
    let at = At::new("case_tasks", "", row.id, agency_id, client_id);
    let columns = ["title", "description"];
    vault
        .seal_into(
            conn,
            "case_tasks",
            at,
            &columns,
            &[Some(t.title), t.description],
            now,
        )
        .await?;
    row.title = t.title.to_string();
    row.description = t.description.map(str::to_string);
    Ok(row)
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<CaseTaskRow>> {
    let row: Option<CaseTaskRow> = sqlx::query_as(&format!(
        "SELECT {TASK} FROM case_tasks WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// The case's tasks by id after `after`.
pub async fn of_case(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<CaseTaskRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {TASK} FROM case_tasks WHERE agency_id = $1 AND case_id = $2 AND id > $3
         ORDER BY id LIMIT $4"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

/// Edit an open task of `client_id`'s case if still at `version`.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    t: &NewTask<'_>,
    now: i64,
) -> Result<bool> {
    let at = At::new("case_tasks", "title", id, agency_id, client_id);
    let title = vault.seal(conn, at, t.title, now).await?;
    let description = vault
        .seal_opt(conn, at.column("description"), t.description, now)
        .await?;
    let done = sqlx::query(
        "UPDATE case_tasks SET title = $1, description = $2, due_on = $3, remind_days = $4,
           remind_on = $5, assignee_id = $6, version = version + 1
         WHERE agency_id = $7 AND id = $8 AND version = $9 AND status = 'open'",
    )
    .bind(title)
    .bind(description)
    .bind(&t.due_on)
    .bind(t.remind_days)
    .bind(&t.remind_on)
    .bind(t.assignee_id)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Close an open task of `client_id`'s case: `done`, or `cancelled` with its reason (sealed).
#[allow(clippy::too_many_arguments)]
pub async fn close(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    status: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<bool> {
    let at = At::new("case_tasks", "cancel_reason", id, agency_id, client_id);
    let reason = vault.seal_opt(conn, at, reason, now).await?;
    let done = sqlx::query(
        "UPDATE case_tasks SET status = $1, cancel_reason = $2, closed_at = $3,
           version = version + 1
         WHERE agency_id = $4 AND id = $5 AND version = $6 AND status = 'open'",
    )
    .bind(status)
    .bind(reason)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewTemplate<'a> {
    pub program_id: i64,
    pub stage: &'a str,
    pub title: &'a str,
    pub due_days: i64,
    pub remind_days: Option<i64>,
}

pub async fn insert_template(
    conn: &mut Conn,
    agency_id: i64,
    t: &NewTemplate<'_>,
    by: i64,
    now: i64,
) -> Result<TemplateRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO task_templates (agency_id, program_id, stage, title, due_days, remind_days,
           created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {TEMPLATE}"
    ))
    .bind(agency_id)
    .bind(t.program_id)
    .bind(t.stage)
    .bind(t.title)
    .bind(t.due_days)
    .bind(t.remind_days)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn template(conn: &mut Conn, agency_id: i64, id: i64) -> Result<Option<TemplateRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TEMPLATE} FROM task_templates WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The program's default tasks still in use, by id.
pub async fn templates(
    conn: &mut Conn,
    agency_id: i64,
    program_id: i64,
) -> Result<Vec<TemplateRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TEMPLATE} FROM task_templates
         WHERE agency_id = $1 AND program_id = $2 AND retired_at IS NULL ORDER BY id LIMIT $3"
    ))
    .bind(agency_id)
    .bind(program_id)
    .bind(TEMPLATES_MAX)
    .fetch_all(&mut *conn)
    .await?)
}

/// The program's default tasks made on entering `stage`.
pub async fn templates_for(
    conn: &mut Conn,
    agency_id: i64,
    program_id: i64,
    stage: &str,
) -> Result<Vec<TemplateRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TEMPLATE} FROM task_templates
         WHERE agency_id = $1 AND program_id = $2 AND stage = $3 AND retired_at IS NULL
         ORDER BY id LIMIT $4"
    ))
    .bind(agency_id)
    .bind(program_id)
    .bind(stage)
    .bind(TEMPLATES_MAX)
    .fetch_all(&mut *conn)
    .await?)
}

/// Retire a default task (cases keep the tasks it already made).
pub async fn retire_template(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE task_templates SET retired_at = $1, version = version + 1
         WHERE agency_id = $2 AND id = $3 AND version = $4 AND retired_at IS NULL",
    )
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who may do a case's tasks: its primary worker and the active caseworkers and supervisors of
/// its team, as (id, display name), by name.
pub async fn workers_of(
    conn: &mut Conn,
    agency_id: i64,
    primary_worker_id: Option<i64>,
    team_id: Option<i64>,
) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, display_name FROM users
         WHERE agency_id = $1 AND active = 1 AND (id = $2
           OR (team_id = $3 AND role IN ('caseworker', 'supervisor')))
         ORDER BY display_name, id LIMIT 200",
    )
    .bind(agency_id)
    .bind(primary_worker_id.unwrap_or(0))
    .bind(team_id.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?)
}
