//! Disclosures: client information leaving the agency. Every channel (today the printed summary
//! for a third party and disclosures recorded through the API; later referrals, exports and
//! FHIR reads) goes through [`Casework::disclosure_step`], inside its own transaction: it
//! authorizes, checks that one consent in force covers the recipient, purpose and every category
//! (or takes a complete legal basis), records the disclosure and its audit entry. A refusal is
//! handed to [`Casework::refuse_disclosure`] after the transaction ends, which audits it.
//! Disclosures are never changed or deleted.

use crate::consent::{facts_of, ClientConsents};
use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{client_access, CaseAction, ClientAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::consent::{
    may_disclose, Basis, Category, Channel, Coverage, DisclosureForm, DisclosureRequest,
};
use casework_domain::{Invalid, Role};
use casework_store::client::{self as client_store, ClientRow, HouseholdRow, IdentifierRow};
use casework_store::consent as store;
pub use casework_store::consent::DisclosureRow;
use casework_store::goal::GoalRow;
use casework_store::plan::InterventionRow;
use casework_store::Conn;
use casework_store::Wall;

/// A disclosure with the name of the person who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureView {
    pub disclosure: DisclosureRow,
    pub disclosed_by_name: Option<String>,
}

/// One case's goals and plan, as a printed summary carries them.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePlanSummary {
    pub case_id: i64,
    pub goals: Vec<GoalRow>,
    pub interventions: Vec<InterventionRow>,
}

/// What a printed summary for a third party holds: the recorded disclosure, and ONLY the chosen
/// categories' content (`None` for a category not chosen).
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedSummary {
    pub disclosure: DisclosureRow,
    /// Identity: the client record (its contact fields are blanked unless `contact` was chosen).
    pub identity: Option<ClientRow>,
    pub identifiers: Option<Vec<IdentifierRow>>,
    pub contact: Option<ContactFields>,
    pub household: Option<Vec<HouseholdRow>>,
    pub plans: Option<Vec<CasePlanSummary>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFields {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub safe_contact: Option<String>,
}

fn disclosure_act(action: &str, id: Option<i64>, client_id: i64) -> Act<'_> {
    Act {
        action,
        record_type: "disclosure",
        record_id: id,
        client_id: Some(client_id),
    }
}

impl Casework {
    /// THE step every channel that sends client information outside the agency takes, inside
    /// the transaction that does the sending: authorize the actor on the client
    /// (`consent_access`), check a covering consent in force today (or the request's legal
    /// basis), record the disclosure and its audit entry. On `Err`, end the transaction and
    /// pass the refusal to [`Casework::refuse_disclosure`].
    pub(crate) async fn disclosure_step(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        client_id: i64,
        request: &DisclosureRequest,
    ) -> Result<(ClientRow, DisclosureRow), Refusal> {
        let act = disclosure_act("disclosure.record", None, client_id);
        let client = self
            .authorize_consent_work(tx, actor, client_id, act)
            .await?;
        if client.merged_into.is_some() {
            return Err(ServiceError::from(Invalid::new("client_id", "already_merged")).into());
        }
        let consent_id = match &request.basis {
            Basis::Legal(_) => None,
            Basis::Consent => {
                let rows = store::all_consents_of(tx, actor.agency_id, client.id).await?;
                let facts = rows
                    .iter()
                    .map(facts_of)
                    .collect::<ServiceResult<Vec<_>>>()?;
                match may_disclose(
                    &facts,
                    &request.recipient,
                    &request.purpose,
                    &request.categories,
                    self.today(),
                ) {
                    Coverage::Covered(id) => Some(id),
                    Coverage::NotCovered(why) => {
                        return Err(Refusal::Failed(ServiceError::NotCovered(why)))
                    }
                }
            }
        };
        let row = store::insert_disclosure(
            tx,
            actor.agency_id,
            client.id,
            request,
            consent_id,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        // Codes and ids only: the audit log never holds client content.
        let basis = match (&request.basis, consent_id) {
            (Basis::Legal(b), _) => format!("legal basis {}", b.kind.as_str()),
            (Basis::Consent, Some(id)) => format!("consent {id}"),
            (Basis::Consent, None) => String::new(),
        };
        let why = format!("{}; {}; {basis}", request.channel.as_str(), row.categories);
        let event = self.event(
            actor,
            disclosure_act("disclosure.record", Some(row.id), client.id),
            Outcome::Allowed,
            Some(&why),
        );
        casework_store::audit::append(tx, actor.agency_id, vec![event]).await?;
        Ok((client, row))
    }

    /// Audit a refused disclosure (no covering consent: the codes of what is missing are the
    /// reason) and hand back the error. Call with no transaction held.
    pub(crate) async fn refuse_disclosure(
        &self,
        actor: &Actor,
        client_id: i64,
        refusal: Refusal,
    ) -> ServiceError {
        match refusal {
            Refusal::Failed(ServiceError::NotCovered(why)) => {
                let event = self.event(
                    actor,
                    disclosure_act("disclosure.record", None, client_id),
                    Outcome::Denied,
                    Some(&why.codes().join(",")),
                );
                if let Err(e) = self.audit.record(vec![event]).await {
                    return e;
                }
                ServiceError::NotCovered(why)
            }
            other => self.refuse(other).await,
        }
    }

    /// Record a disclosure made through any channel (a letter, a call, ...): refused with
    /// `consent_not_covering` (naming what is missing) unless a consent covers it or a complete
    /// legal basis is given.
    pub async fn disclose(
        &self,
        actor: &Actor,
        client_id: i64,
        form: &DisclosureForm,
    ) -> ServiceResult<DisclosureRow> {
        let request = form.parse(self.today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let row = match self
            .disclosure_step(&mut tx, actor, client_id, &request)
            .await
        {
            Ok((_, row)) => row,
            Err(r) => {
                drop(tx);
                return Err(self.refuse_disclosure(actor, client_id, r).await);
            }
        };
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Record a printed summary for a third party and gather what it prints: only the chosen
    /// categories, and only those a printed summary can hold today (`Category::PRINTABLE`).
    pub async fn print_summary(
        &self,
        actor: &Actor,
        client_id: i64,
        form: &DisclosureForm,
    ) -> ServiceResult<PrintedSummary> {
        let request = form.parse(self.today())?;
        if request.channel != Channel::PrintedSummary {
            return Err(Invalid::new("channel", "unknown_choice").into());
        }
        if request
            .categories
            .iter()
            .any(|c| !Category::PRINTABLE.contains(c))
        {
            return Err(Invalid::new("categories", "category_not_printable").into());
        }
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (client, disclosure) = match self
            .disclosure_step(&mut tx, actor, client_id, &request)
            .await
        {
            Ok(done) => done,
            Err(r) => {
                drop(tx);
                return Err(self.refuse_disclosure(actor, client_id, r).await);
            }
        };
        let has = |c: Category| request.categories.contains(&c);
        let identifiers = if has(Category::Identity) {
            Some(client_store::identifiers(&mut tx, &self.vault, client.id).await?)
        } else {
            None
        };
        let household = if has(Category::Household) {
            Some(client_store::household(&mut tx, client.id).await?)
        } else {
            None
        };
        let plans = if has(Category::GoalsAndPlan) {
            Some(self.plans_of_client(&mut tx, actor, client.id).await?)
        } else {
            None
        };
        casework_store::commit(tx).await?;
        let contact = has(Category::Contact).then(|| ContactFields {
            phone: client.phone.clone(),
            email: client.email.clone(),
            address: client.address.clone(),
            safe_contact: client.safe_contact.clone(),
        });
        // Contact fields leave only under `contact`, even though they sit on the same row.
        let identity = has(Category::Identity).then_some(ClientRow {
            phone: None,
            email: None,
            address: None,
            safe_contact: None,
            ..client
        });
        Ok(PrintedSummary {
            disclosure,
            identity,
            identifiers,
            contact,
            household,
            plans,
        })
    }

    /// The active goals and the latest plan's interventions of the client's cases the actor
    /// may read.
    async fn plans_of_client(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        client_id: i64,
    ) -> ServiceResult<Vec<CasePlanSummary>> {
        let cases =
            casework_store::case::of_client(conn, &self.vault, actor.agency_id, client_id).await?;
        let mut out = Vec::new();
        for c in &cases {
            if !self.may_on_case(conn, actor, c, CaseAction::Read).await? {
                continue;
            }
            let goals: Vec<GoalRow> =
                casework_store::goal::of_case(conn, &self.vault, actor.agency_id, c.id)
                    .await?
                    .into_iter()
                    .filter(|g| g.status == "active")
                    .collect();
            let interventions =
                match casework_store::plan::latest(conn, &self.vault, actor.agency_id, c.id).await?
                {
                    Some(p) => {
                        casework_store::plan::interventions(
                            conn,
                            &self.vault,
                            actor.agency_id,
                            p.id,
                        )
                        .await?
                    }
                    None => Vec::new(),
                };
            out.push(CasePlanSummary {
                case_id: c.id,
                goals,
                interventions,
            });
        }
        Ok(out)
    }

    /// A page of the client's disclosures, newest first. Auditors may read them (they read
    /// disclosure records, never the client's record); so may whoever may read the client's
    /// profile. Audited.
    pub async fn disclosures(
        &self,
        actor: &Actor,
        client_id: i64,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<DisclosureView>> {
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let act = disclosure_act("disclosure.list", None, client_id);
        authorized!(
            self,
            self.authorize_client_with(&mut conn, actor, client_id, act, |a, r| {
                if a.role == Role::Auditor && a.agency_id == r.agency_id {
                    Decision::Allow
                } else {
                    client_access(a, r, ClientAction::ReadProfile)
                }
            })
            .await,
            end conn
        );
        let rows = store::disclosures_of(
            &mut conn,
            actor.agency_id,
            client_id,
            cursor.map_or(i64::MAX, |c| c.0),
            limit + 1,
        )
        .await?;
        let mut names: Vec<(i64, Option<String>)> = Vec::new();
        for r in &rows {
            if !names.iter().any(|(id, _)| *id == r.disclosed_by) {
                let name =
                    casework_store::user::in_agency(&mut conn, actor.agency_id, r.disclosed_by)
                        .await?
                        .map(|u| u.display_name);
                names.push((r.disclosed_by, name));
            }
        }
        drop(conn);
        let views = rows
            .into_iter()
            .map(|d| DisclosureView {
                disclosed_by_name: names
                    .iter()
                    .find(|(id, _)| *id == d.disclosed_by)
                    .and_then(|(_, n)| n.clone()),
                disclosure: d,
            })
            .collect();
        let page = page_of(views, limit, |v| v.disclosure.id);
        self.audit
            .record_read(vec![self.event(
                actor,
                disclosure_act("disclosure.list", None, client_id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(page)
    }

    /// The client page's consent and disclosure sections together.
    pub async fn consent_sections(
        &self,
        actor: &Actor,
        client_id: i64,
    ) -> ServiceResult<(ClientConsents, Page<DisclosureView>)> {
        let consents = self
            .share_consents(actor, client_id, None, Some(200))
            .await?;
        let disclosures = self.disclosures(actor, client_id, None, Some(50)).await?;
        Ok((consents, disclosures))
    }
}
