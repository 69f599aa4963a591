//! Goal setting: goals agreed with the client, in priority order, each tied to needs assessed in
//! the same case. A goal is saved as a draft whatever it lacks; only one that passes the SMART
//! check becomes active, and the goal-setting guard counts active goals the client agreed to.

use crate::{authorized, Act, Actor, Casework, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::goal::{
    AgreementForm, GoalDraft, GoalForm, GoalScaleDraft, GoalScaleForm, GoalStatus, SmartGap,
    SmartGoal,
};
use casework_domain::Invalid;
use casework_store::case::{self as case_store, CaseRow};
use casework_store::fetch::Fetch;
use casework_store::goal::{self as store, GoalFields};
pub use casework_store::goal::{GoalRow, NeedChoice};
use casework_store::Wall;
use casework_store::{Conn, StoreError};

/// More goals than this on one case is not a plan anyone can follow.
pub const GOALS_PER_CASE_MAX: i64 = 50;

/// A goal with its links and what it lacks to be SMART today.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalView {
    pub goal: GoalRow,
    pub status: GoalStatus,
    /// In the order they were linked.
    pub linked_need_ids: Vec<i64>,
    /// Empty when the goal passes the SMART check today.
    pub gaps: Vec<SmartGap>,
}

/// A case's goals, in priority order, with the needs they can point to.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseGoals {
    pub case: CaseRow,
    pub goals: Vec<GoalView>,
    pub needs: Vec<NeedChoice>,
    pub can_record: bool,
}

/// One goal with its case and the case's needs (for the edit page).
#[derive(Debug, Clone, PartialEq)]
pub struct GoalDetail {
    pub case: CaseRow,
    pub goal: GoalView,
    pub needs: Vec<NeedChoice>,
    pub can_record: bool,
}

fn goal_act<'a>(action: &'a str, c: Option<&CaseRow>, id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "goal",
        record_id: id,
        client_id: c.map(|c| c.client_id),
    }
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what))
}

/// The stored goal as the domain sees it, to check it again.
fn draft_of(row: &GoalRow, linked_need_ids: &[i64]) -> ServiceResult<GoalDraft> {
    let form = GoalForm {
        statement: row.statement.clone(),
        measure: row.measure.clone(),
        baseline: row.baseline.clone(),
        target: row.target.clone(),
        resources: row.resources.clone(),
        barriers: row.barriers.clone(),
        linked_need_ids: linked_need_ids.to_vec(),
        target_date: row.target_date.clone(),
    };
    GoalDraft::parse(&form).map_err(|e| corrupt(format!("goal {}: {e}", row.id)))
}

fn status_of(row: &GoalRow) -> ServiceResult<GoalStatus> {
    row.status
        .parse()
        .map_err(|_| corrupt(format!("status of goal {}", row.id)))
}

fn view(row: GoalRow, linked_need_ids: Vec<i64>, today: time::Date) -> ServiceResult<GoalView> {
    let gaps = draft_of(&row, &linked_need_ids)?.smart_check(today);
    Ok(GoalView {
        status: status_of(&row)?,
        goal: row,
        linked_need_ids,
        gaps,
    })
}

/// Did the goal the client agreed to change (its SMART content, not its order or scale)?
fn content_changed(row: &GoalRow, old_links: &[i64], new: &GoalDraft) -> bool {
    row.statement.as_deref() != new.statement()
        || row.measure.as_deref() != new.measure()
        || row.baseline.as_deref() != new.baseline()
        || row.target.as_deref() != new.target()
        || row.resources.as_deref() != new.resources()
        || row.barriers.as_deref() != new.barriers()
        || row.target_date.as_deref() != new.target_date()
        || old_links != new.linked_need_ids()
}

/// What a case's goals list and its golden thread both read.
#[derive(Debug, Clone, Default)]
pub(crate) struct GoalRecords {
    pub goals: Vec<store::GoalRow>,
    /// (goal id, need id).
    pub links: Vec<(i64, i64)>,
    pub needs: Vec<store::NeedChoice>,
}

impl Casework {
    /// The goal and its case, if the actor may do `action` on the case.
    pub(crate) async fn authorize_goal(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        goal_id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(CaseRow, GoalRow), Refusal> {
        let goal = store::get(conn, &self.vault, actor.agency_id, goal_id).await?;
        let case = match &goal {
            Some(g) => case_store::get(conn, &self.vault, actor.agency_id, g.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, case, goal) {
            (Decision::Allow, Some(c), Some(g)) => Ok((c, g)),
            (d, c, _) => Err(self.refusal(actor, goal_act(name, c.as_ref(), Some(goal_id)), d)),
        }
    }

    async fn links_of(&self, conn: &mut Conn, goal_id: i64) -> ServiceResult<Vec<i64>> {
        Ok(store::links(conn, &[goal_id])
            .await?
            .into_iter()
            .map(|(_, need)| need)
            .collect())
    }

    /// Every linked need must have been assessed in this case.
    async fn check_needs(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        case_id: i64,
        need_ids: &[i64],
    ) -> ServiceResult<()> {
        let found = store::needs_in_case(conn, actor.agency_id, case_id, need_ids).await?;
        match need_ids.iter().position(|id| !found.contains(id)) {
            Some(i) => Err(Invalid::new(format!("linked_need_ids[{i}]"), "unknown_need").into()),
            None => Ok(()),
        }
    }

    async fn goal_view(&self, conn: &mut Conn, agency_id: i64, id: i64) -> ServiceResult<GoalView> {
        let row = store::get(conn, &self.vault, agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let links = self.links_of(conn, id).await?;
        view(row, links, self.today())
    }

    async fn write_goal_event(
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

    /// The case's goals in priority order, with the needs assessed in the case; audited.
    pub async fn goals(&self, actor: &Actor, case_id: i64) -> ServiceResult<CaseGoals> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(&mut conn, actor, case_id, CaseAction::Read, "goal.list")
                .await,
            end conn
        );
        let goals = self.goals_of(&mut conn, actor, c).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                crate::case::case_act("goal.list", Some(&goals.case), goals.case.id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(goals)
    }

    /// The goals of a case the actor was authorized to read.
    pub(crate) async fn goals_of(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        c: CaseRow,
    ) -> ServiceResult<CaseGoals> {
        let records = self.goal_records(conn, &c).await?;
        self.goals_from(conn, actor, c, records).await
    }

    /// A case's goals, their links to needs and the needs its completed assessments name.
    pub(crate) async fn goal_records(
        &self,
        conn: &mut impl Fetch,
        c: &CaseRow,
    ) -> ServiceResult<GoalRecords> {
        let goals = store::of_case(conn, &self.vault, c.agency_id, c.id).await?;
        let ids: Vec<i64> = goals.iter().map(|g| g.id).collect();
        let links = store::links(conn, &ids).await?;
        let needs = store::case_needs(conn, &self.vault, c.agency_id, c.id).await?;
        Ok(GoalRecords {
            goals,
            links,
            needs,
        })
    }

    /// The goals list from records already read.
    pub(crate) async fn goals_from(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: CaseRow,
        records: GoalRecords,
    ) -> ServiceResult<CaseGoals> {
        let GoalRecords {
            goals: rows,
            links,
            needs,
        } = records;
        let can_record = self
            .may_on_case(conn, actor, &c, CaseAction::Record)
            .await?;
        let today = self.today();
        let goals = rows
            .into_iter()
            .map(|g| {
                let mine = links
                    .iter()
                    .filter(|(goal, _)| *goal == g.id)
                    .map(|(_, need)| *need)
                    .collect();
                view(g, mine, today)
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok(CaseGoals {
            can_record,
            case: c,
            goals,
            needs,
        })
    }

    /// One goal, for its page; audited.
    pub async fn goal(&self, actor: &Actor, goal_id: i64) -> ServiceResult<GoalDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (c, g) = authorized!(
            self,
            self.authorize_goal(&mut conn, actor, goal_id, CaseAction::Read, "goal.read")
                .await,
            end conn
        );
        let links = self.links_of(&mut conn, g.id).await?;
        let needs = store::case_needs(&mut conn, &self.vault, actor.agency_id, c.id).await?;
        let can_record = self
            .may_on_case(&mut conn, actor, &c, CaseAction::Record)
            .await?;
        drop(conn);
        let goal = view(g, links, self.today())?;
        self.audit
            .record_read(vec![self.event(
                actor,
                goal_act("goal.read", Some(&c), Some(goal_id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(GoalDetail {
            can_record,
            case: c,
            goal,
            needs,
        })
    }

    /// A new goal, saved as a draft however incomplete; the view lists its SMART gaps.
    pub async fn create_goal(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &GoalForm,
        scale: &GoalScaleForm,
    ) -> ServiceResult<GoalView> {
        let draft = GoalDraft::parse(form)?;
        let scale = scale.parse()?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "goal.create").await, end tx);
        if store::count_of_case(&mut tx, c.id).await? >= GOALS_PER_CASE_MAX {
            return Err(Invalid::new("goals", "too_many").into());
        }
        self.check_needs(&mut tx, actor, c.id, draft.linked_need_ids())
            .await?;
        let priority = match scale.priority {
            Some(p) => p,
            None => store::next_priority(&mut tx, c.id).await?,
        };
        let fields = GoalFields {
            draft: &draft,
            scale: &scale,
            priority,
        };
        let row = store::insert(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.id,
            fields,
            actor.user_id,
            now,
        )
        .await?;
        store::replace_links(&mut tx, actor.agency_id, row.id, draft.linked_need_ids()).await?;
        self.write_goal_event(
            &mut tx,
            actor,
            goal_act("goal.create", Some(&c), Some(row.id)),
            None,
        )
        .await?;
        casework_store::commit(tx).await?;
        view(row, draft.linked_need_ids().to_vec(), self.today())
    }

    /// Change a goal. A draft saves whatever it lacks; an active goal must stay SMART. When what
    /// the client agreed to changes (anything but the order, the scale and the weight), the
    /// recorded agreement is withdrawn: the client has not agreed to the new goal yet.
    pub async fn update_goal(
        &self,
        actor: &Actor,
        goal_id: i64,
        version: i64,
        form: &GoalForm,
        scale: &GoalScaleForm,
    ) -> ServiceResult<GoalView> {
        let draft = GoalDraft::parse(form)?;
        let scale: GoalScaleDraft = scale.parse()?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, g) = authorized!(self, self.authorize_goal(&mut tx, actor, goal_id, CaseAction::Record, "goal.update").await, end tx);
        let status = status_of(&g)?;
        if !status.is_open() {
            return Err(Invalid::new("status", "goal_not_open").into());
        }
        if g.version != version {
            return Err(ServiceError::Stale);
        }
        self.check_needs(&mut tx, actor, c.id, draft.linked_need_ids())
            .await?;
        if status == GoalStatus::Active {
            SmartGoal::parse(&draft, self.today()).map_err(ServiceError::SmartGaps)?;
        }
        let old_links = self.links_of(&mut tx, g.id).await?;
        let withdrawn = g.client_agreed == 1 && content_changed(&g, &old_links, &draft);
        let fields = GoalFields {
            draft: &draft,
            scale: &scale,
            priority: scale.priority.unwrap_or(g.priority),
        };
        let updated = store::update(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            g.id,
            version,
            fields,
            withdrawn,
            actor.user_id,
            now,
        )
        .await?;
        if !updated {
            return Err(ServiceError::Stale);
        }
        if old_links != draft.linked_need_ids() {
            store::replace_links(&mut tx, actor.agency_id, g.id, draft.linked_need_ids()).await?;
        }
        let reason = withdrawn.then_some("client agreement withdrawn: the goal changed");
        self.write_goal_event(
            &mut tx,
            actor,
            goal_act("goal.update", Some(&c), Some(g.id)),
            reason,
        )
        .await?;
        let view = self.goal_view(&mut tx, actor.agency_id, g.id).await?;
        casework_store::commit(tx).await?;
        Ok(view)
    }

    /// Make a draft goal active. Refused with every SMART gap when it is not SMART.
    pub async fn activate_goal(
        &self,
        actor: &Actor,
        goal_id: i64,
        version: i64,
    ) -> ServiceResult<GoalView> {
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, g) = authorized!(self, self.authorize_goal(&mut tx, actor, goal_id, CaseAction::Record, "goal.activate").await, end tx);
        if g.version != version {
            return Err(ServiceError::Stale);
        }
        match status_of(&g)? {
            GoalStatus::Draft => {}
            GoalStatus::Active => {
                drop(tx);
                return self.goal_view_now(actor.agency_id, g.id).await;
            }
            GoalStatus::Achieved | GoalStatus::Discontinued => {
                return Err(Invalid::new("status", "goal_not_open").into())
            }
        }
        let links = self.links_of(&mut tx, g.id).await?;
        let draft = draft_of(&g, &links)?;
        SmartGoal::parse(&draft, self.today()).map_err(ServiceError::SmartGaps)?;
        if !store::set_status(
            &mut tx,
            actor.agency_id,
            g.id,
            version,
            GoalStatus::Active.as_str(),
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_goal_event(
            &mut tx,
            actor,
            goal_act("goal.activate", Some(&c), Some(g.id)),
            None,
        )
        .await?;
        let view = self.goal_view(&mut tx, actor.agency_id, g.id).await?;
        casework_store::commit(tx).await?;
        Ok(view)
    }

    async fn goal_view_now(&self, agency_id: i64, id: i64) -> ServiceResult<GoalView> {
        let mut conn = self.store.conn(Wall::Agency(agency_id)).await?;
        self.goal_view(&mut conn, agency_id, id).await
    }

    /// Record that the client agreed to the goal, when, and what they said.
    pub async fn record_goal_agreement(
        &self,
        actor: &Actor,
        goal_id: i64,
        version: i64,
        form: &AgreementForm,
    ) -> ServiceResult<GoalView> {
        let agreement = form.parse(self.today())?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, g) = authorized!(self, self.authorize_goal(&mut tx, actor, goal_id, CaseAction::Record, "goal.agree").await, end tx);
        if !status_of(&g)?.is_open() {
            return Err(Invalid::new("status", "goal_not_open").into());
        }
        if g.version != version {
            return Err(ServiceError::Stale);
        }
        if !store::set_agreement(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            g.id,
            version,
            &agreement.agreed_on.to_string(),
            &agreement.client_words,
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_goal_event(
            &mut tx,
            actor,
            goal_act("goal.agree", Some(&c), Some(g.id)),
            None,
        )
        .await?;
        let view = self.goal_view(&mut tx, actor.agency_id, g.id).await?;
        casework_store::commit(tx).await?;
        Ok(view)
    }

    /// Put the case's goals in this order (every goal of the case, each once): the first gets
    /// priority 1. Goals whose priority changes get a new version.
    pub async fn reorder_goals(
        &self,
        actor: &Actor,
        case_id: i64,
        goal_ids: &[i64],
    ) -> ServiceResult<Vec<GoalView>> {
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "goal.reorder").await, end tx);
        let rows = store::of_case(&mut tx, &self.vault, actor.agency_id, c.id).await?;
        for (i, id) in goal_ids.iter().enumerate() {
            if !rows.iter().any(|g| g.id == *id) || goal_ids[..i].contains(id) {
                return Err(Invalid::new(format!("goal_ids[{i}]"), "unknown_choice").into());
            }
        }
        if goal_ids.len() != rows.len() {
            return Err(Invalid::new("goal_ids", "goal_order_incomplete").into());
        }
        for (i, id) in goal_ids.iter().enumerate() {
            store::set_priority(
                &mut tx,
                actor.agency_id,
                *id,
                i as i64 + 1,
                actor.user_id,
                now,
            )
            .await?;
        }
        let act = Act {
            action: "goal.reorder",
            record_type: "case",
            record_id: Some(c.id),
            client_id: Some(c.client_id),
        };
        self.write_goal_event(&mut tx, actor, act, None).await?;
        let rows = store::of_case(&mut tx, &self.vault, actor.agency_id, c.id).await?;
        let ids: Vec<i64> = rows.iter().map(|g| g.id).collect();
        let links = store::links(&mut tx, &ids).await?;
        casework_store::commit(tx).await?;
        let today = self.today();
        rows.into_iter()
            .map(|g| {
                let mine = links
                    .iter()
                    .filter(|(goal, _)| *goal == g.id)
                    .map(|(_, need)| *need)
                    .collect();
                view(g, mine, today)
            })
            .collect()
    }
}
