//! PostgreSQL's connections for `ReadConn`, each keeping its wall for as long as it lives.
//!
//! Through the pool, a read was a transaction of its own: `BEGIN` with the wall, the reads, and
//! a `ROLLBACK` that sqlx sends with its check of every connection given back. A signed-in
//! request made two (its session's and its page's): four of the fourteen to eighteen round trips
//! a page took (BENCHMARKS.md, session 18). Here the wall is set once per connection, at session
//! level, and set again only when a read asks for another; the reads then run one statement at
//! a time, each its own transaction. Under READ COMMITTED (the database's default, and ours)
//! every statement of a transaction takes a fresh snapshot anyway, so a page sees what it saw
//! before; a write through a `ReadConn` (a session's idle timer) commits at once, as it always
//! did on SQLite.
//!
//! The pool's own connections never carry a wall outside a transaction: these are detached from
//! it and only ever handed out walled, so a query that forgets its agency filter on a pooled
//! connection still sees nothing. A connection goes back to the shelf unchecked; one that may be
//! broken never does (`note_failure`), and one idle for a while is pinged first, as the pool
//! does with its own.

use crate::wall::{self, Wall};
use crate::{Result, StoreError};
use sqlx::{AnyConnection, AnyPool, Connection};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Moves on whenever any connection fails at the transport (the server restarted, a firewall
/// dropped it). Every connection taken or shelved before that is closed rather than reused:
/// the failed one cannot be told apart from its neighbours, and they likely share its fate.
static FAILURES: AtomicU64 = AtomicU64::new(0);

/// Count a failure if `e` says the connection itself may be gone: at the transport, or the
/// server saying so (SQLSTATE class 08, connection exception, and 57P, the server shutting
/// down or the session terminated).
pub(crate) fn note_failure(e: &sqlx::Error) {
    let gone = match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    };
    if gone {
        FAILURES.fetch_add(1, Ordering::Relaxed);
    }
}

fn failures() -> u64 {
    FAILURES.load(Ordering::Relaxed)
}

/// As long as the pool waits for a connection.
const TAKE_WAIT: Duration = Duration::from_secs(10);

struct Idle {
    conn: AnyConnection,
    wall: Wall,
    failures: u64,
    since: Instant,
}

pub(crate) struct WallShelf {
    idle: Mutex<Vec<Idle>>,
    /// One per connection lent out: as many as the pool has, so reads cannot open more
    /// connections to the server than a pool of that size would.
    lent: Arc<Semaphore>,
    kept: usize,
}

/// A walled connection off the shelf; it goes back when dropped.
pub(crate) struct WalledConn {
    conn: Option<AnyConnection>,
    wall: Wall,
    failures: u64,
    shelf: Arc<WallShelf>,
    _lent: OwnedSemaphorePermit,
}

impl WallShelf {
    pub(crate) fn new(connections: u32) -> WallShelf {
        let n = connections.max(1) as usize;
        WallShelf {
            idle: Mutex::new(Vec::new()),
            lent: Arc::new(Semaphore::new(n)),
            kept: n,
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection behind `wall`: an idle one already behind it if there is one, else a new one
    /// from `pool` (detached from it) while there are fewer than the shelf keeps, else an idle
    /// one walled afresh.
    pub(crate) async fn take(self: &Arc<Self>, pool: &AnyPool, wall: Wall) -> Result<WalledConn> {
        let lent = tokio::time::timeout(TAKE_WAIT, self.lent.clone().acquire_owned())
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        let failures = failures();
        loop {
            let found = {
                let mut idle = self.idle();
                // Whatever was shelved before the last failure goes (dropped outside the lock).
                let stale: Vec<Idle> = idle.extract_if(.., |i| i.failures != failures).collect();
                // Lent out, this take included, plus idle: with room for one more connection,
                // a new one is opened rather than an idle one walled afresh, so that a single
                // agency's reads and the system's session lookups each keep their own.
                let in_use = self.kept - self.lent.available_permits();
                let room = in_use + idle.len() <= self.kept;
                let at = idle.iter().rposition(|i| i.wall == wall).or_else(|| {
                    if room {
                        None
                    } else {
                        idle.len().checked_sub(1)
                    }
                });
                let found = at.map(|at| idle.swap_remove(at));
                drop(idle);
                drop(stale);
                found
            };
            let (mut conn, walled) = match found {
                Some(mut i) => {
                    if i.since.elapsed() >= crate::IDLE_BEFORE_PING && i.conn.ping().await.is_err()
                    {
                        continue;
                    }
                    (i.conn, Some(i.wall))
                }
                None => (pool.acquire().await?.detach(), None),
            };
            if walled != Some(wall) {
                wall::enter_session(&mut conn, wall).await?;
            }
            return Ok(WalledConn {
                conn: Some(conn),
                wall,
                failures,
                shelf: self.clone(),
                _lent: lent,
            });
        }
    }

    /// Close every idle connection (at shutdown).
    pub(crate) async fn close(&self) {
        let idle = std::mem::take(&mut *self.idle());
        for i in idle {
            i.conn.close().await.ok();
        }
    }
}

impl std::ops::Deref for WalledConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.conn
            .as_ref()
            .expect("a shelved connection is only taken whole")
    }
}

impl std::ops::DerefMut for WalledConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .expect("a shelved connection is only taken whole")
    }
}

impl Drop for WalledConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        // A connection that may be broken, or one more than the shelf keeps, is dropped, which
        // closes it.
        if failures() != self.failures {
            return;
        }
        let mut idle = self.shelf.idle();
        if idle.len() < self.shelf.kept {
            idle.push(Idle {
                conn,
                wall: self.wall,
                failures: self.failures,
                since: Instant::now(),
            });
        }
    }
}
