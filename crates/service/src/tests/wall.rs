//! The second wall (PostgreSQL row-level security): queries that forget the agency filter still
//! see and touch only the agency their transaction is walled to. SQLite has no such wall; these
//! tests check PostgreSQL only.

use super::*;
use casework_domain::note::NoteForm;
use casework_store::Wall;
use sqlx::{Connection, Executor, Row};

/// Tables that hold no agency's rows: which migrations ran, sign-in throttles keyed by email or
/// address before anyone is known, the retention job's claim and runs (one job for every
/// agency). Every other table must be walled.
const UNWALLED: &[&str] = &[
    "login_failures",
    "schema_migrations",
    "job_claims",
    "retention_runs",
    // SQLite's bookkeeping of the audit staging file: no agency's rows (empty on PostgreSQL).
    "audit_staging_marks",
];

/// A client with a case and a note in the stranger's agency.
async fn seed_other_agency(env: &Env) -> (i64, i64) {
    let other = env.stranger.agency_id;
    let intake = user(&env.app, other, "ivy@elsewhere.org", "intake_worker", None).await;
    let worker = user(
        &env.app,
        other,
        "wil@elsewhere.org",
        "caseworker",
        env.stranger.team_id,
    )
    .await;
    let client = env
        .app
        .register_client(
            &intake,
            &client_form("Bea Elsewhere", Some("1985-02-03")),
            &Default::default(),
        )
        .await
        .expect("register in B");
    let case = env
        .app
        .open_case(
            &intake,
            &CaseForm {
                client_id: client.id,
                presenting_problem: "Lost job".into(),
                primary_worker_id: Some(worker.user_id),
                team_id: worker.team_id,
                ..Default::default()
            },
        )
        .await
        .expect("case in B");
    env.app
        .write_note(&worker, case.id, &note())
        .await
        .expect("note in B");
    (client.id, case.id)
}

fn note() -> NoteForm {
    NoteForm {
        format: "narrative".into(),
        sensitivity: Some("normal".into()),
        body: Some("Met at the office".into()),
        ..Default::default()
    }
}

/// The agency of every row a query without an agency filter returns.
async fn agencies_seen(conn: &mut casework_store::Conn, table: &str) -> Vec<i64> {
    let rows = sqlx::query(&format!("SELECT agency_id FROM {table}"))
        .fetch_all(&mut *conn)
        .await
        .expect("unfiltered select");
    rows.iter().map(|r| r.get::<i64, _>(0)).collect()
}

async fn count(conn: &mut casework_store::Conn, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(&mut *conn)
        .await
        .expect("count")
        .get(0)
}

#[tokio::test]
async fn a_query_without_the_agency_filter_sees_only_the_walled_agency() {
    each_backend(|env| async move {
        if env.backend != Backend::Postgres {
            return;
        }
        let a = env.worker.agency_id;
        let b = env.stranger.agency_id;
        let (_, case_a) = env.client_with_case("Ana Torres").await;
        env.app
            .write_note(&env.worker, case_a, &note())
            .await
            .expect("note in A");
        let (client_b, _) = seed_other_agency(&env).await;
        env.app.flush_audit().await;
        let store = env.app.store();

        let mut all = store.begin_read(Wall::System).await.expect("system");
        for table in ["clients", "cases", "case_notes", "audit_entries"] {
            let seen = agencies_seen(&mut all, table).await;
            assert!(seen.contains(&a) && seen.contains(&b), "{table}: {seen:?}");
        }
        let clients_of_a = count(
            &mut all,
            &format!("SELECT count(*) FROM clients WHERE agency_id = {a}"),
        )
        .await;
        drop(all);

        for (agency, other) in [(a, b), (b, a)] {
            let mut tx = store.begin_read(Wall::Agency(agency)).await.expect("tx");
            for table in ["clients", "cases", "case_notes", "audit_entries", "users"] {
                let seen = agencies_seen(&mut tx, table).await;
                assert!(
                    !seen.is_empty(),
                    "{table}: agency {agency} sees its own rows"
                );
                assert!(
                    seen.iter().all(|x| *x == agency),
                    "{table}: agency {agency} saw {other}'s rows: {seen:?}"
                );
            }
            let ids: Vec<i64> = sqlx::query("SELECT id FROM agencies")
                .fetch_all(&mut *tx)
                .await
                .expect("agencies")
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert_eq!(ids, vec![agency]);
        }
        let mut tx = store.begin_read(Wall::Agency(a)).await.expect("tx");
        assert_eq!(
            count(&mut tx, "SELECT count(*) FROM clients").await,
            clients_of_a
        );
        drop(tx);

        // Writing B's rows while walled to A: updates find nothing, inserts and moves are refused.
        let mut tx = store.begin_write(Wall::Agency(a)).await.expect("tx");
        let updated = sqlx::query("UPDATE clients SET legal_name = 'Changed' WHERE id = $1")
            .bind(client_b)
            .execute(&mut *tx)
            .await
            .expect("update runs");
        assert_eq!(updated.rows_affected(), 0);
        let deleted = sqlx::query("DELETE FROM case_notes WHERE agency_id = $1")
            .bind(b)
            .execute(&mut *tx)
            .await
            .expect("delete runs");
        assert_eq!(deleted.rows_affected(), 0);
        casework_store::commit(tx).await.expect("commit");
        let mut tx = store.begin_write(Wall::Agency(a)).await.expect("tx");
        let inserted = sqlx::query(
            "INSERT INTO teams (agency_id, name, created_at) VALUES ($1, 'Planted', 0)",
        )
        .bind(b)
        .execute(&mut *tx)
        .await;
        assert!(inserted.is_err(), "an insert into B walled to A is refused");
        drop(tx);
        let mut tx = store.begin_write(Wall::Agency(a)).await.expect("tx");
        let moved = sqlx::query("UPDATE teams SET agency_id = $1 WHERE agency_id = $2")
            .bind(b)
            .bind(a)
            .execute(&mut *tx)
            .await;
        assert!(moved.is_err(), "moving A's rows to B is refused");
        drop(tx);
        let mut all = store.begin_read(Wall::System).await.expect("system");
        let name: String = sqlx::query("SELECT legal_name FROM clients WHERE id = $1")
            .bind(client_b)
            .fetch_one(&mut *all)
            .await
            .expect("B's client")
            .get(0);
        assert_eq!(name, "Bea Elsewhere");
        assert_eq!(
            count(
                &mut all,
                &format!("SELECT count(*) FROM case_notes WHERE agency_id = {b}")
            )
            .await,
            1
        );
        drop(all);

        // No agency set: nothing, in a transaction or outside one, and a walled transaction's
        // setting does not outlive it on its connection.
        let mut conn = store.pool().acquire().await.expect("conn");
        assert_eq!(count(&mut conn, "SELECT count(*) FROM clients").await, 0);
        let mut tx = conn.begin().await.expect("tx");
        assert_eq!(
            count(&mut tx, "SELECT count(*) FROM audit_entries").await,
            0
        );
        drop(tx);
        let mut tx = conn.begin().await.expect("tx");
        casework_store::wall::enter(&mut tx, Wall::Agency(a))
            .await
            .expect("wall");
        assert!(count(&mut tx, "SELECT count(*) FROM clients").await > 0);
        tx.commit().await.expect("commit");
        assert_eq!(count(&mut conn, "SELECT count(*) FROM clients").await, 0);
        // A setting that is not an agency id lets nothing through, and does not fail.
        let mut tx = conn.begin().await.expect("tx");
        tx.execute("SELECT set_config('casework.agency', '1 OR true', true)")
            .await
            .expect("set");
        assert_eq!(count(&mut tx, "SELECT count(*) FROM clients").await, 0);
    })
    .await;
}

/// A read transaction (the golden thread's, which reads a case in several statements) sees what
/// had committed when it began, not what commits between its statements.
#[tokio::test]
async fn a_read_transaction_sees_one_snapshot_throughout() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let notes = format!("SELECT count(*) FROM case_notes WHERE case_id = {case}");
        let wall = Wall::Agency(env.worker.agency_id);
        let mut tx = env.app.store().begin_read(wall).await.expect("read");
        assert_eq!(count(&mut tx, &notes).await, 0);
        env.app
            .write_note(&env.worker, case, &note())
            .await
            .expect("note written meanwhile");
        assert_eq!(
            count(&mut tx, &notes).await,
            0,
            "the second statement sees the first one's snapshot"
        );
        drop(tx);
        let mut tx = env.app.store().begin_read(wall).await.expect("read");
        assert_eq!(count(&mut tx, &notes).await, 1, "a new read sees the note");
    })
    .await;
}

#[tokio::test]
async fn requests_are_served_by_a_role_the_wall_binds() {
    each_backend(|env| async move {
        if env.backend != Backend::Postgres {
            return;
        }
        let mut conn = env.app.store().pool().acquire().await.expect("conn");
        let row = sqlx::query(
            "SELECT current_user::text, rolsuper, rolbypassrls,
                (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)
             FROM pg_roles r WHERE r.rolname = current_user",
        )
        .fetch_one(&mut *conn)
        .await
        .expect("role");
        assert_eq!(
            row.get::<String, _>(0),
            casework_store::serving::DEFAULT_ROLE
        );
        assert!(!row.get::<bool, _>(1), "not a superuser");
        assert!(!row.get::<bool, _>(2), "no BYPASSRLS");
        assert_eq!(row.get::<i64, _>(3), 0, "owns nothing");
        // Nor can it undo the wall.
        let disabled = conn
            .execute("ALTER TABLE clients DISABLE ROW LEVEL SECURITY")
            .await;
        assert!(disabled.is_err());
    })
    .await;
}

/// Every table's wall as the owner sees it: (table, enabled, forced, current policy).
async fn walls_of(owner: &mut sqlx::AnyConnection) -> Vec<(String, bool, bool, bool)> {
    casework_store::serving::table_walls(owner)
        .await
        .expect("walls")
}

#[tokio::test]
async fn every_table_with_agency_rows_is_walled_including_new_ones() {
    each_backend(|env| async move {
        if env.backend != Backend::Postgres {
            return;
        }
        let store = env.app.store();
        let mut owner = store.owner_conn().await.expect("owner");
        let walls = walls_of(&mut owner).await;
        assert!(walls.len() > 50, "{} tables", walls.len());
        for (table, enabled, forced, policy) in &walls {
            if UNWALLED.contains(&table.as_str()) {
                continue;
            }
            assert!(
                *enabled && *forced && *policy,
                "{table}: rls enabled {enabled}, forced {forced}, policy {policy}"
            );
        }
        // A table a later migration adds is walled by the next migrate, unasked.
        owner
            .execute(
                "CREATE TABLE later_notes (id BIGINT PRIMARY KEY,
                 agency_id BIGINT NOT NULL REFERENCES agencies(id))",
            )
            .await
            .expect("create");
        store.migrate().await.expect("migrate");
        let walls = walls_of(&mut owner).await;
        assert!(
            walls.contains(&("later_notes".to_string(), true, true, true)),
            "{walls:?}"
        );
        // A policy of an earlier form (here one that lets every row through) is replaced by
        // the next migrate.
        owner
            .execute(
                "DROP POLICY casework_agency_wall ON cases;
                 CREATE POLICY casework_agency_wall ON cases USING (true) WITH CHECK (true)",
            )
            .await
            .expect("old policy");
        let walls = walls_of(&mut owner).await;
        assert!(
            walls.contains(&("cases".to_string(), true, true, false)),
            "{walls:?}"
        );
        store.migrate().await.expect("migrate");
        let walls = walls_of(&mut owner).await;
        assert!(
            walls.contains(&("cases".to_string(), true, true, true)),
            "{walls:?}"
        );
        owner.close().await.ok();
    })
    .await;
}

#[tokio::test]
async fn a_separate_serving_login_serves_and_a_superuser_one_is_refused() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let db = TestDb::fresh(Backend::Postgres).await;
    let mut owner = <sqlx::AnyConnection as Connection>::connect(&db.url)
        .await
        .expect("owner");
    // Roles are cluster-wide and tests run at once: create it unless another test just did.
    for attempt in 0..5 {
        let made = owner
            .execute(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles
                 WHERE rolname = 'casework_serving_test') THEN
                 CREATE ROLE casework_serving_test LOGIN; END IF; END $$",
            )
            .await;
        if made.is_ok() || attempt == 4 {
            made.expect("serving login");
            break;
        }
    }
    owner.close().await.ok();
    let (base, rest) = db.url.split_once("://").expect("url");
    let host = rest.split_once('@').map_or(rest, |(_, h)| h);
    let serving = format!("{base}://casework_serving_test@{host}");
    let clock = Arc::new(FixedClock::new(NOW));

    let refused =
        Casework::open_serving(&db.url, Some(&db.url), clock.clone(), Settings::default()).await;
    assert!(refused.is_err(), "a superuser must not serve");

    let app = Casework::open_serving(&db.url, Some(&serving), clock, Settings::default())
        .await
        .expect("open with a serving login");
    assert_eq!(
        app.store().serving_role().await.expect("role").as_deref(),
        Some("casework_serving_test")
    );
    let agency = app.ensure_agency("Riverside").await.expect("agency").id;
    user(&app, agency, "ana@example.org", "admin", None).await;
    let mut tx = app
        .store()
        .begin_read(Wall::Agency(agency))
        .await
        .expect("tx");
    assert_eq!(count(&mut tx, "SELECT count(*) FROM users").await, 1);
    drop(tx);
    let mut conn = app.store().pool().acquire().await.expect("conn");
    assert_eq!(count(&mut conn, "SELECT count(*) FROM users").await, 0);
    drop(conn);
    app.shutdown().await;
}

/// Reads take connections that keep their wall between uses (`wall_shelf`): each is walled
/// again when another agency's read takes it, a transaction dropped on one leaves nothing
/// behind, and the pool's own connections still carry no agency.
#[tokio::test]
async fn a_reading_connection_is_walled_afresh_for_each_agency_that_takes_it() {
    each_backend(|env| async move {
        if env.backend != Backend::Postgres {
            return;
        }
        let a = env.worker.agency_id;
        let b = env.stranger.agency_id;
        env.client_with_case("Ana Torres").await;
        seed_other_agency(&env).await;
        let store = env.app.store();

        // Every reading connection there can be, walled to A; then B's read and the system's
        // must each take one of them and wall it afresh.
        let mut held = Vec::new();
        for _ in 0..crate::POOL_CONNECTIONS {
            held.push(store.conn(Wall::Agency(a)).await.expect("conn"));
        }
        let mut pids = Vec::new();
        for conn in &mut held {
            pids.push(pid_of(&mut *conn).await.expect("pid"));
            let seen = agencies_seen(&mut *conn, "clients").await;
            assert!(!seen.is_empty() && seen.iter().all(|x| *x == a), "{seen:?}");
        }
        drop(held);
        let mut conn = store.conn(Wall::Agency(b)).await.expect("conn");
        assert!(pids.contains(&pid_of(&mut conn).await.expect("pid")));
        let seen = agencies_seen(&mut conn, "clients").await;
        assert!(!seen.is_empty() && seen.iter().all(|x| *x == b), "{seen:?}");
        drop(conn);
        let mut all = store.conn(Wall::System).await.expect("system");
        assert!(pids.contains(&pid_of(&mut all).await.expect("pid")));
        let seen = agencies_seen(&mut all, "clients").await;
        assert!(seen.contains(&a) && seen.contains(&b), "{seen:?}");
        // A transaction's own wall lasts for that transaction alone.
        let mut tx = all.begin().await.expect("tx");
        casework_store::wall::enter(&mut tx, Wall::Agency(b))
            .await
            .expect("wall");
        assert!(agencies_seen(&mut tx, "clients")
            .await
            .iter()
            .all(|x| *x == b));
        tx.commit().await.expect("commit");
        assert!(agencies_seen(&mut all, "clients").await.contains(&a));
        // A transaction dropped half-way is rolled back before the connection's next use.
        let mut open = all.begin().await.expect("begin");
        open.execute(
            format!("INSERT INTO teams (agency_id, name, created_at) VALUES ({a}, 'Dropped', 0)")
                .as_str(),
        )
        .await
        .expect("insert");
        drop(open);
        drop(all);
        let mut again = store.conn(Wall::Agency(a)).await.expect("conn");
        assert_eq!(
            count(
                &mut again,
                "SELECT count(*) FROM teams WHERE name = 'Dropped'"
            )
            .await,
            0
        );
        drop(again);
        let mut tx = store.begin_write(Wall::Agency(a)).await.expect("tx");
        tx.execute(
            format!("INSERT INTO teams (agency_id, name, created_at) VALUES ({a}, 'Kept', 0)")
                .as_str(),
        )
        .await
        .expect("a writer is not blocked by the dropped transaction");
        casework_store::commit(tx).await.expect("commit");

        let mut pooled = store.pool().acquire().await.expect("pooled");
        assert_eq!(count(&mut pooled, "SELECT count(*) FROM clients").await, 0);
    })
    .await;
}

/// A reading connection whose server process went away (a restart, an operator) fails the one
/// read that finds out, and is never handed out again.
#[tokio::test]
async fn a_reading_connection_that_lost_its_server_is_not_reused() {
    each_backend(|env| async move {
        if env.backend != Backend::Postgres {
            return;
        }
        let a = env.worker.agency_id;
        env.client_with_case("Ana Torres").await;
        let store = env.app.store();
        let mut conn = store.conn(Wall::Agency(a)).await.expect("conn");
        let gone = pid_of(&mut conn).await.expect("pid");
        drop(conn);
        let mut owner = store.owner_conn().await.expect("owner");
        owner
            .execute(format!("SELECT pg_terminate_backend({gone})").as_str())
            .await
            .expect("terminate");
        owner.close().await.ok();
        // The read that finds the connection gone fails, through the store's error as every
        // store function's does.
        let failed = async {
            let mut conn = store.conn(Wall::Agency(a)).await?;
            pid_of(&mut conn)
                .await
                .map_err(casework_store::StoreError::from)
        }
        .await;
        assert!(
            failed.is_err(),
            "the terminated connection was used: {failed:?}"
        );
        let mut conn = store.conn(Wall::Agency(a)).await.expect("a new connection");
        let pid = pid_of(&mut conn).await.expect("pid");
        assert_ne!(pid, gone);
        assert_eq!(count(&mut conn, "SELECT count(*) FROM clients").await, 1);
    })
    .await;
}

async fn pid_of(conn: &mut casework_store::Conn) -> Result<i32, sqlx::Error> {
    sqlx::query("SELECT pg_backend_pid()")
        .fetch_one(conn)
        .await
        .map(|r| r.get::<i32, _>(0))
}
