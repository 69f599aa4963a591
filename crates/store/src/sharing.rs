//! Case shares (a case shared with a worker until an end date) and break-the-glass accesses
//! (emergency reads with a stated reason, reviewed by the case's team supervisors).

use crate::fetch::{self, Fetch, Run};
use crate::id_set::IdSet;
use crate::{backend_of_conn, Conn, Result};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ShareRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub reason: String,
    pub starts_on: String,
    pub ends_on: String,
    pub shared_by: i64,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    pub ended_by: Option<i64>,
    pub version: i64,
}

const SHARE: &str = "s.id, s.agency_id, s.case_id, s.worker_id, u.display_name AS worker_name, s.reason, s.starts_on, s.ends_on, s.shared_by, s.created_at, s.ended_at, s.ended_by, s.version";

/// Shares of one case are few (each is a deliberate act); bounded all the same.
pub const SHARES_MAX: i64 = 200;

#[allow(clippy::too_many_arguments)]
pub async fn insert_share(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    worker_id: i64,
    reason: &str,
    starts_on: &str,
    ends_on: &str,
    by: i64,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO case_shares (agency_id, case_id, worker_id, reason, starts_on, ends_on,
           shared_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(agency_id)
    .bind(case_id)
    .bind(worker_id)
    .bind(reason)
    .bind(starts_on)
    .bind(ends_on)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn share(conn: &mut Conn, agency_id: i64, id: i64) -> Result<Option<ShareRow>> {
    let sql = format!(
        "SELECT {SHARE} FROM case_shares s JOIN users u ON u.id = s.worker_id
         WHERE s.agency_id = $1 AND s.id = $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(agency_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Every share of a case, current and past, newest first.
pub async fn shares_of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<ShareRow>> {
    let sql = format!(
        "SELECT {SHARE} FROM case_shares s JOIN users u ON u.id = s.worker_id
         WHERE s.case_id = $1 ORDER BY s.id DESC LIMIT $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(case_id)
        .bind(SHARES_MAX)
        .fetch_all(&mut *conn)
        .await?)
}

/// End a share early if still at `version`.
pub async fn end_share(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE case_shares SET ended_at = $1, ended_by = $2, version = version + 1
         WHERE agency_id = $3 AND id = $4 AND version = $5 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The last day of the share with `worker_id` running on `today` on this case, if any.
pub async fn running_share(
    conn: &mut impl Fetch,
    case_id: i64,
    worker_id: i64,
    today: &str,
) -> Result<Option<String>> {
    let row = fetch::query(
        "SELECT MAX(ends_on) FROM case_shares
         WHERE case_id = $1 AND worker_id = $2 AND ended_at IS NULL
           AND starts_on <= $3 AND ends_on >= $3",
    )
    .bind(case_id)
    .bind(worker_id)
    .bind(today)
    .row_on(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Of `case_ids`, those shared with `worker_id` on `today`, with the share's last day.
pub async fn running_shares_of(
    conn: &mut impl Fetch,
    agency_id: i64,
    worker_id: i64,
    case_ids: &[i64],
    today: &str,
) -> Result<Vec<(i64, String)>> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    let set = IdSet::new(backend_of_conn(conn.sqlx()), 4, case_ids);
    let sql = format!(
        "SELECT case_id, MAX(ends_on) FROM case_shares
         WHERE agency_id = $1 AND worker_id = $2 AND ended_at IS NULL
           AND starts_on <= $3 AND ends_on >= $3 AND {}
         GROUP BY case_id",
        set.holds("case_id")
    );
    let q = fetch::query(&sql)
        .bind(agency_id)
        .bind(worker_id)
        .bind(today);
    let rows = set.bind(q).rows_on(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Workers with a share running on `today` on a case of each of `client_ids`:
/// (client id, worker id) pairs, the facts a client's reach needs.
pub async fn shared_workers_of_clients(
    conn: &mut impl Fetch,
    client_ids: &[i64],
    today: &str,
) -> Result<Vec<(i64, i64)>> {
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    let set = IdSet::new(backend_of_conn(conn.sqlx()), 2, client_ids);
    let sql = format!(
        "SELECT c.client_id, s.worker_id FROM case_shares s JOIN cases c ON c.id = s.case_id
         WHERE {} AND s.ended_at IS NULL AND s.starts_on <= $1
           AND s.ends_on >= $1",
        set.holds("c.client_id")
    );
    let rows = set
        .bind(fetch::query(&sql).bind(today))
        .rows_on(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct BreakGlassRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub reason: String,
    pub opened_at: i64,
    pub expires_at: i64,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub verdict: Option<String>,
    pub review_comment: Option<String>,
    pub version: i64,
}

const GLASS: &str = "b.id, b.agency_id, b.case_id, b.user_id, u.display_name AS user_name, b.reason, b.opened_at, b.expires_at, b.reviewed_by, b.reviewed_at, b.verdict, b.review_comment, b.version";

pub async fn insert_break_glass(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    user_id: i64,
    reason: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO break_glass (agency_id, case_id, user_id, reason, opened_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(agency_id)
    .bind(case_id)
    .bind(user_id)
    .bind(reason)
    .bind(now)
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn break_glass(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
) -> Result<Option<BreakGlassRow>> {
    let sql = format!(
        "SELECT {GLASS} FROM break_glass b JOIN users u ON u.id = b.user_id
         WHERE b.agency_id = $1 AND b.id = $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(agency_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The user's running break-the-glass access to the case, if one runs: its id and when it
/// ends (Unix ms).
pub async fn running_break_glass(
    conn: &mut impl Fetch,
    case_id: i64,
    user_id: i64,
    now: i64,
) -> Result<Option<(i64, i64)>> {
    let row: Option<(i64, i64)> = fetch::query(
        "SELECT id, expires_at FROM break_glass
         WHERE case_id = $1 AND user_id = $2 AND expires_at > $3
         ORDER BY id DESC LIMIT 1",
    )
    .bind(case_id)
    .bind(user_id)
    .bind(now)
    .optional_on(conn)
    .await?;
    Ok(row)
}

/// Break-the-glass accesses of one case, newest first.
pub async fn break_glass_of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<BreakGlassRow>> {
    let sql = format!(
        "SELECT {GLASS} FROM break_glass b JOIN users u ON u.id = b.user_id
         WHERE b.case_id = $1 ORDER BY b.id DESC LIMIT $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(case_id)
        .bind(SHARES_MAX)
        .fetch_all(&mut *conn)
        .await?)
}

/// Break-the-glass accesses not yet reviewed on cases of `team_id`, by id after `after`, for a
/// supervisor's review list and queue. Fetch `limit + 1` to know whether there is more.
pub async fn open_reviews_for_team(
    conn: &mut Conn,
    agency_id: i64,
    team_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<BreakGlassRow>> {
    let sql = format!(
        "SELECT {GLASS} FROM break_glass b JOIN users u ON u.id = b.user_id
           JOIN cases c ON c.id = b.case_id
         WHERE b.agency_id = $1 AND b.reviewed_at IS NULL AND c.team_id = $2 AND b.id > $3
         ORDER BY b.id LIMIT $4"
    );
    Ok(sqlx::query_as(&sql)
        .bind(agency_id)
        .bind(team_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?)
}

#[allow(clippy::too_many_arguments)]
pub async fn set_review(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    verdict: &str,
    comment: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE break_glass SET verdict = $1, review_comment = $2, reviewed_by = $3,
           reviewed_at = $4, version = version + 1
         WHERE agency_id = $5 AND id = $6 AND version = $7 AND reviewed_at IS NULL",
    )
    .bind(verdict)
    .bind(comment)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
