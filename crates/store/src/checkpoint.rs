//! SQLite's write-ahead log copied back into the database file by a task of its own. Left to
//! SQLite, the checkpoint runs inside whichever commit crosses the threshold: that commit writes
//! up to a thousand pages and syncs the file twice while every other writer (the audit log's
//! group commit above all) queues behind it. A passive checkpoint on a connection of its own
//! runs beside the writers instead.

use crate::Result;
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection, Executor};
use std::time::Duration;
use tokio::sync::watch;

/// How often the task checkpoints. Under the heaviest load measured (about 20 MB of log a
/// second) this keeps the log to a few megabytes.
const INTERVAL: Duration = Duration::from_millis(100);

/// Pages (4 KiB) after which a committing connection checkpoints by itself after all: the safety
/// net for a task that has fallen behind or stopped, never reached while it keeps up.
pub(crate) const FOREGROUND_PAGES: u32 = 16_384;

/// Start the task; it ends when the returned sender is dropped (with the last clone of the
/// `Store` holding it) or sent `true`.
pub(crate) fn start(options: AnyConnectOptions) -> watch::Sender<bool> {
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(run(options, stopped));
    stop
}

async fn run(options: AnyConnectOptions, mut stopped: watch::Receiver<bool>) {
    let mut conn: Option<AnyConnection> = None;
    loop {
        tokio::select! {
            changed = stopped.changed() => {
                if changed.is_err() || *stopped.borrow() {
                    break;
                }
            }
            _ = tokio::time::sleep(INTERVAL) => {
                if let Err(e) = checkpoint(&options, &mut conn).await {
                    // Only the error's kind: the statement is fixed and holds no client data.
                    tracing::warn!(error = %e, "background WAL checkpoint failed; retrying");
                    conn = None;
                }
            }
        }
    }
    if let Some(conn) = conn {
        conn.close().await.ok();
    }
}

async fn checkpoint(options: &AnyConnectOptions, conn: &mut Option<AnyConnection>) -> Result<()> {
    let c = match conn {
        Some(c) => c,
        None => conn.insert(options.connect().await?),
    };
    c.execute("PRAGMA wal_checkpoint(PASSIVE)").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn the_log_reaches_the_database_file_without_a_commit_checkpointing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("casework.db");
        let store = Store::connect(&format!("sqlite://{}", path.display()), 2)
            .await
            .expect("open");
        // About 2 MB of log: far below the threshold at which a commit would checkpoint itself.
        sqlx::query("CREATE TABLE filler (b BLOB)")
            .execute(store.pool())
            .await
            .expect("create");
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
             INSERT INTO filler SELECT randomblob(4000) FROM n",
        )
        .execute(store.pool())
        .await
        .expect("fill");
        // The database file grows only when a checkpoint copies the log into it.
        let waited = Instant::now();
        while std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < 2_000_000 {
            assert!(
                waited.elapsed() < Duration::from_secs(30),
                "the log was not checkpointed into the database file"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store.close().await;
    }
}
