//! A client as registered: every field already checked, so the store never sees a bad value.

use crate::text::{optional, required};
use crate::Invalid;
use time::Date;

/// Unchecked input, as a form or an API body gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientForm {
    pub legal_name: String,
    #[serde(default)]
    pub preferred_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Used when the birth date is not known.
    #[serde(default)]
    pub estimated_age: Option<i64>,
    #[serde(default)]
    pub gender_identity: Option<String>,
    #[serde(default)]
    pub pronouns: Option<String>,
    #[serde(default)]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub interpreter_needed: bool,
    #[serde(default)]
    pub cultural_considerations: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub safe_contact: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierForm>,
    #[serde(default)]
    pub household: Vec<HouseholdForm>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifierForm {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdForm {
    pub name: String,
    #[serde(default)]
    pub relationship: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Birth {
    Known(Date),
    /// Only an age was given; kept as the year it implies.
    EstimatedYear(i32),
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdMember {
    pub name: String,
    pub relationship: Option<String>,
    pub birth_date: Option<Date>,
}

/// A client that passed every registration rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientProfile {
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub birth: Birth,
    pub gender_identity: Option<String>,
    pub pronouns: Option<String>,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub cultural_considerations: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_contact: Option<String>,
    pub address: Option<String>,
    pub identifiers: Vec<Identifier>,
    pub household: Vec<HouseholdMember>,
}

const NAME_MAX: usize = 200;
const NOTE_MAX: usize = 2000;
const MAX_IDENTIFIERS: usize = 20;
const MAX_HOUSEHOLD: usize = 30;

pub fn parse_date(field: &str, raw: &str) -> Result<Date, Invalid> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), &format).map_err(|_| Invalid::new(field, "date_format"))
}

/// A birth date: a real date, not in the future, not before 1900.
pub fn parse_birth_date(field: &str, raw: &str, today: Date) -> Result<Date, Invalid> {
    let date = parse_date(field, raw)?;
    if date > today {
        return Err(Invalid::new(field, "date_in_future"));
    }
    if date.year() < 1900 {
        return Err(Invalid::new(field, "date_too_early"));
    }
    Ok(date)
}

/// BCP 47-shaped: a 2–3 letter language, optional subtags of 2–8 letters or digits.
pub fn parse_language(field: &str, raw: &str) -> Result<String, Invalid> {
    let tag = raw.trim();
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !primary_ok || !rest_ok {
        return Err(Invalid::new(field, "language_tag"));
    }
    Ok(tag.to_ascii_lowercase())
}

fn parse_email(field: &str, raw: Option<&str>) -> Result<Option<String>, Invalid> {
    let Some(email) = optional(field, raw, 254)? else {
        return Ok(None);
    };
    let valid = match email.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !email.contains(' '),
        None => false,
    };
    if valid {
        Ok(Some(email))
    } else {
        Err(Invalid::new(field, "email_format"))
    }
}

fn parse_phone(field: &str, raw: Option<&str>) -> Result<Option<String>, Invalid> {
    let Some(phone) = optional(field, raw, 40)? else {
        return Ok(None);
    };
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().x".contains(c));
    if allowed && digits >= 3 {
        Ok(Some(phone))
    } else {
        Err(Invalid::new(field, "phone_format"))
    }
}

/// The problems found while checking a form, each field checked whatever the others hold.
#[derive(Default)]
struct Problems(Vec<Invalid>);

impl Problems {
    /// The value, or `T::default()` with the problem kept.
    fn take<T: Default>(&mut self, checked: Result<T, Invalid>) -> T {
        checked.unwrap_or_else(|e| {
            self.0.push(e);
            T::default()
        })
    }
}

impl ClientForm {
    /// Check every field; the first problem found is reported with its field.
    pub fn parse(&self, today: Date) -> Result<ClientProfile, Invalid> {
        self.parse_all(today).map_err(|mut all| all.remove(0))
    }

    /// Check every field and report every problem, in the form's order, so that a person fixes
    /// them in one go rather than one submission at a time. Never an empty list.
    pub fn parse_all(&self, today: Date) -> Result<ClientProfile, Vec<Invalid>> {
        let mut p = Problems::default();
        let legal_name = p.take(required("legal_name", &self.legal_name, NAME_MAX));
        let preferred_name = p.take(optional(
            "preferred_name",
            self.preferred_name.as_deref(),
            NAME_MAX,
        ));
        let birth = match (
            self.birth_date.as_deref().map(str::trim),
            self.estimated_age,
        ) {
            (Some(d), _) if !d.is_empty() => p
                .take(parse_birth_date("birth_date", d, today).map(Some))
                .map_or(Birth::Unknown, Birth::Known),
            (_, Some(age)) if !(0..=120).contains(&age) => {
                p.0.push(Invalid::new("estimated_age", "age_range"));
                Birth::Unknown
            }
            (_, Some(age)) => Birth::EstimatedYear(today.year() - age as i32),
            _ => Birth::Unknown,
        };
        let gender_identity = p.take(optional(
            "gender_identity",
            self.gender_identity.as_deref(),
            60,
        ));
        let pronouns = p.take(optional("pronouns", self.pronouns.as_deref(), 40));
        let preferred_language = match self.preferred_language.as_deref().map(str::trim) {
            None | Some("") => "en".to_string(),
            Some(l) => p.take(parse_language("preferred_language", l)),
        };
        let cultural_considerations = p.take(optional(
            "cultural_considerations",
            self.cultural_considerations.as_deref(),
            NOTE_MAX,
        ));
        let phone = p.take(parse_phone("phone", self.phone.as_deref()));
        let email = p.take(parse_email("email", self.email.as_deref()));
        let safe_contact = p.take(optional(
            "safe_contact",
            self.safe_contact.as_deref(),
            NOTE_MAX,
        ));
        let address = p.take(optional("address", self.address.as_deref(), 500));
        let mut identifiers = Vec::new();
        if self.identifiers.len() > MAX_IDENTIFIERS {
            p.0.push(Invalid::new("identifiers", "too_many"));
        } else {
            for (n, i) in self.identifiers.iter().enumerate() {
                if i.kind.trim().is_empty() && i.value.trim().is_empty() {
                    continue;
                }
                identifiers.push(Identifier {
                    kind: p.take(required(&format!("identifiers[{n}].kind"), &i.kind, 60)),
                    value: p.take(required(&format!("identifiers[{n}].value"), &i.value, 100)),
                });
            }
        }
        let mut household = Vec::new();
        if self.household.len() > MAX_HOUSEHOLD {
            p.0.push(Invalid::new("household", "too_many"));
        } else {
            for (n, h) in self.household.iter().enumerate() {
                if h.name.trim().is_empty() {
                    continue;
                }
                let name = p.take(required(&format!("household[{n}].name"), &h.name, NAME_MAX));
                let relationship = p.take(optional(
                    &format!("household[{n}].relationship"),
                    h.relationship.as_deref(),
                    60,
                ));
                let birth_date = match h.birth_date.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(d) => p.take(
                        parse_birth_date(&format!("household[{n}].birth_date"), d, today).map(Some),
                    ),
                };
                household.push(HouseholdMember {
                    name,
                    relationship,
                    birth_date,
                });
            }
        }
        if !p.0.is_empty() {
            return Err(p.0);
        }
        Ok(ClientProfile {
            legal_name,
            preferred_name,
            birth,
            gender_identity,
            pronouns,
            preferred_language,
            interpreter_needed: self.interpreter_needed,
            cultural_considerations,
            phone,
            email,
            safe_contact,
            address,
            identifiers,
            household,
        })
    }
}

impl ClientProfile {
    /// The names a search or duplicate check should look at.
    pub fn names(&self) -> Vec<&str> {
        let mut names = vec![self.legal_name.as_str()];
        if let Some(p) = &self.preferred_name {
            names.push(p);
        }
        names
    }

    pub fn birth_date(&self) -> Option<Date> {
        match self.birth {
            Birth::Known(d) => Some(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn form(name: &str) -> ClientForm {
        ClientForm {
            legal_name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_client_gets_english_and_unknown_birth() {
        let p = form("Ana Pérez").parse(TODAY).unwrap();
        assert_eq!(p.preferred_language, "en");
        assert_eq!(p.birth, Birth::Unknown);
    }

    #[test]
    fn the_failing_field_is_named() {
        assert_eq!(form(" ").parse(TODAY).unwrap_err().field, "legal_name");
        let mut f = form("A");
        f.birth_date = Some("2030-01-01".into());
        assert_eq!(
            f.parse(TODAY).unwrap_err(),
            Invalid::new("birth_date", "date_in_future")
        );
        f.birth_date = Some("1.2.1990".into());
        assert_eq!(f.parse(TODAY).unwrap_err().code, "date_format");
        let mut f = form("A");
        f.household.push(HouseholdForm {
            name: "Kid".into(),
            relationship: None,
            birth_date: Some("2099-01-01".into()),
        });
        assert_eq!(f.parse(TODAY).unwrap_err().field, "household[0].birth_date");
        let mut f = form("A");
        f.email = Some("not-an-email".into());
        assert_eq!(f.parse(TODAY).unwrap_err().field, "email");
        let mut f = form("A");
        f.preferred_language = Some("español".into());
        assert_eq!(f.parse(TODAY).unwrap_err().field, "preferred_language");
    }

    #[test]
    fn estimated_age_becomes_a_year_and_is_bounded() {
        let mut f = form("A");
        f.estimated_age = Some(30);
        assert_eq!(f.parse(TODAY).unwrap().birth, Birth::EstimatedYear(1996));
        f.estimated_age = Some(121);
        assert_eq!(f.parse(TODAY).unwrap_err().field, "estimated_age");
    }

    #[test]
    fn every_problem_is_reported_at_once_in_the_form_s_order() {
        let f = ClientForm {
            legal_name: " ".into(),
            estimated_age: Some(300),
            preferred_language: Some("Arabic language".into()),
            email: Some("bad".into()),
            household: vec![HouseholdForm {
                name: "Kid".into(),
                birth_date: Some("2099-01-01".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let all = f.parse_all(TODAY).unwrap_err();
        let fields: Vec<&str> = all.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "legal_name",
                "estimated_age",
                "preferred_language",
                "email",
                "household[0].birth_date"
            ]
        );
        assert_eq!(
            f.parse(TODAY).unwrap_err(),
            all[0],
            "parse reports the first"
        );
        let good = ClientForm {
            legal_name: "Ana Torres".into(),
            ..Default::default()
        };
        assert!(good.parse_all(TODAY).is_ok());
    }

    #[test]
    fn languages_are_tags() {
        assert_eq!(parse_language("l", "es-MX").unwrap(), "es-mx");
        assert!(parse_language("l", "e").is_err());
    }

    #[test]
    fn blank_identifier_rows_are_ignored_but_half_rows_are_not() {
        let mut f = form("A");
        f.identifiers.push(IdentifierForm::default());
        assert!(f.parse(TODAY).unwrap().identifiers.is_empty());
        f.identifiers.push(IdentifierForm {
            kind: "ssn".into(),
            value: " ".into(),
        });
        assert_eq!(f.parse(TODAY).unwrap_err().field, "identifiers[1].value");
    }
}
