use super::*;
use crate::audit::VerifyError;
use crate::ServiceError;
use casework_domain::audit::ChainBreak;
use sqlx::Executor;

/// Tampering "directly in the database": an attacker with database access can drop the guard
/// triggers first, so the tests do too.
pub(super) async fn tamper(env: &Env, sql: &str) {
    // As the owner: the serving role may not drop triggers.
    let mut owner = env
        .app
        .store()
        .owner_conn()
        .await
        .expect("owner connection");
    let pool = &mut owner;
    for table in ["audit_entries", "audit_subjects"] {
        for guard in ["no_update", "no_delete"] {
            let on = match env.backend {
                Backend::Sqlite => String::new(),
                Backend::Postgres => format!(" ON {table}"),
            };
            pool.execute(format!("DROP TRIGGER IF EXISTS {table}_{guard}{on}").as_str())
                .await
                .expect("drop trigger");
        }
    }
    pool.execute(sql).await.expect("tamper");
    sqlx::Connection::close(owner).await.ok();
}

pub(super) async fn some_history(env: &Env) -> i64 {
    let (_, case) = env.client_with_case("Ana Torres").await;
    env.engage(case).await;
    env.app.case(&env.worker, case, None).await.expect("read");
    env.app.flush_audit().await;
    let agency = env.worker.agency_id;
    let report = env.app.verify_audit().await.expect("intact chain verifies");
    let n = report
        .chains
        .iter()
        .find(|c| c.agency_id == agency)
        .map(|c| c.entries)
        .unwrap_or(0);
    assert!(n >= 8, "expected a real history, got {n} entries");
    agency
}

pub(super) fn broken(r: Result<crate::audit::VerifyReport, VerifyError>) -> ChainBreak {
    match r {
        Err(VerifyError::Broken { brk, .. }) => brk,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

#[tokio::test]
async fn the_app_cannot_rewrite_history() {
    each_backend(|env| async move {
        let agency = some_history(&env).await;
        let wall = casework_store::Wall::Agency(agency);
        let mut tx = env.app.store().begin_write(wall).await.expect("tx");
        assert!(
            tx.execute("UPDATE audit_entries SET reason = 'x' WHERE seq = 1")
                .await
                .is_err(),
            "{:?}",
            env.backend
        );
        drop(tx);
        let mut tx = env.app.store().begin_write(wall).await.expect("tx");
        assert!(
            tx.execute("DELETE FROM audit_entries WHERE seq = 1")
                .await
                .is_err(),
            "{:?}",
            env.backend
        );
    })
    .await;
}

#[tokio::test]
async fn verify_names_a_changed_entry() {
    each_backend(|env| async move {
        let agency = some_history(&env).await;
        tamper(&env, &format!("UPDATE audit_entries SET actor_user_id = 999 WHERE agency_id = {agency} AND seq = 4")).await;
        assert_eq!(broken(env.app.verify_audit().await), ChainBreak::Altered { seq: 4 }, "{:?}", env.backend);
    })
    .await;
}

#[tokio::test]
async fn verify_names_a_deleted_entry() {
    each_backend(|env| async move {
        let agency = some_history(&env).await;
        tamper(
            &env,
            &format!("DELETE FROM audit_entries WHERE agency_id = {agency} AND seq = 3"),
        )
        .await;
        assert_eq!(
            broken(env.app.verify_audit().await),
            ChainBreak::Sequence {
                seq: 4,
                expected: 3
            },
            "{:?}",
            env.backend
        );
    })
    .await;
}

#[tokio::test]
async fn verify_catches_an_inserted_entry() {
    each_backend(|env| async move {
        let agency = some_history(&env).await;
        // Make room at seq 3 by shifting later entries up, then forge an entry there.
        tamper(&env, &format!("UPDATE audit_entries SET seq = seq + 1000 WHERE agency_id = {agency} AND seq >= 3")).await;
        tamper(&env, &format!("UPDATE audit_entries SET seq = seq - 999 WHERE agency_id = {agency} AND seq >= 1003")).await;
        tamper(&env, &format!(
            "INSERT INTO audit_entries (agency_id, seq, at, actor_user_id, action, record_type, record_id, client_id, outcome, reason, prev_hash, hash)
             SELECT agency_id, 3, at, actor_user_id, 'client.read', record_type, record_id, client_id, outcome, NULL, hash, hash FROM audit_entries WHERE agency_id = {agency} AND seq = 2"
        )).await;
        let brk = broken(env.app.verify_audit().await);
        assert!(matches!(brk, ChainBreak::Altered { seq: 3 } | ChainBreak::Link { seq: 4 }), "{:?}: {brk:?}", env.backend);
    })
    .await;
}

#[tokio::test]
async fn verify_catches_reordered_entries() {
    each_backend(|env| async move {
        let agency = some_history(&env).await;
        tamper(
            &env,
            &format!("UPDATE audit_entries SET seq = -1 WHERE agency_id = {agency} AND seq = 5"),
        )
        .await;
        tamper(
            &env,
            &format!("UPDATE audit_entries SET seq = 5 WHERE agency_id = {agency} AND seq = 6"),
        )
        .await;
        tamper(
            &env,
            &format!("UPDATE audit_entries SET seq = 6 WHERE agency_id = {agency} AND seq = -1"),
        )
        .await;
        let brk = broken(env.app.verify_audit().await);
        assert!(
            matches!(
                brk,
                ChainBreak::Link { seq: 5 } | ChainBreak::Altered { seq: 5 }
            ),
            "{:?}: {brk:?}",
            env.backend
        );
    })
    .await;
}

#[tokio::test]
async fn verify_catches_a_truncated_tail() {
    each_backend(|env| async move {
        let agency = some_history(&env).await;
        tamper(
            &env,
            &format!("DELETE FROM audit_entries WHERE agency_id = {agency} AND seq > 6"),
        )
        .await;
        assert!(
            matches!(
                broken(env.app.verify_audit().await),
                ChainBreak::Truncated { last: 6, .. }
            ),
            "{:?}",
            env.backend
        );
    })
    .await;
}

/// A connection to the SQLite store's audit staging file (`None` on PostgreSQL).
async fn staging(env: &Env) -> Option<sqlx::SqliteConnection> {
    use sqlx::Connection;
    let path = casework_store::audit_sqlite::staging_file_of(env.app.store()).expect("path")?;
    let url = format!("sqlite://{}", path.display());
    Some(
        sqlx::SqliteConnection::connect(&url)
            .await
            .expect("open the staging file"),
    )
}

/// The clients of the staged entries with this action (none on PostgreSQL).
async fn staged_clients(env: &Env, action: &str) -> Vec<Option<i64>> {
    let Some(mut conn) = staging(env).await else {
        return Vec::new();
    };
    sqlx::query_scalar("SELECT client_id FROM audit_staged WHERE action = $1")
        .bind(action)
        .fetch_all(&mut conn)
        .await
        .expect("staged entries")
}

#[tokio::test]
async fn reads_are_audited_before_they_are_answered() {
    each_backend(|env| async move {
        let (client, case) = env.client_with_case("Ana Torres").await;
        env.app.case(&env.worker, case, None).await.expect("read");
        // No flush: the entry must already be committed when the read returned, in the chain
        // or (SQLite) staged for it.
        let staged = staged_clients(&env, "case.read").await;
        let mut conn = env
            .app
            .store()
            .conn(casework_store::Wall::Agency(env.worker.agency_id))
            .await
            .expect("conn");
        let rows = casework_store::audit::search(
            &mut conn,
            env.worker.agency_id,
            &casework_store::audit::Filter {
                action_prefix: Some("case.read".into()),
                ..Default::default()
            },
            None,
            10,
        )
        .await
        .expect("search");
        let mut clients: Vec<Option<i64>> = rows.iter().map(|r| r.0.event.client_id).collect();
        clients.extend(staged);
        assert_eq!(clients, [Some(client)], "{:?}", env.backend);
        // An auditor browsing the log right away sees it: browsing chains what is staged.
        let seen = env
            .app
            .audit_log(&env.auditor, &Default::default(), None, Some(500))
            .await
            .expect("audit log")
            .items
            .into_iter()
            .filter(|e| e.action == "case.read" && e.client_id == Some(client))
            .count();
        assert_eq!(seen, 1, "{:?}", env.backend);
        assert!(staged_clients(&env, "case.read").await.is_empty());
    })
    .await;
}

/// Make the table the audit writer commits a read's group to refuse inserts (`on`), or accept
/// them again: on SQLite the staging file's, on PostgreSQL the chain itself.
async fn refuse_groups(env: &Env, on: bool) {
    if let Some(mut staging) = staging(env).await {
        let sql = if on {
            "CREATE TRIGGER audit_refuse BEFORE INSERT ON audit_staged \
             BEGIN SELECT RAISE(ABORT, 'refused'); END"
        } else {
            "DROP TRIGGER audit_refuse"
        };
        staging.execute(sql).await.expect("staging trigger");
        sqlx::Connection::close(staging).await.ok();
        return;
    }
    let sqls: &[&str] = if on {
        &[
            "CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
            "CREATE TRIGGER audit_refuse BEFORE INSERT ON audit_entries \
             FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
        ]
    } else {
        &[
            "DROP TRIGGER audit_refuse ON audit_entries",
            "DROP FUNCTION audit_refuse()",
        ]
    };
    let mut owner = env.app.store().owner_conn().await.expect("owner");
    for sql in sqls {
        owner.execute(*sql).await.expect("chain trigger");
    }
    sqlx::Connection::close(owner).await.ok();
}

/// The group commit's writer keeps a connection of its own; when a group cannot be written, its
/// reads are refused (never answered unaudited), and the next group goes in on a fresh start.
#[tokio::test]
async fn a_group_that_cannot_be_written_refuses_its_reads_and_the_next_goes_in() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        env.app.case(&env.worker, case, None).await.expect("read");
        refuse_groups(&env, true).await;
        let refused = env.app.case(&env.worker, case, None).await;
        assert!(
            matches!(refused, Err(ServiceError::Audit)),
            "a read whose entry could not be written must be refused, got {refused:?}"
        );
        refuse_groups(&env, false).await;
        env.app
            .case(&env.worker, case, None)
            .await
            .expect("the next read is audited and answered");
        let reads = log(&env)
            .await
            .into_iter()
            .filter(|e| e.action == "case.read" && e.record_id == Some(case))
            .count();
        assert_eq!(
            reads, 2,
            "the refused read left no entry, the others one each"
        );
        env.app.verify_audit().await.expect("the chain is whole");
    })
    .await;
}

/// SQLite: when staged entries cannot be moved into the chain, the reads are still answered
/// (their entries are on disk, staged), the entries stay staged, and the next move chains them
/// all, once each.
#[tokio::test]
async fn staged_entries_wait_out_a_failed_move_into_the_chain() {
    each_backend(|env| async move {
        if env.backend != Backend::Sqlite {
            return;
        }
        let (client, case) = env.client_with_case("Ana Torres").await;
        let mut owner = env.app.store().owner_conn().await.expect("owner");
        owner
            .execute(
                "CREATE TRIGGER audit_refuse BEFORE INSERT ON audit_entries \
                 BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .await
            .expect("refuse inserts");
        for _ in 0..3 {
            env.app
                .case(&env.worker, case, None)
                .await
                .expect("answered: the entry is staged");
        }
        env.app.flush_audit().await;
        assert_eq!(staged_clients(&env, "case.read").await, [Some(client); 3]);
        owner
            .execute("DROP TRIGGER audit_refuse")
            .await
            .expect("allow inserts");
        sqlx::Connection::close(owner).await.ok();
        let reads = log(&env)
            .await
            .into_iter()
            .filter(|e| e.action == "case.read" && e.record_id == Some(case))
            .count();
        assert_eq!(reads, 3);
        assert!(staged_clients(&env, "case.read").await.is_empty());
        env.app.verify_audit().await.expect("the chain is whole");
    })
    .await;
}

/// Reads are logged by the audit writer (its own connection, on SQLite its own driver), writes
/// in their use case's transaction, denials under the denied user's agency: all at once, they
/// still make one intact chain per agency, with every read in it.
#[tokio::test]
async fn concurrent_reads_writes_and_denials_make_intact_chains() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        env.engage(case).await;
        let before = log(&env).await.len();
        let reads = 40;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..reads {
            let app = env.app.clone();
            let worker = env.worker.clone();
            let stranger = env.stranger.clone();
            tasks.spawn(async move {
                app.case(&worker, case, None).await.expect("read");
                if i % 4 == 0 {
                    app.record_contact(&worker, case, &contact())
                        .await
                        .expect("contact");
                    assert!(app.case(&stranger, case, None).await.is_err());
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("task");
        }
        env.app.flush_audit().await;
        let report = env.app.verify_audit().await.expect("both chains verify");
        assert_eq!(report.chains.len(), 2, "{:?}", env.backend);
        let after = log(&env).await;
        let read = after
            .iter()
            .filter(|e| e.action == "case.read" && e.record_id == Some(case))
            .count();
        assert!(read >= reads, "{read} reads logged, expected {reads}");
        assert!(
            after.len() >= before + reads + reads / 4,
            "{:?}",
            env.backend
        );
        let elsewhere = report
            .chains
            .iter()
            .find(|c| c.agency_id == env.stranger.agency_id)
            .map(|c| c.entries)
            .unwrap_or(0);
        assert!(
            elsewhere >= (reads / 4) as i64,
            "{elsewhere} denials logged"
        );
    })
    .await;
}

/// The staff list behind the log's "who" filter is the auditor's: anyone else is refused, and
/// the refusal is on the log.
#[tokio::test]
async fn only_an_auditor_lists_the_people_the_log_names() {
    each_backend(|env| async move {
        let b = env.backend;
        let people = env.app.audit_people(&env.auditor).await.expect("people");
        assert!(
            people.iter().any(|(id, _)| *id == env.worker.user_id),
            "{b:?}: {people:?}"
        );
        let refused = env.app.audit_people(&env.worker).await;
        assert!(matches!(refused, Err(ServiceError::Forbidden)), "{b:?}");
        let entries = log(&env).await;
        assert!(
            entries
                .iter()
                .any(|e| e.action == "audit.read" && e.outcome == "denied"),
            "{b:?}"
        );
    })
    .await;
}
