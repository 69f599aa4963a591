//! The golden-thread view of a case: where it is broken.

use super::{Caller, ErrorEnvelope, Json};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use casework_domain::thread::Break;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_thread))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ThreadBreak {
    /// need_without_goal, goal_without_intervention, goal_without_recent_progress or
    /// intervention_without_delivery.
    #[schema(example = "goal_without_recent_progress")]
    pub code: String,
    /// The need, goal or intervention the break is about.
    pub record_id: i64,
    /// For `goal_without_recent_progress`: the latest entry's date, if any.
    pub last_progress_on: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Thread {
    pub case_id: i64,
    /// How recent a goal's last progress entry must be.
    pub days: u16,
    /// In the order of the process; empty when the thread is whole.
    pub breaks: Vec<ThreadBreak>,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// Days without a progress entry before an active goal counts as not followed: 1 to 365,
    /// 30 when absent.
    #[param(value_type = Option<i64>)]
    pub days: Option<String>,
}

/// Where the case's thread from need to goal, intervention, service and progress is broken.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/thread",
    operation_id = "show_thread",
    tag = "monitoring",
    params(("id" = i64, Path, description = "The case"), ThreadQuery),
    responses(
        (status = 200, body = Thread),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "`days_range`: days outside 1 to 365", body = ErrorEnvelope),
    )
)]
async fn show_thread(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ThreadQuery>,
) -> Result<Json<Thread>, ApiError> {
    let v = state
        .app
        .thread(caller.actor(), id, q.days.as_deref())
        .await?;
    Ok(Json(Thread {
        case_id: v.case.id,
        days: v.window.days(),
        breaks: v
            .breaks
            .iter()
            .map(|b| ThreadBreak {
                code: b.code().to_string(),
                record_id: b.record_id(),
                last_progress_on: match b {
                    Break::GoalWithoutRecentProgress { last, .. } => last.map(|d| d.to_string()),
                    _ => None,
                },
            })
            .collect(),
    }))
}
