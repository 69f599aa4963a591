//! Services delivered on a case. A record is corrected with the version read (`If-Match`) and
//! never deleted: `POST .../entered-in-error` with a reason keeps it on file, marked.

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use casework_domain::delivery::{ErrorForm, ServiceForm};
use casework_service::delivery::ServiceRow;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_services, record_service))
        .routes(routes!(show_service, update_service))
        .routes(routes!(mark_service_in_error))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DeliveredService {
    pub id: i64,
    pub case_id: i64,
    /// counselling, advocacy, case_management, transport, financial_assistance, food,
    /// housing_support, skills_training or other.
    #[schema(example = "counselling")]
    pub kind: String,
    /// What the service was, for `other`.
    pub other_kind: Option<String>,
    /// `YYYY-MM-DD`.
    pub delivered_on: String,
    /// worker, agency or other.
    pub provider: String,
    /// The other provider's name.
    pub provider_name: Option<String>,
    pub units: f64,
    #[schema(example = "hours")]
    pub unit_name: String,
    pub goal_id: Option<i64>,
    pub intervention_id: Option<i64>,
    pub note: Option<String>,
    /// True once marked entered in error; the record is kept.
    pub entered_in_error: bool,
    pub error_reason: Option<String>,
    pub error_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Send back as `If-Match: "<version>"` to correct the record.
    pub version: i64,
}

impl From<ServiceRow> for DeliveredService {
    fn from(s: ServiceRow) -> DeliveredService {
        DeliveredService {
            entered_in_error: s.in_error(),
            id: s.id,
            case_id: s.case_id,
            kind: s.kind,
            other_kind: s.other_kind,
            delivered_on: s.delivered_on,
            provider: s.provider,
            provider_name: s.provider_name,
            units: s.units,
            unit_name: s.unit_name,
            goal_id: s.goal_id,
            intervention_id: s.intervention_id,
            note: s.note,
            error_reason: s.error_reason,
            error_at: s.error_at.map(timestamp),
            created_at: timestamp(s.created_at),
            updated_at: timestamp(s.updated_at),
            version: s.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DeliveredServiceList {
    /// Newest first, those entered in error included.
    pub items: Vec<DeliveredService>,
    pub next_cursor: Option<String>,
}

/// A service delivered, as sent.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceBody {
    /// counselling, advocacy, case_management, transport, financial_assistance, food,
    /// housing_support, skills_training or other.
    pub kind: String,
    /// Required for `other`.
    #[serde(default)]
    pub other_kind: Option<String>,
    /// `YYYY-MM-DD`, today or earlier.
    pub delivered_on: String,
    /// worker, agency or other.
    pub provider: String,
    /// Required for `other`.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// A positive number of `unit_name`.
    pub units: f64,
    pub unit_name: String,
    /// A goal of the same case.
    #[serde(default)]
    pub goal_id: Option<i64>,
    /// An intervention of the case's current plan (its goal is taken when `goal_id` is absent).
    #[serde(default)]
    pub intervention_id: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

impl ServiceBody {
    fn form(self) -> ServiceForm {
        ServiceForm {
            kind: self.kind,
            other_kind: self.other_kind,
            delivered_on: self.delivered_on,
            provider: self.provider,
            provider_name: self.provider_name,
            units: self.units,
            unit_name: self.unit_name,
            goal_id: self.goal_id,
            intervention_id: self.intervention_id,
            note: self.note,
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnteredInErrorBody {
    /// Why the record is wrong.
    pub reason: String,
}

fn service_response(status: StatusCode, s: ServiceRow) -> Response {
    let version = s.version;
    with_etag(status, version, DeliveredService::from(s))
}

/// The case's services delivered, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/services",
    operation_id = "list_services",
    tag = "monitoring",
    params(("id" = i64, Path, description = "The case"), PageQuery),
    responses(
        (status = 200, body = DeliveredServiceList),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "A bad cursor or limit", body = ErrorEnvelope),
    )
)]
async fn list_services(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<DeliveredServiceList>, ApiError> {
    let v = state
        .app
        .services(caller.actor(), id, q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(DeliveredServiceList {
        items: v.page.items.into_iter().map(Into::into).collect(),
        next_cursor: v.page.next_cursor,
    }))
}

/// Record a service delivered to the case's client.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/services",
    operation_id = "record_service",
    tag = "monitoring",
    params(("id" = i64, Path, description = "The case")),
    request_body = ServiceBody,
    responses(
        (status = 201, body = DeliveredService, headers(("ETag" = String, description = "The record's version"), ("Location" = String, description = "The record"))),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named (`delivered_on` in the future, `units` not positive, `goal_id` of another case)", body = ErrorEnvelope),
    )
)]
async fn record_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ServiceBody>,
) -> Result<Response, ApiError> {
    let row = state
        .app
        .record_service(caller.actor(), id, &body.form())
        .await?;
    let location = format!("/api/v1/services/{}", row.id);
    let mut res = service_response(StatusCode::CREATED, row);
    if let Ok(v) = location.parse() {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// One service record.
#[utoipa::path(
    get,
    path = "/api/v1/services/{id}",
    operation_id = "show_service",
    tag = "monitoring",
    params(("id" = i64, Path, description = "The record")),
    responses(
        (status = 200, body = DeliveredService, headers(("ETag" = String, description = "The record's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let v = state.app.delivered_service(caller.actor(), id).await?;
    Ok(service_response(StatusCode::OK, v.service))
}

/// Correct a record. One entered in error is refused 422 `service_entered_in_error`.
#[utoipa::path(
    put,
    path = "/api/v1/services/{id}",
    operation_id = "update_service",
    tag = "monitoring",
    params(
        ("id" = i64, Path, description = "The record"),
        ("If-Match" = String, Header, description = "The record's ETag as read"),
    ),
    request_body = ServiceBody,
    responses(
        (status = 200, body = DeliveredService, headers(("ETag" = String, description = "The record's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, description = "The record changed since it was read", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, description = "No If-Match header", body = ErrorEnvelope),
    )
)]
async fn update_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<ServiceBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let row = state
        .app
        .update_service(caller.actor(), id, version, &body.form())
        .await?;
    Ok(service_response(StatusCode::OK, row))
}

/// Mark a record entered in error, with a reason. It is kept and shown struck through.
/// `If-Match` is optional; when sent it must match.
#[utoipa::path(
    post,
    path = "/api/v1/services/{id}/entered-in-error",
    operation_id = "mark_service_in_error",
    tag = "monitoring",
    params(
        ("id" = i64, Path, description = "The record"),
        ("If-Match" = Option<String>, Header, description = "The record's ETag as read"),
    ),
    request_body = EnteredInErrorBody,
    responses(
        (status = 200, body = DeliveredService, headers(("ETag" = String, description = "The record's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, description = "No reason, or already entered in error", body = ErrorEnvelope),
    )
)]
async fn mark_service_in_error(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<EnteredInErrorBody>,
) -> Result<Response, ApiError> {
    let version = match headers.get(header::IF_MATCH) {
        Some(_) => Some(expected_version(&headers)?),
        None => None,
    };
    let form = ErrorForm {
        reason: body.reason,
    };
    let row = state
        .app
        .mark_service_in_error(caller.actor(), id, version, &form)
        .await?;
    Ok(service_response(StatusCode::OK, row))
}
