//! Sign-in through an agency's OpenID Connect provider. `/sign-in/oidc/{agency}` sends the
//! browser to the provider with a state it also keeps in a short-lived HttpOnly cookie;
//! `/sign-in/oidc/callback` is where the provider sends it back. Plain links and redirects:
//! no JavaScript involved.

use super::second_step::{to_second_step, with_session, UserAgent};
use super::sign_in::PeerAddress;
use crate::error::{status_of, PageError};
use crate::i18n::T;
use crate::layout::{home_of, Chrome};
use crate::session::{self, Visitor};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use casework_service::auth::Secret;
use casework_service::oidc::{OidcAnswer, ATTEMPT_MS};
use casework_service::security::SignInStep;
use casework_service::ServiceError;

/// The state of the sign-in this browser started, so only it can finish it.
pub const STATE_COOKIE: &str = "casework_oidc";
pub const CALLBACK_PATH: &str = "/sign-in/oidc/callback";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CALLBACK_PATH, get(callback))
        .route("/sign-in/oidc/{agency}", get(start))
}

/// Where the provider sends the browser back: `--public-url` when set, else this request's
/// own host (https behind TLS).
fn redirect_uri(state: &AppState, headers: &HeaderMap) -> String {
    format!("{}{CALLBACK_PATH}", public_base(state, headers))
}

/// Where people reach this server: the configured public URL, else the scheme and host the
/// request came in on.
pub(crate) fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = &state.config.public_url {
        return base.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', '@', ' ']))
        .unwrap_or("127.0.0.1:8080");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

fn state_cookie(value: String, secure: bool) -> Cookie<'static> {
    let mut c = session::cookie(STATE_COOKIE, value, secure, true);
    c.set_max_age(time::Duration::milliseconds(ATTEMPT_MS));
    c
}

fn add_cookie(res: &mut Response, c: Cookie<'static>) {
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[derive(Template)]
#[template(path = "oidc/refused.html")]
struct RefusedPage {
    t: T,
    page: Chrome,
    heading: String,
    message: String,
}

/// A refusal on its own page (what happened, what to do), in the visitor's language.
fn refused(visitor: &Visitor, e: ServiceError, secure: bool) -> Result<Response, PageError> {
    let ServiceError::SignInRefused(r) = e else {
        return Err(e.into());
    };
    let t = visitor.t();
    let kind = r.kind();
    let page = RefusedPage {
        heading: t.get(&format!("{}-title", kind.replace('_', "-"))),
        message: t.error(kind),
        t,
        page: Chrome::new(visitor, "/sign-in"),
    };
    let status = status_of(&ServiceError::SignInRefused(r));
    let mut res = (status, Html(page.render()?)).into_response();
    add_cookie(&mut res, session::removal(STATE_COOKIE, secure));
    Ok(res)
}

async fn start(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    peer: PeerAddress,
    Path(agency): Path<i64>,
) -> Result<Response, PageError> {
    let secure = state.config.secure_cookies;
    if let Some(p) = visitor.principal() {
        return Ok(Redirect::to(home_of(p.actor.role)).into_response());
    }
    let callback = redirect_uri(&state, &headers);
    match state
        .app
        .start_oidc_sign_in(agency, &callback, &peer.0)
        .await
    {
        Ok(started) => {
            let mut res = Redirect::to(&started.authorize_url).into_response();
            add_cookie(
                &mut res,
                state_cookie(started.state.expose().to_string(), secure),
            );
            Ok(res)
        }
        Err(e) => refused(&visitor, e, secure),
    }
}

#[derive(serde::Deserialize)]
struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

// The code is a credential until it is spent: never in a debug print.
impl std::fmt::Debug for CallbackQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackQuery")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

async fn callback(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    agent: UserAgent,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, PageError> {
    let secure = state.config.secure_cookies;
    let jar = CookieJar::from_headers(&headers);
    let kept = jar
        .get(STATE_COOKIE)
        .map(|c| c.value())
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .map(Secret::new);
    let answer = OidcAnswer {
        state: q.state,
        code: q.code.map(Secret::new),
        error: q.error,
    };
    let callback = redirect_uri(&state, &headers);
    let step = state
        .app
        .finish_oidc_sign_in(&answer, kept.as_ref(), &callback, agent.0.as_deref())
        .await;
    let mut res = match step {
        Ok(SignInStep::Done(s)) => {
            let to = Redirect::to(home_of(s.principal.actor.role)).into_response();
            with_session(to, &s, secure)
        }
        Ok(SignInStep::Code(pending)) => to_second_step(&pending, "/sign-in/code", secure),
        Ok(SignInStep::Enrol(pending)) => to_second_step(&pending, "/sign-in/enrol", secure),
        Err(e) => return refused(&visitor, e, secure),
    };
    add_cookie(&mut res, session::removal(STATE_COOKIE, secure));
    Ok(res)
}
