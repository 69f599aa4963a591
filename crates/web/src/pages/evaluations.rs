//! Evaluations on a case: the list, a new one (each active goal's GAS level as a labelled radio
//! group, a comment, the summary and the decision; saved as a draft or recorded), one evaluation
//! with its T-score in plain words and the client's feedback (or the form to record it), and the
//! re-assessment compared with the baseline.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{moment, Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::evaluation::{EvaluationForm, FeedbackForm, GoalLevelForm};
use casework_domain::gas::GasLevel;
use casework_service::evaluation::{EvaluationChoices, EvaluationDetail};
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/evaluations", get(list).post(create))
        .route("/cases/{id}/evaluations/new", get(new))
        .route("/evaluations/{id}", get(show))
        .route("/evaluations/{id}/record", post(record))
        .route("/evaluations/{id}/feedback", post(feedback))
        .route("/cases/{id}/assessment-comparison", get(comparison))
}

/// The message ids of the five levels, −2 to +2 (the goal page's own words).
const LEVEL_IDS: [&str; 5] = [
    "goal-gas-minus2",
    "goal-gas-minus1",
    "goal-gas-zero",
    "goal-gas-plus1",
    "goal-gas-plus2",
];

fn level_name(t: &T, level: i64) -> String {
    GasLevel::from_value(level)
        .map(|l| t.dynamic(LEVEL_IDS[l.index()]))
        .unwrap_or_default()
}

fn decision_name(t: &T, decision: &str) -> String {
    t.dynamic(&format!("evaluation-decision-{decision}"))
}

fn status_name(t: &T, status: &str) -> String {
    t.dynamic(&format!("evaluation-status-{status}"))
}

struct Line {
    id: i64,
    created: String,
    status: String,
    t_score: Option<String>,
    decision: Option<String>,
}

#[derive(Template)]
#[template(path = "evaluations/list.html")]
struct ListPage {
    t: T,
    page: Chrome,
    case_id: i64,
    lines: Vec<Line>,
    next: Option<String>,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    cursor: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let page = state
        .app
        .evaluations(staff.actor(), id, q.cursor.as_deref(), None)
        .await?;
    let lines = page
        .items
        .into_iter()
        .map(|e| Line {
            id: e.id,
            created: moment(e.created_at),
            status: status_name(&t, &e.status),
            t_score: e.t_score.map(|s| format!("{s:.1}")),
            decision: e.decision.as_deref().map(|d| decision_name(&t, d)),
        })
        .collect();
    Ok(Html(
        ListPage {
            page: Chrome::new(&staff.visitor, &format!("/cases/{id}/evaluations")),
            case_id: id,
            lines,
            next: page.next_cursor,
            t,
        }
        .render()?,
    ))
}

struct LevelChoice {
    value: i64,
    label: String,
    description: Option<String>,
    checked: bool,
}

struct GoalField {
    id: i64,
    statement: String,
    levels: Vec<LevelChoice>,
    comment: String,
    problem: Option<String>,
}

struct AssessmentChoice {
    id: i64,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "evaluations/new.html")]
struct NewPage {
    t: T,
    page: Chrome,
    case_id: i64,
    goals: Vec<GoalField>,
    assessments: Vec<AssessmentChoice>,
    summary: String,
    decision: String,
    problem: Problem,
}

/// The form as posted: `goal_id` once per goal, `level-<goal>`, `comment-<goal>`, `summary`,
/// `decision`, `assessment_id` and the button pressed (`action` = `draft` or `record`).
fn form_of(fields: &[(String, String)]) -> (EvaluationForm, bool) {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let goals = fields
        .iter()
        .filter(|(k, _)| k == "goal_id")
        .filter_map(|(_, v)| v.trim().parse::<i64>().ok())
        .map(|goal_id| GoalLevelForm {
            goal_id,
            // A value that is not a number is out of range, not missing.
            level: one(&format!("level-{goal_id}")).map(|v| v.parse::<i64>().unwrap_or(i64::MAX)),
            comment: one(&format!("comment-{goal_id}")),
        })
        .collect();
    let form = EvaluationForm {
        assessment_id: one("assessment_id").and_then(|v| v.parse().ok()),
        goals,
        summary: one("summary"),
        decision: one("decision"),
    };
    (form, one("action").as_deref() == Some("record"))
}

const FIELDS: &[&str] = &["assessment_id", "summary", "decision", "goals"];

fn new_page(
    staff: &Staff,
    choices: EvaluationChoices,
    form: &EvaluationForm,
    problem: Problem,
    goal_problem: Option<(usize, String)>,
) -> Result<String, PageError> {
    let t = staff.t();
    let case_id = choices.case.id;
    let goals = choices
        .goals
        .into_iter()
        .map(|g| {
            let given = form.goals.iter().position(|f| f.goal_id == g.id);
            let entry = given.and_then(|i| form.goals.get(i));
            let descriptions = g.gas();
            GoalField {
                id: g.id,
                statement: g.statement.clone().unwrap_or_default(),
                levels: GasLevel::ALL
                    .into_iter()
                    .map(|l| LevelChoice {
                        value: i64::from(l.value()),
                        label: t.dynamic(LEVEL_IDS[l.index()]),
                        description: descriptions[l.index()].clone(),
                        checked: entry.and_then(|e| e.level) == Some(i64::from(l.value())),
                    })
                    .collect(),
                comment: entry.and_then(|e| e.comment.clone()).unwrap_or_default(),
                problem: goal_problem
                    .as_ref()
                    .filter(|(i, _)| Some(*i) == given)
                    .map(|(_, m)| m.clone()),
            }
        })
        .collect();
    let assessments = choices
        .assessments
        .into_iter()
        .map(|a| AssessmentChoice {
            id: a.id,
            label: a.assessed_on,
            selected: form.assessment_id == Some(a.id),
        })
        .collect();
    Ok(NewPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/evaluations/new")),
        case_id,
        goals,
        assessments,
        summary: form.summary.clone().unwrap_or_default(),
        decision: form.decision.clone().unwrap_or_default(),
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
    let choices = state.app.evaluation_choices(staff.actor(), id).await?;
    Ok(Html(new_page(
        &staff,
        choices,
        &EvaluationForm::default(),
        Problem::none(),
        None,
    )?))
}

/// `goals[3].level` belongs to the fourth goal posted.
fn goal_index(field: &str) -> Option<usize> {
    field
        .strip_prefix("goals[")?
        .split(']')
        .next()?
        .parse()
        .ok()
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (form, record) = form_of(&fields);
    match state
        .app
        .save_evaluation(staff.actor(), id, &form, record)
        .await
    {
        Ok(d) => Ok(Redirect::to(&format!("/evaluations/{}", d.evaluation.id)).into_response()),
        Err(e) => {
            let t = staff.t();
            let at_goal = e.field().and_then(goal_index);
            let (status, problem) = Problem::from_service(e, &t, FIELDS)?;
            let goal_problem = at_goal.zip(problem.message.clone());
            let choices = state.app.evaluation_choices(staff.actor(), id).await?;
            let html = new_page(&staff, choices, &form, problem, goal_problem)?;
            Ok((status, Html(html)).into_response())
        }
    }
}

struct GoalLine {
    statement: String,
    weight: String,
    level: Option<String>,
    description: Option<String>,
    comment: Option<String>,
}

struct Rating {
    name: &'static str,
    label: String,
    value: Option<String>,
}

#[derive(Template)]
#[template(path = "evaluations/show.html")]
struct ShowPage {
    t: T,
    page: Chrome,
    id: i64,
    case_id: i64,
    version: i64,
    status: String,
    is_draft: bool,
    can_record: bool,
    t_score: Option<String>,
    meaning: Option<String>,
    goals: Vec<GoalLine>,
    summary: Option<String>,
    decision: Option<String>,
    recorded: Option<String>,
    assessment_id: Option<i64>,
    has_feedback: bool,
    ratings: Vec<Rating>,
    /// 1–5 with their worded labels, for the feedback form.
    scale: Vec<(i64, String)>,
    feedback_comment: Option<String>,
    feedback_given_on: Option<String>,
    today: String,
    problem: Problem,
}

fn show_page(
    staff: &Staff,
    d: EvaluationDetail,
    today: String,
    problem: Problem,
) -> Result<String, PageError> {
    let t = staff.t();
    let e = d.evaluation;
    let goals = d
        .goals
        .into_iter()
        .map(|g| GoalLine {
            statement: g.statement.unwrap_or_default(),
            weight: format!("{}", g.weight),
            level: g.level.map(|l| level_name(&t, l)),
            description: g
                .level
                .and_then(GasLevel::from_value)
                .and_then(|l| g.descriptions[l.index()].clone()),
            comment: g.comment,
        })
        .collect();
    let rating = |v: Option<i64>| v.map(|v| t.dynamic(&format!("evaluation-feedback-rating-{v}")));
    let ratings = vec![
        Rating {
            name: "helpfulness",
            label: t.get("evaluation-feedback-helpfulness"),
            value: rating(e.feedback_helpfulness),
        },
        Rating {
            name: "respect",
            label: t.get("evaluation-feedback-respect"),
            value: rating(e.feedback_respect),
        },
        Rating {
            name: "understanding",
            label: t.get("evaluation-feedback-understanding"),
            value: rating(e.feedback_understanding),
        },
    ];
    let scale = (1..=5)
        .map(|v| (v, t.dynamic(&format!("evaluation-feedback-rating-{v}"))))
        .collect();
    Ok(ShowPage {
        page: Chrome::new(&staff.visitor, &format!("/evaluations/{}", e.id)),
        id: e.id,
        case_id: e.case_id,
        version: e.version,
        status: status_name(&t, &e.status),
        is_draft: e.status == "draft",
        can_record: d.can_record,
        t_score: e.t_score.map(|s| format!("{s:.1}")),
        meaning: d
            .meaning
            .map(|m| t.dynamic(&format!("evaluation-t-score-{}", m.as_str()))),
        goals,
        summary: e.summary,
        decision: e.decision.as_deref().map(|x| decision_name(&t, x)),
        recorded: e.recorded_at.map(moment),
        assessment_id: e.assessment_id,
        has_feedback: e.feedback_helpfulness.is_some(),
        ratings,
        scale,
        feedback_comment: e.feedback_comment,
        feedback_given_on: e.feedback_given_on,
        today,
        problem,
        t,
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let d = state.app.evaluation(staff.actor(), id).await?;
    Ok(Html(show_page(
        &staff,
        d,
        state.app.today().to_string(),
        Problem::none(),
    )?))
}

#[derive(serde::Deserialize)]
struct RecordPost {
    version: Option<i64>,
}

async fn record(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<RecordPost>,
) -> Result<Response, PageError> {
    let done = match post.version {
        Some(v) => state.app.record_evaluation(staff.actor(), id, v).await,
        None => Err(ServiceError::Stale),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/evaluations/{id}")).into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &[])?;
            let d = state.app.evaluation(staff.actor(), id).await?;
            let html = show_page(&staff, d, state.app.today().to_string(), problem)?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
struct FeedbackPost {
    helpfulness: Option<String>,
    respect: Option<String>,
    understanding: Option<String>,
    comment: Option<String>,
    given_on: Option<String>,
}

fn rating_of(raw: &Option<String>) -> Option<i64> {
    raw.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<i64>().unwrap_or(0))
}

async fn feedback(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<FeedbackPost>,
) -> Result<Response, PageError> {
    let form = FeedbackForm {
        helpfulness: rating_of(&post.helpfulness),
        respect: rating_of(&post.respect),
        understanding: rating_of(&post.understanding),
        comment: post.comment.filter(|c| !c.trim().is_empty()),
        given_on: post.given_on,
    };
    match state
        .app
        .record_evaluation_feedback(staff.actor(), id, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/evaluations/{id}#feedback")).into_response()),
        Err(e) => {
            let fields = [
                "helpfulness",
                "respect",
                "understanding",
                "comment",
                "given_on",
            ];
            let (status, problem) = Problem::from_service(e, &staff.t(), &fields)?;
            let d = state.app.evaluation(staff.actor(), id).await?;
            let html = show_page(&staff, d, state.app.today().to_string(), problem)?;
            Ok((status, Html(html)).into_response())
        }
    }
}

/// Needs or strengths: what is still named, new, or no longer named.
struct ListSection {
    label: String,
    kept: Vec<String>,
    added: Vec<String>,
    removed: Vec<String>,
}

struct Score {
    name: String,
    chart: String,
    baseline: String,
    later: String,
    change: String,
    band: String,
}

#[derive(Template)]
#[template(path = "evaluations/comparison.html")]
struct ComparisonPage {
    t: T,
    page: Chrome,
    case_id: i64,
    baseline: Option<(i64, String)>,
    later: Option<(i64, String)>,
    choices: Vec<AssessmentChoice>,
    compared: bool,
    lists: Vec<ListSection>,
    texts: Vec<(String, String, String, bool)>,
    risk: (String, String, String),
    scores: Vec<Score>,
}

#[derive(serde::Deserialize)]
struct ComparisonQuery {
    assessment_id: Option<String>,
}

async fn comparison(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ComparisonQuery>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let chosen = q
        .assessment_id
        .as_deref()
        .and_then(|v| v.trim().parse::<i64>().ok());
    let c = state
        .app
        .assessment_comparison(staff.actor(), id, chosen)
        .await?;
    let none = || t.get("evaluation-compare-none");
    let direction = |d: casework_domain::instrument::Direction| {
        t.dynamic(&format!("evaluation-compare-{}", d.as_str()))
    };
    let band = |b: Option<&str>| {
        b.map(|b| t.dynamic(&format!("assessment-band-{b}")))
            .unwrap_or_else(none)
    };
    let mut lists = Vec::new();
    let mut texts = Vec::new();
    let mut risk = (none(), none(), none());
    let mut scores = Vec::new();
    if let Some(cmp) = &c.comparison {
        for (label, l) in [
            ("evaluation-compare-needs", &cmp.needs),
            ("evaluation-compare-strengths", &cmp.strengths),
        ] {
            lists.push(ListSection {
                label: t.dynamic(label),
                kept: l.kept.clone(),
                added: l.added.clone(),
                removed: l.removed.clone(),
            });
        }
        for (label, x) in [
            ("assessment-resources", &cmp.resources),
            ("assessment-limitations", &cmp.limitations),
        ] {
            texts.push((
                t.dynamic(label),
                x.baseline.clone().unwrap_or_else(none),
                x.later.clone().unwrap_or_else(none),
                x.changed,
            ));
        }
        let risk_name = |r: Option<casework_domain::assessment::RiskLevel>| {
            r.map(|r| t.dynamic(&format!("assessment-risk-{}", r.as_str())))
                .unwrap_or_else(none)
        };
        risk = (
            risk_name(cmp.risk.baseline),
            risk_name(cmp.risk.later),
            cmp.risk
                .change
                .map(|c| direction(c.direction))
                .unwrap_or_else(none),
        );
        for (kind, s) in [("phq9", &cmp.phq9), ("gad7", &cmp.gad7)] {
            scores.push(Score {
                name: t.dynamic(&format!("assessment-instrument-{kind}")),
                chart: format!("/cases/{id}/instruments/{kind}"),
                baseline: s.baseline_total.map_or_else(none, |v| v.to_string()),
                later: s.later_total.map_or_else(none, |v| v.to_string()),
                change: s
                    .change
                    .map(|c| format!("{:+} ({})", c.delta, direction(c.direction)))
                    .unwrap_or_else(none),
                band: format!("{} → {}", band(s.baseline_band), band(s.later_band)),
            });
        }
        let avg = |v: Option<f64>| v.map_or_else(none, |v| format!("{v:.2}"));
        scores.push(Score {
            name: t.get("assessment-instrument-ssm"),
            chart: format!("/cases/{id}/instruments/ssm"),
            baseline: avg(cmp.ssm.baseline_average),
            later: avg(cmp.ssm.later_average),
            change: cmp
                .ssm
                .comparison
                .as_ref()
                .map(|s| {
                    format!(
                        "{:+.2} ({})",
                        s.average.delta,
                        direction(s.average.direction)
                    )
                })
                .unwrap_or_else(none),
            band: String::new(),
        });
        if let Some(s) = &cmp.ssm.comparison {
            for d in &s.domains {
                let rating = |r: Option<casework_domain::instrument::SsmRating>| {
                    r.map_or_else(none, |r| r.value().to_string())
                };
                scores.push(Score {
                    name: format!(
                        "{}: {}",
                        t.get("assessment-instrument-ssm"),
                        t.dynamic(&format!("assessment-domain-{}", d.domain.as_str()))
                    ),
                    chart: format!("/cases/{id}/instruments/ssm"),
                    baseline: rating(d.baseline),
                    later: rating(d.later),
                    change: d
                        .change
                        .map(|c| format!("{:+} ({})", c.delta, direction(c.direction)))
                        .unwrap_or_else(none),
                    band: String::new(),
                });
            }
        }
    }
    let later_id = c.later.as_ref().map(|a| a.id);
    Ok(Html(
        ComparisonPage {
            page: Chrome::new(
                &staff.visitor,
                &format!("/cases/{id}/assessment-comparison"),
            ),
            case_id: id,
            baseline: c.baseline.map(|a| (a.id, a.assessed_on)),
            later: c.later.map(|a| (a.id, a.assessed_on)),
            choices: c
                .later_choices
                .into_iter()
                .map(|a| AssessmentChoice {
                    selected: Some(a.id) == later_id,
                    id: a.id,
                    label: a.assessed_on,
                })
                .collect(),
            compared: c.comparison.is_some(),
            lists,
            texts,
            risk,
            scores,
            t,
        }
        .render()?,
    )
    .into_response())
}
