//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database created from
//! `CASEWORK_TEST_DATABASE_URL` and dropped when the guard goes.

use crate::{backend_of, Backend};
use sqlx::{Connection, Executor};

/// Which backends tests should run on: SQLite always, PostgreSQL when the variable is set.
/// Under CI the variable is required, so a missing PostgreSQL can never pass as green.
pub fn backends() -> Vec<Backend> {
    let pg = std::env::var("CASEWORK_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if pg.is_none() && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but CASEWORK_TEST_DATABASE_URL is not set: PostgreSQL tests would be skipped"
        );
    }
    let mut out = vec![Backend::Sqlite];
    if pg.is_some() {
        out.push(Backend::Postgres);
    }
    out
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    admin_url: Option<String>,
    name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TestDb {
    pub async fn fresh(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/casework.db", dir.path().display());
                TestDb {
                    url,
                    admin_url: None,
                    name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin = std::env::var("CASEWORK_TEST_DATABASE_URL")
                    .expect("CASEWORK_TEST_DATABASE_URL");
                assert_eq!(
                    backend_of(&admin).ok(),
                    Some(Backend::Postgres),
                    "CASEWORK_TEST_DATABASE_URL must be postgres://"
                );
                let name = format!("cw_t_{:016x}", rand_suffix());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to CASEWORK_TEST_DATABASE_URL");
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let url = replace_db(&admin, &name);
                TestDb {
                    url,
                    admin_url: Some(admin),
                    name: Some(name),
                    _dir: None,
                }
            }
        }
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// The same server and credentials, another database.
fn replace_db(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let root = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{db}?{q}"),
        None => format!("{root}/{db}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (Some(admin), Some(name)) = (self.admin_url.take(), self.name.take()) else {
            return;
        };
        // Drop runs inside the test's runtime; a separate thread with its own runtime can block.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ = conn
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                    }
                });
            }
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_swapped_keeping_credentials_and_options() {
        assert_eq!(
            super::replace_db("postgres://u:p@h:5432/test?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(super::replace_db("postgres://h", "x"), "postgres://h/x");
    }
}
