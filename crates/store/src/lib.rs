//! Persistence for SQLite (the embedded default) and PostgreSQL from one codebase: the same SQL
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`) through sqlx's `Any` driver, branching only where
//! the two databases truly differ.

pub mod agency;
pub mod assessment;
pub mod audit;
pub mod case;
pub mod client;
pub mod client_key;
pub mod consent;
pub mod delivery;
pub mod evaluation;
pub mod follow_up;
pub mod form;
pub mod goal;
mod migrate;
pub mod note;
pub mod plan;
pub mod progress;
pub mod queue;
pub mod rotation;
pub mod schema;
pub mod security;
pub mod seed;
pub mod session;
pub mod sharing;
pub mod task;
pub mod task_list;
pub mod termination;
#[cfg(feature = "testing")]
pub mod testing;
pub mod thread;
pub mod user;
pub mod vault;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

pub use migrate::MigrationStatus;
pub use sqlx::AnyConnection as Conn;

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL must start with sqlite: or postgres:// (got a URL starting {0:?})")]
    UnsupportedUrl(String),
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration {version} failed: {message}")]
    Migration { version: i64, message: String },
    #[error("migration {version} was changed after it was applied (checksum differs)")]
    MigrationChanged { version: i64 },
    #[error("a stored value is not valid: {0}")]
    Corrupt(String),
    /// A sealed field could not be opened (erased, key missing, or moved from another row).
    #[error("encrypted field: {0}")]
    Crypto(#[from] casework_domain::crypto::CryptoError),
}

impl StoreError {
    /// A write lost a race with another (unique key, serialization failure): safe to report as a conflict.
    pub fn is_conflict(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => {
                e.is_unique_violation() || e.code().as_deref() == Some("40001")
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection pool and which database is behind it. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password; never print it.
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

/// Where a database URL points, decided before connecting so a typo is refused clearly.
pub fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        let shown: String = url.chars().take_while(|c| *c != ':').take(12).collect();
        Err(StoreError::UnsupportedUrl(shown))
    }
}

/// The default database: a file under `dir`.
pub fn sqlite_url_in(dir: &Path) -> Result<String> {
    std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(format!("sqlite://{}/casework.db", dir.display()))
}

impl Store {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        // Statement text (never bound values) only at trace level; slow ones as warnings, with a
        // threshold that bulk loads rarely cross.
        let options = AnyConnectOptions::from_str(&url)?
            .log_statements(log::LevelFilter::Trace)
            .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(5));
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL for concurrent readers; FULL so a commit is on disk before we answer.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        // Sorts and GROUP BYs stay in memory rather than in temporary files.
                        conn.execute("PRAGMA temp_store = MEMORY").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write. On SQLite it takes the write lock up front, so it waits
    /// (busy timeout) instead of failing when it later tries to upgrade.
    pub async fn begin_write(&self) -> Result<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// A transaction that only reads: one consistent snapshot, no write lock.
    pub async fn begin_read(&self) -> Result<Tx> {
        Ok(self.pool.begin().await?)
    }

    pub async fn migrate(&self) -> Result<Vec<i64>> {
        migrate::run(self).await
    }

    pub async fn migration_status(&self) -> Result<MigrationStatus> {
        migrate::status(self).await
    }

    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `SELECT ... FOR UPDATE` where the database has row locks; SQLite's write transaction already
/// holds the whole database.
pub fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

pub(crate) fn backend_of_conn(conn: &AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// Commit, with the error in the store's terms.
pub async fn commit(tx: Tx) -> Result<()> {
    tx.commit().await?;
    Ok(())
}

pub type PooledConn = sqlx::pool::PoolConnection<sqlx::Any>;

impl Store {
    /// A connection for reads that need no transaction.
    pub async fn conn(&self) -> Result<PooledConn> {
        Ok(self.pool.acquire().await?)
    }
}
