//! The audit log's group commit on SQLite, run on the writer's own thread through SQLite's C
//! API. Through sqlx every statement is a hand-off to the connection's worker thread and back; a
//! group is six statements or more, and in the profile two thirds of that worker's time went to
//! switching threads rather than to SQLite (BENCHMARKS.md). PostgreSQL keeps `audit::append`.
//!
//! The same statements, the same linking and the same write gate as `audit::append`: entries
//! written here and entries written in a use case's transaction make one chain.

use crate::audit::{
    last_link, link_all, new_subject_rows, ENTRY_COLUMNS, HEAD, NEW_HEAD, SUBJECT_COLUMNS,
    UPDATE_HEAD,
};
use crate::{sqlite_pragmas, Result, Store, HELD_CACHE_KIB};
use casework_domain::audit::{Event, GENESIS};
use rusqlite::{params, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::BTreeMap;

/// A connection of the audit writer's own to the SQLite file.
pub struct SqliteAppender {
    conn: rusqlite::Connection,
    insert_entry: String,
    insert_subject: String,
}

impl std::fmt::Debug for SqliteAppender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteAppender").finish_non_exhaustive()
    }
}

impl SqliteAppender {
    /// Open the store's database file; `None` on PostgreSQL.
    pub fn open(store: &Store) -> Result<Option<SqliteAppender>> {
        let Some(path) = store.sqlite_file()? else {
            return Ok(None);
        };
        // The file exists: migrations ran when the store was opened.
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        for pragma in sqlite_pragmas() {
            // Some pragmas answer with a row (the journal mode); the answer is not needed.
            conn.query_row(&pragma, [], |_| Ok(())).optional()?;
        }
        // Room for the audit indexes' hot pages; a pooled connection's cache would be dropped
        // whenever another connection commits.
        conn.execute_batch(&format!("PRAGMA cache_size = -{HELD_CACHE_KIB}"))?;
        let params: Vec<String> = (1..=15).map(|k| format!("${k}")).collect();
        Ok(Some(SqliteAppender {
            conn,
            insert_entry: format!(
                "INSERT INTO audit_entries ({ENTRY_COLUMNS}) VALUES ({})",
                params.join(",")
            ),
            insert_subject: format!(
                "INSERT INTO audit_subjects ({SUBJECT_COLUMNS}) VALUES ($1,$2,$3,$4,$5)"
            ),
        }))
    }

    /// Append each agency's events to its chain, all in one transaction taken under the store's
    /// write gate. SQLite's work blocks the calling thread: call this from a thread of its own.
    pub async fn append(&mut self, store: &Store, events: BTreeMap<i64, Vec<Event>>) -> Result<()> {
        let _gate = store.write_gate().await?;
        self.append_now(events)
    }

    fn append_now(&mut self, events: BTreeMap<i64, Vec<Event>>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (agency, events) in events {
            if events.is_empty() {
                continue;
            }
            let head = |tx: &rusqlite::Transaction| {
                tx.prepare_cached(HEAD)?
                    .query_row([agency], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            };
            let (seq, hash) = match head(&tx)? {
                Some(head) => head,
                None => {
                    tx.prepare_cached(NEW_HEAD)?
                        .execute(params![agency, GENESIS])?;
                    head(&tx)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?
                }
            };
            let entries = link_all(seq, hash, events);
            let mut insert = tx.prepare_cached(&self.insert_entry)?;
            for e in &entries {
                insert.execute(params![
                    e.event.agency_id,
                    e.seq,
                    e.event.at_ms,
                    e.event.actor_user_id,
                    e.event.action,
                    e.event.record_type,
                    e.event.record_id,
                    e.event.client_id,
                    e.event.outcome.as_str(),
                    e.event.reason,
                    e.prev_hash,
                    e.hash,
                    e.seal.format(),
                    e.seal.nonce(),
                    e.seal.digest(),
                ])?;
            }
            drop(insert);
            let mut insert = tx.prepare_cached(&self.insert_subject)?;
            for (seq, position, s) in new_subject_rows(&entries) {
                insert.execute(params![agency, seq, position, s.record_id, s.client_id])?;
            }
            drop(insert);
            let (seq, hash) = last_link(&entries);
            tx.prepare_cached(UPDATE_HEAD)?
                .execute(params![seq, hash, agency])?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteAppender;
    use crate::{audit, Store, Wall};
    use casework_domain::audit::{Event, Outcome, Subject, Verifier};
    use std::collections::BTreeMap;

    fn event(agency_id: i64, action: &str, subjects: Vec<Subject>) -> Event {
        Event {
            agency_id,
            at_ms: 1_795_341_600_000,
            actor_user_id: None,
            action: action.into(),
            record_type: "case".into(),
            record_id: subjects.first().map(|s| s.record_id),
            client_id: None,
            outcome: Outcome::Allowed,
            reason: Some("checking".into()),
            subjects,
        }
    }

    async fn agency(store: &Store, slug: &str) -> i64 {
        let mut tx = store.begin_write(Wall::System).await.expect("tx");
        let id = crate::agency::insert(&mut tx, slug, slug, 0)
            .await
            .expect("agency")
            .id;
        tx.commit().await.expect("commit");
        id
    }

    /// A request that holds the only pooled connection while its audit entry is written, and a
    /// use case that begins a write meanwhile: both finish. (When a writer took the gate before
    /// its connection, each waited for the other until the gate's wait timed out.)
    #[tokio::test]
    async fn a_request_holding_a_connection_and_a_beginning_writer_both_finish() {
        let (_dir, store) = crate::migrated_sqlite_file(1).await;
        let a = agency(&store, "a").await;
        let mut appender = SqliteAppender::open(&store)
            .expect("open appender")
            .expect("SQLite");
        let reading = store
            .conn(Wall::Agency(a))
            .await
            .expect("the only connection");
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin_write(Wall::Agency(a)).await?;
                audit::append(&mut tx, a, vec![event(a, "case.update", Vec::new())]).await?;
                tx.commit().await?;
                Ok::<_, crate::StoreError>(())
            })
        };
        // Let the writer get as far as it can: waiting for the connection.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let group = BTreeMap::from([(a, vec![event(a, "case.read", Vec::new())])]);
        appender
            .append(&store, group)
            .await
            .expect("the request's entry is written while the writer waits");
        drop(reading);
        writer
            .await
            .expect("writer task")
            .expect("the writer's change is written");
        let mut conn = store.conn(Wall::System).await.expect("conn");
        let (entries, _) = audit::chain_page(&mut conn, a, 0, 100)
            .await
            .expect("chain");
        let actions: Vec<&str> = entries.iter().map(|e| e.event.action.as_str()).collect();
        assert_eq!(actions, ["case.read", "case.update"]);
    }

    /// Entries from the appender and from a use case's transaction interleave in one chain,
    /// starting from an agency with no head yet, and every subject is stored under its entry.
    #[tokio::test]
    async fn appended_entries_and_transaction_entries_make_one_chain() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/casework.db", dir.path().display());
        let store = Store::connect(&url, 2).await.expect("open");
        store.migrate().await.expect("migrate");
        let (a, b) = (agency(&store, "a").await, agency(&store, "b").await);
        let mut appender = SqliteAppender::open(&store)
            .expect("open appender")
            .expect("SQLite");
        let listed = vec![
            Subject {
                record_id: 7,
                client_id: 70,
            },
            Subject {
                record_id: 8,
                client_id: 80,
            },
        ];
        let group = BTreeMap::from([
            (a, vec![event(a, "case.list", listed.clone())]),
            (b, vec![event(b, "case.read", Vec::new())]),
        ]);
        appender.append(&store, group).await.expect("append");
        let mut tx = store.begin_write(Wall::Agency(a)).await.expect("tx");
        audit::append(&mut tx, a, vec![event(a, "case.update", Vec::new())])
            .await
            .expect("append in a transaction");
        tx.commit().await.expect("commit");
        let group = BTreeMap::from([(a, vec![event(a, "case.read", Vec::new())])]);
        appender.append(&store, group).await.expect("append again");

        let mut conn = store.conn(Wall::System).await.expect("conn");
        let heads = audit::heads(&mut conn).await.expect("heads");
        assert_eq!(heads.len(), 2);
        for (agency, head_seq, head_hash) in heads {
            let (entries, stray) = audit::chain_page(&mut conn, agency, 0, 100)
                .await
                .expect("chain");
            assert!(stray.is_empty());
            let mut verifier = Verifier::default();
            for e in &entries {
                verifier.check(e).expect("intact");
            }
            verifier
                .finish(head_seq, &head_hash)
                .expect("reaches the head");
            let actions: Vec<&str> = entries.iter().map(|e| e.event.action.as_str()).collect();
            if agency == a {
                assert_eq!(actions, ["case.list", "case.update", "case.read"]);
                assert_eq!(entries[0].event.subjects, listed);
            } else {
                assert_eq!(actions, ["case.read"]);
            }
        }
    }
}
