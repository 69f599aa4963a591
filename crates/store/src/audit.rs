//! The audit chain in the database: append under the agency's head lock, read back for
//! verification and browsing. Nothing here deletes an entry; the one update is the redaction of
//! an erased client's reasons (`redact_client`), which keeps every hash.

use crate::{backend_of_conn, for_update, Backend, Conn, Result, StoreError};
use casework_domain::audit::{self, Entry, Event, Outcome, Seal, Subject, GENESIS};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

/// Entries per INSERT. Each size is its own statement text, and sqlx keeps 100 prepared
/// statements per connection: the audit writer's own connection keeps every size prepared, and
/// a caseload's fifty entries with their neighbours in a group still go in one statement.
const INSERT_CHUNK: usize = 96;

/// Append `events` (all of one agency) to that agency's chain inside the caller's transaction.
pub async fn append(conn: &mut Conn, agency_id: i64, events: Vec<Event>) -> Result<Vec<Entry>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{HEAD}{}", for_update(backend_of_conn(conn)));
    let head = sqlx::query(&sql)
        .bind(agency_id)
        .fetch_optional(&mut *conn)
        .await?;
    let (seq, hash) = match head {
        Some(head) => (head.try_get(0)?, head.try_get(1)?),
        None => create_head(conn, agency_id).await?,
    };
    let entries = link_all(seq, hash, events);
    insert_entries(conn, &entries).await?;
    append_subjects(conn, agency_id, &entries).await?;
    let (seq, hash) = last_link(&entries);
    sqlx::query(UPDATE_HEAD)
        .bind(seq)
        .bind(hash)
        .bind(agency_id)
        .execute(&mut *conn)
        .await?;
    Ok(entries)
}

/// The head exists after an agency's first entry, so callers look first and come here only
/// when it is missing: create it and lock it.
pub(crate) async fn create_head(conn: &mut Conn, agency_id: i64) -> Result<(i64, String)> {
    sqlx::query(NEW_HEAD)
        .bind(agency_id)
        .bind(GENESIS)
        .execute(&mut *conn)
        .await?;
    let sql = format!("{HEAD}{}", for_update(backend_of_conn(conn)));
    let head = sqlx::query(&sql)
        .bind(agency_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((head.try_get(0)?, head.try_get(1)?))
}

/// Insert linked entries. Multi-row: one statement per batch keeps group commits cheap. SQLite
/// gets `?`: sqlx resolves each numbered `$N` by name, a linear scan per parameter (1,440 per
/// batch).
pub(crate) async fn insert_entries(conn: &mut Conn, entries: &[Entry]) -> Result<()> {
    let numbered = backend_of_conn(conn) == Backend::Postgres;
    for chunk in entries.chunks(INSERT_CHUNK) {
        let mut sql = format!("INSERT INTO audit_entries ({ENTRY_COLUMNS}) VALUES ");
        for i in 0..chunk.len() {
            let b = i * 15;
            if i > 0 {
                sql.push(',');
            }
            let params: Vec<String> = (1..=15)
                .map(|k| {
                    if numbered {
                        format!("${}", b + k)
                    } else {
                        "?".to_string()
                    }
                })
                .collect();
            sql.push('(');
            sql.push_str(&params.join(","));
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.event.agency_id)
                .bind(e.seq)
                .bind(e.event.at_ms)
                .bind(e.event.actor_user_id)
                .bind(e.event.action.clone())
                .bind(e.event.record_type.clone())
                .bind(e.event.record_id)
                .bind(e.event.client_id)
                .bind(e.event.outcome.as_str())
                .bind(e.event.reason.clone())
                .bind(e.prev_hash.clone())
                .bind(e.hash.clone())
                .bind(e.seal.format())
                .bind(e.seal.nonce().map(str::to_string))
                .bind(e.seal.digest().map(str::to_string));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Link `events` onto the chain whose head is (`seq`, `hash`).
pub(crate) fn link_all(mut seq: i64, head_hash: String, events: Vec<Event>) -> Vec<Entry> {
    let mut hash = head_hash;
    let mut entries = Vec::with_capacity(events.len());
    for event in events {
        // The nonce salts the reason's digest; an entry without a reason has neither.
        let nonce = if event.reason.is_some() {
            hex::encode(rand::random::<[u8; 16]>())
        } else {
            String::new()
        };
        let entry = audit::link(seq, &hash, event, &nonce);
        seq = entry.seq;
        hash = entry.hash.clone();
        entries.push(entry);
    }
    entries
}

/// The new head after `entries` (never empty).
pub(crate) fn last_link(entries: &[Entry]) -> (i64, &str) {
    entries
        .last()
        .map(|e| (e.seq, e.hash.as_str()))
        .unwrap_or((0, GENESIS))
}

pub(crate) const HEAD: &str = "SELECT seq, hash FROM audit_heads WHERE agency_id = $1";
pub(crate) const NEW_HEAD: &str =
    "INSERT INTO audit_heads (agency_id, seq, hash) VALUES ($1, 0, $2)
                 ON CONFLICT (agency_id) DO NOTHING";
pub(crate) const UPDATE_HEAD: &str =
    "UPDATE audit_heads SET seq = $1, hash = $2 WHERE agency_id = $3";
pub(crate) const ENTRY_COLUMNS: &str = "agency_id, seq, at, actor_user_id, action, record_type, record_id, client_id, outcome, reason, prev_hash, hash, format, reason_nonce, reason_digest";
pub(crate) const SUBJECT_COLUMNS: &str = "agency_id, seq, position, record_id, client_id";

/// Each subject row of `entries`: its entry's seq, its position in the entry, the subject.
pub(crate) fn new_subject_rows(entries: &[Entry]) -> Vec<(i64, i64, &Subject)> {
    entries
        .iter()
        .flat_map(|e| {
            e.event
                .subjects
                .iter()
                .enumerate()
                .map(move |(i, s)| (e.seq, i as i64, s))
        })
        .collect()
}

/// Subject rows per INSERT on SQLite: powers of two only, so a group's subjects go in a few
/// statements drawn from seven texts, and the prepared statements are not pushed out.
const SUBJECT_CHUNKS: [usize; 7] = [64, 32, 16, 8, 4, 2, 1];

/// Insert the subjects of `entries`: on PostgreSQL in one statement of one text whatever their
/// number, on SQLite in power-of-two chunks.
pub(crate) async fn append_subjects(
    conn: &mut Conn,
    agency_id: i64,
    entries: &[Entry],
) -> Result<()> {
    let rows = new_subject_rows(entries);
    if rows.is_empty() {
        return Ok(());
    }
    if backend_of_conn(conn) == Backend::Postgres {
        return subjects_as_arrays(conn, agency_id, &rows).await;
    }
    let mut rest = &rows[..];
    while !rest.is_empty() {
        let size = SUBJECT_CHUNKS
            .into_iter()
            .find(|&n| n <= rest.len())
            .unwrap_or(1);
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let values = vec!["(?,?,?,?,?)"; chunk.len()].join(",");
        let sql = format!("INSERT INTO audit_subjects ({SUBJECT_COLUMNS}) VALUES {values}");
        let mut q = sqlx::query(&sql);
        for (seq, position, s) in chunk {
            q = q
                .bind(agency_id)
                .bind(*seq)
                .bind(*position)
                .bind(s.record_id)
                .bind(s.client_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// PostgreSQL: the subject columns as four array parameters, bound as text (the `Any` driver
/// binds no arrays). Written into a statement's text instead, a caseload's fifty subjects
/// measured slower than the round trip they saved (BENCHMARKS.md, session 19).
async fn subjects_as_arrays(
    conn: &mut Conn,
    agency_id: i64,
    rows: &[(i64, i64, &Subject)],
) -> Result<()> {
    let array = |column: fn(&(i64, i64, &Subject)) -> i64| {
        crate::id_set::bigint_array(&rows.iter().map(column).collect::<Vec<_>>())
    };
    let sql = format!(
        "INSERT INTO audit_subjects ({SUBJECT_COLUMNS}) SELECT $1, s, p, r, c
         FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS t(s, p, r, c)"
    );
    sqlx::query(&sql)
        .bind(agency_id)
        .bind(array(|(seq, _, _)| *seq))
        .bind(array(|(_, position, _)| *position))
        .bind(array(|(_, _, s)| s.record_id))
        .bind(array(|(_, _, s)| s.client_id))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

const COLUMNS: &str = "agency_id, seq, at, actor_user_id, action, record_type, record_id, client_id, outcome, reason, prev_hash, hash, format, reason_nonce, reason_digest, redacted_at";

fn entry(row: &AnyRow) -> Result<Entry> {
    let outcome: String = row.try_get(8)?;
    let format: i64 = row.try_get(12)?;
    let redacted_at: Option<i64> = row.try_get(15)?;
    let seal = Seal::stored(
        format,
        row.try_get(14)?,
        row.try_get(13)?,
        redacted_at.is_some(),
    )
    .ok_or_else(|| StoreError::Corrupt(format!("audit entry format {format}")))?;
    Ok(Entry {
        seal,
        seq: row.try_get(1)?,
        event: Event {
            agency_id: row.try_get(0)?,
            at_ms: row.try_get(2)?,
            actor_user_id: row.try_get(3)?,
            action: row.try_get(4)?,
            record_type: row.try_get(5)?,
            record_id: row.try_get(6)?,
            client_id: row.try_get(7)?,
            outcome: Outcome::parse(&outcome)
                .ok_or_else(|| StoreError::Corrupt(format!("audit outcome {outcome:?}")))?,
            reason: row.try_get(9)?,
            subjects: Vec::new(),
        },
        prev_hash: row.try_get(10)?,
        hash: row.try_get(11)?,
    })
}

/// The agencies that have a chain, with their heads.
pub async fn heads(conn: &mut Conn) -> Result<Vec<(i64, i64, String)>> {
    let rows = sqlx::query("SELECT agency_id, seq, hash FROM audit_heads ORDER BY agency_id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// The first subject row stored under an agency that has no chain at all, as (agency, seq):
/// `chain_page` reads subjects per chain, and no key ties a subject to an agency.
pub async fn subject_without_chain(conn: &mut Conn) -> Result<Option<(i64, i64)>> {
    let row = sqlx::query(
        "SELECT s.agency_id, s.seq FROM audit_subjects s
         WHERE NOT EXISTS (SELECT 1 FROM audit_heads h WHERE h.agency_id = s.agency_id)
         ORDER BY s.agency_id, s.seq LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// One page of an agency's chain in physical order (by sequence), for verification, each entry
/// with every subject row stored under its sequence number. The second value holds the sequence
/// numbers of subject rows in the page's range (to the end of the chain when the page is the
/// last) that belong to no entry.
pub async fn chain_page(
    conn: &mut Conn,
    agency_id: i64,
    after_seq: i64,
    limit: i64,
) -> Result<(Vec<Entry>, Vec<i64>)> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_entries WHERE agency_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(agency_id)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut entries: Vec<Entry> = rows.iter().map(entry).collect::<Result<_>>()?;
    let through = match entries.last() {
        Some(last) if entries.len() as i64 == limit => last.seq,
        _ => i64::MAX,
    };
    let rows = sqlx::query(
        "SELECT seq, record_id, client_id FROM audit_subjects
         WHERE agency_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq, position",
    )
    .bind(agency_id)
    .bind(after_seq)
    .bind(through)
    .fetch_all(&mut *conn)
    .await?;
    let stray = attach_subjects(entries.iter_mut(), subject_rows(&rows)?);
    Ok((entries, stray))
}

fn subject_rows(rows: &[AnyRow]) -> Result<Vec<(i64, Subject)>> {
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                Subject {
                    record_id: r.try_get(1)?,
                    client_id: r.try_get(2)?,
                },
            ))
        })
        .collect()
}

/// Give each entry its subjects (rows in position order); returns the sequence numbers of rows
/// that match no entry.
fn attach_subjects<'a>(
    entries: impl Iterator<Item = &'a mut Entry>,
    rows: Vec<(i64, Subject)>,
) -> Vec<i64> {
    let mut at: BTreeMap<i64, &mut Entry> = entries.map(|e| (e.seq, e)).collect();
    let mut stray = Vec::new();
    for (seq, s) in rows {
        match at.get_mut(&seq) {
            Some(e) => e.event.subjects.push(s),
            None => stray.push(seq),
        }
    }
    stray
}

/// The subjects of those of `entries` that list records (format 3), read in one statement.
async fn load_subjects(
    conn: &mut Conn,
    agency_id: i64,
    entries: &mut [(Entry, Option<String>)],
) -> Result<()> {
    let listing: Vec<i64> = entries
        .iter()
        .filter(|(e, _)| matches!(e.seal, Seal::DigestWithSubjects { .. }))
        .map(|(e, _)| e.seq)
        .collect();
    if listing.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (0..listing.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT seq, record_id, client_id FROM audit_subjects
         WHERE agency_id = $1 AND seq IN ({}) ORDER BY seq, position",
        marks.join(",")
    );
    let mut q = sqlx::query(&sql).bind(agency_id);
    for seq in &listing {
        q = q.bind(*seq);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    attach_subjects(entries.iter_mut().map(|(e, _)| e), subject_rows(&rows)?);
    Ok(())
}

/// The entries about `client` or listing them, as a condition on `a.seq` (`$n` is the client).
fn about_client(n: usize) -> String {
    format!(
        "a.seq IN (SELECT seq FROM audit_entries WHERE agency_id = $1 AND client_id = ${n}
                   UNION SELECT seq FROM audit_subjects WHERE agency_id = $1 AND client_id = ${n})"
    )
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor_user_id: Option<i64>,
    pub client_id: Option<i64>,
    pub action_prefix: Option<String>,
    pub outcome: Option<Outcome>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// Newest first, paged by sequence number: `before_seq` is the cursor. Each entry comes with the
/// acting user's display name, when there was one.
pub async fn search(
    conn: &mut Conn,
    agency_id: i64,
    filter: &Filter,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<(Entry, Option<String>)>> {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("a.{c}")).collect();
    let mut sql = format!(
        "SELECT {}, u.display_name FROM audit_entries a LEFT JOIN users u ON u.id = a.actor_user_id
         WHERE a.agency_id = $1 AND a.seq < $2",
        columns.join(", ")
    );
    let mut n = 2;
    let mut clause = |sql: &mut String, condition: &dyn Fn(usize) -> String| {
        n += 1;
        sql.push_str(" AND ");
        sql.push_str(&condition(n));
    };
    let compare = |col: &'static str, op: &'static str, suffix: &'static str| {
        move |n: usize| format!("a.{col} {op} ${n}{suffix}")
    };
    if filter.actor_user_id.is_some() {
        clause(&mut sql, &compare("actor_user_id", "=", ""));
    }
    if filter.client_id.is_some() {
        clause(&mut sql, &about_client);
    }
    if filter.action_prefix.is_some() {
        clause(&mut sql, &compare("action", "LIKE", " ESCAPE '\\'"));
    }
    if filter.outcome.is_some() {
        clause(&mut sql, &compare("outcome", "=", ""));
    }
    if filter.from_ms.is_some() {
        clause(&mut sql, &compare("at", ">=", ""));
    }
    if filter.to_ms.is_some() {
        clause(&mut sql, &compare("at", "<", ""));
    }
    n += 1;
    sql.push_str(&format!(" ORDER BY a.seq DESC LIMIT ${n}"));
    let mut q = sqlx::query(&sql)
        .bind(agency_id)
        .bind(before_seq.unwrap_or(i64::MAX));
    if let Some(v) = filter.actor_user_id {
        q = q.bind(v);
    }
    if let Some(v) = filter.client_id {
        q = q.bind(v);
    }
    if let Some(v) = &filter.action_prefix {
        // A prefix, taken literally: `_` and `%` in an action name are not wildcards.
        let escaped = v
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.bind(format!("{escaped}%"));
    }
    if let Some(v) = filter.outcome {
        q = q.bind(v.as_str());
    }
    if let Some(v) = filter.from_ms {
        q = q.bind(v);
    }
    if let Some(v) = filter.to_ms {
        q = q.bind(v);
    }
    let rows = q.bind(limit).fetch_all(&mut *conn).await?;
    let mut entries = rows
        .iter()
        .map(|r| Ok((entry(r)?, r.try_get::<Option<String>, _>(16)?)))
        .collect::<Result<Vec<_>>>()?;
    load_subjects(conn, agency_id, &mut entries).await?;
    Ok(entries)
}

/// Blank the reason (and its nonce) of every entry about `client_id` that still holds one; the
/// digest and hash stay, so the chain verifies. Returns how many entries were redacted.
pub async fn redact_client(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
    now: i64,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE audit_entries SET reason = NULL, reason_nonce = NULL, redacted_at = $1
         WHERE agency_id = $2 AND client_id = $3 AND reason IS NOT NULL AND redacted_at IS NULL",
    )
    .bind(now)
    .bind(agency_id)
    .bind(client_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Who did what to a client's record and when, oldest first, with the acting user's name: the
/// access history a subject access export shows, list pages that showed the client included.
/// At most `limit` entries.
pub async fn of_client(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
    limit: i64,
) -> Result<Vec<(Entry, Option<String>)>> {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("a.{c}")).collect();
    let sql = format!(
        "SELECT {}, u.display_name FROM audit_entries a LEFT JOIN users u ON u.id = a.actor_user_id
         WHERE a.agency_id = $1 AND {} ORDER BY a.seq LIMIT $3",
        columns.join(", "),
        about_client(2)
    );
    let rows = sqlx::query(&sql)
        .bind(agency_id)
        .bind(client_id)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut entries = rows
        .iter()
        .map(|r| Ok((entry(r)?, r.try_get::<Option<String>, _>(16)?)))
        .collect::<Result<Vec<_>>>()?;
    load_subjects(conn, agency_id, &mut entries).await?;
    Ok(entries)
}
