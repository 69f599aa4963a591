//! Reading the audit log: verification of every agency's chain, and browsing for auditors.

use crate::page::{limit, page_of};
use crate::{Act, Actor, Casework, Cursor, Page, ServiceError, ServiceResult};
use casework_domain::access::may_read_audit;
use casework_domain::audit::{ChainBreak, Entry, Outcome, Subject, Verifier};
use casework_store::audit::{self, Filter};
use casework_store::Wall;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyChain {
    pub agency_id: i64,
    pub entries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub chains: Vec<AgencyChain>,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("agency {agency_id}: {brk}")]
    Broken { agency_id: i64, brk: ChainBreak },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<casework_store::StoreError> for VerifyError {
    fn from(e: casework_store::StoreError) -> Self {
        VerifyError::Service(ServiceError::Store(e))
    }
}

/// One audit entry as an auditor sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditView {
    pub seq: i64,
    pub at_ms: i64,
    pub actor_user_id: Option<i64>,
    /// The acting user's display name, for people reading the log.
    pub actor_name: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    pub client_id: Option<i64>,
    pub outcome: String,
    pub reason: Option<String>,
    /// The records a list page showed, in order; empty for an entry about one record.
    pub subjects: Vec<Subject>,
    pub hash: String,
}

impl From<(Entry, Option<String>)> for AuditView {
    fn from((e, actor_name): (Entry, Option<String>)) -> Self {
        AuditView {
            seq: e.seq,
            at_ms: e.event.at_ms,
            actor_user_id: e.event.actor_user_id,
            actor_name,
            action: e.event.action,
            record_type: e.event.record_type,
            record_id: e.event.record_id,
            client_id: e.event.client_id,
            outcome: e.event.outcome.as_str().to_string(),
            reason: e.event.reason,
            subjects: e.event.subjects,
            hash: e.hash,
        }
    }
}

/// What an auditor filters by, unchecked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditQuery {
    pub actor_user_id: Option<i64>,
    pub client_id: Option<i64>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
}

fn day_start_ms(field: &str, raw: &str) -> Result<i64, casework_domain::Invalid> {
    let d = casework_domain::client::parse_date(field, raw)?;
    Ok(d.midnight().assume_utc().unix_timestamp() * 1000)
}

impl AuditQuery {
    /// The filters an export was made with, as its audit reason: only those given, so an
    /// auditor reading the log sees "actor 2, action case." rather than a list of empties.
    fn described(&self) -> String {
        fn given(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let mut parts = Vec::new();
        if let Some(id) = self.actor_user_id {
            parts.push(format!("actor {id}"));
        }
        if let Some(id) = self.client_id {
            parts.push(format!("client {id}"));
        }
        for (name, value) in [
            ("action", &self.action),
            ("outcome", &self.outcome),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = given(value) {
                parts.push(format!("{name} {v}"));
            }
        }
        if parts.is_empty() {
            "filters: none (the whole log)".into()
        } else {
            format!("filters: {}", parts.join(", "))
        }
    }

    fn filter(&self) -> Result<Filter, casework_domain::Invalid> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Ok(Filter {
            actor_user_id: self.actor_user_id,
            client_id: self.client_id,
            action_prefix: blank(&self.action),
            outcome: match blank(&self.outcome) {
                None => None,
                Some(o) => {
                    Some(Outcome::parse(&o).ok_or_else(|| {
                        casework_domain::Invalid::new("outcome", "unknown_choice")
                    })?)
                }
            },
            from_ms: blank(&self.from)
                .map(|d| day_start_ms("from", &d))
                .transpose()?,
            to_ms: blank(&self.to)
                .map(|d| day_start_ms("to", &d).map(|ms| ms + 86_400_000))
                .transpose()?,
        })
    }
}

const VERIFY_PAGE: i64 = 5000;

impl Casework {
    /// Recompute every agency's chain from the first entry. Operator tool: no actor.
    pub async fn verify_audit(&self) -> Result<VerifyReport, VerifyError> {
        self.audit.flush().await;
        let mut conn = self.store.conn(Wall::System).await?;
        let heads = audit::heads(&mut conn).await?;
        let mut chains = Vec::new();
        for (agency_id, head_seq, head_hash) in heads {
            let mut verifier = Verifier::default();
            let mut after = 0;
            let mut count = 0;
            loop {
                let (page, stray) =
                    audit::chain_page(&mut conn, agency_id, after, VERIFY_PAGE).await?;
                for e in &page {
                    verifier
                        .check(e)
                        .map_err(|brk| VerifyError::Broken { agency_id, brk })?;
                }
                if let Some(&seq) = stray.first() {
                    return Err(VerifyError::Broken {
                        agency_id,
                        brk: ChainBreak::StraySubject { seq },
                    });
                }
                count += page.len() as i64;
                match page.last() {
                    Some(last) if page.len() as i64 == VERIFY_PAGE => after = last.seq,
                    _ => break,
                }
            }
            verifier
                .finish(head_seq, &head_hash)
                .map_err(|brk| VerifyError::Broken { agency_id, brk })?;
            chains.push(AgencyChain {
                agency_id,
                entries: count,
            });
        }
        if let Some((agency_id, seq)) = audit::subject_without_chain(&mut conn).await? {
            return Err(VerifyError::Broken {
                agency_id,
                brk: ChainBreak::StraySubject { seq },
            });
        }
        Ok(VerifyReport { chains })
    }

    /// The agency's audit log, newest first, for auditors. Browsing is itself audited.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<AuditView>> {
        self.audit_page(actor, query, cursor, asked, "audit.browse", true)
            .await
    }

    /// One page of an export of the log. The export is audited once, when its first page is
    /// read, with the filters as the reason; later pages are authorized but not logged again.
    pub async fn audit_export_page(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<AuditView>> {
        self.audit_page(
            actor,
            query,
            cursor,
            asked,
            "audit.export",
            cursor.is_none(),
        )
        .await
    }

    async fn audit_page(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        cursor: Option<Cursor>,
        asked: Option<i64>,
        action: &str,
        record: bool,
    ) -> ServiceResult<Page<AuditView>> {
        let act = Act {
            action,
            record_type: "audit_log",
            record_id: None,
            client_id: query.client_id,
        };
        if !may_read_audit(actor) {
            return Err(self
                .deny(actor, act, casework_domain::access::Decision::Forbidden)
                .await);
        }
        let filter = query.filter()?;
        let limit = limit(asked, 500);
        // What was read a moment ago may still be staged (SQLite); the log shows it.
        self.audit.flush().await;
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = audit::search(
            &mut conn,
            actor.agency_id,
            &filter,
            cursor.map(|c| c.0),
            limit + 1,
        )
        .await?;
        drop(conn);
        if record {
            let filters = query.described();
            let reason = (action == "audit.export").then_some(filters);
            self.audit
                .record(vec![self.event(
                    actor,
                    act,
                    Outcome::Allowed,
                    reason.as_deref(),
                )])
                .await?;
        }
        let views: Vec<AuditView> = rows.into_iter().map(AuditView::from).collect();
        Ok(page_of(views, limit, |v| v.seq))
    }

    /// The agency's staff by id and name, for the log's "who" filter: an auditor picks a person
    /// rather than typing a number. Staff names only; anyone else is refused (403, audited).
    pub async fn audit_people(&self, actor: &Actor) -> ServiceResult<Vec<(i64, String)>> {
        if !may_read_audit(actor) {
            let act = Act {
                action: "audit.read",
                record_type: "audit_log",
                record_id: None,
                client_id: None,
            };
            return Err(self
                .deny(actor, act, casework_domain::access::Decision::Forbidden)
                .await);
        }
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let users = casework_store::user::page(&mut conn, actor.agency_id, 0, 5000).await?;
        Ok(users.into_iter().map(|u| (u.id, u.display_name)).collect())
    }

    /// Wait until every queued audit entry is committed (tests and verification call this).
    pub async fn flush_audit(&self) {
        self.audit.flush().await;
    }
}

#[cfg(test)]
mod export_reason_tests {
    use super::AuditQuery;

    #[test]
    fn an_export_names_only_the_filters_given() {
        assert_eq!(
            AuditQuery::default().described(),
            "filters: none (the whole log)"
        );
        let q = AuditQuery {
            actor_user_id: Some(2),
            action: Some(" case. ".into()),
            outcome: Some(String::new()),
            to: Some("2026-12-08".into()),
            ..Default::default()
        };
        assert_eq!(
            q.described(),
            "filters: actor 2, action case., to 2026-12-08"
        );
    }
}
