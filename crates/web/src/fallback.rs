//! Answers for paths no route knows: JSON under the API, a page elsewhere.

use crate::error::{ApiError, PageError};
use crate::session::{anonymous_locale, Visitor};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

pub async fn not_found(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::new(StatusCode::NOT_FOUND, "not_found")
            .render(anonymous_locale(req.headers()));
    }
    let visitor = Visitor::resolve(&state, req.headers())
        .await
        .unwrap_or_else(|_| Visitor::anonymous(req.headers()));
    crate::pages::render_error_page(&visitor, path, &PageError::not_found())
}
