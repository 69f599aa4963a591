//! Who is calling the API: a bearer token (programs) or the session cookie (the browser). With
//! the cookie, state-changing calls must also carry the session's CSRF token in `X-CSRF-Token`.

use super::LocaleSlot;
use crate::csrf;
use crate::error::ApiError;
use crate::i18n::Locale;
use crate::session::SESSION_COOKIE;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum_extra::extract::cookie::CookieJar;
use casework_service::auth::{Principal, Secret};
use casework_service::{Actor, ServiceError};

#[derive(Debug, Clone)]
pub enum Via {
    Token,
    /// The session's CSRF token, which a browser client needs for its writes.
    Session(Secret),
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub via: Via,
    /// The public id of the browser session calling, if it is one (never its token).
    pub session_id: Option<String>,
}

impl Caller {
    pub fn actor(&self) -> &Actor {
        &self.principal.actor
    }
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn unauthenticated() -> ApiError {
    ApiError::from(ServiceError::Unauthenticated)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| t.starts_with("cw_") && t.len() <= 200)
                .ok_or_else(unauthenticated)?;
            let principal = state.app.token_principal(&Secret::new(token)).await?;
            Caller {
                principal,
                via: Via::Token,
                session_id: None,
            }
        } else {
            let jar = CookieJar::from_headers(&parts.headers);
            let cookie = jar.get(SESSION_COOKIE).ok_or_else(unauthenticated)?;
            let signed_in = state.app.session(&Secret::new(cookie.value())).await?;
            if changes_state(&parts.method) {
                let sent = parts
                    .headers
                    .get(csrf::HEADER)
                    .and_then(|v| v.to_str().ok());
                if !csrf::matches(sent, signed_in.csrf_token.expose()) {
                    return Err(ApiError::new(StatusCode::FORBIDDEN, "csrf_failed"));
                }
            }
            Caller {
                principal: signed_in.principal,
                via: Via::Session(signed_in.csrf_token),
                session_id: Some(signed_in.session_id),
            }
        };
        if let Some(slot) = parts.extensions.get::<LocaleSlot>() {
            slot.set(Locale::parse(&caller.principal.locale));
        }
        Ok(caller)
    }
}
