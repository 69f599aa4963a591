//! Everything held about one client, read section by section for a subject access export. Each
//! section is one query whose column names are the field names the export shows (and the JSON
//! keys); people are shown by name, not by user id. Columns ending `_at` are Unix milliseconds.

use crate::vault::{At, Vault};
use crate::{Conn, Result};
use sqlx::any::AnyRow;
use sqlx::{Column, Row};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

/// One row, its fields in the query's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub fields: Vec<(String, Value)>,
}

impl serde::Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (k, v) in &self.fields {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Section {
    pub name: &'static str,
    pub records: Vec<Record>,
}

/// The most rows one section holds; more is noted as truncated (no real client comes near).
pub const SECTION_LIMIT: i64 = 5000;

const CASES: &str = "(SELECT id FROM cases WHERE client_id = $1 AND agency_id = $2)";

fn sections() -> Vec<(&'static str, String)> {
    let name_of = |col: &str| format!("(SELECT display_name FROM users u WHERE u.id = {col})");
    vec![
        ("profile", "SELECT legal_name, preferred_name, birth_date, birth_year_estimate, gender_identity, pronouns,
                preferred_language, interpreter_needed, cultural_considerations, phone, email, safe_contact,
                address, created_at, updated_at, erased_at, id AS _row_id
             FROM clients WHERE id = $1 AND agency_id = $2".to_string()),
        ("identifiers", "SELECT kind, value, id AS _row_id FROM client_identifiers WHERE client_id = $1 AND agency_id = $2 ORDER BY id".into()),
        ("household", "SELECT name, relationship, birth_date FROM household_members WHERE client_id = $1 AND agency_id = $2 ORDER BY id".into()),
        ("cases", format!(
            "SELECT k.id AS case_id, p.name AS program, t.name AS team, {} AS primary_worker, k.referral_source,
                    k.presenting_problem, k.stage, k.opened_at, k.closed_at, k.id AS _row_id
             FROM cases k LEFT JOIN programs p ON p.id = k.program_id LEFT JOIN teams t ON t.id = k.team_id
             WHERE k.client_id = $1 AND k.agency_id = $2 ORDER BY k.id", name_of("k.primary_worker_id"))),
        ("stage_history", format!(
            "SELECT case_id, from_stage, to_stage, {} AS moved_by, moved_at, override_reason
             FROM stage_history WHERE case_id IN {CASES} ORDER BY id", name_of("moved_by"))),
        ("contacts", format!(
            "SELECT case_id, contact_date, mode, duration_minutes, participants, interpreter_used, summary,
                    {} AS recorded_by, id AS _row_id
             FROM contacts WHERE case_id IN {CASES} ORDER BY id", name_of("recorded_by"))),
        ("service_consents", "SELECT case_id, given_on, method, witness, revoked_at FROM service_consents
             WHERE client_id = $1 AND agency_id = $2 ORDER BY id".into()),
        ("share_consents", "SELECT recipient_type, recipient_name, recipient_kind, purpose, purpose_other, categories,
                starts_on, expires_on, given_how, witness, revoked_at, revocation_reason
             FROM share_consents WHERE client_id = $1 AND agency_id = $2 ORDER BY id".into()),
        ("assessments", format!(
            "SELECT case_id, kind, status, situation, background, resources, limitations, risk_level, risk_details,
                    client_words, assessed_on, completed_at, id AS _row_id
             FROM assessments WHERE case_id IN {CASES} ORDER BY id")),
        ("needs", format!("SELECT case_id, description, id AS _row_id FROM needs WHERE case_id IN {CASES} ORDER BY id")),
        ("strengths", format!("SELECT case_id, description, id AS _row_id FROM strengths WHERE case_id IN {CASES} ORDER BY id")),
        ("instrument_results", format!(
            "SELECT case_id, instrument, answers, total, band, taken_on, id AS _row_id FROM instrument_results
             WHERE case_id IN {CASES} ORDER BY id")),
        ("form_responses", format!(
            "SELECT r.case_id, f.name AS form, r.status, r.answers, r.filled_on, r.id AS _row_id
             FROM form_responses r JOIN assessment_forms f ON f.id = r.form_id
             WHERE r.case_id IN {CASES} ORDER BY r.id")),
        ("goals", format!(
            "SELECT case_id, priority, status, statement, measure, baseline, target, resources, barriers,
                    target_date, client_agreed, client_agreed_on, client_words, id AS _row_id
             FROM goals WHERE case_id IN {CASES} ORDER BY case_id, priority, id")),
        ("plans", format!(
            "SELECT case_id, version_no, status, client_agreed_on, client_words, approved_at,
                    id AS _row_id
             FROM plans WHERE case_id IN {CASES} ORDER BY id")),
        ("interventions", format!(
            "SELECT p.case_id, p.version_no AS plan_version, i.kind, i.description, i.responsible,
                    i.responsible_name, i.due_on, i.resources, i.id AS _row_id
             FROM interventions i JOIN plans p ON p.id = i.plan_id
             WHERE p.case_id IN {CASES} ORDER BY i.id")),
        ("plan_tasks", format!(
            "SELECT p.case_id, t.description, t.responsible, t.responsible_name, t.due_on, t.done_at,
                    t.id AS _row_id
             FROM plan_tasks t JOIN interventions i ON i.id = t.intervention_id JOIN plans p ON p.id = i.plan_id
             WHERE p.case_id IN {CASES} ORDER BY t.id")),
        ("notes", format!(
            "SELECT case_id, id AS note_id, format, sensitivity, sections, {} AS author, created_at, signed_at, id AS _row_id
             FROM case_notes WHERE case_id IN {CASES} ORDER BY id", name_of("author_id"))),
        ("addenda", format!(
            "SELECT a.note_id, a.body, {} AS author, a.signed_at, a.id AS _row_id
             FROM note_addenda a WHERE a.note_id IN (SELECT id FROM case_notes WHERE case_id IN {CASES})
             ORDER BY a.id", name_of("a.author_id"))),
        ("services", format!(
            "SELECT case_id, kind, other_kind, delivered_on, provider, provider_name, units, unit_name, note,
                    error_reason, id AS _row_id
             FROM services_delivered WHERE case_id IN {CASES} ORDER BY id")),
        ("progress", format!(
            "SELECT case_id, goal_id, recorded_on, value, gas_level, comment, id AS _row_id
             FROM progress_entries WHERE case_id IN {CASES} ORDER BY id")),
        ("evaluations", format!(
            "SELECT case_id, status, summary, decision, t_score, feedback_helpfulness, feedback_respect,
                    feedback_understanding, feedback_comment, feedback_given_on, recorded_at,
                    id AS _row_id
             FROM evaluations WHERE case_id IN {CASES} ORDER BY id")),
        ("evaluation_goals", format!(
            "SELECT g.evaluation_id, g.goal_id, g.level AS gas_level, g.comment, g.id AS _row_id
             FROM evaluation_goals g JOIN evaluations e ON e.id = g.evaluation_id
             WHERE e.case_id IN {CASES} ORDER BY g.id")),
        ("terminations", format!(
            "SELECT case_id, reason, reason_other, closing_summary, growth, aftercare_plan, status, decided_at,
                    reopened_at, id AS _row_id
             FROM terminations WHERE case_id IN {CASES} ORDER BY id")),
        ("follow_ups", format!(
            "SELECT case_id, due_on, status, contact_date, contact_mode, change_held, new_needs, referrals,
                    comment, id AS _row_id
             FROM follow_ups WHERE case_id IN {CASES} ORDER BY id")),
        ("reopenings", format!(
            "SELECT case_id, from_stage, to_stage, reason, reopened_at FROM case_reopenings
             WHERE case_id IN {CASES} ORDER BY id")),
        ("tasks", format!(
            "SELECT case_id, title, description, due_on, status, {} AS assignee, id AS _row_id
             FROM case_tasks WHERE case_id IN {CASES} ORDER BY id", name_of("assignee_id"))),
        ("shares", format!(
            "SELECT case_id, {} AS worker, reason, starts_on, ends_on, ended_at
             FROM case_shares WHERE case_id IN {CASES} ORDER BY id", name_of("worker_id"))),
        ("emergency_access", format!(
            "SELECT case_id, {} AS opened_by, reason, opened_at, verdict
             FROM break_glass WHERE case_id IN {CASES} ORDER BY id", name_of("user_id"))),
        ("disclosures", format!(
            "SELECT recipient_name, recipient_kind, purpose, purpose_other, categories, channel,
                    legal_basis_kind, law_cited, {} AS disclosed_by, disclosed_at
             FROM disclosures WHERE client_id = $1 AND agency_id = $2 ORDER BY id", name_of("disclosed_by"))),
    ]
}

/// The table behind a section whose rows carry sealed columns (and a `_row_id` to open them by).
fn sealed_table(section: &str) -> Option<&'static str> {
    Some(match section {
        "profile" => "clients",
        "identifiers" => "client_identifiers",
        "cases" => "cases",
        "contacts" => "contacts",
        "assessments" => "assessments",
        "instrument_results" => "instrument_results",
        "form_responses" => "form_responses",
        "notes" => "case_notes",
        "needs" => "needs",
        "strengths" => "strengths",
        "terminations" => "terminations",
        "follow_ups" => "follow_ups",
        "services" => "services_delivered",
        "progress" => "progress_entries",
        "goals" => "goals",
        "plans" => "plans",
        "interventions" => "interventions",
        "plan_tasks" => "plan_tasks",
        "tasks" => "case_tasks",
        "evaluations" => "evaluations",
        "evaluation_goals" => "evaluation_goals",
        "addenda" => "note_addenda",
        _ => return None,
    })
}

fn value(row: &AnyRow, i: usize) -> Value {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map_or(Value::Null, Value::Integer);
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map_or(Value::Null, Value::Real);
    }
    if let Ok(v) = row.try_get::<Option<f32>, _>(i) {
        return v.map_or(Value::Null, |f| Value::Real(f64::from(f)));
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.map_or(Value::Null, Value::Text);
    }
    if let Ok(v) = row.try_get::<Option<i32>, _>(i) {
        return v.map_or(Value::Null, |n| Value::Integer(i64::from(n)));
    }
    Value::Null
}

fn record(row: &AnyRow) -> Record {
    Record {
        fields: row
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name().to_string(), value(row, i)))
            .collect(),
    }
}

/// Every section, in the order the export shows them; a section with more than
/// `SECTION_LIMIT` rows is cut there (the bool says so).
pub async fn sections_of(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
) -> Result<Vec<(Section, bool)>> {
    let mut out = Vec::new();
    for (name, sql) in sections() {
        let sql = format!("{sql} LIMIT {}", SECTION_LIMIT + 1);
        let rows = sqlx::query(&sql)
            .bind(client_id)
            .bind(agency_id)
            .fetch_all(&mut *conn)
            .await?;
        let truncated = rows.len() as i64 > SECTION_LIMIT;
        let mut records: Vec<Record> = rows
            .iter()
            .take(SECTION_LIMIT as usize)
            .map(record)
            .collect();
        if let Some(table) = sealed_table(name) {
            let mut reader = vault.reader();
            for r in &mut records {
                let row_id = match r.fields.iter().position(|(k, _)| k == "_row_id") {
                    Some(i) => match r.fields.remove(i).1 {
                        Value::Integer(id) => id,
                        _ => continue,
                    },
                    None => continue,
                };
                for (column, v) in &mut r.fields {
                    if let Value::Text(stored) = v {
                        if stored.starts_with("enc1:") || stored.starts_with(crate::vault::LEGACY) {
                            let at = At::new(table, column, row_id, agency_id, client_id);
                            *stored = match reader.open(conn, at, stored).await {
                                Ok(plain) => plain,
                                // An erased client's leftovers cannot be opened: nothing to show.
                                Err(crate::StoreError::Crypto(
                                    casework_domain::crypto::CryptoError::Erased,
                                )) => String::new(),
                                Err(e) => return Err(e),
                            };
                        }
                    }
                }
            }
        }
        out.push((Section { name, records }, truncated));
    }
    Ok(out)
}
