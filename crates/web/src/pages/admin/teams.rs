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
    Router::new().route("/admin/teams", get(show).post(create))
}

#[derive(Template)]
#[template(path = "admin/teams.html")]
struct TeamsPage {
    t: T,
    page: Chrome,
    teams: Vec<String>,
    next_cursor: Option<String>,
    name: String,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct TeamsQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

/// One page of the teams (the one after `cursor`), with the create form below it.
async fn page(
    state: &AppState,
    staff: &Staff,
    cursor: Option<&str>,
    name: String,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let cursor = Cursor::parse(cursor).map_err(ServiceError::Invalid)?;
    let teams = state.app.team_page(staff.actor(), cursor, Some(50)).await?;
    Ok(TeamsPage {
        t: staff.t(),
        page: Chrome::new(&staff.visitor, "/admin/teams"),
        teams: teams.items.into_iter().map(|team| team.name).collect(),
        next_cursor: teams.next_cursor,
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
            let html = page(&state, &staff, None, form.name, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
