//! The audit log's group commit on SQLite, run on the writer's own thread through SQLite's C
//! API. Through sqlx every statement is a hand-off to the connection's worker thread and back; a
//! group is six statements or more, and in the profile two thirds of that worker's time went to
//! switching threads rather than to SQLite (BENCHMARKS.md). PostgreSQL keeps `audit::append`.
//!
//! A group is first written to a staging file of its own beside the database, and moved into the
//! chain in batches (`chain_staged`). Every commit to the database file makes each reading
//! connection drop its whole page cache at its next statement; with a group commit every few
//! milliseconds the readers kept starting over, and auditing reads cost a third of their
//! throughput (BENCHMARKS.md). A commit to the staging file leaves them alone. An entry is
//! durable once staged, so a request is still answered only after its entries are on disk.
//!
//! The chain itself is written with the same statements, the same linking and the same write
//! gate as `audit::append`: entries moved here and entries written in a use case's transaction
//! make one chain.

use crate::audit::{
    last_link, link_all, new_subject_rows, ENTRY_COLUMNS, HEAD, NEW_HEAD, SUBJECT_COLUMNS,
    UPDATE_HEAD,
};
use crate::{sqlite_pragmas, Result, Store, StoreError, HELD_CACHE_KIB};
use casework_domain::audit::{Event, Outcome, Subject, GENESIS};
use rusqlite::{params, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The most staged entries moved into the chain in one transaction, so one move never holds the
/// write gate for long; a longer backlog is moved in several.
const CHAIN_BATCH: i64 = 4096;

/// The staging file's write-ahead log is copied back after this many pages (SQLite's default).
const STAGING_CHECKPOINT_PAGES: u32 = 1000;

const STAGING_SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS audit_staging_instance (instance TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS audit_staged (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        agency_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor_user_id INTEGER,
        action TEXT NOT NULL,
        record_type TEXT NOT NULL,
        record_id INTEGER,
        client_id INTEGER,
        outcome TEXT NOT NULL,
        reason TEXT,
        subjects TEXT NOT NULL
    );";

const STAGE: &str = "INSERT INTO audit_staged (agency_id, at, actor_user_id, action, record_type,
    record_id, client_id, outcome, reason, subjects) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)";

const STAGED: &str = "SELECT id, agency_id, at, actor_user_id, action, record_type, record_id,
    client_id, outcome, reason, subjects FROM audit_staged WHERE id > $1 ORDER BY id LIMIT $2";

const CHAINED_THROUGH: &str = "SELECT chained_through FROM audit_staging_marks WHERE instance = $1";

const MARK_CHAINED: &str = "INSERT INTO audit_staging_marks (instance, chained_through)
    VALUES ($1, $2) ON CONFLICT (instance) DO UPDATE SET chained_through = excluded.chained_through";

/// The staging file of the database at `database`: beside it, named after it.
pub fn staging_file(database: &Path) -> PathBuf {
    let stem = database
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "casework".into());
    database.with_file_name(format!("{stem}-audit-staging.db"))
}

/// The store's staging file; `None` on PostgreSQL.
pub fn staging_file_of(store: &Store) -> Result<Option<PathBuf>> {
    Ok(store.sqlite_file()?.map(|path| staging_file(&path)))
}

/// After an erasure: copy the staging file's write-ahead log back and cut it to nothing, so the
/// page images of entries about the erased client do not linger there (the rows themselves are
/// chained, redacted and zeroed by then). Blocks; false if the checkpoint could not complete.
pub fn truncate_staging_log(store: &Store) -> Result<bool> {
    let Some(path) = staging_file_of(store)? else {
        return Ok(true);
    };
    if !path.exists() {
        return Ok(true);
    }
    let conn = open_with_pragmas(&path)?;
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    Ok(busy == 0)
}

/// The audit writer's own connections: to the database file and to its staging file.
pub struct SqliteAppender {
    conn: rusqlite::Connection,
    staging: rusqlite::Connection,
    /// The staging file's name for itself, under which the chain records how far it got.
    instance: String,
    insert_entry: String,
    insert_subject: String,
}

impl std::fmt::Debug for SqliteAppender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteAppender").finish_non_exhaustive()
    }
}

fn open_with_pragmas(path: &Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    for pragma in sqlite_pragmas() {
        // Some pragmas answer with a row (the journal mode); the answer is not needed.
        conn.query_row(&pragma, [], |_| Ok(())).optional()?;
    }
    Ok(conn)
}

impl SqliteAppender {
    /// Open the store's database file and its staging file (created when missing); `None` on
    /// PostgreSQL.
    pub fn open(store: &Store) -> Result<Option<SqliteAppender>> {
        let Some(path) = store.sqlite_file()? else {
            return Ok(None);
        };
        // The database file exists: migrations ran when the store was opened.
        let conn = open_with_pragmas(&path)?;
        // Room for the audit indexes' hot pages; a pooled connection's cache would be dropped
        // whenever another connection commits.
        conn.execute_batch(&format!("PRAGMA cache_size = -{HELD_CACHE_KIB}"))?;
        let mut staging = open_with_pragmas(&staging_file(&path))?;
        // No background checkpoint for this file and no readers to delay one: its writer
        // checkpoints as it goes, so the log stays small and chained entries leave it soon.
        staging.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint = {STAGING_CHECKPOINT_PAGES}"
        ))?;
        let instance = {
            // Two processes (a server and `casework audit verify`) may open a new file at once.
            let tx = staging.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(STAGING_SCHEMA)?;
            let fresh = hex::encode(rand::random::<[u8; 16]>());
            tx.execute(
                "INSERT INTO audit_staging_instance (instance) SELECT $1
                 WHERE NOT EXISTS (SELECT 1 FROM audit_staging_instance)",
                [&fresh],
            )?;
            let instance: String =
                tx.query_row("SELECT instance FROM audit_staging_instance", [], |r| {
                    r.get(0)
                })?;
            tx.commit()?;
            instance
        };
        let params: Vec<String> = (1..=15).map(|k| format!("${k}")).collect();
        Ok(Some(SqliteAppender {
            conn,
            staging,
            instance,
            insert_entry: format!(
                "INSERT INTO audit_entries ({ENTRY_COLUMNS}) VALUES ({})",
                params.join(",")
            ),
            insert_subject: format!(
                "INSERT INTO audit_subjects ({SUBJECT_COLUMNS}) VALUES ($1,$2,$3,$4,$5)"
            ),
        }))
    }

    /// Write `events` to the staging file, in order, and return once they are on disk. They
    /// reach the chain with the next `chain_staged`. SQLite's work blocks the calling thread:
    /// call this from a thread of its own.
    pub fn stage(&mut self, events: &[Event]) -> Result<()> {
        let tx = self
            .staging
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached(STAGE)?;
            for e in events {
                insert.execute(params![
                    e.agency_id,
                    e.at_ms,
                    e.actor_user_id,
                    e.action,
                    e.record_type,
                    e.record_id,
                    e.client_id,
                    e.outcome.as_str(),
                    e.reason,
                    subjects_text(&e.subjects),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Move every staged entry into its agency's chain, under the store's write gate; returns
    /// how many were moved. Also blocks the calling thread.
    pub async fn chain_staged(&mut self, store: &Store) -> Result<usize> {
        let mut moved = 0;
        loop {
            let _gate = store.write_gate().await?;
            let batch = self.chain_batch()?;
            moved += batch;
            if batch < CHAIN_BATCH as usize {
                return Ok(moved);
            }
        }
    }

    /// Link one batch into the chains and record how far it got, in one transaction on the
    /// database file; then clear what is chained from the staging file. If the process stops
    /// between the two, the record keeps the next move from chaining those entries again.
    fn chain_batch(&mut self) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let through: i64 = tx
            .prepare_cached(CHAINED_THROUGH)?
            .query_row([&self.instance], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let staged = {
            let mut select = self.staging.prepare_cached(STAGED)?;
            let rows = select.query_map(params![through, CHAIN_BATCH], staged_event)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let Some(&(last, _)) = staged.last() else {
            drop(tx);
            self.clear_through(through)?;
            return Ok(0);
        };
        let count = staged.len();
        let mut by_agency: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
        for (_, event) in staged {
            let event = event?;
            by_agency.entry(event.agency_id).or_default().push(event);
        }
        link_into(&tx, &self.insert_entry, &self.insert_subject, by_agency)?;
        tx.prepare_cached(MARK_CHAINED)?
            .execute(params![self.instance, last])?;
        tx.commit()?;
        self.clear_through(last)?;
        Ok(count)
    }

    fn clear_through(&mut self, id: i64) -> Result<()> {
        self.staging
            .prepare_cached("DELETE FROM audit_staged WHERE id <= $1")?
            .execute([id])?;
        Ok(())
    }
}

/// Link each agency's events onto its chain inside `tx`.
fn link_into(
    tx: &rusqlite::Transaction,
    insert_entry: &str,
    insert_subject: &str,
    events: BTreeMap<i64, Vec<Event>>,
) -> Result<()> {
    for (agency, events) in events {
        if events.is_empty() {
            continue;
        }
        let head = |tx: &rusqlite::Transaction| {
            tx.prepare_cached(HEAD)?
                .query_row([agency], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        };
        let (seq, hash) = match head(tx)? {
            Some(head) => head,
            None => {
                tx.prepare_cached(NEW_HEAD)?
                    .execute(params![agency, GENESIS])?;
                head(tx)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?
            }
        };
        let entries = link_all(seq, hash, events);
        let mut insert = tx.prepare_cached(insert_entry)?;
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
        let mut insert = tx.prepare_cached(insert_subject)?;
        for (seq, position, s) in new_subject_rows(&entries) {
            insert.execute(params![agency, seq, position, s.record_id, s.client_id])?;
        }
        drop(insert);
        let (seq, hash) = last_link(&entries);
        tx.prepare_cached(UPDATE_HEAD)?
            .execute(params![seq, hash, agency])?;
    }
    Ok(())
}

/// A list page's subjects as `record:client` pairs, comma separated (ids only).
fn subjects_text(subjects: &[Subject]) -> String {
    let pairs: Vec<String> = subjects
        .iter()
        .map(|s| format!("{}:{}", s.record_id, s.client_id))
        .collect();
    pairs.join(",")
}

fn subjects_of(text: &str) -> Result<Vec<Subject>> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|pair| {
            let (record, client) = pair.split_once(':').unwrap_or((pair, ""));
            match (record.parse(), client.parse()) {
                (Ok(record_id), Ok(client_id)) => Ok(Subject {
                    record_id,
                    client_id,
                }),
                _ => Err(StoreError::Corrupt(
                    "a staged audit entry's subjects".into(),
                )),
            }
        })
        .collect()
}

/// A staged row: its id, and the event (or why it could not be read back).
fn staged_event(r: &rusqlite::Row) -> rusqlite::Result<(i64, Result<Event>)> {
    let outcome: String = r.get(8)?;
    let subjects: String = r.get(10)?;
    let event = Outcome::parse(&outcome)
        .ok_or_else(|| StoreError::Corrupt("a staged audit entry's outcome".into()))
        .and_then(|outcome| {
            Ok(Event {
                agency_id: r.get(1)?,
                at_ms: r.get(2)?,
                actor_user_id: r.get(3)?,
                action: r.get(4)?,
                record_type: r.get(5)?,
                record_id: r.get(6)?,
                client_id: r.get(7)?,
                outcome,
                reason: r.get(9)?,
                subjects: subjects_of(&subjects)?,
            })
        });
    Ok((r.get(0)?, event))
}

#[cfg(test)]
mod tests {
    use super::SqliteAppender;
    use crate::{audit, Store, Wall};
    use casework_domain::audit::{Event, Outcome, Subject, Verifier};

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

    /// A task that holds the only pooled connection while its audit entry is written, and a
    /// use case that begins a write meanwhile: both finish. (When a writer took the gate before
    /// its connection, each waited for the other until the gate's wait timed out. A `ReadConn`
    /// no longer holds a pooled connection, `read_shelf`, but a write transaction does.)
    #[tokio::test]
    async fn a_request_holding_a_connection_and_a_beginning_writer_both_finish() {
        let (_dir, store) = crate::migrated_sqlite_file(1).await;
        let a = agency(&store, "a").await;
        let mut appender = SqliteAppender::open(&store)
            .expect("open appender")
            .expect("SQLite");
        let reading = store.pool().acquire().await.expect("the only connection");
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
        appender
            .stage(&[event(a, "case.read", Vec::new())])
            .expect("staged");
        appender
            .chain_staged(&store)
            .await
            .expect("the request's entry is chained while the writer waits");
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
        appender
            .stage(&[
                event(a, "case.list", listed.clone()),
                event(b, "case.read", Vec::new()),
            ])
            .expect("stage");
        assert_eq!(appender.chain_staged(&store).await.expect("chain"), 2);
        let mut tx = store.begin_write(Wall::Agency(a)).await.expect("tx");
        audit::append(&mut tx, a, vec![event(a, "case.update", Vec::new())])
            .await
            .expect("append in a transaction");
        tx.commit().await.expect("commit");
        appender
            .stage(&[event(a, "case.read", Vec::new())])
            .expect("stage again");
        assert_eq!(appender.chain_staged(&store).await.expect("chain"), 1);
        assert_eq!(appender.chain_staged(&store).await.expect("chain"), 0);

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

#[cfg(test)]
mod staging_tests {
    use super::{staging_file, SqliteAppender};
    use crate::{audit, Store, Wall};
    use casework_domain::audit::{Event, Outcome, Subject, Verifier};

    fn read(agency_id: i64, n: i64) -> Event {
        Event {
            agency_id,
            at_ms: 1_795_341_600_000 + n,
            actor_user_id: Some(n),
            action: "case.read".into(),
            record_type: "case".into(),
            record_id: Some(n),
            client_id: Some(100 + n),
            outcome: Outcome::Denied,
            reason: (n % 2 == 0).then(|| format!("reason {n}")),
            subjects: (0..n % 3)
                .map(|k| Subject {
                    record_id: k,
                    client_id: 10 * k,
                })
                .collect(),
        }
    }

    async fn store_with_agency() -> (tempfile::TempDir, Store, i64) {
        let (dir, store) = crate::migrated_sqlite_file(2).await;
        let mut tx = store.begin_write(Wall::System).await.expect("tx");
        let a = crate::agency::insert(&mut tx, "a", "a", 0)
            .await
            .expect("agency")
            .id;
        tx.commit().await.expect("commit");
        (dir, store, a)
    }

    fn appender(store: &Store) -> SqliteAppender {
        SqliteAppender::open(store).expect("open").expect("SQLite")
    }

    /// The agency's chain, checked link by link up to its head.
    async fn chain(store: &Store, agency: i64) -> Vec<Event> {
        let mut conn = store.conn(Wall::System).await.expect("conn");
        let (entries, stray) = audit::chain_page(&mut conn, agency, 0, 10_000)
            .await
            .expect("chain");
        assert!(stray.is_empty());
        let Some((_, head_seq, head_hash)) = audit::heads(&mut conn)
            .await
            .expect("heads")
            .into_iter()
            .find(|h| h.0 == agency)
        else {
            assert!(entries.is_empty(), "entries without a head");
            return Vec::new();
        };
        let mut verifier = Verifier::default();
        for e in &entries {
            verifier.check(e).expect("intact");
        }
        verifier.finish(head_seq, &head_hash).expect("to the head");
        entries.into_iter().map(|e| e.event).collect()
    }

    fn staged_rows(store_dir: &std::path::Path) -> i64 {
        let staging = rusqlite::Connection::open(staging_file(&store_dir.join("casework.db")))
            .expect("open staging");
        staging
            .query_row("SELECT count(*) FROM audit_staged", [], |r| r.get(0))
            .expect("count")
    }

    /// Staged entries are kept on disk until chained: a writer that stopped before chaining
    /// them leaves them for the next, which chains every field as it was given.
    #[tokio::test]
    async fn staged_entries_outlive_their_writer_and_reach_the_chain_intact() {
        let (dir, store, a) = store_with_agency().await;
        let events: Vec<Event> = (1..=5).map(|n| read(a, n)).collect();
        appender(&store).stage(&events).expect("stage");
        assert_eq!(staged_rows(dir.path()), 5);
        assert!(chain(&store, a).await.is_empty(), "not chained yet");

        let moved = appender(&store).chain_staged(&store).await.expect("chain");
        assert_eq!(moved, 5);
        assert_eq!(chain(&store, a).await, events);
        assert_eq!(
            staged_rows(dir.path()),
            0,
            "chained entries leave the staging file"
        );
    }

    /// A backlog longer than one batch is moved whole by one call, in order, in several
    /// transactions.
    #[tokio::test]
    async fn a_backlog_is_moved_in_batches_in_order() {
        let (dir, store, a) = store_with_agency().await;
        let count = 2 * super::CHAIN_BATCH + 10;
        let events: Vec<Event> = (1..=count).map(|n| read(a, n)).collect();
        let mut writer = appender(&store);
        writer.stage(&events).expect("stage");
        let moved = writer.chain_staged(&store).await.expect("chain");
        assert_eq!(moved as i64, count);
        assert_eq!(chain(&store, a).await, events);
        assert_eq!(staged_rows(dir.path()), 0);
    }

    /// A writer that stopped after chaining but before clearing the staging file: the entries
    /// are still there, and the next move must not chain them twice.
    #[tokio::test]
    async fn entries_chained_but_not_cleared_are_not_chained_again() {
        let (dir, store, a) = store_with_agency().await;
        let mut writer = appender(&store);
        writer.stage(&[read(a, 1), read(a, 2)]).expect("stage");
        let before: Vec<(i64, String)> = {
            let staging = rusqlite::Connection::open(staging_file(&dir.path().join("casework.db")))
                .expect("open staging");
            let mut select = staging
                .prepare("SELECT id, action FROM audit_staged ORDER BY id")
                .expect("select");
            let rows = select
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .expect("rows");
            rows.collect::<Result<_, _>>().expect("read")
        };
        writer.chain_staged(&store).await.expect("chain");
        // Put the chained rows back, as if the clearing had never happened.
        let staging = rusqlite::Connection::open(staging_file(&dir.path().join("casework.db")))
            .expect("open staging");
        for (id, _) in &before {
            staging
                .execute(
                    "INSERT INTO audit_staged (id, agency_id, at, action, record_type, outcome,
                     subjects) VALUES ($1, $2, 0, 'case.read', 'case', 'allowed', '')",
                    rusqlite::params![id, a],
                )
                .expect("put back");
        }
        assert_eq!(
            appender(&store).chain_staged(&store).await.expect("chain"),
            0
        );
        assert_eq!(chain(&store, a).await.len(), 2);
        assert_eq!(staged_rows(dir.path()), 0, "the leftovers are cleared");
    }

    /// Two writers on one database (a server and `casework audit verify`): each staged entry
    /// is chained once, whichever of them moves it.
    #[tokio::test]
    async fn two_writers_chain_each_entry_once() {
        let (_dir, store, a) = store_with_agency().await;
        let (mut one, mut two) = (appender(&store), appender(&store));
        one.stage(&[read(a, 1)]).expect("stage");
        two.stage(&[read(a, 2)]).expect("stage");
        one.stage(&[read(a, 3)]).expect("stage");
        let moved = two.chain_staged(&store).await.expect("chain")
            + one.chain_staged(&store).await.expect("chain");
        assert_eq!(moved, 3);
        let actors: Vec<Option<i64>> = chain(&store, a)
            .await
            .iter()
            .map(|e| e.actor_user_id)
            .collect();
        assert_eq!(actors, [Some(1), Some(2), Some(3)]);
    }

    /// A staging file removed between two runs is created again; its numbering starts over and
    /// its entries are still chained.
    #[tokio::test]
    async fn a_new_staging_file_is_chained_from_its_first_entry() {
        let (dir, store, a) = store_with_agency().await;
        let mut first = appender(&store);
        first.stage(&[read(a, 1)]).expect("stage");
        first.chain_staged(&store).await.expect("chain");
        drop(first);
        let path = staging_file(&dir.path().join("casework.db"));
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", path.display());
            if std::path::Path::new(&file).exists() {
                std::fs::remove_file(&file).expect("remove");
            }
        }
        let mut second = appender(&store);
        second.stage(&[read(a, 2)]).expect("stage");
        assert_eq!(second.chain_staged(&store).await.expect("chain"), 1);
        assert_eq!(chain(&store, a).await.len(), 2);
    }
}
