//! Consents to share and disclosures: a client's consents (record, list, revoke with
//! `If-Match`), the consents running out soon for the caller's clients, and the client's
//! disclosures (list; record one made through any channel, refused with 422
//! `consent_not_covering` and `unmet` naming what no consent covers).

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use casework_domain::consent::{
    categories_of, DisclosureForm, LegalBasisForm, RevocationForm, ShareConsentForm,
};
use casework_domain::Invalid;
use casework_service::consent::{ConsentRow, ConsentView, ExpiringRow};
use casework_service::disclosure::DisclosureView;
use casework_service::{Cursor, ServiceError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_consents, record_consent))
        .routes(routes!(revoke_consent))
        .routes(routes!(list_disclosures, record_disclosure))
        .routes(routes!(expiring_consents))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ShareConsent {
    pub id: i64,
    pub client_id: i64,
    /// `organisation` (a named one) or `kind` (any organisation of a kind).
    #[schema(example = "organisation")]
    pub recipient_type: String,
    pub recipient_name: Option<String>,
    /// health_care, mental_health, substance_use_treatment, housing, education, employment,
    /// income_benefits, legal_aid, court, child_welfare or social_services.
    pub recipient_kind: Option<String>,
    /// care_coordination, referral, benefits_application, housing_application, treatment,
    /// legal_proceedings, education or other (then `purpose_other` says it in words).
    pub purpose: String,
    pub purpose_other: Option<String>,
    /// identity, contact, household, assessment, goals_and_plan, case_notes, health,
    /// mental_health, substance_use, legal, immigration, financial.
    pub categories: Vec<String>,
    /// `YYYY-MM-DD`: the first day it covers.
    pub starts_on: String,
    /// `YYYY-MM-DD`: the last day it covers; null until revoked.
    pub expires_on: Option<String>,
    /// signed, verbal, witnessed or electronic.
    pub given_how: String,
    pub witness: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: String,
    /// active, not_yet_started, expired or revoked (today).
    #[schema(example = "active")]
    pub status: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<i64>,
    pub revocation_reason: Option<String>,
    /// Send back as `If-Match: "<version>"` to revoke.
    pub version: i64,
}

fn categories(text: &str) -> Vec<String> {
    categories_of(text)
        .into_iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

fn consent(c: ConsentRow, status: &str) -> ShareConsent {
    ShareConsent {
        id: c.id,
        client_id: c.client_id,
        recipient_type: c.recipient_type,
        recipient_name: c.recipient_name,
        recipient_kind: c.recipient_kind,
        purpose: c.purpose,
        purpose_other: c.purpose_other,
        categories: categories(&c.categories),
        starts_on: c.starts_on,
        expires_on: c.expires_on,
        given_how: c.given_how,
        witness: c.witness,
        recorded_by: c.recorded_by,
        recorded_at: timestamp(c.recorded_at),
        status: status.to_string(),
        revoked_at: c.revoked_at.map(timestamp),
        revoked_by: c.revoked_by,
        revocation_reason: c.revocation_reason,
        version: c.version,
    }
}

impl From<ConsentView> for ShareConsent {
    fn from(v: ConsentView) -> ShareConsent {
        consent(v.consent, v.status.as_str())
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ShareConsentList {
    /// Oldest first.
    pub items: Vec<ShareConsent>,
    pub next_cursor: Option<String>,
}

/// A consent to share, as given by the client.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareConsentBody {
    /// `organisation` or `kind`.
    pub recipient_type: String,
    /// Required for `organisation`.
    #[serde(default)]
    pub recipient_name: Option<String>,
    /// Required for `kind`.
    #[serde(default)]
    pub recipient_kind: Option<String>,
    pub purpose: String,
    /// Required for purpose `other`.
    #[serde(default)]
    pub purpose_other: Option<String>,
    pub categories: Vec<String>,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    /// `YYYY-MM-DD`, after `starts_on` and not in the past; absent: until revoked.
    #[serde(default)]
    pub expires_on: Option<String>,
    /// signed, verbal, witnessed or electronic.
    pub given_how: String,
    /// Required when `witnessed`.
    #[serde(default)]
    pub witness: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevocationBody {
    /// Why consent was withdrawn.
    pub reason: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Disclosure {
    pub id: i64,
    pub client_id: i64,
    pub recipient_name: String,
    pub recipient_kind: Option<String>,
    pub purpose: String,
    pub purpose_other: Option<String>,
    pub categories: Vec<String>,
    /// printed_summary, letter, phone, email, in_person, referral, export or api.
    pub channel: String,
    /// The consent it was made under; null under a legal basis.
    pub consent_id: Option<i64>,
    /// required_by_law, court_order or serious_risk; null under consent.
    pub legal_basis_kind: Option<String>,
    pub law_cited: Option<String>,
    pub authorised_by_name: Option<String>,
    pub authorised_by_role: Option<String>,
    pub authorised_on: Option<String>,
    pub disclosed_by: i64,
    pub disclosed_by_name: Option<String>,
    pub disclosed_at: String,
}

fn disclosure(v: DisclosureView) -> Disclosure {
    let d = v.disclosure;
    Disclosure {
        id: d.id,
        client_id: d.client_id,
        recipient_name: d.recipient_name,
        recipient_kind: d.recipient_kind,
        purpose: d.purpose,
        purpose_other: d.purpose_other,
        categories: categories(&d.categories),
        channel: d.channel,
        consent_id: d.consent_id,
        legal_basis_kind: d.legal_basis_kind,
        law_cited: d.law_cited,
        authorised_by_name: d.authorised_by_name,
        authorised_by_role: d.authorised_by_role,
        authorised_on: d.authorised_on,
        disclosed_by: d.disclosed_by,
        disclosed_by_name: v.disclosed_by_name,
        disclosed_at: timestamp(d.disclosed_at),
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DisclosureList {
    /// Newest first.
    pub items: Vec<Disclosure>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasisBody {
    /// required_by_law, court_order or serious_risk.
    pub kind: String,
    pub law_cited: String,
    pub authorised_by_name: String,
    pub authorised_by_role: String,
    /// `YYYY-MM-DD`, not in the future.
    pub authorised_on: String,
}

/// A disclosure made (or about to be made) through a channel. Without `legal_basis` a consent
/// in force must cover the recipient, the purpose and every category.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureBody {
    pub recipient_name: String,
    #[serde(default)]
    pub recipient_kind: Option<String>,
    pub purpose: String,
    #[serde(default)]
    pub purpose_other: Option<String>,
    pub categories: Vec<String>,
    pub channel: String,
    #[serde(default)]
    pub legal_basis: Option<LegalBasisBody>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ExpiringConsent {
    pub id: i64,
    pub client_id: i64,
    /// The name the client goes by.
    pub client_name: String,
    pub recipient_type: String,
    pub recipient_name: Option<String>,
    pub recipient_kind: Option<String>,
    pub purpose: String,
    pub purpose_other: Option<String>,
    /// `YYYY-MM-DD`: its last day.
    pub expires_on: String,
    pub version: i64,
}

impl From<ExpiringRow> for ExpiringConsent {
    fn from(r: ExpiringRow) -> ExpiringConsent {
        ExpiringConsent {
            id: r.id,
            client_id: r.client_id,
            client_name: r.client_name,
            recipient_type: r.recipient_type,
            recipient_name: r.recipient_name,
            recipient_kind: r.recipient_kind,
            purpose: r.purpose,
            purpose_other: r.purpose_other,
            expires_on: r.expires_on,
            version: r.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ExpiringConsentList {
    /// Soonest last day first.
    pub items: Vec<ExpiringConsent>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpiringParams {
    /// Days ahead to look, 0 to 365; 30 when absent.
    #[param(value_type = Option<i64>)]
    pub days: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200; 25 when absent.
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

/// The client's consents to share, oldest first, each with where it stands today.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/consents",
    operation_id = "list_share_consents",
    tag = "consents",
    params(("id" = i64, Path, description = "The client"), PageQuery),
    responses(
        (status = 200, body = ShareConsentList),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn list_consents(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<ShareConsentList>, ApiError> {
    let list = state
        .app
        .share_consents(caller.actor(), id, q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(ShareConsentList {
        items: list
            .page
            .items
            .into_iter()
            .map(ShareConsent::from)
            .collect(),
        next_cursor: list.page.next_cursor,
    }))
}

/// Record the client's consent to share information with an organisation (or any of a kind).
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/consents",
    operation_id = "record_share_consent",
    tag = "consents",
    params(("id" = i64, Path, description = "The client")),
    request_body = ShareConsentBody,
    responses(
        (status = 201, body = ShareConsent, headers(("ETag" = String, description = "The consent's version"))),
        (status = 403, description = "Intake workers do not record consents to share", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named", body = ErrorEnvelope),
    )
)]
async fn record_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(b): Json<ShareConsentBody>,
) -> Result<Response, ApiError> {
    let form = ShareConsentForm {
        recipient_type: b.recipient_type,
        recipient_name: b.recipient_name,
        recipient_kind: b.recipient_kind,
        purpose: b.purpose,
        purpose_other: b.purpose_other,
        categories: b.categories,
        starts_on: b.starts_on,
        expires_on: b.expires_on,
        given_how: b.given_how,
        witness: b.witness,
    };
    let row = state
        .app
        .record_share_consent(caller.actor(), id, &form)
        .await?;
    let status = casework_service::consent::status_of(&row, state.app.today())?;
    let version = row.version;
    Ok(with_etag(
        StatusCode::CREATED,
        version,
        consent(row, status.as_str()),
    ))
}

/// Revoke a consent, with the reason. From this moment it covers no disclosure.
#[utoipa::path(
    post,
    path = "/api/v1/consents/{id}/revocation",
    operation_id = "revoke_share_consent",
    tag = "consents",
    params(
        ("id" = i64, Path, description = "The consent"),
        ("If-Match" = String, Header, description = "The consent's version, as its ETag"),
    ),
    request_body = RevocationBody,
    responses(
        (status = 200, body = ShareConsent, headers(("ETag" = String, description = "The consent's version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, description = "The consent changed since it was read", body = ErrorEnvelope),
        (status = 422, description = "No reason given, or already revoked (`consent_already_revoked`)", body = ErrorEnvelope),
        (status = 428, description = "If-Match missing", body = ErrorEnvelope),
    )
)]
async fn revoke_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(b): Json<RevocationBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let row = state
        .app
        .revoke_share_consent(
            caller.actor(),
            id,
            version,
            &RevocationForm { reason: b.reason },
        )
        .await?;
    let version = row.version;
    Ok(with_etag(StatusCode::OK, version, consent(row, "revoked")))
}

/// The client's disclosures, newest first. Auditors may read these (and nothing else of the
/// client).
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/disclosures",
    operation_id = "list_disclosures",
    tag = "consents",
    params(("id" = i64, Path, description = "The client"), PageQuery),
    responses(
        (status = 200, body = DisclosureList),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn list_disclosures(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<DisclosureList>, ApiError> {
    let page = state
        .app
        .disclosures(caller.actor(), id, q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(DisclosureList {
        items: page.items.into_iter().map(disclosure).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Record a disclosure of the client's information. Refused with 422 `consent_not_covering`
/// unless a consent in force covers it or a complete legal basis is given: `unmet` lists the
/// uncovered categories (`field` is then `categories`) or why the consent does not hold
/// (`no_consent`, `consent_revoked`, `consent_expired`, `consent_not_started`).
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/disclosures",
    operation_id = "record_disclosure",
    tag = "consents",
    params(("id" = i64, Path, description = "The client")),
    request_body = DisclosureBody,
    responses(
        (status = 201, body = Disclosure),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "Not covered by consent, or a field (of the legal basis) is missing", body = ErrorEnvelope),
    )
)]
async fn record_disclosure(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(b): Json<DisclosureBody>,
) -> Result<Response, ApiError> {
    let form = DisclosureForm {
        recipient_name: b.recipient_name,
        recipient_kind: b.recipient_kind,
        purpose: b.purpose,
        purpose_other: b.purpose_other,
        categories: b.categories,
        channel: b.channel,
        legal_basis: b.legal_basis.map(|l| LegalBasisForm {
            kind: l.kind,
            law_cited: l.law_cited,
            authorised_by_name: l.authorised_by_name,
            authorised_by_role: l.authorised_by_role,
            authorised_on: l.authorised_on,
        }),
    };
    let row = state.app.disclose(caller.actor(), id, &form).await?;
    let view = DisclosureView {
        disclosure: row,
        disclosed_by_name: None,
    };
    Ok((StatusCode::CREATED, Json(disclosure(view))).into_response())
}

/// Consents of the caller's clients (open cases they carry) reaching their last day within
/// `days`, soonest first: renew them before they lapse. Caseworkers and supervisors.
#[utoipa::path(
    get,
    path = "/api/v1/consents/expiring",
    operation_id = "list_expiring_consents",
    tag = "consents",
    params(ExpiringParams),
    responses(
        (status = 200, body = ExpiringConsentList),
        (status = 403, body = ErrorEnvelope),
        (status = 422, description = "`days` outside 0 to 365", body = ErrorEnvelope),
    )
)]
async fn expiring_consents(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<ExpiringParams>,
) -> Result<Json<ExpiringConsentList>, ApiError> {
    let number = |field: &'static str, raw: &Option<String>| match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse::<i64>().map(Some).map_err(|_| {
            ApiError::from(ServiceError::Invalid(Invalid::new(field, "wrong_type")))
                .with_field(field)
        }),
    };
    let days = number("days", &p.days)?;
    let limit = number("limit", &p.limit)?;
    let cursor =
        Cursor::parse(p.cursor.as_deref()).map_err(|e| ApiError::from(ServiceError::Invalid(e)))?;
    let page = state
        .app
        .expiring_consents(caller.actor(), days, cursor, limit)
        .await?;
    Ok(Json(ExpiringConsentList {
        items: page.items.into_iter().map(ExpiringConsent::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
