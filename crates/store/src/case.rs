//! Cases, their stage history and assignments, and the engagement stage's records.

use crate::client::placeholders;
use crate::fetch::{self, Fetch, Run};
use crate::vault::{At, Vault};
use crate::{Conn, Result};
use casework_domain::case::{NewCase, NewContact, ServiceConsent};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub agency_id: i64,
    pub client_id: i64,
    pub program_id: Option<i64>,
    pub team_id: Option<i64>,
    pub primary_worker_id: Option<i64>,
    pub referral_source: Option<String>,
    pub presenting_problem: String,
    pub stage: String,
    pub stage_entered_at: i64,
    pub risk_flag: i64,
    pub opened_by: i64,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub version: i64,
}

const COLUMNS: &str = "id, agency_id, client_id, program_id, team_id, primary_worker_id, referral_source, presenting_problem, stage, stage_entered_at, risk_flag, opened_by, opened_at, closed_at, version";

pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    c: &NewCase,
    stage: &str,
    by: i64,
    now: i64,
) -> Result<CaseRow> {
    let mut row: CaseRow = sqlx::query_as(&format!(
        "INSERT INTO cases (agency_id, client_id, program_id, team_id, primary_worker_id, referral_source,
           presenting_problem, stage, stage_entered_at, opened_by, opened_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$9) RETURNING {COLUMNS}"
    ))
    .bind(agency_id)
    .bind(c.client_id)
    .bind(c.program_id)
    .bind(c.team_id)
    .bind(c.primary_worker_id)
    .bind(&c.referral_source)
    .bind("")
    .bind(stage)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    // The row id is part of what the ciphertext is bound to, so it is written second.
    let at = At::new(
        "cases",
        "presenting_problem",
        row.id,
        agency_id,
        c.client_id,
    );
    let sealed = vault.seal(conn, at, &c.presenting_problem, now).await?;
    sqlx::query("UPDATE cases SET presenting_problem = $1 WHERE id = $2")
        .bind(sealed)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    row.presenting_problem.clone_from(&c.presenting_problem);
    Ok(row)
}

/// Open the sealed presenting problem of each row, one reader for the list.
async fn opened(
    conn: &mut impl Fetch,
    vault: &Vault,
    mut rows: Vec<CaseRow>,
) -> Result<Vec<CaseRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new(
            "cases",
            "presenting_problem",
            r.id,
            r.agency_id,
            r.client_id,
        );
        reader
            .open_in(conn.sqlx(), at, &mut r.presenting_problem)
            .await?;
    }
    Ok(rows)
}

pub async fn get(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<CaseRow>> {
    let row: Option<CaseRow> = fetch::query(&format!(
        "SELECT {COLUMNS} FROM cases WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .optional_on(conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

pub async fn of_client(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
) -> Result<Vec<CaseRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cases WHERE agency_id = $1 AND client_id = $2 ORDER BY id DESC LIMIT 100"
    ))
    .bind(agency_id)
    .bind(client_id)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

/// Move to `to` if still at `version`; false when someone else moved or changed it first.
pub async fn set_stage(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    to: &str,
    closed: bool,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE cases SET stage = $1, stage_entered_at = $2, closed_at = CASE WHEN $3 = 1 THEN $2 ELSE NULL END,
           version = version + 1
         WHERE agency_id = $4 AND id = $5 AND version = $6",
    )
    .bind(to)
    .bind(now)
    .bind(closed as i64)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_assignment(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    worker: Option<i64>,
    team: Option<i64>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE cases SET primary_worker_id = $1, team_id = $2, version = version + 1
         WHERE agency_id = $3 AND id = $4 AND version = $5",
    )
    .bind(worker)
    .bind(team)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_risk_flag(conn: &mut Conn, agency_id: i64, id: i64, flag: bool) -> Result<()> {
    sqlx::query("UPDATE cases SET risk_flag = $1 WHERE agency_id = $2 AND id = $3")
        .bind(flag as i64)
        .bind(agency_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StageMove {
    pub id: i64,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub moved_by: i64,
    pub moved_by_name: Option<String>,
    pub moved_at: i64,
    pub override_reason: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_stage_move(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    from: Option<&str>,
    to: &str,
    by: i64,
    now: i64,
    reason: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stage_history (agency_id, case_id, from_stage, to_stage, moved_by, moved_at, override_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(agency_id)
    .bind(case_id)
    .bind(from)
    .bind(to)
    .bind(by)
    .bind(now)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn stage_history(conn: &mut impl Fetch, case_id: i64) -> Result<Vec<StageMove>> {
    fetch::query(
        "SELECT h.id, h.from_stage, h.to_stage, h.moved_by, u.display_name AS moved_by_name, h.moved_at, h.override_reason
         FROM stage_history h LEFT JOIN users u ON u.id = h.moved_by
         WHERE h.case_id = $1 ORDER BY h.id LIMIT 500",
    )
    .bind(case_id)
    .all_on(conn)
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub worker_id: Option<i64>,
    pub worker_name: Option<String>,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub assigned_by: i64,
    pub assigned_by_name: Option<String>,
    pub assigned_at: i64,
    pub reason: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_assignment(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    worker: Option<i64>,
    team: Option<i64>,
    by: i64,
    now: i64,
    reason: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assignments (agency_id, case_id, worker_id, team_id, assigned_by, assigned_at, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(agency_id)
    .bind(case_id)
    .bind(worker)
    .bind(team)
    .bind(by)
    .bind(now)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn assignments(conn: &mut impl Fetch, case_id: i64) -> Result<Vec<AssignmentRow>> {
    fetch::query(
        "SELECT a.id, a.worker_id, u.display_name AS worker_name, a.team_id, t.name AS team_name, a.assigned_by,
                b.display_name AS assigned_by_name, a.assigned_at, a.reason
         FROM assignments a LEFT JOIN users u ON u.id = a.worker_id LEFT JOIN teams t ON t.id = a.team_id
              LEFT JOIN users b ON b.id = a.assigned_by
         WHERE a.case_id = $1 ORDER BY a.id LIMIT 200",
    )
    .bind(case_id)
    .all_on(conn)
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub case_id: i64,
    pub contact_date: String,
    pub mode: String,
    pub duration_minutes: i64,
    pub participants: Option<String>,
    pub interpreter_used: i64,
    pub summary: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: i64,
}

const CONTACT: &str = "id, case_id, contact_date, mode, duration_minutes, participants, interpreter_used, summary, recorded_by, recorded_at";

pub async fn insert_contact(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    c: &NewContact,
    by: i64,
    now: i64,
) -> Result<ContactRow> {
    let mut row: ContactRow = sqlx::query_as(&format!(
        "INSERT INTO contacts (agency_id, case_id, contact_date, mode, duration_minutes, participants, interpreter_used, summary, recorded_by, recorded_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING {CONTACT}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(c.date.to_string())
    .bind(c.mode.as_str())
    .bind(c.duration_minutes)
    .bind(&c.participants)
    .bind(c.interpreter_used as i64)
    .bind(None::<String>)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    if c.summary.is_some() {
        let client_id = crate::vault::client_of_case(conn, case_id).await?;
        let at = At::new("contacts", "", row.id, agency_id, client_id);
        vault
            .seal_into(
                conn,
                "contacts",
                at,
                &["summary"],
                &[c.summary.as_deref()],
                now,
            )
            .await?;
    }
    row.summary.clone_from(&c.summary);
    Ok(row)
}

/// Newest first, paged by id; the summaries opened with one reader for the page.
pub async fn contacts(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ContactRow>> {
    let mut rows: Vec<ContactRow> = fetch::query(&format!(
        "SELECT {CONTACT} FROM contacts WHERE case_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
    ))
    .bind(case_id)
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(limit)
    .all_on(conn)
    .await?;
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("contacts", "summary", r.id, agency_id, 0);
        reader.open_opt_in(conn.sqlx(), at, &mut r.summary).await?;
    }
    Ok(rows)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsentRow {
    pub id: i64,
    pub case_id: i64,
    pub given_on: String,
    pub method: String,
    pub witness: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: i64,
    pub revoked_at: Option<i64>,
}

const CONSENT: &str =
    "id, case_id, given_on, method, witness, recorded_by, recorded_at, revoked_at";

pub async fn insert_consent(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    client_id: i64,
    c: &ServiceConsent,
    by: i64,
    now: i64,
) -> Result<ConsentRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO service_consents (agency_id, case_id, client_id, given_on, method, witness, recorded_by, recorded_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING {CONSENT}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(client_id)
    .bind(c.given_on.to_string())
    .bind(c.method.as_str())
    .bind(&c.witness)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn consents(conn: &mut impl Fetch, case_id: i64) -> Result<Vec<ConsentRow>> {
    fetch::query(&format!(
        "SELECT {CONSENT} FROM service_consents WHERE case_id = $1 ORDER BY id DESC LIMIT 100"
    ))
    .bind(case_id)
    .all_on(conn)
    .await
}

/// A caseload row: the case, who it is for, and how long it has waited.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseloadRow {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub preferred_language: String,
    pub interpreter_needed: i64,
    pub primary_worker_id: Option<i64>,
    pub worker_name: Option<String>,
    pub stage: String,
    pub stage_entered_at: i64,
    pub risk_flag: i64,
    /// The guard's counts, each read only for the stage that asks for it (0 in any other).
    pub contacts: i64,
    pub consents: i64,
    pub completed_assessments: i64,
    pub needs: i64,
    pub strengths: i64,
    pub active_goals: i64,
    pub agreed_goals: i64,
    pub plan_approval_required: i64,
    pub closure_approval_required: i64,
    /// Cases in planning only (else 0 / NULL): the latest plan version's facts for the guard,
    /// asked here rather than per line.
    pub plan_goals_without_intervention: i64,
    pub plan_agreed: Option<i64>,
    pub plan_approved: Option<i64>,
}

pub enum CaseloadOf {
    Worker(i64),
    Team(i64),
    /// A worker's own cases and those shared with them on the day given ('YYYY-MM-DD').
    WorkerWithShares(i64, String),
}

/// The columns of a case that a caseload line reads, from the case aliased `alias`; the id first,
/// since the page is ordered by its first column.
fn line_case(alias: &str) -> String {
    [
        "id",
        "client_id",
        "primary_worker_id",
        "program_id",
        "stage",
        "stage_entered_at",
        "risk_flag",
    ]
    .map(|c| format!("{alias}.{c}"))
    .join(", ")
}

/// Open cases of a worker or a team, paged by case id.
pub async fn caseload(
    conn: &mut impl Fetch,
    agency_id: i64,
    of: CaseloadOf,
    after_id: i64,
    limit: i64,
) -> Result<Vec<CaseloadRow>> {
    // The page's cases first, bounded by the cursor and the limit, then one line each. Asked
    // as one filter over all of the agency's cases (`c.id IN (...) ... ORDER BY c.id LIMIT`),
    // PostgreSQL's generic plan walked the agency's cases in id order (160 ms on dataset M), so
    // it had to be planned afresh on every call (2.4 ms of its 7.8); this form keeps one plan.
    // The page carries the columns a line needs, so no case is looked up a second time by id.
    let (w, sc) = (line_case("w"), line_case("sc"));
    let (ids, value, today) = match of {
        CaseloadOf::Worker(id) => (
            format!(
                "SELECT {w} FROM cases w WHERE w.agency_id = $1 AND w.primary_worker_id = $2
                   AND w.closed_at IS NULL AND w.id > $3"
            ),
            id,
            None,
        ),
        CaseloadOf::Team(id) => (
            format!(
                "SELECT {w} FROM cases w WHERE w.agency_id = $1 AND w.team_id = $2
                   AND w.closed_at IS NULL AND w.id > $3"
            ),
            id,
            None,
        ),
        // One id set from two indexes: written as `primary_worker_id = $2 OR id IN (...)`,
        // PostgreSQL walked the whole agency's cases in id order (1.5 s under load on 150,000).
        CaseloadOf::WorkerWithShares(id, today) => (
            format!(
                "SELECT {w} FROM cases w WHERE w.agency_id = $1 AND w.primary_worker_id = $2
                   AND w.closed_at IS NULL AND w.id > $3
                 UNION SELECT {sc} FROM case_shares s JOIN cases sc ON sc.id = s.case_id
                   WHERE s.agency_id = $1 AND s.worker_id = $2 AND s.ends_on >= $5
                     AND s.starts_on <= $5 AND s.ended_at IS NULL
                     AND sc.closed_at IS NULL AND s.case_id > $3"
            ),
            id,
            Some(today),
        ),
    };
    let [without, agreed, approved] = plan_facts("c.id");
    // Each count (and program rule) is read only for the stage whose guard asks for it
    // (`stage::unmet`), and is 0 for a case in any other stage: a line's "next due" is the first
    // thing its own stage's guard still needs. Both databases skip a subquery in a CASE branch
    // not taken, so a page of fifty cases runs about fifty small counts instead of five hundred.
    // Joined, the programs table was matched against every line; the worker's name as a
    // subquery also measured a little cheaper than the join (BENCHMARKS.md, session 16).
    let sql = format!(
        "WITH page AS MATERIALIZED ({ids} ORDER BY 1 LIMIT $4)
         SELECT c.id, c.client_id, COALESCE(cl.preferred_name, cl.legal_name) AS client_name, cl.preferred_language,
                cl.interpreter_needed, c.primary_worker_id,
                (SELECT u.display_name FROM users u WHERE u.id = c.primary_worker_id) AS worker_name,
                c.stage, c.stage_entered_at,
                c.risk_flag,
                CASE WHEN c.stage = 'engagement' THEN
                  (SELECT COUNT(*) FROM contacts k WHERE k.case_id = c.id) ELSE 0 END AS contacts,
                CASE WHEN c.stage = 'engagement' THEN
                  (SELECT COUNT(*) FROM service_consents s WHERE s.case_id = c.id AND s.revoked_at IS NULL)
                  ELSE 0 END AS consents,
                CASE WHEN c.stage = 'assessment' THEN
                  (SELECT COUNT(*) FROM assessments a WHERE a.case_id = c.id AND a.status = 'completed')
                  ELSE 0 END AS completed_assessments,
                CASE WHEN c.stage = 'assessment' THEN
                  (SELECT COUNT(*) FROM needs i JOIN assessments a ON a.id = i.assessment_id
                   WHERE i.case_id = c.id AND a.status = 'completed') ELSE 0 END AS needs,
                CASE WHEN c.stage = 'assessment' THEN
                  (SELECT COUNT(*) FROM strengths i JOIN assessments a ON a.id = i.assessment_id
                   WHERE i.case_id = c.id AND a.status = 'completed') ELSE 0 END AS strengths,
                CASE WHEN c.stage = 'planning' THEN
                  (SELECT COUNT(*) FROM goals g WHERE g.case_id = c.id AND g.status = 'active')
                  ELSE 0 END AS active_goals,
                CASE WHEN c.stage = 'goal_setting' THEN
                  (SELECT COUNT(*) FROM goals g WHERE g.case_id = c.id AND g.status = 'active' AND g.client_agreed = 1)
                  ELSE 0 END AS agreed_goals,
                CASE WHEN c.stage = 'planning' THEN COALESCE(
                  (SELECT p.plan_approval_required FROM programs p WHERE p.id = c.program_id), 0)
                  ELSE 0 END AS plan_approval_required,
                CASE WHEN c.stage = 'termination' THEN COALESCE(
                  (SELECT p.closure_approval_required FROM programs p WHERE p.id = c.program_id), 0)
                  ELSE 0 END AS closure_approval_required,
                CASE WHEN c.stage = 'planning' THEN {without} ELSE 0 END
                   AS plan_goals_without_intervention,
                CASE WHEN c.stage = 'planning' THEN {agreed} END AS plan_agreed,
                CASE WHEN c.stage = 'planning' THEN {approved} END AS plan_approved
         FROM page c JOIN clients cl ON cl.id = c.client_id
         WHERE cl.agency_id = $1
         ORDER BY c.id"
    );
    let q = fetch::query(&sql)
        .bind(agency_id)
        .bind(value)
        .bind(after_id)
        .bind(limit);
    let q = match today {
        Some(t) => q.bind(t),
        None => q,
    };
    q.all_on(conn).await
}

/// Move every case, identifier and household member of one client to another (for a merge);
/// returns the ids moved so the merge can be undone exactly.
pub async fn reassign_client(conn: &mut Conn, table: &str, from: i64, to: i64) -> Result<Vec<i64>> {
    // `table` is one of a fixed set chosen by the caller, never user input.
    let sql = format!("SELECT id FROM {table} WHERE client_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql).bind(from).fetch_all(&mut *conn).await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    move_rows(conn, table, &ids, to).await?;
    Ok(ids)
}

pub async fn move_rows(conn: &mut Conn, table: &str, ids: &[i64], to: i64) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE {table} SET client_id = $1 WHERE id IN ({})",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query(&sql).bind(to);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// What a case's stage guard looks at, counted in one statement (the case page and every
/// stage move ask it; as separate queries it was a dozen round trips).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GuardCounts {
    pub completed_assessments: i64,
    pub needs: i64,
    pub strengths: i64,
    pub active_goals: i64,
    pub agreed_active_goals: i64,
    /// Active goals with no intervention in the latest plan version (all of them without a plan).
    pub goals_without_intervention: i64,
    pub plan_agreed: bool,
    pub plan_approved: bool,
    pub service_consents: i64,
    pub contacts: i64,
    /// Evaluations recorded since the case last went back from evaluation to intervention.
    pub evaluations_since_return: i64,
    /// The latest of those evaluations' decision.
    pub evaluation_decision: Option<String>,
    /// The running termination's status and whether its closing summary was written.
    pub termination_status: Option<String>,
    pub closing_summary_written: bool,
    pub open_follow_ups: i64,
    /// Whether the case holds any goals, notes, follow-ups or reopenings at all, so the case page
    /// skips the reads that would come back empty. Not facts of the guard; asked with `EXISTS`,
    /// so a case with many notes is not counted through.
    pub has_goals: bool,
    pub has_notes: bool,
    /// Follow-ups or reopenings.
    pub has_follow_ups: bool,
    /// Any plan version, and any service delivered (standing or entered in error).
    pub has_plan: bool,
    pub has_services: bool,
}

/// What the planning guard reads of the case's latest plan version, as three scalar subqueries
/// on the case `case` names (a column or a parameter): active goals with no intervention in that
/// version (all of them without a plan), whether the client agreed to it (1/0, NULL without a
/// plan), whether it is approved (likewise). The caseload and `guard_counts` both ask it.
fn plan_facts(case: &str) -> [String; 3] {
    let latest =
        format!("FROM plans pl WHERE pl.case_id = {case} ORDER BY pl.version_no DESC LIMIT 1");
    [
        format!(
            "(SELECT COUNT(*) FROM goals g WHERE g.case_id = {case} AND g.status = 'active'
               AND NOT EXISTS (SELECT 1 FROM interventions i WHERE i.goal_id = g.id
                               AND i.plan_id = (SELECT pl.id {latest})))"
        ),
        format!(
            "(SELECT CAST(CASE WHEN pl.client_agreed_on IS NULL THEN 0 ELSE 1 END AS BIGINT) {latest})"
        ),
        format!("(SELECT CAST(CASE WHEN pl.status = 'approved' THEN 1 ELSE 0 END AS BIGINT) {latest})"),
    ]
}

pub async fn guard_counts(conn: &mut impl Fetch, case_id: i64) -> Result<GuardCounts> {
    let [without, agreed, approved] = plan_facts("$1");
    // A decision to continue that already took the case back to intervention is spent: only
    // evaluations recorded after the latest such return decide the guard again.
    const SINCE_RETURN: &str = "FROM evaluations WHERE case_id = $1 AND status = 'recorded'
           AND recorded_at > (SELECT COALESCE(MAX(h.moved_at), -1) FROM stage_history h
                              WHERE h.case_id = $1 AND h.from_stage = 'evaluation'
                                AND h.to_stage = 'intervention')";
    const RUNNING_TERMINATION: &str =
        "FROM terminations WHERE case_id = $1 AND reopened_at IS NULL ORDER BY id DESC LIMIT 1";
    let sql = format!(
        "SELECT
           (SELECT COUNT(*) FROM assessments WHERE case_id = $1 AND status = 'completed'),
           (SELECT COUNT(*) FROM needs i JOIN assessments a ON a.id = i.assessment_id
              WHERE i.case_id = $1 AND a.status = 'completed'),
           (SELECT COUNT(*) FROM strengths i JOIN assessments a ON a.id = i.assessment_id
              WHERE i.case_id = $1 AND a.status = 'completed'),
           (SELECT COUNT(*) FROM goals WHERE case_id = $1 AND status = 'active'),
           (SELECT COUNT(*) FROM goals WHERE case_id = $1 AND status = 'active' AND client_agreed = 1),
           {without},
           {agreed},
           {approved},
           (SELECT COUNT(*) FROM service_consents WHERE case_id = $1 AND revoked_at IS NULL),
           (SELECT COUNT(*) FROM contacts WHERE case_id = $1),
           (SELECT COUNT(*) {SINCE_RETURN}),
           (SELECT decision {SINCE_RETURN} ORDER BY recorded_at DESC, id DESC LIMIT 1),
           (SELECT status {RUNNING_TERMINATION}),
           (SELECT CAST(CASE WHEN closing_summary IS NULL OR TRIM(closing_summary) = '' THEN 0
                        ELSE 1 END AS BIGINT) {RUNNING_TERMINATION}),
           (SELECT COUNT(*) FROM follow_ups WHERE case_id = $1 AND status = 'open'),
           CAST(CASE WHEN EXISTS (SELECT 1 FROM goals WHERE case_id = $1) THEN 1 ELSE 0 END
                AS BIGINT),
           CAST(CASE WHEN EXISTS (SELECT 1 FROM case_notes WHERE case_id = $1) THEN 1 ELSE 0 END
                AS BIGINT),
           CAST(CASE WHEN EXISTS (SELECT 1 FROM follow_ups WHERE case_id = $1)
                       OR EXISTS (SELECT 1 FROM case_reopenings WHERE case_id = $1)
                THEN 1 ELSE 0 END AS BIGINT),
           CAST(CASE WHEN EXISTS (SELECT 1 FROM services_delivered WHERE case_id = $1) THEN 1 ELSE 0 END
                AS BIGINT)"
    );
    let r = fetch::query(&sql).bind(case_id).row_on(conn).await?;
    // NULL only when the case has no plan version at all.
    let plan_agreed: Option<i64> = r.try_get(6)?;
    Ok(GuardCounts {
        completed_assessments: r.try_get(0)?,
        needs: r.try_get(1)?,
        strengths: r.try_get(2)?,
        active_goals: r.try_get(3)?,
        agreed_active_goals: r.try_get(4)?,
        goals_without_intervention: r.try_get(5)?,
        plan_agreed: plan_agreed == Some(1),
        plan_approved: r.try_get::<Option<i64>, _>(7)? == Some(1),
        service_consents: r.try_get(8)?,
        contacts: r.try_get(9)?,
        evaluations_since_return: r.try_get(10)?,
        evaluation_decision: r.try_get(11)?,
        termination_status: r.try_get(12)?,
        closing_summary_written: r.try_get::<Option<i64>, _>(13)? == Some(1),
        open_follow_ups: r.try_get(14)?,
        has_goals: r.try_get::<i64, _>(15)? == 1,
        has_notes: r.try_get::<i64, _>(16)? == 1,
        has_follow_ups: r.try_get::<i64, _>(17)? == 1,
        has_plan: plan_agreed.is_some(),
        has_services: r.try_get::<i64, _>(18)? == 1,
    })
}
