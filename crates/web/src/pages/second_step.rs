//! The second step of sign-in, after a correct password: a code from the authenticator app (or
//! a recovery code), or, when the person's role requires a second factor they have not set up,
//! enrolment. The half-signed-in state lives in its own short-lived HttpOnly cookie and opens
//! nothing but these pages.

use super::sign_in::PeerAddress;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{home_of, Chrome, Problem};
use crate::session::{self, Visitor};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use casework_service::auth::{NewSession, Secret};
use casework_service::security::TotpEnrolment;
use casework_service::ServiceError;

pub const PENDING_COOKIE: &str = "casework_pending";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in/code", get(show_code).post(submit_code))
        .route("/sign-in/enrol", get(show_enrol).post(submit_enrol))
        .route("/sign-in/cancel", post(cancel))
}

/// The pending token from its cookie, if any.
pub(crate) struct PendingToken(pub Option<Secret>);

impl<S: Send + Sync> FromRequestParts<S> for PendingToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(PendingToken(
            jar.get(PENDING_COOKIE)
                .map(|c| c.value())
                .filter(|v| !v.is_empty() && v.len() <= 200)
                .map(Secret::new),
        ))
    }
}

/// A coarse description of the browser for the sessions list ("Firefox on Linux"): never the
/// whole header, which can single a person out.
pub(crate) fn coarse_user_agent(headers: &HeaderMap) -> Option<String> {
    let ua = headers.get(header::USER_AGENT)?.to_str().ok()?;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.contains("curl/") {
        "curl"
    } else {
        "other"
    };
    let system = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS") {
        "macOS"
    } else if ua.contains("Linux") || ua.contains("X11") {
        "Linux"
    } else {
        "other"
    };
    Some(format!("{browser} / {system}"))
}

pub(crate) struct UserAgent(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for UserAgent {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(UserAgent(coarse_user_agent(&parts.headers)))
    }
}

fn set_cookie(res: &mut Response, c: axum_extra::extract::cookie::Cookie<'static>) {
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Answer a correct password that needs a second step: remember the pending state, go on.
pub(crate) fn to_second_step(token: &Secret, to: &str, secure: bool) -> Response {
    let mut res = Redirect::to(to).into_response();
    set_cookie(
        &mut res,
        session::cookie(PENDING_COOKIE, token.expose().to_string(), secure, true),
    );
    res
}

/// Signed in at last: the session cookie replaces the pending one.
pub(crate) fn with_session(mut res: Response, s: &NewSession, secure: bool) -> Response {
    set_cookie(&mut res, session::session_cookie(&s.token, secure));
    set_cookie(&mut res, session::removal(PENDING_COOKIE, secure));
    res
}

fn back_to_sign_in(secure: bool) -> Response {
    let mut res = Redirect::to("/sign-in").into_response();
    set_cookie(&mut res, session::removal(PENDING_COOKIE, secure));
    res
}

#[derive(Template)]
#[template(path = "security/sign_in_code.html")]
struct CodePage {
    t: T,
    page: Chrome,
    problem: Problem,
}

fn code_page(visitor: &Visitor, problem: Problem) -> Result<String, PageError> {
    Ok(CodePage {
        t: visitor.t(),
        page: Chrome::new(visitor, "/sign-in/code"),
        problem,
    }
    .render()?)
}

/// The pending state, or None when it has ended (expired, used, never there).
async fn pending_of(
    state: &AppState,
    token: &PendingToken,
    purpose: &str,
) -> Result<Option<Secret>, PageError> {
    let Some(t) = &token.0 else {
        return Ok(None);
    };
    match state.app.pending_sign_in(t).await {
        Ok(p) if p.purpose == purpose => Ok(Some(t.clone())),
        Ok(_) | Err(ServiceError::Unauthenticated) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn show_code(
    State(state): State<AppState>,
    visitor: Visitor,
    token: PendingToken,
) -> Result<Response, PageError> {
    if pending_of(&state, &token, "code").await?.is_none() {
        return Ok(back_to_sign_in(state.config.secure_cookies));
    }
    Ok(Html(code_page(&visitor, Problem::none())?).into_response())
}

#[derive(serde::Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

// A code is a secret for its thirty seconds; keep it out of debug prints.
impl std::fmt::Debug for CodeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeForm(<redacted>)")
    }
}

async fn submit_code(
    State(state): State<AppState>,
    visitor: Visitor,
    token: PendingToken,
    peer: PeerAddress,
    agent: UserAgent,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let secure = state.config.secure_cookies;
    let Some(pending) = pending_of(&state, &token, "code").await? else {
        return Ok(back_to_sign_in(secure));
    };
    let code = Secret::new(form.code);
    match state
        .app
        .finish_sign_in(&pending, &code, &peer.0, agent.0.as_deref())
        .await
    {
        Ok(s) => {
            let to = home_of(s.principal.actor.role);
            Ok(with_session(Redirect::to(to).into_response(), &s, secure))
        }
        Err(e @ ServiceError::Throttled { .. }) => {
            let problem = Problem::general(visitor.t().error(e.code()));
            let status = crate::error::status_of(&e);
            Ok((status, Html(code_page(&visitor, problem)?)).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &visitor.t(), &["code"])?;
            Ok((status, Html(code_page(&visitor, problem)?)).into_response())
        }
    }
}

/// Setting up an authenticator: the QR code (SVG, drawn here), the secret as text for those
/// who cannot scan, and the field for the first code. Shared by sign-in and the account page.
pub(crate) struct Setup {
    pub qr_svg: String,
    pub secret_text: String,
}

impl Setup {
    pub fn of(e: &TotpEnrolment) -> Setup {
        let qr_svg = qrcode::QrCode::new(e.uri.as_bytes())
            .map(|code| {
                code.render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(200, 200)
                    .quiet_zone(true)
                    .build()
            })
            .unwrap_or_default();
        Setup {
            // The XML declaration is not wanted inside HTML.
            qr_svg: qr_svg
                .split_once("?>")
                .map_or(qr_svg.clone(), |(_, rest)| rest.to_string()),
            secret_text: e.secret.grouped(),
        }
    }
}

#[derive(Template)]
#[template(path = "security/sign_in_enrol.html")]
struct EnrolPage {
    t: T,
    page: Chrome,
    setup: Setup,
    problem: Problem,
}

#[derive(Template)]
#[template(path = "security/recovery_codes.html")]
pub(crate) struct RecoveryCodesPage {
    pub t: T,
    pub page: Chrome,
    pub codes: Vec<String>,
    pub next: String,
}

async fn enrol_page(
    state: &AppState,
    visitor: &Visitor,
    pending: &Secret,
    problem: Problem,
) -> Result<String, PageError> {
    let e = state.app.pending_enrolment(pending).await?;
    Ok(EnrolPage {
        t: visitor.t(),
        page: Chrome::new(visitor, "/sign-in/enrol"),
        setup: Setup::of(&e),
        problem,
    }
    .render()?)
}

async fn show_enrol(
    State(state): State<AppState>,
    visitor: Visitor,
    token: PendingToken,
) -> Result<Response, PageError> {
    let Some(pending) = pending_of(&state, &token, "enrol").await? else {
        return Ok(back_to_sign_in(state.config.secure_cookies));
    };
    Ok(Html(enrol_page(&state, &visitor, &pending, Problem::none()).await?).into_response())
}

async fn submit_enrol(
    State(state): State<AppState>,
    visitor: Visitor,
    token: PendingToken,
    peer: PeerAddress,
    agent: UserAgent,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let secure = state.config.secure_cookies;
    let Some(pending) = pending_of(&state, &token, "enrol").await? else {
        return Ok(back_to_sign_in(secure));
    };
    let code = Secret::new(form.code);
    match state
        .app
        .finish_enrolment(&pending, &code, &peer.0, agent.0.as_deref())
        .await
    {
        Ok((s, codes)) => {
            let html = RecoveryCodesPage {
                t: visitor.t(),
                page: Chrome::new(&visitor, "/sign-in/enrol"),
                codes: codes.0,
                next: home_of(s.principal.actor.role).to_string(),
            }
            .render()?;
            Ok(with_session(Html(html).into_response(), &s, secure))
        }
        Err(e @ ServiceError::Throttled { .. }) => {
            let problem = Problem::general(visitor.t().error(e.code()));
            let status = crate::error::status_of(&e);
            Ok((
                status,
                Html(enrol_page(&state, &visitor, &pending, problem).await?),
            )
                .into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &visitor.t(), &["code"])?;
            Ok((
                status,
                Html(enrol_page(&state, &visitor, &pending, problem).await?),
            )
                .into_response())
        }
    }
}

async fn cancel(State(state): State<AppState>, token: PendingToken) -> Result<Response, PageError> {
    if let Some(t) = &token.0 {
        state.app.cancel_sign_in(t).await?;
    }
    Ok(back_to_sign_in(state.config.secure_cookies))
}
