//! Goals: the SMART checklist names what is missing, "make active" is refused with the gaps
//! listed, the client's agreement, the case page's goals, and the JSON API.

use super::*;
use casework_domain::assessment::AssessmentForm;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_service::client::DuplicateDecision;
use casework_service::Actor;

struct Goals {
    f: Fixture,
    case_id: i64,
    needs: Vec<i64>,
    other_case_needs: Vec<i64>,
}

async fn case_of(f: &Fixture, worker: &Actor, name: &str) -> (i64, Vec<i64>) {
    let client = f
        .app
        .register_client(
            worker,
            &ClientForm {
                legal_name: name.into(),
                ..ClientForm::default()
            },
            &DuplicateDecision::default(),
        )
        .await
        .expect("client");
    let case = f
        .app
        .open_case(
            worker,
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
    let detail = f
        .app
        .save_assessment(worker, case.id, &assessment, true)
        .await
        .expect("assessment");
    (case.id, detail.needs.iter().map(|n| n.id).collect())
}

async fn goals() -> Goals {
    let f = fixture().await;
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let (case_id, needs) = case_of(&f, &worker, "Ana Torres").await;
    let (_, other_case_needs) = case_of(&f, &worker, "Ben Okafor").await;
    Goals {
        f,
        case_id,
        needs,
        other_case_needs,
    }
}

fn goal_id_of(location: &str) -> i64 {
    location
        .strip_prefix("/goals/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a goal page: {location}"))
}

fn version_on(body: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = body.find(marker).expect("a version field") + marker.len();
    let len = body[start..].find('"').expect("end of value");
    body[start..start + len].to_string()
}

#[tokio::test]
async fn the_smart_checklist_names_what_is_missing_and_activation_lists_the_gaps() {
    let g = goals().await;
    let router = &g.f.router;
    let b = sign_in(router, "worker@example.org").await;
    let new = send(
        router,
        get(&format!("/cases/{}/goals/new", g.case_id), Some(&b.cookie)),
    )
    .await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    assert!(new.body.contains("Stable housing"), "needs offered");
    let body = encode(&[
        ("csrf", &b.csrf),
        ("version", "0"),
        ("statement", "Move into stable housing"),
        ("resources", "Housing first programme"),
    ]);
    let saved = send(
        router,
        form(
            &format!("/cases/{}/goals", g.case_id),
            Some(&b.cookie),
            &body,
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = goal_id_of(saved.location());
    let page = send(router, get(saved.location(), Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for missing in [
        "Measurable: say how progress will be measured.",
        "Measurable: give the starting point (baseline).",
        "Measurable: give the target to reach.",
        "Achievable: name both the resources",
        "Relevant: link the goal to at least one assessed need.",
        "Time-bound: give a target date.",
    ] {
        assert!(page.body.contains(missing), "{missing}: {}", page.body);
    }
    assert!(!page.body.contains("Specific: say in plain words"));
    assert!(page.body.contains("Goal saved."));
    let version = version_on(&page.body);
    let body = encode(&[("csrf", &b.csrf), ("version", &version)]);
    let refused = send(
        router,
        form(&format!("/goals/{id}/activate"), Some(&b.cookie), &body),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("role=\"alert\"")
            && refused.body.contains("The goal is not SMART yet"),
        "{}",
        refused.body
    );
    let alert = &refused.body[refused.body.find("role=\"alert\"").expect("alert")..];
    assert!(alert.contains("Time-bound: give a target date."));
    assert!(alert.contains("Measurable: give the target to reach."));

    // Complete it, linking a need, then make it active and record the client's agreement.
    let need = g.needs[0].to_string();
    let body = encode(&[
        ("csrf", &b.csrf),
        ("version", &version),
        ("statement", "Move into stable housing"),
        ("measure", "Nights a week in own tenancy"),
        ("baseline", "0"),
        ("target", "7"),
        ("resources", "Housing first programme"),
        ("barriers", "Rent arrears"),
        ("linked_need_ids", &need),
        ("target_date", "2027-06-01"),
        ("gas_zero", "Tenancy signed"),
        ("priority", "1"),
        ("weight", "1"),
    ]);
    let saved = send(
        router,
        form(&format!("/goals/{id}"), Some(&b.cookie), &body),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(router, get(&format!("/goals/{id}"), Some(&b.cookie))).await;
    assert!(page.body.contains("This goal is SMART"), "{}", page.body);
    assert!(page.body.contains("checked"), "the need stays ticked");
    let version = version_on(&page.body);
    let body = encode(&[("csrf", &b.csrf), ("version", &version)]);
    let active = send(
        router,
        form(&format!("/goals/{id}/activate"), Some(&b.cookie), &body),
    )
    .await;
    assert_eq!(active.status, StatusCode::SEE_OTHER, "{}", active.body);
    let page = send(router, get(&format!("/goals/{id}"), Some(&b.cookie))).await;
    assert!(page.body.contains("Active"));
    let version = version_on(&page.body);
    let body = encode(&[
        ("csrf", &b.csrf),
        ("version", &version),
        ("agreed_on", "2026-09-20"),
        ("client_words", "I want a place of my own"),
    ]);
    let agreed = send(
        router,
        form(&format!("/goals/{id}/agreement"), Some(&b.cookie), &body),
    )
    .await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.body);
    let page = send(router, get(&format!("/goals/{id}"), Some(&b.cookie))).await;
    assert!(page.body.contains("I want a place of my own"));
    assert!(page.body.contains("2026-09-20"));
    // The case page lists the goal.
    let case = send(
        router,
        get(&format!("/cases/{}", g.case_id), Some(&b.cookie)),
    )
    .await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(
        case.body.contains(&format!("href=\"/goals/{id}\"")),
        "{}",
        case.body
    );
    assert!(case.body.contains("Move into stable housing"));
}

#[tokio::test]
async fn a_stale_goal_form_and_a_need_of_another_case_are_refused_on_the_page() {
    let g = goals().await;
    let router = &g.f.router;
    let b = sign_in(router, "worker@example.org").await;
    let theirs = g.other_case_needs[0].to_string();
    let body = encode(&[
        ("csrf", &b.csrf),
        ("statement", "Keep the tenancy"),
        ("linked_need_ids", &theirs),
    ]);
    let refused = send(
        router,
        form(
            &format!("/cases/{}/goals", g.case_id),
            Some(&b.cookie),
            &body,
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Choose a need assessed in this case."),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Keep the tenancy"),
        "the draft is kept"
    );
    let body = encode(&[("csrf", &b.csrf), ("statement", "Keep the tenancy")]);
    let saved = send(
        router,
        form(
            &format!("/cases/{}/goals", g.case_id),
            Some(&b.cookie),
            &body,
        ),
    )
    .await;
    let id = goal_id_of(saved.location());
    let body = encode(&[
        ("csrf", &b.csrf),
        ("version", "99"),
        ("statement", "Keep it"),
    ]);
    let stale = send(
        router,
        form(&format!("/goals/{id}"), Some(&b.cookie), &body),
    )
    .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
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

#[tokio::test]
async fn the_goals_api_saves_drafts_refuses_activation_with_the_gaps_and_records_agreement() {
    let g = goals().await;
    let router = &g.f.router;
    let auth = bearer(&g.f.app, "worker@example.org").await;
    let created = send(
        router,
        json_request(
            "POST",
            &format!("/api/v1/cases/{}/goals", g.case_id),
            &auth,
            None,
            r#"{"statement": "Move into stable housing", "gas": {"0": "Tenancy signed"}}"#,
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let goal = created.json();
    let id = goal["id"].as_i64().expect("id");
    assert_eq!(goal["status"], "draft");
    assert_eq!(goal["gas"]["0"], "Tenancy signed");
    assert_eq!(goal["gaps"][0], "smart_no_measure");
    let etag = created
        .headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    let refused = send(
        router,
        json_request(
            "POST",
            &format!("/api/v1/goals/{id}/activate"),
            &auth,
            Some(&etag),
            "",
        ),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "smart_check_failed");
    let gaps: Vec<&str> = error["unmet"]
        .as_array()
        .expect("unmet")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        gaps,
        [
            "smart_no_measure",
            "smart_no_baseline",
            "smart_no_target",
            "smart_no_resources_or_barriers",
            "smart_no_linked_need",
            "smart_no_target_date"
        ]
    );
    // A need of another case is refused by position.
    let body = serde_json::json!({
        "statement": "Move into stable housing",
        "linked_need_ids": [g.needs[0], g.other_case_needs[0]],
    });
    let wrong = send(
        router,
        json_request(
            "PUT",
            &format!("/api/v1/goals/{id}"),
            &auth,
            Some(&etag),
            &body.to_string(),
        ),
    )
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert_eq!(wrong.json()["error"]["field"], "linked_need_ids[1]");
    assert_eq!(wrong.json()["error"]["code"], "unknown_need");
    let complete = serde_json::json!({
        "statement": "Move into stable housing",
        "measure": "Nights a week in own tenancy",
        "baseline": "0",
        "target": "7",
        "resources": "Housing first programme",
        "barriers": "Rent arrears",
        "linked_need_ids": [g.needs[0]],
        "target_date": "2027-06-01",
        "weight": 1.5,
    });
    let missing = send(
        router,
        json_request(
            "PUT",
            &format!("/api/v1/goals/{id}"),
            &auth,
            None,
            &complete.to_string(),
        ),
    )
    .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let updated = send(
        router,
        json_request(
            "PUT",
            &format!("/api/v1/goals/{id}"),
            &auth,
            Some(&etag),
            &complete.to_string(),
        ),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.json()["gaps"], serde_json::json!([]));
    assert_eq!(updated.json()["weight"], 1.5);
    let stale = send(
        router,
        json_request(
            "POST",
            &format!("/api/v1/goals/{id}/activate"),
            &auth,
            Some(&etag),
            "",
        ),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let etag = format!("\"{}\"", updated.json()["version"]);
    let active = send(
        router,
        json_request(
            "POST",
            &format!("/api/v1/goals/{id}/activate"),
            &auth,
            Some(&etag),
            "",
        ),
    )
    .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    assert_eq!(active.json()["status"], "active");
    let etag = format!("\"{}\"", active.json()["version"]);
    let agreed = send(
        router,
        json_request(
            "POST",
            &format!("/api/v1/goals/{id}/agreement"),
            &auth,
            Some(&etag),
            r#"{"agreed_on": "2026-09-20", "client_words": "I want a place of my own"}"#,
        ),
    )
    .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.body);
    assert_eq!(agreed.json()["client_agreed"], true);
    let list = send(
        router,
        authed_get(&format!("/api/v1/cases/{}/goals", g.case_id), &auth),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["client_words"], "I want a place of my own");
    assert_eq!(list["needs"][0]["description"], "Stable housing");
    let one = send(router, authed_get(&format!("/api/v1/goals/{id}"), &auth)).await;
    assert_eq!(one.status, StatusCode::OK);
    // Nobody outside the case sees it.
    let auditor = bearer(&g.f.app, "auditor@example.org").await;
    let hidden = send(router, authed_get(&format!("/api/v1/goals/{id}"), &auditor)).await;
    assert!(
        hidden.status == StatusCode::NOT_FOUND || hidden.status == StatusCode::FORBIDDEN,
        "{}",
        hidden.status
    );
}

fn authed_get(uri: &str, auth: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, auth)
        .body(Body::empty())
        .expect("request")
}
