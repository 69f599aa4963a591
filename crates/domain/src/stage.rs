//! The stages a case moves through and the guards between them (DESIGN.md, "The process").
//!
//! The guards only look at [`CaseFacts`], which the service layer gathers from the store, so the
//! rules can be decided and tested here without I/O. Who may override a guard is access policy and
//! is decided elsewhere; this module only insists that an override carries a written reason.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Engagement,
    Assessment,
    GoalSetting,
    Planning,
    Intervention,
    Evaluation,
    Termination,
    FollowUp,
    Closed,
}

impl Stage {
    /// In the order a case moves through them.
    pub const ALL: [Stage; 9] = [
        Stage::Engagement,
        Stage::Assessment,
        Stage::GoalSetting,
        Stage::Planning,
        Stage::Intervention,
        Stage::Evaluation,
        Stage::Termination,
        Stage::FollowUp,
        Stage::Closed,
    ];

    /// Stable: stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Engagement => "engagement",
            Stage::Assessment => "assessment",
            Stage::GoalSetting => "goal_setting",
            Stage::Planning => "planning",
            Stage::Intervention => "intervention",
            Stage::Evaluation => "evaluation",
            Stage::Termination => "termination",
            Stage::FollowUp => "follow_up",
            Stage::Closed => "closed",
        }
    }

    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Engagement => Some(Stage::Assessment),
            Stage::Assessment => Some(Stage::GoalSetting),
            Stage::GoalSetting => Some(Stage::Planning),
            Stage::Planning => Some(Stage::Intervention),
            Stage::Intervention => Some(Stage::Evaluation),
            Stage::Evaluation => Some(Stage::Termination),
            Stage::Termination => Some(Stage::FollowUp),
            Stage::FollowUp => Some(Stage::Closed),
            Stage::Closed => None,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stage: {0}")]
pub struct UnknownStage(pub String);

impl FromStr for Stage {
    type Err = UnknownStage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| UnknownStage(s.to_string()))
    }
}

/// What the worker and client decided at evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationDecision {
    /// Back to intervention with a revised plan.
    Continue,
    Close,
}

/// What the guards look at, gathered by the caller for one case at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    pub consent_to_services: bool,
    pub contacts: u32,
    pub completed_assessment: bool,
    pub assessed_needs: u32,
    pub assessed_strengths: u32,
    pub agreed_smart_goals: u32,
    pub active_goals_without_intervention: u32,
    pub active_goals: u32,
    pub plan_agreed_by_client: bool,
    /// Set by the program: some programs ask a supervisor to approve every plan.
    pub plan_approval_required: bool,
    pub plan_approved: bool,
    pub evaluation_recorded: bool,
    pub evaluation_decision: Option<EvaluationDecision>,
    pub closing_summary: bool,
    pub closure_approval_required: bool,
    pub closure_approved: bool,
    pub follow_ups_pending: u32,
    /// Assessments the case's program requires (agency forms, instruments) not done yet.
    pub required_assessments_missing: u32,
}

/// One requirement of a guard that the case does not meet yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unmet {
    ConsentToServicesMissing,
    NoContact,
    AssessmentIncomplete,
    NoNeedsAssessed,
    NoStrengthsAssessed,
    NoAgreedSmartGoal,
    GoalWithoutIntervention,
    NoActiveGoal,
    PlanNotAgreed,
    PlanNotApproved,
    NoEvaluation,
    /// An evaluation is recorded but says neither continue nor close.
    NoEvaluationDecision,
    /// Termination was asked for although the evaluation decided to continue.
    EvaluationDecidedContinue,
    /// Going back to intervention was asked for although the evaluation decided to close.
    EvaluationDecidedClose,
    NoClosingSummary,
    ClosureNotApproved,
    FollowUpsPending,
    /// The program requires an assessment form or instrument that is not done yet.
    RequiredAssessmentMissing,
}

impl Unmet {
    /// Stable: the web layer maps it to a translated message, and audit entries record it.
    pub fn code(&self) -> &'static str {
        match self {
            Unmet::ConsentToServicesMissing => "consent_to_services_missing",
            Unmet::NoContact => "no_contact",
            Unmet::AssessmentIncomplete => "assessment_incomplete",
            Unmet::NoNeedsAssessed => "no_needs_assessed",
            Unmet::NoStrengthsAssessed => "no_strengths_assessed",
            Unmet::NoAgreedSmartGoal => "no_agreed_smart_goal",
            Unmet::GoalWithoutIntervention => "goal_without_intervention",
            Unmet::NoActiveGoal => "no_active_goal",
            Unmet::PlanNotAgreed => "plan_not_agreed",
            Unmet::PlanNotApproved => "plan_not_approved",
            Unmet::NoEvaluation => "no_evaluation",
            Unmet::NoEvaluationDecision => "no_evaluation_decision",
            Unmet::EvaluationDecidedContinue => "evaluation_decided_continue",
            Unmet::EvaluationDecidedClose => "evaluation_decided_close",
            Unmet::NoClosingSummary => "no_closing_summary",
            Unmet::ClosureNotApproved => "closure_not_approved",
            Unmet::FollowUpsPending => "follow_ups_pending",
            Unmet::RequiredAssessmentMissing => "required_assessment_missing",
        }
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

// Serialized as its code so the API and the audit log can never drift from `code()`.
impl serde::Serialize for Unmet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// Every requirement still missing before a case may leave `from` for the next stage.
/// Empty means the guard passes.
pub fn unmet(from: Stage, facts: &CaseFacts) -> Vec<Unmet> {
    let mut missing = Vec::new();
    let mut require = |met: bool, unmet: Unmet| {
        if !met {
            missing.push(unmet);
        }
    };
    match from {
        Stage::Engagement => {
            require(facts.consent_to_services, Unmet::ConsentToServicesMissing);
            require(facts.contacts >= 1, Unmet::NoContact);
        }
        Stage::Assessment => {
            require(facts.completed_assessment, Unmet::AssessmentIncomplete);
            require(facts.assessed_needs >= 1, Unmet::NoNeedsAssessed);
            require(facts.assessed_strengths >= 1, Unmet::NoStrengthsAssessed);
            require(
                facts.required_assessments_missing == 0,
                Unmet::RequiredAssessmentMissing,
            );
        }
        Stage::GoalSetting => {
            require(facts.agreed_smart_goals >= 1, Unmet::NoAgreedSmartGoal);
        }
        Stage::Planning => {
            require(facts.active_goals >= 1, Unmet::NoActiveGoal);
            require(
                facts.active_goals_without_intervention == 0,
                Unmet::GoalWithoutIntervention,
            );
            require(facts.plan_agreed_by_client, Unmet::PlanNotAgreed);
            require(
                !facts.plan_approval_required || facts.plan_approved,
                Unmet::PlanNotApproved,
            );
        }
        // Evaluation may start at any time during intervention.
        Stage::Intervention => {}
        Stage::Evaluation => {
            require(facts.evaluation_recorded, Unmet::NoEvaluation);
            match facts.evaluation_decision {
                None => require(false, Unmet::NoEvaluationDecision),
                Some(EvaluationDecision::Continue) => {
                    require(false, Unmet::EvaluationDecidedContinue)
                }
                Some(EvaluationDecision::Close) => {}
            }
        }
        Stage::Termination => {
            require(facts.closing_summary, Unmet::NoClosingSummary);
            require(
                !facts.closure_approval_required || facts.closure_approved,
                Unmet::ClosureNotApproved,
            );
        }
        Stage::FollowUp => {
            require(facts.follow_ups_pending == 0, Unmet::FollowUpsPending);
        }
        // Nothing lies forward of closed, so there is nothing to require; `target` refuses it.
        Stage::Closed => {}
    }
    missing
}

/// The requirements for returning from evaluation to intervention: an evaluation that decided
/// to continue.
fn unmet_back_to_intervention(facts: &CaseFacts) -> Vec<Unmet> {
    let mut missing = Vec::new();
    if !facts.evaluation_recorded {
        missing.push(Unmet::NoEvaluation);
    }
    match facts.evaluation_decision {
        None => missing.push(Unmet::NoEvaluationDecision),
        Some(EvaluationDecision::Close) => missing.push(Unmet::EvaluationDecidedClose),
        Some(EvaluationDecision::Continue) => {}
    }
    missing
}

/// A move a worker asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Move {
    Forward,
    /// After an evaluation that decided to continue, with a revised plan.
    BackToIntervention,
    /// A case in follow-up or closed comes back; its history stays.
    Reopen {
        to: Stage,
    },
}

impl fmt::Display for Move {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Move::Forward => f.write_str("forward"),
            Move::BackToIntervention => f.write_str("back to intervention"),
            Move::Reopen { to } => write!(f, "reopen to {to}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("guard not met: {}", codes(.0))]
    GuardUnmet(Vec<Unmet>),
    #[error("cannot move {mv} from {from}")]
    NotAllowed { from: Stage, mv: Move },
}

fn codes(unmet: &[Unmet]) -> String {
    unmet.iter().map(Unmet::code).collect::<Vec<_>>().join(", ")
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::GuardUnmet(_) => "guard_unmet",
            TransitionError::NotAllowed { .. } => "transition_not_allowed",
        }
    }
}

/// The stage a move leads to, if the move exists from `from` at all; guards are not consulted.
pub fn target(from: Stage, mv: Move) -> Result<Stage, TransitionError> {
    let to = match (from, mv) {
        (_, Move::Forward) => from.next(),
        (Stage::Evaluation, Move::BackToIntervention) => Some(Stage::Intervention),
        (Stage::FollowUp | Stage::Closed, Move::Reopen { to })
            if matches!(to, Stage::Assessment | Stage::Intervention) =>
        {
            Some(to)
        }
        _ => None,
    };
    to.ok_or(TransitionError::NotAllowed { from, mv })
}

/// Why a supervisor overrides a guard, kept in the audit log. Holding one means it was checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OverrideReason(String);

impl OverrideReason {
    /// Fewer characters than this cannot explain why a safeguard was set aside.
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(s: &str) -> Result<Self, ReasonError> {
        let trimmed = s.trim();
        let chars = trimmed.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(ReasonError::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if chars > Self::MAX_CHARS {
            return Err(ReasonError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OverrideReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OverrideReason {
    type Error = ReasonError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<OverrideReason> for String {
    fn from(reason: OverrideReason) -> Self {
        reason.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("override reason is too short: at least {min} characters")]
    TooShort { min: usize },
    #[error("override reason is too long: at most {max} characters")]
    TooLong { max: usize },
}

impl ReasonError {
    pub fn code(&self) -> &'static str {
        match self {
            ReasonError::TooShort { .. } => "reason_too_short",
            ReasonError::TooLong { .. } => "reason_too_long",
        }
    }
}

/// A move that may happen. `overridden` lists the guard requirements a supervisor set aside, so
/// the audit entry can say exactly what was skipped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Transition {
    pub from: Stage,
    pub to: Stage,
    pub overridden: Vec<Unmet>,
}

/// Decides whether a case may make `mv` from `from`. An override reason lets a move pass a guard
/// it does not meet, but never makes a move that does not exist.
pub fn check_transition(
    from: Stage,
    mv: Move,
    facts: &CaseFacts,
    override_reason: Option<&OverrideReason>,
) -> Result<Transition, TransitionError> {
    let to = target(from, mv)?;
    let missing = match mv {
        Move::Forward => unmet(from, facts),
        Move::BackToIntervention => unmet_back_to_intervention(facts),
        Move::Reopen { .. } => Vec::new(),
    };
    if !missing.is_empty() && override_reason.is_none() {
        return Err(TransitionError::GuardUnmet(missing));
    }
    Ok(Transition {
        from,
        to,
        overridden: missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Facts under which every forward guard passes.
    fn all_done() -> CaseFacts {
        CaseFacts {
            consent_to_services: true,
            contacts: 1,
            completed_assessment: true,
            assessed_needs: 1,
            assessed_strengths: 1,
            agreed_smart_goals: 1,
            active_goals_without_intervention: 0,
            active_goals: 1,
            plan_agreed_by_client: true,
            plan_approval_required: true,
            plan_approved: true,
            evaluation_recorded: true,
            evaluation_decision: Some(EvaluationDecision::Close),
            closing_summary: true,
            closure_approval_required: true,
            closure_approved: true,
            follow_ups_pending: 0,
            required_assessments_missing: 0,
        }
    }

    #[test]
    fn assessment_waits_for_what_the_program_requires() {
        let facts = CaseFacts {
            required_assessments_missing: 2,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Assessment, &facts),
            [Unmet::RequiredAssessmentMissing]
        );
        assert_eq!(
            Unmet::RequiredAssessmentMissing.code(),
            "required_assessment_missing"
        );
        // Only the assessment stage asks for it.
        assert!(unmet(Stage::GoalSetting, &facts).is_empty());
    }

    fn reason() -> OverrideReason {
        OverrideReason::parse("client in crisis, assessment continues in parallel").unwrap()
    }

    #[test]
    fn stages_round_trip_through_their_names_in_order() {
        let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "engagement",
                "assessment",
                "goal_setting",
                "planning",
                "intervention",
                "evaluation",
                "termination",
                "follow_up",
                "closed"
            ]
        );
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>(), Ok(stage));
            assert_eq!(stage.to_string(), stage.as_str());
        }
    }

    #[test]
    fn unknown_stage_names_are_refused_with_the_name() {
        let err = "Engagement".parse::<Stage>().unwrap_err();
        assert_eq!(err, UnknownStage("Engagement".to_string()));
        assert_eq!(err.to_string(), "unknown stage: Engagement");
        assert!("".parse::<Stage>().is_err());
        assert!("follow-up".parse::<Stage>().is_err());
    }

    #[test]
    fn next_follows_all_and_stops_at_closed() {
        for pair in Stage::ALL.windows(2) {
            if let [a, b] = pair {
                assert_eq!(a.next(), Some(*b));
            }
        }
        assert_eq!(Stage::Closed.next(), None);
    }

    #[test]
    fn every_guard_passes_when_the_work_is_done() {
        let facts = all_done();
        for stage in Stage::ALL {
            assert_eq!(unmet(stage, &facts), Vec::<Unmet>::new(), "{stage}");
        }
    }

    #[test]
    fn engagement_needs_consent_and_a_contact() {
        let nothing = CaseFacts::default();
        assert_eq!(
            unmet(Stage::Engagement, &nothing),
            [Unmet::ConsentToServicesMissing, Unmet::NoContact]
        );
        let facts = CaseFacts {
            contacts: 0,
            ..all_done()
        };
        assert_eq!(unmet(Stage::Engagement, &facts), [Unmet::NoContact]);
        let facts = CaseFacts {
            consent_to_services: false,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Engagement, &facts),
            [Unmet::ConsentToServicesMissing]
        );
    }

    #[test]
    fn assessment_needs_completion_needs_and_strengths() {
        assert_eq!(
            unmet(Stage::Assessment, &CaseFacts::default()),
            [
                Unmet::AssessmentIncomplete,
                Unmet::NoNeedsAssessed,
                Unmet::NoStrengthsAssessed
            ]
        );
        let facts = CaseFacts {
            assessed_strengths: 0,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Assessment, &facts),
            [Unmet::NoStrengthsAssessed]
        );
        let facts = CaseFacts {
            assessed_needs: 0,
            ..all_done()
        };
        assert_eq!(unmet(Stage::Assessment, &facts), [Unmet::NoNeedsAssessed]);
        let facts = CaseFacts {
            completed_assessment: false,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Assessment, &facts),
            [Unmet::AssessmentIncomplete]
        );
    }

    #[test]
    fn goal_setting_needs_one_agreed_smart_goal() {
        let facts = CaseFacts {
            agreed_smart_goals: 0,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::GoalSetting, &facts),
            [Unmet::NoAgreedSmartGoal]
        );
    }

    #[test]
    fn planning_needs_interventions_for_every_active_goal_and_agreement() {
        assert_eq!(
            unmet(Stage::Planning, &CaseFacts::default()),
            [Unmet::NoActiveGoal, Unmet::PlanNotAgreed]
        );
        let facts = CaseFacts {
            active_goals: 3,
            active_goals_without_intervention: 1,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Planning, &facts),
            [Unmet::GoalWithoutIntervention]
        );
        let facts = CaseFacts {
            plan_agreed_by_client: false,
            ..all_done()
        };
        assert_eq!(unmet(Stage::Planning, &facts), [Unmet::PlanNotAgreed]);
    }

    #[test]
    fn plan_approval_counts_only_where_the_program_asks_for_it() {
        let unapproved = CaseFacts {
            plan_approved: false,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Planning, &unapproved),
            [Unmet::PlanNotApproved]
        );
        let not_required = CaseFacts {
            plan_approval_required: false,
            ..unapproved
        };
        assert!(unmet(Stage::Planning, &not_required).is_empty());
    }

    #[test]
    fn evaluation_may_start_at_any_time_during_intervention() {
        assert!(unmet(Stage::Intervention, &CaseFacts::default()).is_empty());
        let t = check_transition(
            Stage::Intervention,
            Move::Forward,
            &CaseFacts::default(),
            None,
        )
        .unwrap();
        assert_eq!(t.to, Stage::Evaluation);
    }

    #[test]
    fn leaving_evaluation_forward_needs_a_recorded_decision_to_close() {
        assert_eq!(
            unmet(Stage::Evaluation, &CaseFacts::default()),
            [Unmet::NoEvaluation, Unmet::NoEvaluationDecision]
        );
        let undecided = CaseFacts {
            evaluation_decision: None,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Evaluation, &undecided),
            [Unmet::NoEvaluationDecision]
        );
        let continuing = CaseFacts {
            evaluation_decision: Some(EvaluationDecision::Continue),
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Evaluation, &continuing),
            [Unmet::EvaluationDecidedContinue]
        );
        let unrecorded = CaseFacts {
            evaluation_recorded: false,
            ..all_done()
        };
        assert_eq!(unmet(Stage::Evaluation, &unrecorded), [Unmet::NoEvaluation]);
    }

    #[test]
    fn termination_needs_a_closing_summary_and_approval_where_required() {
        assert_eq!(
            unmet(Stage::Termination, &CaseFacts::default()),
            [Unmet::NoClosingSummary]
        );
        let unapproved = CaseFacts {
            closure_approved: false,
            ..all_done()
        };
        assert_eq!(
            unmet(Stage::Termination, &unapproved),
            [Unmet::ClosureNotApproved]
        );
        let not_required = CaseFacts {
            closure_approval_required: false,
            ..unapproved
        };
        assert!(unmet(Stage::Termination, &not_required).is_empty());
    }

    #[test]
    fn follow_up_ends_only_when_no_follow_up_is_pending() {
        let facts = CaseFacts {
            follow_ups_pending: 1,
            ..all_done()
        };
        assert_eq!(unmet(Stage::FollowUp, &facts), [Unmet::FollowUpsPending]);
        let facts = CaseFacts {
            follow_ups_pending: 0,
            ..CaseFacts::default()
        };
        assert!(unmet(Stage::FollowUp, &facts).is_empty());
    }

    #[test]
    fn forward_moves_lead_to_the_next_stage_and_not_past_closed() {
        for stage in Stage::ALL {
            match stage.next() {
                Some(next) => assert_eq!(target(stage, Move::Forward), Ok(next)),
                None => assert_eq!(
                    target(stage, Move::Forward),
                    Err(TransitionError::NotAllowed {
                        from: stage,
                        mv: Move::Forward
                    })
                ),
            }
        }
    }

    #[test]
    fn back_to_intervention_exists_only_from_evaluation() {
        for stage in Stage::ALL {
            let result = target(stage, Move::BackToIntervention);
            if stage == Stage::Evaluation {
                assert_eq!(result, Ok(Stage::Intervention));
            } else {
                assert_eq!(result.unwrap_err().code(), "transition_not_allowed");
            }
        }
    }

    #[test]
    fn reopen_exists_only_from_follow_up_or_closed_to_assessment_or_intervention() {
        for from in Stage::ALL {
            for to in Stage::ALL {
                let allowed = matches!(from, Stage::FollowUp | Stage::Closed)
                    && matches!(to, Stage::Assessment | Stage::Intervention);
                let result = target(from, Move::Reopen { to });
                if allowed {
                    assert_eq!(result, Ok(to), "{from} -> {to}");
                } else {
                    assert_eq!(
                        result,
                        Err(TransitionError::NotAllowed {
                            from,
                            mv: Move::Reopen { to }
                        }),
                        "{from} -> {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_unmet_guard_stops_the_move_and_names_every_requirement() {
        let err = check_transition(
            Stage::Engagement,
            Move::Forward,
            &CaseFacts::default(),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            TransitionError::GuardUnmet(vec![Unmet::ConsentToServicesMissing, Unmet::NoContact])
        );
        assert_eq!(err.code(), "guard_unmet");
        assert_eq!(
            err.to_string(),
            "guard not met: consent_to_services_missing, no_contact"
        );
    }

    #[test]
    fn a_met_guard_moves_without_recording_an_override() {
        let t = check_transition(Stage::Planning, Move::Forward, &all_done(), None).unwrap();
        assert_eq!(
            t,
            Transition {
                from: Stage::Planning,
                to: Stage::Intervention,
                overridden: vec![]
            }
        );
        let t =
            check_transition(Stage::Planning, Move::Forward, &all_done(), Some(&reason())).unwrap();
        assert!(t.overridden.is_empty());
    }

    #[test]
    fn an_override_passes_the_guard_and_records_what_was_set_aside() {
        let facts = CaseFacts {
            completed_assessment: false,
            ..all_done()
        };
        let t =
            check_transition(Stage::Assessment, Move::Forward, &facts, Some(&reason())).unwrap();
        assert_eq!(t.from, Stage::Assessment);
        assert_eq!(t.to, Stage::GoalSetting);
        assert_eq!(t.overridden, [Unmet::AssessmentIncomplete]);
    }

    #[test]
    fn an_override_never_makes_a_move_that_does_not_exist() {
        let err = check_transition(Stage::Closed, Move::Forward, &all_done(), Some(&reason()))
            .unwrap_err();
        assert_eq!(err.code(), "transition_not_allowed");
        assert_eq!(err.to_string(), "cannot move forward from closed");
        let err = check_transition(
            Stage::Intervention,
            Move::Reopen {
                to: Stage::Assessment,
            },
            &all_done(),
            Some(&reason()),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot move reopen to assessment from intervention"
        );
    }

    #[test]
    fn going_back_to_intervention_needs_a_decision_to_continue() {
        let continuing = CaseFacts {
            evaluation_decision: Some(EvaluationDecision::Continue),
            ..all_done()
        };
        let t = check_transition(
            Stage::Evaluation,
            Move::BackToIntervention,
            &continuing,
            None,
        )
        .unwrap();
        assert_eq!(t.to, Stage::Intervention);
        assert!(t.overridden.is_empty());

        let err = check_transition(
            Stage::Evaluation,
            Move::BackToIntervention,
            &all_done(),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            TransitionError::GuardUnmet(vec![Unmet::EvaluationDecidedClose])
        );
        let err = check_transition(
            Stage::Evaluation,
            Move::BackToIntervention,
            &CaseFacts::default(),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            TransitionError::GuardUnmet(vec![Unmet::NoEvaluation, Unmet::NoEvaluationDecision])
        );
    }

    #[test]
    fn termination_after_a_decision_to_continue_needs_an_override() {
        let continuing = CaseFacts {
            evaluation_decision: Some(EvaluationDecision::Continue),
            ..all_done()
        };
        let err =
            check_transition(Stage::Evaluation, Move::Forward, &continuing, None).unwrap_err();
        assert_eq!(
            err,
            TransitionError::GuardUnmet(vec![Unmet::EvaluationDecidedContinue])
        );
        let t = check_transition(
            Stage::Evaluation,
            Move::Forward,
            &continuing,
            Some(&reason()),
        )
        .unwrap();
        assert_eq!(t.to, Stage::Termination);
        assert_eq!(t.overridden, [Unmet::EvaluationDecidedContinue]);
    }

    #[test]
    fn reopening_has_no_guard() {
        for from in [Stage::FollowUp, Stage::Closed] {
            for to in [Stage::Assessment, Stage::Intervention] {
                let t = check_transition(from, Move::Reopen { to }, &CaseFacts::default(), None)
                    .unwrap();
                assert_eq!((t.from, t.to), (from, to));
                assert!(t.overridden.is_empty());
            }
        }
    }

    #[test]
    fn override_reason_is_trimmed_and_bounded_in_characters() {
        let short = "a".repeat(OverrideReason::MIN_CHARS - 1);
        let err = OverrideReason::parse(&short).unwrap_err();
        assert_eq!(err, ReasonError::TooShort { min: 10 });
        assert_eq!(err.code(), "reason_too_short");
        assert!(err.to_string().contains("at least 10"));

        let padded = format!("   {short}   ");
        assert_eq!(
            OverrideReason::parse(&padded).unwrap_err().code(),
            "reason_too_short"
        );
        assert_eq!(
            OverrideReason::parse("").unwrap_err().code(),
            "reason_too_short"
        );

        let min = "ñ".repeat(OverrideReason::MIN_CHARS);
        assert_eq!(
            OverrideReason::parse(&format!("  {min}\n"))
                .unwrap()
                .as_str(),
            min
        );

        let max = "é".repeat(OverrideReason::MAX_CHARS);
        assert_eq!(OverrideReason::parse(&max).unwrap().as_str(), max);
        let long = "é".repeat(OverrideReason::MAX_CHARS + 1);
        let err = OverrideReason::parse(&long).unwrap_err();
        assert_eq!(err, ReasonError::TooLong { max: 2000 });
        assert_eq!(err.code(), "reason_too_long");
        assert!(err.to_string().contains("at most 2000"));
    }

    #[test]
    fn override_reason_converts_through_string_only_when_valid() {
        assert!(OverrideReason::try_from("too short".to_string()).is_err());
        let reason = OverrideReason::try_from("court order to proceed".to_string()).unwrap();
        assert_eq!(String::from(reason), "court order to proceed");
    }

    #[test]
    fn unmet_codes_are_distinct_and_display_as_their_code() {
        let all = [
            Unmet::ConsentToServicesMissing,
            Unmet::NoContact,
            Unmet::AssessmentIncomplete,
            Unmet::NoNeedsAssessed,
            Unmet::NoStrengthsAssessed,
            Unmet::NoAgreedSmartGoal,
            Unmet::GoalWithoutIntervention,
            Unmet::NoActiveGoal,
            Unmet::PlanNotAgreed,
            Unmet::PlanNotApproved,
            Unmet::NoEvaluation,
            Unmet::NoEvaluationDecision,
            Unmet::EvaluationDecidedContinue,
            Unmet::EvaluationDecidedClose,
            Unmet::NoClosingSummary,
            Unmet::ClosureNotApproved,
            Unmet::FollowUpsPending,
        ];
        let codes: std::collections::HashSet<&str> = all.iter().map(Unmet::code).collect();
        assert_eq!(codes.len(), all.len());
        for u in all {
            assert_eq!(u.to_string(), u.code());
        }
    }
}
