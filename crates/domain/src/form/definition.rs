//! An agency's own assessment form: sections in order, each with its fields. A
//! [`FormDefinition`] can only be built by [`FormDefinition::parse`], so a value of it never holds
//! a choice field without choices, two fields with the same key, or a minimum above the maximum.
//! The unchecked [`DefinitionDoc`] is how a definition is stored and sent (JSON); every change an
//! admin makes goes doc -> change -> parse again, so the rules are checked in one place.

use crate::text::{optional, required};
use crate::Invalid;
use std::collections::HashSet;

pub const SECTIONS_MAX: usize = 50;
pub const FIELDS_MAX: usize = 200;
pub const CHOICES_MAX: usize = 50;
pub const KEY_MAX: usize = 40;

/// A definition as stored and as the API takes it: unchecked until parsed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefinitionDoc {
    #[serde(default)]
    pub sections: Vec<SectionDoc>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDoc {
    pub title: String,
    #[serde(default)]
    pub fields: Vec<FieldDoc>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDoc {
    /// Names the answer: lower-case letters, digits and `_`, starting with a letter.
    pub key: String,
    pub label: String,
    /// One of [`FieldKind::NAMES`].
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// What a field takes, with what it needs to check an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    ShortText,
    LongText,
    Number { min: Option<f64>, max: Option<f64> },
    Date,
    SingleChoice(Vec<String>),
    MultipleChoice(Vec<String>),
    YesNo,
}

impl FieldKind {
    /// Stable names: stored, sent by the API, and message id suffixes.
    pub const NAMES: [&'static str; 7] = [
        "short_text",
        "long_text",
        "number",
        "date",
        "single_choice",
        "multiple_choice",
        "yes_no",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            FieldKind::ShortText => "short_text",
            FieldKind::LongText => "long_text",
            FieldKind::Number { .. } => "number",
            FieldKind::Date => "date",
            FieldKind::SingleChoice(_) => "single_choice",
            FieldKind::MultipleChoice(_) => "multiple_choice",
            FieldKind::YesNo => "yes_no",
        }
    }

    pub fn choices(&self) -> &[String] {
        match self {
            FieldKind::SingleChoice(c) | FieldKind::MultipleChoice(c) => c,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: String,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    pub kind: FieldKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub fields: Vec<Field>,
}

/// A checked definition. Sections and fields are shown in the order held.
#[derive(Debug, Clone, PartialEq)]
pub struct FormDefinition {
    sections: Vec<Section>,
}

fn parse_key(field: &str, raw: &str) -> Result<String, Invalid> {
    let key = raw.trim();
    if key.is_empty() {
        return Err(Invalid::new(field, "required"));
    }
    let well_formed = key.len() <= KEY_MAX
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if well_formed {
        Ok(key.to_string())
    } else {
        Err(Invalid::new(field, "key_format"))
    }
}

/// A key made from a label, for admins who leave the key blank: "Monthly income (USD)" ->
/// "monthly_income_usd". Letters outside ASCII are dropped; the result may still need a prefix.
pub fn key_from_label(label: &str) -> String {
    let mut key = String::new();
    for c in label.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    let key = if key.starts_with(|c: char| c.is_ascii_lowercase()) {
        key.to_string()
    } else {
        format!("f_{key}")
    };
    key.chars().take(KEY_MAX).collect::<String>()
}

fn parse_kind(at: &str, f: &FieldDoc) -> Result<FieldKind, Invalid> {
    let kind = f.kind.trim();
    let is_number = kind == "number";
    let is_choice = kind == "single_choice" || kind == "multiple_choice";
    if !is_number && (f.min.is_some() || f.max.is_some()) {
        let which = if f.min.is_some() { "min" } else { "max" };
        return Err(Invalid::new(format!("{at}.{which}"), "range_not_allowed"));
    }
    if !is_choice && !f.choices.is_empty() {
        return Err(Invalid::new(format!("{at}.choices"), "choices_not_allowed"));
    }
    let choices = || -> Result<Vec<String>, Invalid> {
        let field = format!("{at}.choices");
        if f.choices.is_empty() {
            return Err(Invalid::new(field, "choices_missing"));
        }
        if f.choices.len() > CHOICES_MAX {
            return Err(Invalid::new(field, "too_many"));
        }
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(f.choices.len());
        for (i, c) in f.choices.iter().enumerate() {
            let c = required(&format!("{field}[{i}]"), c, 200)?;
            if !seen.insert(c.to_lowercase()) {
                return Err(Invalid::new(format!("{field}[{i}]"), "choice_repeated"));
            }
            out.push(c);
        }
        Ok(out)
    };
    Ok(match kind {
        "short_text" => FieldKind::ShortText,
        "long_text" => FieldKind::LongText,
        "date" => FieldKind::Date,
        "yes_no" => FieldKind::YesNo,
        "number" => {
            for (which, v) in [("min", f.min), ("max", f.max)] {
                if v.is_some_and(|v| !v.is_finite()) {
                    return Err(Invalid::new(format!("{at}.{which}"), "wrong_type"));
                }
            }
            if let (Some(min), Some(max)) = (f.min, f.max) {
                if min > max {
                    return Err(Invalid::new(format!("{at}.min"), "min_above_max"));
                }
            }
            FieldKind::Number {
                min: f.min,
                max: f.max,
            }
        }
        "single_choice" => FieldKind::SingleChoice(choices()?),
        "multiple_choice" => FieldKind::MultipleChoice(choices()?),
        _ => return Err(Invalid::new(format!("{at}.kind"), "unknown_choice")),
    })
}

fn parse_field(at: &str, f: &FieldDoc) -> Result<Field, Invalid> {
    Ok(Field {
        key: parse_key(&format!("{at}.key"), &f.key)?,
        label: required(&format!("{at}.label"), &f.label, 300)?,
        help: optional(&format!("{at}.help"), f.help.as_deref(), 1000)?,
        required: f.required,
        kind: parse_kind(at, f)?,
    })
}

impl FormDefinition {
    /// Check every rule. Field names in errors are paths: `sections[1].fields[0].choices`.
    pub fn parse(doc: &DefinitionDoc) -> Result<FormDefinition, Invalid> {
        if doc.sections.len() > SECTIONS_MAX {
            return Err(Invalid::new("sections", "too_many"));
        }
        let total: usize = doc.sections.iter().map(|s| s.fields.len()).sum();
        if total > FIELDS_MAX {
            return Err(Invalid::new("fields", "too_many"));
        }
        let mut keys = HashSet::new();
        let mut sections = Vec::with_capacity(doc.sections.len());
        for (si, s) in doc.sections.iter().enumerate() {
            let title = required(&format!("sections[{si}].title"), &s.title, 200)?;
            let mut fields = Vec::with_capacity(s.fields.len());
            for (fi, f) in s.fields.iter().enumerate() {
                let at = format!("sections[{si}].fields[{fi}]");
                let field = parse_field(&at, f)?;
                if !keys.insert(field.key.clone()) {
                    return Err(Invalid::new(format!("{at}.key"), "key_repeated"));
                }
                fields.push(field);
            }
            sections.push(Section { title, fields });
        }
        Ok(FormDefinition { sections })
    }

    /// An empty draft: the admin adds sections and fields one by one.
    pub fn empty() -> FormDefinition {
        FormDefinition {
            sections: Vec::new(),
        }
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields().find(|f| f.key == key)
    }

    /// A form with no field cannot be filled: publishing one is refused.
    pub fn check_publishable(&self) -> Result<(), Invalid> {
        if self.fields().next().is_none() {
            return Err(Invalid::new("sections", "form_empty"));
        }
        Ok(())
    }

    pub fn to_doc(&self) -> DefinitionDoc {
        DefinitionDoc {
            sections: self
                .sections
                .iter()
                .map(|s| SectionDoc {
                    title: s.title.clone(),
                    fields: s
                        .fields
                        .iter()
                        .map(|f| {
                            let (min, max) = match f.kind {
                                FieldKind::Number { min, max } => (min, max),
                                _ => (None, None),
                            };
                            FieldDoc {
                                key: f.key.clone(),
                                label: f.label.clone(),
                                kind: f.kind.name().to_string(),
                                required: f.required,
                                help: f.help.clone(),
                                min,
                                max,
                                choices: f.kind.choices().to_vec(),
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn changed(&self, change: impl FnOnce(&mut DefinitionDoc)) -> Result<FormDefinition, Invalid> {
        let mut doc = self.to_doc();
        change(&mut doc);
        FormDefinition::parse(&doc)
    }

    /// Add a section at the end.
    pub fn with_section(&self, title: &str) -> Result<FormDefinition, Invalid> {
        let title = required("title", title, 200)?;
        self.changed(|d| {
            d.sections.push(SectionDoc {
                title,
                fields: Vec::new(),
            })
        })
    }

    /// Add a field at the end of section `section` (counted from zero). Errors name the field
    /// by its form input (`key`, `label`, `choices`, ...), not by its path.
    pub fn with_field(&self, section: usize, field: FieldDoc) -> Result<FormDefinition, Invalid> {
        if section >= self.sections.len() {
            return Err(Invalid::new("section", "unknown_choice"));
        }
        let checked = parse_field("field", &field).map_err(|e| Invalid {
            field: e
                .field
                .strip_prefix("field.")
                .unwrap_or(&e.field)
                .split('[')
                .next()
                .unwrap_or("field")
                .to_string(),
            code: e.code,
        })?;
        if self.field(&checked.key).is_some() {
            return Err(Invalid::new("key", "key_repeated"));
        }
        let doc = FieldDoc {
            key: checked.key,
            ..field
        };
        self.changed(|d| {
            if let Some(s) = d.sections.get_mut(section) {
                s.fields.push(doc);
            }
        })
    }

    /// Move section `index` one place up (`up`) or down; at either end nothing moves.
    pub fn with_section_moved(&self, index: usize, up: bool) -> Result<FormDefinition, Invalid> {
        if index >= self.sections.len() {
            return Err(Invalid::new("section", "unknown_choice"));
        }
        let other = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1).filter(|i| *i < self.sections.len())
        };
        self.changed(|d| {
            if let Some(o) = other {
                d.sections.swap(index, o);
            }
        })
    }

    /// Move the field one place up or down within its section.
    pub fn with_field_moved(&self, key: &str, up: bool) -> Result<FormDefinition, Invalid> {
        let place = self.sections.iter().enumerate().find_map(|(si, s)| {
            s.fields
                .iter()
                .position(|f| f.key == key)
                .map(|fi| (si, fi, s.fields.len()))
        });
        let Some((si, fi, len)) = place else {
            return Err(Invalid::new("key", "unknown_choice"));
        };
        let other = if up {
            fi.checked_sub(1)
        } else {
            Some(fi + 1).filter(|i| *i < len)
        };
        self.changed(|d| {
            if let (Some(o), Some(s)) = (other, d.sections.get_mut(si)) {
                s.fields.swap(fi, o);
            }
        })
    }

    /// Take a field out of the draft.
    pub fn without_field(&self, key: &str) -> Result<FormDefinition, Invalid> {
        if self.field(key).is_none() {
            return Err(Invalid::new("key", "unknown_choice"));
        }
        self.changed(|d| {
            for s in &mut d.sections {
                s.fields.retain(|f| f.key != key);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn field(key: &str, kind: &str) -> FieldDoc {
        FieldDoc {
            key: key.into(),
            label: format!("Label of {key}"),
            kind: kind.into(),
            ..FieldDoc::default()
        }
    }

    fn doc(fields: Vec<FieldDoc>) -> DefinitionDoc {
        DefinitionDoc {
            sections: vec![SectionDoc {
                title: "Housing".into(),
                fields,
            }],
        }
    }

    #[test]
    fn a_good_definition_round_trips_through_its_doc() {
        let d = doc(vec![
            FieldDoc {
                min: Some(0.0),
                max: Some(10.0),
                required: true,
                ..field("rooms", "number")
            },
            FieldDoc {
                choices: vec!["Rent".into(), "Own".into()],
                ..field("tenure", "single_choice")
            },
            field("notes", "long_text"),
        ]);
        let def = FormDefinition::parse(&d).unwrap();
        assert_eq!(def.fields().count(), 3);
        assert_eq!(def.to_doc(), d);
        assert!(def.check_publishable().is_ok());
    }

    #[test]
    fn a_choice_field_needs_choices_and_no_repeats() {
        let e = FormDefinition::parse(&doc(vec![field("tenure", "single_choice")])).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("sections[0].fields[0].choices", "choices_missing")
        );
        let e = FormDefinition::parse(&doc(vec![FieldDoc {
            choices: vec!["A".into(), "a ".into()],
            ..field("many", "multiple_choice")
        }]))
        .unwrap_err();
        assert_eq!(e.code, "choice_repeated");
        let e = FormDefinition::parse(&doc(vec![FieldDoc {
            choices: vec!["A".into()],
            ..field("text", "short_text")
        }]))
        .unwrap_err();
        assert_eq!(e.code, "choices_not_allowed");
    }

    #[test]
    fn keys_are_unique_across_sections_and_well_formed() {
        let mut d = doc(vec![field("rooms", "number")]);
        d.sections.push(SectionDoc {
            title: "Again".into(),
            fields: vec![field("rooms", "short_text")],
        });
        let e = FormDefinition::parse(&d).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("sections[1].fields[0].key", "key_repeated")
        );
        for bad in ["Rooms", "1rooms", "rooms-count", "r ooms"] {
            let e = FormDefinition::parse(&doc(vec![field(bad, "number")])).unwrap_err();
            assert_eq!(e.code, "key_format", "{bad}");
        }
        assert_eq!(key_from_label("Monthly income (USD)"), "monthly_income_usd");
        assert_eq!(key_from_label("2nd visit"), "f_2nd_visit");
    }

    #[test]
    fn min_above_max_and_ranges_on_other_kinds_are_refused() {
        let e = FormDefinition::parse(&doc(vec![FieldDoc {
            min: Some(5.0),
            max: Some(4.0),
            ..field("rooms", "number")
        }]))
        .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("sections[0].fields[0].min", "min_above_max")
        );
        let equal = FieldDoc {
            min: Some(4.0),
            max: Some(4.0),
            ..field("rooms", "number")
        };
        assert!(FormDefinition::parse(&doc(vec![equal])).is_ok());
        let e = FormDefinition::parse(&doc(vec![FieldDoc {
            max: Some(4.0),
            ..field("when", "date")
        }]))
        .unwrap_err();
        assert_eq!(e.code, "range_not_allowed");
        let e = FormDefinition::parse(&doc(vec![field("x", "colour")])).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("sections[0].fields[0].kind", "unknown_choice")
        );
    }

    #[test]
    fn an_empty_form_is_not_publishable() {
        let def = FormDefinition::empty()
            .with_section("Only a title")
            .unwrap();
        assert_eq!(def.check_publishable().unwrap_err().code, "form_empty");
    }

    #[test]
    fn edits_add_move_and_remove_with_input_names_in_errors() {
        let def = FormDefinition::empty()
            .with_section("One")
            .unwrap()
            .with_section("Two")
            .unwrap();
        let def = def.with_field(0, field("a", "short_text")).unwrap();
        let def = def.with_field(0, field("b", "yes_no")).unwrap();
        let e = def.with_field(1, field("a", "date")).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("key", "key_repeated"));
        let e = def.with_field(1, field("c", "single_choice")).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("choices", "choices_missing"));
        let e = def.with_field(7, field("c", "date")).unwrap_err();
        assert_eq!(e.field, "section");
        let moved = def.with_field_moved("b", true).unwrap();
        let keys: Vec<_> = moved.fields().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        let same = moved.with_field_moved("b", true).unwrap();
        assert_eq!(same, moved);
        let swapped = def.with_section_moved(1, true).unwrap();
        assert_eq!(swapped.sections()[0].title, "Two");
        let less = def.without_field("a").unwrap();
        assert_eq!(less.fields().count(), 1);
        assert_eq!(def.without_field("zz").unwrap_err().code, "unknown_choice");
    }
}
