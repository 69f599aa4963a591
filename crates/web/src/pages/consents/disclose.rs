//! `GET /clients/{id}/disclosures/new`: the disclosure form for a printed summary for a third
//! party (recipient, purpose, categories; consent or a legal basis). `POST
//! /clients/{id}/disclosures/print`: the service checks consent (or takes the legal basis),
//! records the disclosure and gathers ONLY the chosen categories; the answer is the printable
//! summary itself, so printing again means posting again, which is recorded again.

use super::record::{choices, Choice};
use super::{basis_words, category_words, purpose_words, word};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{moment, Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use casework_domain::consent::{
    Category, DisclosureForm, LegalBasisForm, LegalBasisKind, OrganisationKind, PurposeKind,
};
use casework_service::disclosure::PrintedSummary;
use casework_service::ServiceError;

const FIELDS: &[&str] = &[
    "recipient_name",
    "recipient_kind",
    "purpose",
    "purpose_other",
    "categories",
    "legal_basis_kind",
    "law_cited",
    "authorised_by_name",
    "authorised_by_role",
    "authorised_on",
];

#[derive(Default)]
struct Draft {
    recipient_name: String,
    recipient_kind: String,
    purpose: String,
    purpose_other: String,
    categories: Vec<String>,
    /// `consent` or `legal_basis`.
    basis: String,
    legal_basis_kind: String,
    law_cited: String,
    authorised_by_name: String,
    authorised_by_role: String,
    authorised_on: String,
}

impl Draft {
    fn from_pairs(pairs: &[(String, String)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "recipient_name" => d.recipient_name = v,
                "recipient_kind" => d.recipient_kind = v,
                "purpose" => d.purpose = v,
                "purpose_other" => d.purpose_other = v,
                "categories" => d.categories.push(v),
                "basis" => d.basis = v,
                "legal_basis_kind" => d.legal_basis_kind = v,
                "law_cited" => d.law_cited = v,
                "authorised_by_name" => d.authorised_by_name = v,
                "authorised_by_role" => d.authorised_by_role = v,
                "authorised_on" => d.authorised_on = v,
                _ => {}
            }
        }
        d
    }

    fn form(&self) -> DisclosureForm {
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        DisclosureForm {
            recipient_name: self.recipient_name.clone(),
            recipient_kind: some(&self.recipient_kind),
            purpose: self.purpose.clone(),
            purpose_other: some(&self.purpose_other),
            categories: self.categories.clone(),
            channel: "printed_summary".into(),
            legal_basis: (self.basis == "legal_basis").then(|| LegalBasisForm {
                kind: self.legal_basis_kind.clone(),
                law_cited: self.law_cited.clone(),
                authorised_by_name: self.authorised_by_name.clone(),
                authorised_by_role: self.authorised_by_role.clone(),
                authorised_on: self.authorised_on.clone(),
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "consents/disclose.html")]
struct DisclosePage {
    t: T,
    page: Chrome,
    client_id: i64,
    recipient_name: String,
    kinds: Vec<Choice>,
    purposes: Vec<Choice>,
    purpose_other: String,
    categories: Vec<Choice>,
    legal_basis: bool,
    basis_kinds: Vec<Choice>,
    law_cited: String,
    authorised_by_name: String,
    authorised_by_role: String,
    authorised_on: String,
    problem: Problem,
    /// What no consent covers, in words, when the check refused.
    uncovered: Vec<String>,
}

fn form_page(
    t: T,
    staff: &Staff,
    client_id: i64,
    d: Draft,
    problem: Problem,
    uncovered: Vec<String>,
) -> Result<String, PageError> {
    Ok(DisclosePage {
        page: Chrome::new(
            &staff.visitor,
            &format!("/clients/{client_id}/disclosures/new"),
        ),
        client_id,
        kinds: choices(
            &t,
            "kind",
            OrganisationKind::ALL.iter().map(|k| k.as_str()),
            std::slice::from_ref(&d.recipient_kind),
        ),
        purposes: choices(
            &t,
            "purpose",
            PurposeKind::ALL.iter().map(|k| k.as_str()),
            std::slice::from_ref(&d.purpose),
        ),
        categories: choices(
            &t,
            "category",
            Category::PRINTABLE.iter().map(|k| k.as_str()),
            &d.categories,
        ),
        basis_kinds: choices(
            &t,
            "basis",
            LegalBasisKind::ALL.iter().map(|k| k.as_str()),
            std::slice::from_ref(&d.legal_basis_kind),
        ),
        legal_basis: d.basis == "legal_basis",
        recipient_name: d.recipient_name,
        purpose_other: d.purpose_other,
        law_cited: d.law_cited,
        authorised_by_name: d.authorised_by_name,
        authorised_by_role: d.authorised_by_role,
        authorised_on: d.authorised_on,
        problem,
        uncovered,
        t,
    }
    .render()?)
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(client_id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let sections = super::sections(&state, &staff, client_id).await?;
    if !sections.can_record {
        return Err(PageError::forbidden());
    }
    Ok(Html(form_page(
        staff.t(),
        &staff,
        client_id,
        Draft::default(),
        Problem::none(),
        Vec::new(),
    )?))
}

struct Line {
    label: String,
    value: String,
}

struct PlanBlock {
    case_label: String,
    goals: Vec<GoalLine>,
}

struct GoalLine {
    statement: String,
    target_date: String,
    interventions: Vec<String>,
}

#[derive(Template)]
#[template(path = "consents/summary.html")]
struct SummaryPage {
    t: T,
    lang: &'static str,
    client_id: i64,
    recipient: String,
    purpose: String,
    categories: String,
    when: String,
    basis: String,
    recorded: String,
    identity: Option<Vec<Line>>,
    contact: Option<Vec<Line>>,
    household: Option<Vec<Line>>,
    plans: Option<Vec<PlanBlock>>,
}

fn line(t: &T, id: &str, value: Option<String>) -> Option<Line> {
    value.filter(|v| !v.trim().is_empty()).map(|value| Line {
        label: t.get_with(id, &[]),
        value,
    })
}

fn summary_page(
    t: T,
    lang: &'static str,
    client_id: i64,
    s: PrintedSummary,
) -> Result<String, PageError> {
    let d = &s.disclosure;
    let identity = s.identity.map(|c| {
        let mut lines: Vec<Line> = [
            line(&t, "client-field-legal-name", Some(c.legal_name)),
            line(&t, "client-field-preferred-name", c.preferred_name),
            line(&t, "client-field-pronouns", c.pronouns),
            line(&t, "client-field-birth-date", c.birth_date),
            line(&t, "client-field-gender-identity", c.gender_identity),
            line(
                &t,
                "client-field-preferred-language",
                Some(t.language(&c.preferred_language)),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        lines.extend(s.identifiers.unwrap_or_default().into_iter().map(|i| Line {
            label: i.kind,
            value: i.value,
        }));
        lines
    });
    let contact = s.contact.map(|c| {
        [
            line(&t, "client-field-phone", c.phone),
            line(&t, "client-field-email", c.email),
            line(&t, "client-field-address", c.address),
            line(&t, "client-safe-contact-label", c.safe_contact),
        ]
        .into_iter()
        .flatten()
        .collect()
    });
    let household = s.household.map(|h| {
        h.into_iter()
            .map(|m| Line {
                label: m.name,
                value: [m.relationship, m.birth_date]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect()
    });
    let plans = s.plans.map(|plans| {
        plans
            .into_iter()
            .map(|p| PlanBlock {
                case_label: t.get_with("client-case-number", &[("id", p.case_id.into())]),
                goals: p
                    .goals
                    .iter()
                    .map(|g| GoalLine {
                        statement: g.statement.clone().unwrap_or_default(),
                        target_date: g.target_date.clone().unwrap_or_default(),
                        interventions: p
                            .interventions
                            .iter()
                            .filter(|i| i.goal_id == g.id)
                            .map(|i| format!("{} ({})", i.description, i.due_on))
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    });
    Ok(SummaryPage {
        lang,
        client_id,
        recipient: match &d.recipient_kind {
            Some(k) => format!("{} ({})", d.recipient_name, word(&t, "kind", k)),
            None => d.recipient_name.clone(),
        },
        purpose: purpose_words(&t, &d.purpose, d.purpose_other.as_deref()),
        categories: category_words(&t, &d.categories),
        when: moment(d.disclosed_at),
        basis: basis_words(&t, d),
        recorded: t.get_with("summary-recorded", &[("id", d.id.into())]),
        identity,
        contact,
        household,
        plans,
        t,
    }
    .render()?)
}

pub(super) async fn print(
    State(state): State<AppState>,
    staff: Staff,
    Path(client_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let draft = Draft::from_pairs(&pairs);
    match state
        .app
        .print_summary(staff.actor(), client_id, &draft.form())
        .await
    {
        Ok(summary) => Ok(Html(summary_page(
            t,
            staff.visitor.locale.tag(),
            client_id,
            summary,
        )?)
        .into_response()),
        Err(ServiceError::NotCovered(why)) => {
            let uncovered = why
                .codes()
                .into_iter()
                .map(|code| match code.parse::<Category>() {
                    Ok(c) => word(&t, "category", c.as_str()),
                    Err(()) => word(&t, "uncovered", code),
                })
                .collect();
            let problem = Problem::general(t.error("consent_not_covering"));
            let html = form_page(t, &staff, client_id, draft, problem, uncovered)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &t, FIELDS)?;
            let html = form_page(t, &staff, client_id, draft, problem, Vec::new())?;
            Ok((status, Html(html)).into_response())
        }
    }
}
