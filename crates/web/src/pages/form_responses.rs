//! Workers fill the agency's published forms for a case: the case's forms page (what can be
//! filled, what was filled), the fill page (each field with its proper labelled input, a
//! fieldset and legend for choice groups, "required" in words), and a response's page (read; a
//! draft can be continued).

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use casework_domain::form::{Answer, Answers, Field, FieldKind, FormDefinition, Requirement};
use casework_service::form::RequirementLine;
use casework_service::form_response::ResponseForm;
use casework_service::{Cursor, ServiceError};
use serde_json::{Map, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/forms", get(list))
        .route("/cases/{id}/forms/{form_id}/new", get(new).post(create))
        .route("/form-responses/{id}", get(show).post(update))
}

/// One input of the fill page, ready to render.
pub(crate) struct InputField {
    key: String,
    label: String,
    help: Option<String>,
    required: bool,
    /// short_text, long_text, number, date, single_choice, multiple_choice, yes_no.
    kind: &'static str,
    value: String,
    min: Option<String>,
    max: Option<String>,
    choices: Vec<ChoiceInput>,
    problem: Option<String>,
}

impl InputField {
    fn is_group(&self) -> bool {
        matches!(self.kind, "single_choice" | "multiple_choice" | "yes_no")
    }

    fn input_type(&self) -> &'static str {
        match self.kind {
            "number" => "number",
            "date" => "date",
            "multiple_choice" => "checkbox",
            "single_choice" | "yes_no" => "radio",
            _ => "text",
        }
    }
}

pub(crate) struct ChoiceInput {
    value: String,
    label: String,
    checked: bool,
}

pub(crate) struct InputSection {
    title: String,
    fields: Vec<InputField>,
}

fn number_text(n: f64) -> String {
    // Whole numbers without a trailing ".0", as a person would write them.
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// What was typed for each field, as the page shows it again.
type Typed = Vec<(String, String)>;

fn typed_of(answers: &Answers, d: &FormDefinition) -> Typed {
    let mut out = Vec::new();
    for f in d.fields() {
        let name = format!("answer.{}", f.key);
        match answers.get(&f.key) {
            Some(Answer::Text(s) | Answer::Choice(s)) => out.push((name, s.clone())),
            Some(Answer::Number(n)) => out.push((name, number_text(*n))),
            Some(Answer::Date(d)) => out.push((name, d.to_string())),
            Some(Answer::Choices(c)) => out.extend(c.iter().map(|c| (name.clone(), c.clone()))),
            Some(Answer::YesNo(b)) => out.push((name, if *b { "yes" } else { "no" }.into())),
            None => {}
        }
    }
    out
}

fn input_field(t: &T, f: &Field, typed: &Typed, problem: &Problem) -> InputField {
    let name = format!("answer.{}", f.key);
    let given: Vec<&str> = typed
        .iter()
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
        .collect();
    let choices = match &f.kind {
        FieldKind::SingleChoice(c) | FieldKind::MultipleChoice(c) => c
            .iter()
            .map(|c| ChoiceInput {
                value: c.clone(),
                label: c.clone(),
                checked: given.contains(&c.as_str()),
            })
            .collect(),
        FieldKind::YesNo => [("yes", "yes"), ("no", "no")]
            .into_iter()
            .map(|(v, id)| ChoiceInput {
                value: v.into(),
                label: t.get(id),
                checked: given.contains(&v),
            })
            .collect(),
        _ => Vec::new(),
    };
    let (min, max) = match f.kind {
        FieldKind::Number { min, max } => (min.map(number_text), max.map(number_text)),
        _ => (None, None),
    };
    InputField {
        key: f.key.clone(),
        label: f.label.clone(),
        help: f.help.clone(),
        required: f.required,
        kind: f.kind.name(),
        value: given.first().map(|v| v.to_string()).unwrap_or_default(),
        min,
        max,
        choices,
        problem: problem.at(&f.key).map(str::to_string),
    }
}

fn input_sections(
    t: &T,
    d: &FormDefinition,
    typed: &Typed,
    problem: &Problem,
) -> Vec<InputSection> {
    d.sections()
        .iter()
        .map(|s| InputSection {
            title: s.title.clone(),
            fields: s
                .fields
                .iter()
                .map(|f| input_field(t, f, typed, problem))
                .collect(),
        })
        .collect()
}

/// The posted inputs as answers for the domain to check: numbers read as numbers (anything
/// else is passed on as text, which the domain refuses as `wrong_type` naming the field),
/// yes/no as booleans, several choices as a list. Blank inputs are left out.
fn answers_of(d: &FormDefinition, posted: &Typed) -> Map<String, Value> {
    let mut out = Map::new();
    for f in d.fields() {
        let name = format!("answer.{}", f.key);
        let values: Vec<&str> = posted
            .iter()
            .filter(|(k, v)| *k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect();
        let Some(first) = values.first().copied() else {
            continue;
        };
        let value = match f.kind {
            FieldKind::MultipleChoice(_) => Value::Array(
                values
                    .iter()
                    .map(|v| Value::String(v.to_string()))
                    .collect(),
            ),
            FieldKind::Number { .. } => first
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| Value::String(first.into()), Value::Number),
            FieldKind::YesNo => match first {
                "yes" => Value::Bool(true),
                "no" => Value::Bool(false),
                other => Value::String(other.into()),
            },
            _ => Value::String(first.into()),
        };
        out.insert(f.key.clone(), value);
    }
    out
}

fn field_keys(d: &FormDefinition) -> Vec<&str> {
    let mut keys: Vec<&str> = d.fields().map(|f| f.key.as_str()).collect();
    keys.push("filled_on");
    keys
}

fn posted_value<'a>(posted: &'a Typed, name: &str) -> Option<&'a str> {
    posted
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The fill form itself, shared by the new page and a draft's page.
#[derive(Template)]
#[template(path = "form_responses/fill.html")]
struct FillForm {
    t: T,
    csrf: String,
    action: String,
    version: Option<i64>,
    filled_on: String,
    sections: Vec<InputSection>,
    problem: Problem,
}

#[derive(Template)]
#[template(path = "form_responses/new.html")]
struct NewPage {
    t: T,
    page: Chrome,
    title: String,
    case_id: i64,
    fill: String,
}

async fn new_page(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    form_id: i64,
    typed: Typed,
    problem: Problem,
) -> Result<String, PageError> {
    let t = staff.t();
    let (c, f) = state
        .app
        .fillable_form(staff.actor(), case_id, form_id)
        .await?;
    let filled_on = posted_value(&typed, "filled_on")
        .map(str::to_string)
        .unwrap_or_else(|| state.app.today().to_string());
    let fill = FillForm {
        t,
        csrf: staff.visitor.csrf().to_string(),
        action: format!("/cases/{}/forms/{}/new", c.id, f.form.id),
        version: None,
        filled_on,
        sections: input_sections(&t, &f.definition, &typed, &problem),
        problem,
    }
    .render()?;
    Ok(NewPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{}", c.id)),
        title: t.get_with(
            "form-response-new-title",
            &[("name", f.form.name.clone().into())],
        ),
        case_id: c.id,
        fill,
        t,
    }
    .render()?)
}

async fn new(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, form_id)): Path<(i64, i64)>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        new_page(&state, &staff, id, form_id, Vec::new(), Problem::none()).await?,
    ))
}

fn response_form(d: &FormDefinition, posted: &Typed) -> ResponseForm {
    ResponseForm {
        answers: answers_of(d, posted),
        filled_on: posted_value(posted, "filled_on").map(str::to_string),
        complete: posted_value(posted, "action") == Some("complete"),
    }
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, form_id)): Path<(i64, i64)>,
    Form(posted): Form<Typed>,
) -> Result<Response, PageError> {
    let actor = staff.actor();
    let (_, f) = state.app.fillable_form(actor, id, form_id).await?;
    let form = response_form(&f.definition, &posted);
    match state
        .app
        .start_form_response(actor, id, form_id, &form)
        .await
    {
        Ok(r) => {
            let notice = if form.complete { "completed" } else { "saved" };
            Ok(Redirect::to(&format!("/form-responses/{}?notice={notice}", r.id)).into_response())
        }
        Err(e) => {
            let (status, problem) =
                Problem::from_service(e, &staff.t(), &field_keys(&f.definition))?;
            let html = new_page(&state, &staff, id, form_id, posted, problem).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

struct AnswerLine {
    label: String,
    answer: String,
}

struct AnswerSection {
    title: String,
    lines: Vec<AnswerLine>,
}

#[derive(Template)]
#[template(path = "form_responses/show.html")]
struct ShowPage {
    t: T,
    page: Chrome,
    title: String,
    case_id: i64,
    completed: bool,
    status: String,
    filled_line: String,
    answers: Vec<AnswerSection>,
    /// A draft the worker may continue: the fill form, prefilled.
    edit: Option<String>,
    notice: Option<String>,
}

fn answer_text(t: &T, a: Option<&Answer>) -> String {
    match a {
        None => t.get("form-not-answered"),
        Some(Answer::Text(s) | Answer::Choice(s)) => s.clone(),
        Some(Answer::Number(n)) => number_text(*n),
        Some(Answer::Date(d)) => d.to_string(),
        Some(Answer::Choices(c)) => c.join(", "),
        Some(Answer::YesNo(true)) => t.get("yes"),
        Some(Answer::YesNo(false)) => t.get("no"),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ShowQuery {
    notice: Option<String>,
}

async fn show_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    posted: Option<Typed>,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let t = staff.t();
    let d = state.app.form_response(staff.actor(), id).await?;
    let completed = d.response.status == "completed";
    let answers = d
        .definition
        .sections()
        .iter()
        .map(|s| AnswerSection {
            title: s.title.clone(),
            lines: s
                .fields
                .iter()
                .map(|f| AnswerLine {
                    label: f.label.clone(),
                    answer: answer_text(&t, d.answers.get(&f.key)),
                })
                .collect(),
        })
        .collect();
    let edit = if !completed && d.can_record {
        let typed = posted.unwrap_or_else(|| typed_of(&d.answers, &d.definition));
        Some(
            FillForm {
                t,
                csrf: staff.visitor.csrf().to_string(),
                action: format!("/form-responses/{id}"),
                version: Some(d.response.version),
                filled_on: posted_value(&typed, "filled_on")
                    .map_or_else(|| d.response.filled_on.clone(), str::to_string),
                sections: input_sections(&t, &d.definition, &typed, &problem),
                problem,
            }
            .render()?,
        )
    } else {
        None
    };
    Ok(ShowPage {
        page: Chrome::new(&staff.visitor, &format!("/cases/{}", d.case.id)),
        title: d.form_name.clone(),
        case_id: d.case.id,
        completed,
        status: t.get(if completed {
            "form-response-status-completed"
        } else {
            "form-response-status-draft"
        }),
        filled_line: t.get_with(
            "form-response-version",
            &[
                ("number", d.version_no.into()),
                ("date", d.response.filled_on.clone().into()),
            ],
        ),
        answers,
        edit,
        notice,
        t,
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, PageError> {
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(staff.t().get("notice-form-response-saved")),
        Some("completed") => Some(staff.t().get("notice-form-response-completed")),
        _ => None,
    };
    Ok(Html(
        show_page(&state, &staff, id, None, Problem::none(), notice).await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(posted): Form<Typed>,
) -> Result<Response, PageError> {
    let actor = staff.actor();
    let d = state.app.form_response(actor, id).await?;
    let form = response_form(&d.definition, &posted);
    let version = posted_value(&posted, "version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    match state
        .app
        .update_form_response(actor, id, version, &form)
        .await
    {
        Ok(_) => {
            let notice = if form.complete { "completed" } else { "saved" };
            Ok(Redirect::to(&format!("/form-responses/{id}?notice={notice}")).into_response())
        }
        Err(e) => {
            let (status, problem) =
                Problem::from_service(e, &staff.t(), &field_keys(&d.definition))?;
            let html = show_page(&state, &staff, id, Some(posted), problem, None).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

struct ResponseLine {
    id: i64,
    name: String,
    filled_on: String,
    status: String,
}

struct FillLink {
    href: String,
    label: String,
}

#[derive(Template)]
#[template(path = "form_responses/list.html")]
struct ListPage {
    t: T,
    page: Chrome,
    case_id: i64,
    fill: Vec<FillLink>,
    responses: Vec<ResponseLine>,
    next: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
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
    let actor = staff.actor();
    let cursor = Cursor::parse(q.cursor.as_deref()).map_err(ServiceError::Invalid)?;
    let responses = state
        .app
        .form_responses(actor, id, cursor, Some(50))
        .await?;
    let forms = state.app.assessment_forms(actor, None, Some(200)).await?;
    let names: Vec<(i64, String)> = forms.items.iter().map(|f| (f.id, f.name.clone())).collect();
    let fill = forms
        .items
        .iter()
        .map(|f| FillLink {
            href: format!("/cases/{id}/forms/{}/new", f.id),
            label: t.get_with("case-forms-fill", &[("name", f.name.clone().into())]),
        })
        .collect();
    let lines = responses
        .items
        .into_iter()
        .map(|r| ResponseLine {
            id: r.id,
            name: names
                .iter()
                .find(|(i, _)| *i == r.form_id)
                .map_or_else(String::new, |(_, n)| n.clone()),
            filled_on: r.filled_on,
            status: t.get(if r.status == "completed" {
                "form-response-status-completed"
            } else {
                "form-response-status-draft"
            }),
        })
        .collect();
    Ok(Html(
        ListPage {
            page: Chrome::new(&staff.visitor, &format!("/cases/{id}")),
            case_id: id,
            fill,
            responses: lines,
            next: responses.next_cursor,
            t,
        }
        .render()?,
    ))
}

/// The case page's list of what the program requires, with links to fill a missing form.
pub(crate) struct RequirementItem {
    pub label: String,
    pub met: bool,
    pub href: Option<String>,
}

pub(crate) fn requirement_items(
    t: &T,
    case_id: i64,
    lines: Vec<RequirementLine>,
) -> Vec<RequirementItem> {
    lines
        .into_iter()
        .map(|l| match l.requirement {
            Requirement::Form(form_id) => RequirementItem {
                label: l.name,
                href: (!l.met).then(|| format!("/cases/{case_id}/forms/{form_id}/new")),
                met: l.met,
            },
            Requirement::Instrument(k) => RequirementItem {
                label: t.dynamic(&format!("assessment-instrument-{}", k.as_str())),
                href: (!l.met).then(|| format!("/cases/{case_id}/instruments/{}", k.as_str())),
                met: l.met,
            },
        })
        .collect()
}
