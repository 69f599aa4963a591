//! Standard instruments on a case: the PHQ-9 and GAD-7 as labelled radio groups (0–3 per item),
//! the self-sufficiency matrix as a choice of 1–5 per domain; the score and band after saving,
//! and a server-drawn SVG chart of scores over time with a table as its text alternative.

use super::admin::Choice;
use super::chart::Chart;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use casework_domain::assessment::{InstrumentForm, InstrumentKind, RatingForm};
use casework_domain::instrument::{Gad7, Phq9, SsmDomain, SsmRating};
use casework_service::assessment::InstrumentResult;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/cases/{id}/instruments/{instrument}",
        get(show).post(record),
    )
}

fn kind_of(raw: &str) -> Result<InstrumentKind, PageError> {
    raw.parse().map_err(|_| PageError::not_found())
}

fn items_of(kind: InstrumentKind) -> usize {
    match kind {
        InstrumentKind::Phq9 => Phq9::ITEMS,
        InstrumentKind::Gad7 => Gad7::ITEMS,
        InstrumentKind::Ssm => 0,
    }
}

/// The highest score the chart's axis reaches, and the lowest.
fn range_of(kind: InstrumentKind) -> (f64, f64) {
    match kind {
        InstrumentKind::Phq9 => (0.0, f64::from(Phq9::MAX_TOTAL)),
        InstrumentKind::Gad7 => (0.0, f64::from(Gad7::MAX_TOTAL)),
        InstrumentKind::Ssm => (1.0, 5.0),
    }
}

pub(crate) fn instrument_name(t: &T, kind: InstrumentKind) -> String {
    t.dynamic(&format!("assessment-instrument-{}", kind.as_str()))
}

fn band_name(t: &T, band: &str) -> String {
    t.dynamic(&format!("assessment-band-{band}"))
}

fn score_text(r: &InstrumentResult) -> String {
    match r.total {
        Some(total) => total.to_string(),
        None => format!("{:.1}", r.score),
    }
}

struct RadioChoice {
    id: String,
    value: String,
    label: String,
    checked: bool,
}

struct Question {
    /// The form field: `answer_3`.
    field: String,
    /// The element id prefix: `answer-3`.
    id: String,
    number: usize,
    text: String,
    choices: Vec<RadioChoice>,
    problem: Option<String>,
}

struct DomainRow {
    field: String,
    id: String,
    label: String,
    choices: Vec<Choice>,
    problem: Option<String>,
}

struct Outcome {
    score: String,
    band: Option<String>,
    safety_alert: bool,
    taken_on: String,
}

struct HistoryLine {
    taken_on: String,
    score: String,
    band: Option<String>,
    safety_alert: bool,
}

/// The chart of scores over time, on the instrument's whole scale.
fn chart_of(kind: InstrumentKind, history: &[InstrumentResult]) -> Option<Chart> {
    let (min, max) = range_of(kind);
    let values: Vec<(String, f64)> = history
        .iter()
        .map(|r| (format!("{}: {}", r.taken_on, score_text(r)), r.score))
        .collect();
    Chart::draw(&values, min, max, &[])
}

#[derive(Template)]
#[template(path = "assessments/instrument.html")]
struct InstrumentPage {
    t: T,
    page: Chrome,
    case_id: i64,
    instrument: String,
    name: String,
    is_ssm: bool,
    questions: Vec<Question>,
    domains: Vec<DomainRow>,
    taken_on: String,
    taken_on_problem: Option<String>,
    problem: Problem,
    outcome: Option<Outcome>,
    history: Vec<HistoryLine>,
    chart: Option<Chart>,
}

/// What was last submitted: answers by item, ratings by domain.
#[derive(Default)]
struct Draft {
    answers: Vec<Option<i64>>,
    ratings: Vec<(SsmDomain, i64)>,
    taken_on: Option<String>,
}

/// The form field a service error names: `answers[3]` -> `answer_3`, `ratings[1].rating` -> the
/// second rated domain's field.
fn field_of(kind: InstrumentKind, named: &str, draft: &Draft) -> Option<String> {
    if named == "taken_on" {
        return Some("taken_on".into());
    }
    match kind {
        InstrumentKind::Phq9 | InstrumentKind::Gad7 => {
            let i: usize = named
                .strip_prefix("answers[")?
                .strip_suffix(']')?
                .parse()
                .ok()?;
            Some(format!("answer_{i}"))
        }
        InstrumentKind::Ssm => {
            let rest = named.strip_prefix("ratings[")?;
            let i: usize = rest.split(']').next()?.parse().ok()?;
            let (domain, _) = draft.ratings.get(i)?;
            Some(format!("rating_{}", domain.as_str()))
        }
    }
}

async fn render(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    kind: InstrumentKind,
    draft: Draft,
    problem: Problem,
    recorded: Option<i64>,
) -> Result<String, PageError> {
    let t = staff.t();
    let history = state
        .app
        .instrument_history(staff.actor(), case_id, kind.as_str())
        .await?;
    let at = |field: &str| problem.at(field).map(str::to_string);
    let answer_labels = [0, 1, 2, 3].map(|v| t.dynamic(&format!("assessment-answer-{v}")));
    let questions = (0..items_of(kind))
        .map(|i| {
            let field = format!("answer_{i}");
            let given = draft.answers.get(i).copied().flatten();
            Question {
                id: format!("answer-{i}"),
                number: i + 1,
                text: t.dynamic(&format!("assessment-{}-item-{}", kind.as_str(), i + 1)),
                choices: (0..=3)
                    .map(|v| RadioChoice {
                        id: format!("answer-{i}-{v}"),
                        value: v.to_string(),
                        label: format!("{v} · {}", answer_labels[v as usize]),
                        checked: given == Some(v),
                    })
                    .collect(),
                problem: at(&field),
                field,
            }
        })
        .collect();
    let domains = if kind == InstrumentKind::Ssm {
        SsmDomain::ALL
            .into_iter()
            .map(|d| {
                let field = format!("rating_{}", d.as_str());
                let given = draft
                    .ratings
                    .iter()
                    .find(|(rd, _)| *rd == d)
                    .map(|(_, r)| *r);
                let mut choices = vec![Choice {
                    value: String::new(),
                    label: t.get("assessment-ssm-not-rated"),
                    selected: given.is_none(),
                }];
                choices.extend(SsmRating::ALL.into_iter().map(|r| Choice {
                    value: r.value().to_string(),
                    label: format!(
                        "{} · {}",
                        r.value(),
                        t.dynamic(&format!("assessment-rating-{}", r.as_str()))
                    ),
                    selected: given == Some(i64::from(r.value())),
                }));
                DomainRow {
                    id: format!("rating-{}", d.as_str()),
                    label: t.dynamic(&format!("assessment-domain-{}", d.as_str())),
                    choices,
                    problem: at(&field),
                    field,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let outcome = recorded
        .and_then(|id| history.iter().find(|r| r.id == id))
        .map(|r| Outcome {
            score: score_text(r),
            band: r.band.as_deref().map(|b| band_name(&t, b)),
            safety_alert: r.safety_alert,
            taken_on: r.taken_on.clone(),
        });
    let lines = history
        .iter()
        .map(|r| HistoryLine {
            taken_on: r.taken_on.clone(),
            score: score_text(r),
            band: r.band.as_deref().map(|b| band_name(&t, b)),
            safety_alert: r.safety_alert,
        })
        .collect();
    let page = InstrumentPage {
        page: Chrome::new(
            &staff.visitor,
            &format!("/cases/{case_id}/instruments/{}", kind.as_str()),
        ),
        case_id,
        instrument: kind.as_str().to_string(),
        name: instrument_name(&t, kind),
        is_ssm: kind == InstrumentKind::Ssm,
        questions,
        domains,
        taken_on: draft
            .taken_on
            .unwrap_or_else(|| state.app.today().to_string()),
        taken_on_problem: at("taken_on"),
        chart: chart_of(kind, &history),
        history: lines,
        outcome,
        problem,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct ShowQuery {
    recorded: Option<i64>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, instrument)): Path<(i64, String)>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, PageError> {
    let kind = kind_of(&instrument)?;
    Ok(Html(
        render(
            &state,
            &staff,
            id,
            kind,
            Draft::default(),
            Problem::none(),
            q.recorded,
        )
        .await?,
    ))
}

/// Reads the posted fields: `answer_<i>` (0–3) or `rating_<domain>` (1–5, blank for not rated).
fn draft_of(kind: InstrumentKind, fields: &[(String, String)]) -> Draft {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    // A value that is not a number is out of range, never silently dropped.
    let number = |v: &str| v.parse::<i64>().unwrap_or(i64::MIN);
    Draft {
        answers: (0..items_of(kind))
            .map(|i| value(&format!("answer_{i}")).map(number))
            .collect(),
        ratings: if kind == InstrumentKind::Ssm {
            SsmDomain::ALL
                .into_iter()
                .filter_map(|d| value(&format!("rating_{}", d.as_str())).map(|v| (d, number(v))))
                .collect()
        } else {
            Vec::new()
        },
        taken_on: value("taken_on").map(str::to_string),
    }
}

async fn record(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, instrument)): Path<(i64, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let kind = kind_of(&instrument)?;
    let draft = draft_of(kind, &fields);
    let form = InstrumentForm {
        taken_on: draft.taken_on.clone(),
        answers: draft.answers.clone(),
        ratings: draft
            .ratings
            .iter()
            .map(|(d, r)| RatingForm {
                domain: d.as_str().to_string(),
                rating: *r,
            })
            .collect(),
        assessment_id: None,
    };
    match state
        .app
        .record_instrument(staff.actor(), id, kind.as_str(), &form)
        .await
    {
        Ok(r) => Ok(Redirect::to(&format!(
            "/cases/{id}/instruments/{}?recorded={}#outcome",
            kind.as_str(),
            r.id
        ))
        .into_response()),
        Err(e) => {
            let t = staff.t();
            let field = e.field().and_then(|f| field_of(kind, f, &draft));
            let status = crate::error::status_of(&e);
            let problem = match e {
                ServiceError::Invalid(_) => Problem {
                    others: Vec::new(),
                    field,
                    message: Some(t.error(e.code())),
                },
                e => Problem::from_service(e, &t, &[])?.1,
            };
            let html = render(&state, &staff, id, kind, draft, problem, None).await?;
            let status = if status.is_client_error() {
                status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((status, Html(html)).into_response())
        }
    }
}
