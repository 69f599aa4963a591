//! The case page in one use case: one connection, one authorization, one audit entry
//! (`case.page`). Asked as six separate reads, the page authorized the case six times and ran about
//! fifty statements (BENCHMARKS.md); each part is still its own service function for the API.

use crate::case::{case_act, CaseDetail};
use crate::follow_up::FollowUpList;
use crate::goal::{CaseGoals, GoalRecords};
use crate::note::CaseNotes;
use crate::page::{Cursor, Page};
use crate::thread::MonitoringCounts;
use crate::{authorized, Actor, Casework, ServiceResult};
use casework_domain::access::CaseAction;
use casework_domain::audit::Outcome;
use casework_store::Wall;

/// Everything the case page shows.
#[derive(Debug, Clone)]
pub struct CasePageView {
    pub detail: CaseDetail,
    pub goals: CaseGoals,
    pub notes: CaseNotes,
    /// The first twenty follow-ups.
    pub follow_ups: FollowUpList,
    pub monitoring: MonitoringCounts,
}

impl Casework {
    /// Read the case page. Audited as the separate reads it is made of (the case, its goals,
    /// notes, follow-ups and monitoring summary), written together.
    pub async fn case_page(
        &self,
        actor: &Actor,
        id: i64,
        contacts_cursor: Option<Cursor>,
    ) -> ServiceResult<CasePageView> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(&mut conn, actor, id, CaseAction::Read, "case.read")
                .await,
            end conn
        );
        // The case detail first: its guard counts say which later parts the case holds at
        // all, and a part it does not hold is not read (its list is empty, its rights those of
        // the case detail).
        let detail = self
            .case_detail_of(&mut conn, actor, c.clone(), contacts_cursor)
            .await?;
        let holds = detail.holds;
        // Read once for the goals list and the golden thread's summary.
        let records = if holds.goals || holds.needs {
            self.goal_records(&mut conn, &c).await?
        } else {
            GoalRecords::default()
        };
        let monitoring = self
            .monitoring_from(&mut conn, &c, records.clone(), Some(holds))
            .await?;
        let goals = self
            .goals_from(&mut conn, actor, c.clone(), records)
            .await?;
        let notes = if holds.notes {
            self.notes_of(&mut conn, actor, c.clone()).await?
        } else {
            CaseNotes {
                case: c.clone(),
                notes: Vec::new(),
                can_record: detail.can_record,
            }
        };
        let follow_ups = if holds.follow_ups {
            self.follow_ups_of(&mut conn, actor, c.clone(), None, Some(20))
                .await?
        } else {
            FollowUpList {
                case: c.clone(),
                stage: detail.stage,
                follow_ups: Page {
                    items: Vec::new(),
                    next_cursor: None,
                },
                reopenings: Vec::new(),
                can_record: detail.can_record,
            }
        };
        // One entry for the page: it names the case, and the page is the case with its goals,
        // notes, follow-ups and golden-thread summary (the separate reads keep their own actions).
        let events = vec![self.event(
            actor,
            case_act("case.page", Some(&c), id),
            Outcome::Allowed,
            None,
        )];
        drop(conn);
        self.audit.record_read(events).await?;
        Ok(CasePageView {
            detail,
            goals,
            notes,
            follow_ups,
            monitoring,
        })
    }
}
