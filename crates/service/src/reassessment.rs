//! The re-assessment compared with the baseline: the case's first completed assessment against
//! a later completed one (the latest unless named), with the instruments given with each. The
//! comparison itself is the domain's (`reassessment::compare`).

use crate::case::case_act;
use crate::{authorized, Actor, Casework, ServiceError, ServiceResult};
use casework_domain::access::CaseAction;
use casework_domain::assessment::{AssessmentStatus, InstrumentKind, RiskLevel};
use casework_domain::audit::Outcome;
use casework_domain::instrument::{Gad7, Phq9, SelfSufficiency};
use casework_domain::reassessment::{compare, AssessmentSide, Comparison};
use casework_domain::Invalid;
use casework_store::assessment::{self as store, AssessmentRow, InstrumentRow, Items};
use casework_store::case::CaseRow;
use casework_store::Conn;
use casework_store::Wall;

/// The most assessments and instrument results a comparison looks through.
const LOOK_BACK: i64 = 200;

/// The comparison for its page and the API. `later` is none while the case has only one
/// completed assessment (or none).
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentComparison {
    pub case: CaseRow,
    pub baseline: Option<AssessmentRow>,
    pub later: Option<AssessmentRow>,
    /// Completed assessments after the baseline, newest first: what may be compared.
    pub later_choices: Vec<AssessmentRow>,
    pub comparison: Option<Comparison>,
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(casework_store::StoreError::Corrupt(what))
}

/// The instrument given with this assessment, else (`first`) the earliest or the latest of the
/// case's results of that kind.
fn pick(rows: &[InstrumentRow], assessment_id: i64, first: bool) -> Option<&InstrumentRow> {
    rows.iter()
        .find(|r| r.assessment_id == Some(assessment_id))
        .or_else(|| if first { rows.last() } else { rows.first() })
}

fn questionnaire(row: &InstrumentRow) -> ServiceResult<Vec<i64>> {
    serde_json::from_str(&row.answers).map_err(|_| corrupt(format!("instrument result {}", row.id)))
}

fn matrix(row: &InstrumentRow) -> ServiceResult<SelfSufficiency> {
    let bad = || corrupt(format!("instrument result {}", row.id));
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&row.answers).map_err(|_| bad())?;
    let pairs: Vec<(String, i64)> = map
        .into_iter()
        .filter_map(|(d, r)| r.as_i64().map(|r| (d, r)))
        .collect();
    SelfSufficiency::parse(&pairs).map_err(|_| bad())
}

impl Casework {
    async fn side(
        &self,
        conn: &mut Conn,
        a: &AssessmentRow,
        results: &[(InstrumentKind, Vec<InstrumentRow>)],
        first: bool,
    ) -> ServiceResult<AssessmentSide> {
        let texts = |rows: Vec<store::ItemRow>| rows.into_iter().map(|r| r.description).collect();
        let mut side = AssessmentSide {
            needs: texts(store::items_of(conn, &self.vault, a.id, Items::Needs).await?),
            strengths: texts(store::items_of(conn, &self.vault, a.id, Items::Strengths).await?),
            resources: a.resources.clone(),
            limitations: a.limitations.clone(),
            risk_level: a
                .risk_level
                .as_deref()
                .and_then(|r| r.parse::<RiskLevel>().ok()),
            ..AssessmentSide::default()
        };
        for (kind, rows) in results {
            let Some(row) = pick(rows, a.id, first) else {
                continue;
            };
            let bad = |_: Invalid| corrupt(format!("instrument result {}", row.id));
            match kind {
                InstrumentKind::Phq9 => {
                    side.phq9 = Some(Phq9::parse(&questionnaire(row)?).map_err(bad)?)
                }
                InstrumentKind::Gad7 => {
                    side.gad7 = Some(Gad7::parse(&questionnaire(row)?).map_err(bad)?)
                }
                InstrumentKind::Ssm => side.ssm = Some(matrix(row)?),
            }
        }
        Ok(side)
    }

    /// The case's baseline (its first completed assessment) compared with `later` (a later
    /// completed assessment of the same case; the latest when not named). The read is audited.
    pub async fn assessment_comparison(
        &self,
        actor: &Actor,
        case_id: i64,
        later: Option<i64>,
    ) -> ServiceResult<AssessmentComparison> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Read,
                "assessment.compare"
            )
            .await,
            end conn
        );
        // Newest first.
        let completed: Vec<AssessmentRow> =
            store::of_case(&mut conn, &self.vault, c.id, None, LOOK_BACK)
                .await?
                .into_iter()
                .filter(|a| a.status == AssessmentStatus::Completed.as_str())
                .collect();
        let baseline = completed.last().cloned();
        let later_choices: Vec<AssessmentRow> = completed
            .iter()
            .filter(|a| Some(a.id) != baseline.as_ref().map(|b| b.id))
            .cloned()
            .collect();
        let chosen = match later {
            Some(id) => Some(
                later_choices
                    .iter()
                    .find(|a| a.id == id)
                    .cloned()
                    .ok_or_else(|| Invalid::new("assessment_id", "unknown_choice"))?,
            ),
            None => later_choices.first().cloned(),
        };
        let comparison = match (&baseline, &chosen) {
            (Some(b), Some(l)) => {
                let mut results = Vec::new();
                for kind in InstrumentKind::ALL {
                    let rows = store::instrument_results(
                        &mut conn,
                        &self.vault,
                        c.id,
                        kind.as_str(),
                        LOOK_BACK,
                    )
                    .await?;
                    results.push((kind, rows));
                }
                let before = self.side(&mut conn, b, &results, true).await?;
                let after = self.side(&mut conn, l, &results, false).await?;
                Some(compare(&before, &after))
            }
            _ => None,
        };
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                case_act("assessment.compare", Some(&c), c.id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(AssessmentComparison {
            case: c,
            baseline,
            later: chosen,
            later_choices,
            comparison,
        })
    }
}
