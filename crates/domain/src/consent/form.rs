//! Consent-to-share, revocation, legal-basis and disclosure forms: raw input in, checked values
//! out, every failure naming its field.

use super::{
    parse_categories, Category, Channel, GivenHow, LegalBasisKind, OrganisationKind, Purpose,
};
use crate::client::parse_date;
use crate::text::{optional, required};
use crate::Invalid;
use std::collections::BTreeSet;
use time::Date;

pub(super) const NAME_MAX: usize = 200;
const REASON_MAX: usize = 2000;
const LAW_MAX: usize = 500;

fn kind_of(field: &str, raw: Option<&str>) -> Result<Option<OrganisationKind>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(k) => k
            .parse()
            .map(Some)
            .map_err(|_| Invalid::new(field, "unknown_choice")),
    }
}

fn date_required(field: &str, raw: &str) -> Result<Date, Invalid> {
    if raw.trim().is_empty() {
        return Err(Invalid::new(field, "required"));
    }
    parse_date(field, raw)
}

/// Whom a consent lets information go to: one named organisation, or any organisation of a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentRecipient {
    Organisation {
        name: String,
        kind: Option<OrganisationKind>,
    },
    Kind(OrganisationKind),
}

impl ConsentRecipient {
    /// `organisation` or `kind`, as stored.
    pub fn type_str(&self) -> &'static str {
        match self {
            ConsentRecipient::Organisation { .. } => "organisation",
            ConsentRecipient::Kind(_) => "kind",
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            ConsentRecipient::Organisation { name, .. } => Some(name),
            ConsentRecipient::Kind(_) => None,
        }
    }

    pub fn kind(&self) -> Option<OrganisationKind> {
        match self {
            ConsentRecipient::Organisation { kind, .. } => *kind,
            ConsentRecipient::Kind(k) => Some(*k),
        }
    }

    /// From the type as typed or stored, the name and the kind.
    pub fn parse(
        recipient_type: &str,
        name: Option<&str>,
        kind: Option<&str>,
    ) -> Result<ConsentRecipient, Invalid> {
        let kind = kind_of("recipient_kind", kind)?;
        match recipient_type.trim() {
            "organisation" => match optional("recipient_name", name, NAME_MAX)? {
                Some(name) => Ok(ConsentRecipient::Organisation { name, kind }),
                None => Err(Invalid::new("recipient_name", "required")),
            },
            "kind" => kind
                .map(ConsentRecipient::Kind)
                .ok_or_else(|| Invalid::new("recipient_kind", "required")),
            _ => Err(Invalid::new("recipient_type", "unknown_choice")),
        }
    }

    /// Does this consent's recipient include `to`? A named organisation covers only itself (by
    /// name, ignoring case and spacing); a kind covers every organisation of that kind.
    pub fn covers(&self, to: &Recipient) -> bool {
        match self {
            ConsentRecipient::Organisation { name, .. } => super::same_words(name, &to.name),
            ConsentRecipient::Kind(k) => to.kind == Some(*k),
        }
    }
}

/// Where a disclosure goes: always a named organisation, of a kind when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    pub kind: Option<OrganisationKind>,
}

/// A consent to share, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareConsentForm {
    /// `organisation` (a named one) or `kind` (any organisation of a kind).
    pub recipient_type: String,
    #[serde(default)]
    pub recipient_name: Option<String>,
    #[serde(default)]
    pub recipient_kind: Option<String>,
    pub purpose: String,
    #[serde(default)]
    pub purpose_other: Option<String>,
    pub categories: Vec<String>,
    /// `YYYY-MM-DD`: the first day it covers.
    pub starts_on: String,
    /// `YYYY-MM-DD`: the last day it covers; after `starts_on`, not in the past. None: until
    /// revoked.
    #[serde(default)]
    pub expires_on: Option<String>,
    pub given_how: String,
    /// Who witnessed it; required when given `witnessed`.
    #[serde(default)]
    pub witness: Option<String>,
}

/// A checked consent to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareConsent {
    pub recipient: ConsentRecipient,
    pub purpose: Purpose,
    pub categories: BTreeSet<Category>,
    pub starts_on: Date,
    pub expires_on: Option<Date>,
    pub given_how: GivenHow,
    pub witness: Option<String>,
}

impl ShareConsentForm {
    pub fn parse(&self, today: Date) -> Result<ShareConsent, Invalid> {
        let recipient = ConsentRecipient::parse(
            &self.recipient_type,
            self.recipient_name.as_deref(),
            self.recipient_kind.as_deref(),
        )?;
        let purpose = Purpose::parse(&self.purpose, self.purpose_other.as_deref())?;
        let categories = parse_categories(&self.categories)?;
        let starts_on = date_required("starts_on", &self.starts_on)?;
        let expires_on = match self.expires_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let d = parse_date("expires_on", raw)?;
                if d <= starts_on {
                    return Err(Invalid::new("expires_on", "expiry_not_after_start"));
                }
                if d < today {
                    return Err(Invalid::new("expires_on", "date_in_past"));
                }
                Some(d)
            }
        };
        let given_how: GivenHow = self
            .given_how
            .trim()
            .parse()
            .map_err(|_| Invalid::new("given_how", "unknown_choice"))?;
        let witness = optional("witness", self.witness.as_deref(), NAME_MAX)?;
        if given_how == GivenHow::Witnessed && witness.is_none() {
            return Err(Invalid::new("witness", "required"));
        }
        Ok(ShareConsent {
            recipient,
            purpose,
            categories,
            starts_on,
            expires_on,
            given_how,
            witness,
        })
    }
}

/// Why the client withdrew consent; a reason is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationForm {
    pub reason: String,
}

impl RevocationForm {
    pub fn parse(&self) -> Result<String, Invalid> {
        required("reason", &self.reason, REASON_MAX)
    }
}

/// A legal basis, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasisForm {
    /// `required_by_law`, `court_order` or `serious_risk`.
    pub kind: String,
    /// The law, regulation or order relied on.
    pub law_cited: String,
    /// The person who authorised the disclosure, and their role.
    pub authorised_by_name: String,
    pub authorised_by_role: String,
    /// `YYYY-MM-DD`, not in the future.
    pub authorised_on: String,
}

/// A complete legal basis: the ground, the law cited, who authorised it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalBasis {
    pub kind: LegalBasisKind,
    pub law_cited: String,
    pub authorised_by_name: String,
    pub authorised_by_role: String,
    pub authorised_on: Date,
}

impl LegalBasisForm {
    pub fn parse(&self, today: Date) -> Result<LegalBasis, Invalid> {
        let kind = self
            .kind
            .trim()
            .parse()
            .map_err(|_| Invalid::new("legal_basis_kind", "unknown_choice"))?;
        let authorised_on = date_required("authorised_on", &self.authorised_on)?;
        if authorised_on > today {
            return Err(Invalid::new("authorised_on", "date_in_future"));
        }
        Ok(LegalBasis {
            kind,
            law_cited: required("law_cited", &self.law_cited, LAW_MAX)?,
            authorised_by_name: required("authorised_by_name", &self.authorised_by_name, NAME_MAX)?,
            authorised_by_role: required("authorised_by_role", &self.authorised_by_role, NAME_MAX)?,
            authorised_on,
        })
    }
}

/// A disclosure, as asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureForm {
    pub recipient_name: String,
    #[serde(default)]
    pub recipient_kind: Option<String>,
    pub purpose: String,
    #[serde(default)]
    pub purpose_other: Option<String>,
    pub categories: Vec<String>,
    pub channel: String,
    /// Present when sent under a legal basis rather than consent.
    #[serde(default)]
    pub legal_basis: Option<LegalBasisForm>,
}

/// What a disclosure rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// A covering consent, found by [`super::may_disclose`].
    Consent,
    Legal(LegalBasis),
}

/// A checked disclosure request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureRequest {
    pub recipient: Recipient,
    pub purpose: Purpose,
    pub categories: BTreeSet<Category>,
    pub channel: Channel,
    pub basis: Basis,
}

impl DisclosureForm {
    pub fn parse(&self, today: Date) -> Result<DisclosureRequest, Invalid> {
        let name = required("recipient_name", &self.recipient_name, NAME_MAX)?;
        let kind = kind_of("recipient_kind", self.recipient_kind.as_deref())?;
        let purpose = Purpose::parse(&self.purpose, self.purpose_other.as_deref())?;
        let categories = parse_categories(&self.categories)?;
        let channel = self
            .channel
            .trim()
            .parse()
            .map_err(|_| Invalid::new("channel", "unknown_choice"))?;
        let basis = match &self.legal_basis {
            None => Basis::Consent,
            Some(b) => Basis::Legal(b.parse(today)?),
        };
        Ok(DisclosureRequest {
            recipient: Recipient { name, kind },
            purpose,
            categories,
            channel,
            basis,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::PurposeKind;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 10);

    fn consent() -> ShareConsentForm {
        ShareConsentForm {
            recipient_type: "organisation".into(),
            recipient_name: Some(" Eastside Clinic ".into()),
            recipient_kind: Some("health_care".into()),
            purpose: "care_coordination".into(),
            purpose_other: None,
            categories: vec!["identity".into(), "health".into()],
            starts_on: "2026-03-01".into(),
            expires_on: Some("2026-09-01".into()),
            given_how: "signed".into(),
            witness: None,
        }
    }

    fn field(r: Result<ShareConsent, Invalid>) -> (String, &'static str) {
        let e = r.unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn a_complete_consent_parses() {
        let c = consent().parse(TODAY).unwrap();
        assert_eq!(
            c.recipient,
            ConsentRecipient::Organisation {
                name: "Eastside Clinic".into(),
                kind: Some(OrganisationKind::HealthCare)
            }
        );
        assert_eq!(c.purpose, Purpose::Listed(PurposeKind::CareCoordination));
        assert_eq!(c.categories.len(), 2);
        assert_eq!(c.expires_on, Some(date!(2026 - 09 - 01)));
        assert_eq!(c.given_how, GivenHow::Signed);
    }

    #[test]
    fn expiry_must_come_after_the_start_and_not_be_past() {
        let same_day = ShareConsentForm {
            expires_on: Some("2026-03-01".into()),
            ..consent()
        };
        assert_eq!(
            field(same_day.parse(TODAY)),
            ("expires_on".into(), "expiry_not_after_start")
        );
        let next_day = ShareConsentForm {
            starts_on: "2026-03-10".into(),
            expires_on: Some("2026-03-11".into()),
            ..consent()
        };
        assert!(next_day.parse(TODAY).is_ok());
        let past = ShareConsentForm {
            starts_on: "2025-01-01".into(),
            expires_on: Some("2026-03-09".into()),
            ..consent()
        };
        assert_eq!(
            field(past.parse(TODAY)),
            ("expires_on".into(), "date_in_past")
        );
        let open = ShareConsentForm {
            expires_on: Some(" ".into()),
            ..consent()
        };
        assert_eq!(open.parse(TODAY).unwrap().expires_on, None);
        let no_start = ShareConsentForm {
            starts_on: "".into(),
            ..consent()
        };
        assert_eq!(
            field(no_start.parse(TODAY)),
            ("starts_on".into(), "required")
        );
    }

    #[test]
    fn recipients_are_named_or_a_kind() {
        let unnamed = ShareConsentForm {
            recipient_name: None,
            ..consent()
        };
        assert_eq!(
            field(unnamed.parse(TODAY)),
            ("recipient_name".into(), "required")
        );
        let kind = ShareConsentForm {
            recipient_type: "kind".into(),
            recipient_name: None,
            recipient_kind: Some("housing".into()),
            ..consent()
        };
        assert_eq!(
            kind.parse(TODAY).unwrap().recipient,
            ConsentRecipient::Kind(OrganisationKind::Housing)
        );
        let no_kind = ShareConsentForm {
            recipient_type: "kind".into(),
            recipient_kind: None,
            ..consent()
        };
        assert_eq!(
            field(no_kind.parse(TODAY)),
            ("recipient_kind".into(), "required")
        );
        let odd = ShareConsentForm {
            recipient_type: "anyone".into(),
            ..consent()
        };
        assert_eq!(
            field(odd.parse(TODAY)),
            ("recipient_type".into(), "unknown_choice")
        );
    }

    #[test]
    fn witnessed_consent_names_the_witness() {
        let w = ShareConsentForm {
            given_how: "witnessed".into(),
            ..consent()
        };
        assert_eq!(field(w.parse(TODAY)), ("witness".into(), "required"));
        let named = ShareConsentForm {
            given_how: "witnessed".into(),
            witness: Some("Rosa Diaz".into()),
            ..consent()
        };
        assert_eq!(
            named.parse(TODAY).unwrap().witness.as_deref(),
            Some("Rosa Diaz")
        );
        let bad = ShareConsentForm {
            given_how: "telepathy".into(),
            ..consent()
        };
        assert_eq!(
            field(bad.parse(TODAY)),
            ("given_how".into(), "unknown_choice")
        );
    }

    #[test]
    fn revocation_needs_a_reason() {
        assert_eq!(
            RevocationForm {
                reason: "  ".into()
            }
            .parse()
            .unwrap_err(),
            Invalid::new("reason", "required")
        );
        assert_eq!(
            RevocationForm {
                reason: "Client asked".into()
            }
            .parse()
            .unwrap(),
            "Client asked"
        );
    }

    fn basis() -> LegalBasisForm {
        LegalBasisForm {
            kind: "court_order".into(),
            law_cited: "Family Court order 2026/114".into(),
            authorised_by_name: "Dana Lee".into(),
            authorised_by_role: "Agency director".into(),
            authorised_on: "2026-03-10".into(),
        }
    }

    #[test]
    fn a_legal_basis_is_complete_or_names_what_is_missing() {
        assert_eq!(
            basis().parse(TODAY).unwrap().kind,
            LegalBasisKind::CourtOrder
        );
        for (f, missing) in [
            (
                "law_cited",
                LegalBasisForm {
                    law_cited: " ".into(),
                    ..basis()
                },
            ),
            (
                "authorised_by_name",
                LegalBasisForm {
                    authorised_by_name: "".into(),
                    ..basis()
                },
            ),
            (
                "authorised_by_role",
                LegalBasisForm {
                    authorised_by_role: "".into(),
                    ..basis()
                },
            ),
            (
                "authorised_on",
                LegalBasisForm {
                    authorised_on: "".into(),
                    ..basis()
                },
            ),
        ] {
            assert_eq!(
                missing.parse(TODAY).unwrap_err(),
                Invalid::new(f, "required")
            );
        }
        let future = LegalBasisForm {
            authorised_on: "2026-03-11".into(),
            ..basis()
        };
        assert_eq!(future.parse(TODAY).unwrap_err().code, "date_in_future");
        let kind = LegalBasisForm {
            kind: "because".into(),
            ..basis()
        };
        assert_eq!(kind.parse(TODAY).unwrap_err().field, "legal_basis_kind");
    }

    #[test]
    fn a_disclosure_names_recipient_categories_and_channel() {
        let form = DisclosureForm {
            recipient_name: "Eastside Clinic".into(),
            recipient_kind: Some("health_care".into()),
            purpose: "referral".into(),
            purpose_other: None,
            categories: vec!["identity".into()],
            channel: "printed_summary".into(),
            legal_basis: None,
        };
        let d = form.parse(TODAY).unwrap();
        assert_eq!(d.basis, Basis::Consent);
        assert_eq!(d.channel, Channel::PrintedSummary);
        let legal = DisclosureForm {
            legal_basis: Some(basis()),
            ..form.clone()
        };
        assert!(matches!(legal.parse(TODAY).unwrap().basis, Basis::Legal(_)));
        let no_channel = DisclosureForm {
            channel: "pigeon".into(),
            ..form.clone()
        };
        assert_eq!(no_channel.parse(TODAY).unwrap_err().field, "channel");
        let nothing = DisclosureForm {
            categories: vec![],
            ..form
        };
        assert_eq!(nothing.parse(TODAY).unwrap_err().field, "categories");
    }
}
