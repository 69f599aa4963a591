//! A later completed assessment compared with the baseline (the case's first completed one),
//! field by field and instrument by instrument, for the evaluation stage's re-assessment.
//! Instrument changes reuse the instruments' own comparisons (`change_since`, `compare_with`).

use crate::assessment::RiskLevel;
use crate::instrument::{change, Better, Change, Gad7, Phq9, SelfSufficiency, SsmComparison};
use serde::Serialize;

/// One side of the comparison: what one completed assessment said, and the instruments given
/// with it (or nearest to it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssessmentSide {
    pub needs: Vec<String>,
    pub strengths: Vec<String>,
    pub resources: Option<String>,
    pub limitations: Option<String>,
    pub risk_level: Option<RiskLevel>,
    pub phq9: Option<Phq9>,
    pub gad7: Option<Gad7>,
    pub ssm: Option<SelfSufficiency>,
}

/// Entries of a list (needs, strengths) matched by their words, ignoring case and spacing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListChange {
    /// In both.
    pub kept: Vec<String>,
    /// Only in the later assessment.
    pub added: Vec<String>,
    /// Only in the baseline: for needs, resolved; for strengths, no longer named.
    pub removed: Vec<String>,
}

/// A narrative field in both assessments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TextChange {
    pub baseline: Option<String>,
    pub later: Option<String>,
    pub changed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RiskChange {
    pub baseline: Option<RiskLevel>,
    pub later: Option<RiskLevel>,
    /// Lower risk is better; none unless both name a level.
    pub change: Option<Change<i8>>,
}

/// A questionnaire total (PHQ-9, GAD-7) at baseline and later, with its severity band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScoreChange {
    pub baseline_total: Option<u8>,
    pub baseline_band: Option<&'static str>,
    pub later_total: Option<u8>,
    pub later_band: Option<&'static str>,
    /// None unless both were given; a lower total is better.
    pub change: Option<Change<i16>>,
    pub band_changed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SsmChange {
    pub baseline_average: Option<f64>,
    pub later_average: Option<f64>,
    /// Domain by domain; none unless both were given.
    pub comparison: Option<SsmComparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub needs: ListChange,
    pub strengths: ListChange,
    pub resources: TextChange,
    pub limitations: TextChange,
    pub risk: RiskChange,
    pub phq9: ScoreChange,
    pub gad7: ScoreChange,
    pub ssm: SsmChange,
}

fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn list_change(baseline: &[String], later: &[String]) -> ListChange {
    let before: Vec<String> = baseline.iter().map(|s| key(s)).collect();
    let after: Vec<String> = later.iter().map(|s| key(s)).collect();
    ListChange {
        kept: later
            .iter()
            .zip(&after)
            .filter(|(_, k)| before.contains(k))
            .map(|(s, _)| s.clone())
            .collect(),
        added: later
            .iter()
            .zip(&after)
            .filter(|(_, k)| !before.contains(k))
            .map(|(s, _)| s.clone())
            .collect(),
        removed: baseline
            .iter()
            .zip(&before)
            .filter(|(_, k)| !after.contains(k))
            .map(|(s, _)| s.clone())
            .collect(),
    }
}

fn text_change(baseline: &Option<String>, later: &Option<String>) -> TextChange {
    TextChange {
        baseline: baseline.clone(),
        later: later.clone(),
        changed: baseline.as_deref().map(key) != later.as_deref().map(key),
    }
}

fn risk_rank(r: RiskLevel) -> i8 {
    match r {
        RiskLevel::None => 0,
        RiskLevel::Low => 1,
        RiskLevel::Medium => 2,
        RiskLevel::High => 3,
    }
}

fn score_change(
    baseline: Option<(u8, &'static str)>,
    later: Option<(u8, &'static str)>,
    delta: Option<Change<i16>>,
) -> ScoreChange {
    ScoreChange {
        baseline_total: baseline.map(|b| b.0),
        baseline_band: baseline.map(|b| b.1),
        later_total: later.map(|l| l.0),
        later_band: later.map(|l| l.1),
        change: delta,
        band_changed: baseline.zip(later).map(|(b, l)| b.1 != l.1),
    }
}

/// The later assessment compared with the baseline.
pub fn compare(baseline: &AssessmentSide, later: &AssessmentSide) -> Comparison {
    let phq9 = |p: &Phq9| (p.total(), p.severity().as_str());
    let gad7 = |g: &Gad7| (g.total(), g.severity().as_str());
    Comparison {
        needs: list_change(&baseline.needs, &later.needs),
        strengths: list_change(&baseline.strengths, &later.strengths),
        resources: text_change(&baseline.resources, &later.resources),
        limitations: text_change(&baseline.limitations, &later.limitations),
        risk: RiskChange {
            baseline: baseline.risk_level,
            later: later.risk_level,
            change: baseline
                .risk_level
                .zip(later.risk_level)
                .map(|(b, l)| change(risk_rank(b), risk_rank(l), Better::Lower)),
        },
        phq9: score_change(
            baseline.phq9.as_ref().map(phq9),
            later.phq9.as_ref().map(phq9),
            baseline
                .phq9
                .zip(later.phq9)
                .map(|(b, l)| l.change_since(&b)),
        ),
        gad7: score_change(
            baseline.gad7.as_ref().map(gad7),
            later.gad7.as_ref().map(gad7),
            baseline
                .gad7
                .zip(later.gad7)
                .map(|(b, l)| l.change_since(&b)),
        ),
        ssm: SsmChange {
            baseline_average: baseline.ssm.as_ref().map(SelfSufficiency::average),
            later_average: later.ssm.as_ref().map(SelfSufficiency::average),
            comparison: baseline
                .ssm
                .as_ref()
                .zip(later.ssm.as_ref())
                .map(|(b, l)| l.compare_with(b)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Direction;

    fn baseline() -> AssessmentSide {
        AssessmentSide {
            needs: vec!["Stable housing".into(), "Income".into()],
            strengths: vec!["Close to her sister".into()],
            resources: Some("Sister nearby".into()),
            limitations: Some("No car".into()),
            risk_level: Some(RiskLevel::Medium),
            phq9: Some(Phq9::parse(&[2, 2, 2, 2, 2, 2, 2, 2, 0]).unwrap()),
            gad7: Some(Gad7::parse(&[1, 1, 1, 1, 1, 1, 1]).unwrap()),
            ssm: Some(SelfSufficiency::parse(&[("housing", 1), ("income", 2)]).unwrap()),
        }
    }

    fn later() -> AssessmentSide {
        AssessmentSide {
            needs: vec!["  income ".into(), "Childcare".into()],
            strengths: vec!["Close to her sister".into(), "Working part time".into()],
            resources: Some("Sister nearby".into()),
            limitations: Some("No car; evening shifts".into()),
            risk_level: Some(RiskLevel::Low),
            phq9: Some(Phq9::parse(&[1, 1, 1, 1, 1, 1, 1, 1, 0]).unwrap()),
            gad7: Some(Gad7::parse(&[2, 2, 2, 2, 2, 2, 2]).unwrap()),
            ssm: Some(SelfSufficiency::parse(&[("housing", 4), ("income", 2)]).unwrap()),
        }
    }

    #[test]
    fn needs_added_and_resolved_strengths_gained() {
        let c = compare(&baseline(), &later());
        assert_eq!(c.needs.kept, ["  income "]);
        assert_eq!(c.needs.added, ["Childcare"]);
        assert_eq!(c.needs.removed, ["Stable housing"]);
        assert_eq!(c.strengths.added, ["Working part time"]);
        assert!(c.strengths.removed.is_empty());
        assert!(!c.resources.changed);
        assert!(c.limitations.changed);
    }

    #[test]
    fn lower_risk_is_an_improvement() {
        let c = compare(&baseline(), &later());
        let r = c.risk.change.unwrap();
        assert_eq!((r.delta, r.direction), (-1, Direction::Improved));
        let back = compare(&later(), &baseline());
        assert_eq!(back.risk.change.unwrap().direction, Direction::Worsened);
        let mut unknown = later();
        unknown.risk_level = None;
        assert_eq!(compare(&baseline(), &unknown).risk.change, None);
    }

    #[test]
    fn instruments_score_by_score_with_band_changes() {
        let c = compare(&baseline(), &later());
        // PHQ-9 16 (moderately severe) to 8 (mild): improved by 8.
        assert_eq!(
            (c.phq9.baseline_total, c.phq9.later_total),
            (Some(16), Some(8))
        );
        assert_eq!(c.phq9.baseline_band, Some("moderately_severe"));
        assert_eq!(c.phq9.later_band, Some("mild"));
        let p = c.phq9.change.unwrap();
        assert_eq!((p.delta, p.direction), (-8, Direction::Improved));
        assert_eq!(c.phq9.band_changed, Some(true));
        // GAD-7 7 to 14: worse.
        let g = c.gad7.change.unwrap();
        assert_eq!((g.delta, g.direction), (7, Direction::Worsened));
        // Matrix: housing 1 → 4 improved, income unchanged.
        let ssm = c.ssm.comparison.unwrap();
        assert_eq!(ssm.average.direction, Direction::Improved);
        assert_eq!(
            ssm.domains[0].change.map(|d| d.direction),
            Some(Direction::Improved)
        );
        assert_eq!(c.ssm.baseline_average, Some(1.5));
    }

    #[test]
    fn an_instrument_given_only_once_has_no_change() {
        let mut l = later();
        l.phq9 = None;
        l.ssm = None;
        let c = compare(&baseline(), &l);
        assert_eq!(c.phq9.baseline_total, Some(16));
        assert_eq!(c.phq9.later_total, None);
        assert_eq!(c.phq9.change, None);
        assert_eq!(c.phq9.band_changed, None);
        assert_eq!(c.ssm.comparison, None);
        let same = compare(&baseline(), &baseline());
        assert_eq!(same.phq9.band_changed, Some(false));
        assert!(same.needs.added.is_empty() && same.needs.removed.is_empty());
    }
}
