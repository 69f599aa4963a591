//! The stylesheet, compiled into the binary so a single file is the whole install.

use crate::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const STYLESHEET: &str = include_str!("../../assets/casework.css");

pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/casework.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}
