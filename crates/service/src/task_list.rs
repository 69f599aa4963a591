//! "My tasks": the signed-in worker's open tasks from every source (case tasks, plan tasks),
//! overdue first, then due soon, then later; and, for a supervisor, their team's overdue tasks.
//! The sources live in `casework_store::task_list::Source`; this merges and pages them.

use crate::page::limit;
use crate::task::urgency_of;
use crate::{Act, Actor, Casework, Page, ServiceError, ServiceResult};
use casework_domain::access::Decision;
use casework_domain::audit::Outcome;
use casework_domain::task::Urgency;
use casework_domain::{Invalid, Role};
use casework_store::fetch::Fetch;
pub use casework_store::task_list::TaskLine;
use casework_store::task_list::{After, Source, TaskScope};
use casework_store::Wall;

/// A line with its urgency today.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskItem {
    #[serde(flatten)]
    pub line: TaskLine,
    pub urgency: Urgency,
}

/// The worker's list and, for a supervisor on the first page, their team's overdue tasks.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MyTasks {
    pub tasks: Page<TaskItem>,
    /// Overdue tasks of the team's cases done by others, by worker then due date.
    pub team_overdue: Vec<TaskItem>,
}

/// At most this many of the team's overdue tasks are shown at once.
pub const TEAM_OVERDUE_MAX: i64 = 200;

fn cursor_of(i: &TaskItem) -> String {
    format!(
        "{}~{}~{}~{}",
        i.urgency.rank(),
        i.line.due_on,
        i.line.kind,
        i.line.id
    )
}

/// Read a cursor handed out by [`cursor_of`].
pub fn parse_cursor(raw: Option<&str>) -> Result<After, Invalid> {
    let bad = || Invalid::new("cursor", "cursor_format");
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(After::start());
    };
    let parts: Vec<&str> = raw.split('~').collect();
    let [rank, due, kind, id] = parts[..] else {
        return Err(bad());
    };
    let rank: i64 = rank
        .parse()
        .ok()
        .filter(|r| (0..=2).contains(r))
        .ok_or_else(bad)?;
    casework_domain::client::parse_date("cursor", due).map_err(|_| bad())?;
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(bad());
    }
    let id: i64 = id.parse().ok().filter(|v| *v >= 0).ok_or_else(bad)?;
    Ok(After {
        rank,
        due_on: due.to_string(),
        kind: kind.to_string(),
        id,
    })
}

impl Casework {
    fn may_have_tasks(actor: &Actor) -> bool {
        matches!(actor.role, Role::Caseworker | Role::Supervisor)
    }

    async fn task_items(
        &self,
        scope: TaskScope,
        actor: &Actor,
        after: &After,
        limit: i64,
    ) -> ServiceResult<Vec<TaskItem>> {
        let today = self.today();
        let today_s = today.to_string();
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let mut lines = Vec::new();
        for source in Source::ALL {
            lines.extend(
                source
                    .lines(
                        &mut conn,
                        &self.vault,
                        actor.agency_id,
                        &today_s,
                        scope,
                        after,
                        limit,
                    )
                    .await?,
            );
        }
        drop(conn);
        let mut items = lines
            .into_iter()
            .map(|line| {
                Ok(TaskItem {
                    urgency: urgency_of(&line.due_on, &line.remind_on, today)?,
                    line,
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        items.sort_by(|a, b| {
            (a.urgency, &a.line.due_on, &a.line.kind, a.line.id).cmp(&(
                b.urgency,
                &b.line.due_on,
                &b.line.kind,
                b.line.id,
            ))
        });
        Ok(items)
    }

    /// The signed-in worker's open tasks, paged; a supervisor also gets their team's overdue
    /// tasks on the first page. Every case shown is an audited read.
    pub async fn my_tasks(
        &self,
        actor: &Actor,
        cursor: Option<&str>,
        asked: Option<i64>,
    ) -> ServiceResult<MyTasks> {
        if !Self::may_have_tasks(actor) {
            let act = Act {
                action: "task.list",
                record_type: "task_list",
                record_id: None,
                client_id: None,
            };
            return Err(self.deny(actor, act, Decision::Forbidden).await);
        }
        let after = parse_cursor(cursor)?;
        let first = after == After::start();
        let limit = limit(asked, 200);
        let mut items = self
            .task_items(TaskScope::Worker(actor.user_id), actor, &after, limit + 1)
            .await?;
        let more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        let next_cursor = if more {
            items.last().map(cursor_of)
        } else {
            None
        };
        let team_overdue = match (actor.role, actor.team_id, first) {
            (Role::Supervisor, Some(team), true) => {
                let mut team = self
                    .task_items(
                        TaskScope::TeamOverdue(team),
                        actor,
                        &After::start(),
                        TEAM_OVERDUE_MAX,
                    )
                    .await?;
                team.retain(|i| i.line.assignee_id != Some(actor.user_id));
                team.sort_by(|a, b| {
                    (
                        &a.line.assignee_name,
                        a.line.assignee_id,
                        &a.line.due_on,
                        a.line.id,
                    )
                        .cmp(&(
                            &b.line.assignee_name,
                            b.line.assignee_id,
                            &b.line.due_on,
                            b.line.id,
                        ))
                });
                team.truncate(TEAM_OVERDUE_MAX as usize);
                team
            }
            _ => Vec::new(),
        };
        let events = items
            .iter()
            .chain(team_overdue.iter())
            .map(|i| {
                self.event(
                    actor,
                    Act {
                        action: "task.list",
                        record_type: "case",
                        record_id: Some(i.line.case_id),
                        client_id: Some(i.line.client_id),
                    },
                    Outcome::Allowed,
                    None,
                )
            })
            .collect();
        self.audit.record_read(events).await?;
        Ok(MyTasks {
            tasks: Page { items, next_cursor },
            team_overdue,
        })
    }

    /// How many of the worker's open tasks are overdue (up to 100), for the caseload home.
    pub async fn overdue_count(&self, actor: &Actor) -> ServiceResult<i64> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        self.overdue_count_on(&mut conn, actor).await
    }

    /// The overdue count on a connection the caller holds (a count names no client: no entry).
    pub(crate) async fn overdue_count_on(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
    ) -> ServiceResult<i64> {
        if !Self::may_have_tasks(actor) {
            return Err(ServiceError::Forbidden);
        }
        Ok(casework_store::task_list::overdue_count(
            conn,
            actor.agency_id,
            &self.today().to_string(),
            actor.user_id,
            100,
        )
        .await?)
    }
}
