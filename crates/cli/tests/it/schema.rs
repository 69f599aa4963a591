//! The SQLite and PostgreSQL migrations must build the same schema.

use crate::harness::{backends, Backend, TestDb};
use casework_store::{schema, Store};
use std::collections::BTreeSet;
use std::fmt::Debug;

fn difference<T: Ord + Debug>(sqlite: &BTreeSet<T>, postgres: &BTreeSet<T>) -> String {
    format!(
        "only on SQLite: {:#?}\nonly on PostgreSQL: {:#?}",
        sqlite.difference(postgres).collect::<Vec<_>>(),
        postgres.difference(sqlite).collect::<Vec<_>>()
    )
}

async fn migrated(backend: Backend) -> (Store, TestDb) {
    let db = TestDb::fresh(backend).await;
    let store = Store::connect(&db.url, 2).await.expect("connect");
    store.migrate().await.expect("migrate");
    (store, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_agree() {
    if !backends().contains(&Backend::Postgres) {
        // `backends()` already failed the test if CI is set; locally PostgreSQL is optional.
        eprintln!("skipped: set CASEWORK_TEST_DATABASE_URL=postgres://... to compare schemas");
        return;
    }
    let (sqlite, _sqlite_db) = migrated(Backend::Sqlite).await;
    let (postgres, _postgres_db) = migrated(Backend::Postgres).await;

    let sqlite_columns = schema::columns(&sqlite).await.expect("SQLite columns");
    let postgres_columns = schema::columns(&postgres)
        .await
        .expect("PostgreSQL columns");
    assert!(
        !sqlite_columns.is_empty(),
        "no columns found: the schema query is broken"
    );
    assert!(
        sqlite_columns == postgres_columns,
        "columns differ:\n{}",
        difference(&sqlite_columns, &postgres_columns)
    );

    let sqlite_indexes = schema::indexes(&sqlite).await.expect("SQLite indexes");
    let postgres_indexes = schema::indexes(&postgres)
        .await
        .expect("PostgreSQL indexes");
    assert!(
        sqlite_indexes == postgres_indexes,
        "indexes differ:\n{}",
        difference(&sqlite_indexes, &postgres_indexes)
    );
    sqlite.close().await;
    postgres.close().await;
}
