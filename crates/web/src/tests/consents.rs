//! Consent to share and disclosures: the JSON API on both databases, the client page's sections,
//! the consent and disclosure forms, and the printable summary holding only what was chosen.

use super::*;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_service::client::DuplicateDecision;

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

/// A client the test worker registered and carries a case for.
async fn carried_client(f: &Fixture) -> i64 {
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
                phone: Some("555 0100".into()),
                ..ClientForm::default()
            },
            &DuplicateDecision::default(),
        )
        .await
        .expect("client");
    f.app
        .open_case(
            &worker,
            &CaseForm {
                client_id: client.id,
                presenting_problem: "Facing eviction".into(),
                ..CaseForm::default()
            },
        )
        .await
        .expect("case");
    client.id
}

// The fixture's clock stands at 2026-09-21.
const CONSENT: &str = r#"{"recipient_type": "organisation", "recipient_name": "Eastside Clinic",
    "recipient_kind": "health_care", "purpose": "care_coordination",
    "categories": ["identity", "contact"], "starts_on": "2026-09-01",
    "expires_on": "2026-10-01", "given_how": "signed"}"#;

fn disclosure_body(categories: &str) -> String {
    format!(
        r#"{{"recipient_name": "Eastside Clinic", "purpose": "care_coordination",
            "categories": {categories}, "channel": "letter"}}"#
    )
}

#[tokio::test]
async fn the_api_records_consents_checks_disclosures_and_revokes() {
    each_backend(|f| async move {
        let client = carried_client(&f).await;
        let router = &f.router;
        let auth = bearer(&f.app, "worker@example.org").await;
        let consents = format!("/api/v1/clients/{client}/consents");
        let disclosures = format!("/api/v1/clients/{client}/disclosures");

        let refused = send(router, json_request("POST", &disclosures, &auth, None, &disclosure_body(r#"["identity"]"#))).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert_eq!(refused.json()["error"]["code"], "consent_not_covering");
        assert_eq!(refused.json()["error"]["unmet"][0], "no_consent");

        let made = send(router, json_request("POST", &consents, &auth, None, CONSENT)).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let consent = made.json();
        assert_eq!(consent["status"], "active");
        assert_eq!(consent["categories"][1], "contact");
        let id = consent["id"].as_i64().expect("id");
        let etag = made.headers.get(header::ETAG).and_then(|v| v.to_str().ok()).expect("etag").to_string();

        let bad = send(router, json_request("POST", &consents, &auth, None,
            &CONSENT.replace("\"2026-10-01\"", "\"2026-08-01\""))).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["error"]["field"], "expires_on");

        let partial = send(router, json_request("POST", &disclosures, &auth, None,
            &disclosure_body(r#"["identity", "health"]"#))).await;
        assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", partial.body);
        let error = &partial.json()["error"];
        assert_eq!(error["field"], "categories");
        assert_eq!(error["unmet"], serde_json::json!(["health"]));

        let ok = send(router, json_request("POST", &disclosures, &auth, None,
            &disclosure_body(r#"["identity"]"#))).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        assert_eq!(ok.json()["consent_id"], id);

        let legal = send(router, json_request("POST", &disclosures, &auth, None,
            r#"{"recipient_name": "County Court", "recipient_kind": "court", "purpose": "legal_proceedings",
                "categories": ["identity", "legal"], "channel": "letter",
                "legal_basis": {"kind": "court_order", "law_cited": "Order 2026/114",
                  "authorised_by_name": "Dana Lee", "authorised_by_role": "Director",
                  "authorised_on": "2026-09-20"}}"#)).await;
        assert_eq!(legal.status, StatusCode::CREATED, "{}", legal.body);
        assert_eq!(legal.json()["consent_id"], serde_json::Value::Null);

        let list = send(router, json_request("GET", &format!("{disclosures}?limit=1"), &auth, None, "")).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.json()["items"][0]["recipient_name"], "County Court");
        let next = list.json()["next_cursor"].as_str().expect("a second page").to_string();
        let older = send(router, json_request("GET", &format!("{disclosures}?limit=1&cursor={next}"), &auth, None, "")).await;
        assert_eq!(older.json()["items"][0]["consent_id"], id);

        // Auditors read disclosure records, not the client.
        let auditor = bearer(&f.app, "auditor@example.org").await;
        let seen = send(router, json_request("GET", &disclosures, &auditor, None, "")).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        assert_eq!(seen.json()["items"].as_array().map(Vec::len), Some(2));
        let hidden = send(router, json_request("GET", &format!("/api/v1/clients/{client}"), &auditor, None, "")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        let hidden = send(router, json_request("GET", &consents, &auditor, None, "")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);

        let expiring = send(router, json_request("GET", "/api/v1/consents/expiring?days=30", &auth, None, "")).await;
        assert_eq!(expiring.status, StatusCode::OK, "{}", expiring.body);
        assert_eq!(expiring.json()["items"][0]["id"], id);
        assert_eq!(expiring.json()["items"][0]["client_name"], "Ana Torres");
        let too_far = send(router, json_request("GET", "/api/v1/consents/expiring?days=9999", &auth, None, "")).await;
        assert_eq!(too_far.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(too_far.json()["error"]["field"], "days");

        let revocation = format!("/api/v1/consents/{id}/revocation");
        let reason = r#"{"reason": "Client asked us to stop"}"#;
        let missing = send(router, json_request("POST", &revocation, &auth, None, reason)).await;
        assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
        let stale = send(router, json_request("POST", &revocation, &auth, Some("\"99\""), reason)).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
        let revoked = send(router, json_request("POST", &revocation, &auth, Some(&etag), reason)).await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        assert_eq!(revoked.json()["status"], "revoked");

        let after = send(router, json_request("POST", &disclosures, &auth, None, &disclosure_body(r#"["identity"]"#))).await;
        assert_eq!(after.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(after.json()["error"]["unmet"][0], "consent_revoked");
        let list = send(router, json_request("GET", &consents, &auth, None, "")).await;
        assert_eq!(list.json()["items"][0]["status"], "revoked");
    })
    .await;
}

#[tokio::test]
async fn the_client_page_records_a_consent_and_prints_only_the_chosen_categories() {
    let f = fixture().await;
    let client = carried_client(&f).await;
    let router = &f.router;
    let b = sign_in(router, "worker@example.org").await;

    let page = send(router, get(&format!("/clients/{client}"), Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Consents to share"));
    assert!(page.body.contains("Disclosures"));
    assert!(page
        .body
        .contains(&format!("/clients/{client}/consents/new")));

    let new = send(
        router,
        get(&format!("/clients/{client}/consents/new"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(new.status, StatusCode::OK);
    for label in [
        "for=\"recipient-name\"",
        "for=\"starts-on\"",
        "for=\"expires-on\"",
        "for=\"category-health\"",
        "<legend>",
    ] {
        assert!(new.body.contains(label), "{label}");
    }

    let consent = |expires: &str| {
        encode(&[
            ("csrf", &b.csrf),
            ("recipient_type", "organisation"),
            ("recipient_name", "Eastside Clinic"),
            ("recipient_kind", "health_care"),
            ("purpose", "care_coordination"),
            ("purpose_other", ""),
            ("categories", "identity"),
            ("categories", "contact"),
            ("starts_on", "2026-09-01"),
            ("expires_on", expires),
            ("given_how", "signed"),
            ("witness", ""),
        ])
    };
    let refused = send(
        router,
        form(
            &format!("/clients/{client}/consents"),
            Some(&b.cookie),
            &consent("2026-08-01"),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("The last day must come after the first day."));
    let saved = send(
        router,
        form(
            &format!("/clients/{client}/consents"),
            Some(&b.cookie),
            &consent("2026-10-01"),
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(router, get(saved.location(), Some(&b.cookie))).await;
    assert!(page.body.contains("The consent to share was recorded."));
    assert!(page.body.contains("Eastside Clinic (Health care)"));
    assert!(page.body.contains("In force"));
    assert!(page.body.contains("Runs out soon"));
    assert!(page.body.contains("Identity, Contact details"));

    let print = |categories: &[&str]| {
        let mut pairs = vec![
            ("csrf", b.csrf.as_str()),
            ("recipient_name", "Eastside Clinic"),
            ("recipient_kind", "health_care"),
            ("purpose", "care_coordination"),
            ("basis", "consent"),
        ];
        pairs.extend(categories.iter().map(|c| ("categories", *c)));
        encode(&pairs)
    };
    let summary = send(
        router,
        form(
            &format!("/clients/{client}/disclosures/print"),
            Some(&b.cookie),
            &print(&["identity"]),
        ),
    )
    .await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert!(summary.body.contains("Client information summary"));
    assert!(summary.body.contains("Ana Torres"));
    assert!(!summary.body.contains("555 0100"), "contact was not chosen");
    assert!(!summary.body.contains("summary-contact"));
    let with_contact = send(
        router,
        form(
            &format!("/clients/{client}/disclosures/print"),
            Some(&b.cookie),
            &print(&["contact"]),
        ),
    )
    .await;
    assert_eq!(with_contact.status, StatusCode::OK);
    assert!(with_contact.body.contains("555 0100"));
    assert!(!with_contact.body.contains("summary-identity"));

    let uncovered = send(
        router,
        form(
            &format!("/clients/{client}/disclosures/print"),
            Some(&b.cookie),
            &print(&["identity", "household"]),
        ),
    )
    .await;
    assert_eq!(uncovered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(uncovered
        .body
        .contains("No consent in force covers this disclosure."));
    assert!(uncovered.body.contains("<li>Household</li>"));

    let page = send(router, get(&format!("/clients/{client}"), Some(&b.cookie))).await;
    assert!(page.body.contains("Printed summary"));
    assert!(page.body.contains("Consent no."));
    let caseload = send(router, get("/caseload", Some(&b.cookie))).await;
    assert!(caseload.body.contains("Consents running out soon"));
    assert!(caseload.body.contains("2026-10-01"));

    // Revoke from the page: a reason is required.
    let consent_id = f
        .app
        .share_consents(
            &f.app
                .actor_for_email("worker@example.org")
                .await
                .expect("w"),
            client,
            None,
            None,
        )
        .await
        .expect("consents")
        .page
        .items[0]
        .consent
        .id;
    let no_reason = send(
        router,
        form(
            &format!("/consents/{consent_id}/revocation"),
            Some(&b.cookie),
            &encode(&[
                ("csrf", &b.csrf),
                ("client_id", &client.to_string()),
                ("version", "1"),
                ("reason", " "),
            ]),
        ),
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("for=\"revoke-reason\""));
    let revoked = send(
        router,
        form(
            &format!("/consents/{consent_id}/revocation"),
            Some(&b.cookie),
            &encode(&[
                ("csrf", &b.csrf),
                ("client_id", &client.to_string()),
                ("version", "1"),
                ("reason", "Client asked"),
            ]),
        ),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let page = send(router, get(revoked.location(), Some(&b.cookie))).await;
    assert!(page.body.contains("Revoked"));
    assert!(page.body.contains("Client asked"));

    // The same sections in Spanish.
    let body = encode(&[("csrf", &b.csrf), ("lang", "es"), ("back", "/")]);
    send(router, form("/language", Some(&b.cookie), &body)).await;
    let page = send(router, get(&format!("/clients/{client}"), Some(&b.cookie))).await;
    assert!(page.body.contains("Consentimientos para compartir"));
    assert!(page.body.contains("Divulgaciones"));
    assert!(page.body.contains("Resumen impreso"));
    let form_es = send(
        router,
        get(
            &format!("/clients/{client}/disclosures/new"),
            Some(&b.cookie),
        ),
    )
    .await;
    assert!(form_es.body.contains("Imprimir un resumen para un tercero"));
    assert!(form_es.body.contains("for=\"law-cited\""));
}

#[tokio::test]
async fn an_auditor_reads_disclosure_records_but_not_the_client_page() {
    let f = fixture().await;
    let client = carried_client(&f).await;
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    f.app
        .disclose(
            &worker,
            client,
            &casework_domain::consent::DisclosureForm {
                recipient_name: "County Court".into(),
                recipient_kind: Some("court".into()),
                purpose: "legal_proceedings".into(),
                purpose_other: None,
                categories: vec!["identity".into()],
                channel: "letter".into(),
                legal_basis: Some(casework_domain::consent::LegalBasisForm {
                    kind: "court_order".into(),
                    law_cited: "Order 2026/114".into(),
                    authorised_by_name: "Dana Lee".into(),
                    authorised_by_role: "Director".into(),
                    authorised_on: "2026-09-20".into(),
                }),
            },
        )
        .await
        .expect("disclosed");
    let router = &f.router;
    let a = sign_in(router, "auditor@example.org").await;
    let audit = send(router, get("/audit", Some(&a.cookie))).await;
    assert!(audit.body.contains("href=\"/disclosures\""));
    let empty = send(router, get("/disclosures", Some(&a.cookie))).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("for=\"records-client\""));
    let records = send(
        router,
        get(&format!("/disclosures?client_id={client}"), Some(&a.cookie)),
    )
    .await;
    assert_eq!(records.status, StatusCode::OK, "{}", records.body);
    assert!(records.body.contains("County Court (Court)"));
    assert!(records
        .body
        .contains("Court order: Order 2026/114; authorised by Dana Lee (Director) on 2026-09-20"));
    assert!(!records.body.contains("Ana Torres"), "no client content");
    let bad = send(router, get("/disclosures?client_id=abc", Some(&a.cookie))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("records-client-problem"));
    let client_page = send(router, get(&format!("/clients/{client}"), Some(&a.cookie))).await;
    assert_eq!(client_page.status, StatusCode::FORBIDDEN);
    let unknown = send(
        router,
        get("/disclosures?client_id=999999", Some(&a.cookie)),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
