//! Plans (the planning stage): numbered versions per case, their interventions (each tied to a
//! goal) and the interventions' tasks; and what the planning guard counts.

use crate::fetch::{self, Fetch, Run};
use crate::vault::{At, Vault};
use crate::{Conn, Result};
use casework_domain::plan::{Intervention, Task};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PlanRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub version_no: i64,
    pub status: String,
    pub client_agreed_on: Option<String>,
    pub client_words: Option<String>,
    pub submitted_at: Option<i64>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<i64>,
    pub return_comment: Option<String>,
    pub created_by: i64,
    pub created_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct InterventionRow {
    pub id: i64,
    pub agency_id: i64,
    pub plan_id: i64,
    pub goal_id: i64,
    pub kind: String,
    pub description: String,
    pub responsible: String,
    pub responsible_name: Option<String>,
    pub due_on: String,
    pub resources: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct TaskRow {
    pub id: i64,
    pub agency_id: i64,
    pub intervention_id: i64,
    pub description: String,
    pub responsible: String,
    pub responsible_name: Option<String>,
    pub due_on: String,
    pub done_at: Option<i64>,
    pub created_at: i64,
}

const PLAN: &str = "id, agency_id, case_id, version_no, status, client_agreed_on, client_words, submitted_at, approved_by, approved_at, return_comment, created_by, created_at, version";
const INTERVENTION: &str = "id, agency_id, plan_id, goal_id, kind, description, responsible, responsible_name, due_on, resources, created_at";
const TASK: &str = "id, agency_id, intervention_id, description, responsible, responsible_name, due_on, done_at, created_at";

/// Interventions per plan version and tasks per intervention are bounded by the service.
pub const INTERVENTIONS_MAX: i64 = 200;
pub const TASKS_MAX: i64 = 1000;

/// Open a plan's sealed texts: the client's words on agreeing, the supervisor's return comment.
async fn opened(conn: &mut Conn, vault: &Vault, row: Option<PlanRow>) -> Result<Option<PlanRow>> {
    let Some(mut r) = row else { return Ok(None) };
    let mut reader = vault.reader();
    let at = At::new("plans", "", r.id, r.agency_id, 0);
    reader
        .open_opt_in(conn, at.column("client_words"), &mut r.client_words)
        .await?;
    reader
        .open_opt_in(conn, at.column("return_comment"), &mut r.return_comment)
        .await?;
    Ok(Some(r))
}

/// The case's latest plan version.
pub async fn latest(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
) -> Result<Option<PlanRow>> {
    let row = fetch::query(&format!(
        "SELECT {PLAN} FROM plans WHERE agency_id = $1 AND case_id = $2
         ORDER BY version_no DESC LIMIT 1"
    ))
    .bind(agency_id)
    .bind(case_id)
    .optional_on(conn)
    .await?;
    opened(conn.sqlx(), vault, row).await
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<PlanRow>> {
    let row = sqlx::query_as(&format!(
        "SELECT {PLAN} FROM plans WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    opened(conn, vault, row).await
}

/// A new draft version.
pub async fn insert(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    version_no: i64,
    by: i64,
    now: i64,
) -> Result<PlanRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO plans (agency_id, case_id, version_no, status, created_by, created_at)
         VALUES ($1, $2, $3, 'draft', $4, $5) RETURNING {PLAN}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(version_no)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Bump the plan's version if still at `version` (a change to its interventions or tasks), set
/// its status, and withdraw the client's agreement: they have not agreed to the change yet.
pub async fn touch(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    status: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE plans SET status = $1, client_agreed_on = NULL, client_words = NULL,
           version = version + 1
         WHERE agency_id = $2 AND id = $3 AND version = $4",
    )
    .bind(status)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Record that the client of the plan's case (`client_id`) agreed to it, in their own words
/// (sealed).
#[allow(clippy::too_many_arguments)]
pub async fn set_agreement(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    agreed_on: &str,
    client_words: &str,
    now: i64,
) -> Result<bool> {
    let at = At::new("plans", "client_words", id, agency_id, client_id);
    let client_words = vault.seal(conn, at, client_words, now).await?;
    let done = sqlx::query(
        "UPDATE plans SET client_agreed_on = $1, client_words = $2, version = version + 1
         WHERE agency_id = $3 AND id = $4 AND version = $5",
    )
    .bind(agreed_on)
    .bind(client_words)
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
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE plans SET status = $1, submitted_at = $2, return_comment = NULL,
           version = version + 1
         WHERE agency_id = $3 AND id = $4 AND version = $5",
    )
    .bind(status)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Record a supervisor's decision on a plan of `client_id`'s case: `approved` (with who and
/// when) or `returned` with a comment (sealed).
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
    let at = At::new("plans", "return_comment", id, agency_id, client_id);
    let comment = vault.seal_opt(conn, at, comment, now).await?;
    let approved = status == "approved";
    let done = sqlx::query(
        "UPDATE plans SET status = $1, return_comment = $2, approved_by = $3, approved_at = $4,
           version = version + 1
         WHERE agency_id = $5 AND id = $6 AND version = $7",
    )
    .bind(status)
    .bind(comment)
    .bind(approved.then_some(by))
    .bind(approved.then_some(now))
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An intervention's texts about the client, sealed under the client's data key.
const INTERVENTION_SEALED: [&str; 3] = ["description", "responsible_name", "resources"];
/// A plan step's texts, likewise.
const TASK_SEALED: [&str; 2] = ["description", "responsible_name"];

async fn opened_interventions(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<InterventionRow>,
) -> Result<Vec<InterventionRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("interventions", "description", r.id, r.agency_id, 0);
        reader.open_in(conn, at, &mut r.description).await?;
        reader
            .open_opt_in(conn, at.column("responsible_name"), &mut r.responsible_name)
            .await?;
        reader
            .open_opt_in(conn, at.column("resources"), &mut r.resources)
            .await?;
    }
    Ok(rows)
}

async fn opened_tasks(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<TaskRow>,
) -> Result<Vec<TaskRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("plan_tasks", "description", r.id, r.agency_id, 0);
        reader.open_in(conn, at, &mut r.description).await?;
        reader
            .open_opt_in(conn, at.column("responsible_name"), &mut r.responsible_name)
            .await?;
    }
    Ok(rows)
}

/// Write an intervention's row with its texts blank, then seal them: the row id is part of what
/// each ciphertext is bound to. Returns the new id.
#[allow(clippy::too_many_arguments)]
async fn write_intervention(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    plan_id: i64,
    i: &InterventionRow,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO interventions (agency_id, plan_id, goal_id, kind, description, responsible,
           due_on, created_at)
         VALUES ($1, $2, $3, $4, '', $5, $6, $7) RETURNING id",
    )
    .bind(agency_id)
    .bind(plan_id)
    .bind(i.goal_id)
    .bind(&i.kind)
    .bind(&i.responsible)
    .bind(&i.due_on)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let at = At::new("interventions", "", id, agency_id, client_id);
    let values = [
        Some(i.description.as_str()),
        i.responsible_name.as_deref(),
        i.resources.as_deref(),
    ];
    vault
        .seal_into(
            conn,
            "interventions",
            at,
            &INTERVENTION_SEALED,
            &values,
            now,
        )
        .await?;
    Ok(id)
}

/// Likewise for a plan step, with when it was done.
#[allow(clippy::too_many_arguments)]
async fn write_task(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    intervention_id: i64,
    t: &TaskRow,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO plan_tasks (agency_id, intervention_id, description, responsible, due_on,
           done_at, created_at)
         VALUES ($1, $2, '', $3, $4, $5, $6) RETURNING id",
    )
    .bind(agency_id)
    .bind(intervention_id)
    .bind(&t.responsible)
    .bind(&t.due_on)
    .bind(t.done_at)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let at = At::new("plan_tasks", "", id, agency_id, client_id);
    let values = [Some(t.description.as_str()), t.responsible_name.as_deref()];
    vault
        .seal_into(conn, "plan_tasks", at, &TASK_SEALED, &values, now)
        .await?;
    Ok(id)
}

/// A new intervention in a plan of `client_id`'s case.
pub async fn insert_intervention(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    plan_id: i64,
    i: &Intervention,
    now: i64,
) -> Result<InterventionRow> {
    let row = InterventionRow {
        id: 0,
        agency_id,
        plan_id,
        goal_id: i.goal_id,
        kind: i.kind.as_str().to_string(),
        description: i.description.clone(),
        responsible: i.who.kind().as_str().to_string(),
        responsible_name: i.who.name().map(str::to_string),
        due_on: i.due_on.to_string(),
        resources: i.resources.clone(),
        created_at: now,
    };
    let id = write_intervention(conn, vault, agency_id, client_id, plan_id, &row, now).await?;
    Ok(InterventionRow { id, ..row })
}

pub async fn intervention(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<InterventionRow>> {
    let row: Option<InterventionRow> = sqlx::query_as(&format!(
        "SELECT {INTERVENTION} FROM interventions WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened_interventions(conn, vault, row.into_iter().collect())
        .await?
        .pop())
}

/// The plan version's interventions, by goal then age.
pub async fn interventions(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    plan_id: i64,
) -> Result<Vec<InterventionRow>> {
    let rows = fetch::query(&format!(
        "SELECT {INTERVENTION} FROM interventions WHERE agency_id = $1 AND plan_id = $2
         ORDER BY goal_id, id LIMIT $3"
    ))
    .bind(agency_id)
    .bind(plan_id)
    .bind(INTERVENTIONS_MAX)
    .all_on(conn)
    .await?;
    opened_interventions(conn.sqlx(), vault, rows).await
}

/// A new step of an intervention in a plan of `client_id`'s case.
pub async fn insert_task(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    t: &Task,
    now: i64,
) -> Result<TaskRow> {
    let row = TaskRow {
        id: 0,
        agency_id,
        intervention_id: t.intervention_id,
        description: t.description.clone(),
        responsible: t.who.kind().as_str().to_string(),
        responsible_name: t.who.name().map(str::to_string),
        due_on: t.due_on.to_string(),
        done_at: None,
        created_at: now,
    };
    let id = write_task(
        conn,
        vault,
        agency_id,
        client_id,
        t.intervention_id,
        &row,
        now,
    )
    .await?;
    Ok(TaskRow { id, ..row })
}

pub async fn task(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<TaskRow>> {
    let row: Option<TaskRow> = sqlx::query_as(&format!(
        "SELECT {TASK} FROM plan_tasks WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened_tasks(conn, vault, row.into_iter().collect())
        .await?
        .pop())
}

/// The tasks of the plan version's interventions, by intervention then age.
pub async fn tasks(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    plan_id: i64,
) -> Result<Vec<TaskRow>> {
    let rows = sqlx::query_as(
        "SELECT t.id, t.agency_id, t.intervention_id, t.description, t.responsible,
           t.responsible_name, t.due_on, t.done_at, t.created_at
         FROM plan_tasks t JOIN interventions i ON i.id = t.intervention_id
         WHERE t.agency_id = $1 AND i.plan_id = $2 ORDER BY t.intervention_id, t.id LIMIT $3",
    )
    .bind(agency_id)
    .bind(plan_id)
    .bind(TASKS_MAX)
    .fetch_all(&mut *conn)
    .await?;
    opened_tasks(conn, vault, rows).await
}

pub async fn count_tasks(conn: &mut Conn, plan_id: i64) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM plan_tasks t JOIN interventions i ON i.id = t.intervention_id
         WHERE i.plan_id = $1",
    )
    .bind(plan_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn count_interventions(conn: &mut Conn, plan_id: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM interventions WHERE plan_id = $1")
        .bind(plan_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// Mark a task done (once).
pub async fn complete_task(conn: &mut Conn, agency_id: i64, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE plan_tasks SET done_at = $1 WHERE agency_id = $2 AND id = $3 AND done_at IS NULL",
    )
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Copy every intervention and task of `from` into `to` (a new version of a plan of
/// `client_id`'s case), sealing the texts again for the new rows. Returns the pairs (old
/// intervention id, new intervention id) so callers can follow an intervention across.
#[allow(clippy::too_many_arguments)]
pub async fn copy_into(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    from: i64,
    to: i64,
    now: i64,
) -> Result<Vec<(i64, i64)>> {
    let old = interventions(conn, vault, agency_id, from).await?;
    let old_tasks = tasks(conn, vault, agency_id, from).await?;
    let mut pairs = Vec::with_capacity(old.len());
    for i in &old {
        let new_id = write_intervention(conn, vault, agency_id, client_id, to, i, now).await?;
        pairs.push((i.id, new_id));
        for t in old_tasks.iter().filter(|t| t.intervention_id == i.id) {
            write_task(conn, vault, agency_id, client_id, new_id, t, now).await?;
        }
    }
    Ok(pairs)
}

/// What the planning guard counts about a case's latest plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts {
    /// Active goals with no intervention in the latest plan version.
    pub active_goals_without_intervention: i64,
    pub agreed: bool,
    pub approved: bool,
}
