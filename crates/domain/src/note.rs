//! Case notes (DESIGN.md, "case notes"): records that may go to court. A note has a format that
//! decides its sections (narrative: a body; DAP: data, assessment, plan; SOAP: subjective,
//! objective, assessment, plan) and a sensitivity that decides who may read it:
//!
//! - **normal**: whoever may read the case;
//! - **sensitive**: the case team only (the primary worker, the supervisor of the case's team,
//!   and the note's author);
//! - **restricted**: the author and the supervisor of the case's team only.
//!
//! Nobody reads a note on a case they cannot read. [`may_read_note`] is the one rule; lists,
//! counts and the detail page all ask it.

use crate::access::{case_access, Actor, CaseAction, CaseReach};
use crate::text::{optional, required};
use crate::{Invalid, Role};

/// The longest section of a note, in characters.
pub const SECTION_MAX: usize = 20_000;
/// The longest addendum, in characters.
pub const ADDENDUM_MAX: usize = 10_000;
/// More goals than this on one note is not a note about goals.
pub const MAX_LINKED_GOALS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoteFormat {
    Narrative,
    Dap,
    Soap,
}

impl NoteFormat {
    pub const ALL: [NoteFormat; 3] = [NoteFormat::Narrative, NoteFormat::Dap, NoteFormat::Soap];

    pub fn as_str(self) -> &'static str {
        match self {
            NoteFormat::Narrative => "narrative",
            NoteFormat::Dap => "dap",
            NoteFormat::Soap => "soap",
        }
    }

    /// The sections the format needs, in the order they are written and shown; each is also the
    /// name of its form field.
    pub fn sections(self) -> &'static [&'static str] {
        match self {
            NoteFormat::Narrative => &["body"],
            NoteFormat::Dap => &["data", "assessment", "plan"],
            NoteFormat::Soap => &["subjective", "objective", "assessment", "plan"],
        }
    }
}

impl std::str::FromStr for NoteFormat {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NoteFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| Invalid::new("format", "unknown_choice"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sensitivity {
    Normal,
    Sensitive,
    Restricted,
}

impl Sensitivity {
    pub const ALL: [Sensitivity; 3] = [
        Sensitivity::Normal,
        Sensitivity::Sensitive,
        Sensitivity::Restricted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Normal => "normal",
            Sensitivity::Sensitive => "sensitive",
            Sensitivity::Restricted => "restricted",
        }
    }
}

impl std::str::FromStr for Sensitivity {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sensitivity::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| Invalid::new("sensitivity", "unknown_choice"))
    }
}

/// Unchecked input, as a form or an API body gives it. Only the sections of `format` are read;
/// the others are ignored (a form switched from SOAP to narrative may still carry them).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    pub format: String,
    /// `normal` when blank.
    #[serde(default)]
    pub sensitivity: Option<String>,
    #[serde(default)]
    pub contact_id: Option<i64>,
    #[serde(default)]
    pub goal_ids: Vec<i64>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub subjective: Option<String>,
    #[serde(default)]
    pub objective: Option<String>,
    #[serde(default)]
    pub assessment: Option<String>,
    #[serde(default)]
    pub plan: Option<String>,
}

impl NoteForm {
    /// The raw text of one section field.
    pub fn section(&self, name: &str) -> Option<&str> {
        match name {
            "body" => self.body.as_deref(),
            "data" => self.data.as_deref(),
            "subjective" => self.subjective.as_deref(),
            "objective" => self.objective.as_deref(),
            "assessment" => self.assessment.as_deref(),
            "plan" => self.plan.as_deref(),
            _ => None,
        }
    }

    pub fn parse(&self) -> Result<NoteContent, Invalid> {
        let format: NoteFormat = self.format.trim().parse()?;
        let sensitivity = match self.sensitivity.as_deref().map(str::trim) {
            None | Some("") => Sensitivity::Normal,
            Some(s) => s.parse()?,
        };
        let mut sections = Vec::with_capacity(format.sections().len());
        for name in format.sections() {
            let text = required(name, self.section(name).unwrap_or(""), SECTION_MAX)?;
            sections.push((*name, text));
        }
        if let Some(c) = self.contact_id {
            if c <= 0 {
                return Err(Invalid::new("contact_id", "unknown_choice"));
            }
        }
        if self.goal_ids.len() > MAX_LINKED_GOALS {
            return Err(Invalid::new("goal_ids", "too_many"));
        }
        let mut goal_ids = Vec::with_capacity(self.goal_ids.len());
        for (i, g) in self.goal_ids.iter().enumerate() {
            if *g <= 0 || goal_ids.contains(g) {
                return Err(Invalid::new(format!("goal_ids[{i}]"), "unknown_choice"));
            }
            goal_ids.push(*g);
        }
        Ok(NoteContent {
            format,
            sensitivity,
            sections,
            contact_id: self.contact_id,
            goal_ids,
        })
    }
}

/// A note's content with every section its format needs, each trimmed and bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteContent {
    pub format: NoteFormat,
    pub sensitivity: Sensitivity,
    /// (section name, text), in the format's order.
    pub sections: Vec<(&'static str, String)>,
    pub contact_id: Option<i64>,
    pub goal_ids: Vec<i64>,
}

/// The text of an addendum: required, bounded.
pub fn parse_addendum(raw: &str) -> Result<String, Invalid> {
    required("body", raw, ADDENDUM_MAX)
}

/// Blank or an addendum; for forms that may leave it empty.
pub fn parse_optional_addendum(raw: Option<&str>) -> Result<Option<String>, Invalid> {
    optional("body", raw, ADDENDUM_MAX)
}

/// May `actor` read a note written by `author_id` with this sensitivity on this case?
pub fn may_read_note(
    actor: &Actor,
    author_id: i64,
    sensitivity: Sensitivity,
    case: &CaseReach,
) -> bool {
    if !case_access(actor, case, CaseAction::Read).allowed() {
        return false;
    }
    let author = actor.user_id == author_id;
    let team_supervisor = actor.role == Role::Supervisor
        && matches!((actor.team_id, case.team_id), (Some(a), Some(b)) if a == b);
    let primary = case.primary_worker_id == Some(actor.user_id);
    match sensitivity {
        Sensitivity::Normal => true,
        Sensitivity::Sensitive => author || team_supervisor || primary,
        Sensitivity::Restricted => author || team_supervisor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(format: &str) -> NoteForm {
        NoteForm {
            format: format.into(),
            body: Some("Met at home".into()),
            data: Some("Rent arrears".into()),
            subjective: Some("Feels tired".into()),
            objective: Some("Flat is cold".into()),
            assessment: Some("At risk".into()),
            plan: Some("Call landlord".into()),
            ..Default::default()
        }
    }

    #[test]
    fn each_format_keeps_its_own_sections_in_order() {
        for (f, names) in [
            ("narrative", vec!["body"]),
            ("dap", vec!["data", "assessment", "plan"]),
            (
                "soap",
                vec!["subjective", "objective", "assessment", "plan"],
            ),
        ] {
            let c = form(f).parse().unwrap();
            let got: Vec<&str> = c.sections.iter().map(|(n, _)| *n).collect();
            assert_eq!(got, names, "{f}");
            assert_eq!(c.format.as_str(), f);
            assert_eq!(c.sensitivity, Sensitivity::Normal);
        }
    }

    #[test]
    fn a_missing_section_is_named() {
        let mut f = form("soap");
        f.objective = Some("   ".into());
        let e = f.parse().unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("objective", "required"));
        let mut f = form("dap");
        f.data = None;
        assert_eq!(f.parse().unwrap_err().field, "data");
        let mut f = form("narrative");
        f.body = None;
        assert_eq!(f.parse().unwrap_err().field, "body");
        // Sections of other formats are not needed.
        let mut f = form("narrative");
        f.objective = None;
        assert!(f.parse().is_ok());
    }

    #[test]
    fn unknown_format_or_sensitivity_is_refused() {
        assert_eq!(form("poem").parse().unwrap_err().field, "format");
        let mut f = form("dap");
        f.sensitivity = Some("secret".into());
        assert_eq!(f.parse().unwrap_err().field, "sensitivity");
        f.sensitivity = Some("restricted".into());
        assert_eq!(f.parse().unwrap().sensitivity, Sensitivity::Restricted);
    }

    #[test]
    fn goals_are_listed_once() {
        let mut f = form("narrative");
        f.goal_ids = vec![3, 3];
        assert_eq!(f.parse().unwrap_err().field, "goal_ids[1]");
        f.goal_ids = vec![0];
        assert_eq!(f.parse().unwrap_err().field, "goal_ids[0]");
    }

    #[test]
    fn addendum_is_required_and_bounded() {
        assert_eq!(parse_addendum("  ").unwrap_err().code, "required");
        assert_eq!(parse_addendum(" more ").unwrap(), "more");
        assert_eq!(parse_optional_addendum(Some("")).unwrap(), None);
    }

    const AUTHOR: i64 = 10;
    const PRIMARY: i64 = 11;
    const TEAM: i64 = 1;

    fn case() -> CaseReach {
        CaseReach {
            agency_id: 1,
            primary_worker_id: Some(PRIMARY),
            team_id: Some(TEAM),
        }
    }

    fn actor(user_id: i64, role: Role, team: Option<i64>) -> Actor {
        Actor {
            user_id,
            agency_id: 1,
            role,
            team_id: team,
        }
    }

    /// Every reader against every sensitivity: (who, normal, sensitive, restricted).
    #[test]
    fn access_matrix() {
        // The author here is a supervisor on the team who wrote the note while covering.
        let mut primary_author = case();
        primary_author.primary_worker_id = Some(AUTHOR);
        let rows: Vec<(&str, Actor, CaseReach, [bool; 3])> = vec![
            (
                "primary worker",
                actor(PRIMARY, Role::Caseworker, Some(TEAM)),
                case(),
                [true, true, false],
            ),
            (
                "primary worker who wrote it",
                actor(AUTHOR, Role::Caseworker, Some(TEAM)),
                primary_author.clone(),
                [true, true, true],
            ),
            (
                "team supervisor",
                actor(20, Role::Supervisor, Some(TEAM)),
                case(),
                [true, true, true],
            ),
            (
                "team supervisor who wrote it",
                actor(AUTHOR, Role::Supervisor, Some(TEAM)),
                case(),
                [true, true, true],
            ),
            (
                "author who lost the case",
                actor(AUTHOR, Role::Caseworker, Some(TEAM)),
                case(),
                [false, false, false],
            ),
            (
                "another caseworker on the team",
                actor(30, Role::Caseworker, Some(TEAM)),
                case(),
                [false, false, false],
            ),
            (
                "supervisor of another team",
                actor(40, Role::Supervisor, Some(2)),
                case(),
                [false, false, false],
            ),
            (
                "supervisor assigned as primary, not on the team",
                actor(PRIMARY, Role::Supervisor, Some(2)),
                case(),
                [true, true, false],
            ),
            (
                "intake worker",
                actor(50, Role::IntakeWorker, Some(TEAM)),
                case(),
                [false, false, false],
            ),
            (
                "admin",
                actor(60, Role::Admin, Some(TEAM)),
                case(),
                [false, false, false],
            ),
            (
                "auditor",
                actor(70, Role::Auditor, Some(TEAM)),
                case(),
                [false, false, false],
            ),
            (
                "team supervisor of another agency",
                Actor {
                    agency_id: 2,
                    ..actor(20, Role::Supervisor, Some(TEAM))
                },
                case(),
                [false, false, false],
            ),
        ];
        for (who, a, reach, expected) in rows {
            for (s, want) in Sensitivity::ALL.into_iter().zip(expected) {
                assert_eq!(
                    may_read_note(&a, AUTHOR, s, &reach),
                    want,
                    "{who} reading a {} note",
                    s.as_str()
                );
            }
        }
    }
}
