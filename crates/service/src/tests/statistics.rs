//! Planner statistics: `refresh_statistics` leaves the database with statistics for the tables
//! the hot queries plan over (without them SQLite walked a whole agency's cases per caseload).

use super::*;
use sqlx::Row;

#[tokio::test]
async fn refreshing_statistics_gives_the_planner_figures_for_the_case_tables() {
    each_backend(|env| async move {
        env.client_with_case("Ana Torres").await;
        env.client_with_case("Bo Lindqvist").await;
        let mut conn = env.app.store().owner_conn().await.expect("owner");
        let probe = match env.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1' AND type = 'table'"
            }
            // A table never analyzed (nor vacuumed) has reltuples -1.
            Backend::Postgres => {
                "SELECT COUNT(*) FROM pg_class WHERE relname = 'cases' AND reltuples >= 0"
            }
        };
        assert_eq!(
            probed(&mut conn, probe).await,
            0,
            "a fresh database has no statistics yet"
        );

        env.app.store().refresh_statistics().await.expect("analyze");

        assert_eq!(
            probed(&mut conn, probe).await,
            1,
            "statistics were gathered"
        );
        if env.backend == Backend::Sqlite {
            let cases: i64 = sqlx::query("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'cases'")
                .fetch_one(&mut conn)
                .await
                .expect("stat1")
                .get(0);
            assert!(cases > 0, "the cases table's indexes have statistics");
        }
    })
    .await;
}

/// After a bulk load the seeder settles the database: statistics on both, and on PostgreSQL
/// the loaded pages marked visible to all, so index-only scans need not read the table too.
#[tokio::test]
async fn settling_after_a_bulk_load_marks_the_loaded_pages_visible() {
    each_backend(|env| async move {
        env.client_with_case("Ana Torres").await;
        let mut conn = env.app.store().owner_conn().await.expect("owner");
        let probe = match env.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1' AND type = 'table'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM pg_class
                 WHERE relname = 'cases' AND relpages > 0 AND relallvisible = relpages"
            }
        };
        assert_eq!(probed(&mut conn, probe).await, 0, "nothing settled yet");
        env.app
            .store()
            .settle_after_bulk_load()
            .await
            .expect("settle");
        assert_eq!(probed(&mut conn, probe).await, 1, "settled");
    })
    .await;
}

async fn probed(conn: &mut sqlx::AnyConnection, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(conn)
        .await
        .expect("probe")
        .get(0)
}
