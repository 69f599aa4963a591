//! `/admin/programs/{id}/tasks`: a program's default tasks (CiviCase-style timelines): for each,
//! the stage whose entry makes it and how many days after it is due. Agency admins only.

use super::Choice;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::pages::cases::stage_name;
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::stage::Stage;
use casework_domain::task::TemplateForm;
use casework_domain::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/programs/{id}/tasks", get(show).post(add))
        .route("/admin/programs/{id}/tasks/{template}/retire", post(retire))
}

struct TemplateLine {
    id: i64,
    title: String,
    stage: String,
    due_days: i64,
    version: i64,
}

#[derive(Template)]
#[template(path = "admin/task_templates.html")]
struct TemplatesPage {
    t: T,
    page: Chrome,
    program_id: i64,
    program_name: String,
    templates: Vec<TemplateLine>,
    stages: Vec<Choice>,
    form: TemplatePost,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct TemplatePost {
    #[serde(default)]
    title: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    due_days: String,
}

#[derive(Debug, serde::Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

fn stage_choices(t: &T, selected: &str) -> Vec<Choice> {
    Stage::ALL
        .iter()
        .filter(|s| **s != Stage::Closed)
        .map(|s| Choice {
            value: s.as_str().to_string(),
            label: stage_name(t, *s),
            selected: s.as_str() == selected,
        })
        .collect()
}

async fn page(
    state: &AppState,
    staff: &Staff,
    program_id: i64,
    form: TemplatePost,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let (program, rows) = state.app.task_templates(staff.actor(), program_id).await?;
    let templates = rows
        .into_iter()
        .map(|r| TemplateLine {
            id: r.id,
            title: r.title,
            stage: r
                .stage
                .parse::<Stage>()
                .map(|s| stage_name(&t, s))
                .unwrap_or(r.stage),
            due_days: r.due_days,
            version: r.version,
        })
        .collect();
    Ok(TemplatesPage {
        page: Chrome::new(
            &staff.visitor,
            &format!("/admin/programs/{program_id}/tasks"),
        ),
        program_id: program.id,
        program_name: program.name,
        templates,
        stages: stage_choices(&t, &form.stage),
        form,
        problem,
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
    staff.require(Role::Admin)?;
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("added") => Some(t.get("template-added")),
        Some("retired") => Some(t.get("template-retired")),
        _ => None,
    };
    Ok(Html(
        page(
            &state,
            &staff,
            id,
            TemplatePost::default(),
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<TemplatePost>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let form = TemplateForm {
        title: post.title.clone(),
        stage: post.stage.clone(),
        due_days: post.due_days.clone(),
        remind_days: None,
    };
    match state.app.add_task_template(staff.actor(), id, &form).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/programs/{id}/tasks?notice=added")).into_response())
        }
        Err(e) => {
            let (status, problem) =
                Problem::from_service(e, &staff.t(), &["title", "stage", "due_days"])?;
            let html = page(&state, &staff, id, post, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct RetirePost {
    #[serde(default)]
    version: String,
}

async fn retire(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, template)): Path<(i64, i64)>,
    Form(post): Form<RetirePost>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let version = post.version.trim().parse().unwrap_or(-1);
    match state
        .app
        .retire_task_template(staff.actor(), id, template, version)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/programs/{id}/tasks?notice=retired")).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &[])?;
            let html = page(&state, &staff, id, TemplatePost::default(), problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
