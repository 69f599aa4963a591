//! `GET /clients`: find a client by name (typos, accents and word order tolerated), birth date or
//! identifier.

use super::{may_register, require_client_work};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use casework_service::client::{ClientCard, ClientQuery};
use casework_service::{Cursor, ServiceError};

#[derive(Default, serde::Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    identifier: String,
    cursor: Option<String>,
}

struct ResultRow {
    id: i64,
    legal_name: String,
    preferred_name: String,
    birth_date: String,
    preferred_language: String,
}

impl From<ClientCard> for ResultRow {
    fn from(c: ClientCard) -> ResultRow {
        ResultRow {
            id: c.id,
            legal_name: c.legal_name,
            preferred_name: c.preferred_name.unwrap_or_default(),
            birth_date: c.birth_date.unwrap_or_default(),
            preferred_language: c.preferred_language,
        }
    }
}

#[derive(Template)]
#[template(path = "clients/search.html")]
struct SearchPage {
    t: T,
    page: Chrome,
    q: String,
    birth_date: String,
    identifier: String,
    /// None until something was searched for.
    results: Option<Vec<ResultRow>>,
    /// The query string of the next page, when there is one.
    more: Option<String>,
    problem: Problem,
    can_register: bool,
}

const SEARCH_FIELDS: &[&str] = &["q", "birth_date", "identifier"];

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    require_client_work(&staff)?;
    let t = staff.t();
    let asked = [&query.q, &query.birth_date, &query.identifier]
        .iter()
        .any(|s| !s.trim().is_empty());
    let mut problem = Problem::none();
    let mut status = axum::http::StatusCode::OK;
    let mut results = None;
    let mut more = None;
    if asked {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let search = ClientQuery {
            q: text(&query.q),
            birth_date: text(&query.birth_date),
            identifier: text(&query.identifier),
        };
        let found = match Cursor::parse(query.cursor.as_deref()) {
            Ok(cursor) => {
                state
                    .app
                    .search_clients(staff.actor(), &search, cursor, Some(25))
                    .await
            }
            Err(e) => Err(ServiceError::Invalid(e)),
        };
        match found {
            Ok(page) => {
                more = page.next_cursor.map(|cursor| {
                    serde_urlencoded::to_string([
                        ("q", query.q.as_str()),
                        ("birth_date", query.birth_date.as_str()),
                        ("identifier", query.identifier.as_str()),
                        ("cursor", cursor.as_str()),
                    ])
                    .unwrap_or_default()
                });
                results = Some(page.items.into_iter().map(ResultRow::from).collect());
            }
            Err(e) => (status, problem) = Problem::from_service(e, &t, SEARCH_FIELDS)?,
        }
    }
    let html = SearchPage {
        t,
        page: Chrome::new(&staff.visitor, "/clients"),
        q: query.q,
        birth_date: query.birth_date,
        identifier: query.identifier,
        results,
        more,
        problem,
        can_register: may_register(staff.actor().role),
    }
    .render()?;
    Ok((status, Html(html)).into_response())
}
