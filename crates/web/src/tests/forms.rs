//! Agency assessment forms: the admin builder pages, program requirements, filling a form for a
//! case (pages in both languages), and the JSON API on both databases.

use super::*;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_service::client::DuplicateDecision;

/// A client with a case run by the test worker, in `program` when given; the case id.
async fn case_of(f: &Fixture, program: Option<i64>) -> i64 {
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
    f.app
        .open_case(
            &worker,
            &CaseForm {
                client_id: client.id,
                presenting_problem: "Facing eviction".into(),
                program_id: program,
                ..CaseForm::default()
            },
        )
        .await
        .expect("case")
        .id
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

/// The hidden `version` value on a page.
fn version_on(page: &Answer) -> String {
    let marker = "name=\"version\" value=\"";
    let start = page.body.find(marker).expect("a version field") + marker.len();
    let len = page.body[start..].find('"').expect("end");
    page.body[start..start + len].to_string()
}

#[tokio::test]
async fn an_admin_builds_a_form_requires_it_and_a_worker_fills_it_through_the_pages() {
    let f = fixture().await;
    let router = &f.router;
    let admin = sign_in(router, "admin@example.org").await;
    let c = Some(admin.cookie.as_str());

    // Build "Housing check": one section, a required number 0-20 and a yes/no.
    let made = send(
        router,
        form(
            "/admin/forms",
            c,
            &encode(&[("csrf", &admin.csrf), ("name", "Housing check")]),
        ),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let edit_uri = made.location().split('?').next().unwrap_or("").to_string();
    let form_id: i64 = edit_uri
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let page = send(router, get(&edit_uri, c)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("<label for=\"section-title\">Section title</label>"));
    let v = version_on(&page);
    let added = send(
        router,
        form(
            &format!("{edit_uri}/sections"),
            c,
            &encode(&[("csrf", &admin.csrf), ("version", &v), ("title", "Home")]),
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = send(router, get(&edit_uri, c)).await;
    assert!(page
        .body
        .contains("<label for=\"field-kind\">Kind of answer</label>"));
    let v = version_on(&page);
    // A choice field without choices is refused next to the choices box; nothing is added.
    let field = |v: &str, label: &'static str, kind: &'static str, choices: &'static str| {
        encode(&[
            ("csrf", &admin.csrf),
            ("version", v),
            ("section", "0"),
            ("label", label),
            ("key", ""),
            ("kind", kind),
            ("required", "on"),
            ("choices", choices),
            ("min", if kind == "number" { "0" } else { "" }),
            ("max", if kind == "number" { "20" } else { "" }),
            ("help", ""),
        ])
    };
    let refused = send(
        router,
        form(
            &format!("{edit_uri}/fields"),
            c,
            &field(&v, "Tenure", "single_choice", ""),
        ),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused
        .body
        .contains("id=\"field-choices-problem\">Give at least one choice, one per line."));
    let ok = send(
        router,
        form(
            &format!("{edit_uri}/fields"),
            c,
            &field(&v, "Nights housed", "number", ""),
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = send(router, get(&edit_uri, c)).await;
    assert!(
        page.body.contains("<code>nights_housed</code>"),
        "{}",
        page.body
    );
    let v = version_on(&page);
    let ok = send(
        router,
        form(
            &format!("{edit_uri}/fields"),
            c,
            &field(&v, "Feels safe", "yes_no", ""),
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = send(router, get(&edit_uri, c)).await;
    let v = version_on(&page);
    // A stale version is refused.
    let stale = send(
        router,
        form(
            &format!("{edit_uri}/publication"),
            c,
            &encode(&[("csrf", &admin.csrf), ("version", "1")]),
        ),
    )
    .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
    );
    let published = send(
        router,
        form(
            &format!("{edit_uri}/publication"),
            c,
            &encode(&[("csrf", &admin.csrf), ("version", &v)]),
        ),
    )
    .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );

    // Require it for a program.
    let program = f
        .app
        .create_program(
            None,
            f.app
                .actor_for_email("admin@example.org")
                .await
                .expect("admin")
                .agency_id,
            "Housing",
            false,
            false,
        )
        .await
        .expect("program");
    let programs = send(router, get("/admin/programs", c)).await;
    let req_uri = format!("/admin/programs/{}/requirements", program.id);
    assert!(programs.body.contains(&format!("href=\"{req_uri}\"")));
    let req_page = send(router, get(&req_uri, c)).await;
    assert_eq!(req_page.status, StatusCode::OK);
    assert!(req_page.body.contains("<legend>Agency forms</legend>"));
    assert!(req_page.body.contains("Housing check</label>"));
    let saved = send(
        router,
        form(
            &req_uri,
            c,
            &encode(&[
                ("csrf", &admin.csrf),
                ("requirement", &format!("form:{form_id}")),
            ]),
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // The worker sees the requirement on the case page and fills the form.
    let case_id = case_of(&f, Some(program.id)).await;
    let worker = sign_in(router, "worker@example.org").await;
    let w = Some(worker.cookie.as_str());
    let case_page = send(router, get(&format!("/cases/{case_id}"), w)).await;
    assert_eq!(case_page.status, StatusCode::OK);
    let fill_uri = format!("/cases/{case_id}/forms/{form_id}/new");
    assert!(case_page.body.contains("Required by the program"));
    assert!(case_page
        .body
        .contains(&format!("<a href=\"{fill_uri}\">Housing check</a>")));
    let fill = send(router, get(&fill_uri, w)).await;
    assert_eq!(fill.status, StatusCode::OK);
    assert!(
        fill.body.contains(
            "<label for=\"answer-nights_housed\">Nights housed <span class=\"required\">(required)</span></label>"
        ),
        "{}",
        fill.body
    );
    assert!(fill
        .body
        .contains("<legend>Feels safe <span class=\"required\">(required)</span></legend>"));
    assert!(fill.body.contains(
        "type=\"radio\" id=\"answer-feels_safe-1\" name=\"answer.feels_safe\" value=\"yes\""
    ));
    let answer = |nights: &'static str, action: &'static str| {
        encode(&[
            ("csrf", &worker.csrf),
            ("filled_on", ""),
            ("answer.nights_housed", nights),
            ("answer.feels_safe", "yes"),
            ("action", action),
        ])
    };
    let bad = send(router, form(&fill_uri, w, &answer("", "complete"))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad
        .body
        .contains("id=\"answer-nights_housed-problem\">This is required."));
    // What was typed stays.
    assert!(bad.body.contains("value=\"yes\" checked"));
    let range = send(router, form(&fill_uri, w, &answer("25", "complete"))).await;
    assert!(range
        .body
        .contains("id=\"answer-nights_housed-problem\">This number is outside the allowed range."));
    let done = send(router, form(&fill_uri, w, &answer("4", "complete"))).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location().starts_with("/form-responses/"));
    let read = send(router, get(done.location(), w)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.contains("<dt>Nights housed</dt>"));
    assert!(read.body.contains("<dd>4</dd>"));
    assert!(read.body.contains("Filled against version 1 of the form"));
    let case_page = send(router, get(&format!("/cases/{case_id}"), w)).await;
    assert!(case_page.body.contains("Housing check: done"));

    // The admin cannot read the response.
    let denied = send(router, get(done.location(), c)).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);

    // In Spanish.
    let es = encode(&[
        ("csrf", &worker.csrf),
        ("lang", "es"),
        ("back", "/caseload"),
    ]);
    send(router, form("/language", w, &es)).await;
    let fill = send(router, get(&fill_uri, w)).await;
    assert!(fill
        .body
        .contains("<label for=\"filled-on\">Fecha en que se rellenó</label>"));
    assert!(fill.body.contains("(obligatorio)"));
    assert!(fill
        .body
        .contains("<label for=\"answer-feels_safe-1\">Sí</label>"));
    let list = send(router, get(&format!("/cases/{case_id}/forms"), w)).await;
    assert!(list.body.contains("Formularios rellenados"));
    assert!(list.body.contains("Completado"));
    let es = encode(&[
        ("csrf", &admin.csrf),
        ("lang", "es"),
        ("back", "/admin/forms"),
    ]);
    send(router, form("/language", c, &es)).await;
    let edit = send(router, get(&edit_uri, c)).await;
    assert!(edit
        .body
        .contains("<label for=\"field-kind\">Tipo de respuesta</label>"));
    assert!(edit.body.contains("Sí o no"));
}

#[tokio::test]
async fn the_forms_api_defines_publishes_fills_and_names_the_bad_answer() {
    each_backend(|f| async move {
        let router = &f.router;
        let admin = bearer(&f.app, "admin@example.org").await;
        let worker = bearer(&f.app, "worker@example.org").await;
        let definition = r#"{"sections": [{"title": "Home", "fields": [
            {"key": "rooms", "label": "Rooms", "kind": "number", "required": true, "min": 0, "max": 9},
            {"key": "worries", "label": "Worries", "kind": "multiple_choice", "choices": ["Rent", "Food"]}
        ]}]}"#;
        let bad = send(
            router,
            json_request(
                "POST",
                "/api/v1/assessment-forms",
                &admin,
                None,
                r#"{"name": "Bad", "definition": {"sections": [{"title": "A", "fields": [
                    {"key": "x", "label": "X", "kind": "number", "min": 5, "max": 1}]}]}}"#,
            ),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(bad.json()["error"]["field"], "sections[0].fields[0].min");
        assert_eq!(bad.json()["error"]["code"], "min_above_max");
        let made = send(
            router,
            json_request(
                "POST",
                "/api/v1/assessment-forms",
                &admin,
                None,
                &format!(r#"{{"name": "Home check", "definition": {definition}}}"#),
            ),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let form_id = made.json()["id"].as_i64().expect("id");
        assert_eq!(made.json()["status"], "draft");
        let uri = format!("/api/v1/assessment-forms/{form_id}");
        let no_match = send(
            router,
            json_request("POST", &format!("{uri}/publication"), &admin, None, ""),
        )
        .await;
        assert_eq!(no_match.status, StatusCode::PRECONDITION_REQUIRED);
        let stale = send(
            router,
            json_request("POST", &format!("{uri}/publication"), &admin, Some("\"1\""), ""),
        )
        .await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
        let published = send(
            router,
            json_request(
                "POST",
                &format!("{uri}/publication"),
                &admin,
                Some(&etag_of(&made)),
                "",
            ),
        )
        .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        assert_eq!(published.json()["status"], "published");
        // A worker cannot define forms but lists the published one.
        let denied = send(
            router,
            json_request("POST", "/api/v1/assessment-forms", &worker, None, r#"{"name": "Mine"}"#),
        )
        .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let listed = send(
            router,
            json_request("GET", "/api/v1/assessment-forms?limit=1", &worker, None, ""),
        )
        .await;
        assert_eq!(listed.json()["items"][0]["id"], form_id);

        // Requirements.
        let program = send(
            router,
            json_request("POST", "/api/v1/programs", &admin, None, r#"{"name": "Housing"}"#),
        )
        .await;
        let program_id = program.json()["id"].as_i64().expect("program");
        let req_uri = format!("/api/v1/programs/{program_id}/requirements");
        let set = send(
            router,
            json_request(
                "PUT",
                &req_uri,
                &admin,
                None,
                &format!(r#"{{"requirements": ["gad7", "form:{form_id}"]}}"#),
            ),
        )
        .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        let read = send(router, json_request("GET", &req_uri, &worker, None, "")).await;
        assert_eq!(
            read.json()["requirements"],
            serde_json::json!([format!("form:{form_id}"), "gad7"])
        );

        // Fill.
        let case_id = case_of(&f, Some(program_id)).await;
        let responses = format!("/api/v1/cases/{case_id}/form-responses");
        let wrong = send(
            router,
            json_request(
                "POST",
                &responses,
                &worker,
                None,
                &format!(r#"{{"form_id": {form_id}, "answers": {{"rooms": 2, "worries": ["Cars"]}}}}"#),
            ),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
        assert_eq!(wrong.json()["error"]["field"], "worries");
        assert_eq!(wrong.json()["error"]["code"], "unknown_choice");
        let draft = send(
            router,
            json_request(
                "POST",
                &responses,
                &worker,
                None,
                &format!(r#"{{"form_id": {form_id}, "answers": {{"worries": ["Food"]}}}}"#),
            ),
        )
        .await;
        assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
        let rid = draft.json()["id"].as_i64().expect("id");
        let r_uri = format!("/api/v1/form-responses/{rid}");
        let incomplete = send(
            router,
            json_request(
                "POST",
                &format!("{r_uri}/completion"),
                &worker,
                Some(&etag_of(&draft)),
                "",
            ),
        )
        .await;
        assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(incomplete.json()["error"]["field"], "rooms");
        assert_eq!(incomplete.json()["error"]["code"], "required");
        let updated = send(
            router,
            json_request(
                "PUT",
                &r_uri,
                &worker,
                Some(&etag_of(&draft)),
                r#"{"answers": {"rooms": 3, "worries": ["Food"]}}"#,
            ),
        )
        .await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
        let stale = send(
            router,
            json_request(
                "POST",
                &format!("{r_uri}/completion"),
                &worker,
                Some(&etag_of(&draft)),
                "",
            ),
        )
        .await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
        let done = send(
            router,
            json_request(
                "POST",
                &format!("{r_uri}/completion"),
                &worker,
                Some(&etag_of(&updated)),
                "",
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["status"], "completed");
        assert_eq!(done.json()["answers"]["rooms"], 3.0);
        let list = send(router, json_request("GET", &responses, &worker, None, "")).await;
        assert_eq!(list.json()["items"][0]["id"], rid);
        assert_eq!(
            list.json()["items"][0]["form_version_id"],
            published.json()["version_id"]
        );
        let hidden = send(router, json_request("GET", &r_uri, &admin, None, "")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    })
    .await;
}
