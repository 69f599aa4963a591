//! Evaluations: the form with a labelled radio group of GAS levels per goal, the evaluation page
//! with its T-score in plain words (English and Spanish), the client's feedback, the
//! re-assessment comparison page, and the JSON API on both databases.

use super::*;
use casework_domain::assessment::AssessmentForm;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_domain::goal::{GoalForm, GoalScaleForm};
use casework_service::client::DuplicateDecision;

/// A case carried by the worker with two active goals weighted 2 and 1; (case id, goal ids).
async fn case_with_goals(f: &Fixture) -> (i64, Vec<i64>) {
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
        needs: vec!["Stable housing".into(), "Income".into()],
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
    let mut goals = Vec::new();
    for (need, statement, weight) in [
        (needs[0].id, "Move into a flat of my own", 2.0),
        (needs[1].id, "Find steady work", 1.0),
    ] {
        let goal = f
            .app
            .create_goal(
                &worker,
                case.id,
                &GoalForm {
                    statement: Some(statement.into()),
                    measure: Some("Nights a week in own tenancy".into()),
                    baseline: Some("0".into()),
                    target: Some("7".into()),
                    resources: Some("Housing first programme".into()),
                    barriers: Some("Rent arrears".into()),
                    linked_need_ids: vec![need],
                    target_date: Some("2027-03-01".into()),
                },
                &GoalScaleForm {
                    gas: [
                        Some("Evicted".into()),
                        Some("Still in the shelter".into()),
                        Some("In a tenancy".into()),
                        Some("Tenancy and savings".into()),
                        Some("Own home".into()),
                    ],
                    weight: Some(weight),
                    ..Default::default()
                },
            )
            .await
            .expect("goal");
        f.app
            .activate_goal(&worker, goal.goal.id, goal.goal.version)
            .await
            .expect("active");
        goals.push(goal.goal.id);
    }
    (case.id, goals)
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
async fn the_evaluation_form_records_levels_and_a_decision_and_the_page_explains_the_score() {
    let f = fixture().await;
    let (case, goals) = case_with_goals(&f).await;
    let worker = sign_in(&f.router, "worker@example.org").await;

    let case_page = send(
        &f.router,
        get(&format!("/cases/{case}"), Some(&worker.cookie)),
    )
    .await;
    assert!(case_page
        .body
        .contains(&format!("href=\"/cases/{case}/evaluations/new\"")));

    let page = send(
        &f.router,
        get(
            &format!("/cases/{case}/evaluations/new"),
            Some(&worker.cookie),
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let g = goals[0];
    assert!(page
        .body
        .contains("<legend>Goal: Move into a flat of my own</legend>"));
    assert!(page.body.contains(&format!(
        "<input type=\"radio\" id=\"level-{g}-2\" name=\"level-{g}\" value=\"2\">"
    )));
    assert!(page.body.contains(&format!(
        "<label for=\"level-{g}-2\">+2: much more than expected: Own home</label>"
    )));
    assert!(page.body.contains("<label for=\"decision-close\">"));
    assert!(page.body.contains("name=\"csrf\""));

    // Recording without a level for the second goal names it; nothing is written.
    let (a, b) = (goals[0].to_string(), goals[1].to_string());
    let level_a = format!("level-{a}");
    let level_b = format!("level-{b}");
    let missing = encode(&[
        ("csrf", &worker.csrf),
        ("goal_id", &a),
        (&level_a, "0"),
        ("goal_id", &b),
        ("summary", "Housing secured"),
        ("decision", "close"),
        ("action", "record"),
    ]);
    let answer = send(
        &f.router,
        form(
            &format!("/cases/{case}/evaluations"),
            Some(&worker.cookie),
            &missing,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("This is required."), "{}", answer.body);
    assert!(answer.body.contains("aria-invalid=\"true\""));
    let list = send(
        &f.router,
        get(&format!("/cases/{case}/evaluations"), Some(&worker.cookie)),
    )
    .await;
    assert!(list.body.contains("No evaluation yet."));

    let body = encode(&[
        ("csrf", &worker.csrf),
        ("goal_id", &a),
        (&level_a, "0"),
        ("goal_id", &b),
        (&level_b, "0"),
        ("summary", "Housing secured; work search continues"),
        ("decision", "close"),
        ("action", "record"),
    ]);
    let answer = send(
        &f.router,
        form(
            &format!("/cases/{case}/evaluations"),
            Some(&worker.cookie),
            &body,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let at = answer.location().to_string();
    assert!(at.starts_with("/evaluations/"), "{at}");
    let shown = send(&f.router, get(&at, Some(&worker.cookie))).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("GAS T-score"));
    assert!(shown
        .body
        .contains("<strong>50.0</strong> — goals met as expected (50 = goals met as expected)."));
    assert!(shown.body.contains("Close the case"));
    assert!(shown.body.contains("0: the expected outcome: In a tenancy"));
    assert!(shown.body.contains("No feedback recorded yet."));
    assert!(shown
        .body
        .contains("<legend>Did you feel understood?</legend>"));

    // The client's feedback, recorded later by the worker.
    let feedback = encode(&[
        ("csrf", &worker.csrf),
        ("helpfulness", "5"),
        ("respect", "4"),
        ("understanding", "9"),
        ("comment", "<b>She listened</b>"),
    ]);
    let id = at.trim_start_matches("/evaluations/");
    let bad = send(
        &f.router,
        form(
            &format!("/evaluations/{id}/feedback"),
            Some(&worker.cookie),
            &feedback,
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Choose an answer from 1 to 5."));
    let feedback = feedback.replace("understanding=9", "understanding=3");
    let done = send(
        &f.router,
        form(
            &format!("/evaluations/{id}/feedback"),
            Some(&worker.cookie),
            &feedback,
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let shown = send(&f.router, get(&at, Some(&worker.cookie))).await;
    assert!(shown.body.contains("5: completely"));
    assert!(shown.body.contains("&#60;b&#62;She listened&#60;/b&#62;"));

    // In Spanish.
    let lang = encode(&[("csrf", &worker.csrf), ("lang", "es"), ("back", "/")]);
    send(&f.router, form("/language", Some(&worker.cookie), &lang)).await;
    let shown = send(&f.router, get(&at, Some(&worker.cookie))).await;
    assert!(shown.body.contains("Puntuación T de GAS"));
    assert!(shown.body.contains(
        "objetivos alcanzados según lo esperado (50 = objetivos alcanzados según lo esperado)."
    ));
    assert!(shown.body.contains("Cerrar el caso"));
    let page = send(
        &f.router,
        get(
            &format!("/cases/{case}/evaluations/new"),
            Some(&worker.cookie),
        ),
    )
    .await;
    assert!(page.body.contains("Registrar la evaluación"));
    let cmp = send(
        &f.router,
        get(
            &format!("/cases/{case}/assessment-comparison"),
            Some(&worker.cookie),
        ),
    )
    .await;
    assert_eq!(cmp.status, StatusCode::OK);
    assert!(cmp
        .body
        .contains("Reevaluación comparada con la línea de base"));
}

#[tokio::test]
async fn the_comparison_page_shows_needs_and_scores_with_chart_links() {
    let f = fixture().await;
    let (case, _) = case_with_goals(&f).await;
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let later = AssessmentForm {
        assessed_on: "2026-09-10".into(),
        needs: vec!["Income".into(), "Childcare".into()],
        strengths: vec!["Supportive sister".into()],
        risk_level: Some("none".into()),
        ..Default::default()
    };
    f.app
        .save_assessment(&worker, case, &later, true)
        .await
        .expect("re-assessment");
    let browser = sign_in(&f.router, "worker@example.org").await;
    let page = send(
        &f.router,
        get(
            &format!("/cases/{case}/assessment-comparison"),
            Some(&browser.cookie),
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<li>Childcare</li>"));
    assert!(page.body.contains("<li>Stable housing</li>"));
    assert!(page
        .body
        .contains(&format!("href=\"/cases/{case}/instruments/phq9\"")));
    assert!(page.body.contains("improved"), "risk low → none");
}

#[tokio::test]
async fn the_evaluation_api_drafts_updates_records_and_takes_feedback() {
    each_backend(|f| async move {
        let (case, goals) = case_with_goals(&f).await;
        let router = &f.router;
        let auth = bearer(&f.app, "worker@example.org").await;
        let draft = serde_json::json!({
            "goals": [{"goal_id": goals[0], "level": 2}, {"goal_id": goals[1]}],
            "summary": "Housing secured",
        })
        .to_string();
        let created = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/cases/{case}/evaluations"),
                &auth,
                None,
                &draft,
            ),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let e = created.json();
        assert_eq!(e["status"], "draft");
        assert!(e["t_score"].is_null());
        let id = e["id"].as_i64().expect("id");
        let etag = created
            .headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .expect("etag")
            .to_string();

        let full = serde_json::json!({
            "goals": [{"goal_id": goals[0], "level": 2}, {"goal_id": goals[1], "level": -1, "comment": "Few jobs nearby"}],
            "summary": "Housing secured; work search continues",
            "decision": "continue",
        })
        .to_string();
        let uri = format!("/api/v1/evaluations/{id}");
        let no_tag = send(router, json_request("PUT", &uri, &auth, None, &full)).await;
        assert_eq!(no_tag.status, StatusCode::PRECONDITION_REQUIRED);
        let updated = send(router, json_request("PUT", &uri, &auth, Some(&etag), &full)).await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
        let stale = send(router, json_request("PUT", &uri, &auth, Some(&etag), &full)).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
        let etag = updated
            .headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .expect("etag")
            .to_string();

        let bad = serde_json::json!({
            "goals": [{"goal_id": goals[0], "level": 2}, {"goal_id": goals[1], "level": 3}],
        })
        .to_string();
        let refused = send(router, json_request("PUT", &uri, &auth, Some(&etag), &bad)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json()["error"]["field"], "goals[1].level");
        assert_eq!(refused.json()["error"]["code"], "gas_level_out_of_range");

        let recorded = send(
            router,
            json_request("POST", &format!("{uri}/record"), &auth, Some(&etag), ""),
        )
        .await;
        assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
        let r = recorded.json();
        assert_eq!(r["status"], "recorded");
        assert_eq!(r["decision"], "continue");
        let t = r["t_score"].as_f64().expect("t-score");
        assert!((t - 62.0483).abs() < 1e-3, "{t}");
        assert_eq!(r["t_score_meaning"], "above_expected");
        assert_eq!(r["goals"][1]["comment"], "Few jobs nearby");

        let feedback = send(
            router,
            json_request(
                "POST",
                &format!("{uri}/feedback"),
                &auth,
                None,
                r#"{"helpfulness": 4, "respect": 5, "understanding": 0}"#,
            ),
        )
        .await;
        assert_eq!(feedback.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(feedback.json()["error"]["field"], "understanding");
        let feedback = send(
            router,
            json_request(
                "POST",
                &format!("{uri}/feedback"),
                &auth,
                None,
                r#"{"helpfulness": 4, "respect": 5, "understanding": 3, "comment": "Thank you"}"#,
            ),
        )
        .await;
        assert_eq!(feedback.status, StatusCode::OK, "{}", feedback.body);
        assert_eq!(feedback.json()["feedback"]["respect"], 5);

        let list = send(
            router,
            json_request(
                "GET",
                &format!("/api/v1/cases/{case}/evaluations?limit=1"),
                &auth,
                None,
                "",
            ),
        )
        .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert_eq!(list.json()["items"][0]["id"], id);

        let cmp = send(
            router,
            json_request(
                "GET",
                &format!("/api/v1/cases/{case}/assessment-comparison"),
                &auth,
                None,
                "",
            ),
        )
        .await;
        assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.body);
        assert!(cmp.json()["baseline_assessment_id"].is_i64());
        assert!(cmp.json()["comparison"].is_null());

        let hidden = send(
            router,
            json_request("GET", "/api/v1/evaluations/999999", &auth, None, ""),
        )
        .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);

        let doc = send(router, get("/api/v1/openapi.json", None)).await.json();
        for path in [
            "/api/v1/cases/{id}/evaluations",
            "/api/v1/evaluations/{id}",
            "/api/v1/evaluations/{id}/record",
            "/api/v1/evaluations/{id}/feedback",
            "/api/v1/cases/{id}/assessment-comparison",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
    })
    .await;
}
