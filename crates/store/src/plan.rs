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

pub async fn insert_intervention(
    conn: &mut Conn,
    agency_id: i64,
    plan_id: i64,
    i: &Intervention,
    now: i64,
) -> Result<InterventionRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO interventions (agency_id, plan_id, goal_id, kind, description, responsible,
           responsible_name, due_on, resources, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {INTERVENTION}"
    ))
    .bind(agency_id)
    .bind(plan_id)
    .bind(i.goal_id)
    .bind(i.kind.as_str())
    .bind(&i.description)
    .bind(i.who.kind().as_str())
    .bind(i.who.name())
    .bind(i.due_on.to_string())
    .bind(i.resources.as_deref())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn intervention(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
) -> Result<Option<InterventionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {INTERVENTION} FROM interventions WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The plan version's interventions, by goal then age.
pub async fn interventions(
    conn: &mut impl Fetch,
    agency_id: i64,
    plan_id: i64,
) -> Result<Vec<InterventionRow>> {
    fetch::query(&format!(
        "SELECT {INTERVENTION} FROM interventions WHERE agency_id = $1 AND plan_id = $2
         ORDER BY goal_id, id LIMIT $3"
    ))
    .bind(agency_id)
    .bind(plan_id)
    .bind(INTERVENTIONS_MAX)
    .all_on(conn)
    .await
}

pub async fn insert_task(conn: &mut Conn, agency_id: i64, t: &Task, now: i64) -> Result<TaskRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO plan_tasks (agency_id, intervention_id, description, responsible,
           responsible_name, due_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TASK}"
    ))
    .bind(agency_id)
    .bind(t.intervention_id)
    .bind(&t.description)
    .bind(t.who.kind().as_str())
    .bind(t.who.name())
    .bind(t.due_on.to_string())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn task(conn: &mut Conn, agency_id: i64, id: i64) -> Result<Option<TaskRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TASK} FROM plan_tasks WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The tasks of the plan version's interventions, by intervention then age.
pub async fn tasks(conn: &mut Conn, agency_id: i64, plan_id: i64) -> Result<Vec<TaskRow>> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.agency_id, t.intervention_id, t.description, t.responsible,
           t.responsible_name, t.due_on, t.done_at, t.created_at
         FROM plan_tasks t JOIN interventions i ON i.id = t.intervention_id
         WHERE t.agency_id = $1 AND i.plan_id = $2 ORDER BY t.intervention_id, t.id LIMIT $3",
    )
    .bind(agency_id)
    .bind(plan_id)
    .bind(TASKS_MAX)
    .fetch_all(&mut *conn)
    .await?)
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

/// Copy every intervention and task of `from` into `to` (a new version). Returns the pairs
/// (old intervention id, new intervention id) so callers can follow an intervention across.
pub async fn copy_into(
    conn: &mut Conn,
    agency_id: i64,
    from: i64,
    to: i64,
    now: i64,
) -> Result<Vec<(i64, i64)>> {
    let old = interventions(conn, agency_id, from).await?;
    let old_tasks = tasks(conn, agency_id, from).await?;
    let mut pairs = Vec::with_capacity(old.len());
    for i in &old {
        let row: (i64,) = sqlx::query_as(
            "INSERT INTO interventions (agency_id, plan_id, goal_id, kind, description, responsible,
               responsible_name, due_on, resources, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(agency_id)
        .bind(to)
        .bind(i.goal_id)
        .bind(&i.kind)
        .bind(&i.description)
        .bind(&i.responsible)
        .bind(i.responsible_name.as_deref())
        .bind(&i.due_on)
        .bind(i.resources.as_deref())
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        pairs.push((i.id, row.0));
        for t in old_tasks.iter().filter(|t| t.intervention_id == i.id) {
            sqlx::query(
                "INSERT INTO plan_tasks (agency_id, intervention_id, description, responsible,
                   responsible_name, due_on, done_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(agency_id)
            .bind(row.0)
            .bind(&t.description)
            .bind(&t.responsible)
            .bind(t.responsible_name.as_deref())
            .bind(&t.due_on)
            .bind(t.done_at)
            .bind(now)
            .execute(&mut *conn)
            .await?;
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
