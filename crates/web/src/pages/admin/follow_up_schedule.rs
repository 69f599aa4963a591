//! A program's follow-up schedule: the days after closure on which the worker checks in with
//! the client. The agency admin keeps it on this sub-page of the programs list.

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
use casework_domain::termination::FollowUpSchedule;
use casework_domain::Role;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/programs/{id}/follow-ups", get(show).post(save))
}

#[derive(Template)]
#[template(path = "admin/follow_up_schedule.html")]
struct SchedulePage {
    t: T,
    page: Chrome,
    program_id: i64,
    program_name: String,
    current: String,
    days: String,
    version: i64,
    problem: Problem,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    typed: Option<String>,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let s = state.app.follow_up_schedule(staff.actor(), id).await?;
    let shown = s
        .schedule
        .days()
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(SchedulePage {
        page: Chrome::new(&staff.visitor, "/admin/programs"),
        program_id: s.program.id,
        program_name: s.program.name.clone(),
        current: if shown.is_empty() {
            t.get("schedule-none")
        } else {
            shown.clone()
        },
        days: typed.unwrap_or(shown),
        version: s.version,
        problem,
        notice,
        t,
    }
    .render()?)
}

#[derive(Debug, serde::Deserialize)]
struct ScheduleQuery {
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ScheduleQuery>,
) -> Result<Html<String>, PageError> {
    staff.require(Role::Admin)?;
    let notice = (q.notice.as_deref() == Some("saved")).then(|| staff.t().get("schedule-saved"));
    Ok(Html(
        page(&state, &staff, id, None, Problem::none(), notice).await?,
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
struct SchedulePost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    days: String,
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<SchedulePost>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let saved = match (
        post.version.trim().parse::<i64>(),
        FollowUpSchedule::parse_text(&post.days),
    ) {
        (Err(_), _) => Err(ServiceError::Stale),
        (_, Err(e)) => Err(ServiceError::Invalid(e)),
        (Ok(v), Ok(s)) => {
            let days: Vec<i64> = s.days().iter().map(|d| i64::from(*d)).collect();
            state
                .app
                .set_follow_up_schedule(staff.actor(), id, v, &days)
                .await
        }
    };
    match saved {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/programs/{id}/follow-ups?notice=saved")).into_response(),
        ),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["days"])?;
            let html = page(&state, &staff, id, Some(post.days), problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
