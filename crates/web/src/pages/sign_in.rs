//! Sign-in and sign-out. The session token lives only in an HttpOnly cookie.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{home_of, Chrome, Problem};
use crate::session::{self, Staff, Visitor};
use crate::AppState;
use askama::Template;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_service::auth::Secret;
use casework_service::identity_provider::SignInOption;
use casework_service::security::SignInStep;
use casework_service::ServiceError;
use std::net::SocketAddr;

use super::second_step::{to_second_step, with_session, UserAgent};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(show).post(submit))
        .route("/sign-out", post(sign_out))
        .route("/sign-out-everywhere", post(sign_out_everywhere))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    t: T,
    page: Chrome,
    email: String,
    problem: Problem,
    /// "Sign in with ..." links: the provider of the agency the address names, if any.
    providers: Vec<SignInOption>,
    /// Where the form posts: `/sign-in`, naming the agency again when one was named, so the
    /// page shown after a failed attempt still offers its provider.
    action: String,
}

/// `/sign-in?agency=<slug>`: the address an agency gives its staff when they sign in through
/// its identity provider.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct SignInQuery {
    agency: Option<String>,
    /// The page to come back to after signing in (a local path), when the session had ended.
    next: Option<String>,
}

impl SignInQuery {
    fn slug(&self) -> Option<&str> {
        self.agency
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn action(&self) -> String {
        let mut query = Vec::new();
        if let Some(slug) = self.slug() {
            query.push(("agency", slug));
        }
        if let Some(next) = self.next_page() {
            query.push(("next", next));
        }
        match serde_urlencoded::to_string(&query) {
            Ok(q) if !q.is_empty() => format!("/sign-in?{q}"),
            _ => "/sign-in".into(),
        }
    }

    /// Where to go once signed in, if a page was named and it is one of ours.
    fn next_page(&self) -> Option<&str> {
        let raw = self.next.as_deref()?;
        (super::local_path(Some(raw)) == raw && !raw.starts_with("/sign-in")).then_some(raw)
    }
}

/// The sign-in page, coming back to `page` afterwards.
pub(crate) fn sign_in_returning(page: &str) -> String {
    SignInQuery {
        agency: None,
        next: Some(page.to_string()),
    }
    .action()
}

/// The sign-in page's address, naming the agency when one is given.
pub(crate) fn sign_in_path(agency_slug: Option<&str>) -> String {
    match agency_slug.and_then(|slug| serde_urlencoded::to_string([("agency", slug)]).ok()) {
        Some(query) => format!("/sign-in?{query}"),
        None => "/sign-in".into(),
    }
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    query: &SignInQuery,
    email: String,
    problem: Problem,
) -> Result<String, PageError> {
    Ok(SignInPage {
        t: visitor.t(),
        page: Chrome::new(visitor, "/sign-in"),
        email,
        problem,
        providers: state.app.sign_in_options(query.slug()).await?,
        action: query.action(),
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SignInQuery>,
) -> Result<Response, PageError> {
    if let Some(p) = visitor.principal() {
        return Ok(Redirect::to(home_of(p.actor.role)).into_response());
    }
    let html = page(&state, &visitor, &query, String::new(), Problem::none()).await?;
    Ok(Html(html).into_response())
}

#[derive(serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

// The password must never reach a log, even through a debug print of the form.
impl std::fmt::Debug for SignInForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInForm")
            .field("password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The network address failed sign-ins are counted against: the peer as the server saw it, or
/// the client a trusted reverse proxy names (`--trusted-proxies`).
pub(crate) fn peer_address(parts: &Parts, state: &AppState) -> String {
    // `MockConnectInfo` is how router tests (no real socket) give a peer.
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
        .or_else(|| {
            parts
                .extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|m| m.0)
        });
    match peer {
        Some(addr) => {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok());
            state
                .config
                .trusted_proxies
                .client_of(addr.ip(), forwarded)
                .to_string()
        }
        None => "unknown".to_string(),
    }
}

async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    peer: PeerAddress,
    agent: UserAgent,
    Query(query): Query<SignInQuery>,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let password = Secret::new(form.password);
    let secure = state.config.secure_cookies;
    match state
        .app
        .begin_sign_in(&form.email, &password, &peer.0, agent.0.as_deref())
        .await
    {
        Ok(SignInStep::Done(new_session)) => {
            let home = home_of(new_session.principal.actor.role);
            let to = Redirect::to(query.next_page().unwrap_or(home)).into_response();
            Ok(with_session(to, &new_session, secure))
        }
        Ok(SignInStep::Code(pending)) => Ok(to_second_step(&pending, "/sign-in/code", secure)),
        Ok(SignInStep::Enrol(pending)) => Ok(to_second_step(&pending, "/sign-in/enrol", secure)),
        Err(e @ ServiceError::Throttled { .. }) => {
            let t = visitor.t();
            let error = PageError::from(e);
            let problem = Problem::general(t.error(error.code));
            let mut res = (
                StatusCode::TOO_MANY_REQUESTS,
                Html(page(&state, &visitor, &query, form.email, problem).await?),
            )
                .into_response();
            if let Some(secs) = error.retry_after {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            Ok(res)
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &visitor.t(), &[])?;
            Ok((
                status,
                Html(page(&state, &visitor, &query, form.email, problem).await?),
            )
                .into_response())
        }
    }
}

/// The peer address as an extractor, so handlers need not see request parts.
pub(crate) struct PeerAddress(pub String);

impl axum::extract::FromRequestParts<AppState> for PeerAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(PeerAddress(peer_address(parts, state)))
    }
}

fn signed_out(secure: bool) -> Response {
    let mut res = Redirect::to("/sign-in").into_response();
    let cookie = session::removal(session::SESSION_COOKIE, secure);
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn sign_out(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    if let Some(token) = &visitor.session_token {
        state.app.sign_out(token).await?;
    }
    Ok(signed_out(state.config.secure_cookies))
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, PageError> {
    state.app.sign_out_everywhere(staff.actor()).await?;
    Ok(signed_out(state.config.secure_cookies))
}
