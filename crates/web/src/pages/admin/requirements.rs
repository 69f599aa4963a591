//! Which assessments a program requires before its cases leave assessment: agency forms and
//! standard instruments, ticked on one page.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use casework_domain::assessment::InstrumentKind;
use casework_domain::form::Requirement;
use casework_domain::Role;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/programs/{id}/requirements", get(show).post(save))
}

struct Tick {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin/requirements.html")]
struct RequirementsPage {
    t: T,
    page: Chrome,
    id: i64,
    title: String,
    forms: Vec<Tick>,
    instruments: Vec<Tick>,
    problem: Problem,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let actor = staff.actor();
    let program = state
        .app
        .programs(actor)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(ServiceError::NotFound)?;
    let chosen = state.app.program_requirements(actor, id).await?;
    let forms = state
        .app
        .assessment_forms(actor, None, Some(200))
        .await?
        .items
        .into_iter()
        .map(|f| Tick {
            checked: chosen.contains(&Requirement::Form(f.id)),
            value: Requirement::Form(f.id).code(),
            label: f.name,
        })
        .collect();
    let instruments = InstrumentKind::ALL
        .iter()
        .map(|k| Tick {
            checked: chosen.contains(&Requirement::Instrument(*k)),
            value: k.as_str().to_string(),
            label: t.dynamic(&format!("assessment-instrument-{}", k.as_str())),
        })
        .collect();
    Ok(RequirementsPage {
        page: Chrome::new(&staff.visitor, "/admin/programs"),
        id,
        title: t.get_with("requirements-title", &[("program", program.name.into())]),
        forms,
        instruments,
        problem,
        notice,
        t,
    }
    .render()?)
}

#[derive(Debug, Default, serde::Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, PageError> {
    staff.require(Role::Admin)?;
    let notice = (q.notice.as_deref() == Some("requirements-saved"))
        .then(|| staff.t().get("notice-requirements-saved"));
    Ok(Html(
        page(&state, &staff, id, Problem::none(), notice).await?,
    ))
}

/// Checkboxes named `requirement`, one value each: read as pairs since a name repeats.
async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let codes: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "requirement")
        .map(|(_, v)| v)
        .collect();
    match state
        .app
        .set_program_requirements(staff.actor(), id, &codes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/programs/{id}/requirements?notice=requirements-saved"
        ))
        .into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &[])?;
            let html = page(&state, &staff, id, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
