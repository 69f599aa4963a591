//! Progress against a goal (the intervention stage): a new value of the goal's measure or a GAS
//! level, dated and commented; and the goal's entries for its progress page and chart.

use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, ServiceError, ServiceResult};
use casework_domain::access::CaseAction;
use casework_domain::audit::Outcome;
use casework_domain::goal::GoalStatus;
use casework_domain::progress::{check_goal_status, ProgressForm};
use casework_domain::Invalid;
use casework_store::case::CaseRow;
use casework_store::goal::GoalRow;
use casework_store::progress as store;
pub use casework_store::progress::ProgressRow;
use casework_store::StoreError;
use casework_store::Wall;

/// A goal with all its progress entries, in date order.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalProgress {
    pub case: CaseRow,
    pub goal: GoalRow,
    pub status: GoalStatus,
    pub entries: Vec<ProgressRow>,
    /// May the actor record progress, and does the goal take it (not a draft)?
    pub can_record: bool,
}

const PAGE_MAX: i64 = 200;

fn progress_act<'a>(action: &'a str, c: &CaseRow, id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "progress_entry",
        record_id: id,
        client_id: Some(c.client_id),
    }
}

fn status_of(g: &GoalRow) -> ServiceResult<GoalStatus> {
    g.status
        .parse()
        .map_err(|_| ServiceError::Store(StoreError::Corrupt(format!("status of goal {}", g.id))))
}

impl Casework {
    /// The goal's progress entries for its page and chart. Audited.
    pub async fn goal_progress(&self, actor: &Actor, goal_id: i64) -> ServiceResult<GoalProgress> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (c, g) = authorized!(
            self,
            self.authorize_goal(&mut conn, actor, goal_id, CaseAction::Read, "progress.read")
                .await,
            end conn
        );
        let entries = store::of_goal(&mut conn, &self.vault, actor.agency_id, g.id).await?;
        let can_record = self
            .may_on_case(&mut conn, actor, &c, CaseAction::Record)
            .await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                progress_act("progress.read", &c, None),
                Outcome::Allowed,
                None,
            )])
            .await?;
        let status = status_of(&g)?;
        Ok(GoalProgress {
            can_record: can_record && check_goal_status(status).is_ok(),
            case: c,
            goal: g,
            status,
            entries,
        })
    }

    /// A page of the goal's entries, oldest first. Audited.
    pub async fn progress_entries(
        &self,
        actor: &Actor,
        goal_id: i64,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<ProgressRow>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (c, g) = authorized!(
            self,
            self.authorize_goal(&mut conn, actor, goal_id, CaseAction::Read, "progress.read")
                .await,
            end conn
        );
        let n = limit(asked, PAGE_MAX);
        let rows = store::page_of_goal(
            &mut conn,
            &self.vault,
            actor.agency_id,
            g.id,
            cursor.map(|c| c.0),
            n + 1,
        )
        .await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                progress_act("progress.read", &c, None),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(page_of(rows, n, |r| r.id))
    }

    /// Record progress against a goal of the case that is not a draft.
    pub async fn record_progress(
        &self,
        actor: &Actor,
        goal_id: i64,
        form: &ProgressForm,
    ) -> ServiceResult<ProgressRow> {
        let entry = form.parse(self.latest_today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, g) = authorized!(self, self.authorize_goal(&mut tx, actor, goal_id, CaseAction::Record, "progress.record").await, end tx);
        check_goal_status(status_of(&g)?)?;
        if store::count_of_goal(&mut tx, g.id).await? >= store::ENTRIES_MAX {
            return Err(Invalid::new("goal_id", "too_many").into());
        }
        let row = store::insert(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.id,
            g.id,
            &entry,
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        self.write_progress_event(
            &mut tx,
            actor,
            progress_act("progress.record", &c, Some(row.id)),
        )
        .await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    async fn write_progress_event(
        &self,
        tx: &mut casework_store::Conn,
        actor: &Actor,
        act: Act<'_>,
    ) -> ServiceResult<()> {
        let event = self.event(actor, act, Outcome::Allowed, None);
        casework_store::audit::append(tx, actor.agency_id, vec![event]).await?;
        Ok(())
    }
}
