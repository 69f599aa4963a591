//! `/audit`: auditors browse and filter the agency's audit log, newest first, and download what
//! they filtered as CSV (`/audit.csv`). Other roles are refused by the service, which audits the
//! attempt; this page does not refuse them itself, so the refusal is always on the log.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use casework_interop::{audit_csv_export, ExportLimits};
use casework_service::audit::{AuditQuery, AuditView};
use casework_service::{Cursor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(show))
        .route("/audit.csv", get(download))
}

/// Entries per page on screen.
const PAGE_SIZE: i64 = 50;

/// The filter inputs, in the form's order.
const FIELDS: &[&str] = &[
    "actor_user_id",
    "client_id",
    "action",
    "outcome",
    "from",
    "to",
];

/// The filters as typed, echoed back into the form and carried by the paging and CSV links.
#[derive(Debug, Default, serde::Deserialize)]
struct RawFilters {
    #[serde(default)]
    actor_user_id: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    cursor: Option<String>,
}

impl RawFilters {
    /// The filters that are set, as `a=b&c=d` (no cursor), for links that keep them.
    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("actor_user_id", &self.actor_user_id),
            ("client_id", &self.client_id),
            ("action", &self.action),
            ("outcome", &self.outcome),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.trim()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// The filters as the service takes them; a malformed id or an inverted date range is the
    /// person's to fix, next to the field. Dates and outcome are checked by the service.
    fn query(&self, t: &T) -> Result<AuditQuery, Problem> {
        let id = |field: &str, raw: &str| -> Result<Option<i64>, Problem> {
            match raw.trim() {
                "" => Ok(None),
                s => s
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| Problem {
                        others: Vec::new(),
                        field: Some(field.to_string()),
                        message: Some(t.get("audit-id-format")),
                    }),
            }
        };
        let blank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let query = AuditQuery {
            actor_user_id: id("actor_user_id", &self.actor_user_id)?,
            client_id: id("client_id", &self.client_id)?,
            action: blank(&self.action),
            outcome: blank(&self.outcome),
            from: blank(&self.from),
            to: blank(&self.to),
        };
        if let (Some(from), Some(to)) = (&query.from, &query.to) {
            let from = casework_domain::client::parse_date("from", from);
            let to = casework_domain::client::parse_date("to", to);
            if let (Ok(from), Ok(to)) = (from, to) {
                if to < from {
                    return Err(Problem {
                        others: Vec::new(),
                        field: Some("to".to_string()),
                        message: Some(t.get("audit-to-before-from")),
                    });
                }
            }
        }
        Ok(query)
    }
}

struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

struct Person {
    id: String,
    name: String,
    selected: bool,
}

/// The staff for the "who" filter, as the service lists them for this auditor.
async fn people(
    state: &AppState,
    staff: &Staff,
    filters: &RawFilters,
) -> Result<Vec<Person>, PageError> {
    let chosen = filters.actor_user_id.trim();
    Ok(state
        .app
        .audit_people(staff.actor())
        .await?
        .into_iter()
        .map(|(id, name)| Person {
            selected: id.to_string() == chosen,
            id: id.to_string(),
            name,
        })
        .collect())
}

struct EntryRow {
    seq: i64,
    /// RFC 3339, for the `datetime` attribute.
    at_machine: String,
    /// `2026-09-21 14:13:20 UTC`: the same for every reader whatever their language.
    at: String,
    actor: String,
    action: String,
    record: String,
    /// What a list page showed, one line per record; empty for an entry about one record.
    shown: Vec<String>,
    client_id: String,
    denied: bool,
    reason: String,
}

/// When and by whom, as people read it.
fn moment(ms: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_default()
}

/// A record type's name for people ("consent to share" for `share_consent`); a type the
/// catalogue does not name is shown by its code.
fn type_name(t: &T, code: &str) -> String {
    let id = format!("audit-record-type-{code}");
    if crate::i18n::has_message(t.locale(), &id) {
        t.dynamic(&id)
    } else {
        code.to_string()
    }
}

fn row_of(e: AuditView, t: &T) -> EntryRow {
    let kind = type_name(t, &e.record_type);
    EntryRow {
        seq: e.seq,
        at_machine: crate::api::timestamp(e.at_ms),
        at: moment(e.at_ms),
        actor: match (e.actor_user_id, e.actor_name) {
            (Some(id), Some(name)) => t.get_with(
                "audit-actor-named",
                &[("id", id.to_string().into()), ("name", name.into())],
            ),
            (Some(id), None) => t.get_with("audit-actor-user", &[("id", id.to_string().into())]),
            (None, _) => t.get("audit-actor-none"),
        },
        action: e.action,
        record: match (e.record_id, e.subjects.len()) {
            (Some(id), _) => t.get_with(
                "audit-record-one",
                &[("type", kind.clone().into()), ("id", id.to_string().into())],
            ),
            (None, 0) => kind.clone(),
            (None, n) => t.get_with(
                "audit-record-listing",
                &[("count", (n as i64).into()), ("type", kind.clone().into())],
            ),
        },
        shown: e
            .subjects
            .iter()
            .map(|s| {
                t.get_with(
                    "audit-record-shown",
                    &[
                        ("type", kind.clone().into()),
                        ("id", s.record_id.to_string().into()),
                        ("client", s.client_id.to_string().into()),
                    ],
                )
            })
            .collect(),
        client_id: e.client_id.map(|c| c.to_string()).unwrap_or_default(),
        denied: e.outcome == "denied",
        reason: e.reason.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: T,
    page: Chrome,
    filters: RawFilters,
    outcomes: Vec<Choice>,
    /// The agency's staff for the "who" filter, the chosen one selected.
    people: Vec<Person>,
    problem: Problem,
    /// None when the filters could not be used: the table is not shown at all.
    entries: Option<Vec<EntryRow>>,
    /// The filters as a query string, for the paging and download links.
    kept: String,
    next_cursor: Option<String>,
    /// Showing an older page, not the newest.
    paged: bool,
}

impl AuditPage {
    /// `?<filters>&<extra>` or `?<extra>`.
    fn link(&self, base: &str, extra: &str) -> String {
        match (self.kept.is_empty(), extra.is_empty()) {
            (true, true) => base.to_string(),
            (true, false) => format!("{base}?{extra}"),
            (false, true) => format!("{base}?{}", self.kept),
            (false, false) => format!("{base}?{}&{extra}", self.kept),
        }
    }

    fn older_link(&self) -> Option<String> {
        self.next_cursor
            .as_deref()
            .map(|c| self.link("/audit", &format!("cursor={c}")))
    }

    fn csv_link(&self) -> String {
        self.link("/audit.csv", "")
    }

    fn newest_link(&self) -> String {
        self.link("/audit", "")
    }
}

fn outcome_choices(t: &T, selected: &str) -> Vec<Choice> {
    [
        ("", t.get("audit-outcome-any")),
        ("allowed", t.get("audit-outcome-allowed")),
        ("denied", t.get("audit-outcome-denied")),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value,
        label,
        selected: value == selected.trim(),
    })
    .collect()
}

fn render(
    staff: &Staff,
    filters: RawFilters,
    people: Vec<Person>,
    problem: Problem,
    found: Option<(Vec<AuditView>, Option<String>)>,
) -> Result<String, PageError> {
    let t = staff.t();
    let (entries, next_cursor) = match found {
        Some((items, next)) => (
            Some(items.into_iter().map(|e| row_of(e, &t)).collect()),
            next,
        ),
        None => (None, None),
    };
    let paged = filters
        .cursor
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    Ok(AuditPage {
        outcomes: outcome_choices(&t, &filters.outcome),
        people,
        kept: filters.query_string(),
        page: Chrome::new(&staff.visitor, "/audit"),
        t,
        filters,
        problem,
        entries,
        next_cursor,
        paged,
    }
    .render()?)
}

/// A refusal goes through the service even when the filters are unusable, so that the
/// attempt of someone who is not an auditor is refused and audited the same way every time.
async fn refuse_unless_auditor(state: &AppState, staff: &Staff) -> Result<(), PageError> {
    if staff.actor().role == casework_domain::Role::Auditor {
        return Ok(());
    }
    state
        .app
        .audit_log(staff.actor(), &AuditQuery::default(), None, Some(1))
        .await?;
    Ok(())
}

/// The page answering a filter the person must fix: the form with the message, no table.
async fn unusable_filters(
    state: &AppState,
    staff: &Staff,
    filters: RawFilters,
    problem: Problem,
) -> Result<Response, PageError> {
    refuse_unless_auditor(state, staff).await?;
    let people = people(state, staff, &filters).await?;
    let body = render(staff, filters, people, problem, None)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response())
}

/// A service error on a filter (bad date, unknown outcome, bad cursor) becomes a message on the
/// form; anything else (not an auditor, storage down) the error page.
async fn service_problem(
    state: &AppState,
    staff: &Staff,
    filters: RawFilters,
    e: ServiceError,
) -> Result<Response, PageError> {
    let (status, problem) = Problem::from_service(e, &staff.t(), FIELDS)?;
    let people = people(state, staff, &filters).await?;
    let body = render(staff, filters, people, problem, None)?;
    Ok((status, Html(body)).into_response())
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(filters): Query<RawFilters>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let query = match filters.query(&t) {
        Ok(q) => q,
        Err(problem) => return unusable_filters(&state, &staff, filters, problem).await,
    };
    let cursor = match Cursor::parse(filters.cursor.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            return unusable_filters(&state, &staff, filters, Problem::general(t.error(e.code)))
                .await
        }
    };
    match state
        .app
        .audit_log(staff.actor(), &query, cursor, Some(PAGE_SIZE))
        .await
    {
        Ok(page) => {
            let people = people(&state, &staff, &filters).await?;
            let body = render(
                &staff,
                filters,
                people,
                Problem::none(),
                Some((page.items, page.next_cursor)),
            )?;
            Ok(Html(body).into_response())
        }
        Err(e) => service_problem(&state, &staff, filters, e).await,
    }
}

async fn download(
    State(state): State<AppState>,
    staff: Staff,
    Query(filters): Query<RawFilters>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let query = match filters.query(&t) {
        Ok(q) => q,
        Err(problem) => return unusable_filters(&state, &staff, filters, problem).await,
    };
    let chunks =
        match audit_csv_export(&state.app, staff.actor(), &query, ExportLimits::default()).await {
            Ok(chunks) => chunks,
            Err(e) => return service_problem(&state, &staff, filters, e).await,
        };
    let mut res = Body::from_stream(chunks).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit-log.csv\""),
    );
    Ok(res)
}

#[cfg(test)]
mod record_type_tests {
    use super::type_name;
    use crate::i18n::{Locale, T};

    /// Every record type the service layer writes to the log, as of this test.
    const TYPES: &[&str] = &[
        "agency",
        "agency_subject_rights",
        "api_token",
        "assessment",
        "assessment_form",
        "audit_log",
        "break_glass",
        "case",
        "case_share",
        "case_task",
        "client",
        "client_merge",
        "contact",
        "disclosure",
        "erasure",
        "evaluation",
        "follow_up",
        "form_response",
        "goal",
        "identity_provider",
        "instrument_result",
        "intervention",
        "note",
        "plan",
        "plan_task",
        "program",
        "progress_entry",
        "queue",
        "service_consent",
        "service_delivered",
        "share_consent",
        "stage_history",
        "task_list",
        "task_template",
        "team",
        "termination",
        "user",
    ];

    #[test]
    fn record_types_read_as_words_in_each_language() {
        let (en, es) = (T::new(Locale::En), T::new(Locale::Es));
        assert_eq!(type_name(&en, "share_consent"), "consent to share");
        assert_eq!(
            type_name(&es, "share_consent"),
            "consentimiento para compartir"
        );
        assert_eq!(type_name(&en, "not_a_type"), "not_a_type");
        for locale in [Locale::En, Locale::Es] {
            for code in TYPES {
                let id = format!("audit-record-type-{code}");
                assert!(crate::i18n::has_message(locale, &id), "{id} in {locale:?}");
            }
        }
    }
}
