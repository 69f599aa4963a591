//! The client form as typed: every profile field, a few identifier rows and household rows. Input
//! names are the service's field names (`household[1].birth_date`), so a refusal lands next to
//! the input it concerns.

use crate::i18n::T;
use crate::layout::Problem;
use casework_domain::client::{ClientForm, HouseholdForm, IdentifierForm};
use casework_domain::Invalid;
use casework_service::client::ClientDetail;

/// Empty rows offered beyond those filled in.
const SPARE_IDENTIFIERS: usize = 2;
const SPARE_HOUSEHOLD: usize = 3;
/// Rows beyond these are never read: a hostile index cannot make us allocate.
pub(super) const MAX_IDENTIFIERS: usize = 20;
pub(super) const MAX_HOUSEHOLD: usize = 30;

#[derive(Debug, Clone, Default)]
pub(super) struct IdentifierDraft {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Default)]
pub(super) struct HouseholdDraft {
    pub name: String,
    pub relationship: String,
    pub birth_date: String,
}

/// The form's values, as strings, exactly as the worker left them.
#[derive(Clone, Default)]
pub(super) struct Draft {
    pub legal_name: String,
    pub preferred_name: String,
    pub birth_date: String,
    pub estimated_age: String,
    pub gender_identity: String,
    pub pronouns: String,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub cultural_considerations: String,
    pub phone: String,
    pub email: String,
    pub safe_contact: String,
    pub address: String,
    pub identifiers: Vec<IdentifierDraft>,
    pub household: Vec<HouseholdDraft>,
}

// Client data never goes to the logs, not even by accident through `{:?}`.
impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Draft(<client data>)")
    }
}

/// `identifiers[3].kind` -> (3, "kind").
fn row_field<'a>(key: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(list)?.strip_prefix('[')?;
    let (index, field) = rest.split_once("].")?;
    if index.is_empty() || index.len() > 3 || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((index.parse().ok()?, field))
}

fn slot<R: Default>(rows: &mut Vec<R>, index: usize) -> &mut R {
    if rows.len() <= index {
        rows.resize_with(index + 1, R::default);
    }
    &mut rows[index]
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn or_blank(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

impl Draft {
    /// Read the form's pairs; keys it does not know (csrf, version, ...) are left to the caller.
    pub fn from_pairs(pairs: &[(String, String)]) -> Draft {
        let mut d = Draft::default();
        for (key, value) in pairs {
            let value = value.clone();
            match key.as_str() {
                "legal_name" => d.legal_name = value,
                "preferred_name" => d.preferred_name = value,
                "birth_date" => d.birth_date = value,
                "estimated_age" => d.estimated_age = value,
                "gender_identity" => d.gender_identity = value,
                "pronouns" => d.pronouns = value,
                "preferred_language" => d.preferred_language = value,
                "interpreter_needed" => d.interpreter_needed = !value.is_empty(),
                "cultural_considerations" => d.cultural_considerations = value,
                "phone" => d.phone = value,
                "email" => d.email = value,
                "safe_contact" => d.safe_contact = value,
                "address" => d.address = value,
                other => {
                    if let Some((n, field)) = row_field(other, "identifiers") {
                        if n < MAX_IDENTIFIERS {
                            let row = slot(&mut d.identifiers, n);
                            match field {
                                "kind" => row.kind = value,
                                "value" => row.value = value,
                                _ => {}
                            }
                        }
                    } else if let Some((n, field)) = row_field(other, "household") {
                        if n < MAX_HOUSEHOLD {
                            let row = slot(&mut d.household, n);
                            match field {
                                "name" => row.name = value,
                                "relationship" => row.relationship = value,
                                "birth_date" => row.birth_date = value,
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
        d
    }

    /// The form of a client on record, for editing.
    pub fn of_client(detail: &ClientDetail, this_year: i32) -> Draft {
        let c = &detail.client;
        Draft {
            legal_name: c.legal_name.clone(),
            preferred_name: or_blank(&c.preferred_name),
            birth_date: or_blank(&c.birth_date),
            estimated_age: match (&c.birth_date, c.birth_year_estimate) {
                (None, Some(year)) => (i64::from(this_year) - year).max(0).to_string(),
                _ => String::new(),
            },
            gender_identity: or_blank(&c.gender_identity),
            pronouns: or_blank(&c.pronouns),
            preferred_language: c.preferred_language.clone(),
            interpreter_needed: c.interpreter_needed != 0,
            cultural_considerations: or_blank(&c.cultural_considerations),
            phone: or_blank(&c.phone),
            email: or_blank(&c.email),
            safe_contact: or_blank(&c.safe_contact),
            address: or_blank(&c.address),
            identifiers: detail
                .identifiers
                .iter()
                .map(|i| IdentifierDraft {
                    kind: i.kind.clone(),
                    value: i.value.clone(),
                })
                .collect(),
            household: detail
                .household
                .iter()
                .map(|h| HouseholdDraft {
                    name: h.name.clone(),
                    relationship: or_blank(&h.relationship),
                    birth_date: or_blank(&h.birth_date),
                })
                .collect(),
        }
    }

    /// The service's form. Rows keep their positions (blank ones included, the domain skips
    /// them) so that a refusal's `household[2].name` is the third row on screen.
    pub fn to_form(&self) -> Result<ClientForm, Invalid> {
        let estimated_age = match self.estimated_age.trim() {
            "" => None,
            raw => Some(
                raw.parse::<i64>()
                    .map_err(|_| Invalid::new("estimated_age", "age_range"))?,
            ),
        };
        Ok(ClientForm {
            legal_name: self.legal_name.clone(),
            preferred_name: optional(&self.preferred_name),
            birth_date: optional(&self.birth_date),
            estimated_age,
            gender_identity: optional(&self.gender_identity),
            pronouns: optional(&self.pronouns),
            preferred_language: optional(&self.preferred_language)
                .map(|l| crate::i18n::language_named(&l).unwrap_or(l)),
            interpreter_needed: self.interpreter_needed,
            cultural_considerations: optional(&self.cultural_considerations),
            phone: optional(&self.phone),
            email: optional(&self.email),
            safe_contact: optional(&self.safe_contact),
            address: optional(&self.address),
            identifiers: self
                .identifiers
                .iter()
                .map(|i| IdentifierForm {
                    kind: i.kind.clone(),
                    value: i.value.clone(),
                })
                .collect(),
            household: self
                .household
                .iter()
                .map(|h| HouseholdForm {
                    name: h.name.clone(),
                    relationship: optional(&h.relationship),
                    birth_date: optional(&h.birth_date),
                })
                .collect(),
        })
    }
}

/// One input: its name (the service's field name), its id, its value and any problem.
pub(super) struct FieldView {
    pub name: String,
    pub id: String,
    pub value: String,
    pub problem: Option<String>,
}

pub(super) struct IdentifierView {
    pub legend: String,
    pub kind: FieldView,
    pub value: FieldView,
}

pub(super) struct HouseholdView {
    pub legend: String,
    pub name: FieldView,
    pub relationship: FieldView,
    pub birth_date: FieldView,
}

/// The error summary above the form: the message, and the input it links to.
pub(super) struct Summary {
    pub message: String,
    pub href: Option<String>,
}

/// Everything the shared form template (`clients/form.html`) shows.
pub(super) struct FormView {
    pub legal_name: FieldView,
    pub preferred_name: FieldView,
    pub birth_date: FieldView,
    pub estimated_age: FieldView,
    pub gender_identity: FieldView,
    pub pronouns: FieldView,
    pub preferred_language: FieldView,
    pub interpreter_needed: bool,
    pub cultural_considerations: FieldView,
    pub phone: FieldView,
    pub email: FieldView,
    pub safe_contact: FieldView,
    pub address: FieldView,
    pub identifiers: Vec<IdentifierView>,
    pub household: Vec<HouseholdView>,
    /// Every problem, above the form, each linking to its field.
    pub summary: Vec<Summary>,
}

/// `household[1].birth_date` -> `client-household-1-birth_date`.
pub(super) fn input_id(field: &str) -> String {
    let mut id = String::from("client-");
    for c in field.chars() {
        match c {
            '[' | '.' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

/// Every input name the form has, for `Problem::from_service`.
pub(super) fn field_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "legal_name",
        "preferred_name",
        "birth_date",
        "estimated_age",
        "gender_identity",
        "pronouns",
        "preferred_language",
        "cultural_considerations",
        "phone",
        "email",
        "safe_contact",
        "address",
    ]
    .map(String::from)
    .to_vec();
    for n in 0..MAX_IDENTIFIERS {
        names.push(format!("identifiers[{n}].kind"));
        names.push(format!("identifiers[{n}].value"));
    }
    for n in 0..MAX_HOUSEHOLD {
        for f in ["name", "relationship", "birth_date"] {
            names.push(format!("household[{n}].{f}"));
        }
    }
    names
}

/// The label of an input, for the error summary.
fn label_of(t: &T, field: &str) -> String {
    let simple = match field {
        "legal_name" => Some(t.get("client-field-legal-name")),
        "preferred_name" => Some(t.get("client-field-preferred-name")),
        "birth_date" => Some(t.get("client-field-birth-date")),
        "estimated_age" => Some(t.get("client-field-estimated-age")),
        "gender_identity" => Some(t.get("client-field-gender-identity")),
        "pronouns" => Some(t.get("client-field-pronouns")),
        "preferred_language" => Some(t.get("client-field-preferred-language")),
        "cultural_considerations" => Some(t.get("client-field-cultural")),
        "phone" => Some(t.get("client-field-phone")),
        "email" => Some(t.get("client-field-email")),
        "safe_contact" => Some(t.get("client-field-safe-contact")),
        "address" => Some(t.get("client-field-address")),
        _ => None,
    };
    if let Some(label) = simple {
        return label;
    }
    let row = |list| row_field(field, list).map(|(n, f)| (n as i64 + 1, f.to_string()));
    if let Some((n, f)) = row("identifiers") {
        let legend = t.get_with("client-identifier-legend", &[("n", n.into())]);
        let part = match f.as_str() {
            "kind" => t.get("client-field-identifier-kind"),
            _ => t.get("client-field-identifier-value"),
        };
        return format!("{legend}: {part}");
    }
    if let Some((n, f)) = row("household") {
        let legend = t.get_with("client-household-legend", &[("n", n.into())]);
        let part = match f.as_str() {
            "name" => t.get("client-field-household-name"),
            "relationship" => t.get("client-field-household-relationship"),
            _ => t.get("client-field-birth-date"),
        };
        return format!("{legend}: {part}");
    }
    String::new()
}

impl FormView {
    pub fn new(draft: &Draft, problem: &Problem, t: &T) -> FormView {
        let field = |name: &str, value: &str| FieldView {
            name: name.to_string(),
            id: input_id(name),
            value: value.to_string(),
            problem: problem.at(name).map(str::to_string),
        };
        let mut identifiers = draft.identifiers.clone();
        let wanted = (identifiers.len() + 1).clamp(SPARE_IDENTIFIERS, MAX_IDENTIFIERS);
        identifiers.resize_with(wanted.max(identifiers.len()), IdentifierDraft::default);
        let mut household = draft.household.clone();
        let wanted = (household.len() + 1).clamp(SPARE_HOUSEHOLD, MAX_HOUSEHOLD);
        household.resize_with(wanted.max(household.len()), HouseholdDraft::default);
        let at_field = |f: &str, message: &str| Summary {
            message: format!("{}: {message}", label_of(t, f)),
            href: Some(format!("#{}", input_id(f))),
        };
        let first = problem
            .message
            .as_ref()
            .map(|message| match &problem.field {
                Some(f) => at_field(f, message),
                None => Summary {
                    message: message.clone(),
                    href: None,
                },
            });
        let summary = first
            .into_iter()
            .chain(problem.others.iter().map(|(f, m)| at_field(f, m)))
            .collect();
        FormView {
            legal_name: field("legal_name", &draft.legal_name),
            preferred_name: field("preferred_name", &draft.preferred_name),
            birth_date: field("birth_date", &draft.birth_date),
            estimated_age: field("estimated_age", &draft.estimated_age),
            gender_identity: field("gender_identity", &draft.gender_identity),
            pronouns: field("pronouns", &draft.pronouns),
            preferred_language: field("preferred_language", &draft.preferred_language),
            interpreter_needed: draft.interpreter_needed,
            cultural_considerations: field(
                "cultural_considerations",
                &draft.cultural_considerations,
            ),
            phone: field("phone", &draft.phone),
            email: field("email", &draft.email),
            safe_contact: field("safe_contact", &draft.safe_contact),
            address: field("address", &draft.address),
            identifiers: identifiers
                .iter()
                .enumerate()
                .map(|(n, row)| IdentifierView {
                    legend: t.get_with("client-identifier-legend", &[("n", (n as i64 + 1).into())]),
                    kind: field(&format!("identifiers[{n}].kind"), &row.kind),
                    value: field(&format!("identifiers[{n}].value"), &row.value),
                })
                .collect(),
            household: household
                .iter()
                .enumerate()
                .map(|(n, row)| HouseholdView {
                    legend: t.get_with("client-household-legend", &[("n", (n as i64 + 1).into())]),
                    name: field(&format!("household[{n}].name"), &row.name),
                    relationship: field(&format!("household[{n}].relationship"), &row.relationship),
                    birth_date: field(&format!("household[{n}].birth_date"), &row.birth_date),
                })
                .collect(),
            summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_are_read_by_index_and_hostile_indexes_are_ignored() {
        let d = Draft::from_pairs(&pairs(&[
            ("legal_name", "Ana"),
            ("household[1].name", "Luis"),
            ("household[1].birth_date", "2015-01-02"),
            ("identifiers[0].kind", "ssn"),
            ("identifiers[0].value", "123"),
            ("identifiers[999].kind", "x"),
            ("identifiers[99999999999].kind", "x"),
            ("household[-1].name", "x"),
        ]));
        assert_eq!(d.household.len(), 2);
        assert_eq!(d.household[1].name, "Luis");
        assert_eq!(d.identifiers.len(), 1);
        let form = d.to_form().expect("form");
        assert_eq!(form.household[1].birth_date.as_deref(), Some("2015-01-02"));
        assert_eq!(form.household[0].name, "");
    }

    #[test]
    fn inputs_get_ids_from_their_field_names() {
        assert_eq!(
            input_id("household[1].birth_date"),
            "client-household-1-birth_date"
        );
        assert_eq!(input_id("legal_name"), "client-legal_name");
    }

    #[test]
    fn a_word_for_an_age_is_refused_at_the_age() {
        let d = Draft::from_pairs(&pairs(&[("legal_name", "Ana"), ("estimated_age", "forty")]));
        assert_eq!(d.to_form().unwrap_err().field, "estimated_age");
    }
}
