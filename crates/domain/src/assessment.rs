//! The assessment stage's records: a structured assessment (situation, background, needs,
//! strengths, resources, limitations, risk, the client's own words) and the standard instruments
//! given during it (PHQ-9, GAD-7, the self-sufficiency matrix).
//!
//! An assessment may be saved as a draft with any part missing; a completed one names at least
//! one need and one strength, and a risk level. Needs are records of their own so that goals can
//! point to them (the "golden thread").

use crate::client::parse_date;
use crate::instrument::{Gad7, Phq9, SelfSufficiency};
use crate::text::{optional, required};
use crate::Invalid;
use std::fmt;
use std::str::FromStr;
use time::Date;

/// The longest narrative section, in characters.
pub const SECTION_MAX: usize = 8000;
/// The longest need or strength, in characters.
pub const ITEM_MAX: usize = 500;
/// At most this many needs, and this many strengths, per assessment.
pub const MAX_ITEMS: usize = 30;

/// How safe the client is, as the worker judged it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    None,
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::None,
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
    ];

    /// Stable: stored, used in the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::None => "none",
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RiskLevel {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        RiskLevel::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    Draft,
    Completed,
}

impl AssessmentStatus {
    /// Stable: stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::Completed => "completed",
        }
    }
}

impl FromStr for AssessmentStatus {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "draft" => Ok(AssessmentStatus::Draft),
            "completed" => Ok(AssessmentStatus::Completed),
            _ => Err(()),
        }
    }
}

/// Unchecked input, as a form or an API body gives it. Blank needs and strengths are ignored
/// (a form shows a few empty rows).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentForm {
    /// `YYYY-MM-DD`: when the assessment was made.
    pub assessed_on: String,
    #[serde(default)]
    pub situation: Option<String>,
    /// Background and history.
    #[serde(default)]
    pub background: Option<String>,
    /// Needs or problems, one per entry.
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub strengths: Vec<String>,
    /// Resources and support network.
    #[serde(default)]
    pub resources: Option<String>,
    /// Limitations and barriers.
    #[serde(default)]
    pub limitations: Option<String>,
    /// `none`, `low`, `medium` or `high`.
    #[serde(default)]
    pub risk_level: Option<String>,
    #[serde(default)]
    pub risk_details: Option<String>,
    /// What the client said, in their own words.
    #[serde(default)]
    pub client_words: Option<String>,
}

/// An assessment that passed every rule for its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub status: AssessmentStatus,
    pub assessed_on: Date,
    pub situation: Option<String>,
    pub background: Option<String>,
    pub needs: Vec<String>,
    pub strengths: Vec<String>,
    pub resources: Option<String>,
    pub limitations: Option<String>,
    pub risk_level: Option<RiskLevel>,
    pub risk_details: Option<String>,
    pub client_words: Option<String>,
}

/// The non-blank entries of a list, each checked, named by their place in the list as given.
fn items(field: &str, raw: &[String]) -> Result<Vec<String>, Invalid> {
    let given: Vec<(usize, &String)> = raw
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.trim().is_empty())
        .collect();
    if given.len() > MAX_ITEMS {
        return Err(Invalid::new(field, "too_many"));
    }
    given
        .into_iter()
        .map(|(i, s)| required(&format!("{field}[{i}]"), s, ITEM_MAX))
        .collect()
}

impl AssessmentForm {
    /// Check every field; `complete` asks for the rules of a completed assessment (at least one
    /// need and one strength, a risk level, details when the risk is medium or high).
    pub fn parse(&self, today: Date, complete: bool) -> Result<Assessment, Invalid> {
        let assessed_on = parse_date("assessed_on", &self.assessed_on)?;
        if assessed_on > today {
            return Err(Invalid::new("assessed_on", "date_in_future"));
        }
        let section =
            |field: &str, raw: &Option<String>| optional(field, raw.as_deref(), SECTION_MAX);
        let situation = section("situation", &self.situation)?;
        let background = section("background", &self.background)?;
        let needs = items("needs", &self.needs)?;
        let strengths = items("strengths", &self.strengths)?;
        let resources = section("resources", &self.resources)?;
        let limitations = section("limitations", &self.limitations)?;
        let risk_level = match self.risk_level.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(
                r.parse::<RiskLevel>()
                    .map_err(|_| Invalid::new("risk_level", "unknown_choice"))?,
            ),
        };
        let risk_details = section("risk_details", &self.risk_details)?;
        let client_words = section("client_words", &self.client_words)?;
        if complete {
            if needs.is_empty() {
                return Err(Invalid::new("needs", "required"));
            }
            if strengths.is_empty() {
                return Err(Invalid::new("strengths", "required"));
            }
            match risk_level {
                None => return Err(Invalid::new("risk_level", "required")),
                Some(RiskLevel::Medium | RiskLevel::High) if risk_details.is_none() => {
                    return Err(Invalid::new("risk_details", "required"))
                }
                Some(_) => {}
            }
        }
        Ok(Assessment {
            status: if complete {
                AssessmentStatus::Completed
            } else {
                AssessmentStatus::Draft
            },
            assessed_on,
            situation,
            background,
            needs,
            strengths,
            resources,
            limitations,
            risk_level,
            risk_details,
            client_words,
        })
    }
}

/// A standard instrument, by its stable name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstrumentKind {
    Phq9,
    Gad7,
    Ssm,
}

impl InstrumentKind {
    pub const ALL: [InstrumentKind; 3] = [
        InstrumentKind::Phq9,
        InstrumentKind::Gad7,
        InstrumentKind::Ssm,
    ];

    /// Stable: stored, used in URLs, the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            InstrumentKind::Phq9 => "phq9",
            InstrumentKind::Gad7 => "gad7",
            InstrumentKind::Ssm => "ssm",
        }
    }
}

impl fmt::Display for InstrumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InstrumentKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        InstrumentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

/// One self-sufficiency domain as a form or an API body gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingForm {
    pub domain: String,
    pub rating: i64,
}

/// Unchecked answers to one instrument: `answers` (0–3 each, in question order, `null` for an
/// unanswered question) for PHQ-9 and GAD-7, `ratings` for the self-sufficiency matrix.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentForm {
    /// `YYYY-MM-DD`; today when not given.
    #[serde(default)]
    pub taken_on: Option<String>,
    #[serde(default)]
    pub answers: Vec<Option<i64>>,
    #[serde(default)]
    pub ratings: Vec<RatingForm>,
    /// The assessment the instrument was given in, if any.
    #[serde(default)]
    pub assessment_id: Option<i64>,
}

/// Answers that passed the instrument's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answers {
    Phq9(Phq9),
    Gad7(Gad7),
    Ssm(SelfSufficiency),
}

/// An instrument given on a date, scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentTaken {
    pub taken_on: Date,
    pub answers: Answers,
    pub assessment_id: Option<i64>,
}

impl Answers {
    pub fn kind(&self) -> InstrumentKind {
        match self {
            Answers::Phq9(_) => InstrumentKind::Phq9,
            Answers::Gad7(_) => InstrumentKind::Gad7,
            Answers::Ssm(_) => InstrumentKind::Ssm,
        }
    }

    /// The questionnaire total (PHQ-9 0–27, GAD-7 0–21); the matrix has none.
    pub fn total(&self) -> Option<u8> {
        match self {
            Answers::Phq9(p) => Some(p.total()),
            Answers::Gad7(g) => Some(g.total()),
            Answers::Ssm(_) => None,
        }
    }

    /// The severity band's stable name; the matrix has none.
    pub fn band(&self) -> Option<&'static str> {
        match self {
            Answers::Phq9(p) => Some(p.severity().as_str()),
            Answers::Gad7(g) => Some(g.severity().as_str()),
            Answers::Ssm(_) => None,
        }
    }

    /// PHQ-9 item 9 above 0.
    pub fn safety_alert(&self) -> bool {
        matches!(self, Answers::Phq9(p) if p.safety_alert())
    }

    /// The number charted over time: the total, or the matrix's average rating.
    pub fn score(&self) -> f64 {
        match self {
            Answers::Phq9(p) => f64::from(p.total()),
            Answers::Gad7(g) => f64::from(g.total()),
            Answers::Ssm(s) => s.average(),
        }
    }
}

impl InstrumentKind {
    /// The answers given for this instrument, checked; errors name the item (`answers[8]`,
    /// `ratings[2].rating`).
    pub fn parse(self, form: &InstrumentForm, today: Date) -> Result<InstrumentTaken, Invalid> {
        let taken_on = match form.taken_on.as_deref().map(str::trim) {
            None | Some("") => today,
            Some(raw) => {
                let date = parse_date("taken_on", raw)?;
                if date > today {
                    return Err(Invalid::new("taken_on", "date_in_future"));
                }
                date
            }
        };
        let answers = match self {
            InstrumentKind::Phq9 => Answers::Phq9(Phq9::parse_form(&form.answers)?),
            InstrumentKind::Gad7 => Answers::Gad7(Gad7::parse_form(&form.answers)?),
            InstrumentKind::Ssm => {
                let pairs: Vec<(&str, i64)> = form
                    .ratings
                    .iter()
                    .map(|r| (r.domain.as_str(), r.rating))
                    .collect();
                Answers::Ssm(SelfSufficiency::parse(&pairs)?)
            }
        };
        Ok(InstrumentTaken {
            taken_on,
            answers,
            assessment_id: form.assessment_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn complete_form() -> AssessmentForm {
        AssessmentForm {
            assessed_on: "2026-11-21".into(),
            situation: Some("Behind on rent after losing hours at work".into()),
            needs: vec!["Stable housing".into(), "  ".into(), "Income".into()],
            strengths: vec!["Close to her sister".into()],
            risk_level: Some("low".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_assessment_keeps_non_blank_needs_and_strengths() {
        let a = complete_form().parse(TODAY, true).unwrap();
        assert_eq!(a.status, AssessmentStatus::Completed);
        assert_eq!(a.needs, ["Stable housing", "Income"]);
        assert_eq!(a.strengths, ["Close to her sister"]);
        assert_eq!(a.risk_level, Some(RiskLevel::Low));
    }

    #[test]
    fn completion_needs_a_need_a_strength_and_a_risk_level() {
        let mut f = complete_form();
        f.needs = vec![" ".into()];
        assert_eq!(
            f.parse(TODAY, true).unwrap_err(),
            Invalid::new("needs", "required")
        );
        // A draft may leave them out.
        assert_eq!(
            f.parse(TODAY, false).unwrap().status,
            AssessmentStatus::Draft
        );
        let mut f = complete_form();
        f.strengths.clear();
        assert_eq!(
            f.parse(TODAY, true).unwrap_err(),
            Invalid::new("strengths", "required")
        );
        let mut f = complete_form();
        f.risk_level = None;
        assert_eq!(
            f.parse(TODAY, true).unwrap_err(),
            Invalid::new("risk_level", "required")
        );
        f.risk_level = Some("high".into());
        assert_eq!(
            f.parse(TODAY, true).unwrap_err(),
            Invalid::new("risk_details", "required")
        );
        f.risk_details = Some("Partner has threatened her".into());
        assert!(f.parse(TODAY, true).is_ok());
    }

    #[test]
    fn bad_fields_are_named() {
        let mut f = complete_form();
        f.assessed_on = "2026-11-23".into();
        assert_eq!(f.parse(TODAY, false).unwrap_err().code, "date_in_future");
        let mut f = complete_form();
        f.risk_level = Some("extreme".into());
        assert_eq!(
            f.parse(TODAY, false).unwrap_err(),
            Invalid::new("risk_level", "unknown_choice")
        );
        let mut f = complete_form();
        f.needs[2] = "x".repeat(ITEM_MAX + 1);
        assert_eq!(
            f.parse(TODAY, false).unwrap_err(),
            Invalid::new("needs[2]", "too_long")
        );
        let mut f = complete_form();
        f.strengths = vec!["ok".into(); MAX_ITEMS + 1];
        assert_eq!(
            f.parse(TODAY, false).unwrap_err(),
            Invalid::new("strengths", "too_many")
        );
        let mut f = complete_form();
        f.situation = Some("x".repeat(SECTION_MAX + 1));
        assert_eq!(f.parse(TODAY, false).unwrap_err().field, "situation");
    }

    #[test]
    fn instruments_are_scored_and_name_the_bad_item() {
        let form = InstrumentForm {
            answers: [1, 1, 1, 1, 1, 1, 1, 1, 1].map(Some).to_vec(),
            ..Default::default()
        };
        let taken = InstrumentKind::Phq9.parse(&form, TODAY).unwrap();
        assert_eq!(taken.taken_on, TODAY);
        assert_eq!(taken.answers.total(), Some(9));
        assert_eq!(taken.answers.band(), Some("mild"));
        assert!(taken.answers.safety_alert());
        let err = InstrumentKind::Gad7.parse(&form, TODAY).unwrap_err();
        assert_eq!(err, Invalid::new("answers", "wrong_answer_count"));
        let mut bad = form.clone();
        bad.answers[8] = Some(4);
        assert_eq!(
            InstrumentKind::Phq9.parse(&bad, TODAY).unwrap_err(),
            Invalid::new("answers[8]", "answer_out_of_range")
        );
        let ssm = InstrumentForm {
            ratings: vec![
                RatingForm {
                    domain: "housing".into(),
                    rating: 2,
                },
                RatingForm {
                    domain: "income".into(),
                    rating: 4,
                },
            ],
            ..Default::default()
        };
        let taken = InstrumentKind::Ssm.parse(&ssm, TODAY).unwrap();
        assert_eq!(taken.answers.total(), None);
        assert_eq!(taken.answers.score(), 3.0);
        assert!(!taken.answers.safety_alert());
        let future = InstrumentForm {
            taken_on: Some("2026-12-01".into()),
            ..ssm
        };
        assert_eq!(
            InstrumentKind::Ssm.parse(&future, TODAY).unwrap_err(),
            Invalid::new("taken_on", "date_in_future")
        );
    }

    #[test]
    fn names_round_trip() {
        for k in InstrumentKind::ALL {
            assert_eq!(k.as_str().parse::<InstrumentKind>(), Ok(k));
        }
        for r in RiskLevel::ALL {
            assert_eq!(r.as_str().parse::<RiskLevel>(), Ok(r));
        }
        assert!("PHQ9".parse::<InstrumentKind>().is_err());
    }
}
