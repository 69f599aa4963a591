//! Group commit for audit entries that do not ride in a write transaction (reads, denials,
//! sign-ins). Many requests' entries go to disk in one transaction; no request is answered before
//! its own entries are committed.

use crate::{ServiceError, ServiceResult};
use casework_domain::audit::Event;
use casework_store::audit_sqlite::SqliteAppender;
use casework_store::{HeldConn, Store, StoreError, Wall};
use std::collections::BTreeMap;
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
    pub(crate) fn start(store: Store, audit_reads: bool) -> ServiceResult<AuditLog> {
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
            .spawn(move || runtime.block_on(run(store, rx)))
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

    /// Returns once everything queued before the call is on disk.
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

async fn run(store: Store, mut rx: mpsc::Receiver<Pending>) {
    let mut conn = Connection::default();
    while let Some(first) = rx.recv().await {
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
        let mut by_agency: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
        let mut waiting = Vec::with_capacity(group.len());
        for p in group {
            for e in p.events {
                by_agency.entry(e.agency_id).or_default().push(e);
            }
            waiting.push(p.done);
        }
        let ok = by_agency.is_empty() || write(&store, &mut conn, by_agency).await.is_ok();
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
    }
}

async fn write(
    store: &Store,
    conn: &mut Connection,
    by_agency: BTreeMap<i64, Vec<Event>>,
) -> Result<(), StoreError> {
    if conn.sqlite.is_none() && conn.held.is_none() {
        conn.sqlite = SqliteAppender::open(store)?;
    }
    if let Some(sqlite) = &mut conn.sqlite {
        return sqlite.append(store, by_agency).await;
    }
    let held = match &mut conn.held {
        Some(held) => held,
        None => conn.held.insert(store.held_conn().await?),
    };
    // One transaction for the group, walled to each agency in turn as its entries go in.
    let first = by_agency.keys().next().copied().unwrap_or_default();
    let mut tx = store.begin_write_on(held, Wall::Agency(first)).await?;
    for (agency, events) in by_agency {
        if agency != first {
            casework_store::wall::enter(&mut tx, Wall::Agency(agency)).await?;
        }
        casework_store::audit::append(&mut tx, agency, events).await?;
    }
    tx.commit().await?;
    Ok(())
}
