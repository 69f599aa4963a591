//! Services delivered on a case: the list (newest first, paged, records entered in error shown
//! struck through with their reason), the form to record one, and a record's page with its
//! correction form and the form to mark it entered in error.

use super::admin::Choice;
use super::chart::number;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::delivery::{ErrorForm, Provider, ServiceForm, ServiceKind};
use casework_service::delivery::ServiceRow;
use casework_service::plan::{GoalRow, InterventionRow};
use casework_service::{Cursor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/services", get(list).post(record))
        .route("/services/{id}", get(show).post(update))
        .route("/services/{id}/entered-in-error", post(mark_in_error))
}

pub(crate) fn kind_name(t: &T, kind: &str) -> String {
    t.dynamic(&format!("service-kind-{}", kind.replace('_', "-")))
}

/// A record in words, for the list and its own page.
pub(crate) struct ServiceLine {
    pub id: i64,
    pub delivered_on: String,
    pub kind: String,
    pub provider: String,
    pub units: String,
    pub goal: Option<String>,
    pub intervention: Option<String>,
    pub note: Option<String>,
    pub in_error: bool,
    pub error_reason: Option<String>,
}

fn line_of(
    t: &T,
    s: &ServiceRow,
    goals: &[GoalRow],
    interventions: &[InterventionRow],
) -> ServiceLine {
    let kind = match (&s.other_kind, s.kind.as_str()) {
        (Some(other), "other") => format!("{}: {other}", kind_name(t, "other")),
        (_, k) => kind_name(t, k),
    };
    let provider = match &s.provider_name {
        Some(name) if s.provider == "other" => name.clone(),
        _ => t.dynamic(&format!("service-provider-{}", s.provider)),
    };
    ServiceLine {
        id: s.id,
        delivered_on: s.delivered_on.clone(),
        kind,
        provider,
        units: format!("{} {}", number(s.units), s.unit_name),
        goal: s.goal_id.map(|id| {
            goals
                .iter()
                .find(|g| g.id == id)
                .and_then(|g| g.statement.clone())
                .unwrap_or_else(|| format!("#{id}"))
        }),
        intervention: s.intervention_id.map(|id| {
            interventions
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.description.clone())
                .unwrap_or_else(|| format!("#{id}"))
        }),
        note: s.note.clone(),
        in_error: s.in_error(),
        error_reason: s.error_reason.clone(),
    }
}

/// The form's fields as typed (or as stored, to correct), shown back after a refusal.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct ServicePost {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    other_kind: String,
    #[serde(default)]
    delivered_on: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    provider_name: String,
    #[serde(default)]
    units: String,
    #[serde(default)]
    unit_name: String,
    #[serde(default)]
    goal_id: String,
    #[serde(default)]
    intervention_id: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: String,
}

fn text(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}

/// A chosen id: blank is none; anything unreadable is an id no case has, so it is refused by
/// name rather than dropped.
fn chosen(raw: &str) -> Option<i64> {
    match raw.trim() {
        "" => None,
        s => Some(s.parse().unwrap_or(-1)),
    }
}

impl ServicePost {
    fn form(&self) -> ServiceForm {
        ServiceForm {
            kind: self.kind.clone(),
            other_kind: text(&self.other_kind),
            delivered_on: self.delivered_on.clone(),
            provider: self.provider.clone(),
            provider_name: text(&self.provider_name),
            // Blank or not a number: refused as units_invalid.
            units: self.units.trim().parse().unwrap_or(f64::NAN),
            unit_name: self.unit_name.clone(),
            goal_id: chosen(&self.goal_id),
            intervention_id: chosen(&self.intervention_id),
            note: text(&self.note),
        }
    }

    fn of_row(s: &ServiceRow) -> ServicePost {
        ServicePost {
            kind: s.kind.clone(),
            other_kind: s.other_kind.clone().unwrap_or_default(),
            delivered_on: s.delivered_on.clone(),
            provider: s.provider.clone(),
            provider_name: s.provider_name.clone().unwrap_or_default(),
            units: number(s.units),
            unit_name: s.unit_name.clone(),
            goal_id: s.goal_id.map(|g| g.to_string()).unwrap_or_default(),
            intervention_id: s.intervention_id.map(|i| i.to_string()).unwrap_or_default(),
            note: s.note.clone().unwrap_or_default(),
            version: s.version.to_string(),
        }
    }

    fn fresh(today: &str) -> ServicePost {
        ServicePost {
            kind: "counselling".into(),
            delivered_on: today.to_string(),
            provider: "worker".into(),
            unit_name: String::new(),
            ..ServicePost::default()
        }
    }
}

/// What the service form's fields show: the values and the choices.
pub(crate) struct ServiceFields {
    draft: ServicePost,
    kinds: Vec<Choice>,
    providers: Vec<Choice>,
    goals: Vec<Choice>,
    interventions: Vec<Choice>,
    today: String,
    problem: Problem,
}

impl ServiceFields {
    fn new(
        t: &T,
        draft: ServicePost,
        goals: &[GoalRow],
        interventions: &[InterventionRow],
        today: String,
        problem: Problem,
    ) -> ServiceFields {
        let none = |label: String, selected: bool| Choice {
            value: String::new(),
            label,
            selected,
        };
        let mut goal_choices = vec![none(t.get("service-link-none"), draft.goal_id.is_empty())];
        goal_choices.extend(
            goals
                .iter()
                .filter(|g| g.status != "draft")
                .map(|g| Choice {
                    value: g.id.to_string(),
                    label: g.statement.clone().unwrap_or_else(|| format!("#{}", g.id)),
                    selected: draft.goal_id == g.id.to_string(),
                }),
        );
        let mut intervention_choices = vec![none(
            t.get("service-link-none"),
            draft.intervention_id.is_empty(),
        )];
        intervention_choices.extend(interventions.iter().map(|i| Choice {
            value: i.id.to_string(),
            label: i.description.clone(),
            selected: draft.intervention_id == i.id.to_string(),
        }));
        ServiceFields {
            kinds: ServiceKind::ALL
                .iter()
                .map(|k| Choice {
                    value: k.as_str().to_string(),
                    label: kind_name(t, k.as_str()),
                    selected: draft.kind == k.as_str(),
                })
                .collect(),
            providers: Provider::KINDS
                .iter()
                .map(|p| Choice {
                    value: p.to_string(),
                    label: t.dynamic(&format!("service-provider-{p}")),
                    selected: draft.provider == *p,
                })
                .collect(),
            goals: goal_choices,
            interventions: intervention_choices,
            draft,
            today,
            problem,
        }
    }
}

const FIELDS: &[&str] = &[
    "kind",
    "other_kind",
    "delivered_on",
    "provider",
    "provider_name",
    "units",
    "unit_name",
    "goal_id",
    "intervention_id",
    "note",
];

#[derive(Template)]
#[template(path = "monitoring/services.html")]
struct ServicesPage {
    t: T,
    page: Chrome,
    case_id: i64,
    lines: Vec<ServiceLine>,
    next_cursor: Option<String>,
    can_record: bool,
    fields: ServiceFields,
    notice: Option<String>,
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    cursor: Option<&str>,
    draft: Option<ServicePost>,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let cursor = Cursor::parse(cursor).map_err(ServiceError::Invalid)?;
    let v = state
        .app
        .services(staff.actor(), case_id, cursor, None)
        .await?;
    let today = state.app.today().to_string();
    let lines = v
        .page
        .items
        .iter()
        .map(|s| line_of(&t, s, &v.goals, &v.interventions))
        .collect();
    let draft = draft.unwrap_or_else(|| ServicePost::fresh(&today));
    let page = ServicesPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/services")),
        case_id: v.case.id,
        lines,
        next_cursor: v.page.next_cursor.clone(),
        can_record: v.can_record,
        fields: ServiceFields::new(&t, draft, &v.goals, &v.interventions, today, problem),
        notice,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

fn notice_of(t: &T, notice: Option<&str>) -> Option<String> {
    match notice {
        Some("recorded") => Some(t.get("service-notice-recorded")),
        Some("corrected") => Some(t.get("service-notice-corrected")),
        Some("entered-in-error") => Some(t.get("service-notice-entered-in-error")),
        _ => None,
    }
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let notice = notice_of(&staff.t(), q.notice.as_deref());
    Ok(Html(
        list_page(
            &state,
            &staff,
            case_id,
            q.cursor.as_deref(),
            None,
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

async fn record(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<ServicePost>,
) -> Result<Response, PageError> {
    match state
        .app
        .record_service(staff.actor(), case_id, &post.form())
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/cases/{case_id}/services?notice=recorded")).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), FIELDS)?;
            let html = list_page(&state, &staff, case_id, None, Some(post), problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring/service.html")]
struct ServicePage {
    t: T,
    page: Chrome,
    case_id: i64,
    service_id: i64,
    version: i64,
    line: ServiceLine,
    can_record: bool,
    fields: ServiceFields,
    reason: String,
    reason_problem: Problem,
    notice: Option<String>,
}

async fn service_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    draft: Option<ServicePost>,
    problem: Problem,
    reason_problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let v = state.app.delivered_service(staff.actor(), id).await?;
    let line = line_of(&t, &v.service, &v.goals, &v.interventions);
    let draft = draft.unwrap_or_else(|| ServicePost::of_row(&v.service));
    let today = state.app.today().to_string();
    let page = ServicePage {
        page: Chrome::new(&staff.visitor, &format!("/services/{id}")),
        case_id: v.case.id,
        service_id: v.service.id,
        version: v.service.version,
        can_record: v.can_record && !v.service.in_error(),
        fields: ServiceFields::new(&t, draft, &v.goals, &v.interventions, today, problem),
        reason: String::new(),
        reason_problem,
        line,
        notice,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct ShowQuery {
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, PageError> {
    let notice = notice_of(&staff.t(), q.notice.as_deref());
    Ok(Html(
        service_page(
            &state,
            &staff,
            id,
            None,
            Problem::none(),
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<ServicePost>,
) -> Result<Response, PageError> {
    let done = match post.version.trim().parse::<i64>() {
        Ok(version) => {
            state
                .app
                .update_service(staff.actor(), id, version, &post.form())
                .await
        }
        Err(_) => Err(ServiceError::Stale),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/services/{id}?notice=corrected")).into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), FIELDS)?;
            let html = service_page(
                &state,
                &staff,
                id,
                Some(post),
                problem,
                Problem::none(),
                None,
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ErrorPost {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

async fn mark_in_error(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<ErrorPost>,
) -> Result<Response, PageError> {
    let form = ErrorForm {
        reason: post.reason,
    };
    let version = post.version.trim().parse::<i64>().ok();
    match state
        .app
        .mark_service_in_error(staff.actor(), id, version, &form)
        .await
    {
        Ok(s) => Ok(Redirect::to(&format!(
            "/cases/{}/services?notice=entered-in-error",
            s.case_id
        ))
        .into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["reason"])?;
            let html =
                service_page(&state, &staff, id, None, Problem::none(), problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
