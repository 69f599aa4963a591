//! Key rotation and its progress: rewrap every client data key under the newest master key,
//! re-seal master-level ciphertexts and blind indexes, seal values still marked legacy, and (on
//! request) issue fresh client data keys and re-seal every field under them.
//!
//! Runs in batches, each its own short transaction, while the server keeps serving: old
//! versions stay readable throughout, and every write is a compare-and-swap on the old
//! ciphertext, so a value the server changed meanwhile is left alone (it is already sealed
//! under the newest key). Running it again finishes what an interrupted run left.

use crate::client::identifier_norm;
use crate::client_key;
use crate::vault::{seal_with, At, Vault, LEGACY};
use crate::{Conn, Result, Store, StoreError};
use casework_domain::crypto::{KeyRef, Place, Sealed, BLIND_PREFIX};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// A column holding sealed values.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub table: &'static str,
    pub column: &'static str,
    id_column: &'static str,
    /// SQL giving the owning client of row `t`; `None` for values sealed under the master key.
    client: Option<&'static str>,
}

const VIA_CASE: &str = "(SELECT c.client_id FROM cases c WHERE c.id = t.case_id)";
const VIA_PLAN: &str =
    "(SELECT c.client_id FROM plans p JOIN cases c ON c.id = p.case_id WHERE p.id = t.plan_id)";
const VIA_INTERVENTION: &str =
    "(SELECT c.client_id FROM interventions i JOIN plans p ON p.id = i.plan_id JOIN cases c ON c.id = p.case_id WHERE i.id = t.intervention_id)";

const fn of_case(table: &'static str, column: &'static str) -> Field {
    Field {
        table,
        column,
        id_column: "id",
        client: Some(VIA_CASE),
    }
}

/// Every sealed column.
pub const FIELDS: &[Field] = &[
    Field {
        table: "clients",
        column: "safe_contact",
        id_column: "id",
        client: Some("t.id"),
    },
    Field {
        table: "client_identifiers",
        column: "value",
        id_column: "id",
        client: Some("t.client_id"),
    },
    Field {
        table: "cases",
        column: "presenting_problem",
        id_column: "id",
        client: Some("t.client_id"),
    },
    of_case("contacts", "summary"),
    of_case("case_notes", "sections"),
    Field {
        table: "note_addenda",
        column: "body",
        id_column: "id",
        client: Some(
            "(SELECT c.client_id FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE n.id = t.note_id)",
        ),
    },
    of_case("assessments", "situation"),
    of_case("assessments", "background"),
    of_case("assessments", "resources"),
    of_case("assessments", "limitations"),
    of_case("assessments", "risk_details"),
    of_case("assessments", "client_words"),
    of_case("needs", "description"),
    of_case("goals", "statement"),
    of_case("goals", "measure"),
    of_case("goals", "baseline"),
    of_case("goals", "target"),
    of_case("goals", "resources"),
    of_case("goals", "barriers"),
    of_case("goals", "gas_minus2"),
    of_case("goals", "gas_minus1"),
    of_case("goals", "gas_zero"),
    of_case("goals", "gas_plus1"),
    of_case("goals", "gas_plus2"),
    of_case("goals", "client_words"),
    of_case("plans", "client_words"),
    of_case("plans", "return_comment"),
    of_case("case_tasks", "title"),
    of_case("case_tasks", "description"),
    of_case("case_tasks", "cancel_reason"),
    Field {
        table: "interventions",
        column: "description",
        id_column: "id",
        client: Some(VIA_PLAN),
    },
    Field {
        table: "interventions",
        column: "responsible_name",
        id_column: "id",
        client: Some(VIA_PLAN),
    },
    Field {
        table: "interventions",
        column: "resources",
        id_column: "id",
        client: Some(VIA_PLAN),
    },
    Field {
        table: "plan_tasks",
        column: "description",
        id_column: "id",
        client: Some(VIA_INTERVENTION),
    },
    Field {
        table: "plan_tasks",
        column: "responsible_name",
        id_column: "id",
        client: Some(VIA_INTERVENTION),
    },
    of_case("strengths", "description"),
    of_case("instrument_results", "answers"),
    of_case("terminations", "closing_summary"),
    of_case("terminations", "growth"),
    of_case("terminations", "aftercare_plan"),
    of_case("terminations", "return_comment"),
    of_case("follow_ups", "new_needs"),
    of_case("follow_ups", "referrals"),
    of_case("follow_ups", "comment"),
    of_case("services_delivered", "note"),
    of_case("progress_entries", "comment"),
    of_case("evaluations", "summary"),
    of_case("evaluations", "feedback_comment"),
    Field {
        table: "evaluation_goals",
        column: "comment",
        id_column: "id",
        client: Some(
            "(SELECT c.client_id FROM evaluations e JOIN cases c ON c.id = e.case_id WHERE e.id = t.evaluation_id)",
        ),
    },
    of_case("form_responses", "answers"),
    Field {
        table: "user_totp",
        column: "secret",
        id_column: "user_id",
        client: None,
    },
    // One provider per agency: its row is keyed by the agency.
    Field {
        table: "identity_providers",
        column: "client_secret",
        id_column: "agency_id",
        client: None,
    },
];

#[derive(Debug, Clone, Copy)]
pub struct RotateOptions {
    /// Also issue every client a fresh data key and re-seal every field under it.
    pub data_keys: bool,
    /// Rows per transaction.
    pub batch: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotateReport {
    pub keys_rewrapped: u64,
    pub keys_issued: u64,
    pub keys_retired: u64,
    pub values_resealed: u64,
    pub legacy_sealed: u64,
    pub indexes_rewritten: u64,
}

pub async fn rotate(
    store: &Store,
    vault: &Vault,
    opts: RotateOptions,
    now: i64,
) -> Result<RotateReport> {
    // One newest version from start to end, even if the server reloads its keys meanwhile (the
    // next run then takes everything on to the newer one).
    let vault = &vault.frozen();
    let mut report = RotateReport {
        keys_rewrapped: rewrap_data_keys(store, vault, opts.batch).await?,
        ..RotateReport::default()
    };
    if opts.data_keys {
        report.keys_issued = issue_data_keys(store, vault, opts.batch, now).await?;
    }
    for field in FIELDS {
        reseal_field(store, vault, field, opts, now, &mut report).await?;
    }
    if opts.data_keys {
        // A write that raced the first pass under an old data key is caught by a second.
        for field in FIELDS {
            reseal_field(store, vault, field, opts, now, &mut report).await?;
        }
        report.keys_retired = retire_old_data_keys(store).await?;
    }
    Ok(report)
}

fn version_of(v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("key version {v}")))
}

async fn rewrap_data_keys(store: &Store, vault: &Vault, batch: i64) -> Result<u64> {
    let (newest, _) = vault.keyring().newest();
    let current = format!("enc1:m{newest}:%");
    let mut cursor = (0i64, 0i64);
    let mut done = 0;
    loop {
        let mut tx = store.begin_write(crate::Wall::System).await?;
        let rows = sqlx::query(
            "SELECT agency_id, client_id, version, wrapped FROM client_keys
             WHERE wrapped IS NOT NULL AND (client_id > $1 OR (client_id = $1 AND version > $2))
             ORDER BY client_id, version LIMIT $3",
        )
        .bind(cursor.0)
        .bind(cursor.1)
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else {
            break;
        };
        cursor = (last.try_get(1)?, last.try_get(2)?);
        for r in &rows {
            let (agency_id, client_id, version): (i64, i64, i64) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            let wrapped: String = r.try_get(3)?;
            if like(&wrapped, &current) {
                continue;
            }
            let v = version_of(version)?;
            let key = client_key::unwrap(&vault.keyring(), agency_id, client_id, v, &wrapped)?;
            let rewrapped = client_key::wrap(&vault.keyring(), agency_id, client_id, v, &key);
            let res = sqlx::query(
                "UPDATE client_keys SET wrapped = $1 WHERE client_id = $2 AND version = $3 AND wrapped = $4",
            )
            .bind(rewrapped)
            .bind(client_id)
            .bind(version)
            .bind(&wrapped)
            .execute(&mut *tx)
            .await?;
            done += res.rows_affected();
        }
        crate::commit(tx).await?;
    }
    Ok(done)
}

/// `text` matches a `prefix%` pattern.
fn like(text: &str, pattern: &str) -> bool {
    text.starts_with(pattern.trim_end_matches('%'))
}

async fn issue_data_keys(store: &Store, vault: &Vault, batch: i64, now: i64) -> Result<u64> {
    let mut cursor = 0i64;
    let mut issued = 0;
    loop {
        let mut tx = store.begin_write(crate::Wall::System).await?;
        // Each live client's newest key, if it was made before this run (so a run issues once).
        let rows = sqlx::query(
            "SELECT k.agency_id, k.client_id, k.version FROM client_keys k
             WHERE k.client_id > $1 AND k.wrapped IS NOT NULL AND k.created_at < $2
               AND k.version = (SELECT MAX(k2.version) FROM client_keys k2 WHERE k2.client_id = k.client_id)
             ORDER BY k.client_id LIMIT $3",
        )
        .bind(cursor)
        .bind(now)
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else {
            break;
        };
        cursor = last.try_get(1)?;
        for r in &rows {
            let (agency_id, client_id, version): (i64, i64, i64) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            client_key::issue(
                &mut tx,
                &vault.keyring(),
                agency_id,
                client_id,
                version_of(version)? + 1,
                now,
            )
            .await?;
            issued += 1;
        }
        crate::commit(tx).await?;
    }
    Ok(issued)
}

async fn retire_old_data_keys(store: &Store) -> Result<u64> {
    let mut tx = store.begin_write(crate::Wall::System).await?;
    let done = sqlx::query(
        "DELETE FROM client_keys WHERE wrapped IS NOT NULL
           AND version < (SELECT MAX(k2.version) FROM client_keys k2 WHERE k2.client_id = client_keys.client_id)",
    )
    .execute(&mut *tx)
    .await?;
    crate::commit(tx).await?;
    Ok(done.rows_affected())
}

/// What one stored value should become, if anything.
struct Change {
    value: String,
    index: Option<String>,
}

async fn reseal_field(
    store: &Store,
    vault: &Vault,
    field: &Field,
    opts: RotateOptions,
    now: i64,
    report: &mut RotateReport,
) -> Result<()> {
    let identifiers = field.table == "client_identifiers";
    let client_sql = field.client.unwrap_or("NULL");
    let index_sql = if identifiers { "t.value_norm" } else { "NULL" };
    let sql = format!(
        "SELECT t.{id}, t.agency_id, {client_sql}, t.{col}, {index_sql} FROM {table} t
         WHERE t.{id} > $1 AND t.{col} IS NOT NULL ORDER BY t.{id} LIMIT $2",
        id = field.id_column,
        col = field.column,
        table = field.table,
    );
    let update = format!(
        "UPDATE {table} SET {col} = $1{index} WHERE {id} = $2 AND {col} = $3",
        table = field.table,
        col = field.column,
        id = field.id_column,
        index = if identifiers { ", value_norm = $4" } else { "" },
    );
    let mut cursor = 0i64;
    loop {
        let mut tx = store.begin_write(crate::Wall::System).await?;
        let rows = sqlx::query(&sql)
            .bind(cursor)
            .bind(opts.batch)
            .fetch_all(&mut *tx)
            .await?;
        let Some(last) = rows.last() else {
            break;
        };
        cursor = last.try_get(0)?;
        let mut current: HashMap<i64, (u32, casework_domain::crypto::Key)> = HashMap::new();
        for r in &rows {
            let (row_id, agency_id): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
            let owner: Option<i64> = r.try_get(2)?;
            let stored: String = r.try_get(3)?;
            let index: Option<String> = r.try_get(4)?;
            let change = plan(
                &mut tx,
                vault,
                field,
                (row_id, agency_id, owner),
                &stored,
                index.as_deref(),
                opts,
                now,
                &mut current,
                report,
            )
            .await?;
            let Some(change) = change else {
                continue;
            };
            let mut q = sqlx::query(&update)
                .bind(&change.value)
                .bind(row_id)
                .bind(&stored);
            if identifiers {
                q = q.bind(change.index);
            }
            q.execute(&mut *tx).await?;
        }
        crate::commit(tx).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn plan(
    conn: &mut Conn,
    vault: &Vault,
    field: &Field,
    (row_id, agency_id, owner): (i64, i64, Option<i64>),
    stored: &str,
    index: Option<&str>,
    opts: RotateOptions,
    now: i64,
    current: &mut HashMap<i64, (u32, casework_domain::crypto::Key)>,
    report: &mut RotateReport,
) -> Result<Option<Change>> {
    let (newest, _) = vault.keyring().newest();
    let legacy = stored.starts_with(LEGACY);
    // Which client's key should seal it, and is it sealed right already?
    let (seal_for, up_to_date) = match (legacy, field.client) {
        (true, Some(_)) => (owner, false),
        (true, None) => (None, false),
        (false, None) => {
            let sealed = Sealed::parse(stored)?;
            (None, sealed.key == KeyRef::Master { version: newest })
        }
        (false, Some(_)) => {
            let sealed = Sealed::parse(stored)?;
            let KeyRef::Client { client_id, version } = sealed.key else {
                return Err(casework_domain::crypto::CryptoError::Malformed.into());
            };
            let fresh = if opts.data_keys {
                let (cur, _) = current_key(conn, vault, agency_id, client_id, now, current).await?;
                cur == version
            } else {
                true
            };
            (Some(client_id), fresh)
        }
    };
    let index_current = index.is_none_or(|i| i.starts_with(&format!("{BLIND_PREFIX}{newest}:")));
    if up_to_date && index_current {
        return Ok(None);
    }
    let place = |client_id: i64| At::new(field.table, field.column, row_id, agency_id, client_id);
    let plain = match field.client {
        Some(_) => vault.open(conn, place(0), stored).await?,
        None => vault.open_master(&master_place(field, row_id, agency_id), stored)?,
    };
    let value = if up_to_date {
        stored.to_string()
    } else {
        if legacy {
            report.legacy_sealed += 1;
        } else {
            report.values_resealed += 1;
        }
        match seal_for {
            Some(client_id) => {
                let (v, key) = current_key(conn, vault, agency_id, client_id, now, current).await?;
                seal_with(key, v, place(client_id), &plain)
            }
            None if field.client.is_some() => {
                return Err(StoreError::Corrupt(format!(
                    "{}.{} row {row_id} has no client",
                    field.table, field.column
                )))
            }
            None => vault.seal_master(&master_place(field, row_id, agency_id), &plain),
        }
    };
    let index = match index {
        Some(_) if !index_current || legacy => {
            report.indexes_rewritten += 1;
            Some(vault.blind_index(agency_id, &identifier_norm(&plain)))
        }
        other => other.map(str::to_string),
    };
    Ok(Some(Change { value, index }))
}

fn master_place(field: &Field, row_id: i64, agency_id: i64) -> Place<'static> {
    Place {
        table: field.table,
        column: field.column,
        row_id,
        agency_id,
        client_id: None,
    }
}

async fn current_key<'c>(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    client_id: i64,
    now: i64,
    cache: &'c mut HashMap<i64, (u32, casework_domain::crypto::Key)>,
) -> Result<(u32, &'c casework_domain::crypto::Key)> {
    if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry(client_id) {
        let k = client_key::current(conn, &vault.keyring(), agency_id, client_id, now).await?;
        slot.insert(k);
    }
    let (v, k) = &cache[&client_id];
    Ok((*v, k))
}

/// How much each key version covers, for `casework keys status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyStatus {
    /// Client data keys by the master key version that wraps them.
    pub data_keys_by_master: BTreeMap<u32, u64>,
    pub data_keys_destroyed: u64,
    /// Ciphertexts under client data keys, by data key version.
    pub values_by_data_key: BTreeMap<u32, u64>,
    /// Ciphertexts under master keys (TOTP and OpenID Connect client secrets), by master version.
    pub values_by_master: BTreeMap<u32, u64>,
    /// Identifier blind indexes by master version.
    pub indexes_by_master: BTreeMap<u32, u64>,
    /// Values still in plaintext, marked legacy, waiting for `keys rotate`.
    pub legacy: u64,
    /// Values that are neither (should be zero).
    pub unrecognised: u64,
}

impl KeyStatus {
    /// Every master key version stored data needs: wrapping a data key, sealing a value, or
    /// keying a blind index.
    pub fn master_versions(&self) -> std::collections::BTreeSet<u32> {
        self.data_keys_by_master
            .keys()
            .chain(self.values_by_master.keys())
            .chain(self.indexes_by_master.keys())
            .copied()
            .collect()
    }
}

/// Does any stored value still need master key `version`? Stops at the first one found.
pub async fn master_version_in_use(conn: &mut Conn, version: u32) -> Result<bool> {
    let sealed = format!("{}m{version}:%", casework_domain::crypto::PREFIX);
    let mut checks = vec![("client_keys", "wrapped", sealed.clone())];
    checks.extend(
        FIELDS
            .iter()
            .filter(|f| f.client.is_none())
            .map(|f| (f.table, f.column, sealed.clone())),
    );
    checks.push((
        "client_identifiers",
        "value_norm",
        format!("{BLIND_PREFIX}{version}:%"),
    ));
    for (table, column, pattern) in checks {
        let sql = format!("SELECT 1 FROM {table} WHERE {column} LIKE $1 LIMIT 1");
        let found = sqlx::query(&sql)
            .bind(pattern)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn status(conn: &mut Conn) -> Result<KeyStatus> {
    let mut s = KeyStatus::default();
    let rows = sqlx::query("SELECT substr(wrapped, 1, 24) FROM client_keys")
        .fetch_all(&mut *conn)
        .await?;
    for r in &rows {
        match r.try_get::<Option<String>, _>(0)? {
            None => s.data_keys_destroyed += 1,
            Some(h) => match header(&h) {
                Some(KeyRef::Master { version }) => {
                    *s.data_keys_by_master.entry(version).or_default() += 1
                }
                _ => s.unrecognised += 1,
            },
        }
    }
    for field in FIELDS {
        let sql = format!(
            "SELECT substr({col}, 1, 40) FROM {table} WHERE {col} IS NOT NULL",
            col = field.column,
            table = field.table
        );
        for r in sqlx::query(&sql).fetch_all(&mut *conn).await? {
            let h: String = r.try_get(0)?;
            match header(&h) {
                _ if h.starts_with(LEGACY) => s.legacy += 1,
                Some(KeyRef::Client { version, .. }) => {
                    *s.values_by_data_key.entry(version).or_default() += 1
                }
                Some(KeyRef::Master { version }) => {
                    *s.values_by_master.entry(version).or_default() += 1
                }
                None => s.unrecognised += 1,
            }
        }
    }
    for r in sqlx::query("SELECT substr(value_norm, 1, 16) FROM client_identifiers")
        .fetch_all(&mut *conn)
        .await?
    {
        let h: String = r.try_get(0)?;
        let version = h
            .strip_prefix(BLIND_PREFIX)
            .and_then(|rest| rest.split(':').next())
            .and_then(|v| v.parse().ok());
        match version {
            Some(v) => *s.indexes_by_master.entry(v).or_default() += 1,
            None if h.starts_with(LEGACY) => {}
            None => s.unrecognised += 1,
        }
    }
    Ok(s)
}

/// The key named in the start of a ciphertext.
fn header(start: &str) -> Option<KeyRef> {
    let rest = start.strip_prefix(casework_domain::crypto::PREFIX)?;
    KeyRef::parse(rest.split(':').next()?)
}
