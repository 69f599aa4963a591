//! The evaluation stage's record: how far each active goal was attained (a GAS level −2..+2 and a
//! comment), the case's GAS T-score, the worker's summary, the decision (continue or close) and,
//! possibly later, the client's feedback. A draft may leave anything out; a recorded evaluation
//! has a level for every active goal, a summary and a decision, and is never edited again.

use crate::client::parse_date;
use crate::gas::{t_score, GasLevel};
use crate::stage::EvaluationDecision;
use crate::text::optional;
use crate::Invalid;
use std::collections::BTreeSet;
use time::Date;

/// The longest summary, in characters.
pub const SUMMARY_MAX: usize = 8000;
/// The longest comment on one goal or from the client, in characters.
pub const COMMENT_MAX: usize = 2000;

/// The decision's stable name: stored, used in the API and as a message id suffix.
pub fn decision_str(d: EvaluationDecision) -> &'static str {
    match d {
        EvaluationDecision::Continue => "continue",
        EvaluationDecision::Close => "close",
    }
}

/// The decision for its stable name.
pub fn decision_of(raw: &str) -> Option<EvaluationDecision> {
    match raw.trim() {
        "continue" => Some(EvaluationDecision::Continue),
        "close" => Some(EvaluationDecision::Close),
        _ => None,
    }
}

/// Draft or recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationStatus {
    Draft,
    Recorded,
}

impl EvaluationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationStatus::Draft => "draft",
            EvaluationStatus::Recorded => "recorded",
        }
    }
}

/// One active goal of the case, as the evaluation needs it: the level must be given for it and
/// its weight counts in the T-score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActiveGoal {
    pub goal_id: i64,
    pub weight: f64,
}

/// One goal's attainment as a form or an API body gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalLevelForm {
    pub goal_id: i64,
    /// −2..=2; may be left out of a draft.
    #[serde(default)]
    pub level: Option<i64>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// Unchecked input for an evaluation.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationForm {
    /// The later completed assessment compared with the baseline, if any.
    #[serde(default)]
    pub assessment_id: Option<i64>,
    #[serde(default)]
    pub goals: Vec<GoalLevelForm>,
    #[serde(default)]
    pub summary: Option<String>,
    /// `continue` or `close`.
    #[serde(default)]
    pub decision: Option<String>,
}

/// One goal's checked attainment.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalAttainment {
    pub goal_id: i64,
    pub level: Option<GasLevel>,
    pub comment: Option<String>,
}

/// An evaluation that passed the rules for its status.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub status: EvaluationStatus,
    pub assessment_id: Option<i64>,
    /// In the order given.
    pub goals: Vec<GoalAttainment>,
    pub summary: Option<String>,
    pub decision: Option<EvaluationDecision>,
    /// Known once every active goal has a level.
    pub t_score: Option<f64>,
}

impl EvaluationForm {
    /// Check the form against the case's active goals. `record` asks for the rules of a recorded
    /// evaluation: a level for each active goal, a summary and a decision. Errors name the field
    /// (`goals[3].level`, `summary`); an active goal missing from the list is `goals`.
    pub fn parse(&self, active: &[ActiveGoal], record: bool) -> Result<Evaluation, Invalid> {
        let mut seen = BTreeSet::new();
        let mut goals = Vec::with_capacity(self.goals.len());
        for (i, g) in self.goals.iter().enumerate() {
            if !active.iter().any(|a| a.goal_id == g.goal_id) {
                return Err(Invalid::new(
                    format!("goals[{i}].goal_id"),
                    "unknown_choice",
                ));
            }
            if !seen.insert(g.goal_id) {
                return Err(Invalid::new(format!("goals[{i}].goal_id"), "goal_repeated"));
            }
            let level = match g.level {
                Some(v) => Some(GasLevel::parse(&format!("goals[{i}].level"), v)?),
                None if record => {
                    return Err(Invalid::new(format!("goals[{i}].level"), "required"))
                }
                None => None,
            };
            let comment = optional(
                &format!("goals[{i}].comment"),
                g.comment.as_deref(),
                COMMENT_MAX,
            )?;
            goals.push(GoalAttainment {
                goal_id: g.goal_id,
                level,
                comment,
            });
        }
        let every_goal_given = active.iter().all(|a| seen.contains(&a.goal_id));
        if record && (!every_goal_given || active.is_empty()) {
            return Err(Invalid::new("goals", "evaluation_goal_missing"));
        }
        let summary = optional("summary", self.summary.as_deref(), SUMMARY_MAX)?;
        let decision = match self.decision.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                Some(decision_of(raw).ok_or_else(|| Invalid::new("decision", "unknown_choice"))?)
            }
        };
        if record && summary.is_none() {
            return Err(Invalid::new("summary", "required"));
        }
        if record && decision.is_none() {
            return Err(Invalid::new("decision", "required"));
        }
        let t_score = score(active, &goals)?;
        Ok(Evaluation {
            status: if record {
                EvaluationStatus::Recorded
            } else {
                EvaluationStatus::Draft
            },
            assessment_id: self.assessment_id,
            goals,
            summary,
            decision,
            t_score,
        })
    }
}

/// The case's T-score, weighted by each goal's weight, once every active goal has a level.
pub fn score(active: &[ActiveGoal], goals: &[GoalAttainment]) -> Result<Option<f64>, Invalid> {
    let mut scored = Vec::with_capacity(active.len());
    for a in active {
        match goals
            .iter()
            .find(|g| g.goal_id == a.goal_id)
            .and_then(|g| g.level)
        {
            Some(level) => scored.push((level, a.weight)),
            None => return Ok(None),
        }
    }
    if scored.is_empty() {
        return Ok(None);
    }
    Ok(Some(t_score(&scored)?))
}

/// What a T-score means in plain words: 50 is goals met as expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TScoreMeaning {
    BelowExpected,
    AsExpected,
    AboveExpected,
}

impl TScoreMeaning {
    /// Within half a point of 50 counts as "as expected" (the score is shown to one decimal).
    pub fn of(t: f64) -> TScoreMeaning {
        if t < 49.5 {
            TScoreMeaning::BelowExpected
        } else if t >= 50.5 {
            TScoreMeaning::AboveExpected
        } else {
            TScoreMeaning::AsExpected
        }
    }

    /// Stable: a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            TScoreMeaning::BelowExpected => "below_expected",
            TScoreMeaning::AsExpected => "as_expected",
            TScoreMeaning::AboveExpected => "above_expected",
        }
    }
}

/// A client's answer to one feedback question: 1 (not at all) to 5 (completely).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedbackRating(u8);

impl FeedbackRating {
    pub const ALL: [u8; 5] = [1, 2, 3, 4, 5];

    pub fn parse(field: &str, raw: Option<i64>) -> Result<FeedbackRating, Invalid> {
        let v = raw.ok_or_else(|| Invalid::new(field, "required"))?;
        u8::try_from(v)
            .ok()
            .filter(|v| (1..=5).contains(v))
            .map(FeedbackRating)
            .ok_or_else(|| Invalid::new(field, "feedback_rating_out_of_range"))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

/// The client's feedback as a form gives it; the worker may record it on the client's behalf.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackForm {
    /// How helpful the work was, 1–5.
    #[serde(default)]
    pub helpfulness: Option<i64>,
    /// How respected the client felt, 1–5.
    #[serde(default)]
    pub respect: Option<i64>,
    /// How well the client felt understood, 1–5.
    #[serde(default)]
    pub understanding: Option<i64>,
    /// The client's own words.
    #[serde(default)]
    pub comment: Option<String>,
    /// `YYYY-MM-DD`; today when not given.
    #[serde(default)]
    pub given_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub helpfulness: FeedbackRating,
    pub respect: FeedbackRating,
    pub understanding: FeedbackRating,
    pub comment: Option<String>,
    pub given_on: Date,
}

impl FeedbackForm {
    pub fn parse(&self, today: Date) -> Result<Feedback, Invalid> {
        let helpfulness = FeedbackRating::parse("helpfulness", self.helpfulness)?;
        let respect = FeedbackRating::parse("respect", self.respect)?;
        let understanding = FeedbackRating::parse("understanding", self.understanding)?;
        let comment = optional("comment", self.comment.as_deref(), COMMENT_MAX)?;
        let given_on = match self.given_on.as_deref().map(str::trim) {
            None | Some("") => today,
            Some(raw) => {
                let d = parse_date("given_on", raw)?;
                if d > today {
                    return Err(Invalid::new("given_on", "date_in_future"));
                }
                d
            }
        };
        Ok(Feedback {
            helpfulness,
            respect,
            understanding,
            comment,
            given_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn active() -> Vec<ActiveGoal> {
        vec![
            ActiveGoal {
                goal_id: 10,
                weight: 2.0,
            },
            ActiveGoal {
                goal_id: 11,
                weight: 1.0,
            },
        ]
    }

    fn form() -> EvaluationForm {
        EvaluationForm {
            assessment_id: Some(4),
            goals: vec![
                GoalLevelForm {
                    goal_id: 10,
                    level: Some(2),
                    comment: Some("Moved into her own flat".into()),
                },
                GoalLevelForm {
                    goal_id: 11,
                    level: Some(-1),
                    comment: None,
                },
            ],
            summary: Some("Housing secured; income still short".into()),
            decision: Some("close".into()),
        }
    }

    #[test]
    fn a_recorded_evaluation_is_scored_with_the_goals_weights() {
        let e = form().parse(&active(), true).unwrap();
        assert_eq!(e.status, EvaluationStatus::Recorded);
        assert_eq!(e.decision, Some(EvaluationDecision::Close));
        assert_eq!(e.goals[0].level, Some(GasLevel::MuchMoreThanExpected));
        // (+2, w 2), (−1, w 1): 50 + 30/√6.2 = 62.0483 (see gas.rs).
        let t = e.t_score.unwrap();
        assert!((t - 62.0483).abs() < 1e-3, "{t}");
        // Unweighted it would be 50 + 10/√2.6 = 56.20; the weights matter.
        let even: Vec<_> = active()
            .into_iter()
            .map(|a| ActiveGoal { weight: 1.0, ..a })
            .collect();
        let t = form().parse(&even, true).unwrap().t_score.unwrap();
        assert!((t - 56.2017).abs() < 1e-3, "{t}");
    }

    #[test]
    fn every_active_goal_needs_a_level_to_record() {
        let mut f = form();
        f.goals[1].level = None;
        assert_eq!(
            f.parse(&active(), true).unwrap_err(),
            Invalid::new("goals[1].level", "required")
        );
        // A draft may leave it out, and has no score yet.
        let draft = f.parse(&active(), false).unwrap();
        assert_eq!(draft.status, EvaluationStatus::Draft);
        assert_eq!(draft.t_score, None);
        let mut f = form();
        f.goals.pop();
        assert_eq!(
            f.parse(&active(), true).unwrap_err(),
            Invalid::new("goals", "evaluation_goal_missing")
        );
        assert!(f.parse(&active(), false).is_ok());
        assert_eq!(
            EvaluationForm::default()
                .parse(&[], true)
                .unwrap_err()
                .field,
            "goals"
        );
    }

    #[test]
    fn levels_out_of_range_and_strange_goals_are_named() {
        for bad in [-3, 3, i64::MAX] {
            let mut f = form();
            f.goals[1].level = Some(bad);
            assert_eq!(
                f.parse(&active(), false).unwrap_err(),
                Invalid::new("goals[1].level", "gas_level_out_of_range")
            );
        }
        let mut f = form();
        f.goals[1].goal_id = 99;
        assert_eq!(
            f.parse(&active(), false).unwrap_err(),
            Invalid::new("goals[1].goal_id", "unknown_choice")
        );
        let mut f = form();
        f.goals[1].goal_id = 10;
        assert_eq!(
            f.parse(&active(), false).unwrap_err(),
            Invalid::new("goals[1].goal_id", "goal_repeated")
        );
        let mut f = form();
        f.goals[0].comment = Some("x".repeat(COMMENT_MAX + 1));
        assert_eq!(
            f.parse(&active(), false).unwrap_err(),
            Invalid::new("goals[0].comment", "too_long")
        );
    }

    #[test]
    fn summary_and_decision_are_required_to_record() {
        let mut f = form();
        f.summary = Some("  ".into());
        assert_eq!(
            f.parse(&active(), true).unwrap_err(),
            Invalid::new("summary", "required")
        );
        assert!(f.parse(&active(), false).is_ok());
        let mut f = form();
        f.decision = None;
        assert_eq!(
            f.parse(&active(), true).unwrap_err(),
            Invalid::new("decision", "required")
        );
        f.decision = Some("maybe".into());
        assert_eq!(
            f.parse(&active(), false).unwrap_err(),
            Invalid::new("decision", "unknown_choice")
        );
        f.decision = Some("continue".into());
        assert_eq!(
            f.parse(&active(), true).unwrap().decision,
            Some(EvaluationDecision::Continue)
        );
        for d in [EvaluationDecision::Continue, EvaluationDecision::Close] {
            assert_eq!(decision_of(decision_str(d)), Some(d));
        }
    }

    #[test]
    fn the_score_in_plain_words() {
        assert_eq!(TScoreMeaning::of(50.0), TScoreMeaning::AsExpected);
        assert_eq!(TScoreMeaning::of(50.49), TScoreMeaning::AsExpected);
        assert_eq!(TScoreMeaning::of(50.5), TScoreMeaning::AboveExpected);
        assert_eq!(TScoreMeaning::of(49.49), TScoreMeaning::BelowExpected);
        assert_eq!(TScoreMeaning::of(30.0).as_str(), "below_expected");
    }

    #[test]
    fn feedback_ratings_one_to_five() {
        let today = date!(2026 - 11 - 22);
        let f = FeedbackForm {
            helpfulness: Some(5),
            respect: Some(4),
            understanding: Some(1),
            comment: Some("She listened".into()),
            given_on: None,
        };
        let fb = f.parse(today).unwrap();
        assert_eq!(fb.given_on, today);
        assert_eq!(
            (
                fb.helpfulness.value(),
                fb.respect.value(),
                fb.understanding.value()
            ),
            (5, 4, 1)
        );
        for (bad, code) in [
            (Some(0), "feedback_rating_out_of_range"),
            (Some(6), "feedback_rating_out_of_range"),
            (None, "required"),
        ] {
            let mut g = f.clone();
            g.respect = bad;
            assert_eq!(g.parse(today).unwrap_err(), Invalid::new("respect", code));
        }
        let mut g = f.clone();
        g.given_on = Some("2026-11-23".into());
        assert_eq!(
            g.parse(today).unwrap_err(),
            Invalid::new("given_on", "date_in_future")
        );
    }
}
