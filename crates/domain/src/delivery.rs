//! Services delivered (the intervention stage): what help the client actually received, when,
//! from whom and how much of it. A record may point to a goal of its case and to an intervention
//! of the case's current plan, which is how the "golden thread" sees that a planned intervention
//! is being carried out.
//!
//! The flow is: [`ServiceForm`] (raw input) → [`ServiceDelivery`] (checked against today), then
//! [`ServiceDelivery::check_links`] against the case's goals and plan. A record is never deleted:
//! a wrong one is marked entered in error with a reason ([`ErrorForm`]) and stays on file.

use crate::client::parse_date;
use crate::text::{optional, required};
use crate::Invalid;
use std::fmt;
use std::str::FromStr;
use time::Date;

const NAME_MAX: usize = 200;
const UNIT_NAME_MAX: usize = 40;
const NOTE_MAX: usize = 2000;
const REASON_MAX: usize = 1000;
/// More units than this in one record is a typing slip, not a service.
pub const UNITS_MAX: f64 = 10_000.0;

/// What kind of service was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    Counselling,
    Advocacy,
    CaseManagement,
    Transport,
    FinancialAssistance,
    Food,
    HousingSupport,
    SkillsTraining,
    Other,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 9] = [
        ServiceKind::Counselling,
        ServiceKind::Advocacy,
        ServiceKind::CaseManagement,
        ServiceKind::Transport,
        ServiceKind::FinancialAssistance,
        ServiceKind::Food,
        ServiceKind::HousingSupport,
        ServiceKind::SkillsTraining,
        ServiceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Counselling => "counselling",
            ServiceKind::Advocacy => "advocacy",
            ServiceKind::CaseManagement => "case_management",
            ServiceKind::Transport => "transport",
            ServiceKind::FinancialAssistance => "financial_assistance",
            ServiceKind::Food => "food",
            ServiceKind::HousingSupport => "housing_support",
            ServiceKind::SkillsTraining => "skills_training",
            ServiceKind::Other => "other",
        }
    }
}

impl FromStr for ServiceKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who delivered it: the case's worker, the agency, or another provider named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    Worker,
    Agency,
    Other(String),
}

impl Provider {
    pub const KINDS: [&'static str; 3] = ["worker", "agency", "other"];

    pub fn kind(&self) -> &'static str {
        match self {
            Provider::Worker => "worker",
            Provider::Agency => "agency",
            Provider::Other(_) => "other",
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            Provider::Other(n) => Some(n),
            _ => None,
        }
    }

    /// From the kind as typed and the name; another provider must be named, and a name given
    /// for the worker or the agency is not kept.
    pub fn parse(kind: &str, name: Option<&str>) -> Result<Provider, Invalid> {
        match kind.trim() {
            "worker" => Ok(Provider::Worker),
            "agency" => Ok(Provider::Agency),
            "other" => match optional("provider_name", name, NAME_MAX)? {
                Some(n) => Ok(Provider::Other(n)),
                None => Err(Invalid::new("provider_name", "required")),
            },
            _ => Err(Invalid::new("provider", "unknown_choice")),
        }
    }
}

/// A service delivered, as typed.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ServiceForm {
    pub kind: String,
    /// What the service was, when `kind` is `other`.
    #[serde(default)]
    pub other_kind: Option<String>,
    /// `YYYY-MM-DD`, today or earlier.
    pub delivered_on: String,
    /// worker, agency or other.
    pub provider: String,
    #[serde(default)]
    pub provider_name: Option<String>,
    /// How much: a positive number of `unit_name` (hours, sessions, trips, ...).
    pub units: f64,
    pub unit_name: String,
    #[serde(default)]
    pub goal_id: Option<i64>,
    #[serde(default)]
    pub intervention_id: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked service record.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDelivery {
    pub kind: ServiceKind,
    pub other_kind: Option<String>,
    pub delivered_on: Date,
    pub provider: Provider,
    pub units: f64,
    pub unit_name: String,
    pub goal_id: Option<i64>,
    pub intervention_id: Option<i64>,
    pub note: Option<String>,
}

/// A positive id, or none; zero and below are treated as "not chosen" by forms, so a
/// negative one is a mistake worth naming.
fn link(field: &str, id: Option<i64>) -> Result<Option<i64>, Invalid> {
    match id {
        None | Some(0) => Ok(None),
        Some(i) if i > 0 => Ok(Some(i)),
        Some(_) => Err(Invalid::new(field, "unknown_choice")),
    }
}

impl ServiceForm {
    pub fn parse(&self, today: Date) -> Result<ServiceDelivery, Invalid> {
        let kind: ServiceKind = self
            .kind
            .trim()
            .parse()
            .map_err(|_| Invalid::new("kind", "unknown_choice"))?;
        let other_kind = match kind {
            ServiceKind::Other => Some(
                optional("other_kind", self.other_kind.as_deref(), NAME_MAX)?
                    .ok_or_else(|| Invalid::new("other_kind", "required"))?,
            ),
            _ => None,
        };
        if self.delivered_on.trim().is_empty() {
            return Err(Invalid::new("delivered_on", "required"));
        }
        let delivered_on = parse_date("delivered_on", &self.delivered_on)?;
        if delivered_on > today {
            return Err(Invalid::new("delivered_on", "date_in_future"));
        }
        let provider = Provider::parse(&self.provider, self.provider_name.as_deref())?;
        if !self.units.is_finite() || self.units <= 0.0 || self.units > UNITS_MAX {
            return Err(Invalid::new("units", "units_invalid"));
        }
        Ok(ServiceDelivery {
            kind,
            other_kind,
            delivered_on,
            provider,
            units: self.units,
            unit_name: required("unit_name", &self.unit_name, UNIT_NAME_MAX)?,
            goal_id: link("goal_id", self.goal_id)?,
            intervention_id: link("intervention_id", self.intervention_id)?,
            note: optional("note", self.note.as_deref(), NOTE_MAX)?,
        })
    }
}

/// What the links of a service record are checked against: the case's goals, and the
/// interventions of its current plan with the goal each serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseLinks {
    pub goal_ids: Vec<i64>,
    /// (intervention id, its goal id).
    pub interventions: Vec<(i64, i64)>,
}

impl ServiceDelivery {
    /// The goal must be one of the case's; the intervention one of its current plan; and when
    /// both are given the intervention must serve that goal. Without a goal, the intervention's
    /// goal is taken.
    pub fn check_links(mut self, links: &CaseLinks) -> Result<ServiceDelivery, Invalid> {
        if let Some(g) = self.goal_id {
            if !links.goal_ids.contains(&g) {
                return Err(Invalid::new("goal_id", "unknown_choice"));
            }
        }
        if let Some(i) = self.intervention_id {
            let Some((_, goal)) = links.interventions.iter().find(|(id, _)| *id == i) else {
                return Err(Invalid::new("intervention_id", "unknown_choice"));
            };
            match self.goal_id {
                Some(g) if g != *goal => {
                    return Err(Invalid::new("intervention_id", "intervention_other_goal"))
                }
                _ => self.goal_id = Some(*goal),
            }
        }
        Ok(self)
    }
}

/// Why a record is marked entered in error.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct ErrorForm {
    pub reason: String,
}

impl ErrorForm {
    pub fn parse(&self) -> Result<String, Invalid> {
        required("reason", &self.reason, REASON_MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 03 - 10);

    fn form() -> ServiceForm {
        ServiceForm {
            kind: "counselling".into(),
            other_kind: None,
            delivered_on: "2025-03-10".into(),
            provider: "worker".into(),
            provider_name: None,
            units: 1.5,
            unit_name: " hours ".into(),
            goal_id: Some(4),
            intervention_id: None,
            note: Some("First session".into()),
        }
    }

    fn err(r: Result<ServiceDelivery, Invalid>) -> (String, &'static str) {
        let e = r.unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn a_complete_record_parses() {
        let s = form().parse(TODAY).unwrap();
        assert_eq!(s.kind, ServiceKind::Counselling);
        assert_eq!(s.delivered_on, TODAY);
        assert_eq!(s.provider, Provider::Worker);
        assert_eq!(s.units, 1.5);
        assert_eq!(s.unit_name, "hours");
        assert_eq!(s.goal_id, Some(4));
        assert_eq!(s.note.as_deref(), Some("First session"));
    }

    #[test]
    fn a_future_date_is_refused_and_today_is_not() {
        let tomorrow = ServiceForm {
            delivered_on: "2025-03-11".into(),
            ..form()
        };
        assert_eq!(
            err(tomorrow.parse(TODAY)),
            ("delivered_on".into(), "date_in_future")
        );
        let blank = ServiceForm {
            delivered_on: " ".into(),
            ..form()
        };
        assert_eq!(err(blank.parse(TODAY)), ("delivered_on".into(), "required"));
        let odd = ServiceForm {
            delivered_on: "10/03/2025".into(),
            ..form()
        };
        assert_eq!(
            err(odd.parse(TODAY)),
            ("delivered_on".into(), "date_format")
        );
    }

    #[test]
    fn units_must_be_a_positive_bounded_number() {
        for units in [0.0, -1.0, f64::NAN, f64::INFINITY, UNITS_MAX + 1.0] {
            let f = ServiceForm { units, ..form() };
            assert_eq!(err(f.parse(TODAY)), ("units".into(), "units_invalid"));
        }
        let tiny = ServiceForm {
            units: 0.25,
            ..form()
        };
        assert!(tiny.parse(TODAY).is_ok());
        let unnamed = ServiceForm {
            unit_name: "  ".into(),
            ..form()
        };
        assert_eq!(err(unnamed.parse(TODAY)), ("unit_name".into(), "required"));
    }

    #[test]
    fn other_kinds_and_other_providers_are_named() {
        let other = ServiceForm {
            kind: "other".into(),
            ..form()
        };
        assert_eq!(err(other.parse(TODAY)), ("other_kind".into(), "required"));
        let named = ServiceForm {
            kind: "other".into(),
            other_kind: Some("Laundry vouchers".into()),
            ..form()
        };
        assert_eq!(
            named.parse(TODAY).unwrap().other_kind.as_deref(),
            Some("Laundry vouchers")
        );
        // A name for a listed kind is not kept.
        let listed = ServiceForm {
            other_kind: Some("ignored".into()),
            ..form()
        };
        assert_eq!(listed.parse(TODAY).unwrap().other_kind, None);
        let unknown = ServiceForm {
            kind: "magic".into(),
            ..form()
        };
        assert_eq!(err(unknown.parse(TODAY)), ("kind".into(), "unknown_choice"));
        let provider = ServiceForm {
            provider: "other".into(),
            ..form()
        };
        assert_eq!(
            err(provider.parse(TODAY)),
            ("provider_name".into(), "required")
        );
        let food_bank = ServiceForm {
            provider: "other".into(),
            provider_name: Some("Eastside food bank".into()),
            ..form()
        };
        let s = food_bank.parse(TODAY).unwrap();
        assert_eq!(s.provider.name(), Some("Eastside food bank"));
        assert_eq!(s.provider.kind(), "other");
        let nobody = ServiceForm {
            provider: "nobody".into(),
            ..form()
        };
        assert_eq!(
            err(nobody.parse(TODAY)),
            ("provider".into(), "unknown_choice")
        );
    }

    #[test]
    fn every_kind_round_trips() {
        for k in ServiceKind::ALL {
            assert_eq!(k.as_str().parse::<ServiceKind>(), Ok(k));
        }
    }

    #[test]
    fn links_must_belong_to_the_case_and_its_current_plan() {
        let links = CaseLinks {
            goal_ids: vec![4, 5],
            interventions: vec![(20, 4), (21, 5)],
        };
        // A goal of another case.
        let foreign = ServiceForm {
            goal_id: Some(99),
            ..form()
        };
        let e = foreign
            .parse(TODAY)
            .unwrap()
            .check_links(&links)
            .unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("goal_id", "unknown_choice"));
        // An intervention not in the current plan.
        let old = ServiceForm {
            intervention_id: Some(7),
            ..form()
        };
        let e = old.parse(TODAY).unwrap().check_links(&links).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("intervention_id", "unknown_choice")
        );
        // An intervention of another goal than the one named.
        let crossed = ServiceForm {
            intervention_id: Some(21),
            ..form()
        };
        let e = crossed
            .parse(TODAY)
            .unwrap()
            .check_links(&links)
            .unwrap_err();
        assert_eq!(e.code, "intervention_other_goal");
        // The intervention alone brings its goal.
        let alone = ServiceForm {
            goal_id: None,
            intervention_id: Some(21),
            ..form()
        };
        let s = alone.parse(TODAY).unwrap().check_links(&links).unwrap();
        assert_eq!((s.goal_id, s.intervention_id), (Some(5), Some(21)));
        // Zero means not chosen; negative is a mistake.
        let none = ServiceForm {
            goal_id: Some(0),
            ..form()
        };
        assert_eq!(none.parse(TODAY).unwrap().goal_id, None);
        let negative = ServiceForm {
            goal_id: Some(-3),
            ..form()
        };
        assert_eq!(
            err(negative.parse(TODAY)),
            ("goal_id".into(), "unknown_choice")
        );
    }

    #[test]
    fn an_error_mark_needs_a_reason() {
        assert_eq!(
            ErrorForm { reason: " ".into() }.parse().unwrap_err().field,
            "reason"
        );
        assert_eq!(
            ErrorForm {
                reason: " Wrong client ".into()
            }
            .parse()
            .unwrap(),
            "Wrong client"
        );
    }
}
