//! The sources of a supervisor's queue: what waits for them on their team's cases. Every source
//! is ONE query returning [`QueueLine`]s in the same order (when it started waiting, kind, id)
//! after the same cursor; the service merges them. A new kind is one more variant of [`Source`]
//! and one more query (closures awaiting approval were added that way).

use crate::{Conn, Result};

/// One thing waiting for a supervisor, whatever the source.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct QueueLine {
    /// The source: `plan_approval`, `guard_override`, `safety_alert`, `closure_approval`.
    pub kind: String,
    /// The id in that source's table (plan, stage history entry, instrument result).
    pub id: i64,
    pub case_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub worker_name: Option<String>,
    /// Since when it waits (Unix ms).
    pub since_ms: i64,
    /// What the source adds: the override's reason, the instrument's name.
    pub detail: Option<String>,
    /// Who did what waits, where the source knows: the worker who overrode the guard, the one
    /// who opened the case in an emergency.
    pub acted_by_name: Option<String>,
    /// An override's stage move (stage codes).
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
}

/// A position in the queue: the last line's (since, kind, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub since_ms: i64,
    pub kind: String,
    pub id: i64,
}

impl After {
    pub fn start() -> After {
        After {
            since_ms: i64::MIN,
            kind: String::new(),
            id: 0,
        }
    }
}

/// The sources of the queue. To add one: a variant here, in [`Source::ALL`], and its arm in
/// [`Source::lines`] calling a query shaped like [`plan_approvals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    PlanApprovals,
    GuardOverrides,
    SafetyAlerts,
    ClosureApprovals,
    BreakGlassReviews,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::PlanApprovals,
        Source::GuardOverrides,
        Source::SafetyAlerts,
        Source::ClosureApprovals,
        Source::BreakGlassReviews,
    ];

    /// The source's waiting lines for the team's cases after `after`, at most `limit`.
    pub async fn lines(
        self,
        conn: &mut Conn,
        agency_id: i64,
        team_id: i64,
        after: &After,
        limit: i64,
    ) -> Result<Vec<QueueLine>> {
        let inner = match self {
            Source::PlanApprovals => PLAN_APPROVALS,
            Source::GuardOverrides => GUARD_OVERRIDES,
            Source::SafetyAlerts => SAFETY_ALERTS,
            Source::ClosureApprovals => CLOSURE_APPROVALS,
            Source::BreakGlassReviews => BREAK_GLASS_REVIEWS,
        };
        run(conn, inner, agency_id, team_id, after, limit).await
    }
}

/// The columns every source's inner query selects, from `cases c`, `clients cl`, `users w`.
const CASE_COLUMNS: &str = "c.id AS case_id, c.client_id,
    COALESCE(cl.preferred_name, cl.legal_name) AS client_name, w.display_name AS worker_name";
const CASE_JOINS: &str = "JOIN clients cl ON cl.id = c.client_id
    LEFT JOIN users w ON w.id = c.primary_worker_id";

/// Plans handed in and waiting for approval.
pub const PLAN_APPROVALS: &str = "SELECT 'plan_approval' AS kind, p.id, {CASE},
      COALESCE(p.submitted_at, p.created_at) AS since_ms, NULL AS detail, CAST(NULL AS TEXT) AS acted_by_name, CAST(NULL AS TEXT) AS from_stage, CAST(NULL AS TEXT) AS to_stage
    FROM plans p JOIN cases c ON c.id = p.case_id {JOINS}
    WHERE p.agency_id = $1 AND c.team_id = $2 AND p.status = 'awaiting_approval'";

/// Guards overridden (a stage move with a reason) and not yet reviewed.
pub const GUARD_OVERRIDES: &str = "SELECT 'guard_override' AS kind, h.id, {CASE},
      h.moved_at AS since_ms, h.override_reason AS detail,
      (SELECT u.display_name FROM users u WHERE u.id = h.moved_by) AS acted_by_name,
      h.from_stage, h.to_stage
    FROM stage_history h JOIN cases c ON c.id = h.case_id {JOINS}
    WHERE h.agency_id = $1 AND c.team_id = $2 AND h.override_reason IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM override_reviews r WHERE r.stage_history_id = h.id)";

/// Safety alerts (instrument results that raised one) not yet acknowledged.
pub const SAFETY_ALERTS: &str = "SELECT 'safety_alert' AS kind, i.id, {CASE},
      i.recorded_at AS since_ms, i.instrument AS detail, CAST(NULL AS TEXT) AS acted_by_name, CAST(NULL AS TEXT) AS from_stage, CAST(NULL AS TEXT) AS to_stage
    FROM instrument_results i JOIN cases c ON c.id = i.case_id {JOINS}
    WHERE i.agency_id = $1 AND c.team_id = $2 AND i.safety_alert = 1
      AND NOT EXISTS (SELECT 1 FROM safety_acknowledgements a WHERE a.instrument_result_id = i.id)";

/// Terminations (closing summaries) handed in and waiting for approval, on cases not reopened.
pub const CLOSURE_APPROVALS: &str = "SELECT 'closure_approval' AS kind, t.id, {CASE},
      COALESCE(t.submitted_at, t.created_at) AS since_ms, NULL AS detail, CAST(NULL AS TEXT) AS acted_by_name, CAST(NULL AS TEXT) AS from_stage, CAST(NULL AS TEXT) AS to_stage
    FROM terminations t JOIN cases c ON c.id = t.case_id {JOINS}
    WHERE t.agency_id = $1 AND c.team_id = $2 AND t.status = 'awaiting_approval'
      AND t.reopened_at IS NULL";

/// Emergency (break-the-glass) openings of the team's cases that nobody has reviewed yet.
pub const BREAK_GLASS_REVIEWS: &str = "SELECT 'break_glass' AS kind, b.id, {CASE},
      b.opened_at AS since_ms, NULL AS detail,
      (SELECT u.display_name FROM users u WHERE u.id = b.user_id) AS acted_by_name,
      CAST(NULL AS TEXT) AS from_stage, CAST(NULL AS TEXT) AS to_stage
    FROM break_glass b JOIN cases c ON c.id = b.case_id {JOINS}
    WHERE b.agency_id = $1 AND c.team_id = $2 AND b.reviewed_at IS NULL";

async fn run(
    conn: &mut Conn,
    inner: &str,
    agency_id: i64,
    team_id: i64,
    after: &After,
    limit: i64,
) -> Result<Vec<QueueLine>> {
    let inner = inner
        .replace("{CASE}", CASE_COLUMNS)
        .replace("{JOINS}", CASE_JOINS);
    let sql = format!(
        "SELECT kind, id, case_id, client_id, client_name, worker_name, since_ms, detail,
                acted_by_name, from_stage, to_stage
         FROM ({inner}) q
         WHERE q.since_ms > $3 OR (q.since_ms = $3 AND (q.kind > $4
           OR (q.kind = $4 AND q.id > $5)))
         ORDER BY q.since_ms, q.kind, q.id LIMIT $6"
    );
    Ok(sqlx::query_as(&sql)
        .bind(agency_id)
        .bind(team_id)
        .bind(after.since_ms)
        .bind(&after.kind)
        .bind(after.id)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?)
}

/// A stage move that overrode a guard: its case and whether it was reviewed.
pub async fn override_of(
    conn: &mut Conn,
    agency_id: i64,
    stage_history_id: i64,
) -> Result<Option<(i64, bool)>> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT h.case_id, (SELECT COUNT(*) FROM override_reviews r WHERE r.stage_history_id = h.id)
         FROM stage_history h
         WHERE h.agency_id = $1 AND h.id = $2 AND h.override_reason IS NOT NULL",
    )
    .bind(agency_id)
    .bind(stage_history_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(case, n)| (case, n > 0)))
}

pub async fn insert_review(
    conn: &mut Conn,
    agency_id: i64,
    stage_history_id: i64,
    by: i64,
    now: i64,
    comment: Option<&str>,
) -> Result<i64> {
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO override_reviews (agency_id, stage_history_id, reviewed_by, reviewed_at, comment)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(agency_id)
    .bind(stage_history_id)
    .bind(by)
    .bind(now)
    .bind(comment)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.0)
}

/// An instrument result that raised a safety alert: its case and whether it was acknowledged.
pub async fn alert_of(
    conn: &mut Conn,
    agency_id: i64,
    instrument_result_id: i64,
) -> Result<Option<(i64, bool)>> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT i.case_id,
           (SELECT COUNT(*) FROM safety_acknowledgements a WHERE a.instrument_result_id = i.id)
         FROM instrument_results i
         WHERE i.agency_id = $1 AND i.id = $2 AND i.safety_alert = 1",
    )
    .bind(agency_id)
    .bind(instrument_result_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(case, n)| (case, n > 0)))
}

pub async fn insert_acknowledgement(
    conn: &mut Conn,
    agency_id: i64,
    instrument_result_id: i64,
    by: i64,
    now: i64,
    comment: &str,
) -> Result<i64> {
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO safety_acknowledgements (agency_id, instrument_result_id, acknowledged_by,
           acknowledged_at, comment)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(agency_id)
    .bind(instrument_result_id)
    .bind(by)
    .bind(now)
    .bind(comment)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.0)
}
