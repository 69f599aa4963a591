//! Bulk inserts for the synthetic dataset of `casework seed` and `casework bench`.
//!
//! One row at a time, a dataset of 100,000 clients is several million statements; here every
//! table is written with multi-row `INSERT`s of up to a thousand rows, sized to stay below the
//! bind-parameter limits of both databases (SQLite 32,766, PostgreSQL 65,535). Clients and cases
//! get their ids from the caller, so children can point at them without a round trip per row; on
//! PostgreSQL the identity sequences are moved past them afterwards ([`sync_sequences`]).
//!
//! Seeding is an operator's tool for an otherwise quiet database: ids are taken as `MAX(id) + 1`
//! inside the caller's write transaction.

use crate::{backend_of_conn, Backend, Conn, Result};
use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;
use sqlx::Row;

type Q<'q> = Query<'q, Any, AnyArguments<'q>>;

/// Stays under SQLite's default limit of 32,766 bind parameters (PostgreSQL allows 65,535).
const MAX_PARAMS: usize = 30_000;
/// More rows per statement stops paying off and only makes each statement's SQL text longer.
const MAX_ROWS: usize = 1_000;

/// A row that goes into one table by multi-row `INSERT`.
pub trait BulkRow {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// Bind this row's values in `COLUMNS` order.
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q>;
}

/// `INSERT ... VALUES (...),(...)` for `rows` rows. SQLite gets anonymous `?` placeholders: for
/// numbered ones sqlx looks up every parameter's name, and SQLite finds a name by a linear scan,
/// which makes a statement of n parameters cost n² (80% of the seed's time at 30,000 parameters).
fn insert_sql(table: &str, columns: &[&str], rows: usize, backend: Backend) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    sql.reserve(rows * width * 7);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push(',');
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// Rows per statement for a table of `width` columns.
pub fn rows_per_statement(width: usize) -> usize {
    (MAX_PARAMS / width.max(1)).clamp(1, MAX_ROWS)
}

/// Insert every row, a statement per chunk, inside the caller's transaction.
pub async fn insert_all<R: BulkRow>(conn: &mut Conn, rows: &[R]) -> Result<u64> {
    let per = rows_per_statement(R::COLUMNS.len());
    let backend = backend_of_conn(conn);
    let mut written = 0;
    for chunk in rows.chunks(per) {
        let sql = insert_sql(R::TABLE, R::COLUMNS, chunk.len(), backend);
        let mut q = sqlx::query(&sql);
        for row in chunk {
            q = row.bind(q);
        }
        written += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

/// The first id free in `table` (one of the seeded tables with caller-chosen ids).
pub async fn next_id(conn: &mut Conn, table: IdTable) -> Result<i64> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {}", table.name());
    let row = sqlx::query(&sql).fetch_one(&mut *conn).await?;
    Ok(row.try_get::<i64, _>(0)? + 1)
}

/// The tables whose ids the seeder chooses itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdTable {
    Clients,
    Cases,
    /// Contact ids are chosen too: the sealed summary is bound to its row id.
    Contacts,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::Clients => "clients",
            IdTable::Cases => "cases",
            IdTable::Contacts => "contacts",
        }
    }
}

/// After rows were inserted with explicit ids, make PostgreSQL's identity sequences hand out ids
/// above them (SQLite's `INTEGER PRIMARY KEY` already picks `MAX(id) + 1`).
pub async fn sync_sequences(conn: &mut Conn) -> Result<()> {
    if backend_of_conn(conn) != Backend::Postgres {
        return Ok(());
    }
    for table in [IdTable::Clients, IdTable::Cases, IdTable::Contacts] {
        let t = table.name();
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)"
        );
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The URL of database `name` on the server `url` points at (same user, host and options).
pub fn url_with_database(url: &str, name: &str) -> Option<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://")? + 3;
    let slash = base[after_scheme..].find('/').map(|i| i + after_scheme);
    let server = match slash {
        Some(i) => &base[..i],
        None => base,
    };
    Some(match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    })
}

fn scratch_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 60
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// For the benchmark: create an empty PostgreSQL database `name` next to the one `admin_url`
/// names (whose user may create databases) and return its URL.
pub async fn create_scratch_database(admin_url: &str, name: &str) -> Result<String> {
    if !scratch_name_ok(name) {
        return Err(crate::StoreError::Corrupt(format!(
            "scratch database name {name:?}"
        )));
    }
    let url = url_with_database(admin_url, name)
        .ok_or_else(|| crate::StoreError::UnsupportedUrl("postgres".into()))?;
    let mut admin = admin_conn(admin_url).await?;
    // Names cannot be bound as parameters; `name` was checked to be [a-z0-9_] above.
    let created = sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await;
    sqlx::Connection::close(admin).await.ok();
    created?;
    Ok(url)
}

/// The admin's own connection: not the serving pool, whose role may not create databases.
async fn admin_conn(admin_url: &str) -> Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    crate::backend_of(admin_url)?;
    Ok(<sqlx::AnyConnection as sqlx::Connection>::connect(admin_url).await?)
}

/// Drop a database made by [`create_scratch_database`], closing any connection left to it.
pub async fn drop_scratch_database(admin_url: &str, name: &str) -> Result<()> {
    if !scratch_name_ok(name) {
        return Err(crate::StoreError::Corrupt(format!(
            "scratch database name {name:?}"
        )));
    }
    let mut admin = admin_conn(admin_url).await?;
    let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
    sqlx::Connection::close(admin).await.ok();
    dropped?;
    Ok(())
}

/// How much of each kind an agency holds: what a seed wrote, or whether a demo already ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgencyCounts {
    pub users: i64,
    pub clients: i64,
    pub cases: i64,
    pub contacts: i64,
    pub consents: i64,
    pub stage_moves: i64,
    pub name_grams: i64,
    pub audit_entries: i64,
}

pub async fn counts(conn: &mut Conn, agency_id: i64) -> Result<AgencyCounts> {
    let mut one = async |table: &str| -> Result<i64> {
        // `table` is one of the fixed names below, never input.
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE agency_id = $1");
        let row = sqlx::query(&sql)
            .bind(agency_id)
            .fetch_one(&mut *conn)
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    };
    Ok(AgencyCounts {
        users: one("users").await?,
        clients: one("clients").await?,
        cases: one("cases").await?,
        contacts: one("contacts").await?,
        consents: one("service_consents").await?,
        stage_moves: one("stage_history").await?,
        name_grams: one("client_name_grams").await?,
        audit_entries: one("audit_entries").await?,
    })
}

/// An agency's clients' ids and legal names in id order, at most `limit`: for checking that a
/// seed is deterministic and for picking names to search for.
pub async fn client_names(
    conn: &mut Conn,
    agency_id: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    let rows =
        sqlx::query("SELECT id, legal_name FROM clients WHERE agency_id = $1 ORDER BY id LIMIT $2")
            .bind(agency_id)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedClient {
    pub id: i64,
    pub agency_id: i64,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub birth_date: Option<String>,
    pub birth_year_estimate: Option<i64>,
    pub gender_identity: Option<String>,
    pub pronouns: Option<String>,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub cultural_considerations: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_contact: Option<String>,
    pub address: Option<String>,
    pub registered_by: i64,
    pub created_at: i64,
}

impl BulkRow for SeedClient {
    const TABLE: &'static str = "clients";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "agency_id",
        "legal_name",
        "preferred_name",
        "birth_date",
        "birth_year_estimate",
        "gender_identity",
        "pronouns",
        "preferred_language",
        "interpreter_needed",
        "cultural_considerations",
        "phone",
        "email",
        "safe_contact",
        "address",
        "registered_by",
        "created_at",
        "updated_at",
    ];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.id)
            .bind(self.agency_id)
            .bind(self.legal_name.as_str())
            .bind(self.preferred_name.as_deref())
            .bind(self.birth_date.as_deref())
            .bind(self.birth_year_estimate)
            .bind(self.gender_identity.as_deref())
            .bind(self.pronouns.as_deref())
            .bind(self.preferred_language.as_str())
            .bind(self.interpreter_needed as i64)
            .bind(self.cultural_considerations.as_deref())
            .bind(self.phone.as_deref())
            .bind(self.email.as_deref())
            // Sealed after loading, by the rotation pass that seals legacy values.
            .bind(
                self.safe_contact
                    .as_ref()
                    .map(|s| format!("{}{s}", crate::vault::LEGACY)),
            )
            .bind(self.address.as_deref())
            .bind(self.registered_by)
            .bind(self.created_at)
            .bind(self.created_at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedIdentifier {
    pub agency_id: i64,
    pub client_id: i64,
    pub kind: String,
    pub value: String,
}

impl BulkRow for SeedIdentifier {
    const TABLE: &'static str = "client_identifiers";
    const COLUMNS: &'static [&'static str] =
        &["agency_id", "client_id", "kind", "value", "value_norm"];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.agency_id)
            .bind(self.client_id)
            .bind(self.kind.as_str())
            // Marked legacy here and sealed (with its blind index) right after loading.
            .bind(format!("{}{}", crate::vault::LEGACY, self.value))
            .bind(format!(
                "{}{}",
                crate::vault::LEGACY,
                crate::client::identifier_norm(&self.value)
            ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedHouseholdMember {
    pub agency_id: i64,
    pub client_id: i64,
    pub name: String,
    pub relationship: Option<String>,
    pub birth_date: Option<String>,
}

impl BulkRow for SeedHouseholdMember {
    const TABLE: &'static str = "household_members";
    const COLUMNS: &'static [&'static str] = &[
        "agency_id",
        "client_id",
        "name",
        "relationship",
        "birth_date",
    ];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.agency_id)
            .bind(self.client_id)
            .bind(self.name.as_str())
            .bind(self.relationship.as_deref())
            .bind(self.birth_date.as_deref())
    }
}

/// One trigram of a client's name; the caller takes them from `matching::name_trigrams` so
/// search treats seeded clients exactly like registered ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedNameGram {
    pub agency_id: i64,
    pub gram: String,
    pub client_id: i64,
}

impl BulkRow for SeedNameGram {
    const TABLE: &'static str = "client_name_grams";
    const COLUMNS: &'static [&'static str] = &["agency_id", "gram", "client_id"];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.agency_id)
            .bind(self.gram.as_str())
            .bind(self.client_id)
    }
}

/// A seeded client's first data key, wrapped (`Vault::fresh_client_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedClientKey {
    pub agency_id: i64,
    pub client_id: i64,
    pub wrapped: String,
    pub created_at: i64,
}

impl BulkRow for SeedClientKey {
    const TABLE: &'static str = "client_keys";
    const COLUMNS: &'static [&'static str] =
        &["agency_id", "client_id", "version", "wrapped", "created_at"];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.agency_id)
            .bind(self.client_id)
            .bind(1i64)
            .bind(self.wrapped.as_str())
            .bind(self.created_at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedCase {
    pub id: i64,
    pub agency_id: i64,
    pub client_id: i64,
    pub program_id: Option<i64>,
    pub team_id: Option<i64>,
    pub primary_worker_id: Option<i64>,
    pub referral_source: Option<String>,
    /// Sealed by the seeder under the client's key before the batch is written
    /// (`Vault::seal_under`); written as is.
    pub presenting_problem: String,
    pub stage: &'static str,
    pub stage_entered_at: i64,
    pub risk_flag: bool,
    pub opened_by: i64,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    /// One more than the number of stage moves, as the service's updates would have left it.
    pub version: i64,
}

impl BulkRow for SeedCase {
    const TABLE: &'static str = "cases";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "agency_id",
        "client_id",
        "program_id",
        "team_id",
        "primary_worker_id",
        "referral_source",
        "presenting_problem",
        "stage",
        "stage_entered_at",
        "risk_flag",
        "opened_by",
        "opened_at",
        "closed_at",
        "version",
    ];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.id)
            .bind(self.agency_id)
            .bind(self.client_id)
            .bind(self.program_id)
            .bind(self.team_id)
            .bind(self.primary_worker_id)
            .bind(self.referral_source.as_deref())
            .bind(self.presenting_problem.as_str())
            .bind(self.stage)
            .bind(self.stage_entered_at)
            .bind(self.risk_flag as i64)
            .bind(self.opened_by)
            .bind(self.opened_at)
            .bind(self.closed_at)
            .bind(self.version)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedStageMove {
    pub agency_id: i64,
    pub case_id: i64,
    pub from_stage: Option<&'static str>,
    pub to_stage: &'static str,
    pub moved_by: i64,
    pub moved_at: i64,
    pub override_reason: Option<&'static str>,
}

impl BulkRow for SeedStageMove {
    const TABLE: &'static str = "stage_history";
    const COLUMNS: &'static [&'static str] = &[
        "agency_id",
        "case_id",
        "from_stage",
        "to_stage",
        "moved_by",
        "moved_at",
        "override_reason",
    ];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.agency_id)
            .bind(self.case_id)
            .bind(self.from_stage)
            .bind(self.to_stage)
            .bind(self.moved_by)
            .bind(self.moved_at)
            .bind(self.override_reason)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedAssignment {
    pub agency_id: i64,
    pub case_id: i64,
    pub worker_id: Option<i64>,
    pub team_id: Option<i64>,
    pub assigned_by: i64,
    pub assigned_at: i64,
}

impl BulkRow for SeedAssignment {
    const TABLE: &'static str = "assignments";
    const COLUMNS: &'static [&'static str] = &[
        "agency_id",
        "case_id",
        "worker_id",
        "team_id",
        "assigned_by",
        "assigned_at",
    ];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.agency_id)
            .bind(self.case_id)
            .bind(self.worker_id)
            .bind(self.team_id)
            .bind(self.assigned_by)
            .bind(self.assigned_at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedContact {
    pub id: i64,
    pub agency_id: i64,
    pub case_id: i64,
    pub contact_date: String,
    pub mode: &'static str,
    pub duration_minutes: i64,
    pub participants: Option<&'static str>,
    pub interpreter_used: bool,
    /// Sealed by the seeder (see `SeedCase::presenting_problem`).
    pub summary: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: i64,
}

impl BulkRow for SeedContact {
    const TABLE: &'static str = "contacts";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "agency_id",
        "case_id",
        "contact_date",
        "mode",
        "duration_minutes",
        "participants",
        "interpreter_used",
        "summary",
        "recorded_by",
        "recorded_at",
    ];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.id)
            .bind(self.agency_id)
            .bind(self.case_id)
            .bind(self.contact_date.as_str())
            .bind(self.mode)
            .bind(self.duration_minutes)
            .bind(self.participants)
            .bind(self.interpreter_used as i64)
            .bind(self.summary.as_deref())
            .bind(self.recorded_by)
            .bind(self.recorded_at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedConsent {
    pub agency_id: i64,
    pub case_id: i64,
    pub client_id: i64,
    pub given_on: String,
    pub method: &'static str,
    pub witness: Option<&'static str>,
    pub recorded_by: i64,
    pub recorded_at: i64,
}

impl BulkRow for SeedConsent {
    const TABLE: &'static str = "service_consents";
    const COLUMNS: &'static [&'static str] = &[
        "agency_id",
        "case_id",
        "client_id",
        "given_on",
        "method",
        "witness",
        "recorded_by",
        "recorded_at",
    ];
    fn bind<'q>(&'q self, q: Q<'q>) -> Q<'q> {
        q.bind(self.agency_id)
            .bind(self.case_id)
            .bind(self.client_id)
            .bind(self.given_on.as_str())
            .bind(self.method)
            .bind(self.witness)
            .bind(self.recorded_by)
            .bind(self.recorded_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_stay_under_both_parameter_limits() {
        for width in [3, 5, 8, 10, 15, 18] {
            let rows = rows_per_statement(width);
            assert!(rows * width <= 32_766, "{width}");
            assert!(rows >= 1);
        }
        assert_eq!(
            url_with_database("postgres://u:p@h:5432/test?sslmode=disable", "x_1").as_deref(),
            Some("postgres://u:p@h:5432/x_1?sslmode=disable")
        );
        assert_eq!(
            url_with_database("postgres://u@h", "x").as_deref(),
            Some("postgres://u@h/x")
        );
        assert!(!scratch_name_ok("x; DROP"));
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, Backend::Postgres),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)"
        );
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, Backend::Sqlite),
            "INSERT INTO t (a, b) VALUES (?,?),(?,?)"
        );
    }
}
