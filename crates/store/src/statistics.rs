//! Planner statistics. Without them SQLite picks indexes by guesswork: the caseload query (a
//! worker's cases or those shared with them) walked every case of the agency instead of the
//! worker's index, 75 ms instead of 1 ms on 30,000 cases. PostgreSQL's autovacuum analyzes on its
//! own, but only after a delay; a bulk load (the seeder) should not wait for it.

use crate::{Backend, Result, Store};
use sqlx::Executor;

/// Rows SQLite samples per index; keeps `ANALYZE` to milliseconds on millions of rows.
const SQLITE_ANALYSIS_LIMIT: u32 = 1000;

impl Store {
    /// Refresh the query planner's statistics for every table. Takes the owner's connection
    /// (on PostgreSQL only a table's owner may analyze it); holds no lock readers wait on.
    pub async fn refresh_statistics(&self) -> Result<()> {
        let mut conn = self.owner_conn().await?;
        if self.backend() == Backend::Sqlite {
            conn.execute(format!("PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}").as_str())
                .await?;
        }
        conn.execute("ANALYZE").await?;
        Ok(())
    }

    /// Bring the database to where a running one stands after a bulk load (the seeder): on
    /// PostgreSQL vacuum and analyze every table, on SQLite refresh the statistics. Freshly
    /// inserted rows are not yet marked visible to all: until a vacuum marks their pages,
    /// every index-only scan (the caseload's and the case page's counts) reads each row's table
    /// page as well, and the first reader of each row writes its hint bits. Autovacuum would
    /// do this within minutes on a server with PostgreSQL's defaults; a bulk load should not
    /// wait for it, and a server with autovacuum off never would.
    pub async fn settle_after_bulk_load(&self) -> Result<()> {
        if self.backend() == Backend::Sqlite {
            return self.refresh_statistics().await;
        }
        let mut conn = self.owner_conn().await?;
        // Outside a transaction, as VACUUM must be: a plain statement on its own connection.
        conn.execute("VACUUM (ANALYZE)").await?;
        Ok(())
    }
}
