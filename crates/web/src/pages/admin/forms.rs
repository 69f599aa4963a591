//! The admin's assessment form builder: the list of forms, and one form's draft with one small
//! form per action (rename, add a section, add a field, move, remove, publish), so it works
//! without JavaScript. Admins see definitions only, never client answers.

use super::ticked;
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
use casework_domain::form::{key_from_label, FieldDoc, FieldKind, FormDefinition};
use casework_domain::Role;
use casework_service::form::{FormChange, FormDetail};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/forms", get(list).post(create))
        .route("/admin/forms/{id}", get(edit))
        .route("/admin/forms/{id}/name", post(rename))
        .route("/admin/forms/{id}/sections", post(add_section))
        .route("/admin/forms/{id}/fields", post(add_field))
        .route("/admin/forms/{id}/moves", post(move_item))
        .route("/admin/forms/{id}/removals", post(remove_field))
        .route("/admin/forms/{id}/publication", post(publish))
}

pub(crate) fn kind_name(t: &T, kind: &str) -> String {
    t.dynamic(&format!("form-kind-{}", kind.replace('_', "-")))
}

struct FormLine {
    id: i64,
    name: String,
    published: bool,
}

#[derive(Template)]
#[template(path = "admin/forms.html")]
struct FormsPage {
    t: T,
    page: Chrome,
    forms: Vec<FormLine>,
    next: Option<String>,
    name: String,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    cursor: Option<&str>,
    name: String,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let cursor =
        casework_service::Cursor::parse(cursor).map_err(casework_service::ServiceError::Invalid)?;
    let forms = state
        .app
        .assessment_forms(staff.actor(), cursor, Some(50))
        .await?;
    Ok(FormsPage {
        t: staff.t(),
        page: Chrome::new(&staff.visitor, "/admin/forms"),
        forms: forms
            .items
            .into_iter()
            .map(|f| FormLine {
                id: f.id,
                name: f.name,
                published: f.published_version_id.is_some(),
            })
            .collect(),
        next: forms.next_cursor,
        name,
        problem,
        notice,
    }
    .render()?)
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    staff.require(Role::Admin)?;
    let notice =
        (q.notice.as_deref() == Some("form-created")).then(|| staff.t().get("notice-form-created"));
    Ok(Html(
        list_page(
            &state,
            &staff,
            q.cursor.as_deref(),
            String::new(),
            Problem::none(),
            notice,
        )
        .await?,
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: i64,
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<NameForm>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    match state
        .app
        .create_assessment_form(staff.actor(), &form.name)
        .await
    {
        Ok(d) => Ok(
            Redirect::to(&format!("/admin/forms/{}?notice=form-created", d.form.id))
                .into_response(),
        ),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &["name"])?;
            let html = list_page(&state, &staff, None, form.name, problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

struct FieldLine {
    key: String,
    label: String,
    kind: String,
    required: bool,
    choices: String,
    help: Option<String>,
    first: bool,
    last: bool,
}

struct SectionBlock {
    index: usize,
    title: String,
    fields: Vec<FieldLine>,
    first: bool,
    last: bool,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// What the admin typed into the add-field form, kept when it is refused.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct FieldInput {
    #[serde(default)]
    section: usize,
    #[serde(default)]
    label: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    kind: String,
    required: Option<String>,
    #[serde(default)]
    choices: String,
    #[serde(default)]
    help: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
    #[serde(default)]
    version: i64,
}

/// Which of the page's forms a problem belongs to.
#[derive(Default)]
struct Problems {
    name: Problem,
    section: Problem,
    field: Problem,
    other: Problem,
}

#[derive(Template)]
#[template(path = "admin/form_edit.html")]
struct EditPage {
    t: T,
    page: Chrome,
    id: i64,
    name: String,
    version: i64,
    draft: bool,
    title: String,
    version_line: String,
    published_note: String,
    sections: Vec<SectionBlock>,
    section_choices: Vec<Choice>,
    kinds: Vec<Choice>,
    input: FieldInput,
    input_required: bool,
    section_title: String,
    problems: Problems,
    notice: Option<String>,
}

fn blocks(t: &T, d: &FormDefinition) -> Vec<SectionBlock> {
    let n = d.sections().len();
    d.sections()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let m = s.fields.len();
            SectionBlock {
                index: i,
                title: s.title.clone(),
                first: i == 0,
                last: i + 1 == n,
                fields: s
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(j, f)| FieldLine {
                        key: f.key.clone(),
                        label: f.label.clone(),
                        kind: kind_name(t, f.kind.name()),
                        required: f.required,
                        choices: f.kind.choices().join(", "),
                        help: f.help.clone(),
                        first: j == 0,
                        last: j + 1 == m,
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn edit_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    input: FieldInput,
    section_title: String,
    problems: Problems,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let d: FormDetail = state.app.assessment_form(staff.actor(), id).await?;
    let draft = d.is_draft();
    let status = t.get(if draft {
        "form-status-draft"
    } else {
        "form-status-published"
    });
    let section_choices = d
        .definition
        .sections()
        .iter()
        .enumerate()
        .map(|(i, s)| Choice {
            value: i.to_string(),
            label: s.title.clone(),
            selected: i == input.section,
        })
        .collect();
    let kinds = FieldKind::NAMES
        .iter()
        .map(|k| Choice {
            value: k.to_string(),
            label: kind_name(&t, k),
            selected: input.kind == *k,
        })
        .collect();
    Ok(EditPage {
        page: Chrome::new(&staff.visitor, "/admin/forms"),
        id,
        name: d.form.name.clone(),
        version: d.form.version,
        draft,
        title: t.get_with("form-edit-title", &[("name", d.form.name.clone().into())]),
        version_line: t.get_with(
            "form-version-line",
            &[
                ("number", d.shown.version_no.into()),
                ("status", status.into()),
            ],
        ),
        published_note: t.get_with(
            "form-published-note",
            &[("next", (d.shown.version_no + 1).into())],
        ),
        sections: blocks(&t, &d.definition),
        section_choices,
        kinds,
        input_required: ticked(&input.required),
        input,
        section_title,
        problems,
        notice,
        t,
    }
    .render()?)
}

#[derive(Debug, Default, serde::Deserialize)]
struct EditQuery {
    notice: Option<String>,
}

async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> Result<Html<String>, PageError> {
    staff.require(Role::Admin)?;
    let notice = match q.notice.as_deref() {
        Some(n @ ("form-created" | "form-changed" | "form-published")) => {
            Some(staff.t().get(&format!("notice-{n}")))
        }
        _ => None,
    };
    Ok(Html(
        edit_page(
            &state,
            &staff,
            id,
            FieldInput::default(),
            String::new(),
            Problems::default(),
            notice,
        )
        .await?,
    ))
}

/// Which form on the page a refused change came from.
enum Which {
    Name,
    Section(String),
    Field(FieldInput),
    Other,
}

async fn apply(
    state: &AppState,
    staff: &Staff,
    id: i64,
    version: i64,
    change: FormChange,
    which: Which,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    match state
        .app
        .change_assessment_form(staff.actor(), id, version, &change)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/forms/{id}?notice=form-changed")).into_response())
        }
        Err(e) => refused(state, staff, id, e, which).await,
    }
}

async fn refused(
    state: &AppState,
    staff: &Staff,
    id: i64,
    e: casework_service::ServiceError,
    which: Which,
) -> Result<Response, PageError> {
    let t = staff.t();
    let mut problems = Problems::default();
    let (mut input, mut title) = (FieldInput::default(), String::new());
    let status = match which {
        Which::Name => {
            let (s, p) = Problem::from_service(e, &t, &["name"])?;
            problems.name = p;
            s
        }
        Which::Section(t_) => {
            let (s, p) = Problem::from_service(e, &t, &["title"])?;
            problems.section = p;
            title = t_;
            s
        }
        Which::Field(i) => {
            let fields = [
                "section", "label", "key", "kind", "choices", "help", "min", "max",
            ];
            let (s, p) = Problem::from_service(e, &t, &fields)?;
            problems.field = p;
            input = i;
            s
        }
        Which::Other => {
            let (s, p) = Problem::from_service(e, &t, &[])?;
            problems.other = p;
            s
        }
    };
    let html = edit_page(state, staff, id, input, title, problems, None).await?;
    Ok((status, Html(html)).into_response())
}

async fn rename(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<NameForm>,
) -> Result<Response, PageError> {
    let change = FormChange::Rename(form.name);
    apply(&state, &staff, id, form.version, change, Which::Name).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct SectionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    version: i64,
}

async fn add_section(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<SectionForm>,
) -> Result<Response, PageError> {
    let change = FormChange::AddSection {
        title: form.title.clone(),
    };
    let which = Which::Section(form.title);
    apply(&state, &staff, id, form.version, change, which).await
}

/// A number box: blank is "no limit"; anything unreadable is refused naming the box.
fn bound(field: &'static str, raw: &str) -> Result<Option<f64>, casework_domain::Invalid> {
    match raw.trim() {
        "" => Ok(None),
        s => s
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| casework_domain::Invalid::new(field, "wrong_type")),
    }
}

async fn add_field(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(input): Form<FieldInput>,
) -> Result<Response, PageError> {
    let bounds = bound("min", &input.min).and_then(|min| Ok((min, bound("max", &input.max)?)));
    let (min, max) = match bounds {
        Ok(b) => b,
        Err(e) => {
            staff.require(Role::Admin)?;
            return refused(&state, &staff, id, e.into(), Which::Field(input)).await;
        }
    };
    let key = if input.key.trim().is_empty() && !input.label.trim().is_empty() {
        key_from_label(&input.label)
    } else {
        input.key.trim().to_string()
    };
    let field = FieldDoc {
        key,
        label: input.label.clone(),
        kind: input.kind.clone(),
        required: ticked(&input.required),
        help: Some(input.help.clone()).filter(|h| !h.trim().is_empty()),
        min,
        max,
        choices: input
            .choices
            .lines()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    };
    let change = FormChange::AddField {
        section: input.section,
        field,
    };
    let version = input.version;
    apply(&state, &staff, id, version, change, Which::Field(input)).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct MoveForm {
    /// `section:<index>` or `field:<key>`.
    #[serde(default)]
    target: String,
    /// `up` or `down`.
    #[serde(default)]
    direction: String,
    #[serde(default)]
    version: i64,
}

async fn move_item(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    let up = form.direction == "up";
    let change = match form.target.split_once(':') {
        Some(("section", i)) => FormChange::MoveSection {
            index: i.parse().unwrap_or(usize::MAX),
            up,
        },
        Some(("field", key)) => FormChange::MoveField {
            key: key.to_string(),
            up,
        },
        _ => FormChange::MoveField {
            key: String::new(),
            up,
        },
    };
    apply(&state, &staff, id, form.version, change, Which::Other).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct RemoveForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    version: i64,
}

async fn remove_field(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, PageError> {
    let change = FormChange::RemoveField { key: form.key };
    apply(&state, &staff, id, form.version, change, Which::Other).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct PublishForm {
    #[serde(default)]
    version: i64,
}

async fn publish(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    match state
        .app
        .publish_assessment_form(staff.actor(), id, form.version)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/forms/{id}?notice=form-published")).into_response())
        }
        Err(e) => refused(&state, &staff, id, e, Which::Other).await,
    }
}
