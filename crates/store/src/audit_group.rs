//! The audit writer's group commit on PostgreSQL, in four round trips for a group of one agency
//! whatever its size: `BEGIN`, the wall and the head lock together; the entries; their
//! subjects; the new head and `COMMIT` together. The first and last go as simple-protocol
//! queries, which take several statements at once; what is written into their text is an
//! agency id, a sequence number or a hash this process computed, never anything a person typed.
//! The entries, which carry reasons and names, and the subjects (`audit::append_subjects`, one
//! statement on PostgreSQL) stay prepared statements with bound parameters.

use crate::audit::{append_subjects, create_head, insert_entries, last_link, link_all};
use crate::wall::{self, Wall};
use crate::{Conn, HeldConn, Result, StoreError};
use casework_domain::audit::{Entry, Event};
use sqlx::Row;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Append each agency's events to its chain in one transaction on the writer's own connection.
/// On failure the transaction is rolled back where the connection still answers; the writer
/// drops the connection after any failure all the same.
pub async fn append_group(held: &mut HeldConn, by_agency: BTreeMap<i64, Vec<Event>>) -> Result<()> {
    let conn = &mut held.0;
    let written = write(conn, by_agency).await;
    if written.is_err() {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    }
    written
}

async fn write(conn: &mut Conn, by_agency: BTreeMap<i64, Vec<Event>>) -> Result<()> {
    // What is left to send for the agency before: its new head.
    let mut pending = String::from("BEGIN");
    // Heads are locked in ascending agency order (the map's), as every other appender does, so
    // two processes' groups never wait on each other in a cycle.
    for (agency, events) in by_agency {
        if events.is_empty() {
            continue;
        }
        let _ = write!(
            pending,
            "; {}; {}",
            wall::set_local_statement(Wall::Agency(agency)),
            head_statement(agency)
        );
        let head = sqlx::raw_sql(&pending).fetch_all(&mut *conn).await?;
        let (seq, hash) = match head.first() {
            Some(row) => (row.try_get(0)?, row.try_get(1)?),
            None => create_head(conn, agency).await?,
        };
        let entries = link_all(seq, hash, events);
        insert_entries(conn, &entries).await?;
        append_subjects(conn, agency, &entries).await?;
        pending = head_update(agency, &entries)?;
    }
    if pending != "BEGIN" {
        pending.push_str("; COMMIT");
        sqlx::raw_sql(&pending).execute(&mut *conn).await?;
    }
    Ok(())
}

fn head_statement(agency: i64) -> String {
    format!("SELECT seq, hash FROM audit_heads WHERE agency_id = {agency} FOR UPDATE")
}

/// The agency's new head after `entries`, with its values in the text: two numbers and the
/// hash, which is checked to be hexadecimal.
fn head_update(agency: i64, entries: &[Entry]) -> Result<String> {
    let (seq, hash) = last_link(entries);
    if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Corrupt(
            "an audit hash that is not hexadecimal".to_string(),
        ));
    }
    Ok(format!(
        "UPDATE audit_heads SET seq = {seq}, hash = '{hash}' WHERE agency_id = {agency}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use casework_domain::audit::{link, Outcome, GENESIS};

    fn event() -> Event {
        Event {
            agency_id: 7,
            at_ms: 1,
            actor_user_id: Some(3),
            action: "case.read".into(),
            record_type: "case".into(),
            record_id: Some(11),
            client_id: Some(12),
            outcome: Outcome::Allowed,
            reason: Some("it's'; DROP TABLE audit_entries; --".into()),
            subjects: Vec::new(),
        }
    }

    #[test]
    fn the_head_update_carries_numbers_and_the_hash_only() {
        let e = link(0, GENESIS, event(), "00");
        let sql = head_update(7, std::slice::from_ref(&e)).unwrap();
        assert_eq!(
            sql,
            format!(
                "UPDATE audit_heads SET seq = 1, hash = '{}' WHERE agency_id = 7",
                e.hash
            )
        );
        assert!(!sql.contains("DROP"));
    }

    #[test]
    fn a_hash_that_is_not_hexadecimal_is_refused() {
        let mut e = link(0, GENESIS, event(), "00");
        e.hash = "ab'; COMMIT".into();
        assert!(head_update(7, &[e]).is_err());
    }
}
