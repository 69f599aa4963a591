//! What an agency admin manages: users, teams, programs. Admins see no client content here.

mod follow_up_schedule;
mod forms;
mod identity_provider;
mod programs;
mod requirements;
mod security;
mod task_templates;
mod teams;
mod users;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(teams::routes())
        .merge(programs::routes())
        .merge(task_templates::routes())
        .merge(security::routes())
        .merge(identity_provider::routes())
        .merge(follow_up_schedule::routes())
        .merge(forms::routes())
        .merge(requirements::routes())
}

/// One option of a `<select>`.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A checkbox: browsers send it only when ticked.
pub(crate) fn ticked(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.is_empty())
}
