//! Case notes: the list on the case page, writing a note in the chosen format (without script:
//! the format select reloads the form with `?format=`), the note's page with its edit form while
//! a draft, "Sign", and after signing only the addendum form. Addenda show below the note.

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
use casework_domain::note::{NoteForm, NoteFormat, Sensitivity};
use casework_service::note::CaseNotes;
use casework_service::note::NoteDetail;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/notes/new", get(new_note))
        .route("/cases/{id}/notes", post(create_note))
        .route("/notes/{id}", get(show).post(update_note))
        .route("/notes/{id}/sign", post(sign))
        .route("/notes/{id}/addenda", post(add_addendum))
}

/// One line of the case page's notes list.
pub(crate) struct NoteLine {
    pub id: i64,
    pub format: String,
    pub sensitivity: String,
    pub author: String,
    pub signed: bool,
    pub written_on: String,
}

fn format_name(t: &T, f: NoteFormat) -> String {
    t.dynamic(&format!("note-format-{}", f.as_str()))
}

fn sensitivity_name(t: &T, s: Sensitivity) -> String {
    t.dynamic(&format!("note-sensitivity-{}", s.as_str()))
}

fn day_of(ms: i64) -> String {
    casework_service::clock::date_of(ms).to_string()
}

/// The notes of the case the actor may read, for the case page.
pub(crate) fn lines(t: &T, notes: CaseNotes) -> Vec<NoteLine> {
    notes
        .notes
        .into_iter()
        .map(|n| NoteLine {
            id: n.note.id,
            format: format_name(t, n.format),
            sensitivity: sensitivity_name(t, n.sensitivity),
            author: n.author_name.clone().unwrap_or_default(),
            signed: n.signed(),
            written_on: day_of(n.note.created_at),
        })
        .collect()
}

struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

struct SectionField {
    name: &'static str,
    label: String,
    value: String,
}

struct SectionText {
    label: String,
    text: String,
}

struct AddendumLine {
    author: String,
    signed_on: String,
    body: String,
}

/// The form as shown or as last submitted.
#[derive(Debug, Default, Clone)]
struct NotePost {
    version: String,
    format: String,
    sensitivity: String,
    contact_id: String,
    goal_ids: Vec<i64>,
    body: String,
    data: String,
    subjective: String,
    objective: String,
    assessment: String,
    plan: String,
}

impl NotePost {
    fn from_pairs(pairs: &[(String, String)]) -> NotePost {
        let mut p = NotePost::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "version" => p.version = v,
                "format" => p.format = v,
                "sensitivity" => p.sensitivity = v,
                "contact_id" => p.contact_id = v,
                "goal_ids" => p.goal_ids.extend(v.trim().parse::<i64>().ok()),
                "body" => p.body = v,
                "data" => p.data = v,
                "subjective" => p.subjective = v,
                "objective" => p.objective = v,
                "assessment" => p.assessment = v,
                "plan" => p.plan = v,
                _ => {}
            }
        }
        p
    }

    fn value(&self, name: &str) -> &str {
        match name {
            "body" => &self.body,
            "data" => &self.data,
            "subjective" => &self.subjective,
            "objective" => &self.objective,
            "assessment" => &self.assessment,
            "plan" => &self.plan,
            _ => "",
        }
    }

    fn form(&self) -> NoteForm {
        let text = |s: &str| Some(s.to_string());
        NoteForm {
            format: self.format.clone(),
            sensitivity: text(&self.sensitivity),
            body: text(&self.body),
            data: text(&self.data),
            subjective: text(&self.subjective),
            objective: text(&self.objective),
            assessment: text(&self.assessment),
            plan: text(&self.plan),
            // A choice that is not a number is refused as an unknown choice.
            contact_id: match self.contact_id.trim() {
                "" => None,
                c => Some(c.parse().unwrap_or(0)),
            },
            goal_ids: self.goal_ids.clone(),
        }
    }

    fn of(d: &NoteDetail) -> NotePost {
        let n = &d.note;
        let s = |name: &str| n.section(name).unwrap_or_default().to_string();
        NotePost {
            version: n.note.version.to_string(),
            format: n.format.as_str().to_string(),
            sensitivity: n.sensitivity.as_str().to_string(),
            contact_id: n.note.contact_id.map(|c| c.to_string()).unwrap_or_default(),
            goal_ids: n.goal_ids.clone(),
            body: s("body"),
            data: s("data"),
            subjective: s("subjective"),
            objective: s("objective"),
            assessment: s("assessment"),
            plan: s("plan"),
        }
    }
}

const FIELDS: &[&str] = &[
    "format",
    "sensitivity",
    "contact_id",
    "goal_ids",
    "body",
    "data",
    "subjective",
    "objective",
    "assessment",
    "plan",
];

/// A goal or contact the note may point to.
struct LinkChoice {
    id: i64,
    label: String,
    selected: bool,
}

/// The case's contacts (latest first page) and goals the note may point to: (id, label).
struct Links {
    contacts: Vec<(i64, String)>,
    goals: Vec<(i64, String)>,
}

impl Links {
    async fn of(state: &AppState, staff: &Staff, case_id: i64) -> Result<Links, PageError> {
        let t = staff.t();
        let actor = staff.actor();
        let contacts = state
            .app
            .case(actor, case_id, None)
            .await?
            .contacts
            .into_iter()
            .map(|c| {
                let mode = t.dynamic(&format!("case-mode-{}", c.mode));
                (c.id, format!("{} ({mode})", c.contact_date))
            })
            .collect();
        let goals = state
            .app
            .goals(actor, case_id)
            .await?
            .goals
            .into_iter()
            .map(|g| {
                let label = g.goal.statement.unwrap_or_else(|| t.get("goal-untitled"));
                (g.goal.id, label)
            })
            .collect();
        Ok(Links { contacts, goals })
    }

    /// The choices with what `post` picked selected: (contacts, goals).
    fn choices(&self, post: &NotePost) -> (Vec<LinkChoice>, Vec<LinkChoice>) {
        let contact: Option<i64> = post.contact_id.trim().parse().ok();
        let pick = |list: &[(i64, String)], on: &dyn Fn(i64) -> bool| {
            list.iter()
                .map(|(id, label)| LinkChoice {
                    id: *id,
                    label: label.clone(),
                    selected: on(*id),
                })
                .collect()
        };
        (
            pick(&self.contacts, &|id| contact == Some(id)),
            pick(&self.goals, &|id| post.goal_ids.contains(&id)),
        )
    }
}

/// A goal named by position (`goal_ids[1]`) is shown at the goal choices.
fn form_problem(e: ServiceError, t: &T) -> Result<(axum::http::StatusCode, Problem), PageError> {
    let e = match e {
        ServiceError::Invalid(i) if i.field.starts_with("goal_ids[") => {
            ServiceError::Invalid(casework_domain::Invalid::new("goal_ids", i.code))
        }
        other => other,
    };
    Problem::from_service(e, t, FIELDS)
}

fn format_of(raw: &str) -> NoteFormat {
    raw.parse().unwrap_or(NoteFormat::Narrative)
}

fn choices(t: &T, post: &NotePost) -> (Vec<Choice>, Vec<Choice>, Vec<SectionField>) {
    let format = format_of(&post.format);
    let formats = NoteFormat::ALL
        .into_iter()
        .map(|f| Choice {
            value: f.as_str(),
            label: format_name(t, f),
            selected: f == format,
        })
        .collect();
    let chosen: Sensitivity = post.sensitivity.parse().unwrap_or(Sensitivity::Normal);
    let sensitivities = Sensitivity::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: sensitivity_name(t, s),
            selected: s == chosen,
        })
        .collect();
    let sections = format
        .sections()
        .iter()
        .map(|name| SectionField {
            name,
            label: t.dynamic(&format!("note-section-{name}")),
            value: post.value(name).to_string(),
        })
        .collect();
    (formats, sensitivities, sections)
}

#[derive(Template)]
#[template(path = "notes/new.html")]
struct NewPage {
    t: T,
    page: Chrome,
    case_id: i64,
    format: &'static str,
    formats: Vec<Choice>,
    sensitivities: Vec<Choice>,
    sections: Vec<SectionField>,
    contacts: Vec<LinkChoice>,
    goals: Vec<LinkChoice>,
    problem: Problem,
}

async fn new_page(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    post: &NotePost,
    problem: Problem,
) -> Result<String, PageError> {
    let t = staff.t();
    let (formats, sensitivities, sections) = choices(&t, post);
    let (contacts, goals) = Links::of(state, staff, case_id).await?.choices(post);
    let page = NewPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{case_id}/notes/new")),
        case_id,
        format: format_of(&post.format).as_str(),
        formats,
        sensitivities,
        sections,
        contacts,
        goals,
        problem,
        t,
    };
    Ok(page.render()?)
}

#[derive(Debug, serde::Deserialize)]
struct NewQuery {
    format: Option<String>,
}

async fn new_note(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, PageError> {
    // Reading the case's notes checks the actor may reach the case at all.
    let notes = state.app.notes(staff.actor(), case_id).await?;
    if !notes.can_record {
        return Err(ServiceError::Forbidden.into());
    }
    let post = NotePost {
        format: q.format.unwrap_or_default(),
        ..NotePost::default()
    };
    Ok(Html(
        new_page(&state, &staff, case_id, &post, Problem::none()).await?,
    ))
}

async fn create_note(
    State(state): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let post = NotePost::from_pairs(&pairs);
    match state
        .app
        .write_note(staff.actor(), case_id, &post.form())
        .await
    {
        Ok(n) => Ok(Redirect::to(&format!("/notes/{}?notice=saved", n.note.id)).into_response()),
        Err(e) => {
            let (status, problem) = form_problem(e, &t)?;
            let html = new_page(&state, &staff, case_id, &post, problem).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "notes/show.html")]
struct ShowPage {
    t: T,
    page: Chrome,
    note_id: i64,
    case_id: i64,
    version: i64,
    format: String,
    format_value: &'static str,
    sensitivity: String,
    author: String,
    written_on: String,
    signed_on: Option<String>,
    sections: Vec<SectionText>,
    addenda: Vec<AddendumLine>,
    can_edit: bool,
    can_sign: bool,
    can_add_addendum: bool,
    sensitivities: Vec<Choice>,
    fields: Vec<SectionField>,
    contacts: Vec<LinkChoice>,
    goals: Vec<LinkChoice>,
    /// What the note points to, as shown to readers.
    linked_contact: Option<String>,
    linked_goals: Vec<String>,
    addendum: String,
    notice: Option<String>,
    edit: Problem,
    sign: Problem,
    amend: Problem,
}

#[derive(Default)]
struct Shown {
    draft: Option<NotePost>,
    addendum: String,
    notice: Option<String>,
    edit: Problem,
    sign: Problem,
    amend: Problem,
}

async fn note_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    shown: Shown,
) -> Result<String, PageError> {
    let t = staff.t();
    let d = state.app.note(staff.actor(), id).await?;
    let draft = shown.draft.unwrap_or_else(|| NotePost::of(&d));
    let saved = NotePost::of(&d);
    let links = Links::of(state, staff, d.case.id).await?;
    let (contacts, goals) = links.choices(&draft);
    let (saved_contacts, saved_goals) = links.choices(&saved);
    let linked_contact = saved_contacts
        .into_iter()
        .find(|c| c.selected)
        .map(|c| c.label);
    let linked_goals = saved_goals
        .into_iter()
        .filter(|g| g.selected)
        .map(|g| g.label)
        .collect();
    let (_, sensitivities, fields) = choices(
        &t,
        &NotePost {
            format: d.note.format.as_str().to_string(),
            ..draft
        },
    );
    let n = &d.note;
    let page = ShowPage {
        page: Chrome::new(&staff.visitor, &format!("/notes/{id}")),
        note_id: n.note.id,
        case_id: d.case.id,
        version: n.note.version,
        format: format_name(&t, n.format),
        format_value: n.format.as_str(),
        sensitivity: sensitivity_name(&t, n.sensitivity),
        author: n.author_name.clone().unwrap_or_default(),
        written_on: day_of(n.note.created_at),
        signed_on: n.note.signed_at.map(day_of),
        sections: n
            .sections
            .iter()
            .map(|(name, text)| SectionText {
                label: t.dynamic(&format!("note-section-{name}")),
                text: text.clone(),
            })
            .collect(),
        addenda: d
            .addenda
            .iter()
            .map(|a| AddendumLine {
                author: a.author_name.clone().unwrap_or_default(),
                signed_on: day_of(a.addendum.signed_at),
                body: a.addendum.body.clone(),
            })
            .collect(),
        can_edit: d.can_edit,
        can_sign: d.can_sign,
        can_add_addendum: d.can_add_addendum,
        sensitivities,
        fields,
        contacts,
        goals,
        linked_contact,
        linked_goals,
        addendum: shown.addendum,
        notice: shown.notice,
        edit: shown.edit,
        sign: shown.sign,
        amend: shown.amend,
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
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(t.get("note-notice-saved")),
        Some("signed") => Some(t.get("note-notice-signed")),
        Some("amended") => Some(t.get("note-notice-amended")),
        _ => None,
    };
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    Ok(Html(note_page(&state, &staff, id, shown).await?))
}

fn version_of(raw: &str) -> Result<i64, ServiceError> {
    raw.trim().parse().map_err(|_| ServiceError::Stale)
}

async fn update_note(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let post = NotePost::from_pairs(&pairs);
    let done = match version_of(&post.version) {
        Ok(v) => {
            state
                .app
                .update_note(staff.actor(), id, v, &post.form())
                .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/notes/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (status, edit) = form_problem(e, &t)?;
            let shown = Shown {
                draft: Some(post),
                edit,
                ..Shown::default()
            };
            let html = note_page(&state, &staff, id, shown).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct SignPost {
    #[serde(default)]
    version: String,
}

async fn sign(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<SignPost>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let done = match version_of(&post.version) {
        Ok(v) => state.app.sign_note(staff.actor(), id, v).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/notes/{id}?notice=signed")).into_response()),
        Err(e) => {
            let (status, sign) = Problem::from_service(e, &t, &[])?;
            let shown = Shown {
                sign,
                ..Shown::default()
            };
            let html = note_page(&state, &staff, id, shown).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct AddendumPost {
    #[serde(default)]
    body: String,
}

async fn add_addendum(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(post): Form<AddendumPost>,
) -> Result<Response, PageError> {
    let t = staff.t();
    match state.app.add_addendum(staff.actor(), id, &post.body).await {
        Ok(_) => Ok(Redirect::to(&format!("/notes/{id}?notice=amended")).into_response()),
        Err(e) => {
            let (status, amend) = Problem::from_service(e, &t, &["body"])?;
            let shown = Shown {
                addendum: post.body,
                amend,
                ..Shown::default()
            };
            let html = note_page(&state, &staff, id, shown).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}
