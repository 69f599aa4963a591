//! The caseload home in one use case: the worker's cases, their consents running out and their
//! overdue task count, read on one connection with their audit entries written together. Asked
//! as three reads, the page took three connections; on PostgreSQL each is a transaction of its
//! own (BENCHMARKS.md, session 15). Each part is still its own service function for the API.

use crate::case::{CaseloadItem, CaseloadScope};
use crate::{Actor, Casework, Cursor, Page, ServiceResult};
use casework_store::consent::ExpiringRow;
use casework_store::Wall;

/// Consents running out that the caseload lists; the rest are on the consents page.
const EXPIRING_SHOWN: i64 = 10;

/// Everything the caseload home shows.
#[derive(Debug, Clone)]
pub struct CaseloadPageView {
    pub cases: Page<CaseloadItem>,
    /// The first few of the worker's consents running out within 30 days.
    pub expiring: Page<ExpiringRow>,
    /// The worker's overdue tasks (up to 100).
    pub overdue: i64,
}

impl Casework {
    /// Read the caseload home: audited as the caseload and expiring-consents reads it is made of.
    pub async fn caseload_page(
        &self,
        actor: &Actor,
        scope: CaseloadScope,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<CaseloadPageView> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (cases, mut events) = self
            .caseload_on(&mut conn, actor, scope, cursor, asked)
            .await?;
        let (expiring, expiring_events) = self
            .expiring_consents_on(&mut conn, actor, None, None, Some(EXPIRING_SHOWN))
            .await?;
        events.extend(expiring_events);
        let overdue = self.overdue_count_on(&mut conn, actor).await?;
        drop(conn);
        self.audit.record_read(events).await?;
        Ok(CaseloadPageView {
            cases,
            expiring,
            overdue,
        })
    }
}
