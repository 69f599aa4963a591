//! The self-sufficiency matrix: domains of a client's life, each rated 1 (in crisis) to 5
//! (empowered). An assessment rates at least one domain and each domain at most once; a program
//! decides which domains it asks about.

use super::{change, Better, Change};
use crate::Invalid;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A domain of life. Ordered as listed, which is the order forms and charts show them in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SsmDomain {
    Housing,
    Income,
    Employment,
    Food,
    Childcare,
    Health,
    MentalHealth,
    SubstanceUse,
    Safety,
    Legal,
    FamilyRelations,
    CommunityInvolvement,
}

impl SsmDomain {
    pub const ALL: [SsmDomain; 12] = [
        SsmDomain::Housing,
        SsmDomain::Income,
        SsmDomain::Employment,
        SsmDomain::Food,
        SsmDomain::Childcare,
        SsmDomain::Health,
        SsmDomain::MentalHealth,
        SsmDomain::SubstanceUse,
        SsmDomain::Safety,
        SsmDomain::Legal,
        SsmDomain::FamilyRelations,
        SsmDomain::CommunityInvolvement,
    ];

    /// Stable: stored, used in the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            SsmDomain::Housing => "housing",
            SsmDomain::Income => "income",
            SsmDomain::Employment => "employment",
            SsmDomain::Food => "food",
            SsmDomain::Childcare => "childcare",
            SsmDomain::Health => "health",
            SsmDomain::MentalHealth => "mental_health",
            SsmDomain::SubstanceUse => "substance_use",
            SsmDomain::Safety => "safety",
            SsmDomain::Legal => "legal",
            SsmDomain::FamilyRelations => "family_relations",
            SsmDomain::CommunityInvolvement => "community_involvement",
        }
    }
}

impl fmt::Display for SsmDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown self-sufficiency domain: {0}")]
pub struct UnknownDomain(pub String);

impl FromStr for SsmDomain {
    type Err = UnknownDomain;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SsmDomain::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownDomain(s.to_string()))
    }
}

/// A domain's rating. Ordered from worst to best.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SsmRating {
    /// 1
    InCrisis,
    /// 2
    Vulnerable,
    /// 3
    Safe,
    /// 4
    BuildingCapacity,
    /// 5
    Empowered,
}

impl SsmRating {
    pub const ALL: [SsmRating; 5] = [
        SsmRating::InCrisis,
        SsmRating::Vulnerable,
        SsmRating::Safe,
        SsmRating::BuildingCapacity,
        SsmRating::Empowered,
    ];

    /// Stable: stored, used in the API and as a message id suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            SsmRating::InCrisis => "in_crisis",
            SsmRating::Vulnerable => "vulnerable",
            SsmRating::Safe => "safe",
            SsmRating::BuildingCapacity => "building_capacity",
            SsmRating::Empowered => "empowered",
        }
    }

    /// 1–5.
    pub fn value(self) -> u8 {
        match self {
            SsmRating::InCrisis => 1,
            SsmRating::Vulnerable => 2,
            SsmRating::Safe => 3,
            SsmRating::BuildingCapacity => 4,
            SsmRating::Empowered => 5,
        }
    }

    /// `None` outside 1–5.
    pub fn from_value(value: i64) -> Option<SsmRating> {
        SsmRating::ALL
            .into_iter()
            .find(|r| i64::from(r.value()) == value)
    }
}

impl fmt::Display for SsmRating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SsmRating {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        SsmRating::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(())
    }
}

/// A self-sufficiency assessment: at least one domain, each rated once. Serializes as a map from
/// domain to rating name, e.g. `{"housing": "vulnerable", "income": "safe"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct SelfSufficiency {
    ratings: BTreeMap<SsmDomain, SsmRating>,
}

/// One domain in a comparison with the baseline. A domain rated in only one of the two
/// assessments has no change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DomainChange {
    pub domain: SsmDomain,
    pub baseline: Option<SsmRating>,
    pub later: Option<SsmRating>,
    pub change: Option<Change<i8>>,
}

/// A later self-sufficiency assessment compared with the baseline. `average` compares each
/// assessment's own average; when the two rate different domains, look at `domains`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SsmComparison {
    pub average: Change<f64>,
    /// Every domain rated in either assessment, in [`SsmDomain`] order.
    pub domains: Vec<DomainChange>,
}

impl SelfSufficiency {
    /// `(domain, rating)` pairs as a form or an API body gives them: the domain by its stable
    /// name, the rating 1–5. Errors name the pair: `ratings[2].domain`, `ratings[2].rating`.
    pub fn parse<S: AsRef<str>>(ratings: &[(S, i64)]) -> Result<SelfSufficiency, Invalid> {
        if ratings.is_empty() {
            return Err(Invalid::new("ratings", "no_domain_rated"));
        }
        let mut parsed = BTreeMap::new();
        for (i, (domain, rating)) in ratings.iter().enumerate() {
            let domain: SsmDomain = domain
                .as_ref()
                .trim()
                .parse()
                .map_err(|_| Invalid::new(format!("ratings[{i}].domain"), "unknown_choice"))?;
            let rating = SsmRating::from_value(*rating).ok_or_else(|| {
                Invalid::new(format!("ratings[{i}].rating"), "rating_out_of_range")
            })?;
            if parsed.insert(domain, rating).is_some() {
                let field = format!("ratings[{i}].domain");
                return Err(Invalid::new(field, "domain_repeated"));
            }
        }
        Ok(SelfSufficiency { ratings: parsed })
    }

    /// Already-typed ratings (as read back from the store). Refuses no domain and a domain twice.
    pub fn from_ratings(
        ratings: impl IntoIterator<Item = (SsmDomain, SsmRating)>,
    ) -> Result<SelfSufficiency, Invalid> {
        let pairs: Vec<(&'static str, i64)> = ratings
            .into_iter()
            .map(|(d, r)| (d.as_str(), i64::from(r.value())))
            .collect();
        SelfSufficiency::parse(&pairs)
    }

    /// The rated domains in [`SsmDomain`] order.
    pub fn ratings(&self) -> impl Iterator<Item = (SsmDomain, SsmRating)> + '_ {
        self.ratings.iter().map(|(d, r)| (*d, *r))
    }

    pub fn rating(&self, domain: SsmDomain) -> Option<SsmRating> {
        self.ratings.get(&domain).copied()
    }

    /// How many domains are rated (at least one).
    pub fn len(&self) -> usize {
        self.ratings.len()
    }

    /// Always false: a parsed assessment rates at least one domain.
    pub fn is_empty(&self) -> bool {
        self.ratings.is_empty()
    }

    /// The mean rating over the rated domains, 1.0–5.0.
    pub fn average(&self) -> f64 {
        let sum: u32 = self.ratings.values().map(|r| u32::from(r.value())).sum();
        // At most 12 domains, so both conversions are exact.
        f64::from(sum) / f64::from(u32::try_from(self.ratings.len().max(1)).unwrap_or(1))
    }

    /// This assessment compared with the baseline, overall and domain by domain; a higher
    /// rating is better.
    pub fn compare_with(&self, baseline: &SelfSufficiency) -> SsmComparison {
        let domains = SsmDomain::ALL
            .into_iter()
            .filter_map(|domain| {
                let before = baseline.rating(domain);
                let after = self.rating(domain);
                let change = match (before, after) {
                    (Some(b), Some(a)) => Some(change(rating_i8(b), rating_i8(a), Better::Higher)),
                    (None, None) => return None,
                    _ => None,
                };
                Some(DomainChange {
                    domain,
                    baseline: before,
                    later: after,
                    change,
                })
            })
            .collect();
        SsmComparison {
            average: change(baseline.average(), self.average(), Better::Higher),
            domains,
        }
    }
}

fn rating_i8(rating: SsmRating) -> i8 {
    // 1–5 always fits.
    i8::try_from(rating.value()).unwrap_or(i8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Direction;

    #[test]
    fn names_round_trip() {
        for d in SsmDomain::ALL {
            assert_eq!(d.as_str().parse::<SsmDomain>().unwrap(), d);
        }
        for r in SsmRating::ALL {
            assert_eq!(r.as_str().parse::<SsmRating>().unwrap(), r);
            assert_eq!(SsmRating::from_value(i64::from(r.value())), Some(r));
        }
        assert!("Housing".parse::<SsmDomain>().is_err());
        assert!("".parse::<SsmRating>().is_err());
    }

    #[test]
    fn ratings_are_one_to_five_with_their_names() {
        let names: Vec<_> = (1..=5)
            .map(|v| SsmRating::from_value(v).unwrap().as_str())
            .collect();
        assert_eq!(
            names,
            [
                "in_crisis",
                "vulnerable",
                "safe",
                "building_capacity",
                "empowered"
            ]
        );
        for v in [0, 6, -1, i64::MIN, i64::MAX] {
            assert_eq!(SsmRating::from_value(v), None);
        }
    }

    #[test]
    fn twelve_domains_with_stable_names() {
        let names: Vec<_> = SsmDomain::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(
            names,
            [
                "housing",
                "income",
                "employment",
                "food",
                "childcare",
                "health",
                "mental_health",
                "substance_use",
                "safety",
                "legal",
                "family_relations",
                "community_involvement"
            ]
        );
    }

    #[test]
    fn parse_and_average() {
        let ssm = SelfSufficiency::parse(&[("housing", 1), ("income", 2), ("food", 4)]).unwrap();
        assert_eq!(ssm.len(), 3);
        assert!(!ssm.is_empty());
        assert_eq!(ssm.rating(SsmDomain::Housing), Some(SsmRating::InCrisis));
        assert_eq!(ssm.rating(SsmDomain::Legal), None);
        assert!((ssm.average() - 7.0 / 3.0).abs() < 1e-12);
        let all_five: Vec<_> = SsmDomain::ALL.iter().map(|d| (d.as_str(), 5)).collect();
        assert_eq!(SelfSufficiency::parse(&all_five).unwrap().average(), 5.0);
        assert_eq!(
            SelfSufficiency::parse(&[("legal", 1)]).unwrap().average(),
            1.0
        );
    }

    #[test]
    fn ratings_come_back_in_domain_order() {
        let ssm = SelfSufficiency::parse(&[("legal", 3), ("housing", 2)]).unwrap();
        let order: Vec<_> = ssm.ratings().map(|(d, _)| d).collect();
        assert_eq!(order, [SsmDomain::Housing, SsmDomain::Legal]);
        assert_eq!(SelfSufficiency::from_ratings(ssm.ratings()).unwrap(), ssm);
    }

    #[test]
    fn bad_input_is_named() {
        type Case<'a> = (&'a [(&'a str, i64)], &'a str, &'a str);
        let cases: [Case; 6] = [
            (&[], "ratings", "no_domain_rated"),
            (
                &[("housing", 3), ("wealth", 3)],
                "ratings[1].domain",
                "unknown_choice",
            ),
            (
                &[("housing", 0)],
                "ratings[0].rating",
                "rating_out_of_range",
            ),
            (
                &[("food", 3), ("housing", 6)],
                "ratings[1].rating",
                "rating_out_of_range",
            ),
            (
                &[("housing", -1)],
                "ratings[0].rating",
                "rating_out_of_range",
            ),
            (
                &[("housing", 3), ("food", 3), ("housing", 4)],
                "ratings[2].domain",
                "domain_repeated",
            ),
        ];
        for (input, field, code) in cases {
            let err = SelfSufficiency::parse(input).unwrap_err();
            assert_eq!((err.field.as_str(), err.code), (field, code), "{input:?}");
        }
        let err = SelfSufficiency::from_ratings([
            (SsmDomain::Food, SsmRating::Safe),
            (SsmDomain::Food, SsmRating::Empowered),
        ])
        .unwrap_err();
        assert_eq!(err.code, "domain_repeated");
    }

    #[test]
    fn comparison_with_the_baseline_domain_by_domain() {
        let baseline =
            SelfSufficiency::parse(&[("housing", 1), ("income", 3), ("food", 2), ("legal", 4)])
                .unwrap();
        let later = SelfSufficiency::parse(&[
            ("housing", 3),
            ("income", 3),
            ("food", 1),
            ("employment", 2),
        ])
        .unwrap();
        let cmp = later.compare_with(&baseline);
        // Baseline average (1+3+2+4)/4 = 2.5; later (3+3+1+2)/4 = 2.25.
        assert_eq!(cmp.average.direction, Direction::Worsened);
        assert!((cmp.average.delta - (-0.25)).abs() < 1e-12);
        let summary: Vec<_> = cmp
            .domains
            .iter()
            .map(|d| (d.domain, d.change.map(|c| (c.delta, c.direction))))
            .collect();
        assert_eq!(
            summary,
            [
                (SsmDomain::Housing, Some((2, Direction::Improved))),
                (SsmDomain::Income, Some((0, Direction::Same))),
                (SsmDomain::Employment, None),
                (SsmDomain::Food, Some((-1, Direction::Worsened))),
                (SsmDomain::Legal, None),
            ]
        );
        let legal = cmp.domains.last().unwrap();
        assert_eq!(
            (legal.baseline, legal.later),
            (Some(SsmRating::BuildingCapacity), None)
        );
        let back = baseline.compare_with(&later);
        assert_eq!(back.average.direction, Direction::Improved);
    }
}
