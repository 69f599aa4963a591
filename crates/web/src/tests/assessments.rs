//! Assessments and instruments: the labelled instrument form, the score and band after saving,
//! errors next to the item, the chart's text alternative, the assessment form, and the API.

use super::*;
use crate::i18n::{has_message, Locale};
use casework_domain::assessment::{InstrumentKind, RiskLevel};
use casework_domain::case::CaseForm;
use casework_domain::client::ClientForm;
use casework_domain::instrument::{Gad7, Phq9, SsmDomain, SsmRating};
use casework_service::client::DuplicateDecision;

/// The fixture, a signed-in caseworker, and a case they carry.
async fn with_case() -> (Fixture, Browser, i64) {
    let f = fixture().await;
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
                legal_name: "Rosa Díaz".into(),
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
                presenting_problem: "Low mood since losing her job".into(),
                ..CaseForm::default()
            },
        )
        .await
        .expect("case");
    let b = sign_in(&f.router, "worker@example.org").await;
    (f, b, case.id)
}

fn answers_form(b: &Browser, answers: &[(usize, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = vec![("csrf".into(), b.csrf.clone())];
    pairs.extend(
        answers
            .iter()
            .map(|(i, v)| (format!("answer_{i}"), v.to_string())),
    );
    serde_urlencoded::to_string(&pairs).expect("encodable")
}

fn json_request(method: &str, uri: &str, auth: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

#[tokio::test]
async fn the_phq9_form_is_nine_labelled_radio_groups() {
    let (f, b, case) = with_case().await;
    let page = send(
        &f.router,
        get(&format!("/cases/{case}/instruments/phq9"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body.matches("<fieldset class=\"question\"").count(), 9);
    assert!(page
        .body
        .contains("<legend>9. Thoughts that you would be better off dead"));
    for i in 0..9 {
        for v in 0..=3 {
            let id = format!("answer-{i}-{v}");
            assert!(
                page.body.contains(&format!(
                    "type=\"radio\" id=\"{id}\" name=\"answer_{i}\" value=\"{v}\""
                )),
                "radio {id}"
            );
            assert!(
                page.body.contains(&format!("<label for=\"{id}\">")),
                "label {id}"
            );
        }
    }
    assert!(page.body.contains("Nearly every day"));
    let gad = send(
        &f.router,
        get(&format!("/cases/{case}/instruments/gad7"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(gad.body.matches("<fieldset class=\"question\"").count(), 7);
    let ssm = send(
        &f.router,
        get(&format!("/cases/{case}/instruments/ssm"), Some(&b.cookie)),
    )
    .await;
    assert!(ssm
        .body
        .contains("<label for=\"rating-housing\">Housing</label>"));
    assert!(ssm.body.contains("5 · Empowered"));
    let unknown = send(
        &f.router,
        get(&format!("/cases/{case}/instruments/bdi"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn saving_answers_shows_the_score_band_and_chart() {
    let (f, b, case) = with_case().await;
    let uri = format!("/cases/{case}/instruments/phq9");
    let answers: Vec<(usize, &str)> = (0..9).map(|i| (i, if i < 8 { "1" } else { "0" })).collect();
    let saved = send(
        &f.router,
        form(&uri, Some(&b.cookie), &answers_form(&b, &answers)),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(&f.router, get(saved.location(), Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("role=\"status\" id=\"outcome\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Score: 8</strong>"), "{}", page.body);
    assert!(page.body.contains("Severity: <strong>Mild</strong>"));
    assert!(!page.body.contains("Safety alert:"));
    // The chart and its text alternative.
    assert!(page.body.contains("<svg"));
    assert!(page.body.contains("role=\"img\""));
    assert!(page.body.contains("<polyline"));
    assert!(page.body.contains("<caption id=\"history-table-caption\">"));
    // Item 9 above 0: the alert is shown and the case flagged.
    let alarming: Vec<(usize, &str)> = (0..9)
        .map(|i| (i, if i == 8 { "2" } else { "0" }))
        .collect();
    let saved = send(
        &f.router,
        form(&uri, Some(&b.cookie), &answers_form(&b, &alarming)),
    )
    .await;
    let page = send(&f.router, get(saved.location(), Some(&b.cookie))).await;
    assert!(
        page.body.contains("Safety alert: the client reported"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Severity: <strong>Minimal</strong>"));
    assert_eq!(page.body.matches("<circle").count(), 2);
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    let detail = f.app.case(&worker, case, None).await.expect("case");
    assert_eq!(detail.case.risk_flag, 1);
}

#[tokio::test]
async fn a_bad_answer_is_shown_at_its_item_and_nothing_is_saved() {
    let (f, b, case) = with_case().await;
    let uri = format!("/cases/{case}/instruments/phq9");
    // Item 9 left unanswered, item 2 out of range: the first problem is named.
    let mut answers: Vec<(usize, &str)> = (0..8).map(|i| (i, "1")).collect();
    let page = send(
        &f.router,
        form(&uri, Some(&b.cookie), &answers_form(&b, &answers)),
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("id=\"answer-8-problem\">Answer this question."),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("aria-describedby=\"instrument-stem answer-8-problem\" aria-invalid=\"true\""));
    // What was answered stays ticked.
    assert!(page
        .body
        .contains("id=\"answer-0-1\" name=\"answer_0\" value=\"1\" checked"));
    answers.push((8, "7"));
    let page = send(
        &f.router,
        form(&uri, Some(&b.cookie), &answers_form(&b, &answers)),
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .body
        .contains("id=\"answer-8-problem\">Each answer must be between 0 and 3."));
    assert!(page.body.contains("Not given yet."), "nothing saved");
}

#[tokio::test]
async fn an_assessment_is_completed_from_the_form_and_read_back() {
    let (f, b, case) = with_case().await;
    let new = send(
        &f.router,
        get(&format!("/cases/{case}/assessments/new"), Some(&b.cookie)),
    )
    .await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    assert!(new.body.contains("<label for=\"need-1\">Need 1</label>"));
    assert!(new.body.contains("value=\"complete\""));
    let post = |pairs: Vec<(&str, &str)>| {
        let mut all = vec![("csrf", b.csrf.as_str())];
        all.extend(pairs);
        form(
            &format!("/cases/{case}/assessments"),
            Some(&b.cookie),
            &encode(&all),
        )
    };
    let base = vec![
        ("assessed_on", "2026-09-20"),
        ("situation", "Lost her job in August"),
        ("needs", "Income"),
        ("needs", ""),
        ("risk_level", "low"),
        ("client_words", "I want to work again"),
        ("action", "complete"),
    ];
    let refused = send(&f.router, post(base.clone())).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("id=\"strengths-problem\">This is required."),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"Lost her job in August\"")
            || refused.body.contains(">Lost her job in August</textarea>")
    );
    let mut ok = base.clone();
    ok.push(("strengths", "Skilled baker"));
    let saved = send(&f.router, post(ok)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(&f.router, get(saved.location(), Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<li>Income</li>"));
    assert!(page.body.contains("<li>Skilled baker</li>"));
    assert!(page.body.contains("Completed"));
    assert!(page.body.contains("Low risk"));
    // Once completed, the way on is the case (the next stage), one click away.
    assert!(
        page.body.contains(&format!(
            "<a href=\"/cases/{case}#assessment\">Back to the case</a>"
        )),
        "{}",
        page.body
    );
    let list = send(
        &f.router,
        get(&format!("/cases/{case}/assessments"), Some(&b.cookie)),
    )
    .await;
    assert!(list.body.contains("2026-09-20"));
    let case_page = send(&f.router, get(&format!("/cases/{case}"), Some(&b.cookie))).await;
    assert!(case_page
        .body
        .contains(&format!("href=\"/cases/{case}/instruments/phq9\"")));
}

#[tokio::test]
async fn the_api_scores_instruments_and_names_the_bad_item() {
    let (f, _, case) = with_case().await;
    let auth = bearer(&f.app, "worker@example.org").await;
    let uri = format!("/api/v1/cases/{case}/instruments/phq9");
    let bad = send(
        &f.router,
        json_request("POST", &uri, &auth, r#"{"answers":[1,1,1,1,1,1,1,1,4]}"#),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let error = &bad.json()["error"];
    assert_eq!(error["field"], "answers[8]");
    assert_eq!(error["code"], "answer_out_of_range");
    let ok = send(
        &f.router,
        json_request("POST", &uri, &auth, r#"{"answers":[3,3,3,2,2,2,1,1,0]}"#),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let body = ok.json();
    assert_eq!(
        (body["total"].as_i64(), body["band"].as_str()),
        (Some(17), Some("moderately_severe"))
    );
    assert_eq!(body["safety_alert"], false);
    let history = send(&f.router, {
        let mut r = get(&uri, None);
        r.headers_mut()
            .insert(header::AUTHORIZATION, auth.parse().expect("header"));
        r
    })
    .await;
    assert_eq!(history.status, StatusCode::OK);
    assert_eq!(history.json()["items"].as_array().map(Vec::len), Some(1));
    let ssm = send(
        &f.router,
        json_request(
            "POST",
            &format!("/api/v1/cases/{case}/instruments/ssm"),
            &auth,
            r#"{"ratings":[{"domain":"housing","rating":2},{"domain":"food","rating":9}]}"#,
        ),
    )
    .await;
    assert_eq!(ssm.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ssm.json()["error"]["field"], "ratings[1].rating");
    let created = send(
        &f.router,
        json_request(
            "POST",
            &format!("/api/v1/cases/{case}/assessments"),
            &auth,
            r#"{"assessed_on":"2026-09-01","complete":true,"needs":["Housing"],"strengths":["Persistent"],"risk_level":"none"}"#,
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let a = created.json();
    assert_eq!(a["status"], "completed");
    assert_eq!(a["needs"][0]["description"], "Housing");
    let id = a["id"].as_i64().expect("id");
    let read = send(&f.router, {
        let mut r = get(&format!("/api/v1/assessments/{id}"), None);
        r.headers_mut()
            .insert(header::AUTHORIZATION, auth.parse().expect("header"));
        r
    })
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["strengths"][0]["description"], "Persistent");
    let missing = send(
        &f.router,
        json_request(
            "POST",
            &format!("/api/v1/cases/{case}/assessments"),
            &auth,
            r#"{"assessed_on":"2026-09-01","complete":true,"strengths":["Persistent"],"risk_level":"none"}"#,
        ),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.json()["error"]["field"], "needs");
    // Someone without the case cannot tell it exists.
    let other = bearer(&f.app, "admin@example.org").await;
    let hidden = send(
        &f.router,
        json_request("POST", &uri, &other, r#"{"answers":[0,0,0,0,0,0,0,0,0]}"#),
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[test]
fn every_computed_assessment_message_exists() {
    let mut ids = Vec::new();
    for k in InstrumentKind::ALL {
        ids.push(format!("assessment-instrument-{}", k.as_str()));
    }
    for n in 1..=Phq9::ITEMS {
        ids.push(format!("assessment-phq9-item-{n}"));
    }
    for n in 1..=Gad7::ITEMS {
        ids.push(format!("assessment-gad7-item-{n}"));
    }
    for v in 0..=3 {
        ids.push(format!("assessment-answer-{v}"));
    }
    for band in casework_domain::instrument::Phq9Severity::ALL.map(|s| s.as_str()) {
        ids.push(format!("assessment-band-{band}"));
    }
    for band in casework_domain::instrument::Gad7Severity::ALL.map(|s| s.as_str()) {
        ids.push(format!("assessment-band-{band}"));
    }
    for d in SsmDomain::ALL {
        ids.push(format!("assessment-domain-{}", d.as_str()));
    }
    for r in SsmRating::ALL {
        ids.push(format!("assessment-rating-{}", r.as_str()));
    }
    for r in RiskLevel::ALL {
        ids.push(format!("assessment-risk-{}", r.as_str()));
    }
    for s in ["draft", "completed"] {
        ids.push(format!("assessment-status-{s}"));
    }
    let missing: Vec<_> = ids
        .iter()
        .flat_map(|id| Locale::ALL.map(|l| (l, id)))
        .filter(|(l, id)| !has_message(*l, id))
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}

#[tokio::test]
async fn the_case_page_warns_once_a_safety_alert_flagged_the_case() {
    let (f, b, case) = with_case().await;
    let banner = "a safety alert was recorded for this client";
    let page = send(&f.router, get(&format!("/cases/{case}"), Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(banner), "{}", page.body);
    // Item 9 (thoughts of self-harm) above 0 flags the case.
    let alarming: Vec<(usize, &str)> = (0..9)
        .map(|i| (i, if i == 8 { "1" } else { "0" }))
        .collect();
    let uri = format!("/cases/{case}/instruments/phq9");
    let saved = send(
        &f.router,
        form(&uri, Some(&b.cookie), &answers_form(&b, &alarming)),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(&f.router, get(&format!("/cases/{case}"), Some(&b.cookie))).await;
    assert!(
        page.body.contains("class=\"at-risk-banner\" role=\"note\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("At risk:</span> {banner}")),
        "{}",
        page.body
    );
}
