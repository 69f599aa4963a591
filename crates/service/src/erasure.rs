//! Erasure of a client's personal data, on request (an authorised person, a stated reason, a
//! confirmation) or when the agency's retention period runs out (`retention`). Both go through
//! [`Casework::erase_in`]: redact the client's audit reasons (the chain keeps its digests),
//! blank every personal field and free text, keep the tombstone and the counts, record what was
//! erased (no names), audit it. On SQLite the WAL is then checkpointed and cut to nothing so the
//! old page images go too.

use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{
    client_access, may_administer, may_read_audit, ClientAction, Decision,
};
use casework_domain::audit::{Event, Outcome};
use casework_domain::subject_rights::{subject_rights_access, ErasureForm};
use casework_domain::Invalid;
use casework_store::client::{self as client_store, ClientRow};
pub use casework_store::erasure::ErasureRow;
use casework_store::erasure::{self as store, NewErasure};
use casework_store::{Backend, Conn, Wall};
use std::time::Duration;

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErasureReceipt {
    pub erasure_id: i64,
    pub client_id: i64,
    pub erased_at_ms: i64,
    /// The client's cases, kept with their personal text blanked.
    pub cases: i64,
    /// Audit entries whose reason was redacted.
    pub audit_entries_redacted: i64,
}

/// Why an erasure happens.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cause<'a> {
    Request { actor: &'a Actor, reason: &'a str },
    Retention { run_id: i64 },
}

impl Cause<'_> {
    fn code(&self) -> &'static str {
        match self {
            Cause::Request { .. } => "request",
            Cause::Retention { .. } => "retention",
        }
    }
}

pub(crate) fn subject_act(action: &str, client_id: i64) -> Act<'_> {
    Act {
        action,
        record_type: "client",
        record_id: Some(client_id),
        client_id: Some(client_id),
    }
}

impl Casework {
    /// May `actor` exercise the client's subject rights (export, erasure)? See
    /// [`subject_rights_access`].
    pub(crate) async fn authorize_subject_rights(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        client_id: i64,
        act: Act<'_>,
    ) -> Result<ClientRow, Refusal> {
        let row = client_store::get(conn, &self.vault, actor.agency_id, client_id).await?;
        let decision = match &row {
            None => Decision::Hidden,
            Some(r) => {
                let settings = casework_store::retention::settings(conn, actor.agency_id).await?;
                let me = [(r.id, r.registered_by)];
                // The client's own people decide; a running share only tells whether the
                // actor may know the client exists (see `subject_rights_access`).
                let own = crate::client::reach_of(conn, actor.agency_id, &me).await?;
                let today = self.client_reach_today(conn, &me, actor.agency_id).await?;
                let reads_profile = today
                    .first()
                    .is_some_and(|t| client_access(actor, t, ClientAction::ReadProfile).allowed());
                own.first().map_or(Decision::Hidden, |own| {
                    subject_rights_access(actor, own, reads_profile, settings.admin_privacy_officer)
                })
            }
        };
        match (decision, row) {
            (Decision::Allow, Some(r)) => Ok(r),
            (d, _) => Err(self.refusal(actor, act, d)),
        }
    }

    /// Erase a client on request. Refused while a case is open (close it first) and for a client
    /// already erased.
    pub async fn erase_client(
        &self,
        actor: &Actor,
        client_id: i64,
        form: &ErasureForm,
    ) -> ServiceResult<ErasureReceipt> {
        let request = form.parse()?;
        // Staged entries about this client must be in the chain before its reasons are redacted.
        self.audit.flush().await;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let client = authorized!(self, self.authorize_subject_rights(&mut tx, actor, client_id,
            subject_act("client.erase", client_id)).await, end tx);
        if client.merged_into.is_some() {
            return Err(Invalid::new("client_id", "already_merged").into());
        }
        if store::open_cases(&mut tx, client_id).await? > 0 {
            return Err(Invalid::new("client_id", "client_has_open_case").into());
        }
        let cause = Cause::Request {
            actor,
            reason: &request.reason,
        };
        let receipt = self
            .erase_in(&mut tx, actor.agency_id, client_id, cause)
            .await?
            .ok_or_else(|| ServiceError::from(Invalid::new("client_id", "already_erased")))?;
        casework_store::commit(tx).await?;
        self.after_erasure().await;
        Ok(receipt)
    }

    /// The erasure itself, inside the caller's write transaction. `None` if the client was
    /// already erased (by someone else first: each client is erased once).
    pub(crate) async fn erase_in(
        &self,
        tx: &mut Conn,
        agency_id: i64,
        client_id: i64,
        cause: Cause<'_>,
    ) -> ServiceResult<Option<ErasureReceipt>> {
        match store::lock_client(tx, agency_id, client_id).await? {
            None => return Err(ServiceError::NotFound),
            Some(Some(_)) => return Ok(None),
            Some(None) => {}
        }
        let now = self.clock.now_ms();
        let redacted = casework_store::audit::redact_client(tx, agency_id, client_id, now).await?;
        let cases = store::blank_client(tx, agency_id, client_id, now).await?;
        // Whatever stays sealed (instrument and form answers) can never be opened again.
        casework_store::client_key::destroy(tx, &self.vault, agency_id, client_id, now).await?;
        let (erased_by, reason, run_id) = match cause {
            Cause::Request { actor, reason } => (Some(actor.user_id), reason, None),
            Cause::Retention { run_id } => (None, "retention period ended", Some(run_id)),
        };
        let id = store::record(
            tx,
            &NewErasure {
                agency_id,
                client_id,
                cause: cause.code(),
                reason,
                erased_by,
                retention_run_id: run_id,
                erased_at: now,
                cases,
                audit_entries_redacted: redacted as i64,
            },
        )
        .await?;
        // The entry names the erasure record, which holds the reason: the entry itself carries
        // no free text, so nothing in it would ever need redacting.
        let event = Event {
            agency_id,
            at_ms: now,
            actor_user_id: erased_by,
            action: format!("client.erase.{}", cause.code()),
            record_type: "erasure".into(),
            record_id: Some(id),
            client_id: Some(client_id),
            outcome: Outcome::Allowed,
            reason: None,
            subjects: Vec::new(),
        };
        casework_store::audit::append(tx, agency_id, vec![event]).await?;
        Ok(Some(ErasureReceipt {
            erasure_id: id,
            client_id,
            erased_at_ms: now,
            cases,
            audit_entries_redacted: redacted as i64,
        }))
    }

    /// On SQLite, fold the WAL into the database file and truncate it, so the erased content's
    /// old page images do not stay in the WAL. A reader holding an old snapshot can delay it; we
    /// try a few times and then leave it to the next checkpoint (SQLite's own, or the next
    /// erasure's), logging that it happened.
    pub(crate) async fn after_erasure(&self) {
        if self.store.backend() != Backend::Sqlite {
            return;
        }
        self.audit.flush().await;
        for attempt in 0..20 {
            // SQLite only: there is no wall to set.
            let done = match self.store.conn(Wall::System).await {
                Ok(mut conn) => store::checkpoint(&mut conn).await.unwrap_or(false),
                Err(_) => false,
            };
            if done {
                break;
            }
            if attempt == 19 {
                tracing::warn!("WAL checkpoint after erasure did not complete; the next one will");
            }
            tokio::time::sleep(Duration::from_millis(50 * (attempt + 1))).await;
        }
        let store = self.store.clone();
        let staging = tokio::task::spawn_blocking(move || {
            casework_store::audit_sqlite::truncate_staging_log(&store)
        })
        .await;
        if !matches!(staging, Ok(Ok(true))) {
            tracing::warn!(
                "the audit staging file's log was not cut after erasure; its next checkpoint will"
            );
        }
    }

    /// What was erased and when, newest first: for admins and auditors. No names, no content.
    pub async fn erasures(
        &self,
        actor: &Actor,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<ErasureRow>> {
        let act = Act {
            action: "erasure.list",
            record_type: "erasure",
            record_id: None,
            client_id: None,
        };
        if !(may_administer(actor) || may_read_audit(actor)) {
            return Err(self.deny(actor, act, Decision::Forbidden).await);
        }
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = store::list(&mut conn, actor.agency_id, cursor.map(|c| c.0), limit + 1).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(actor, act, Outcome::Allowed, None)])
            .await?;
        Ok(page_of(rows, limit, |r| r.id))
    }
}

/// What the subject-rights page of a client shows before anything is done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubjectRightsStatus {
    pub client_id: i64,
    /// The legal name (empty once erased).
    pub name: String,
    pub erased_at: Option<i64>,
    pub open_cases: i64,
}

impl Casework {
    /// The client as the subject-rights page shows it: for those who may export or erase.
    pub async fn subject_rights_status(
        &self,
        actor: &Actor,
        client_id: i64,
    ) -> ServiceResult<SubjectRightsStatus> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let client = authorized!(
            self,
            self.authorize_subject_rights(
                &mut conn,
                actor,
                client_id,
                subject_act("client.subject_rights", client_id)
            )
            .await,
            end conn
        );
        let open_cases = store::open_cases(&mut conn, client_id).await?;
        let erased_at = store::erased_at(&mut conn, actor.agency_id, client_id).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                subject_act("client.subject_rights", client_id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(SubjectRightsStatus {
            client_id,
            name: client.legal_name,
            erased_at,
            open_cases,
        })
    }
}
