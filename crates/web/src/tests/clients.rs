//! Clients: search, registration with the duplicate warning, the client page, editing with a
//! version, merging; and the same through the API.

use super::*;
use casework_domain::client::ClientForm;
use casework_service::client::DuplicateDecision;
use casework_service::Actor;

/// The fixture plus a supervisor and an intake worker.
async fn staffed() -> Fixture {
    let f = fixture().await;
    let agency = f
        .app
        .actor_for_email("admin@example.org")
        .await
        .expect("admin")
        .agency_id;
    for (email, role) in [
        ("sup@example.org", "supervisor"),
        ("intake@example.org", "intake_worker"),
    ] {
        f.app
            .create_user(
                None,
                agency,
                &UserForm {
                    email: email.into(),
                    display_name: format!("Test {role}"),
                    role: role.into(),
                    team_id: None,
                    password: Secret::new(PASSWORD),
                    locale: "en".into(),
                },
            )
            .await
            .expect("user");
    }
    f
}

async fn actor(f: &Fixture, email: &str) -> Actor {
    f.app.actor_for_email(email).await.expect("actor")
}

/// Register through the service, as `email`.
async fn register(f: &Fixture, email: &str, form: ClientForm) -> i64 {
    f.app
        .register_client(&actor(f, email).await, &form, &DuplicateDecision::default())
        .await
        .expect("registered")
        .id
}

fn named(name: &str, birth_date: Option<&str>) -> ClientForm {
    ClientForm {
        legal_name: name.into(),
        birth_date: birth_date.map(str::to_string),
        ..ClientForm::default()
    }
}

fn client_form(b: &Browser, fields: &[(&str, &str)]) -> String {
    let mut pairs = vec![("csrf", b.csrf.as_str())];
    pairs.extend_from_slice(fields);
    encode(&pairs)
}

fn json(method: &str, uri: &str, auth: &str, if_match: Option<&str>, body: &str) -> Request<Body> {
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

fn authed_get(uri: &str, auth: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, auth)
        .body(Body::empty())
        .expect("request")
}

/// The id at the end of a `/clients/{id}?notice=...` redirect.
fn client_id_of(location: &str) -> i64 {
    location
        .strip_prefix("/clients/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a client address: {location}"))
}

#[tokio::test]
async fn a_near_duplicate_is_shown_with_its_reason_before_registering() {
    let f = staffed().await;
    let existing = register(
        &f,
        "intake@example.org",
        named("María López", Some("1990-05-04")),
    )
    .await;
    let worker = sign_in(&f.router, "worker@example.org").await;

    let form_page = send(&f.router, get("/clients/new", Some(&worker.cookie))).await;
    assert_eq!(form_page.status, StatusCode::OK);
    for input in [
        "client-legal_name",
        "client-birth_date",
        "client-identifiers-1-value",
        "client-household-2-birth_date",
    ] {
        assert!(
            form_page.body.contains(&format!("<label for=\"{input}\">")),
            "{input}"
        );
    }

    let fields = [
        ("legal_name", "Maria Lopes"),
        ("birth_date", "1990-05-04"),
        ("pronouns", "she/her"),
    ];
    let warned = send(
        &f.router,
        form(
            "/clients/new",
            Some(&worker.cookie),
            &client_form(&worker, &fields),
        ),
    )
    .await;
    assert_eq!(warned.status, StatusCode::OK);
    assert!(warned.body.contains("role=\"alert\""), "{}", warned.body);
    assert!(warned
        .body
        .contains("This client may already be registered"));
    assert!(warned.body.contains("María López"));
    assert!(warned.body.contains("the birth date is the same"));
    assert!(warned.body.contains("value=\"Maria Lopes\""), "input kept");
    assert!(warned
        .body
        .contains(&format!("name=\"shown\" value=\"{existing}\"")));
    assert!(warned.body.contains("Register as a new client anyway"));
    // Nothing registered yet.
    let none = f
        .app
        .search_clients(
            &actor(&f, "sup@example.org").await,
            &casework_service::client::ClientQuery {
                q: Some("Maria Lopes".into()),
                ..Default::default()
            },
            None,
            None,
        )
        .await
        .expect("search");
    assert_eq!(none.items.len(), 1, "only the existing record");

    // "Register anyway" sends the same form with the ids shown.
    let shown = existing.to_string();
    let mut confirmed = fields.to_vec();
    confirmed.extend([("confirmed", "1"), ("shown", shown.as_str())]);
    let done = send(
        &f.router,
        form(
            "/clients/new",
            Some(&worker.cookie),
            &client_form(&worker, &confirmed),
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let id = client_id_of(done.location());
    assert_ne!(id, existing);
    let page = send(&f.router, get(done.location(), Some(&worker.cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The client was registered."));
    assert!(page.body.contains("Maria Lopes"));
    assert!(page.body.contains("(she/her)"));
}

#[tokio::test]
async fn confirming_without_having_seen_a_duplicate_shows_it_first() {
    let f = staffed().await;
    register(
        &f,
        "intake@example.org",
        named("Ana Pérez", Some("1985-01-02")),
    )
    .await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    // A forged "register anyway" that names no duplicate is still warned.
    let body = client_form(
        &worker,
        &[
            ("legal_name", "Ana Perez"),
            ("birth_date", "1985-01-02"),
            ("confirmed", "1"),
        ],
    );
    let answer = send(&f.router, form("/clients/new", Some(&worker.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer
        .body
        .contains("This client may already be registered"));
}

#[tokio::test]
async fn picking_the_existing_record_records_the_choice_and_opens_it() {
    let f = staffed().await;
    let existing = register(
        &f,
        "intake@example.org",
        named("María López", Some("1990-05-04")),
    )
    .await;
    let intake = sign_in(&f.router, "intake@example.org").await;
    let shown = existing.to_string();
    let body = client_form(&intake, &[("chosen", &shown), ("shown", &shown)]);
    let answer = send(
        &f.router,
        form("/clients/new/existing", Some(&intake.cookie), &body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        answer.location(),
        format!("/clients/{existing}?notice=existing")
    );
    // A record that was not among those shown is refused.
    let body = client_form(&intake, &[("chosen", "999"), ("shown", &shown)]);
    let answer = send(
        &f.router,
        form("/clients/new/existing", Some(&intake.cookie), &body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // A caseworker who may not open that record is told whom to ask, under a heading that says
    // what happened rather than "Something went wrong".
    let worker = sign_in(&f.router, "worker@example.org").await;
    let body = client_form(&worker, &[("chosen", &shown), ("shown", &shown)]);
    let answer = send(
        &f.router,
        form("/clients/new/existing", Some(&worker.cookie), &body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(
        answer
            .body
            .contains("<h1>Already registered with another worker</h1>"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("Ask intake or your supervisor"));
}

#[tokio::test]
async fn a_bad_birth_date_is_shown_next_to_its_field_and_nothing_is_created() {
    let f = staffed().await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let body = client_form(
        &worker,
        &[
            ("legal_name", "Zebedee Quorn"),
            ("birth_date", "31/02/1990"),
        ],
    );
    let answer = send(&f.router, form("/clients/new", Some(&worker.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains(
        "<span class=\"field-problem\" id=\"client-birth_date-problem\">Enter the date as YYYY-MM-DD.</span>"
    ), "{}", answer.body);
    assert!(
        answer.body.contains("href=\"#client-birth_date\""),
        "summary links to the field"
    );
    assert!(answer.body.contains("value=\"31/02/1990\""));

    // A household row's date lands on that row.
    let body = client_form(
        &worker,
        &[
            ("legal_name", "Zebedee Quorn"),
            ("household[1].name", "Kid"),
            ("household[1].birth_date", "2099-01-01"),
        ],
    );
    let answer = send(&f.router, form("/clients/new", Some(&worker.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer
        .body
        .contains("id=\"client-household-1-birth_date-problem\""));

    let search = send(
        &f.router,
        get("/clients?q=Zebedee+Quorn", Some(&worker.cookie)),
    )
    .await;
    assert!(search.body.contains("No client matches this search."));
}

#[tokio::test]
async fn search_tolerates_typos_and_pages_on() {
    let f = staffed().await;
    register(
        &f,
        "worker@example.org",
        named("Jonathan Whitaker", Some("1977-03-09")),
    )
    .await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let found = send(
        &f.router,
        get("/clients?q=whitacker+jonathon", Some(&worker.cookie)),
    )
    .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("Jonathan Whitaker"), "{}", found.body);
    assert!(found.body.contains("1977-03-09"));
    assert!(found.body.contains("href=\"/clients/"));
    assert!(found.body.contains("Register a client"));
    let by_date = send(
        &f.router,
        get("/clients?birth_date=1977-03-09", Some(&worker.cookie)),
    )
    .await;
    assert!(by_date.body.contains("Jonathan Whitaker"));
    let bad_date = send(
        &f.router,
        get("/clients?birth_date=yesterday", Some(&worker.cookie)),
    )
    .await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_date.body.contains("id=\"search-birth-date-problem\""));

    // Paging: the next-page link carries the query and the cursor.
    for n in 0..26 {
        register(
            &f,
            "worker@example.org",
            named(&format!("Whitaker Sibling{n}"), None),
        )
        .await;
    }
    let first = send(&f.router, get("/clients?q=whitaker", Some(&worker.cookie))).await;
    let marker = "<a href=\"/clients?";
    let start = first.body.find(marker).expect("a More results link") + "<a href=\"".len();
    let len = first.body[start..].find('"').expect("end of link");
    let next = first.body[start..start + len]
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(
        next.contains("q=whitaker") && next.contains("cursor="),
        "{next}"
    );
    assert!(first.body.contains("More results"));
    let second = send(&f.router, get(&next, Some(&worker.cookie))).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("Whitaker"));
    assert!(!second.body.contains("More results"));
}

#[tokio::test]
async fn a_caseworker_cannot_open_a_client_outside_their_reach() {
    let f = staffed().await;
    let other = register(&f, "intake@example.org", named("Out Of Reach", None)).await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let answer = send(
        &f.router,
        get(&format!("/clients/{other}"), Some(&worker.cookie)),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(!answer.body.contains("Out Of Reach"));
    let edit = send(
        &f.router,
        get(&format!("/clients/{other}/edit"), Some(&worker.cookie)),
    )
    .await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    // Admins do no client work at all.
    let admin = sign_in(&f.router, "admin@example.org").await;
    let answer = send(&f.router, get("/clients", Some(&admin.cookie))).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_client_page_shows_what_matters_and_escapes_client_text() {
    let f = staffed().await;
    let id = register(
        &f,
        "worker@example.org",
        ClientForm {
            legal_name: "Ana <script>alert(1)</script>".into(),
            pronouns: Some("they/them".into()),
            preferred_language: Some("es".into()),
            interpreter_needed: true,
            safe_contact: Some("No voicemail".into()),
            phone: Some("555 0100".into()),
            household: vec![casework_domain::client::HouseholdForm {
                name: "Luis".into(),
                relationship: Some("son".into()),
                birth_date: Some("2015-06-01".into()),
            }],
            ..ClientForm::default()
        },
    )
    .await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let page = send(
        &f.router,
        get(&format!("/clients/{id}"), Some(&worker.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"));
    assert!(page.body.contains("(they/them)"));
    assert!(page.body.contains("Interpreter needed"));
    assert!(page.body.contains("Safe contact:"));
    assert!(page.body.contains("No voicemail"));
    assert!(page.body.contains("Luis"));
    assert!(page
        .body
        .contains(&format!("href=\"/cases/new?client_id={id}\"")));
    // A caseworker may not merge: no merge form.
    assert!(!page.body.contains("action=\"/clients/"));
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_keeps_the_input() {
    let f = staffed().await;
    let id = register(&f, "worker@example.org", named("Edith Stale", None)).await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let edit = send(
        &f.router,
        get(&format!("/clients/{id}/edit"), Some(&worker.cookie)),
    )
    .await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(
        edit.body.contains("name=\"version\" value=\"1\""),
        "{}",
        edit.body
    );
    assert!(edit.body.contains("value=\"Edith Stale\""));

    // Someone else saves first.
    f.app
        .update_client(
            &actor(&f, "worker@example.org").await,
            id,
            1,
            &named("Edith Changed", None),
        )
        .await
        .expect("update");
    let body = client_form(&worker, &[("version", "1"), ("legal_name", "Edith Mine")]);
    let answer = send(
        &f.router,
        form(&format!("/clients/{id}/edit"), Some(&worker.cookie), &body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PRECONDITION_FAILED);
    assert!(answer
        .body
        .contains("Someone changed this record since you opened it"));
    assert!(answer.body.contains("value=\"Edith Mine\""));

    let body = client_form(
        &worker,
        &[
            ("version", "2"),
            ("legal_name", "Edith Mine"),
            ("pronouns", "she/her"),
        ],
    );
    let answer = send(
        &f.router,
        form(&format!("/clients/{id}/edit"), Some(&worker.cookie), &body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let page = send(&f.router, get(answer.location(), Some(&worker.cookie))).await;
    assert!(page.body.contains("The changes were saved."));
    assert!(page.body.contains("Edith Mine"));
}

#[tokio::test]
async fn a_supervisor_merges_after_confirming_and_can_undo() {
    let f = staffed().await;
    let survivor = register(
        &f,
        "intake@example.org",
        named("Rosa Díaz", Some("1970-01-01")),
    )
    .await;
    let merged = register(
        &f,
        "intake@example.org",
        named("Rosa Diaz", Some("1970-01-01")),
    )
    .await;
    let sup = sign_in(&f.router, "sup@example.org").await;
    let page = send(
        &f.router,
        get(&format!("/clients/{survivor}"), Some(&sup.cookie)),
    )
    .await;
    assert!(page.body.contains("Merge another record into this one"));

    let merged_id = merged.to_string();
    let no_reason = client_form(&sup, &[("merged_id", &merged_id), ("reason", " ")]);
    let answer = send(
        &f.router,
        form(
            &format!("/clients/{survivor}/merge"),
            Some(&sup.cookie),
            &no_reason,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("id=\"merge-reason-problem\""));

    let review = client_form(
        &sup,
        &[("merged_id", &merged_id), ("reason", "Registered twice")],
    );
    let confirm = send(
        &f.router,
        form(
            &format!("/clients/{survivor}/merge"),
            Some(&sup.cookie),
            &review,
        ),
    )
    .await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("Confirm the merge"));
    assert!(confirm.body.contains("Rosa Díaz") && confirm.body.contains("Rosa Diaz"));

    let go = client_form(
        &sup,
        &[
            ("merged_id", &merged_id),
            ("reason", "Registered twice"),
            ("confirmed", "1"),
        ],
    );
    let done = send(
        &f.router,
        form(
            &format!("/clients/{survivor}/merge"),
            Some(&sup.cookie),
            &go,
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = send(&f.router, get(done.location(), Some(&sup.cookie))).await;
    assert!(page.body.contains("The records were merged."));
    assert!(page.body.contains("Undo merge"));
    let merged_page = send(
        &f.router,
        get(&format!("/clients/{merged}"), Some(&sup.cookie)),
    )
    .await;
    assert!(merged_page
        .body
        .contains("This record was merged into another one"));
    assert!(merged_page
        .body
        .contains(&format!("href=\"/clients/{survivor}\"")));

    let merge_id = page
        .body
        .split("action=\"/client-merges/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("an undo form")
        .to_string();
    let undo = client_form(&sup, &[("client_id", &survivor.to_string())]);
    let undone = send(
        &f.router,
        form(
            &format!("/client-merges/{merge_id}/undo"),
            Some(&sup.cookie),
            &undo,
        ),
    )
    .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER);
    let page = send(&f.router, get(undone.location(), Some(&sup.cookie))).await;
    assert!(page.body.contains("The merge was undone."));
    assert!(!page.body.contains("Undo merge"));
}

#[tokio::test]
async fn the_pages_come_in_spanish() {
    let f = staffed().await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let body = encode(&[("csrf", &worker.csrf), ("lang", "es"), ("back", "/clients")]);
    send(&f.router, form("/language", Some(&worker.cookie), &body)).await;
    let page = send(&f.router, get("/clients/new", Some(&worker.cookie))).await;
    assert!(
        page.body.contains("Registrar a una persona"),
        "{}",
        page.body
    );
}

// ---- the API ----

#[tokio::test]
async fn the_api_registers_reads_and_updates_with_versions() {
    let f = staffed().await;
    let token = bearer(&f.app, "worker@example.org").await;
    let created = send(
        &f.router,
        json(
            "POST",
            "/api/v1/clients",
            &token,
            None,
            r#"{"client": {"legal_name": "Api Person", "birth_date": "1980-02-03",
                "identifiers": [{"kind": "agency", "value": "A-1"}],
                "household": [{"name": "Kid", "relationship": "daughter"}]}}"#,
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.headers[header::ETAG], "\"1\"");
    let body = created.json();
    let id = body["id"].as_i64().expect("id");
    assert_eq!(body["identifiers"][0]["value"], "A-1");
    assert_eq!(body["household"][0]["name"], "Kid");

    let read = send(
        &f.router,
        authed_get(&format!("/api/v1/clients/{id}"), &token),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.headers[header::ETAG], "\"1\"");
    assert_eq!(read.json()["legal_name"], "Api Person");

    let uri = format!("/api/v1/clients/{id}");
    let change = r#"{"legal_name": "Api Person", "pronouns": "he/him"}"#;
    let missing = send(&f.router, json("PUT", &uri, &token, None, change)).await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(missing.json()["error"]["code"], "precondition_required");
    let updated = send(&f.router, json("PUT", &uri, &token, Some("\"1\""), change)).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.headers[header::ETAG], "\"2\"");
    assert_eq!(updated.json()["pronouns"], "he/him");
    let stale = send(&f.router, json("PUT", &uri, &token, Some("\"1\""), change)).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["error"]["code"], "stale");

    let bad = send(
        &f.router,
        json(
            "PUT",
            &uri,
            &token,
            Some("\"2\""),
            r#"{"legal_name": "X", "household": [{"name": "A"}, {"name": "B", "birth_date": "soon"}]}"#,
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "household[1].birth_date");

    let found = send(&f.router, authed_get("/api/v1/clients?q=api+persn", &token)).await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.json()["items"][0]["id"], id);
    let nothing = send(&f.router, authed_get("/api/v1/clients", &token)).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nothing.json()["error"]["field"], "q");
}

#[tokio::test]
async fn unknown_fields_are_refused_by_name() {
    let f = staffed().await;
    let token = bearer(&f.app, "worker@example.org").await;
    let nested = send(
        &f.router,
        json(
            "POST",
            "/api/v1/clients",
            &token,
            None,
            r#"{"client": {"legal_name": "X", "colour": "blue"}}"#,
        ),
    )
    .await;
    assert_eq!(nested.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = nested.json();
    assert_eq!(error["error"]["code"], "unknown_field");
    assert_eq!(error["error"]["field"], "client.colour");
    let top = send(
        &f.router,
        json(
            "POST",
            "/api/v1/clients",
            &token,
            None,
            r#"{"client": {"legal_name": "X"}, "force": true}"#,
        ),
    )
    .await;
    assert_eq!(top.json()["error"]["field"], "force");
    let invalid = send(
        &f.router,
        json(
            "POST",
            "/api/v1/clients",
            &token,
            None,
            r#"{"client": {"legal_name": "X", "birth_date": "1990-13-01"}}"#,
        ),
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.json()["error"]["field"], "client.birth_date");
    let none = send(&f.router, authed_get("/api/v1/clients?q=X", &token)).await;
    assert_eq!(none.json()["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn the_duplicate_check_gives_reasons_and_registration_needs_them_seen() {
    let f = staffed().await;
    let existing = register(
        &f,
        "intake@example.org",
        ClientForm {
            identifiers: vec![casework_domain::client::IdentifierForm {
                kind: "medicaid".into(),
                value: "MC-778".into(),
            }],
            ..named("María López", Some("1990-05-04"))
        },
    )
    .await;
    let token = bearer(&f.app, "intake@example.org").await;
    let candidate = r#"{"legal_name": "Maria Lopes", "birth_date": "1990-05-04",
        "identifiers": [{"kind": "medicaid", "value": "mc 778"}]}"#;
    let check = send(
        &f.router,
        json(
            "POST",
            "/api/v1/clients/duplicates",
            &token,
            None,
            candidate,
        ),
    )
    .await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let body = check.json();
    assert_eq!(body["items"][0]["client"]["id"], existing);
    let reasons: Vec<&str> = body["items"][0]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["reason"].as_str())
        .collect();
    assert!(reasons.contains(&"similar_name_same_birth_date"), "{body}");
    assert!(body["items"][0]["reasons"][0]["message"]
        .as_str()
        .is_some_and(|m| m.len() > 20));

    let unseen = send(
        &f.router,
        json(
            "POST",
            "/api/v1/clients",
            &token,
            None,
            &format!(r#"{{"client": {candidate}}}"#),
        ),
    )
    .await;
    assert_eq!(unseen.status, StatusCode::CONFLICT, "{}", unseen.body);
    assert_eq!(
        unseen.json()["error"]["code"],
        "client_duplicates_not_shown"
    );
    let seen = send(
        &f.router,
        json(
            "POST",
            "/api/v1/clients",
            &token,
            None,
            &format!(r#"{{"client": {candidate}, "shown_duplicates": [{existing}]}}"#),
        ),
    )
    .await;
    assert_eq!(seen.status, StatusCode::CREATED, "{}", seen.body);
}

#[tokio::test]
async fn the_api_merges_and_undoes() {
    let f = staffed().await;
    let a = register(&f, "intake@example.org", named("Tomás Ruiz", None)).await;
    let b = register(&f, "intake@example.org", named("Tomas Ruiz", None)).await;
    let worker = bearer(&f.app, "worker@example.org").await;
    let refused = send(
        &f.router,
        json(
            "POST",
            &format!("/api/v1/clients/{a}/merges"),
            &worker,
            None,
            &format!(r#"{{"merged_id": {b}, "reason": "same person"}}"#),
        ),
    )
    .await;
    assert!(
        matches!(refused.status.as_u16(), 403 | 404),
        "{}",
        refused.body
    );
    let sup = bearer(&f.app, "sup@example.org").await;
    let merged = send(
        &f.router,
        json(
            "POST",
            &format!("/api/v1/clients/{a}/merges"),
            &sup,
            None,
            &format!(r#"{{"merged_id": {b}, "reason": "same person"}}"#),
        ),
    )
    .await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    let merge_id = merged.json()["id"].as_i64().expect("id");
    let read = send(&f.router, authed_get(&format!("/api/v1/clients/{b}"), &sup)).await;
    assert_eq!(read.json()["merged_into"], a);
    let undone = send(
        &f.router,
        json(
            "POST",
            &format!("/api/v1/client-merges/{merge_id}/undo"),
            &sup,
            None,
            "",
        ),
    )
    .await;
    assert_eq!(undone.status, StatusCode::NO_CONTENT, "{}", undone.body);
    let read = send(&f.router, authed_get(&format!("/api/v1/clients/{b}"), &sup)).await;
    assert!(read.json()["merged_into"].is_null());
}

/// A worker types the language's name, in English or Spanish; the record keeps its tag.
#[tokio::test]
async fn a_preferred_language_may_be_typed_by_its_name() {
    let f = staffed().await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let body = client_form(
        &worker,
        &[
            ("legal_name", "Quillon Verhoeven"),
            ("preferred_language", "Vietnamese"),
            ("confirmed", "1"),
        ],
    );
    let answer = send(&f.router, form("/clients/new", Some(&worker.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let id: i64 = answer
        .location()
        .trim_start_matches("/clients/")
        .split(['?', '/'])
        .next()
        .and_then(|s| s.parse().ok())
        .expect("client id");
    let stored = f
        .app
        .client(&actor(&f, "worker@example.org").await, id)
        .await
        .expect("client")
        .client;
    assert_eq!(stored.preferred_language, "vi");
    // A name we do not know is still refused, naming the field.
    let body = client_form(
        &worker,
        &[
            ("legal_name", "Quillon Verhoeven"),
            ("preferred_language", "Klingon"),
        ],
    );
    let answer = send(&f.router, form("/clients/new", Some(&worker.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.body.contains("Enter a language by its name"),
        "{}",
        answer.body
    );
}

/// Every problem of the registration form is shown at once, each next to its field and listed
/// above the form, so the worker fixes them in one go.
#[tokio::test]
async fn every_problem_of_the_registration_form_is_shown_at_once() {
    let f = staffed().await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let body = client_form(
        &worker,
        &[
            ("legal_name", " "),
            ("birth_date", "2099-01-01"),
            ("preferred_language", "Klingon"),
            ("email", "bad"),
        ],
    );
    let answer = send(&f.router, form("/clients/new", Some(&worker.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["legal_name", "birth_date", "preferred_language", "email"] {
        assert!(
            answer
                .body
                .contains(&format!("id=\"client-{field}-problem\"")),
            "{field} in {}",
            answer.body
        );
        assert!(
            answer
                .body
                .contains(&format!("<a href=\"#client-{field}\">")),
            "{field} in the summary"
        );
    }
}
