//! `/queue`: what waits for a supervisor on their team's cases (plans to approve, guard
//! overrides to review, safety alerts to acknowledge), each linking to where it is decided, with
//! the review and acknowledgement forms in place. Anyone else is refused (403).

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::task::CommentForm;
use casework_service::queue::QueueLine;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/queue", get(show))
        .route("/queue/overrides/{id}/review", post(review))
        .route(
            "/queue/safety-alerts/{id}/acknowledgement",
            post(acknowledge),
        )
}

struct Entry {
    kind: String,
    /// `plan_approval`, `guard_override`, `safety_alert`: which form the entry carries.
    code: String,
    id: i64,
    case_id: i64,
    client_name: String,
    worker: String,
    since: String,
    detail: Option<String>,
    /// Who did what waits, and an override's stage move, in words.
    by: Option<String>,
    stage_move: Option<String>,
    /// Where it is decided.
    href: String,
    /// Why the form on this entry was refused.
    problem: Option<String>,
}

/// A stage code's name for people (the code itself if it is not a stage).
fn stage(t: &T, code: &str) -> String {
    code.parse::<casework_domain::stage::Stage>()
        .map_or_else(|_| code.to_string(), |s| super::cases::stage_name(t, s))
}

fn entry(t: &T, l: QueueLine) -> Entry {
    let href = match l.kind.as_str() {
        "plan_approval" => format!("/cases/{}/plan", l.case_id),
        "closure_approval" => format!("/cases/{}/termination", l.case_id),
        "break_glass" => "/break-glass/reviews".to_string(),
        "safety_alert" => format!("/cases/{}/instruments/phq9", l.case_id),
        _ => format!("/cases/{}", l.case_id),
    };
    Entry {
        kind: t.dynamic(&format!("queue-kind-{}", l.kind.replace('_', "-"))),
        code: l.kind,
        id: l.id,
        case_id: l.case_id,
        client_name: l.client_name,
        worker: l.worker_name.unwrap_or_default(),
        since: casework_service::clock::date_of(l.since_ms).to_string(),
        detail: l.detail,
        by: l.acted_by_name,
        stage_move: match (&l.from_stage, &l.to_stage) {
            (Some(from), Some(to)) => Some(format!("{} → {}", stage(t, from), stage(t, to))),
            _ => None,
        },
        href,
        problem: None,
    }
}

#[derive(Template)]
#[template(path = "tasks/queue.html")]
struct QueuePage {
    t: T,
    page: Chrome,
    entries: Vec<Entry>,
    next_cursor: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct QueueQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    cursor: Option<&str>,
    problem_for: Option<(String, i64)>,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let q = state.app.queue(staff.actor(), cursor, Some(50)).await?;
    let entries = q
        .items
        .into_iter()
        .map(|l| {
            let mut e = entry(&t, l);
            if problem_for.as_ref() == Some(&(e.code.clone(), e.id)) {
                e.problem = problem.message.clone();
            }
            e
        })
        .collect();
    Ok(QueuePage {
        page: Chrome::new(&staff.visitor, "/queue"),
        entries,
        next_cursor: q.next_cursor,
        notice,
        t,
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<QueueQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("reviewed") => Some(t.get("queue-reviewed")),
        Some("acknowledged") => Some(t.get("queue-acknowledged")),
        _ => None,
    };
    Ok(Html(
        page(
            &state,
            &staff,
            q.cursor.as_deref(),
            None,
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
struct CommentPost {
    #[serde(default)]
    comment: Option<String>,
}

async fn refused(
    state: &AppState,
    staff: &Staff,
    kind: &str,
    id: i64,
    e: ServiceError,
) -> Result<Response, PageError> {
    let (status, problem) = Problem::from_service(e, &staff.t(), &["comment"])?;
    let html = page(
        state,
        staff,
        None,
        Some((kind.to_string(), id)),
        problem,
        None,
    )
    .await?;
    Ok((status, Html(html)).into_response())
}

async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<CommentPost>,
) -> Result<Response, PageError> {
    let form = CommentForm {
        comment: post.comment,
    };
    match state.app.review_override(staff.actor(), id, &form).await {
        Ok(_) => Ok(Redirect::to("/queue?notice=reviewed").into_response()),
        Err(e) => refused(&state, &staff, "guard_override", id, e).await,
    }
}

async fn acknowledge(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<CommentPost>,
) -> Result<Response, PageError> {
    let form = CommentForm {
        comment: post.comment,
    };
    match state
        .app
        .acknowledge_safety_alert(staff.actor(), id, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to("/queue?notice=acknowledged").into_response()),
        Err(e) => refused(&state, &staff, "safety_alert", id, e).await,
    }
}
