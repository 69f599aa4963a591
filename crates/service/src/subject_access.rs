//! A client's subject access export: everything the agency holds about them, and who accessed
//! their record. One function builds it ([`Casework::subject_access`]); the printable page and the
//! JSON API render the same [`SubjectAccess`]. Producing it is audited and recorded as a
//! disclosure to the client themself (legal basis: their right of access), so it shows in the
//! client's disclosure list and in the next export.

use crate::erasure::subject_act;
use crate::{authorized, Actor, Casework, ServiceResult};
use casework_domain::audit::{Event, Outcome};
use casework_domain::consent::{Category, DisclosureForm, LegalBasisForm};
use casework_store::subject_access::{self as store, SECTION_LIMIT};
pub use casework_store::subject_access::{Record, Section, Value};

/// One line of the access history: who did what to the record, when. The reason is left out
/// (it is staff text about the work, not the client's data).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessLine {
    pub at_ms: i64,
    pub actor_name: Option<String>,
    pub action: String,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SubjectAccess {
    pub client_id: i64,
    pub generated_at_ms: i64,
    /// The client's preferred language, for the printed document.
    pub preferred_language: String,
    pub erased: bool,
    pub sections: Vec<Section>,
    /// Sections cut at the size limit (none for any real client).
    pub truncated_sections: Vec<&'static str>,
    pub access_log: Vec<AccessLine>,
    pub access_log_truncated: bool,
    /// The disclosure recorded for this export.
    pub disclosure_id: i64,
}

impl SubjectAccess {
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }
}

/// The disclosure an export records: to the client, everything, under their right of access.
fn disclosure_form(actor_name: &str, actor_role: &str, today: &str) -> DisclosureForm {
    DisclosureForm {
        recipient_name: "The client (subject access request)".into(),
        recipient_kind: None,
        purpose: "other".into(),
        purpose_other: Some("Subject access request".into()),
        categories: Category::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        channel: "export".into(),
        legal_basis: Some(LegalBasisForm {
            kind: "required_by_law".into(),
            law_cited: "The data subject's right of access".into(),
            authorised_by_name: actor_name.into(),
            authorised_by_role: actor_role.into(),
            authorised_on: today.into(),
        }),
    }
}

impl Casework {
    /// Everything held about the client, for the client. See the module notes for who may.
    pub async fn subject_access(
        &self,
        actor: &Actor,
        client_id: i64,
    ) -> ServiceResult<SubjectAccess> {
        // The access log below reads the chain: staged entries first.
        self.audit.flush().await;
        let mut tx = self
            .store
            .begin_write(casework_store::Wall::Agency(actor.agency_id))
            .await?;
        let client = authorized!(self, self.authorize_subject_rights(&mut tx, actor, client_id,
            subject_act("client.subject_access", client_id)).await, end tx);
        let read = store::sections_of(&mut tx, &self.vault, actor.agency_id, client_id).await?;
        let log = casework_store::audit::of_client(
            &mut tx,
            actor.agency_id,
            client_id,
            SECTION_LIMIT + 1,
        )
        .await?;
        let access_log_truncated = log.len() as i64 > SECTION_LIMIT;
        let access_log = log
            .into_iter()
            .take(SECTION_LIMIT as usize)
            .map(|(e, name)| AccessLine {
                at_ms: e.event.at_ms,
                actor_name: name,
                action: e.event.action,
                outcome: e.event.outcome.as_str().to_string(),
            })
            .collect();
        let me = casework_store::user::by_id(&mut tx, actor.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let today = self.today();
        let request = disclosure_form(&me, actor.role.as_str(), &today.to_string()).parse(today)?;
        let now = self.clock.now_ms();
        let disclosure = casework_store::consent::insert_disclosure(
            &mut tx,
            actor.agency_id,
            client_id,
            &request,
            None,
            actor.user_id,
            now,
        )
        .await?;
        let event = Event {
            record_type: "disclosure".into(),
            record_id: Some(disclosure.id),
            ..self.event(
                actor,
                subject_act("client.subject_access", client_id),
                Outcome::Allowed,
                None,
            )
        };
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        let truncated_sections = read
            .iter()
            .filter(|(_, t)| *t)
            .map(|(s, _)| s.name)
            .collect();
        Ok(SubjectAccess {
            client_id,
            generated_at_ms: now,
            preferred_language: client.preferred_language,
            erased: client_erased(&read),
            sections: read.into_iter().map(|(s, _)| s).collect(),
            truncated_sections,
            access_log,
            access_log_truncated,
            disclosure_id: disclosure.id,
        })
    }
}

fn client_erased(read: &[(Section, bool)]) -> bool {
    read.iter()
        .find(|(s, _)| s.name == "profile")
        .and_then(|(s, _)| s.records.first())
        .and_then(|r| r.fields.iter().find(|(k, _)| k == "erased_at"))
        .is_some_and(|(_, v)| *v != Value::Null)
}
