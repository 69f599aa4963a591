//! The termination page: the case's closure record as it stands (reason, closing summary,
//! growth, aftercare plan, where it is in approval), the form to write it while the case is
//! ending, hand-in, and for a supervisor of the case's team approve or return with a comment.
//! Earlier records, set aside when the case was reopened, stay readable below.

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
use casework_domain::plan::ApprovalForm;
use casework_domain::termination::{TerminationForm, TerminationReason, TerminationStatus};
use casework_service::termination::TerminationRow;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/termination", get(show).post(save))
        .route("/cases/{id}/termination/submission", post(submit))
        .route("/cases/{id}/termination/approval", post(decide))
}

pub(crate) fn reason_name(t: &T, reason: &str) -> String {
    t.dynamic(&format!("termination-reason-{reason}"))
}

fn status_name(t: &T, status: &str) -> String {
    t.dynamic(&format!("termination-status-{status}"))
}

/// A termination record as read.
struct Record {
    status: String,
    reason: Option<String>,
    reason_other: Option<String>,
    closing_summary: Option<String>,
    growth: Option<String>,
    aftercare_plan: Option<String>,
    submitted: Option<String>,
    decided: Option<String>,
    return_comment: Option<String>,
    reopened: Option<String>,
}

fn record_of(t: &T, r: &TerminationRow) -> Record {
    Record {
        status: status_name(t, &r.status),
        reason: r.reason.as_deref().map(|x| reason_name(t, x)),
        reason_other: r.reason_other.clone(),
        closing_summary: r.closing_summary.clone(),
        growth: r.growth.clone(),
        aftercare_plan: r.aftercare_plan.clone(),
        submitted: r.submitted_at.map(moment),
        decided: r.decided_at.map(moment),
        return_comment: r.return_comment.clone(),
        reopened: r.reopened_at.map(moment),
    }
}

struct ReasonChoice {
    value: &'static str,
    label: String,
    checked: bool,
}

/// The form's text as last typed (or as stored).
#[derive(Default)]
struct Draft {
    reason: String,
    reason_other: String,
    closing_summary: String,
    growth: String,
    aftercare_plan: String,
}

#[derive(Default)]
struct Problems {
    form: Problem,
    decision: Problem,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "termination/show.html")]
struct TerminationPage {
    t: T,
    page: Chrome,
    case_id: i64,
    version: i64,
    status: String,
    approval_required: bool,
    current: Option<Record>,
    earlier: Vec<Record>,
    reasons: Vec<ReasonChoice>,
    draft: Draft,
    can_edit: bool,
    can_submit: bool,
    can_decide: bool,
    awaiting: bool,
    problems: Problems,
}

async fn termination_page(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    typed: Option<Draft>,
    problems: Problems,
) -> Result<String, PageError> {
    let t = staff.t();
    let v = state.app.termination(staff.actor(), case_id).await?;
    let draft = typed.unwrap_or_else(|| match &v.current {
        Some(r) => Draft {
            reason: r.reason.clone().unwrap_or_default(),
            reason_other: r.reason_other.clone().unwrap_or_default(),
            closing_summary: r.closing_summary.clone().unwrap_or_default(),
            growth: r.growth.clone().unwrap_or_default(),
            aftercare_plan: r.aftercare_plan.clone().unwrap_or_default(),
        },
        None => Draft::default(),
    });
    let reasons = TerminationReason::ALL
        .iter()
        .map(|r| ReasonChoice {
            value: r.as_str(),
            label: reason_name(&t, r.as_str()),
            checked: draft.reason == r.as_str(),
        })
        .collect();
    let page = TerminationPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/termination")),
        case_id: v.case.id,
        version: v.version(),
        status: match v.status {
            Some(s) => status_name(&t, s.as_str()),
            None => t.get("termination-status-none"),
        },
        approval_required: v.approval_required,
        current: v.current.as_ref().map(|r| record_of(&t, r)),
        earlier: v.earlier.iter().map(|r| record_of(&t, r)).collect(),
        reasons,
        draft,
        can_edit: v.can_edit,
        can_submit: v.can_edit && v.current.is_some(),
        can_decide: v.can_decide,
        awaiting: v.status == Some(TerminationStatus::AwaitingApproval),
        problems,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct TerminationQuery {
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<TerminationQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(t.get("termination-notice-saved")),
        Some("submitted") => Some(t.get("termination-notice-submitted")),
        Some("decided") => Some(t.get("termination-notice-decided")),
        _ => None,
    };
    let problems = Problems {
        notice,
        ..Problems::default()
    };
    Ok(Html(
        termination_page(&state, &staff, case_id, None, problems).await?,
    ))
}

fn done(case_id: i64, notice: &str) -> Response {
    Redirect::to(&format!("/cases/{case_id}/termination?notice={notice}")).into_response()
}

fn text(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}

fn version_of(raw: &str) -> Result<i64, ServiceError> {
    raw.trim().parse().map_err(|_| ServiceError::Stale)
}

const FIELDS: &[&str] = &[
    "reason",
    "reason_other",
    "closing_summary",
    "growth",
    "aftercare_plan",
];

async fn refused(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    e: ServiceError,
    typed: Option<Draft>,
    decision: bool,
) -> Result<Response, PageError> {
    let t = staff.t();
    let fields: &[&str] = if decision { &["comment"] } else { FIELDS };
    let (status, problem) = Problem::from_service(e, &t, fields)?;
    let mut problems = Problems::default();
    if decision {
        problems.decision = problem;
    } else {
        problems.form = problem;
    }
    let html = termination_page(state, staff, case_id, typed, problems).await?;
    Ok((status, Html(html)).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
struct TerminationPost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reason_other: String,
    #[serde(default)]
    closing_summary: String,
    #[serde(default)]
    growth: String,
    #[serde(default)]
    aftercare_plan: String,
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<TerminationPost>,
) -> Result<Response, PageError> {
    let form = TerminationForm {
        reason: text(&post.reason),
        reason_other: text(&post.reason_other),
        closing_summary: text(&post.closing_summary),
        growth: text(&post.growth),
        aftercare_plan: text(&post.aftercare_plan),
    };
    let saved = match version_of(&post.version) {
        Ok(v) => {
            state
                .app
                .save_termination(staff.actor(), case_id, v, &form)
                .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(done(case_id, "saved")),
        Err(e) => {
            let typed = Draft {
                reason: post.reason,
                reason_other: post.reason_other,
                closing_summary: post.closing_summary,
                growth: post.growth,
                aftercare_plan: post.aftercare_plan,
            };
            refused(&state, &staff, case_id, e, Some(typed), false).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DecisionPost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<DecisionPost>,
) -> Result<Response, PageError> {
    let submitted = match version_of(&post.version) {
        Ok(v) => {
            state
                .app
                .submit_termination(staff.actor(), case_id, v)
                .await
        }
        Err(e) => Err(e),
    };
    match submitted {
        Ok(_) => Ok(done(case_id, "submitted")),
        Err(e) => refused(&state, &staff, case_id, e, None, false).await,
    }
}

async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<DecisionPost>,
) -> Result<Response, PageError> {
    let form = ApprovalForm {
        decision: post.decision,
        comment: text(&post.comment),
    };
    let decided = match version_of(&post.version) {
        Ok(v) => {
            state
                .app
                .decide_termination(staff.actor(), case_id, v, &form)
                .await
        }
        Err(e) => Err(e),
    };
    match decided {
        Ok(_) => Ok(done(case_id, "decided")),
        Err(e) => refused(&state, &staff, case_id, e, None, true).await,
    }
}
