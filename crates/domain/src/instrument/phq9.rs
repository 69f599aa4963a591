//! PHQ-9 (Patient Health Questionnaire, public domain): nine questions about the last two weeks,
//! each answered 0 (not at all) to 3 (nearly every day). Total 0–27 in five severity bands.
//! Item 9 asks about thoughts of self-harm: any answer above 0 raises a safety alert.

use super::{change, parse_answers, Better, Change};
use crate::Invalid;

/// A complete PHQ-9: nine answers, each 0–3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Phq9 {
    answers: [u8; 9],
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Phq9Severity {
    /// 0–4
    Minimal,
    /// 5–9
    Mild,
    /// 10–14
    Moderate,
    /// 15–19
    ModeratelySevere,
    /// 20–27
    Severe,
}

impl Phq9Severity {
    pub const ALL: [Phq9Severity; 5] = [
        Phq9Severity::Minimal,
        Phq9Severity::Mild,
        Phq9Severity::Moderate,
        Phq9Severity::ModeratelySevere,
        Phq9Severity::Severe,
    ];

    /// Stable: stored and used in the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Phq9Severity::Minimal => "minimal",
            Phq9Severity::Mild => "mild",
            Phq9Severity::Moderate => "moderate",
            Phq9Severity::ModeratelySevere => "moderately_severe",
            Phq9Severity::Severe => "severe",
        }
    }

    /// The band a total falls in. Totals above 27 cannot come from a parsed [`Phq9`]; they count
    /// as severe rather than panic.
    pub fn of_total(total: u8) -> Phq9Severity {
        match total {
            0..=4 => Phq9Severity::Minimal,
            5..=9 => Phq9Severity::Mild,
            10..=14 => Phq9Severity::Moderate,
            15..=19 => Phq9Severity::ModeratelySevere,
            _ => Phq9Severity::Severe,
        }
    }
}

/// What is stored and shown beside the answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Phq9Score {
    pub total: u8,
    pub severity: Phq9Severity,
    pub safety_alert: bool,
}

impl Phq9 {
    pub const ITEMS: usize = 9;
    pub const MAX_TOTAL: u8 = 27;
    /// Index of item 9 (thoughts of self-harm) in the answers.
    pub const SELF_HARM_ITEM: usize = 8;

    /// Nine answers, each 0–3, in question order.
    pub fn parse(answers: &[i64]) -> Result<Phq9, Invalid> {
        let answers: Vec<Option<i64>> = answers.iter().copied().map(Some).collect();
        Phq9::parse_form(&answers)
    }

    /// Like [`Phq9::parse`], for a form where a question may be left unanswered (`None`), which
    /// is refused as `answer_missing` with the item named.
    pub fn parse_form(answers: &[Option<i64>]) -> Result<Phq9, Invalid> {
        parse_answers::<9>(answers).map(|answers| Phq9 { answers })
    }

    pub fn answers(&self) -> [u8; 9] {
        self.answers
    }

    /// 0–27.
    pub fn total(&self) -> u8 {
        self.answers.iter().sum()
    }

    pub fn severity(&self) -> Phq9Severity {
        Phq9Severity::of_total(self.total())
    }

    /// Any answer above 0 on item 9 (thoughts of self-harm): the worker and their supervisor
    /// must be told.
    pub fn safety_alert(&self) -> bool {
        let [.., self_harm] = self.answers;
        self_harm > 0
    }

    pub fn score(&self) -> Phq9Score {
        Phq9Score {
            total: self.total(),
            severity: self.severity(),
            safety_alert: self.safety_alert(),
        }
    }

    /// This assessment compared with an earlier one; a lower total is better.
    pub fn change_since(&self, baseline: &Phq9) -> Change<i16> {
        change(
            i16::from(baseline.total()),
            i16::from(self.total()),
            Better::Lower,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Direction;

    /// Answers adding up to `total`, filling items from the first, item 9 left at 0 unless the
    /// total needs it.
    fn with_total(total: u8) -> Phq9 {
        let mut left = i64::from(total);
        let answers: Vec<i64> = (0..9)
            .map(|_| {
                let a = left.min(3);
                left -= a;
                a
            })
            .collect();
        let phq = Phq9::parse(&answers).unwrap();
        assert_eq!(phq.total(), total);
        phq
    }

    #[test]
    fn totals_run_from_zero_to_twenty_seven() {
        assert_eq!(Phq9::parse(&[0; 9]).unwrap().total(), 0);
        assert_eq!(Phq9::parse(&[3; 9]).unwrap().total(), Phq9::MAX_TOTAL);
        assert_eq!(
            Phq9::parse(&[0, 1, 2, 3, 0, 1, 2, 3, 0]).unwrap().total(),
            12
        );
    }

    #[test]
    fn every_band_boundary() {
        use Phq9Severity::*;
        for (total, band) in [
            (0, Minimal),
            (4, Minimal),
            (5, Mild),
            (9, Mild),
            (10, Moderate),
            (14, Moderate),
            (15, ModeratelySevere),
            (19, ModeratelySevere),
            (20, Severe),
            (27, Severe),
        ] {
            assert_eq!(with_total(total).severity(), band, "total {total}");
        }
    }

    #[test]
    fn every_total_has_exactly_the_band_of_its_range() {
        for total in 0..=27u8 {
            let expected = match total {
                0..=4 => "minimal",
                5..=9 => "mild",
                10..=14 => "moderate",
                15..=19 => "moderately_severe",
                _ => "severe",
            };
            assert_eq!(with_total(total).severity().as_str(), expected);
        }
        assert_eq!(Phq9Severity::of_total(u8::MAX), Phq9Severity::Severe);
    }

    #[test]
    fn item_nine_raises_the_safety_alert() {
        assert!(!Phq9::parse(&[0; 9]).unwrap().safety_alert());
        assert!(!Phq9::parse(&[3, 3, 3, 3, 3, 3, 3, 3, 0])
            .unwrap()
            .safety_alert());
        for answer in 1..=3 {
            let phq = Phq9::parse(&[0, 0, 0, 0, 0, 0, 0, 0, answer]).unwrap();
            assert!(phq.safety_alert(), "item 9 at {answer}");
            // The alert does not depend on the band: a minimal total still alerts.
            assert_eq!(phq.severity(), Phq9Severity::Minimal);
        }
        // Only item 9: item 8 at 3 does not alert.
        assert!(!Phq9::parse(&[0, 0, 0, 0, 0, 0, 0, 3, 0])
            .unwrap()
            .safety_alert());
    }

    #[test]
    fn an_answer_out_of_range_is_named() {
        for (i, bad) in [
            (0usize, -1i64),
            (8, 4),
            (4, 100),
            (2, i64::MIN),
            (7, i64::MAX),
        ] {
            let mut answers = [1i64; 9];
            answers[i] = bad;
            let err = Phq9::parse(&answers).unwrap_err();
            assert_eq!(err.field, format!("answers[{i}]"));
            assert_eq!(err.code, "answer_out_of_range");
        }
    }

    #[test]
    fn the_wrong_number_of_answers_is_refused() {
        for n in [0usize, 1, 7, 8, 10, 1000] {
            let err = Phq9::parse(&vec![0; n]).unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code),
                ("answers", "wrong_answer_count"),
                "{n}"
            );
        }
    }

    #[test]
    fn a_missing_answer_is_named() {
        let mut answers = [Some(2i64); 9];
        answers[8] = None;
        let err = Phq9::parse_form(&answers).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("answers[8]", "answer_missing")
        );
    }

    #[test]
    fn the_score_holds_total_band_and_alert() {
        let phq = Phq9::parse(&[3, 3, 3, 3, 3, 3, 2, 0, 1]).unwrap();
        assert_eq!(
            phq.score(),
            Phq9Score {
                total: 21,
                severity: Phq9Severity::Severe,
                safety_alert: true
            }
        );
        assert_eq!(phq.answers(), [3, 3, 3, 3, 3, 3, 2, 0, 1]);
    }

    #[test]
    fn a_lower_total_later_is_an_improvement() {
        let baseline = with_total(16);
        let later = with_total(7);
        let c = later.change_since(&baseline);
        assert_eq!((c.delta, c.direction), (-9, Direction::Improved));
        let c = baseline.change_since(&later);
        assert_eq!((c.delta, c.direction), (9, Direction::Worsened));
        assert_eq!(later.change_since(&later).direction, Direction::Same);
    }

    #[test]
    fn band_names_are_stable() {
        let names: Vec<_> = Phq9Severity::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            ["minimal", "mild", "moderate", "moderately_severe", "severe"]
        );
    }
}
