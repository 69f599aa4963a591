//! Optimistic concurrency for the API: every record's version travels as its `ETag`, and an
//! update names the version it read in `If-Match`.

use super::{etag, Json};
use crate::error::ApiError;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The version an update was based on: 428 when `If-Match` is missing, 412 when it is unreadable.
pub(crate) fn expected_version(headers: &HeaderMap) -> Result<i64, ApiError> {
    let raw = headers.get(header::IF_MATCH).ok_or_else(|| {
        ApiError::new(StatusCode::PRECONDITION_REQUIRED, "precondition_required")
            .with_field("If-Match")
    })?;
    raw.to_str()
        .ok()
        .map(str::trim)
        .map(|v| v.strip_prefix("W/").unwrap_or(v))
        .and_then(|v| v.strip_prefix('"')?.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| {
            ApiError::new(StatusCode::PRECONDITION_FAILED, "stale").with_field("If-Match")
        })
}

/// A JSON answer carrying the record's version as its `ETag`.
pub(crate) fn with_etag<T: serde::Serialize>(
    status: StatusCode,
    version: i64,
    body: T,
) -> Response {
    let tag = HeaderValue::from_str(&etag(version)).ok();
    let mut res = (status, Json(body)).into_response();
    if let Some(tag) = tag {
        res.headers_mut().insert(header::ETAG, tag);
    }
    res
}
