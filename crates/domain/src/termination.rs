//! Termination and follow-up: the reason a case ends, the closing summary, the growth achieved
//! and the aftercare plan; the program's follow-up schedule (days after closure); the check-ins
//! it creates and what each one found; and the reason a case is reopened.
//!
//! The flow is: [`TerminationForm`] (raw input) → [`Termination`] (a draft, checked);
//! [`Termination::ready`] says whether a draft may be handed in. A supervisor's decision reuses
//! the plan's [`crate::plan::ApprovalForm`]: a return must say why.

use crate::case::ContactMode;
use crate::client::parse_date;
use crate::text::{optional, required};
use crate::Invalid;
use std::fmt;
use std::str::FromStr;
use time::{Date, Duration};

const TEXT_MAX: usize = 4000;
const REASON_MAX: usize = 500;

/// Why the work ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminationReason {
    GoalsAchieved,
    PartlyAchieved,
    ClientWithdrew,
    Moved,
    Transferred,
    NoContact,
    /// Needs a stated reason.
    Other,
}

impl TerminationReason {
    pub const ALL: [TerminationReason; 7] = [
        TerminationReason::GoalsAchieved,
        TerminationReason::PartlyAchieved,
        TerminationReason::ClientWithdrew,
        TerminationReason::Moved,
        TerminationReason::Transferred,
        TerminationReason::NoContact,
        TerminationReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TerminationReason::GoalsAchieved => "goals_achieved",
            TerminationReason::PartlyAchieved => "partly_achieved",
            TerminationReason::ClientWithdrew => "client_withdrew",
            TerminationReason::Moved => "moved",
            TerminationReason::Transferred => "transferred",
            TerminationReason::NoContact => "no_contact",
            TerminationReason::Other => "other",
        }
    }
}

impl FromStr for TerminationReason {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or(())
    }
}

impl fmt::Display for TerminationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A termination record as typed. Everything may be blank while it is a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct TerminationForm {
    #[serde(default)]
    pub reason: Option<String>,
    /// Required when the reason is `other`.
    #[serde(default)]
    pub reason_other: Option<String>,
    #[serde(default)]
    pub closing_summary: Option<String>,
    /// Growth and accomplishments.
    #[serde(default)]
    pub growth: Option<String>,
    /// Transition and aftercare plan.
    #[serde(default)]
    pub aftercare_plan: Option<String>,
}

/// A checked termination draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Termination {
    pub reason: Option<TerminationReason>,
    pub reason_other: Option<String>,
    pub closing_summary: Option<String>,
    pub growth: Option<String>,
    pub aftercare_plan: Option<String>,
}

impl TerminationForm {
    pub fn parse(&self) -> Result<Termination, Invalid> {
        let reason = match self.reason.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(
                r.parse::<TerminationReason>()
                    .map_err(|_| Invalid::new("reason", "unknown_choice"))?,
            ),
        };
        let other = optional("reason_other", self.reason_other.as_deref(), REASON_MAX)?;
        // A stated reason belongs only to "other"; kept elsewhere it would mislead.
        let reason_other = match reason {
            Some(TerminationReason::Other) => match other {
                Some(o) => Some(o),
                None => return Err(Invalid::new("reason_other", "required")),
            },
            _ => None,
        };
        Ok(Termination {
            reason,
            reason_other,
            closing_summary: optional(
                "closing_summary",
                self.closing_summary.as_deref(),
                TEXT_MAX,
            )?,
            growth: optional("growth", self.growth.as_deref(), TEXT_MAX)?,
            aftercare_plan: optional("aftercare_plan", self.aftercare_plan.as_deref(), TEXT_MAX)?,
        })
    }
}

impl Termination {
    /// May this draft be handed in? A reason and a closing summary are the least a closure
    /// record must say.
    pub fn ready(&self) -> Result<(), Invalid> {
        if self.reason.is_none() {
            return Err(Invalid::new("reason", "required"));
        }
        if self.closing_summary.is_none() {
            return Err(Invalid::new("closing_summary", "required"));
        }
        Ok(())
    }
}

/// Where a termination record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminationStatus {
    Draft,
    /// Handed in where the program asks for no approval: done.
    Submitted,
    AwaitingApproval,
    Approved,
    Returned,
}

impl TerminationStatus {
    pub const ALL: [TerminationStatus; 5] = [
        TerminationStatus::Draft,
        TerminationStatus::Submitted,
        TerminationStatus::AwaitingApproval,
        TerminationStatus::Approved,
        TerminationStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TerminationStatus::Draft => "draft",
            TerminationStatus::Submitted => "submitted",
            TerminationStatus::AwaitingApproval => "awaiting_approval",
            TerminationStatus::Approved => "approved",
            TerminationStatus::Returned => "returned",
        }
    }

    /// Only a draft or a returned record may be changed; a handed-in one is the record.
    pub fn editable(self) -> bool {
        matches!(self, TerminationStatus::Draft | TerminationStatus::Returned)
    }

    /// Has the closing summary been handed in (the first half of the termination guard)?
    pub fn handed_in(self) -> bool {
        matches!(
            self,
            TerminationStatus::Submitted
                | TerminationStatus::AwaitingApproval
                | TerminationStatus::Approved
        )
    }
}

impl FromStr for TerminationStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

/// Days after closure at which the worker checks in, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FollowUpSchedule(Vec<u32>);

impl FollowUpSchedule {
    pub const MAX_ENTRIES: usize = 10;
    /// Ten years: later than that is no longer a follow-up.
    pub const MAX_DAY: i64 = 3650;

    /// From the days as given (the API's list).
    pub fn parse(days: &[i64]) -> Result<Self, Invalid> {
        if days.len() > Self::MAX_ENTRIES {
            return Err(Invalid::new("days", "too_many"));
        }
        let mut out: Vec<u32> = Vec::with_capacity(days.len());
        for &d in days {
            if !(1..=Self::MAX_DAY).contains(&d) {
                return Err(Invalid::new("days", "follow_up_day_range"));
            }
            let d = d as u32;
            if out.last().is_some_and(|last| *last >= d) {
                return Err(Invalid::new("days", "follow_up_days_not_ascending"));
            }
            out.push(d);
        }
        Ok(Self(out))
    }

    /// From text such as "30, 90, 180" (the admin's form); blank means no follow-ups.
    pub fn parse_text(raw: &str) -> Result<Self, Invalid> {
        let mut days = Vec::new();
        for part in raw.split([',', ' ', ';']).filter(|p| !p.trim().is_empty()) {
            let d = part
                .trim()
                .parse::<i64>()
                .map_err(|_| Invalid::new("days", "follow_up_day_range"))?;
            days.push(d);
        }
        Self::parse(&days)
    }

    pub fn days(&self) -> &[u32] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As stored: "30,90,180".
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Each check-in's day and due date, counted from the closure date.
    pub fn due_dates(&self, closed_on: Date) -> Vec<(u32, Date)> {
        self.0
            .iter()
            .filter_map(|d| {
                closed_on
                    .checked_add(Duration::days(i64::from(*d)))
                    .map(|due| (*d, due))
            })
            .collect()
    }
}

/// Did the change the work brought about hold?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeHeld {
    Held,
    Partly,
    NotHeld,
}

impl ChangeHeld {
    pub const ALL: [ChangeHeld; 3] = [ChangeHeld::Held, ChangeHeld::Partly, ChangeHeld::NotHeld];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeHeld::Held => "held",
            ChangeHeld::Partly => "partly",
            ChangeHeld::NotHeld => "not_held",
        }
    }
}

impl FromStr for ChangeHeld {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

/// A check-in as recorded, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct CheckInForm {
    /// `YYYY-MM-DD`, not in the future.
    pub contact_date: String,
    /// A contact mode, as for contacts.
    pub contact_mode: String,
    /// `held`, `partly` or `not_held`.
    pub change_held: String,
    #[serde(default)]
    pub new_needs: Option<String>,
    #[serde(default)]
    pub referrals: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A checked check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    pub contact_date: Date,
    pub contact_mode: ContactMode,
    pub change_held: ChangeHeld,
    pub new_needs: Option<String>,
    pub referrals: Option<String>,
    pub comment: Option<String>,
}

impl CheckInForm {
    pub fn parse(&self, today: Date) -> Result<CheckIn, Invalid> {
        if self.contact_date.trim().is_empty() {
            return Err(Invalid::new("contact_date", "required"));
        }
        let contact_date = parse_date("contact_date", &self.contact_date)?;
        if contact_date > today {
            return Err(Invalid::new("contact_date", "date_in_future"));
        }
        Ok(CheckIn {
            contact_date,
            contact_mode: self
                .contact_mode
                .trim()
                .parse()
                .map_err(|_| Invalid::new("contact_mode", "unknown_choice"))?,
            change_held: self
                .change_held
                .trim()
                .parse()
                .map_err(|_| Invalid::new("change_held", "unknown_choice"))?,
            new_needs: optional("new_needs", self.new_needs.as_deref(), TEXT_MAX)?,
            referrals: optional("referrals", self.referrals.as_deref(), TEXT_MAX)?,
            comment: optional("comment", self.comment.as_deref(), TEXT_MAX)?,
        })
    }
}

/// Why a check-in will not happen, or why a case comes back: required, bounded text.
pub fn stated_reason(field: &str, raw: Option<&str>) -> Result<String, Invalid> {
    required(field, raw.unwrap_or(""), REASON_MAX)
}

/// Where a check-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    Open,
    Done,
    Cancelled,
}

impl FollowUpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpStatus::Open => "open",
            FollowUpStatus::Done => "done",
            FollowUpStatus::Cancelled => "cancelled",
        }
    }
}

impl FromStr for FollowUpStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        [
            FollowUpStatus::Open,
            FollowUpStatus::Done,
            FollowUpStatus::Cancelled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn form() -> TerminationForm {
        TerminationForm {
            reason: Some("goals_achieved".into()),
            reason_other: None,
            closing_summary: Some(" Housed and working ".into()),
            growth: Some("Kept a budget for six months".into()),
            aftercare_plan: Some("Tenancy support line".into()),
        }
    }

    #[test]
    fn a_complete_termination_parses_and_is_ready() {
        let t = form().parse().unwrap();
        assert_eq!(t.reason, Some(TerminationReason::GoalsAchieved));
        assert_eq!(t.closing_summary.as_deref(), Some("Housed and working"));
        assert_eq!(t.ready(), Ok(()));
    }

    #[test]
    fn other_needs_a_stated_reason_and_only_other_keeps_one() {
        let bare = TerminationForm {
            reason: Some("other".into()),
            reason_other: Some("  ".into()),
            ..form()
        };
        assert_eq!(
            bare.parse().unwrap_err(),
            Invalid::new("reason_other", "required")
        );
        let stated = TerminationForm {
            reason: Some("other".into()),
            reason_other: Some("Client entered residential care".into()),
            ..form()
        };
        assert_eq!(
            stated.parse().unwrap().reason_other.as_deref(),
            Some("Client entered residential care")
        );
        let moved = TerminationForm {
            reason: Some("moved".into()),
            reason_other: Some("ignored".into()),
            ..form()
        };
        assert_eq!(moved.parse().unwrap().reason_other, None);
    }

    #[test]
    fn a_draft_may_be_blank_but_is_not_ready() {
        let blank = TerminationForm::default().parse().unwrap();
        assert_eq!(blank.ready(), Err(Invalid::new("reason", "required")));
        let no_summary = TerminationForm {
            closing_summary: Some(" ".into()),
            ..form()
        };
        assert_eq!(
            no_summary.parse().unwrap().ready(),
            Err(Invalid::new("closing_summary", "required"))
        );
        let odd = TerminationForm {
            reason: Some("bored".into()),
            ..form()
        };
        assert_eq!(odd.parse().unwrap_err().code, "unknown_choice");
        for r in TerminationReason::ALL {
            assert_eq!(r.as_str().parse(), Ok(r));
        }
    }

    #[test]
    fn status_rules() {
        assert!(TerminationStatus::Draft.editable());
        assert!(TerminationStatus::Returned.editable());
        assert!(!TerminationStatus::AwaitingApproval.editable());
        assert!(!TerminationStatus::Draft.handed_in());
        assert!(!TerminationStatus::Returned.handed_in());
        assert!(TerminationStatus::Submitted.handed_in());
        for s in TerminationStatus::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
    }

    #[test]
    fn schedules_are_positive_ascending_bounded() {
        assert_eq!(
            FollowUpSchedule::parse(&[30, 90, 180]).unwrap().days(),
            &[30, 90, 180]
        );
        assert!(FollowUpSchedule::parse(&[]).unwrap().is_empty());
        assert!(FollowUpSchedule::parse(&[1, 3650]).is_ok());
        assert_eq!(
            FollowUpSchedule::parse(&[0]).unwrap_err(),
            Invalid::new("days", "follow_up_day_range")
        );
        assert_eq!(
            FollowUpSchedule::parse(&[3651]).unwrap_err().code,
            "follow_up_day_range"
        );
        assert_eq!(
            FollowUpSchedule::parse(&[-5]).unwrap_err().code,
            "follow_up_day_range"
        );
        assert_eq!(
            FollowUpSchedule::parse(&[90, 30]).unwrap_err().code,
            "follow_up_days_not_ascending"
        );
        assert_eq!(
            FollowUpSchedule::parse(&[30, 30]).unwrap_err().code,
            "follow_up_days_not_ascending"
        );
        let ten: Vec<i64> = (1..=10).collect();
        assert!(FollowUpSchedule::parse(&ten).is_ok());
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(
            FollowUpSchedule::parse(&eleven).unwrap_err().code,
            "too_many"
        );
    }

    #[test]
    fn schedules_read_from_text_and_give_due_dates() {
        let s = FollowUpSchedule::parse_text(" 30, 90 ,180 ").unwrap();
        assert_eq!(s.to_text(), "30,90,180");
        assert!(FollowUpSchedule::parse_text("  ").unwrap().is_empty());
        assert_eq!(
            FollowUpSchedule::parse_text("30, soon").unwrap_err().code,
            "follow_up_day_range"
        );
        assert_eq!(
            s.due_dates(TODAY),
            vec![
                (30, date!(2026 - 12 - 22)),
                (90, date!(2027 - 02 - 20)),
                (180, date!(2027 - 05 - 21)),
            ]
        );
    }

    #[test]
    fn check_ins_are_checked() {
        let f = CheckInForm {
            contact_date: "2026-11-22".into(),
            contact_mode: "phone".into(),
            change_held: "partly".into(),
            new_needs: Some("Childcare".into()),
            referrals: None,
            comment: Some(" ".into()),
        };
        let c = f.parse(TODAY).unwrap();
        assert_eq!(c.contact_mode, ContactMode::Phone);
        assert_eq!(c.change_held, ChangeHeld::Partly);
        assert_eq!(c.comment, None);
        let future = CheckInForm {
            contact_date: "2026-11-23".into(),
            ..f.clone()
        };
        assert_eq!(
            future.parse(TODAY).unwrap_err(),
            Invalid::new("contact_date", "date_in_future")
        );
        let held = CheckInForm {
            change_held: "maybe".into(),
            ..f.clone()
        };
        assert_eq!(held.parse(TODAY).unwrap_err().field, "change_held");
        let mode = CheckInForm {
            contact_mode: "telepathy".into(),
            ..f.clone()
        };
        assert_eq!(mode.parse(TODAY).unwrap_err().field, "contact_mode");
        let blank = CheckInForm {
            contact_date: "".into(),
            ..f
        };
        assert_eq!(blank.parse(TODAY).unwrap_err().code, "required");
        assert_eq!(
            stated_reason("reason", Some("  ")).unwrap_err(),
            Invalid::new("reason", "required")
        );
        assert_eq!(
            stated_reason("reason", Some(" Moved away ")).unwrap(),
            "Moved away"
        );
    }
}
