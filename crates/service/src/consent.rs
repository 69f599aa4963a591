//! Consents to share: record one for a client, revoke it (at once, with a reason), list a
//! client's consents with where each stands, and the worker's consents running out soon.
//! Disclosures, which these consents cover, are in `disclosure.rs`.

use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{client_access, ClientAction, Decision};
use casework_domain::audit::{Event, Outcome};
use casework_domain::client::parse_date;
use casework_domain::consent::{
    categories_of, consent_access, ConsentFacts, ConsentRecipient, Purpose, RevocationForm,
    ShareConsentForm,
};
use casework_domain::{Invalid, Role};
use casework_store::client::{self as client_store, ClientRow};
use casework_store::consent as store;
pub use casework_store::consent::{ConsentRow, DisclosureRow, ExpiringRow};
use casework_store::fetch::Fetch;
use casework_store::Wall;
use casework_store::{Conn, StoreError};
use time::Date;

/// Where a consent stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Active,
    NotYetStarted,
    Expired,
    Revoked,
}

impl ConsentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentStatus::Active => "active",
            ConsentStatus::NotYetStarted => "not_yet_started",
            ConsentStatus::Expired => "expired",
            ConsentStatus::Revoked => "revoked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentView {
    pub consent: ConsentRow,
    pub status: ConsentStatus,
}

/// A page of a client's consents, and whether the reader may add or revoke them.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConsents {
    pub page: Page<ConsentView>,
    pub can_record: bool,
}

/// Days ahead the expiring list looks by default, and at most.
pub const EXPIRING_DAYS: i64 = 30;
const EXPIRING_DAYS_MAX: i64 = 365;

fn corrupt(id: i64) -> impl Fn(Invalid) -> ServiceError {
    move |_| ServiceError::Store(StoreError::Corrupt(format!("share consent {id}")))
}

/// A stored consent as the decision needs it.
pub(crate) fn facts_of(row: &ConsentRow) -> ServiceResult<ConsentFacts> {
    let recipient = ConsentRecipient::parse(
        &row.recipient_type,
        row.recipient_name.as_deref(),
        row.recipient_kind.as_deref(),
    )
    .map_err(corrupt(row.id))?;
    let purpose =
        Purpose::parse(&row.purpose, row.purpose_other.as_deref()).map_err(corrupt(row.id))?;
    let expires_on = match &row.expires_on {
        Some(d) => Some(parse_date("expires_on", d).map_err(corrupt(row.id))?),
        None => None,
    };
    Ok(ConsentFacts {
        id: row.id,
        recipient,
        purpose,
        categories: categories_of(&row.categories),
        starts_on: parse_date("starts_on", &row.starts_on).map_err(corrupt(row.id))?,
        expires_on,
        revoked: row.revoked_at.is_some(),
    })
}

pub fn status_of(row: &ConsentRow, today: Date) -> ServiceResult<ConsentStatus> {
    let f = facts_of(row)?;
    Ok(if f.revoked {
        ConsentStatus::Revoked
    } else if f.starts_on > today {
        ConsentStatus::NotYetStarted
    } else if f.expires_on.is_some_and(|e| e < today) {
        ConsentStatus::Expired
    } else {
        ConsentStatus::Active
    })
}

pub(crate) fn consent_act(action: &str, id: Option<i64>, client_id: Option<i64>) -> Act<'_> {
    Act {
        action,
        record_type: "share_consent",
        record_id: id,
        client_id,
    }
}

/// The expiring list's position: its last day (`YYYY-MM-DD`) and id in one number.
fn expiry_key(day: &str, id: i64) -> i64 {
    let digits: String = day.chars().filter(char::is_ascii_digit).collect();
    digits.parse::<i64>().unwrap_or(0) * 10_000_000_000 + id
}

fn expiry_position(c: Option<Cursor>) -> (String, i64) {
    match c {
        None => (String::new(), 0),
        Some(Cursor(k)) => {
            let day = k / 10_000_000_000;
            (
                format!(
                    "{:04}-{:02}-{:02}",
                    day / 10_000,
                    (day / 100) % 100,
                    day % 100
                ),
                k % 10_000_000_000,
            )
        }
    }
}

impl Casework {
    /// The client, if the actor may record consents and send information out for them
    /// (`consent_access`); refusals are audited with `act`.
    pub(crate) async fn authorize_consent_work(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        client_id: i64,
        act: Act<'_>,
    ) -> Result<ClientRow, Refusal> {
        self.authorize_client_with(conn, actor, client_id, act, consent_access)
            .await
    }

    /// The client, if `decide` allows the actor on it.
    pub(crate) async fn authorize_client_with(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        client_id: i64,
        act: Act<'_>,
        decide: impl Fn(&Actor, &casework_domain::access::ClientReach) -> Decision,
    ) -> Result<ClientRow, Refusal> {
        let row = client_store::get(conn, &self.vault, actor.agency_id, client_id).await?;
        let decision = match &row {
            None => Decision::Hidden,
            Some(r) => {
                // The workers a case of the client's is shared with count as its workers.
                let reach = self
                    .client_reach_today(conn, &[(r.id, r.registered_by)], actor.agency_id)
                    .await?;
                reach
                    .first()
                    .map_or(Decision::Hidden, |reach| decide(actor, reach))
            }
        };
        match (decision, row) {
            (Decision::Allow, Some(r)) => Ok(r),
            (d, _) => Err(self.refusal(actor, act, d)),
        }
    }

    /// Record the client's consent to share information with an organisation (or any of a kind)
    /// for a purpose.
    pub async fn record_share_consent(
        &self,
        actor: &Actor,
        client_id: i64,
        form: &ShareConsentForm,
    ) -> ServiceResult<ConsentRow> {
        let consent = form.parse(self.today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let act = consent_act("consent.share_record", None, Some(client_id));
        let client = authorized!(self, self.authorize_consent_work(&mut tx, actor, client_id, act).await, end tx);
        if client.merged_into.is_some() {
            return Err(Invalid::new("client_id", "already_merged").into());
        }
        if store::count_consents(&mut tx, actor.agency_id, client.id).await? >= store::CONSENTS_MAX
        {
            return Err(Invalid::new("consents", "too_many").into());
        }
        let row = store::insert_consent(
            &mut tx,
            actor.agency_id,
            client.id,
            &consent,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        let event = self.event(
            actor,
            consent_act("consent.share_record", Some(row.id), Some(client.id)),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Revoke a consent, with the reason; from this moment it covers no disclosure.
    pub async fn revoke_share_consent(
        &self,
        actor: &Actor,
        consent_id: i64,
        version: i64,
        form: &RevocationForm,
    ) -> ServiceResult<ConsentRow> {
        let reason = form.parse()?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let Some(row) = store::consent(&mut tx, actor.agency_id, consent_id).await? else {
            drop(tx);
            let act = consent_act("consent.share_revoke", Some(consent_id), None);
            return Err(self.deny(actor, act, Decision::Hidden).await);
        };
        let act = consent_act(
            "consent.share_revoke",
            Some(consent_id),
            Some(row.client_id),
        );
        authorized!(self, self.authorize_consent_work(&mut tx, actor, row.client_id, act).await, end tx);
        if row.revoked_at.is_some() {
            return Err(Invalid::new("consent", "consent_already_revoked").into());
        }
        let now = self.clock.now_ms();
        if !store::revoke(
            &mut tx,
            actor.agency_id,
            consent_id,
            version,
            actor.user_id,
            now,
            &reason,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        let event = self.event(
            actor,
            consent_act(
                "consent.share_revoke",
                Some(consent_id),
                Some(row.client_id),
            ),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::consent(&mut tx, actor.agency_id, consent_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// A page of the client's consents to share, oldest first, each with where it stands
    /// today. Whoever may read the client's profile may read them; the read is audited.
    pub async fn share_consents(
        &self,
        actor: &Actor,
        client_id: i64,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<ClientConsents> {
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let act = consent_act("consent.share_list", None, Some(client_id));
        let client = authorized!(
            self,
            self.authorize_client_with(&mut conn, actor, client_id, act, |a, r| {
                client_access(a, r, ClientAction::ReadProfile)
            })
            .await,
            end conn
        );
        let reach = crate::client::reach_of(
            &mut conn,
            actor.agency_id,
            &[(client.id, client.registered_by)],
        )
        .await?;
        let can_record = reach
            .first()
            .is_some_and(|r| consent_access(actor, r).allowed());
        let rows = store::consents_of(
            &mut conn,
            actor.agency_id,
            client.id,
            cursor.map_or(0, |c| c.0),
            limit + 1,
        )
        .await?;
        drop(conn);
        let today = self.today();
        let views = rows
            .into_iter()
            .map(|consent| {
                Ok(ConsentView {
                    status: status_of(&consent, today)?,
                    consent,
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        let page = page_of(views, limit, |v| v.consent.id);
        self.audit
            .record_read(vec![self.event(
                actor,
                consent_act("consent.share_list", None, Some(client.id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(ClientConsents { page, can_record })
    }

    /// Consents of the clients whose open cases the actor carries that reach their last day
    /// within `days` (30 when not given; today counts), soonest first, so they can be renewed
    /// before they lapse. Each line shown is an audited read.
    pub async fn expiring_consents(
        &self,
        actor: &Actor,
        days: Option<i64>,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<ExpiringRow>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (page, events) = self
            .expiring_consents_on(&mut conn, actor, days, cursor, asked)
            .await?;
        drop(conn);
        self.audit.record_read(events).await?;
        Ok(page)
    }

    /// The expiring consents read on a connection the caller holds, with the audit entries
    /// they owe.
    pub(crate) async fn expiring_consents_on(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        days: Option<i64>,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<(Page<ExpiringRow>, Vec<Event>)> {
        if !matches!(actor.role, Role::Caseworker | Role::Supervisor) {
            return Err(ServiceError::Forbidden);
        }
        let days = days.unwrap_or(EXPIRING_DAYS);
        if !(0..=EXPIRING_DAYS_MAX).contains(&days) {
            return Err(Invalid::new("days", "out_of_range").into());
        }
        let limit = limit(asked, 200);
        let today = self.today();
        let until = today
            .checked_add(time::Duration::days(days))
            .unwrap_or(Date::MAX);
        let (after_day, after_id) = expiry_position(cursor);
        let rows = store::expiring(
            conn,
            actor.agency_id,
            actor.user_id,
            &today.to_string(),
            &until.to_string(),
            (&after_day, after_id),
            limit + 1,
        )
        .await?;
        let page = page_of(rows, limit, |r| expiry_key(&r.expires_on, r.id));
        let events = page
            .items
            .iter()
            .map(|r| {
                self.event(
                    actor,
                    consent_act("consent.expiring_list", Some(r.id), Some(r.client_id)),
                    Outcome::Allowed,
                    None,
                )
            })
            .collect();
        Ok((page, events))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_position_round_trips() {
        let key = expiry_key("2026-12-05", 42);
        assert_eq!(
            expiry_position(Some(Cursor(key))),
            ("2026-12-05".to_string(), 42)
        );
        assert!(expiry_key("2026-12-05", 1) > expiry_key("2026-12-04", 9_999_999));
        assert_eq!(expiry_position(None), (String::new(), 0));
    }
}
