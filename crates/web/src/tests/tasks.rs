//! Tasks, the supervisor queue and program default tasks: their API on both databases and their
//! pages (content, labels, Spanish).

use super::*;
use casework_domain::assessment::InstrumentForm;
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

fn etag_of(a: &Answer) -> String {
    a.headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string()
}

async fn staff(f: &Fixture, email: &str, role: &str, team: i64) {
    let agency = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker")
        .agency_id;
    f.app
        .create_user(
            None,
            agency,
            &UserForm {
                email: email.into(),
                display_name: format!("Test {email}"),
                role: role.into(),
                team_id: Some(team),
                password: Secret::new(PASSWORD),
                locale: "en".into(),
            },
        )
        .await
        .expect("user");
}

/// A program with a default task at engagement (due 7 days after), set through the API by the
/// admin; a team North with a supervisor, a team South with another; and a case of the worker
/// on team North in the program; (program id, case id).
async fn setup(f: &Fixture) -> (i64, i64) {
    let worker = f.app.actor_for_email("worker@example.org").await.unwrap();
    let north = f
        .app
        .create_team(None, worker.agency_id, "North")
        .await
        .unwrap()
        .id;
    let south = f
        .app
        .create_team(None, worker.agency_id, "South")
        .await
        .unwrap()
        .id;
    staff(f, "sup@example.org", "supervisor", north).await;
    staff(f, "other@example.org", "supervisor", south).await;
    let program = f
        .app
        .create_program(None, worker.agency_id, "Housing", false, false)
        .await
        .unwrap()
        .id;
    let admin = bearer(&f.app, "admin@example.org").await;
    let added = send(
        &f.router,
        json_request(
            "POST",
            &format!("/api/v1/programs/{program}/task-templates"),
            &admin,
            None,
            r#"{"title":"First home visit","stage":"engagement","due_days":7}"#,
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let client = f
        .app
        .register_client(
            &worker,
            &ClientForm {
                legal_name: "Ana María Torres".into(),
                preferred_name: Some("Ana".into()),
                ..ClientForm::default()
            },
            &DuplicateDecision::default(),
        )
        .await
        .unwrap();
    let case = f
        .app
        .open_case(
            &worker,
            &CaseForm {
                client_id: client.id,
                presenting_problem: "Facing eviction".into(),
                primary_worker_id: Some(worker.user_id),
                team_id: Some(north),
                program_id: Some(program),
                ..CaseForm::default()
            },
        )
        .await
        .unwrap();
    (program, case.id)
}

#[tokio::test]
async fn the_task_api_creates_edits_with_if_match_completes_and_cancels_with_a_reason() {
    each_backend(|f| async move {
        let (program, case) = setup(&f).await;
        let worker = bearer(&f.app, "worker@example.org").await;
        let admin = bearer(&f.app, "admin@example.org").await;
        // The default task was made when the case was opened (2026-09-21), due 7 days later.
        let list = send(
            &f.router,
            json_request(
                "GET",
                &format!("/api/v1/cases/{case}/tasks"),
                &worker,
                None,
                "",
            ),
        )
        .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let items = list.json()["items"].clone();
        assert_eq!(items[0]["title"], "First home visit");
        assert_eq!(items[0]["due_on"], "2026-09-28");
        // A caseworker does not configure programs.
        let refused = send(
            &f.router,
            json_request(
                "GET",
                &format!("/api/v1/programs/{program}/task-templates"),
                &worker,
                None,
                "",
            ),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let created = send(
            &f.router,
            json_request(
                "POST",
                &format!("/api/v1/cases/{case}/tasks"),
                &worker,
                None,
                r#"{"title":"Call the landlord","due_on":"2026-09-25","remind_days":2}"#,
            ),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_i64().expect("id");
        assert_eq!(created.json()["remind_on"], "2026-09-23");
        let tag = etag_of(&created);
        let edit = r#"{"title":"Call the landlord today","due_on":"2026-09-24"}"#;
        let uri = format!("/api/v1/tasks/{id}");
        let missing = send(&f.router, json_request("PUT", &uri, &worker, None, edit)).await;
        assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
        let stale = send(
            &f.router,
            json_request("PUT", &uri, &worker, Some("\"9\""), edit),
        )
        .await;
        assert_eq!(
            stale.status,
            StatusCode::PRECONDITION_FAILED,
            "{}",
            stale.body
        );
        let edited = send(
            &f.router,
            json_request("PUT", &uri, &worker, Some(&tag), edit),
        )
        .await;
        assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
        let tag = etag_of(&edited);
        let blank = send(
            &f.router,
            json_request(
                "POST",
                &format!("{uri}/cancellation"),
                &worker,
                Some(&tag),
                r#"{"reason":"  "}"#,
            ),
        )
        .await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(blank.json()["error"]["field"], "reason");
        let mine = send(
            &f.router,
            json_request("GET", "/api/v1/me/tasks", &worker, None, ""),
        )
        .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        let titles: Vec<_> = mine.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["title"].as_str().unwrap_or("").to_string(),
                    i["urgency"].clone(),
                )
            })
            .collect();
        assert_eq!(titles[0].0, "Call the landlord today");
        assert_eq!(titles[1].0, "First home visit");
        assert_eq!(mine.json()["items"][0]["client_name"], "Ana");
        let done = send(
            &f.router,
            json_request("POST", &format!("{uri}/done"), &worker, Some(&tag), ""),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["status"], "done");
        // The admin retires the default task with its ETag.
        let templates = send(
            &f.router,
            json_request(
                "GET",
                &format!("/api/v1/programs/{program}/task-templates"),
                &admin,
                None,
                "",
            ),
        )
        .await;
        let template = templates.json()[0].clone();
        let retire_uri = format!(
            "/api/v1/programs/{program}/task-templates/{}",
            template["id"]
        );
        let tag = format!("\"{}\"", template["version"]);
        let retired = send(
            &f.router,
            json_request("DELETE", &retire_uri, &admin, Some(&tag), ""),
        )
        .await;
        assert_eq!(retired.status, StatusCode::NO_CONTENT, "{}", retired.body);
    })
    .await;
}

fn phq9_item9() -> InstrumentForm {
    InstrumentForm {
        answers: [1, 1, 1, 1, 0, 0, 0, 0, 2].map(Some).to_vec(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_queue_api_is_the_team_supervisors_only_and_an_alert_is_acknowledged_with_a_comment() {
    each_backend(|f| async move {
        let (_, case) = setup(&f).await;
        let worker_actor = f.app.actor_for_email("worker@example.org").await.unwrap();
        let alert = f
            .app
            .record_instrument(&worker_actor, case, "phq9", &phq9_item9())
            .await
            .expect("phq9");
        let worker = bearer(&f.app, "worker@example.org").await;
        let sup = bearer(&f.app, "sup@example.org").await;
        let other = bearer(&f.app, "other@example.org").await;
        let refused = send(
            &f.router,
            json_request("GET", "/api/v1/queue", &worker, None, ""),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let theirs = send(
            &f.router,
            json_request("GET", "/api/v1/queue", &other, None, ""),
        )
        .await;
        assert_eq!(theirs.json()["items"], serde_json::json!([]));
        let queue = send(
            &f.router,
            json_request("GET", "/api/v1/queue", &sup, None, ""),
        )
        .await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
        assert_eq!(queue.json()["items"][0]["kind"], "safety_alert");
        assert_eq!(queue.json()["items"][0]["id"], alert.id);
        let uri = format!("/api/v1/safety-alerts/{}/acknowledgement", alert.id);
        let blank = send(&f.router, json_request("POST", &uri, &sup, None, "{}")).await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(blank.json()["error"]["field"], "comment");
        let hidden = send(
            &f.router,
            json_request("POST", &uri, &other, None, r#"{"comment":"Seen"}"#),
        )
        .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        let ack = send(
            &f.router,
            json_request(
                "POST",
                &uri,
                &sup,
                None,
                r#"{"comment":"Called her; safety plan made"}"#,
            ),
        )
        .await;
        assert_eq!(ack.status, StatusCode::CREATED, "{}", ack.body);
        let queue = send(
            &f.router,
            json_request("GET", "/api/v1/queue", &sup, None, ""),
        )
        .await;
        assert_eq!(queue.json()["items"], serde_json::json!([]));
    })
    .await;
}

#[tokio::test]
async fn the_task_pages_list_add_and_refuse_a_cancellation_without_a_reason() {
    let f = fixture().await;
    let (program, case) = setup(&f).await;
    let w = sign_in(&f.router, "worker@example.org").await;
    // The caseload names the overdue count and links to /tasks; the navigation has My tasks.
    let home = send(&f.router, get("/caseload", Some(&w.cookie))).await;
    assert!(home.body.contains("href=\"/tasks\""), "{}", home.body);
    assert!(home.body.contains("Overdue tasks: none"), "{}", home.body);
    let page = send(
        &f.router,
        get(&format!("/cases/{case}/tasks"), Some(&w.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("First home visit"));
    for label in [
        "<label for=\"task-title\">",
        "<label for=\"task-due-on\">",
        "<label for=\"task-assignee\">",
        "<label for=\"task-remind-days\">",
    ] {
        assert!(page.body.contains(label), "{label}");
    }
    let past = encode(&[
        ("csrf", &w.csrf),
        ("title", "Visit"),
        ("due_on", "2026-09-01"),
        ("assignee_id", ""),
        ("remind_days", ""),
    ]);
    let refused = send(
        &f.router,
        form(&format!("/cases/{case}/tasks"), Some(&w.cookie), &past),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"task-due-on-problem\""),
        "{}",
        refused.body
    );
    let ok = encode(&[
        ("csrf", &w.csrf),
        ("title", "Bring the lease"),
        ("due_on", "2026-09-22"),
        ("assignee_id", ""),
        ("remind_days", "3"),
    ]);
    let made = send(
        &f.router,
        form(&format!("/cases/{case}/tasks"), Some(&w.cookie), &ok),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let mine = send(&f.router, get("/tasks", Some(&w.cookie))).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Bring the lease") && mine.body.contains("Ana"));
    assert!(mine.body.contains("Due soon"), "{}", mine.body);
    let href = "/tasks/";
    let start = mine.body.find("href=\"/tasks/").expect("a task link") + 6;
    let end = mine.body[start..].find('"').expect("end") + start;
    let task_uri = mine.body[start..end].to_string();
    assert!(task_uri.starts_with(href));
    let task = send(&f.router, get(&task_uri, Some(&w.cookie))).await;
    assert!(task.body.contains("<label for=\"task-cancel-reason\">"));
    let marker = "name=\"version\" value=\"";
    let at = task.body.find(marker).expect("version") + marker.len();
    let version = &task.body[at..at + task.body[at..].find('"').expect("end")];
    let blank = encode(&[("csrf", &w.csrf), ("version", version), ("reason", "")]);
    let refused = send(
        &f.router,
        form(&format!("{task_uri}/cancellation"), Some(&w.cookie), &blank),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("task-cancel-reason-problem"),
        "{}",
        refused.body
    );
    // In Spanish.
    let lang = encode(&[("csrf", &w.csrf), ("lang", "es"), ("back", "/tasks")]);
    send(&f.router, form("/language", Some(&w.cookie), &lang)).await;
    let es = send(&f.router, get("/tasks", Some(&w.cookie))).await;
    assert!(
        es.body.contains("Mis tareas") && es.body.contains("Vence pronto"),
        "{}",
        es.body
    );
    // The queue is a supervisor's: a caseworker is refused.
    let queue = send(&f.router, get("/queue", Some(&w.cookie))).await;
    assert_eq!(queue.status, StatusCode::FORBIDDEN);
    // The admin's sub-page of the program, linked from the programs page.
    let a = sign_in(&f.router, "admin@example.org").await;
    let programs = send(&f.router, get("/admin/programs", Some(&a.cookie))).await;
    assert!(programs
        .body
        .contains(&format!("href=\"/admin/programs/{program}/tasks\"")));
    let tasks = send(
        &f.router,
        get(&format!("/admin/programs/{program}/tasks"), Some(&a.cookie)),
    )
    .await;
    assert_eq!(tasks.status, StatusCode::OK, "{}", tasks.body);
    for label in [
        "<label for=\"template-title\">",
        "<label for=\"template-stage\">",
        "<label for=\"template-due-days\">",
    ] {
        assert!(tasks.body.contains(label), "{label}");
    }
    let add = encode(&[
        ("csrf", &a.csrf),
        ("title", "Collect documents"),
        ("stage", "assessment"),
        ("due_days", "14"),
    ]);
    let added = send(
        &f.router,
        form(
            &format!("/admin/programs/{program}/tasks"),
            Some(&a.cookie),
            &add,
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
}

#[tokio::test]
async fn the_queue_page_shows_a_safety_alert_with_its_acknowledgement_form() {
    let f = fixture().await;
    let (_, case) = setup(&f).await;
    let worker = f.app.actor_for_email("worker@example.org").await.unwrap();
    let alert = f
        .app
        .record_instrument(&worker, case, "phq9", &phq9_item9())
        .await
        .expect("phq9");
    let s = sign_in(&f.router, "sup@example.org").await;
    let page = send(&f.router, get("/queue", Some(&s.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Safety alert") && page.body.contains("Ana"));
    assert!(
        page.body.contains("href=\"/queue\""),
        "the navigation links the queue"
    );
    assert!(page
        .body
        .contains(&format!("<label for=\"ack-comment-{}\">", alert.id)));
    let uri = format!("/queue/safety-alerts/{}/acknowledgement", alert.id);
    let blank = encode(&[("csrf", &s.csrf), ("comment", "")]);
    let refused = send(&f.router, form(&uri, Some(&s.cookie), &blank)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("This is required."),
        "{}",
        refused.body
    );
    let ack = encode(&[("csrf", &s.csrf), ("comment", "Called her")]);
    let done = send(&f.router, form(&uri, Some(&s.cookie), &ack)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = send(&f.router, get("/queue", Some(&s.cookie))).await;
    assert!(
        page.body.contains("Nothing waits for you."),
        "{}",
        page.body
    );
}

/// An override on the queue says which move it was and who made it, beside the case's worker.
#[tokio::test]
async fn the_queue_page_names_an_overrides_move_and_who_made_it() {
    let f = fixture().await;
    let (_, case) = setup(&f).await;
    let sup = f.app.actor_for_email("sup@example.org").await.unwrap();
    let over = casework_service::case::MoveForm {
        direction: "forward".into(),
        override_reason: Some("Consent was given on paper at the first visit".into()),
        ..Default::default()
    };
    f.app
        .move_stage(&sup, case, 1, &over)
        .await
        .expect("override");
    let s = sign_in(&f.router, "sup@example.org").await;
    let page = send(&f.router, get("/queue", Some(&s.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "Stage move without its requirements, to review",
        "<dt>Stage move</dt><dd>Engagement → Assessment</dd>",
        "<dt>Done by</dt><dd>Test sup@example.org</dd>",
        "<dt>Case worker</dt>",
        "Consent was given on paper at the first visit",
    ] {
        assert!(
            page.body.contains(words),
            "missing {words:?} in {}",
            page.body
        );
    }
}
