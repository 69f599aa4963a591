//! Planning: one plan per case in numbered versions. For each active goal its interventions and
//! their tasks (who, by when, with which resources), the client's agreement, and a supervisor's
//! approval where the program asks for it. Adding to an approved plan makes a new version (the
//! interventions and tasks copied) that needs the client's agreement and approval again; adding
//! to a draft withdraws an agreement already recorded, since the client has not seen the change.

use crate::{authorized, Act, Actor, Casework, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::goal::AgreementForm;
use casework_domain::plan::{Approval, ApprovalForm, InterventionForm, PlanStatus, TaskForm};
use casework_domain::Invalid;
use casework_store::case::{self as case_store, CaseRow};
pub use casework_store::goal::GoalRow;
use casework_store::plan as store;
pub use casework_store::plan::{InterventionRow, PlanRow, TaskRow};
use casework_store::Wall;
use casework_store::{agency, client as client_store, Conn, StoreError};

/// The case's current plan with everything the plan page and the printable plan show.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanView {
    pub case: CaseRow,
    pub plan: PlanRow,
    pub status: PlanStatus,
    /// The case's active goals, in priority order.
    pub goals: Vec<GoalRow>,
    pub interventions: Vec<InterventionRow>,
    pub tasks: Vec<TaskRow>,
    /// The client's name as they prefer to be called, and their language (`en`, `es`, ...).
    pub client_name: String,
    pub client_language: String,
    pub approval_required: bool,
    pub can_record: bool,
    pub can_approve: bool,
}

impl PlanView {
    pub fn interventions_of(&self, goal_id: i64) -> impl Iterator<Item = &InterventionRow> {
        self.interventions
            .iter()
            .filter(move |i| i.goal_id == goal_id)
    }

    pub fn tasks_of(&self, intervention_id: i64) -> impl Iterator<Item = &TaskRow> {
        self.tasks
            .iter()
            .filter(move |t| t.intervention_id == intervention_id)
    }
}

fn plan_act<'a>(action: &'a str, c: Option<&CaseRow>, id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "plan",
        record_id: id,
        client_id: c.map(|c| c.client_id),
    }
}

fn status_of(p: &PlanRow) -> ServiceResult<PlanStatus> {
    p.status
        .parse()
        .map_err(|_| ServiceError::Store(StoreError::Corrupt(format!("status of plan {}", p.id))))
}

impl Casework {
    /// The plan and its case, if the actor may do `action` on the case.
    async fn authorize_plan(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        plan_id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(CaseRow, PlanRow), Refusal> {
        let plan = store::get(conn, &self.vault, actor.agency_id, plan_id).await?;
        let case = match &plan {
            Some(p) => case_store::get(conn, &self.vault, actor.agency_id, p.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, case, plan) {
            (Decision::Allow, Some(c), Some(p)) => Ok((c, p)),
            (d, c, _) => Err(self.refusal(actor, plan_act(name, c.as_ref(), Some(plan_id)), d)),
        }
    }

    async fn write_plan_event(
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

    async fn approval_required(&self, conn: &mut Conn, c: &CaseRow) -> ServiceResult<bool> {
        Ok(match c.program_id {
            Some(p) => agency::program(conn, c.agency_id, p)
                .await?
                .is_some_and(|p| p.plan_approval_required == 1),
            None => false,
        })
    }

    async fn plan_view(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        c: CaseRow,
        plan: PlanRow,
    ) -> ServiceResult<PlanView> {
        let goals = casework_store::goal::of_case(conn, &self.vault, actor.agency_id, c.id)
            .await?
            .into_iter()
            .filter(|g| g.status == "active")
            .collect();
        let interventions =
            store::interventions(conn, &self.vault, actor.agency_id, plan.id).await?;
        let tasks = store::tasks(conn, &self.vault, actor.agency_id, plan.id).await?;
        let client = client_store::get(conn, &self.vault, actor.agency_id, c.client_id).await?;
        let (client_name, client_language) = match client {
            Some(cl) => (
                cl.preferred_name.unwrap_or(cl.legal_name),
                cl.preferred_language,
            ),
            None => (String::new(), "en".to_string()),
        };
        Ok(PlanView {
            status: status_of(&plan)?,
            approval_required: self.approval_required(conn, &c).await?,
            can_record: self
                .may_on_case(conn, actor, &c, CaseAction::Record)
                .await?,
            can_approve: self
                .may_on_case(conn, actor, &c, CaseAction::OverrideGuard)
                .await?,
            case: c,
            plan,
            goals,
            interventions,
            tasks,
            client_name,
            client_language,
        })
    }

    /// The first (empty, draft) plan of a case, created when someone first opens it.
    async fn create_first_plan(&self, actor: &Actor, c: &CaseRow) -> ServiceResult<PlanRow> {
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let p = match store::latest(&mut tx, &self.vault, actor.agency_id, c.id).await? {
            Some(p) => p,
            None => {
                let p = store::insert(
                    &mut tx,
                    actor.agency_id,
                    c.id,
                    1,
                    actor.user_id,
                    self.clock.now_ms(),
                )
                .await?;
                self.write_plan_event(
                    &mut tx,
                    actor,
                    plan_act("plan.create", Some(c), Some(p.id)),
                    None,
                )
                .await?;
                p
            }
        };
        casework_store::commit(tx).await?;
        Ok(p)
    }

    /// The case's latest plan version; the first call makes version 1, an empty draft. Audited.
    pub async fn current_plan(&self, actor: &Actor, case_id: i64) -> ServiceResult<PlanView> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(&mut conn, actor, case_id, CaseAction::Read, "plan.read")
                .await,
            end conn
        );
        let plan = match store::latest(&mut conn, &self.vault, actor.agency_id, c.id).await? {
            Some(p) => p,
            None => {
                drop(conn);
                let created = self.create_first_plan(actor, &c).await;
                conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
                match created {
                    Ok(p) => p,
                    // Two first readers raced to create the draft; the other one's is the plan.
                    Err(ServiceError::Store(e)) if e.is_conflict() => {
                        store::latest(&mut conn, &self.vault, actor.agency_id, c.id)
                            .await?
                            .ok_or(ServiceError::Store(e))?
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let view = self.plan_view(&mut conn, actor, c, plan).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                plan_act("plan.read", Some(&view.case), Some(view.plan.id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(view)
    }

    /// The plan version a change goes into: the latest one, in place when it is a draft or was
    /// returned (the agreement withdrawn), or a new version copied from it when it was approved.
    /// Returns the version written to and the (old, new) intervention ids when it was copied.
    async fn plan_for_change(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        c: &CaseRow,
        p: PlanRow,
    ) -> ServiceResult<(PlanRow, Vec<(i64, i64)>)> {
        let latest = store::latest(tx, &self.vault, actor.agency_id, c.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if latest.id != p.id {
            return Err(Invalid::new("plan_id", "plan_superseded").into());
        }
        match status_of(&p)? {
            PlanStatus::AwaitingApproval => {
                Err(Invalid::new("plan_id", "plan_not_editable").into())
            }
            PlanStatus::Draft | PlanStatus::Returned => {
                if !store::touch(tx, actor.agency_id, p.id, p.version, "draft").await? {
                    return Err(ServiceError::Stale);
                }
                let p = store::get(tx, &self.vault, actor.agency_id, p.id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                Ok((p, Vec::new()))
            }
            PlanStatus::Approved => {
                let now = self.clock.now_ms();
                let next = store::insert(
                    tx,
                    actor.agency_id,
                    c.id,
                    p.version_no + 1,
                    actor.user_id,
                    now,
                )
                .await
                .map_err(crate::error::conflict_as("plan_id"))?;
                let pairs = store::copy_into(
                    tx,
                    &self.vault,
                    actor.agency_id,
                    c.client_id,
                    p.id,
                    next.id,
                    now,
                )
                .await?;
                let why = format!(
                    "version {} from approved version {}",
                    next.version_no, p.version_no
                );
                self.write_plan_event(
                    tx,
                    actor,
                    plan_act("plan.revise", Some(c), Some(next.id)),
                    Some(&why),
                )
                .await?;
                Ok((next, pairs))
            }
        }
    }

    /// Add an intervention for an active goal of the case.
    pub async fn add_intervention(
        &self,
        actor: &Actor,
        plan_id: i64,
        form: &InterventionForm,
    ) -> ServiceResult<InterventionRow> {
        let new = form.parse(self.today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, p) = authorized!(self, self.authorize_plan(&mut tx, actor, plan_id, CaseAction::Record, "plan.intervention_add").await, end tx);
        let goal =
            casework_store::goal::get(&mut tx, &self.vault, actor.agency_id, new.goal_id).await?;
        match goal {
            Some(g) if g.case_id == c.id => {
                if g.status != "active" {
                    return Err(Invalid::new("goal_id", "goal_not_active").into());
                }
            }
            _ => return Err(Invalid::new("goal_id", "unknown_choice").into()),
        }
        if store::count_interventions(&mut tx, p.id).await? >= store::INTERVENTIONS_MAX {
            return Err(Invalid::new("interventions", "too_many").into());
        }
        let (p, _) = self.plan_for_change(&mut tx, actor, &c, p).await?;
        let row = store::insert_intervention(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            p.id,
            &new,
            self.clock.now_ms(),
        )
        .await?;
        let act = Act {
            action: "plan.intervention_add",
            record_type: "intervention",
            record_id: Some(row.id),
            client_id: Some(c.client_id),
        };
        self.write_plan_event(&mut tx, actor, act, None).await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// The intervention, its plan and its case, if the actor may do `action` on the case.
    async fn authorize_intervention(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(CaseRow, PlanRow, InterventionRow), Refusal> {
        let i = store::intervention(conn, &self.vault, actor.agency_id, id).await?;
        let plan = match &i {
            Some(i) => store::get(conn, &self.vault, actor.agency_id, i.plan_id).await?,
            None => None,
        };
        let case = match &plan {
            Some(p) => case_store::get(conn, &self.vault, actor.agency_id, p.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, case, plan, i) {
            (Decision::Allow, Some(c), Some(p), Some(i)) => Ok((c, p, i)),
            (d, c, _, _) => Err(self.refusal(
                actor,
                Act {
                    action: name,
                    record_type: "intervention",
                    record_id: Some(id),
                    client_id: c.map(|c| c.client_id),
                },
                d,
            )),
        }
    }

    /// Add a task to an intervention. On an approved plan the task goes into the new version's
    /// copy of the intervention.
    pub async fn add_task(
        &self,
        actor: &Actor,
        intervention_id: i64,
        form: &TaskForm,
    ) -> ServiceResult<TaskRow> {
        form.parse(intervention_id, self.today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, p, i) = authorized!(self, self.authorize_intervention(&mut tx, actor, intervention_id, CaseAction::Record, "plan.task_add").await, end tx);
        if store::count_tasks(&mut tx, p.id).await? >= store::TASKS_MAX {
            return Err(Invalid::new("tasks", "too_many").into());
        }
        let (_, pairs) = self.plan_for_change(&mut tx, actor, &c, p).await?;
        let target = pairs
            .iter()
            .find(|(old, _)| *old == i.id)
            .map_or(i.id, |(_, new)| *new);
        let task = form.parse(target, self.today())?;
        let row = store::insert_task(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            &task,
            self.clock.now_ms(),
        )
        .await?;
        let act = Act {
            action: "plan.task_add",
            record_type: "plan_task",
            record_id: Some(row.id),
            client_id: Some(c.client_id),
        };
        self.write_plan_event(&mut tx, actor, act, None).await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Mark a task done. Doing the plan is not changing it: no new version.
    pub async fn complete_task(&self, actor: &Actor, task_id: i64) -> ServiceResult<TaskRow> {
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let task = store::task(&mut tx, &self.vault, actor.agency_id, task_id).await?;
        let Some(task) = task else {
            drop(tx);
            let act = Act {
                action: "plan.task_complete",
                record_type: "plan_task",
                record_id: Some(task_id),
                client_id: None,
            };
            return Err(self.deny(actor, act, Decision::Hidden).await);
        };
        let (c, _, _) = authorized!(self, self.authorize_intervention(&mut tx, actor, task.intervention_id, CaseAction::Record, "plan.task_complete").await, end tx);
        store::complete_task(&mut tx, actor.agency_id, task_id, self.clock.now_ms()).await?;
        let act = Act {
            action: "plan.task_complete",
            record_type: "plan_task",
            record_id: Some(task_id),
            client_id: Some(c.client_id),
        };
        self.write_plan_event(&mut tx, actor, act, None).await?;
        let row = store::task(&mut tx, &self.vault, actor.agency_id, task_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Record that the client agreed to this plan version, when, and in their words.
    pub async fn record_plan_agreement(
        &self,
        actor: &Actor,
        plan_id: i64,
        version: i64,
        form: &AgreementForm,
    ) -> ServiceResult<PlanRow> {
        let agreement = form.parse(self.today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, p) = authorized!(self, self.authorize_plan(&mut tx, actor, plan_id, CaseAction::Record, "plan.agree").await, end tx);
        if p.version != version {
            return Err(ServiceError::Stale);
        }
        if store::latest(&mut tx, &self.vault, actor.agency_id, c.id)
            .await?
            .is_some_and(|l| l.id != p.id)
        {
            return Err(Invalid::new("plan_id", "plan_superseded").into());
        }
        if !store::set_agreement(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            p.id,
            version,
            &agreement.agreed_on.to_string(),
            &agreement.client_words,
            self.clock.now_ms(),
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_plan_event(
            &mut tx,
            actor,
            plan_act("plan.agree", Some(&c), Some(p.id)),
            None,
        )
        .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, p.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Hand the plan in: it waits for a supervisor's approval when the program asks for one,
    /// otherwise it stays a draft (the client's agreement is what the guard needs). The client
    /// must have agreed first.
    pub async fn submit_plan(
        &self,
        actor: &Actor,
        plan_id: i64,
        version: i64,
    ) -> ServiceResult<PlanRow> {
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, p) = authorized!(self, self.authorize_plan(&mut tx, actor, plan_id, CaseAction::Record, "plan.submit").await, end tx);
        if p.version != version {
            return Err(ServiceError::Stale);
        }
        if !status_of(&p)?.editable() {
            return Err(Invalid::new("plan_id", "plan_not_editable").into());
        }
        if p.client_agreed_on.is_none() {
            return Err(Invalid::new("plan_id", "plan_not_agreed").into());
        }
        let status = if self.approval_required(&mut tx, &c).await? {
            PlanStatus::AwaitingApproval
        } else {
            PlanStatus::Draft
        };
        if !store::set_submitted(
            &mut tx,
            actor.agency_id,
            p.id,
            version,
            status.as_str(),
            self.clock.now_ms(),
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_plan_event(
            &mut tx,
            actor,
            plan_act("plan.submit", Some(&c), Some(p.id)),
            None,
        )
        .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, p.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// A supervisor's decision on a plan waiting for approval: approve it, or return it with a
    /// comment. Only those who may override the case's guards (its team's supervisors) decide.
    pub async fn decide_plan(
        &self,
        actor: &Actor,
        plan_id: i64,
        version: i64,
        form: &ApprovalForm,
    ) -> ServiceResult<PlanRow> {
        let decision = form.parse()?;
        let (name, status, comment) = match &decision {
            Approval::Approve => ("plan.approve", PlanStatus::Approved, None),
            Approval::Return(c) => ("plan.return", PlanStatus::Returned, Some(c.as_str())),
        };
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, p) = authorized!(self, self.authorize_plan(&mut tx, actor, plan_id, CaseAction::OverrideGuard, name).await, end tx);
        if p.version != version {
            return Err(ServiceError::Stale);
        }
        if status_of(&p)? != PlanStatus::AwaitingApproval {
            return Err(Invalid::new("plan_id", "plan_not_awaiting_approval").into());
        }
        if !store::set_decision(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            p.id,
            version,
            status.as_str(),
            comment,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        // A return comment stays on the plan, sealed; the audit log names no client text.
        self.write_plan_event(&mut tx, actor, plan_act(name, Some(&c), Some(p.id)), None)
            .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, p.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    pub async fn approve_plan(
        &self,
        actor: &Actor,
        plan_id: i64,
        version: i64,
    ) -> ServiceResult<PlanRow> {
        let form = ApprovalForm {
            decision: "approve".into(),
            comment: None,
        };
        self.decide_plan(actor, plan_id, version, &form).await
    }

    pub async fn return_plan(
        &self,
        actor: &Actor,
        plan_id: i64,
        version: i64,
        comment: &str,
    ) -> ServiceResult<PlanRow> {
        let form = ApprovalForm {
            decision: "return".into(),
            comment: Some(comment.to_string()),
        };
        self.decide_plan(actor, plan_id, version, &form).await
    }
}
