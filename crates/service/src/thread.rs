//! The golden-thread view of a case: where the line from assessed need to goal, intervention,
//! service and progress is broken. The facts are gathered in one read; the rules that decide
//! "broken" are the domain's (`casework_domain::thread`).

use crate::case::CaseHolds;
use crate::goal::GoalRecords;
use crate::{authorized, Act, Actor, Casework, ServiceResult};
use casework_domain::access::CaseAction;
use casework_domain::audit::Outcome;
use casework_domain::client::parse_date;
use casework_domain::thread::{
    breaks, Break, GoalFact, InterventionFact, NeedFact, ThreadFacts, Window,
};
use casework_store::case::CaseRow;
use casework_store::fetch::Fetch;
use casework_store::goal::{GoalRow, NeedChoice};
use casework_store::plan::{self as plan_store, InterventionRow};
use casework_store::Wall;
use casework_store::{delivery as delivery_store, thread as store, Conn};

/// Where the case's thread is broken, with the records the breaks name.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadView {
    pub case: CaseRow,
    pub window: Window,
    pub breaks: Vec<Break>,
    pub needs: Vec<NeedChoice>,
    pub goals: Vec<GoalRow>,
    pub interventions: Vec<InterventionRow>,
}

impl ThreadView {
    pub fn need(&self, id: i64) -> Option<&NeedChoice> {
        self.needs.iter().find(|n| n.id == id)
    }

    pub fn goal(&self, id: i64) -> Option<&GoalRow> {
        self.goals.iter().find(|g| g.id == id)
    }

    pub fn intervention(&self, id: i64) -> Option<&InterventionRow> {
        self.interventions.iter().find(|i| i.id == id)
    }
}

/// What the case page shows about monitoring: services on file and breaks in the thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringCounts {
    pub services: i64,
    pub breaks: usize,
    /// Whether the case holds any need or goal for a thread to run through: without them "no
    /// breaks" means nothing to trace yet, not a whole thread.
    pub traced: bool,
}

fn count(n: i64) -> u32 {
    n.clamp(0, i64::from(u32::MAX)) as u32
}

fn thread_act<'a>(action: &'a str, c: &CaseRow) -> Act<'a> {
    Act {
        action,
        record_type: "case",
        record_id: Some(c.id),
        client_id: Some(c.client_id),
    }
}

impl Casework {
    /// Everything the thread rules look at, and the records to name the breaks by.
    async fn thread_of(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
        window: Window,
    ) -> ServiceResult<ThreadView> {
        let records = self.goal_records(conn, c).await?;
        self.thread_from(conn, c, window, records, None).await
    }

    /// The thread from the case's goal records, already read; with what the case holds, when its
    /// guard counts were read, a plan it does not hold is not asked for.
    async fn thread_from(
        &self,
        conn: &mut impl Fetch,
        c: &CaseRow,
        window: Window,
        records: GoalRecords,
        holds: Option<CaseHolds>,
    ) -> ServiceResult<ThreadView> {
        let agency = c.agency_id;
        let GoalRecords {
            goals,
            links,
            needs,
        } = records;
        // Each of these lookups is only ever asked about a goal or an intervention: without
        // any, skip the statement (a case in its first stages has neither).
        let last = if goals.is_empty() {
            Vec::new()
        } else {
            store::last_progress(conn, c.id).await?
        };
        let plan = if holds.is_some_and(|h| !h.plan) {
            None
        } else {
            plan_store::latest(conn, &self.vault, agency, c.id).await?
        };
        let (interventions, tasks_done) = match &plan {
            Some(p) => (
                plan_store::interventions(conn, &self.vault, agency, p.id).await?,
                store::tasks_done_by_intervention(conn, p.id).await?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        let services = if interventions.is_empty() {
            Vec::new()
        } else {
            store::services_by_intervention(conn, c.id).await?
        };
        let of = |pairs: &[(i64, i64)], id: i64| {
            pairs
                .iter()
                .find(|(i, _)| *i == id)
                .map_or(0, |(_, n)| count(*n))
        };
        let facts = ThreadFacts {
            needs: needs.iter().map(|n| NeedFact { id: n.id }).collect(),
            goals: goals
                .iter()
                .map(|g| GoalFact {
                    id: g.id,
                    active: g.status == "active",
                    discontinued: g.status == "discontinued",
                    need_ids: links
                        .iter()
                        .filter(|(goal, _)| *goal == g.id)
                        .map(|(_, need)| *need)
                        .collect(),
                    // A date that does not read is treated as no entry: the goal is shown.
                    last_progress_on: last
                        .iter()
                        .find(|(goal, _)| *goal == g.id)
                        .and_then(|(_, d)| parse_date("recorded_on", d).ok()),
                })
                .collect(),
            interventions: interventions
                .iter()
                .map(|i| InterventionFact {
                    id: i.id,
                    goal_id: i.goal_id,
                    services: of(&services, i.id),
                    tasks_done: of(&tasks_done, i.id),
                })
                .collect(),
        };
        Ok(ThreadView {
            case: c.clone(),
            window,
            breaks: breaks(&facts, self.today(), window),
            needs,
            goals,
            interventions,
        })
    }

    /// Where the case's thread is broken; `days` (1 to 365, 30 when blank) is how recent a
    /// goal's last progress entry must be. Gathered in one read; audited.
    pub async fn thread(
        &self,
        actor: &Actor,
        case_id: i64,
        days: Option<&str>,
    ) -> ServiceResult<ThreadView> {
        let window = Window::parse(days)?;
        let mut tx = self.store.begin_read(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Read, "thread.read").await, end tx);
        let view = self.thread_of(&mut tx, &c, window).await?;
        casework_store::commit(tx).await?;
        self.audit
            .record_read(vec![self.event(
                actor,
                thread_act("thread.read", &c),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(view)
    }

    /// The counts the case page shows: services on file and breaks in the thread (default
    /// window). Audited.
    pub async fn monitoring_counts(
        &self,
        actor: &Actor,
        case_id: i64,
    ) -> ServiceResult<MonitoringCounts> {
        let mut tx = self.store.begin_read(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Read, "thread.summary").await, end tx);
        let counts = self.monitoring_of(&mut tx, &c).await?;
        casework_store::commit(tx).await?;
        self.audit
            .record_read(vec![self.event(
                actor,
                thread_act("thread.summary", &c),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(counts)
    }

    /// The case page's monitoring counts, for a case the actor was authorized to read.
    pub(crate) async fn monitoring_of(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
    ) -> ServiceResult<MonitoringCounts> {
        let records = self.goal_records(conn, c).await?;
        self.monitoring_from(conn, c, records, None).await
    }

    /// The monitoring counts from the case's goal records, already read.
    pub(crate) async fn monitoring_from(
        &self,
        conn: &mut impl Fetch,
        c: &CaseRow,
        records: GoalRecords,
        holds: Option<CaseHolds>,
    ) -> ServiceResult<MonitoringCounts> {
        // What the case holds, when its guard counts were read: a plan or services it does not
        // hold are not asked for.
        let view = self
            .thread_from(conn, c, Window::DEFAULT, records, holds)
            .await?;
        let services = if holds.is_some_and(|h| !h.services) {
            0
        } else {
            delivery_store::count_of_case(conn, c.id).await?
        };
        Ok(MonitoringCounts {
            services,
            breaks: view.breaks.len(),
            traced: !view.needs.is_empty() || !view.goals.is_empty(),
        })
    }
}
