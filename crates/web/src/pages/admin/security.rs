//! The agency's sign-in rules (which roles must use a second factor) and the admin's actions on
//! one account's sign-in: lifting a lockout, removing a lost authenticator. All audited.

use super::ticked;
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
use casework_domain::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/security", get(show).post(save))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/totp/reset", post(reset_totp))
}

struct RoleBox {
    value: &'static str,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin/security.html")]
struct SecurityPage {
    t: T,
    page: Chrome,
    roles: Vec<RoleBox>,
    version: i64,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct SecurityQuery {
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    staff.require(Role::Admin)?;
    let t = staff.t();
    let s = state.app.security_settings(staff.actor()).await?;
    Ok(SecurityPage {
        roles: Role::ALL
            .into_iter()
            .map(|r| RoleBox {
                value: r.as_str(),
                label: t.role(r.as_str()),
                checked: s.mfa_roles.requires(r),
            })
            .collect(),
        t,
        page: Chrome::new(&staff.visitor, "/admin/security"),
        version: s.version,
        problem,
        notice,
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<SecurityQuery>,
) -> Result<Html<String>, PageError> {
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(staff.t().get("notice-security-saved")),
        _ => None,
    };
    Ok(Html(page(&state, &staff, Problem::none(), notice).await?))
}

/// Checkboxes come as one `mfa_<role>=on` field each: browsers send only ticked ones.
#[derive(Debug, serde::Deserialize)]
struct SecurityForm {
    #[serde(default)]
    version: i64,
    mfa_caseworker: Option<String>,
    mfa_supervisor: Option<String>,
    mfa_intake_worker: Option<String>,
    mfa_admin: Option<String>,
    mfa_auditor: Option<String>,
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<SecurityForm>,
) -> Result<Response, PageError> {
    let picked: Vec<String> = [
        (Role::Caseworker, &form.mfa_caseworker),
        (Role::Supervisor, &form.mfa_supervisor),
        (Role::IntakeWorker, &form.mfa_intake_worker),
        (Role::Admin, &form.mfa_admin),
        (Role::Auditor, &form.mfa_auditor),
    ]
    .into_iter()
    .filter(|(_, v)| ticked(v))
    .map(|(r, _)| r.as_str().to_string())
    .collect();
    match state
        .app
        .update_security_settings(staff.actor(), form.version, &picked)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/security?notice=saved").into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &[])?;
            Ok((status, Html(page(&state, &staff, problem, None).await?)).into_response())
        }
    }
}

async fn unlock(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    state.app.unlock_user(staff.actor(), id).await?;
    Ok(Redirect::to("/admin/users?notice=user-unlocked"))
}

async fn reset_totp(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    state.app.reset_totp(staff.actor(), id).await?;
    Ok(Redirect::to("/admin/users?notice=totp-reset"))
}
