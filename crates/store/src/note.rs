//! Case notes, their links to goals, and the signed addenda that amend a signed note.

use crate::client::placeholders;
use crate::fetch::{self, Fetch, Run};
use crate::vault::{client_of_case, At, Vault};
use crate::{Conn, Result, StoreError};
use sqlx::Row;

/// A note as stored. `sections` is a JSON object, section name to text (see [`sections_json`]).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub contact_id: Option<i64>,
    pub format: String,
    pub sensitivity: String,
    pub sections: String,
    pub author_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub signed_at: Option<i64>,
    pub version: i64,
}

impl NoteRow {
    pub fn signed(&self) -> bool {
        self.signed_at.is_some()
    }
}

/// An addendum: always signed when saved.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AddendumRow {
    pub id: i64,
    pub agency_id: i64,
    pub note_id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: i64,
    pub signed_at: i64,
}

const COLUMNS: &str = "id, agency_id, case_id, contact_id, format, sensitivity, sections, author_id, created_at, updated_at, signed_at, version";
const ADDENDUM_COLUMNS: &str = "id, agency_id, note_id, author_id, body, created_at, signed_at";

/// Sections as the JSON object stored in `case_notes.sections`.
pub fn sections_json(sections: &[(&str, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = sections
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The stored sections, by name.
pub fn sections_of(row: &NoteRow) -> Result<std::collections::BTreeMap<String, String>> {
    serde_json::from_str(&row.sections)
        .map_err(|e| StoreError::Corrupt(format!("sections of note {}: {e}", row.id)))
}

/// What a save writes.
#[derive(Debug, Clone, Copy)]
pub struct NoteFields<'a> {
    pub contact_id: Option<i64>,
    pub format: &'a str,
    pub sensitivity: &'a str,
    pub sections: &'a str,
}

/// A new note, always a draft.
pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
    f: NoteFields<'_>,
    by: i64,
    now: i64,
) -> Result<NoteRow> {
    // Inserted empty, then sealed: the ciphertext is bound to the row id the insert hands back.
    let mut row: NoteRow = sqlx::query_as(&format!(
        "INSERT INTO case_notes (agency_id, case_id, contact_id, format, sensitivity, sections,
           author_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         RETURNING {COLUMNS}"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(f.contact_id)
    .bind(f.format)
    .bind(f.sensitivity)
    .bind("")
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let client_id = client_of_case(conn, case_id).await?;
    let sealed = vault
        .seal(conn, at(agency_id, row.id, client_id), f.sections, now)
        .await?;
    sqlx::query("UPDATE case_notes SET sections = $1 WHERE id = $2")
        .bind(sealed)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    row.sections = f.sections.to_string();
    Ok(row)
}

fn at(agency_id: i64, id: i64, client_id: i64) -> At<'static> {
    At::new("case_notes", "sections", id, agency_id, client_id)
}

async fn opened(
    conn: &mut impl Fetch,
    vault: &Vault,
    mut rows: Vec<NoteRow>,
) -> Result<Vec<NoteRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let place = at(r.agency_id, r.id, 0);
        reader.open_in(conn.sqlx(), place, &mut r.sections).await?;
    }
    Ok(rows)
}

pub async fn get(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<NoteRow>> {
    let row: Option<NoteRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM case_notes WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(opened(conn, vault, row.into_iter().collect()).await?.pop())
}

/// The most notes one list reads; the newest first.
pub const CASE_NOTES_MAX: i64 = 500;

/// The case's notes, newest first. The caller filters them by who may read each.
pub async fn of_case(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    case_id: i64,
) -> Result<Vec<NoteRow>> {
    let rows = fetch::query(&format!(
        "SELECT {COLUMNS} FROM case_notes WHERE agency_id = $1 AND case_id = $2
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(CASE_NOTES_MAX)
    .all_on(conn)
    .await?;
    opened(conn, vault, rows).await
}

/// Rewrite a draft if still at `version` and unsigned; false otherwise.
pub async fn update(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
    version: i64,
    f: NoteFields<'_>,
    now: i64,
) -> Result<bool> {
    let client_id = client_of_note(conn, agency_id, id).await?;
    let sealed = vault
        .seal(conn, at(agency_id, id, client_id), f.sections, now)
        .await?;
    let done = sqlx::query(
        "UPDATE case_notes SET contact_id = $1, format = $2, sensitivity = $3, sections = $4,
           updated_at = $5, version = version + 1
         WHERE agency_id = $6 AND id = $7 AND version = $8 AND signed_at IS NULL",
    )
    .bind(f.contact_id)
    .bind(f.format)
    .bind(f.sensitivity)
    .bind(sealed)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sign a draft if still at `version`; false when it changed or was signed first.
pub async fn sign(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE case_notes SET signed_at = $1, updated_at = $1, version = version + 1
         WHERE agency_id = $2 AND id = $3 AND version = $4 AND signed_at IS NULL",
    )
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Goals each note points to: (note, goal), by note then goal.
pub async fn goal_links(conn: &mut impl Fetch, note_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if note_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, note_ids.len());
    let sql = format!(
        "SELECT note_id, goal_id FROM note_goals WHERE note_id IN ({list}) ORDER BY note_id, goal_id"
    );
    let mut q = fetch::query(&sql);
    for id in note_ids {
        q = q.bind(*id);
    }
    let rows = q.rows_on(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Link the note to exactly these goals.
pub async fn replace_goal_links(
    conn: &mut Conn,
    agency_id: i64,
    note_id: i64,
    goal_ids: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM note_goals WHERE note_id = $1")
        .bind(note_id)
        .execute(&mut *conn)
        .await?;
    for goal_id in goal_ids {
        sqlx::query("INSERT INTO note_goals (agency_id, note_id, goal_id) VALUES ($1, $2, $3)")
            .bind(agency_id)
            .bind(note_id)
            .bind(*goal_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Which of `goal_ids` are goals of the case.
pub async fn goals_in_case(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    goal_ids: &[i64],
) -> Result<Vec<i64>> {
    if goal_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(3, goal_ids.len());
    let sql =
        format!("SELECT id FROM goals WHERE agency_id = $1 AND case_id = $2 AND id IN ({list})");
    let mut q = sqlx::query(&sql).bind(agency_id).bind(case_id);
    for id in goal_ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Is the contact one of the case's?
pub async fn contact_in_case(
    conn: &mut Conn,
    agency_id: i64,
    case_id: i64,
    contact_id: i64,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM contacts WHERE agency_id = $1 AND case_id = $2 AND id = $3",
    )
    .bind(agency_id)
    .bind(case_id)
    .bind(contact_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

/// A signed addendum to a note.
pub async fn insert_addendum(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    note_id: i64,
    body: &str,
    by: i64,
    now: i64,
) -> Result<AddendumRow> {
    let mut row: AddendumRow = sqlx::query_as(&format!(
        "INSERT INTO note_addenda (agency_id, note_id, author_id, body, created_at, signed_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         RETURNING {ADDENDUM_COLUMNS}"
    ))
    .bind(agency_id)
    .bind(note_id)
    .bind(by)
    .bind("")
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let client_id = client_of_note(conn, agency_id, note_id).await?;
    let place = At::new("note_addenda", "body", row.id, agency_id, client_id);
    let sealed = vault.seal(conn, place, body, now).await?;
    sqlx::query("UPDATE note_addenda SET body = $1 WHERE id = $2")
        .bind(sealed)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    row.body = body.to_string();
    Ok(row)
}

async fn client_of_note(conn: &mut Conn, agency_id: i64, note_id: i64) -> Result<i64> {
    let row = sqlx::query("SELECT case_id FROM case_notes WHERE agency_id = $1 AND id = $2")
        .bind(agency_id)
        .bind(note_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("note {note_id}")))?;
    client_of_case(conn, row.try_get(0)?).await
}

/// A note's addenda, oldest first.
pub async fn addenda(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    note_id: i64,
) -> Result<Vec<AddendumRow>> {
    let mut rows: Vec<AddendumRow> = sqlx::query_as(&format!(
        "SELECT {ADDENDUM_COLUMNS} FROM note_addenda WHERE agency_id = $1 AND note_id = $2
         ORDER BY id"
    ))
    .bind(agency_id)
    .bind(note_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut reader = vault.reader();
    for r in &mut rows {
        let place = At::new("note_addenda", "body", r.id, r.agency_id, 0);
        reader.open_in(conn, place, &mut r.body).await?;
    }
    Ok(rows)
}

/// Display names of these users: (id, name).
pub async fn user_names(conn: &mut impl Fetch, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, ids.len());
    let sql = format!("SELECT id, display_name FROM users WHERE id IN ({list})");
    let mut q = fetch::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.rows_on(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
