//! Services delivered (the intervention stage): record what help the client received, correct
//! a record (with the version read), and mark a wrong one entered in error with a reason. A
//! record is never deleted; one marked in error stays on file and is shown struck through.

use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::delivery::{CaseLinks, ErrorForm, ServiceForm};
use casework_domain::Invalid;
use casework_store::case::{self as case_store, CaseRow};
use casework_store::delivery as store;
pub use casework_store::delivery::ServiceRow;
use casework_store::goal::{self as goal_store, GoalRow};
use casework_store::plan::{self as plan_store, InterventionRow};
use casework_store::Conn;
use casework_store::Wall;

/// A case's service records, one page, with what the form offers to link to.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseServices {
    pub case: CaseRow,
    /// Newest first, those entered in error included.
    pub page: Page<ServiceRow>,
    /// The goals of the case and the interventions of its current plan.
    pub goals: Vec<GoalRow>,
    pub interventions: Vec<InterventionRow>,
    pub can_record: bool,
}

/// One record with its case and the choices its correction form offers.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceView {
    pub case: CaseRow,
    pub service: ServiceRow,
    pub goals: Vec<GoalRow>,
    pub interventions: Vec<InterventionRow>,
    pub can_record: bool,
}

const PAGE_MAX: i64 = 200;

fn service_act<'a>(action: &'a str, c: Option<&CaseRow>, id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "service_delivered",
        record_id: id,
        client_id: c.map(|c| c.client_id),
    }
}

fn links_of(goals: &[GoalRow], interventions: &[InterventionRow]) -> CaseLinks {
    CaseLinks {
        goal_ids: goals.iter().map(|g| g.id).collect(),
        interventions: interventions.iter().map(|i| (i.id, i.goal_id)).collect(),
    }
}

impl Casework {
    /// The goals of the case and the interventions of its latest plan version.
    pub(crate) async fn service_link_choices(
        &self,
        conn: &mut Conn,
        agency_id: i64,
        case_id: i64,
    ) -> ServiceResult<(Vec<GoalRow>, Vec<InterventionRow>)> {
        let goals = goal_store::of_case(conn, &self.vault, agency_id, case_id).await?;
        let interventions = match plan_store::latest(conn, &self.vault, agency_id, case_id).await? {
            Some(p) => plan_store::interventions(conn, &self.vault, agency_id, p.id).await?,
            None => Vec::new(),
        };
        Ok((goals, interventions))
    }

    /// The record and its case, if the actor may do `action` on the case.
    async fn authorize_service(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(CaseRow, ServiceRow), Refusal> {
        let row = store::get(conn, &self.vault, actor.agency_id, id).await?;
        let case = match &row {
            Some(s) => case_store::get(conn, &self.vault, actor.agency_id, s.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, case, row) {
            (Decision::Allow, Some(c), Some(s)) => Ok((c, s)),
            (d, c, _) => Err(self.refusal(actor, service_act(name, c.as_ref(), Some(id)), d)),
        }
    }

    async fn write_service_event(
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

    /// A page of the case's service records, newest first. Audited.
    pub async fn services(
        &self,
        actor: &Actor,
        case_id: i64,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<CaseServices> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(&mut conn, actor, case_id, CaseAction::Read, "service.list")
                .await,
            end conn
        );
        let n = limit(asked, PAGE_MAX);
        let rows = store::of_case(
            &mut conn,
            &self.vault,
            actor.agency_id,
            c.id,
            cursor.map(|c| c.0),
            n + 1,
        )
        .await?;
        let (goals, interventions) = self
            .service_link_choices(&mut conn, actor.agency_id, c.id)
            .await?;
        let can_record = self
            .may_on_case(&mut conn, actor, &c, CaseAction::Record)
            .await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                service_act("service.list", Some(&c), None),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(CaseServices {
            can_record,
            page: page_of(rows, n, |r| r.id),
            case: c,
            goals,
            interventions,
        })
    }

    /// One service record. Audited.
    pub async fn delivered_service(&self, actor: &Actor, id: i64) -> ServiceResult<ServiceView> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (c, s) = authorized!(
            self,
            self.authorize_service(&mut conn, actor, id, CaseAction::Read, "service.read")
                .await,
            end conn
        );
        let (goals, interventions) = self
            .service_link_choices(&mut conn, actor.agency_id, c.id)
            .await?;
        let can_record = self
            .may_on_case(&mut conn, actor, &c, CaseAction::Record)
            .await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                service_act("service.read", Some(&c), Some(s.id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(ServiceView {
            can_record,
            case: c,
            service: s,
            goals,
            interventions,
        })
    }

    /// Record a service delivered to the case's client.
    pub async fn record_service(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &ServiceForm,
    ) -> ServiceResult<ServiceRow> {
        let new = form.parse(self.latest_today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "service.record").await, end tx);
        let (goals, interventions) = self
            .service_link_choices(&mut tx, actor.agency_id, c.id)
            .await?;
        let new = new.check_links(&links_of(&goals, &interventions))?;
        let row = store::insert(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.id,
            &new,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        self.write_service_event(
            &mut tx,
            actor,
            service_act("service.record", Some(&c), Some(row.id)),
            None,
        )
        .await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Correct a record, based on the version read. One entered in error is not changed.
    pub async fn update_service(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        form: &ServiceForm,
    ) -> ServiceResult<ServiceRow> {
        let new = form.parse(self.latest_today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, s) = authorized!(self, self.authorize_service(&mut tx, actor, id, CaseAction::Record, "service.update").await, end tx);
        if s.in_error() {
            return Err(Invalid::new("service_id", "service_entered_in_error").into());
        }
        if s.version != version {
            return Err(ServiceError::Stale);
        }
        let (goals, interventions) = self
            .service_link_choices(&mut tx, actor.agency_id, c.id)
            .await?;
        let new = new.check_links(&links_of(&goals, &interventions))?;
        let now = self.clock.now_ms();
        if !store::update(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            id,
            version,
            &new,
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_service_event(
            &mut tx,
            actor,
            service_act("service.update", Some(&c), Some(id)),
            None,
        )
        .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Mark a record entered in error, with a reason. It stays on file; `version`, when given,
    /// must be the one read.
    pub async fn mark_service_in_error(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        form: &ErrorForm,
    ) -> ServiceResult<ServiceRow> {
        let reason = form.parse()?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, s) = authorized!(self, self.authorize_service(&mut tx, actor, id, CaseAction::Record, "service.entered_in_error").await, end tx);
        if s.in_error() {
            return Err(Invalid::new("service_id", "service_entered_in_error").into());
        }
        if version.is_some_and(|v| v != s.version) {
            return Err(ServiceError::Stale);
        }
        let now = self.clock.now_ms();
        if !store::mark_in_error(
            &mut tx,
            actor.agency_id,
            id,
            s.version,
            &reason,
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_service_event(
            &mut tx,
            actor,
            service_act("service.entered_in_error", Some(&c), Some(id)),
            Some(&reason),
        )
        .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }
}
