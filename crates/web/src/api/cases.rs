//! Cases and the caseload. Stage moves and assignment carry the version read (`If-Match`); a
//! move the stage's guard refuses is answered 409 with the `unmet` requirement codes.

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use casework_domain::case::{CaseForm, ContactForm, ServiceConsentForm};
use casework_domain::Invalid;
use casework_service::case::{AssignForm, CaseDetail, CaseloadItem, CaseloadScope, MoveForm};
use casework_service::{Cursor, ServiceError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(caseload))
        .routes(routes!(open_case))
        .routes(routes!(show_case))
        .routes(routes!(list_contacts, record_contact))
        .routes(routes!(record_consent))
        .routes(routes!(move_stage))
        .routes(routes!(assign_case))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseloadEntry {
    pub case_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub worker_id: Option<i64>,
    pub worker_name: Option<String>,
    #[schema(example = "engagement")]
    pub stage: String,
    pub days_in_stage: i64,
    pub risk_flag: bool,
    /// The first requirement the stage still needs, as an `unmet` code; null when none.
    #[schema(example = "consent_to_services_missing")]
    pub next_due: Option<String>,
}

impl From<CaseloadItem> for CaseloadEntry {
    fn from(i: CaseloadItem) -> CaseloadEntry {
        CaseloadEntry {
            case_id: i.case_id,
            client_id: i.client_id,
            client_name: i.client_name,
            preferred_language: i.preferred_language,
            interpreter_needed: i.interpreter_needed,
            worker_id: i.worker_id,
            worker_name: i.worker_name,
            stage: i.stage.as_str().to_string(),
            days_in_stage: i.days_in_stage,
            risk_flag: i.risk_flag,
            next_due: i.next_due.map(str::to_string),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Caseload {
    pub items: Vec<CaseloadEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseloadQuery {
    /// `mine` (the default) or `team` (supervisors).
    pub scope: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200; 25 when absent.
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Case {
    pub id: i64,
    pub client_id: i64,
    pub program_id: Option<i64>,
    pub team_id: Option<i64>,
    pub primary_worker_id: Option<i64>,
    pub referral_source: Option<String>,
    pub presenting_problem: String,
    #[schema(example = "engagement")]
    pub stage: String,
    /// RFC 3339.
    pub stage_entered_at: String,
    pub risk_flag: bool,
    pub opened_at: String,
    pub closed_at: Option<String>,
    /// Send back as `If-Match: "<version>"` to move or assign.
    pub version: i64,
}

/// Rows of the service's answers are not nameable here (the store is the service's), so
/// they are mapped by macro.
macro_rules! case_of {
    ($row:expr) => {{
        let c = $row;
        Case {
            id: c.id,
            client_id: c.client_id,
            program_id: c.program_id,
            team_id: c.team_id,
            primary_worker_id: c.primary_worker_id,
            referral_source: c.referral_source,
            presenting_problem: c.presenting_problem,
            stage: c.stage,
            stage_entered_at: timestamp(c.stage_entered_at),
            risk_flag: c.risk_flag == 1,
            opened_at: timestamp(c.opened_at),
            closed_at: c.closed_at.map(timestamp),
            version: c.version,
        }
    }};
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseClient {
    pub id: i64,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    /// How (not) to contact the client, e.g. "no voicemail".
    pub safe_contact: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseProgram {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StageHistoryEntry {
    /// Null for the stage the case was opened in.
    pub from: Option<String>,
    pub to: String,
    pub moved_by: i64,
    pub moved_by_name: Option<String>,
    pub moved_at: String,
    /// Set when a supervisor moved the case past an unmet requirement.
    pub override_reason: Option<String>,
}

macro_rules! stage_move_of {
    ($row:expr) => {{
        let m = $row;
        StageHistoryEntry {
            from: m.from_stage,
            to: m.to_stage,
            moved_by: m.moved_by,
            moved_by_name: m.moved_by_name,
            moved_at: timestamp(m.moved_at),
            override_reason: m.override_reason,
        }
    }};
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Assignment {
    pub worker_id: Option<i64>,
    pub worker_name: Option<String>,
    pub team_id: Option<i64>,
    pub assigned_by: i64,
    pub assigned_at: String,
    pub reason: Option<String>,
}

macro_rules! assignment_of {
    ($row:expr) => {{
        let a = $row;
        Assignment {
            worker_id: a.worker_id,
            worker_name: a.worker_name,
            team_id: a.team_id,
            assigned_by: a.assigned_by,
            assigned_at: timestamp(a.assigned_at),
            reason: a.reason,
        }
    }};
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: i64,
    pub case_id: i64,
    /// `YYYY-MM-DD`.
    pub date: String,
    #[schema(example = "home_visit")]
    pub mode: String,
    pub duration_minutes: i64,
    pub participants: Option<String>,
    pub interpreter_used: bool,
    pub summary: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: String,
}

macro_rules! contact_of {
    ($row:expr) => {{
        let c = $row;
        Contact {
            id: c.id,
            case_id: c.case_id,
            date: c.contact_date,
            mode: c.mode,
            duration_minutes: c.duration_minutes,
            participants: c.participants,
            interpreter_used: c.interpreter_used == 1,
            summary: c.summary,
            recorded_by: c.recorded_by,
            recorded_at: timestamp(c.recorded_at),
        }
    }};
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ContactList {
    pub items: Vec<Contact>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceConsent {
    pub id: i64,
    pub case_id: i64,
    /// `YYYY-MM-DD`.
    pub given_on: String,
    #[schema(example = "signed")]
    pub method: String,
    pub witness: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: String,
    pub revoked_at: Option<String>,
}

macro_rules! consent_of {
    ($row:expr) => {{
        let c = $row;
        ServiceConsent {
            id: c.id,
            case_id: c.case_id,
            given_on: c.given_on,
            method: c.method,
            witness: c.witness,
            recorded_by: c.recorded_by,
            recorded_at: timestamp(c.recorded_at),
            revoked_at: c.revoked_at.map(timestamp),
        }
    }};
}

/// A case with its record and where its guard stands.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseRecord {
    pub case: Case,
    pub client: CaseClient,
    pub program: Option<CaseProgram>,
    pub worker_name: Option<String>,
    /// The stage a forward move leads to; null when closed.
    pub next_stage: Option<String>,
    /// What the guard still needs before a forward move, as stable codes.
    #[schema(example = json!(["consent_to_services_missing", "no_contact"]))]
    pub unmet: Vec<String>,
    pub history: Vec<StageHistoryEntry>,
    pub assignments: Vec<Assignment>,
    pub consents: Vec<ServiceConsent>,
    /// The first page of contacts, newest first.
    pub contacts: ContactList,
    pub can_record: bool,
    pub can_override: bool,
    pub can_assign: bool,
}

impl From<CaseDetail> for CaseRecord {
    fn from(d: CaseDetail) -> CaseRecord {
        CaseRecord {
            client: CaseClient {
                id: d.client.id,
                legal_name: d.client.legal_name,
                preferred_name: d.client.preferred_name,
                preferred_language: d.client.preferred_language,
                interpreter_needed: d.client_interpreter_needed,
                safe_contact: d.client_safe_contact,
            },
            program: d.program.map(|p| CaseProgram {
                id: p.id,
                name: p.name,
            }),
            worker_name: d.worker_name,
            next_stage: d.stage.next().map(|s| s.as_str().to_string()),
            unmet: d.unmet.iter().map(|u| u.code().to_string()).collect(),
            history: d.history.into_iter().map(|m| stage_move_of!(m)).collect(),
            assignments: d
                .assignments
                .into_iter()
                .map(|a| assignment_of!(a))
                .collect(),
            consents: d.consents.into_iter().map(|c| consent_of!(c)).collect(),
            contacts: ContactList {
                items: d.contacts.into_iter().map(|c| contact_of!(c)).collect(),
                next_cursor: d.contacts_next_cursor,
            },
            can_record: d.can_record,
            can_override: d.can_override,
            can_assign: d.can_assign,
            case: case_of!(d.case),
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub client_id: i64,
    #[serde(default)]
    pub program_id: Option<i64>,
    #[serde(default)]
    pub referral_source: Option<String>,
    pub presenting_problem: String,
    /// A caseworker opening a case carries it when this is absent. Intake workers must give
    /// a worker or a team.
    #[serde(default)]
    pub primary_worker_id: Option<i64>,
    #[serde(default)]
    pub team_id: Option<i64>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    /// `YYYY-MM-DD`, not in the future.
    pub date: String,
    /// office, phone, video, home_visit or collateral.
    pub mode: String,
    /// 1 to 1440.
    pub duration_minutes: i64,
    #[serde(default)]
    pub participants: Option<String>,
    #[serde(default)]
    pub interpreter_used: bool,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewServiceConsent {
    /// `YYYY-MM-DD`, not in the future.
    pub given_on: String,
    /// signed, verbal or witnessed.
    pub method: String,
    /// Required when the method is `witnessed`.
    #[serde(default)]
    pub witness: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageMoveRequest {
    /// `forward`, `back_to_intervention` (from evaluation) or `reopen` (from follow_up or closed).
    #[schema(example = "forward")]
    pub direction: String,
    /// For `reopen`: `assessment` or `intervention`.
    #[serde(default)]
    pub reopen_to: Option<String>,
    /// Supervisors only: moves past unmet requirements; at least 10 characters.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// For `reopen`: why the case comes back (required).
    #[serde(default)]
    pub reopen_reason: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// The new primary worker; null leaves the case with the team only.
    #[serde(default)]
    pub worker_id: Option<i64>,
    /// The team; the case keeps its team when absent.
    #[serde(default)]
    pub team_id: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

fn cursor_of(raw: Option<&str>) -> Result<Option<Cursor>, ApiError> {
    Cursor::parse(raw).map_err(|e| ApiError::from(ServiceError::Invalid(e)))
}

/// The open cases the caller carries, or their team's (supervisors).
#[utoipa::path(
    get,
    path = "/api/v1/caseload",
    operation_id = "caseload",
    tag = "cases",
    params(CaseloadQuery),
    responses(
        (status = 200, body = Caseload),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "Not a caseworker or supervisor, or no team", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn caseload(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CaseloadQuery>,
) -> Result<Json<Caseload>, ApiError> {
    let scope = match q.scope.as_deref().map(str::trim) {
        None | Some("") | Some("mine") => CaseloadScope::Mine,
        Some("team") => CaseloadScope::Team,
        Some(_) => {
            return Err(ApiError::from(ServiceError::Invalid(Invalid::new(
                "scope",
                "unknown_choice",
            )))
            .with_field("scope"))
        }
    };
    let paging = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let page = state
        .app
        .caseload(caller.actor(), scope, paging.cursor()?, paging.limit()?)
        .await?;
    Ok(Json(Caseload {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Open a case for a client, in the engagement stage.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    operation_id = "open_case",
    tag = "cases",
    request_body = NewCase,
    responses(
        (status = 201, body = Case, headers(("ETag" = String, description = "The case's version"))),
        (status = 404, description = "No such client for the caller", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn open_case(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewCase>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    if actor.role == casework_domain::Role::IntakeWorker
        && body.primary_worker_id.is_none()
        && body.team_id.is_none()
    {
        return Err(ApiError::from(ServiceError::Invalid(Invalid::new(
            "primary_worker_id",
            "required",
        ))));
    }
    let form = CaseForm {
        client_id: body.client_id,
        program_id: body.program_id,
        referral_source: body.referral_source,
        presenting_problem: body.presenting_problem,
        primary_worker_id: body.primary_worker_id,
        team_id: body.team_id,
    };
    let case = state.app.open_case(actor, &form).await?;
    let version = case.version;
    Ok(with_etag(StatusCode::CREATED, version, case_of!(case)))
}

/// The case, its record and what its stage still needs.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    operation_id = "show_case",
    tag = "cases",
    params(("id" = i64, Path, description = "The case")),
    responses(
        (status = 200, body = CaseRecord, headers(("ETag" = String, description = "The case's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let detail = state.app.case(caller.actor(), id, None).await?;
    let version = detail.case.version;
    Ok(with_etag(StatusCode::OK, version, CaseRecord::from(detail)))
}

/// The case's contacts, newest first, paged.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/contacts",
    operation_id = "list_contacts",
    tag = "cases",
    params(
        ("id" = i64, Path, description = "The case"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = ContactList),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn list_contacts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<ContactList>, ApiError> {
    let detail = state
        .app
        .case(caller.actor(), id, cursor_of(q.cursor.as_deref())?)
        .await?;
    Ok(Json(ContactList {
        items: detail
            .contacts
            .into_iter()
            .map(|c| contact_of!(c))
            .collect(),
        next_cursor: detail.contacts_next_cursor,
    }))
}

/// Record a contact with or about the client.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/contacts",
    operation_id = "record_contact",
    tag = "cases",
    params(("id" = i64, Path, description = "The case")),
    request_body = NewContact,
    responses(
        (status = 201, body = Contact),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named", body = ErrorEnvelope),
    )
)]
async fn record_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<NewContact>,
) -> Result<Response, ApiError> {
    let form = ContactForm {
        date: body.date,
        mode: body.mode,
        duration_minutes: body.duration_minutes,
        participants: body.participants,
        interpreter_used: body.interpreter_used,
        summary: body.summary,
    };
    let row = state.app.record_contact(caller.actor(), id, &form).await?;
    Ok((StatusCode::CREATED, Json(contact_of!(row))).into_response())
}

/// Record the client's consent to services.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/consents",
    operation_id = "record_service_consent",
    tag = "cases",
    params(("id" = i64, Path, description = "The case")),
    request_body = NewServiceConsent,
    responses(
        (status = 201, body = ServiceConsent),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn record_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<NewServiceConsent>,
) -> Result<Response, ApiError> {
    let form = ServiceConsentForm {
        given_on: body.given_on,
        method: body.method,
        witness: body.witness,
    };
    let row = state
        .app
        .record_service_consent(caller.actor(), id, &form)
        .await?;
    Ok((StatusCode::CREATED, Json(consent_of!(row))).into_response())
}

/// Move the case to another stage. Refused with 409 and the `unmet` codes when the stage's
/// guard is not met; a supervisor may override with `override_reason`.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/stage",
    operation_id = "move_stage",
    tag = "cases",
    params(
        ("id" = i64, Path, description = "The case"),
        ("If-Match" = String, Header, description = "The version read, e.g. \"3\""),
    ),
    request_body = StageMoveRequest,
    responses(
        (status = 200, body = Case, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Overriding needs a supervisor", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "`guard_unmet` (with `unmet`) or `transition_not_allowed`", body = ErrorEnvelope),
        (status = 412, description = "The case changed since that version", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, description = "If-Match is missing", body = ErrorEnvelope),
    )
)]
async fn move_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<StageMoveRequest>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = MoveForm {
        direction: body.direction,
        reopen_to: body.reopen_to,
        override_reason: body.override_reason,
        reopen_reason: body.reopen_reason,
    };
    let case = state
        .app
        .move_stage(caller.actor(), id, version, &form)
        .await?;
    let version = case.version;
    Ok(with_etag(StatusCode::OK, version, case_of!(case)))
}

/// Assign or transfer the case to a worker and/or team.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/assignment",
    operation_id = "assign_case",
    tag = "cases",
    params(
        ("id" = i64, Path, description = "The case"),
        ("If-Match" = String, Header, description = "The version read, e.g. \"3\""),
    ),
    request_body = AssignmentRequest,
    responses(
        (status = 200, body = Case, headers(("ETag" = String, description = "The new version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, description = "The case changed since that version", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, description = "If-Match is missing", body = ErrorEnvelope),
    )
)]
async fn assign_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<AssignmentRequest>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = AssignForm {
        worker_id: body.worker_id,
        team_id: body.team_id,
        reason: body.reason,
    };
    let case = state
        .app
        .assign_case(caller.actor(), id, version, &form)
        .await?;
    let version = case.version;
    Ok(with_etag(StatusCode::OK, version, case_of!(case)))
}
