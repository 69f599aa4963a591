//! The language picker: works for everyone, remembered in the account for signed-in staff and
//! in a cookie for everyone else.

use crate::error::PageError;
use crate::i18n::Locale;
use crate::session::{self, Visitor};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/language", post(choose))
}

#[derive(Debug, serde::Deserialize)]
struct LanguageForm {
    lang: String,
    back: Option<String>,
}

async fn choose(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<LanguageForm>,
) -> Result<Response, PageError> {
    let locale = Locale::parse(&form.lang)
        .ok_or_else(|| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_choice"))?;
    if let Some(p) = visitor.principal() {
        state.app.set_locale(&p.actor, locale.tag()).await?;
    }
    let mut res = Redirect::to(super::local_path(form.back.as_deref())).into_response();
    let cookie = session::language_cookie(locale, state.config.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}
