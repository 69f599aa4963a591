//! A goal's progress: its entries (a value of the measure or a GAS level), a server-drawn chart
//! of the measure over time with the baseline and target drawn across, the data table as the
//! chart's text alternative, and the form to record an entry.

use super::admin::Choice;
use super::chart::{number, Chart};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use casework_domain::progress::{reference_value, ProgressForm};
use casework_service::progress::GoalProgress;

pub fn routes() -> Router<AppState> {
    Router::new().route("/goals/{id}/progress", get(show).post(record))
}

struct EntryLine {
    recorded_on: String,
    value: Option<String>,
    level: Option<String>,
    comment: String,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct ProgressPost {
    #[serde(default)]
    value: String,
    #[serde(default)]
    gas_level: String,
    #[serde(default)]
    recorded_on: String,
    #[serde(default)]
    comment: String,
}

impl ProgressPost {
    fn form(&self) -> ProgressForm {
        // Text that is not a number is refused, never silently dropped.
        let value = match self.value.trim() {
            "" => None,
            v => Some(v.parse().unwrap_or(f64::NAN)),
        };
        let gas_level = match self.gas_level.trim() {
            "" => None,
            l => Some(l.parse().unwrap_or(i64::MIN)),
        };
        ProgressForm {
            value,
            gas_level,
            recorded_on: self.recorded_on.clone(),
            comment: self.comment.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring/progress.html")]
struct ProgressPage {
    t: T,
    page: Chrome,
    case_id: i64,
    goal_id: i64,
    statement: String,
    measure: Option<String>,
    baseline: Option<String>,
    target: Option<String>,
    entries: Vec<EntryLine>,
    chart: Option<Chart>,
    can_record: bool,
    is_draft: bool,
    levels: Vec<Choice>,
    draft: ProgressPost,
    today: String,
    problem: Problem,
    notice: Option<String>,
}

fn level_name(t: &T, level: i64) -> String {
    let sign = if level > 0 { "+" } else { "" };
    format!(
        "{sign}{level} · {}",
        t.dynamic(&format!("progress-level-{}", level + 2))
    )
}

/// The measure's values over time, with the baseline and target when they are numbers.
fn chart_of(t: &T, p: &GoalProgress) -> Option<Chart> {
    let values: Vec<(String, f64)> = p
        .entries
        .iter()
        .filter_map(|e| {
            e.value
                .map(|v| (format!("{}: {}", e.recorded_on, number(v)), v))
        })
        .collect();
    let mut references = Vec::new();
    if let Some(b) = reference_value(p.goal.baseline.as_deref()) {
        references.push((format!("{} {}", t.get("progress-baseline"), number(b)), b));
    }
    if let Some(v) = reference_value(p.goal.target.as_deref()) {
        references.push((format!("{} {}", t.get("progress-target"), number(v)), v));
    }
    let (min, max) = Chart::range_of(
        values
            .iter()
            .map(|(_, v)| *v)
            .chain(references.iter().map(|(_, v)| *v)),
    )?;
    Chart::draw(&values, min, max, &references)
}

async fn render(
    state: &AppState,
    staff: &Staff,
    goal_id: i64,
    draft: Option<ProgressPost>,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let p = state.app.goal_progress(staff.actor(), goal_id).await?;
    let today = state.app.today().to_string();
    let draft = draft.unwrap_or_else(|| ProgressPost {
        recorded_on: today.clone(),
        ..ProgressPost::default()
    });
    let mut levels = vec![Choice {
        value: String::new(),
        label: t.get("progress-level-none"),
        selected: draft.gas_level.trim().is_empty(),
    }];
    levels.extend((-2..=2).map(|l: i64| Choice {
        value: l.to_string(),
        label: level_name(&t, l),
        selected: draft.gas_level.trim() == l.to_string(),
    }));
    let entries = p
        .entries
        .iter()
        .map(|e| EntryLine {
            recorded_on: e.recorded_on.clone(),
            value: e.value.map(number),
            level: e.gas_level.map(|l| level_name(&t, l)),
            comment: e.comment.clone(),
        })
        .collect();
    let page = ProgressPage {
        page: Chrome::new(&staff.visitor, &format!("/goals/{goal_id}/progress")),
        case_id: p.case.id,
        goal_id: p.goal.id,
        statement: p
            .goal
            .statement
            .clone()
            .unwrap_or_else(|| format!("#{}", p.goal.id)),
        measure: p.goal.measure.clone(),
        baseline: p.goal.baseline.clone(),
        target: p.goal.target.clone(),
        chart: chart_of(&t, &p),
        entries,
        can_record: p.can_record,
        is_draft: p.status == casework_domain::goal::GoalStatus::Draft,
        levels,
        draft,
        today,
        problem,
        notice,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct ShowQuery {
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, PageError> {
    let notice = match q.notice.as_deref() {
        Some("recorded") => Some(staff.t().get("progress-notice-recorded")),
        _ => None,
    };
    Ok(Html(
        render(&state, &staff, id, None, Problem::none(), notice).await?,
    ))
}

async fn record(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<ProgressPost>,
) -> Result<Response, PageError> {
    match state
        .app
        .record_progress(staff.actor(), id, &post.form())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}/progress?notice=recorded")).into_response()),
        Err(e) => {
            let fields = &["value", "gas_level", "recorded_on", "comment"];
            let (status, problem) = Problem::from_service(e, &staff.t(), fields)?;
            let html = render(&state, &staff, id, Some(post), problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
