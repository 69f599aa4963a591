//! Registration with the duplicate check: likely duplicates are shown, with the reasons, before
//! anyone is created; the worker either opens the existing record or registers anyway, and the
//! choice is recorded by the service.

use super::draft::{Draft, FormView};
use super::{all_problems, form_problem, may_register, reason_text, require_client_work};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use casework_service::client::{DuplicateDecision, DuplicateView};
use casework_service::ServiceError;

/// More ids than any warning shows; the rest are ignored.
const MAX_SHOWN: usize = 100;

struct DuplicateRow {
    id: i64,
    legal_name: String,
    preferred_name: String,
    birth_date: String,
    preferred_language: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "clients/new.html")]
struct NewPage {
    t: T,
    page: Chrome,
    form: FormView,
    duplicates: Vec<DuplicateRow>,
    /// Every candidate shown so far, sent back with the form.
    shown: Vec<i64>,
}

fn render(
    staff: &Staff,
    draft: &Draft,
    problem: &Problem,
    duplicates: Vec<DuplicateView>,
    shown: Vec<i64>,
) -> Result<String, PageError> {
    let t = staff.t();
    let duplicates = duplicates
        .into_iter()
        .map(|d| DuplicateRow {
            reasons: d.reasons.iter().map(|r| reason_text(&t, r)).collect(),
            id: d.client.id,
            legal_name: d.client.legal_name,
            preferred_name: d.client.preferred_name.unwrap_or_default(),
            birth_date: d.client.birth_date.unwrap_or_default(),
            preferred_language: d.client.preferred_language,
        })
        .collect();
    Ok(NewPage {
        form: FormView::new(draft, problem, &t),
        t,
        page: Chrome::new(&staff.visitor, "/clients/new"),
        duplicates,
        shown,
    }
    .render()?)
}

fn require_registrar(staff: &Staff) -> Result<(), PageError> {
    require_client_work(staff)?;
    if may_register(staff.actor().role) {
        Ok(())
    } else {
        Err(PageError::forbidden())
    }
}

/// The `shown` ids a form sent back: numbers only, each once.
fn shown_of(pairs: &[(String, String)]) -> Vec<i64> {
    let mut ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "shown")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .take(MAX_SHOWN)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

pub(super) async fn show(staff: Staff) -> Result<Html<String>, PageError> {
    require_registrar(&staff)?;
    Ok(Html(render(
        &staff,
        &Draft::default(),
        &Problem::none(),
        Vec::new(),
        Vec::new(),
    )?))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_registrar(&staff)?;
    let actor = staff.actor();
    let draft = Draft::from_pairs(&pairs);
    let confirmed = pairs.iter().any(|(k, v)| k == "confirmed" && v == "1");
    let mut shown = shown_of(&pairs);
    let refused = |e: ServiceError, shown: Vec<i64>| -> Result<Response, PageError> {
        let (status, problem) = form_problem(e, &staff.t())?;
        Ok((
            status,
            Html(render(&staff, &draft, &problem, Vec::new(), shown)?),
        )
            .into_response())
    };
    let form = match draft.to_form() {
        Ok(form) => form,
        Err(e) => return refused(ServiceError::Invalid(e), shown),
    };
    if let Some(problem) = all_problems(&form, state.app.today(), &staff.t()) {
        let html = render(&staff, &draft, &problem, Vec::new(), shown)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    // Checked on every submission, also after "register anyway": the worker may have changed
    // the name or birth date since the warning, and a new candidate must be seen first.
    let found = match state.app.check_duplicates(actor, &form).await {
        Ok(found) => found,
        Err(e) => return refused(e, shown),
    };
    let unseen = found.iter().any(|d| !shown.contains(&d.client.id));
    if !found.is_empty() && (!confirmed || unseen) {
        shown.extend(found.iter().map(|d| d.client.id));
        shown.sort_unstable();
        shown.dedup();
        let html = render(&staff, &draft, &Problem::none(), found, shown)?;
        return Ok(Html(html).into_response());
    }
    match state
        .app
        .register_client(
            actor,
            &form,
            &DuplicateDecision {
                shown: shown.clone(),
            },
        )
        .await
    {
        Ok(client) => {
            Ok(Redirect::to(&format!("/clients/{}?notice=registered", client.id)).into_response())
        }
        Err(e) => refused(e, shown),
    }
}

/// "This is the same person": record the choice and open that record.
pub(super) async fn use_existing(
    State(state): State<AppState>,
    staff: Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_registrar(&staff)?;
    let shown = shown_of(&pairs);
    let chosen = pairs
        .iter()
        .find(|(k, _)| k == "chosen")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .filter(|id| shown.contains(id))
        .ok_or_else(|| PageError::new(StatusCode::BAD_REQUEST, "bad_request"))?;
    let reachable = state
        .app
        .use_existing_client(staff.actor(), chosen, &shown)
        .await?;
    if !reachable {
        // Registered already, but carried by someone else: say whom to ask, not "not found".
        return Err(PageError::new(StatusCode::CONFLICT, "client_outside_reach"));
    }
    Ok(Redirect::to(&format!("/clients/{chosen}?notice=existing")).into_response())
}
