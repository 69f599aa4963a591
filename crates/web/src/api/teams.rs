use super::{Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TeamList {
    pub items: Vec<Team>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub name: String,
}

/// The agency's teams, by name.
#[utoipa::path(
    get,
    path = "/api/v1/teams",
    operation_id = "list_teams",
    tag = "admin",
    params(PageQuery),
    responses((status = 200, body = TeamList), (status = 401, body = ErrorEnvelope))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<TeamList>, ApiError> {
    let page = state
        .app
        .team_page(caller.actor(), q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(TeamList {
        items: page
            .items
            .into_iter()
            .map(|t| Team {
                id: t.id,
                name: t.name,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Add a team (admins).
#[utoipa::path(
    post,
    path = "/api/v1/teams",
    operation_id = "create_team",
    tag = "admin",
    request_body = NewTeam,
    responses(
        (status = 201, body = Team),
        (status = 403, body = ErrorEnvelope),
        (status = 409, description = "The name is taken", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewTeam>,
) -> Result<(StatusCode, Json<Team>), ApiError> {
    let actor = caller.actor();
    let team = state
        .app
        .create_team(Some(actor), actor.agency_id, &body.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Team {
            id: team.id,
            name: team.name,
        }),
    ))
}
