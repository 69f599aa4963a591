//! Cases: opening, the case page, the engagement stage's work, stage moves, assignment and the
//! caseload.

use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{
    case_access, client_access, CaseAction, CaseReach, ClientAction, Decision,
};
use casework_domain::audit::{Event, Outcome, Subject};
use casework_domain::case::{CaseForm, ContactForm, ServiceConsentForm};
use casework_domain::sharing::case_access_with;
use casework_domain::stage::{
    check_transition, unmet, CaseFacts, Move, OverrideReason, Stage, Unmet,
};
use casework_domain::{Invalid, Role};
use casework_store::case::{
    self as store, AssignmentRow, CaseRow, CaseloadOf, CaseloadRow, ConsentRow, ContactRow,
    StageMove,
};
use casework_store::fetch::Fetch;
use casework_store::Wall;
use casework_store::{agency, client as client_store, user, Conn};

pub(crate) fn reach(c: &CaseRow) -> CaseReach {
    CaseReach {
        agency_id: c.agency_id,
        primary_worker_id: c.primary_worker_id,
        team_id: c.team_id,
    }
}

pub(crate) fn case_act<'a>(action: &'a str, c: Option<&CaseRow>, id: i64) -> Act<'a> {
    Act {
        action,
        record_type: "case",
        record_id: Some(id),
        client_id: c.map(|c| c.client_id),
    }
}

pub(crate) fn stage_of(c: &CaseRow) -> ServiceResult<Stage> {
    c.stage.parse().map_err(|_| {
        ServiceError::Store(casework_store::StoreError::Corrupt(format!(
            "stage of case {}",
            c.id
        )))
    })
}

/// The case page: the case, its client, its record and where its guard stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDetail {
    pub case: CaseRow,
    /// When the actor reads the case only through broken glass: when that access ends (Unix
    /// ms), so the page can say it is emergency, read-only access.
    pub emergency_until: Option<i64>,
    pub client: client_store::ClientSummary,
    pub client_interpreter_needed: bool,
    pub client_safe_contact: Option<String>,
    pub program: Option<agency::Program>,
    pub worker_name: Option<String>,
    /// The case's team, to name it. (The assignment form's choices are the pickers' to read,
    /// for those who may assign; the agency's whole list here was forty rows on every page.)
    pub team: Option<agency::Team>,
    pub stage: Stage,
    pub history: Vec<StageMove>,
    pub assignments: Vec<AssignmentRow>,
    pub contacts: Vec<ContactRow>,
    pub contacts_next_cursor: Option<String>,
    pub consents: Vec<ConsentRow>,
    /// What the guard still needs before the case may move forward.
    pub unmet: Vec<Unmet>,
    /// The assessments the case's program requires, each met or not (the guard counts these).
    pub requirements: Vec<crate::form::RequirementLine>,
    /// Which of the later stages' records the case holds at all.
    pub holds: CaseHolds,
    pub can_record: bool,
    pub can_override: bool,
    pub can_assign: bool,
}

/// Whether a case holds any goals, assessed needs, notes, follow-ups or reopenings: counted with
/// the guard's facts, so the case page skips the reads that would come back empty (most cases
/// are in their first stages and hold none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseHolds {
    pub goals: bool,
    pub needs: bool,
    pub notes: bool,
    /// Follow-ups or reopenings.
    pub follow_ups: bool,
    /// Any plan version; any service delivered.
    pub plan: bool,
    pub services: bool,
}

/// A caseload line, with what is due next.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseloadItem {
    pub case_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub worker_id: Option<i64>,
    pub worker_name: Option<String>,
    pub stage: Stage,
    pub days_in_stage: i64,
    pub risk_flag: bool,
    /// The first thing the stage's guard still needs, as a stable code.
    pub next_due: Option<&'static str>,
    /// The last day of a share with the reader, when the case is theirs only by that share.
    pub shared_until: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseloadScope {
    Mine,
    Team,
}

/// A stage move as asked for, unchecked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveForm {
    /// `forward`, `back_to_intervention`, or `reopen`.
    pub direction: String,
    /// For `reopen`: `assessment` or `intervention`.
    #[serde(default)]
    pub reopen_to: Option<String>,
    /// Given only to override an unmet guard (supervisors).
    #[serde(default)]
    pub override_reason: Option<String>,
    /// For `reopen`: why the case comes back (required).
    #[serde(default)]
    pub reopen_reason: Option<String>,
}

impl MoveForm {
    fn parse(&self) -> Result<(Move, Option<OverrideReason>), Invalid> {
        let mv = match self.direction.trim() {
            "forward" => Move::Forward,
            "back_to_intervention" => Move::BackToIntervention,
            "reopen" => {
                let to = self
                    .reopen_to
                    .as_deref()
                    .unwrap_or("")
                    .trim()
                    .parse::<Stage>()
                    .map_err(|_| Invalid::new("reopen_to", "unknown_choice"))?;
                Move::Reopen { to }
            }
            _ => return Err(Invalid::new("direction", "unknown_choice")),
        };
        let reason = match self.override_reason.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(
                OverrideReason::parse(r).map_err(|e| Invalid::new("override_reason", e.code()))?,
            ),
        };
        Ok((mv, reason))
    }
}

/// Assignment or transfer, unchecked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignForm {
    pub worker_id: Option<i64>,
    #[serde(default)]
    pub team_id: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

const DAY_MS: i64 = 86_400_000;

impl Casework {
    /// THE access decision for anything scoped to a case, whether reached by the case's id or
    /// by one of its records (a goal, a note, a task, ...): the case's own people first, then a
    /// running share or broken glass (a read made under broken glass is marked in the audit
    /// log). Every case-scoped service function decides through here.
    pub(crate) async fn case_decision(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: &CaseRow,
        action: CaseAction,
        name: &str,
    ) -> ServiceResult<Decision> {
        let own = case_access(actor, &reach(c), action);
        if own.allowed() {
            return Ok(own);
        }
        self.relation_access(conn, actor, c, action, name).await
    }

    /// May the actor do `action` on the case now? The rule of [`Casework::case_decision`],
    /// without an audit entry: for the buttons and links a page offers.
    pub(crate) async fn may_on_case(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: &CaseRow,
        action: CaseAction,
    ) -> ServiceResult<bool> {
        let relation = self.case_relation(conn, actor, c).await?;
        Ok(case_access_with(actor, &reach(c), relation, action).allowed())
    }

    pub(crate) async fn authorize_case(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<CaseRow, Refusal> {
        let row = store::get(conn, &self.vault, actor.agency_id, id).await?;
        let decision = match row.as_ref() {
            None => Decision::Hidden,
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
        };
        match (decision, row) {
            (Decision::Allow, Some(c)) => Ok(c),
            (d, row) => Err(self.refusal(actor, case_act(name, row.as_ref(), id), d)),
        }
    }

    async fn facts(&self, conn: &mut Conn, c: &CaseRow) -> ServiceResult<CaseFacts> {
        let program = match c.program_id {
            Some(p) => agency::program(conn, c.agency_id, p).await?,
            None => None,
        };
        let requirements = self.requirement_lines(conn, c).await?;
        let (facts, _) = self
            .facts_with(conn, c, program.as_ref(), &requirements)
            .await?;
        Ok(facts)
    }

    /// The facts, with the case's program already read.
    async fn facts_with(
        &self,
        conn: &mut impl Fetch,
        c: &CaseRow,
        program: Option<&agency::Program>,
        requirements: &[crate::form::RequirementLine],
    ) -> ServiceResult<(CaseFacts, CaseHolds)> {
        let n = store::guard_counts(conn, c.id).await?;
        let count = |n: i64| n.clamp(0, i64::from(u32::MAX)) as u32;
        let closure_status = n.termination_status.as_deref().unwrap_or_default();
        let holds = CaseHolds {
            goals: n.has_goals,
            needs: n.needs > 0,
            notes: n.has_notes,
            follow_ups: n.has_follow_ups,
            plan: n.has_plan,
            services: n.has_services,
        };
        let facts = CaseFacts {
            agreed_smart_goals: count(n.agreed_active_goals),
            active_goals: count(n.active_goals),
            consent_to_services: n.service_consents > 0,
            contacts: count(n.contacts),
            completed_assessment: n.completed_assessments > 0,
            assessed_needs: count(n.needs),
            assessed_strengths: count(n.strengths),
            plan_approval_required: program.is_some_and(|p| p.plan_approval_required == 1),
            closure_approval_required: program.is_some_and(|p| p.closure_approval_required == 1),
            active_goals_without_intervention: count(n.goals_without_intervention),
            plan_agreed_by_client: n.plan_agreed,
            plan_approved: n.plan_approved,
            evaluation_recorded: n.evaluations_since_return > 0,
            evaluation_decision: n
                .evaluation_decision
                .as_deref()
                .and_then(casework_domain::evaluation::decision_of),
            // The summary is sealed: only whether one was written can be seen here.
            closing_summary: n.closing_summary_written
                && matches!(
                    closure_status,
                    "submitted" | "awaiting_approval" | "approved"
                ),
            closure_approved: closure_status == "approved",
            follow_ups_pending: count(n.open_follow_ups),
            required_assessments_missing: requirements.iter().filter(|l| !l.met).count() as u32,
        };
        Ok((facts, holds))
    }

    async fn check_assignee(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        worker: Option<i64>,
        team: Option<i64>,
    ) -> ServiceResult<()> {
        if let Some(w) = worker {
            let u = user::in_agency(conn, actor.agency_id, w)
                .await?
                .ok_or_else(|| Invalid::new("primary_worker_id", "unknown_choice"))?;
            if u.active != 1
                || !(u.role == Role::Caseworker.as_str() || u.role == Role::Supervisor.as_str())
            {
                return Err(Invalid::new("primary_worker_id", "not_a_worker").into());
            }
        }
        if let Some(t) = team {
            agency::team(conn, actor.agency_id, t)
                .await?
                .ok_or_else(|| Invalid::new("team_id", "unknown_choice"))?;
        }
        Ok(())
    }

    /// Open a case for a client, in the engagement stage.
    pub async fn open_case(&self, actor: &Actor, form: &CaseForm) -> ServiceResult<CaseRow> {
        let mut new = form.parse()?;
        // A caseworker opening a case carries it unless they name someone else.
        if actor.role == Role::Caseworker && new.primary_worker_id.is_none() {
            new.primary_worker_id = Some(actor.user_id);
        }
        if new.team_id.is_none() && actor.role != Role::IntakeWorker {
            new.team_id = actor.team_id;
        }
        // Intake hands the case over at once; a case nobody carries would be lost.
        if actor.role == Role::IntakeWorker
            && new.primary_worker_id.is_none()
            && new.team_id.is_none()
        {
            return Err(Invalid::new("primary_worker_id", "required").into());
        }
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let client =
            client_store::get(&mut tx, &self.vault, actor.agency_id, new.client_id).await?;
        let client_ok = match &client {
            Some(c) if c.merged_into.is_none() => {
                let r =
                    crate::client::reach_of(&mut tx, actor.agency_id, &[(c.id, c.registered_by)])
                        .await?;
                r.first()
                    .is_some_and(|r| client_access(actor, r, ClientAction::ReadProfile).allowed())
            }
            _ => false,
        };
        if !client_ok {
            drop(tx);
            let act = Act {
                action: "case.open",
                record_type: "client",
                record_id: Some(new.client_id),
                client_id: Some(new.client_id),
            };
            return Err(self.deny(actor, act, Decision::Hidden).await);
        }
        let target = CaseReach {
            agency_id: actor.agency_id,
            primary_worker_id: new.primary_worker_id,
            team_id: new.team_id,
        };
        if !case_access(actor, &target, CaseAction::Open).allowed() {
            drop(tx);
            let act = Act {
                action: "case.open",
                record_type: "client",
                record_id: Some(new.client_id),
                client_id: Some(new.client_id),
            };
            return Err(self.deny(actor, act, Decision::Forbidden).await);
        }
        self.check_assignee(&mut tx, actor, new.primary_worker_id, new.team_id)
            .await?;
        if let Some(p) = new.program_id {
            agency::program(&mut tx, actor.agency_id, p)
                .await?
                .ok_or_else(|| Invalid::new("program_id", "unknown_choice"))?;
        }
        let c = store::insert(
            &mut tx,
            &self.vault,
            actor.agency_id,
            &new,
            Stage::Engagement.as_str(),
            actor.user_id,
            now,
        )
        .await?;
        store::insert_stage_move(
            &mut tx,
            actor.agency_id,
            c.id,
            None,
            Stage::Engagement.as_str(),
            actor.user_id,
            now,
            None,
        )
        .await?;
        self.create_default_tasks(&mut tx, actor, &c, Stage::Engagement)
            .await?;
        if new.primary_worker_id.is_some() || new.team_id.is_some() {
            store::insert_assignment(
                &mut tx,
                actor.agency_id,
                c.id,
                new.primary_worker_id,
                new.team_id,
                actor.user_id,
                now,
                None,
            )
            .await?;
        }
        let event = self.event(
            actor,
            case_act("case.open", Some(&c), c.id),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(c)
    }

    /// Everything the case page shows; the read is audited.
    pub async fn case(
        &self,
        actor: &Actor,
        id: i64,
        contacts_cursor: Option<Cursor>,
    ) -> ServiceResult<CaseDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(&mut conn, actor, id, CaseAction::Read, "case.read")
                .await,
            end conn
        );
        let detail = self
            .case_detail_of(&mut conn, actor, c, contacts_cursor)
            .await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                case_act("case.read", Some(&detail.case), id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(detail)
    }

    /// The case part of the case page, for a case the actor was authorized to read.
    pub(crate) async fn case_detail_of(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: CaseRow,
        contacts_cursor: Option<Cursor>,
    ) -> ServiceResult<CaseDetail> {
        let stage = stage_of(&c)?;
        let full = client_store::get(conn, &self.vault, actor.agency_id, c.client_id).await?;
        let Some(client) = full.as_ref().map(|f| client_store::ClientSummary {
            id: f.id,
            legal_name: f.legal_name.clone(),
            preferred_name: f.preferred_name.clone(),
            birth_date: f.birth_date.clone(),
            preferred_language: f.preferred_language.clone(),
            registered_by: f.registered_by,
        }) else {
            return Err(ServiceError::NotFound);
        };
        let agency::CaseSetting {
            program,
            worker_name,
            team,
        } = agency::case_setting(
            conn,
            actor.agency_id,
            c.program_id,
            c.primary_worker_id,
            c.team_id,
        )
        .await?;
        let requirements = self.requirement_lines(conn, &c).await?;
        let (facts, holds) = self
            .facts_with(conn, &c, program.as_ref(), &requirements)
            .await?;
        // The actor's running share or broken glass, looked up once for every right the page
        // shows: a share lets its worker record on the case, glass only read it.
        let relation = self.case_relation(conn, actor, &c).await?;
        let may = |action| case_access_with(actor, &reach(&c), relation, action).allowed();
        let can_record = may(CaseAction::Record);
        let can_override = may(CaseAction::OverrideGuard);
        let can_assign = may(CaseAction::Assign);
        // Read by broken glass alone: the case's own people and shares do not reach it.
        let emergency_until = if relation.broken_glass
            && !can_record
            && !case_access(actor, &reach(&c), CaseAction::Read).allowed()
        {
            casework_store::sharing::running_break_glass(
                conn,
                c.id,
                actor.user_id,
                self.clock.now_ms(),
            )
            .await?
            .map(|(_, until)| until)
        } else {
            None
        };
        let limit = 50;
        let contacts = store::contacts(
            conn,
            &self.vault,
            actor.agency_id,
            c.id,
            contacts_cursor.map(|c| c.0),
            limit + 1,
        )
        .await?;
        let contacts = page_of(contacts, limit, |k| k.id);
        let detail = CaseDetail {
            emergency_until,
            client,
            client_interpreter_needed: full.as_ref().is_some_and(|f| f.interpreter_needed == 1),
            client_safe_contact: full.and_then(|f| f.safe_contact),
            program,
            worker_name,
            team,
            stage,
            history: store::stage_history(conn, c.id).await?,
            assignments: store::assignments(conn, c.id).await?,
            contacts: contacts.items,
            contacts_next_cursor: contacts.next_cursor,
            consents: store::consents(conn, c.id).await?,
            unmet: unmet(stage, &facts),
            requirements,
            holds,
            can_record,
            can_override,
            can_assign,
            case: c,
        };
        Ok(detail)
    }

    /// Record a contact with or about the client.
    pub async fn record_contact(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &ContactForm,
    ) -> ServiceResult<ContactRow> {
        let contact = form.parse(self.latest_today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx,
                actor,
                case_id,
                CaseAction::Record,
                "contact.record",
            ).await, end tx);
        let row = store::insert_contact(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.id,
            &contact,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        let act = Act {
            action: "contact.record",
            record_type: "contact",
            record_id: Some(row.id),
            client_id: Some(c.client_id),
        };
        casework_store::audit::append(
            &mut tx,
            actor.agency_id,
            vec![self.event(actor, act, Outcome::Allowed, None)],
        )
        .await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Record the client's consent to receive services.
    pub async fn record_service_consent(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &ServiceConsentForm,
    ) -> ServiceResult<ConsentRow> {
        let consent = form.parse(self.latest_today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx,
                actor,
                case_id,
                CaseAction::Record,
                "consent.record",
            ).await, end tx);
        let row = store::insert_consent(
            &mut tx,
            actor.agency_id,
            c.id,
            c.client_id,
            &consent,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        let act = Act {
            action: "consent.record",
            record_type: "service_consent",
            record_id: Some(row.id),
            client_id: Some(c.client_id),
        };
        casework_store::audit::append(
            &mut tx,
            actor.agency_id,
            vec![self.event(actor, act, Outcome::Allowed, None)],
        )
        .await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Move the case to another stage. The guard decides; a supervisor may override it with a
    /// written reason, which is kept in the stage history and the audit log.
    pub async fn move_stage(
        &self,
        actor: &Actor,
        case_id: i64,
        version: i64,
        form: &MoveForm,
    ) -> ServiceResult<CaseRow> {
        let (mv, reason) = form.parse()?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let action = if reason.is_some() {
            CaseAction::OverrideGuard
        } else {
            CaseAction::Transition
        };
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, action, "case.stage_move").await, end tx);
        if c.version != version {
            return Err(ServiceError::Stale);
        }
        let from = stage_of(&c)?;
        let facts = self.facts(&mut tx, &c).await?;
        let t = check_transition(from, mv, &facts, reason.as_ref())?;
        let reopen_reason = crate::follow_up::reopen_reason(mv, form.reopen_reason.as_deref())?;
        if !store::set_stage(
            &mut tx,
            actor.agency_id,
            c.id,
            version,
            t.to.as_str(),
            t.to == Stage::Closed,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        // A reason given when nothing was unmet is not an override; do not record it as one.
        let overridden = (!t.overridden.is_empty())
            .then(|| reason.as_ref().map(|r| r.as_str()))
            .flatten();
        store::insert_stage_move(
            &mut tx,
            actor.agency_id,
            c.id,
            Some(from.as_str()),
            t.to.as_str(),
            actor.user_id,
            now,
            overridden,
        )
        .await?;
        self.create_default_tasks(&mut tx, actor, &c, t.to).await?;
        self.after_stage_move(
            &mut tx,
            actor,
            &c,
            from,
            t.to,
            reopen_reason.as_deref(),
            now,
        )
        .await?;
        let action = if overridden.is_some() {
            "case.stage_override"
        } else {
            "case.stage_move"
        };
        let detail = format!("{} -> {}", from.as_str(), t.to.as_str());
        let why = match overridden {
            Some(r) => format!(
                "{detail}; overridden: {}; reason: {r}",
                t.overridden
                    .iter()
                    .map(|u| u.code())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            None => detail,
        };
        let event = self.event(
            actor,
            case_act(action, Some(&c), c.id),
            Outcome::Allowed,
            Some(&why),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, c.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Assign or transfer a case to a worker and/or team.
    pub async fn assign_case(
        &self,
        actor: &Actor,
        case_id: i64,
        version: i64,
        form: &AssignForm,
    ) -> ServiceResult<CaseRow> {
        let reason = casework_domain::text::optional("reason", form.reason.as_deref(), 2000)?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Assign, "case.assign").await, end tx);
        self.check_assignee(&mut tx, actor, form.worker_id, form.team_id.or(c.team_id))
            .await?;
        let team = form.team_id.or(c.team_id);
        if !store::set_assignment(
            &mut tx,
            actor.agency_id,
            c.id,
            version,
            form.worker_id,
            team,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        store::insert_assignment(
            &mut tx,
            actor.agency_id,
            c.id,
            form.worker_id,
            team,
            actor.user_id,
            now,
            reason.as_deref(),
        )
        .await?;
        let event = self.event(
            actor,
            case_act("case.assign", Some(&c), c.id),
            Outcome::Allowed,
            reason.as_deref(),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, c.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// The open cases a worker carries, or (for a supervisor) their team's; every line shown is
    /// an audited read.
    pub async fn caseload(
        &self,
        actor: &Actor,
        scope: CaseloadScope,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<CaseloadItem>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (page, events) = self
            .caseload_on(&mut conn, actor, scope, cursor, asked)
            .await?;
        drop(conn);
        self.audit.record_read(events).await?;
        Ok(page)
    }

    /// The caseload read on a connection the caller holds, with the audit entries it owes.
    pub(crate) async fn caseload_on(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        scope: CaseloadScope,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<(Page<CaseloadItem>, Vec<Event>)> {
        let of = match (scope, actor.role, actor.team_id) {
            (CaseloadScope::Mine, Role::Caseworker | Role::Supervisor, _) => {
                CaseloadOf::WorkerWithShares(actor.user_id, self.today_for_caseload())
            }
            (CaseloadScope::Team, Role::Supervisor, Some(team)) => CaseloadOf::Team(team),
            _ => return Err(ServiceError::Forbidden),
        };
        let limit = limit(asked, 200);
        let now = self.clock.now_ms();
        let rows = store::caseload(
            &mut *conn,
            actor.agency_id,
            of,
            cursor.map_or(0, |c| c.0),
            limit + 1,
        )
        .await?;
        let borrowed: Vec<i64> = rows
            .iter()
            .filter(|r| r.primary_worker_id != Some(actor.user_id))
            .map(|r| r.id)
            .collect();
        let shared = match scope {
            CaseloadScope::Mine => self.shared_until(conn, actor, &borrowed).await?,
            CaseloadScope::Team => Vec::new(),
        };
        let items: Vec<CaseloadItem> = rows
            .iter()
            .filter_map(|r| {
                let mut item = caseload_item(r, now)?;
                item.shared_until = shared.iter().find(|s| s.0 == r.id).map(|s| s.1.clone());
                Some(item)
            })
            .collect();
        let page = page_of(items, limit, |i| i.case_id);
        let shown = page
            .items
            .iter()
            .map(|i| Subject {
                record_id: i.case_id,
                client_id: i.client_id,
            })
            .collect();
        let events = self.listing(actor, "case.list", "case", shown);
        Ok((page, events))
    }
}

/// A caseload line; its "next due" is the first thing the stage's guard still needs. Facts a
/// caseload row does not carry (evaluation, closure, follow-ups) count as not yet done.
fn caseload_item(r: &CaseloadRow, now: i64) -> Option<CaseloadItem> {
    let stage: Stage = r.stage.parse().ok()?;
    let plan = (stage == Stage::Planning).then(|| casework_store::plan::PlanCounts {
        active_goals_without_intervention: r.plan_goals_without_intervention,
        agreed: r.plan_agreed == Some(1),
        approved: r.plan_approved == Some(1),
    });
    let plan = plan.as_ref();
    let count = |n: i64| n.clamp(0, i64::from(u32::MAX)) as u32;
    let facts = CaseFacts {
        consent_to_services: r.consents > 0,
        contacts: count(r.contacts),
        completed_assessment: r.completed_assessments > 0,
        assessed_needs: count(r.needs),
        assessed_strengths: count(r.strengths),
        active_goals: count(r.active_goals),
        agreed_smart_goals: count(r.agreed_goals),
        plan_approval_required: r.plan_approval_required == 1,
        closure_approval_required: r.closure_approval_required == 1,
        active_goals_without_intervention: plan
            .map_or(0, |p| count(p.active_goals_without_intervention)),
        plan_agreed_by_client: plan.is_some_and(|p| p.agreed),
        plan_approved: plan.is_some_and(|p| p.approved),
        ..CaseFacts::default()
    };
    Some(CaseloadItem {
        case_id: r.id,
        client_id: r.client_id,
        client_name: r.client_name.clone(),
        preferred_language: r.preferred_language.clone(),
        interpreter_needed: r.interpreter_needed == 1,
        worker_id: r.primary_worker_id,
        worker_name: r.worker_name.clone(),
        stage,
        days_in_stage: (now - r.stage_entered_at).max(0) / DAY_MS,
        risk_flag: r.risk_flag == 1,
        next_due: unmet(stage, &facts).first().map(|u| u.code()),
        shared_until: None,
    })
}
