//! The supervisor queue: what waits for a supervisor on their team's cases, and the marks they
//! make on it (an override reviewed, a safety alert acknowledged). Plans are decided where they
//! always were (`POST /api/v1/plans/{id}/approval`).

use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casework_domain::task::CommentForm;
use casework_service::queue::QueueLine;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(queue))
        .routes(routes!(review_override))
        .routes(routes!(acknowledge_safety_alert))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct QueueEntry {
    /// `plan_approval` (id: the plan), `guard_override` (id: the stage history entry) or
    /// `safety_alert` (id: the instrument result), `closure_approval` (id: the termination) or
    /// `break_glass` (id: the emergency access, reviewed at `/api/v1/break-glass/{id}/review`).
    #[schema(example = "plan_approval")]
    pub kind: String,
    pub id: i64,
    pub case_id: i64,
    /// The client's preferred name.
    pub client_name: String,
    pub worker_name: Option<String>,
    /// Since when it waits.
    pub since: String,
    /// The override's reason, or the instrument's name.
    pub detail: Option<String>,
    /// Who did what waits: the worker who overrode the guard, or who opened the case in an
    /// emergency.
    pub acted_by_name: Option<String>,
    /// An override's stage move: the stage left and the stage entered.
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
}

impl From<QueueLine> for QueueEntry {
    fn from(l: QueueLine) -> QueueEntry {
        QueueEntry {
            kind: l.kind,
            id: l.id,
            case_id: l.case_id,
            client_name: l.client_name,
            worker_name: l.worker_name,
            since: timestamp(l.since_ms),
            detail: l.detail,
            acted_by_name: l.acted_by_name,
            from_stage: l.from_stage,
            to_stage: l.to_stage,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct QueuePage {
    /// Oldest first.
    pub items: Vec<QueueEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// Optional for a review; required for an acknowledgement.
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Mark {
    /// The review or acknowledgement.
    pub id: i64,
}

/// What waits for the signed-in supervisor (403 for anyone else).
#[utoipa::path(
    get,
    path = "/api/v1/queue",
    operation_id = "supervisor_queue",
    tag = "queue",
    params(PageQuery),
    responses(
        (status = 200, body = QueuePage),
        (status = 403, body = ErrorEnvelope),
    )
)]
async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<PageQuery>,
) -> Result<Json<QueuePage>, ApiError> {
    let p = state
        .app
        .queue(caller.actor(), page.cursor.as_deref(), page.limit()?)
        .await?;
    Ok(Json(QueuePage {
        items: p.items.into_iter().map(QueueEntry::from).collect(),
        next_cursor: p.next_cursor,
    }))
}

/// Mark a guard override reviewed, with an optional comment (the case team's supervisors).
#[utoipa::path(
    post,
    path = "/api/v1/overrides/{id}/review",
    operation_id = "review_override",
    tag = "queue",
    params(("id" = i64, Path, description = "The stage history entry that overrode a guard")),
    request_body = CommentBody,
    responses(
        (status = 201, body = Mark),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "`already_reviewed`", body = ErrorEnvelope),
    )
)]
async fn review_override(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<CommentBody>,
) -> Result<Response, ApiError> {
    let form = CommentForm {
        comment: body.comment,
    };
    let mark = state.app.review_override(caller.actor(), id, &form).await?;
    Ok((StatusCode::CREATED, Json(Mark { id: mark })).into_response())
}

/// Acknowledge a safety alert with a comment saying what was done (the case team's supervisors).
#[utoipa::path(
    post,
    path = "/api/v1/safety-alerts/{id}/acknowledgement",
    operation_id = "acknowledge_safety_alert",
    tag = "queue",
    params(("id" = i64, Path, description = "The instrument result that raised the alert")),
    request_body = CommentBody,
    responses(
        (status = 201, body = Mark),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "`comment` required; `already_acknowledged`", body = ErrorEnvelope),
    )
)]
async fn acknowledge_safety_alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<CommentBody>,
) -> Result<Response, ApiError> {
    let form = CommentForm {
        comment: body.comment,
    };
    let mark = state
        .app
        .acknowledge_safety_alert(caller.actor(), id, &form)
        .await?;
    Ok((StatusCode::CREATED, Json(Mark { id: mark })).into_response())
}
