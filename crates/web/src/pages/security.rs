//! The security parts of "your account": changing one's password, setting up or turning off
//! the authenticator (TOTP), and ending one session at a time. The account page shows the
//! forms; this module answers them.

use super::second_step::{RecoveryCodesPage, Setup};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_service::auth::Secret;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/account/password",
            get(show_password).post(change_password),
        )
        .route("/account/totp", get(show_totp).post(start_totp))
        .route("/account/totp/confirm", post(confirm_totp))
        .route("/account/totp/disable", post(disable_totp))
        .route("/account/sessions/{id}/revoke", post(revoke_session))
}

#[derive(Template)]
#[template(path = "security/password.html")]
struct PasswordPage {
    t: T,
    page: Chrome,
    problem: Problem,
}

fn password_page(staff: &Staff, problem: Problem) -> Result<String, PageError> {
    Ok(PasswordPage {
        t: staff.t(),
        page: Chrome::new(&staff.visitor, "/account/password"),
        problem,
    }
    .render()?)
}

async fn show_password(staff: Staff) -> Result<Html<String>, PageError> {
    Ok(Html(password_page(&staff, Problem::none())?))
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm(<redacted>)")
    }
}

async fn change_password(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .change_password(
            staff.actor(),
            staff
                .visitor
                .signed_in
                .as_ref()
                .map(|s| s.session_id.as_str()),
            &Secret::new(form.current_password),
            &Secret::new(form.password),
        )
        .await;
    match result {
        Ok(()) => Ok(Redirect::to("/account?notice=password-changed").into_response()),
        Err(e @ ServiceError::Throttled { .. }) => {
            let problem = Problem::general(staff.t().error(e.code()));
            let status = crate::error::status_of(&e);
            Ok((status, Html(password_page(&staff, problem)?)).into_response())
        }
        Err(e) => {
            let (status, problem) =
                Problem::from_service(e, &staff.t(), &["current_password", "password"])?;
            Ok((status, Html(password_page(&staff, problem)?)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "security/totp.html")]
struct TotpPage {
    t: T,
    page: Chrome,
    setup: Setup,
    problem: Problem,
}

async fn totp_page(state: &AppState, staff: &Staff, problem: Problem) -> Result<String, PageError> {
    let e = state.app.start_totp(staff.actor()).await?;
    Ok(TotpPage {
        t: staff.t(),
        page: Chrome::new(&staff.visitor, "/account/totp"),
        setup: Setup::of(&e),
        problem,
    }
    .render()?)
}

/// The setup page while enrolment is under way; back to the account once it is done.
async fn show_totp(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    let status = state.app.totp_status(staff.actor()).await?;
    if !status.pending {
        return Ok(Redirect::to("/account").into_response());
    }
    Ok(Html(totp_page(&state, &staff, Problem::none()).await?).into_response())
}

async fn start_totp(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    match state.app.start_totp(staff.actor()).await {
        Ok(_) => Ok(Redirect::to("/account/totp").into_response()),
        Err(ServiceError::Duplicate(_)) => Ok(Redirect::to("/account").into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

impl std::fmt::Debug for CodeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeForm(<redacted>)")
    }
}

async fn confirm_totp(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .confirm_totp(staff.actor(), &Secret::new(form.code))
        .await
    {
        Ok(codes) => Ok(Html(
            RecoveryCodesPage {
                t: staff.t(),
                page: Chrome::new(&staff.visitor, "/account/totp"),
                codes: codes.0,
                next: "/account".into(),
            }
            .render()?,
        )
        .into_response()),
        Err(e @ ServiceError::Throttled { .. }) => {
            let problem = Problem::general(staff.t().error(e.code()));
            let status = crate::error::status_of(&e);
            Ok((status, Html(totp_page(&state, &staff, problem).await?)).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["code"])?;
            Ok((status, Html(totp_page(&state, &staff, problem).await?)).into_response())
        }
    }
}

async fn disable_totp(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .disable_totp(staff.actor(), &Secret::new(form.code))
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?notice=totp-disabled").into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Throttled { .. })) => {
            let code = e.code();
            let notice = if code == "throttled" {
                "throttled"
            } else {
                "totp-code-wrong"
            };
            Ok(Redirect::to(&format!("/account?notice={notice}#totp-heading")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_session(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    state.app.revoke_session(staff.actor(), &id).await?;
    Ok(Redirect::to("/account?notice=session-revoked"))
}
