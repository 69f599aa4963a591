//! Termination and follow-up: the case's termination record (written as a draft, handed in,
//! approved or returned by a supervisor of the case's team), its follow-up check-ins (done or
//! cancelled), and a program's follow-up schedule (admins). Changes carry the version read
//! (`If-Match`); a record not written yet has version 0.

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use casework_domain::plan::ApprovalForm;
use casework_domain::termination::{CheckInForm, TerminationForm};
use casework_service::follow_up::FollowUpRow;
use casework_service::termination::{ScheduleView, TerminationRow, TerminationView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_termination, save_termination))
        .routes(routes!(submit_termination))
        .routes(routes!(decide_termination))
        .routes(routes!(list_follow_ups))
        .routes(routes!(complete_follow_up))
        .routes(routes!(cancel_follow_up))
        .routes(routes!(show_schedule, set_schedule))
}

/// A termination record.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TerminationRecord {
    /// Null while nothing is written.
    pub id: Option<i64>,
    pub case_id: i64,
    /// none, draft, submitted, awaiting_approval, approved or returned.
    #[schema(example = "draft")]
    pub status: String,
    /// goals_achieved, partly_achieved, client_withdrew, moved, transferred, no_contact or other.
    pub reason: Option<String>,
    /// The reason in words, for `other`.
    pub reason_other: Option<String>,
    pub closing_summary: Option<String>,
    /// Growth and accomplishments.
    pub growth: Option<String>,
    /// Transition and aftercare plan.
    pub aftercare_plan: Option<String>,
    pub submitted_at: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
    /// Why a supervisor returned it.
    pub return_comment: Option<String>,
    /// Set on records set aside when the case was reopened.
    pub reopened_at: Option<String>,
    /// Send back as `If-Match: "<version>"`; 0 while nothing is written.
    pub version: i64,
}

fn record(r: TerminationRow) -> TerminationRecord {
    TerminationRecord {
        id: Some(r.id),
        case_id: r.case_id,
        status: r.status,
        reason: r.reason,
        reason_other: r.reason_other,
        closing_summary: r.closing_summary,
        growth: r.growth,
        aftercare_plan: r.aftercare_plan,
        submitted_at: r.submitted_at.map(timestamp),
        decided_by: r.decided_by,
        decided_at: r.decided_at.map(timestamp),
        return_comment: r.return_comment,
        reopened_at: r.reopened_at.map(timestamp),
        version: r.version,
    }
}

/// The case's termination: the current record and the earlier ones.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Termination {
    #[serde(flatten)]
    pub current: TerminationRecord,
    /// Does the case's program ask a supervisor to approve the closure?
    pub approval_required: bool,
    /// Records set aside when the case was reopened, newest first.
    pub earlier: Vec<TerminationRecord>,
}

impl From<TerminationView> for Termination {
    fn from(v: TerminationView) -> Termination {
        let case_id = v.case.id;
        Termination {
            current: match v.current {
                Some(r) => record(r),
                None => TerminationRecord {
                    id: None,
                    case_id,
                    status: "none".into(),
                    reason: None,
                    reason_other: None,
                    closing_summary: None,
                    growth: None,
                    aftercare_plan: None,
                    submitted_at: None,
                    decided_by: None,
                    decided_at: None,
                    return_comment: None,
                    reopened_at: None,
                    version: 0,
                },
            },
            approval_required: v.approval_required,
            earlier: v.earlier.into_iter().map(record).collect(),
        }
    }
}

/// The termination record as written; blank fields are allowed in a draft.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminationBody {
    #[serde(default)]
    pub reason: Option<String>,
    /// Required when `reason` is `other`.
    #[serde(default)]
    pub reason_other: Option<String>,
    #[serde(default)]
    pub closing_summary: Option<String>,
    #[serde(default)]
    pub growth: Option<String>,
    #[serde(default)]
    pub aftercare_plan: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminationDecision {
    /// `approve` or `return`.
    #[schema(example = "approve")]
    pub decision: String,
    /// Required for `return`.
    #[serde(default)]
    pub comment: Option<String>,
}

/// The case's termination record (status `none` and version 0 before one is written).
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/termination",
    operation_id = "show_termination",
    tag = "termination",
    params(("id" = i64, Path, description = "The case")),
    responses(
        (status = 200, body = Termination, headers(("ETag" = String, description = "The record's version"))),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_termination(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let v = state.app.termination(caller.actor(), id).await?;
    let version = v.version();
    Ok(with_etag(StatusCode::OK, version, Termination::from(v)))
}

/// Write the termination draft: `If-Match: "0"` starts it, otherwise the version read.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/termination",
    operation_id = "save_termination",
    tag = "termination",
    params(
        ("id" = i64, Path, description = "The case"),
        ("If-Match" = String, Header, description = "The record's ETag as read; \"0\" to start it"),
    ),
    request_body = TerminationBody,
    responses(
        (status = 200, body = TerminationRecord, headers(("ETag" = String, description = "The record's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn save_termination(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<TerminationBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = TerminationForm {
        reason: body.reason,
        reason_other: body.reason_other,
        closing_summary: body.closing_summary,
        growth: body.growth,
        aftercare_plan: body.aftercare_plan,
    };
    let r = state
        .app
        .save_termination(caller.actor(), id, version, &form)
        .await?;
    Ok(with_etag(StatusCode::OK, r.version, record(r)))
}

/// Hand the termination in: it waits for a supervisor where the program asks for approval.
/// It needs a reason and a closing summary.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/termination/submission",
    operation_id = "submit_termination",
    tag = "termination",
    params(
        ("id" = i64, Path, description = "The case"),
        ("If-Match" = String, Header, description = "The record's ETag as read"),
    ),
    responses(
        (status = 200, body = TerminationRecord, headers(("ETag" = String, description = "The record's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn submit_termination(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let r = state
        .app
        .submit_termination(caller.actor(), id, version)
        .await?;
    Ok(with_etag(StatusCode::OK, r.version, record(r)))
}

/// A supervisor of the case's team approves the termination or returns it with a comment
/// (403 for a caseworker).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/termination/approval",
    operation_id = "decide_termination",
    tag = "termination",
    params(
        ("id" = i64, Path, description = "The case"),
        ("If-Match" = String, Header, description = "The record's ETag as read"),
    ),
    request_body = TerminationDecision,
    responses(
        (status = 200, body = TerminationRecord, headers(("ETag" = String, description = "The record's new version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn decide_termination(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<TerminationDecision>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = ApprovalForm {
        decision: body.decision,
        comment: body.comment,
    };
    let r = state
        .app
        .decide_termination(caller.actor(), id, version, &form)
        .await?;
    Ok(with_etag(StatusCode::OK, r.version, record(r)))
}

/// A follow-up check-in.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub id: i64,
    pub case_id: i64,
    /// Days after closure.
    pub day_offset: i64,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub assigned_to: Option<i64>,
    /// open, done or cancelled.
    #[schema(example = "open")]
    pub status: String,
    pub contact_date: Option<String>,
    /// office, phone, video, home_visit or collateral.
    pub contact_mode: Option<String>,
    /// held, partly or not_held.
    pub change_held: Option<String>,
    pub new_needs: Option<String>,
    pub referrals: Option<String>,
    pub comment: Option<String>,
    /// "reopened" when the case was reopened.
    pub cancel_reason: Option<String>,
    pub closed_at: Option<String>,
    /// Send back as `If-Match: "<version>"`.
    pub version: i64,
}

impl From<FollowUpRow> for FollowUp {
    fn from(f: FollowUpRow) -> FollowUp {
        FollowUp {
            id: f.id,
            case_id: f.case_id,
            day_offset: f.day_offset,
            due_on: f.due_on,
            assigned_to: f.assigned_to,
            status: f.status,
            contact_date: f.contact_date,
            contact_mode: f.contact_mode,
            change_held: f.change_held,
            new_needs: f.new_needs,
            referrals: f.referrals,
            comment: f.comment,
            cancel_reason: f.cancel_reason,
            closed_at: f.closed_at.map(timestamp),
            version: f.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUpList {
    pub items: Vec<FollowUp>,
    pub next_cursor: Option<String>,
}

/// What a check-in found.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    /// `YYYY-MM-DD`, not in the future.
    pub contact_date: String,
    /// office, phone, video, home_visit or collateral.
    pub contact_mode: String,
    /// held, partly or not_held.
    pub change_held: String,
    #[serde(default)]
    pub new_needs: Option<String>,
    #[serde(default)]
    pub referrals: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationBody {
    /// Why the check-in will not happen.
    pub reason: String,
}

/// The case's follow-up check-ins, by id.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/follow-ups",
    operation_id = "list_follow_ups",
    tag = "termination",
    params(("id" = i64, Path, description = "The case"), PageQuery),
    responses((status = 200, body = FollowUpList), (status = 404, body = ErrorEnvelope))
)]
async fn list_follow_ups(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<FollowUpList>, ApiError> {
    let list = state
        .app
        .follow_ups(caller.actor(), id, q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(FollowUpList {
        items: list
            .follow_ups
            .items
            .into_iter()
            .map(FollowUp::from)
            .collect(),
        next_cursor: list.follow_ups.next_cursor,
    }))
}

/// Record what an open check-in found.
#[utoipa::path(
    post,
    path = "/api/v1/follow-ups/{id}/done",
    operation_id = "complete_follow_up",
    tag = "termination",
    params(
        ("id" = i64, Path, description = "The check-in"),
        ("If-Match" = String, Header, description = "The check-in's ETag as read"),
    ),
    request_body = CheckInBody,
    responses(
        (status = 200, body = FollowUp, headers(("ETag" = String, description = "The check-in's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn complete_follow_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<CheckInBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let form = CheckInForm {
        contact_date: body.contact_date,
        contact_mode: body.contact_mode,
        change_held: body.change_held,
        new_needs: body.new_needs,
        referrals: body.referrals,
        comment: body.comment,
    };
    let f = state
        .app
        .complete_follow_up(caller.actor(), id, version, &form)
        .await?;
    Ok(with_etag(StatusCode::OK, f.version, FollowUp::from(f)))
}

/// Cancel an open check-in, saying why.
#[utoipa::path(
    post,
    path = "/api/v1/follow-ups/{id}/cancellation",
    operation_id = "cancel_follow_up",
    tag = "termination",
    params(
        ("id" = i64, Path, description = "The check-in"),
        ("If-Match" = String, Header, description = "The check-in's ETag as read"),
    ),
    request_body = CancellationBody,
    responses(
        (status = 200, body = FollowUp, headers(("ETag" = String, description = "The check-in's new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn cancel_follow_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<CancellationBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let f = state
        .app
        .cancel_follow_up(caller.actor(), id, version, Some(&body.reason))
        .await?;
    Ok(with_etag(StatusCode::OK, f.version, FollowUp::from(f)))
}

/// A program's follow-up schedule.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUpSchedule {
    pub program_id: i64,
    /// Days after closure, ascending; empty for no follow-ups.
    #[schema(example = json!([30, 90, 180]))]
    pub days: Vec<u32>,
    /// Send back as `If-Match: "<version>"`; 0 while none is stored.
    pub version: i64,
}

impl From<ScheduleView> for FollowUpSchedule {
    fn from(s: ScheduleView) -> FollowUpSchedule {
        FollowUpSchedule {
            program_id: s.program.id,
            days: s.schedule.days().to_vec(),
            version: s.version,
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// Up to 10 days after closure, from 1 to 3650, ascending.
    pub days: Vec<i64>,
}

/// A program's follow-up schedule (admins).
#[utoipa::path(
    get,
    path = "/api/v1/programs/{id}/follow-up-schedule",
    operation_id = "show_follow_up_schedule",
    tag = "admin",
    params(("id" = i64, Path, description = "The program")),
    responses(
        (status = 200, body = FollowUpSchedule, headers(("ETag" = String, description = "The schedule's version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn show_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let s = state.app.follow_up_schedule(caller.actor(), id).await?;
    Ok(with_etag(
        StatusCode::OK,
        s.version,
        FollowUpSchedule::from(s),
    ))
}

/// Set a program's follow-up schedule (admins): `If-Match: "0"` when none is stored yet.
#[utoipa::path(
    put,
    path = "/api/v1/programs/{id}/follow-up-schedule",
    operation_id = "set_follow_up_schedule",
    tag = "admin",
    params(
        ("id" = i64, Path, description = "The program"),
        ("If-Match" = String, Header, description = "The schedule's ETag as read"),
    ),
    request_body = ScheduleBody,
    responses(
        (status = 200, body = FollowUpSchedule, headers(("ETag" = String, description = "The schedule's new version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn set_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<ScheduleBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let s = state
        .app
        .set_follow_up_schedule(caller.actor(), id, version, &body.days)
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        s.version,
        FollowUpSchedule::from(s),
    ))
}
