//! The layer in front of every page: who is visiting, in which language, and is this form
//! really theirs (CSRF). It also turns bare error statuses into error pages.

use crate::csrf;
use crate::error::{PageError, PageFailure};
use crate::session::{self, Visitor};
use crate::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::Cookie;

fn changes_state(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn is_html(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

pub async fn visit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let here = (parts.method == Method::GET)
        .then(|| parts.uri.path_and_query().map(|pq| pq.as_str().to_string()))
        .flatten()
        .filter(|pq| super::local_path(Some(pq)) == pq.as_str());
    let mut visitor = match Visitor::resolve(&state, &parts.headers).await {
        Ok(v) => v,
        Err(e) => {
            let anonymous = Visitor::anonymous(&parts.headers);
            return super::render_error_page(&anonymous, &path, &PageError::from(e));
        }
    };
    let secure = state.config.secure_cookies;
    let body = if changes_state(&parts.method) {
        let Ok(bytes) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
            let error = PageError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
            return finish(
                &visitor,
                super::render_error_page(&visitor, &path, &error),
                secure,
            );
        };
        let submitted = csrf::field_of(&bytes);
        if visitor.issue_pre_session || !csrf::matches(submitted.as_deref(), visitor.csrf()) {
            if visitor.ended_session {
                // Most likely a form filled in a session that has since timed out: ask the person
                // to sign in again rather than accuse the form of forgery.
                return finish(&visitor, Redirect::to("/sign-in").into_response(), secure);
            }
            let route = parts
                .extensions
                .get::<MatchedPath>()
                .map_or("unmatched", |m| m.as_str());
            tracing::warn!(route, "form refused: CSRF token missing or wrong");
            let res = super::render_error_page(&visitor, &path, &PageError::csrf());
            return finish(&visitor, res, secure);
        }
        Body::from(bytes)
    } else {
        body
    };
    visitor.here = here.clone();
    parts.extensions.insert(visitor.clone());
    let mut res = next.run(Request::from_parts(parts, body)).await;
    // A page that needs a signed-in person sends them to sign in; they come back to it.
    if let Some(page) = here.filter(|p| *p != "/" && !p.starts_with("/sign-in")) {
        if res.status().is_redirection()
            && res.headers().get(header::LOCATION).map(|l| l.as_bytes()) == Some(b"/sign-in")
        {
            if let Ok(to) = HeaderValue::from_str(&super::sign_in::sign_in_returning(&page)) {
                res.headers_mut().insert(header::LOCATION, to);
            }
        }
    }
    let res = if let Some(failure) = res.extensions().get::<PageFailure>() {
        let mut error = PageError::new(res.status(), failure.code);
        error.retry_after = res
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        super::render_error_page(&visitor, &path, &error)
    } else if (res.status().is_client_error() || res.status().is_server_error()) && !is_html(&res) {
        // Rejections from extractors and routing (bad form, wrong method, timeout) come as
        // plain text; show them as a page like any other error.
        super::render_error_page(&visitor, &path, &PageError::for_status(res.status()))
    } else {
        res
    };
    finish(&visitor, res, secure)
}

/// Cookies the visitor needs, and no caching of pages that may show client data.
fn finish(visitor: &Visitor, mut res: Response, secure: bool) -> Response {
    let mut cookies: Vec<Cookie<'static>> = Vec::new();
    if visitor.issue_pre_session {
        cookies.push(session::cookie(
            session::PRE_SESSION_COOKIE,
            visitor.csrf().to_string(),
            secure,
            true,
        ));
    }
    if visitor.ended_session && !res.headers().contains_key(header::SET_COOKIE) {
        cookies.push(session::removal(session::SESSION_COOKIE, secure));
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    if visitor.signed_in.is_some() {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
