//! Case notes: writing a SOAP note, the case page's list, signing (the edit form goes, the
//! addendum form comes), addenda, and user text always escaped.

use super::*;

async fn case_id(f: &Fixture) -> i64 {
    client_with_case(&f.app, "worker@example.org", "Ana Torres")
        .await
        .1
}

fn version_on(body: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = body.find(marker).expect("a version field") + marker.len();
    let len = body[start..].find('"').expect("end of value");
    body[start..start + len].to_string()
}

const XSS: &str = "<script>alert(1)</script>";

#[tokio::test]
async fn a_signed_note_has_no_edit_form_only_the_addendum_form_and_text_is_escaped() {
    let f = fixture().await;
    let router = &f.router;
    let case = case_id(&f).await;
    let b = sign_in(router, "worker@example.org").await;

    // The format select reloads the form with that format's sections.
    let soap = send(
        router,
        get(
            &format!("/cases/{case}/notes/new?format=soap"),
            Some(&b.cookie),
        ),
    )
    .await;
    assert_eq!(soap.status, StatusCode::OK, "{}", soap.body);
    for name in ["subjective", "objective", "assessment", "plan"] {
        assert!(soap.body.contains(&format!("name=\"{name}\"")), "{name}");
    }
    assert!(!soap.body.contains("name=\"body\""));

    // A SOAP note without its objective section is refused naming the field.
    let missing = encode(&[
        ("csrf", &b.csrf),
        ("format", "soap"),
        ("sensitivity", "normal"),
        ("subjective", "Tired"),
        ("objective", ""),
        ("assessment", "At risk"),
        ("plan", "Call"),
    ]);
    let refused = send(
        router,
        form(&format!("/cases/{case}/notes"), Some(&b.cookie), &missing),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"note-objective-problem\""));

    // A narrative note whose body is a script.
    let body = encode(&[
        ("csrf", &b.csrf),
        ("format", "narrative"),
        ("sensitivity", "normal"),
        ("body", XSS),
    ]);
    let saved = send(
        router,
        form(&format!("/cases/{case}/notes"), Some(&b.cookie), &body),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let note_page = saved.location().split('?').next().unwrap().to_string();
    let draft = send(router, get(&note_page, Some(&b.cookie))).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    assert!(!draft.body.contains(XSS), "never raw");
    assert!(draft
        .body
        .contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(draft.body.contains("id=\"note-edit-form\""));
    assert!(!draft.body.contains("id=\"addendum-form\""));

    // The case page lists it as a draft, with a link to write another.
    let case_page = send(router, get(&format!("/cases/{case}"), Some(&b.cookie))).await;
    assert_eq!(case_page.status, StatusCode::OK);
    assert!(case_page.body.contains(&format!("href=\"{note_page}\"")));
    assert!(case_page.body.contains("Draft, not signed"));
    assert!(case_page.body.contains(&format!("/cases/{case}/notes/new")));

    // Sign: the edit form is gone, the addendum form is there.
    let version = version_on(&draft.body);
    let sign = encode(&[("csrf", &b.csrf), ("version", &version)]);
    let signed = send(
        router,
        form(&format!("{note_page}/sign"), Some(&b.cookie), &sign),
    )
    .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let page = send(router, get(&note_page, Some(&b.cookie))).await;
    assert!(
        !page.body.contains("id=\"note-edit-form\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("action=\"{note_page}/sign\"")));
    assert!(page.body.contains("id=\"addendum-form\""));
    assert!(page.body.contains("Signed on"));

    // Editing it anyway is refused with the clear message.
    let edit = encode(&[
        ("csrf", &b.csrf),
        ("version", "2"),
        ("format", "narrative"),
        ("body", "changed"),
    ]);
    let refused = send(router, form(&note_page, Some(&b.cookie), &edit)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("This note is signed"),
        "{}",
        refused.body
    );

    // An addendum, itself escaped.
    let add = encode(&[("csrf", &b.csrf), ("body", XSS)]);
    let added = send(
        router,
        form(&format!("{note_page}/addenda"), Some(&b.cookie), &add),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = send(router, get(added.location(), Some(&b.cookie))).await;
    assert!(page.body.contains("Addendum added."));
    assert!(!page.body.contains(XSS));
    assert_eq!(
        page.body
            .matches("&#60;script&#62;alert(1)&#60;/script&#62;")
            .count(),
        2
    );
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
async fn the_notes_api_writes_signs_refuses_edits_after_and_takes_addenda() {
    each_backend(|f| async move {
        let router = &f.router;
        let case = case_id(&f).await;
        let auth = bearer(&f.app, "worker@example.org").await;
        let missing = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/cases/{case}/notes"),
                &auth,
                None,
                r#"{"format": "soap", "subjective": "Tired", "assessment": "At risk", "plan": "Call"}"#,
            ),
        )
        .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(missing.json()["error"]["field"], "objective");
        let created = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/cases/{case}/notes"),
                &auth,
                None,
                r#"{"format": "dap", "sensitivity": "sensitive", "data": "Rent arrears", "assessment": "At risk", "plan": "Call the landlord"}"#,
            ),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let note = created.json();
        let id = note["id"].as_i64().expect("id");
        assert_eq!(note["sections"]["data"], "Rent arrears");
        assert!(note["signed_at"].is_null());
        let no_match = send(
            router,
            json_request("POST", &format!("/api/v1/notes/{id}/sign"), &auth, None, ""),
        )
        .await;
        assert_eq!(no_match.status, StatusCode::PRECONDITION_REQUIRED);
        let signed = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/notes/{id}/sign"),
                &auth,
                Some(&etag_of(&created)),
                "",
            ),
        )
        .await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
        assert!(signed.json()["signed_at"].is_string());
        let edit = send(
            router,
            json_request(
                "PUT",
                &format!("/api/v1/notes/{id}"),
                &auth,
                Some(&etag_of(&signed)),
                r#"{"format": "narrative", "body": "Rewritten"}"#,
            ),
        )
        .await;
        assert_eq!(
            edit.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            edit.body
        );
        assert_eq!(edit.json()["error"]["code"], "note_signed");
        let added = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/notes/{id}/addenda"),
                &auth,
                None,
                r#"{"body": "The landlord agreed to wait."}"#,
            ),
        )
        .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        let shown = send(
            router,
            json_request("GET", &format!("/api/v1/notes/{id}"), &auth, None, ""),
        )
        .await;
        assert_eq!(shown.status, StatusCode::OK);
        let shown = shown.json();
        assert_eq!(shown["addenda"][0]["body"], "The landlord agreed to wait.");
        assert_eq!(shown["sections"]["plan"], "Call the landlord");
        let list = send(
            router,
            json_request(
                "GET",
                &format!("/api/v1/cases/{case}/notes"),
                &auth,
                None,
                "",
            ),
        )
        .await;
        assert_eq!(list.json()["items"][0]["id"], id);
        // The auditor reaches no case, so no note.
        let auditor = bearer(&f.app, "auditor@example.org").await;
        let hidden = send(
            router,
            json_request("GET", &format!("/api/v1/notes/{id}"), &auditor, None, ""),
        )
        .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_note_links_a_goal_of_its_case_and_names_it() {
    let f = fixture().await;
    let router = &f.router;
    let case = case_id(&f).await;
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let goal = f
        .app
        .create_goal(
            &worker,
            case,
            &casework_domain::goal::GoalForm {
                statement: Some("Keep the flat".into()),
                ..Default::default()
            },
            &Default::default(),
        )
        .await
        .expect("goal")
        .goal
        .id;
    let b = sign_in(router, "worker@example.org").await;
    let new = send(
        router,
        get(&format!("/cases/{case}/notes/new"), Some(&b.cookie)),
    )
    .await;
    assert!(new
        .body
        .contains(&format!("name=\"goal_ids\" value=\"{goal}\"")));
    let body = encode(&[
        ("csrf", &b.csrf),
        ("format", "narrative"),
        ("body", "Talked about the tenancy"),
        ("goal_ids", &goal.to_string()),
    ]);
    let saved = send(
        router,
        form(&format!("/cases/{case}/notes"), Some(&b.cookie), &body),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(router, get(saved.location(), Some(&b.cookie))).await;
    assert!(
        page.body.contains("<li>Keep the flat</li>"),
        "{}",
        page.body
    );
    // A goal of no case of this note's is refused at the goal choices.
    let body = encode(&[
        ("csrf", &b.csrf),
        ("format", "narrative"),
        ("body", "Talked"),
        ("goal_ids", "999999"),
    ]);
    let refused = send(
        router,
        form(&format!("/cases/{case}/notes"), Some(&b.cookie), &body),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"note-goals-problem\""));
}
