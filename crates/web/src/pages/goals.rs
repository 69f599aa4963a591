//! Goal setting: a goal's page with its SMART checklist (what is missing, in words), the edit
//! form, "make active" (refused with the gaps listed) and the client's agreement in their words.

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::goal::{AgreementForm, GoalForm, GoalScaleForm, GoalStatus, SmartGap};
use casework_domain::Invalid;
use casework_service::goal::{GoalView, NeedChoice};
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/goals/new", get(new_goal))
        .route("/cases/{id}/goals", post(create_goal))
        .route("/goals/{id}", get(show).post(update_goal))
        .route("/goals/{id}/activate", post(activate))
        .route("/goals/{id}/agreement", post(agree))
}

/// The form's field names for the five GAS levels, from −2 to +2.
const GAS_NAMES: [&str; 5] = [
    "gas_minus2",
    "gas_minus1",
    "gas_zero",
    "gas_plus1",
    "gas_plus2",
];

/// The SMART letters in order, with their names' message ids.
const LETTERS: [(char, &str); 5] = [
    ('S', "goal-smart-specific"),
    ('M', "goal-smart-measurable"),
    ('A', "goal-smart-achievable"),
    ('R', "goal-smart-relevant"),
    ('T', "goal-smart-time-bound"),
];

pub(crate) fn status_name(t: &T, status: GoalStatus) -> String {
    t.dynamic(&format!("goal-status-{}", status.as_str()))
}

/// One SMART letter: met, or what is missing in words.
struct SmartLine {
    letter: char,
    name: String,
    missing: Vec<String>,
}

fn checklist(t: &T, gaps: &[SmartGap]) -> Vec<SmartLine> {
    LETTERS
        .iter()
        .map(|(letter, id)| SmartLine {
            letter: *letter,
            name: t.get(id),
            missing: gaps
                .iter()
                .filter(|g| g.letter() == *letter)
                .map(|g| t.error(g.code()))
                .collect(),
        })
        .collect()
}

struct NeedBox {
    id: i64,
    description: String,
    checked: bool,
}

struct GasField {
    name: &'static str,
    label: String,
    value: String,
    /// The field errors name (`gas[-2]`).
    field: &'static str,
}

/// The edit form as shown or as last submitted.
#[derive(Default)]
struct GoalDraft {
    statement: String,
    measure: String,
    baseline: String,
    target: String,
    resources: String,
    barriers: String,
    target_date: String,
    gas: [String; 5],
    priority: String,
    weight: String,
    linked_need_ids: Vec<i64>,
}

impl GoalDraft {
    fn of(view: &GoalView) -> GoalDraft {
        let g = &view.goal;
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        GoalDraft {
            statement: text(&g.statement),
            measure: text(&g.measure),
            baseline: text(&g.baseline),
            target: text(&g.target),
            resources: text(&g.resources),
            barriers: text(&g.barriers),
            target_date: text(&g.target_date),
            gas: g.gas().map(|l| l.unwrap_or_default()),
            priority: g.priority.to_string(),
            weight: format_weight(g.weight),
            linked_need_ids: view.linked_need_ids.clone(),
        }
    }

    fn from_pairs(pairs: &[(String, String)]) -> GoalDraft {
        let mut d = GoalDraft::default();
        for (k, v) in pairs {
            match k.as_str() {
                "statement" => d.statement = v.clone(),
                "measure" => d.measure = v.clone(),
                "baseline" => d.baseline = v.clone(),
                "target" => d.target = v.clone(),
                "resources" => d.resources = v.clone(),
                "barriers" => d.barriers = v.clone(),
                "target_date" => d.target_date = v.clone(),
                "priority" => d.priority = v.clone(),
                "weight" => d.weight = v.clone(),
                "linked_need_ids" => {
                    if let Ok(id) = v.trim().parse() {
                        d.linked_need_ids.push(id);
                    }
                }
                other => {
                    if let Some(i) = GAS_NAMES.iter().position(|n| *n == other) {
                        d.gas[i] = v.clone();
                    }
                }
            }
        }
        d
    }

    /// What the service takes; a priority or weight that is not a number is refused by name.
    fn forms(&self) -> Result<(GoalForm, GoalScaleForm), ServiceError> {
        let text = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
        let priority = match self.priority.trim() {
            "" => None,
            p => Some(
                p.parse()
                    .map_err(|_| Invalid::new("priority", "priority_range"))?,
            ),
        };
        let weight = match self.weight.trim() {
            "" => None,
            w => Some(
                w.parse()
                    .map_err(|_| Invalid::new("weight", "gas_weight_invalid"))?,
            ),
        };
        Ok((
            GoalForm {
                statement: text(&self.statement),
                measure: text(&self.measure),
                baseline: text(&self.baseline),
                target: text(&self.target),
                resources: text(&self.resources),
                barriers: text(&self.barriers),
                linked_need_ids: self.linked_need_ids.clone(),
                target_date: text(&self.target_date),
            },
            GoalScaleForm {
                gas: self.gas.clone().map(|g| text(&g)),
                priority,
                weight,
            },
        ))
    }
}

fn format_weight(w: f64) -> String {
    if w.fract() == 0.0 {
        format!("{w:.0}")
    } else {
        w.to_string()
    }
}

#[derive(Default)]
struct AgreementDraft {
    agreed_on: String,
    client_words: String,
}

/// What went wrong, and where.
#[derive(Default)]
struct Problems {
    edit: Problem,
    /// The SMART gaps that stopped "make active".
    refused: Vec<String>,
    activate: Problem,
    agreement: Problem,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "goals/edit.html")]
struct GoalPage {
    t: T,
    page: Chrome,
    case_id: i64,
    /// None for a new goal.
    goal_id: Option<i64>,
    version: i64,
    status: Option<String>,
    is_draft: bool,
    can_record: bool,
    smart: Vec<SmartLine>,
    smart_passes: bool,
    agreed_on: Option<String>,
    client_words: Option<String>,
    needs: Vec<NeedBox>,
    gas: Vec<GasField>,
    draft: GoalDraft,
    agreement: AgreementDraft,
    problems: Problems,
}

struct Loaded {
    case_id: i64,
    goal: Option<GoalView>,
    needs: Vec<NeedChoice>,
    can_record: bool,
}

enum Target {
    New(i64),
    Goal(i64),
}

async fn load(state: &AppState, staff: &Staff, target: &Target) -> Result<Loaded, PageError> {
    let actor = staff.actor();
    Ok(match target {
        Target::New(case_id) => {
            let goals = state.app.goals(actor, *case_id).await?;
            Loaded {
                case_id: goals.case.id,
                goal: None,
                needs: goals.needs,
                can_record: goals.can_record,
            }
        }
        Target::Goal(id) => {
            let d = state.app.goal(actor, *id).await?;
            Loaded {
                case_id: d.case.id,
                goal: Some(d.goal),
                needs: d.needs,
                can_record: d.can_record,
            }
        }
    })
}

async fn goal_page(
    state: &AppState,
    staff: &Staff,
    target: Target,
    draft: Option<GoalDraft>,
    agreement: Option<AgreementDraft>,
    problems: Problems,
) -> Result<String, PageError> {
    let t = staff.t();
    let loaded = load(state, staff, &target).await?;
    let today = state.app.today();
    let draft = match (draft, &loaded.goal) {
        (Some(d), _) => d,
        (None, Some(g)) => GoalDraft::of(g),
        (None, None) => GoalDraft::default(),
    };
    // The checklist shows the goal as stored (or, for a new one, as nothing yet).
    let gaps = match &loaded.goal {
        Some(g) => g.gaps.clone(),
        None => casework_domain::goal::GoalDraft::parse(&GoalForm::default())
            .map(|d| d.smart_check(today))
            .unwrap_or_default(),
    };
    let needs = loaded
        .needs
        .iter()
        .map(|n| NeedBox {
            id: n.id,
            description: n.description.clone(),
            checked: draft.linked_need_ids.contains(&n.id),
        })
        .collect();
    let gas = GAS_NAMES
        .iter()
        .zip(casework_domain::goal::GasScale::FIELDS)
        .enumerate()
        .map(|(i, (name, field))| GasField {
            name,
            label: t.get(&format!("goal-{}", name.replace('_', "-"))),
            value: draft.gas[i].clone(),
            field,
        })
        .collect();
    let path = match target {
        Target::New(c) => format!("/cases/{c}/goals/new"),
        Target::Goal(g) => format!("/goals/{g}"),
    };
    let g = loaded.goal.as_ref();
    let page = GoalPage {
        page: Chrome::new(&staff.visitor, &path),
        case_id: loaded.case_id,
        goal_id: g.map(|g| g.goal.id),
        version: g.map_or(0, |g| g.goal.version),
        status: g.map(|g| status_name(&t, g.status)),
        is_draft: g.is_some_and(|g| g.status == GoalStatus::Draft),
        can_record: loaded.can_record && g.is_none_or(|g| g.status.is_open()),
        smart_passes: gaps.is_empty(),
        smart: checklist(&t, &gaps),
        agreed_on: g
            .filter(|g| g.goal.client_agreed == 1)
            .and_then(|g| g.goal.client_agreed_on.clone()),
        client_words: g
            .filter(|g| g.goal.client_agreed == 1)
            .and_then(|g| g.goal.client_words.clone()),
        needs,
        gas,
        draft,
        agreement: agreement.unwrap_or(AgreementDraft {
            agreed_on: today.to_string(),
            client_words: String::new(),
        }),
        problems,
        t,
    };
    Ok(page.render()?)
}

const EDIT_FIELDS: &[&str] = &[
    "statement",
    "measure",
    "baseline",
    "target",
    "resources",
    "barriers",
    "target_date",
    "linked_need_ids",
    "gas[-2]",
    "gas[-1]",
    "gas[0]",
    "gas[+1]",
    "gas[+2]",
    "priority",
    "weight",
];

/// The field a problem is shown beside: a need's index collapses onto the checkbox group.
fn edit_problem(e: ServiceError, t: &T) -> Result<(StatusCode, Problem), PageError> {
    let e = match e {
        ServiceError::Invalid(i) if i.field.starts_with("linked_need_ids[") => {
            ServiceError::Invalid(Invalid::new("linked_need_ids", i.code))
        }
        ServiceError::SmartGaps(gaps) => {
            // An active goal must stay SMART: name the first gap beside its field.
            let first = gaps.first().copied().unwrap_or(SmartGap::NoStatement);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Problem {
                    others: Vec::new(),
                    field: Some(first.field().to_string()),
                    message: Some(t.error(first.code())),
                },
            ));
        }
        other => other,
    };
    Problem::from_service(e, t, EDIT_FIELDS)
}

#[derive(Debug, serde::Deserialize)]
struct GoalQuery {
    notice: Option<String>,
}

async fn new_goal(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let html = goal_page(
        &state,
        &staff,
        Target::New(case_id),
        None,
        None,
        Problems::default(),
    )
    .await?;
    Ok(Html(html))
}

async fn create_goal(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let draft = GoalDraft::from_pairs(&pairs);
    let saved = match draft.forms() {
        Ok((form, scale)) => {
            state
                .app
                .create_goal(staff.actor(), case_id, &form, &scale)
                .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(g) => Ok(Redirect::to(&format!("/goals/{}?notice=saved", g.goal.id)).into_response()),
        Err(e) => {
            let (status, problem) = edit_problem(e, &t)?;
            let problems = Problems {
                edit: problem,
                ..Problems::default()
            };
            let html = goal_page(
                &state,
                &staff,
                Target::New(case_id),
                Some(draft),
                None,
                problems,
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<GoalQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(t.get("goal-notice-saved")),
        Some("activated") => Some(t.get("goal-notice-activated")),
        Some("agreed") => Some(t.get("goal-notice-agreed")),
        _ => None,
    };
    let problems = Problems {
        notice,
        ..Problems::default()
    };
    let html = goal_page(&state, &staff, Target::Goal(id), None, None, problems).await?;
    Ok(Html(html))
}

fn version_in(pairs: &[(String, String)]) -> Result<i64, ServiceError> {
    pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.trim().parse().ok())
        .ok_or(ServiceError::Stale)
}

async fn update_goal(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let draft = GoalDraft::from_pairs(&pairs);
    let saved = match (version_in(&pairs), draft.forms()) {
        (Ok(version), Ok((form, scale))) => {
            state
                .app
                .update_goal(staff.actor(), id, version, &form, &scale)
                .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (status, problem) = edit_problem(e, &t)?;
            let problems = Problems {
                edit: problem,
                ..Problems::default()
            };
            let html = goal_page(
                &state,
                &staff,
                Target::Goal(id),
                Some(draft),
                None,
                problems,
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

async fn activate(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let done = match version_in(&pairs) {
        Ok(version) => state.app.activate_goal(staff.actor(), id, version).await,
        Err(e) => Err(e),
    };
    let mut problems = Problems::default();
    let status = match done {
        Ok(_) => return Ok(Redirect::to(&format!("/goals/{id}?notice=activated")).into_response()),
        Err(ServiceError::SmartGaps(gaps)) => {
            problems.activate = Problem::general(t.error("smart_check_failed"));
            problems.refused = gaps.iter().map(|g| t.error(g.code())).collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &t, &[])?;
            problems.activate = problem;
            status
        }
    };
    let html = goal_page(&state, &staff, Target::Goal(id), None, None, problems).await?;
    Ok((status, Html(html)).into_response())
}

#[derive(Debug, serde::Deserialize)]
struct AgreementPost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    agreed_on: String,
    #[serde(default)]
    client_words: String,
}

async fn agree(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<AgreementPost>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let form = AgreementForm {
        agreed_on: post.agreed_on.clone(),
        client_words: post.client_words.clone(),
    };
    let done = match post.version.trim().parse::<i64>() {
        Ok(version) => {
            state
                .app
                .record_goal_agreement(staff.actor(), id, version, &form)
                .await
        }
        Err(_) => Err(ServiceError::Stale),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?notice=agreed")).into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &t, &["agreed_on", "client_words"])?;
            let problems = Problems {
                agreement: problem,
                ..Problems::default()
            };
            let agreement = AgreementDraft {
                agreed_on: post.agreed_on,
                client_words: post.client_words,
            };
            let html = goal_page(
                &state,
                &staff,
                Target::Goal(id),
                None,
                Some(agreement),
                problems,
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
