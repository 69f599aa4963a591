//! Case tasks: create, edit, complete, cancel (with a reason), authorized by case reach and
//! audited (`task.*`); and the program default tasks that make case tasks when a case is opened
//! or enters a stage, due some days after.

use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{may_administer, CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::client::parse_date;
use casework_domain::stage::Stage;
use casework_domain::task::{
    due_after, remind_on, urgency, CancelForm, CaseTask, TaskForm, TaskStatus, TemplateForm,
    Urgency,
};
use casework_domain::Invalid;
use casework_store::case::{self as case_store, CaseRow};
use casework_store::task::{self as store, NewTask, NewTemplate};
pub use casework_store::task::{CaseTaskRow, TemplateRow};
use casework_store::Wall;
use casework_store::{agency, client as client_store, Conn, StoreError};

/// A case's tasks with what the task pages need around them.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseTasks {
    pub case: CaseRow,
    pub client_name: String,
    pub tasks: Page<CaseTaskRow>,
    /// Who may be assigned: (user id, name).
    pub workers: Vec<(i64, String)>,
    pub can_record: bool,
}

impl CaseTasks {
    pub fn worker_name(&self, id: Option<i64>) -> Option<&str> {
        name_of(&self.workers, id)
    }
}

/// One case task with its case.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDetail {
    pub task: CaseTaskRow,
    pub status: TaskStatus,
    /// For an open task: overdue, due soon or later, today.
    pub urgency: Option<Urgency>,
    pub case: CaseRow,
    pub client_name: String,
    pub workers: Vec<(i64, String)>,
    pub can_record: bool,
}

impl TaskDetail {
    pub fn assignee_name(&self) -> Option<&str> {
        name_of(&self.workers, self.task.assignee_id)
    }
}

fn name_of(workers: &[(i64, String)], id: Option<i64>) -> Option<&str> {
    let id = id?;
    workers
        .iter()
        .find(|(w, _)| *w == id)
        .map(|(_, n)| n.as_str())
}

fn task_act<'a>(action: &'a str, c: Option<&CaseRow>, id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "case_task",
        record_id: id,
        client_id: c.map(|c| c.client_id),
    }
}

fn template_act(action: &str, id: Option<i64>) -> Act<'_> {
    Act {
        action,
        record_type: "task_template",
        record_id: id,
        client_id: None,
    }
}

pub(crate) fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what))
}

/// Overdue, due soon or later on `today`, from the stored dates.
pub(crate) fn urgency_of(due_on: &str, remind: &str, today: time::Date) -> ServiceResult<Urgency> {
    let due = parse_date("due_on", due_on).map_err(|_| corrupt("due date".into()))?;
    let remind = parse_date("remind_on", remind).map_err(|_| corrupt("reminder date".into()))?;
    Ok(urgency(due, remind, today))
}

impl Casework {
    /// The task and its case, if the actor may do `action` on the case.
    async fn authorize_task(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(CaseRow, CaseTaskRow), Refusal> {
        let task = store::get(conn, &self.vault, actor.agency_id, id).await?;
        let case = match &task {
            Some(t) => case_store::get(conn, &self.vault, actor.agency_id, t.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, case, task) {
            (Decision::Allow, Some(c), Some(t)) => Ok((c, t)),
            (d, c, _) => Err(self.refusal(actor, task_act(name, c.as_ref(), Some(id)), d)),
        }
    }

    async fn write_event(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        act: Act<'_>,
        reason: Option<&str>,
    ) -> ServiceResult<()> {
        let event = self.event(actor, act, Outcome::Allowed, reason);
        casework_store::audit::append(tx, actor.agency_id, vec![event]).await?;
        Ok(())
    }

    async fn client_name(&self, conn: &mut Conn, c: &CaseRow) -> ServiceResult<String> {
        Ok(
            client_store::get(conn, &self.vault, c.agency_id, c.client_id)
                .await?
                .map(|cl| cl.preferred_name.unwrap_or(cl.legal_name))
                .unwrap_or_default(),
        )
    }

    /// The assignee a task gets: the one asked for if they work the case, else the primary
    /// worker, else the actor when they are the one recording it.
    async fn assignee(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        c: &CaseRow,
        asked: Option<i64>,
    ) -> ServiceResult<Option<i64>> {
        match asked {
            Some(id) => {
                let workers =
                    store::workers_of(conn, actor.agency_id, c.primary_worker_id, c.team_id)
                        .await?;
                if workers.iter().any(|(w, _)| *w == id) {
                    Ok(Some(id))
                } else {
                    Err(Invalid::new("assignee_id", "unknown_choice").into())
                }
            }
            None => Ok(c.primary_worker_id.or(Some(actor.user_id))),
        }
    }

    /// The case's tasks, by age, paged; the read is audited.
    pub async fn case_tasks(
        &self,
        actor: &Actor,
        case_id: i64,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<CaseTasks> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(&mut conn, actor, case_id, CaseAction::Read, "task.read")
                .await,
            end conn
        );
        let limit = limit(asked, 200);
        let rows = store::of_case(
            &mut conn,
            &self.vault,
            actor.agency_id,
            c.id,
            cursor.map_or(0, |c| c.0),
            limit + 1,
        )
        .await?;
        let view = CaseTasks {
            client_name: self.client_name(&mut conn, &c).await?,
            tasks: page_of(rows, limit, |t| t.id),
            workers: store::workers_of(&mut conn, actor.agency_id, c.primary_worker_id, c.team_id)
                .await?,
            can_record: self
                .may_on_case(&mut conn, actor, &c, CaseAction::Record)
                .await?,
            case: c,
        };
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                task_act("task.read", Some(&view.case), None),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(view)
    }

    /// Add a task to a case.
    pub async fn create_task(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &TaskForm,
    ) -> ServiceResult<CaseTaskRow> {
        let task = form.parse(self.today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "task.create").await, end tx);
        let assignee = self.assignee(&mut tx, actor, &c, task.assignee_id).await?;
        let row = store::insert(
            &mut tx,
            &self.vault,
            actor.agency_id,
            &new_task(c.id, &task, assignee, None),
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        self.write_event(
            &mut tx,
            actor,
            task_act("task.create", Some(&c), Some(row.id)),
            None,
        )
        .await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// One case task; the read is audited.
    pub async fn task(&self, actor: &Actor, id: i64) -> ServiceResult<TaskDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (c, t) = authorized!(
            self,
            self.authorize_task(&mut conn, actor, id, CaseAction::Read, "task.read")
                .await,
            end conn
        );
        let status: TaskStatus = t
            .status
            .parse()
            .map_err(|_| corrupt(format!("status of task {}", t.id)))?;
        let urgency = match status {
            TaskStatus::Open => Some(urgency_of(&t.due_on, &t.remind_on, self.today())?),
            _ => None,
        };
        let detail = TaskDetail {
            status,
            urgency,
            client_name: self.client_name(&mut conn, &c).await?,
            workers: store::workers_of(&mut conn, actor.agency_id, c.primary_worker_id, c.team_id)
                .await?,
            can_record: self
                .may_on_case(&mut conn, actor, &c, CaseAction::Record)
                .await?,
            case: c,
            task: t,
        };
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                task_act("task.read", Some(&detail.case), Some(id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(detail)
    }

    /// Edit an open task. Its due date may stay where it was even if that is now past.
    pub async fn update_task(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        form: &TaskForm,
    ) -> ServiceResult<CaseTaskRow> {
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, t) = authorized!(self, self.authorize_task(&mut tx, actor, id, CaseAction::Record, "task.update").await, end tx);
        let kept = parse_date("due_on", &t.due_on).map_err(|_| corrupt("due date".into()))?;
        let task = form.parse(self.today().min(kept))?;
        if task.due_on < self.today() && task.due_on != kept {
            return Err(Invalid::new("due_on", "date_in_past").into());
        }
        if t.version != version {
            return Err(ServiceError::Stale);
        }
        if t.status != TaskStatus::Open.as_str() {
            return Err(Invalid::new("status", "task_closed").into());
        }
        let assignee = self.assignee(&mut tx, actor, &c, task.assignee_id).await?;
        if !store::update(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            id,
            version,
            &new_task(c.id, &task, assignee, t.template_id),
            self.clock.now_ms(),
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_event(
            &mut tx,
            actor,
            task_act("task.update", Some(&c), Some(id)),
            None,
        )
        .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    async fn close_task(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        status: TaskStatus,
        reason: Option<&str>,
    ) -> ServiceResult<CaseTaskRow> {
        let name = match status {
            TaskStatus::Cancelled => "task.cancel",
            _ => "task.complete",
        };
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, t) = authorized!(self, self.authorize_task(&mut tx, actor, id, CaseAction::Record, name).await, end tx);
        if t.version != version {
            return Err(ServiceError::Stale);
        }
        if t.status != TaskStatus::Open.as_str() {
            return Err(Invalid::new("status", "task_closed").into());
        }
        if !store::close(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            id,
            version,
            status.as_str(),
            reason,
            self.clock.now_ms(),
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        // The reason stays on the task, sealed; the audit log names no client text.
        self.write_event(&mut tx, actor, task_act(name, Some(&c), Some(id)), None)
            .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Mark an open task done.
    pub async fn complete_case_task(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> ServiceResult<CaseTaskRow> {
        self.close_task(actor, id, version, TaskStatus::Done, None)
            .await
    }

    /// Cancel an open task, saying why.
    pub async fn cancel_task(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        form: &CancelForm,
    ) -> ServiceResult<CaseTaskRow> {
        let reason = form.parse()?;
        self.close_task(actor, id, version, TaskStatus::Cancelled, Some(&reason))
            .await
    }

    /// The tasks the program's default tasks make on entering `stage`, due `due_days` after
    /// today, assigned to the case's primary worker. Runs inside the caller's transaction (the
    /// case opening or the stage move) so the tasks exist exactly when the stage does.
    pub(crate) async fn create_default_tasks(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        c: &CaseRow,
        stage: Stage,
    ) -> ServiceResult<()> {
        let Some(program) = c.program_id else {
            return Ok(());
        };
        let templates = store::templates_for(tx, actor.agency_id, program, stage.as_str()).await?;
        let today = self.today();
        let now = self.clock.now_ms();
        let mut events = Vec::with_capacity(templates.len());
        for t in &templates {
            let due = due_after(today, t.due_days);
            let task = CaseTask {
                title: t.title.clone(),
                description: None,
                due_on: due,
                assignee_id: c.primary_worker_id,
                remind_days: t.remind_days,
            };
            let row = store::insert(
                tx,
                &self.vault,
                actor.agency_id,
                &new_task(c.id, &task, c.primary_worker_id, Some(t.id)),
                actor.user_id,
                now,
            )
            .await?;
            let why = format!("default task {} of program {program}", t.id);
            events.push(self.event(
                actor,
                task_act("task.create", Some(c), Some(row.id)),
                Outcome::Allowed,
                Some(&why),
            ));
        }
        if !events.is_empty() {
            casework_store::audit::append(tx, actor.agency_id, events).await?;
        }
        Ok(())
    }

    async fn program_for_templates(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        program_id: i64,
        name: &str,
    ) -> Result<agency::Program, Refusal> {
        if !may_administer(actor) {
            return Err(self.refusal(
                actor,
                Act {
                    action: name,
                    record_type: "program",
                    record_id: Some(program_id),
                    client_id: None,
                },
                Decision::Forbidden,
            ));
        }
        match agency::program(conn, actor.agency_id, program_id).await? {
            Some(p) => Ok(p),
            None => Err(Refusal::Failed(ServiceError::NotFound)),
        }
    }

    /// The program and its default tasks in use (agency admins).
    pub async fn task_templates(
        &self,
        actor: &Actor,
        program_id: i64,
    ) -> ServiceResult<(agency::Program, Vec<TemplateRow>)> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let p = authorized!(
            self,
            self.program_for_templates(&mut conn, actor, program_id, "task_template.read")
                .await,
            end conn
        );
        let rows = store::templates(&mut conn, actor.agency_id, p.id).await?;
        Ok((p, rows))
    }

    /// Add a default task to a program (agency admins).
    pub async fn add_task_template(
        &self,
        actor: &Actor,
        program_id: i64,
        form: &TemplateForm,
    ) -> ServiceResult<TemplateRow> {
        let t = form.parse()?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let p = authorized!(self, self.program_for_templates(&mut tx, actor, program_id, "task_template.create").await, end tx);
        if store::templates(&mut tx, actor.agency_id, p.id)
            .await?
            .len() as i64
            >= store::TEMPLATES_MAX
        {
            return Err(Invalid::new("templates", "too_many").into());
        }
        let row = store::insert_template(
            &mut tx,
            actor.agency_id,
            &NewTemplate {
                program_id: p.id,
                stage: t.stage.as_str(),
                title: &t.title,
                due_days: t.due_days,
                remind_days: t.remind_days,
            },
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        self.write_event(
            &mut tx,
            actor,
            template_act("task_template.create", Some(row.id)),
            None,
        )
        .await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Retire a default task: new cases no longer get it; tasks already made stay.
    pub async fn retire_task_template(
        &self,
        actor: &Actor,
        program_id: i64,
        id: i64,
        version: i64,
    ) -> ServiceResult<TemplateRow> {
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let p = authorized!(self, self.program_for_templates(&mut tx, actor, program_id, "task_template.retire").await, end tx);
        let t = store::template(&mut tx, actor.agency_id, id)
            .await?
            .filter(|t| t.program_id == p.id && t.retired_at.is_none())
            .ok_or(ServiceError::NotFound)?;
        if t.version != version
            || !store::retire_template(&mut tx, actor.agency_id, id, version, self.clock.now_ms())
                .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_event(
            &mut tx,
            actor,
            template_act("task_template.retire", Some(id)),
            None,
        )
        .await?;
        let row = store::template(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }
}

fn new_task<'a>(
    case_id: i64,
    t: &'a CaseTask,
    assignee: Option<i64>,
    template_id: Option<i64>,
) -> NewTask<'a> {
    NewTask {
        case_id,
        title: &t.title,
        description: t.description.as_deref(),
        due_on: t.due_on.to_string(),
        remind_days: t.remind_days,
        remind_on: remind_on(t.due_on, t.remind_days).to_string(),
        assignee_id: assignee,
        template_id,
    }
}
