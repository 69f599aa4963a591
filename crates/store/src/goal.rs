//! Goals agreed with the client (the goal-setting stage), their links to assessed needs, and the
//! counts the stage guards look at.

use crate::client::placeholders;
use crate::fetch::{self, Fetch, Run};
use crate::vault::{client_of_case, At, Vault};
use crate::{Conn, Result};
use casework_domain::goal::{GoalDraft, GoalScaleDraft};
use sqlx::Row;

/// A goal as stored. Texts are `None` while a draft lacks them; dates are `YYYY-MM-DD`
/// (`target_date` as written, since a draft may hold an unreadable one to correct).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GoalRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub priority: i64,
    pub status: String,
    pub statement: Option<String>,
    pub measure: Option<String>,
    pub baseline: Option<String>,
    pub target: Option<String>,
    pub resources: Option<String>,
    pub barriers: Option<String>,
    pub target_date: Option<String>,
    pub gas_minus2: Option<String>,
    pub gas_minus1: Option<String>,
    pub gas_zero: Option<String>,
    pub gas_plus1: Option<String>,
    pub gas_plus2: Option<String>,
    pub weight: f64,
    pub client_agreed: i64,
    pub client_agreed_on: Option<String>,
    pub client_words: Option<String>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_by: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl GoalRow {
    /// The five level descriptions, from −2 to +2.
    pub fn gas(&self) -> [Option<String>; 5] {
        [
            self.gas_minus2.clone(),
            self.gas_minus1.clone(),
            self.gas_zero.clone(),
            self.gas_plus1.clone(),
            self.gas_plus2.clone(),
        ]
    }
}

const COLUMNS: &str = "id, agency_id, case_id, priority, status, statement, measure, baseline, target, resources, barriers, target_date, gas_minus2, gas_minus1, gas_zero, gas_plus1, gas_plus2, weight, client_agreed, client_agreed_on, client_words, created_by, created_at, updated_by, updated_at, version";

/// The goal's texts, sealed under the client's data key. The target date, status, weight and
/// agreement flag stay in the clear: the guards, the lists and the T-score read them.
pub const SEALED_COLUMNS: [&str; 12] = [
    "statement",
    "measure",
    "baseline",
    "target",
    "resources",
    "barriers",
    "gas_minus2",
    "gas_minus1",
    "gas_zero",
    "gas_plus1",
    "gas_plus2",
    "client_words",
];

fn texts(r: &mut GoalRow) -> [&mut Option<String>; 12] {
    [
        &mut r.statement,
        &mut r.measure,
        &mut r.baseline,
        &mut r.target,
        &mut r.resources,
        &mut r.barriers,
        &mut r.gas_minus2,
        &mut r.gas_minus1,
        &mut r.gas_zero,
        &mut r.gas_plus1,
        &mut r.gas_plus2,
        &mut r.client_words,
    ]
}

/// Open the sealed texts of each row, one reader for the list.
async fn opened(conn: &mut Conn, vault: &Vault, mut rows: Vec<GoalRow>) -> Result<Vec<GoalRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("goals", "", r.id, r.agency_id, 0);
        for (column, value) in SEALED_COLUMNS.iter().zip(texts(r)) {
            reader.open_opt_in(conn, at.column(column), value).await?;
        }
    }
    Ok(rows)
}

/// What a save writes to `SEALED_COLUMNS` but the client's words, in that order.
fn plain_fields<'a>(f: &GoalFields<'a>) -> [Option<&'a str>; 11] {
    let [m2, m1, zero, p1, p2] = &f.scale.gas;
    [
        f.draft.statement(),
        f.draft.measure(),
        f.draft.baseline(),
        f.draft.target(),
        f.draft.resources(),
        f.draft.barriers(),
        m2.as_deref(),
        m1.as_deref(),
        zero.as_deref(),
        p1.as_deref(),
        p2.as_deref(),
    ]
}

/// Those texts sealed for the goal at `at`.
async fn sealed_fields(
    conn: &mut Conn,
    vault: &Vault,
    at: At<'_>,
    f: GoalFields<'_>,
    now: i64,
) -> Result<Vec<Option<String>>> {
    let mut sealed = Vec::with_capacity(SEALED_COLUMNS.len());
    for (column, text) in SEALED_COLUMNS.iter().zip(plain_fields(&f)) {
        sealed.push(vault.seal_opt(conn, at.column(column), text, now).await?);
    }
    Ok(sealed)
}

/// What a save writes: the goal's SMART fields and its scale.
#[derive(Debug, Clone, Copy)]
pub struct GoalFields<'a> {
    pub draft: &'a GoalDraft,
    pub scale: &'a GoalScaleDraft,
    pub priority: i64,
}

/// A new goal, always a draft; its texts sealed once the row id is known (the id is part of
/// what each ciphertext is bound to).
pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    f: GoalFields<'_>,
    by: i64,
    now: i64,
) -> Result<GoalRow> {
    let mut row: GoalRow = sqlx::query_as(&format!(
        "INSERT INTO goals (agency_id, case_id, priority, status, target_date, weight,
           client_agreed, created_by, created_at, updated_by, updated_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, 0, $6, $7, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(f.priority)
    .bind(f.draft.target_date())
    .bind(f.scale.weight)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let client_id = client_of_case(conn, case_id).await?;
    let at = At::new("goals", "", row.id, agency_id, client_id);
    let plain = plain_fields(&f);
    vault
        .seal_into(
            conn,
            "goals",
            at,
            &SEALED_COLUMNS[..plain.len()],
            &plain,
            now,
        )
        .await?;
    for (value, text) in texts(&mut row).into_iter().zip(plain) {
        *value = text.map(str::to_string);
    }
    Ok(row)
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<GoalRow>> {
    let row: Option<GoalRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM goals WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// Goals per case are bounded (see the service), so one page holds them all.
pub const CASE_GOALS_MAX: i64 = 100;

/// The case's goals in priority order (ties by age).
pub async fn of_case(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
) -> Result<Vec<GoalRow>> {
    let rows = fetch::query(&format!(
        "SELECT {COLUMNS} FROM goals WHERE agency_id = $1 AND case_id = $2
         ORDER BY priority, id LIMIT $3"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(CASE_GOALS_MAX)
    .all_on(conn)
    .await?;
    opened(conn.sqlx(), vault, rows).await
}

pub async fn count_of_case(conn: &mut Conn, case_id: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM goals WHERE case_id = $1")
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// The priority after the case's last goal.
pub async fn next_priority(conn: &mut Conn, case_id: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(priority), 0) + 1 FROM goals WHERE case_id = $1")
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// Rewrite the fields of a goal of `client_id`'s case if still at `version`; false when
/// someone changed it first. `clear_agreement` withdraws a recorded agreement (the goal the
/// client agreed to changed).
#[allow(clippy::too_many_arguments)]
pub async fn update(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    f: GoalFields<'_>,
    clear_agreement: bool,
    by: i64,
    now: i64,
) -> Result<bool> {
    let at = At::new("goals", "", id, agency_id, client_id);
    let sealed = sealed_fields(conn, vault, at, f, now).await?;
    let mut q = sqlx::query(
        "UPDATE goals SET priority = $1, statement = $2, measure = $3, baseline = $4, target = $5,
           resources = $6, barriers = $7, target_date = $8, gas_minus2 = $9, gas_minus1 = $10,
           gas_zero = $11, gas_plus1 = $12, gas_plus2 = $13, weight = $14,
           client_agreed = CASE WHEN $15 = 1 THEN 0 ELSE client_agreed END,
           client_agreed_on = CASE WHEN $15 = 1 THEN NULL ELSE client_agreed_on END,
           client_words = CASE WHEN $15 = 1 THEN NULL ELSE client_words END,
           updated_by = $16, updated_at = $17, version = version + 1
         WHERE agency_id = $18 AND id = $19 AND version = $20",
    )
    .bind(f.priority);
    // $2..$7 the SMART texts, $8 the target date, $9..$13 the scale's levels.
    let mut sealed = sealed.into_iter();
    for value in sealed.by_ref().take(6) {
        q = q.bind(value);
    }
    q = q.bind(f.draft.target_date());
    for value in sealed {
        q = q.bind(value);
    }
    let done = q
        .bind(f.scale.weight)
        .bind(clear_agreement as i64)
        .bind(by)
        .bind(now)
        .bind(agency_id)
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[allow(clippy::too_many_arguments)]
pub async fn set_status(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    status: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE goals SET status = $1, updated_by = $2, updated_at = $3, version = version + 1
         WHERE agency_id = $4 AND id = $5 AND version = $6",
    )
    .bind(status)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Record that the client agreed to a goal of their case, in their own words (sealed).
#[allow(clippy::too_many_arguments)]
pub async fn set_agreement(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    agreed_on: &str,
    client_words: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let at = At::new("goals", "client_words", id, agency_id, client_id);
    let client_words = vault.seal(conn, at, client_words, now).await?;
    let done = sqlx::query(
        "UPDATE goals SET client_agreed = 1, client_agreed_on = $1, client_words = $2,
           updated_by = $3, updated_at = $4, version = version + 1
         WHERE agency_id = $5 AND id = $6 AND version = $7",
    )
    .bind(agreed_on)
    .bind(client_words)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_priority(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    priority: i64,
    by: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE goals SET priority = $1, updated_by = $2, updated_at = $3, version = version + 1
         WHERE agency_id = $4 AND id = $5 AND priority <> $1",
    )
    .bind(priority)
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// (goal id, need id) for the goals given, in the order the needs were linked.
pub async fn links(conn: &mut impl Fetch, goal_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if goal_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, goal_ids.len());
    let sql = format!(
        "SELECT goal_id, need_id FROM goal_needs WHERE goal_id IN ({list}) ORDER BY goal_id, position"
    );
    let mut q = fetch::query(&sql);
    for id in goal_ids {
        q = q.bind(*id);
    }
    let rows = q.rows_on(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Link the goal to exactly these needs, in this order.
pub async fn replace_links(
    conn: &mut Conn,
    agency_id: i64,
    goal_id: i64,
    need_ids: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM goal_needs WHERE goal_id = $1")
        .bind(goal_id)
        .execute(&mut *conn)
        .await?;
    for (position, need_id) in need_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO goal_needs (agency_id, goal_id, need_id, position) VALUES ($1, $2, $3, $4)",
        )
        .bind(agency_id)
        .bind(goal_id)
        .bind(*need_id)
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An assessed need a goal can point to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NeedChoice {
    pub id: i64,
    pub description: String,
}

/// The needs a case's completed assessments name, oldest first. Only these can be linked: a
/// draft assessment rewrites its needs on every save, and a completed one is never changed.
pub async fn case_needs(
    conn: &mut impl Fetch,
    vault: &crate::vault::Vault,
    agency_id: i64,
    case_id: i64,
) -> Result<Vec<NeedChoice>> {
    let mut rows: Vec<NeedChoice> = fetch::query(
        "SELECT n.id, n.description FROM needs n JOIN assessments a ON a.id = n.assessment_id
         WHERE n.agency_id = $1 AND n.case_id = $2 AND a.status = 'completed' ORDER BY n.id LIMIT 500",
    )
    .bind(agency_id)
    .bind(case_id)
    .all_on(conn)
    .await?;
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = crate::vault::At::new("needs", "description", r.id, agency_id, 0);
        reader.open_in(conn.sqlx(), at, &mut r.description).await?;
    }
    Ok(rows)
}

/// Which of `need_ids` a completed assessment of the case names.
pub async fn needs_in_case(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    need_ids: &[i64],
) -> Result<Vec<i64>> {
    if need_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(3, need_ids.len());
    let sql =
        format!("SELECT n.id FROM needs n JOIN assessments a ON a.id = n.assessment_id
                 WHERE n.agency_id = $1 AND n.case_id = $2 AND a.status = 'completed' AND n.id IN ({list})");
    let mut q = sqlx::query(&sql).bind(agency_id).bind(case_id);
    for id in need_ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}
