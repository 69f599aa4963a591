//! The plan: its page, the printable plan in plain words (in the client's language), and the
//! JSON API.

use super::*;
use casework_domain::assessment::AssessmentForm;
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_domain::goal::{GoalForm, GoalScaleForm};
use casework_domain::plan::{InterventionForm, TaskForm};
use casework_service::client::DuplicateDecision;

/// A case with one active goal, an intervention and a task; (case id, plan id, goal id).
async fn planned(f: &Fixture, name: &str, language: Option<&str>) -> (i64, i64, i64) {
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
                legal_name: name.into(),
                preferred_language: language.map(str::to_string),
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
        needs: vec!["Stable housing".into()],
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
                kind: "referral".into(),
                description: "Meet the housing first team".into(),
                responsible: "worker".into(),
                responsible_name: None,
                due_on: "2026-10-01".into(),
                resources: Some("Bus pass from the agency".into()),
            },
        )
        .await
        .expect("intervention");
    f.app
        .add_task(
            &worker,
            i.id,
            &TaskForm {
                description: "Bring the last three payslips".into(),
                responsible: "client".into(),
                responsible_name: None,
                due_on: "2026-09-28".into(),
            },
        )
        .await
        .expect("task");
    (case.id, plan.plan.id, goal.goal.id)
}

#[tokio::test]
async fn the_printable_plan_shows_goals_and_tasks_in_plain_words() {
    let f = fixture().await;
    let (case_id, _, _) = planned(&f, "Ana Torres", None).await;
    let router = &f.router;
    let b = sign_in(router, "worker@example.org").await;
    let page = send(
        router,
        get(&format!("/cases/{case_id}/plan/print"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "<html lang=\"en\">",
        "My plan",
        "Ana Torres",
        "Goal 1: Move into a flat of my own",
        "We hope to reach this by 2027-03-01",
        "What will happen: Meet the housing first team",
        "Who does it: Your worker. By ",
        "Help you can use: Bus pass from the agency",
        "Bring the last three payslips — You, by 2026-09-28",
        "You have not agreed to this plan yet.",
    ] {
        assert!(
            page.body.contains(words),
            "missing {words:?} in {}",
            page.body
        );
    }
    // No staff words on the client's page.
    assert!(!page.body.contains("Add an intervention"));

    // The case page links to the plan; the plan page offers the forms.
    let case = send(router, get(&format!("/cases/{case_id}"), Some(&b.cookie))).await;
    assert!(case.body.contains(&format!("/cases/{case_id}/plan/print")));
    let plan = send(
        router,
        get(&format!("/cases/{case_id}/plan"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    assert!(plan.body.contains("Add an intervention"));
    assert!(plan.body.contains("Bring the last three payslips"));
    assert!(plan.body.contains("Record the agreement"));
}

#[tokio::test]
async fn the_printable_plan_speaks_the_clients_language() {
    let f = fixture().await;
    let (case_id, _, _) = planned(&f, "Lucía Gómez", Some("es")).await;
    let router = &f.router;
    let b = sign_in(router, "worker@example.org").await;
    let page = send(
        router,
        get(&format!("/cases/{case_id}/plan/print"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "<html lang=\"es\">",
        "Mi plan",
        // A sentence of its own starts with a capital.
        "Quién lo hace: Su trabajador. Para el ",
        "Usted",
    ] {
        assert!(
            page.body.contains(words),
            "missing {words:?} in {}",
            page.body
        );
    }
}

#[tokio::test]
async fn a_plan_page_form_adds_an_intervention_and_names_a_past_date() {
    let f = fixture().await;
    let (case_id, plan_id, goal_id) = planned(&f, "Ana Torres", None).await;
    let router = &f.router;
    let b = sign_in(router, "worker@example.org").await;
    let post = |due: &'static str| {
        encode(&[
            ("csrf", &b.csrf),
            ("plan_id", &plan_id.to_string()),
            ("goal_id", &goal_id.to_string()),
            ("kind", "counselling"),
            ("description", "Weekly talks about budgeting stress"),
            ("responsible", "worker"),
            ("due_on", due),
            ("resources", ""),
        ])
    };
    let uri = format!("/cases/{case_id}/plan/interventions");
    let refused = send(router, form(&uri, Some(&b.cookie), &post("2026-01-01"))).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("The date cannot be in the past."));
    let saved = send(router, form(&uri, Some(&b.cookie), &post("2026-10-15"))).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(router, get(saved.location(), Some(&b.cookie))).await;
    assert!(page.body.contains("Weekly talks about budgeting stress"));
    assert!(page.body.contains("Counselling"));
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
async fn the_plan_api_reads_adds_records_agreement_and_refuses_a_caseworkers_approval() {
    each_backend(|f| async move {
        let (case_id, plan_id, goal_id) = planned(&f, "Ana Torres", None).await;
        let router = &f.router;
        let auth = bearer(&f.app, "worker@example.org").await;
        let read = send(
            router,
            json_request(
                "GET",
                &format!("/api/v1/cases/{case_id}/plan"),
                &auth,
                None,
                "",
            ),
        )
        .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        let plan = read.json();
        assert_eq!(plan["id"], plan_id);
        assert_eq!(plan["status"], "draft");
        assert_eq!(plan["goals"][0]["goal_id"], goal_id);
        let intervention = &plan["goals"][0]["interventions"][0];
        assert_eq!(intervention["kind"], "referral");
        assert_eq!(intervention["tasks"][0]["responsible"], "client");
        let intervention_id = intervention["id"].as_i64().expect("id");

        let bad = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/plans/{plan_id}/interventions"),
                &auth,
                None,
                &format!(
                    r#"{{"goal_id": {goal_id}, "kind": "advocacy", "description": "Speak to the landlord",
                       "responsible": "other_agency", "due_on": "2026-10-01"}}"#
                ),
            ),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(bad.json()["error"]["field"], "responsible_name");
        let task = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/interventions/{intervention_id}/tasks"),
                &auth,
                None,
                r#"{"description": "Call the team", "responsible": "worker", "due_on": "2026-09-22"}"#,
            ),
        )
        .await;
        assert_eq!(task.status, StatusCode::CREATED, "{}", task.body);

        let read = send(
            router,
            json_request(
                "GET",
                &format!("/api/v1/cases/{case_id}/plan"),
                &auth,
                None,
                "",
            ),
        )
        .await;
        let etag = read
            .headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .expect("etag")
            .to_string();
        let missing = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/plans/{plan_id}/agreement"),
                &auth,
                None,
                r#"{"agreed_on": "2026-09-21", "client_words": "Yes, let's do it"}"#,
            ),
        )
        .await;
        assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
        let agreed = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/plans/{plan_id}/agreement"),
                &auth,
                Some(&etag),
                r#"{"agreed_on": "2026-09-21", "client_words": "Yes, let's do it"}"#,
            ),
        )
        .await;
        assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.body);
        assert_eq!(agreed.json()["client_words"], "Yes, let's do it");
        let stale = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/plans/{plan_id}/agreement"),
                &auth,
                Some(&etag),
                r#"{"agreed_on": "2026-09-21", "client_words": "Again"}"#,
            ),
        )
        .await;
        assert_eq!(
            stale.status,
            StatusCode::PRECONDITION_FAILED,
            "{}",
            stale.body
        );
        let etag = agreed
            .headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .expect("etag")
            .to_string();
        let approval = send(
            router,
            json_request(
                "POST",
                &format!("/api/v1/plans/{plan_id}/approval"),
                &auth,
                Some(&etag),
                r#"{"decision": "approve"}"#,
            ),
        )
        .await;
        assert_eq!(approval.status, StatusCode::FORBIDDEN, "{}", approval.body);
    })
    .await;
}

/// A case on team North in a program that asks for plan approval, carried by the worker, with
/// an agreed plan (one active goal, one intervention); (case id, plan id).
async fn supervised(f: &Fixture) -> (i64, i64) {
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
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
    let program = f
        .app
        .create_program(None, worker.agency_id, "Housing", true, false)
        .await
        .expect("program");
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
    let assessment = AssessmentForm {
        assessed_on: "2026-09-01".into(),
        needs: vec!["Stable housing".into()],
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
    f.app
        .add_intervention(
            &worker,
            plan.plan.id,
            &InterventionForm {
                goal_id: goal.goal.id,
                kind: "advocacy".into(),
                description: "Speak to the landlord about the arrears".into(),
                responsible: "worker".into(),
                responsible_name: None,
                due_on: "2026-10-01".into(),
                resources: None,
            },
        )
        .await
        .expect("intervention");
    let p = f
        .app
        .current_plan(&worker, case.id)
        .await
        .expect("plan")
        .plan;
    f.app
        .record_plan_agreement(
            &worker,
            p.id,
            p.version,
            &casework_domain::goal::AgreementForm {
                agreed_on: "2026-09-21".into(),
                client_words: "Yes".into(),
            },
        )
        .await
        .expect("agreed");
    (case.id, p.id)
}

fn etag_of(a: &Answer) -> String {
    a.headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string()
}

#[tokio::test]
async fn a_supervisor_of_the_team_returns_or_approves_a_submitted_plan() {
    let f = fixture().await;
    let (case_id, plan_id) = supervised(&f).await;
    let router = &f.router;
    let worker = bearer(&f.app, "worker@example.org").await;
    let sup = bearer(&f.app, "sup@example.org").await;
    let plan_uri = format!("/api/v1/cases/{case_id}/plan");
    let read = send(router, json_request("GET", &plan_uri, &worker, None, "")).await;
    assert_eq!(read.json()["approval_required"], true);
    let submitted = send(
        router,
        json_request(
            "POST",
            &format!("/api/v1/plans/{plan_id}/submission"),
            &worker,
            Some(&etag_of(&read)),
            "",
        ),
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.json()["status"], "awaiting_approval");
    let etag = etag_of(&submitted);
    let approval = format!("/api/v1/plans/{plan_id}/approval");
    let by_worker = send(
        router,
        json_request(
            "POST",
            &approval,
            &worker,
            Some(&etag),
            r#"{"decision": "approve"}"#,
        ),
    )
    .await;
    assert_eq!(
        by_worker.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_worker.body
    );
    let bare = send(
        router,
        json_request(
            "POST",
            &approval,
            &sup,
            Some(&etag),
            r#"{"decision": "return"}"#,
        ),
    )
    .await;
    assert_eq!(
        bare.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bare.body
    );
    assert_eq!(bare.json()["error"]["field"], "comment");

    // The supervisor's plan page offers the decision.
    let b = sign_in(router, "sup@example.org").await;
    let page = send(
        router,
        get(&format!("/cases/{case_id}/plan"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Approve the plan"), "{}", page.body);
    assert!(page.body.contains("Return for changes"));
    let body = encode(&[
        ("csrf", &b.csrf),
        ("plan_id", &plan_id.to_string()),
        ("version", etag.trim_matches('"')),
        ("decision", "return"),
        ("comment", "Add a task for the client"),
    ]);
    let returned = send(
        router,
        form(
            &format!("/cases/{case_id}/plan/approval"),
            Some(&b.cookie),
            &body,
        ),
    )
    .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER, "{}", returned.body);
    let read = send(router, json_request("GET", &plan_uri, &worker, None, "")).await;
    let plan = read.json();
    assert_eq!(plan["status"], "returned");
    assert_eq!(plan["return_comment"], "Add a task for the client");

    // Agreed again and resubmitted, then approved.
    let agreed = send(
        router,
        json_request(
            "POST",
            &format!("/api/v1/plans/{plan_id}/agreement"),
            &worker,
            Some(&etag_of(&read)),
            r#"{"agreed_on": "2026-09-21", "client_words": "Still yes"}"#,
        ),
    )
    .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.body);
    let submitted = send(
        router,
        json_request(
            "POST",
            &format!("/api/v1/plans/{plan_id}/submission"),
            &worker,
            Some(&etag_of(&agreed)),
            "",
        ),
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let approved = send(
        router,
        json_request(
            "POST",
            &approval,
            &sup,
            Some(&etag_of(&submitted)),
            r#"{"decision": "approve"}"#,
        ),
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.json()["status"], "approved");
}
