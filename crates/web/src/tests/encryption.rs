//! A record whose ciphertext cannot be opened gets a proper page and a JSON error, never a
//! panic or a blank: moved from another row (integrity), or erased with the client's key.

use super::*;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_domain::note::NoteForm;
use casework_service::client::DuplicateDecision;

/// A client with a case and two notes by the worker; (client, note, other note).
async fn two_notes(f: &Fixture) -> (i64, i64, i64) {
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let client = f
        .app
        .register_client(
            &worker,
            &ClientForm {
                legal_name: "Ana Torres".into(),
                ..ClientForm::default()
            },
            &DuplicateDecision::default(),
        )
        .await
        .expect("client");
    let case = f
        .app
        .open_case(
            &worker,
            &CaseForm {
                client_id: client.id,
                presenting_problem: "Facing eviction".into(),
                ..CaseForm::default()
            },
        )
        .await
        .expect("case")
        .id;
    let mut ids = Vec::new();
    for body in ["First visit", "Second visit"] {
        let form = NoteForm {
            format: "narrative".into(),
            body: Some(body.into()),
            ..NoteForm::default()
        };
        ids.push(
            f.app
                .write_note(&worker, case, &form)
                .await
                .expect("note")
                .note
                .id,
        );
    }
    (client.id, ids[0], ids[1])
}

#[tokio::test]
async fn a_moved_ciphertext_shows_an_error_page_and_an_api_error() {
    each_backend(|f| async move {
        let (_, first, second) = two_notes(&f).await;
        // As the owner: under row-level security the serving pool sees no rows outside a
        // walled transaction, and the tampering happens "directly in the database".
        let mut owner = f.app.store().owner_conn().await.expect("owner connection");
        let moved: String = sqlx::query_scalar("SELECT sections FROM case_notes WHERE id = $1")
            .bind(first)
            .fetch_one(&mut owner)
            .await
            .expect("read");
        sqlx::query("UPDATE case_notes SET sections = $1 WHERE id = $2")
            .bind(moved)
            .bind(second)
            .execute(&mut owner)
            .await
            .expect("tamper");
        drop(owner);
        let b = sign_in(&f.router, "worker@example.org").await;
        let page = send(&f.router, get(&format!("/notes/{second}"), Some(&b.cookie))).await;
        assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            page.body.contains("failed its integrity check"),
            "{}",
            page.body
        );
        assert!(page.body.contains("<html"), "a whole page: {}", page.body);
        let token = bearer(&f.app, "worker@example.org").await;
        let api = send(
            &f.router,
            Request::get(format!("/api/v1/notes/{second}"))
                .header(header::AUTHORIZATION, token)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(api.json()["error"]["code"], "ciphertext_refused");
        // The untouched note still shows.
        let ok = send(&f.router, get(&format!("/notes/{first}"), Some(&b.cookie))).await;
        assert_eq!(ok.status, StatusCode::OK);
        assert!(ok.body.contains("First visit"));
    })
    .await;
}

#[tokio::test]
async fn an_erased_clients_note_is_gone_with_a_clear_message() {
    let f = fixture().await;
    let (client, first, _) = two_notes(&f).await;
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let mut tx = f
        .app
        .store()
        .begin_write(casework_store::Wall::System)
        .await
        .expect("tx");
    casework_store::client_key::destroy(&mut tx, f.app.vault(), worker.agency_id, client, 0)
        .await
        .expect("destroy");
    casework_store::commit(tx).await.expect("commit");
    let b = sign_in(&f.router, "worker@example.org").await;
    let page = send(&f.router, get(&format!("/notes/{first}"), Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("was erased"), "{}", page.body);
}

#[tokio::test]
async fn the_presenting_problem_and_contact_summaries_show_though_stored_sealed() {
    each_backend(|f| async move {
        let worker = f
            .app
            .actor_for_email("worker@example.org")
            .await
            .expect("worker");
        let client = f
            .app
            .register_client(
                &worker,
                &ClientForm {
                    legal_name: "Ana Torres".into(),
                    ..ClientForm::default()
                },
                &DuplicateDecision::default(),
            )
            .await
            .expect("client");
        let case = f
            .app
            .open_case(
                &worker,
                &CaseForm {
                    client_id: client.id,
                    presenting_problem: "Landlord changed the locks".into(),
                    ..CaseForm::default()
                },
            )
            .await
            .expect("case")
            .id;
        f.app
            .record_contact(
                &worker,
                case,
                &casework_domain::case::ContactForm {
                    date: "2026-09-01".into(),
                    mode: "phone".into(),
                    duration_minutes: 20,
                    summary: Some("Agreed to call the tenancy advice line".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("contact");
        let mut owner = f.app.store().owner_conn().await.expect("owner connection");
        for (sql, plain) in [
            (
                "SELECT presenting_problem FROM cases WHERE id = $1",
                "Landlord",
            ),
            ("SELECT summary FROM contacts WHERE case_id = $1", "tenancy"),
        ] {
            let stored: String = sqlx::query_scalar(sql)
                .bind(case)
                .fetch_one(&mut owner)
                .await
                .expect("raw");
            assert!(
                stored.starts_with("enc1:") && !stored.contains(plain),
                "{sql}: {stored}"
            );
        }
        drop(owner);
        let b = sign_in(&f.router, "worker@example.org").await;
        let page = send(&f.router, get(&format!("/cases/{case}"), Some(&b.cookie))).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("Landlord changed the locks"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("Agreed to call the tenancy advice line"),
            "{}",
            page.body
        );
        let token = bearer(&f.app, "worker@example.org").await;
        let api = |uri: String| {
            Request::get(uri)
                .header(header::AUTHORIZATION, token.clone())
                .body(Body::empty())
                .expect("request")
        };
        let one = send(&f.router, api(format!("/api/v1/cases/{case}"))).await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert_eq!(
            one.json()["case"]["presenting_problem"],
            "Landlord changed the locks",
            "{}",
            one.body
        );
        let contacts = send(&f.router, api(format!("/api/v1/cases/{case}/contacts"))).await;
        assert_eq!(
            contacts.json()["items"][0]["summary"],
            "Agreed to call the tenancy advice line",
            "{}",
            contacts.body
        );
    })
    .await;
}
