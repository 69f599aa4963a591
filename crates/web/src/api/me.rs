use super::{Caller, ErrorEnvelope, Json, Via};
use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

// No Debug: it carries the session's CSRF token.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub agency_id: i64,
    pub email: String,
    pub display_name: String,
    #[schema(example = "caseworker")]
    pub role: String,
    pub team_id: Option<i64>,
    #[schema(example = "en")]
    pub locale: String,
    /// With the session cookie only: send it as `X-CSRF-Token` on state-changing calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

/// The signed-in caller.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "me",
    tag = "account",
    responses(
        (status = 200, body = Me),
        (status = 401, body = ErrorEnvelope),
    )
)]
async fn me(caller: Caller) -> Json<Me> {
    let p = caller.principal;
    Json(Me {
        id: p.actor.user_id,
        agency_id: p.actor.agency_id,
        email: p.email,
        display_name: p.display_name,
        role: p.actor.role.as_str().to_string(),
        team_id: p.actor.team_id,
        locale: p.locale,
        csrf_token: match caller.via {
            Via::Session(csrf) => Some(csrf.expose().to_string()),
            Via::Token => None,
        },
    })
}
