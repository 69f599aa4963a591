//! Merging two records of the same person (supervisors): the other record's number and a reason,
//! then both records side by side, then the merge. Every merge can be undone.

use super::profile::{page, ClientView, MergeDraft};
use super::require_client_work;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use casework_domain::Invalid;
use casework_service::ServiceError;

#[derive(serde::Deserialize)]
pub(super) struct MergeForm {
    #[serde(default)]
    merged_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirmed: String,
}

#[derive(Template)]
#[template(path = "clients/merge.html")]
struct ConfirmPage {
    t: T,
    page: Chrome,
    survivor: ClientView,
    merged: ClientView,
    reason: String,
}

const MERGE_FIELDS: &[&str] = &["merged_id", "reason"];

pub(super) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<MergeForm>,
) -> Result<Response, PageError> {
    require_client_work(&staff)?;
    let t = staff.t();
    let actor = staff.actor();
    let outcome = match form.merged_id.trim().parse::<i64>() {
        Err(_) if form.merged_id.trim().is_empty() => {
            Err(ServiceError::Invalid(Invalid::new("merged_id", "required")))
        }
        Err(_) => Err(ServiceError::Invalid(Invalid::new(
            "merged_id",
            "wrong_type",
        ))),
        Ok(other) if other == id => Err(ServiceError::Invalid(Invalid::new(
            "merged_id",
            "same_record",
        ))),
        Ok(_) if form.reason.trim().is_empty() => {
            Err(ServiceError::Invalid(Invalid::new("reason", "required")))
        }
        Ok(other) if form.confirmed == "1" => state
            .app
            .merge_clients(actor, id, other, &form.reason)
            .await
            .map(|_| None),
        Ok(other) => {
            // The confirmation: both records, read as any page would read them.
            let both = async {
                let survivor = state.app.client(actor, id).await?;
                let merged = state.app.client(actor, other).await.map_err(|e| match e {
                    ServiceError::NotFound => {
                        ServiceError::Invalid(Invalid::new("merged_id", "not_found"))
                    }
                    e => e,
                })?;
                Ok::<_, ServiceError>((survivor, merged))
            };
            match both.await {
                Ok((survivor, _)) if !survivor.can_merge => Err(ServiceError::Forbidden),
                Ok((survivor, merged)) => Ok(Some((survivor, merged))),
                Err(e) => Err(e),
            }
        }
    };
    match outcome {
        Ok(None) => Ok(Redirect::to(&format!("/clients/{id}?notice=merged")).into_response()),
        Ok(Some((survivor, merged))) => {
            let html = ConfirmPage {
                survivor: ClientView::new(survivor, &t),
                merged: ClientView::new(merged, &t),
                t,
                page: Chrome::new(&staff.visitor, &format!("/clients/{id}")),
                reason: form.reason,
            }
            .render()?;
            Ok(Html(html).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &t, MERGE_FIELDS)?;
            let draft = MergeDraft {
                merged_id: form.merged_id,
                reason: form.reason,
                problem,
            };
            let html = page(&state, &staff, id, None, draft).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
pub(super) struct UndoForm {
    client_id: i64,
}

pub(super) async fn undo(
    State(state): State<AppState>,
    staff: Staff,
    Path(merge_id): Path<i64>,
    Form(form): Form<UndoForm>,
) -> Result<Response, PageError> {
    require_client_work(&staff)?;
    state.app.undo_merge(staff.actor(), merge_id).await?;
    Ok(Redirect::to(&format!("/clients/{}?notice=unmerged", form.client_id)).into_response())
}
