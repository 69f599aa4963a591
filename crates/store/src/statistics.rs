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
}
