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
pub struct Program {
    pub id: i64,
    pub name: String,
    /// A supervisor must approve the plan before intervention.
    pub plan_approval_required: bool,
    /// A supervisor must approve closure.
    pub closure_approval_required: bool,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProgramList {
    pub items: Vec<Program>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgram {
    pub name: String,
    #[serde(default)]
    pub plan_approval_required: bool,
    #[serde(default)]
    pub closure_approval_required: bool,
}

fn program_of(id: i64, name: String, plan: i64, closure: i64) -> Program {
    Program {
        id,
        name,
        plan_approval_required: plan != 0,
        closure_approval_required: closure != 0,
    }
}

/// The agency's programs, by name.
#[utoipa::path(
    get,
    path = "/api/v1/programs",
    operation_id = "list_programs",
    tag = "admin",
    params(PageQuery),
    responses((status = 200, body = ProgramList), (status = 401, body = ErrorEnvelope))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<ProgramList>, ApiError> {
    let page = state
        .app
        .program_page(caller.actor(), q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(ProgramList {
        items: page
            .items
            .into_iter()
            .map(|p| {
                program_of(
                    p.id,
                    p.name,
                    p.plan_approval_required,
                    p.closure_approval_required,
                )
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Add a program (admins).
#[utoipa::path(
    post,
    path = "/api/v1/programs",
    operation_id = "create_program",
    tag = "admin",
    request_body = NewProgram,
    responses(
        (status = 201, body = Program),
        (status = 403, body = ErrorEnvelope),
        (status = 409, description = "The name is taken", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewProgram>,
) -> Result<(StatusCode, Json<Program>), ApiError> {
    let actor = caller.actor();
    let p = state
        .app
        .create_program(
            Some(actor),
            actor.agency_id,
            &body.name,
            body.plan_approval_required,
            body.closure_approval_required,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(program_of(
            p.id,
            p.name,
            p.plan_approval_required,
            p.closure_approval_required,
        )),
    ))
}
