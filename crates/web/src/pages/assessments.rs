//! Assessments on a case: the list, a new one (saved as a draft or completed), a draft taken up
//! again, and one assessment as read.

use super::admin::Choice;
use super::instruments::instrument_name;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{moment, Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use casework_domain::assessment::{AssessmentForm, InstrumentKind, RiskLevel};
use casework_service::assessment::AssessmentDetail;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/assessments", get(list).post(create))
        .route("/cases/{id}/assessments/new", get(new))
        .route("/assessments/{id}", get(show))
        .route("/assessments/{id}/edit", get(edit).post(update))
}

/// Rows shown for needs and for strengths; blank ones are ignored.
const ROWS: usize = 5;

fn status_name(t: &T, status: &str) -> String {
    t.dynamic(&format!("assessment-status-{status}"))
}

fn risk_name(t: &T, level: &str) -> String {
    t.dynamic(&format!("assessment-risk-{level}"))
}

struct Line {
    id: i64,
    assessed_on: String,
    status: String,
    risk: Option<String>,
}

struct InstrumentLink {
    href: String,
    name: String,
}

#[derive(Template)]
#[template(path = "assessments/list.html")]
struct ListPage {
    t: T,
    page: Chrome,
    case_id: i64,
    lines: Vec<Line>,
    instruments: Vec<InstrumentLink>,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let rows = state.app.assessments(staff.actor(), id).await?;
    let lines = rows
        .into_iter()
        .map(|a| Line {
            id: a.id,
            assessed_on: a.assessed_on,
            status: status_name(&t, &a.status),
            risk: a.risk_level.as_deref().map(|r| risk_name(&t, r)),
        })
        .collect();
    let instruments = InstrumentKind::ALL
        .into_iter()
        .map(|k| InstrumentLink {
            href: format!("/cases/{id}/instruments/{}", k.as_str()),
            name: instrument_name(&t, k),
        })
        .collect();
    Ok(Html(
        ListPage {
            page: Chrome::new(&staff.visitor, &format!("/cases/{id}/assessments")),
            case_id: id,
            lines,
            instruments,
            t,
        }
        .render()?,
    ))
}

/// The form as shown or last submitted.
#[derive(Default)]
struct Draft {
    assessed_on: String,
    situation: String,
    background: String,
    needs: Vec<String>,
    strengths: Vec<String>,
    resources: String,
    limitations: String,
    risk_level: String,
    risk_details: String,
    client_words: String,
}

impl Draft {
    fn padded(mut self) -> Draft {
        for list in [&mut self.needs, &mut self.strengths] {
            let blank = list.iter().filter(|s| s.trim().is_empty()).count();
            list.extend(std::iter::repeat_n(
                String::new(),
                2usize.saturating_sub(blank),
            ));
            while list.len() < ROWS {
                list.push(String::new());
            }
        }
        self
    }

    fn of_detail(d: &AssessmentDetail) -> Draft {
        let a = &d.assessment;
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        Draft {
            assessed_on: a.assessed_on.clone(),
            situation: text(&a.situation),
            background: text(&a.background),
            needs: d.needs.iter().map(|n| n.description.clone()).collect(),
            strengths: d.strengths.iter().map(|n| n.description.clone()).collect(),
            resources: text(&a.resources),
            limitations: text(&a.limitations),
            risk_level: text(&a.risk_level),
            risk_details: text(&a.risk_details),
            client_words: text(&a.client_words),
        }
    }

    fn form(&self) -> AssessmentForm {
        let text = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
        AssessmentForm {
            assessed_on: self.assessed_on.clone(),
            situation: text(&self.situation),
            background: text(&self.background),
            needs: self.needs.clone(),
            strengths: self.strengths.clone(),
            resources: text(&self.resources),
            limitations: text(&self.limitations),
            risk_level: text(&self.risk_level),
            risk_details: text(&self.risk_details),
            client_words: text(&self.client_words),
        }
    }
}

#[derive(Template)]
#[template(path = "assessments/form.html")]
struct FormPage {
    t: T,
    page: Chrome,
    case_id: i64,
    /// Where the form posts.
    action: String,
    /// Set when taking up a draft.
    version: Option<i64>,
    draft: Draft,
    risk_levels: Vec<Choice>,
    problem: Problem,
}

const FIELDS: &[&str] = &[
    "assessed_on",
    "situation",
    "background",
    "needs",
    "strengths",
    "resources",
    "limitations",
    "risk_level",
    "risk_details",
    "client_words",
];

fn form_page(
    staff: &Staff,
    case_id: i64,
    action: String,
    version: Option<i64>,
    draft: Draft,
    problem: Problem,
) -> Result<String, PageError> {
    let t = staff.t();
    let mut risk_levels = vec![Choice {
        value: String::new(),
        label: t.get("assessment-risk-not-set"),
        selected: draft.risk_level.is_empty(),
    }];
    risk_levels.extend(RiskLevel::ALL.into_iter().map(|r| Choice {
        value: r.as_str().to_string(),
        label: risk_name(&t, r.as_str()),
        selected: draft.risk_level == r.as_str(),
    }));
    Ok(FormPage {
        page: Chrome::new(&staff.visitor, &action),
        case_id,
        action,
        version,
        draft: draft.padded(),
        risk_levels,
        problem,
        t,
    }
    .render()?)
}

async fn new(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    // Only someone who may read the case sees its form.
    state.app.assessments(staff.actor(), id).await?;
    let draft = Draft {
        assessed_on: state.app.today().to_string(),
        ..Draft::default()
    };
    Ok(Html(form_page(
        &staff,
        id,
        format!("/cases/{id}/assessments"),
        None,
        draft,
        Problem::none(),
    )?))
}

/// The posted form: repeated `needs` and `strengths` fields, and which button was pressed.
fn draft_of(fields: &[(String, String)]) -> (Draft, bool, Option<String>) {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |name: &str| {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let draft = Draft {
        assessed_on: one("assessed_on"),
        situation: one("situation"),
        background: one("background"),
        needs: all("needs"),
        strengths: all("strengths"),
        resources: one("resources"),
        limitations: one("limitations"),
        risk_level: one("risk_level"),
        risk_details: one("risk_details"),
        client_words: one("client_words"),
    };
    let complete = one("action") == "complete";
    let version = fields
        .iter()
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v.clone());
    (draft, complete, version)
}

/// The form field a service error names: `needs[2]` is shown at the needs.
fn problem_of(e: ServiceError, t: &T) -> Result<(axum::http::StatusCode, Problem), PageError> {
    let named = e
        .field()
        .map(|f| f.split('[').next().unwrap_or(f).to_string());
    let (status, mut problem) = Problem::from_service(e, t, FIELDS)?;
    if let Some(f) = named.filter(|f| FIELDS.contains(&f.as_str())) {
        problem.field = Some(f);
    }
    Ok((status, problem))
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (draft, complete, _) = draft_of(&fields);
    match state
        .app
        .save_assessment(staff.actor(), id, &draft.form(), complete)
        .await
    {
        Ok(d) => Ok(Redirect::to(&format!("/assessments/{}", d.assessment.id)).into_response()),
        Err(e) => {
            let (status, problem) = problem_of(e, &staff.t())?;
            let html = form_page(
                &staff,
                id,
                format!("/cases/{id}/assessments"),
                None,
                draft,
                problem,
            )?;
            Ok((status, Html(html)).into_response())
        }
    }
}

async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = state.app.assessment(staff.actor(), id).await?;
    if d.assessment.status != "draft" {
        return Ok(Redirect::to(&format!("/assessments/{id}")).into_response());
    }
    let html = form_page(
        &staff,
        d.assessment.case_id,
        format!("/assessments/{id}/edit"),
        Some(d.assessment.version),
        Draft::of_detail(&d),
        Problem::none(),
    )?;
    Ok(Html(html).into_response())
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (draft, complete, version) = draft_of(&fields);
    let version = version.and_then(|v| v.trim().parse::<i64>().ok());
    let saved = match version {
        None => Err(ServiceError::Stale),
        Some(v) => {
            state
                .app
                .update_assessment(staff.actor(), id, v, &draft.form(), complete)
                .await
        }
    };
    match saved {
        Ok(d) => Ok(Redirect::to(&format!("/assessments/{}", d.assessment.id)).into_response()),
        Err(e) => {
            let (status, problem) = problem_of(e, &staff.t())?;
            let current = state.app.assessment(staff.actor(), id).await?;
            let html = form_page(
                &staff,
                current.assessment.case_id,
                format!("/assessments/{id}/edit"),
                Some(current.assessment.version),
                draft,
                problem,
            )?;
            Ok((status, Html(html)).into_response())
        }
    }
}

struct Section {
    label: String,
    text: Option<String>,
}

#[derive(Template)]
#[template(path = "assessments/show.html")]
struct ShowPage {
    t: T,
    page: Chrome,
    id: i64,
    case_id: i64,
    status: String,
    is_draft: bool,
    assessed_on: String,
    completed: Option<String>,
    risk: Option<String>,
    risk_details: Option<String>,
    client_words: Option<String>,
    needs: Vec<String>,
    strengths: Vec<String>,
    sections: Vec<Section>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let d = state.app.assessment(staff.actor(), id).await?;
    let a = d.assessment;
    let sections = [
        ("assessment-situation", a.situation),
        ("assessment-background", a.background),
        ("assessment-resources", a.resources),
        ("assessment-limitations", a.limitations),
    ]
    .into_iter()
    .map(|(label, text)| Section {
        label: t.dynamic(label),
        text,
    })
    .collect();
    Ok(Html(
        ShowPage {
            page: Chrome::new(&staff.visitor, &format!("/assessments/{id}")),
            id,
            case_id: a.case_id,
            status: status_name(&t, &a.status),
            is_draft: a.status == "draft",
            assessed_on: a.assessed_on,
            completed: a.completed_at.map(moment),
            risk: a.risk_level.as_deref().map(|r| risk_name(&t, r)),
            risk_details: a.risk_details,
            client_words: a.client_words,
            needs: d.needs.into_iter().map(|n| n.description).collect(),
            strengths: d.strengths.into_iter().map(|s| s.description).collect(),
            sections,
            t,
        }
        .render()?,
    ))
}
