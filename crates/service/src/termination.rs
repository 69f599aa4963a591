//! Termination: the case's closure record (reason, closing summary, growth, aftercare plan) as a
//! draft, handed in, and, where the program asks for it, approved or returned by a supervisor of
//! the case's team; the supervisors' queue of terminations awaiting approval; and the programs'
//! follow-up schedules, which the agency admin keeps.

use crate::case::stage_of;
use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, ServiceError, ServiceResult};
use casework_domain::access::{may_administer, CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::plan::{Approval, ApprovalForm};
use casework_domain::stage::Stage;
use casework_domain::termination::{FollowUpSchedule, TerminationForm, TerminationStatus};
use casework_domain::{Invalid, Role};
use casework_store::agency::{self, Program};
use casework_store::case::CaseRow;
use casework_store::termination as store;
pub use casework_store::termination::{AwaitingApprovalRow, TerminationRow};
use casework_store::Wall;
use casework_store::{Conn, StoreError};

/// The termination page: the current record (if any), earlier ones set aside by reopenings,
/// and what the reader may do.
#[derive(Debug, Clone, PartialEq)]
pub struct TerminationView {
    pub case: CaseRow,
    pub stage: Stage,
    pub current: Option<TerminationRow>,
    pub status: Option<TerminationStatus>,
    pub earlier: Vec<TerminationRow>,
    pub approval_required: bool,
    /// May write or hand in the record now (right, stage and status).
    pub can_edit: bool,
    /// May approve or return it now.
    pub can_decide: bool,
}

impl TerminationView {
    /// The version an update must name: 0 while there is no record yet.
    pub fn version(&self) -> i64 {
        self.current.as_ref().map_or(0, |t| t.version)
    }
}

/// A program's follow-up schedule with the version an update must name (0: none stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleView {
    pub program: Program,
    pub schedule: FollowUpSchedule,
    pub version: i64,
}

fn termination_act<'a>(action: &'a str, c: &CaseRow, id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "termination",
        record_id: id,
        client_id: Some(c.client_id),
    }
}

pub(crate) fn status_of(t: &TerminationRow) -> ServiceResult<TerminationStatus> {
    t.status.parse().map_err(|_| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "status of termination {}",
            t.id
        )))
    })
}

/// A stored schedule back into its checked form.
pub(crate) fn schedule_of(days: &str) -> ServiceResult<FollowUpSchedule> {
    FollowUpSchedule::parse_text(days).map_err(|_| {
        ServiceError::Store(StoreError::Corrupt(
            "days of a follow-up schedule".to_string(),
        ))
    })
}

/// Termination is written while the case is in evaluation (deciding to close) or termination.
fn terminating(stage: Stage) -> bool {
    matches!(stage, Stage::Evaluation | Stage::Termination)
}

impl Casework {
    async fn closure_approval_required(&self, conn: &mut Conn, c: &CaseRow) -> ServiceResult<bool> {
        Ok(match c.program_id {
            Some(p) => agency::program(conn, c.agency_id, p)
                .await?
                .is_some_and(|p| p.closure_approval_required == 1),
            None => false,
        })
    }

    async fn write_termination_event(
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

    /// The case's termination record and its history. The read is audited.
    pub async fn termination(&self, actor: &Actor, case_id: i64) -> ServiceResult<TerminationView> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Read,
                "termination.read"
            )
            .await,
            end conn
        );
        let stage = stage_of(&c)?;
        let current = store::current(&mut conn, &self.vault, actor.agency_id, c.id).await?;
        let status = current.as_ref().map(status_of).transpose()?;
        let earlier = store::earlier(&mut conn, &self.vault, actor.agency_id, c.id).await?;
        let approval_required = self.closure_approval_required(&mut conn, &c).await?;
        let may_record = self
            .may_on_case(&mut conn, actor, &c, CaseAction::Record)
            .await?;
        let may_decide = self
            .may_on_case(&mut conn, actor, &c, CaseAction::OverrideGuard)
            .await?;
        drop(conn);
        let view = TerminationView {
            can_edit: may_record && terminating(stage) && status.is_none_or(|s| s.editable()),
            can_decide: may_decide && status == Some(TerminationStatus::AwaitingApproval),
            stage,
            current,
            status,
            earlier,
            approval_required,
            case: c,
        };
        self.audit
            .record_read(vec![self.event(
                actor,
                termination_act(
                    "termination.read",
                    &view.case,
                    view.current.as_ref().map(|t| t.id),
                ),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(view)
    }

    /// Write the case's termination draft: `version` 0 starts it, otherwise the current record
    /// at that version is replaced (a returned one becomes a draft again).
    pub async fn save_termination(
        &self,
        actor: &Actor,
        case_id: i64,
        version: i64,
        form: &TerminationForm,
    ) -> ServiceResult<TerminationRow> {
        let draft = form.parse()?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "termination.save").await, end tx);
        if !terminating(stage_of(&c)?) {
            return Err(Invalid::new("stage", "case_not_terminating").into());
        }
        let row = match store::current(&mut tx, &self.vault, actor.agency_id, c.id).await? {
            None if version == 0 => store::insert(
                &mut tx,
                &self.vault,
                actor.agency_id,
                c.id,
                &draft,
                actor.user_id,
                now,
            )
            .await
            .map_err(crate::error::conflict_as("termination"))?,
            None => return Err(ServiceError::Stale),
            Some(t) => {
                if t.version != version {
                    return Err(ServiceError::Stale);
                }
                if !status_of(&t)?.editable() {
                    return Err(Invalid::new("termination", "termination_not_editable").into());
                }
                if !store::update(
                    &mut tx,
                    &self.vault,
                    actor.agency_id,
                    c.client_id,
                    t.id,
                    version,
                    &draft,
                    now,
                )
                .await?
                {
                    return Err(ServiceError::Stale);
                }
                store::get(&mut tx, &self.vault, actor.agency_id, t.id)
                    .await?
                    .ok_or(ServiceError::NotFound)?
            }
        };
        self.write_termination_event(
            &mut tx,
            actor,
            termination_act("termination.save", &c, Some(row.id)),
            None,
        )
        .await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Hand the termination in: it waits for a supervisor where the program asks for approval,
    /// otherwise it is done. It needs a reason and a closing summary.
    pub async fn submit_termination(
        &self,
        actor: &Actor,
        case_id: i64,
        version: i64,
    ) -> ServiceResult<TerminationRow> {
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "termination.submit").await, end tx);
        if !terminating(stage_of(&c)?) {
            return Err(Invalid::new("stage", "case_not_terminating").into());
        }
        let t = store::current(&mut tx, &self.vault, actor.agency_id, c.id)
            .await?
            .ok_or_else(|| Invalid::new("closing_summary", "required"))?;
        if t.version != version {
            return Err(ServiceError::Stale);
        }
        if !status_of(&t)?.editable() {
            return Err(Invalid::new("termination", "termination_not_editable").into());
        }
        let form = TerminationForm {
            reason: t.reason.clone(),
            reason_other: t.reason_other.clone(),
            closing_summary: t.closing_summary.clone(),
            growth: t.growth.clone(),
            aftercare_plan: t.aftercare_plan.clone(),
        };
        form.parse()?.ready()?;
        let status = if self.closure_approval_required(&mut tx, &c).await? {
            TerminationStatus::AwaitingApproval
        } else {
            TerminationStatus::Submitted
        };
        if !store::set_submitted(
            &mut tx,
            actor.agency_id,
            t.id,
            version,
            status.as_str(),
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_termination_event(
            &mut tx,
            actor,
            termination_act("termination.submit", &c, Some(t.id)),
            Some(status.as_str()),
        )
        .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, t.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// A supervisor of the case's team approves the termination or returns it with a comment.
    pub async fn decide_termination(
        &self,
        actor: &Actor,
        case_id: i64,
        version: i64,
        form: &ApprovalForm,
    ) -> ServiceResult<TerminationRow> {
        let decision = form.parse()?;
        let (name, status, comment) = match &decision {
            Approval::Approve => ("termination.approve", TerminationStatus::Approved, None),
            Approval::Return(c) => (
                "termination.return",
                TerminationStatus::Returned,
                Some(c.as_str()),
            ),
        };
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::OverrideGuard, name).await, end tx);
        let t = store::current(&mut tx, &self.vault, actor.agency_id, c.id)
            .await?
            .ok_or_else(|| Invalid::new("termination", "termination_not_awaiting_approval"))?;
        if t.version != version {
            return Err(ServiceError::Stale);
        }
        if status_of(&t)? != TerminationStatus::AwaitingApproval {
            return Err(Invalid::new("termination", "termination_not_awaiting_approval").into());
        }
        if !store::set_decision(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            t.id,
            version,
            status.as_str(),
            comment,
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        // A return comment stays on the termination, sealed; the audit log names no client text.
        self.write_termination_event(&mut tx, actor, termination_act(name, &c, Some(t.id)), None)
            .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, t.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// A supervisor's queue: terminations on their team's cases awaiting approval, oldest
    /// first, paged by termination id. Each line is an audited read.
    pub async fn terminations_awaiting_approval(
        &self,
        actor: &Actor,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<AwaitingApprovalRow>> {
        let team = match (actor.role, actor.team_id) {
            (Role::Supervisor, Some(team)) => team,
            _ => return Err(ServiceError::Forbidden),
        };
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = store::awaiting_approval_for_team(
            &mut conn,
            actor.agency_id,
            team,
            cursor.map_or(0, |c| c.0),
            limit + 1,
        )
        .await?;
        drop(conn);
        let page = page_of(rows, limit, |r| r.termination_id);
        let events = page
            .items
            .iter()
            .map(|r| {
                self.event(
                    actor,
                    Act {
                        action: "termination.list",
                        record_type: "termination",
                        record_id: Some(r.termination_id),
                        client_id: Some(r.client_id),
                    },
                    Outcome::Allowed,
                    None,
                )
            })
            .collect();
        self.audit.record_read(events).await?;
        Ok(page)
    }

    /// The program, if the actor is its agency's admin; a refusal is audited.
    async fn admin_program(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        program_id: i64,
        name: &str,
    ) -> ServiceResult<Program> {
        let act = Act {
            action: name,
            record_type: "program",
            record_id: Some(program_id),
            client_id: None,
        };
        if !may_administer(actor) {
            return Err(self.deny(actor, act, Decision::Forbidden).await);
        }
        match agency::program(conn, actor.agency_id, program_id).await? {
            Some(p) => Ok(p),
            None => Err(self.deny(actor, act, Decision::Hidden).await),
        }
    }

    /// A program's follow-up schedule (admins). None stored means no follow-ups.
    pub async fn follow_up_schedule(
        &self,
        actor: &Actor,
        program_id: i64,
    ) -> ServiceResult<ScheduleView> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let program = self
            .admin_program(
                &mut conn,
                actor,
                program_id,
                "program.follow_up_schedule_read",
            )
            .await?;
        let row = store::schedule(&mut conn, actor.agency_id, program_id).await?;
        Ok(ScheduleView {
            program,
            schedule: match &row {
                Some(r) => schedule_of(&r.days)?,
                None => FollowUpSchedule::default(),
            },
            version: row.map_or(0, |r| r.version),
        })
    }

    /// Set a program's follow-up schedule (admins): days after closure, ascending.
    pub async fn set_follow_up_schedule(
        &self,
        actor: &Actor,
        program_id: i64,
        version: i64,
        days: &[i64],
    ) -> ServiceResult<ScheduleView> {
        let schedule = FollowUpSchedule::parse(days)?;
        let now = self.clock.now_ms();
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        self.admin_program(&mut conn, actor, program_id, "program.follow_up_schedule")
            .await?;
        drop(conn);
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        if !store::set_schedule(
            &mut tx,
            actor.agency_id,
            program_id,
            version,
            &schedule.to_text(),
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        let event = self.event(
            actor,
            Act {
                action: "program.follow_up_schedule",
                record_type: "program",
                record_id: Some(program_id),
                client_id: None,
            },
            Outcome::Allowed,
            Some(&schedule.to_text()),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        self.follow_up_schedule(actor, program_id).await
    }
}
