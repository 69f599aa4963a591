//! Answers to an assessment form, checked against the exact version they were filled against.
//! Every error names the field by its key, so a page can show it next to the input and an API
//! client can match it.

use super::definition::{FieldKind, FormDefinition};
use crate::client::parse_date;
use crate::Invalid;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use time::Date;

const SHORT_TEXT_MAX: usize = 300;
const LONG_TEXT_MAX: usize = 10_000;

/// One checked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Text(String),
    Number(f64),
    Date(Date),
    Choice(String),
    Choices(Vec<String>),
    YesNo(bool),
}

impl Answer {
    pub fn to_json(&self) -> Value {
        match self {
            Answer::Text(s) | Answer::Choice(s) => Value::String(s.clone()),
            Answer::Number(n) => {
                serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
            }
            Answer::Date(d) => Value::String(d.to_string()),
            Answer::Choices(c) => Value::Array(c.iter().cloned().map(Value::String).collect()),
            Answer::YesNo(b) => Value::Bool(*b),
        }
    }
}

/// Checked answers by field key. Fields left blank are absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers(BTreeMap<String, Answer>);

impl Answers {
    pub fn get(&self, key: &str) -> Option<&Answer> {
        self.0.get(key)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As stored and sent: `{"key": value}`.
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, a)| (k.clone(), a.to_json()))
                .collect(),
        )
    }
}

fn blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn text(key: &str, v: &Value, max: usize) -> Result<String, Invalid> {
    let s = v.as_str().ok_or_else(|| Invalid::new(key, "wrong_type"))?;
    crate::text::required(key, s, max)
}

fn choice(key: &str, v: &Value, choices: &[String]) -> Result<String, Invalid> {
    let s = v
        .as_str()
        .ok_or_else(|| Invalid::new(key, "wrong_type"))?
        .trim();
    choices
        .iter()
        .find(|c| c.as_str() == s)
        .cloned()
        .ok_or_else(|| Invalid::new(key, "unknown_choice"))
}

fn answer(key: &str, kind: &FieldKind, v: &Value) -> Result<Answer, Invalid> {
    Ok(match kind {
        FieldKind::ShortText => Answer::Text(text(key, v, SHORT_TEXT_MAX)?),
        FieldKind::LongText => Answer::Text(text(key, v, LONG_TEXT_MAX)?),
        FieldKind::Number { min, max } => {
            let n = v
                .as_f64()
                .filter(|n| n.is_finite())
                .ok_or_else(|| Invalid::new(key, "wrong_type"))?;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(Invalid::new(key, "out_of_range"));
            }
            Answer::Number(n)
        }
        FieldKind::Date => {
            let s = v.as_str().ok_or_else(|| Invalid::new(key, "wrong_type"))?;
            Answer::Date(parse_date(key, s)?)
        }
        FieldKind::SingleChoice(choices) => Answer::Choice(choice(key, v, choices)?),
        FieldKind::MultipleChoice(choices) => {
            let list = v
                .as_array()
                .ok_or_else(|| Invalid::new(key, "wrong_type"))?;
            let mut picked: Vec<String> = Vec::with_capacity(list.len());
            for item in list {
                let c = choice(key, item, choices)?;
                if picked.contains(&c) {
                    return Err(Invalid::new(key, "choice_repeated"));
                }
                picked.push(c);
            }
            // Keep the definition's order, whatever order they came in.
            picked.sort_by_key(|c| choices.iter().position(|x| x == c));
            Answer::Choices(picked)
        }
        FieldKind::YesNo => {
            Answer::YesNo(v.as_bool().ok_or_else(|| Invalid::new(key, "wrong_type"))?)
        }
    })
}

impl FormDefinition {
    /// Check `raw` answers (`{"key": value}`) against this definition. A draft may leave
    /// required fields blank; `completing` refuses that. Fields are checked in form order so the
    /// first error is the first problem a person would meet.
    pub fn check_answers(
        &self,
        raw: &Map<String, Value>,
        completing: bool,
    ) -> Result<Answers, Invalid> {
        if let Some(unknown) = raw.keys().find(|k| self.field(k).is_none()) {
            return Err(Invalid::new(unknown.as_str(), "unknown_field"));
        }
        let mut out = BTreeMap::new();
        for f in self.fields() {
            match raw.get(&f.key).filter(|v| !blank(v)) {
                None if completing && f.required => {
                    return Err(Invalid::new(f.key.as_str(), "required"))
                }
                None => {}
                Some(v) => {
                    out.insert(f.key.clone(), answer(&f.key, &f.kind, v)?);
                }
            }
        }
        Ok(Answers(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::definition::{DefinitionDoc, FieldDoc, SectionDoc};
    use serde_json::json;

    fn f(key: &str, kind: &str) -> FieldDoc {
        FieldDoc {
            key: key.into(),
            label: key.into(),
            kind: kind.into(),
            ..FieldDoc::default()
        }
    }

    fn definition() -> FormDefinition {
        FormDefinition::parse(&DefinitionDoc {
            sections: vec![SectionDoc {
                title: "Household".into(),
                fields: vec![
                    FieldDoc {
                        required: true,
                        ..f("name", "short_text")
                    },
                    FieldDoc {
                        min: Some(1.0),
                        max: Some(12.0),
                        ..f("people", "number")
                    },
                    f("moved_in", "date"),
                    FieldDoc {
                        choices: vec!["Rent".into(), "Own".into()],
                        ..f("tenure", "single_choice")
                    },
                    FieldDoc {
                        choices: vec!["Food".into(), "Rent".into(), "Heat".into()],
                        ..f("worries", "multiple_choice")
                    },
                    f("safe", "yes_no"),
                ],
            }],
        })
        .unwrap()
    }

    fn check(v: Value, completing: bool) -> Result<Answers, Invalid> {
        let Value::Object(m) = v else {
            panic!("object")
        };
        definition().check_answers(&m, completing)
    }

    fn err(v: Value) -> (String, &'static str) {
        let e = check(v, true).unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn good_answers_are_kept_typed_and_in_choice_order() {
        let a = check(
            json!({"name": " Ana ", "people": 3, "moved_in": "2024-02-29", "tenure": "Rent",
                   "worries": ["Heat", "Food"], "safe": true}),
            true,
        )
        .unwrap();
        assert_eq!(a.get("name"), Some(&Answer::Text("Ana".into())));
        assert_eq!(
            a.get("worries"),
            Some(&Answer::Choices(vec!["Food".into(), "Heat".into()]))
        );
        assert_eq!(a.to_json()["people"], json!(3.0));
        assert_eq!(a.to_json()["moved_in"], json!("2024-02-29"));
    }

    #[test]
    fn a_required_field_blank_is_refused_only_when_completing() {
        assert_eq!(err(json!({"name": "  "})), ("name".into(), "required"));
        assert_eq!(err(json!({})), ("name".into(), "required"));
        assert!(check(json!({"people": 2}), false).is_ok());
    }

    #[test]
    fn numbers_are_checked_at_both_bounds() {
        assert!(check(json!({"name": "A", "people": 1}), true).is_ok());
        assert!(check(json!({"name": "A", "people": 12}), true).is_ok());
        assert_eq!(
            err(json!({"name": "A", "people": 0.5})),
            ("people".into(), "out_of_range")
        );
        assert_eq!(
            err(json!({"name": "A", "people": 13})),
            ("people".into(), "out_of_range")
        );
        assert_eq!(
            err(json!({"name": "A", "people": "3"})),
            ("people".into(), "wrong_type")
        );
    }

    #[test]
    fn choices_must_be_offered_ones() {
        assert_eq!(
            err(json!({"name": "A", "tenure": "Squat"})),
            ("tenure".into(), "unknown_choice")
        );
        assert_eq!(
            err(json!({"name": "A", "worries": ["Food", "Cars"]})),
            ("worries".into(), "unknown_choice")
        );
        assert_eq!(
            err(json!({"name": "A", "worries": ["Food", "Food"]})),
            ("worries".into(), "choice_repeated")
        );
        assert_eq!(
            err(json!({"name": "A", "worries": "Food"})),
            ("worries".into(), "wrong_type")
        );
    }

    #[test]
    fn wrong_types_unknown_fields_and_bad_dates_name_the_key() {
        assert_eq!(
            err(json!({"name": "A", "safe": "yes"})),
            ("safe".into(), "wrong_type")
        );
        assert_eq!(err(json!({"name": 5})), ("name".into(), "wrong_type"));
        assert_eq!(
            err(json!({"name": "A", "moved_in": "2023-02-29"})),
            ("moved_in".into(), "date_format")
        );
        assert_eq!(
            err(json!({"name": "A", "shoe_size": 9})),
            ("shoe_size".into(), "unknown_field")
        );
        let long = "x".repeat(301);
        assert_eq!(err(json!({"name": long})), ("name".into(), "too_long"));
    }

    #[test]
    fn answers_keep_their_meaning_against_the_version_they_were_filled_against() {
        // Version 1 offers "Rent"; version 2 renamed it. An answer pinned to version 1 still
        // checks against version 1, and would not against version 2.
        let v1 = definition();
        let mut doc = v1.to_doc();
        doc.sections[0].fields[3].choices = vec!["Renting".into(), "Own".into()];
        let v2 = FormDefinition::parse(&doc).unwrap();
        let raw = json!({"name": "A", "tenure": "Rent"});
        let Value::Object(m) = raw else {
            panic!("object")
        };
        assert!(v1.check_answers(&m, true).is_ok());
        assert_eq!(
            v2.check_answers(&m, true).unwrap_err().code,
            "unknown_choice"
        );
    }
}
