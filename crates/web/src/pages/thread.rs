//! The golden-thread page of a case: where the line from assessed need to goal, intervention,
//! service and progress is broken, each break linked to the page that mends it.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use casework_domain::thread::Break;
use casework_service::thread::MonitoringCounts;
use casework_service::thread::ThreadView;
use casework_service::ServiceError;
use fluent_bundle::FluentValue;

pub fn routes() -> Router<AppState> {
    Router::new().route("/cases/{id}/thread", get(show))
}

/// One break in words, with where to mend it.
struct BreakLine {
    text: String,
    href: String,
    action: String,
}

struct BreakGroup {
    code: &'static str,
    heading: String,
    lines: Vec<BreakLine>,
}

#[derive(Template)]
#[template(path = "monitoring/thread.html")]
struct ThreadPage {
    t: T,
    page: Chrome,
    case_id: i64,
    days: String,
    groups: Vec<BreakGroup>,
    whole: bool,
    /// No breaks because there is no need or goal yet.
    untraced: bool,
    problem: Problem,
}

const GROUPS: [&str; 4] = [
    "need_without_goal",
    "goal_without_intervention",
    "goal_without_recent_progress",
    "intervention_without_delivery",
];

fn line_of(t: &T, v: &ThreadView, b: &Break) -> BreakLine {
    let case = v.case.id;
    let goal = |id: i64| {
        v.goal(id)
            .and_then(|g| g.statement.clone())
            .unwrap_or_else(|| format!("#{id}"))
    };
    match *b {
        Break::NeedWithoutGoal { need_id } => BreakLine {
            text: v
                .need(need_id)
                .map_or_else(|| format!("#{need_id}"), |n| n.description.clone()),
            href: format!("/cases/{case}/goals/new"),
            action: t.get("thread-action-goal"),
        },
        Break::GoalWithoutIntervention { goal_id } => BreakLine {
            text: goal(goal_id),
            href: format!("/cases/{case}/plan"),
            action: t.get("thread-action-plan"),
        },
        Break::GoalWithoutRecentProgress { goal_id, last } => BreakLine {
            text: match last {
                Some(d) => format!("{} ({} {d})", goal(goal_id), t.get("thread-last-entry")),
                None => format!("{} ({})", goal(goal_id), t.get("thread-no-entry")),
            },
            href: format!("/goals/{goal_id}/progress"),
            action: t.get("thread-action-progress"),
        },
        Break::InterventionWithoutDelivery { intervention_id } => BreakLine {
            text: v.intervention(intervention_id).map_or_else(
                || format!("#{intervention_id}"),
                |i| format!("{}: {}", goal(i.goal_id), i.description),
            ),
            href: format!("/cases/{case}/services"),
            action: t.get("thread-action-service"),
        },
    }
}

fn page_of(t: T, staff: &Staff, v: &ThreadView, days: String, problem: Problem) -> ThreadPage {
    let traced = !v.needs.is_empty() || !v.goals.is_empty();
    let groups = GROUPS
        .iter()
        .map(|code| BreakGroup {
            code,
            heading: t.dynamic(&format!("thread-{}", code.replace('_', "-"))),
            lines: v
                .breaks
                .iter()
                .filter(|b| b.code() == *code)
                .map(|b| line_of(&t, v, b))
                .collect(),
        })
        .filter(|g| !g.lines.is_empty())
        .collect();
    ThreadPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{}/thread", v.case.id)),
        case_id: v.case.id,
        whole: v.breaks.is_empty() && traced,
        untraced: v.breaks.is_empty() && !traced,
        groups,
        days,
        problem,
        t,
    }
}

/// The monitoring lines of the case page: services on file and breaks in the thread.
pub(crate) struct CaseMonitoring {
    pub services: String,
    pub breaks: String,
}

pub(crate) fn case_monitoring(t: &T, counts: &MonitoringCounts) -> CaseMonitoring {
    CaseMonitoring {
        services: t.get_with(
            "monitoring-services-count",
            &[("count", FluentValue::from(counts.services))],
        ),
        breaks: if counts.breaks == 0 && !counts.traced {
            t.get("monitoring-nothing-to-trace")
        } else {
            t.get_with(
                "monitoring-breaks-count",
                &[("count", FluentValue::from(counts.breaks))],
            )
        },
    }
}

#[derive(Debug, serde::Deserialize)]
struct ThreadQuery {
    days: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, PageError> {
    let t = staff.t();
    match state
        .app
        .thread(staff.actor(), case_id, q.days.as_deref())
        .await
    {
        Ok(v) => {
            let days = v.window.days().to_string();
            let page = page_of(t, &staff, &v, days, Problem::none());
            Ok(Html(page.render()?).into_response())
        }
        // A window out of range: say so by the field, and show the default window meanwhile.
        Err(e @ ServiceError::Invalid(_)) => {
            let (status, problem) = Problem::from_service(e, &t, &["days"])?;
            let v = state.app.thread(staff.actor(), case_id, None).await?;
            let days = q.days.unwrap_or_default();
            let page = page_of(t, &staff, &v, days, problem);
            Ok((status, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
