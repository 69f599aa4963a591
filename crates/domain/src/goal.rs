//! Goals agreed with the client, and the SMART check (DESIGN.md, "The process"):
//!
//! - **S**pecific: a plain statement of the goal;
//! - **M**easurable: a measure, its baseline and a target;
//! - **A**chievable: the resources that will help *and* the barriers in the way are both named.
//!   Both are required: naming only resources skips the honest look at what stands in the way,
//!   and naming only barriers leaves the client with no plan to get past them. When there really
//!   are none, the worker writes so ("none known"), which is itself a recorded judgement;
//! - **R**elevant: linked to at least one assessed need;
//! - **T**ime-bound: a target date after today.
//!
//! The flow is: [`GoalForm`] (raw input) → [`GoalDraft`] (text bounded; may still have gaps, and
//! can be saved) → [`SmartGoal`] (passed the check; only this can become active). The check names
//! every gap at once, each with its SMART letter, so the form can say exactly what is missing.
//!
//! Each goal also has a Goal Attainment Scaling scale: its five levels described in words
//! ([`GasScale`]).

use crate::client::parse_date;
use crate::gas::GasLevel;
use crate::text::{optional, required};
use crate::Invalid;
use time::Date;

const STATEMENT_MAX: usize = 500;
const MEASURE_MAX: usize = 300;
const RESOURCES_MAX: usize = 2000;
const DATE_MAX: usize = 40;
const GAS_LEVEL_MAX: usize = 500;
/// More needs than this on one goal means the goal is not specific.
pub const MAX_LINKED_NEEDS: usize = 50;

/// Unchecked input, as a form or an API body gives it. Every field may be blank: a draft can be
/// saved before it is complete.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalForm {
    #[serde(default)]
    pub statement: Option<String>,
    #[serde(default)]
    pub measure: Option<String>,
    #[serde(default)]
    pub baseline: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub resources: Option<String>,
    #[serde(default)]
    pub barriers: Option<String>,
    #[serde(default)]
    pub linked_need_ids: Vec<i64>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub target_date: Option<String>,
}

/// A goal as it may be saved: every text trimmed and within its limit (blank means not given),
/// needs positive and listed once. It may still fail the SMART check; see [`GoalDraft::smart_check`].
/// The target date is kept as written so an unreadable one can be shown back to be corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalDraft {
    statement: Option<String>,
    measure: Option<String>,
    baseline: Option<String>,
    target: Option<String>,
    resources: Option<String>,
    barriers: Option<String>,
    linked_need_ids: Vec<i64>,
    target_date: Option<String>,
}

/// One thing a goal lacks to be SMART.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmartGap {
    /// Specific: no statement of the goal.
    NoStatement,
    /// Measurable: no measure named.
    NoMeasure,
    /// Measurable: no baseline value of the measure.
    NoBaseline,
    /// Measurable: no target value of the measure.
    NoTarget,
    /// Achievable: resources or barriers (or both) not named.
    NoResourcesOrBarriers,
    /// Relevant: not linked to an assessed need.
    NoLinkedNeed,
    /// Time-bound: no target date.
    NoTargetDate,
    /// Time-bound: the target date is today or earlier.
    TargetDateNotInFuture,
    /// Time-bound: the target date is not a `YYYY-MM-DD` date.
    TargetDateUnreadable,
}

impl SmartGap {
    /// In SMART order, as [`GoalDraft::smart_check`] reports them.
    pub const ALL: [SmartGap; 9] = [
        SmartGap::NoStatement,
        SmartGap::NoMeasure,
        SmartGap::NoBaseline,
        SmartGap::NoTarget,
        SmartGap::NoResourcesOrBarriers,
        SmartGap::NoLinkedNeed,
        SmartGap::NoTargetDate,
        SmartGap::TargetDateNotInFuture,
        SmartGap::TargetDateUnreadable,
    ];

    /// Stable, used in the API; the web layer shows the message `error-<code>`.
    pub fn code(self) -> &'static str {
        match self {
            SmartGap::NoStatement => "smart_no_statement",
            SmartGap::NoMeasure => "smart_no_measure",
            SmartGap::NoBaseline => "smart_no_baseline",
            SmartGap::NoTarget => "smart_no_target",
            SmartGap::NoResourcesOrBarriers => "smart_no_resources_or_barriers",
            SmartGap::NoLinkedNeed => "smart_no_linked_need",
            SmartGap::NoTargetDate => "smart_no_target_date",
            SmartGap::TargetDateNotInFuture => "smart_target_date_not_in_future",
            SmartGap::TargetDateUnreadable => "smart_target_date_unreadable",
        }
    }

    /// The SMART letter the gap belongs to.
    pub fn letter(self) -> char {
        match self {
            SmartGap::NoStatement => 'S',
            SmartGap::NoMeasure | SmartGap::NoBaseline | SmartGap::NoTarget => 'M',
            SmartGap::NoResourcesOrBarriers => 'A',
            SmartGap::NoLinkedNeed => 'R',
            SmartGap::NoTargetDate
            | SmartGap::TargetDateNotInFuture
            | SmartGap::TargetDateUnreadable => 'T',
        }
    }

    /// The form field to show the gap beside (resources and barriers share `resources`).
    pub fn field(self) -> &'static str {
        match self {
            SmartGap::NoStatement => "statement",
            SmartGap::NoMeasure => "measure",
            SmartGap::NoBaseline => "baseline",
            SmartGap::NoTarget => "target",
            SmartGap::NoResourcesOrBarriers => "resources",
            SmartGap::NoLinkedNeed => "linked_need_ids",
            SmartGap::NoTargetDate
            | SmartGap::TargetDateNotInFuture
            | SmartGap::TargetDateUnreadable => "target_date",
        }
    }
}

/// Serializes as its [`SmartGap::code`].
impl serde::Serialize for SmartGap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl GoalDraft {
    /// Bounds the text of a form. Gaps are allowed; only text that is too long or holds control
    /// characters, or a need id that is not a record id, is refused.
    pub fn parse(form: &GoalForm) -> Result<GoalDraft, Invalid> {
        let mut linked_need_ids: Vec<i64> = Vec::new();
        for (i, id) in form.linked_need_ids.iter().enumerate() {
            if *id <= 0 {
                let field = format!("linked_need_ids[{i}]");
                return Err(Invalid::new(field, "unknown_choice"));
            }
            if !linked_need_ids.contains(id) {
                linked_need_ids.push(*id);
            }
        }
        if linked_need_ids.len() > MAX_LINKED_NEEDS {
            return Err(Invalid::new("linked_need_ids", "too_many"));
        }
        Ok(GoalDraft {
            statement: optional("statement", form.statement.as_deref(), STATEMENT_MAX)?,
            measure: optional("measure", form.measure.as_deref(), MEASURE_MAX)?,
            baseline: optional("baseline", form.baseline.as_deref(), MEASURE_MAX)?,
            target: optional("target", form.target.as_deref(), MEASURE_MAX)?,
            resources: optional("resources", form.resources.as_deref(), RESOURCES_MAX)?,
            barriers: optional("barriers", form.barriers.as_deref(), RESOURCES_MAX)?,
            linked_need_ids,
            target_date: optional("target_date", form.target_date.as_deref(), DATE_MAX)?,
        })
    }

    pub fn statement(&self) -> Option<&str> {
        self.statement.as_deref()
    }
    pub fn measure(&self) -> Option<&str> {
        self.measure.as_deref()
    }
    pub fn baseline(&self) -> Option<&str> {
        self.baseline.as_deref()
    }
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }
    pub fn resources(&self) -> Option<&str> {
        self.resources.as_deref()
    }
    pub fn barriers(&self) -> Option<&str> {
        self.barriers.as_deref()
    }
    /// In the order given, each once.
    pub fn linked_need_ids(&self) -> &[i64] {
        &self.linked_need_ids
    }
    /// As written.
    pub fn target_date(&self) -> Option<&str> {
        self.target_date.as_deref()
    }

    /// Everything the goal lacks to be SMART on `today`, in SMART order; empty when it passes.
    pub fn smart_check(&self, today: Date) -> Vec<SmartGap> {
        self.check(today).err().unwrap_or_default()
    }

    fn check(&self, today: Date) -> Result<SmartGoal, Vec<SmartGap>> {
        let mut gaps = Vec::new();
        let mut given = |text: &Option<String>, gap: SmartGap| {
            if text.is_none() {
                gaps.push(gap);
            }
            text.clone()
        };
        let statement = given(&self.statement, SmartGap::NoStatement);
        let measure = given(&self.measure, SmartGap::NoMeasure);
        let baseline = given(&self.baseline, SmartGap::NoBaseline);
        let target = given(&self.target, SmartGap::NoTarget);
        let achievable = match (&self.resources, &self.barriers) {
            (Some(r), Some(b)) => Some((r.clone(), b.clone())),
            _ => {
                gaps.push(SmartGap::NoResourcesOrBarriers);
                None
            }
        };
        let needs = if self.linked_need_ids.is_empty() {
            gaps.push(SmartGap::NoLinkedNeed);
            None
        } else {
            Some(self.linked_need_ids.clone())
        };
        let target_date = match &self.target_date {
            None => {
                gaps.push(SmartGap::NoTargetDate);
                None
            }
            Some(raw) => match parse_date("target_date", raw) {
                Err(_) => {
                    gaps.push(SmartGap::TargetDateUnreadable);
                    None
                }
                Ok(date) if date <= today => {
                    gaps.push(SmartGap::TargetDateNotInFuture);
                    None
                }
                Ok(date) => Some(date),
            },
        };
        match (
            statement,
            measure,
            baseline,
            target,
            achievable,
            needs,
            target_date,
        ) {
            (
                Some(statement),
                Some(measure),
                Some(baseline),
                Some(target),
                Some((resources, barriers)),
                Some(linked_need_ids),
                Some(target_date),
            ) => Ok(SmartGoal {
                statement,
                measure,
                baseline,
                target,
                resources,
                barriers,
                linked_need_ids,
                target_date,
            }),
            // Every `None` above pushed its gap, so `gaps` is not empty here.
            _ => Err(gaps),
        }
    }
}

/// A goal that passed the SMART check: the only kind that can become active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartGoal {
    statement: String,
    measure: String,
    baseline: String,
    target: String,
    resources: String,
    barriers: String,
    linked_need_ids: Vec<i64>,
    target_date: Date,
}

impl SmartGoal {
    /// The draft as a SMART goal on `today`, or every gap it has.
    pub fn parse(draft: &GoalDraft, today: Date) -> Result<SmartGoal, Vec<SmartGap>> {
        draft.check(today)
    }

    pub fn statement(&self) -> &str {
        &self.statement
    }
    pub fn measure(&self) -> &str {
        &self.measure
    }
    pub fn baseline(&self) -> &str {
        &self.baseline
    }
    pub fn target(&self) -> &str {
        &self.target
    }
    pub fn resources(&self) -> &str {
        &self.resources
    }
    pub fn barriers(&self) -> &str {
        &self.barriers
    }
    /// At least one.
    pub fn linked_need_ids(&self) -> &[i64] {
        &self.linked_need_ids
    }
    /// After the day the goal was checked.
    pub fn target_date(&self) -> Date {
        self.target_date
    }
}

/// A goal's Goal Attainment Scaling scale: what each of the five levels would look like for this
/// client, in words. Serializes as the five descriptions from −2 to +2.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct GasScale {
    levels: [String; 5],
}

impl GasScale {
    /// The field each level is named by in errors, from −2 to +2.
    pub const FIELDS: [&'static str; 5] = ["gas[-2]", "gas[-1]", "gas[0]", "gas[+1]", "gas[+2]"];

    /// Five descriptions, from −2 (much less than expected) to +2 (much more than expected). A
    /// blank or missing one is refused as `gas_level_missing`, naming it (`gas[-2]`).
    pub fn parse(levels: &[Option<String>; 5]) -> Result<GasScale, Invalid> {
        let mut parsed: [String; 5] = Default::default();
        for ((slot, raw), field) in parsed.iter_mut().zip(levels).zip(Self::FIELDS) {
            *slot = match raw.as_deref().map(str::trim) {
                None | Some("") => return Err(Invalid::new(field, "gas_level_missing")),
                Some(text) => required(field, text, GAS_LEVEL_MAX)?,
            };
        }
        Ok(GasScale { levels: parsed })
    }

    /// The description of one level.
    pub fn describe(&self, level: GasLevel) -> &str {
        let [much_less, less, expected, more, much_more] = &self.levels;
        match level {
            GasLevel::MuchLessThanExpected => much_less,
            GasLevel::LessThanExpected => less,
            GasLevel::Expected => expected,
            GasLevel::MoreThanExpected => more,
            GasLevel::MuchMoreThanExpected => much_more,
        }
    }

    /// Every level with its description, from −2 to +2.
    pub fn levels(&self) -> impl Iterator<Item = (GasLevel, &str)> + '_ {
        GasLevel::ALL.into_iter().map(|l| (l, self.describe(l)))
    }
}

/// Where a goal stands. Only a goal that passed the SMART check becomes active; achieved and
/// discontinued are decided at evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    Draft,
    Active,
    Achieved,
    Discontinued,
}

impl GoalStatus {
    pub const ALL: [GoalStatus; 4] = [
        GoalStatus::Draft,
        GoalStatus::Active,
        GoalStatus::Achieved,
        GoalStatus::Discontinued,
    ];

    /// Stable: stored in the database, used in the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::Draft => "draft",
            GoalStatus::Active => "active",
            GoalStatus::Achieved => "achieved",
            GoalStatus::Discontinued => "discontinued",
        }
    }

    /// Draft and active goals are still being worked on; the others are settled.
    pub fn is_open(self) -> bool {
        matches!(self, GoalStatus::Draft | GoalStatus::Active)
    }
}

impl std::str::FromStr for GoalStatus {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GoalStatus::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| Invalid::new("status", "unknown_choice"))
    }
}

/// The highest priority number a goal can have (1 is the first goal).
pub const PRIORITY_MAX: i64 = 999;
/// The largest weight a goal can carry in the GAS T-score.
pub const WEIGHT_MAX: f64 = 100.0;

/// What a goal carries besides its SMART fields, unchecked: its GAS level descriptions (blank
/// while a draft is being written), its priority and its weight in the T-score.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalScaleForm {
    /// The five level descriptions from −2 to +2.
    #[serde(default)]
    pub gas: [Option<String>; 5],
    /// 1 is the first goal; missing means after the case's other goals.
    #[serde(default)]
    pub priority: Option<i64>,
    /// Missing means 1.
    #[serde(default)]
    pub weight: Option<f64>,
}

/// [`GoalScaleForm`] checked: every level description bounded (blank ones still missing),
/// priority and weight in range.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalScaleDraft {
    pub gas: [Option<String>; 5],
    pub priority: Option<i64>,
    pub weight: f64,
}

impl GoalScaleForm {
    pub fn parse(&self) -> Result<GoalScaleDraft, Invalid> {
        let mut gas: [Option<String>; 5] = Default::default();
        for ((slot, raw), field) in gas.iter_mut().zip(&self.gas).zip(GasScale::FIELDS) {
            *slot = optional(field, raw.as_deref(), GAS_LEVEL_MAX)?;
        }
        if let Some(p) = self.priority {
            if !(1..=PRIORITY_MAX).contains(&p) {
                return Err(Invalid::new("priority", "priority_range"));
            }
        }
        let weight = self.weight.unwrap_or(1.0);
        if !weight.is_finite() || weight <= 0.0 || weight > WEIGHT_MAX {
            return Err(Invalid::new("weight", "gas_weight_invalid"));
        }
        Ok(GoalScaleDraft {
            gas,
            priority: self.priority,
            weight,
        })
    }
}

impl GoalScaleDraft {
    /// The complete scale, when all five levels are described.
    pub fn scale(&self) -> Option<GasScale> {
        GasScale::parse(&self.gas).ok()
    }
}

const CLIENT_WORDS_MAX: usize = 2000;

/// The client's agreement to a goal, as the worker records it, unchecked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementForm {
    /// `YYYY-MM-DD`, not after today.
    pub agreed_on: String,
    /// What the client said, in their own words.
    pub client_words: String,
}

/// A checked agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub agreed_on: Date,
    pub client_words: String,
}

impl AgreementForm {
    pub fn parse(&self, today: Date) -> Result<Agreement, Invalid> {
        let agreed_on = parse_date("agreed_on", &self.agreed_on)?;
        if agreed_on > today {
            return Err(Invalid::new("agreed_on", "date_in_future"));
        }
        Ok(Agreement {
            agreed_on,
            client_words: required("client_words", &self.client_words, CLIENT_WORDS_MAX)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 03 - 10);

    fn complete() -> GoalForm {
        GoalForm {
            statement: Some("Move into stable housing".into()),
            measure: Some("Nights a week in own tenancy".into()),
            baseline: Some("0".into()),
            target: Some("7".into()),
            resources: Some("Housing first programme; sister's support".into()),
            barriers: Some("Rent arrears from last tenancy".into()),
            linked_need_ids: vec![12],
            target_date: Some("2025-09-01".into()),
        }
    }

    fn gaps(form: &GoalForm) -> Vec<SmartGap> {
        GoalDraft::parse(form).unwrap().smart_check(TODAY)
    }

    #[test]
    fn a_complete_goal_passes() {
        let draft = GoalDraft::parse(&complete()).unwrap();
        assert_eq!(draft.smart_check(TODAY), []);
        let goal = SmartGoal::parse(&draft, TODAY).unwrap();
        assert_eq!(goal.statement(), "Move into stable housing");
        assert_eq!(goal.measure(), "Nights a week in own tenancy");
        assert_eq!((goal.baseline(), goal.target()), ("0", "7"));
        assert_eq!(
            goal.resources(),
            "Housing first programme; sister's support"
        );
        assert_eq!(goal.barriers(), "Rent arrears from last tenancy");
        assert_eq!(goal.linked_need_ids(), [12]);
        assert_eq!(goal.target_date(), date!(2025 - 09 - 01));
    }

    #[test]
    fn every_gap_alone_is_named_with_its_letter() {
        type Breaks = fn(&mut GoalForm);
        let cases: [(Breaks, SmartGap, char); 11] = [
            (|f| f.statement = None, SmartGap::NoStatement, 'S'),
            (|f| f.measure = Some("   ".into()), SmartGap::NoMeasure, 'M'),
            (|f| f.baseline = None, SmartGap::NoBaseline, 'M'),
            (|f| f.target = Some(String::new()), SmartGap::NoTarget, 'M'),
            (|f| f.resources = None, SmartGap::NoResourcesOrBarriers, 'A'),
            (|f| f.barriers = None, SmartGap::NoResourcesOrBarriers, 'A'),
            (|f| f.linked_need_ids.clear(), SmartGap::NoLinkedNeed, 'R'),
            (|f| f.target_date = None, SmartGap::NoTargetDate, 'T'),
            // Today is not in the future: a goal due today is already late.
            (
                |f| f.target_date = Some("2025-03-10".into()),
                SmartGap::TargetDateNotInFuture,
                'T',
            ),
            (
                |f| f.target_date = Some("2024-12-31".into()),
                SmartGap::TargetDateNotInFuture,
                'T',
            ),
            (
                |f| f.target_date = Some("next spring".into()),
                SmartGap::TargetDateUnreadable,
                'T',
            ),
        ];
        for (breaks, gap, letter) in cases {
            let mut form = complete();
            breaks(&mut form);
            assert_eq!(gaps(&form), [gap], "{form:?}");
            assert_eq!(gap.letter(), letter);
            let draft = GoalDraft::parse(&form).unwrap();
            assert_eq!(SmartGoal::parse(&draft, TODAY), Err(vec![gap]));
        }
    }

    #[test]
    fn tomorrow_is_in_the_future() {
        let mut form = complete();
        form.target_date = Some("2025-03-11".into());
        assert_eq!(gaps(&form), []);
        form.target_date = Some(" 2025-02-30 ".into());
        assert_eq!(gaps(&form), [SmartGap::TargetDateUnreadable]);
    }

    #[test]
    fn an_empty_draft_lists_every_gap_in_smart_order() {
        let draft = GoalDraft::parse(&GoalForm::default()).unwrap();
        let found = draft.smart_check(TODAY);
        assert_eq!(
            found,
            [
                SmartGap::NoStatement,
                SmartGap::NoMeasure,
                SmartGap::NoBaseline,
                SmartGap::NoTarget,
                SmartGap::NoResourcesOrBarriers,
                SmartGap::NoLinkedNeed,
                SmartGap::NoTargetDate,
            ]
        );
        let letters: String = found.iter().map(|g| g.letter()).collect();
        assert_eq!(letters, "SMMMART");
        assert_eq!(SmartGoal::parse(&draft, TODAY), Err(found));
    }

    #[test]
    fn gap_codes_and_fields_are_stable() {
        let codes: Vec<_> = SmartGap::ALL.iter().map(|g| g.code()).collect();
        assert_eq!(
            codes,
            [
                "smart_no_statement",
                "smart_no_measure",
                "smart_no_baseline",
                "smart_no_target",
                "smart_no_resources_or_barriers",
                "smart_no_linked_need",
                "smart_no_target_date",
                "smart_target_date_not_in_future",
                "smart_target_date_unreadable",
            ]
        );
        let fields: Vec<_> = SmartGap::ALL.iter().map(|g| g.field()).collect();
        assert_eq!(
            fields,
            [
                "statement",
                "measure",
                "baseline",
                "target",
                "resources",
                "linked_need_ids",
                "target_date",
                "target_date",
                "target_date"
            ]
        );
    }

    #[test]
    fn drafts_bound_their_text_and_needs() {
        let mut form = complete();
        form.statement = Some("x".repeat(STATEMENT_MAX + 1));
        let err = GoalDraft::parse(&form).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("statement", "too_long"));

        let mut form = complete();
        form.barriers = Some("a\u{7}b".into());
        let err = GoalDraft::parse(&form).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("barriers", "control_characters")
        );

        let mut form = complete();
        form.linked_need_ids = vec![3, 0];
        let err = GoalDraft::parse(&form).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("linked_need_ids[1]", "unknown_choice")
        );

        let mut form = complete();
        form.linked_need_ids = (1..=51).collect();
        let err = GoalDraft::parse(&form).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("linked_need_ids", "too_many")
        );

        let mut form = complete();
        form.linked_need_ids = vec![5, 3, 5, 3];
        form.statement = Some("  Keep the tenancy  ".into());
        let draft = GoalDraft::parse(&form).unwrap();
        assert_eq!(draft.linked_need_ids(), [5, 3]);
        assert_eq!(draft.statement(), Some("Keep the tenancy"));
        assert_eq!(draft.target_date(), Some("2025-09-01"));
    }

    fn scale() -> [Option<String>; 5] {
        [
            "Evicted or sleeping rough",
            "Still in temporary accommodation",
            "Tenancy signed",
            "Tenancy kept for three months",
            "Tenancy kept and arrears cleared",
        ]
        .map(|s| Some(s.to_string()))
    }

    #[test]
    fn a_gas_scale_describes_all_five_levels() {
        let gas = GasScale::parse(&scale()).unwrap();
        assert_eq!(gas.describe(GasLevel::Expected), "Tenancy signed");
        assert_eq!(
            gas.describe(GasLevel::MuchLessThanExpected),
            "Evicted or sleeping rough"
        );
        let values: Vec<_> = gas.levels().map(|(l, _)| l.value()).collect();
        assert_eq!(values, [-2, -1, 0, 1, 2]);
    }

    #[test]
    fn a_missing_gas_level_is_named() {
        for (i, field) in GasScale::FIELDS.iter().enumerate() {
            for blank in [None, Some("  ".to_string())] {
                let mut levels = scale();
                levels[i] = blank;
                let err = GasScale::parse(&levels).unwrap_err();
                assert_eq!(
                    (err.field.as_str(), err.code),
                    (*field, "gas_level_missing")
                );
            }
        }
        let mut levels = scale();
        levels[4] = Some("x".repeat(GAS_LEVEL_MAX + 1));
        let err = GasScale::parse(&levels).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("gas[+2]", "too_long"));
    }

    #[test]
    fn goal_statuses_round_trip() {
        for status in GoalStatus::ALL {
            assert_eq!(status.as_str().parse::<GoalStatus>(), Ok(status));
        }
        assert!(GoalStatus::Draft.is_open() && GoalStatus::Active.is_open());
        assert!(!GoalStatus::Achieved.is_open() && !GoalStatus::Discontinued.is_open());
        let err = "done".parse::<GoalStatus>().unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("status", "unknown_choice"));
    }

    #[test]
    fn a_scale_form_allows_blank_levels_but_bounds_the_rest() {
        let draft = GoalScaleForm::default().parse().unwrap();
        assert_eq!(draft.weight, 1.0);
        assert_eq!(draft.priority, None);
        assert!(draft.scale().is_none());
        let full = GoalScaleForm {
            gas: scale(),
            priority: Some(2),
            weight: Some(2.5),
        }
        .parse()
        .unwrap();
        assert_eq!(
            full.scale().unwrap().describe(GasLevel::Expected),
            "Tenancy signed"
        );
        for p in [0, -1, PRIORITY_MAX + 1] {
            let form = GoalScaleForm {
                priority: Some(p),
                ..Default::default()
            };
            let err = form.parse().unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code),
                ("priority", "priority_range")
            );
        }
        for w in [0.0, -1.0, f64::NAN, f64::INFINITY, WEIGHT_MAX + 1.0] {
            let form = GoalScaleForm {
                weight: Some(w),
                ..Default::default()
            };
            let err = form.parse().unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code),
                ("weight", "gas_weight_invalid")
            );
        }
        let mut gas: [Option<String>; 5] = Default::default();
        gas[3] = Some("x".repeat(GAS_LEVEL_MAX + 1));
        let err = GoalScaleForm {
            gas,
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("gas[+1]", "too_long"));
    }

    #[test]
    fn an_agreement_is_dated_no_later_than_today_in_the_clients_words() {
        let form = AgreementForm {
            agreed_on: "2025-03-10".into(),
            client_words: "  I want my own place by autumn  ".into(),
        };
        let a = form.parse(TODAY).unwrap();
        assert_eq!(a.agreed_on, TODAY);
        assert_eq!(a.client_words, "I want my own place by autumn");
        let late = AgreementForm {
            agreed_on: "2025-03-11".into(),
            ..form.clone()
        };
        let err = late.parse(TODAY).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("agreed_on", "date_in_future")
        );
        let bad = AgreementForm {
            agreed_on: "10/03/2025".into(),
            ..form.clone()
        };
        assert_eq!(bad.parse(TODAY).unwrap_err().code, "date_format");
        let silent = AgreementForm {
            client_words: " ".into(),
            ..form
        };
        let err = silent.parse(TODAY).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("client_words", "required"));
    }
}
