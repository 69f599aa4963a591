//! Goals (the goal-setting stage). A goal saves as a draft whatever it lacks, and its `gaps`
//! say what it lacks to be SMART; making it active is refused 422 `smart_check_failed` with the
//! gap codes in `unmet`. Changes carry the version read (`If-Match`).

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use casework_domain::goal::{AgreementForm, GoalForm, GoalScaleForm};
use casework_service::goal::GoalView;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_goals, create_goal))
        .routes(routes!(show_goal, update_goal))
        .routes(routes!(activate_goal))
        .routes(routes!(record_goal_agreement))
}

/// A goal's Goal Attainment Scaling levels, each described in words; null while not written.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GasLevels {
    #[serde(default, rename = "-2")]
    pub minus2: Option<String>,
    #[serde(default, rename = "-1")]
    pub minus1: Option<String>,
    #[serde(default, rename = "0")]
    pub zero: Option<String>,
    #[serde(default, rename = "+1")]
    pub plus1: Option<String>,
    #[serde(default, rename = "+2")]
    pub plus2: Option<String>,
}

impl GasLevels {
    fn as_array(&self) -> [Option<String>; 5] {
        [
            self.minus2.clone(),
            self.minus1.clone(),
            self.zero.clone(),
            self.plus1.clone(),
            self.plus2.clone(),
        ]
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Goal {
    pub id: i64,
    pub case_id: i64,
    /// 1 is the first goal.
    pub priority: i64,
    /// draft, active, achieved or discontinued.
    #[schema(example = "draft")]
    pub status: String,
    pub statement: Option<String>,
    pub measure: Option<String>,
    pub baseline: Option<String>,
    pub target: Option<String>,
    pub resources: Option<String>,
    pub barriers: Option<String>,
    pub linked_need_ids: Vec<i64>,
    /// `YYYY-MM-DD`.
    pub target_date: Option<String>,
    pub gas: GasLevels,
    /// The goal's weight in the case's GAS T-score.
    pub weight: f64,
    pub client_agreed: bool,
    /// `YYYY-MM-DD`.
    pub client_agreed_on: Option<String>,
    /// The client's own words.
    pub client_words: Option<String>,
    /// What the goal lacks to be SMART today, as codes (`smart_no_measure`); empty when SMART.
    #[schema(example = json!(["smart_no_baseline", "smart_no_linked_need"]))]
    pub gaps: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Send back as `If-Match: "<version>"` to change the goal.
    pub version: i64,
}

impl From<GoalView> for Goal {
    fn from(v: GoalView) -> Goal {
        let g = v.goal;
        let [minus2, minus1, zero, plus1, plus2] = g.gas();
        Goal {
            id: g.id,
            case_id: g.case_id,
            priority: g.priority,
            status: v.status.as_str().to_string(),
            statement: g.statement,
            measure: g.measure,
            baseline: g.baseline,
            target: g.target,
            resources: g.resources,
            barriers: g.barriers,
            linked_need_ids: v.linked_need_ids,
            target_date: g.target_date,
            gas: GasLevels {
                minus2,
                minus1,
                zero,
                plus1,
                plus2,
            },
            weight: g.weight,
            client_agreed: g.client_agreed == 1,
            client_agreed_on: g.client_agreed_on,
            client_words: g.client_words,
            gaps: v.gaps.iter().map(|g| g.code().to_string()).collect(),
            created_at: timestamp(g.created_at),
            updated_at: timestamp(g.updated_at),
            version: g.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AssessedNeed {
    pub id: i64,
    pub description: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GoalList {
    /// In priority order.
    pub items: Vec<Goal>,
    /// The needs the case's completed assessments name: what goals may link to.
    pub needs: Vec<AssessedNeed>,
}

/// A goal as written. Every field may be missing: a draft saves whatever it lacks.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalBody {
    #[serde(default)]
    pub statement: Option<String>,
    #[serde(default)]
    pub measure: Option<String>,
    #[serde(default)]
    pub baseline: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub resources: Option<String>,
    #[serde(default)]
    pub barriers: Option<String>,
    /// Needs assessed in the same case.
    #[serde(default)]
    pub linked_need_ids: Vec<i64>,
    /// `YYYY-MM-DD`, after today to be SMART.
    #[serde(default)]
    pub target_date: Option<String>,
    #[serde(default)]
    pub gas: GasLevels,
    /// 1 to 999; after the case's other goals when absent (new goals) or unchanged.
    #[serde(default)]
    pub priority: Option<i64>,
    /// Above 0, at most 100; 1 when absent.
    #[serde(default)]
    pub weight: Option<f64>,
}

impl GoalBody {
    fn forms(self) -> (GoalForm, GoalScaleForm) {
        let gas = self.gas.as_array();
        (
            GoalForm {
                statement: self.statement,
                measure: self.measure,
                baseline: self.baseline,
                target: self.target,
                resources: self.resources,
                barriers: self.barriers,
                linked_need_ids: self.linked_need_ids,
                target_date: self.target_date,
            },
            GoalScaleForm {
                gas,
                priority: self.priority,
                weight: self.weight,
            },
        )
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalAgreement {
    /// `YYYY-MM-DD`, not in the future.
    pub agreed_on: String,
    /// What the client said, in their own words.
    pub client_words: String,
}

fn goal_response(status: StatusCode, view: GoalView) -> Response {
    let version = view.goal.version;
    with_etag(status, version, Goal::from(view))
}

/// The case's goals in priority order, with the needs they may link to.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/goals",
    operation_id = "list_goals",
    tag = "goals",
    params(("id" = i64, Path, description = "The case")),
    responses(
        (status = 200, body = GoalList),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn list_goals(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<GoalList>, ApiError> {
    let goals = state.app.goals(caller.actor(), id).await?;
    Ok(Json(GoalList {
        items: goals.goals.into_iter().map(Goal::from).collect(),
        needs: goals
            .needs
            .into_iter()
            .map(|n| AssessedNeed {
                id: n.id,
                description: n.description,
            })
            .collect(),
    }))
}

/// A new goal, saved as a draft however incomplete; `gaps` says what it lacks to be SMART.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/goals",
    operation_id = "create_goal",
    tag = "goals",
    params(("id" = i64, Path, description = "The case")),
    request_body = GoalBody,
    responses(
        (status = 201, body = Goal, headers(("ETag" = String, description = "The goal's version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named (`linked_need_ids[0]` for a need of another case)", body = ErrorEnvelope),
    )
)]
async fn create_goal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<GoalBody>,
) -> Result<Response, ApiError> {
    let (form, scale) = body.forms();
    let view = state
        .app
        .create_goal(caller.actor(), id, &form, &scale)
        .await?;
    Ok(goal_response(StatusCode::CREATED, view))
}

/// One goal.
#[utoipa::path(
    get,
    path = "/api/v1/goals/{id}",
    operation_id = "show_goal",
    tag = "goals",
    params(("id" = i64, Path, description = "The goal")),
    responses(
        (status = 200, body = Goal, headers(("ETag" = String, description = "The goal's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_goal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let detail = state.app.goal(caller.actor(), id).await?;
    Ok(goal_response(StatusCode::OK, detail.goal))
}

/// Rewrite a goal. An active goal must stay SMART (422 `smart_check_failed`). Changing what
/// the client agreed to (anything but priority, GAS levels and weight) withdraws the agreement.
#[utoipa::path(
    put,
    path = "/api/v1/goals/{id}",
    operation_id = "update_goal",
    tag = "goals",
    params(
        ("id" = i64, Path, description = "The goal"),
        ("If-Match" = String, Header, description = "The goal's ETag as read"),
    ),
    request_body = GoalBody,
    responses(
        (status = 200, body = Goal, headers(("ETag" = String, description = "The goal's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, description = "The goal changed since it was read", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, description = "No If-Match header", body = ErrorEnvelope),
    )
)]
async fn update_goal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<GoalBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let (form, scale) = body.forms();
    let view = state
        .app
        .update_goal(caller.actor(), id, version, &form, &scale)
        .await?;
    Ok(goal_response(StatusCode::OK, view))
}

/// Make a draft goal active. Refused 422 `smart_check_failed` with every SMART gap in `unmet`.
#[utoipa::path(
    post,
    path = "/api/v1/goals/{id}/activate",
    operation_id = "activate_goal",
    tag = "goals",
    params(
        ("id" = i64, Path, description = "The goal"),
        ("If-Match" = String, Header, description = "The goal's ETag as read"),
    ),
    responses(
        (status = 200, body = Goal, headers(("ETag" = String, description = "The goal's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, description = "Not SMART: `unmet` lists the gaps", body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn activate_goal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let view = state.app.activate_goal(caller.actor(), id, version).await?;
    Ok(goal_response(StatusCode::OK, view))
}

/// Record that the client agreed to the goal, when, and in their own words.
#[utoipa::path(
    post,
    path = "/api/v1/goals/{id}/agreement",
    operation_id = "record_goal_agreement",
    tag = "goals",
    params(
        ("id" = i64, Path, description = "The goal"),
        ("If-Match" = String, Header, description = "The goal's ETag as read"),
    ),
    request_body = GoalAgreement,
    responses(
        (status = 200, body = Goal, headers(("ETag" = String, description = "The goal's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn record_goal_agreement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<GoalAgreement>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = AgreementForm {
        agreed_on: body.agreed_on,
        client_words: body.client_words,
    };
    let view = state
        .app
        .record_goal_agreement(caller.actor(), id, version, &form)
        .await?;
    Ok(goal_response(StatusCode::OK, view))
}
