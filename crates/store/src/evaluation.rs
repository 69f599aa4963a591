//! Evaluations with their goal-by-goal attainment, and what the evaluation guard reads: the
//! latest recorded evaluation's decision.

use crate::vault::{client_of_case, At, Vault};
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

/// Open each row's sealed texts (the summary, the client's feedback comment), one reader for
/// the list.
async fn opened(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<EvaluationRow>,
) -> Result<Vec<EvaluationRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("evaluations", "", r.id, r.agency_id, 0);
        reader
            .open_opt_in(conn, at.column("summary"), &mut r.summary)
            .await?;
        reader
            .open_opt_in(conn, at.column("feedback_comment"), &mut r.feedback_comment)
            .await?;
    }
    Ok(rows)
}

async fn opened_one(
    conn: &mut Conn,
    vault: &Vault,
    row: Option<EvaluationRow>,
) -> Result<Option<EvaluationRow>> {
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// The goals' levels anew, each comment sealed under the client's data key once its row id is
/// known (the id is part of what the ciphertext is bound to).
#[allow(clippy::too_many_arguments)]
async fn replace_goals(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    evaluation_id: i64,
    e: &Evaluation,
    now: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM evaluation_goals WHERE evaluation_id = $1")
        .bind(evaluation_id)
        .execute(&mut *conn)
        .await?;
    for g in &e.goals {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO evaluation_goals (agency_id, evaluation_id, goal_id, level, comment)
             VALUES ($1, $2, $3, $4, NULL) RETURNING id",
        )
        .bind(agency_id)
        .bind(evaluation_id)
        .bind(g.goal_id)
        .bind(g.level.map(|l| i64::from(l.value())))
        .fetch_one(&mut *conn)
        .await?;
        if g.comment.is_some() {
            let at = At::new("evaluation_goals", "", id, agency_id, client_id);
            vault
                .seal_into(
                    conn,
                    "evaluation_goals",
                    at,
                    &["comment"],
                    &[g.comment.as_deref()],
                    now,
                )
                .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    e: &Evaluation,
    by: i64,
    now: i64,
) -> Result<EvaluationRow> {
    let (recorded_by, recorded_at) = recorded(e, by, now);
    let mut row: EvaluationRow = sqlx::query_as(&format!(
        "INSERT INTO evaluations (agency_id, case_id, assessment_id, status, summary, decision,
           t_score, recorded_by, recorded_at, created_by, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING {COLUMNS}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(e.assessment_id)
    .bind(e.status.as_str())
    .bind(None::<String>)
    .bind(decision(e))
    .bind(e.t_score)
    .bind(recorded_by)
    .bind(recorded_at)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let client_id = client_of_case(conn, case_id).await?;
    if e.summary.is_some() {
        let at = At::new("evaluations", "", row.id, agency_id, client_id);
        vault
            .seal_into(
                conn,
                "evaluations",
                at,
                &["summary"],
                &[e.summary.as_deref()],
                now,
            )
            .await?;
    }
    row.summary.clone_from(&e.summary);
    replace_goals(conn, vault, agency_id, client_id, row.id, e, now).await?;
    Ok(row)
}

/// Rewrite a draft of `client_id`'s case read at `version` (and record it if `e` says so);
/// `None` when it changed since or is no longer a draft.
#[allow(clippy::too_many_arguments)]
pub async fn update_draft(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    version: i64,
    e: &Evaluation,
    by: i64,
    now: i64,
) -> Result<Option<EvaluationRow>> {
    let (recorded_by, recorded_at) = recorded(e, by, now);
    let at = At::new("evaluations", "summary", id, agency_id, client_id);
    let summary = vault.seal_opt(conn, at, e.summary.as_deref(), now).await?;
    let row: Option<EvaluationRow> = sqlx::query_as(&format!(
        "UPDATE evaluations SET assessment_id = $1, status = $2, summary = $3, decision = $4,
           t_score = $5, recorded_by = $6, recorded_at = $7, updated_at = $8, version = version + 1
         WHERE agency_id = $9 AND id = $10 AND version = $11 AND status = 'draft'
         RETURNING {COLUMNS}"
    ))
    .bind(e.assessment_id)
    .bind(e.status.as_str())
    .bind(summary)
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
        replace_goals(conn, vault, agency_id, client_id, r.id, e, now).await?;
    }
    opened_one(conn, vault, row).await
}

/// Keep the client's feedback with the evaluation; it may come later than the evaluation, and a
/// second answer replaces the first.
#[allow(clippy::too_many_arguments)]
pub async fn set_feedback(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    id: i64,
    f: &Feedback,
    by: i64,
    now: i64,
) -> Result<Option<EvaluationRow>> {
    let at = At::new("evaluations", "feedback_comment", id, agency_id, client_id);
    let comment = vault.seal_opt(conn, at, f.comment.as_deref(), now).await?;
    let row = sqlx::query_as(&format!(
        "UPDATE evaluations SET feedback_helpfulness = $1, feedback_respect = $2,
           feedback_understanding = $3, feedback_comment = $4, feedback_given_on = $5,
           feedback_recorded_by = $6, feedback_recorded_at = $7, updated_at = $7,
           version = version + 1
         WHERE agency_id = $8 AND id = $9 RETURNING {COLUMNS}"
    ))
    .bind(i64::from(f.helpfulness.value()))
    .bind(i64::from(f.respect.value()))
    .bind(i64::from(f.understanding.value()))
    .bind(comment)
    .bind(f.given_on.to_string())
    .bind(by)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    opened_one(conn, vault, row).await
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<EvaluationRow>> {
    let row = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM evaluations WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    opened_one(conn, vault, row).await
}

/// A case's evaluations, newest first, paged by id.
pub async fn of_case(
    conn: &mut Conn,
    vault: &Vault,
    case_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<EvaluationRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM evaluations WHERE case_id = $1 AND id < $2
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(case_id)
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    opened(conn, vault, rows).await
}

/// The goals' levels of an evaluation of `agency_id`, their comments opened.
pub async fn goals_of(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    evaluation_id: i64,
) -> Result<Vec<EvaluationGoalRow>> {
    let mut rows: Vec<EvaluationGoalRow> = sqlx::query_as(
        "SELECT id, evaluation_id, goal_id, level, comment FROM evaluation_goals
         WHERE evaluation_id = $1 ORDER BY id LIMIT 500",
    )
    .bind(evaluation_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = At::new("evaluation_goals", "comment", r.id, agency_id, 0);
        reader.open_opt_in(conn, at, &mut r.comment).await?;
    }
    Ok(rows)
}
