//! The plan (the planning stage): for each active goal its interventions, who does each, by when
//! and with which resources and supports; each intervention broken into tasks. The plan records
//! the client's agreement and, where the program asks for it, a supervisor's approval.
//!
//! The flow is: [`InterventionForm`] (raw input) → [`Intervention`] (checked against today), and
//! [`TaskForm`] → [`Task`]. A due date may not be in the past: a plan is about what comes next.

use crate::client::parse_date;
use crate::text::{optional, required};
use crate::Invalid;
use std::fmt;
use std::str::FromStr;
use time::Date;

const DESCRIPTION_MAX: usize = 2000;
const RESOURCES_MAX: usize = 2000;
const NAME_MAX: usize = 200;
const COMMENT_MAX: usize = 2000;

/// What kind of help an intervention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterventionKind {
    Counselling,
    Advocacy,
    Referral,
    SkillBuilding,
    ResourceLinkage,
    Other,
}

impl InterventionKind {
    pub const ALL: [InterventionKind; 6] = [
        InterventionKind::Counselling,
        InterventionKind::Advocacy,
        InterventionKind::Referral,
        InterventionKind::SkillBuilding,
        InterventionKind::ResourceLinkage,
        InterventionKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InterventionKind::Counselling => "counselling",
            InterventionKind::Advocacy => "advocacy",
            InterventionKind::Referral => "referral",
            InterventionKind::SkillBuilding => "skill_building",
            InterventionKind::ResourceLinkage => "resource_linkage",
            InterventionKind::Other => "other",
        }
    }
}

impl FromStr for InterventionKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

impl fmt::Display for InterventionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who does an intervention or a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponsibleKind {
    Client,
    Worker,
    OtherAgency,
    OtherPerson,
}

impl ResponsibleKind {
    pub const ALL: [ResponsibleKind; 4] = [
        ResponsibleKind::Client,
        ResponsibleKind::Worker,
        ResponsibleKind::OtherAgency,
        ResponsibleKind::OtherPerson,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResponsibleKind::Client => "client",
            ResponsibleKind::Worker => "worker",
            ResponsibleKind::OtherAgency => "other_agency",
            ResponsibleKind::OtherPerson => "other_person",
        }
    }

    /// Another agency or person must be named.
    pub fn needs_name(self) -> bool {
        matches!(
            self,
            ResponsibleKind::OtherAgency | ResponsibleKind::OtherPerson
        )
    }
}

impl FromStr for ResponsibleKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

/// Who is responsible: the client, the worker, or a named other agency or person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Responsible {
    Client,
    Worker,
    OtherAgency(String),
    OtherPerson(String),
}

impl Responsible {
    pub fn kind(&self) -> ResponsibleKind {
        match self {
            Responsible::Client => ResponsibleKind::Client,
            Responsible::Worker => ResponsibleKind::Worker,
            Responsible::OtherAgency(_) => ResponsibleKind::OtherAgency,
            Responsible::OtherPerson(_) => ResponsibleKind::OtherPerson,
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            Responsible::OtherAgency(n) | Responsible::OtherPerson(n) => Some(n),
            _ => None,
        }
    }

    /// From the kind as typed and the name; a name is required for another agency or person and
    /// ignored otherwise.
    pub fn parse(kind: &str, name: Option<&str>) -> Result<Self, Invalid> {
        let kind: ResponsibleKind = kind
            .trim()
            .parse()
            .map_err(|_| Invalid::new("responsible", "unknown_choice"))?;
        let name = || match optional("responsible_name", name, NAME_MAX)? {
            Some(n) => Ok(n),
            None => Err(Invalid::new("responsible_name", "required")),
        };
        Ok(match kind {
            ResponsibleKind::Client => Responsible::Client,
            ResponsibleKind::Worker => Responsible::Worker,
            ResponsibleKind::OtherAgency => Responsible::OtherAgency(name()?),
            ResponsibleKind::OtherPerson => Responsible::OtherPerson(name()?),
        })
    }
}

fn due_date(raw: &str, today: Date) -> Result<Date, Invalid> {
    if raw.trim().is_empty() {
        return Err(Invalid::new("due_on", "required"));
    }
    let due = parse_date("due_on", raw.trim())?;
    if due < today {
        return Err(Invalid::new("due_on", "date_in_past"));
    }
    Ok(due)
}

/// An intervention as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct InterventionForm {
    pub goal_id: i64,
    pub kind: String,
    pub description: String,
    pub responsible: String,
    #[serde(default)]
    pub responsible_name: Option<String>,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
    /// Resources and supports.
    #[serde(default)]
    pub resources: Option<String>,
}

/// A checked intervention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    pub goal_id: i64,
    pub kind: InterventionKind,
    pub description: String,
    pub who: Responsible,
    pub due_on: Date,
    pub resources: Option<String>,
}

impl InterventionForm {
    pub fn parse(&self, today: Date) -> Result<Intervention, Invalid> {
        if self.goal_id <= 0 {
            return Err(Invalid::new("goal_id", "required"));
        }
        let kind = self
            .kind
            .trim()
            .parse()
            .map_err(|_| Invalid::new("kind", "unknown_choice"))?;
        Ok(Intervention {
            goal_id: self.goal_id,
            kind,
            description: required("description", &self.description, DESCRIPTION_MAX)?,
            who: Responsible::parse(&self.responsible, self.responsible_name.as_deref())?,
            due_on: due_date(&self.due_on, today)?,
            resources: optional("resources", self.resources.as_deref(), RESOURCES_MAX)?,
        })
    }
}

/// A task as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct TaskForm {
    pub description: String,
    pub responsible: String,
    #[serde(default)]
    pub responsible_name: Option<String>,
    pub due_on: String,
}

/// A checked task of an intervention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub intervention_id: i64,
    pub description: String,
    pub who: Responsible,
    pub due_on: Date,
}

impl TaskForm {
    pub fn parse(&self, intervention_id: i64, today: Date) -> Result<Task, Invalid> {
        Ok(Task {
            intervention_id,
            description: required("description", &self.description, DESCRIPTION_MAX)?,
            who: Responsible::parse(&self.responsible, self.responsible_name.as_deref())?,
            due_on: due_date(&self.due_on, today)?,
        })
    }
}

/// Where a plan version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    AwaitingApproval,
    Approved,
    Returned,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::AwaitingApproval => "awaiting_approval",
            PlanStatus::Approved => "approved",
            PlanStatus::Returned => "returned",
        }
    }

    /// May interventions and tasks be added to this version in place? An approved plan gets a
    /// new version instead; one waiting for approval is frozen until decided.
    pub fn editable(self) -> bool {
        matches!(self, PlanStatus::Draft | PlanStatus::Returned)
    }
}

impl FromStr for PlanStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        [
            PlanStatus::Draft,
            PlanStatus::AwaitingApproval,
            PlanStatus::Approved,
            PlanStatus::Returned,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or(())
    }
}

/// A supervisor's decision on a plan, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct ApprovalForm {
    /// `approve` or `return`.
    pub decision: String,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A checked decision: a return must say why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    Approve,
    Return(String),
}

impl ApprovalForm {
    pub fn parse(&self) -> Result<Approval, Invalid> {
        match self.decision.trim() {
            "approve" => Ok(Approval::Approve),
            "return" => match optional("comment", self.comment.as_deref(), COMMENT_MAX)? {
                Some(c) => Ok(Approval::Return(c)),
                None => Err(Invalid::new("comment", "required")),
            },
            _ => Err(Invalid::new("decision", "unknown_choice")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 03 - 10);

    fn form() -> InterventionForm {
        InterventionForm {
            goal_id: 7,
            kind: "referral".into(),
            description: " Refer to the housing first programme ".into(),
            responsible: "worker".into(),
            responsible_name: None,
            due_on: "2025-03-20".into(),
            resources: Some("Housing first intake line".into()),
        }
    }

    fn err(r: Result<Intervention, Invalid>) -> (String, &'static str) {
        let e = r.unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn a_complete_intervention_parses() {
        let i = form().parse(TODAY).unwrap();
        assert_eq!(i.kind, InterventionKind::Referral);
        assert_eq!(i.description, "Refer to the housing first programme");
        assert_eq!(i.who, Responsible::Worker);
        assert_eq!(i.due_on, date!(2025 - 03 - 20));
        assert_eq!(i.resources.as_deref(), Some("Housing first intake line"));
    }

    #[test]
    fn due_today_is_allowed_and_yesterday_is_not() {
        let today = InterventionForm {
            due_on: "2025-03-10".into(),
            ..form()
        };
        assert!(today.parse(TODAY).is_ok());
        let past = InterventionForm {
            due_on: "2025-03-09".into(),
            ..form()
        };
        assert_eq!(err(past.parse(TODAY)), ("due_on".into(), "date_in_past"));
        let missing = InterventionForm {
            due_on: " ".into(),
            ..form()
        };
        assert_eq!(err(missing.parse(TODAY)), ("due_on".into(), "required"));
    }

    #[test]
    fn unknown_kind_and_missing_goal_are_named() {
        let kind = InterventionForm {
            kind: "magic".into(),
            ..form()
        };
        assert_eq!(err(kind.parse(TODAY)), ("kind".into(), "unknown_choice"));
        let goal = InterventionForm {
            goal_id: 0,
            ..form()
        };
        assert_eq!(err(goal.parse(TODAY)), ("goal_id".into(), "required"));
        let blank = InterventionForm {
            description: "  ".into(),
            ..form()
        };
        assert_eq!(err(blank.parse(TODAY)), ("description".into(), "required"));
    }

    #[test]
    fn every_kind_round_trips() {
        for k in InterventionKind::ALL {
            assert_eq!(k.as_str().parse::<InterventionKind>(), Ok(k));
        }
        for k in ResponsibleKind::ALL {
            assert_eq!(k.as_str().parse::<ResponsibleKind>(), Ok(k));
        }
    }

    #[test]
    fn another_agency_or_person_must_be_named() {
        let unnamed = InterventionForm {
            responsible: "other_agency".into(),
            responsible_name: Some(" ".into()),
            ..form()
        };
        assert_eq!(
            err(unnamed.parse(TODAY)),
            ("responsible_name".into(), "required")
        );
        let named = InterventionForm {
            responsible: "other_person".into(),
            responsible_name: Some("Aunt Rosa".into()),
            ..form()
        };
        let i = named.parse(TODAY).unwrap();
        assert_eq!(i.who, Responsible::OtherPerson("Aunt Rosa".into()));
        assert_eq!(i.who.name(), Some("Aunt Rosa"));
        // A name given for the client is not kept.
        let client = InterventionForm {
            responsible: "client".into(),
            responsible_name: Some("ignored".into()),
            ..form()
        };
        assert_eq!(client.parse(TODAY).unwrap().who, Responsible::Client);
        let unknown = InterventionForm {
            responsible: "nobody".into(),
            ..form()
        };
        assert_eq!(
            err(unknown.parse(TODAY)),
            ("responsible".into(), "unknown_choice")
        );
    }

    #[test]
    fn tasks_are_checked_like_interventions() {
        let t = TaskForm {
            description: "Bring payslips to the appointment".into(),
            responsible: "client".into(),
            responsible_name: None,
            due_on: "2025-03-12".into(),
        };
        let task = t.parse(3, TODAY).unwrap();
        assert_eq!(task.intervention_id, 3);
        assert_eq!(task.who, Responsible::Client);
        let late = TaskForm {
            due_on: "2025-01-01".into(),
            ..t
        };
        assert_eq!(late.parse(3, TODAY).unwrap_err().code, "date_in_past");
    }

    #[test]
    fn a_return_needs_a_comment() {
        let ok = ApprovalForm {
            decision: "approve".into(),
            comment: None,
        };
        assert_eq!(ok.parse(), Ok(Approval::Approve));
        let bare = ApprovalForm {
            decision: "return".into(),
            comment: Some("  ".into()),
        };
        assert_eq!(bare.parse().unwrap_err().field, "comment");
        let why = ApprovalForm {
            decision: "return".into(),
            comment: Some("Add a task for the client".into()),
        };
        assert_eq!(
            why.parse(),
            Ok(Approval::Return("Add a task for the client".into()))
        );
        let odd = ApprovalForm {
            decision: "maybe".into(),
            comment: None,
        };
        assert_eq!(odd.parse().unwrap_err().code, "unknown_choice");
        assert!(PlanStatus::Draft.editable());
        assert!(!PlanStatus::Approved.editable());
        assert_eq!(
            "awaiting_approval".parse(),
            Ok(PlanStatus::AwaitingApproval)
        );
    }
}
