//! Assessments and the standard instruments. An invalid answer is refused with 422 and the item
//! named (`answers[8]` is PHQ-9 item 9; `ratings[2].rating` the third matrix rating).

use super::{etag, timestamp, Caller, ErrorEnvelope, Json};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use casework_domain::assessment::{AssessmentForm, InstrumentForm, RatingForm};
use casework_service::assessment::{AssessmentDetail, InstrumentResult, ItemRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_assessments, create_assessment))
        .routes(routes!(show_assessment))
        .routes(routes!(instrument_history, record_instrument))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AssessmentItem {
    pub id: i64,
    pub description: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AssessmentSummary {
    pub id: i64,
    pub case_id: i64,
    #[schema(example = "structured")]
    pub kind: String,
    /// `draft` or `completed`.
    #[schema(example = "completed")]
    pub status: String,
    /// `YYYY-MM-DD`.
    pub assessed_on: String,
    /// `none`, `low`, `medium` or `high`; null on a draft that has none yet.
    pub risk_level: Option<String>,
    pub completed_at: Option<String>,
    pub created_at: String,
    pub version: i64,
}

macro_rules! summary_of {
    ($row:expr) => {{
        let a = $row;
        AssessmentSummary {
            id: a.id,
            case_id: a.case_id,
            kind: a.kind,
            status: a.status,
            assessed_on: a.assessed_on,
            risk_level: a.risk_level,
            completed_at: a.completed_at.map(timestamp),
            created_at: timestamp(a.created_at),
            version: a.version,
        }
    }};
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Assessment {
    #[serde(flatten)]
    pub summary: AssessmentSummary,
    pub situation: Option<String>,
    pub background: Option<String>,
    /// Needs or problems; goals point to these ids.
    pub needs: Vec<AssessmentItem>,
    pub strengths: Vec<AssessmentItem>,
    pub resources: Option<String>,
    pub limitations: Option<String>,
    pub risk_details: Option<String>,
    pub client_words: Option<String>,
    pub completed_by: Option<i64>,
    pub created_by: i64,
}

impl From<AssessmentDetail> for Assessment {
    fn from(d: AssessmentDetail) -> Assessment {
        let items = |rows: Vec<ItemRow>| {
            rows.into_iter()
                .map(|i| AssessmentItem {
                    id: i.id,
                    description: i.description,
                })
                .collect()
        };
        let a = d.assessment;
        Assessment {
            situation: a.situation.clone(),
            background: a.background.clone(),
            needs: items(d.needs),
            strengths: items(d.strengths),
            resources: a.resources.clone(),
            limitations: a.limitations.clone(),
            risk_details: a.risk_details.clone(),
            client_words: a.client_words.clone(),
            completed_by: a.completed_by,
            created_by: a.created_by,
            summary: summary_of!(a),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AssessmentList {
    /// Newest first, at most 100.
    pub items: Vec<AssessmentSummary>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    /// `YYYY-MM-DD`, not in the future.
    pub assessed_on: String,
    /// `true` completes the assessment: it then needs at least one need, one strength and a
    /// risk level (with details when medium or high), and can no longer be changed.
    #[serde(default)]
    pub complete: bool,
    #[serde(default)]
    pub situation: Option<String>,
    /// Background and history.
    #[serde(default)]
    pub background: Option<String>,
    /// Needs or problems, one per entry; blank entries are ignored.
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub strengths: Vec<String>,
    /// Resources and support network.
    #[serde(default)]
    pub resources: Option<String>,
    /// Limitations and barriers.
    #[serde(default)]
    pub limitations: Option<String>,
    /// `none`, `low`, `medium` or `high`.
    #[serde(default)]
    pub risk_level: Option<String>,
    #[serde(default)]
    pub risk_details: Option<String>,
    /// The client's own words.
    #[serde(default)]
    pub client_words: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// housing, income, employment, food, childcare, health, mental_health, substance_use,
    /// safety, legal, family_relations or community_involvement.
    #[schema(example = "housing")]
    pub domain: String,
    /// 1 in crisis … 5 empowered.
    pub rating: i64,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInstrumentResult {
    /// `YYYY-MM-DD`, not in the future; today when absent.
    #[serde(default)]
    pub taken_on: Option<String>,
    /// PHQ-9 (nine) and GAD-7 (seven): each 0–3, in question order.
    #[serde(default)]
    #[schema(example = json!([1, 2, 1, 0, 1, 2, 0, 1, 0]))]
    pub answers: Vec<Option<i64>>,
    /// Self-sufficiency matrix: the domains rated, each once.
    #[serde(default)]
    pub ratings: Vec<Rating>,
    /// The assessment the instrument was given in.
    #[serde(default)]
    pub assessment_id: Option<i64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InstrumentResultBody {
    pub id: i64,
    pub case_id: i64,
    pub assessment_id: Option<i64>,
    /// `phq9`, `gad7` or `ssm`.
    #[schema(example = "phq9")]
    pub instrument: String,
    /// PHQ-9 and GAD-7: the answers; the matrix: `{"housing": 2, ...}`.
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    /// PHQ-9 0–27, GAD-7 0–21; null for the matrix.
    pub total: Option<i64>,
    /// The severity band; null for the matrix.
    #[schema(example = "moderate")]
    pub band: Option<String>,
    /// The total, or the matrix's average rating: what a chart over time shows.
    pub score: f64,
    /// PHQ-9 item 9 above 0: the case is flagged and the alert audited.
    pub safety_alert: bool,
    /// `YYYY-MM-DD`.
    pub taken_on: String,
    pub recorded_by: i64,
    pub recorded_at: String,
}

impl From<InstrumentResult> for InstrumentResultBody {
    fn from(r: InstrumentResult) -> InstrumentResultBody {
        InstrumentResultBody {
            id: r.id,
            case_id: r.case_id,
            assessment_id: r.assessment_id,
            instrument: r.instrument.as_str().to_string(),
            answers: r.answers,
            total: r.total,
            band: r.band,
            score: r.score,
            safety_alert: r.safety_alert,
            taken_on: r.taken_on,
            recorded_by: r.recorded_by,
            recorded_at: timestamp(r.recorded_at),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InstrumentHistory {
    /// Oldest first, the last 200.
    pub items: Vec<InstrumentResultBody>,
}

/// The case's assessments, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/assessments",
    operation_id = "list_assessments",
    tag = "assessments",
    params(("id" = i64, Path, description = "The case")),
    responses(
        (status = 200, body = AssessmentList),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn list_assessments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AssessmentList>, ApiError> {
    let rows = state.app.assessments(caller.actor(), id).await?;
    Ok(Json(AssessmentList {
        items: rows.into_iter().map(|a| summary_of!(a)).collect(),
    }))
}

/// Start an assessment: a draft, or completed at once (`complete: true`).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/assessments",
    operation_id = "create_assessment",
    tag = "assessments",
    params(("id" = i64, Path, description = "The case")),
    request_body = NewAssessment,
    responses(
        (status = 201, body = Assessment, headers(("ETag" = String, description = "The assessment's version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named (`needs`, `strengths[1]`, ...)", body = ErrorEnvelope),
    )
)]
async fn create_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<NewAssessment>,
) -> Result<Response, ApiError> {
    let form = AssessmentForm {
        assessed_on: body.assessed_on,
        situation: body.situation,
        background: body.background,
        needs: body.needs,
        strengths: body.strengths,
        resources: body.resources,
        limitations: body.limitations,
        risk_level: body.risk_level,
        risk_details: body.risk_details,
        client_words: body.client_words,
    };
    let detail = state
        .app
        .save_assessment(caller.actor(), id, &form, body.complete)
        .await?;
    let version = detail.assessment.version;
    let mut res = (StatusCode::CREATED, Json(Assessment::from(detail))).into_response();
    if let Ok(tag) = HeaderValue::from_str(&etag(version)) {
        res.headers_mut().insert(header::ETAG, tag);
    }
    Ok(res)
}

/// One assessment with its needs and strengths.
#[utoipa::path(
    get,
    path = "/api/v1/assessments/{id}",
    operation_id = "show_assessment",
    tag = "assessments",
    params(("id" = i64, Path, description = "The assessment")),
    responses(
        (status = 200, body = Assessment),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Assessment>, ApiError> {
    let detail = state.app.assessment(caller.actor(), id).await?;
    Ok(Json(detail.into()))
}

/// One instrument's results for the case, oldest first: the scores over time.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/instruments/{instrument}",
    operation_id = "instrument_history",
    tag = "assessments",
    params(
        ("id" = i64, Path, description = "The case"),
        ("instrument" = String, Path, description = "`phq9`, `gad7` or `ssm`"),
    ),
    responses(
        (status = 200, body = InstrumentHistory),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "Unknown instrument", body = ErrorEnvelope),
    )
)]
async fn instrument_history(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, instrument)): Path<(i64, String)>,
) -> Result<Json<InstrumentHistory>, ApiError> {
    let results = state
        .app
        .instrument_history(caller.actor(), id, &instrument)
        .await?;
    Ok(Json(InstrumentHistory {
        items: results.into_iter().map(Into::into).collect(),
    }))
}

/// Give an instrument: scored here and kept with the answers. PHQ-9 item 9 above 0 flags the
/// case and writes a `safety.alert` audit entry.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/instruments/{instrument}",
    operation_id = "record_instrument",
    tag = "assessments",
    params(
        ("id" = i64, Path, description = "The case"),
        ("instrument" = String, Path, description = "`phq9`, `gad7` or `ssm`"),
    ),
    request_body = NewInstrumentResult,
    responses(
        (status = 201, body = InstrumentResultBody),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The item at fault is named, e.g. `answers[8]`", body = ErrorEnvelope),
    )
)]
async fn record_instrument(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, instrument)): Path<(i64, String)>,
    Json(body): Json<NewInstrumentResult>,
) -> Result<Response, ApiError> {
    let form = InstrumentForm {
        taken_on: body.taken_on,
        answers: body.answers,
        ratings: body
            .ratings
            .into_iter()
            .map(|r| RatingForm {
                domain: r.domain,
                rating: r.rating,
            })
            .collect(),
        assessment_id: body.assessment_id,
    };
    let result = state
        .app
        .record_instrument(caller.actor(), id, &instrument, &form)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(InstrumentResultBody::from(result)),
    )
        .into_response())
}
