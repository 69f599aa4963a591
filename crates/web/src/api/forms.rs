//! Agency assessment forms: definitions (admins build and publish them; everyone else reads the
//! published ones), responses filled for a case (pinned to the version filled against), and what
//! each program requires to be assessed. Changes carry the version read (`If-Match`).

use super::{expected_version, timestamp, with_etag, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use casework_domain::form::{DefinitionDoc, FormDefinition};
use casework_domain::Invalid;
use casework_service::form::{FormChange, FormDetail, FormRow};
use casework_service::form_response::{ResponseForm, ResponseRow};
use casework_service::ServiceError;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_forms, create_form))
        .routes(routes!(show_form, update_form))
        .routes(routes!(publish_form))
        .routes(routes!(list_responses, create_response))
        .routes(routes!(show_response, update_response))
        .routes(routes!(complete_response))
        .routes(routes!(show_requirements, set_requirements))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FormSummary {
    pub id: i64,
    pub name: String,
    /// The newest published version's id: what workers fill. Null before the first publication.
    pub published_version_id: Option<i64>,
    pub version: i64,
}

impl From<FormRow> for FormSummary {
    fn from(f: FormRow) -> FormSummary {
        FormSummary {
            id: f.id,
            name: f.name,
            published_version_id: f.published_version_id,
            version: f.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FormList {
    pub items: Vec<FormSummary>,
    pub next_cursor: Option<String>,
}

/// A form with one version: for an admin the latest (the draft being built), for everyone else
/// the latest published.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Form {
    pub id: i64,
    pub name: String,
    /// This version's id (responses point to it).
    pub version_id: i64,
    /// 1, 2, ...: publishing freezes a version; the next change makes the next one.
    pub version_no: i64,
    /// draft or published.
    #[schema(example = "draft")]
    pub status: String,
    pub published_at: Option<String>,
    /// `{"sections": [{"title", "fields": [{"key", "label", "kind", "required", "help"?, "min"?,
    /// "max"?, "choices"?}]}]}`; kind is short_text, long_text, number, date, single_choice,
    /// multiple_choice or yes_no.
    #[schema(value_type = Object)]
    pub definition: Value,
    /// Send back as `If-Match: "<version>"` to change or publish the form.
    pub version: i64,
}

fn form_of(d: FormDetail) -> Form {
    Form {
        id: d.form.id,
        name: d.form.name,
        version_id: d.shown.id,
        version_no: d.shown.version_no,
        status: d.shown.status,
        published_at: d.shown.published_at.map(timestamp),
        definition: serde_json::to_value(d.definition.to_doc()).unwrap_or(Value::Null),
        version: d.form.version,
    }
}

fn form_response(status: StatusCode, d: FormDetail) -> Response {
    let version = d.form.version;
    with_etag(status, version, form_of(d))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewForm {
    pub name: String,
    /// The first draft's definition; an empty draft when absent.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub definition: Option<Value>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormUpdate {
    #[serde(default)]
    pub name: Option<String>,
    /// The whole draft definition (see `Form.definition`).
    #[schema(value_type = Object)]
    pub definition: Value,
}

fn definition_doc(v: Value) -> Result<DefinitionDoc, ApiError> {
    let doc: DefinitionDoc = serde_json::from_value(v).map_err(|_| {
        ApiError::from(ServiceError::Invalid(Invalid::new(
            "definition",
            "wrong_type",
        )))
    })?;
    // Checked here too so a bad definition refuses the whole request before anything is made.
    FormDefinition::parse(&doc).map_err(|e| ApiError::from(ServiceError::Invalid(e)))?;
    Ok(doc)
}

/// The agency's forms, by id: all for an admin, the published ones for everyone else.
#[utoipa::path(
    get,
    path = "/api/v1/assessment-forms",
    operation_id = "list_assessment_forms",
    tag = "assessment-forms",
    params(PageQuery),
    responses((status = 200, body = FormList), (status = 401, body = ErrorEnvelope))
)]
async fn list_forms(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<FormList>, ApiError> {
    let page = state
        .app
        .assessment_forms(caller.actor(), q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(FormList {
        items: page.items.into_iter().map(FormSummary::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A new form (admins only): version 1, a draft.
#[utoipa::path(
    post,
    path = "/api/v1/assessment-forms",
    operation_id = "create_assessment_form",
    tag = "assessment-forms",
    request_body = NewForm,
    responses(
        (status = 201, body = Form, headers(("ETag" = String, description = "The form's version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named (`sections[0].fields[1].choices`)", body = ErrorEnvelope),
    )
)]
async fn create_form(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewForm>,
) -> Result<Response, ApiError> {
    let doc = body.definition.map(definition_doc).transpose()?;
    let actor = caller.actor();
    let mut d = state.app.create_assessment_form(actor, &body.name).await?;
    if let Some(definition) = doc {
        let change = FormChange::Replace {
            name: None,
            definition,
        };
        d = state
            .app
            .change_assessment_form(actor, d.form.id, d.form.version, &change)
            .await?;
    }
    Ok(form_response(StatusCode::CREATED, d))
}

/// One form (404 for a non-admin before its first publication).
#[utoipa::path(
    get,
    path = "/api/v1/assessment-forms/{id}",
    operation_id = "show_assessment_form",
    tag = "assessment-forms",
    params(("id" = i64, Path, description = "The form")),
    responses(
        (status = 200, body = Form, headers(("ETag" = String, description = "The form's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = state.app.assessment_form(caller.actor(), id).await?;
    Ok(form_response(StatusCode::OK, d))
}

/// Replace the draft's definition (and name). A published latest version gets a new draft
/// version first; published versions never change. Admins only.
#[utoipa::path(
    put,
    path = "/api/v1/assessment-forms/{id}",
    operation_id = "update_assessment_form",
    tag = "assessment-forms",
    params(
        ("id" = i64, Path, description = "The form"),
        ("If-Match" = String, Header, description = "The form's ETag as read"),
    ),
    request_body = FormUpdate,
    responses(
        (status = 200, body = Form, headers(("ETag" = String, description = "The form's new version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn update_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<FormUpdate>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let change = FormChange::Replace {
        name: body.name,
        definition: definition_doc(body.definition)?,
    };
    let d = state
        .app
        .change_assessment_form(caller.actor(), id, version, &change)
        .await?;
    Ok(form_response(StatusCode::OK, d))
}

/// Publish the draft: it is frozen and workers fill it. Admins only.
#[utoipa::path(
    post,
    path = "/api/v1/assessment-forms/{id}/publication",
    operation_id = "publish_assessment_form",
    tag = "assessment-forms",
    params(
        ("id" = i64, Path, description = "The form"),
        ("If-Match" = String, Header, description = "The form's ETag as read"),
    ),
    responses(
        (status = 200, body = Form, headers(("ETag" = String, description = "The form's new version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, description = "`form_empty`, `form_already_published`", body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn publish_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let d = state
        .app
        .publish_assessment_form(caller.actor(), id, version)
        .await?;
    Ok(form_response(StatusCode::OK, d))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FormResponse {
    pub id: i64,
    pub case_id: i64,
    pub form_id: i64,
    /// The exact form version the answers were filled against.
    pub form_version_id: i64,
    /// draft or completed.
    #[schema(example = "completed")]
    pub status: String,
    /// `{"field_key": answer}`: text and choices as strings, numbers as numbers, dates as
    /// `YYYY-MM-DD`, multiple choices as a list, yes/no as a boolean.
    #[schema(value_type = Object)]
    pub answers: Value,
    /// `YYYY-MM-DD`.
    pub filled_on: String,
    pub completed_at: Option<String>,
    pub created_at: String,
    pub version: i64,
}

impl From<ResponseRow> for FormResponse {
    fn from(r: ResponseRow) -> FormResponse {
        FormResponse {
            id: r.id,
            case_id: r.case_id,
            form_id: r.form_id,
            form_version_id: r.form_version_id,
            status: r.status,
            answers: serde_json::from_str(&r.answers).unwrap_or(Value::Null),
            filled_on: r.filled_on,
            completed_at: r.completed_at.map(timestamp),
            created_at: timestamp(r.created_at),
            version: r.version,
        }
    }
}

fn response_of(status: StatusCode, r: ResponseRow) -> Response {
    let version = r.version;
    with_etag(status, version, FormResponse::from(r))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FormResponseList {
    pub items: Vec<FormResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFormResponse {
    pub form_id: i64,
    /// `{"field_key": answer}`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
    /// `YYYY-MM-DD`, not in the future; today when absent.
    #[serde(default)]
    pub filled_on: Option<String>,
    /// Complete now (every required field answered) rather than save a draft.
    #[serde(default)]
    pub complete: bool,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormResponseUpdate {
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
    #[serde(default)]
    pub filled_on: Option<String>,
}

/// The case's form responses, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/form-responses",
    operation_id = "list_form_responses",
    tag = "assessment-forms",
    params(("id" = i64, Path, description = "The case"), PageQuery),
    responses((status = 200, body = FormResponseList), (status = 404, body = ErrorEnvelope))
)]
async fn list_responses(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<FormResponseList>, ApiError> {
    let page = state
        .app
        .form_responses(caller.actor(), id, q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(FormResponseList {
        items: page.items.into_iter().map(FormResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Fill a form for the case against its latest published version, as a draft or completed.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/form-responses",
    operation_id = "create_form_response",
    tag = "assessment-forms",
    params(("id" = i64, Path, description = "The case")),
    request_body = NewFormResponse,
    responses(
        (status = 201, body = FormResponse, headers(("ETag" = String, description = "The response's version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "`field` names the answer's key: `required`, `out_of_range`, `unknown_choice`, `wrong_type`, `unknown_field`, `date_format`", body = ErrorEnvelope),
    )
)]
async fn create_response(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<NewFormResponse>,
) -> Result<Response, ApiError> {
    let form = ResponseForm {
        answers: body.answers,
        filled_on: body.filled_on,
        complete: body.complete,
    };
    let r = state
        .app
        .start_form_response(caller.actor(), id, body.form_id, &form)
        .await?;
    Ok(response_of(StatusCode::CREATED, r))
}

/// One response.
#[utoipa::path(
    get,
    path = "/api/v1/form-responses/{id}",
    operation_id = "show_form_response",
    tag = "assessment-forms",
    params(("id" = i64, Path, description = "The response")),
    responses(
        (status = 200, body = FormResponse, headers(("ETag" = String, description = "The response's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_response(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = state.app.form_response(caller.actor(), id).await?;
    Ok(response_of(StatusCode::OK, d.response))
}

/// Change a draft response's answers (checked against the version it was filled against).
#[utoipa::path(
    put,
    path = "/api/v1/form-responses/{id}",
    operation_id = "update_form_response",
    tag = "assessment-forms",
    params(
        ("id" = i64, Path, description = "The response"),
        ("If-Match" = String, Header, description = "The response's ETag as read"),
    ),
    request_body = FormResponseUpdate,
    responses(
        (status = 200, body = FormResponse, headers(("ETag" = String, description = "The response's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, description = "`field` names the answer's key; `form_response_completed` once completed", body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn update_response(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<FormResponseUpdate>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = ResponseForm {
        answers: body.answers,
        filled_on: body.filled_on,
        complete: false,
    };
    let r = state
        .app
        .update_form_response(caller.actor(), id, version, &form)
        .await?;
    Ok(response_of(StatusCode::OK, r))
}

/// Complete a draft response as saved: every required field must be answered.
#[utoipa::path(
    post,
    path = "/api/v1/form-responses/{id}/completion",
    operation_id = "complete_form_response",
    tag = "assessment-forms",
    params(
        ("id" = i64, Path, description = "The response"),
        ("If-Match" = String, Header, description = "The response's ETag as read"),
    ),
    responses(
        (status = 200, body = FormResponse, headers(("ETag" = String, description = "The response's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, description = "`field` names a required answer still missing", body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn complete_response(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let r = state
        .app
        .complete_form_response(caller.actor(), id, version)
        .await?;
    Ok(response_of(StatusCode::OK, r))
}

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// `form:<id>` for an agency form, `phq9`, `gad7` or `ssm` for an instrument.
    #[schema(example = json!(["form:3", "phq9"]))]
    pub requirements: Vec<String>,
}

/// What the program requires to be assessed before a case leaves assessment.
#[utoipa::path(
    get,
    path = "/api/v1/programs/{id}/requirements",
    operation_id = "show_program_requirements",
    tag = "admin",
    params(("id" = i64, Path, description = "The program")),
    responses((status = 200, body = Requirements), (status = 404, body = ErrorEnvelope))
)]
async fn show_requirements(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Requirements>, ApiError> {
    let list = state.app.program_requirements(caller.actor(), id).await?;
    Ok(Json(Requirements {
        requirements: list.iter().map(|r| r.code()).collect(),
    }))
}

/// Replace what the program requires (admins only).
#[utoipa::path(
    put,
    path = "/api/v1/programs/{id}/requirements",
    operation_id = "set_program_requirements",
    tag = "admin",
    params(("id" = i64, Path, description = "The program")),
    request_body = Requirements,
    responses(
        (status = 200, body = Requirements),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "`requirements[i]` names an unknown code or form", body = ErrorEnvelope),
    )
)]
async fn set_requirements(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<Requirements>,
) -> Result<Json<Requirements>, ApiError> {
    let list = state
        .app
        .set_program_requirements(caller.actor(), id, &body.requirements)
        .await?;
    Ok(Json(Requirements {
        requirements: list.iter().map(|r| r.code()).collect(),
    }))
}
