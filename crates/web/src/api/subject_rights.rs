//! Subject rights: a client's subject access export as JSON, erasure on request, and the list
//! of erasures (no names) for admins and auditors.

use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use casework_domain::subject_rights::ErasureForm;
use casework_service::erasure::{ErasureReceipt, ErasureRow};
use casework_service::subject_access::{Record, SubjectAccess, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(subject_access))
        .routes(routes!(erase_client))
        .routes(routes!(list_erasures))
}

/// Everything the agency holds about a client.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SubjectAccessExport {
    pub client_id: i64,
    pub generated_at: String,
    /// The client's preferred language.
    pub preferred_language: String,
    /// The client's personal data was erased; what is left is counts and codes.
    pub erased: bool,
    /// In order: profile, identifiers, household, cases, stage_history, contacts,
    /// service_consents, share_consents, assessments, needs, strengths, instrument_results,
    /// form_responses, goals, plans, interventions, plan_tasks, notes, addenda, services,
    /// progress, evaluations, terminations, follow_ups, reopenings, tasks, shares,
    /// emergency_access, disclosures.
    pub sections: Vec<ExportSection>,
    /// Sections cut at 5000 records.
    pub truncated_sections: Vec<String>,
    /// Who accessed or changed the record, oldest first.
    pub access_log: Vec<AccessEntry>,
    pub access_log_truncated: bool,
    /// The disclosure (to the client) this export was recorded as.
    pub disclosure_id: i64,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ExportSection {
    pub name: String,
    /// One object per record, keyed by field name; times (`*_at`) are RFC 3339.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<serde_json::Value>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AccessEntry {
    pub at: String,
    pub actor_name: Option<String>,
    pub action: String,
    /// `allowed` or `denied`.
    pub outcome: String,
}

fn record_json(r: &Record) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (name, v) in &r.fields {
        let value = match v {
            Value::Integer(ms) if name.ends_with("_at") => timestamp(*ms).into(),
            Value::Null => serde_json::Value::Null,
            Value::Integer(n) => (*n).into(),
            Value::Real(x) => serde_json::Number::from_f64(*x)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Text(t) => t.clone().into(),
        };
        map.insert(name.clone(), value);
    }
    serde_json::Value::Object(map)
}

impl From<SubjectAccess> for SubjectAccessExport {
    fn from(s: SubjectAccess) -> Self {
        SubjectAccessExport {
            client_id: s.client_id,
            generated_at: timestamp(s.generated_at_ms),
            preferred_language: s.preferred_language,
            erased: s.erased,
            sections: s
                .sections
                .iter()
                .map(|sec| ExportSection {
                    name: sec.name.to_string(),
                    records: sec.records.iter().map(record_json).collect(),
                })
                .collect(),
            truncated_sections: s.truncated_sections.iter().map(|n| n.to_string()).collect(),
            access_log: s
                .access_log
                .into_iter()
                .map(|l| AccessEntry {
                    at: timestamp(l.at_ms),
                    actor_name: l.actor_name,
                    action: l.action,
                    outcome: l.outcome,
                })
                .collect(),
            access_log_truncated: s.access_log_truncated,
            disclosure_id: s.disclosure_id,
        }
    }
}

/// The export as the API gives it (the page's JSON download uses the same).
pub fn subject_access_json(s: SubjectAccess) -> SubjectAccessExport {
    s.into()
}

/// The client's subject access export (a supervisor of one of the client's teams, or an admin
/// where the agency makes admins its privacy officer). Audited, and recorded as a disclosure to
/// the client.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/subject-access",
    operation_id = "subject_access_export",
    tag = "subject_rights",
    params(("id" = i64, Path, description = "The client")),
    responses(
        (status = 200, body = SubjectAccessExport),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn subject_access(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<SubjectAccessExport>, ApiError> {
    let s = state.app.subject_access(caller.actor(), id).await?;
    Ok(Json(s.into()))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureBody {
    /// Why: the client's request and how it came in. No names needed.
    #[serde(default)]
    pub reason: String,
    /// Must be `true`: the erasure cannot be undone.
    #[serde(default)]
    pub confirm: bool,
}

/// What an erasure did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Erasure {
    pub erasure_id: i64,
    pub client_id: i64,
    pub erased_at: String,
    /// The client's cases, kept with their personal text blanked.
    pub cases: i64,
    /// Audit entries whose reason was redacted (the chain still verifies).
    pub audit_entries_redacted: i64,
}

impl From<ErasureReceipt> for Erasure {
    fn from(r: ErasureReceipt) -> Self {
        Erasure {
            erasure_id: r.erasure_id,
            client_id: r.client_id,
            erased_at: timestamp(r.erased_at_ms),
            cases: r.cases,
            audit_entries_redacted: r.audit_entries_redacted,
        }
    }
}

/// Erase a client's personal data on request: names, birth date, identifiers, contact details
/// and every free text; cases, stages and counts stay. Refused while a case is open. Cannot be
/// undone.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/erasure",
    operation_id = "erase_client",
    tag = "subject_rights",
    params(("id" = i64, Path, description = "The client")),
    request_body = ErasureBody,
    responses(
        (status = 201, body = Erasure),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn erase_client(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ErasureBody>,
) -> Result<(StatusCode, Json<Erasure>), ApiError> {
    let form = ErasureForm {
        reason: body.reason,
        confirm: body.confirm,
    };
    let r = state.app.erase_client(caller.actor(), id, &form).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// One erasure: when, why, by whom (or the retention job). No names, no content.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErasureEntry {
    pub id: i64,
    pub client_id: i64,
    /// `request` or `retention`.
    pub cause: String,
    pub reason: String,
    pub erased_by: Option<i64>,
    pub erased_by_name: Option<String>,
    pub retention_run_id: Option<i64>,
    pub erased_at: String,
    pub cases: i64,
    pub audit_entries_redacted: i64,
}

impl From<ErasureRow> for ErasureEntry {
    fn from(r: ErasureRow) -> Self {
        ErasureEntry {
            id: r.id,
            client_id: r.client_id,
            cause: r.cause,
            reason: r.reason,
            erased_by: r.erased_by,
            erased_by_name: r.erased_by_name,
            retention_run_id: r.retention_run_id,
            erased_at: timestamp(r.erased_at),
            cases: r.cases,
            audit_entries_redacted: r.audit_entries_redacted,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErasureList {
    pub items: Vec<ErasureEntry>,
    pub next_cursor: Option<String>,
}

/// The agency's erasures, newest first (admins and auditors).
#[utoipa::path(
    get,
    path = "/api/v1/erasures",
    operation_id = "list_erasures",
    tag = "subject_rights",
    params(PageQuery),
    responses((status = 200, body = ErasureList), (status = 403, body = ErrorEnvelope))
)]
async fn list_erasures(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<ErasureList>, ApiError> {
    let page = state
        .app
        .erasures(caller.actor(), q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(ErasureList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}
