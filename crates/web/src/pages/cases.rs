//! Cases: opening one, the case page with its stage timeline, the engagement stage's work
//! (contacts, consent to services), stage moves (with a supervisor's override), and assignment.

use super::admin::{ticked, Choice};
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
use casework_domain::case::{
    CaseForm, ConsentMethod, ContactForm, ContactMode, ServiceConsentForm,
};
use casework_domain::stage::Stage;
use casework_domain::{Invalid, Role};
use casework_service::case::{AssignForm, CaseDetail, MoveForm};
use casework_service::{Cursor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/new", get(new_case).post(open_case))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/stage", post(move_stage))
        .route("/cases/{id}/contacts", post(record_contact))
        .route("/cases/{id}/consents", post(record_consent))
        .route("/cases/{id}/assignment", post(assign))
}

/// A stage's name for people.
pub(crate) fn stage_name(t: &T, stage: Stage) -> String {
    t.dynamic(&format!("stage-{}", stage.as_str()))
}

/// What a stage guard still needs, for people, by `Unmet::code()`.
pub(crate) fn unmet_words(t: &T, code: &str) -> String {
    t.dynamic(&format!("unmet-{code}"))
}

fn mode_name(t: &T, mode: &str) -> String {
    t.dynamic(&format!("case-mode-{mode}"))
}

fn method_name(t: &T, method: &str) -> String {
    t.dynamic(&format!("case-method-{method}"))
}

/// An id picked in a `<select>`: empty means none.
fn picked(field: &str, raw: &str) -> Result<Option<i64>, ServiceError> {
    match raw.trim() {
        "" => Ok(None),
        s => s
            .parse()
            .map(Some)
            .map_err(|_| ServiceError::Invalid(Invalid::new(field, "unknown_choice"))),
    }
}

fn optional_text(raw: &str) -> Option<String> {
    (!raw.trim().is_empty()).then(|| raw.to_string())
}

fn id_choices(
    none_label: String,
    options: impl IntoIterator<Item = (i64, String)>,
    selected: Option<i64>,
) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: none_label,
        selected: selected.is_none(),
    }];
    choices.extend(options.into_iter().map(|(id, label)| Choice {
        value: id.to_string(),
        label,
        selected: Some(id) == selected,
    }));
    choices
}

struct Pickers {
    workers: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
}

async fn pickers(state: &AppState, staff: &Staff) -> Result<Pickers, PageError> {
    let actor = staff.actor();
    let t = staff.t();
    let workers = state
        .app
        .workers(actor)
        .await?
        .into_iter()
        .map(|w| {
            let label = format!("{} ({})", w.display_name, t.role(&w.role));
            (w.id, label)
        })
        .collect();
    let teams = state
        .app
        .teams(actor)
        .await?
        .into_iter()
        .map(|team| (team.id, team.name))
        .collect();
    Ok(Pickers { workers, teams })
}

// ----- Opening a case -----------------------------------------------------------------------

#[derive(Default)]
struct OpenDraft {
    presenting_problem: String,
    referral_source: String,
    program_id: Option<i64>,
    primary_worker_id: Option<i64>,
    team_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewCasePage {
    t: T,
    page: Chrome,
    client_id: i64,
    client_name: String,
    /// A warning when the client already has open cases (empty when not).
    open_already: String,
    draft: OpenDraft,
    programs: Vec<Choice>,
    workers: Vec<Choice>,
    teams: Vec<Choice>,
    /// Intake workers must hand the case to someone.
    must_assign: bool,
    problem: Problem,
}

#[derive(Debug, serde::Deserialize)]
struct NewCaseQuery {
    client_id: Option<String>,
}

fn client_id_of(raw: Option<&str>) -> Result<i64, PageError> {
    raw.and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|id| *id > 0)
        .ok_or_else(PageError::not_found)
}

async fn new_case_page(
    state: &AppState,
    staff: &Staff,
    client_id: i64,
    draft: OpenDraft,
    problem: Problem,
) -> Result<String, PageError> {
    let t = staff.t();
    let actor = staff.actor();
    let detail = state.app.client(actor, client_id).await?;
    let open = detail.open_cases_elsewhere
        + detail
            .cases
            .iter()
            .filter(|c| c.closed_at.is_none())
            .count();
    let open_already = match open {
        0 => String::new(),
        n => t.get_with("case-new-open-already", &[("count", (n as i64).into())]),
    };
    let client = detail.client;
    let client_name = client
        .preferred_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(client.legal_name);
    let programs = state
        .app
        .programs(actor)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name));
    let pick = pickers(state, staff).await?;
    Ok(NewCasePage {
        programs: id_choices(t.get("case-program-none"), programs, draft.program_id),
        workers: id_choices(
            t.get("case-worker-none"),
            pick.workers,
            draft.primary_worker_id,
        ),
        teams: id_choices(t.get("case-team-none"), pick.teams, draft.team_id),
        must_assign: actor.role == Role::IntakeWorker,
        page: Chrome::new(&staff.visitor, "/cases/new"),
        t,
        client_id,
        client_name,
        open_already,
        draft,
        problem,
    }
    .render()?)
}

async fn new_case(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<NewCaseQuery>,
) -> Result<Html<String>, PageError> {
    let client_id = client_id_of(q.client_id.as_deref())?;
    let actor = staff.actor();
    let draft = OpenDraft {
        primary_worker_id: (actor.role == Role::Caseworker).then_some(actor.user_id),
        team_id: if actor.role == Role::IntakeWorker {
            None
        } else {
            actor.team_id
        },
        ..OpenDraft::default()
    };
    Ok(Html(
        new_case_page(&state, &staff, client_id, draft, Problem::none()).await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct OpenCaseForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    presenting_problem: String,
    #[serde(default)]
    referral_source: String,
    #[serde(default)]
    program_id: String,
    #[serde(default)]
    primary_worker_id: String,
    #[serde(default)]
    team_id: String,
}

const OPEN_FIELDS: &[&str] = &[
    "presenting_problem",
    "referral_source",
    "program_id",
    "primary_worker_id",
    "team_id",
];

async fn open_case(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<OpenCaseForm>,
) -> Result<Response, PageError> {
    let client_id = client_id_of(Some(&form.client_id))?;
    let t = staff.t();
    let actor = staff.actor();
    let parsed = (|| {
        Ok::<_, ServiceError>(CaseForm {
            client_id,
            program_id: picked("program_id", &form.program_id)?,
            referral_source: optional_text(&form.referral_source),
            presenting_problem: form.presenting_problem.clone(),
            primary_worker_id: picked("primary_worker_id", &form.primary_worker_id)?,
            team_id: picked("team_id", &form.team_id)?,
        })
    })();
    let draft = OpenDraft {
        presenting_problem: form.presenting_problem.clone(),
        referral_source: form.referral_source.clone(),
        program_id: picked("program_id", &form.program_id).ok().flatten(),
        primary_worker_id: picked("primary_worker_id", &form.primary_worker_id)
            .ok()
            .flatten(),
        team_id: picked("team_id", &form.team_id).ok().flatten(),
    };
    let result = match parsed {
        Ok(case)
            if actor.role == Role::IntakeWorker
                && case.primary_worker_id.is_none()
                && case.team_id.is_none() =>
        {
            // Intake hands every case over: a case nobody carries would be lost.
            let problem = Problem {
                others: Vec::new(),
                field: Some("primary_worker_id".into()),
                message: Some(t.get("case-error-worker-or-team")),
            };
            let html = new_case_page(&state, &staff, client_id, draft, problem).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
        Ok(case) => state.app.open_case(actor, &case).await,
        Err(e) => Err(e),
    };
    match result {
        // Intake does not read case content after hand-over: back to the client, told that the
        // case was opened even though it is no longer listed there for them.
        Ok(case) if actor.role == Role::IntakeWorker => Ok(Redirect::to(&format!(
            "/clients/{}?notice=case-handed-over",
            case.client_id
        ))
        .into_response()),
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &t, OPEN_FIELDS)?;
            let html = new_case_page(&state, &staff, client_id, draft, problem).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

// ----- The case page ------------------------------------------------------------------------

struct StageStep {
    name: String,
    current: bool,
}

struct HistoryLine {
    from: Option<String>,
    to: String,
    by: String,
    when: String,
    override_reason: Option<String>,
}

struct ContactLine {
    date: String,
    mode: String,
    duration_minutes: i64,
    participants: Option<String>,
    interpreter_used: bool,
    summary: Option<String>,
}

struct ConsentLine {
    given_on: String,
    method: String,
    witness: Option<String>,
    revoked: bool,
}

/// A goal on the case page.
struct GoalLine {
    id: i64,
    priority: i64,
    statement: Option<String>,
    status: String,
    agreed: bool,
}

struct AssignmentLine {
    worker: Option<String>,
    team: Option<String>,
    when: String,
    reason: Option<String>,
}

struct ContactDraft {
    date: String,
    mode: String,
    duration_minutes: String,
    participants: String,
    interpreter_used: bool,
    summary: String,
}

struct ConsentDraft {
    given_on: String,
    method: String,
    witness: String,
}

#[derive(Default)]
struct AssignDraft {
    worker_id: Option<i64>,
    team_id: Option<i64>,
    reason: String,
}

/// The forms of the case page as last submitted, with what went wrong in each.
#[derive(Default)]
struct Forms {
    stage: Problem,
    /// The guard's requirements that stopped the last move.
    refused: Vec<String>,
    override_reason: String,
    contact: Option<ContactDraft>,
    contact_problem: Problem,
    consent: Option<ConsentDraft>,
    consent_problem: Problem,
    assign: Option<AssignDraft>,
    assign_problem: Problem,
    notice: Option<String>,
}

impl Forms {
    /// The problem of a form far down the page, with the anchor of that form: the page comes
    /// back at its top, so it says there that something went wrong below and links to it.
    fn below(&self) -> Option<(&str, &'static str)> {
        [
            (&self.contact_problem, "new-contact-heading"),
            (&self.consent_problem, "new-consent-heading"),
            (&self.assign_problem, "assign-heading"),
        ]
        .into_iter()
        .find_map(|(p, anchor)| p.message.as_deref().map(|m| (m, anchor)))
    }
}

#[derive(Template)]
#[template(path = "cases/show.html")]
struct CasePage {
    t: T,
    page: Chrome,
    case_id: i64,
    version: i64,
    client_id: i64,
    client_name: String,
    /// The legal name when the client goes by another.
    legal_name: Option<String>,
    preferred_language: String,
    interpreter_needed: bool,
    /// A safety alert (PHQ-9 item 9) flagged the case: the page warns before anything else.
    at_risk: bool,
    safe_contact: Option<String>,
    program: Option<String>,
    worker: Option<String>,
    team: Option<String>,
    stage: String,
    referral_source: Option<String>,
    presenting_problem: String,
    opened: String,
    steps: Vec<StageStep>,
    history: Vec<HistoryLine>,
    unmet: Vec<String>,
    next_stage: Option<String>,
    back_to_intervention: bool,
    reopen: bool,
    /// Read through broken glass alone: the banner that says so, and until when.
    emergency: Option<String>,
    can_record: bool,
    can_override: bool,
    can_assign: bool,
    contacts: Vec<ContactLine>,
    contacts_next: Option<String>,
    consents: Vec<ConsentLine>,
    assignments: Vec<AssignmentLine>,
    goals: Vec<GoalLine>,
    notes: Vec<super::notes::NoteLine>,
    follow_ups: Vec<super::follow_ups::FollowUpLine>,
    monitoring: super::thread::CaseMonitoring,
    requirements: Vec<super::form_responses::RequirementItem>,
    modes: Vec<Choice>,
    methods: Vec<Choice>,
    workers: Vec<Choice>,
    teams: Vec<Choice>,
    contact: ContactDraft,
    consent: ConsentDraft,
    assign: AssignDraft,
    forms: Forms,
}

fn client_name_of(detail: &CaseDetail) -> (String, Option<String>) {
    match detail
        .client
        .preferred_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        Some(p) if p != detail.client.legal_name => {
            (p.to_string(), Some(detail.client.legal_name.clone()))
        }
        _ => (detail.client.legal_name.clone(), None),
    }
}

async fn case_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    contacts_cursor: Option<&str>,
    mut forms: Forms,
) -> Result<String, PageError> {
    let t = staff.t();
    let actor = staff.actor();
    let cursor = Cursor::parse(contacts_cursor).map_err(ServiceError::Invalid)?;
    let view = state.app.case_page(actor, id, cursor).await?;
    let mut d = view.detail;
    let notes = super::notes::lines(&t, view.notes);
    let follow_ups = super::follow_ups::lines(&t, &view.follow_ups);
    let monitoring = super::thread::case_monitoring(&t, &view.monitoring);
    let requirements =
        super::form_responses::requirement_items(&t, id, std::mem::take(&mut d.requirements));
    let goals = view
        .goals
        .goals
        .into_iter()
        .map(|g| GoalLine {
            id: g.goal.id,
            priority: g.goal.priority,
            statement: g.goal.statement,
            status: super::goals::status_name(&t, g.status),
            agreed: g.goal.client_agreed == 1,
        })
        .collect();
    let pick = if d.can_assign {
        pickers(state, staff).await?
    } else {
        Pickers {
            workers: Vec::new(),
            teams: d
                .team
                .clone()
                .into_iter()
                .map(|team| (team.id, team.name))
                .collect(),
        }
    };
    let team_name = |team: Option<i64>| {
        team.and_then(|id| {
            pick.teams
                .iter()
                .find(|(tid, _)| *tid == id)
                .map(|(_, n)| n.clone())
        })
    };
    let (client_name, legal_name) = client_name_of(&d);
    let steps = Stage::ALL
        .into_iter()
        .map(|s| StageStep {
            name: stage_name(&t, s),
            current: s == d.stage,
        })
        .collect();
    let stage_of = |raw: &str| {
        raw.parse::<Stage>()
            .map(|s| stage_name(&t, s))
            .unwrap_or_else(|_| raw.to_string())
    };
    let history = d
        .history
        .iter()
        .map(|m| HistoryLine {
            from: m.from_stage.as_deref().map(stage_of),
            to: stage_of(&m.to_stage),
            by: m.moved_by_name.clone().unwrap_or_default(),
            when: moment(m.moved_at),
            override_reason: m.override_reason.clone(),
        })
        .collect();
    let contacts = d
        .contacts
        .iter()
        .map(|c| ContactLine {
            date: c.contact_date.clone(),
            mode: mode_name(&t, &c.mode),
            duration_minutes: c.duration_minutes,
            participants: c.participants.clone(),
            interpreter_used: c.interpreter_used == 1,
            summary: c.summary.clone(),
        })
        .collect();
    let consents = d
        .consents
        .iter()
        .map(|c| ConsentLine {
            given_on: c.given_on.clone(),
            method: method_name(&t, &c.method),
            witness: c.witness.clone(),
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    let assignments = d
        .assignments
        .iter()
        .map(|a| AssignmentLine {
            worker: a.worker_name.clone(),
            team: a.team_name.clone(),
            when: moment(a.assigned_at),
            reason: a.reason.clone(),
        })
        .collect();
    let today = state.app.today().to_string();
    let contact = forms.contact.take().unwrap_or(ContactDraft {
        date: today.clone(),
        mode: ContactMode::Office.as_str().to_string(),
        duration_minutes: String::new(),
        participants: String::new(),
        interpreter_used: false,
        summary: String::new(),
    });
    let consent = forms.consent.take().unwrap_or(ConsentDraft {
        given_on: today,
        method: ConsentMethod::Signed.as_str().to_string(),
        witness: String::new(),
    });
    let assign = forms.assign.take().unwrap_or(AssignDraft {
        worker_id: d.case.primary_worker_id,
        team_id: d.case.team_id,
        reason: String::new(),
    });
    let modes = ContactMode::ALL
        .iter()
        .map(|m| Choice {
            value: m.as_str().to_string(),
            label: mode_name(&t, m.as_str()),
            selected: m.as_str() == contact.mode,
        })
        .collect();
    let methods = ConsentMethod::ALL
        .iter()
        .map(|m| Choice {
            value: m.as_str().to_string(),
            label: method_name(&t, m.as_str()),
            selected: m.as_str() == consent.method,
        })
        .collect();
    let workers = id_choices(
        t.get("case-worker-none"),
        pick.workers.clone(),
        assign.worker_id,
    );
    let teams = id_choices(t.get("case-team-none"), pick.teams.clone(), assign.team_id);
    let page = CasePage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{id}")),
        case_id: d.case.id,
        version: d.case.version,
        client_id: d.case.client_id,
        client_name,
        legal_name,
        preferred_language: d.client.preferred_language.clone(),
        interpreter_needed: d.client_interpreter_needed,
        at_risk: d.case.risk_flag != 0,
        safe_contact: d
            .client_safe_contact
            .clone()
            .filter(|s| !s.trim().is_empty()),
        program: d.program.as_ref().map(|p| p.name.clone()),
        worker: d.worker_name.clone(),
        team: team_name(d.case.team_id),
        stage: stage_name(&t, d.stage),
        referral_source: d.case.referral_source.clone(),
        presenting_problem: d.case.presenting_problem.clone(),
        opened: moment(d.case.opened_at),
        steps,
        history,
        unmet: d.unmet.iter().map(|u| unmet_words(&t, u.code())).collect(),
        next_stage: d.stage.next().map(|s| stage_name(&t, s)),
        back_to_intervention: d.stage == Stage::Evaluation,
        reopen: matches!(d.stage, Stage::FollowUp | Stage::Closed),
        emergency: d
            .emergency_until
            .map(|until| t.get_with("case-emergency-banner", &[("until", moment(until).into())])),
        can_record: d.can_record,
        can_override: d.can_override,
        can_assign: d.can_assign,
        contacts,
        contacts_next: d.contacts_next_cursor.clone(),
        consents,
        assignments,
        goals,
        modes,
        notes,
        follow_ups,
        monitoring,
        requirements,
        methods,
        workers,
        teams,
        contact,
        consent,
        assign,
        forms,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct CaseQuery {
    contacts_cursor: Option<String>,
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> Result<Html<String>, PageError> {
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("stage-moved") => Some(t.get("case-notice-stage-moved")),
        Some("contact-recorded") => Some(t.get("case-notice-contact-recorded")),
        Some("consent-recorded") => Some(t.get("case-notice-consent-recorded")),
        Some("assigned") => Some(t.get("case-notice-assigned")),
        _ => None,
    };
    let forms = Forms {
        notice,
        ..Forms::default()
    };
    Ok(Html(
        case_page(&state, &staff, id, q.contacts_cursor.as_deref(), forms).await?,
    ))
}

fn version_of(raw: &str) -> Result<i64, ServiceError> {
    raw.trim().parse().map_err(|_| ServiceError::Stale)
}

/// Answer a failed form with the case page again, the problem shown in its section.
async fn refused(
    state: &AppState,
    staff: &Staff,
    id: i64,
    status: StatusCode,
    forms: Forms,
) -> Result<Response, PageError> {
    let html = case_page(state, staff, id, None, forms).await?;
    Ok((status, Html(html)).into_response())
}

#[derive(Debug, serde::Deserialize)]
struct StageForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    reopen_to: String,
    #[serde(default)]
    reopen_reason: String,
    /// Present on the override form only.
    #[serde(default)]
    override_reason: Option<String>,
}

async fn move_stage(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<StageForm>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let is_override = form.override_reason.is_some();
    let reason = form.override_reason.clone().unwrap_or_default();
    let moved = match version_of(&form.version) {
        Err(e) => Err(e),
        Ok(_) if is_override && reason.trim().is_empty() => Err(ServiceError::Invalid(
            Invalid::new("override_reason", "required"),
        )),
        Ok(version) => {
            let mv = MoveForm {
                direction: form.direction.clone(),
                reopen_to: optional_text(&form.reopen_to),
                override_reason: optional_text(&reason),
                reopen_reason: optional_text(&form.reopen_reason),
            };
            state.app.move_stage(staff.actor(), id, version, &mv).await
        }
    };
    let e = match moved {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/cases/{id}?notice=stage-moved")).into_response())
        }
        Err(e) => e,
    };
    let mut forms = Forms {
        override_reason: reason,
        ..Forms::default()
    };
    let status = match e {
        ServiceError::GuardUnmet(unmet) => {
            forms.stage = Problem::general(t.get("case-move-refused"));
            forms.refused = unmet.iter().map(|u| unmet_words(&t, u.code())).collect();
            StatusCode::CONFLICT
        }
        ServiceError::TransitionNotAllowed => {
            forms.stage = Problem::general(t.error("transition_not_allowed"));
            StatusCode::CONFLICT
        }
        e => {
            let (status, problem) = Problem::from_service(
                e,
                &t,
                &["override_reason", "reopen_to", "reopen_reason", "direction"],
            )?;
            forms.stage = problem;
            status
        }
    };
    refused(&state, &staff, id, status, forms).await
}

#[derive(Debug, serde::Deserialize)]
struct ContactPost {
    #[serde(default)]
    date: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    participants: String,
    interpreter_used: Option<String>,
    #[serde(default)]
    summary: String,
}

const CONTACT_FIELDS: &[&str] = &[
    "date",
    "mode",
    "duration_minutes",
    "participants",
    "summary",
];

async fn record_contact(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<ContactPost>,
) -> Result<Response, PageError> {
    let recorded = match form.duration_minutes.trim().parse::<i64>() {
        Err(_) => Err(ServiceError::Invalid(Invalid::new(
            "duration_minutes",
            "minutes_range",
        ))),
        Ok(minutes) => {
            let contact = ContactForm {
                date: form.date.clone(),
                mode: form.mode.clone(),
                duration_minutes: minutes,
                participants: optional_text(&form.participants),
                interpreter_used: ticked(&form.interpreter_used),
                summary: optional_text(&form.summary),
            };
            state.app.record_contact(staff.actor(), id, &contact).await
        }
    };
    match recorded {
        Ok(_) => Ok(
            Redirect::to(&format!("/cases/{id}?notice=contact-recorded#contacts")).into_response(),
        ),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), CONTACT_FIELDS)?;
            let forms = Forms {
                contact_problem: problem,
                contact: Some(ContactDraft {
                    interpreter_used: ticked(&form.interpreter_used),
                    date: form.date,
                    mode: form.mode,
                    duration_minutes: form.duration_minutes,
                    participants: form.participants,
                    summary: form.summary,
                }),
                ..Forms::default()
            };
            refused(&state, &staff, id, status, forms).await
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct ConsentPost {
    #[serde(default)]
    given_on: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    witness: String,
}

async fn record_consent(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<ConsentPost>,
) -> Result<Response, PageError> {
    let consent = ServiceConsentForm {
        given_on: form.given_on.clone(),
        method: form.method.clone(),
        witness: optional_text(&form.witness),
    };
    match state
        .app
        .record_service_consent(staff.actor(), id, &consent)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/cases/{id}?notice=consent-recorded#consents")).into_response(),
        ),
        Err(e) => {
            let (status, problem) =
                Problem::from_service(e, &staff.t(), &["given_on", "method", "witness"])?;
            let forms = Forms {
                consent_problem: problem,
                consent: Some(ConsentDraft {
                    given_on: form.given_on,
                    method: form.method,
                    witness: form.witness,
                }),
                ..Forms::default()
            };
            refused(&state, &staff, id, status, forms).await
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct AssignPost {
    #[serde(default)]
    version: String,
    #[serde(default)]
    worker_id: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    reason: String,
}

async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<AssignPost>,
) -> Result<Response, PageError> {
    let assigned = async {
        let version = version_of(&form.version)?;
        let assignment = AssignForm {
            worker_id: picked("primary_worker_id", &form.worker_id)?,
            team_id: picked("team_id", &form.team_id)?,
            reason: optional_text(&form.reason),
        };
        state
            .app
            .assign_case(staff.actor(), id, version, &assignment)
            .await
    }
    .await;
    match assigned {
        Ok(_) => {
            Ok(Redirect::to(&format!("/cases/{id}?notice=assigned#assignment")).into_response())
        }
        Err(e) => {
            let (status, problem) =
                Problem::from_service(e, &staff.t(), &["primary_worker_id", "team_id", "reason"])?;
            let forms = Forms {
                assign_problem: problem,
                assign: Some(AssignDraft {
                    worker_id: picked("primary_worker_id", &form.worker_id).ok().flatten(),
                    team_id: picked("team_id", &form.team_id).ok().flatten(),
                    reason: form.reason,
                }),
                ..Forms::default()
            };
            refused(&state, &staff, id, status, forms).await
        }
    }
}
