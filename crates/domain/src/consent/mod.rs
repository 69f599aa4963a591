//! Consent to share and disclosure: the words (recipients, purposes, information categories, how
//! consent was given, channels, legal bases), the forms that check them, and the one decision
//! every channel that sends client information outside the agency asks: [`may_disclose`].
//!
//! Information categories (what a consent may cover and a disclosure may contain):
//!
//! | code | what it is |
//! | --- | --- |
//! | `identity` | names, pronouns, birth date, gender identity, preferred language, identifiers |
//! | `contact` | phone, email, address, safe-contact instructions |
//! | `household` | the people the client lives with |
//! | `assessment` | the assessment: needs, strengths, risk, instruments |
//! | `goals_and_plan` | goals, interventions and tasks |
//! | `case_notes` | case notes and contacts |
//! | `health` | physical health |
//! | `mental_health` | mental health |
//! | `substance_use` | alcohol and drug use and its treatment |
//! | `legal` | legal matters, courts, probation |
//! | `immigration` | immigration status and proceedings |
//! | `financial` | income, benefits, debts |
//!
//! A consent names one purpose and a set of categories; a disclosure is covered only by ONE
//! consent that covers every category it sends (it is recorded "under" that consent).

mod decision;
mod form;

pub use decision::{may_disclose, ConsentFacts, Coverage, Uncovered};
pub use form::{
    Basis, ConsentRecipient, DisclosureForm, DisclosureRequest, LegalBasis, LegalBasisForm,
    Recipient, RevocationForm, ShareConsent, ShareConsentForm,
};

use std::fmt;
use std::str::FromStr;

macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

words!(
    /// What kind of information; see the table in the module documentation.
    Category {
        Identity = "identity",
        Contact = "contact",
        Household = "household",
        Assessment = "assessment",
        GoalsAndPlan = "goals_and_plan",
        CaseNotes = "case_notes",
        Health = "health",
        MentalHealth = "mental_health",
        SubstanceUse = "substance_use",
        Legal = "legal",
        Immigration = "immigration",
        Financial = "financial",
    }
);

impl Category {
    /// What a printed summary for a third party can hold today: the client record's identity,
    /// contact and household fields and the cases' goals and plans.
    pub const PRINTABLE: &'static [Category] = &[
        Category::Identity,
        Category::Contact,
        Category::Household,
        Category::GoalsAndPlan,
    ];
}

words!(
    /// A kind of organisation, for a consent that covers any organisation of that kind.
    OrganisationKind {
        HealthCare = "health_care",
        MentalHealth = "mental_health",
        SubstanceUseTreatment = "substance_use_treatment",
        Housing = "housing",
        Education = "education",
        Employment = "employment",
        IncomeBenefits = "income_benefits",
        LegalAid = "legal_aid",
        Court = "court",
        ChildWelfare = "child_welfare",
        SocialServices = "social_services",
    }
);

words!(
    /// Why information is shared. `other` carries the purpose in words.
    PurposeKind {
        CareCoordination = "care_coordination",
        Referral = "referral",
        BenefitsApplication = "benefits_application",
        HousingApplication = "housing_application",
        Treatment = "treatment",
        LegalProceedings = "legal_proceedings",
        Education = "education",
        Other = "other",
    }
);

words!(
    /// How the client gave consent.
    GivenHow {
        Signed = "signed",
        Verbal = "verbal",
        Witnessed = "witnessed",
        Electronic = "electronic",
    }
);

words!(
    /// How information left the agency.
    Channel {
        PrintedSummary = "printed_summary",
        Letter = "letter",
        Phone = "phone",
        Email = "email",
        InPerson = "in_person",
        Referral = "referral",
        Export = "export",
        Api = "api",
    }
);

words!(
    /// The legal ground for a disclosure made without consent.
    LegalBasisKind {
        RequiredByLaw = "required_by_law",
        CourtOrder = "court_order",
        SeriousRisk = "serious_risk",
    }
);

/// A purpose: one of the fixed list, or `other` in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Listed(PurposeKind),
    Other(String),
}

impl Purpose {
    pub fn kind(&self) -> PurposeKind {
        match self {
            Purpose::Listed(k) => *k,
            Purpose::Other(_) => PurposeKind::Other,
        }
    }

    pub fn words(&self) -> Option<&str> {
        match self {
            Purpose::Other(w) => Some(w),
            Purpose::Listed(_) => None,
        }
    }

    /// The same purpose? "Other" purposes compare by their words, ignoring case and spacing.
    pub fn same_as(&self, other: &Purpose) -> bool {
        match (self, other) {
            (Purpose::Listed(a), Purpose::Listed(b)) => a == b,
            (Purpose::Other(a), Purpose::Other(b)) => same_words(a, b),
            _ => false,
        }
    }

    /// From the stored or typed kind and words.
    pub fn parse(kind: &str, words: Option<&str>) -> Result<Purpose, crate::Invalid> {
        let kind: PurposeKind = kind
            .trim()
            .parse()
            .map_err(|_| crate::Invalid::new("purpose", "unknown_choice"))?;
        match kind {
            PurposeKind::Other => {
                match crate::text::optional("purpose_other", words, form::NAME_MAX)? {
                    Some(w) => Ok(Purpose::Other(w)),
                    None => Err(crate::Invalid::new("purpose_other", "required")),
                }
            }
            k => Ok(Purpose::Listed(k)),
        }
    }
}

/// Who may record or revoke a client's consents and send their information out: those who may
/// change the client's profile, except intake workers, who hand the client over and do not
/// hold the case content a disclosure would carry.
pub fn consent_access(
    actor: &crate::access::Actor,
    reach: &crate::access::ClientReach,
) -> crate::access::Decision {
    use crate::access::{client_access, ClientAction, Decision};
    match client_access(actor, reach, ClientAction::UpdateProfile) {
        Decision::Allow if actor.role == crate::Role::IntakeWorker => Decision::Forbidden,
        d => d,
    }
}

/// Names compare without case and with runs of spaces as one.
pub(crate) fn same_words(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

/// Categories from their codes, each once, in a fixed order; an unknown code names the field.
pub fn parse_categories<S: AsRef<str>>(
    raw: &[S],
) -> Result<std::collections::BTreeSet<Category>, crate::Invalid> {
    let mut out = std::collections::BTreeSet::new();
    for r in raw {
        let c: Category = r
            .as_ref()
            .trim()
            .parse()
            .map_err(|_| crate::Invalid::new("categories", "unknown_choice"))?;
        out.insert(c);
    }
    if out.is_empty() {
        return Err(crate::Invalid::new("categories", "required"));
    }
    Ok(out)
}

/// Categories as stored: codes joined by commas.
pub fn categories_text(c: &std::collections::BTreeSet<Category>) -> String {
    c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

/// Categories from their stored text; unknown codes are dropped (never widen what was given).
pub fn categories_of(text: &str) -> std::collections::BTreeSet<Category> {
    text.split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(*c));
        }
        for k in OrganisationKind::ALL {
            assert_eq!(k.as_str().parse::<OrganisationKind>(), Ok(*k));
        }
        for p in PurposeKind::ALL {
            assert_eq!(p.as_str().parse::<PurposeKind>(), Ok(*p));
        }
        for g in GivenHow::ALL {
            assert_eq!(g.as_str().parse::<GivenHow>(), Ok(*g));
        }
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(*c));
        }
        for b in LegalBasisKind::ALL {
            assert_eq!(b.as_str().parse::<LegalBasisKind>(), Ok(*b));
        }
    }

    #[test]
    fn intake_may_not_send_information_out_and_strangers_do_not_see_the_client() {
        use crate::access::{Actor, ClientReach, Decision};
        use crate::Role;
        let reach = ClientReach {
            agency_id: 1,
            registered_by: Some(30),
            case_workers: vec![10],
            case_teams: vec![5],
        };
        let actor = |id, role, team| Actor {
            user_id: id,
            agency_id: 1,
            role,
            team_id: team,
        };
        assert!(consent_access(&actor(10, Role::Caseworker, Some(5)), &reach).allowed());
        assert!(consent_access(&actor(20, Role::Supervisor, Some(5)), &reach).allowed());
        assert_eq!(
            consent_access(&actor(30, Role::IntakeWorker, None), &reach),
            Decision::Forbidden
        );
        assert_eq!(
            consent_access(&actor(11, Role::Caseworker, Some(5)), &reach),
            Decision::Hidden
        );
        assert_eq!(
            consent_access(&actor(40, Role::Auditor, None), &reach),
            Decision::Hidden
        );
    }

    #[test]
    fn categories_parse_once_each_and_refuse_unknown_or_none() {
        let c = parse_categories(&["contact", "identity", "contact"]).unwrap();
        assert_eq!(categories_text(&c), "identity,contact");
        assert_eq!(categories_of("identity,contact,bogus"), c);
        assert_eq!(
            parse_categories(&["identity", "dreams"]).unwrap_err(),
            crate::Invalid::new("categories", "unknown_choice")
        );
        let none: [&str; 0] = [];
        assert_eq!(parse_categories(&none).unwrap_err().code, "required");
    }

    #[test]
    fn other_purposes_compare_by_their_words() {
        let a = Purpose::parse("other", Some("Tenancy  hearing")).unwrap();
        let b = Purpose::parse("other", Some("tenancy hearing")).unwrap();
        assert!(a.same_as(&b));
        assert!(!a.same_as(&Purpose::Listed(PurposeKind::Referral)));
        assert_eq!(
            Purpose::parse("other", Some(" ")).unwrap_err(),
            crate::Invalid::new("purpose_other", "required")
        );
        assert_eq!(
            Purpose::parse("fun", None).unwrap_err().code,
            "unknown_choice"
        );
        assert_eq!(
            Purpose::parse("referral", Some("ignored")).unwrap(),
            Purpose::Listed(PurposeKind::Referral)
        );
    }
}
