//! The follow-up page: the case's check-ins after closure (due date, days after closure, where
//! each stands and what it found or why it was cancelled), a form to record each open one and
//! one to cancel it, and the case's reopenings. Also the short list on the case page.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{moment, Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::case::ContactMode;
use casework_domain::termination::{ChangeHeld, CheckInForm};
use casework_service::follow_up::FollowUpList;
use casework_service::follow_up::FollowUpRow;
use casework_service::{Cursor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/follow-ups", get(show))
        .route("/cases/{id}/follow-ups/{follow_up}/done", post(complete))
        .route(
            "/cases/{id}/follow-ups/{follow_up}/cancellation",
            post(cancel),
        )
}

fn status_name(t: &T, status: &str) -> String {
    t.dynamic(&format!("follow-up-status-{status}"))
}

fn held_name(t: &T, held: &str) -> String {
    t.dynamic(&format!("follow-up-held-{held}"))
}

fn stage_word(t: &T, stage: &str) -> String {
    t.dynamic(&format!("stage-{stage}"))
}

/// One check-in as shown.
pub(crate) struct FollowUpLine {
    pub id: i64,
    pub version: i64,
    pub due_on: String,
    pub day_offset: i64,
    pub status: String,
    pub open: bool,
    pub contact_date: Option<String>,
    pub contact_mode: Option<String>,
    pub change_held: Option<String>,
    pub new_needs: Option<String>,
    pub referrals: Option<String>,
    pub comment: Option<String>,
    pub cancel_reason: Option<String>,
}

fn line_of(t: &T, f: &FollowUpRow) -> FollowUpLine {
    FollowUpLine {
        id: f.id,
        version: f.version,
        due_on: f.due_on.clone(),
        day_offset: f.day_offset,
        status: status_name(t, &f.status),
        open: f.status == "open",
        contact_date: f.contact_date.clone(),
        contact_mode: f
            .contact_mode
            .as_deref()
            .map(|m| t.dynamic(&format!("case-mode-{m}"))),
        change_held: f.change_held.as_deref().map(|h| held_name(t, h)),
        new_needs: f.new_needs.clone(),
        referrals: f.referrals.clone(),
        comment: f.comment.clone(),
        cancel_reason: f.cancel_reason.as_deref().map(|r| {
            if r == casework_service::follow_up::REOPENED {
                t.get("follow-up-cancelled-reopened")
            } else {
                r.to_string()
            }
        }),
    }
}

/// The case page's short list: the first check-ins of the case.
pub(crate) fn lines(t: &T, list: &FollowUpList) -> Vec<FollowUpLine> {
    list.follow_ups
        .items
        .iter()
        .map(|f| line_of(t, f))
        .collect()
}

struct ReopeningLine {
    when: String,
    from: String,
    to: String,
    reason: String,
}

struct Choice {
    value: &'static str,
    label: String,
}

#[derive(Default)]
struct Problems {
    /// The check-in whose form went wrong, and what went wrong.
    at: Option<i64>,
    problem: Problem,
    notice: Option<String>,
}

impl Problems {
    fn shown_at(&self, id: &i64) -> bool {
        self.at == Some(*id)
    }
}

#[derive(Template)]
#[template(path = "follow_ups/list.html")]
struct FollowUpsPage {
    t: T,
    page: Chrome,
    case_id: i64,
    lines: Vec<FollowUpLine>,
    next: Option<String>,
    reopenings: Vec<ReopeningLine>,
    can_record: bool,
    modes: Vec<Choice>,
    helds: Vec<Choice>,
    today: String,
    problems: Problems,
}

async fn follow_ups_page(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    cursor: Option<&str>,
    problems: Problems,
) -> Result<String, PageError> {
    let t = staff.t();
    let cursor = Cursor::parse(cursor).map_err(ServiceError::Invalid)?;
    let list = state
        .app
        .follow_ups(staff.actor(), case_id, cursor, None)
        .await?;
    let page = FollowUpsPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/follow-ups")),
        case_id: list.case.id,
        lines: list
            .follow_ups
            .items
            .iter()
            .map(|f| line_of(&t, f))
            .collect(),
        next: list.follow_ups.next_cursor.clone(),
        reopenings: list
            .reopenings
            .iter()
            .map(|r| ReopeningLine {
                when: moment(r.reopened_at),
                from: stage_word(&t, &r.from_stage),
                to: stage_word(&t, &r.to_stage),
                reason: r.reason.clone(),
            })
            .collect(),
        can_record: list.can_record,
        modes: ContactMode::ALL
            .iter()
            .map(|m| Choice {
                value: m.as_str(),
                label: t.dynamic(&format!("case-mode-{}", m.as_str())),
            })
            .collect(),
        helds: ChangeHeld::ALL
            .iter()
            .map(|h| Choice {
                value: h.as_str(),
                label: held_name(&t, h.as_str()),
            })
            .collect(),
        today: state.app.today().to_string(),
        problems,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct FollowUpsQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<FollowUpsQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("done") => Some(t.get("follow-up-notice-done")),
        Some("cancelled") => Some(t.get("follow-up-notice-cancelled")),
        _ => None,
    };
    let problems = Problems {
        notice,
        ..Problems::default()
    };
    Ok(Html(
        follow_ups_page(&state, &staff, case_id, q.cursor.as_deref(), problems).await?,
    ))
}

async fn answer(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    follow_up: i64,
    result: Result<FollowUpRow, ServiceError>,
    notice: &str,
    fields: &[&str],
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/cases/{case_id}/follow-ups?notice={notice}")).into_response(),
        ),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), fields)?;
            let problems = Problems {
                at: Some(follow_up),
                problem,
                notice: None,
            };
            let html = follow_ups_page(state, staff, case_id, None, problems).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

fn text(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}

fn version_of(raw: &str) -> Result<i64, ServiceError> {
    raw.trim().parse().map_err(|_| ServiceError::Stale)
}

#[derive(Debug, Default, serde::Deserialize)]
struct CheckInPost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    contact_date: String,
    #[serde(default)]
    contact_mode: String,
    #[serde(default)]
    change_held: String,
    #[serde(default)]
    new_needs: String,
    #[serde(default)]
    referrals: String,
    #[serde(default)]
    comment: String,
}

async fn complete(
    State(state): State<AppState>,
    staff: Staff,
    Path((case_id, follow_up)): Path<(i64, i64)>,
    Form(post): Form<CheckInPost>,
) -> Result<Response, PageError> {
    let form = CheckInForm {
        contact_date: post.contact_date,
        contact_mode: post.contact_mode,
        change_held: post.change_held,
        new_needs: text(&post.new_needs),
        referrals: text(&post.referrals),
        comment: text(&post.comment),
    };
    let result = match version_of(&post.version) {
        Ok(v) => {
            state
                .app
                .complete_follow_up(staff.actor(), follow_up, v, &form)
                .await
        }
        Err(e) => Err(e),
    };
    let fields = &[
        "contact_date",
        "contact_mode",
        "change_held",
        "new_needs",
        "referrals",
        "comment",
    ];
    answer(&state, &staff, case_id, follow_up, result, "done", fields).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct CancelPost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path((case_id, follow_up)): Path<(i64, i64)>,
    Form(post): Form<CancelPost>,
) -> Result<Response, PageError> {
    let result = match version_of(&post.version) {
        Ok(v) => {
            state
                .app
                .cancel_follow_up(staff.actor(), follow_up, v, Some(&post.reason))
                .await
        }
        Err(e) => Err(e),
    };
    answer(
        &state,
        &staff,
        case_id,
        follow_up,
        result,
        "cancelled",
        &["reason"],
    )
    .await
}
