//! Standard assessment instruments, scored here so every layer shows the same numbers
//! (DESIGN.md, "Words of the field"): PHQ-9, GAD-7 and the self-sufficiency matrix.
//!
//! Each instrument is parsed from the answers as given, so a value of its type always holds a
//! complete, in-range set of answers; scores and bands are then plain functions of it. A bad answer
//! is refused with the item named: `answers[8]` is item 9 (fields count from zero, like every
//! other list in the domain).

pub mod gad7;
pub mod phq9;
pub mod ssm;

pub use gad7::{Gad7, Gad7Score, Gad7Severity};
pub use phq9::{Phq9, Phq9Score, Phq9Severity};
pub use ssm::{DomainChange, SelfSufficiency, SsmComparison, SsmDomain, SsmRating};

use crate::Invalid;
use std::ops::Sub;

/// Which way a score moves when the client is doing better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// PHQ-9, GAD-7: fewer symptoms.
    Lower,
    /// Self-sufficiency matrix: more capacity.
    Higher,
}

/// How a later assessment compares with the baseline, in the client's favour or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Improved,
    Worsened,
    Same,
}

impl Direction {
    /// Stable: used in the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Improved => "improved",
            Direction::Worsened => "worsened",
            Direction::Same => "same",
        }
    }
}

/// A later score compared with the baseline: `delta` is `later - baseline` as numbers (so a PHQ-9
/// that fell from 15 to 9 has delta −6 and is [`Direction::Improved`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Change<T> {
    pub delta: T,
    pub direction: Direction,
}

/// Compares a later score with the baseline. Values that cannot be ordered (a NaN) count as
/// [`Direction::Same`]; the instruments in this module never produce one.
pub fn change<T>(baseline: T, later: T, better: Better) -> Change<T>
where
    T: Copy + PartialOrd + Sub<Output = T>,
{
    let direction = match (later.partial_cmp(&baseline), better) {
        (Some(std::cmp::Ordering::Less), Better::Lower)
        | (Some(std::cmp::Ordering::Greater), Better::Higher) => Direction::Improved,
        (Some(std::cmp::Ordering::Less), Better::Higher)
        | (Some(std::cmp::Ordering::Greater), Better::Lower) => Direction::Worsened,
        _ => Direction::Same,
    };
    Change {
        delta: later - baseline,
        direction,
    }
}

/// Answers of a 0–3 questionnaire (PHQ-9, GAD-7): exactly `N` of them, none missing, each 0–3.
pub(crate) fn parse_answers<const N: usize>(answers: &[Option<i64>]) -> Result<[u8; N], Invalid> {
    if answers.len() != N {
        return Err(Invalid::new("answers", "wrong_answer_count"));
    }
    let mut parsed = [0u8; N];
    for (i, (slot, answer)) in parsed.iter_mut().zip(answers).enumerate() {
        let Some(value) = *answer else {
            return Err(Invalid::new(format!("answers[{i}]"), "answer_missing"));
        };
        *slot = u8::try_from(value)
            .ok()
            .filter(|v| *v <= 3)
            .ok_or_else(|| Invalid::new(format!("answers[{i}]"), "answer_out_of_range"))?;
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_is_better_for_symptom_scores() {
        assert_eq!(
            change(15, 9, Better::Lower),
            Change {
                delta: -6,
                direction: Direction::Improved
            }
        );
        assert_eq!(
            change(9, 15, Better::Lower),
            Change {
                delta: 6,
                direction: Direction::Worsened
            }
        );
        assert_eq!(change(9, 9, Better::Lower).direction, Direction::Same);
    }

    #[test]
    fn higher_is_better_for_capacity_scores() {
        assert_eq!(change(2, 4, Better::Higher).direction, Direction::Improved);
        assert_eq!(change(4, 2, Better::Higher).direction, Direction::Worsened);
        assert_eq!(change(3.5, 3.5, Better::Higher).direction, Direction::Same);
        assert_eq!(
            change(f64::NAN, 1.0, Better::Higher).direction,
            Direction::Same
        );
    }

    #[test]
    fn answers_are_counted_before_they_are_read() {
        let err = parse_answers::<3>(&[Some(9), Some(9)]).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("answers", "wrong_answer_count")
        );
        let err = parse_answers::<3>(&[Some(0), None, Some(9)]).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("answers[1]", "answer_missing")
        );
        let err = parse_answers::<3>(&[Some(0), Some(1), Some(i64::MIN)]).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("answers[2]", "answer_out_of_range")
        );
        let err = parse_answers::<3>(&[Some(i64::MAX), Some(1), Some(1)]).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("answers[0]", "answer_out_of_range")
        );
        assert_eq!(parse_answers::<0>(&[]).unwrap(), [0u8; 0]);
    }

    #[test]
    fn direction_names_are_stable() {
        for (d, s) in [
            (Direction::Improved, "improved"),
            (Direction::Worsened, "worsened"),
            (Direction::Same, "same"),
        ] {
            assert_eq!(d.as_str(), s);
        }
    }
}
