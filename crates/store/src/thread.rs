//! What the golden-thread view counts about a case, beyond its needs, goals and plan: the
//! latest progress entry per goal, and what was done under each intervention.

use crate::fetch::{self, Fetch, Run};
use crate::Result;
use sqlx::Row;

fn pairs<T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>>(
    rows: &[sqlx::any::AnyRow],
) -> Result<Vec<(i64, T)>> {
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<T, _>(1)?)))
        .collect()
}

/// (goal id, latest `recorded_on`) for each goal of the case with an entry.
pub async fn last_progress(conn: &mut impl Fetch, case_id: i64) -> Result<Vec<(i64, String)>> {
    let rows = fetch::query(
        "SELECT goal_id, MAX(recorded_on) FROM progress_entries WHERE case_id = $1
         GROUP BY goal_id",
    )
    .bind(case_id)
    .rows_on(conn)
    .await?;
    pairs(&rows)
}

/// (intervention id, services delivered that name it and stand) for the case.
pub async fn services_by_intervention(
    conn: &mut impl Fetch,
    case_id: i64,
) -> Result<Vec<(i64, i64)>> {
    let rows = fetch::query(
        "SELECT intervention_id, COUNT(*) FROM services_delivered
         WHERE case_id = $1 AND error_at IS NULL AND intervention_id IS NOT NULL
         GROUP BY intervention_id",
    )
    .bind(case_id)
    .rows_on(conn)
    .await?;
    pairs(&rows)
}

/// (intervention id, tasks done) for the plan version's interventions.
pub async fn tasks_done_by_intervention(
    conn: &mut impl Fetch,
    plan_id: i64,
) -> Result<Vec<(i64, i64)>> {
    let rows = fetch::query(
        "SELECT t.intervention_id, COUNT(*) FROM plan_tasks t
         JOIN interventions i ON i.id = t.intervention_id
         WHERE i.plan_id = $1 AND t.done_at IS NOT NULL GROUP BY t.intervention_id",
    )
    .bind(plan_id)
    .rows_on(conn)
    .await?;
    pairs(&rows)
}
