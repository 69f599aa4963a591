//! The JSON API under `/api/v1/`. Each module exposes `routes()` built with
//! `utoipa_axum::routes!`, which registers a handler and its `#[utoipa::path]` documentation
//! together: add a module by listing its routes in [`routes`]. Never add API routes with axum's
//! plain route registration: they would be missing from the OpenAPI document (a test checks).

mod assessments;
mod audit;
mod caller;
mod cases;
mod clients;
mod consents;
mod errors;
mod evaluations;
mod forms;
mod goals;
mod json;
mod me;
mod notes;
mod paging;
mod plans;
mod programs;
mod progress;
mod queue;
mod security;
mod services;
mod sharing;
mod subject_rights;
mod tasks;
mod teams;
mod termination;
mod thread;
mod tokens;
mod users;
mod versions;

pub(crate) use versions::{expected_version, with_etag};

pub use caller::{Caller, Via};
pub use errors::{ErrorDetail, ErrorEnvelope, LocaleSlot};
pub use json::Json;
pub use paging::PageQuery;
pub use subject_rights::subject_access_json;

use crate::AppState;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every API route with its documentation. Add yours here.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(crate::openapi::document))
        .merge(me::routes())
        .merge(users::routes())
        .merge(teams::routes())
        .merge(programs::routes())
        .merge(tokens::routes())
        .merge(clients::routes())
        .merge(audit::routes())
        .merge(cases::routes())
        .merge(goals::routes())
        .merge(notes::routes())
        .merge(plans::routes())
        .merge(assessments::routes())
        .merge(evaluations::routes())
        .merge(tasks::routes())
        .merge(queue::routes())
        .merge(consents::routes())
        .merge(security::routes())
        .merge(termination::routes())
        .merge(services::routes())
        .merge(progress::routes())
        .merge(thread::routes())
        .merge(forms::routes())
        .merge(sharing::routes())
        .merge(subject_rights::routes())
}

/// The API routes behind the layer that gives every error our JSON shape in the caller's
/// language.
pub fn layered(router: Router<AppState>) -> Router<AppState> {
    router.layer(axum::middleware::from_fn(errors::translate))
}

/// The `ETag` of a record at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A moment for programs: RFC 3339 in UTC.
pub fn timestamp(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
