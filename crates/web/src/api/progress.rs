//! Progress entries against a goal: a value of the goal's measure or a GAS level (−2 to +2),
//! dated and commented. Not for draft goals (422 `goal_is_draft`).

use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casework_domain::progress::ProgressForm;
use casework_service::progress::ProgressRow;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_progress, record_progress))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProgressEntry {
    pub id: i64,
    pub goal_id: i64,
    pub case_id: i64,
    /// `YYYY-MM-DD`.
    pub recorded_on: String,
    /// A value of the goal's measure; null for a GAS entry.
    pub value: Option<f64>,
    /// −2 to +2; null for a value entry.
    pub gas_level: Option<i64>,
    pub comment: String,
    pub created_by: i64,
    pub created_at: String,
}

impl From<ProgressRow> for ProgressEntry {
    fn from(p: ProgressRow) -> ProgressEntry {
        ProgressEntry {
            id: p.id,
            goal_id: p.goal_id,
            case_id: p.case_id,
            recorded_on: p.recorded_on,
            value: p.value,
            gas_level: p.gas_level,
            comment: p.comment,
            created_by: p.created_by,
            created_at: timestamp(p.created_at),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProgressList {
    /// In the order recorded.
    pub items: Vec<ProgressEntry>,
    pub next_cursor: Option<String>,
}

/// Exactly one of `value` and `gas_level`.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressBody {
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub gas_level: Option<i64>,
    /// `YYYY-MM-DD`, today or earlier.
    pub recorded_on: String,
    pub comment: String,
}

/// The goal's progress entries.
#[utoipa::path(
    get,
    path = "/api/v1/goals/{id}/progress",
    operation_id = "list_progress",
    tag = "monitoring",
    params(("id" = i64, Path, description = "The goal"), PageQuery),
    responses(
        (status = 200, body = ProgressList),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn list_progress(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<ProgressList>, ApiError> {
    let page = state
        .app
        .progress_entries(caller.actor(), id, q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(ProgressList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Record progress against the goal.
#[utoipa::path(
    post,
    path = "/api/v1/goals/{id}/progress",
    operation_id = "record_progress",
    tag = "monitoring",
    params(("id" = i64, Path, description = "The goal")),
    request_body = ProgressBody,
    responses(
        (status = 201, body = ProgressEntry),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named (`gas_level` out of range, `recorded_on` in the future, `goal_id` for a draft goal)", body = ErrorEnvelope),
    )
)]
async fn record_progress(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ProgressBody>,
) -> Result<Response, ApiError> {
    let form = ProgressForm {
        value: body.value,
        gas_level: body.gas_level,
        recorded_on: body.recorded_on,
        comment: body.comment,
    };
    let row = state.app.record_progress(caller.actor(), id, &form).await?;
    Ok((StatusCode::CREATED, Json(ProgressEntry::from(row))).into_response())
}
