//! Consent to share and disclosures in the browser: the client page's "Consents to share" and
//! "Disclosures" sections, the consent form, revocation, the disclosure form and the printable
//! summary for a third party; and the caseload's list of consents running out soon.

mod disclose;
mod list;
mod record;

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::moment;
use crate::session::Staff;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use casework_domain::consent::categories_of;
use casework_service::consent::{ConsentStatus, ConsentView, ExpiringRow, EXPIRING_DAYS};
use casework_service::disclosure::DisclosureView;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clients/{id}/consents/new", get(record::show))
        .route("/clients/{id}/consents", post(record::submit))
        .route("/consents/{id}/revocation", post(record::revoke))
        .route("/clients/{id}/disclosures/new", get(disclose::show))
        .route("/clients/{id}/disclosures/print", post(disclose::print))
        .route("/disclosures", get(list::show))
}

/// A word from one of the consent lists, in the reader's language: `consent-<list>-<code>`.
pub(crate) fn word(t: &T, list: &str, code: &str) -> String {
    t.dynamic(&format!("consent-{list}-{}", code.replace('_', "-")))
}

fn category_words(t: &T, stored: &str) -> String {
    categories_of(stored)
        .into_iter()
        .map(|c| word(t, "category", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn purpose_words(t: &T, purpose: &str, other: Option<&str>) -> String {
    match other {
        Some(w) if purpose == "other" => w.to_string(),
        _ => word(t, "purpose", purpose),
    }
}

fn recipient_words(t: &T, kind_type: &str, name: Option<&str>, kind: Option<&str>) -> String {
    match (kind_type, name, kind) {
        ("kind", _, Some(k)) => t.get_with(
            "consent-any-of-kind",
            &[("kind", word(t, "kind", k).into())],
        ),
        (_, Some(n), Some(k)) => format!("{n} ({})", word(t, "kind", k)),
        (_, Some(n), None) => n.to_string(),
        _ => String::new(),
    }
}

pub(crate) struct ConsentLine {
    pub id: i64,
    pub version: i64,
    pub recipient: String,
    pub purpose: String,
    pub categories: String,
    pub period: String,
    pub given: String,
    pub status: String,
    pub status_code: &'static str,
    pub revoked: Option<String>,
    pub can_revoke: bool,
    /// In force and reaching its last day within the expiring window: renew it soon.
    pub expiring_soon: bool,
}

pub(crate) struct DisclosureLine {
    pub id: i64,
    pub when: String,
    pub recipient: String,
    pub purpose: String,
    pub categories: String,
    pub channel: String,
    pub basis: String,
    pub by: String,
}

/// What the client page shows of consents to share and disclosures.
pub(crate) struct ConsentSections {
    pub client_id: i64,
    pub consents: Vec<ConsentLine>,
    pub consents_more: bool,
    pub disclosures: Vec<DisclosureLine>,
    pub disclosures_more: bool,
    pub can_record: bool,
}

fn consent_line(t: &T, v: ConsentView, can_record: bool, soon: &str) -> ConsentLine {
    let c = v.consent;
    // Dates are `YYYY-MM-DD`, so text order is calendar order.
    let expiring_soon =
        v.status == ConsentStatus::Active && c.expires_on.as_deref().is_some_and(|e| e <= soon);
    let period = match &c.expires_on {
        Some(e) => t.get_with(
            "consent-period-until",
            &[
                ("from", c.starts_on.clone().into()),
                ("to", e.clone().into()),
            ],
        ),
        None => t.get_with(
            "consent-period-open",
            &[("from", c.starts_on.clone().into())],
        ),
    };
    let given = match &c.witness {
        Some(w) => format!("{} ({w})", word(t, "given", &c.given_how)),
        None => word(t, "given", &c.given_how),
    };
    let revoked = c.revoked_at.map(|at| {
        t.get_with(
            "consent-revoked-on",
            &[
                ("when", moment(at).into()),
                (
                    "reason",
                    c.revocation_reason.clone().unwrap_or_default().into(),
                ),
            ],
        )
    });
    let status_code = v.status.as_str();
    ConsentLine {
        id: c.id,
        version: c.version,
        recipient: recipient_words(
            t,
            &c.recipient_type,
            c.recipient_name.as_deref(),
            c.recipient_kind.as_deref(),
        ),
        purpose: purpose_words(t, &c.purpose, c.purpose_other.as_deref()),
        categories: category_words(t, &c.categories),
        period,
        given,
        status: word(t, "status", status_code),
        status_code,
        revoked,
        can_revoke: can_record && c.revoked_at.is_none(),
        expiring_soon,
    }
}

pub(crate) fn basis_words(t: &T, d: &casework_service::consent::DisclosureRow) -> String {
    match (d.consent_id, &d.legal_basis_kind) {
        (Some(id), _) => t.get_with("disclosure-under-consent", &[("id", id.into())]),
        (None, Some(kind)) => t.get_with(
            "disclosure-under-legal-basis",
            &[
                ("kind", word(t, "basis", kind).into()),
                ("law", d.law_cited.clone().unwrap_or_default().into()),
                (
                    "name",
                    d.authorised_by_name.clone().unwrap_or_default().into(),
                ),
                (
                    "role",
                    d.authorised_by_role.clone().unwrap_or_default().into(),
                ),
                ("date", d.authorised_on.clone().unwrap_or_default().into()),
            ],
        ),
        (None, None) => String::new(),
    }
}

pub(super) fn disclosure_line(t: &T, v: DisclosureView) -> DisclosureLine {
    let d = &v.disclosure;
    DisclosureLine {
        id: d.id,
        when: moment(d.disclosed_at),
        recipient: match &d.recipient_kind {
            Some(k) => format!("{} ({})", d.recipient_name, word(t, "kind", k)),
            None => d.recipient_name.clone(),
        },
        purpose: purpose_words(t, &d.purpose, d.purpose_other.as_deref()),
        categories: category_words(t, &d.categories),
        channel: word(t, "channel", &d.channel),
        basis: basis_words(t, d),
        by: v.disclosed_by_name.clone().unwrap_or_default(),
    }
}

/// The client page's two sections, read (and audited) through the service.
pub(crate) async fn sections(
    state: &AppState,
    staff: &Staff,
    client_id: i64,
) -> Result<ConsentSections, PageError> {
    let t = staff.t();
    let (consents, disclosures) = state.app.consent_sections(staff.actor(), client_id).await?;
    let can_record = consents.can_record;
    let soon = state
        .app
        .today()
        .checked_add(time::Duration::days(EXPIRING_DAYS))
        .map(|d| d.to_string())
        .unwrap_or_default();
    Ok(ConsentSections {
        client_id,
        consents_more: consents.page.next_cursor.is_some(),
        consents: consents
            .page
            .items
            .into_iter()
            .map(|v| consent_line(&t, v, can_record, &soon))
            .collect(),
        disclosures_more: disclosures.next_cursor.is_some(),
        disclosures: disclosures
            .items
            .into_iter()
            .map(|v| disclosure_line(&t, v))
            .collect(),
        can_record,
    })
}

/// A consent running out soon, for the caseload page.
pub(crate) struct ExpiringLine {
    pub client_id: i64,
    pub client_name: String,
    pub recipient: String,
    pub purpose: String,
    pub expires_on: String,
}

/// The caller's consents running out within 30 days (the first few, read with the caseload),
/// as the caseload page lists them. This list is one source of the worker's tasks:
/// `Casework::expiring_consents`.
pub(crate) fn expiring_lines(t: &T, rows: Vec<ExpiringRow>) -> Vec<ExpiringLine> {
    rows.into_iter()
        .map(|r: ExpiringRow| ExpiringLine {
            client_id: r.client_id,
            recipient: recipient_words(
                t,
                &r.recipient_type,
                r.recipient_name.as_deref(),
                r.recipient_kind.as_deref(),
            ),
            purpose: purpose_words(t, &r.purpose, r.purpose_other.as_deref()),
            expires_on: r.expires_on,
            client_name: r.client_name,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::i18n::{has_message, Locale};
    use casework_domain::consent::{
        Category, Channel, GivenHow, LegalBasisKind, OrganisationKind, PurposeKind,
    };

    #[test]
    fn every_consent_word_has_a_message_in_every_language() {
        let mut ids = Vec::new();
        ids.extend(Category::ALL.iter().map(|c| ("category", c.as_str())));
        ids.extend(OrganisationKind::ALL.iter().map(|c| ("kind", c.as_str())));
        ids.extend(PurposeKind::ALL.iter().map(|c| ("purpose", c.as_str())));
        ids.extend(GivenHow::ALL.iter().map(|c| ("given", c.as_str())));
        ids.extend(Channel::ALL.iter().map(|c| ("channel", c.as_str())));
        ids.extend(LegalBasisKind::ALL.iter().map(|c| ("basis", c.as_str())));
        for s in ["active", "not_yet_started", "expired", "revoked"] {
            ids.push(("status", s));
        }
        for s in [
            "no_consent",
            "consent_revoked",
            "consent_expired",
            "consent_not_started",
        ] {
            ids.push(("uncovered", s));
        }
        for locale in Locale::ALL {
            for (list, code) in &ids {
                let id = format!("consent-{list}-{}", code.replace('_', "-"));
                assert!(has_message(locale, &id), "{id} in {}", locale.tag());
            }
        }
    }
}
