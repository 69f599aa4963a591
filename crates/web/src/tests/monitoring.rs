//! Monitoring: the services pages and API, a goal's progress page (with its SVG chart and data
//! table) and API, the golden-thread page and API, and the case page's monitoring section.

use super::*;
use casework_domain::assessment::AssessmentForm;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_domain::goal::{GoalForm, GoalScaleForm};
use casework_domain::plan::InterventionForm;
use casework_service::client::DuplicateDecision;

/// A case with an assessed need answered by an active goal (baseline 0, target 7), an
/// intervention for it, and a second need no goal answers; (case, goal, intervention).
async fn monitored(f: &Fixture) -> (i64, i64, i64) {
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
        .expect("case");
    let assessment = AssessmentForm {
        assessed_on: "2026-09-01".into(),
        needs: vec!["Stable housing".into(), "Steady income".into()],
        strengths: vec!["Supportive sister".into()],
        risk_level: Some("low".into()),
        ..Default::default()
    };
    let needs = f
        .app
        .save_assessment(&worker, case.id, &assessment, true)
        .await
        .expect("assessment")
        .needs;
    let goal = f
        .app
        .create_goal(
            &worker,
            case.id,
            &GoalForm {
                statement: Some("Move into a flat of my own".into()),
                measure: Some("Nights a week in own tenancy".into()),
                baseline: Some("0".into()),
                target: Some("7".into()),
                resources: Some("Housing first programme".into()),
                barriers: Some("Rent arrears".into()),
                linked_need_ids: vec![needs[0].id],
                target_date: Some("2027-03-01".into()),
            },
            &GoalScaleForm::default(),
        )
        .await
        .expect("goal");
    f.app
        .activate_goal(&worker, goal.goal.id, goal.goal.version)
        .await
        .expect("active");
    let plan = f.app.current_plan(&worker, case.id).await.expect("plan");
    let i = f
        .app
        .add_intervention(
            &worker,
            plan.plan.id,
            &InterventionForm {
                goal_id: goal.goal.id,
                kind: "counselling".into(),
                description: "Weekly tenancy-sustainment sessions".into(),
                responsible: "worker".into(),
                responsible_name: None,
                due_on: "2026-10-01".into(),
                resources: None,
            },
        )
        .await
        .expect("intervention");
    (case.id, goal.goal.id, i.id)
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

fn service_body(delivered_on: &str, units: f64, intervention: i64) -> String {
    serde_json::json!({
        "kind": "counselling",
        "delivered_on": delivered_on,
        "provider": "worker",
        "units": units,
        "unit_name": "hours",
        "intervention_id": intervention,
        "note": "Budgeting for the first month's rent",
    })
    .to_string()
}

#[tokio::test]
async fn the_services_api_records_corrects_and_keeps_a_record_entered_in_error() {
    each_backend(|f| async move {
        let (case_id, goal_id, intervention) = monitored(&f).await;
        let router = &f.router;
        let auth = bearer(&f.app, "worker@example.org").await;
        let list_uri = format!("/api/v1/cases/{case_id}/services");
        let created = send(
            router,
            json_request(
                "POST",
                &list_uri,
                &auth,
                None,
                &service_body("2026-09-20", 1.5, intervention),
            ),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let s = created.json();
        let id = s["id"].as_i64().expect("id");
        assert_eq!(s["goal_id"], goal_id);
        assert_eq!(s["entered_in_error"], false);
        assert_eq!(created.location(), format!("/api/v1/services/{id}"));
        let etag = created.headers[header::ETAG].to_str().unwrap().to_string();

        // Bad input is refused naming the field, and nothing is written.
        for (body, field, code) in [
            (
                service_body("2026-09-23", 1.0, intervention),
                "delivered_on",
                "date_in_future",
            ),
            (
                service_body("2026-09-20", -2.0, intervention),
                "units",
                "units_invalid",
            ),
        ] {
            let refused = send(router, json_request("POST", &list_uri, &auth, None, &body)).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
            let e = refused.json();
            assert_eq!(e["error"]["field"], field, "{}", refused.body);
            assert_eq!(e["error"]["code"], code);
        }
        let list = send(router, json_request("GET", &list_uri, &auth, None, "")).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert_eq!(list.json()["items"].as_array().map(Vec::len), Some(1));

        // Corrections carry the version read.
        let uri = format!("/api/v1/services/{id}");
        let fixed = service_body("2026-09-20", 2.0, intervention);
        let missing = send(router, json_request("PUT", &uri, &auth, None, &fixed)).await;
        assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
        let stale = send(
            router,
            json_request("PUT", &uri, &auth, Some("\"9\""), &fixed),
        )
        .await;
        assert_eq!(
            stale.status,
            StatusCode::PRECONDITION_FAILED,
            "{}",
            stale.body
        );
        let ok = send(
            router,
            json_request("PUT", &uri, &auth, Some(&etag), &fixed),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert_eq!(ok.json()["units"], 2.0);
        assert_eq!(ok.json()["version"], 2);

        // Entered in error: kept, marked, and no longer corrected.
        let mark_uri = format!("/api/v1/services/{id}/entered-in-error");
        let blank = send(
            router,
            json_request("POST", &mark_uri, &auth, None, r#"{"reason":" "}"#),
        )
        .await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(blank.json()["error"]["field"], "reason");
        let marked = send(
            router,
            json_request(
                "POST",
                &mark_uri,
                &auth,
                Some("\"2\""),
                r#"{"reason":"Recorded on the wrong case"}"#,
            ),
        )
        .await;
        assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
        assert_eq!(marked.json()["entered_in_error"], true);
        let read = send(router, json_request("GET", &uri, &auth, None, "")).await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.json()["error_reason"], "Recorded on the wrong case");
        let again = send(
            router,
            json_request("PUT", &uri, &auth, Some("\"3\""), &fixed),
        )
        .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(again.json()["error"]["code"], "service_entered_in_error");

        // Someone without a session or token is refused.
        let anon = send(router, get(&uri, None)).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn the_progress_and_thread_api_measure_a_goal_and_name_the_breaks() {
    each_backend(|f| async move {
        let (case_id, goal_id, intervention) = monitored(&f).await;
        let router = &f.router;
        let auth = bearer(&f.app, "worker@example.org").await;
        let thread_uri = format!("/api/v1/cases/{case_id}/thread");
        let thread = send(router, json_request("GET", &thread_uri, &auth, None, "")).await;
        assert_eq!(thread.status, StatusCode::OK, "{}", thread.body);
        let t = thread.json();
        assert_eq!(t["days"], 30);
        let codes: Vec<_> = t["breaks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["code"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            codes,
            [
                "need_without_goal",
                "goal_without_recent_progress",
                "intervention_without_delivery"
            ]
        );
        let bad_days = send(
            router,
            json_request("GET", &format!("{thread_uri}?days=366"), &auth, None, ""),
        )
        .await;
        assert_eq!(bad_days.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad_days.json()["error"]["field"], "days");

        let uri = format!("/api/v1/goals/{goal_id}/progress");
        let recorded = send(
            router,
            json_request(
                "POST",
                &uri,
                &auth,
                None,
                r#"{"value":3,"recorded_on":"2026-09-15","comment":"Three nights in the flat"}"#,
            ),
        )
        .await;
        assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
        assert_eq!(recorded.json()["value"], 3.0);
        let out_of_range = send(
            router,
            json_request(
                "POST",
                &uri,
                &auth,
                None,
                r#"{"gas_level":3,"recorded_on":"2026-09-15","comment":"Better"}"#,
            ),
        )
        .await;
        assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(out_of_range.json()["error"]["field"], "gas_level");
        let list = send(router, json_request("GET", &uri, &auth, None, "")).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.json()["items"].as_array().map(Vec::len), Some(1));

        send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/cases/{case_id}/services"),
                &auth,
                None,
                &service_body("2026-09-20", 1.0, intervention),
            ),
        )
        .await;
        let after = send(router, json_request("GET", &thread_uri, &auth, None, "")).await;
        let breaks = after.json()["breaks"].clone();
        assert_eq!(breaks.as_array().map(Vec::len), Some(1), "{breaks}");
        assert_eq!(breaks[0]["code"], "need_without_goal");
    })
    .await;
}

#[tokio::test]
async fn monitoring_routes_are_documented() {
    let f = fixture().await;
    let doc = send(&f.router, get("/api/v1/openapi.json", None)).await;
    let paths = doc.json()["paths"].clone();
    for (path, method) in [
        ("/api/v1/cases/{id}/services", "get"),
        ("/api/v1/cases/{id}/services", "post"),
        ("/api/v1/services/{id}", "get"),
        ("/api/v1/services/{id}", "put"),
        ("/api/v1/services/{id}/entered-in-error", "post"),
        ("/api/v1/goals/{id}/progress", "get"),
        ("/api/v1/goals/{id}/progress", "post"),
        ("/api/v1/cases/{id}/thread", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
}

#[tokio::test]
async fn a_service_is_recorded_and_entered_in_error_through_the_pages() {
    let f = fixture().await;
    let (case_id, _, intervention) = monitored(&f).await;
    let router = &f.router;
    let b = sign_in(router, "worker@example.org").await;
    let uri = format!("/cases/{case_id}/services");
    let page = send(router, get(&uri, Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for field in [
        "kind",
        "other_kind",
        "delivered_on",
        "provider",
        "provider_name",
        "units",
        "unit_name",
        "goal_id",
        "intervention_id",
        "note",
    ] {
        let id = format!("service-{}", field.replace('_', "-").replace("-id", ""));
        assert!(
            page.body.contains(&format!("<label for=\"{id}\">")),
            "no label for {field}"
        );
        assert!(page.body.contains(&format!("name=\"{field}\"")), "{field}");
    }
    assert!(page.body.contains("No services have been recorded yet."));
    let post = |units: &str| {
        encode(&[
            ("csrf", &b.csrf),
            ("kind", "transport"),
            ("other_kind", ""),
            ("delivered_on", "2026-09-20"),
            ("provider", "other"),
            ("provider_name", "Volunteer drivers"),
            ("units", units),
            ("unit_name", "trips"),
            ("goal_id", ""),
            ("intervention_id", &intervention.to_string()),
            ("note", "To the housing office"),
        ])
    };
    let refused = send(router, form(&uri, Some(&b.cookie), &post("-1"))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("The amount must be a positive number (at most 10,000)."));
    assert!(refused.body.contains("Volunteer drivers"), "kept as typed");
    let saved = send(router, form(&uri, Some(&b.cookie), &post("2"))).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = send(router, get(saved.location(), Some(&b.cookie))).await;
    assert!(list.body.contains("The service was recorded."));
    assert!(list.body.contains("Transport"));
    assert!(list.body.contains("2 trips"));
    assert!(list.body.contains("Volunteer drivers"));
    let marker = "href=\"/services/";
    let at = list.body.find(marker).expect("a link to the record") + marker.len();
    let id: String = list.body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();

    let record = send(router, get(&format!("/services/{id}"), Some(&b.cookie))).await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.body.contains("Mark as entered in error"));
    let mark = encode(&[
        ("csrf", &b.csrf),
        ("version", "1"),
        ("reason", "Wrong client"),
    ]);
    let marked = send(
        router,
        form(
            &format!("/services/{id}/entered-in-error"),
            Some(&b.cookie),
            &mark,
        ),
    )
    .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.body);
    let list = send(router, get(&uri, Some(&b.cookie))).await;
    assert!(list.body.contains("<del>Transport</del>"), "{}", list.body);
    assert!(list
        .body
        .contains("Entered in error</strong>: Wrong client"));

    // The case page counts it and links to the services and the thread.
    let case = send(router, get(&format!("/cases/{case_id}"), Some(&b.cookie))).await;
    assert!(case
        .body
        .contains(&format!("href=\"/cases/{case_id}/services\"")));
    assert!(case
        .body
        .contains(&format!("href=\"/cases/{case_id}/thread\"")));
    assert!(case.body.contains("0 services on file"), "{}", case.body);
    assert!(case.body.contains("3 breaks"));
}

#[tokio::test]
async fn a_goals_progress_page_draws_the_measure_with_baseline_target_and_a_table() {
    let f = fixture().await;
    let (_, goal_id, _) = monitored(&f).await;
    let router = &f.router;
    let b = sign_in(router, "worker@example.org").await;
    let uri = format!("/goals/{goal_id}/progress");
    let empty = send(router, get(&uri, Some(&b.cookie))).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("No progress has been recorded yet."));
    assert!(!empty.body.contains("<svg"));
    for (id, name) in [
        ("progress-value", "value"),
        ("progress-gas-level", "gas_level"),
        ("progress-recorded-on", "recorded_on"),
        ("progress-comment", "comment"),
    ] {
        assert!(
            empty.body.contains(&format!("<label for=\"{id}\">")),
            "{id}"
        );
        assert!(empty.body.contains(&format!("name=\"{name}\"")), "{name}");
    }
    let goal_page = send(router, get(&format!("/goals/{goal_id}"), Some(&b.cookie))).await;
    assert!(goal_page.body.contains(&format!("href=\"{uri}\"")));

    let post = |value: &str, level: &str, on: &str| {
        encode(&[
            ("csrf", &b.csrf),
            ("value", value),
            ("gas_level", level),
            ("recorded_on", on),
            ("comment", "Nights in the flat this week"),
        ])
    };
    let both = send(
        router,
        form(&uri, Some(&b.cookie), &post("2", "1", "2026-09-10")),
    )
    .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(both
        .body
        .contains("Give either a value of the measure or a goal attainment level, not both."));
    let future = send(
        router,
        form(&uri, Some(&b.cookie), &post("2", "", "2026-09-30")),
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("id=\"progress-recorded-on-problem\""));
    for (value, level, on) in [
        ("2", "", "2026-09-01"),
        ("", "1", "2026-09-08"),
        ("5", "", "2026-09-15"),
    ] {
        let saved = send(router, form(&uri, Some(&b.cookie), &post(value, level, on))).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
    let page = send(router, get(&uri, Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    for words in [
        "<svg",
        "role=\"img\"",
        "aria-describedby=\"progress-table-caption\"",
        "<polyline points=\"",
        "class=\"reference\"",
        "<title>Baseline 0</title>",
        "<title>Target 7</title>",
        "<title>2026-09-01: 2</title>",
        "<title>2026-09-15: 5</title>",
        "<caption id=\"progress-table-caption\">",
        "<td data-label=\"Date\">2026-09-08</td>",
        "+1 · more than expected",
    ] {
        assert!(
            page.body.contains(words),
            "missing {words:?} in {}",
            page.body
        );
    }
    // Only the two values are drawn; the GAS entry is in the table.
    assert_eq!(page.body.matches("<circle").count(), 2);

    // In Spanish.
    let lang = encode(&[("csrf", &b.csrf), ("lang", "es"), ("back", "/caseload")]);
    send(router, form("/language", Some(&b.cookie), &lang)).await;
    let es = send(router, get(&uri, Some(&b.cookie))).await;
    assert!(es.body.contains("Registrar progreso"), "{}", es.body);
    assert!(es.body.contains("<title>Meta 7</title>"));
}

#[tokio::test]
async fn the_thread_page_lists_the_breaks_and_checks_the_window() {
    let f = fixture().await;
    let (case_id, goal_id, _) = monitored(&f).await;
    let router = &f.router;
    let b = sign_in(router, "worker@example.org").await;
    let uri = format!("/cases/{case_id}/thread");
    let page = send(router, get(&uri, Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "<label for=\"thread-days\">",
        "Needs with no goal (1)",
        "Steady income",
        "Active goals with no recent progress (1)",
        "Move into a flat of my own (no entry yet)",
        &format!("href=\"/goals/{goal_id}/progress\""),
        "Interventions with nothing delivered or done (1)",
        "Weekly tenancy-sustainment sessions",
    ] {
        assert!(
            page.body.contains(words),
            "missing {words:?} in {}",
            page.body
        );
    }
    // The window is asked for with a plain GET form: no script, no state changed.
    assert!(page
        .body
        .contains(&format!("<form method=\"get\" action=\"{uri}\"")));
    let bad = send(router, get(&format!("{uri}?days=0"), Some(&b.cookie))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad
        .body
        .contains("The number of days must be between 1 and 365."));
    assert!(bad.body.contains("aria-invalid=\"true\""));

    let lang = encode(&[("csrf", &b.csrf), ("lang", "es"), ("back", "/caseload")]);
    send(router, form("/language", Some(&b.cookie), &lang)).await;
    let es = send(router, get(&uri, Some(&b.cookie))).await;
    assert!(es.body.contains("El hilo conductor"));
    assert!(es.body.contains("Necesidades sin objetivo (1)"));
}

/// A case with no need and no goal has nothing for a thread to run through: its pages say so
/// rather than calling the thread whole.
#[tokio::test]
async fn a_case_with_no_needs_or_goals_has_nothing_to_trace_not_a_whole_thread() {
    let f = fixture().await;
    let (_, case_id) = client_with_case(&f.app, "worker@example.org", "Iris Vale").await;
    let b = sign_in(&f.router, "worker@example.org").await;
    let thread = send(
        &f.router,
        get(&format!("/cases/{}/thread", case_id), Some(&b.cookie)),
    )
    .await;
    assert_eq!(thread.status, StatusCode::OK, "{}", thread.body);
    assert!(
        thread.body.contains("Nothing to trace yet"),
        "{}",
        thread.body
    );
    assert!(
        !thread.body.contains("The thread is whole"),
        "{}",
        thread.body
    );
    let page = send(
        &f.router,
        get(&format!("/cases/{}", case_id), Some(&b.cookie)),
    )
    .await;
    assert!(
        page.body
            .contains("nothing to trace yet: no needs or goals are recorded"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("the thread is whole"));
}
