//! Persistence for SQLite (the embedded default) and PostgreSQL from one codebase: the same SQL
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`) through sqlx's `Any` driver, branching only where
//! the two databases truly differ. The one exception is the audit log's group commit on SQLite,
//! which runs the same statements through SQLite's C API on the writer's own thread
//! (`audit_sqlite`): through sqlx each statement is a hand-off between threads. For the same
//! reason the reads every page makes run on the request's own thread on SQLite (`fetch`), with
//! the same statements and row types.

pub mod agency;
pub mod assessment;
pub mod audit;
pub mod audit_group;
pub mod audit_sqlite;
pub mod case;
mod checkpoint;
pub mod client;
pub mod client_key;
pub mod consent;
pub mod delivery;
pub mod erasure;
pub mod evaluation;
pub mod fetch;
pub mod follow_up;
pub mod form;
pub mod goal;
mod id_set;
pub mod identity;
mod idle;
mod key_cache;
mod migrate;
pub mod note;
pub mod plan;
pub mod progress;
pub mod queue;
mod read_shelf;
pub mod retention;
pub mod rotation;
pub mod schema;
pub mod security;
pub mod seed;
pub mod serving;
pub mod session;
pub mod sharing;
mod sqlite_memory;
mod statistics;
pub mod subject_access;
pub mod task;
pub mod task_list;
pub mod termination;
#[cfg(feature = "testing")]
pub mod testing;
pub mod thread;
pub mod user;
pub mod vault;
pub mod wall;
mod wall_shelf;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use migrate::MigrationStatus;
pub use sqlx::AnyConnection as Conn;
pub use wall::Wall;

/// A transaction. On SQLite a write transaction also holds the process's write gate until it
/// ends, so this process's writers queue in order instead of retrying SQLite's lock, whose busy
/// handler sleeps in steps of up to 100 ms (a contact's p95 was 436 ms under load: BENCHMARKS.md).
pub struct Transaction<'c> {
    inner: sqlx::Transaction<'c, sqlx::Any>,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// A transaction on a pooled connection, as nearly every use case has.
pub type Tx = Transaction<'static>;

impl Transaction<'_> {
    pub async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Transaction<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// A connection taken out of the pool for one long-running writer (the audit log's group
/// commit on PostgreSQL; on SQLite the writer opens its own, `audit_sqlite`), so that writer
/// never queues for a pooled connection. On SQLite a held connection also keeps its page cache
/// warm: a connection's cache survives only the changes it made itself, and a pooled connection
/// that wrote the last group is rarely the one that writes the next.
pub struct HeldConn(AnyConnection);

/// The page cache of a held SQLite connection and of the audit writer's own, in KiB (SQLite's
/// negative `cache_size`): room for the audit indexes' hot pages. One connection, so it adds at
/// most this much to the process.
pub(crate) const HELD_CACHE_KIB: i64 = 32 * 1024;

/// As long as SQLite's own busy timeout: a writer waits no longer for the gate than it would
/// have for the lock, and a task that (wrongly) waited for a second write while holding one gets
/// an error rather than hanging.
const GATE_WAIT: Duration = Duration::from_secs(10);

/// How long a pooled PostgreSQL connection may sit idle before it is pinged when handed out.
pub(crate) const IDLE_BEFORE_PING: Duration = Duration::from_secs(30);

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
    Database(sqlx::Error),
    #[error("migration {version} failed: {message}")]
    Migration { version: i64, message: String },
    #[error("migration {version} was changed after it was applied (checksum differs)")]
    MigrationChanged { version: i64 },
    #[error("a stored value is not valid: {0}")]
    Corrupt(String),
    /// A sealed field could not be opened (erased, key missing, or moved from another row).
    #[error("encrypted field: {0}")]
    Crypto(#[from] casework_domain::crypto::CryptoError),
    /// From the audit writer's own SQLite connection (`audit_sqlite`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("serving role: {0}")]
    ServingRole(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        wall_shelf::note_failure(&e);
        StoreError::Database(e)
    }
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
///
/// On PostgreSQL the pool serves as a role that row-level security binds (see `serving`);
/// migrations and other owner work open their own connection with the owner's URL.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    owner_url: Arc<str>,
    /// SQLite's one writer at a time, taken in this process before `BEGIN IMMEDIATE`.
    write_gate: Arc<tokio::sync::Mutex<()>>,
    /// SQLite's background checkpoint task, stopped when the last clone goes.
    checkpointer: Option<Arc<tokio::sync::watch::Sender<bool>>>,
    /// SQLite on a database file: the connections its reads take outside sqlx's pool.
    file_readers: Option<FileReaders>,
    /// PostgreSQL: the walled connections its reads take outside sqlx's pool (`wall_shelf`);
    /// unused on SQLite.
    walled_readers: Arc<wall_shelf::WallShelf>,
}

/// The connections a `ReadConn` takes on an SQLite database file. An in-memory database is one
/// connection's own, so it has none and its reads take the pool's connection.
#[derive(Clone)]
struct FileReaders {
    /// For the hot reads, on the calling thread (`fetch`).
    direct: Arc<fetch::DirectReaders>,
    /// The sqlx connection beside each, off a shelf rather than the pool (`read_shelf`).
    shelf: Arc<read_shelf::ReadShelf>,
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

/// The settings of every SQLite connection that serves requests or writes the audit log.
fn sqlite_pragmas() -> [String; 7] {
    [
        // WAL for concurrent readers; FULL so a commit is on disk before we answer.
        "PRAGMA journal_mode = WAL".into(),
        "PRAGMA synchronous = FULL".into(),
        "PRAGMA foreign_keys = ON".into(),
        "PRAGMA busy_timeout = 10000".into(),
        // Sorts and GROUP BYs stay in memory rather than in temporary files.
        "PRAGMA temp_store = MEMORY".into(),
        // Deleted and overwritten content is zeroed in the file, so an erased client's data
        // does not linger in free pages.
        "PRAGMA secure_delete = ON".into(),
        // Checkpoints are the background task's (`checkpoint`); a commit does one only if that
        // task falls far behind.
        format!(
            "PRAGMA wal_autocheckpoint = {}",
            checkpoint::FOREGROUND_PAGES
        ),
    ]
}

fn connect_options(url: &str) -> Result<AnyConnectOptions> {
    // Statement text (never bound values) only at trace level; slow ones as warnings, with a
    // threshold that bulk loads rarely cross.
    Ok(AnyConnectOptions::from_str(url)?
        .log_statements(log::LevelFilter::Trace)
        .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(5)))
}

impl Store {
    /// Connect with one URL: on PostgreSQL its user owns the schema and the pool switches to the
    /// serving role `casework_app` (created if missing).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        Store::connect_serving(url, None, max_connections).await
    }

    /// Connect with the owner's URL (migrations) and, on PostgreSQL, optionally a separate URL
    /// whose user serves requests; without one the pool switches to `casework_app`.
    pub async fn connect_serving(
        url: &str,
        serving_url: Option<&str>,
        max_connections: u32,
    ) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        if backend == Backend::Sqlite {
            sqlite_memory::without_statistics();
        }
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        if let Some(serving) = serving_url {
            if backend != Backend::Postgres || backend_of(serving)? != Backend::Postgres {
                return Err(StoreError::ServingRole(
                    "a separate serving URL needs PostgreSQL for both URLs".into(),
                ));
            }
        }
        // The role to switch to after connecting, when the pool uses the owner's URL.
        let set_role = match (backend, serving_url) {
            (Backend::Postgres, None) => {
                let mut owner = connect_options(&url)?.connect().await?;
                let prepared = serving::prepare(&mut owner, serving::DEFAULT_ROLE, true).await;
                owner.close().await.ok();
                prepared?;
                Some(serving::ident(serving::DEFAULT_ROLE))
            }
            _ => None,
        };
        let options = connect_options(serving_url.unwrap_or(&url))?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings every connection it hands out: a round trip to PostgreSQL, and to the
            // connection's own thread on SQLite, on every request. An embedded file cannot
            // hang up; a PostgreSQL connection is checked only after it sat idle a while,
            // when the server may have restarted or a firewall dropped it.
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                Box::pin(async move {
                    if backend == Backend::Postgres && meta.idle_for >= IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _| {
                let set_role = set_role.clone();
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in sqlite_pragmas() {
                            conn.execute(pragma.as_str()).await?;
                        }
                    }
                    if let Some(role) = set_role {
                        conn.execute(format!("SET ROLE {role}").as_str()).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let checkpointer = match backend {
            Backend::Sqlite => Some(Arc::new(checkpoint::start(connect_options(&url)?))),
            Backend::Postgres => None,
        };
        let mut store = Store {
            pool,
            backend,
            owner_url: url.into(),
            write_gate: Arc::default(),
            checkpointer,
            file_readers: None,
            walled_readers: Arc::new(wall_shelf::WallShelf::new(max_connections)),
        };
        if let Some(path) = store.sqlite_file()? {
            // An in-memory database is one connection's own; only a file can be shared.
            if !path.as_os_str().is_empty() && path.as_os_str() != ":memory:" {
                store.file_readers = Some(FileReaders {
                    direct: fetch::DirectReaders::new(path),
                    shelf: Arc::default(),
                });
            }
        }
        if backend == Backend::Postgres {
            let checked = async {
                let mut conn = store.pool.acquire().await?;
                let role = serving::check_bound(&mut conn).await?;
                if serving_url.is_some() {
                    let mut owner = store.owner_conn().await?;
                    let prepared = serving::prepare(&mut owner, &role, false).await;
                    owner.close().await.ok();
                    prepared?;
                }
                Ok::<_, StoreError>(())
            }
            .await;
            if let Err(e) = checked {
                store.close().await;
                return Err(e);
            }
        }
        Ok(store)
    }

    /// A connection as the owner (the URL given first), outside the serving pool: for
    /// migrations and operator tools that change the schema. Not walled: on PostgreSQL a
    /// non-superuser owner is bound by the forced policies like anyone, so call `wall::enter`.
    pub async fn owner_conn(&self) -> Result<AnyConnection> {
        let mut conn = connect_options(&self.owner_url)?.connect().await?;
        if self.backend == Backend::Sqlite {
            conn.execute("PRAGMA foreign_keys = ON").await?;
            conn.execute("PRAGMA busy_timeout = 10000").await?;
        }
        Ok(conn)
    }

    /// The SQLite database file; `None` on PostgreSQL.
    fn sqlite_file(&self) -> Result<Option<PathBuf>> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&self.owner_url)?;
        Ok(Some(options.get_filename().to_path_buf()))
    }

    /// The role serving requests (PostgreSQL), as the database names it.
    pub async fn serving_role(&self) -> Result<Option<String>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        Ok(Some(serving::check_bound(&mut conn).await?))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The serving pool itself. On PostgreSQL no agency is set on its connections, so the
    /// walled tables show no rows through it: use `begin_read`, `begin_write` or `conn`.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write, seeing only what `wall` lets through. On SQLite it takes
    /// the write lock up front, so it waits (busy timeout) instead of failing when it later
    /// tries to upgrade.
    ///
    /// The connection is taken before the write gate. A request may hold a pooled connection
    /// while it waits for its audit entry, which the audit writer commits under the gate; a
    /// writer that held the gate while it waited for a connection could wait for that request
    /// while the request waited for it, until both timed out.
    pub async fn begin_write(&self, wall: Wall) -> Result<Tx> {
        let conn = self.pool.acquire().await?;
        let gate = self.write_gate().await?;
        // What `Pool::begin_with` does, on a connection already taken (sqlx marks it hidden).
        Ok(Transaction {
            inner: sqlx::Transaction::begin(conn, Some(self.begin_write_statement(wall).into()))
                .await?,
            _gate: gate,
        })
    }

    /// A connection of its own for a long-running writer; see `HeldConn`.
    pub async fn held_conn(&self) -> Result<HeldConn> {
        let mut conn = self.pool.acquire().await?.detach();
        if self.backend == Backend::Sqlite {
            conn.execute(format!("PRAGMA cache_size = -{HELD_CACHE_KIB}").as_str())
                .await?;
        }
        Ok(HeldConn(conn))
    }

    /// `begin_write` on a held connection.
    pub async fn begin_write_on<'c>(
        &self,
        held: &'c mut HeldConn,
        wall: Wall,
    ) -> Result<Transaction<'c>> {
        let gate = self.write_gate().await?;
        Ok(Transaction {
            inner: held.0.begin_with(self.begin_write_statement(wall)).await?,
            _gate: gate,
        })
    }

    /// SQLite's one writer at a time in this process; PostgreSQL has row locks instead.
    async fn write_gate(&self) -> Result<Option<tokio::sync::OwnedMutexGuard<()>>> {
        match self.backend {
            Backend::Sqlite => {
                tokio::time::timeout(GATE_WAIT, self.write_gate.clone().lock_owned())
                    .await
                    .map(Some)
                    .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))
            }
            Backend::Postgres => Ok(None),
        }
    }

    /// SQLite takes the write lock up front (the wall is PostgreSQL's alone); PostgreSQL puts the
    /// wall up with BEGIN, in the same round trip.
    fn begin_write_statement(&self, wall: Wall) -> String {
        match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE".to_string(),
            Backend::Postgres => wall::begin_statement(wall),
        }
    }

    /// A transaction that only reads: one consistent snapshot, no write lock. On PostgreSQL
    /// that takes REPEATABLE READ: under the default READ COMMITTED each statement would see
    /// what committed before it, not before the transaction. SQLite's read transaction is a
    /// snapshot already.
    pub async fn begin_read(&self, wall: Wall) -> Result<Tx> {
        if self.backend == Backend::Postgres {
            return Ok(Transaction {
                inner: self
                    .pool
                    .begin_with(wall::begin_snapshot_statement(wall))
                    .await?,
                _gate: None,
            });
        }
        Ok(Transaction {
            inner: self.pool.begin().await?,
            _gate: None,
        })
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
        if let Some(stop) = &self.checkpointer {
            stop.send_replace(true);
        }
        if let Some(readers) = &self.file_readers {
            readers.shelf.close().await;
        }
        self.walled_readers.close().await;
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

/// A connection for reads that need no snapshot. On PostgreSQL it is walled for as long as it
/// lives (`wall_shelf`), on SQLite a plain connection; on both each statement is its own
/// transaction unless the caller begins one, so a write through it (a session's idle timer, a
/// spent token) lasts as soon as it has run.
pub struct ReadConn {
    reading: Reading,
    /// On SQLite, the connection the hot reads run on in the calling thread (`fetch`).
    direct: Option<fetch::DirectConn>,
}

enum Reading {
    Plain(PooledConn),
    Shelved(read_shelf::ShelvedConn),
    Walled(wall_shelf::WalledConn),
}

impl std::ops::Deref for ReadConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match &self.reading {
            Reading::Plain(c) => c,
            Reading::Shelved(c) => c,
            Reading::Walled(t) => t,
        }
    }
}

impl std::ops::DerefMut for ReadConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.reading {
            Reading::Plain(c) => c,
            Reading::Shelved(c) => c,
            Reading::Walled(t) => t,
        }
    }
}

impl Store {
    /// A connection for reads that need no transaction, seeing only what `wall` lets through.
    pub async fn conn(&self, wall: Wall) -> Result<ReadConn> {
        Ok(match self.backend {
            Backend::Sqlite => match &self.file_readers {
                Some(readers) => ReadConn {
                    reading: Reading::Shelved(readers.shelf.take(&self.pool).await?),
                    direct: Some(readers.direct.take()?),
                },
                None => ReadConn {
                    reading: Reading::Plain(self.pool.acquire().await?),
                    direct: None,
                },
            },
            Backend::Postgres => ReadConn {
                reading: Reading::Walled(self.walled_readers.take(&self.pool, wall).await?),
                direct: None,
            },
        })
    }
}

/// A migrated database in a file of its own, for the store's own tests of SQLite's file-only
/// paths; the file goes with the returned directory.
#[cfg(test)]
pub(crate) async fn migrated_sqlite_file(max_connections: u32) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/casework.db", dir.path().display());
    let store = Store::connect(&url, max_connections).await.expect("open");
    store.migrate().await.expect("migrate");
    (dir, store)
}
