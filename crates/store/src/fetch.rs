//! The reads on every page (the session, the caseload, the search, the case page) run on the
//! request's own thread on SQLite. Through sqlx each statement is handed to a connection's worker
//! thread and each row handed back; a case page is a dozen statements, and the switching between
//! threads cost more than SQLite's work (BENCHMARKS.md, session 10). The statements are the same
//! text on both databases, bound and read through sqlx's own types, so a row type decodes one way.
//!
//! A store function that reads this way takes `&mut impl Fetch`: a `ReadConn` reads on the
//! calling thread on SQLite, every other connection (a transaction, PostgreSQL) through sqlx.

use crate::idle::Idle;
use crate::{ReadConn, Result, StoreError, Transaction};
use sqlx::any::AnyArguments;
use sqlx::any::{AnyRow, AnyTypeInfo, AnyTypeInfoKind, AnyValue};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Execute, Executor, FromRow};
use sqlx_core::any::{AnyColumn, AnyValueKind};
use sqlx_core::ext::ustr::UStr;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A read statement, as `sqlx::query` builds it.
pub type Statement<'q> = Query<'q, Any, AnyArguments<'q>>;

/// Something a read statement can run on. The future is boxed: with a generic one, the
/// compiler cannot prove an axum handler's future `Send` (rust-lang/rust#100013).
pub trait Fetch: Send {
    /// Every row of one statement.
    fn rows<'a, 'q: 'a>(&'a mut self, query: Statement<'q>) -> BoxFuture<'a, Result<Vec<AnyRow>>>;

    /// The sqlx connection underneath, for a store function that has not moved to `Fetch`.
    fn sqlx(&mut self) -> &mut AnyConnection;
}

/// Every row, decoded.
async fn all<T>(conn: &mut impl Fetch, query: Statement<'_>) -> Result<Vec<T>>
where
    T: for<'r> FromRow<'r, AnyRow>,
{
    let rows = conn.rows(query).await?;
    Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?)
}

/// The first row, decoded, if there is one.
async fn optional<T>(conn: &mut impl Fetch, query: Statement<'_>) -> Result<Option<T>>
where
    T: for<'r> FromRow<'r, AnyRow>,
{
    let rows = conn.rows(query).await?;
    Ok(rows.first().map(T::from_row).transpose()?)
}

/// The one row a statement must answer with.
async fn one<T>(conn: &mut impl Fetch, query: Statement<'_>) -> Result<T>
where
    T: for<'r> FromRow<'r, AnyRow>,
{
    optional(conn, query)
        .await?
        .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
}

/// A statement's rows on any `Fetch`, in the shape sqlx's own `fetch_*` methods have, so a store
/// function reads the same whether it runs through sqlx or on the calling thread.
pub trait Run<'q>: Sized {
    fn all_on<'c, T, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<Vec<T>>>
    where
        'q: 'c,
        T: for<'r> FromRow<'r, AnyRow> + Send + 'c,
        C: Fetch;

    fn optional_on<'c, T, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<Option<T>>>
    where
        'q: 'c,
        T: for<'r> FromRow<'r, AnyRow> + Send + 'c,
        C: Fetch;

    fn one_on<'c, T, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<T>>
    where
        'q: 'c,
        T: for<'r> FromRow<'r, AnyRow> + Send + 'c,
        C: Fetch;

    /// The first row as it came, for a statement read by column position.
    fn row_on<'c, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<AnyRow>>
    where
        'q: 'c,
        C: Fetch;

    /// Every row as it came.
    fn rows_on<'c, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<Vec<AnyRow>>>
    where
        'q: 'c,
        C: Fetch;
}

impl<'q> Run<'q> for Statement<'q> {
    fn all_on<'c, T, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<Vec<T>>>
    where
        'q: 'c,
        T: for<'r> FromRow<'r, AnyRow> + Send + 'c,
        C: Fetch,
    {
        Box::pin(all(conn, self))
    }

    fn optional_on<'c, T, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<Option<T>>>
    where
        'q: 'c,
        T: for<'r> FromRow<'r, AnyRow> + Send + 'c,
        C: Fetch,
    {
        Box::pin(optional(conn, self))
    }

    fn one_on<'c, T, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<T>>
    where
        'q: 'c,
        T: for<'r> FromRow<'r, AnyRow> + Send + 'c,
        C: Fetch,
    {
        Box::pin(one(conn, self))
    }

    fn row_on<'c, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<AnyRow>>
    where
        'q: 'c,
        C: Fetch,
    {
        Box::pin(async move {
            conn.rows(self)
                .await?
                .into_iter()
                .next()
                .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
        })
    }

    fn rows_on<'c, C>(self, conn: &'c mut C) -> BoxFuture<'c, Result<Vec<AnyRow>>>
    where
        'q: 'c,
        C: Fetch,
    {
        conn.rows(self)
    }
}

impl Fetch for AnyConnection {
    fn rows<'a, 'q: 'a>(&'a mut self, query: Statement<'q>) -> BoxFuture<'a, Result<Vec<AnyRow>>> {
        Box::pin(async move { Ok(self.fetch_all(query).await?) })
    }

    fn sqlx(&mut self) -> &mut AnyConnection {
        self
    }
}

impl Fetch for Transaction<'_> {
    fn rows<'a, 'q: 'a>(&'a mut self, query: Statement<'q>) -> BoxFuture<'a, Result<Vec<AnyRow>>> {
        AnyConnection::rows(self, query)
    }

    fn sqlx(&mut self) -> &mut AnyConnection {
        self
    }
}

impl Fetch for ReadConn {
    fn rows<'a, 'q: 'a>(&'a mut self, query: Statement<'q>) -> BoxFuture<'a, Result<Vec<AnyRow>>> {
        match &mut self.direct {
            Some(direct) => Box::pin(std::future::ready(direct.rows(query))),
            None => AnyConnection::rows(self, query),
        }
    }

    fn sqlx(&mut self) -> &mut AnyConnection {
        self
    }
}

/// SQLite connections that read on the thread that asks, shared by the store's clones.
pub(crate) struct DirectReaders {
    path: PathBuf,
    idle: Idle<DirectConn>,
}

/// Statements a reader keeps prepared: every hot read, with room to spare.
const PREPARED: usize = 128;

impl DirectReaders {
    pub(crate) fn new(path: PathBuf) -> Arc<DirectReaders> {
        Arc::new(DirectReaders {
            path,
            idle: Idle::default(),
        })
    }

    pub(crate) fn take(self: &Arc<Self>) -> Result<DirectConn> {
        match self.idle.take() {
            Some(conn) => Ok(conn),
            None => DirectConn::open(self),
        }
    }
}

/// One reading connection; it goes back to its shelf when dropped.
pub(crate) struct DirectConn {
    conn: Option<rusqlite::Connection>,
    /// The columns of each statement, named once rather than per row.
    columns: HashMap<String, Columns>,
    shelf: Arc<DirectReaders>,
}

#[derive(Clone)]
struct Columns {
    columns: Vec<AnyColumn>,
    names: Arc<sqlx_core::HashMap<UStr, usize>>,
}

impl DirectConn {
    fn open(shelf: &Arc<DirectReaders>) -> Result<DirectConn> {
        use rusqlite::OpenFlags;
        let conn = rusqlite::Connection::open_with_flags(
            &shelf.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Reads only: a store function that wrote through here by mistake fails loudly instead
        // of writing outside the write gate. The busy timeout covers the rare moments a WAL
        // reader must wait (a log being reset); the temporary store keeps sorts in memory.
        conn.execute_batch(
            "PRAGMA query_only = ON; PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY;",
        )?;
        conn.set_prepared_statement_cache_capacity(PREPARED);
        Ok(DirectConn {
            conn: Some(conn),
            columns: HashMap::new(),
            shelf: shelf.clone(),
        })
    }

    /// Run one statement to its end on this thread; its rows as sqlx's SQLite driver gives them
    /// to the `Any` driver, so every row type decodes as it does through sqlx.
    fn rows(&mut self, mut query: Statement<'_>) -> Result<Vec<AnyRow>> {
        let conn = self
            .conn
            .as_ref()
            .expect("a shelved connection is only taken whole");
        let arguments = query
            .take_arguments()
            .map_err(|e| StoreError::Database(sqlx::Error::Encode(e)))?;
        let values = arguments.map(|a| a.values.0).unwrap_or_default();
        let sql = query.sql();
        let mut stmt = conn.prepare_cached(sql)?;
        bind(&mut stmt, &values)?;
        let columns = match self.columns.get(sql) {
            Some(c) => c.clone(),
            None => {
                let named = columns_of(&stmt);
                self.columns.insert(sql.to_string(), named.clone());
                named
            }
        };
        let width = columns.columns.len();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(AnyValue {
                    kind: value_of(row.get_ref(i)?)?,
                });
            }
            out.push(AnyRow {
                column_names: columns.names.clone(),
                columns: columns.columns.clone(),
                values,
            });
        }
        Ok(out)
    }
}

impl Drop for DirectConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        self.shelf.idle.give_back(DirectConn {
            conn: Some(conn),
            columns: std::mem::take(&mut self.columns),
            shelf: self.shelf.clone(),
        });
    }
}

/// Bind by the number in each `$N`, as sqlx does: SQLite numbers named parameters in the order
/// they first appear, so `$5 ... $4` would otherwise swap.
fn bind(stmt: &mut rusqlite::CachedStatement<'_>, values: &[AnyValueKind<'_>]) -> Result<()> {
    use rusqlite::types::{ToSqlOutput, Value, ValueRef};
    stmt.clear_bindings();
    for index in 1..=stmt.parameter_count() {
        let number = match stmt.parameter_name(index) {
            Some(name) => name
                .trim_start_matches(['$', '?'])
                .parse::<usize>()
                .map_err(|_| StoreError::Corrupt(format!("parameter {name} is not numbered")))?,
            None => index,
        };
        let value = values.get(number.wrapping_sub(1)).ok_or_else(|| {
            StoreError::Corrupt(format!("no value bound for parameter ${number}"))
        })?;
        let out = match value {
            AnyValueKind::Null(_) => ToSqlOutput::Owned(Value::Null),
            AnyValueKind::Bool(b) => ToSqlOutput::Owned(Value::Integer(i64::from(*b))),
            AnyValueKind::SmallInt(i) => ToSqlOutput::Owned(Value::Integer(i64::from(*i))),
            AnyValueKind::Integer(i) => ToSqlOutput::Owned(Value::Integer(i64::from(*i))),
            AnyValueKind::BigInt(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            AnyValueKind::Real(r) => ToSqlOutput::Owned(Value::Real(f64::from(*r))),
            AnyValueKind::Double(d) => ToSqlOutput::Owned(Value::Real(*d)),
            AnyValueKind::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            AnyValueKind::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            other => {
                return Err(StoreError::Corrupt(format!(
                    "a value of kind {other:?} cannot be bound"
                )))
            }
        };
        stmt.raw_bind_parameter(index, out)?;
    }
    Ok(())
}

fn columns_of(stmt: &rusqlite::CachedStatement<'_>) -> Columns {
    let mut names = sqlx_core::HashMap::default();
    let columns = stmt
        .column_names()
        .into_iter()
        .enumerate()
        .map(|(ordinal, name)| {
            let name = UStr::new(name);
            names.insert(name.clone(), ordinal);
            AnyColumn {
                ordinal,
                name,
                type_info: AnyTypeInfo {
                    kind: AnyTypeInfoKind::Null,
                },
            }
        })
        .collect();
    Columns {
        columns,
        names: Arc::new(names),
    }
}

/// A value as sqlx's SQLite driver hands it to `Any`: by the value's own type, not the column's.
fn value_of(value: rusqlite::types::ValueRef<'_>) -> Result<AnyValueKind<'static>> {
    use rusqlite::types::ValueRef;
    Ok(match value {
        ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
        ValueRef::Integer(i) => AnyValueKind::BigInt(i),
        ValueRef::Real(r) => AnyValueKind::Double(r),
        ValueRef::Text(t) => AnyValueKind::Text(
            String::from_utf8(t.to_vec())
                .map_err(|_| StoreError::Corrupt("a stored text is not UTF-8".into()))?
                .into(),
        ),
        ValueRef::Blob(b) => AnyValueKind::Blob(b.to_vec().into()),
    })
}

/// `sqlx::query` on the `Any` driver, so a statement's database is known before it is run.
pub fn query(sql: &str) -> Statement<'_> {
    sqlx::query(sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Wall;

    #[derive(Debug, PartialEq, sqlx::FromRow)]
    struct Mixed {
        a: i64,
        b: Option<String>,
        c: f64,
        d: Vec<u8>,
        e: Option<i64>,
    }

    /// The same statement through sqlx and on the calling thread: the same rows, decoded the
    /// same way, with `$N` bound by number even where they appear out of order.
    #[tokio::test]
    async fn a_read_on_the_calling_thread_answers_as_sqlx_does() {
        let (_dir, store) = crate::migrated_sqlite_file(2).await;
        let sql = "SELECT $2 AS a, $4 AS b, $1 AS c, $3 AS d, NULL AS e \
                   UNION ALL SELECT $2 + 1, NULL, $1 * 2, $3, $2";
        let bound = || {
            query(sql)
                .bind(1.5_f64)
                .bind(7_i64)
                .bind(vec![0_u8, 255])
                .bind("Zoë")
        };
        let mut conn = store.conn(Wall::System).await.expect("conn");
        assert!(conn.direct.is_some(), "SQLite reads on the calling thread");
        let direct: Vec<Mixed> = bound().all_on(&mut conn).await.expect("direct");
        let through_sqlx: Vec<Mixed> = bound().all_on(conn.sqlx()).await.expect("sqlx");
        assert_eq!(direct, through_sqlx);
        assert_eq!(
            direct[0],
            Mixed {
                a: 7,
                b: Some("Zoë".into()),
                c: 1.5,
                d: vec![0, 255],
                e: None,
            }
        );
        assert_eq!(direct[1].e, Some(7));
    }

    /// A write sent down the reading path is refused, never written outside the write gate.
    #[tokio::test]
    async fn the_reading_path_refuses_a_write() {
        let (_dir, store) = crate::migrated_sqlite_file(2).await;
        let mut conn = store.conn(Wall::System).await.expect("conn");
        let written = query("INSERT INTO agencies (name, slug, created_at) VALUES ('a', 'a', 0)")
            .rows_on(&mut conn)
            .await;
        assert!(written.is_err(), "query_only refuses the insert");
        let count: (i64,) = query("SELECT COUNT(*) FROM agencies")
            .one_on(&mut conn)
            .await
            .expect("count");
        assert_eq!(count.0, 0);
    }
}
