//! Sharing and break-the-glass: the JSON API on both databases, and the pages (English and
//! Spanish, labelled fields, without script).

use super::*;
use axum::http::Request;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_service::client::DuplicateDecision;

const REASON: &str = "Police called about the children tonight";

struct Shared {
    case_id: i64,
    other_id: i64,
}

async fn user(f: &Fixture, email: &str, role: &str, team: i64) -> i64 {
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    f.app
        .create_user(
            None,
            worker.agency_id,
            &UserForm {
                email: email.into(),
                display_name: format!("Test {}", email.split('@').next().unwrap_or(email)),
                role: role.into(),
                team_id: Some(team),
                password: Secret::new(PASSWORD),
                locale: "en".into(),
            },
        )
        .await
        .expect("user");
    f.app.actor_for_email(email).await.expect("actor").user_id
}

/// A case of worker@example.org on team North (supervisor sup@example.org), and a caseworker
/// of team South (other@example.org) outside its reach.
async fn shared(f: &Fixture) -> Shared {
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
    let south = f
        .app
        .create_team(None, worker.agency_id, "South")
        .await
        .expect("team");
    user(f, "sup@example.org", "supervisor", north.id).await;
    let other_id = user(f, "other@example.org", "caseworker", south.id).await;
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
                primary_worker_id: Some(worker.user_id),
                team_id: Some(north.id),
                ..CaseForm::default()
            },
        )
        .await
        .expect("case");
    Shared {
        case_id: case.id,
        other_id,
    }
}

fn json_request(
    method: &str,
    uri: &str,
    auth: &str,
    if_match: Option<&str>,
    body: &str,
) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(v) = if_match {
        req = req.header(header::IF_MATCH, v);
    }
    req.body(Body::from(body.to_string())).expect("request")
}

fn etag_of(a: &Answer) -> String {
    a.headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string()
}

#[tokio::test]
async fn the_sharing_api_shares_lists_and_ends_a_share() {
    each_backend(|f| async move {
        let s = shared(&f).await;
        let router = &f.router;
        let worker = bearer(&f.app, "worker@example.org").await;
        let other = bearer(&f.app, "other@example.org").await;
        let case_uri = format!("/api/v1/cases/{}", s.case_id);
        let hidden = send(router, json_request("GET", &case_uri, &other, None, "")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        let uri = format!("/api/v1/cases/{}/shares", s.case_id);
        let today = f.app.today();
        let past = (today - time::Duration::days(1)).to_string();
        let bad = format!(
            r#"{{"worker_id": {}, "ends_on": "{past}", "reason": "Cover"}}"#,
            s.other_id
        );
        let refused = send(router, json_request("POST", &uri, &worker, None, &bad)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(refused.json()["error"]["field"], "ends_on");
        let body = format!(
            r#"{{"worker_id": {}, "ends_on": "{today}", "reason": "Cover"}}"#,
            s.other_id
        );
        let made = send(router, json_request("POST", &uri, &worker, None, &body)).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert_eq!(made.json()["ends_on"], today.to_string());
        let share_id = made.json()["id"].as_i64().expect("id");
        let read = send(router, json_request("GET", &case_uri, &other, None, "")).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        // The shared worker may read the list but not end a share.
        let list = send(router, json_request("GET", &uri, &other, None, "")).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert_eq!(list.json()["shares"][0]["current"], true);
        assert_eq!(list.json()["can_share"], false);
        let end_uri = format!("/api/v1/shares/{share_id}/end");
        let bare = send(router, json_request("POST", &end_uri, &worker, None, "")).await;
        assert_eq!(bare.status, StatusCode::PRECONDITION_REQUIRED);
        let by_other = send(
            router,
            json_request("POST", &end_uri, &other, Some(&etag_of(&made)), ""),
        )
        .await;
        assert_eq!(by_other.status, StatusCode::FORBIDDEN, "{}", by_other.body);
        let ended = send(
            router,
            json_request("POST", &end_uri, &worker, Some(&etag_of(&made)), ""),
        )
        .await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
        assert!(ended.json()["ended_at"].is_string());
        let gone = send(router, json_request("GET", &case_uri, &other, None, "")).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        let doc = send(router, get("/api/v1/openapi.json", None)).await.json();
        for path in [
            "/api/v1/cases/{id}/shares",
            "/api/v1/shares/{id}/end",
            "/api/v1/cases/{id}/break-glass",
            "/api/v1/break-glass/reviews",
            "/api/v1/break-glass/{id}/review",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
    })
    .await;
}

#[tokio::test]
async fn the_break_glass_api_needs_a_reason_and_the_supervisor_reviews() {
    each_backend(|f| async move {
        let s = shared(&f).await;
        let router = &f.router;
        let other = bearer(&f.app, "other@example.org").await;
        let sup = bearer(&f.app, "sup@example.org").await;
        let auditor = bearer(&f.app, "auditor@example.org").await;
        let uri = format!("/api/v1/cases/{}/break-glass", s.case_id);
        let short = send(
            router,
            json_request("POST", &uri, &other, None, r#"{"reason": "urgent"}"#),
        )
        .await;
        assert_eq!(
            short.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            short.body
        );
        assert_eq!(short.json()["error"]["field"], "reason");
        assert_eq!(short.json()["error"]["code"], "reason_too_short");
        let body = format!(r#"{{"reason": "{REASON}"}}"#);
        let by_auditor = send(router, json_request("POST", &uri, &auditor, None, &body)).await;
        assert_eq!(
            by_auditor.status,
            StatusCode::FORBIDDEN,
            "{}",
            by_auditor.body
        );
        let broken = send(router, json_request("POST", &uri, &other, None, &body)).await;
        assert_eq!(broken.status, StatusCode::CREATED, "{}", broken.body);
        let id = broken.json()["id"].as_i64().expect("id");
        let read = send(
            router,
            json_request(
                "GET",
                &format!("/api/v1/cases/{}", s.case_id),
                &other,
                None,
                "",
            ),
        )
        .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        let reviews = send(
            router,
            json_request("GET", "/api/v1/break-glass/reviews", &sup, None, ""),
        )
        .await;
        assert_eq!(reviews.status, StatusCode::OK, "{}", reviews.body);
        assert_eq!(reviews.json()["items"][0]["id"], id);
        assert_eq!(reviews.json()["items"][0]["reason"], REASON);
        let review_uri = format!("/api/v1/break-glass/{id}/review");
        let blank = send(
            router,
            json_request(
                "POST",
                &review_uri,
                &sup,
                Some(&etag_of(&broken)),
                r#"{"verdict": "justified"}"#,
            ),
        )
        .await;
        assert_eq!(
            blank.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            blank.body
        );
        assert_eq!(blank.json()["error"]["field"], "comment");
        let done = send(
            router,
            json_request(
                "POST",
                &review_uri,
                &sup,
                Some(&etag_of(&broken)),
                r#"{"verdict": "not_justified", "comment": "Should have called me"}"#,
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["verdict"], "not_justified");
        let reviews = send(
            router,
            json_request("GET", "/api/v1/break-glass/reviews", &sup, None, ""),
        )
        .await;
        assert_eq!(reviews.json()["items"].as_array().map(Vec::len), Some(0));
    })
    .await;
}

#[tokio::test]
async fn sharing_and_break_glass_work_from_the_pages_in_english_and_spanish() {
    let f = fixture().await;
    let s = shared(&f).await;
    let router = &f.router;
    let w = sign_in(router, "worker@example.org").await;
    let page_uri = format!("/cases/{}/sharing", s.case_id);
    let page = send(router, get(&page_uri, Some(&w.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for label in [
        r#"<label for="share-worker">"#,
        r#"<label for="share-ends-on">"#,
        r#"<label for="share-reason">"#,
        "Share this case",
    ] {
        assert!(page.body.contains(label), "{label}");
    }
    let case_page = send(
        router,
        get(&format!("/cases/{}", s.case_id), Some(&w.cookie)),
    )
    .await;
    assert!(
        case_page.body.contains(&page_uri),
        "the case page links to sharing"
    );
    // A reason left blank is refused next to its field, the typed date kept.
    let today = f.app.today().to_string();
    let other = s.other_id.to_string();
    let blank = encode(&[
        ("csrf", &w.csrf),
        ("worker_id", &other),
        ("ends_on", &today),
        ("reason", " "),
    ]);
    let refused = send(router, form(&page_uri, Some(&w.cookie), &blank)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("share-reason-problem"));
    assert!(refused.body.contains(&format!(r#"value="{today}""#)));
    let body = encode(&[
        ("csrf", &w.csrf),
        ("worker_id", &other),
        ("ends_on", &today),
        ("reason", "Covering my leave"),
    ]);
    let done = send(router, form(&page_uri, Some(&w.cookie), &body)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // The shared worker sees the case on their caseload, marked.
    let o = sign_in(router, "other@example.org").await;
    let caseload = send(router, get("/caseload", Some(&o.cookie))).await;
    assert!(
        caseload
            .body
            .contains(&format!("Shared with you until {today}")),
        "{}",
        caseload.body
    );
    assert!(caseload.body.contains(r#"<label for="break-glass-case">"#));
    // Break the glass from the case number field.
    let jump = send(
        router,
        get(&format!("/break-glass?case={}", s.case_id), Some(&o.cookie)),
    )
    .await;
    assert_eq!(jump.status, StatusCode::SEE_OTHER);
    let glass_uri = format!("/cases/{}/break-glass", s.case_id);
    assert_eq!(jump.location(), glass_uri);
    // A number mistyped is named as such and kept to be corrected.
    let typo = send(router, get("/break-glass?case=12a", Some(&o.cookie))).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        typo.body.contains("Enter a case number in digits"),
        "{}",
        typo.body
    );
    assert!(typo.body.contains("value=\"12a\""), "{}", typo.body);
    let glass = send(router, get(&glass_uri, Some(&o.cookie))).await;
    assert!(glass.body.contains(r#"<label for="break-glass-reason">"#));
    let sup = sign_in(router, "sup@example.org").await;
    let short = encode(&[("csrf", &sup.csrf), ("reason", "urgent")]);
    // The supervisor of the case's team already reaches it: nothing to break.
    let own = send(router, form(&glass_uri, Some(&sup.cookie), &short)).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another agency-less refusal path: the auditor may never break the glass.
    let a = sign_in(router, "auditor@example.org").await;
    let by_auditor = send(
        router,
        form(
            &glass_uri,
            Some(&a.cookie),
            &encode(&[("csrf", &a.csrf), ("reason", REASON)]),
        ),
    )
    .await;
    assert_eq!(by_auditor.status, StatusCode::FORBIDDEN);
    // End the share so the glass is needed, then break it.
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let sharing = f.app.case_sharing(&worker, s.case_id).await.expect("list");
    let share = &sharing.shares[0].share;
    let end = encode(&[("csrf", &w.csrf), ("version", &share.version.to_string())]);
    let ended = send(
        router,
        form(
            &format!("{page_uri}/{}/end", share.id),
            Some(&w.cookie),
            &end,
        ),
    )
    .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    let short = encode(&[("csrf", &o.csrf), ("reason", "urgent")]);
    let refused = send(router, form(&glass_uri, Some(&o.cookie), &short)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("break-glass-reason-problem"));
    let full = encode(&[("csrf", &o.csrf), ("reason", REASON)]);
    let broken = send(router, form(&glass_uri, Some(&o.cookie), &full)).await;
    assert_eq!(broken.status, StatusCode::SEE_OTHER, "{}", broken.body);
    let read = send(
        router,
        get(&format!("/cases/{}", s.case_id), Some(&o.cookie)),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    // The page says it is emergency, read-only access and until when; it links neither to the
    // client's record (which glass does not open) nor to forms that would be refused.
    assert!(
        read.body
            .contains("Emergency access: you are reading this case through broken glass"),
        "{}",
        read.body
    );
    assert!(!read.body.contains("href=\"/clients/"), "{}", read.body);
    assert!(!read.body.contains("/assessments/new"));
    assert!(!read.body.contains("/evaluations/new"));
    // Someone who reaches the case in the ordinary way sees no such banner.
    let own = send(
        router,
        get(&format!("/cases/{}", s.case_id), Some(&sup.cookie)),
    )
    .await;
    assert!(!own.body.contains("Emergency access"));
    assert!(own.body.contains("/assessments/new"));
    // The supervisor reviews it from the list, in Spanish.
    let body = encode(&[("csrf", &sup.csrf), ("lang", "es"), ("back", "/")]);
    send(router, form("/language", Some(&sup.cookie), &body)).await;
    let list = send(router, get("/break-glass/reviews", Some(&sup.cookie))).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Accesos de emergencia por revisar"));
    assert!(list
        .body
        .contains("<legend>¿Estaba justificado el acceso?</legend>"));
    assert!(list.body.contains(REASON));
    let access = f
        .app
        .break_glass_reviews(
            &f.app.actor_for_email("sup@example.org").await.expect("sup"),
            None,
            None,
        )
        .await
        .expect("reviews")
        .items
        .remove(0)
        .access;
    let review = encode(&[
        ("csrf", &sup.csrf),
        ("version", &access.version.to_string()),
        ("verdict", "justified"),
        ("comment", "Right call"),
    ]);
    let reviewed = send(
        router,
        form(
            &format!("/break-glass/{}/review", access.id),
            Some(&sup.cookie),
            &review,
        ),
    )
    .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER, "{}", reviewed.body);
    let sharing_es = send(router, get(&page_uri, Some(&sup.cookie))).await;
    assert!(sharing_es.body.contains("Compartir y acceso de emergencia"));
    assert!(sharing_es.body.contains("Justificado: Right call"));
    assert!(sharing_es.body.contains("Terminado antes de tiempo"));
}
