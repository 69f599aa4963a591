//! `GET /clients/{id}/consents/new` and `POST /clients/{id}/consents`: record a consent to share;
//! `POST /consents/{id}/revocation`: revoke one, with the reason.

use super::word;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use casework_domain::consent::{
    Category, GivenHow, OrganisationKind, PurposeKind, RevocationForm, ShareConsentForm,
};

pub(super) struct Choice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

pub(super) fn choices(
    t: &T,
    list: &str,
    codes: impl Iterator<Item = &'static str>,
    chosen: &[String],
) -> Vec<Choice> {
    codes
        .map(|value| Choice {
            value,
            label: word(t, list, value),
            checked: chosen.iter().any(|c| c == value),
        })
        .collect()
}

const FIELDS: &[&str] = &[
    "recipient_type",
    "recipient_name",
    "recipient_kind",
    "purpose",
    "purpose_other",
    "categories",
    "starts_on",
    "expires_on",
    "given_how",
    "witness",
];

#[derive(Default)]
struct Draft {
    recipient_type: String,
    recipient_name: String,
    recipient_kind: String,
    purpose: String,
    purpose_other: String,
    categories: Vec<String>,
    starts_on: String,
    expires_on: String,
    given_how: String,
    witness: String,
}

impl Draft {
    fn from_pairs(pairs: &[(String, String)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in pairs {
            match k.as_str() {
                "recipient_type" => d.recipient_type = v.clone(),
                "recipient_name" => d.recipient_name = v.clone(),
                "recipient_kind" => d.recipient_kind = v.clone(),
                "purpose" => d.purpose = v.clone(),
                "purpose_other" => d.purpose_other = v.clone(),
                "categories" => d.categories.push(v.clone()),
                "starts_on" => d.starts_on = v.clone(),
                "expires_on" => d.expires_on = v.clone(),
                "given_how" => d.given_how = v.clone(),
                "witness" => d.witness = v.clone(),
                _ => {}
            }
        }
        d
    }

    fn form(&self) -> ShareConsentForm {
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        ShareConsentForm {
            recipient_type: self.recipient_type.clone(),
            recipient_name: some(&self.recipient_name),
            recipient_kind: some(&self.recipient_kind),
            purpose: self.purpose.clone(),
            purpose_other: some(&self.purpose_other),
            categories: self.categories.clone(),
            starts_on: self.starts_on.clone(),
            expires_on: some(&self.expires_on),
            given_how: self.given_how.clone(),
            witness: some(&self.witness),
        }
    }
}

#[derive(Template)]
#[template(path = "consents/new.html")]
struct ConsentFormPage {
    t: T,
    page: Chrome,
    client_id: i64,
    recipient_type: String,
    recipient_name: String,
    kinds: Vec<Choice>,
    purposes: Vec<Choice>,
    purpose_other: String,
    categories: Vec<Choice>,
    starts_on: String,
    expires_on: String,
    given: Vec<Choice>,
    witness: String,
    problem: Problem,
}

fn form_page(
    t: T,
    staff: &Staff,
    client_id: i64,
    d: Draft,
    problem: Problem,
) -> Result<String, PageError> {
    Ok(ConsentFormPage {
        page: Chrome::new(
            &staff.visitor,
            &format!("/clients/{client_id}/consents/new"),
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
            Category::ALL.iter().map(|k| k.as_str()),
            &d.categories,
        ),
        given: choices(
            &t,
            "given",
            GivenHow::ALL.iter().map(|k| k.as_str()),
            std::slice::from_ref(&d.given_how),
        ),
        recipient_type: if d.recipient_type.is_empty() {
            "organisation".into()
        } else {
            d.recipient_type
        },
        recipient_name: d.recipient_name,
        purpose_other: d.purpose_other,
        starts_on: d.starts_on,
        expires_on: d.expires_on,
        witness: d.witness,
        problem,
        t,
    }
    .render()?)
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(client_id): Path<i64>,
) -> Result<Html<String>, PageError> {
    // The client must be one the reader may record consents for; the service decides.
    let sections = super::sections(&state, &staff, client_id).await?;
    if !sections.can_record {
        return Err(PageError::forbidden());
    }
    let draft = Draft {
        starts_on: state.app.today().to_string(),
        given_how: "signed".into(),
        ..Draft::default()
    };
    Ok(Html(form_page(
        staff.t(),
        &staff,
        client_id,
        draft,
        Problem::none(),
    )?))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(client_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let draft = Draft::from_pairs(&pairs);
    match state
        .app
        .record_share_consent(staff.actor(), client_id, &draft.form())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/clients/{client_id}?notice=consent-recorded#consents-heading"
        ))
        .into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &t, FIELDS)?;
            Ok((
                status,
                Html(form_page(t, &staff, client_id, draft, problem)?),
            )
                .into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "consents/revoke.html")]
struct RevokePage {
    t: T,
    page: Chrome,
    consent_id: i64,
    client_id: i64,
    version: i64,
    reason: String,
    problem: Problem,
}

#[derive(serde::Deserialize)]
pub(super) struct RevokePost {
    client_id: i64,
    version: i64,
    #[serde(default)]
    reason: String,
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(consent_id): Path<i64>,
    Form(post): Form<RevokePost>,
) -> Result<Response, PageError> {
    let t = staff.t();
    let form = RevocationForm {
        reason: post.reason.clone(),
    };
    match state
        .app
        .revoke_share_consent(staff.actor(), consent_id, post.version, &form)
        .await
    {
        Ok(c) => Ok(Redirect::to(&format!(
            "/clients/{}?notice=consent-revoked#consents-heading",
            c.client_id
        ))
        .into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &t, &["reason"])?;
            let html = RevokePage {
                page: Chrome::new(
                    &staff.visitor,
                    &format!("/consents/{consent_id}/revocation"),
                ),
                consent_id,
                client_id: post.client_id,
                version: post.version,
                reason: post.reason,
                problem,
                t,
            }
            .render()?;
            Ok((status, Html(html)).into_response())
        }
    }
}
