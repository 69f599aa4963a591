//! Need-to-know reach beyond a case's own people, as pages: the case's sharing page (current and
//! past shares, a form to share with an end date, ending a share early, the case's
//! break-the-glass accesses), the break-the-glass page (open a case by number in an emergency,
//! with a stated reason) and the supervisor's review list of break-the-glass accesses.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{moment, Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::sharing::{ReviewForm, ShareForm, Verdict};
use casework_service::sharing::BreakGlassRow;
use casework_service::{Cursor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/sharing", get(show_sharing).post(share))
        .route("/cases/{id}/sharing/{share}/end", post(end_share))
        .route("/break-glass", get(open_by_number))
        .route(
            "/cases/{id}/break-glass",
            get(show_break_glass).post(break_glass),
        )
        .route("/break-glass/reviews", get(show_reviews))
        .route("/break-glass/{id}/review", post(review))
}

struct Choice {
    value: String,
    label: String,
}

struct ShareLine {
    id: i64,
    version: i64,
    worker: String,
    reason: String,
    starts_on: String,
    ends_on: String,
    state: String,
    current: bool,
}

struct GlassLine {
    id: i64,
    version: i64,
    case_id: i64,
    who: String,
    reason: String,
    opened: String,
    expires: String,
    expired: bool,
    review: Option<String>,
}

fn glass_line(t: &T, b: &BreakGlassRow, now: i64) -> GlassLine {
    GlassLine {
        id: b.id,
        version: b.version,
        case_id: b.case_id,
        who: b.user_name.clone(),
        reason: b.reason.clone(),
        opened: moment(b.opened_at),
        expires: moment(b.expires_at),
        expired: b.expires_at <= now,
        review: b.verdict.as_deref().map(|v| {
            let words = t.dynamic(&format!("sharing-verdict-{v}"));
            match &b.review_comment {
                Some(c) => format!("{words}: {c}"),
                None => words,
            }
        }),
    }
}

#[derive(Default)]
struct Typed {
    worker_id: String,
    ends_on: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "sharing/case.html")]
struct SharingPage {
    t: T,
    page: Chrome,
    case_id: i64,
    shares: Vec<ShareLine>,
    glass: Vec<GlassLine>,
    can_share: bool,
    workers: Vec<Choice>,
    today: String,
    last_day: String,
    typed: Typed,
    problem: Problem,
    notice: Option<String>,
}

async fn sharing_page(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    typed: Typed,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let s = state.app.case_sharing(staff.actor(), case_id).await?;
    let workers = if s.can_share {
        state
            .app
            .workers(staff.actor())
            .await?
            .into_iter()
            .filter(|w| w.id != staff.actor().user_id)
            .map(|w| Choice {
                value: w.id.to_string(),
                label: format!("{} ({})", w.display_name, t.role(&w.role)),
            })
            .collect()
    } else {
        Vec::new()
    };
    let today = state.app.today();
    let now = state.app.now_ms();
    let page = SharingPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/sharing")),
        case_id: s.case_id,
        shares: s
            .shares
            .iter()
            .map(|v| ShareLine {
                id: v.share.id,
                version: v.share.version,
                worker: v.share.worker_name.clone(),
                reason: v.share.reason.clone(),
                starts_on: v.share.starts_on.clone(),
                ends_on: v.share.ends_on.clone(),
                state: if v.current {
                    t.get("sharing-state-current")
                } else if v.share.ended_at.is_some() {
                    t.get("sharing-state-ended")
                } else {
                    t.get("sharing-state-past")
                },
                current: v.current,
            })
            .collect(),
        glass: s
            .break_glass
            .iter()
            .map(|b| glass_line(&t, b, now))
            .collect(),
        can_share: s.can_share,
        workers,
        today: today.to_string(),
        last_day: (today + time::Duration::days(casework_domain::sharing::SHARE_MAX_DAYS))
            .to_string(),
        typed,
        problem,
        notice,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show_sharing(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("shared") => Some(t.get("sharing-notice-shared")),
        Some("ended") => Some(t.get("sharing-notice-ended")),
        _ => None,
    };
    Ok(Html(
        sharing_page(
            &state,
            &staff,
            case_id,
            Typed::default(),
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct ShareFields {
    #[serde(default)]
    worker_id: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    reason: String,
}

async fn share(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(f): Form<ShareFields>,
) -> Result<Response, PageError> {
    let form = ShareForm {
        worker_id: f.worker_id.trim().parse().ok(),
        ends_on: f.ends_on.clone(),
        reason: f.reason.clone(),
    };
    match state.app.share_case(staff.actor(), case_id, &form).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/cases/{case_id}/sharing?notice=shared")).into_response())
        }
        Err(e) => {
            let (status, problem) =
                Problem::from_service(e, &staff.t(), &["worker_id", "ends_on", "reason"])?;
            let typed = Typed {
                worker_id: f.worker_id,
                ends_on: f.ends_on,
                reason: f.reason,
            };
            let html = sharing_page(&state, &staff, case_id, typed, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct VersionField {
    #[serde(default)]
    version: String,
}

async fn end_share(
    State(state): State<AppState>,
    staff: Staff,
    Path((case_id, share_id)): Path<(i64, i64)>,
    Form(f): Form<VersionField>,
) -> Result<Response, PageError> {
    let result = match f.version.trim().parse::<i64>() {
        Ok(v) => state.app.end_share(staff.actor(), share_id, v).await,
        Err(_) => Err(ServiceError::Stale),
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/cases/{case_id}/sharing?notice=ended")).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &[])?;
            let html =
                sharing_page(&state, &staff, case_id, Typed::default(), problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "sharing/break_glass.html")]
struct BreakGlassPage {
    t: T,
    page: Chrome,
    case_id: i64,
    reason: String,
    problem: Problem,
}

fn break_glass_page(
    staff: &Staff,
    case_id: i64,
    reason: String,
    problem: Problem,
) -> Result<String, PageError> {
    Ok(BreakGlassPage {
        t: staff.t(),
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/break-glass")),
        case_id,
        reason,
        problem,
    }
    .render()?)
}

#[derive(Debug, serde::Deserialize)]
struct CaseNumber {
    #[serde(default)]
    case: String,
}

/// "Open a case by number in an emergency": the caseload's small form lands here.
async fn open_by_number(
    State(_state): State<AppState>,
    staff: Staff,
    Query(q): Query<CaseNumber>,
) -> Result<Response, PageError> {
    match q.case.trim().trim_start_matches('#').parse::<i64>() {
        Ok(id) if id > 0 => Ok(Redirect::to(&format!("/cases/{id}/break-glass")).into_response()),
        _ => {
            let t = staff.t();
            let problem = Problem {
                others: Vec::new(),
                field: Some("case".into()),
                message: Some(t.get("break-glass-case-invalid")),
            };
            let html = BreakGlassNumberPage {
                page: Chrome::new(&staff.visitor, "/break-glass"),
                t,
                problem,
                typed: q.case.chars().take(20).collect(),
            }
            .render()?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "sharing/by_number.html")]
struct BreakGlassNumberPage {
    t: T,
    page: Chrome,
    problem: Problem,
    /// What was typed, shown again to be corrected.
    typed: String,
}

/// The form only: whether the case exists is not said until the reason is given.
async fn show_break_glass(
    staff: Staff,
    Path(case_id): Path<i64>,
) -> Result<Html<String>, PageError> {
    Ok(Html(break_glass_page(
        &staff,
        case_id,
        String::new(),
        Problem::none(),
    )?))
}

#[derive(Debug, serde::Deserialize)]
struct ReasonField {
    #[serde(default)]
    reason: String,
}

async fn break_glass(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(f): Form<ReasonField>,
) -> Result<Response, PageError> {
    match state
        .app
        .break_glass(staff.actor(), case_id, &f.reason)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{case_id}")).into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["reason"])?;
            let html = break_glass_page(&staff, case_id, f.reason, problem)?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "sharing/reviews.html")]
struct ReviewsPage {
    t: T,
    page: Chrome,
    lines: Vec<GlassLine>,
    next: Option<String>,
    verdicts: Vec<Choice>,
    /// The access whose review went wrong.
    at: Option<i64>,
    problem: Problem,
    notice: Option<String>,
}

impl ReviewsPage {
    fn shown_at(&self, id: &i64) -> bool {
        self.at == Some(*id)
    }
}

async fn reviews_page(
    state: &AppState,
    staff: &Staff,
    cursor: Option<&str>,
    at: Option<i64>,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let cursor = Cursor::parse(cursor).map_err(ServiceError::Invalid)?;
    let list = state
        .app
        .break_glass_reviews(staff.actor(), cursor, Some(50))
        .await?;
    let now = state.app.now_ms();
    Ok(ReviewsPage {
        page: Chrome::new(&staff.visitor, "/break-glass/reviews"),
        lines: list
            .items
            .iter()
            .map(|v| glass_line(&t, &v.access, now))
            .collect(),
        next: list.next_cursor,
        verdicts: [Verdict::Justified, Verdict::NotJustified]
            .iter()
            .map(|v| Choice {
                value: v.as_str().to_string(),
                label: t.dynamic(&format!("sharing-verdict-{}", v.as_str())),
            })
            .collect(),
        at,
        problem,
        notice,
        t,
    }
    .render()?)
}

#[derive(Debug, serde::Deserialize)]
struct ReviewsQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

async fn show_reviews(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ReviewsQuery>,
) -> Result<Html<String>, PageError> {
    let notice =
        (q.notice.as_deref() == Some("reviewed")).then(|| staff.t().get("sharing-notice-reviewed"));
    Ok(Html(
        reviews_page(
            &state,
            &staff,
            q.cursor.as_deref(),
            None,
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct ReviewFields {
    #[serde(default)]
    version: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    comment: String,
}

async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<ReviewFields>,
) -> Result<Response, PageError> {
    let form = ReviewForm {
        verdict: f.verdict,
        comment: f.comment,
    };
    let result = match f.version.trim().parse::<i64>() {
        Ok(v) => {
            state
                .app
                .review_break_glass(staff.actor(), id, v, &form)
                .await
        }
        Err(_) => Err(ServiceError::Stale),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/break-glass/reviews?notice=reviewed").into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["verdict", "comment"])?;
            let html = reviews_page(&state, &staff, None, Some(id), problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
