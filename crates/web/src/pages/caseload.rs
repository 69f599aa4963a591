//! `/caseload`: a caseworker's home, the open cases they carry; supervisors also see their
//! team's (`?scope=team`).

use super::cases::{stage_name, unmet_words};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::Chrome;
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use casework_domain::Role;
use casework_service::case::CaseloadScope;
use casework_service::{Cursor, ServiceError};
use fluent_bundle::FluentValue;

pub fn routes() -> Router<AppState> {
    Router::new().route("/caseload", get(show))
}

struct CaseloadLine {
    case_id: i64,
    client_name: String,
    preferred_language: String,
    interpreter_needed: bool,
    worker: Option<String>,
    stage: String,
    days_in_stage: String,
    risk_flag: bool,
    next_due: String,
    /// "Shared with you until <date>" when the case is the reader's only by a share.
    shared_until: Option<String>,
}

#[derive(Template)]
#[template(path = "caseload.html")]
struct CaseloadPage {
    t: T,
    page: Chrome,
    /// Showing the team's cases rather than the worker's own.
    team: bool,
    /// Supervisors with a team get the second tab.
    has_team_tab: bool,
    lines: Vec<CaseloadLine>,
    next_cursor: Option<String>,
    /// The worker's overdue tasks, linking to `/tasks`.
    overdue: String,
    /// Consents to share running out soon (a task source; see `pages::consents::expiring_lines`).
    expiring: Vec<crate::pages::consents::ExpiringLine>,
}

#[derive(Debug, serde::Deserialize)]
struct CaseloadQuery {
    scope: Option<String>,
    cursor: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<CaseloadQuery>,
) -> Result<Html<String>, PageError> {
    let actor = staff.actor();
    if !matches!(actor.role, Role::Caseworker | Role::Supervisor) {
        return Err(PageError::forbidden());
    }
    let t = staff.t();
    let has_team_tab = actor.role == Role::Supervisor && actor.team_id.is_some();
    let team = has_team_tab && q.scope.as_deref() == Some("team");
    let scope = if team {
        CaseloadScope::Team
    } else {
        CaseloadScope::Mine
    };
    let cursor = Cursor::parse(q.cursor.as_deref()).map_err(ServiceError::Invalid)?;
    let home = state
        .app
        .caseload_page(actor, scope, cursor, Some(50))
        .await?;
    let expiring = crate::pages::consents::expiring_lines(&t, home.expiring.items);
    let page = home.cases;
    let lines = page
        .items
        .into_iter()
        .map(|i| CaseloadLine {
            case_id: i.case_id,
            client_name: i.client_name,
            preferred_language: i.preferred_language,
            interpreter_needed: i.interpreter_needed,
            worker: i.worker_name,
            stage: stage_name(&t, i.stage),
            days_in_stage: t.get_with(
                "caseload-days",
                &[("days", FluentValue::from(i.days_in_stage))],
            ),
            risk_flag: i.risk_flag,
            next_due: match i.next_due {
                Some(code) => unmet_words(&t, code),
                None => t.get("caseload-nothing-due"),
            },
            shared_until: i
                .shared_until
                .map(|d| t.get_with("sharing-shared-until", &[("date", FluentValue::from(d))])),
        })
        .collect();
    let overdue = t.get_with(
        "caseload-overdue",
        &[("count", FluentValue::from(home.overdue))],
    );
    Ok(Html(
        CaseloadPage {
            page: Chrome::new(&staff.visitor, "/caseload"),
            t,
            team,
            has_team_tab,
            lines,
            next_cursor: page.next_cursor,
            overdue,
            expiring,
        }
        .render()?,
    ))
}
