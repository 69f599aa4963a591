//! Need-to-know reach beyond a case's own people: shares with an end date, and break-the-glass
//! accesses with their review. Ending a share and reviewing an access carry the version read
//! (`If-Match`).

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use casework_domain::sharing::{ReviewForm, ShareForm};
use casework_service::sharing::{BreakGlassRow, BreakGlassView, ShareRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_shares, create_share))
        .routes(routes!(end_share))
        .routes(routes!(break_glass))
        .routes(routes!(list_break_glass_reviews))
        .routes(routes!(review_break_glass))
}

/// A case shared with a worker until an end date.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Share {
    pub id: i64,
    pub case_id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub reason: String,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    /// The last day of the share, `YYYY-MM-DD`, inclusive.
    pub ends_on: String,
    pub shared_by: i64,
    pub created_at: String,
    /// Set when the share was ended before its end date.
    pub ended_at: Option<String>,
    pub ended_by: Option<i64>,
    /// Running today.
    pub current: bool,
    /// Send back as `If-Match: "<version>"`.
    pub version: i64,
}

fn share_of(s: ShareRow, current: bool) -> Share {
    Share {
        id: s.id,
        case_id: s.case_id,
        worker_id: s.worker_id,
        worker_name: s.worker_name,
        reason: s.reason,
        starts_on: s.starts_on,
        ends_on: s.ends_on,
        shared_by: s.shared_by,
        created_at: timestamp(s.created_at),
        ended_at: s.ended_at.map(timestamp),
        ended_by: s.ended_by,
        current,
        version: s.version,
    }
}

/// A break-the-glass access: who read a case outside their reach, why, until when, and its
/// review.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BreakGlass {
    pub id: i64,
    pub case_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub reason: String,
    pub opened_at: String,
    pub expires_at: String,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<String>,
    /// `justified` or `not_justified` once reviewed.
    pub verdict: Option<String>,
    pub review_comment: Option<String>,
    /// Send back as `If-Match: "<version>"`.
    pub version: i64,
}

fn glass_of(b: BreakGlassRow) -> BreakGlass {
    BreakGlass {
        id: b.id,
        case_id: b.case_id,
        user_id: b.user_id,
        user_name: b.user_name,
        reason: b.reason,
        opened_at: timestamp(b.opened_at),
        expires_at: timestamp(b.expires_at),
        reviewed_by: b.reviewed_by,
        reviewed_at: b.reviewed_at.map(timestamp),
        verdict: b.verdict,
        review_comment: b.review_comment,
        version: b.version,
    }
}

/// The case's shares, current and past, and its break-the-glass accesses.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseSharing {
    pub shares: Vec<Share>,
    pub break_glass: Vec<BreakGlass>,
    /// May the caller share this case?
    pub can_share: bool,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareBody {
    /// The worker (caseworker or supervisor of the agency) to share with.
    pub worker_id: Option<i64>,
    /// The last day, `YYYY-MM-DD`: not in the past, at most 365 days ahead.
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassBody {
    /// Why the case must be read now: at least 20 characters.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `justified` or `not_justified`.
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewList {
    pub items: Vec<BreakGlassReview>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BreakGlassReview {
    #[serde(flatten)]
    pub access: BreakGlass,
    /// The read access has run out (the review is still due).
    pub expired: bool,
}

/// The case's shares (current and past) and break-the-glass accesses.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/shares",
    operation_id = "list_shares",
    tag = "sharing",
    params(("id" = i64, Path, description = "The case")),
    responses((status = 200, body = CaseSharing), (status = 404, body = ErrorEnvelope))
)]
async fn list_shares(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<CaseSharing>, ApiError> {
    let s = state.app.case_sharing(caller.actor(), id).await?;
    Ok(Json(CaseSharing {
        shares: s
            .shares
            .into_iter()
            .map(|v| share_of(v.share, v.current))
            .collect(),
        break_glass: s.break_glass.into_iter().map(glass_of).collect(),
        can_share: s.can_share,
    }))
}

/// Share the case with another worker until an end date (the case's primary worker or a
/// supervisor of its team).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/shares",
    operation_id = "create_share",
    tag = "sharing",
    params(("id" = i64, Path, description = "The case")),
    request_body = ShareBody,
    responses(
        (status = 201, body = Share, headers(("ETag" = String, description = "The share's version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn create_share(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ShareBody>,
) -> Result<Response, ApiError> {
    let form = ShareForm {
        worker_id: body.worker_id,
        ends_on: body.ends_on,
        reason: body.reason,
    };
    let s = state.app.share_case(caller.actor(), id, &form).await?;
    let version = s.version;
    Ok(with_etag(StatusCode::CREATED, version, share_of(s, true)))
}

/// End a share before its end date.
#[utoipa::path(
    post,
    path = "/api/v1/shares/{id}/end",
    operation_id = "end_share",
    tag = "sharing",
    params(
        ("id" = i64, Path, description = "The share"),
        ("If-Match" = String, Header, description = "The share's ETag as read"),
    ),
    responses(
        (status = 200, body = Share, headers(("ETag" = String, description = "The share's new version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn end_share(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let s = state.app.end_share(caller.actor(), id, version).await?;
    let version = s.version;
    Ok(with_etag(StatusCode::OK, version, share_of(s, false)))
}

/// Break the glass: read a case outside the caller's reach for four hours, with a stated
/// reason. Audited, and listed for the case's team supervisors to review.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/break-glass",
    operation_id = "break_glass",
    tag = "sharing",
    params(("id" = i64, Path, description = "The case")),
    request_body = BreakGlassBody,
    responses(
        (status = 201, body = BreakGlass),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn break_glass(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<BreakGlassBody>,
) -> Result<Response, ApiError> {
    let b = state
        .app
        .break_glass(caller.actor(), id, &body.reason)
        .await?;
    let version = b.version;
    Ok(with_etag(StatusCode::CREATED, version, glass_of(b)))
}

/// Break-the-glass accesses on the caller's team's cases not reviewed yet (supervisors).
#[utoipa::path(
    get,
    path = "/api/v1/break-glass/reviews",
    operation_id = "list_break_glass_reviews",
    tag = "sharing",
    params(PageQuery),
    responses((status = 200, body = ReviewList), (status = 403, body = ErrorEnvelope))
)]
async fn list_break_glass_reviews(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<ReviewList>, ApiError> {
    let page = state
        .app
        .break_glass_reviews(caller.actor(), q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(ReviewList {
        items: page
            .items
            .into_iter()
            .map(|v: BreakGlassView| BreakGlassReview {
                expired: v.expired,
                access: glass_of(v.access),
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Mark a break-the-glass access reviewed: justified or not, with a comment (a supervisor of
/// the case's team).
#[utoipa::path(
    post,
    path = "/api/v1/break-glass/{id}/review",
    operation_id = "review_break_glass",
    tag = "sharing",
    params(
        ("id" = i64, Path, description = "The break-the-glass access"),
        ("If-Match" = String, Header, description = "The access's ETag as read"),
    ),
    request_body = ReviewBody,
    responses(
        (status = 200, body = BreakGlass, headers(("ETag" = String, description = "The access's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn review_break_glass(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<ReviewBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = ReviewForm {
        verdict: body.verdict,
        comment: body.comment,
    };
    let b = state
        .app
        .review_break_glass(caller.actor(), id, version, &form)
        .await?;
    let version = b.version;
    Ok(with_etag(StatusCode::OK, version, glass_of(b)))
}
