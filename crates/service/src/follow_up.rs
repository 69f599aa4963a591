//! Follow-up: the check-ins after closure. Moving a case from termination to follow-up creates
//! one per day of its program's schedule, due that many days after the closure date and
//! assigned to the primary worker; each is done (what the contact found) or cancelled with a
//! reason. Reopening a case cancels its open check-ins ("reopened"), sets its termination aside
//! as history and records why. Both happen inside the stage move's transaction.

use crate::case::case_act;
use crate::page::{limit, page_of};
use crate::termination::schedule_of;
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::stage::{Move, Stage};
use casework_domain::termination::{stated_reason, CheckInForm, FollowUpStatus};
use casework_domain::{Invalid, Role};
use casework_store::case::{self as case_store, CaseRow};
use casework_store::fetch::Fetch;
use casework_store::follow_up as store;
pub use casework_store::follow_up::{FollowUpRow, ReopeningRow};
use casework_store::Wall;
use casework_store::{Conn, StoreError};
use time::Date;

/// How an open check-in ends.
enum Closing {
    Done(casework_domain::termination::CheckIn),
    Cancelled(String),
}

/// The reason written on check-ins cancelled because their case was reopened.
pub const REOPENED: &str = "reopened";

/// The follow-up page: the case's check-ins and its reopenings.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpList {
    pub case: CaseRow,
    pub stage: Stage,
    pub follow_ups: Page<FollowUpRow>,
    pub reopenings: Vec<ReopeningRow>,
    pub can_record: bool,
}

/// A check-in due for the worker: which case, whom to call, by when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DueFollowUp {
    pub follow_up_id: i64,
    pub case_id: i64,
    pub client_id: i64,
    pub client_preferred_name: String,
    pub due_on: String,
    pub day_offset: i64,
}

pub fn status_of(f: &FollowUpRow) -> ServiceResult<FollowUpStatus> {
    f.status.parse().map_err(|_| {
        ServiceError::Store(StoreError::Corrupt(format!("status of follow-up {}", f.id)))
    })
}

/// The due list's position: the due date's day number and the id, in one number so it fits the
/// ordinary cursor (ids stay far below 2^32).
fn due_key(due_on: &str, id: i64) -> i64 {
    let day = casework_domain::client::parse_date("due_on", due_on)
        .map_or(0, |d| i64::from(d.to_julian_day()));
    (day << 32) | (id & 0xFFFF_FFFF)
}

fn due_position(cursor: Option<Cursor>) -> (String, i64) {
    match cursor {
        None => (String::new(), 0),
        Some(Cursor(key)) => {
            let day =
                Date::from_julian_day((key >> 32) as i32).map_or(String::new(), |d| d.to_string());
            (day, key & 0xFFFF_FFFF)
        }
    }
}

/// The reason a reopening needs, when the move is a reopening.
pub(crate) fn reopen_reason(mv: Move, raw: Option<&str>) -> Result<Option<String>, Invalid> {
    match mv {
        Move::Reopen { .. } => stated_reason("reopen_reason", raw).map(Some),
        _ => Ok(None),
    }
}

impl Casework {
    /// What a stage move brings with it, in the move's transaction: check-ins on entering
    /// follow-up from termination; on a reopening, the open check-ins cancelled, the
    /// termination set aside and the reason recorded.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn after_stage_move(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        c: &CaseRow,
        from: Stage,
        to: Stage,
        reopen_reason: Option<&str>,
        now: i64,
    ) -> ServiceResult<()> {
        let mut events = Vec::new();
        if from == Stage::Termination && to == Stage::FollowUp {
            let schedule = match c.program_id {
                Some(p) => match casework_store::termination::schedule(tx, c.agency_id, p).await? {
                    Some(row) => schedule_of(&row.days)?,
                    None => Default::default(),
                },
                None => Default::default(),
            };
            let closed_on = self.today();
            for (day, due) in schedule.due_dates(closed_on) {
                let row = store::insert(
                    tx,
                    c.agency_id,
                    c.id,
                    i64::from(day),
                    &due.to_string(),
                    c.primary_worker_id,
                    now,
                )
                .await?;
                let act = Act {
                    action: "follow_up.schedule",
                    record_type: "follow_up",
                    record_id: Some(row.id),
                    client_id: Some(c.client_id),
                };
                events.push(self.event(actor, act, Outcome::Allowed, Some(&row.due_on)));
            }
        }
        if let Some(reason) = reopen_reason {
            let cancelled =
                store::cancel_open_of_case(tx, c.agency_id, c.id, REOPENED, actor.user_id, now)
                    .await?;
            for id in cancelled {
                let act = Act {
                    action: "follow_up.cancel",
                    record_type: "follow_up",
                    record_id: Some(id),
                    client_id: Some(c.client_id),
                };
                events.push(self.event(actor, act, Outcome::Allowed, Some(REOPENED)));
            }
            casework_store::termination::set_reopened(tx, c.agency_id, c.id, now).await?;
            store::insert_reopening(
                tx,
                c.agency_id,
                c.id,
                from.as_str(),
                to.as_str(),
                reason,
                actor.user_id,
                now,
            )
            .await?;
            events.push(self.event(
                actor,
                case_act("case.reopen", Some(c), c.id),
                Outcome::Allowed,
                Some(reason),
            ));
        }
        if !events.is_empty() {
            casework_store::audit::append(tx, actor.agency_id, events).await?;
        }
        Ok(())
    }

    /// The case's check-ins (paged by id) and its reopenings. The read is audited.
    pub async fn follow_ups(
        &self,
        actor: &Actor,
        case_id: i64,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<FollowUpList> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Read,
                "follow_up.read"
            )
            .await,
            end conn
        );
        let list = self
            .follow_ups_of(&mut conn, actor, c, cursor, asked)
            .await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                crate::case::case_act("follow_up.read", Some(&list.case), list.case.id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(list)
    }

    /// The follow-ups and reopenings of a case the actor was authorized to read.
    pub(crate) async fn follow_ups_of(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: CaseRow,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<FollowUpList> {
        let limit = limit(asked, 200);
        let rows = store::of_case(
            conn,
            &self.vault,
            actor.agency_id,
            c.id,
            cursor.map_or(0, |c| c.0),
            limit + 1,
        )
        .await?;
        let reopenings = store::reopenings(conn, actor.agency_id, c.id).await?;
        let can_record = self
            .may_on_case(conn, actor, &c, CaseAction::Record)
            .await?;
        Ok(FollowUpList {
            stage: crate::case::stage_of(&c)?,
            follow_ups: page_of(rows, limit, |f| f.id),
            reopenings,
            can_record,
            case: c,
        })
    }

    /// The check-in and its case, if the actor may do `action` on the case.
    async fn authorize_follow_up(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(CaseRow, FollowUpRow), Refusal> {
        let f = store::get(conn, &self.vault, actor.agency_id, id).await?;
        let case = match &f {
            Some(f) => case_store::get(conn, &self.vault, actor.agency_id, f.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, case, f) {
            (Decision::Allow, Some(c), Some(f)) => Ok((c, f)),
            (d, c, _) => Err(self.refusal(
                actor,
                Act {
                    action: name,
                    record_type: "follow_up",
                    record_id: Some(id),
                    client_id: c.map(|c| c.client_id),
                },
                d,
            )),
        }
    }

    /// Record what a check-in found.
    pub async fn complete_follow_up(
        &self,
        actor: &Actor,
        follow_up_id: i64,
        version: i64,
        form: &CheckInForm,
    ) -> ServiceResult<FollowUpRow> {
        let check_in = form.parse(self.latest_today())?;
        self.close_follow_up(actor, follow_up_id, version, Closing::Done(check_in))
            .await
    }

    /// Cancel a check-in that will not happen, saying why.
    pub async fn cancel_follow_up(
        &self,
        actor: &Actor,
        follow_up_id: i64,
        version: i64,
        reason: Option<&str>,
    ) -> ServiceResult<FollowUpRow> {
        let reason = stated_reason("reason", reason)?;
        self.close_follow_up(actor, follow_up_id, version, Closing::Cancelled(reason))
            .await
    }

    /// Authorize, check the version and that the check-in is open, write, audit.
    async fn close_follow_up(
        &self,
        actor: &Actor,
        follow_up_id: i64,
        version: i64,
        closing: Closing,
    ) -> ServiceResult<FollowUpRow> {
        let name = match closing {
            Closing::Done(_) => "follow_up.done",
            Closing::Cancelled(_) => "follow_up.cancel",
        };
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, f) = authorized!(self, self.authorize_follow_up(&mut tx, actor, follow_up_id, CaseAction::Record, name).await, end tx);
        if f.version != version {
            return Err(ServiceError::Stale);
        }
        if status_of(&f)? != FollowUpStatus::Open {
            return Err(Invalid::new("follow_up", "follow_up_not_open").into());
        }
        let written = match &closing {
            Closing::Done(check_in) => {
                store::set_done(
                    &mut tx,
                    &self.vault,
                    f.agency_id,
                    c.client_id,
                    f.id,
                    version,
                    check_in,
                    actor.user_id,
                    now,
                )
                .await?
            }
            Closing::Cancelled(reason) => {
                store::set_cancelled(
                    &mut tx,
                    f.agency_id,
                    f.id,
                    version,
                    reason,
                    actor.user_id,
                    now,
                )
                .await?
            }
        };
        if !written {
            return Err(ServiceError::Stale);
        }
        let act = Act {
            action: name,
            record_type: "follow_up",
            record_id: Some(f.id),
            client_id: Some(c.client_id),
        };
        casework_store::audit::append(
            &mut tx,
            actor.agency_id,
            vec![self.event(actor, act, Outcome::Allowed, None)],
        )
        .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, f.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// The actor's own open check-ins due on or before `until_date`, earliest first, paged.
    /// Each line shown is an audited read.
    pub async fn due_follow_ups(
        &self,
        actor: &Actor,
        until_date: Date,
        cursor: Option<Cursor>,
    ) -> ServiceResult<Page<DueFollowUp>> {
        if !matches!(actor.role, Role::Caseworker | Role::Supervisor) {
            return Err(ServiceError::Forbidden);
        }
        let limit = limit(None, 200);
        let (after_due, after_id) = due_position(cursor);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = store::due_for_worker(
            &mut conn,
            actor.agency_id,
            actor.user_id,
            &until_date.to_string(),
            &after_due,
            after_id,
            limit + 1,
        )
        .await?;
        drop(conn);
        let items = rows
            .into_iter()
            .map(|r| DueFollowUp {
                follow_up_id: r.id,
                case_id: r.case_id,
                client_id: r.client_id,
                client_preferred_name: r.client_preferred_name,
                due_on: r.due_on,
                day_offset: r.day_offset,
            })
            .collect();
        let page = page_of(items, limit, |d: &DueFollowUp| {
            due_key(&d.due_on, d.follow_up_id)
        });
        let events = page
            .items
            .iter()
            .map(|d| {
                self.event(
                    actor,
                    Act {
                        action: "follow_up.list",
                        record_type: "follow_up",
                        record_id: Some(d.follow_up_id),
                        client_id: Some(d.client_id),
                    },
                    Outcome::Allowed,
                    None,
                )
            })
            .collect();
        self.audit.record_read(events).await?;
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_due_cursor_round_trips_date_and_id() {
        let key = due_key("2027-02-20", 4321);
        assert!(key > 0);
        assert_eq!(
            due_position(Some(Cursor(key))),
            ("2027-02-20".to_string(), 4321)
        );
        assert!(due_key("2027-02-21", 1) > due_key("2027-02-20", 99_999));
        assert_eq!(due_position(None), (String::new(), 0));
    }
}
