//! SQLite's connections for `ReadConn`, kept on a shelf of their own rather than in sqlx's pool.
//! The pool pings every connection given back to it, a round trip to the connection's own
//! thread and a task of its own; a request gives back two (its session's and its page's),
//! though the hot reads run on the request's thread (`fetch`) and rarely touch them. In the
//! mixed benchmark's profile sqlx's connection threads and the hand-offs to them took about a
//! tenth of the samples; without the pings the mixed phase ran 10–25% faster in three pairs
//! of four (BENCHMARKS.md, session 14).
//! An embedded file cannot hang up, and sqlx queues a dropped transaction's rollback on the
//! connection itself, so a connection can go back unchecked.

use crate::idle::Idle;
use crate::Result;
use sqlx::{AnyConnection, AnyPool, Connection};
use std::sync::Arc;

#[derive(Default)]
pub(crate) struct ReadShelf {
    idle: Idle<AnyConnection>,
}

/// A connection off the shelf; it goes back when dropped.
pub(crate) struct ShelvedConn {
    conn: Option<AnyConnection>,
    shelf: Arc<ReadShelf>,
}

impl ReadShelf {
    /// An idle connection, or a new one from `pool` (detached from it: the pool's limit counts
    /// the connections it holds, not those lent out here).
    pub(crate) async fn take(self: &Arc<Self>, pool: &AnyPool) -> Result<ShelvedConn> {
        let conn = match self.idle.take() {
            Some(conn) => conn,
            None => pool.acquire().await?.detach(),
        };
        Ok(ShelvedConn {
            conn: Some(conn),
            shelf: self.clone(),
        })
    }

    /// Close every idle connection (at shutdown).
    pub(crate) async fn close(&self) {
        for conn in self.idle.drain() {
            conn.close().await.ok();
        }
    }
}

impl std::ops::Deref for ShelvedConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.conn
            .as_ref()
            .expect("a shelved connection is only taken whole")
    }
}

impl std::ops::DerefMut for ShelvedConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .expect("a shelved connection is only taken whole")
    }
}

impl Drop for ShelvedConn {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Dropped if the shelf is full: its thread closes the database handle and ends.
            self.shelf.idle.give_back(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Wall;
    use sqlx::{Connection, Executor};

    fn idle(store: &crate::Store) -> usize {
        store
            .file_readers
            .as_ref()
            .expect("a file has a shelf")
            .shelf
            .idle
            .len()
    }

    /// A connection given back unchecked in the middle of a transaction: the transaction is
    /// rolled back before the connection's next use, and holds no lock that would stop a writer.
    #[tokio::test]
    async fn a_connection_back_on_the_shelf_carries_nothing_over() {
        let (_dir, store) = crate::migrated_sqlite_file(2).await;
        let mut tx = store.begin_write(Wall::System).await.expect("tx");
        tx.execute("CREATE TABLE shelf_probe (x INTEGER)")
            .await
            .expect("table");
        tx.commit().await.expect("commit");

        let mut reading = store.conn(Wall::System).await.expect("conn");
        let mut open = reading.begin().await.expect("begin");
        open.execute("INSERT INTO shelf_probe VALUES (1)")
            .await
            .expect("insert");
        drop(open);
        drop(reading);
        assert_eq!(idle(&store), 1, "the connection is back on the shelf");

        let mut again = store.conn(Wall::System).await.expect("the same connection");
        assert_eq!(idle(&store), 0);
        let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM shelf_probe")
            .fetch_one(&mut *again)
            .await
            .expect("count");
        assert_eq!(seen, 0, "the dropped transaction's insert is gone");
        drop(again);

        let mut tx = store.begin_write(Wall::System).await.expect("tx");
        tx.execute("INSERT INTO shelf_probe VALUES (2)")
            .await
            .expect("a writer is not blocked by the dropped transaction");
        tx.commit().await.expect("commit");
    }
}
