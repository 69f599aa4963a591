//! "Your account": language, API tokens, signing out everywhere.

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
use casework_service::{Cursor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

struct TokenRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: T,
    page: Chrome,
    display_name: String,
    email: String,
    role: String,
    tokens: Vec<TokenRow>,
    /// More (older) tokens follow on the next page.
    next_cursor: Option<String>,
    /// A token just created: shown on this one answer and never again.
    new_token: Option<String>,
    problem: Problem,
    notice: Option<String>,
    totp: casework_service::security::TotpStatus,
    recovery_left: String,
    sessions: Vec<SessionRow>,
    /// The password form's own problems show on its page; here it starts clean.
    password_problem: Problem,
}

struct SessionRow {
    id: String,
    created: String,
    last_seen: String,
    agent: String,
    current: bool,
}

#[derive(Debug, serde::Deserialize)]
struct AccountQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

fn notice_of(t: &T, notice: Option<&str>) -> Option<String> {
    match notice? {
        "token-revoked" => Some(t.get("notice-token-revoked")),
        "password-changed" => Some(t.get("notice-password-changed")),
        "totp-disabled" => Some(t.get("notice-totp-disabled")),
        "totp-code-wrong" => Some(t.error("code_wrong")),
        "throttled" => Some(t.error("throttled")),
        "session-revoked" => Some(t.get("notice-session-revoked")),
        _ => None,
    }
}

/// The account page with one page of tokens: the one after `cursor`, newest first.
async fn page(
    state: &AppState,
    staff: &Staff,
    cursor: Option<&str>,
    new_token: Option<String>,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let never = t.get("tokens-never-used");
    let cursor = Cursor::parse(cursor).map_err(ServiceError::Invalid)?;
    let listed = state.app.tokens(staff.actor(), cursor, Some(50)).await?;
    let tokens = listed
        .items
        .into_iter()
        .map(|tok| TokenRow {
            id: tok.id,
            name: tok.name,
            created: moment(tok.created_at),
            last_used: tok
                .last_used_at
                .map(moment)
                .unwrap_or_else(|| never.clone()),
            revoked: tok.revoked_at.is_some(),
        })
        .collect();
    let totp = state.app.totp_status(staff.actor()).await?;
    let unknown_agent = t.get("sessions-agent-unknown");
    let sessions = state
        .app
        .my_sessions(
            staff.actor(),
            staff
                .visitor
                .signed_in
                .as_ref()
                .map(|s| s.session_id.as_str()),
        )
        .await?
        .into_iter()
        .map(|s| SessionRow {
            id: s.id,
            created: moment(s.created_at),
            last_seen: moment(s.last_seen_at),
            agent: s.user_agent.unwrap_or_else(|| unknown_agent.clone()),
            current: s.current,
        })
        .collect();
    Ok(AccountPage {
        t,
        page: Chrome::new(&staff.visitor, "/account"),
        display_name: staff.principal.display_name.clone(),
        email: staff.principal.email.clone(),
        role: t.role(staff.actor().role.as_str()),
        tokens,
        next_cursor: listed.next_cursor,
        new_token,
        problem,
        notice,
        recovery_left: t.get_with(
            "totp-recovery-left",
            &[("count", totp.recovery_codes_left.into())],
        ),
        totp,
        sessions,
        password_problem: Problem::none(),
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AccountQuery>,
) -> Result<Html<String>, PageError> {
    let notice = notice_of(&staff.t(), q.notice.as_deref());
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

#[derive(Debug, serde::Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    match state.app.create_token(staff.actor(), &form.name).await {
        Ok((_, secret)) => {
            let shown = Some(secret.expose().to_string());
            Ok(
                Html(page(&state, &staff, None, shown, Problem::none(), None).await?)
                    .into_response(),
            )
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["name"])?;
            Ok((
                status,
                Html(page(&state, &staff, None, None, problem, None).await?),
            )
                .into_response())
        }
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    state.app.revoke_token(staff.actor(), id).await?;
    Ok(Redirect::to("/account?notice=token-revoked"))
}
