//! Group commit for audit entries that do not ride in a write transaction (reads, denials,
//! sign-ins). Many requests' entries go to disk in one transaction; no request is answered before
//! its own entries are committed. On SQLite a group is committed to a staging file and moved
//! into the chain about once a second (`casework_store::audit_sqlite`).

use crate::{ServiceError, ServiceResult};
use casework_domain::audit::Event;
use casework_store::audit_sqlite::SqliteAppender;
use casework_store::{HeldConn, Store, StoreError};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

struct Pending {
    events: Vec<Event>,
    done: oneshot::Sender<bool>,
}

#[derive(Clone)]
pub struct AuditLog {
    queue: mpsc::Sender<Pending>,
    audit_reads: bool,
}

/// The most entries written in one transaction.
const GROUP_LIMIT: usize = 1024;

impl AuditLog {
    pub(crate) fn start(
        store: Store,
        audit_reads: bool,
        chain_interval: Duration,
    ) -> ServiceResult<AuditLog> {
        let (queue, rx) = mpsc::channel(4096);
        // The writer has a thread and runtime of its own. On PostgreSQL a group commit is
        // several round trips; on the shared runtime each answer waited in line behind the
        // requests' tasks, and every audited request waits for the group (BENCHMARKS.md). On
        // SQLite the group is written by this thread itself, blocking only this runtime.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                tracing::error!(error = %e, "could not start the audit writer's runtime");
                ServiceError::Audit
            })?;
        std::thread::Builder::new()
            .name("casework-audit".into())
            .spawn(move || runtime.block_on(run(store, rx, chain_interval)))
            .map_err(|e| {
                tracing::error!(error = %e, "could not start the audit writer's thread");
                ServiceError::Audit
            })?;
        Ok(AuditLog { queue, audit_reads })
    }

    /// Write the entries and wait until they are committed.
    pub(crate) async fn record(&self, events: Vec<Event>) -> ServiceResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let (done, wait) = oneshot::channel();
        self.queue
            .send(Pending { events, done })
            .await
            .map_err(|_| ServiceError::Audit)?;
        match wait.await {
            Ok(true) => Ok(()),
            _ => Err(ServiceError::Audit),
        }
    }

    /// Like `record`, for entries about reading; skipped only when read auditing is switched off
    /// to measure its cost.
    pub(crate) async fn record_read(&self, events: Vec<Event>) -> ServiceResult<()> {
        if self.audit_reads {
            self.record(events).await
        } else {
            Ok(())
        }
    }

    /// Returns once everything queued before the call is on disk and in the chain.
    pub(crate) async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self
            .queue
            .send(Pending {
                events: Vec::new(),
                done,
            })
            .await
            .is_ok()
        {
            let _ = wait.await;
        }
    }
}

/// The writer's connection, taken again after a failure (it may be the connection that broke).
/// On SQLite its own, driven from this thread; on PostgreSQL one held out of the pool.
#[derive(Default)]
struct Connection {
    sqlite: Option<SqliteAppender>,
    held: Option<HeldConn>,
}

/// On SQLite a staged entry waits at most `chain_interval` before it is moved into the chain.
/// Each move is a commit to the database file, which costs every reading connection its page
/// cache; the browsing, export, verification and shutdown paths move everything first (`flush`).
async fn run(store: Store, mut rx: mpsc::Receiver<Pending>, chain_interval: Duration) {
    let mut conn = Connection::default();
    // Entries a stopped process staged but never chained.
    let mut staged = true;
    let mut last_chained = Instant::now();
    loop {
        let next = if staged {
            let due = chain_interval.saturating_sub(last_chained.elapsed());
            match tokio::time::timeout(due, rx.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    staged = !chain(&store, &mut conn).await;
                    last_chained = Instant::now();
                    continue;
                }
            }
        } else {
            rx.recv().await
        };
        let Some(first) = next else { break };
        let mut group = vec![first];
        let mut count = group[0].events.len();
        while count < GROUP_LIMIT {
            match rx.try_recv() {
                Ok(p) => {
                    count += p.events.len();
                    group.push(p);
                }
                Err(_) => break,
            }
        }
        let mut events = Vec::with_capacity(count);
        let mut waiting = Vec::with_capacity(group.len());
        let mut flushes = Vec::new();
        for p in group {
            if p.events.is_empty() {
                flushes.push(p.done);
            } else {
                events.extend(p.events);
                waiting.push(p.done);
            }
        }
        let ok = events.is_empty() || write(&store, &mut conn, events).await.is_ok();
        if !ok {
            conn = Connection::default();
            tracing::error!(
                entries = count,
                "audit group commit failed; requests refused"
            );
        }
        for done in waiting {
            let _ = done.send(ok);
        }
        staged |= ok && conn.sqlite.is_some();
        if staged && (!flushes.is_empty() || last_chained.elapsed() >= chain_interval) {
            staged = !chain(&store, &mut conn).await;
            last_chained = Instant::now();
        }
        for done in flushes {
            let _ = done.send(true);
        }
    }
    chain(&store, &mut conn).await;
}

/// Commit `events`: on SQLite to the staging file, on PostgreSQL to the chain.
async fn write(store: &Store, conn: &mut Connection, events: Vec<Event>) -> Result<(), StoreError> {
    if conn.sqlite.is_none() && conn.held.is_none() {
        conn.sqlite = SqliteAppender::open(store)?;
    }
    if let Some(sqlite) = &mut conn.sqlite {
        return sqlite.stage(&events);
    }
    let mut by_agency: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
    for e in events {
        by_agency.entry(e.agency_id).or_default().push(e);
    }
    let held = match &mut conn.held {
        Some(held) => held,
        None => conn.held.insert(store.held_conn().await?),
    };
    casework_store::audit_group::append_group(held, by_agency).await
}

/// On SQLite, move what is staged into the chain. A failure leaves the entries staged, on disk,
/// for the next attempt; returns whether nothing is left staged.
async fn chain(store: &Store, conn: &mut Connection) -> bool {
    if conn.sqlite.is_none() && conn.held.is_none() {
        match SqliteAppender::open(store) {
            Ok(sqlite) => conn.sqlite = sqlite,
            Err(e) => {
                tracing::error!(error = %e, "could not open the audit writer's connection");
                return false;
            }
        }
    }
    let Some(sqlite) = &mut conn.sqlite else {
        return true;
    };
    let started = Instant::now();
    match sqlite.chain_staged(store).await {
        Ok(entries) => {
            if entries > 0 {
                // Counts and times only: how long writers waited at the gate behind a move.
                tracing::debug!(
                    entries,
                    ms = started.elapsed().as_secs_f64() * 1000.0,
                    "staged audit entries chained"
                );
            }
            true
        }
        Err(e) => {
            // The error's kind only: the statements are fixed and name no client.
            tracing::error!(error = %e, "moving staged audit entries into the chain failed; retrying");
            *conn = Connection::default();
            false
        }
    }
}
