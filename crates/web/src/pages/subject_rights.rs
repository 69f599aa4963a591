//! Subject rights as pages: a client's page with the subject access export (a printable
//! document in the client's language, or JSON to download) and erasure on request (a stated
//! reason, then a confirmation step); and the admin's page with the retention setting and the
//! list of erasures (no names).

use crate::error::PageError;
use crate::i18n::{Locale, T};
use crate::layout::{moment, Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::subject_rights::{ErasureForm, SubjectRightsForm};
use casework_domain::Role;
use casework_service::subject_access::{Record, SubjectAccess, Value};
use casework_service::Cursor;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clients/{id}/subject-rights", get(show_client))
        .route("/clients/{id}/subject-access", post(export))
        .route("/clients/{id}/erase", post(erase))
        .route("/admin/subject-rights", get(show_admin).post(save_settings))
}

#[derive(Template)]
#[template(path = "subject_rights/client.html")]
struct ClientPage {
    t: T,
    page: Chrome,
    client_id: i64,
    name: String,
    erased_at: Option<String>,
    open_cases: i64,
    reason: String,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
    cursor: Option<String>,
}

async fn client_page(
    state: &AppState,
    staff: &Staff,
    client_id: i64,
    reason: String,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let s = state
        .app
        .subject_rights_status(staff.actor(), client_id)
        .await?;
    Ok(ClientPage {
        t: staff.t(),
        page: Chrome::new(
            &staff.visitor,
            &format!("/clients/{client_id}/subject-rights"),
        ),
        client_id,
        name: s.name,
        erased_at: s.erased_at.map(moment),
        open_cases: s.open_cases,
        reason,
        problem,
        notice,
    }
    .render()?)
}

async fn show_client(
    State(state): State<AppState>,
    staff: Staff,
    Path(client_id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, PageError> {
    let notice = match q.notice.as_deref() {
        Some("erased") => Some(staff.t().get("sar-notice-erased")),
        _ => None,
    };
    Ok(Html(
        client_page(
            &state,
            &staff,
            client_id,
            String::new(),
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

struct Field {
    label: String,
    value: String,
}

struct Block {
    fields: Vec<Field>,
}

struct SectionView {
    id: &'static str,
    title: String,
    blocks: Vec<Block>,
    truncated: bool,
}

struct AccessView {
    at: String,
    who: String,
    action: String,
    outcome: String,
}

#[derive(Template)]
#[template(path = "subject_rights/export.html")]
struct ExportPage {
    t: T,
    lang: &'static str,
    client_id: i64,
    name: String,
    generated: String,
    erased: bool,
    sections: Vec<SectionView>,
    access: Vec<AccessView>,
    access_truncated: bool,
}

/// A stored value as a person reads it: times as dates, JSON objects (note sections, answers)
/// as "key: value" lines, nothing as a dash.
fn shown(name: &str, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Integer(ms) if name.ends_with("_at") => moment(*ms),
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Text(t) => match serde_json::from_str::<serde_json::Value>(t) {
            Ok(serde_json::Value::Object(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => format!("{k}: {s}"),
                    other => format!("{k}: {other}"),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            _ => t.clone(),
        },
    }
}

fn block(t: &T, r: &Record) -> Block {
    Block {
        fields: r
            .fields
            .iter()
            .map(|(name, v)| Field {
                label: t.dynamic(&format!("sar-field-{}", name.replace('_', "-"))),
                value: shown(name, v),
            })
            .collect(),
    }
}

fn export_page(t: T, s: &SubjectAccess) -> ExportPage {
    let name = s
        .section("profile")
        .and_then(|p| p.records.first())
        .and_then(|r| r.fields.iter().find(|(k, _)| k == "legal_name"))
        .map(|(_, v)| match v {
            Value::Text(n) => n.clone(),
            _ => String::new(),
        })
        .unwrap_or_default();
    ExportPage {
        lang: t.locale().tag(),
        client_id: s.client_id,
        name,
        generated: moment(s.generated_at_ms),
        erased: s.erased,
        sections: s
            .sections
            .iter()
            .map(|sec| SectionView {
                id: sec.name,
                title: t.dynamic(&format!("sar-section-{}", sec.name.replace('_', "-"))),
                blocks: sec.records.iter().map(|r| block(&t, r)).collect(),
                truncated: s.truncated_sections.contains(&sec.name),
            })
            .collect(),
        access: s
            .access_log
            .iter()
            .map(|l| AccessView {
                at: moment(l.at_ms),
                who: l.actor_name.clone().unwrap_or_else(|| t.get("sar-system")),
                action: t.audit_action(&l.action),
                outcome: t.audit_outcome(&l.outcome),
            })
            .collect(),
        access_truncated: s.access_log_truncated,
        t,
    }
}

#[derive(Debug, serde::Deserialize)]
struct ExportForm {
    #[serde(default)]
    format: String,
}

/// Produce the export (a POST: it records a disclosure). `format=json` downloads the JSON the
/// API gives; anything else shows the printable document, in the client's preferred language
/// when the interface has it.
async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Path(client_id): Path<i64>,
    Form(f): Form<ExportForm>,
) -> Result<Response, PageError> {
    let s = state.app.subject_access(staff.actor(), client_id).await?;
    if f.format == "json" {
        let body = crate::api::subject_access_json(s);
        let text = serde_json::to_string_pretty(&body).unwrap_or_else(|_| "{}".into());
        return Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"subject-access-{client_id}.json\""),
                ),
            ],
            text,
        )
            .into_response());
    }
    let locale = Locale::parse(&s.preferred_language).unwrap_or(staff.visitor.locale);
    let page = export_page(T::new(locale), &s);
    Ok((StatusCode::OK, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "subject_rights/confirm.html")]
struct ConfirmPage {
    t: T,
    page: Chrome,
    client_id: i64,
    name: String,
    reason: String,
}

#[derive(Debug, serde::Deserialize)]
struct EraseFields {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// Erase in two steps: the reason first, then a page that says what will go and asks again.
async fn erase(
    State(state): State<AppState>,
    staff: Staff,
    Path(client_id): Path<i64>,
    Form(f): Form<EraseFields>,
) -> Result<Response, PageError> {
    let confirmed = f.confirm.as_deref() == Some("yes");
    let form = ErasureForm {
        reason: f.reason.clone(),
        confirm: true,
    };
    let checked = form.parse();
    if !confirmed && checked.is_ok() {
        let s = state
            .app
            .subject_rights_status(staff.actor(), client_id)
            .await?;
        let page = ConfirmPage {
            t: staff.t(),
            page: Chrome::new(
                &staff.visitor,
                &format!("/clients/{client_id}/subject-rights"),
            ),
            client_id,
            name: s.name,
            reason: f.reason,
        };
        return Ok(Html(page.render()?).into_response());
    }
    let form = ErasureForm {
        confirm: confirmed,
        ..form
    };
    match state
        .app
        .erase_client(staff.actor(), client_id, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/clients/{client_id}/subject-rights?notice=erased"
        ))
        .into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["reason", "confirm"])?;
            let html = client_page(&state, &staff, client_id, f.reason, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

struct ErasureLine {
    id: i64,
    client_id: i64,
    cause: String,
    reason: String,
    by: String,
    at: String,
    cases: i64,
    redacted: i64,
}

#[derive(Template)]
#[template(path = "admin/subject_rights.html")]
struct AdminPage {
    t: T,
    page: Chrome,
    retention_months: String,
    admin_privacy_officer: bool,
    version: i64,
    erasures: Vec<ErasureLine>,
    next_cursor: Option<String>,
    problem: Problem,
    notice: Option<String>,
}

async fn admin_page(
    state: &AppState,
    staff: &Staff,
    typed: Option<(String, bool)>,
    cursor: Option<Cursor>,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    staff.require(Role::Admin)?;
    let t = staff.t();
    let s = state.app.subject_rights_settings(staff.actor()).await?;
    let list = state.app.erasures(staff.actor(), cursor, Some(50)).await?;
    let (months, officer) = typed.unwrap_or((
        s.retention_months
            .map(|m| m.to_string())
            .unwrap_or_default(),
        s.admin_privacy_officer,
    ));
    Ok(AdminPage {
        page: Chrome::new(&staff.visitor, "/admin/subject-rights"),
        retention_months: months,
        admin_privacy_officer: officer,
        version: s.version,
        erasures: list
            .items
            .into_iter()
            .map(|e| ErasureLine {
                id: e.id,
                client_id: e.client_id,
                cause: t.dynamic(&format!("sar-cause-{}", e.cause)),
                reason: e.reason,
                by: e.erased_by_name.unwrap_or_else(|| t.get("sar-system")),
                at: moment(e.erased_at),
                cases: e.cases,
                redacted: e.audit_entries_redacted,
            })
            .collect(),
        next_cursor: list.next_cursor,
        problem,
        notice,
        t,
    }
    .render()?)
}

async fn show_admin(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, PageError> {
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(staff.t().get("sar-notice-saved")),
        _ => None,
    };
    let cursor = Cursor::parse(q.cursor.as_deref()).ok().flatten();
    Ok(Html(
        admin_page(&state, &staff, None, cursor, Problem::none(), notice).await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct SettingsFields {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    retention_months: String,
    admin_privacy_officer: Option<String>,
}

async fn save_settings(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<SettingsFields>,
) -> Result<Response, PageError> {
    let officer = super::admin::ticked(&f.admin_privacy_officer);
    let form = SubjectRightsForm {
        retention_months: Some(f.retention_months.clone()),
        admin_privacy_officer: officer,
    };
    match state
        .app
        .save_subject_rights_settings(staff.actor(), f.version, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/subject-rights?notice=saved").into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["retention_months"])?;
            let html = admin_page(
                &state,
                &staff,
                Some((f.retention_months, officer)),
                None,
                problem,
                None,
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
