//! Case tasks: work on a case with a title, a due date, a worker who does it and an optional
//! reminder some days before; open until done or cancelled (a cancellation says why). Program
//! default tasks ("templates") make case tasks when a case enters a stage, due some days after.
//!
//! Also the one rule every task list sorts by: overdue, due soon (the reminder window reached),
//! later. The date is always passed in; nothing here reads a clock.

use crate::client::parse_date;
use crate::stage::Stage;
use crate::text::{optional, required};
use crate::Invalid;
use std::fmt;
use std::str::FromStr;
use time::{Date, Duration};

const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2000;
const REASON_MAX: usize = 2000;
/// A reminder or a template's due offset beyond a year is a plan, not a task.
pub const DAYS_MAX: i64 = 365;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Done,
    Cancelled,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }
}

impl FromStr for TaskStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        [TaskStatus::Open, TaskStatus::Done, TaskStatus::Cancelled]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How urgent an open task is on a given day. The order of the variants is the order of lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Overdue,
    DueSoon,
    Later,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due_soon",
            Urgency::Later => "later",
        }
    }

    /// The list position: overdue 0, due soon 1, later 2.
    pub fn rank(self) -> i64 {
        self as i64
    }
}

/// The day the reminder window opens: `remind_days` before the due date; without a reminder,
/// the due date itself (a task is "due soon" on its last day).
pub fn remind_on(due_on: Date, remind_days: Option<i64>) -> Date {
    let days = remind_days.unwrap_or(0).clamp(0, DAYS_MAX);
    due_on.checked_sub(Duration::days(days)).unwrap_or(due_on)
}

/// Overdue after its due date; due soon from its reminder day through its due date; else later.
pub fn urgency(due_on: Date, remind_on: Date, today: Date) -> Urgency {
    if today > due_on {
        Urgency::Overdue
    } else if today >= remind_on {
        Urgency::DueSoon
    } else {
        Urgency::Later
    }
}

/// A template's due date: `due_days` after the day the case entered the stage.
pub fn due_after(entered_on: Date, due_days: i64) -> Date {
    let days = due_days.clamp(0, DAYS_MAX);
    entered_on
        .checked_add(Duration::days(days))
        .unwrap_or(entered_on)
}

fn days(field: &str, raw: Option<&str>) -> Result<Option<i64>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => {
            let n: i64 = s
                .parse()
                .map_err(|_| Invalid::new(field, "number_format"))?;
            if !(0..=DAYS_MAX).contains(&n) {
                return Err(Invalid::new(field, "out_of_range"));
            }
            Ok(Some(n))
        }
    }
}

/// A case task as typed (new or edited).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct TaskForm {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
    /// A worker of the case, as a user id; blank means the case's primary worker.
    #[serde(default)]
    pub assignee_id: Option<String>,
    /// Remind this many days before the due date; blank means no reminder.
    #[serde(default)]
    pub remind_days: Option<String>,
}

/// A checked case task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTask {
    pub title: String,
    pub description: Option<String>,
    pub due_on: Date,
    pub assignee_id: Option<i64>,
    pub remind_days: Option<i64>,
}

impl CaseTask {
    pub fn remind_on(&self) -> Date {
        remind_on(self.due_on, self.remind_days)
    }
}

impl TaskForm {
    /// A due date may not be in the past when the task is written: nobody plans for yesterday.
    pub fn parse(&self, today: Date) -> Result<CaseTask, Invalid> {
        let title = required("title", &self.title, TITLE_MAX)?;
        let description = optional("description", self.description.as_deref(), DESCRIPTION_MAX)?;
        if self.due_on.trim().is_empty() {
            return Err(Invalid::new("due_on", "required"));
        }
        let due_on = parse_date("due_on", &self.due_on)?;
        if due_on < today {
            return Err(Invalid::new("due_on", "date_in_past"));
        }
        let assignee_id = match self.assignee_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                s.parse::<i64>()
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or_else(|| Invalid::new("assignee_id", "unknown_choice"))?,
            ),
        };
        Ok(CaseTask {
            title,
            description,
            due_on,
            assignee_id,
            remind_days: days("remind_days", self.remind_days.as_deref())?,
        })
    }
}

/// Why a task is cancelled, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    pub reason: String,
}

impl CancelForm {
    pub fn parse(&self) -> Result<String, Invalid> {
        required("reason", &self.reason, REASON_MAX)
    }
}

/// A supervisor's comment on a review or an acknowledgement (optional for an override review,
/// required when acknowledging a safety alert).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub comment: Option<String>,
}

impl CommentForm {
    pub fn optional(&self) -> Result<Option<String>, Invalid> {
        optional("comment", self.comment.as_deref(), REASON_MAX)
    }

    pub fn required(&self) -> Result<String, Invalid> {
        required("comment", self.comment.as_deref().unwrap_or(""), REASON_MAX)
    }
}

/// A program's default task as typed by an agency admin.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct TemplateForm {
    pub title: String,
    /// The stage whose entry creates the task.
    pub stage: String,
    /// Due this many days after the case enters the stage.
    pub due_days: String,
    #[serde(default)]
    pub remind_days: Option<String>,
}

/// A checked default task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub title: String,
    pub stage: Stage,
    pub due_days: i64,
    pub remind_days: Option<i64>,
}

impl TemplateForm {
    pub fn parse(&self) -> Result<Template, Invalid> {
        let title = required("title", &self.title, TITLE_MAX)?;
        let stage: Stage = self
            .stage
            .trim()
            .parse()
            .map_err(|_| Invalid::new("stage", "unknown_choice"))?;
        if stage == Stage::Closed {
            return Err(Invalid::new("stage", "unknown_choice"));
        }
        let due_days =
            days("due_days", Some(&self.due_days))?.ok_or(Invalid::new("due_days", "required"))?;
        Ok(Template {
            title,
            stage,
            due_days,
            remind_days: days("remind_days", self.remind_days.as_deref())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn urgency_at_its_boundaries() {
        let due = date!(2026 - 03 - 10);
        let remind = remind_on(due, Some(3));
        assert_eq!(remind, date!(2026 - 03 - 07));
        assert_eq!(urgency(due, remind, date!(2026 - 03 - 06)), Urgency::Later);
        assert_eq!(
            urgency(due, remind, date!(2026 - 03 - 07)),
            Urgency::DueSoon
        );
        assert_eq!(
            urgency(due, remind, date!(2026 - 03 - 10)),
            Urgency::DueSoon
        );
        assert_eq!(
            urgency(due, remind, date!(2026 - 03 - 11)),
            Urgency::Overdue
        );
    }

    #[test]
    fn without_a_reminder_a_task_is_due_soon_only_on_its_day() {
        let due = date!(2026 - 03 - 10);
        let remind = remind_on(due, None);
        assert_eq!(urgency(due, remind, date!(2026 - 03 - 09)), Urgency::Later);
        assert_eq!(urgency(due, remind, due), Urgency::DueSoon);
    }

    #[test]
    fn urgency_orders_overdue_first() {
        assert!(Urgency::Overdue < Urgency::DueSoon && Urgency::DueSoon < Urgency::Later);
        assert_eq!(Urgency::Later.rank(), 2);
    }

    #[test]
    fn due_after_crosses_months_and_years() {
        assert_eq!(due_after(date!(2026 - 01 - 28), 7), date!(2026 - 02 - 04));
        assert_eq!(due_after(date!(2026 - 12 - 30), 2), date!(2027 - 01 - 01));
        assert_eq!(due_after(date!(2028 - 02 - 28), 1), date!(2028 - 02 - 29));
        assert_eq!(due_after(date!(2026 - 05 - 01), 0), date!(2026 - 05 - 01));
    }

    fn form() -> TaskForm {
        TaskForm {
            title: "Call the landlord".into(),
            description: None,
            due_on: "2026-03-10".into(),
            assignee_id: None,
            remind_days: Some("2".into()),
        }
    }

    #[test]
    fn task_form_checks_each_field() {
        let today = date!(2026 - 03 - 01);
        let t = form().parse(today).unwrap();
        assert_eq!(t.remind_on(), date!(2026 - 03 - 08));
        let bad = |f: TaskForm| f.parse(today).unwrap_err();
        assert_eq!(
            bad(TaskForm {
                title: " ".into(),
                ..form()
            }),
            Invalid::new("title", "required")
        );
        assert_eq!(
            bad(TaskForm {
                due_on: "2026-02-28".into(),
                ..form()
            }),
            Invalid::new("due_on", "date_in_past")
        );
        assert!(TaskForm {
            due_on: "2026-03-01".into(),
            ..form()
        }
        .parse(today)
        .is_ok());
        assert_eq!(
            bad(TaskForm {
                remind_days: Some("366".into()),
                ..form()
            }),
            Invalid::new("remind_days", "out_of_range")
        );
        assert_eq!(
            bad(TaskForm {
                remind_days: Some("-1".into()),
                ..form()
            }),
            Invalid::new("remind_days", "out_of_range")
        );
        assert_eq!(
            bad(TaskForm {
                assignee_id: Some("x".into()),
                ..form()
            }),
            Invalid::new("assignee_id", "unknown_choice")
        );
    }

    #[test]
    fn cancelling_needs_a_reason() {
        assert_eq!(
            CancelForm {
                reason: "  ".into()
            }
            .parse()
            .unwrap_err(),
            Invalid::new("reason", "required")
        );
        assert_eq!(
            CancelForm {
                reason: "client moved".into()
            }
            .parse()
            .unwrap(),
            "client moved"
        );
    }

    #[test]
    fn template_form_checks_stage_and_days() {
        let f = TemplateForm {
            title: "First home visit".into(),
            stage: "engagement".into(),
            due_days: "7".into(),
            remind_days: None,
        };
        let t = f.parse().unwrap();
        assert_eq!((t.stage, t.due_days), (Stage::Engagement, 7));
        let closed = TemplateForm {
            stage: "closed".into(),
            ..f.clone()
        };
        assert_eq!(
            closed.parse().unwrap_err(),
            Invalid::new("stage", "unknown_choice")
        );
        let blank = TemplateForm {
            due_days: "".into(),
            ..f.clone()
        };
        assert_eq!(
            blank.parse().unwrap_err(),
            Invalid::new("due_days", "required")
        );
        let words = TemplateForm {
            due_days: "seven".into(),
            ..f
        };
        assert_eq!(
            words.parse().unwrap_err(),
            Invalid::new("due_days", "number_format")
        );
    }
}
