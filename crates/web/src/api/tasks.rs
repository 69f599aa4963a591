//! Case tasks (create, read, edit with `If-Match`, done, cancellation with a reason), the
//! signed-in worker's task list, and the program default tasks an agency admin configures.

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use casework_domain::task::{CancelForm, TaskForm, TemplateForm};
use casework_service::task::{CaseTaskRow, TemplateRow};
use casework_service::task_list::TaskItem;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(case_tasks, create_task))
        .routes(routes!(show_task, update_task))
        .routes(routes!(complete_task))
        .routes(routes!(cancel_task))
        .routes(routes!(my_tasks))
        .routes(routes!(task_templates, add_task_template))
        .routes(routes!(retire_task_template))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseTask {
    pub id: i64,
    pub case_id: i64,
    pub title: String,
    pub description: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// Remind this many days before the due date; null for no reminder.
    pub remind_days: Option<i64>,
    /// `YYYY-MM-DD`: from this day the task is "due soon".
    pub remind_on: String,
    /// The worker who does it.
    pub assignee_id: Option<i64>,
    /// open, done or cancelled.
    #[schema(example = "open")]
    pub status: String,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The program default task that made it, if one did.
    pub template_id: Option<i64>,
    pub created_at: String,
    pub closed_at: Option<String>,
    /// Send back as `If-Match: "<version>"` to change the task.
    pub version: i64,
}

impl From<CaseTaskRow> for CaseTask {
    fn from(t: CaseTaskRow) -> CaseTask {
        CaseTask {
            id: t.id,
            case_id: t.case_id,
            title: t.title,
            description: t.description,
            due_on: t.due_on,
            remind_days: t.remind_days,
            remind_on: t.remind_on,
            assignee_id: t.assignee_id,
            status: t.status,
            cancel_reason: t.cancel_reason,
            template_id: t.template_id,
            created_at: timestamp(t.created_at),
            closed_at: t.closed_at.map(timestamp),
            version: t.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseTaskPage {
    pub items: Vec<CaseTask>,
    pub next_cursor: Option<String>,
}

/// A case task as written; blank `assignee_id` means the case's primary worker.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `YYYY-MM-DD`, today or later (an edit may keep a date already past).
    pub due_on: String,
    /// A worker of the case (its primary worker or its team's caseworkers and supervisors).
    #[serde(default)]
    pub assignee_id: Option<i64>,
    /// 0 to 365 days before the due date.
    #[serde(default)]
    pub remind_days: Option<i64>,
}

impl From<TaskBody> for TaskForm {
    fn from(b: TaskBody) -> TaskForm {
        TaskForm {
            title: b.title,
            description: b.description,
            due_on: b.due_on,
            assignee_id: b.assignee_id.map(|v| v.to_string()),
            remind_days: b.remind_days.map(|v| v.to_string()),
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationBody {
    /// Why the task is cancelled (required).
    pub reason: String,
}

/// One line of the worker's task list, whatever its source.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TaskListLine {
    /// `case_task`, `plan_task` or `follow_up` (its title: the days after closure).
    #[schema(example = "case_task")]
    pub kind: String,
    /// The id in its source (`/api/v1/tasks/{id}` or the plan's task).
    pub id: i64,
    pub case_id: i64,
    /// The client's preferred name.
    pub client_name: String,
    pub title: String,
    pub due_on: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// overdue, due_soon or later, today.
    #[schema(example = "overdue")]
    pub urgency: String,
}

impl From<TaskItem> for TaskListLine {
    fn from(i: TaskItem) -> TaskListLine {
        TaskListLine {
            kind: i.line.kind,
            id: i.line.id,
            case_id: i.line.case_id,
            client_name: i.line.client_name,
            title: i.line.title,
            due_on: i.line.due_on,
            assignee_id: i.line.assignee_id,
            assignee_name: i.line.assignee_name,
            urgency: i.urgency.as_str().to_string(),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MyTaskPage {
    /// Overdue first, then due soon, then later.
    pub items: Vec<TaskListLine>,
    pub next_cursor: Option<String>,
    /// For a supervisor on the first page: the team's overdue tasks done by others.
    pub team_overdue: Vec<TaskListLine>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TaskTemplate {
    pub id: i64,
    pub program_id: i64,
    /// The stage whose entry makes the task.
    #[schema(example = "engagement")]
    pub stage: String,
    pub title: String,
    /// Due this many days after the case enters the stage.
    pub due_days: i64,
    pub remind_days: Option<i64>,
    /// Send back as `If-Match: "<version>"` to retire it.
    pub version: i64,
}

impl From<TemplateRow> for TaskTemplate {
    fn from(t: TemplateRow) -> TaskTemplate {
        TaskTemplate {
            id: t.id,
            program_id: t.program_id,
            stage: t.stage,
            title: t.title,
            due_days: t.due_days,
            remind_days: t.remind_days,
            version: t.version,
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    pub title: String,
    /// engagement, assessment, goal_setting, planning, intervention, evaluation, termination
    /// or follow_up.
    pub stage: String,
    /// 0 to 365.
    pub due_days: i64,
    #[serde(default)]
    pub remind_days: Option<i64>,
}

fn task_response(status: StatusCode, t: CaseTaskRow) -> Response {
    let version = t.version;
    with_etag(status, version, CaseTask::from(t))
}

/// The case's tasks, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/tasks",
    operation_id = "list_case_tasks",
    tag = "tasks",
    params(("id" = i64, Path, description = "The case"), PageQuery),
    responses(
        (status = 200, body = CaseTaskPage),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn case_tasks(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(page): Query<PageQuery>,
) -> Result<Json<CaseTaskPage>, ApiError> {
    let view = state
        .app
        .case_tasks(caller.actor(), id, page.cursor()?, page.limit()?)
        .await?;
    Ok(Json(CaseTaskPage {
        items: view.tasks.items.into_iter().map(CaseTask::from).collect(),
        next_cursor: view.tasks.next_cursor,
    }))
}

/// Add a task to the case.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/tasks",
    operation_id = "create_case_task",
    tag = "tasks",
    params(("id" = i64, Path, description = "The case")),
    request_body = TaskBody,
    responses(
        (status = 201, body = CaseTask, headers(("ETag" = String, description = "The task's version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named", body = ErrorEnvelope),
    )
)]
async fn create_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<TaskBody>,
) -> Result<Response, ApiError> {
    let t = state
        .app
        .create_task(caller.actor(), id, &TaskForm::from(body))
        .await?;
    Ok(task_response(StatusCode::CREATED, t))
}

/// One case task.
#[utoipa::path(
    get,
    path = "/api/v1/tasks/{id}",
    operation_id = "show_case_task",
    tag = "tasks",
    params(("id" = i64, Path, description = "The task")),
    responses(
        (status = 200, body = CaseTask, headers(("ETag" = String, description = "The task's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = state.app.task(caller.actor(), id).await?;
    Ok(task_response(StatusCode::OK, d.task))
}

/// Edit an open task.
#[utoipa::path(
    put,
    path = "/api/v1/tasks/{id}",
    operation_id = "update_case_task",
    tag = "tasks",
    params(
        ("id" = i64, Path, description = "The task"),
        ("If-Match" = String, Header, description = "The task's ETag as read"),
    ),
    request_body = TaskBody,
    responses(
        (status = 200, body = CaseTask, headers(("ETag" = String, description = "The task's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named; `task_closed` once done or cancelled", body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn update_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<TaskBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let t = state
        .app
        .update_task(caller.actor(), id, version, &TaskForm::from(body))
        .await?;
    Ok(task_response(StatusCode::OK, t))
}

/// Mark an open task done.
#[utoipa::path(
    post,
    path = "/api/v1/tasks/{id}/done",
    operation_id = "complete_case_task",
    tag = "tasks",
    params(
        ("id" = i64, Path, description = "The task"),
        ("If-Match" = String, Header, description = "The task's ETag as read"),
    ),
    responses(
        (status = 200, body = CaseTask, headers(("ETag" = String, description = "The task's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn complete_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let t = state
        .app
        .complete_case_task(caller.actor(), id, version)
        .await?;
    Ok(task_response(StatusCode::OK, t))
}

/// Cancel an open task, saying why (422 naming `reason` without one).
#[utoipa::path(
    post,
    path = "/api/v1/tasks/{id}/cancellation",
    operation_id = "cancel_case_task",
    tag = "tasks",
    params(
        ("id" = i64, Path, description = "The task"),
        ("If-Match" = String, Header, description = "The task's ETag as read"),
    ),
    request_body = CancellationBody,
    responses(
        (status = 200, body = CaseTask, headers(("ETag" = String, description = "The task's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn cancel_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<CancellationBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = CancelForm {
        reason: body.reason,
    };
    let t = state
        .app
        .cancel_task(caller.actor(), id, version, &form)
        .await?;
    Ok(task_response(StatusCode::OK, t))
}

/// The signed-in worker's open tasks (case tasks and plan tasks): overdue, due soon, later.
#[utoipa::path(
    get,
    path = "/api/v1/me/tasks",
    operation_id = "my_tasks",
    tag = "tasks",
    params(PageQuery),
    responses(
        (status = 200, body = MyTaskPage),
        (status = 403, description = "Only caseworkers and supervisors carry tasks", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn my_tasks(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<PageQuery>,
) -> Result<Json<MyTaskPage>, ApiError> {
    let mine = state
        .app
        .my_tasks(caller.actor(), page.cursor.as_deref(), page.limit()?)
        .await?;
    Ok(Json(MyTaskPage {
        items: mine
            .tasks
            .items
            .into_iter()
            .map(TaskListLine::from)
            .collect(),
        next_cursor: mine.tasks.next_cursor,
        team_overdue: mine
            .team_overdue
            .into_iter()
            .map(TaskListLine::from)
            .collect(),
    }))
}

/// The program's default tasks in use (agency admins).
#[utoipa::path(
    get,
    path = "/api/v1/programs/{id}/task-templates",
    operation_id = "list_task_templates",
    tag = "tasks",
    params(("id" = i64, Path, description = "The program")),
    responses(
        (status = 200, body = Vec<TaskTemplate>),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn task_templates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<TaskTemplate>>, ApiError> {
    let (_, rows) = state.app.task_templates(caller.actor(), id).await?;
    Ok(Json(rows.into_iter().map(TaskTemplate::from).collect()))
}

/// Add a default task to the program: made when a case enters the stage, due `due_days` later.
#[utoipa::path(
    post,
    path = "/api/v1/programs/{id}/task-templates",
    operation_id = "add_task_template",
    tag = "tasks",
    params(("id" = i64, Path, description = "The program")),
    request_body = TemplateBody,
    responses(
        (status = 201, body = TaskTemplate),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn add_task_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<TemplateBody>,
) -> Result<Response, ApiError> {
    let form = TemplateForm {
        title: body.title,
        stage: body.stage,
        due_days: body.due_days.to_string(),
        remind_days: body.remind_days.map(|v| v.to_string()),
    };
    let t = state
        .app
        .add_task_template(caller.actor(), id, &form)
        .await?;
    let version = t.version;
    Ok(with_etag(
        StatusCode::CREATED,
        version,
        TaskTemplate::from(t),
    ))
}

/// Retire a default task: new cases no longer get it; tasks already made stay.
#[utoipa::path(
    delete,
    path = "/api/v1/programs/{id}/task-templates/{template_id}",
    operation_id = "retire_task_template",
    tag = "tasks",
    params(
        ("id" = i64, Path, description = "The program"),
        ("template_id" = i64, Path, description = "The default task"),
        ("If-Match" = String, Header, description = "The default task's ETag as read"),
    ),
    responses(
        (status = 204, description = "Retired"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn retire_task_template(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, template_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    state
        .app
        .retire_task_template(caller.actor(), id, template_id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
