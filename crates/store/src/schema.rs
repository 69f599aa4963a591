//! What the schema looks like from the inside, so a test can hold the two backends' migrations
//! against each other.

use crate::{Backend, Result, Store};
use sqlx::Row;
use std::collections::BTreeSet;

/// (table, column, type class) for every application table.
pub async fn columns(store: &Store) -> Result<BTreeSet<(String, String, &'static str)>> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema()"
        }
    };
    let rows = sqlx::query(sql).fetch_all(store.pool()).await?;
    rows.iter()
        .map(|r| {
            let ty: String = r.try_get(2)?;
            Ok((r.try_get(0)?, r.try_get(1)?, type_class(&ty)))
        })
        .collect()
}

fn type_class(ty: &str) -> &'static str {
    let t = ty.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("text") || t.contains("char") {
        "text"
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        "real"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else {
        "other"
    }
}

/// Index names on application tables.
pub async fn indexes(store: &Store) -> Result<BTreeSet<String>> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        }
        Backend::Postgres => {
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()
             AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'"
        }
    };
    let rows = sqlx::query(sql).fetch_all(store.pool()).await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}
