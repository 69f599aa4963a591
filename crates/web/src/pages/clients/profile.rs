//! `GET /clients/{id}`: the client page. What matters when meeting the person (pronouns,
//! language and interpreter, safe-contact instructions) is shown where it cannot be missed.

use super::{day_of, require_client_work, stage_name};
use crate::error::PageError;
use crate::i18n::T;
use crate::layout::{Chrome, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use casework_service::client::ClientDetail;

pub(super) struct IdentifierLine {
    pub kind: String,
    pub value: String,
}

pub(super) struct HouseholdLine {
    pub name: String,
    pub relationship: String,
    pub birth_date: String,
}

pub(super) struct CaseLine {
    pub id: i64,
    pub label: String,
    pub stage: String,
    pub opened: String,
}

pub(super) struct MergeLine {
    pub id: i64,
    /// This record absorbed `other`; otherwise this record was merged into `other`.
    pub absorbed: bool,
    pub other: i64,
    pub other_label: String,
    pub when: String,
    pub undone: bool,
}

/// What the client page and the merge confirmation show of one record.
pub(super) struct ClientView {
    pub id: i64,
    pub legal_name: String,
    pub preferred_name: String,
    pub pronouns: String,
    pub birth_date: String,
    /// "born around 1990", when only an age was known.
    pub born_around: Option<String>,
    pub gender_identity: String,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub cultural_considerations: String,
    pub phone: String,
    pub email: String,
    pub safe_contact: String,
    pub address: String,
    pub merged_into: Option<i64>,
    pub record_label: String,
    pub merged_into_label: String,
    /// How many identifiers, household members and cases, for the merge confirmation.
    pub counts: String,
    pub identifiers: Vec<IdentifierLine>,
    pub household: Vec<HouseholdLine>,
    pub cases: Vec<CaseLine>,
    /// Open cases the viewer may not open, said in a sentence (empty when there are none).
    pub cases_elsewhere: String,
    pub merges: Vec<MergeLine>,
    pub can_merge: bool,
}

impl ClientView {
    pub fn new(detail: ClientDetail, t: &T) -> ClientView {
        let c = detail.client;
        let id = c.id;
        let record = |id: i64| t.get_with("client-record-number", &[("id", id.into())]);
        let counts = t.get_with(
            "client-merge-counts",
            &[
                ("identifiers", (detail.identifiers.len() as i64).into()),
                ("household", (detail.household.len() as i64).into()),
                ("cases", (detail.cases.len() as i64).into()),
            ],
        );
        let cases_elsewhere = match detail.open_cases_elsewhere {
            0 => String::new(),
            n => t.get_with("client-cases-elsewhere", &[("count", (n as i64).into())]),
        };
        ClientView {
            cases_elsewhere,
            record_label: record(id),
            merged_into_label: c.merged_into.map(record).unwrap_or_default(),
            counts,
            id,
            legal_name: c.legal_name,
            preferred_name: c.preferred_name.unwrap_or_default(),
            pronouns: c.pronouns.unwrap_or_default(),
            birth_date: c.birth_date.unwrap_or_default(),
            born_around: c
                .birth_year_estimate
                .map(|year| t.get_with("client-born-around", &[("year", year.into())])),
            gender_identity: c.gender_identity.unwrap_or_default(),
            preferred_language: c.preferred_language,
            interpreter_needed: c.interpreter_needed != 0,
            cultural_considerations: c.cultural_considerations.unwrap_or_default(),
            phone: c.phone.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
            safe_contact: c.safe_contact.unwrap_or_default(),
            address: c.address.unwrap_or_default(),
            merged_into: c.merged_into,
            identifiers: detail
                .identifiers
                .into_iter()
                .map(|i| IdentifierLine {
                    kind: i.kind,
                    value: i.value,
                })
                .collect(),
            household: detail
                .household
                .into_iter()
                .map(|h| HouseholdLine {
                    name: h.name,
                    relationship: h.relationship.unwrap_or_default(),
                    birth_date: h.birth_date.unwrap_or_default(),
                })
                .collect(),
            cases: detail
                .cases
                .into_iter()
                .map(|c| CaseLine {
                    id: c.id,
                    label: t.get_with("client-case-number", &[("id", c.id.into())]),
                    stage: stage_name(t, &c.stage),
                    opened: day_of(c.opened_at),
                })
                .collect(),
            merges: detail
                .merges
                .into_iter()
                .map(|m| {
                    let other = if m.survivor_id == id {
                        m.merged_id
                    } else {
                        m.survivor_id
                    };
                    MergeLine {
                        id: m.id,
                        absorbed: m.survivor_id == id,
                        other,
                        other_label: record(other),
                        when: day_of(m.merged_at),
                        undone: m.undone_at.is_some(),
                    }
                })
                .collect(),
            can_merge: detail.can_merge,
        }
    }
}

/// The merge form as last submitted.
#[derive(Default)]
pub(super) struct MergeDraft {
    pub merged_id: String,
    pub reason: String,
    pub problem: Problem,
}

#[derive(Template)]
#[template(path = "clients/show.html")]
struct ClientPage {
    t: T,
    page: Chrome,
    client: ClientView,
    notice: Option<String>,
    merge: MergeDraft,
    consents: crate::pages::consents::ConsentSections,
}

#[derive(serde::Deserialize)]
pub(super) struct ClientPageQuery {
    notice: Option<String>,
}

fn notice_of(t: &T, notice: Option<&str>) -> Option<String> {
    Some(match notice? {
        "registered" => t.get("client-notice-registered"),
        "existing" => t.get("client-notice-existing"),
        "updated" => t.get("client-notice-updated"),
        "merged" => t.get("client-notice-merged"),
        "unmerged" => t.get("client-notice-unmerged"),
        "consent-recorded" => t.get("consent-notice-recorded"),
        "consent-revoked" => t.get("consent-notice-revoked"),
        "case-handed-over" => t.get("client-notice-case-handed-over"),
        _ => return None,
    })
}

/// The client page, with the merge form as given (and its problem, if any).
pub(super) async fn page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    notice: Option<String>,
    merge: MergeDraft,
) -> Result<String, PageError> {
    let detail = state.app.client(staff.actor(), id).await?;
    let consents = crate::pages::consents::sections(state, staff, id).await?;
    let t = staff.t();
    Ok(ClientPage {
        client: ClientView::new(detail, &t),
        t,
        page: Chrome::new(&staff.visitor, &format!("/clients/{id}")),
        notice,
        merge,
        consents,
    }
    .render()?)
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ClientPageQuery>,
) -> Result<Html<String>, PageError> {
    require_client_work(&staff)?;
    let notice = notice_of(&staff.t(), q.notice.as_deref());
    Ok(Html(
        page(&state, &staff, id, notice, MergeDraft::default()).await?,
    ))
}
