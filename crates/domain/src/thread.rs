//! The "golden thread" (DESIGN.md, "The process"): every assessed need leads to a goal, every
//! active goal to an intervention in the current plan and to recent progress, every
//! intervention to something actually done (a service delivered or a task done). These rules
//! decide where the thread is broken, from plain facts the service gathers in one read.

use crate::Invalid;
use time::{Date, Duration};

/// How many days without a progress entry make an active goal "not followed": 30 unless asked,
/// 1 to 365.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window(u16);

impl Window {
    pub const DEFAULT: Window = Window(30);
    pub const MAX: u16 = 365;

    /// From `?days=`: blank means the default.
    pub fn parse(raw: Option<&str>) -> Result<Window, Invalid> {
        match raw.map(str::trim) {
            None | Some("") => Ok(Window::DEFAULT),
            Some(s) => s
                .parse::<u16>()
                .ok()
                .filter(|d| (1..=Window::MAX).contains(d))
                .map(Window)
                .ok_or_else(|| Invalid::new("days", "days_range")),
        }
    }

    pub fn days(self) -> u16 {
        self.0
    }
}

impl Default for Window {
    fn default() -> Self {
        Window::DEFAULT
    }
}

/// An assessed need, from a completed assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedFact {
    pub id: i64,
}

/// A goal of the case: whether it is active, whether it still counts as answering its needs
/// (anything but discontinued), the needs it answers, and its latest progress entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalFact {
    pub id: i64,
    pub active: bool,
    pub discontinued: bool,
    pub need_ids: Vec<i64>,
    pub last_progress_on: Option<Date>,
}

/// An intervention of the current plan, with what has been done under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionFact {
    pub id: i64,
    pub goal_id: i64,
    /// Services delivered that name it and are not entered in error.
    pub services: u32,
    pub tasks_done: u32,
}

/// Everything the rules look at about one case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadFacts {
    pub needs: Vec<NeedFact>,
    pub goals: Vec<GoalFact>,
    pub interventions: Vec<InterventionFact>,
}

/// One place the thread is broken. `code()` is stable (API and messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// An assessed need no goal answers.
    NeedWithoutGoal { need_id: i64 },
    /// An active goal with no intervention in the current plan.
    GoalWithoutIntervention { goal_id: i64 },
    /// An active goal with no progress entry within the window (`last` is the latest, if any).
    GoalWithoutRecentProgress { goal_id: i64, last: Option<Date> },
    /// An intervention with no service delivered and no task done.
    InterventionWithoutDelivery { intervention_id: i64 },
}

impl Break {
    pub fn code(&self) -> &'static str {
        match self {
            Break::NeedWithoutGoal { .. } => "need_without_goal",
            Break::GoalWithoutIntervention { .. } => "goal_without_intervention",
            Break::GoalWithoutRecentProgress { .. } => "goal_without_recent_progress",
            Break::InterventionWithoutDelivery { .. } => "intervention_without_delivery",
        }
    }

    /// The record the break is about.
    pub fn record_id(&self) -> i64 {
        match *self {
            Break::NeedWithoutGoal { need_id } => need_id,
            Break::GoalWithoutIntervention { goal_id }
            | Break::GoalWithoutRecentProgress { goal_id, .. } => goal_id,
            Break::InterventionWithoutDelivery { intervention_id } => intervention_id,
        }
    }
}

/// Where the thread is broken, in the order of the process: needs, goals without
/// interventions, goals without recent progress, interventions without anything done.
pub fn breaks(facts: &ThreadFacts, today: Date, window: Window) -> Vec<Break> {
    let mut found = Vec::new();
    for need in &facts.needs {
        let answered = facts
            .goals
            .iter()
            .any(|g| !g.discontinued && g.need_ids.contains(&need.id));
        if !answered {
            found.push(Break::NeedWithoutGoal { need_id: need.id });
        }
    }
    let active = || facts.goals.iter().filter(|g| g.active);
    for g in active() {
        if !facts.interventions.iter().any(|i| i.goal_id == g.id) {
            found.push(Break::GoalWithoutIntervention { goal_id: g.id });
        }
    }
    // Within the window: an entry on or after today minus N days.
    let since = today - Duration::days(i64::from(window.days()));
    for g in active() {
        if g.last_progress_on.is_none_or(|d| d < since) {
            found.push(Break::GoalWithoutRecentProgress {
                goal_id: g.id,
                last: g.last_progress_on,
            });
        }
    }
    for i in &facts.interventions {
        if i.services == 0 && i.tasks_done == 0 {
            found.push(Break::InterventionWithoutDelivery {
                intervention_id: i.id,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 03 - 31);

    fn goal(id: i64, needs: &[i64], last: Option<Date>) -> GoalFact {
        GoalFact {
            id,
            active: true,
            discontinued: false,
            need_ids: needs.to_vec(),
            last_progress_on: last,
        }
    }

    fn intervention(id: i64, goal_id: i64, services: u32, tasks_done: u32) -> InterventionFact {
        InterventionFact {
            id,
            goal_id,
            services,
            tasks_done,
        }
    }

    fn whole() -> ThreadFacts {
        ThreadFacts {
            needs: vec![NeedFact { id: 1 }, NeedFact { id: 2 }],
            goals: vec![
                goal(10, &[1], Some(date!(2025 - 03 - 20))),
                goal(11, &[2], Some(date!(2025 - 03 - 01))),
            ],
            interventions: vec![intervention(100, 10, 1, 0), intervention(101, 11, 0, 2)],
        }
    }

    #[test]
    fn a_whole_thread_has_no_breaks() {
        assert_eq!(breaks(&whole(), TODAY, Window::DEFAULT), []);
        assert_eq!(breaks(&ThreadFacts::default(), TODAY, Window::DEFAULT), []);
    }

    #[test]
    fn a_need_no_goal_answers_is_a_break() {
        let mut f = whole();
        f.needs.push(NeedFact { id: 3 });
        assert_eq!(
            breaks(&f, TODAY, Window::DEFAULT),
            [Break::NeedWithoutGoal { need_id: 3 }]
        );
        // A discontinued goal no longer answers its need; a draft one does.
        f.goals.push(GoalFact {
            active: false,
            discontinued: true,
            ..goal(12, &[3], None)
        });
        assert_eq!(
            breaks(&f, TODAY, Window::DEFAULT),
            [Break::NeedWithoutGoal { need_id: 3 }]
        );
        f.goals.push(GoalFact {
            active: false,
            ..goal(13, &[3], None)
        });
        assert_eq!(breaks(&f, TODAY, Window::DEFAULT), []);
    }

    #[test]
    fn an_active_goal_needs_an_intervention() {
        let mut f = whole();
        f.interventions.retain(|i| i.goal_id != 11);
        assert_eq!(
            breaks(&f, TODAY, Window::DEFAULT),
            [Break::GoalWithoutIntervention { goal_id: 11 }]
        );
        // A goal that is not active is not asked for one.
        f.goals[1].active = false;
        assert_eq!(breaks(&f, TODAY, Window::DEFAULT), []);
    }

    #[test]
    fn progress_older_than_the_window_is_a_break_and_the_boundary_day_is_not() {
        let f = whole();
        // Goal 11's last entry is 30 days before today: inside the default window.
        assert_eq!(breaks(&f, TODAY, Window::DEFAULT), []);
        let fortnight = Window::parse(Some("14")).unwrap();
        assert_eq!(
            breaks(&f, TODAY, fortnight),
            [Break::GoalWithoutRecentProgress {
                goal_id: 11,
                last: Some(date!(2025 - 03 - 01))
            }]
        );
        let day_before = Window::parse(Some("29")).unwrap();
        assert_eq!(breaks(&f, TODAY, day_before).len(), 1);
        let mut never = whole();
        never.goals[0].last_progress_on = None;
        assert_eq!(
            breaks(&never, TODAY, Window::DEFAULT),
            [Break::GoalWithoutRecentProgress {
                goal_id: 10,
                last: None
            }]
        );
    }

    #[test]
    fn an_intervention_with_nothing_done_is_a_break() {
        let mut f = whole();
        f.interventions.push(intervention(102, 10, 0, 0));
        let found = breaks(&f, TODAY, Window::DEFAULT);
        assert_eq!(
            found,
            [Break::InterventionWithoutDelivery {
                intervention_id: 102
            }]
        );
        assert_eq!(found[0].code(), "intervention_without_delivery");
        assert_eq!(found[0].record_id(), 102);
    }

    #[test]
    fn breaks_come_in_the_order_of_the_process() {
        let f = ThreadFacts {
            needs: vec![NeedFact { id: 1 }],
            goals: vec![goal(10, &[], None)],
            interventions: vec![intervention(100, 99, 0, 0)],
        };
        let codes: Vec<_> = breaks(&f, TODAY, Window::DEFAULT)
            .iter()
            .map(Break::code)
            .collect();
        assert_eq!(
            codes,
            [
                "need_without_goal",
                "goal_without_intervention",
                "goal_without_recent_progress",
                "intervention_without_delivery"
            ]
        );
    }

    #[test]
    fn the_window_is_one_to_365_days() {
        assert_eq!(Window::parse(None), Ok(Window::DEFAULT));
        assert_eq!(Window::parse(Some(" ")).unwrap().days(), 30);
        assert_eq!(Window::parse(Some("1")).unwrap().days(), 1);
        assert_eq!(Window::parse(Some("365")).unwrap().days(), 365);
        for bad in ["0", "366", "-1", "ten", "3.5"] {
            let e = Window::parse(Some(bad)).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("days", "days_range"), "{bad}");
        }
    }
}
