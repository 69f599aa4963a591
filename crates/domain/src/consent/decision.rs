//! The one question every disclosure asks: does a consent the client gave cover this recipient,
//! this purpose and every category sent, on this day?

use super::{Category, ConsentRecipient, Purpose, Recipient};
use std::collections::BTreeSet;
use time::Date;

/// A stored consent to share, as the decision needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentFacts {
    pub id: i64,
    pub recipient: ConsentRecipient,
    pub purpose: Purpose,
    pub categories: BTreeSet<Category>,
    /// The first day it covers.
    pub starts_on: Date,
    /// The last day it covers; None until revoked.
    pub expires_on: Option<Date>,
    /// Revocation takes effect at once: a revoked consent covers nothing from then on.
    pub revoked: bool,
}

impl ConsentFacts {
    /// Is it in force on `day` (started, not past its last day, not revoked)?
    pub fn in_force(&self, day: Date) -> bool {
        !self.revoked && self.starts_on <= day && self.expires_on.is_none_or(|e| day <= e)
    }
}

/// Why no consent covers a disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uncovered {
    /// No consent names this recipient (or its kind) for this purpose.
    NoConsent,
    /// The closest consent in force lacks these categories.
    Categories {
        consent_id: i64,
        missing: Vec<Category>,
    },
    /// Consent for this recipient and purpose was revoked.
    Revoked { consent_id: i64 },
    /// It ran past its last day.
    Expired { consent_id: i64 },
    /// Its first day has not come yet.
    NotYetStarted { consent_id: i64 },
}

impl Uncovered {
    /// Stable codes for what is missing: the missing categories' codes, or one reason.
    pub fn codes(&self) -> Vec<&'static str> {
        match self {
            Uncovered::NoConsent => vec!["no_consent"],
            Uncovered::Categories { missing, .. } => missing.iter().map(|c| c.as_str()).collect(),
            Uncovered::Revoked { .. } => vec!["consent_revoked"],
            Uncovered::Expired { .. } => vec!["consent_expired"],
            Uncovered::NotYetStarted { .. } => vec!["consent_not_started"],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// This consent covers the whole disclosure.
    Covered(i64),
    NotCovered(Uncovered),
}

/// May information in `categories` go to `to` for `purpose` on `day`? One consent must cover
/// the recipient, the purpose and every category: a disclosure is recorded under one consent.
/// A consent to a named organisation covers that organisation; a consent to a kind covers every
/// organisation of that kind. When several consents cover, the newest (highest id) is named.
pub fn may_disclose(
    consents: &[ConsentFacts],
    to: &Recipient,
    purpose: &Purpose,
    categories: &BTreeSet<Category>,
    day: Date,
) -> Coverage {
    let matching: Vec<&ConsentFacts> = consents
        .iter()
        .filter(|c| c.recipient.covers(to) && c.purpose.same_as(purpose))
        .collect();
    let mut in_force: Vec<(&ConsentFacts, Vec<Category>)> = matching
        .iter()
        .filter(|c| c.in_force(day))
        .map(|c| {
            let missing = categories.difference(&c.categories).copied().collect();
            (*c, missing)
        })
        .collect();
    // Fewest missing first, then newest.
    in_force.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.id.cmp(&a.0.id)));
    if let Some((c, missing)) = in_force.into_iter().next() {
        return if missing.is_empty() {
            Coverage::Covered(c.id)
        } else {
            Coverage::NotCovered(Uncovered::Categories {
                consent_id: c.id,
                missing,
            })
        };
    }
    let newest = |pick: &dyn Fn(&ConsentFacts) -> bool| {
        matching.iter().filter(|c| pick(c)).map(|c| c.id).max()
    };
    let why = if let Some(id) = newest(&|c| c.revoked) {
        Uncovered::Revoked { consent_id: id }
    } else if let Some(id) = newest(&|c| c.expires_on.is_some_and(|e| e < day)) {
        Uncovered::Expired { consent_id: id }
    } else if let Some(id) = newest(&|c| c.starts_on > day) {
        Uncovered::NotYetStarted { consent_id: id }
    } else {
        Uncovered::NoConsent
    };
    Coverage::NotCovered(why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{OrganisationKind, PurposeKind};
    use time::macros::date;

    fn cats(list: &[Category]) -> BTreeSet<Category> {
        list.iter().copied().collect()
    }

    fn clinic() -> Recipient {
        Recipient {
            name: "Eastside Clinic".into(),
            kind: Some(OrganisationKind::HealthCare),
        }
    }

    fn consent(id: i64) -> ConsentFacts {
        ConsentFacts {
            id,
            recipient: ConsentRecipient::Organisation {
                name: "eastside  clinic".into(),
                kind: None,
            },
            purpose: Purpose::Listed(PurposeKind::CareCoordination),
            categories: cats(&[Category::Identity, Category::Contact, Category::Health]),
            starts_on: date!(2026 - 03 - 01),
            expires_on: Some(date!(2026 - 08 - 31)),
            revoked: false,
        }
    }

    const CARE: Purpose = Purpose::Listed(PurposeKind::CareCoordination);

    fn ask(consents: &[ConsentFacts], what: &[Category], day: Date) -> Coverage {
        may_disclose(consents, &clinic(), &CARE, &cats(what), day)
    }

    #[test]
    fn a_consent_covers_its_recipient_purpose_and_categories() {
        assert_eq!(
            ask(
                &[consent(1)],
                &[Category::Identity, Category::Health],
                date!(2026 - 05 - 01)
            ),
            Coverage::Covered(1)
        );
    }

    #[test]
    fn the_first_and_last_days_are_covered_and_the_days_outside_are_not() {
        let c = [consent(1)];
        let id = [Category::Identity];
        assert_eq!(ask(&c, &id, date!(2026 - 03 - 01)), Coverage::Covered(1));
        assert_eq!(ask(&c, &id, date!(2026 - 08 - 31)), Coverage::Covered(1));
        assert_eq!(
            ask(&c, &id, date!(2026 - 09 - 01)),
            Coverage::NotCovered(Uncovered::Expired { consent_id: 1 })
        );
        assert_eq!(
            ask(&c, &id, date!(2026 - 02 - 28)),
            Coverage::NotCovered(Uncovered::NotYetStarted { consent_id: 1 })
        );
        let open = ConsentFacts {
            expires_on: None,
            ..consent(2)
        };
        assert_eq!(
            ask(&[open], &id, date!(2040 - 01 - 01)),
            Coverage::Covered(2)
        );
    }

    #[test]
    fn a_revoked_consent_covers_nothing() {
        let revoked = ConsentFacts {
            revoked: true,
            ..consent(1)
        };
        assert_eq!(
            ask(
                std::slice::from_ref(&revoked),
                &[Category::Identity],
                date!(2026 - 05 - 01)
            ),
            Coverage::NotCovered(Uncovered::Revoked { consent_id: 1 })
        );
        // Another consent in force still covers.
        assert_eq!(
            ask(
                &[revoked, consent(2)],
                &[Category::Identity],
                date!(2026 - 05 - 01)
            ),
            Coverage::Covered(2)
        );
    }

    #[test]
    fn partial_coverage_names_the_missing_categories() {
        assert_eq!(
            ask(
                &[consent(1)],
                &[Category::Identity, Category::SubstanceUse, Category::Legal],
                date!(2026 - 05 - 01)
            ),
            Coverage::NotCovered(Uncovered::Categories {
                consent_id: 1,
                missing: vec![Category::SubstanceUse, Category::Legal],
            })
        );
        // Two consents each covering half do not add up: one consent must cover it all.
        let a = ConsentFacts {
            categories: cats(&[Category::Identity]),
            ..consent(1)
        };
        let b = ConsentFacts {
            categories: cats(&[Category::Health]),
            ..consent(2)
        };
        assert!(matches!(
            ask(
                &[a, b],
                &[Category::Identity, Category::Health],
                date!(2026 - 05 - 01)
            ),
            Coverage::NotCovered(Uncovered::Categories { .. })
        ));
    }

    #[test]
    fn a_kind_covers_every_organisation_of_that_kind_and_a_name_only_itself() {
        let kind = ConsentFacts {
            recipient: ConsentRecipient::Kind(OrganisationKind::HealthCare),
            ..consent(1)
        };
        let day = date!(2026 - 05 - 01);
        let what = cats(&[Category::Identity]);
        assert_eq!(
            may_disclose(std::slice::from_ref(&kind), &clinic(), &CARE, &what, day),
            Coverage::Covered(1)
        );
        let housing = Recipient {
            name: "Eastside Clinic".into(),
            kind: Some(OrganisationKind::Housing),
        };
        assert_eq!(
            may_disclose(std::slice::from_ref(&kind), &housing, &CARE, &what, day),
            Coverage::NotCovered(Uncovered::NoConsent)
        );
        let no_kind = Recipient {
            name: "Westside Clinic".into(),
            kind: None,
        };
        assert_eq!(
            may_disclose(&[kind], &no_kind, &CARE, &what, day),
            Coverage::NotCovered(Uncovered::NoConsent)
        );
        // The named consent covers the same name however it is typed, not another name.
        assert_eq!(
            may_disclose(&[consent(2)], &housing, &CARE, &what, day),
            Coverage::Covered(2)
        );
        assert_eq!(
            may_disclose(&[consent(2)], &no_kind, &CARE, &what, day),
            Coverage::NotCovered(Uncovered::NoConsent)
        );
    }

    #[test]
    fn another_purpose_is_not_covered() {
        let referral = Purpose::Listed(PurposeKind::Referral);
        assert_eq!(
            may_disclose(
                &[consent(1)],
                &clinic(),
                &referral,
                &cats(&[Category::Identity]),
                date!(2026 - 05 - 01)
            ),
            Coverage::NotCovered(Uncovered::NoConsent)
        );
        assert_eq!(Uncovered::NoConsent.codes(), vec!["no_consent"]);
    }

    #[test]
    fn the_newest_covering_consent_is_named() {
        assert_eq!(
            ask(
                &[consent(3), consent(7), consent(5)],
                &[Category::Identity],
                date!(2026 - 05 - 01)
            ),
            Coverage::Covered(7)
        );
    }
}
