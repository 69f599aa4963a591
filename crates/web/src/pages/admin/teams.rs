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

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/teams", get(show).post(create))
}

#[derive(Template)]
#[template(path = "admin/teams.html")]
struct TeamsPage {
    t: T,
    page: Chrome,
    teams: Vec<String>,
    name: String,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct TeamsQuery {
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    name: String,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let teams = state
        .app
        .teams(staff.actor())
        .await?
        .into_iter()
        .map(|team| team.name)
        .collect();
    Ok(TeamsPage {
        t: staff.t(),
        page: Chrome::new(&staff.visitor, "/admin/teams"),
        teams,
        name,
        problem,
        notice,
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<TeamsQuery>,
) -> Result<Html<String>, PageError> {
    staff.require(Role::Admin)?;
    let notice =
        (q.notice.as_deref() == Some("team-created")).then(|| staff.t().get("notice-team-created"));
    Ok(Html(
        page(&state, &staff, String::new(), Problem::none(), notice).await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct TeamForm {
    #[serde(default)]
    name: String,
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TeamForm>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let actor = staff.actor();
    match state
        .app
        .create_team(Some(actor), actor.agency_id, &form.name)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/teams?notice=team-created").into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["name"])?;
            let html = page(&state, &staff, form.name, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
