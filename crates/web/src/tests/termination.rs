//! Termination, follow-up and reopening: the pages (English and Spanish, without script) and
//! the JSON API on both databases.

use super::*;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_service::case::MoveForm;
use casework_service::client::DuplicateDecision;

struct Terminating {
    case_id: i64,
    program_id: i64,
}

/// A program (closure approval required, follow-ups on days 30 and 90) and a case of the
/// worker on team North carried to termination by the team's supervisor (sup@example.org).
async fn terminating(f: &Fixture) -> Terminating {
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let admin = f
        .app
        .actor_for_email("admin@example.org")
        .await
        .expect("admin");
    let team = f
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
                team_id: Some(team.id),
                password: Secret::new(PASSWORD),
                locale: "en".into(),
            },
        )
        .await
        .expect("supervisor");
    let sup = f.app.actor_for_email("sup@example.org").await.expect("sup");
    let program = f
        .app
        .create_program(None, worker.agency_id, "Housing", false, true)
        .await
        .expect("program");
    f.app
        .set_follow_up_schedule(&admin, program.id, 0, &[30, 90])
        .await
        .expect("schedule");
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
                team_id: Some(team.id),
                program_id: Some(program.id),
                ..CaseForm::default()
            },
        )
        .await
        .expect("case");
    let skip = MoveForm {
        direction: "forward".into(),
        override_reason: Some("Earlier stages are not under test here".into()),
        ..Default::default()
    };
    let mut row = case;
    while row.stage != "termination" {
        row = f
            .app
            .move_stage(&sup, row.id, row.version, &skip)
            .await
            .expect("move");
    }
    Terminating {
        case_id: row.id,
        program_id: program.id,
    }
}

/// The worker moves the case on (termination to follow-up, or onwards).
async fn forward(f: &Fixture, case_id: i64) -> Result<String, casework_service::ServiceError> {
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let c = f.app.case(&worker, case_id, None).await?.case;
    let form = MoveForm {
        direction: "forward".into(),
        ..Default::default()
    };
    Ok(f.app
        .move_stage(&worker, case_id, c.version, &form)
        .await?
        .stage)
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

const RECORD: &str = r#"{"reason": "goals_achieved", "closing_summary": "Housed and working", "growth": "Keeps a budget", "aftercare_plan": "Tenancy support line"}"#;

#[tokio::test]
async fn the_termination_api_drafts_hands_in_and_only_the_teams_supervisor_decides() {
    each_backend(|f| async move {
        let t = terminating(&f).await;
        let router = &f.router;
        let worker = bearer(&f.app, "worker@example.org").await;
        let sup = bearer(&f.app, "sup@example.org").await;
        let uri = format!("/api/v1/cases/{}/termination", t.case_id);
        let read = send(router, json_request("GET", &uri, &worker, None, "")).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        assert_eq!(read.json()["status"], "none");
        assert_eq!(read.json()["approval_required"], true);
        assert_eq!(etag_of(&read), "\"0\"");
        let missing = send(router, json_request("PUT", &uri, &worker, None, RECORD)).await;
        assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
        let other = send(
            router,
            json_request(
                "PUT",
                &uri,
                &worker,
                Some("\"0\""),
                r#"{"reason": "other", "closing_summary": "Ends"}"#,
            ),
        )
        .await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", other.body);
        assert_eq!(other.json()["error"]["field"], "reason_other");
        let saved = send(router, json_request("PUT", &uri, &worker, Some("\"0\""), RECORD)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!(saved.json()["status"], "draft");
        let stale = send(router, json_request("PUT", &uri, &worker, Some("\"0\""), RECORD)).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
        let submitted = send(
            router,
            json_request(
                "POST",
                &format!("{uri}/submission"),
                &worker,
                Some(&etag_of(&saved)),
                "",
            ),
        )
        .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
        assert_eq!(submitted.json()["status"], "awaiting_approval");
        let etag = etag_of(&submitted);
        let approval = format!("{uri}/approval");
        let by_worker = send(
            router,
            json_request("POST", &approval, &worker, Some(&etag), r#"{"decision": "approve"}"#),
        )
        .await;
        assert_eq!(by_worker.status, StatusCode::FORBIDDEN, "{}", by_worker.body);
        let bare = send(
            router,
            json_request("POST", &approval, &sup, Some(&etag), r#"{"decision": "return"}"#),
        )
        .await;
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bare.body);
        assert_eq!(bare.json()["error"]["field"], "comment");
        let approved = send(
            router,
            json_request("POST", &approval, &sup, Some(&etag), r#"{"decision": "approve"}"#),
        )
        .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
        assert_eq!(approved.json()["status"], "approved");

        // Follow-up: two check-ins from the program's schedule.
        assert_eq!(forward(&f, t.case_id).await.expect("move"), "follow_up");
        let list = send(
            router,
            json_request(
                "GET",
                &format!("/api/v1/cases/{}/follow-ups", t.case_id),
                &worker,
                None,
                "",
            ),
        )
        .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let items = list.json()["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 2, "{}", list.body);
        assert_eq!(items[0]["day_offset"], 30);
        assert_eq!(items[0]["status"], "open");
        let first = items[0]["id"].as_i64().unwrap_or_default();
        let second = items[1]["id"].as_i64().unwrap_or_default();
        let done_uri = format!("/api/v1/follow-ups/{first}/done");
        let check_in = r#"{"contact_date": "2026-09-21", "contact_mode": "phone", "change_held": "held", "referrals": "Family centre"}"#;
        let unversioned = send(router, json_request("POST", &done_uri, &worker, None, check_in)).await;
        assert_eq!(unversioned.status, StatusCode::PRECONDITION_REQUIRED);
        let done = send(
            router,
            json_request("POST", &done_uri, &worker, Some("\"1\""), check_in),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["status"], "done");
        assert_eq!(done.json()["change_held"], "held");
        let cancel_uri = format!("/api/v1/follow-ups/{second}/cancellation");
        let blank = send(
            router,
            json_request("POST", &cancel_uri, &worker, Some("\"1\""), r#"{"reason": " "}"#),
        )
        .await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", blank.body);
        assert_eq!(blank.json()["error"]["field"], "reason");
        let cancelled = send(
            router,
            json_request(
                "POST",
                &cancel_uri,
                &worker,
                Some("\"1\""),
                r#"{"reason": "Client moved abroad"}"#,
            ),
        )
        .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        assert_eq!(forward(&f, t.case_id).await.expect("close"), "closed");
    })
    .await;
}

#[tokio::test]
async fn the_follow_up_schedule_api_is_for_admins_checked_and_versioned() {
    each_backend(|f| async move {
        let t = terminating(&f).await;
        let router = &f.router;
        let admin = bearer(&f.app, "admin@example.org").await;
        let worker = bearer(&f.app, "worker@example.org").await;
        let uri = format!("/api/v1/programs/{}/follow-up-schedule", t.program_id);
        let read = send(router, json_request("GET", &uri, &admin, None, "")).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        assert_eq!(read.json()["days"], serde_json::json!([30, 90]));
        assert_eq!(etag_of(&read), "\"1\"");
        let unordered = send(
            router,
            json_request("PUT", &uri, &admin, Some("\"1\""), r#"{"days": [90, 30]}"#),
        )
        .await;
        assert_eq!(unordered.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unordered.json()["error"]["field"], "days");
        assert_eq!(
            unordered.json()["error"]["code"],
            "follow_up_days_not_ascending"
        );
        let stale = send(
            router,
            json_request("PUT", &uri, &admin, Some("\"0\""), r#"{"days": [30]}"#),
        )
        .await;
        assert_eq!(
            stale.status,
            StatusCode::PRECONDITION_FAILED,
            "{}",
            stale.body
        );
        let refused = send(
            router,
            json_request("PUT", &uri, &worker, Some("\"1\""), r#"{"days": [30]}"#),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let set = send(
            router,
            json_request(
                "PUT",
                &uri,
                &admin,
                Some("\"1\""),
                r#"{"days": [14, 60, 365]}"#,
            ),
        )
        .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        assert_eq!(set.json()["days"], serde_json::json!([14, 60, 365]));
        assert_eq!(etag_of(&set), "\"2\"");
        let doc = send(router, get("/api/v1/openapi.json", None)).await.json();
        for path in [
            "/api/v1/cases/{id}/termination",
            "/api/v1/cases/{id}/termination/submission",
            "/api/v1/cases/{id}/termination/approval",
            "/api/v1/cases/{id}/follow-ups",
            "/api/v1/follow-ups/{id}/done",
            "/api/v1/follow-ups/{id}/cancellation",
            "/api/v1/programs/{id}/follow-up-schedule",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
    })
    .await;
}

#[tokio::test]
async fn terminating_approving_following_up_and_reopening_work_from_the_pages() {
    let f = fixture().await;
    let t = terminating(&f).await;
    let router = &f.router;
    let case_id = t.case_id;
    let w = sign_in(router, "worker@example.org").await;
    let page_uri = format!("/cases/{case_id}/termination");
    let page = send(router, get(&page_uri, Some(&w.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for expected in [
        "<legend>Reason for ending the work</legend>",
        "name=\"reason\" value=\"goals_achieved\"",
        "<label for=\"termination-reason-goals_achieved\">Goals achieved</label>",
        "<label for=\"termination-closing-summary\">Closing summary</label>",
        "<label for=\"termination-growth\">Growth and accomplishments</label>",
        "<label for=\"termination-aftercare\">Transition and aftercare plan</label>",
        "Required by the program",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    // "Other" without the reason in words is refused next to that field, the text kept.
    let body = encode(&[
        ("csrf", &w.csrf),
        ("version", "0"),
        ("reason", "other"),
        ("reason_other", ""),
        ("closing_summary", "Housed and <b>working</b>"),
    ]);
    let refused = send(router, form(&page_uri, Some(&w.cookie), &body)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("This is required."));
    assert!(refused
        .body
        .contains("Housed and &#60;b&#62;working&#60;/b&#62;"));
    let body = encode(&[
        ("csrf", &w.csrf),
        ("version", "0"),
        ("reason", "goals_achieved"),
        ("closing_summary", "Housed and working"),
        ("growth", "Keeps a budget"),
        ("aftercare_plan", "Tenancy support line"),
    ]);
    let saved = send(router, form(&page_uri, Some(&w.cookie), &body)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(router, get(saved.location(), Some(&w.cookie))).await;
    assert!(page.body.contains("The termination record was saved."));
    assert!(page.body.contains("Hand in for approval"));
    let body = encode(&[("csrf", &w.csrf), ("version", "1")]);
    let submitted = send(
        router,
        form(&format!("{page_uri}/submission"), Some(&w.cookie), &body),
    )
    .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let page = send(router, get(&page_uri, Some(&w.cookie))).await;
    assert!(page.body.contains("Waiting for a supervisor of the case"));
    assert!(!page.body.contains("Approve the closure"));

    // The supervisor returns without a comment (refused), then approves.
    let s = sign_in(router, "sup@example.org").await;
    let page = send(router, get(&page_uri, Some(&s.cookie))).await;
    assert!(page.body.contains("Approve the closure"), "{}", page.body);
    assert!(page
        .body
        .contains("<label for=\"termination-comment\">Comment</label>"));
    let body = encode(&[("csrf", &s.csrf), ("version", "2"), ("decision", "return")]);
    let approval = format!("{page_uri}/approval");
    let bare = send(router, form(&approval, Some(&s.cookie), &body)).await;
    assert_eq!(
        bare.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bare.body
    );
    assert!(bare.body.contains("This is required."));
    let body = encode(&[("csrf", &s.csrf), ("version", "2"), ("decision", "approve")]);
    let approved = send(router, form(&approval, Some(&s.cookie), &body)).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);

    // Follow-up: the check-ins on their page and on the case page.
    assert_eq!(forward(&f, case_id).await.expect("move"), "follow_up");
    let list_uri = format!("/cases/{case_id}/follow-ups");
    let list = send(router, get(&list_uri, Some(&w.cookie))).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Check-ins after closure"));
    assert!(list.body.contains("<legend>Did the change hold?</legend>"));
    let first = f
        .app
        .follow_ups(
            &f.app
                .actor_for_email("worker@example.org")
                .await
                .expect("w"),
            case_id,
            None,
            None,
        )
        .await
        .expect("list")
        .follow_ups
        .items;
    let (one, two) = (first[0].id, first[1].id);
    assert!(list.body.contains(&format!(
        "<label for=\"follow-up-{one}-date\">Date of the contact</label>"
    )));
    let case_page = send(router, get(&format!("/cases/{case_id}"), Some(&w.cookie))).await;
    assert!(case_page.body.contains("Termination and follow-up"));
    assert!(case_page.body.contains(&first[0].due_on));
    let body = encode(&[
        ("csrf", &w.csrf),
        ("version", "1"),
        ("contact_date", "2026-09-21"),
        ("contact_mode", "home_visit"),
        ("change_held", "partly"),
        ("new_needs", "Childcare"),
        ("referrals", ""),
        ("comment", ""),
    ]);
    let done = send(
        router,
        form(&format!("{list_uri}/{one}/done"), Some(&w.cookie), &body),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let list = send(router, get(done.location(), Some(&w.cookie))).await;
    assert!(list.body.contains("The check-in was recorded."));
    assert!(list.body.contains("Partly") && list.body.contains("Home visit"));
    // Closing is refused while a check-in is open.
    assert!(matches!(
        forward(&f, case_id).await,
        Err(casework_service::ServiceError::GuardUnmet(_))
    ));

    // Reopen from the case page: a reason is required; the history stays.
    let case_page = send(router, get(&format!("/cases/{case_id}"), Some(&w.cookie))).await;
    assert!(case_page
        .body
        .contains("<label for=\"reopen-reason\">Why is the case reopened?</label>"));
    let version = f
        .app
        .case(
            &f.app
                .actor_for_email("worker@example.org")
                .await
                .expect("w"),
            case_id,
            None,
        )
        .await
        .expect("case")
        .case
        .version
        .to_string();
    let stage_uri = format!("/cases/{case_id}/stage");
    let body = encode(&[
        ("csrf", &w.csrf),
        ("version", &version),
        ("direction", "reopen"),
        ("reopen_to", "assessment"),
        ("reopen_reason", " "),
    ]);
    let bare = send(router, form(&stage_uri, Some(&w.cookie), &body)).await;
    assert_eq!(
        bare.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bare.body
    );
    assert!(bare.body.contains("reopen-reason-problem"), "{}", bare.body);
    let body = encode(&[
        ("csrf", &w.csrf),
        ("version", &version),
        ("direction", "reopen"),
        ("reopen_to", "assessment"),
        ("reopen_reason", "Eviction notice again"),
    ]);
    let reopened = send(router, form(&stage_uri, Some(&w.cookie), &body)).await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
    let list = send(router, get(&list_uri, Some(&w.cookie))).await;
    assert!(list.body.contains("Reopenings"));
    assert!(list.body.contains("Eviction notice again"));
    assert!(list.body.contains("The case was reopened."));
    assert!(!list.body.contains(&format!("{list_uri}/{two}/done")));
    let page = send(router, get(&page_uri, Some(&w.cookie))).await;
    assert!(page.body.contains("Earlier termination records"));
    assert!(page.body.contains("Housed and working"));

    // In Spanish.
    let body = encode(&[("csrf", &w.csrf), ("lang", "es"), ("back", "/")]);
    send(router, form("/language", Some(&w.cookie), &body)).await;
    let page = send(router, get(&page_uri, Some(&w.cookie))).await;
    assert!(
        page.body.contains("Registros de cierre anteriores"),
        "{}",
        page.body
    );
    let list = send(router, get(&list_uri, Some(&w.cookie))).await;
    assert!(list.body.contains("Contactos después del cierre"));
    assert!(list.body.contains("Se reabrió el caso."));
}

#[tokio::test]
async fn the_admin_keeps_a_programs_follow_up_schedule_on_its_own_page() {
    let f = fixture().await;
    let t = terminating(&f).await;
    let router = &f.router;
    let a = sign_in(router, "admin@example.org").await;
    let programs = send(router, get("/admin/programs", Some(&a.cookie))).await;
    let uri = format!("/admin/programs/{}/follow-ups", t.program_id);
    assert!(
        programs.body.contains(&format!("href=\"{uri}\"")),
        "{}",
        programs.body
    );
    let page = send(router, get(&uri, Some(&a.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains("<label for=\"schedule-days\">Days after closure</label>"));
    assert!(page.body.contains("value=\"30, 90\""));
    let body = encode(&[("csrf", &a.csrf), ("version", "1"), ("days", "90, 30")]);
    let refused = send(router, form(&uri, Some(&a.cookie), &body)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("smallest to largest"));
    assert!(refused.body.contains("aria-invalid=\"true\""));
    let body = encode(&[("csrf", &a.csrf), ("version", "1"), ("days", "30, 90, 180")]);
    let saved = send(router, form(&uri, Some(&a.cookie), &body)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(router, get(saved.location(), Some(&a.cookie))).await;
    assert!(page.body.contains("The follow-up schedule was saved."));
    assert!(page.body.contains("30, 90, 180"));
    // Not for caseworkers.
    let w = sign_in(router, "worker@example.org").await;
    let denied = send(router, get(&uri, Some(&w.cookie))).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}
