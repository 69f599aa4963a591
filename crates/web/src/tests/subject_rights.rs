//! Subject rights: the export and erasure through the JSON API (both databases) and the pages
//! (English and Spanish, labelled fields, a confirmation step, no script), and the admin's
//! retention page.

use super::*;
use axum::http::Request;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_service::case::MoveForm;
use casework_service::client::DuplicateDecision;

const NAME: &str = "Perpetua Ravensworth";

/// A supervisor (sup@example.org) of team North and a client of North whose case is closed:
/// (client id, the client's preferred language).
async fn closed_client(f: &Fixture, language: &str) -> i64 {
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let north = f
        .app
        .create_team(None, worker.agency_id, "North")
        .await
        .expect("team");
    f.app
        .create_user(
            None,
            worker.agency_id,
            &UserForm {
                email: "sup@example.org".into(),
                display_name: "Test supervisor".into(),
                role: "supervisor".into(),
                team_id: Some(north.id),
                password: Secret::new(PASSWORD),
                locale: "en".into(),
            },
        )
        .await
        .expect("supervisor");
    let sup = f.app.actor_for_email("sup@example.org").await.expect("sup");
    let client = f
        .app
        .register_client(
            &worker,
            &ClientForm {
                legal_name: NAME.into(),
                birth_date: Some("1958-12-01".into()),
                preferred_language: Some(language.into()),
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
                presenting_problem: format!("{NAME} lost her job"),
                primary_worker_id: Some(worker.user_id),
                team_id: Some(north.id),
                ..CaseForm::default()
            },
        )
        .await
        .expect("case");
    let skip = MoveForm {
        direction: "forward".into(),
        override_reason: Some("Not under test".into()),
        ..Default::default()
    };
    let mut row = f
        .app
        .move_stage(&sup, case.id, 1, &skip)
        .await
        .expect("move");
    while row.stage != "closed" {
        row = f
            .app
            .move_stage(&sup, case.id, row.version, &skip)
            .await
            .expect("move");
    }
    client.id
}

fn json_request(method: &str, uri: &str, auth: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

/// Every visible field has a label naming it.
fn fields_are_labelled(html: &str) {
    for tag in ["<input", "<textarea", "<select"] {
        for piece in html.split(tag).skip(1) {
            let open = &piece[..piece.find('>').unwrap_or(piece.len())];
            if open.contains(r#"type="hidden""#) {
                continue;
            }
            let id = open
                .split(r#"id=""#)
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("field without id: {open}"));
            assert!(
                html.contains(&format!(r#"<label for="{id}">"#)),
                "no label for {id}"
            );
        }
    }
}

#[tokio::test]
async fn the_api_exports_and_erases_for_the_team_supervisor_only() {
    each_backend(|f| async move {
        let client = closed_client(&f, "en").await;
        let router = &f.router;
        let sup = bearer(&f.app, "sup@example.org").await;
        let worker = bearer(&f.app, "worker@example.org").await;
        let admin = bearer(&f.app, "admin@example.org").await;
        let uri = format!("/api/v1/clients/{client}/subject-access");
        let refused = send(router, json_request("POST", &uri, &worker, "")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        // An admin who is not the privacy officer never opens a client: as for the profile,
        // the export does not say the client exists.
        let refused = send(router, json_request("POST", &uri, &admin, "")).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        let export = send(router, json_request("POST", &uri, &sup, "")).await;
        assert_eq!(export.status, StatusCode::OK, "{}", export.body);
        let doc = export.json();
        assert_eq!(doc["sections"][0]["name"], "profile");
        assert_eq!(doc["sections"][0]["records"][0]["legal_name"], NAME);
        assert!(
            doc["sections"][0]["records"][0]["created_at"].is_string(),
            "times are RFC 3339: {doc}"
        );
        let cases = doc["sections"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == "cases"))
            .expect("cases section");
        assert_eq!(cases["records"][0]["stage"], "closed");
        assert!(doc["disclosure_id"].is_i64());

        let erase = format!("/api/v1/clients/{client}/erasure");
        let unconfirmed = send(
            router,
            json_request("POST", &erase, &sup, r#"{"reason": "Asked by letter"}"#),
        )
        .await;
        assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unconfirmed.json()["error"]["field"], "confirm");
        let body = r#"{"reason": "Asked by letter", "confirm": true}"#;
        let by_worker = send(router, json_request("POST", &erase, &worker, body)).await;
        assert_eq!(by_worker.status, StatusCode::FORBIDDEN);
        let done = send(router, json_request("POST", &erase, &sup, body)).await;
        assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
        assert_eq!(done.json()["cases"], 1);
        let again = send(router, json_request("POST", &erase, &sup, body)).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(again.json()["error"]["code"], "already_erased");

        let list = send(router, json_request("GET", "/api/v1/erasures", &admin, "")).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert_eq!(list.json()["items"][0]["client_id"], client);
        assert_eq!(list.json()["items"][0]["cause"], "request");
        assert!(!list.body.contains("Ravensworth"), "no names in the list");
        let list = send(router, json_request("GET", "/api/v1/erasures", &worker, "")).await;
        assert_eq!(list.status, StatusCode::FORBIDDEN);

        let after = send(router, json_request("POST", &uri, &sup, "")).await;
        assert_eq!(after.status, StatusCode::OK);
        assert_eq!(after.json()["erased"], true);
        assert!(!after.body.contains("Ravensworth"), "{}", after.body);

        let doc = send(router, get("/api/v1/openapi.json", None)).await.json();
        for (path, method) in [
            ("/api/v1/clients/{id}/subject-access", "post"),
            ("/api/v1/clients/{id}/erasure", "post"),
            ("/api/v1/erasures", "get"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{path} missing");
        }
    })
    .await;
}

#[tokio::test]
async fn the_pages_export_in_the_clients_language_and_erase_after_a_confirmation() {
    let f = fixture().await;
    let client = closed_client(&f, "es").await;
    let router = &f.router;
    let sup = sign_in(router, "sup@example.org").await;
    let uri = format!("/clients/{client}/subject-rights");
    let page = send(router, get(&uri, Some(&sup.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Subject access export"));
    assert!(!page.body.contains("<script"));
    fields_are_labelled(&page.body);
    let show = send(
        router,
        get(&format!("/clients/{client}"), Some(&sup.cookie)),
    )
    .await;
    assert!(show.body.contains(&uri), "the client page links here");

    // The printable document, in the client's language (Spanish).
    let export = send(
        router,
        form(
            &format!("/clients/{client}/subject-access"),
            Some(&sup.cookie),
            &encode(&[("csrf", &sup.csrf), ("format", "html")]),
        ),
    )
    .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert!(export.body.contains(r#"<html lang="es">"#));
    assert!(export.body.contains("Su ficha"));
    assert!(export.body.contains("Fecha de nacimiento"));
    assert!(export.body.contains(NAME));
    assert!(export.body.contains("1958-12-01"));
    assert!(!export.body.contains("<script"));
    // Who accessed the records, in words rather than audit codes.
    assert!(
        export
            .body
            .contains("Registró o modificó sus datos personales</td><td data-label=\"Resultado\">Permitido</td>"),
        "{}",
        export.body
    );
    assert!(!export.body.contains("<td>client.register</td>"));
    let json = send(
        router,
        form(
            &format!("/clients/{client}/subject-access"),
            Some(&sup.cookie),
            &encode(&[("csrf", &sup.csrf), ("format", "json")]),
        ),
    )
    .await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json
        .headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("attachment")));
    assert_eq!(json.json()["sections"][0]["records"][0]["legal_name"], NAME);

    // Erasure: a reason, then a confirmation page, then the erasure.
    let erase = format!("/clients/{client}/erase");
    let blank = send(
        router,
        form(
            &erase,
            Some(&sup.cookie),
            &encode(&[("csrf", &sup.csrf), ("reason", " ")]),
        ),
    )
    .await;
    assert_eq!(
        blank.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        blank.body
    );
    assert!(blank.body.contains("erase-reason-problem"));
    let step = send(
        router,
        form(
            &erase,
            Some(&sup.cookie),
            &encode(&[("csrf", &sup.csrf), ("reason", "Asked by letter")]),
        ),
    )
    .await;
    assert_eq!(step.status, StatusCode::OK, "{}", step.body);
    assert!(step.body.contains("Confirm the erasure"));
    assert!(step.body.contains(r#"name="confirm" value="yes""#));
    assert!(
        f.app
            .client(
                &f.app.actor_for_email("sup@example.org").await.unwrap(),
                client
            )
            .await
            .expect("still there")
            .client
            .legal_name
            == NAME,
        "nothing erased before the confirmation"
    );
    let done = send(
        router,
        form(
            &erase,
            Some(&sup.cookie),
            &encode(&[
                ("csrf", &sup.csrf),
                ("reason", "Asked by letter"),
                ("confirm", "yes"),
            ]),
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("{uri}?notice=erased"));
    let after = send(router, get(done.location(), Some(&sup.cookie))).await;
    assert!(after.body.contains("personal data was erased"));
    assert!(!after.body.contains(NAME));

    // The admin sees the erasure (no name) and sets the retention period.
    let admin = sign_in(router, "admin@example.org").await;
    let page = send(router, get("/admin/subject-rights", Some(&admin.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Asked by letter"));
    assert!(!page.body.contains("Ravensworth"));
    assert!(
        page.body.contains(r#"href="/admin/subject-rights""#),
        "in the admin menu"
    );
    fields_are_labelled(&page.body);
    let bad = send(
        router,
        form(
            "/admin/subject-rights",
            Some(&admin.cookie),
            &encode(&[
                ("csrf", &admin.csrf),
                ("version", "0"),
                ("retention_months", "soon"),
            ]),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("retention-months-problem"));
    let saved = send(
        router,
        form(
            "/admin/subject-rights",
            Some(&admin.cookie),
            &encode(&[
                ("csrf", &admin.csrf),
                ("version", "0"),
                ("retention_months", "84"),
            ]),
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(router, get("/admin/subject-rights", Some(&admin.cookie))).await;
    assert!(page.body.contains(r#"value="84""#));
    // A supervisor is not an admin here.
    let refused = send(router, get("/admin/subject-rights", Some(&sup.cookie))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
