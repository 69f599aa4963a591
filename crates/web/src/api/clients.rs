//! The client registry for programs: search, the duplicate check, registration, reading and
//! updating (with `If-Match`), merging and undoing a merge.

use super::expected_version;
use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::i18n::{Locale, T};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use casework_domain::client::{ClientForm, HouseholdForm, IdentifierForm};
use casework_domain::matching::DuplicateReason;
use casework_service::client::{
    ClientCard, ClientDetail, ClientQuery, DuplicateDecision, DuplicateView,
};
use casework_service::ServiceError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search, register))
        .routes(routes!(duplicates))
        .routes(routes!(read, update))
        .routes(routes!(merge))
        .routes(routes!(undo_merge))
}

// ---- what comes in ----

/// A client's profile as sent: every field but `legal_name` may be left out. Rows with every
/// field blank are ignored.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    pub legal_name: String,
    #[serde(default)]
    pub preferred_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(example = "1990-05-04")]
    pub birth_date: Option<String>,
    /// When the birth date is not known: 0 to 120.
    #[serde(default)]
    pub estimated_age: Option<i64>,
    #[serde(default)]
    pub gender_identity: Option<String>,
    #[serde(default)]
    #[schema(example = "she/her")]
    pub pronouns: Option<String>,
    /// A language tag; `en` when absent.
    #[serde(default)]
    #[schema(example = "es")]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub interpreter_needed: bool,
    /// Cultural or religious considerations.
    #[serde(default)]
    pub cultural_considerations: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// How (not) to contact the client safely, e.g. "no voicemail".
    #[serde(default)]
    pub safe_contact: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierInput>,
    #[serde(default)]
    pub household: Vec<HouseholdInput>,
}

// Client data never goes to the logs.
impl std::fmt::Debug for ClientInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientInput(<client data>)")
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierInput {
    /// e.g. `ssn`, `medicaid`, `agency`.
    pub kind: String,
    pub value: String,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    pub name: String,
    #[serde(default)]
    pub relationship: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub birth_date: Option<String>,
}

impl From<ClientInput> for ClientForm {
    fn from(c: ClientInput) -> ClientForm {
        ClientForm {
            legal_name: c.legal_name,
            preferred_name: c.preferred_name,
            birth_date: c.birth_date,
            estimated_age: c.estimated_age,
            gender_identity: c.gender_identity,
            pronouns: c.pronouns,
            preferred_language: c.preferred_language,
            interpreter_needed: c.interpreter_needed,
            cultural_considerations: c.cultural_considerations,
            phone: c.phone,
            email: c.email,
            safe_contact: c.safe_contact,
            address: c.address,
            identifiers: c
                .identifiers
                .into_iter()
                .map(|i| IdentifierForm {
                    kind: i.kind,
                    value: i.value,
                })
                .collect(),
            household: c
                .household
                .into_iter()
                .map(|h| HouseholdForm {
                    name: h.name,
                    relationship: h.relationship,
                    birth_date: h.birth_date,
                })
                .collect(),
        }
    }
}

/// A registration: the client, and the likely duplicates (from `POST /api/v1/clients/duplicates`)
/// that were looked at and found to be other people.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    pub client: ClientInput,
    /// Ids of every likely duplicate shown for this client. Registration is refused (409
    /// `client_duplicates_not_shown`) while a likely duplicate is missing here.
    #[serde(default)]
    pub shown_duplicates: Vec<i64>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The record folded into the one in the path; it stays, marked, so the merge can be undone.
    pub merged_id: i64,
    /// Why these are the same person; kept in the audit log.
    pub reason: String,
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientSearch {
    /// A name: typos, accents and word order are tolerated.
    pub q: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// An identifier's value.
    pub identifier: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100; 25 when absent.
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

// ---- what goes out ----

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClientSummary {
    pub id: i64,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub birth_date: Option<String>,
    pub preferred_language: String,
}

impl From<ClientCard> for ClientSummary {
    fn from(c: ClientCard) -> ClientSummary {
        ClientSummary {
            id: c.id,
            legal_name: c.legal_name,
            preferred_name: c.preferred_name,
            birth_date: c.birth_date,
            preferred_language: c.preferred_language,
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClientList {
    pub items: Vec<ClientSummary>,
    pub next_cursor: Option<String>,
}

/// Why a record on file may be the same person.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DuplicateReasonOut {
    /// `same_identifier`, `similar_name_same_birth_date`, `similar_name_near_birth_date` or
    /// `same_name_no_birth_date`.
    #[schema(example = "similar_name_same_birth_date")]
    pub reason: String,
    /// The identifier kind both records carry (`same_identifier`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// How alike the names are, 0 to 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity_percent: Option<u8>,
    /// Days between the birth dates (`similar_name_near_birth_date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_apart: Option<u32>,
    /// The reason in words, in the caller's language.
    pub message: String,
}

fn reason_out(t: &T, r: &DuplicateReason) -> DuplicateReasonOut {
    let message = crate::pages::clients::reason_text(t, r);
    let (reason, kind, similarity_percent, days_apart) = match r {
        DuplicateReason::SameIdentifier { kind } => {
            ("same_identifier", Some(kind.clone()), None, None)
        }
        DuplicateReason::SimilarNameSameBirthDate { similarity_percent } => (
            "similar_name_same_birth_date",
            None,
            Some(*similarity_percent),
            None,
        ),
        DuplicateReason::SimilarNameNearBirthDate {
            similarity_percent,
            days_apart,
        } => (
            "similar_name_near_birth_date",
            None,
            Some(*similarity_percent),
            Some(*days_apart),
        ),
        DuplicateReason::SameNameNoBirthDate => ("same_name_no_birth_date", None, None, None),
    };
    DuplicateReasonOut {
        reason: reason.to_string(),
        kind,
        similarity_percent,
        days_apart,
        message,
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    pub client: ClientSummary,
    pub reasons: Vec<DuplicateReasonOut>,
    /// How likely the same person, 0 to 100.
    pub score: u8,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DuplicateList {
    /// Most likely first. Pass every id as `shown_duplicates` when registering anyway.
    pub items: Vec<Duplicate>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct IdentifierOut {
    pub kind: String,
    pub value: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HouseholdOut {
    pub name: String,
    pub relationship: Option<String>,
    pub birth_date: Option<String>,
}

/// A case of the client that the caller may open.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClientCase {
    pub id: i64,
    #[schema(example = "engagement")]
    pub stage: String,
    /// RFC 3339.
    pub opened_at: String,
    pub closed_at: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Merge {
    pub id: i64,
    /// The record that remains.
    pub survivor_id: i64,
    /// The record folded into it.
    pub merged_id: i64,
    /// RFC 3339.
    pub merged_at: String,
    /// Set once the merge was undone.
    pub undone_at: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Client {
    pub id: i64,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub birth_date: Option<String>,
    /// The birth year implied by an estimated age, when the date is not known.
    pub birth_year_estimate: Option<i64>,
    pub gender_identity: Option<String>,
    pub pronouns: Option<String>,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub cultural_considerations: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_contact: Option<String>,
    pub address: Option<String>,
    pub identifiers: Vec<IdentifierOut>,
    pub household: Vec<HouseholdOut>,
    pub cases: Vec<ClientCase>,
    /// Set when this record was merged into another: read that one instead.
    pub merged_into: Option<i64>,
    pub merges: Vec<Merge>,
    /// May the caller merge records into this one?
    pub can_merge: bool,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
    /// Send back as `If-Match: "<version>"` to update.
    pub version: i64,
}

impl From<ClientDetail> for Client {
    fn from(d: ClientDetail) -> Client {
        let c = d.client;
        Client {
            id: c.id,
            legal_name: c.legal_name,
            preferred_name: c.preferred_name,
            birth_date: c.birth_date,
            birth_year_estimate: c.birth_year_estimate,
            gender_identity: c.gender_identity,
            pronouns: c.pronouns,
            preferred_language: c.preferred_language,
            interpreter_needed: c.interpreter_needed != 0,
            cultural_considerations: c.cultural_considerations,
            phone: c.phone,
            email: c.email,
            safe_contact: c.safe_contact,
            address: c.address,
            identifiers: d
                .identifiers
                .into_iter()
                .map(|i| IdentifierOut {
                    kind: i.kind,
                    value: i.value,
                })
                .collect(),
            household: d
                .household
                .into_iter()
                .map(|h| HouseholdOut {
                    name: h.name,
                    relationship: h.relationship,
                    birth_date: h.birth_date,
                })
                .collect(),
            cases: d
                .cases
                .into_iter()
                .map(|k| ClientCase {
                    id: k.id,
                    stage: k.stage,
                    opened_at: timestamp(k.opened_at),
                    closed_at: k.closed_at.map(timestamp),
                })
                .collect(),
            merged_into: c.merged_into,
            merges: d
                .merges
                .into_iter()
                .map(|m| Merge {
                    id: m.id,
                    survivor_id: m.survivor_id,
                    merged_id: m.merged_id,
                    merged_at: timestamp(m.merged_at),
                    undone_at: m.undone_at.map(timestamp),
                })
                .collect(),
            can_merge: d.can_merge,
            created_at: timestamp(c.created_at),
            updated_at: timestamp(c.updated_at),
            version: c.version,
        }
    }
}

fn with_etag(status: StatusCode, client: Client) -> Response {
    let location = HeaderValue::from_str(&format!("/api/v1/clients/{}", client.id)).ok();
    let mut res = super::with_etag(status, client.version, client);
    if status == StatusCode::CREATED {
        if let Some(location) = location {
            res.headers_mut().insert(header::LOCATION, location);
        }
    }
    res
}

fn caller_t(caller: &Caller) -> T {
    T::new(Locale::parse(&caller.principal.locale).unwrap_or(Locale::En))
}

/// A refusal of the client inside a larger body names the field by its path in that body.
fn within(prefix: &str, e: ServiceError) -> ApiError {
    let is_input = matches!(e, ServiceError::Invalid(_));
    let mut error = ApiError::from(e);
    if is_input {
        error.field = error.field.map(|f| format!("{prefix}.{f}"));
    }
    error
}

fn duplicate_out(t: &T, d: DuplicateView) -> Duplicate {
    Duplicate {
        reasons: d.reasons.iter().map(|r| reason_out(t, r)).collect(),
        client: d.client.into(),
        score: d.score,
    }
}

/// Find clients by name, birth date or identifier (at least one).
#[utoipa::path(
    get,
    path = "/api/v1/clients",
    operation_id = "search_clients",
    tag = "clients",
    params(ClientSearch),
    responses(
        (status = 200, body = ClientList),
        (status = 401, body = ErrorEnvelope),
        (status = 422, description = "Nothing to search for, or a bad date or cursor", body = ErrorEnvelope),
    )
)]
async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ClientSearch>,
) -> Result<Json<ClientList>, ApiError> {
    let paging = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let query = ClientQuery {
        q: q.q,
        birth_date: q.birth_date,
        identifier: q.identifier,
    };
    let page = state
        .app
        .search_clients(caller.actor(), &query, paging.cursor()?, paging.limit()?)
        .await?;
    Ok(Json(ClientList {
        items: page.items.into_iter().map(ClientSummary::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Likely duplicates of a client about to be registered, with the reasons. Nothing is written.
#[utoipa::path(
    post,
    path = "/api/v1/clients/duplicates",
    operation_id = "check_client_duplicates",
    tag = "clients",
    request_body = ClientInput,
    responses(
        (status = 200, body = DuplicateList),
        (status = 403, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn duplicates(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ClientInput>,
) -> Result<Json<DuplicateList>, ApiError> {
    let found = state
        .app
        .check_duplicates(caller.actor(), &body.into())
        .await?;
    let t = caller_t(&caller);
    Ok(Json(DuplicateList {
        items: found.into_iter().map(|d| duplicate_out(&t, d)).collect(),
    }))
}

/// Register a client. Check for duplicates first and list those you were shown.
#[utoipa::path(
    post,
    path = "/api/v1/clients",
    operation_id = "register_client",
    tag = "clients",
    request_body = NewClient,
    responses(
        (status = 201, body = Client, headers(
            ("ETag" = String, description = "The client's version"),
            ("Location" = String, description = "The new client"),
        )),
        (status = 403, body = ErrorEnvelope),
        (status = 409, description = "A likely duplicate is not in `shown_duplicates`", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn register(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewClient>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let form: ClientForm = body.client.into();
    let mut shown = body.shown_duplicates;
    shown.sort_unstable();
    shown.dedup();
    let found = state
        .app
        .check_duplicates(actor, &form)
        .await
        .map_err(|e| within("client", e))?;
    if found
        .iter()
        .any(|d| shown.binary_search(&d.client.id).is_err())
    {
        return Err(
            ApiError::new(StatusCode::CONFLICT, "client_duplicates_not_shown")
                .with_field("shown_duplicates"),
        );
    }
    let row = state
        .app
        .register_client(actor, &form, &DuplicateDecision { shown })
        .await
        .map_err(|e| within("client", e))?;
    let detail = state.app.client(actor, row.id).await?;
    Ok(with_etag(StatusCode::CREATED, detail.into()))
}

/// A client's profile, household, identifiers, the cases the caller may open, and merges.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}",
    operation_id = "read_client",
    tag = "clients",
    params(("id" = i64, Path, description = "The client")),
    responses(
        (status = 200, body = Client, headers(("ETag" = String, description = "The client's version"))),
        (status = 404, description = "No such client, or not within the caller's reach", body = ErrorEnvelope),
    )
)]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let detail = state.app.client(caller.actor(), id).await?;
    Ok(with_etag(StatusCode::OK, detail.into()))
}

/// Replace a client's profile, identifiers and household.
#[utoipa::path(
    put,
    path = "/api/v1/clients/{id}",
    operation_id = "update_client",
    tag = "clients",
    params(
        ("id" = i64, Path, description = "The client"),
        ("If-Match" = String, Header, description = "The version read, e.g. \"3\""),
    ),
    request_body = ClientInput,
    responses(
        (status = 200, body = Client, headers(("ETag" = String, description = "The new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, description = "The client changed since that version", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, description = "If-Match is missing", body = ErrorEnvelope),
    )
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<ClientInput>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let actor = caller.actor();
    state
        .app
        .update_client(actor, id, version, &body.into())
        .await?;
    let detail = state.app.client(actor, id).await?;
    Ok(with_etag(StatusCode::OK, detail.into()))
}

/// Fold another record of the same person into this one (supervisors). Audited; reversible.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/merges",
    operation_id = "merge_clients",
    tag = "clients",
    params(("id" = i64, Path, description = "The record that remains")),
    request_body = MergeRequest,
    responses(
        (status = 201, body = Merge),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "No reason, the same record twice, or a record already merged", body = ErrorEnvelope),
    )
)]
async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<MergeRequest>,
) -> Result<Response, ApiError> {
    let m = state
        .app
        .merge_clients(caller.actor(), id, body.merged_id, &body.reason)
        .await?;
    let merge = Merge {
        id: m.id,
        survivor_id: m.survivor_id,
        merged_id: m.merged_id,
        merged_at: timestamp(m.merged_at),
        undone_at: m.undone_at.map(timestamp),
    };
    Ok((StatusCode::CREATED, Json(merge)).into_response())
}

/// Undo a merge: everything that moved goes back and the merged record is live again.
#[utoipa::path(
    post,
    path = "/api/v1/client-merges/{id}/undo",
    operation_id = "undo_client_merge",
    tag = "clients",
    params(("id" = i64, Path, description = "The merge")),
    responses(
        (status = 204, description = "Undone"),
        (status = 404, body = ErrorEnvelope),
        (status = 412, description = "Already undone", body = ErrorEnvelope),
    )
)]
async fn undo_merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.app.undo_merge(caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
