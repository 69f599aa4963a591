//! `GET/POST /clients/{id}/edit`: change a client's profile. The form carries the version read;
//! if someone else saved meanwhile, the worker's input is kept and the change is refused.

use super::draft::{Draft, FormView};
use super::{form_problem, require_client_work};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use casework_domain::Invalid;
use casework_service::ServiceError;

#[derive(Template)]
#[template(path = "clients/edit.html")]
struct EditPage {
    t: T,
    page: Chrome,
    id: i64,
    legal_name: String,
    version: i64,
    form: FormView,
}

fn render(
    staff: &Staff,
    id: i64,
    legal_name: String,
    version: i64,
    draft: &Draft,
    problem: &Problem,
) -> Result<String, PageError> {
    let t = staff.t();
    Ok(EditPage {
        form: FormView::new(draft, problem, &t),
        t,
        page: Chrome::new(&staff.visitor, &format!("/clients/{id}/edit")),
        id,
        legal_name,
        version,
    }
    .render()?)
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    require_client_work(&staff)?;
    let detail = state.app.client(staff.actor(), id).await?;
    if detail.client.merged_into.is_some() {
        // A merged record is history: changes belong on the record it was merged into.
        return Err(PageError::new(StatusCode::CONFLICT, "already_merged"));
    }
    let draft = Draft::of_client(&detail, state.app.today().year());
    Ok(Html(render(
        &staff,
        id,
        detail.client.legal_name.clone(),
        detail.client.version,
        &draft,
        &Problem::none(),
    )?))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_client_work(&staff)?;
    let draft = Draft::from_pairs(&pairs);
    let version = pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok());
    let saved = match (version, draft.to_form()) {
        (None, _) => Err(ServiceError::Invalid(Invalid::new("version", "required"))),
        (_, Err(e)) => Err(ServiceError::Invalid(e)),
        (Some(version), Ok(form)) => {
            state
                .app
                .update_client(staff.actor(), id, version, &form)
                .await
        }
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/clients/{id}?notice=updated")).into_response()),
        Err(e) => {
            let (status, mut problem) = form_problem(e, &staff.t())?;
            // A refused field: say every other problem of the form with it.
            if let (Some(_), Ok(form)) = (&problem.field, draft.to_form()) {
                if let Some(all) = super::all_problems(&form, state.app.today(), &staff.t()) {
                    problem = all;
                }
            }
            // The heading names the record as it is now; the form keeps what the worker typed,
            // and the version stays the one they read, so a stale form stays refused until
            // they have looked at the current record.
            let html = render(
                &staff,
                id,
                draft.legal_name.clone(),
                version.unwrap_or(0),
                &draft,
                &problem,
            )?;
            Ok((status, Html(html)).into_response())
        }
    }
}
