//! Need-to-know reach beyond a case's own people: sharing a case with another worker until an
//! end date, and break-the-glass emergency reads with a stated reason, reviewed by the case's
//! team supervisors. The rules are in [`casework_domain::sharing`]; this gathers the facts.

use crate::case::{case_act, reach};
use crate::page::{limit, page_of};
use crate::{Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{case_access, CaseAction, ClientReach, Decision};
use casework_domain::audit::Outcome;
use casework_domain::sharing::{
    break_glass_access, case_access_with, may_review_break_glass, may_share,
    parse_break_glass_reason, CaseRelation, ReviewForm, ShareForm, BREAK_GLASS_MS,
};
use casework_domain::{Invalid, Role};
use casework_store::case::{self as case_store, CaseRow};
use casework_store::fetch::Fetch;
use casework_store::sharing as store;
pub use casework_store::sharing::{BreakGlassRow, ShareRow};
use casework_store::Wall;
use casework_store::{user, Conn};

/// The sharing section of a case page: current and past shares, and break-the-glass accesses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseSharing {
    pub case_id: i64,
    pub shares: Vec<ShareView>,
    pub break_glass: Vec<BreakGlassRow>,
    /// May the actor share this case or end its shares?
    pub can_share: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShareView {
    #[serde(flatten)]
    pub share: ShareRow,
    /// Running today (end date inclusive, not ended early).
    pub current: bool,
}

/// A break-the-glass access as its reviewer sees it, with the case's client.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BreakGlassView {
    #[serde(flatten)]
    pub access: BreakGlassRow,
    pub expired: bool,
}

fn share_act<'a>(action: &'a str, c: &CaseRow) -> Act<'a> {
    Act {
        action,
        record_type: "case",
        record_id: Some(c.id),
        client_id: Some(c.client_id),
    }
}

impl Casework {
    pub(crate) fn today_text(&self) -> String {
        self.today().to_string()
    }

    /// The actor's running share and broken glass on a case, as of now.
    async fn relation(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: &CaseRow,
    ) -> ServiceResult<(CaseRelation, Option<i64>)> {
        if c.agency_id != actor.agency_id {
            return Ok((CaseRelation::default(), None));
        }
        let shared = store::running_share(conn, c.id, actor.user_id, &self.today_text())
            .await?
            .is_some();
        let glass = store::running_break_glass(conn, c.id, actor.user_id, self.clock.now_ms())
            .await?
            .map(|(id, _)| id);
        Ok((
            CaseRelation {
                shared,
                broken_glass: glass.is_some(),
            },
            glass,
        ))
    }

    /// The actor's running share and broken glass on a case, for flags and note filters (no
    /// audit entry: the case itself was authorized and audited already).
    pub(crate) async fn case_relation(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: &CaseRow,
    ) -> ServiceResult<CaseRelation> {
        if case_access(actor, &reach(c), CaseAction::Read).allowed() {
            return Ok(CaseRelation::default());
        }
        Ok(self.relation(conn, actor, c).await?.0)
    }

    /// Asked by `authorize_case` when the case's own people policy refuses: does a running
    /// share or broken glass allow it? A read allowed only by broken glass is audited with the
    /// marker `break_glass:<id>` so the auditor can tell it from ordinary reads.
    pub(crate) async fn relation_access(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: &CaseRow,
        action: CaseAction,
        name: &str,
    ) -> ServiceResult<Decision> {
        let base = case_access(actor, &reach(c), action);
        if base.allowed() || c.agency_id != actor.agency_id {
            return Ok(base);
        }
        let (relation, glass) = self.relation(conn, actor, c).await?;
        if relation == CaseRelation::default() {
            return Ok(base);
        }
        let decision = case_access_with(actor, &reach(c), relation, action);
        let shared_only = CaseRelation {
            broken_glass: false,
            ..relation
        };
        let by_glass_only = decision.allowed()
            && !case_access_with(actor, &reach(c), shared_only, action).allowed();
        if let (true, Some(id)) = (by_glass_only, glass) {
            let marker = format!("break_glass:{id}");
            let event = self.event(
                actor,
                case_act(name, Some(c), c.id),
                Outcome::Allowed,
                Some(&marker),
            );
            self.audit.record_read(vec![event]).await?;
        }
        Ok(decision)
    }

    /// A client's reach with the workers a case of theirs is shared with today counted among
    /// the client's workers (a shared worker may find and read the client).
    pub(crate) async fn client_reach_today(
        &self,
        conn: &mut impl Fetch,
        clients: &[(i64, Option<i64>)],
        agency_id: i64,
    ) -> ServiceResult<Vec<ClientReach>> {
        let mut reach = crate::client::reach_of(conn, agency_id, clients).await?;
        let ids: Vec<i64> = clients.iter().map(|c| c.0).collect();
        let shared = store::shared_workers_of_clients(conn, &ids, &self.today_text()).await?;
        for ((id, _), r) in clients.iter().zip(reach.iter_mut()) {
            r.case_workers
                .extend(shared.iter().filter(|s| s.0 == *id).map(|s| s.1));
        }
        Ok(reach)
    }

    /// The last day of each share running today with the actor, for the caseload's marks.
    pub(crate) async fn shared_until(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        case_ids: &[i64],
    ) -> ServiceResult<Vec<(i64, String)>> {
        Ok(store::running_shares_of(
            conn,
            actor.agency_id,
            actor.user_id,
            case_ids,
            &self.today_text(),
        )
        .await?)
    }

    pub(crate) fn today_for_caseload(&self) -> String {
        self.today_text()
    }

    /// The case for sharing: refused unless the actor is its primary worker or a supervisor of
    /// its team. Those who may read it learn they may not share (403). The caller drops its
    /// transaction before the refusal is written.
    async fn authorize_sharing(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        case_id: i64,
        name: &str,
    ) -> Result<CaseRow, Refusal> {
        let row = case_store::get(conn, &self.vault, actor.agency_id, case_id).await?;
        match row {
            Some(c) if may_share(actor, &reach(&c)) => Ok(c),
            Some(c) => {
                let (relation, _) = self.relation(conn, actor, &c).await?;
                let readable =
                    case_access_with(actor, &reach(&c), relation, CaseAction::Read).allowed();
                let d = if readable {
                    Decision::Forbidden
                } else {
                    Decision::Hidden
                };
                Err(self.refusal(actor, share_act(name, &c), d))
            }
            None => Err(self.refusal(actor, case_act(name, None, case_id), Decision::Hidden)),
        }
    }

    /// Share a case with another worker of the agency until an end date (inclusive).
    pub async fn share_case(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &ShareForm,
    ) -> ServiceResult<ShareRow> {
        let now = self.clock.now_ms();
        let today = self.today();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = crate::authorized!(
            self,
            self.authorize_sharing(&mut tx, actor, case_id, "case.share")
                .await,
            end tx
        );
        let new = form.parse(today)?;
        let worker = user::in_agency(&mut tx, actor.agency_id, new.worker_id)
            .await?
            .ok_or_else(|| Invalid::new("worker_id", "unknown_choice"))?;
        if worker.active != 1
            || !(worker.role == Role::Caseworker.as_str()
                || worker.role == Role::Supervisor.as_str())
        {
            return Err(Invalid::new("worker_id", "not_a_worker").into());
        }
        if c.primary_worker_id == Some(worker.id) || worker.id == actor.user_id {
            return Err(Invalid::new("worker_id", "already_reachable").into());
        }
        let id = store::insert_share(
            &mut tx,
            actor.agency_id,
            c.id,
            worker.id,
            &new.reason,
            &today.to_string(),
            &new.ends_on.to_string(),
            actor.user_id,
            now,
        )
        .await?;
        let marker = format!("share:{id} worker:{} until:{}", worker.id, new.ends_on);
        let event = self.event(
            actor,
            share_act("case.share", &c),
            Outcome::Allowed,
            Some(&marker),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::share(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// End a share before its end date; refused if it changed since `version` was read.
    pub async fn end_share(
        &self,
        actor: &Actor,
        share_id: i64,
        version: i64,
    ) -> ServiceResult<ShareRow> {
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let Some(share) = store::share(&mut tx, actor.agency_id, share_id).await? else {
            drop(tx);
            let act = Act {
                action: "case.share_end",
                record_type: "case_share",
                record_id: Some(share_id),
                client_id: None,
            };
            return Err(self.deny(actor, act, Decision::Hidden).await);
        };
        let c = crate::authorized!(
            self,
            self.authorize_sharing(&mut tx, actor, share.case_id, "case.share_end")
                .await,
            end tx
        );
        if share.ended_at.is_some()
            || !store::end_share(
                &mut tx,
                actor.agency_id,
                share_id,
                version,
                actor.user_id,
                now,
            )
            .await?
        {
            return Err(ServiceError::Stale);
        }
        let marker = format!("share:{share_id}");
        let event = self.event(
            actor,
            share_act("case.share_end", &c),
            Outcome::Allowed,
            Some(&marker),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::share(&mut tx, actor.agency_id, share_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// The case's shares (current and past) and break-the-glass accesses, for anyone who may
    /// read the case; the read is audited.
    pub async fn case_sharing(&self, actor: &Actor, case_id: i64) -> ServiceResult<CaseSharing> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = crate::authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Read,
                "case.share_list"
            )
            .await,
            end conn
        );
        let today = self.today_text();
        let shares = store::shares_of_case(&mut conn, c.id)
            .await?
            .into_iter()
            .map(|s| ShareView {
                current: s.ended_at.is_none() && s.starts_on <= today && today <= s.ends_on,
                share: s,
            })
            .collect();
        let break_glass = store::break_glass_of_case(&mut conn, c.id).await?;
        drop(conn);
        let event = self.event(
            actor,
            share_act("case.share_list", &c),
            Outcome::Allowed,
            None,
        );
        self.audit.record_read(vec![event]).await?;
        Ok(CaseSharing {
            case_id: c.id,
            shares,
            break_glass,
            can_share: may_share(actor, &reach(&c)),
        })
    }

    /// Break the glass: read access to a case outside the actor's reach for a few hours, with a
    /// stated reason; audited, and listed for the case's team supervisors to review.
    pub async fn break_glass(
        &self,
        actor: &Actor,
        case_id: i64,
        reason: &str,
    ) -> ServiceResult<BreakGlassRow> {
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let row = case_store::get(&mut tx, &self.vault, actor.agency_id, case_id).await?;
        let decision = row
            .as_ref()
            .map_or(Decision::Hidden, |c| break_glass_access(actor, &reach(c)));
        let c = match (decision, row) {
            (Decision::Allow, Some(c)) => c,
            (Decision::Forbidden, Some(c))
                if case_access(actor, &reach(&c), CaseAction::Read).allowed() =>
            {
                // Their own case: nothing to break.
                drop(tx);
                return Err(Invalid::new("case_id", "already_reachable").into());
            }
            (d, row) => {
                drop(tx);
                let act = case_act("case.break_glass", row.as_ref(), case_id);
                return Err(self.deny(actor, act, d).await);
            }
        };
        let reason = parse_break_glass_reason(reason)?;
        let id = store::insert_break_glass(
            &mut tx,
            actor.agency_id,
            c.id,
            actor.user_id,
            &reason,
            now,
            now + BREAK_GLASS_MS,
        )
        .await?;
        let event = self.event(
            actor,
            share_act("case.break_glass", &c),
            Outcome::Allowed,
            Some(&reason),
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::break_glass(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Break-the-glass accesses on the supervisor's team's cases that nobody has reviewed yet,
    /// oldest first. This is the supervisor's alert; the read is audited.
    pub async fn break_glass_reviews(
        &self,
        actor: &Actor,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<BreakGlassView>> {
        let team = match (actor.role, actor.team_id) {
            (Role::Supervisor, Some(t)) => t,
            _ => {
                let act = Act {
                    action: "break_glass.reviews",
                    record_type: "break_glass",
                    record_id: None,
                    client_id: None,
                };
                return Err(self.deny(actor, act, Decision::Forbidden).await);
            }
        };
        let limit = limit(asked, 100);
        let now = self.clock.now_ms();
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = store::open_reviews_for_team(
            &mut conn,
            actor.agency_id,
            team,
            cursor.map_or(0, |c| c.0),
            limit + 1,
        )
        .await?;
        drop(conn);
        let views = rows
            .into_iter()
            .map(|r| BreakGlassView {
                expired: r.expires_at <= now,
                access: r,
            })
            .collect();
        let page = page_of(views, limit, |v: &BreakGlassView| v.access.id);
        let events = page
            .items
            .iter()
            .map(|v| {
                let act = Act {
                    action: "break_glass.review_list",
                    record_type: "break_glass",
                    record_id: Some(v.access.id),
                    client_id: None,
                };
                self.event(actor, act, Outcome::Allowed, None)
            })
            .collect();
        self.audit.record_read(events).await?;
        Ok(page)
    }

    /// A supervisor of the case's team marks a break-the-glass access reviewed, with a verdict
    /// and a comment; refused if it changed since `version` was read.
    pub async fn review_break_glass(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        form: &ReviewForm,
    ) -> ServiceResult<BreakGlassRow> {
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let access = store::break_glass(&mut tx, actor.agency_id, id).await?;
        let case = match &access {
            Some(a) => case_store::get(&mut tx, &self.vault, actor.agency_id, a.case_id).await?,
            None => None,
        };
        let (access, c) = match (access, case) {
            (Some(a), Some(c)) if may_review_break_glass(actor, &reach(&c)) => (a, c),
            (_, c) => {
                drop(tx);
                let act = Act {
                    action: "break_glass.review",
                    record_type: "break_glass",
                    record_id: Some(id),
                    client_id: c.map(|c| c.client_id),
                };
                return Err(self.deny(actor, act, Decision::Hidden).await);
            }
        };
        let (verdict, comment) = form.parse()?;
        if access.reviewed_at.is_some()
            || !store::set_review(
                &mut tx,
                actor.agency_id,
                id,
                version,
                verdict.as_str(),
                &comment,
                actor.user_id,
                now,
            )
            .await?
        {
            return Err(ServiceError::Stale);
        }
        let marker = format!("break_glass:{id} {}", verdict.as_str());
        let act = Act {
            action: "break_glass.review",
            record_type: "break_glass",
            record_id: Some(id),
            client_id: Some(c.client_id),
        };
        let event = self.event(actor, act, Outcome::Allowed, Some(&marker));
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::break_glass(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }
}
