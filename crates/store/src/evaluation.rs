//! Evaluations with their goal-by-goal attainment, and what the evaluation guard reads: the
//! latest recorded evaluation's decision.

use crate::{Conn, Result};
use casework_domain::evaluation::{Evaluation, Feedback};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvaluationRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub assessment_id: Option<i64>,
    pub status: String,
    pub summary: Option<String>,
    pub decision: Option<String>,
    pub t_score: Option<f64>,
    pub recorded_by: Option<i64>,
    pub recorded_at: Option<i64>,
    pub feedback_helpfulness: Option<i64>,
    pub feedback_respect: Option<i64>,
    pub feedback_understanding: Option<i64>,
    pub feedback_comment: Option<String>,
    pub feedback_given_on: Option<String>,
    pub feedback_recorded_by: Option<i64>,
    pub feedback_recorded_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const COLUMNS: &str = "id, agency_id, case_id, assessment_id, status, summary, decision, t_score, recorded_by, recorded_at, feedback_helpfulness, feedback_respect, feedback_understanding, feedback_comment, feedback_given_on, feedback_recorded_by, feedback_recorded_at, created_by, created_at, updated_at, version";

/// One goal's level in an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EvaluationGoalRow {
    pub id: i64,
    pub evaluation_id: i64,
    pub goal_id: i64,
    pub level: Option<i64>,
    pub comment: Option<String>,
}

fn recorded(e: &Evaluation, by: i64, now: i64) -> (Option<i64>, Option<i64>) {
    match e.status {
        casework_domain::evaluation::EvaluationStatus::Recorded => (Some(by), Some(now)),
        casework_domain::evaluation::EvaluationStatus::Draft => (None, None),
    }
}

fn decision(e: &Evaluation) -> Option<&'static str> {
    e.decision.map(casework_domain::evaluation::decision_str)
}

async fn replace_goals(
    conn: &mut Conn,
    agency_id: i64,
    evaluation_id: i64,
    e: &Evaluation,
) -> Result<()> {
    sqlx::query("DELETE FROM evaluation_goals WHERE evaluation_id = $1")
        .bind(evaluation_id)
        .execute(&mut *conn)
        .await?;
    for g in &e.goals {
        sqlx::query(
            "INSERT INTO evaluation_goals (agency_id, evaluation_id, goal_id, level, comment)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(agency_id)
        .bind(evaluation_id)
        .bind(g.goal_id)
        .bind(g.level.map(|l| i64::from(l.value())))
        .bind(&g.comment)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn insert(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    e: &Evaluation,
    by: i64,
    now: i64,
) -> Result<EvaluationRow> {
    let (recorded_by, recorded_at) = recorded(e, by, now);
    let row: EvaluationRow = sqlx::query_as(&format!(
        "INSERT INTO evaluations (agency_id, case_id, assessment_id, status, summary, decision,
           t_score, recorded_by, recorded_at, created_by, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING {COLUMNS}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(e.assessment_id)
    .bind(e.status.as_str())
    .bind(&e.summary)
    .bind(decision(e))
    .bind(e.t_score)
    .bind(recorded_by)
    .bind(recorded_at)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    replace_goals(conn, agency_id, row.id, e).await?;
    Ok(row)
}

/// Rewrite a draft read at `version` (and record it if `e` says so); `None` when it changed
/// since or is no longer a draft.
pub async fn update_draft(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    e: &Evaluation,
    by: i64,
    now: i64,
) -> Result<Option<EvaluationRow>> {
    let (recorded_by, recorded_at) = recorded(e, by, now);
    let row: Option<EvaluationRow> = sqlx::query_as(&format!(
        "UPDATE evaluations SET assessment_id = $1, status = $2, summary = $3, decision = $4,
           t_score = $5, recorded_by = $6, recorded_at = $7, updated_at = $8, version = version + 1
         WHERE agency_id = $9 AND id = $10 AND version = $11 AND status = 'draft'
         RETURNING {COLUMNS}"
    ))
    .bind(e.assessment_id)
    .bind(e.status.as_str())
    .bind(&e.summary)
    .bind(decision(e))
    .bind(e.t_score)
    .bind(recorded_by)
    .bind(recorded_at)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(r) = &row {
        replace_goals(conn, agency_id, r.id, e).await?;
    }
    Ok(row)
}

/// Keep the client's feedback with the evaluation; it may come later than the evaluation, and a
/// second answer replaces the first.
pub async fn set_feedback(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    f: &Feedback,
    by: i64,
    now: i64,
) -> Result<Option<EvaluationRow>> {
    Ok(sqlx::query_as(&format!(
        "UPDATE evaluations SET feedback_helpfulness = $1, feedback_respect = $2,
           feedback_understanding = $3, feedback_comment = $4, feedback_given_on = $5,
           feedback_recorded_by = $6, feedback_recorded_at = $7, updated_at = $7,
           version = version + 1
         WHERE agency_id = $8 AND id = $9 RETURNING {COLUMNS}"
    ))
    .bind(i64::from(f.helpfulness.value()))
    .bind(i64::from(f.respect.value()))
    .bind(i64::from(f.understanding.value()))
    .bind(&f.comment)
    .bind(f.given_on.to_string())
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn get(conn: &mut Conn, agency_id: i64, id: i64) -> Result<Option<EvaluationRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM evaluations WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A case's evaluations, newest first, paged by id.
pub async fn of_case(
    conn: &mut Conn,
    case_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<EvaluationRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM evaluations WHERE case_id = $1 AND id < $2
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(case_id)
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn goals_of(conn: &mut Conn, evaluation_id: i64) -> Result<Vec<EvaluationGoalRow>> {
    Ok(sqlx::query_as(
        "SELECT id, evaluation_id, goal_id, level, comment FROM evaluation_goals
         WHERE evaluation_id = $1 ORDER BY id LIMIT 500",
    )
    .bind(evaluation_id)
    .fetch_all(&mut *conn)
    .await?)
}
