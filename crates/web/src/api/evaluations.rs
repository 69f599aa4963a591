//! Evaluations (the evaluation stage): a case's evaluations, one with its goal-by-goal GAS
//! levels and T-score, a draft rewritten or recorded (`If-Match`), the client's feedback; and the
//! re-assessment compared with the baseline.

use super::{expected_version, timestamp, with_etag, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use casework_domain::evaluation::{EvaluationForm, FeedbackForm, GoalLevelForm};
use casework_service::evaluation::{EvaluationDetail, EvaluationRow};
use casework_service::reassessment::AssessmentComparison;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_evaluations, create_evaluation))
        .routes(routes!(show_evaluation, update_evaluation))
        .routes(routes!(record_evaluation))
        .routes(routes!(record_feedback))
        .routes(routes!(assessment_comparison))
}

/// One evaluation without its goals.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EvaluationSummary {
    pub id: i64,
    pub case_id: i64,
    /// The re-assessment compared with the baseline, if named.
    pub assessment_id: Option<i64>,
    /// draft or recorded.
    #[schema(example = "recorded")]
    pub status: String,
    pub summary: Option<String>,
    /// continue (back to intervention with a revised plan) or close.
    #[schema(example = "close")]
    pub decision: Option<String>,
    /// The case's GAS T-score (50 = goals met as expected); null until every active goal has a
    /// level.
    pub t_score: Option<f64>,
    pub recorded_at: Option<String>,
    pub feedback: Option<Feedback>,
    pub created_at: String,
    /// Send back as `If-Match: "<version>"` to change a draft.
    pub version: i64,
}

/// The client's answers, each 1 (not at all) to 5 (completely).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub helpfulness: i64,
    pub respect: i64,
    pub understanding: i64,
    pub comment: Option<String>,
    /// `YYYY-MM-DD`.
    pub given_on: Option<String>,
}

impl From<EvaluationRow> for EvaluationSummary {
    fn from(e: EvaluationRow) -> EvaluationSummary {
        let feedback = match (
            e.feedback_helpfulness,
            e.feedback_respect,
            e.feedback_understanding,
        ) {
            (Some(helpfulness), Some(respect), Some(understanding)) => Some(Feedback {
                helpfulness,
                respect,
                understanding,
                comment: e.feedback_comment,
                given_on: e.feedback_given_on,
            }),
            _ => None,
        };
        EvaluationSummary {
            id: e.id,
            case_id: e.case_id,
            assessment_id: e.assessment_id,
            status: e.status,
            summary: e.summary,
            decision: e.decision,
            t_score: e.t_score,
            recorded_at: e.recorded_at.map(timestamp),
            feedback,
            created_at: timestamp(e.created_at),
            version: e.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GoalAttainment {
    pub goal_id: i64,
    pub statement: Option<String>,
    pub weight: f64,
    /// −2..=2; null in a draft not scored yet.
    pub level: Option<i64>,
    pub comment: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    #[serde(flatten)]
    pub evaluation: EvaluationSummary,
    /// below_expected, as_expected or above_expected.
    pub t_score_meaning: Option<String>,
    pub goals: Vec<GoalAttainment>,
}

impl From<EvaluationDetail> for Evaluation {
    fn from(d: EvaluationDetail) -> Evaluation {
        Evaluation {
            t_score_meaning: d.meaning.map(|m| m.as_str().to_string()),
            goals: d
                .goals
                .into_iter()
                .map(|g| GoalAttainment {
                    goal_id: g.goal_id,
                    statement: g.statement,
                    weight: g.weight,
                    level: g.level,
                    comment: g.comment,
                })
                .collect(),
            evaluation: EvaluationSummary::from(d.evaluation),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EvaluationList {
    pub items: Vec<EvaluationSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalLevelBody {
    pub goal_id: i64,
    /// −2..=2; may be left out of a draft.
    #[serde(default)]
    pub level: Option<i64>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationBody {
    #[serde(default)]
    pub assessment_id: Option<i64>,
    /// One entry per active goal; errors name `goals[i].level`.
    #[serde(default)]
    pub goals: Vec<GoalLevelBody>,
    #[serde(default)]
    pub summary: Option<String>,
    /// continue or close.
    #[serde(default)]
    pub decision: Option<String>,
    /// Record at once (needs a level for each active goal, a summary and a decision).
    #[serde(default)]
    pub record: bool,
}

impl EvaluationBody {
    fn form(self) -> (EvaluationForm, bool) {
        (
            EvaluationForm {
                assessment_id: self.assessment_id,
                goals: self
                    .goals
                    .into_iter()
                    .map(|g| GoalLevelForm {
                        goal_id: g.goal_id,
                        level: g.level,
                        comment: g.comment,
                    })
                    .collect(),
                summary: self.summary,
                decision: self.decision,
            },
            self.record,
        )
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    /// 1–5.
    pub helpfulness: Option<i64>,
    /// 1–5.
    pub respect: Option<i64>,
    /// 1–5.
    pub understanding: Option<i64>,
    #[serde(default)]
    pub comment: Option<String>,
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub given_on: Option<String>,
}

fn detail_response(status: StatusCode, d: EvaluationDetail) -> Response {
    let version = d.evaluation.version;
    with_etag(status, version, Evaluation::from(d))
}

/// A case's evaluations, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/evaluations",
    operation_id = "list_evaluations",
    tag = "evaluations",
    params(("id" = i64, Path, description = "The case"), PageQuery),
    responses((status = 200, body = EvaluationList), (status = 404, body = ErrorEnvelope))
)]
async fn list_evaluations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<EvaluationList>, ApiError> {
    let limit = q.limit()?;
    let page = state
        .app
        .evaluations(caller.actor(), id, q.cursor.as_deref(), limit)
        .await?;
    Ok(Json(EvaluationList {
        items: page
            .items
            .into_iter()
            .map(EvaluationSummary::from)
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A new evaluation: a draft, or recorded at once with `record: true`.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/evaluations",
    operation_id = "create_evaluation",
    tag = "evaluations",
    params(("id" = i64, Path, description = "The case")),
    request_body = EvaluationBody,
    responses(
        (status = 201, body = Evaluation),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named, e.g. `goals[1].level`", body = ErrorEnvelope),
    )
)]
async fn create_evaluation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<EvaluationBody>,
) -> Result<Response, ApiError> {
    let (form, record) = body.form();
    let d = state
        .app
        .save_evaluation(caller.actor(), id, &form, record)
        .await?;
    Ok(detail_response(StatusCode::CREATED, d))
}

/// One evaluation with each goal's level.
#[utoipa::path(
    get,
    path = "/api/v1/evaluations/{id}",
    operation_id = "show_evaluation",
    tag = "evaluations",
    params(("id" = i64, Path, description = "The evaluation")),
    responses(
        (status = 200, body = Evaluation, headers(("ETag" = String, description = "The evaluation's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_evaluation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = state.app.evaluation(caller.actor(), id).await?;
    Ok(detail_response(StatusCode::OK, d))
}

/// Rewrite a draft (and record it with `record: true`). A recorded evaluation is not changed:
/// make a new one.
#[utoipa::path(
    put,
    path = "/api/v1/evaluations/{id}",
    operation_id = "update_evaluation",
    tag = "evaluations",
    params(("id" = i64, Path, description = "The evaluation"), ("If-Match" = String, Header, description = "The ETag read")),
    request_body = EvaluationBody,
    responses(
        (status = 200, body = Evaluation),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, description = "`evaluation_recorded` once recorded; otherwise the field at fault", body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn update_evaluation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<EvaluationBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let (form, record) = body.form();
    let d = state
        .app
        .update_evaluation(caller.actor(), id, version, &form, record)
        .await?;
    Ok(detail_response(StatusCode::OK, d))
}

/// Record a draft as it stands: a level for each active goal, a summary and a decision needed.
#[utoipa::path(
    post,
    path = "/api/v1/evaluations/{id}/record",
    operation_id = "record_evaluation",
    tag = "evaluations",
    params(("id" = i64, Path, description = "The evaluation"), ("If-Match" = String, Header, description = "The ETag read")),
    responses(
        (status = 200, body = Evaluation),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn record_evaluation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let d = state
        .app
        .record_evaluation(caller.actor(), id, version)
        .await?;
    Ok(detail_response(StatusCode::OK, d))
}

/// The client's feedback, recorded by the worker on the client's behalf, possibly later than
/// the evaluation; a second answer replaces the first.
#[utoipa::path(
    post,
    path = "/api/v1/evaluations/{id}/feedback",
    operation_id = "record_evaluation_feedback",
    tag = "evaluations",
    params(("id" = i64, Path, description = "The evaluation")),
    request_body = FeedbackBody,
    responses(
        (status = 200, body = Evaluation),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn record_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<FeedbackBody>,
) -> Result<Response, ApiError> {
    let form = FeedbackForm {
        helpfulness: body.helpfulness,
        respect: body.respect,
        understanding: body.understanding,
        comment: body.comment,
        given_on: body.given_on,
    };
    let d = state
        .app
        .record_evaluation_feedback(caller.actor(), id, &form)
        .await?;
    Ok(detail_response(StatusCode::OK, d))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComparisonQuery {
    /// A later completed assessment; the latest when absent.
    pub assessment_id: Option<i64>,
}

/// The baseline (first completed assessment) compared with a later completed one.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ComparisonOut {
    pub case_id: i64,
    pub baseline_assessment_id: Option<i64>,
    pub later_assessment_id: Option<i64>,
    /// Later completed assessments that may be compared, newest first.
    pub later_choices: Vec<i64>,
    /// needs/strengths (`kept`, `added`, `removed`), resources and limitations (`baseline`,
    /// `later`, `changed`), `risk`, `phq9` and `gad7` (`baseline_total`, `baseline_band`,
    /// `later_total`, `later_band`, `change` {`delta`, `direction`}, `band_changed`) and `ssm`
    /// (averages and domain by domain); null until there is a later assessment.
    #[schema(value_type = Option<Object>)]
    pub comparison: Option<serde_json::Value>,
}

impl From<AssessmentComparison> for ComparisonOut {
    fn from(c: AssessmentComparison) -> ComparisonOut {
        ComparisonOut {
            case_id: c.case.id,
            baseline_assessment_id: c.baseline.map(|a| a.id),
            later_assessment_id: c.later.map(|a| a.id),
            later_choices: c.later_choices.iter().map(|a| a.id).collect(),
            comparison: c.comparison.and_then(|cmp| serde_json::to_value(cmp).ok()),
        }
    }
}

/// The re-assessment compared with the baseline, field by field and score by score.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/assessment-comparison",
    operation_id = "assessment_comparison",
    tag = "assessments",
    params(("id" = i64, Path, description = "The case"), ComparisonQuery),
    responses(
        (status = 200, body = ComparisonOut),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn assessment_comparison(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ComparisonQuery>,
) -> Result<Json<ComparisonOut>, ApiError> {
    let c = state
        .app
        .assessment_comparison(caller.actor(), id, q.assessment_id)
        .await?;
    Ok(Json(ComparisonOut::from(c)))
}
