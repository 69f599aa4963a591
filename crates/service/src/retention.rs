//! The agency's subject-rights settings and the retention job. The job erases clients whose
//! cases all closed longer ago than the agency's retention period. It may run in several server
//! processes at once (PostgreSQL): each run first takes the job's claim (one conditional UPDATE
//! of a lease row), so one process runs and the others return at once; and each client is erased
//! under its row lock with a check that it is not erased yet, so even an expired lease overlapping
//! a slow run cannot erase anyone twice.

use crate::erasure::Cause;
use crate::{Act, Actor, Casework, ServiceError, ServiceResult};
use casework_domain::access::{may_administer, Decision};
use casework_domain::audit::Outcome;
use casework_domain::subject_rights::{retention_cutoff, SubjectRightsForm};
use casework_store::retention::{self as store, SubjectRightsSettings};
use casework_store::Wall;
use std::time::Duration;

pub const JOB: &str = "retention";
/// How long a claim holds before another process may take over a run that seems to have died.
pub const LEASE: Duration = Duration::from_secs(15 * 60);
const BATCH: i64 = 200;

/// What one call of the job did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct RetentionReport {
    /// False when another process held the claim: this call did nothing.
    pub claimed: bool,
    pub run_id: Option<i64>,
    /// (agency id, client id) of every client erased.
    pub erased: Vec<(i64, i64)>,
}

fn settings_act(action: &str) -> Act<'_> {
    Act {
        action,
        record_type: "agency_subject_rights",
        record_id: None,
        client_id: None,
    }
}

impl Casework {
    /// The agency's retention period and privacy-officer setting: for admins.
    pub async fn subject_rights_settings(
        &self,
        actor: &Actor,
    ) -> ServiceResult<SubjectRightsSettings> {
        if !may_administer(actor) {
            return Err(self
                .deny(
                    actor,
                    settings_act("subject_rights.read"),
                    Decision::Forbidden,
                )
                .await);
        }
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        Ok(store::settings(&mut conn, actor.agency_id).await?)
    }

    /// Change the settings; refused if they changed since `version` was read (0: never saved).
    pub async fn save_subject_rights_settings(
        &self,
        actor: &Actor,
        version: i64,
        form: &SubjectRightsForm,
    ) -> ServiceResult<SubjectRightsSettings> {
        let act = settings_act("subject_rights.update");
        if !may_administer(actor) {
            return Err(self.deny(actor, act, Decision::Forbidden).await);
        }
        let policy = form.parse()?;
        let wanted = SubjectRightsSettings {
            retention_months: policy.retention_months,
            admin_privacy_officer: policy.admin_privacy_officer,
            version,
        };
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let now = self.clock.now_ms();
        if !store::save_settings(
            &mut tx,
            actor.agency_id,
            version,
            &wanted,
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        let what = format!(
            "retention_months={:?} admin_privacy_officer={}",
            policy.retention_months, policy.admin_privacy_officer
        );
        let event = self.event(actor, act, Outcome::Allowed, Some(&what));
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let saved = store::settings(&mut tx, actor.agency_id).await?;
        casework_store::commit(tx).await?;
        Ok(saved)
    }

    /// Run the retention job once as `holder` (a name for this process). Returns at once with
    /// `claimed: false` if another process holds the claim. After the run the claim is kept for
    /// `keep` more (the scheduler passes its interval, so of several server processes ticking on
    /// the same schedule one runs per interval; the CLI passes zero).
    pub async fn run_retention(
        &self,
        holder: &str,
        keep: Duration,
    ) -> ServiceResult<RetentionReport> {
        let now = self.clock.now_ms();
        // Staged entries must be in the chain before an erased client's reasons are redacted.
        self.audit.flush().await;
        // The job's claim and runs belong to no agency: the job works across all of them.
        let mut tx = self.store.begin_write(Wall::System).await?;
        let lease_until = now + LEASE.max(keep).as_millis() as i64;
        if !store::claim(&mut tx, JOB, holder, now, lease_until).await? {
            return Ok(RetentionReport::default());
        }
        let run_id = store::start_run(&mut tx, holder, now).await?;
        casework_store::commit(tx).await?;
        let result = self.retention_pass(run_id).await;
        let erased = result.as_ref().map(|e| e.len() as i64).unwrap_or(0);
        let mut tx = self.store.begin_write(Wall::System).await?;
        store::finish_run(&mut tx, run_id, erased, self.clock.now_ms()).await?;
        let until = self.clock.now_ms() + keep.as_millis() as i64;
        store::release(&mut tx, JOB, holder, until).await?;
        casework_store::commit(tx).await?;
        let erased = result?;
        if !erased.is_empty() {
            self.after_erasure().await;
        }
        Ok(RetentionReport {
            claimed: true,
            run_id: Some(run_id),
            erased,
        })
    }

    async fn retention_pass(&self, run_id: i64) -> ServiceResult<Vec<(i64, i64)>> {
        let mut conn = self.store.conn(Wall::System).await?;
        let agencies = store::agencies_with_retention(&mut conn).await?;
        drop(conn);
        let mut erased = Vec::new();
        for (agency_id, months) in agencies {
            let cutoff = retention_cutoff(self.today(), months);
            let closed_before = cutoff.midnight().assume_utc().unix_timestamp() * 1000;
            let mut after = 0;
            loop {
                let mut conn = self.store.conn(Wall::Agency(agency_id)).await?;
                let due =
                    store::due_clients(&mut conn, agency_id, closed_before, after, BATCH).await?;
                drop(conn);
                for &client_id in &due {
                    // One short transaction per client, checking again under its lock that it
                    // is still due (a case may have been reopened meanwhile).
                    let mut tx = self.store.begin_write(Wall::Agency(agency_id)).await?;
                    casework_store::erasure::lock_client(&mut tx, agency_id, client_id).await?;
                    casework_store::erasure::lock_cases(&mut tx, client_id).await?;
                    let still_due =
                        store::due_clients(&mut tx, agency_id, closed_before, client_id - 1, 1)
                            .await?;
                    if still_due.first() != Some(&client_id) {
                        continue;
                    }
                    let done = self
                        .erase_in(&mut tx, agency_id, client_id, Cause::Retention { run_id })
                        .await?;
                    casework_store::commit(tx).await?;
                    if done.is_some() {
                        erased.push((agency_id, client_id));
                    }
                }
                match due.last() {
                    Some(last) if due.len() as i64 == BATCH => after = *last,
                    _ => break,
                }
            }
        }
        Ok(erased)
    }
}
