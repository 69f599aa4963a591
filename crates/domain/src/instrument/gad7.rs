//! GAD-7 (Generalized Anxiety Disorder scale, public domain): seven questions about the last two
//! weeks, each answered 0 (not at all) to 3 (nearly every day). Total 0–21 in four severity bands.

use super::{change, parse_answers, Better, Change};
use crate::Invalid;

/// A complete GAD-7: seven answers, each 0–3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Gad7 {
    answers: [u8; 7],
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Gad7Severity {
    /// 0–4
    Minimal,
    /// 5–9
    Mild,
    /// 10–14
    Moderate,
    /// 15–21
    Severe,
}

impl Gad7Severity {
    pub const ALL: [Gad7Severity; 4] = [
        Gad7Severity::Minimal,
        Gad7Severity::Mild,
        Gad7Severity::Moderate,
        Gad7Severity::Severe,
    ];

    /// Stable: stored and used in the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Gad7Severity::Minimal => "minimal",
            Gad7Severity::Mild => "mild",
            Gad7Severity::Moderate => "moderate",
            Gad7Severity::Severe => "severe",
        }
    }

    /// The band a total falls in. Totals above 21 cannot come from a parsed [`Gad7`]; they count
    /// as severe rather than panic.
    pub fn of_total(total: u8) -> Gad7Severity {
        match total {
            0..=4 => Gad7Severity::Minimal,
            5..=9 => Gad7Severity::Mild,
            10..=14 => Gad7Severity::Moderate,
            _ => Gad7Severity::Severe,
        }
    }
}

/// What is stored and shown beside the answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Gad7Score {
    pub total: u8,
    pub severity: Gad7Severity,
}

impl Gad7 {
    pub const ITEMS: usize = 7;
    pub const MAX_TOTAL: u8 = 21;

    /// Seven answers, each 0–3, in question order.
    pub fn parse(answers: &[i64]) -> Result<Gad7, Invalid> {
        let answers: Vec<Option<i64>> = answers.iter().copied().map(Some).collect();
        Gad7::parse_form(&answers)
    }

    /// Like [`Gad7::parse`], for a form where a question may be left unanswered (`None`), which
    /// is refused as `answer_missing` with the item named.
    pub fn parse_form(answers: &[Option<i64>]) -> Result<Gad7, Invalid> {
        parse_answers::<7>(answers).map(|answers| Gad7 { answers })
    }

    pub fn answers(&self) -> [u8; 7] {
        self.answers
    }

    /// 0–21.
    pub fn total(&self) -> u8 {
        self.answers.iter().sum()
    }

    pub fn severity(&self) -> Gad7Severity {
        Gad7Severity::of_total(self.total())
    }

    pub fn score(&self) -> Gad7Score {
        Gad7Score {
            total: self.total(),
            severity: self.severity(),
        }
    }

    /// This assessment compared with an earlier one; a lower total is better.
    pub fn change_since(&self, baseline: &Gad7) -> Change<i16> {
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

    fn with_total(total: u8) -> Gad7 {
        let mut left = i64::from(total);
        let answers: Vec<i64> = (0..7)
            .map(|_| {
                let a = left.min(3);
                left -= a;
                a
            })
            .collect();
        let gad = Gad7::parse(&answers).unwrap();
        assert_eq!(gad.total(), total);
        gad
    }

    #[test]
    fn totals_run_from_zero_to_twenty_one() {
        assert_eq!(Gad7::parse(&[0; 7]).unwrap().total(), 0);
        assert_eq!(Gad7::parse(&[3; 7]).unwrap().total(), Gad7::MAX_TOTAL);
        assert_eq!(Gad7::parse(&[3, 2, 1, 0, 1, 2, 3]).unwrap().total(), 12);
    }

    #[test]
    fn every_band_boundary() {
        use Gad7Severity::*;
        for (total, band) in [
            (0, Minimal),
            (4, Minimal),
            (5, Mild),
            (9, Mild),
            (10, Moderate),
            (14, Moderate),
            (15, Severe),
            (21, Severe),
        ] {
            assert_eq!(with_total(total).severity(), band, "total {total}");
        }
    }

    #[test]
    fn every_total_has_exactly_the_band_of_its_range() {
        for total in 0..=21u8 {
            let expected = match total {
                0..=4 => "minimal",
                5..=9 => "mild",
                10..=14 => "moderate",
                _ => "severe",
            };
            assert_eq!(with_total(total).severity().as_str(), expected);
        }
        assert_eq!(Gad7Severity::of_total(u8::MAX), Gad7Severity::Severe);
    }

    #[test]
    fn an_answer_out_of_range_is_named() {
        for (i, bad) in [(0usize, -1i64), (6, 4), (3, 100), (2, i64::MIN)] {
            let mut answers = [1i64; 7];
            answers[i] = bad;
            let err = Gad7::parse(&answers).unwrap_err();
            assert_eq!(err.field, format!("answers[{i}]"));
            assert_eq!(err.code, "answer_out_of_range");
        }
    }

    #[test]
    fn the_wrong_number_of_answers_is_refused() {
        // Nine answers is a PHQ-9 sent to the wrong place.
        for n in [0usize, 6, 8, 9] {
            let err = Gad7::parse(&vec![0; n]).unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code),
                ("answers", "wrong_answer_count"),
                "{n}"
            );
        }
    }

    #[test]
    fn a_missing_answer_is_named() {
        let mut answers = [Some(0i64); 7];
        answers[3] = None;
        let err = Gad7::parse_form(&answers).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("answers[3]", "answer_missing")
        );
    }

    #[test]
    fn score_and_change() {
        let baseline = with_total(15);
        assert_eq!(
            baseline.score(),
            Gad7Score {
                total: 15,
                severity: Gad7Severity::Severe
            }
        );
        let later = with_total(4);
        let c = later.change_since(&baseline);
        assert_eq!((c.delta, c.direction), (-11, Direction::Improved));
        assert_eq!(baseline.change_since(&later).direction, Direction::Worsened);
        assert_eq!(later.change_since(&later).delta, 0);
    }

    #[test]
    fn band_names_are_stable() {
        let names: Vec<_> = Gad7Severity::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["minimal", "mild", "moderate", "severe"]);
    }
}
