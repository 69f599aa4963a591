//! One mapping from service errors to HTTP statuses, and the two ways an error is answered:
//! JSON for the API (`ApiError`) and an HTML page for browsers (`PageError`).

use crate::i18n::{Locale, T};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use casework_service::ServiceError;
use std::borrow::Cow;

/// The HTTP status of a service error. Server faults are logged here, by code and store error
/// only: the error types carry no client data.
pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Forbidden => StatusCode::FORBIDDEN,
        ServiceError::Unauthenticated | ServiceError::BadCredentials => StatusCode::UNAUTHORIZED,
        ServiceError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Invalid(_)
        | ServiceError::SmartGaps(_)
        | ServiceError::NotCovered(_)
        | ServiceError::WeakPassword(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Stale => StatusCode::PRECONDITION_FAILED,
        ServiceError::Duplicate(_)
        | ServiceError::GuardUnmet(_)
        | ServiceError::TransitionNotAllowed => StatusCode::CONFLICT,
        ServiceError::SignInRefused(r) => match r.kind() {
            "oidc_unreachable" => StatusCode::BAD_GATEWAY,
            "oidc_state" => StatusCode::BAD_REQUEST,
            "oidc_throttled" => StatusCode::TOO_MANY_REQUESTS,
            "oidc_no_user" | "oidc_user_disabled" | "oidc_user_locked" => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        },
        ServiceError::Crypto(c) => {
            // The code and the table/column/row named, never the value.
            tracing::error!(code = e.code(), error = %c, "encrypted field could not be opened");
            match c {
                casework_domain::crypto::CryptoError::Erased => StatusCode::GONE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
        ServiceError::Store(store) => {
            tracing::error!(code = e.code(), error = %store, "storage failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        ServiceError::Audit => {
            tracing::error!(code = e.code(), "audit log unavailable");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

fn retry_after_of(e: &ServiceError) -> Option<i64> {
    match e {
        ServiceError::Throttled { retry_after_secs } => Some((*retry_after_secs).max(1)),
        _ => None,
    }
}

/// An error answered as `{"error": {"code", "message", "field"?, "unmet"?, "detail"?}}`.
///
/// The message is written in English here and translated by the API layer, which knows the
/// caller's language (see `api::translate_errors`); the error rides along in the response
/// extensions for that.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub field: Option<String>,
    /// Guard requirements still missing (`guard_unmet`).
    pub unmet: Vec<&'static str>,
    /// What the JSON parser said, e.g. `invalid type: string, expected a boolean at line 1`.
    pub detail: Option<String>,
    pub retry_after: Option<i64>,
    /// What `unmet` lists. Password hints share its list rather than adding another field:
    /// errors travel in `Result`s and should stay small.
    pub listed: Listed,
}

/// What an error's `unmet` list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// Stage requirements or SMART gaps, answered as `unmet`.
    Unmet,
    /// Password hints (`password_too_weak`), answered as `hints` with their messages.
    PasswordHints,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str) -> ApiError {
        ApiError {
            status,
            code: Cow::Borrowed(code),
            field: None,
            unmet: Vec::new(),
            detail: None,
            retry_after: None,
            listed: Listed::Unmet,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> ApiError {
        self.detail = Some(detail.into());
        self
    }

    /// An error for a bare status from outside our handlers (unknown route, wrong method,
    /// body limit, timeout).
    pub fn for_status(status: StatusCode) -> ApiError {
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            s if s.is_client_error() => "bad_request",
            _ => "internal_error",
        };
        ApiError::new(status, code)
    }

    pub fn body(&self, locale: Locale) -> serde_json::Value {
        let t = T::new(locale);
        let mut error = serde_json::json!({
            "code": self.code,
            "message": t.error(&self.code),
        });
        if let Some(field) = &self.field {
            error["field"] = field.as_str().into();
        }
        if !self.unmet.is_empty() && self.listed == Listed::Unmet {
            error["unmet"] = self.unmet.clone().into();
        }
        if let Some(detail) = &self.detail {
            error["detail"] = detail.as_str().into();
        }
        if !self.unmet.is_empty() && self.listed == Listed::PasswordHints {
            error["hints"] = self
                .unmet
                .iter()
                .map(|h| serde_json::json!({ "code": h, "message": t.get(&format!("password-hint-{h}")) }))
                .collect::<Vec<_>>()
                .into();
        }
        serde_json::json!({ "error": error })
    }

    /// The full response in a given language.
    pub fn render(&self, locale: Locale) -> Response {
        let mut res = (self.status, axum::Json(self.body(locale))).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        let unmet = match &e {
            ServiceError::GuardUnmet(u) => u.iter().map(|u| u.code()).collect(),
            // What the goal lacks to be SMART, by gap code.
            ServiceError::SmartGaps(g) => g.iter().map(|g| g.code()).collect(),
            // What no consent covers: the categories, or why the consent does not hold.
            ServiceError::NotCovered(u) => u.codes(),
            _ => Vec::new(),
        };
        let (unmet, listed) = match &e {
            // What would make a refused password harder to guess, by hint code.
            ServiceError::WeakPassword(h) => {
                (h.iter().map(|h| h.code()).collect(), Listed::PasswordHints)
            }
            _ => (unmet, Listed::Unmet),
        };
        ApiError {
            status: status_of(&e),
            code: Cow::Borrowed(e.code()),
            field: e.field().map(str::to_string),
            unmet,
            detail: None,
            retry_after: retry_after_of(&e),
            listed,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.render(Locale::En);
        res.extensions_mut().insert(self);
        res
    }
}

/// An error a page handler cannot show inside its own page. The response carries a
/// `PageFailure` marker and no body; the pages layer renders the error page in the visitor's
/// language with the usual header and navigation.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub code: &'static str,
    pub retry_after: Option<i64>,
}

/// The marker `PageError` leaves on its response.
#[derive(Debug, Clone)]
pub struct PageFailure {
    pub code: &'static str,
}

impl PageError {
    pub fn new(status: StatusCode, code: &'static str) -> PageError {
        PageError {
            status,
            code,
            retry_after: None,
        }
    }

    pub fn not_found() -> PageError {
        PageError::new(StatusCode::NOT_FOUND, "not_found")
    }

    pub fn forbidden() -> PageError {
        PageError::new(StatusCode::FORBIDDEN, "forbidden")
    }

    pub fn csrf() -> PageError {
        PageError::new(StatusCode::FORBIDDEN, "csrf_failed")
    }

    pub fn internal() -> PageError {
        PageError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
    }

    /// The error-page code for a bare status from outside our handlers.
    pub fn for_status(status: StatusCode) -> PageError {
        let api = ApiError::for_status(status);
        let code = match api.code {
            Cow::Borrowed(c) => c,
            Cow::Owned(_) => "internal_error",
        };
        PageError::new(status, code)
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> PageError {
        PageError {
            status: status_of(&e),
            code: e.code(),
            retry_after: retry_after_of(&e),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> PageError {
        tracing::error!(error = %e, "template failed to render");
        PageError::internal()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.code == "unauthenticated" {
            return Redirect::to("/sign-in").into_response();
        }
        let mut res = self.status.into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res.extensions_mut().insert(PageFailure { code: self.code });
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use casework_domain::Invalid;

    #[test]
    fn service_errors_map_to_their_statuses() {
        let cases = [
            (ServiceError::NotFound, 404),
            (ServiceError::Forbidden, 403),
            (ServiceError::Unauthenticated, 401),
            (ServiceError::BadCredentials, 401),
            (
                ServiceError::Throttled {
                    retry_after_secs: 3,
                },
                429,
            ),
            (
                ServiceError::Invalid(Invalid::new("email", "required")),
                422,
            ),
            (ServiceError::Stale, 412),
            (ServiceError::Duplicate("email"), 409),
            (ServiceError::GuardUnmet(vec![]), 409),
            (ServiceError::TransitionNotAllowed, 409),
            (ServiceError::SmartGaps(vec![]), 422),
            (ServiceError::Audit, 503),
        ];
        for (e, status) in cases {
            assert_eq!(status_of(&e).as_u16(), status, "{e:?}");
        }
    }

    #[test]
    fn api_errors_name_the_field_and_unmet_requirements() {
        let e = ApiError::from(ServiceError::Invalid(Invalid::new("email", "email_format")));
        let body = e.body(Locale::En);
        assert_eq!(body["error"]["code"], "email_format");
        assert_eq!(body["error"]["field"], "email");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        let e = ApiError::from(ServiceError::GuardUnmet(vec![
            casework_domain::stage::Unmet::NoContact,
        ]));
        assert_eq!(e.body(Locale::Es)["error"]["unmet"][0], "no_contact");
    }
}
