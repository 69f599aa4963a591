//! What a program requires to be assessed before a case leaves the assessment stage: agency forms
//! (completed at least once, any version) and standard instruments (given at least once).

use crate::assessment::InstrumentKind;
use crate::Invalid;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// An agency form, by its id.
    Form(i64),
    Instrument(InstrumentKind),
}

impl Requirement {
    pub fn instrument(kind: InstrumentKind) -> Requirement {
        Requirement::Instrument(kind)
    }

    /// Stable: stored, and sent by the API and forms: `form:12`, `phq9`, `gad7`, `ssm`.
    pub fn code(&self) -> String {
        match self {
            Requirement::Form(id) => format!("form:{id}"),
            Requirement::Instrument(k) => k.as_str().to_string(),
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Requirement, Invalid> {
        let raw = raw.trim();
        if let Some(id) = raw.strip_prefix("form:") {
            return id
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(Requirement::Form)
                .ok_or_else(|| Invalid::new(field, "unknown_choice"));
        }
        raw.parse::<InstrumentKind>()
            .map(Requirement::instrument)
            .map_err(|_| Invalid::new(field, "unknown_choice"))
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// A program's requirements, each once, in a stable order. At most 50.
pub fn parse_requirements(raw: &[String]) -> Result<Vec<Requirement>, Invalid> {
    if raw.len() > 50 {
        return Err(Invalid::new("requirements", "too_many"));
    }
    let mut out = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        out.push(Requirement::parse(&format!("requirements[{i}]"), r)?);
    }
    out.sort_by_key(Requirement::code);
    out.dedup();
    Ok(out)
}

/// The requirements the case has not met yet: forms with no completed response and instruments
/// never given.
pub fn missing(
    required: &[Requirement],
    completed_forms: &[i64],
    instruments_given: &[InstrumentKind],
) -> Vec<Requirement> {
    required
        .iter()
        .filter(|r| match r {
            Requirement::Form(id) => !completed_forms.contains(id),
            Requirement::Instrument(k) => !instruments_given.contains(k),
        })
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_bad_ones_are_refused() {
        for code in ["form:12", "phq9", "gad7", "ssm"] {
            assert_eq!(Requirement::parse("r", code).unwrap().code(), code);
        }
        for bad in ["form:", "form:-1", "form:x", "phq", ""] {
            assert_eq!(
                Requirement::parse("r", bad).unwrap_err().code,
                "unknown_choice",
                "{bad}"
            );
        }
        let e = parse_requirements(&["phq9".into(), "nope".into()]).unwrap_err();
        assert_eq!(e.field, "requirements[1]");
        let list = parse_requirements(&["ssm".into(), "form:3".into(), "ssm".into()]).unwrap();
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn missing_lists_only_what_is_not_done() {
        let required = [
            Requirement::Form(3),
            Requirement::Form(4),
            Requirement::instrument(InstrumentKind::Phq9),
            Requirement::instrument(InstrumentKind::Ssm),
        ];
        let left = missing(
            &required,
            &[4],
            &[InstrumentKind::Ssm, InstrumentKind::Gad7],
        );
        assert_eq!(
            left,
            [
                Requirement::Form(3),
                Requirement::instrument(InstrumentKind::Phq9)
            ]
        );
        assert!(missing(&[], &[], &[]).is_empty());
    }
}
