//! Server-rendered pages. Each module exposes `routes()`; add a new page module by listing its
//! routes in [`routes`] below. Every route listed here passes the visitor layer (`visit`), which
//! resolves the session and language, checks the CSRF token of every state-changing form, and
//! renders error pages.
//!
//! A page, in short:
//!
//! ```text
//! // pages/caseload.rs
//! pub fn routes() -> Router<AppState> { Router::new().route("/caseload", get(show)) }
//!
//! #[derive(askama::Template)]
//! #[template(path = "caseload.html")]      // {% extends "layout.html" %}, blocks title + content
//! struct CaseloadPage { t: T, page: Chrome, /* ... */ }
//!
//! async fn show(State(state): State<AppState>, staff: Staff) -> Result<Html<String>, PageError> {
//!     let cases = state.app.caseload(staff.actor(), ...).await?;   // ServiceError -> error page
//!     Ok(Html(CaseloadPage { t: staff.t(), page: Chrome::new(&staff.visitor, "/caseload"), ... }.render()?))
//! }
//! ```
//!
//! - `Staff` redirects to `/sign-in` when nobody is signed in; `Visitor` is anyone.
//! - Every `<form method="post">` carries `<input type="hidden" name="csrf" value="{{ page.csrf }}">`;
//!   the layer refuses it otherwise. Handlers never check CSRF themselves.
//! - A form the person can fix: `Problem::from_service(e, &t, &["field", ...])` gives the status
//!   and the message to show next to the field (`problem.at("field")`); anything else `?`s into
//!   the error page.
//! - Strings: `{{ t.get("sign-in-title") }}` in templates, the same call in code, with the id in both
//!   `locales/en/*.ftl` and `locales/es/*.ftl` (tests fail otherwise; `build.rs` joins the files
//!   of each language, so a new part of the interface may bring its own `<part>.ftl` in both).

mod account;
mod admin;
mod assessments;
mod assets;
mod audit;
mod caseload;
mod cases;
mod chart;
pub(crate) mod clients;
pub(crate) mod consents;
mod error_page;
mod evaluations;
mod follow_ups;
mod form_responses;
mod goals;
mod home;
mod instruments;
mod language;
mod notes;
pub(crate) mod oidc;
mod plans;
mod progress;
mod queue;
mod second_step;
mod security;
mod services;
mod sharing;
mod sign_in;
mod subject_rights;
mod tasks;
mod termination;
mod thread;
mod visit;

pub use error_page::render as render_error_page;
pub use second_step::PENDING_COOKIE;

use crate::AppState;
use axum::Router;

/// Every page route. Add yours here.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(sign_in::routes())
        .merge(language::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(clients::routes())
        .merge(audit::routes())
        .merge(cases::routes())
        .merge(caseload::routes())
        .merge(goals::routes())
        .merge(notes::routes())
        .merge(plans::routes())
        .merge(instruments::routes())
        .merge(assessments::routes())
        .merge(evaluations::routes())
        .merge(tasks::routes())
        .merge(queue::routes())
        .merge(consents::routes())
        .merge(second_step::routes())
        .merge(oidc::routes())
        .merge(security::routes())
        .merge(termination::routes())
        .merge(follow_ups::routes())
        .merge(services::routes())
        .merge(progress::routes())
        .merge(thread::routes())
        .merge(form_responses::routes())
        .merge(sharing::routes())
        .merge(subject_rights::routes())
}

/// The page routes behind the visitor layer, plus the static assets (which need no session).
pub fn layered(state: AppState) -> Router<AppState> {
    routes()
        .layer(axum::middleware::from_fn_with_state(state, visit::visit))
        .merge(assets::routes())
}

/// A local path to return to after a form: only "/something", never another site.
pub(crate) fn local_path(raw: Option<&str>) -> &str {
    match raw {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains(['\\', '\r', '\n'])
                && p.len() <= 300 =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(super::local_path(Some("/account")), "/account");
        assert_eq!(super::local_path(Some("//evil.example")), "/");
        assert_eq!(super::local_path(Some("https://evil.example")), "/");
        assert_eq!(super::local_path(Some("/\\evil.example")), "/");
        assert_eq!(super::local_path(None), "/");
    }
}
