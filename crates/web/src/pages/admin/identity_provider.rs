//! The agency's OpenID Connect identity provider. The client secret field is write-only: the
//! page never shows it back, and leaving it empty keeps the stored one.

use super::ticked;
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use casework_domain::Role;
use casework_service::auth::Secret;
use casework_service::identity_provider::ProviderForm;

const PATH: &str = "/admin/identity-provider";
const FIELDS: [&str; 5] = [
    "display_name",
    "issuer",
    "client_id",
    "client_secret",
    "user_claim",
];

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(show).post(save))
}

/// What the form shows: the saved values, or what was just submitted (never the secret).
#[derive(Default)]
struct Shown {
    display_name: String,
    issuer: String,
    client_id: String,
    user_claim: String,
    enabled: bool,
    has_secret: bool,
    version: i64,
}

#[derive(Template)]
#[template(path = "admin/identity_provider.html")]
struct ProviderPage {
    t: T,
    page: Chrome,
    shown: Shown,
    /// The address to register with the provider.
    callback: String,
    /// The sign-in address to give the agency's staff: only it offers the provider.
    sign_in: String,
    problem: Problem,
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct ProviderQuery {
    notice: Option<String>,
}

async fn saved(state: &AppState, staff: &Staff) -> Result<Shown, PageError> {
    Ok(match state.app.identity_provider(staff.actor()).await? {
        Some(p) => Shown {
            display_name: p.display_name,
            issuer: p.issuer,
            client_id: p.client_id,
            user_claim: p.user_claim,
            enabled: p.enabled,
            has_secret: p.has_secret,
            version: p.version,
        },
        None => Shown {
            user_claim: casework_domain::identity_provider::DEFAULT_USER_CLAIM.into(),
            enabled: true,
            ..Shown::default()
        },
    })
}

async fn render(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    shown: Shown,
    problem: Problem,
    notice: Option<String>,
) -> Result<String, PageError> {
    let base = crate::pages::oidc::public_base(state, headers);
    Ok(ProviderPage {
        t: staff.t(),
        page: Chrome::new(&staff.visitor, PATH),
        shown,
        callback: format!("{base}{}", crate::pages::oidc::CALLBACK_PATH),
        sign_in: format!(
            "{base}{}",
            crate::pages::sign_in::sign_in_path(
                Some(&state.app.agency_slug(staff.actor()).await?,)
            )
        ),
        problem,
        notice,
    }
    .render()?)
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Query(q): Query<ProviderQuery>,
) -> Result<Html<String>, PageError> {
    staff.require(Role::Admin)?;
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(staff.t().get("notice-oidc-saved")),
        _ => None,
    };
    let shown = saved(&state, &staff).await?;
    Ok(Html(
        render(&state, &staff, &headers, shown, Problem::none(), notice).await?,
    ))
}

#[derive(serde::Deserialize)]
struct ProviderFields {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    user_claim: String,
    enabled: Option<String>,
}

// The client secret must never reach a log through a debug print of the form.
impl std::fmt::Debug for ProviderFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderFields")
            .field("issuer", &self.issuer)
            .field("client_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(fields): Form<ProviderFields>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let form = ProviderForm {
        display_name: fields.display_name,
        issuer: fields.issuer,
        client_id: fields.client_id,
        client_secret: Secret::new(fields.client_secret),
        user_claim: fields.user_claim,
        enabled: ticked(&fields.enabled),
    };
    match state
        .app
        .save_identity_provider(staff.actor(), fields.version, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{PATH}?notice=saved")).into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), &FIELDS)?;
            let has_secret = saved(&state, &staff).await?.has_secret;
            let shown = Shown {
                display_name: form.display_name,
                issuer: form.issuer,
                client_id: form.client_id,
                user_claim: form.user_claim,
                enabled: form.enabled,
                has_secret,
                version: fields.version,
            };
            let body = render(&state, &staff, &headers, shown, problem, None).await?;
            Ok((status, Html(body)).into_response())
        }
    }
}
