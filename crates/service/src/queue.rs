//! The supervisor queue: what waits for a supervisor on their team's cases (plans to approve,
//! guard overrides to review, safety alerts to acknowledge), merged from the sources in
//! `casework_store::queue::Source` and paged; and the two marks a supervisor makes from it.

use crate::case::case_act;
use crate::page::limit;
use crate::{authorized, Act, Actor, Casework, Page, Refusal, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::task::CommentForm;
use casework_domain::{Invalid, Role};
use casework_store::case::{self as case_store, CaseRow};
pub use casework_store::queue::QueueLine;
use casework_store::queue::{self as store, After, Source};
use casework_store::Conn;
use casework_store::Wall;

fn cursor_of(l: &QueueLine) -> String {
    format!("{}~{}~{}", l.since_ms, l.kind, l.id)
}

/// Read a cursor handed out with a queue page.
pub fn parse_cursor(raw: Option<&str>) -> Result<After, Invalid> {
    let bad = || Invalid::new("cursor", "cursor_format");
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(After::start());
    };
    let parts: Vec<&str> = raw.split('~').collect();
    let [since, kind, id] = parts[..] else {
        return Err(bad());
    };
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(bad());
    }
    Ok(After {
        since_ms: since.parse().map_err(|_| bad())?,
        kind: kind.to_string(),
        id: id.parse().ok().filter(|v: &i64| *v >= 0).ok_or_else(bad)?,
    })
}

impl Casework {
    /// What waits for the supervisor, oldest first. Anyone else is refused (403, audited).
    pub async fn queue(
        &self,
        actor: &Actor,
        cursor: Option<&str>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<QueueLine>> {
        let team = match (actor.role, actor.team_id) {
            (Role::Supervisor, Some(team)) => team,
            _ => {
                let act = Act {
                    action: "queue.read",
                    record_type: "queue",
                    record_id: None,
                    client_id: None,
                };
                return Err(self.deny(actor, act, Decision::Forbidden).await);
            }
        };
        let after = parse_cursor(cursor)?;
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let mut lines = Vec::new();
        for source in Source::ALL {
            lines.extend(
                source
                    .lines(&mut conn, actor.agency_id, team, &after, limit + 1)
                    .await?,
            );
        }
        drop(conn);
        lines.sort_by(|a, b| (a.since_ms, &a.kind, a.id).cmp(&(b.since_ms, &b.kind, b.id)));
        let more = lines.len() as i64 > limit;
        lines.truncate(limit as usize);
        let next_cursor = if more {
            lines.last().map(cursor_of)
        } else {
            None
        };
        let events = lines
            .iter()
            .map(|l| {
                self.event(
                    actor,
                    Act {
                        action: "queue.list",
                        record_type: "case",
                        record_id: Some(l.case_id),
                        client_id: Some(l.client_id),
                    },
                    Outcome::Allowed,
                    Some(&l.kind),
                )
            })
            .collect();
        self.audit.record_read(events).await?;
        Ok(Page {
            items: lines,
            next_cursor,
        })
    }

    /// The case a queue entry belongs to, if the actor may decide on it (its team's supervisor).
    async fn authorize_entry(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        found: Option<(i64, bool)>,
        act: Act<'_>,
    ) -> Result<(CaseRow, bool), Refusal> {
        let case = match found {
            Some((case_id, _)) => {
                case_store::get(conn, &self.vault, actor.agency_id, case_id).await?
            }
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => {
                self.case_decision(conn, actor, c, CaseAction::OverrideGuard, act.action)
                    .await?
            }
            None => Decision::Hidden,
        };
        match (decision, case, found) {
            (Decision::Allow, Some(c), Some((_, done))) => Ok((c, done)),
            (d, c, _) => Err(self.refusal(
                actor,
                Act {
                    client_id: c.map(|c| c.client_id),
                    ..act
                },
                d,
            )),
        }
    }

    /// Mark a guard override (a stage history entry with a reason) reviewed, with an optional
    /// comment. Only the case team's supervisors; once.
    pub async fn review_override(
        &self,
        actor: &Actor,
        stage_history_id: i64,
        form: &CommentForm,
    ) -> ServiceResult<i64> {
        let comment = form.optional()?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let found = store::override_of(&mut tx, actor.agency_id, stage_history_id).await?;
        let act = Act {
            action: "override.review",
            record_type: "stage_history",
            record_id: Some(stage_history_id),
            client_id: None,
        };
        let (c, done) =
            authorized!(self, self.authorize_entry(&mut tx, actor, found, act).await, end tx);
        if done {
            return Err(Invalid::new("stage_history_id", "already_reviewed").into());
        }
        let id = store::insert_review(
            &mut tx,
            actor.agency_id,
            stage_history_id,
            actor.user_id,
            self.clock.now_ms(),
            comment.as_deref(),
        )
        .await
        .map_err(crate::error::conflict_as("stage_history_id"))?;
        let event = self.event(
            actor,
            Act {
                action: "override.review",
                record_type: "stage_history",
                record_id: Some(stage_history_id),
                client_id: Some(c.client_id),
            },
            Outcome::Allowed,
            comment.as_deref(),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(id)
    }

    /// Acknowledge a safety alert (the instrument result that raised it) with a comment saying
    /// what was done. Only the case team's supervisors; once. The case's risk flag stays: it is
    /// the worker's judgement to lift, not the queue's.
    pub async fn acknowledge_safety_alert(
        &self,
        actor: &Actor,
        instrument_result_id: i64,
        form: &CommentForm,
    ) -> ServiceResult<i64> {
        let comment = form.required()?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let found = store::alert_of(&mut tx, actor.agency_id, instrument_result_id).await?;
        let act = Act {
            action: "safety.acknowledge",
            record_type: "instrument_result",
            record_id: Some(instrument_result_id),
            client_id: None,
        };
        let (c, done) =
            authorized!(self, self.authorize_entry(&mut tx, actor, found, act).await, end tx);
        if done {
            return Err(Invalid::new("safety_alert_id", "already_acknowledged").into());
        }
        let id = store::insert_acknowledgement(
            &mut tx,
            actor.agency_id,
            instrument_result_id,
            actor.user_id,
            self.clock.now_ms(),
            &comment,
        )
        .await
        .map_err(crate::error::conflict_as("safety_alert_id"))?;
        let event = self.event(
            actor,
            case_act("safety.acknowledge", Some(&c), c.id),
            Outcome::Allowed,
            Some(&format!(
                "instrument result {instrument_result_id}: {comment}"
            )),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(id)
    }
}
