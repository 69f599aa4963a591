//! The agency's audit log, for auditors: newest first, filtered, paged by cursor. Browsing is
//! itself audited; anyone else is refused (403) and the attempt is on the log.

use super::{timestamp, Caller, ErrorEnvelope, Json};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use casework_domain::{Invalid, Role};
use casework_service::audit::{AuditQuery, AuditView};
use casework_service::{Cursor, ServiceError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// One audit entry.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Position in the agency's chain; newer entries have larger numbers.
    pub seq: i64,
    /// RFC 3339, UTC.
    #[schema(example = "2026-09-21T14:13:20Z")]
    pub at: String,
    /// Who acted; absent when nobody was signed in (e.g. a failed sign-in).
    pub actor_user_id: Option<i64>,
    #[schema(example = "client.read")]
    pub action: String,
    #[schema(example = "client")]
    pub record_type: String,
    pub record_id: Option<i64>,
    pub client_id: Option<i64>,
    /// `allowed` or `denied`.
    #[schema(example = "denied")]
    pub outcome: String,
    /// The reason given, where one was (break-the-glass, override, refusal).
    pub reason: Option<String>,
    /// For a list page (a caseload, a page of search results), each record it showed, in
    /// order; empty for an entry about one record.
    pub subjects: Vec<AuditSubject>,
    /// SHA-256 over the previous entry's hash and this entry, hex.
    pub hash: String,
}

/// A record a list page showed, and the client it concerns.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditSubject {
    pub record_id: i64,
    pub client_id: i64,
}

impl From<AuditView> for AuditEntry {
    fn from(e: AuditView) -> AuditEntry {
        AuditEntry {
            seq: e.seq,
            at: timestamp(e.at_ms),
            actor_user_id: e.actor_user_id,
            action: e.action,
            record_type: e.record_type,
            record_id: e.record_id,
            client_id: e.client_id,
            outcome: e.outcome,
            reason: e.reason,
            subjects: e
                .subjects
                .into_iter()
                .map(|s| AuditSubject {
                    record_id: s.record_id,
                    client_id: s.client_id,
                })
                .collect(),
            hash: e.hash,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntryList {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

/// Filters and paging. Numbers are taken as text so that a wrong one is named in the error.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries by this user.
    #[param(value_type = Option<i64>)]
    pub actor_user_id: Option<String>,
    /// Only entries naming this client: as their `client_id`, or among the `subjects` of a
    /// list page that showed them.
    #[param(value_type = Option<i64>)]
    pub client_id: Option<String>,
    /// Only actions starting with this, e.g. `client.` or `session.`.
    pub action: Option<String>,
    /// `allowed` or `denied`.
    pub outcome: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC), included.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), included.
    pub to: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Entries per page, 1 to 500; 25 when absent.
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

fn number(field: &'static str, raw: &Option<String>) -> Result<Option<i64>, ApiError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse::<i64>().map(Some).map_err(|_| {
            ApiError::from(ServiceError::Invalid(Invalid::new(field, "wrong_type")))
                .with_field(field)
        }),
    }
}

impl AuditParams {
    fn query(&self) -> Result<AuditQuery, ApiError> {
        Ok(AuditQuery {
            actor_user_id: number("actor_user_id", &self.actor_user_id)?,
            client_id: number("client_id", &self.client_id)?,
            action: self.action.clone(),
            outcome: self.outcome.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        })
    }
}

/// The audit log, newest first. Auditors only.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    operation_id = "list_audit_entries",
    tag = "audit",
    params(AuditParams),
    responses(
        (status = 200, body = AuditEntryList),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "Not an auditor; the attempt is audited", body = ErrorEnvelope),
        (status = 422, description = "A filter is not valid; `field` names it", body = ErrorEnvelope),
    )
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<AuditParams>,
) -> Result<Json<AuditEntryList>, ApiError> {
    let actor = caller.actor();
    let parsed = params.query().and_then(|query| {
        let cursor = Cursor::parse(params.cursor.as_deref())
            .map_err(|e| ApiError::from(ServiceError::Invalid(e)))?;
        Ok((query, cursor, number("limit", &params.limit)?))
    });
    let (query, cursor, limit) = match parsed {
        Ok(parsed) => parsed,
        // Someone who may not read the log hears that, not what was wrong with the filter, and
        // the service audits the attempt.
        Err(e) if actor.role != Role::Auditor => {
            state
                .app
                .audit_log(actor, &AuditQuery::default(), None, Some(1))
                .await?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let page = state.app.audit_log(actor, &query, cursor, limit).await?;
    Ok(Json(AuditEntryList {
        items: page.items.into_iter().map(AuditEntry::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
