//! `GET /disclosures?client_id=&cursor=`: every disclosure of one client, newest first, a page
//! at a time. Auditors read disclosure records here (never the client's record); staff who may
//! read the client see the same list.

use super::{disclosure_line, DisclosureLine};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use casework_domain::Invalid;
use casework_service::{Cursor, ServiceError};

#[derive(Template)]
#[template(path = "consents/list.html")]
struct DisclosureRecordsPage {
    t: T,
    page: Chrome,
    client_id: String,
    shown: bool,
    lines: Vec<DisclosureLine>,
    next_cursor: Option<String>,
    problem: Problem,
}

#[derive(serde::Deserialize)]
pub(super) struct RecordsQuery {
    client_id: Option<String>,
    cursor: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<RecordsQuery>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let raw = q.client_id.clone().unwrap_or_default();
    let mut page = DisclosureRecordsPage {
        page: Chrome::new(&staff.visitor, "/disclosures"),
        client_id: raw.clone(),
        shown: false,
        lines: Vec::new(),
        next_cursor: None,
        problem: Problem::none(),
        t,
    };
    if raw.trim().is_empty() {
        return Ok(Html(page.render()?).into_response());
    }
    let asked = raw
        .trim()
        .parse::<i64>()
        .map_err(|_| ServiceError::Invalid(Invalid::new("client_id", "wrong_type")))
        .and_then(|id| {
            Cursor::parse(q.cursor.as_deref())
                .map(|c| (id, c))
                .map_err(ServiceError::Invalid)
        });
    let listed = match asked {
        Ok((id, cursor)) => {
            state
                .app
                .disclosures(staff.actor(), id, cursor, Some(50))
                .await
        }
        Err(e) => Err(e),
    };
    match listed {
        Ok(p) => {
            page.shown = true;
            page.lines = p
                .items
                .into_iter()
                .map(|v| disclosure_line(&page.t, v))
                .collect();
            page.next_cursor = p.next_cursor;
            Ok(Html(page.render()?).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &page.t, &["client_id", "cursor"])?;
            page.problem = problem;
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}
