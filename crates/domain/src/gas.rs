//! Goal Attainment Scaling (DESIGN.md): each goal is scored at one of five levels, −2 (much less
//! than expected) to +2 (much more than expected), 0 being the expected outcome. A case's goals
//! combine into a T-score (Kiresuk and Sherman, 1968):
//!
//! ```text
//! T = 50 + 10·Σwᵢxᵢ / √((1−ρ)·Σwᵢ² + ρ·(Σwᵢ)²),  ρ = 0.3
//! ```
//!
//! where xᵢ is goal i's level and wᵢ its weight (1 for every goal when unweighted). 50 means the
//! goals were met as expected; above 50 better, below worse.

use crate::Invalid;

/// The correlation between goals assumed by the formula.
pub const RHO: f64 = 0.3;

/// A goal's attainment level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum GasLevel {
    /// −2
    MuchLessThanExpected,
    /// −1
    LessThanExpected,
    /// 0
    Expected,
    /// +1
    MoreThanExpected,
    /// +2
    MuchMoreThanExpected,
}

impl GasLevel {
    /// From −2 to +2.
    pub const ALL: [GasLevel; 5] = [
        GasLevel::MuchLessThanExpected,
        GasLevel::LessThanExpected,
        GasLevel::Expected,
        GasLevel::MoreThanExpected,
        GasLevel::MuchMoreThanExpected,
    ];

    /// −2..=2.
    pub fn value(self) -> i8 {
        match self {
            GasLevel::MuchLessThanExpected => -2,
            GasLevel::LessThanExpected => -1,
            GasLevel::Expected => 0,
            GasLevel::MoreThanExpected => 1,
            GasLevel::MuchMoreThanExpected => 2,
        }
    }

    /// Stable: used in the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            GasLevel::MuchLessThanExpected => "much_less_than_expected",
            GasLevel::LessThanExpected => "less_than_expected",
            GasLevel::Expected => "expected",
            GasLevel::MoreThanExpected => "more_than_expected",
            GasLevel::MuchMoreThanExpected => "much_more_than_expected",
        }
    }

    /// The level for −2..=2; `None` outside.
    pub fn from_value(value: i64) -> Option<GasLevel> {
        GasLevel::ALL
            .into_iter()
            .find(|l| i64::from(l.value()) == value)
    }

    /// Like [`GasLevel::from_value`], refusing a value outside −2..=2 with `field` named.
    pub fn parse(field: &str, value: i64) -> Result<GasLevel, Invalid> {
        GasLevel::from_value(value).ok_or_else(|| Invalid::new(field, "gas_level_out_of_range"))
    }

    /// Position in [`GasLevel::ALL`]: 0 for −2 … 4 for +2.
    pub fn index(self) -> usize {
        match self {
            GasLevel::MuchLessThanExpected => 0,
            GasLevel::LessThanExpected => 1,
            GasLevel::Expected => 2,
            GasLevel::MoreThanExpected => 3,
            GasLevel::MuchMoreThanExpected => 4,
        }
    }
}

/// Why a T-score cannot be computed. `index` is the goal's position in the list given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GasError {
    #[error("no goals to score")]
    NoGoals,
    #[error("goal {index}: a weight must be a finite number above zero")]
    BadWeight { index: usize },
}

impl GasError {
    /// Stable, with a translated message `error-<code>`.
    pub fn code(self) -> &'static str {
        match self {
            GasError::NoGoals => "gas_no_goals",
            GasError::BadWeight { .. } => "gas_weight_invalid",
        }
    }
}

impl From<GasError> for Invalid {
    fn from(e: GasError) -> Invalid {
        match e {
            GasError::NoGoals => Invalid::new("goals", "gas_no_goals"),
            GasError::BadWeight { index } => {
                Invalid::new(format!("goals[{index}].weight"), "gas_weight_invalid")
            }
        }
    }
}

/// The case's T-score from each goal's level and weight. Weights must be finite and above zero;
/// an empty list is refused. The score depends only on the weights' ratios, so they are scaled
/// by the largest first, which keeps very large or very small weights from overflowing.
pub fn t_score(goals: &[(GasLevel, f64)]) -> Result<f64, GasError> {
    if goals.is_empty() {
        return Err(GasError::NoGoals);
    }
    let mut largest = 0.0f64;
    for (index, (_, weight)) in goals.iter().enumerate() {
        if !weight.is_finite() || *weight <= 0.0 {
            return Err(GasError::BadWeight { index });
        }
        largest = largest.max(*weight);
    }
    let (mut weighted, mut squares, mut sum) = (0.0f64, 0.0f64, 0.0f64);
    for (level, weight) in goals {
        let w = weight / largest;
        weighted += w * f64::from(level.value());
        squares += w * w;
        sum += w;
    }
    // `squares` ≥ 1 (the largest weight scales to 1), so the root is never zero.
    Ok(50.0 + 10.0 * weighted / ((1.0 - RHO) * squares + RHO * sum * sum).sqrt())
}

/// [`t_score`] with every goal weighted 1.
pub fn t_score_unweighted(levels: &[GasLevel]) -> Result<f64, GasError> {
    let goals: Vec<(GasLevel, f64)> = levels.iter().map(|l| (*l, 1.0)).collect();
    t_score(&goals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use GasLevel::*;

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-3,
            "{actual} is not {expected}"
        );
    }

    #[test]
    fn levels_from_minus_two_to_plus_two() {
        for v in -2..=2i64 {
            let level = GasLevel::parse("gas_level", v).unwrap();
            assert_eq!(i64::from(level.value()), v);
            assert_eq!(GasLevel::ALL.get(level.index()), Some(&level));
        }
        for v in [-3, 3, i64::MIN, i64::MAX] {
            let err = GasLevel::parse("goals[1].level", v).unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code),
                ("goals[1].level", "gas_level_out_of_range")
            );
        }
        let names: Vec<_> = GasLevel::ALL.iter().map(|l| l.as_str()).collect();
        assert_eq!(
            names,
            [
                "much_less_than_expected",
                "less_than_expected",
                "expected",
                "more_than_expected",
                "much_more_than_expected"
            ]
        );
    }

    #[test]
    fn one_goal_as_expected_is_fifty() {
        close(t_score(&[(Expected, 1.0)]).unwrap(), 50.0);
        close(t_score(&[(Expected, 7.5)]).unwrap(), 50.0);
        close(
            t_score_unweighted(&[Expected, Expected, Expected]).unwrap(),
            50.0,
        );
    }

    #[test]
    fn one_goal_one_level_up_is_sixty() {
        // 50 + 10·1 / √(0.7·1 + 0.3·1) = 50 + 10/1 = 60, whatever the weight.
        close(t_score(&[(MoreThanExpected, 1.0)]).unwrap(), 60.0);
        close(t_score(&[(MoreThanExpected, 3.0)]).unwrap(), 60.0);
        // One goal at −2: 50 − 20 = 30.
        close(t_score_unweighted(&[MuchLessThanExpected]).unwrap(), 30.0);
    }

    #[test]
    fn unweighted_goals() {
        // +1, +1: 50 + 10·2 / √(0.7·2 + 0.3·4) = 50 + 20/√2.6 = 50 + 12.4035 = 62.4035.
        close(
            t_score_unweighted(&[MoreThanExpected, MoreThanExpected]).unwrap(),
            62.4035,
        );
        // +2, 0, −1: Σx = 1; Σw² = 3; (Σw)² = 9; √(2.1 + 2.7) = √4.8 = 2.19089;
        // 50 + 10/2.19089 = 54.5644.
        close(
            t_score_unweighted(&[MuchMoreThanExpected, Expected, LessThanExpected]).unwrap(),
            54.5644,
        );
        // All three at +2: 50 + 60/√(2.1 + 2.7) = 50 + 27.3861 = 77.3861.
        close(
            t_score_unweighted(&[MuchMoreThanExpected; 3]).unwrap(),
            77.3861,
        );
    }

    #[test]
    fn weighted_goals() {
        // (+2, w 2), (−1, w 1): Σwx = 4 − 1 = 3; Σw² = 5; Σw = 3;
        // √(0.7·5 + 0.3·9) = √6.2 = 2.48998; 50 + 30/2.48998 = 62.0483.
        close(
            t_score(&[(MuchMoreThanExpected, 2.0), (LessThanExpected, 1.0)]).unwrap(),
            62.0483,
        );
        // (+1, w 3), (−2, w 1), (0, w 2): Σwx = 3 − 2 + 0 = 1; Σw² = 9 + 1 + 4 = 14; Σw = 6;
        // √(0.7·14 + 0.3·36) = √(9.8 + 10.8) = √20.6 = 4.53872; 50 + 10/4.53872 = 52.2033.
        close(
            t_score(&[
                (MoreThanExpected, 3.0),
                (MuchLessThanExpected, 1.0),
                (Expected, 2.0),
            ])
            .unwrap(),
            52.2033,
        );
        // Weights count by ratio only: doubling every weight changes nothing.
        let a = t_score(&[(MuchMoreThanExpected, 1.0), (LessThanExpected, 0.5)]).unwrap();
        let b = t_score(&[(MuchMoreThanExpected, 2.0), (LessThanExpected, 1.0)]).unwrap();
        close(a, b);
        // Equal weights are the unweighted score.
        close(
            t_score(&[(MoreThanExpected, 4.0), (MoreThanExpected, 4.0)]).unwrap(),
            62.4035,
        );
    }

    #[test]
    fn worse_than_expected_is_below_fifty_and_the_scale_is_symmetric() {
        let worst = t_score_unweighted(&[MuchLessThanExpected; 4]).unwrap();
        assert!(worst < 50.0);
        let best = t_score_unweighted(&[MuchMoreThanExpected; 4]).unwrap();
        close(worst + best, 100.0);
        let mixed = [
            (MoreThanExpected, 2.0),
            (MuchLessThanExpected, 1.5),
            (LessThanExpected, 1.0),
        ];
        let mirrored: Vec<_> = mixed
            .iter()
            .map(|(l, w)| (GasLevel::ALL[4 - l.index()], *w))
            .collect();
        close(
            t_score(&mixed).unwrap() + t_score(&mirrored).unwrap(),
            100.0,
        );
    }

    #[test]
    fn bad_weights_and_no_goals_are_refused() {
        assert_eq!(t_score(&[]), Err(GasError::NoGoals));
        assert_eq!(t_score_unweighted(&[]), Err(GasError::NoGoals));
        for bad in [0.0, -0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(
                t_score(&[(Expected, 1.0), (MoreThanExpected, bad)]),
                Err(GasError::BadWeight { index: 1 }),
                "{bad}"
            );
        }
        let invalid: Invalid = GasError::BadWeight { index: 1 }.into();
        assert_eq!(
            (invalid.field.as_str(), invalid.code),
            ("goals[1].weight", "gas_weight_invalid")
        );
        assert_eq!(GasError::BadWeight { index: 1 }.code(), invalid.code);
        let invalid: Invalid = GasError::NoGoals.into();
        assert_eq!(
            (invalid.field.as_str(), invalid.code),
            ("goals", GasError::NoGoals.code())
        );
    }

    #[test]
    fn extreme_weights_stay_finite() {
        let huge = t_score(&[
            (MuchMoreThanExpected, f64::MAX),
            (MuchMoreThanExpected, f64::MAX),
        ])
        .unwrap();
        close(
            huge,
            t_score_unweighted(&[MuchMoreThanExpected; 2]).unwrap(),
        );
        let tiny = t_score(&[(MoreThanExpected, f64::MIN_POSITIVE / 1e10)]).unwrap();
        close(tiny, 60.0);
        let lopsided =
            t_score(&[(MoreThanExpected, f64::MAX), (MuchLessThanExpected, 1e-300)]).unwrap();
        close(lopsided, 60.0);
        // The T-score of many goals is bounded: all at +2 with n goals tends to 50 + 20/√0.3.
        let many = t_score_unweighted(&vec![MuchMoreThanExpected; 10_000]).unwrap();
        assert!(many.is_finite() && many < 50.0 + 20.0 / RHO.sqrt());
    }
}
