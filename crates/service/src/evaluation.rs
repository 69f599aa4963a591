//! The evaluation stage: evaluations of a case (drafts, then recorded and never edited), each
//! goal's attainment with the case's GAS T-score computed by the domain, the worker's summary,
//! the decision (continue or close) and the client's feedback. The latest recorded evaluation
//! decides the stage guard (see `facts()` in case.rs).

use crate::case::case_act;
use crate::page::{page_of, Cursor, Page};
use crate::{authorized, Act, Actor, Casework, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::evaluation::{
    ActiveGoal, Evaluation, EvaluationForm, EvaluationStatus, FeedbackForm, GoalLevelForm,
    TScoreMeaning,
};
use casework_domain::goal::GoalStatus;
use casework_domain::Invalid;
use casework_store::case::{self as case_store, CaseRow};
use casework_store::evaluation as store;
pub use casework_store::evaluation::{EvaluationGoalRow, EvaluationRow};
use casework_store::goal::{self as goal_store, GoalRow};
use casework_store::Conn;
use casework_store::Wall;

/// The most evaluations one page of a case's list holds.
const PAGE_MAX: i64 = 100;

/// One goal's line in an evaluation: the level given and what the goal says.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatedGoal {
    pub goal_id: i64,
    pub statement: Option<String>,
    pub weight: f64,
    /// −2..=2; none in a draft that has not scored it yet.
    pub level: Option<i64>,
    pub comment: Option<String>,
    /// The goal's five level descriptions, −2 to +2.
    pub descriptions: [Option<String>; 5],
}

/// An evaluation for its page and the API.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationDetail {
    pub evaluation: EvaluationRow,
    pub case: CaseRow,
    pub goals: Vec<EvaluatedGoal>,
    pub meaning: Option<TScoreMeaning>,
    pub can_record: bool,
}

/// What the new-evaluation form needs: the case's active goals with their scales, and its
/// completed assessments (a later one may be named as the re-assessment).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationChoices {
    pub case: CaseRow,
    pub goals: Vec<GoalRow>,
    pub assessments: Vec<casework_store::assessment::AssessmentRow>,
}

fn evaluation_act<'a>(action: &'a str, id: Option<i64>, client_id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "evaluation",
        record_id: id,
        client_id,
    }
}

fn active_goals(goals: &[GoalRow]) -> Vec<ActiveGoal> {
    goals
        .iter()
        .filter(|g| g.status == GoalStatus::Active.as_str())
        .map(|g| ActiveGoal {
            goal_id: g.id,
            weight: g.weight,
        })
        .collect()
}

impl Casework {
    /// An evaluation and its case, if `actor` may take `action` on the case.
    async fn authorize_evaluation(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(EvaluationRow, CaseRow), Refusal> {
        let row = store::get(conn, &self.vault, actor.agency_id, id).await?;
        let case = match &row {
            Some(e) => case_store::get(conn, &self.vault, actor.agency_id, e.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, row, case) {
            (Decision::Allow, Some(e), Some(c)) => Ok((e, c)),
            (d, _, case) => Err(self.refusal(
                actor,
                evaluation_act(name, Some(id), case.map(|c| c.client_id)),
                d,
            )),
        }
    }

    /// Check the form against the case's active goals and, if it names one, a completed
    /// assessment of the same case.
    async fn check_evaluation(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
        form: &EvaluationForm,
        record: bool,
    ) -> ServiceResult<Evaluation> {
        let goals = goal_store::of_case(conn, &self.vault, c.agency_id, c.id).await?;
        let checked = form.parse(&active_goals(&goals), record)?;
        if let Some(a) = checked.assessment_id {
            match casework_store::assessment::get(conn, &self.vault, c.agency_id, a).await? {
                Some(row) if row.case_id == c.id && row.status == "completed" => {}
                _ => return Err(Invalid::new("assessment_id", "unknown_choice").into()),
            }
        }
        Ok(checked)
    }

    async fn evaluation_detail(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        evaluation: EvaluationRow,
        case: CaseRow,
    ) -> ServiceResult<EvaluationDetail> {
        let levels = store::goals_of(conn, &self.vault, case.agency_id, evaluation.id).await?;
        let case_goals = goal_store::of_case(conn, &self.vault, case.agency_id, case.id).await?;
        let mut goals: Vec<EvaluatedGoal> = levels
            .iter()
            .filter_map(|l| {
                case_goals
                    .iter()
                    .find(|g| g.id == l.goal_id)
                    .map(|g| EvaluatedGoal {
                        goal_id: g.id,
                        statement: g.statement.clone(),
                        weight: g.weight,
                        level: l.level,
                        comment: l.comment.clone(),
                        descriptions: g.gas(),
                    })
            })
            .collect();
        // A draft shows every active goal, scored or not, so the worker can finish it.
        if evaluation.status == EvaluationStatus::Draft.as_str() {
            for g in case_goals
                .iter()
                .filter(|g| g.status == GoalStatus::Active.as_str())
            {
                if !goals.iter().any(|e| e.goal_id == g.id) {
                    goals.push(EvaluatedGoal {
                        goal_id: g.id,
                        statement: g.statement.clone(),
                        weight: g.weight,
                        level: None,
                        comment: None,
                        descriptions: g.gas(),
                    });
                }
            }
        }
        Ok(EvaluationDetail {
            meaning: evaluation.t_score.map(TScoreMeaning::of),
            can_record: self
                .may_on_case(conn, actor, &case, CaseAction::Record)
                .await?,
            evaluation,
            case,
            goals,
        })
    }

    /// What a new evaluation's form offers; audited as a read of the case's goals.
    pub async fn evaluation_choices(
        &self,
        actor: &Actor,
        case_id: i64,
    ) -> ServiceResult<EvaluationChoices> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Record,
                "evaluation.draft"
            )
            .await,
            end conn
        );
        let goals: Vec<GoalRow> =
            goal_store::of_case(&mut conn, &self.vault, actor.agency_id, c.id)
                .await?
                .into_iter()
                .filter(|g| g.status == GoalStatus::Active.as_str())
                .collect();
        let assessments: Vec<_> =
            casework_store::assessment::of_case(&mut conn, &self.vault, c.id, None, 100)
                .await?
                .into_iter()
                .filter(|a| a.status == "completed")
                .collect();
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                case_act("goal.list", Some(&c), c.id),
                Outcome::Allowed,
                Some("evaluation form"),
            )])
            .await?;
        Ok(EvaluationChoices {
            case: c,
            goals,
            assessments,
        })
    }

    /// A new evaluation of a case: a draft, or (`record`) recorded at once, which needs a level
    /// for each active goal, a summary and a decision.
    pub async fn save_evaluation(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &EvaluationForm,
        record: bool,
    ) -> ServiceResult<EvaluationDetail> {
        let action = if record {
            "evaluation.record"
        } else {
            "evaluation.draft"
        };
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, action).await, end tx);
        let checked = self.check_evaluation(&mut tx, &c, form, record).await?;
        let row = store::insert(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.id,
            &checked,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        let event = self.event(
            actor,
            evaluation_act(action, Some(row.id), Some(c.client_id)),
            Outcome::Allowed,
            row.decision.as_deref(),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let detail = self.evaluation_detail(&mut tx, actor, row, c).await?;
        casework_store::commit(tx).await?;
        Ok(detail)
    }

    /// Rewrite a draft read at `version`, and record it if asked. A recorded evaluation is never
    /// changed: a later one is a new evaluation.
    pub async fn update_evaluation(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        form: &EvaluationForm,
        record: bool,
    ) -> ServiceResult<EvaluationDetail> {
        let action = if record {
            "evaluation.record"
        } else {
            "evaluation.draft"
        };
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (e, c) = authorized!(self, self.authorize_evaluation(&mut tx, actor, id, CaseAction::Record, action).await, end tx);
        if e.status != EvaluationStatus::Draft.as_str() {
            return Err(Invalid::new("status", "evaluation_recorded").into());
        }
        if e.version != version {
            return Err(ServiceError::Stale);
        }
        let checked = self.check_evaluation(&mut tx, &c, form, record).await?;
        let Some(row) = store::update_draft(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            e.id,
            version,
            &checked,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?
        else {
            return Err(ServiceError::Stale);
        };
        let event = self.event(
            actor,
            evaluation_act(action, Some(row.id), Some(c.client_id)),
            Outcome::Allowed,
            row.decision.as_deref(),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let detail = self.evaluation_detail(&mut tx, actor, row, c).await?;
        casework_store::commit(tx).await?;
        Ok(detail)
    }

    /// Record a draft as it stands (read at `version`): the rules of a recorded evaluation are
    /// checked against the case's active goals now.
    pub async fn record_evaluation(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> ServiceResult<EvaluationDetail> {
        let form = {
            let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
            let (e, _) = authorized!(
                self,
                self.authorize_evaluation(
                    &mut conn,
                    actor,
                    id,
                    CaseAction::Record,
                    "evaluation.record"
                )
                .await,
                end conn
            );
            let goals = store::goals_of(&mut conn, &self.vault, e.agency_id, e.id).await?;
            EvaluationForm {
                assessment_id: e.assessment_id,
                goals: goals
                    .into_iter()
                    .map(|g| GoalLevelForm {
                        goal_id: g.goal_id,
                        level: g.level,
                        comment: g.comment,
                    })
                    .collect(),
                summary: e.summary,
                decision: e.decision,
            }
        };
        self.update_evaluation(actor, id, version, &form, true)
            .await
    }

    /// The client's feedback on an evaluation, which the worker may record on the client's
    /// behalf, later than the evaluation itself.
    pub async fn record_evaluation_feedback(
        &self,
        actor: &Actor,
        id: i64,
        form: &FeedbackForm,
    ) -> ServiceResult<EvaluationDetail> {
        let feedback = form.parse(self.today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (e, c) = authorized!(self, self.authorize_evaluation(&mut tx, actor, id, CaseAction::Record, "evaluation.feedback").await, end tx);
        let row = store::set_feedback(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.client_id,
            e.id,
            &feedback,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?
        .ok_or(ServiceError::NotFound)?;
        let event = self.event(
            actor,
            evaluation_act("evaluation.feedback", Some(row.id), Some(c.client_id)),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let detail = self.evaluation_detail(&mut tx, actor, row, c).await?;
        casework_store::commit(tx).await?;
        Ok(detail)
    }

    /// One evaluation with its goals; the read is audited.
    pub async fn evaluation(&self, actor: &Actor, id: i64) -> ServiceResult<EvaluationDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (e, c) = authorized!(
            self,
            self.authorize_evaluation(&mut conn, actor, id, CaseAction::Read, "evaluation.read")
                .await,
            end conn
        );
        let client_id = c.client_id;
        let detail = self.evaluation_detail(&mut conn, actor, e, c).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                evaluation_act("evaluation.read", Some(id), Some(client_id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(detail)
    }

    /// A case's evaluations, newest first, a page at a time; the read is audited.
    pub async fn evaluations(
        &self,
        actor: &Actor,
        case_id: i64,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> ServiceResult<Page<EvaluationRow>> {
        let cursor = Cursor::parse(cursor)?;
        let limit = crate::page::limit(limit, PAGE_MAX);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Read,
                "evaluation.list"
            )
            .await,
            end conn
        );
        let rows =
            store::of_case(&mut conn, &self.vault, c.id, cursor.map(|c| c.0), limit + 1).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                case_act("evaluation.list", Some(&c), c.id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(page_of(rows, limit, |r| r.id))
    }
}
