//! Progress measured against a goal (the intervention stage): either a new value of the goal's
//! measure (the goal names the measure, its baseline and its target) or a Goal Attainment
//! Scaling level from −2 to +2, dated and commented. Only a goal agreed and set (not a draft)
//! takes progress: a draft has no settled measure to measure against.

use crate::client::parse_date;
use crate::gas::GasLevel;
use crate::goal::GoalStatus;
use crate::text::required;
use crate::Invalid;
use time::Date;

const COMMENT_MAX: usize = 2000;
/// A measure's value beyond this is a typing slip.
pub const VALUE_MAX: f64 = 1_000_000_000.0;

/// A progress entry as typed: exactly one of `value` and `gas_level`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ProgressForm {
    /// A new value of the goal's measure.
    #[serde(default)]
    pub value: Option<f64>,
    /// A GAS level, −2 to +2.
    #[serde(default)]
    pub gas_level: Option<i64>,
    /// `YYYY-MM-DD`, today or earlier.
    pub recorded_on: String,
    pub comment: String,
}

/// What a progress entry measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measured {
    Value(f64),
    Level(GasLevel),
}

/// A checked progress entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressEntry {
    pub measured: Measured,
    pub recorded_on: Date,
    pub comment: String,
}

impl ProgressEntry {
    pub fn value(&self) -> Option<f64> {
        match self.measured {
            Measured::Value(v) => Some(v),
            Measured::Level(_) => None,
        }
    }

    pub fn gas_level(&self) -> Option<i64> {
        match self.measured {
            Measured::Level(l) => Some(i64::from(l.value())),
            Measured::Value(_) => None,
        }
    }
}

impl ProgressForm {
    pub fn parse(&self, today: Date) -> Result<ProgressEntry, Invalid> {
        let measured = match (self.value, self.gas_level) {
            (Some(_), Some(_)) => return Err(Invalid::new("value", "progress_value_or_level")),
            (None, None) => return Err(Invalid::new("value", "progress_value_or_level")),
            (Some(v), None) => {
                if !v.is_finite() || v.abs() > VALUE_MAX {
                    return Err(Invalid::new("value", "number_invalid"));
                }
                Measured::Value(v)
            }
            (None, Some(l)) => Measured::Level(GasLevel::parse("gas_level", l)?),
        };
        if self.recorded_on.trim().is_empty() {
            return Err(Invalid::new("recorded_on", "required"));
        }
        let recorded_on = parse_date("recorded_on", &self.recorded_on)?;
        if recorded_on > today {
            return Err(Invalid::new("recorded_on", "date_in_future"));
        }
        Ok(ProgressEntry {
            measured,
            recorded_on,
            comment: required("comment", &self.comment, COMMENT_MAX)?,
        })
    }
}

/// May progress be recorded against a goal in this status? Not while it is a draft.
pub fn check_goal_status(status: GoalStatus) -> Result<(), Invalid> {
    match status {
        GoalStatus::Draft => Err(Invalid::new("goal_id", "goal_is_draft")),
        _ => Ok(()),
    }
}

/// A number from the goal's free-text baseline or target ("7", "3.5", " 12 "), for drawing it;
/// words ("most days") are not drawn.
pub fn reference_value(raw: Option<&str>) -> Option<f64> {
    raw?.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 03 - 10);

    fn value(v: f64) -> ProgressForm {
        ProgressForm {
            value: Some(v),
            gas_level: None,
            recorded_on: "2025-03-10".into(),
            comment: " Three nights in the flat ".into(),
        }
    }

    fn err(r: Result<ProgressEntry, Invalid>) -> (String, &'static str) {
        let e = r.unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn a_value_entry_parses() {
        let p = value(3.0).parse(TODAY).unwrap();
        assert_eq!(p.measured, Measured::Value(3.0));
        assert_eq!(p.value(), Some(3.0));
        assert_eq!(p.gas_level(), None);
        assert_eq!(p.comment, "Three nights in the flat");
        // Negative values are real measures (a balance in arrears).
        assert!(value(-250.0).parse(TODAY).is_ok());
        assert_eq!(
            err(value(f64::NAN).parse(TODAY)),
            ("value".into(), "number_invalid")
        );
    }

    #[test]
    fn gas_levels_run_from_minus_two_to_plus_two() {
        for level in -2..=2 {
            let f = ProgressForm {
                value: None,
                gas_level: Some(level),
                ..value(0.0)
            };
            assert_eq!(f.parse(TODAY).unwrap().gas_level(), Some(level));
        }
        for level in [-3, 3, 300, i64::MIN] {
            let f = ProgressForm {
                value: None,
                gas_level: Some(level),
                ..value(0.0)
            };
            assert_eq!(
                err(f.parse(TODAY)),
                ("gas_level".into(), "gas_level_out_of_range")
            );
        }
    }

    #[test]
    fn exactly_one_of_value_and_level() {
        let both = ProgressForm {
            gas_level: Some(1),
            ..value(2.0)
        };
        assert_eq!(
            err(both.parse(TODAY)),
            ("value".into(), "progress_value_or_level")
        );
        let neither = ProgressForm {
            value: None,
            ..value(2.0)
        };
        assert_eq!(
            err(neither.parse(TODAY)),
            ("value".into(), "progress_value_or_level")
        );
    }

    #[test]
    fn the_date_is_not_in_the_future_and_a_comment_is_required() {
        let tomorrow = ProgressForm {
            recorded_on: "2025-03-11".into(),
            ..value(1.0)
        };
        assert_eq!(
            err(tomorrow.parse(TODAY)),
            ("recorded_on".into(), "date_in_future")
        );
        let silent = ProgressForm {
            comment: "  ".into(),
            ..value(1.0)
        };
        assert_eq!(err(silent.parse(TODAY)), ("comment".into(), "required"));
    }

    #[test]
    fn draft_goals_take_no_progress() {
        let e = check_goal_status(GoalStatus::Draft).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("goal_id", "goal_is_draft"));
        assert!(check_goal_status(GoalStatus::Active).is_ok());
        assert!(check_goal_status(GoalStatus::Achieved).is_ok());
    }

    #[test]
    fn numeric_baselines_and_targets_are_drawn() {
        assert_eq!(reference_value(Some(" 7 ")), Some(7.0));
        assert_eq!(reference_value(Some("3.5")), Some(3.5));
        assert_eq!(reference_value(Some("most days")), None);
        assert_eq!(reference_value(None), None);
    }
}
