//! The plan page: for each active goal its interventions and tasks (who, by when, with which
//! resources), forms to add an intervention and a task, the client's agreement, submit and (for
//! the case's supervisors) approve or return. And the printable plan: the plan as the client
//! would read it, in plain words and in the client's language where we have it.

use crate::error::PageError;
use crate::i18n::{Locale, T};
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::goal::AgreementForm;
use casework_domain::plan::{
    ApprovalForm, InterventionForm, InterventionKind, PlanStatus, ResponsibleKind, TaskForm,
};
use casework_service::plan::PlanView;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/plan", get(show))
        .route("/cases/{id}/plan/print", get(print))
        .route("/cases/{id}/plan/interventions", post(add_intervention))
        .route("/cases/{id}/plan/tasks", post(add_task))
        .route("/cases/{id}/plan/tasks/done", post(complete_task))
        .route("/cases/{id}/plan/agreement", post(agree))
        .route("/cases/{id}/plan/submission", post(submit))
        .route("/cases/{id}/plan/approval", post(decide))
}

pub(crate) fn kind_name(t: &T, kind: &str) -> String {
    t.dynamic(&format!("plan-kind-{}", kind.replace('_', "-")))
}

/// Who does it, in words: "You", "Your worker", or the name of the other agency or person.
fn who_words(t: &T, responsible: &str, name: Option<&str>, for_client: bool) -> String {
    match (responsible, name) {
        (_, Some(n)) if !n.is_empty() => n.to_string(),
        ("client", _) if for_client => t.get("plan-print-who-you"),
        ("worker", _) if for_client => t.get("plan-print-who-worker"),
        (r, _) => t.dynamic(&format!("plan-who-{}", r.replace('_', "-"))),
    }
}

struct TaskLine {
    id: i64,
    description: String,
    who: String,
    due_on: String,
    done: bool,
}

struct InterventionLine {
    id: i64,
    kind: String,
    description: String,
    who: String,
    due_on: String,
    resources: Option<String>,
    tasks: Vec<TaskLine>,
}

struct GoalBlock {
    id: i64,
    statement: String,
    target_date: Option<String>,
    interventions: Vec<InterventionLine>,
}

fn blocks(t: &T, v: &PlanView, for_client: bool) -> Vec<GoalBlock> {
    v.goals
        .iter()
        .map(|g| GoalBlock {
            id: g.id,
            statement: g.statement.clone().unwrap_or_default(),
            target_date: g.target_date.clone(),
            interventions: v
                .interventions_of(g.id)
                .map(|i| InterventionLine {
                    id: i.id,
                    kind: kind_name(t, &i.kind),
                    description: i.description.clone(),
                    who: who_words(t, &i.responsible, i.responsible_name.as_deref(), for_client),
                    due_on: i.due_on.clone(),
                    resources: i.resources.clone(),
                    tasks: v
                        .tasks_of(i.id)
                        .map(|k| TaskLine {
                            id: k.id,
                            description: k.description.clone(),
                            who: who_words(
                                t,
                                &k.responsible,
                                k.responsible_name.as_deref(),
                                for_client,
                            ),
                            due_on: k.due_on.clone(),
                            done: k.done_at.is_some(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

struct Choice {
    value: &'static str,
    label: String,
}

#[derive(Default)]
struct Problems {
    intervention: Problem,
    task: Problem,
    agreement: Problem,
    decision: Problem,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "plans/show.html")]
struct PlanPage {
    t: T,
    page: Chrome,
    case_id: i64,
    plan_id: i64,
    version: i64,
    version_no: i64,
    status: String,
    awaiting: bool,
    approval_required: bool,
    agreed_on: Option<String>,
    client_words: Option<String>,
    return_comment: Option<String>,
    goals: Vec<GoalBlock>,
    goal_choices: Vec<(i64, String)>,
    intervention_choices: Vec<(i64, String)>,
    kinds: Vec<Choice>,
    whos: Vec<Choice>,
    can_record: bool,
    can_submit: bool,
    can_approve: bool,
    today: String,
    problems: Problems,
}

async fn plan_page(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    problems: Problems,
) -> Result<String, PageError> {
    let t = staff.t();
    let v = state.app.current_plan(staff.actor(), case_id).await?;
    let goals = blocks(&t, &v, false);
    let goal_choices = v
        .goals
        .iter()
        .map(|g| (g.id, g.statement.clone().unwrap_or_default()))
        .collect();
    let intervention_choices = goals
        .iter()
        .flat_map(|g| {
            g.interventions
                .iter()
                .map(move |i| (i.id, format!("{}: {}", g.statement, i.description)))
        })
        .collect();
    let page = PlanPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/plan")),
        case_id: v.case.id,
        plan_id: v.plan.id,
        version: v.plan.version,
        version_no: v.plan.version_no,
        status: t.dynamic(&format!(
            "plan-status-{}",
            v.status.as_str().replace('_', "-")
        )),
        awaiting: v.status == PlanStatus::AwaitingApproval,
        approval_required: v.approval_required,
        agreed_on: v.plan.client_agreed_on.clone(),
        client_words: v.plan.client_words.clone(),
        return_comment: v.plan.return_comment.clone(),
        goals,
        goal_choices,
        intervention_choices,
        kinds: InterventionKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: kind_name(&t, k.as_str()),
            })
            .collect(),
        whos: ResponsibleKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: t.dynamic(&format!("plan-who-{}", k.as_str().replace('_', "-"))),
            })
            .collect(),
        can_record: v.can_record && v.status != PlanStatus::AwaitingApproval,
        can_submit: v.can_record && v.status.editable() && v.plan.client_agreed_on.is_some(),
        can_approve: v.can_approve && v.status == PlanStatus::AwaitingApproval,
        today: state.app.today().to_string(),
        problems,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct PlanQuery {
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(t.get("plan-notice-saved")),
        Some("agreed") => Some(t.get("plan-notice-agreed")),
        Some("submitted") => Some(t.get("plan-notice-submitted")),
        Some("decided") => Some(t.get("plan-notice-decided")),
        _ => None,
    };
    let problems = Problems {
        notice,
        ..Problems::default()
    };
    Ok(Html(plan_page(&state, &staff, case_id, problems).await?))
}

fn saved(case_id: i64, notice: &str) -> Response {
    Redirect::to(&format!("/cases/{case_id}/plan?notice={notice}")).into_response()
}

async fn refused(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    e: ServiceError,
    fields: &[&str],
    slot: fn(&mut Problems) -> &mut Problem,
) -> Result<Response, PageError> {
    let t = staff.t();
    let (status, problem) = Problem::from_service(e, &t, fields)?;
    let mut problems = Problems::default();
    *slot(&mut problems) = problem;
    let html = plan_page(state, staff, case_id, problems).await?;
    Ok((status, Html(html)).into_response())
}

fn text(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}

#[derive(Debug, Default, serde::Deserialize)]
struct InterventionPost {
    #[serde(default)]
    plan_id: String,
    #[serde(default)]
    goal_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    responsible_name: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    resources: String,
}

const INTERVENTION_FIELDS: &[&str] = &[
    "goal_id",
    "kind",
    "description",
    "responsible",
    "responsible_name",
    "due_on",
    "resources",
];

async fn add_intervention(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<InterventionPost>,
) -> Result<Response, PageError> {
    let form = InterventionForm {
        goal_id: post.goal_id.trim().parse().unwrap_or(0),
        kind: post.kind,
        description: post.description,
        responsible: post.responsible,
        responsible_name: text(&post.responsible_name),
        due_on: post.due_on,
        resources: text(&post.resources),
    };
    let done = match post.plan_id.trim().parse::<i64>() {
        Ok(plan) => state.app.add_intervention(staff.actor(), plan, &form).await,
        Err(_) => Err(ServiceError::Stale),
    };
    match done {
        Ok(_) => Ok(saved(case_id, "saved")),
        Err(e) => {
            refused(&state, &staff, case_id, e, INTERVENTION_FIELDS, |p| {
                &mut p.intervention
            })
            .await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct TaskPost {
    #[serde(default)]
    intervention_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    responsible_name: String,
    #[serde(default)]
    due_on: String,
}

async fn add_task(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<TaskPost>,
) -> Result<Response, PageError> {
    let form = TaskForm {
        description: post.description,
        responsible: post.responsible,
        responsible_name: text(&post.responsible_name),
        due_on: post.due_on,
    };
    let id = post.intervention_id.trim().parse::<i64>().unwrap_or(0);
    match state.app.add_task(staff.actor(), id, &form).await {
        Ok(_) => Ok(saved(case_id, "saved")),
        Err(e) => {
            let fields = &["description", "responsible", "responsible_name", "due_on"];
            refused(&state, &staff, case_id, e, fields, |p| &mut p.task).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DonePost {
    #[serde(default)]
    task_id: String,
}

async fn complete_task(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<DonePost>,
) -> Result<Response, PageError> {
    let id = post.task_id.trim().parse::<i64>().unwrap_or(0);
    state.app.complete_task(staff.actor(), id).await?;
    Ok(saved(case_id, "saved"))
}

#[derive(Debug, Default, serde::Deserialize)]
struct AgreementPost {
    #[serde(default)]
    plan_id: String,
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
    Path(case_id): Path<i64>,
    Form(post): Form<AgreementPost>,
) -> Result<Response, PageError> {
    let form = AgreementForm {
        agreed_on: post.agreed_on,
        client_words: post.client_words,
    };
    let done = match (post.plan_id.trim().parse(), post.version.trim().parse()) {
        (Ok(plan), Ok(version)) => {
            state
                .app
                .record_plan_agreement(staff.actor(), plan, version, &form)
                .await
        }
        _ => Err(ServiceError::Stale),
    };
    match done {
        Ok(_) => Ok(saved(case_id, "agreed")),
        Err(e) => {
            let fields = &["agreed_on", "client_words"];
            refused(&state, &staff, case_id, e, fields, |p| &mut p.agreement).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct VersionPost {
    #[serde(default)]
    plan_id: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<VersionPost>,
) -> Result<Response, PageError> {
    let done = match (post.plan_id.trim().parse(), post.version.trim().parse()) {
        (Ok(plan), Ok(version)) => state.app.submit_plan(staff.actor(), plan, version).await,
        _ => Err(ServiceError::Stale),
    };
    match done {
        Ok(_) => Ok(saved(case_id, "submitted")),
        Err(e) => refused(&state, &staff, case_id, e, &[], |p| &mut p.agreement).await,
    }
}

async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(post): Form<VersionPost>,
) -> Result<Response, PageError> {
    let form = ApprovalForm {
        decision: post.decision,
        comment: text(&post.comment),
    };
    let done = match (post.plan_id.trim().parse(), post.version.trim().parse()) {
        (Ok(plan), Ok(version)) => {
            state
                .app
                .decide_plan(staff.actor(), plan, version, &form)
                .await
        }
        _ => Err(ServiceError::Stale),
    };
    match done {
        Ok(_) => Ok(saved(case_id, "decided")),
        Err(e) => {
            refused(&state, &staff, case_id, e, &["comment"], |p| {
                &mut p.decision
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "plans/print.html")]
struct PrintPage {
    t: T,
    lang: &'static str,
    case_id: i64,
    client_name: String,
    version_no: i64,
    agreed_on: Option<String>,
    client_words: Option<String>,
    goals: Vec<GoalBlock>,
}

/// The plan as the client reads it: in the client's preferred language when the interface has
/// it, else the reader's.
async fn print(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
) -> Result<Response, PageError> {
    let v = state.app.current_plan(staff.actor(), case_id).await?;
    let locale = Locale::parse(&v.client_language).unwrap_or(staff.visitor.locale);
    let t = T::new(locale);
    let page = PrintPage {
        lang: locale.tag(),
        case_id: v.case.id,
        client_name: v.client_name.clone(),
        version_no: v.plan.version_no,
        agreed_on: v.plan.client_agreed_on.clone(),
        client_words: v.plan.client_words.clone(),
        goals: blocks(&t, &v, true),
        t,
    };
    Ok((StatusCode::OK, Html(page.render()?)).into_response())
}
