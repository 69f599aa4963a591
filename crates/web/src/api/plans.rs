//! Plans (the planning stage): the case's current plan version with, for each active goal, its
//! interventions and their tasks; the client's agreement; submission; a supervisor's approval or
//! return. Adding to an approved plan makes a new version that needs approval again. Changes to
//! the plan itself carry the version read (`If-Match`).

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use casework_domain::goal::AgreementForm;
use casework_domain::plan::{ApprovalForm, InterventionForm, TaskForm};
use casework_service::plan::{InterventionRow, PlanRow, PlanView, TaskRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_plan))
        .routes(routes!(add_intervention))
        .routes(routes!(add_task))
        .routes(routes!(complete_task))
        .routes(routes!(record_plan_agreement))
        .routes(routes!(submit_plan))
        .routes(routes!(decide_plan))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PlanTask {
    pub id: i64,
    pub intervention_id: i64,
    pub description: String,
    /// client, worker, other_agency or other_person.
    #[schema(example = "client")]
    pub responsible: String,
    /// The other agency or person, when one is responsible.
    pub responsible_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// When it was marked done; null while open.
    pub done_at: Option<String>,
}

impl From<TaskRow> for PlanTask {
    fn from(t: TaskRow) -> PlanTask {
        PlanTask {
            id: t.id,
            intervention_id: t.intervention_id,
            description: t.description,
            responsible: t.responsible,
            responsible_name: t.responsible_name,
            due_on: t.due_on,
            done_at: t.done_at.map(timestamp),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Intervention {
    pub id: i64,
    pub plan_id: i64,
    pub goal_id: i64,
    /// counselling, advocacy, referral, skill_building, resource_linkage or other.
    #[schema(example = "referral")]
    pub kind: String,
    pub description: String,
    /// client, worker, other_agency or other_person.
    pub responsible: String,
    pub responsible_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// Resources and supports.
    pub resources: Option<String>,
    pub tasks: Vec<PlanTask>,
}

fn intervention(i: InterventionRow, tasks: Vec<PlanTask>) -> Intervention {
    Intervention {
        id: i.id,
        plan_id: i.plan_id,
        goal_id: i.goal_id,
        kind: i.kind,
        description: i.description,
        responsible: i.responsible,
        responsible_name: i.responsible_name,
        due_on: i.due_on,
        resources: i.resources,
        tasks,
    }
}

/// One version of a case's plan, without its contents.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PlanVersion {
    pub id: i64,
    pub case_id: i64,
    /// 1 for the first plan; each change to an approved plan makes the next.
    pub version_no: i64,
    /// draft, awaiting_approval, approved or returned.
    #[schema(example = "draft")]
    pub status: String,
    /// `YYYY-MM-DD`; null until the client agreed to this version.
    pub client_agreed_on: Option<String>,
    /// The client's own words.
    pub client_words: Option<String>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<String>,
    /// Why a supervisor returned the plan.
    pub return_comment: Option<String>,
    pub created_at: String,
    /// Send back as `If-Match: "<version>"` to change the plan.
    pub version: i64,
}

impl From<PlanRow> for PlanVersion {
    fn from(p: PlanRow) -> PlanVersion {
        PlanVersion {
            id: p.id,
            case_id: p.case_id,
            version_no: p.version_no,
            status: p.status,
            client_agreed_on: p.client_agreed_on,
            client_words: p.client_words,
            approved_by: p.approved_by,
            approved_at: p.approved_at.map(timestamp),
            return_comment: p.return_comment,
            created_at: timestamp(p.created_at),
            version: p.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Plan {
    #[serde(flatten)]
    pub plan: PlanVersion,
    /// Does the case's program ask a supervisor to approve the plan?
    pub approval_required: bool,
    /// The case's active goals in priority order, each with its interventions.
    pub goals: Vec<PlanGoal>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PlanGoal {
    pub goal_id: i64,
    pub statement: Option<String>,
    pub interventions: Vec<Intervention>,
}

impl From<PlanView> for Plan {
    fn from(v: PlanView) -> Plan {
        let goals = v
            .goals
            .iter()
            .map(|g| PlanGoal {
                goal_id: g.id,
                statement: g.statement.clone(),
                interventions: v
                    .interventions_of(g.id)
                    .map(|i| {
                        let tasks = v.tasks_of(i.id).cloned().map(PlanTask::from).collect();
                        intervention(i.clone(), tasks)
                    })
                    .collect(),
            })
            .collect();
        Plan {
            plan: PlanVersion::from(v.plan),
            approval_required: v.approval_required,
            goals,
        }
    }
}

/// An intervention for one of the case's active goals.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterventionBody {
    pub goal_id: i64,
    /// counselling, advocacy, referral, skill_building, resource_linkage or other.
    pub kind: String,
    pub description: String,
    /// client, worker, other_agency or other_person.
    pub responsible: String,
    /// Required for another agency or person.
    #[serde(default)]
    pub responsible_name: Option<String>,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
    /// Resources and supports.
    #[serde(default)]
    pub resources: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    pub description: String,
    /// client, worker, other_agency or other_person.
    pub responsible: String,
    #[serde(default)]
    pub responsible_name: Option<String>,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanAgreement {
    /// `YYYY-MM-DD`, not in the future.
    pub agreed_on: String,
    /// What the client said, in their own words.
    pub client_words: String,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDecision {
    /// `approve` or `return`.
    #[schema(example = "approve")]
    pub decision: String,
    /// Required to return a plan: what to change.
    #[serde(default)]
    pub comment: Option<String>,
}

fn version_response(p: PlanRow) -> Response {
    let version = p.version;
    with_etag(StatusCode::OK, version, PlanVersion::from(p))
}

/// The case's current plan (the first read makes version 1, an empty draft).
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/plan",
    operation_id = "show_plan",
    tag = "plans",
    params(("id" = i64, Path, description = "The case")),
    responses(
        (status = 200, body = Plan, headers(("ETag" = String, description = "The plan's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let view = state.app.current_plan(caller.actor(), id).await?;
    let version = view.plan.version;
    Ok(with_etag(StatusCode::OK, version, Plan::from(view)))
}

/// Add an intervention for an active goal. On an approved plan it goes into a new version.
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/interventions",
    operation_id = "add_intervention",
    tag = "plans",
    params(("id" = i64, Path, description = "The plan (its current version)")),
    request_body = InterventionBody,
    responses(
        (status = 201, body = Intervention),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named; `plan_not_editable` while the plan waits for approval", body = ErrorEnvelope),
    )
)]
async fn add_intervention(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<InterventionBody>,
) -> Result<Response, ApiError> {
    let form = InterventionForm {
        goal_id: body.goal_id,
        kind: body.kind,
        description: body.description,
        responsible: body.responsible,
        responsible_name: body.responsible_name,
        due_on: body.due_on,
        resources: body.resources,
    };
    let row = state
        .app
        .add_intervention(caller.actor(), id, &form)
        .await?;
    Ok((StatusCode::CREATED, Json(intervention(row, Vec::new()))).into_response())
}

/// Add a task to an intervention. On an approved plan it goes into a new version.
#[utoipa::path(
    post,
    path = "/api/v1/interventions/{id}/tasks",
    operation_id = "add_plan_task",
    tag = "plans",
    params(("id" = i64, Path, description = "The intervention")),
    request_body = TaskBody,
    responses(
        (status = 201, body = PlanTask),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn add_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<TaskBody>,
) -> Result<Response, ApiError> {
    let form = TaskForm {
        description: body.description,
        responsible: body.responsible,
        responsible_name: body.responsible_name,
        due_on: body.due_on,
    };
    let row = state.app.add_task(caller.actor(), id, &form).await?;
    Ok((StatusCode::CREATED, Json(PlanTask::from(row))).into_response())
}

/// Mark a task done (doing the plan does not change it: no new version).
#[utoipa::path(
    post,
    path = "/api/v1/plan-tasks/{id}/done",
    operation_id = "complete_plan_task",
    tag = "plans",
    params(("id" = i64, Path, description = "The task")),
    responses(
        (status = 200, body = PlanTask),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn complete_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PlanTask>, ApiError> {
    let row = state.app.complete_task(caller.actor(), id).await?;
    Ok(Json(PlanTask::from(row)))
}

/// Record that the client agreed to this plan version, when, and in their own words.
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/agreement",
    operation_id = "record_plan_agreement",
    tag = "plans",
    params(
        ("id" = i64, Path, description = "The plan"),
        ("If-Match" = String, Header, description = "The plan's ETag as read"),
    ),
    request_body = PlanAgreement,
    responses(
        (status = 200, body = PlanVersion, headers(("ETag" = String, description = "The plan's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn record_plan_agreement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<PlanAgreement>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = AgreementForm {
        agreed_on: body.agreed_on,
        client_words: body.client_words,
    };
    let p = state
        .app
        .record_plan_agreement(caller.actor(), id, version, &form)
        .await?;
    Ok(version_response(p))
}

/// Hand the plan in: it waits for approval when the program asks for it. The client must have
/// agreed first (422 `plan_not_agreed`).
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/submission",
    operation_id = "submit_plan",
    tag = "plans",
    params(
        ("id" = i64, Path, description = "The plan"),
        ("If-Match" = String, Header, description = "The plan's ETag as read"),
    ),
    responses(
        (status = 200, body = PlanVersion, headers(("ETag" = String, description = "The plan's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn submit_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let p = state.app.submit_plan(caller.actor(), id, version).await?;
    Ok(version_response(p))
}

/// A supervisor approves the plan or returns it with a comment (the case's team supervisors
/// only: 403 for a caseworker).
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/approval",
    operation_id = "decide_plan",
    tag = "plans",
    params(
        ("id" = i64, Path, description = "The plan"),
        ("If-Match" = String, Header, description = "The plan's ETag as read"),
    ),
    request_body = PlanDecision,
    responses(
        (status = 200, body = PlanVersion, headers(("ETag" = String, description = "The plan's new version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn decide_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<PlanDecision>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = ApprovalForm {
        decision: body.decision,
        comment: body.comment,
    };
    let p = state
        .app
        .decide_plan(caller.actor(), id, version, &form)
        .await?;
    Ok(version_response(p))
}
