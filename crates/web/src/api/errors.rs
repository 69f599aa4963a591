//! Every API error leaves in one shape, `{"error": {"code", "message", "field"?}}`, with the
//! message in the caller's language: the signed-in user's, else the `lang` cookie's or
//! Accept-Language's.

use crate::error::ApiError;
use crate::i18n::Locale;
use crate::session::anonymous_locale;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, Mutex};

/// Where the `Caller` extractor leaves the user's language for this layer to read.
#[derive(Debug, Clone, Default)]
pub struct LocaleSlot(Arc<Mutex<Option<Locale>>>);

impl LocaleSlot {
    pub fn set(&self, locale: Option<Locale>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = locale;
        }
    }

    fn get(&self) -> Option<Locale> {
        self.0.lock().ok().and_then(|slot| *slot)
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable; match on this.
    #[schema(example = "email_format")]
    pub code: String,
    /// For people, in the caller's language.
    pub message: String,
    /// The input at fault, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Requirements still missing (`guard_unmet`), or what a goal lacks to be SMART
    /// (`smart_check_failed`: `smart_no_measure`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmet: Option<Vec<String>>,
    /// What the JSON parser said, for malformed bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What would make a refused password harder to guess (`password_too_weak`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<PasswordHintDetail>>,
}

/// One piece of advice for a stronger password.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PasswordHintDetail {
    #[schema(example = "add-words")]
    pub code: String,
    pub message: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorDetail,
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

pub async fn translate(mut req: Request, next: Next) -> Response {
    let fallback = anonymous_locale(req.headers());
    let slot = LocaleSlot::default();
    req.extensions_mut().insert(slot.clone());
    let res = next.run(req).await;
    let locale = slot.get().unwrap_or(fallback);
    let error = match res.extensions().get::<ApiError>() {
        Some(e) => e.clone(),
        // Rejections from routing and layers (wrong method, body limit, timeout) are plain text.
        None if (res.status().is_client_error() || res.status().is_server_error())
            && !is_json(&res) =>
        {
            ApiError::for_status(res.status())
        }
        None => return res,
    };
    let (mut parts, _) = res.into_parts();
    let body = serde_json::to_vec(&error.body(locale)).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body))
}
