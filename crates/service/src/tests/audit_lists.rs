//! A list page is one audit entry naming every record it showed (format 3); a client's access
//! history and the auditor's client filter find it, and verification covers its subjects.

use super::audit::{broken, some_history, tamper};
use super::*;
use crate::audit::AuditQuery;
use crate::case::CaseloadScope;
use crate::client::ClientQuery;
use casework_domain::audit::ChainBreak;
use sqlx::Executor;

/// Three more cases on the worker's caseload, listed once; returns the clients and the entry's seq.
async fn listed(env: &Env) -> (Vec<i64>, i64) {
    let mut clients = Vec::new();
    for name in ["Dana Reyes", "Bea Lind", "Cruz Ortega"] {
        clients.push(env.client_with_case(name).await.0);
    }
    let page = env
        .app
        .caseload(&env.worker, CaseloadScope::Mine, None, None)
        .await
        .expect("caseload");
    assert!(page.items.len() >= 3);
    let lists: Vec<_> = log(env)
        .await
        .into_iter()
        .filter(|e| e.action == "case.list")
        .collect();
    assert_eq!(lists.len(), 1, "one entry for the page: {lists:?}");
    let shown = caseload_subjects(&page);
    assert_eq!(lists[0].subjects, shown, "every line, in the order shown");
    assert_eq!(lists[0].record_id, None);
    (clients, lists[0].seq)
}

#[tokio::test]
async fn a_caseload_page_is_one_entry_naming_each_case_shown() {
    each_backend(|env| async move {
        listed(&env).await;
        env.app.verify_audit().await.expect("the chain verifies");
        // An empty page showed nobody: no entry.
        env.app
            .caseload(&env.worker_b, CaseloadScope::Mine, None, None)
            .await
            .expect("empty caseload");
        let lists = log(&env)
            .await
            .into_iter()
            .filter(|e| e.action == "case.list")
            .count();
        assert_eq!(lists, 1, "{:?}", env.backend);
    })
    .await;
}

#[tokio::test]
async fn search_results_are_one_entry_that_each_clients_history_shows() {
    each_backend(|env| async move {
        let (ana, _) = env.client_with_case("Ana Torres").await;
        let (bea, _) = env.client_with_case("Bea Torres").await;
        let (cruz, _) = env.client_with_case("Cruz Ortega").await;
        let q = ClientQuery {
            q: Some("Torres".into()),
            ..ClientQuery::default()
        };
        let page = env
            .app
            .search_clients(&env.worker, &q, None, None)
            .await
            .expect("search");
        let found: Vec<i64> = page.items.iter().map(|c| c.id).collect();
        assert!(found.contains(&ana) && found.contains(&bea), "{found:?}");
        assert!(!found.contains(&cruz));
        let searches: Vec<_> = log(&env)
            .await
            .into_iter()
            .filter(|e| e.action == "client.search")
            .collect();
        assert_eq!(searches.len(), 1, "{:?}", env.backend);
        let named: Vec<i64> = searches[0].subjects.iter().map(|s| s.client_id).collect();
        assert_eq!(named, found);

        // The auditor's client filter finds the search for a client it showed, not for another.
        let about = |client: i64| AuditQuery {
            client_id: Some(client),
            ..AuditQuery::default()
        };
        for (client, expect) in [(ana, true), (bea, true), (cruz, false)] {
            let entries = env
                .app
                .audit_log(&env.auditor, &about(client), None, Some(500))
                .await
                .expect("filtered log")
                .items;
            assert!(!entries.is_empty(), "the client's own entries are there");
            assert_eq!(
                entries.iter().any(|e| e.seq == searches[0].seq),
                expect,
                "client {client} on {:?}",
                env.backend
            );
            assert!(entries.windows(2).all(|w| w[0].seq > w[1].seq));
        }

        // The client's own access history (subject access) shows it too.
        let mut conn = env
            .app
            .store()
            .conn(casework_store::Wall::Agency(env.worker.agency_id))
            .await
            .expect("conn");
        let history = casework_store::audit::of_client(&mut conn, env.worker.agency_id, ana, 100)
            .await
            .expect("history");
        let search = history
            .iter()
            .find(|(e, _)| e.seq == searches[0].seq)
            .expect("the search is in Ana's history");
        assert_eq!(search.0.event.subjects, searches[0].subjects);
        assert!(history.windows(2).all(|w| w[0].0.seq < w[1].0.seq));
    })
    .await;
}

#[tokio::test]
async fn the_app_cannot_rewrite_a_lists_subjects() {
    each_backend(|env| async move {
        listed(&env).await;
        let wall = casework_store::Wall::Agency(env.worker.agency_id);
        for sql in [
            "UPDATE audit_subjects SET client_id = 1",
            "DELETE FROM audit_subjects",
        ] {
            let mut tx = env.app.store().begin_write(wall).await.expect("tx");
            assert!(tx.execute(sql).await.is_err(), "{sql} on {:?}", env.backend);
        }
    })
    .await;
}

type Forgery = fn(i64, i64, i64) -> (String, ChainBreak);

#[tokio::test]
async fn verify_catches_a_changed_removed_or_added_subject() {
    let forgeries: [Forgery; 5] = [
        |agency, list, _| {
            (
                format!("UPDATE audit_subjects SET client_id = client_id + 1 WHERE agency_id = {agency} AND seq = {list} AND position = 1"),
                ChainBreak::Altered { seq: list },
            )
        },
        |agency, list, _| {
            (
                format!("DELETE FROM audit_subjects WHERE agency_id = {agency} AND seq = {list} AND position = 2"),
                ChainBreak::Altered { seq: list },
            )
        },
        |agency, _, other| {
            (
                format!("INSERT INTO audit_subjects (agency_id, seq, position, record_id, client_id) VALUES ({agency}, {other}, 0, 1, 1)"),
                ChainBreak::Altered { seq: other },
            )
        },
        |agency, list, _| {
            (
                format!("INSERT INTO audit_subjects (agency_id, seq, position, record_id, client_id) VALUES ({agency}, {}, 0, 1, 1)", list + 1000),
                ChainBreak::StraySubject { seq: list + 1000 },
            )
        },
        // Under an agency with no chain at all (no key ties a subject to an agency).
        |agency, list, _| {
            (
                format!("INSERT INTO audit_subjects (agency_id, seq, position, record_id, client_id) VALUES ({}, {list}, 0, 1, 1)", agency + 1_000_000),
                ChainBreak::StraySubject { seq: list },
            )
        },
    ];
    for forge in forgeries {
        each_backend(|env| async move {
            let (agency, list, other) = some_history_with_a_list(&env).await;
            let (sql, expect) = forge(agency, list, other);
            tamper(&env, &sql).await;
            assert_eq!(
                broken(env.app.verify_audit().await),
                expect,
                "{sql} on {:?}",
                env.backend
            );
        })
        .await;
    }
}

/// An agency's history with a caseload list in it: (agency, the list's seq, the seq of an entry
/// about one record).
async fn some_history_with_a_list(env: &Env) -> (i64, i64, i64) {
    let agency = some_history(env).await;
    let (_, list) = listed(env).await;
    let other = log(env)
        .await
        .into_iter()
        .find(|e| e.subjects.is_empty() && e.seq < list)
        .expect("an entry about one record")
        .seq;
    (agency, list, other)
}

#[tokio::test]
async fn the_case_page_is_one_entry_about_its_case() {
    each_backend(|env| async move {
        let (client, case) = env.client_with_case("Ana Torres").await;
        env.engage(case).await;
        // Entries other than the auditor's own browsing of the log.
        let about_cases = || async {
            log(&env)
                .await
                .into_iter()
                .filter(|e| !e.action.starts_with("audit."))
                .collect::<Vec<_>>()
        };
        let before = about_cases().await.len();
        env.app
            .case_page(&env.worker, case, None)
            .await
            .expect("case page");
        let added = about_cases().await;
        assert_eq!(added.len(), before + 1, "{:?}", env.backend);
        assert_eq!(added[0].action, "case.page");
        assert_eq!(added[0].record_id, Some(case));
        assert_eq!(added[0].client_id, Some(client));
        assert!(added[0].subjects.is_empty());
        // Someone the case is hidden from is refused, and that is on the log too.
        assert!(env.app.case_page(&env.worker_b, case, None).await.is_err());
        let newest = &about_cases().await[0];
        assert_eq!(newest.outcome, "denied");
        assert_eq!(newest.record_id, Some(case));
    })
    .await;
}
