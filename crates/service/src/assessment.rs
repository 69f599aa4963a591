//! The assessment stage: structured assessments with their needs and strengths, and the standard
//! instruments (PHQ-9, GAD-7, self-sufficiency matrix) scored by the domain and kept with their
//! answers. A PHQ-9 with item 9 above 0 flags the case at risk and writes a `safety.alert` entry;
//! the supervisor's queue of alerts reads those (a later step).

use crate::case::case_act;
use crate::{authorized, Act, Actor, Casework, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::assessment::{
    Answers, AssessmentForm, AssessmentStatus, InstrumentForm, InstrumentKind,
};
use casework_domain::audit::Outcome;
use casework_domain::instrument::{Phq9, SsmDomain};
use casework_domain::Invalid;
use casework_store::assessment::{self as store, InstrumentRow, Items, NewInstrumentResult};
pub use casework_store::assessment::{AssessmentRow, ItemRow};
use casework_store::case::{self as case_store, CaseRow};
use casework_store::Conn;
use casework_store::Wall;

/// An assessment with what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentDetail {
    pub assessment: AssessmentRow,
    pub client_id: i64,
    pub needs: Vec<ItemRow>,
    pub strengths: Vec<ItemRow>,
}

/// One instrument given on one day, as stored and scored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InstrumentResult {
    pub id: i64,
    pub case_id: i64,
    pub assessment_id: Option<i64>,
    pub instrument: InstrumentKind,
    /// PHQ-9 and GAD-7: the answers 0–3 in question order; the matrix: `{"housing": 2, ...}`.
    pub answers: serde_json::Value,
    /// PHQ-9 0–27, GAD-7 0–21; none for the matrix.
    pub total: Option<i64>,
    /// The severity band's stable name; none for the matrix.
    pub band: Option<String>,
    /// What a chart of scores over time shows: the total, or the matrix's average rating.
    pub score: f64,
    pub safety_alert: bool,
    /// `YYYY-MM-DD`.
    pub taken_on: String,
    pub recorded_by: i64,
    pub recorded_at: i64,
}

/// The most results of one instrument a history shows.
const HISTORY_LIMIT: i64 = 200;
/// The most assessments a case's list shows.
const LIST_LIMIT: i64 = 100;

fn assessment_act<'a>(action: &'a str, id: i64, client_id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "assessment",
        record_id: Some(id),
        client_id,
    }
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(casework_store::StoreError::Corrupt(what))
}

fn kind_of(raw: &str) -> Result<InstrumentKind, Invalid> {
    raw.trim()
        .parse()
        .map_err(|_| Invalid::new("instrument", "unknown_choice"))
}

/// The answers as stored: a list for the questionnaires, a map of domain to 1–5 for the matrix.
fn answers_json(answers: &Answers) -> serde_json::Value {
    match answers {
        Answers::Phq9(p) => serde_json::json!(p.answers()),
        Answers::Gad7(g) => serde_json::json!(g.answers()),
        Answers::Ssm(s) => serde_json::Value::Object(
            s.ratings()
                .map(|(d, r)| (d.as_str().to_string(), serde_json::json!(r.value())))
                .collect(),
        ),
    }
}

fn result_of(row: InstrumentRow) -> ServiceResult<InstrumentResult> {
    let bad = || corrupt(format!("instrument result {}", row.id));
    let instrument = kind_of(&row.instrument).map_err(|_| bad())?;
    let answers: serde_json::Value = serde_json::from_str(&row.answers).map_err(|_| bad())?;
    let score = match (instrument, row.total) {
        (InstrumentKind::Ssm, _) => {
            let ratings: Vec<f64> = answers
                .as_object()
                .ok_or_else(bad)?
                .iter()
                .filter(|(d, _)| d.parse::<SsmDomain>().is_ok())
                .filter_map(|(_, r)| r.as_f64())
                .collect();
            if ratings.is_empty() {
                return Err(bad());
            }
            ratings.iter().sum::<f64>() / ratings.len() as f64
        }
        (_, Some(total)) => total as f64,
        (_, None) => return Err(bad()),
    };
    Ok(InstrumentResult {
        id: row.id,
        case_id: row.case_id,
        assessment_id: row.assessment_id,
        instrument,
        answers,
        total: row.total,
        band: row.band,
        score,
        safety_alert: row.safety_alert == 1,
        taken_on: row.taken_on,
        recorded_by: row.recorded_by,
        recorded_at: row.recorded_at,
    })
}

impl Casework {
    /// An assessment and its case, if `actor` may take `action` on the case; a refusal names the
    /// assessment.
    async fn authorize_assessment(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(AssessmentRow, CaseRow), Refusal> {
        let row = store::get(conn, &self.vault, actor.agency_id, id).await?;
        let case = match &row {
            Some(a) => case_store::get(conn, &self.vault, actor.agency_id, a.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, row, case) {
            (Decision::Allow, Some(a), Some(c)) => Ok((a, c)),
            (d, _, case) => Err(self.refusal(
                actor,
                assessment_act(name, id, case.map(|c| c.client_id)),
                d,
            )),
        }
    }

    async fn assessment_detail(
        &self,
        conn: &mut Conn,
        assessment: AssessmentRow,
        client_id: i64,
    ) -> ServiceResult<AssessmentDetail> {
        Ok(AssessmentDetail {
            needs: store::items_of(conn, &self.vault, assessment.id, Items::Needs).await?,
            strengths: store::items_of(conn, &self.vault, assessment.id, Items::Strengths).await?,
            assessment,
            client_id,
        })
    }

    /// Start an assessment for a case: a draft, or (`complete`) a completed one, which must name
    /// at least one need and one strength.
    pub async fn save_assessment(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &AssessmentForm,
        complete: bool,
    ) -> ServiceResult<AssessmentDetail> {
        let checked = form.parse(self.latest_today(), complete)?;
        let action = if complete {
            "assessment.complete"
        } else {
            "assessment.draft"
        };
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, action).await, end tx);
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
            assessment_act(action, row.id, Some(c.client_id)),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let detail = self.assessment_detail(&mut tx, row, c.client_id).await?;
        casework_store::commit(tx).await?;
        Ok(detail)
    }

    /// Rewrite a draft read at `version`, and complete it if asked. A completed assessment is
    /// never changed: a later one is a new assessment, compared with the first.
    pub async fn update_assessment(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        form: &AssessmentForm,
        complete: bool,
    ) -> ServiceResult<AssessmentDetail> {
        let checked = form.parse(self.latest_today(), complete)?;
        let action = if complete {
            "assessment.complete"
        } else {
            "assessment.draft"
        };
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (a, c) = authorized!(self, self.authorize_assessment(&mut tx, actor, id, CaseAction::Record, action).await, end tx);
        if a.status != AssessmentStatus::Draft.as_str() {
            return Err(Invalid::new("status", "assessment_completed").into());
        }
        if a.version != version {
            return Err(ServiceError::Stale);
        }
        let Some(row) = store::update_draft(
            &mut tx,
            &self.vault,
            actor.agency_id,
            a.id,
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
            assessment_act(action, row.id, Some(c.client_id)),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let detail = self.assessment_detail(&mut tx, row, c.client_id).await?;
        casework_store::commit(tx).await?;
        Ok(detail)
    }

    /// One assessment with its needs and strengths; the read is audited.
    pub async fn assessment(&self, actor: &Actor, id: i64) -> ServiceResult<AssessmentDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (a, c) = authorized!(
            self,
            self.authorize_assessment(&mut conn, actor, id, CaseAction::Read, "assessment.read")
                .await,
            end conn
        );
        let detail = self.assessment_detail(&mut conn, a, c.client_id).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                assessment_act("assessment.read", id, Some(c.client_id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(detail)
    }

    /// A case's assessments, newest first (at most 100); the read is audited.
    pub async fn assessments(
        &self,
        actor: &Actor,
        case_id: i64,
    ) -> ServiceResult<Vec<AssessmentRow>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Read,
                "assessment.list"
            )
            .await,
            end conn
        );
        let rows = store::of_case(&mut conn, &self.vault, c.id, None, LIST_LIMIT).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                case_act("assessment.list", Some(&c), c.id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(rows)
    }

    /// Give an instrument: the domain scores it, the answers are kept with the score. A PHQ-9
    /// with item 9 above 0 flags the case at risk and writes a `safety.alert` audit entry.
    pub async fn record_instrument(
        &self,
        actor: &Actor,
        case_id: i64,
        instrument: &str,
        form: &InstrumentForm,
    ) -> ServiceResult<InstrumentResult> {
        let kind = kind_of(instrument)?;
        let taken = kind.parse(form, self.today())?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "instrument.record").await, end tx);
        if let Some(a) = taken.assessment_id {
            match store::get(&mut tx, &self.vault, actor.agency_id, a).await? {
                Some(row) if row.case_id == c.id => {}
                _ => return Err(Invalid::new("assessment_id", "unknown_choice").into()),
            }
        }
        let answers = answers_json(&taken.answers).to_string();
        let taken_on = taken.taken_on.to_string();
        let new = NewInstrumentResult {
            assessment_id: taken.assessment_id,
            instrument: kind.as_str(),
            answers_json: &answers,
            total: taken.answers.total().map(i64::from),
            band: taken.answers.band(),
            safety_alert: taken.answers.safety_alert(),
            taken_on: &taken_on,
        };
        let row = store::insert_instrument_result(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.id,
            &new,
            actor.user_id,
            now,
        )
        .await?;
        let mut events = vec![self.event(
            actor,
            Act {
                action: "instrument.record",
                record_type: "instrument_result",
                record_id: Some(row.id),
                client_id: Some(c.client_id),
            },
            Outcome::Allowed,
            Some(kind.as_str()),
        )];
        if new.safety_alert {
            case_store::set_risk_flag(&mut tx, actor.agency_id, c.id, true).await?;
            let item = match &taken.answers {
                Answers::Phq9(p) => p.answers()[Phq9::SELF_HARM_ITEM],
                _ => 0,
            };
            let why = format!(
                "phq9 item 9 answered {item} (instrument result {}): tell the worker and their supervisor",
                row.id
            );
            events.push(self.event(
                actor,
                case_act("safety.alert", Some(&c), c.id),
                Outcome::Allowed,
                Some(&why),
            ));
        }
        casework_store::audit::append(&mut tx, actor.agency_id, events).await?;
        casework_store::commit(tx).await?;
        result_of(row)
    }

    /// One instrument's results for a case, oldest first (the last 200), for the chart of
    /// scores over time; the read is audited.
    pub async fn instrument_history(
        &self,
        actor: &Actor,
        case_id: i64,
        instrument: &str,
    ) -> ServiceResult<Vec<InstrumentResult>> {
        let kind = kind_of(instrument)?;
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Read,
                "instrument.read"
            )
            .await,
            end conn
        );
        let mut rows =
            store::instrument_results(&mut conn, &self.vault, c.id, kind.as_str(), HISTORY_LIMIT)
                .await?;
        drop(conn);
        rows.reverse();
        let results = rows
            .into_iter()
            .map(result_of)
            .collect::<ServiceResult<Vec<_>>>()?;
        self.audit
            .record_read(vec![self.event(
                actor,
                case_act("instrument.read", Some(&c), c.id),
                Outcome::Allowed,
                Some(kind.as_str()),
            )])
            .await?;
        Ok(results)
    }
}
