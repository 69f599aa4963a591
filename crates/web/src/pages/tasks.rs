//! Tasks: `/tasks`, the signed-in worker's open tasks (overdue, due soon, later) and, for a
//! supervisor, their team's overdue tasks; `/cases/{id}/tasks`, a case's tasks with the form to
//! add one; `/tasks/{id}`, one task with its edit, done and cancel forms.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::task::{CancelForm, TaskForm, Urgency};
use casework_service::task_list::TaskItem;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(mine))
        .route("/cases/{id}/tasks", get(of_case).post(create))
        .route("/tasks/{id}", get(show).post(update))
        .route("/tasks/{id}/done", post(done))
        .route("/tasks/{id}/cancellation", post(cancel))
}

pub(crate) fn urgency_name(t: &T, u: Urgency) -> String {
    t.dynamic(&format!("task-urgency-{}", u.as_str().replace('_', "-")))
}

fn status_name(t: &T, status: &str) -> String {
    t.dynamic(&format!("task-status-{status}"))
}

/// A line of `/tasks`: where it links to depends on its source.
struct Line {
    href: String,
    case_id: i64,
    client_name: String,
    title: String,
    kind: String,
    due_on: String,
    urgency: String,
    overdue: bool,
}

fn line(t: &T, i: TaskItem) -> Line {
    let href = match i.line.kind.as_str() {
        "case_task" => format!("/tasks/{}", i.line.id),
        "plan_task" => format!("/cases/{}/plan", i.line.case_id),
        "follow_up" => format!("/cases/{}/follow-ups", i.line.case_id),
        _ => format!("/cases/{}", i.line.case_id),
    };
    Line {
        href,
        case_id: i.line.case_id,
        client_name: i.line.client_name,
        title: if i.line.kind == "follow_up" {
            t.get_with(
                "task-follow-up-title",
                &[(
                    "days",
                    fluent_bundle::FluentValue::from(i.line.title.as_str()),
                )],
            )
        } else {
            i.line.title
        },
        kind: t.dynamic(&format!("task-kind-{}", i.line.kind.replace('_', "-"))),
        due_on: i.line.due_on,
        urgency: urgency_name(t, i.urgency),
        overdue: i.urgency == Urgency::Overdue,
    }
}

/// The team's overdue lines of one worker.
struct WorkerGroup {
    worker: String,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "tasks/mine.html")]
struct MinePage {
    t: T,
    page: Chrome,
    lines: Vec<Line>,
    next_cursor: Option<String>,
    is_supervisor: bool,
    team: Vec<WorkerGroup>,
}

#[derive(Debug, serde::Deserialize)]
struct CursorQuery {
    cursor: Option<String>,
}

async fn mine(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<CursorQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let mine = state
        .app
        .my_tasks(staff.actor(), q.cursor.as_deref(), Some(50))
        .await?;
    let mut team: Vec<WorkerGroup> = Vec::new();
    for item in mine.team_overdue {
        let worker = item.line.assignee_name.clone().unwrap_or_default();
        let l = line(&t, item);
        match team.last_mut() {
            Some(g) if g.worker == worker => g.lines.push(l),
            _ => team.push(WorkerGroup {
                worker,
                lines: vec![l],
            }),
        }
    }
    let page = MinePage {
        page: Chrome::new(&staff.visitor, "/tasks"),
        lines: mine.tasks.items.into_iter().map(|i| line(&t, i)).collect(),
        next_cursor: mine.tasks.next_cursor,
        is_supervisor: staff.actor().role == casework_domain::Role::Supervisor,
        team,
        t,
    };
    Ok(Html(page.render()?))
}

struct TaskRowLine {
    id: i64,
    title: String,
    due_on: String,
    status: String,
    assignee: String,
}

/// What a task form shows again after a refusal.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct TaskPost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    assignee_id: Option<String>,
    #[serde(default)]
    remind_days: Option<String>,
}

impl TaskPost {
    fn form(&self) -> TaskForm {
        TaskForm {
            title: self.title.clone(),
            description: self.description.clone(),
            due_on: self.due_on.clone(),
            assignee_id: self.assignee_id.clone(),
            remind_days: self.remind_days.clone(),
        }
    }
}

const TASK_FIELDS: &[&str] = &[
    "title",
    "description",
    "due_on",
    "assignee_id",
    "remind_days",
];

#[derive(Template)]
#[template(path = "tasks/case.html")]
struct CasePage {
    t: T,
    page: Chrome,
    case_id: i64,
    client_name: String,
    tasks: Vec<TaskRowLine>,
    next_cursor: Option<String>,
    workers: Vec<(i64, String)>,
    can_record: bool,
    form: TaskPost,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct CaseQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

async fn case_page(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    cursor: Option<&str>,
    form: TaskPost,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let cursor =
        casework_service::Cursor::parse(cursor).map_err(casework_service::ServiceError::Invalid)?;
    let v = state
        .app
        .case_tasks(staff.actor(), case_id, cursor, Some(50))
        .await?;
    let tasks = v
        .tasks
        .items
        .iter()
        .map(|k| TaskRowLine {
            id: k.id,
            title: k.title.clone(),
            due_on: k.due_on.clone(),
            status: status_name(&t, &k.status),
            assignee: v.worker_name(k.assignee_id).unwrap_or_default().to_string(),
        })
        .collect();
    Ok(CasePage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/tasks")),
        case_id: v.case.id,
        client_name: v.client_name.clone(),
        tasks,
        next_cursor: v.tasks.next_cursor.clone(),
        workers: v.workers.clone(),
        can_record: v.can_record,
        form,
        problem,
        notice,
        t,
    }
    .render()?)
}

async fn of_case(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> Result<Html<String>, PageError> {
    let notice = (q.notice.as_deref() == Some("created")).then(|| staff.t().get("task-created"));
    Ok(Html(
        case_page(
            &state,
            &staff,
            case_id,
            q.cursor.as_deref(),
            TaskPost::default(),
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<TaskPost>,
) -> Result<Response, PageError> {
    match state
        .app
        .create_task(staff.actor(), case_id, &post.form())
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/cases/{case_id}/tasks?notice=created")).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), TASK_FIELDS)?;
            let html = case_page(&state, &staff, case_id, None, post, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "tasks/show.html")]
struct ShowPage {
    t: T,
    page: Chrome,
    id: i64,
    case_id: i64,
    client_name: String,
    title: String,
    description: Option<String>,
    due_on: String,
    remind_days: Option<i64>,
    assignee: String,
    status: String,
    urgency: Option<String>,
    cancel_reason: Option<String>,
    open: bool,
    can_record: bool,
    version: i64,
    workers: Vec<(i64, String)>,
    form: TaskPost,
    /// The edit form's problem (the fields template calls it `problem`).
    problem: Problem,
    close_problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    form: Option<TaskPost>,
    edit_problem: Problem,
    close_problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let d = state.app.task(staff.actor(), id).await?;
    let form = form.unwrap_or_else(|| TaskPost {
        version: d.task.version.to_string(),
        title: d.task.title.clone(),
        description: d.task.description.clone(),
        due_on: d.task.due_on.clone(),
        assignee_id: d.task.assignee_id.map(|a| a.to_string()),
        remind_days: d.task.remind_days.map(|r| r.to_string()),
    });
    Ok(ShowPage {
        page: Chrome::new(&staff.visitor, &format!("/tasks/{id}")),
        id,
        case_id: d.case.id,
        client_name: d.client_name.clone(),
        title: d.task.title.clone(),
        description: d.task.description.clone(),
        due_on: d.task.due_on.clone(),
        remind_days: d.task.remind_days,
        assignee: d.assignee_name().unwrap_or_default().to_string(),
        status: status_name(&t, &d.task.status),
        urgency: d.urgency.map(|u| urgency_name(&t, u)),
        cancel_reason: d.task.cancel_reason.clone(),
        open: d.task.status == "open",
        can_record: d.can_record,
        version: d.task.version,
        workers: d.workers.clone(),
        form,
        problem: edit_problem,
        close_problem,
        notice,
        t,
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(t.get("task-saved")),
        Some("done") => Some(t.get("task-marked-done")),
        Some("cancelled") => Some(t.get("task-marked-cancelled")),
        _ => None,
    };
    Ok(Html(
        show_page(
            &state,
            &staff,
            id,
            None,
            Problem::none(),
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

fn version_of(raw: &str) -> i64 {
    // An unreadable version can only be stale: the service refuses it as such.
    raw.trim().parse().unwrap_or(-1)
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<TaskPost>,
) -> Result<Response, PageError> {
    match state
        .app
        .update_task(staff.actor(), id, version_of(&post.version), &post.form())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), TASK_FIELDS)?;
            let html = show_page(
                &state,
                &staff,
                id,
                Some(post),
                problem,
                Problem::none(),
                None,
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ClosePost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

async fn done(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<ClosePost>,
) -> Result<Response, PageError> {
    match state
        .app
        .complete_case_task(staff.actor(), id, version_of(&post.version))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?notice=done")).into_response()),
        Err(e) => closed_refused(&state, &staff, id, e).await,
    }
}

async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<ClosePost>,
) -> Result<Response, PageError> {
    let form = CancelForm {
        reason: post.reason,
    };
    match state
        .app
        .cancel_task(staff.actor(), id, version_of(&post.version), &form)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?notice=cancelled")).into_response()),
        Err(e) => closed_refused(&state, &staff, id, e).await,
    }
}

async fn closed_refused(
    state: &AppState,
    staff: &Staff,
    id: i64,
    e: casework_service::ServiceError,
) -> Result<Response, PageError> {
    let (status, problem) = Problem::from_service(e, &staff.t(), &["reason"])?;
    let html = show_page(state, staff, id, None, Problem::none(), problem, None).await?;
    Ok((status, Html(html)).into_response())
}
