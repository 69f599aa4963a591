//! The sources of a worker's task list ("my tasks", overdue). Every source is ONE query that
//! returns [`TaskLine`]s in the same order (urgency, due date, kind, id) after the same cursor,
//! so the service merges them and another source (follow-up check-ins, say) is one more query
//! added to [`Source`].
//!
//! Urgency is computed in SQL only to order and page; the rule itself lives in the domain
//! (`task::urgency`): overdue after the due date, due soon from the reminder day, else later.

use crate::fetch::{self, Fetch, Run};
use crate::vault::{At, Vault};
use crate::{Conn, Result};

/// One line of a task list, whatever the source.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct TaskLine {
    /// The source: `case_task`, `plan_task`, ...
    pub kind: String,
    /// The id in that source's table.
    pub id: i64,
    pub case_id: i64,
    pub client_id: i64,
    /// The client's preferred name, or their legal name.
    pub client_name: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// The day the reminder window opens, `YYYY-MM-DD`.
    pub remind_on: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
}

/// Whose tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskScope {
    /// Every open task the worker does.
    Worker(i64),
    /// Overdue open tasks of the team's cases, whoever does them.
    TeamOverdue(i64),
}

/// A position in the list: the last line's (urgency rank, due date, kind, id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct After {
    pub rank: i64,
    pub due_on: String,
    pub kind: String,
    pub id: i64,
}

impl After {
    /// Before every line.
    pub fn start() -> After {
        After {
            rank: -1,
            ..After::default()
        }
    }
}

/// The sources of task lines. To add one: a variant here, in [`Source::ALL`], and its arm in
/// [`Source::lines`] calling a query shaped like [`case_tasks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    CaseTasks,
    PlanTasks,
    FollowUps,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::CaseTasks, Source::PlanTasks, Source::FollowUps];

    /// The source's open lines in `scope` after `after`, at most `limit`, in list order.
    #[allow(clippy::too_many_arguments)]
    pub async fn lines(
        self,
        conn: &mut Conn,
        vault: &Vault,
        agency_id: i64,
        today: &str,
        scope: TaskScope,
        after: &After,
        limit: i64,
    ) -> Result<Vec<TaskLine>> {
        match self {
            Source::CaseTasks => {
                case_tasks(conn, vault, agency_id, today, scope, after, limit).await
            }
            Source::PlanTasks => {
                plan_tasks(conn, vault, agency_id, today, scope, after, limit).await
            }
            Source::FollowUps => follow_ups(conn, agency_id, today, scope, after, limit).await,
        }
    }
}

/// The outer part every source shares: rank the inner rows, keep those after the cursor.
fn paged(inner: &str) -> String {
    format!(
        "SELECT kind, id, case_id, client_id, client_name, title, due_on, remind_on, assignee_id,
           assignee_name
         FROM (SELECT q0.*, CASE WHEN q0.due_on < $2 THEN 0 WHEN q0.remind_on <= $2 THEN 1
                 ELSE 2 END AS urgency_rank FROM ({inner}) q0) q
         WHERE q.urgency_rank > $4 OR (q.urgency_rank = $4 AND (q.due_on > $5
           OR (q.due_on = $5 AND (q.kind > $6 OR (q.kind = $6 AND q.id > $7)))))
         ORDER BY q.urgency_rank, q.due_on, q.kind, q.id LIMIT $8"
    )
}

/// `$3` is the worker or the team; `$2` today.
fn scope_clause(scope: TaskScope, worker_column: &str, due_column: &str) -> String {
    match scope {
        TaskScope::Worker(_) => format!("{worker_column} = $3"),
        TaskScope::TeamOverdue(_) => format!("c.team_id = $3 AND {due_column} < $2"),
    }
}

fn scope_id(scope: TaskScope) -> i64 {
    match scope {
        TaskScope::Worker(id) | TaskScope::TeamOverdue(id) => id,
    }
}

async fn run(
    conn: &mut Conn,
    sql: String,
    agency_id: i64,
    today: &str,
    scope: TaskScope,
    after: &After,
    limit: i64,
) -> Result<Vec<TaskLine>> {
    Ok(sqlx::query_as(&sql)
        .bind(agency_id)
        .bind(today)
        .bind(scope_id(scope))
        .bind(after.rank)
        .bind(&after.due_on)
        .bind(&after.kind)
        .bind(after.id)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?)
}

/// Open case tasks.
#[allow(clippy::too_many_arguments)]
pub async fn case_tasks(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    today: &str,
    scope: TaskScope,
    after: &After,
    limit: i64,
) -> Result<Vec<TaskLine>> {
    let inner = case_tasks_inner(scope);
    let lines = run(conn, paged(&inner), agency_id, today, scope, after, limit).await?;
    opened(conn, vault, agency_id, "case_tasks", "title", lines).await
}

fn case_tasks_inner(scope: TaskScope) -> String {
    format!(
        "SELECT 'case_task' AS kind, t.id, t.case_id, c.client_id,
           COALESCE(cl.preferred_name, cl.legal_name) AS client_name, t.title, t.due_on,
           t.remind_on, t.assignee_id, u.display_name AS assignee_name
         FROM case_tasks t JOIN cases c ON c.id = t.case_id
           JOIN clients cl ON cl.id = c.client_id LEFT JOIN users u ON u.id = t.assignee_id
         WHERE t.agency_id = $1 AND t.status = 'open' AND c.closed_at IS NULL AND {}",
        scope_clause(scope, "t.assignee_id", "t.due_on")
    )
}

/// Open tasks of the case's current plan version that the worker is responsible for: the plan
/// names "the worker", who is the case's primary worker. They carry no reminder.
/// Their titles are the steps' descriptions.
#[allow(clippy::too_many_arguments)]
pub async fn plan_tasks(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    today: &str,
    scope: TaskScope,
    after: &After,
    limit: i64,
) -> Result<Vec<TaskLine>> {
    let inner = plan_tasks_inner(scope);
    let lines = run(conn, paged(&inner), agency_id, today, scope, after, limit).await?;
    opened(conn, vault, agency_id, "plan_tasks", "description", lines).await
}

/// Open the lines' titles, sealed in `column` of `table` under each client's data key: after
/// the ordering and paging, which never look at them.
async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    table: &str,
    column: &str,
    mut lines: Vec<TaskLine>,
) -> Result<Vec<TaskLine>> {
    let mut reader = vault.reader();
    for line in &mut lines {
        let at = At::new(table, column, line.id, agency_id, 0);
        reader.open_in(conn, at, &mut line.title).await?;
    }
    Ok(lines)
}

fn plan_tasks_inner(scope: TaskScope) -> String {
    format!(
        "SELECT 'plan_task' AS kind, t.id, c.id AS case_id, c.client_id,
           COALESCE(cl.preferred_name, cl.legal_name) AS client_name, t.description AS title,
           t.due_on, t.due_on AS remind_on, c.primary_worker_id AS assignee_id,
           u.display_name AS assignee_name
         FROM plan_tasks t JOIN interventions i ON i.id = t.intervention_id
           JOIN plans p ON p.id = i.plan_id JOIN cases c ON c.id = p.case_id
           JOIN clients cl ON cl.id = c.client_id LEFT JOIN users u ON u.id = c.primary_worker_id
         WHERE t.agency_id = $1 AND t.done_at IS NULL AND t.responsible = 'worker'
           AND c.closed_at IS NULL
           AND p.version_no = (SELECT MAX(p2.version_no) FROM plans p2 WHERE p2.case_id = c.id)
           AND {}",
        scope_clause(scope, "c.primary_worker_id", "t.due_on")
    )
}

/// Open follow-up check-ins assigned to the worker (after closure; no reminder). Their title
/// is the number of days after closure the check-in was scheduled for.
pub async fn follow_ups(
    conn: &mut Conn,
    agency_id: i64,
    today: &str,
    scope: TaskScope,
    after: &After,
    limit: i64,
) -> Result<Vec<TaskLine>> {
    let inner = follow_ups_inner(scope);
    run(conn, paged(&inner), agency_id, today, scope, after, limit).await
}

fn follow_ups_inner(scope: TaskScope) -> String {
    format!(
        "SELECT 'follow_up' AS kind, f.id, f.case_id, c.client_id,
           COALESCE(cl.preferred_name, cl.legal_name) AS client_name,
           CAST(f.day_offset AS TEXT) AS title, f.due_on, f.due_on AS remind_on,
           f.assigned_to AS assignee_id, u.display_name AS assignee_name
         FROM follow_ups f JOIN cases c ON c.id = f.case_id
           JOIN clients cl ON cl.id = c.client_id LEFT JOIN users u ON u.id = f.assigned_to
         WHERE f.agency_id = $1 AND f.status = 'open' AND {}",
        scope_clause(scope, "f.assigned_to", "f.due_on")
    )
}

/// How many open tasks of the worker are overdue, across every source (each counted up to
/// `cap`), in one statement: the caseload home asks this on every visit.
pub async fn overdue_count(
    conn: &mut impl Fetch,
    agency_id: i64,
    today: &str,
    worker_id: i64,
    cap: i64,
) -> Result<i64> {
    use sqlx::Row;
    let scope = TaskScope::Worker(worker_id);
    let count = |inner: String| {
        format!("(SELECT COUNT(*) FROM (SELECT 1 FROM ({inner}) q WHERE q.due_on < $2 LIMIT $4) o)")
    };
    let sql = format!(
        "SELECT {} + {} + {}",
        count(case_tasks_inner(scope)),
        count(plan_tasks_inner(scope)),
        count(follow_ups_inner(scope))
    );
    let row = fetch::query(&sql)
        .bind(agency_id)
        .bind(today)
        .bind(worker_id)
        .bind(cap)
        .row_on(conn)
        .await?;
    let n: i64 = row.try_get(0)?;
    Ok(n.min(cap))
}
