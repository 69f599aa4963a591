use super::ticked;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use casework_domain::Role;
use casework_service::{Cursor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/programs", get(show).post(create))
}

struct ProgramRow {
    id: i64,
    name: String,
    plan_approval: bool,
    closure_approval: bool,
}

#[derive(Template)]
#[template(path = "admin/programs.html")]
struct ProgramsPage {
    t: T,
    page: Chrome,
    programs: Vec<ProgramRow>,
    next_cursor: Option<String>,
    name: String,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct ProgramsQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

/// One page of the programs (the one after `cursor`), with the create form below it.
async fn page(
    state: &AppState,
    staff: &Staff,
    cursor: Option<&str>,
    name: String,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let cursor = Cursor::parse(cursor).map_err(ServiceError::Invalid)?;
    let listed = state
        .app
        .program_page(staff.actor(), cursor, Some(50))
        .await?;
    let programs = listed
        .items
        .into_iter()
        .map(|p| ProgramRow {
            id: p.id,
            name: p.name,
            plan_approval: p.plan_approval_required != 0,
            closure_approval: p.closure_approval_required != 0,
        })
        .collect();
    Ok(ProgramsPage {
        t: staff.t(),
        page: Chrome::new(&staff.visitor, "/admin/programs"),
        programs,
        next_cursor: listed.next_cursor,
        name,
        problem,
        notice,
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ProgramsQuery>,
) -> Result<Html<String>, PageError> {
    staff.require(Role::Admin)?;
    let notice = (q.notice.as_deref() == Some("program-created"))
        .then(|| staff.t().get("notice-program-created"));
    Ok(Html(
        page(
            &state,
            &staff,
            q.cursor.as_deref(),
            String::new(),
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct ProgramForm {
    #[serde(default)]
    name: String,
    plan_approval: Option<String>,
    closure_approval: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<ProgramForm>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let actor = staff.actor();
    let created = state
        .app
        .create_program(
            Some(actor),
            actor.agency_id,
            &form.name,
            ticked(&form.plan_approval),
            ticked(&form.closure_approval),
        )
        .await;
    match created {
        Ok(_) => Ok(Redirect::to("/admin/programs?notice=program-created").into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["name"])?;
            let html = page(&state, &staff, None, form.name, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
