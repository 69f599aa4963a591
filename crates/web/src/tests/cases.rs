//! Cases and the caseload: opening, the stage guard on the page and in the API, overrides,
//! stale versions, contacts and consents.

use super::*;
use crate::i18n::{has_message, Locale};
use casework_domain::case::{CaseForm, ConsentMethod, ContactMode};
use casework_domain::client::ClientForm;
use casework_domain::stage::Stage;
use casework_service::client::DuplicateDecision;
use casework_service::Actor;

/// The fixture plus a team with a supervisor and a caseworker, an intake worker, and a client
/// with a case the caseworker carries.
struct Team {
    f: Fixture,
    worker: Actor,
    client_id: i64,
    case_id: i64,
    version: i64,
}

const CLIENT: &str = "Ana <b>López</b>";

async fn team() -> Team {
    let f = fixture().await;
    let agency = f
        .app
        .actor_for_email("admin@example.org")
        .await
        .expect("admin")
        .agency_id;
    let north = f
        .app
        .create_team(None, agency, "North")
        .await
        .expect("team");
    for (email, role, team) in [
        ("sup@example.org", "supervisor", Some(north.id)),
        ("cw@example.org", "caseworker", Some(north.id)),
        ("intake@example.org", "intake_worker", None),
    ] {
        f.app
            .create_user(
                None,
                agency,
                &UserForm {
                    email: email.into(),
                    display_name: format!("Test {role}"),
                    role: role.into(),
                    team_id: team,
                    password: Secret::new(PASSWORD),
                    locale: "en".into(),
                },
            )
            .await
            .expect("user");
    }
    let worker = f.app.actor_for_email("cw@example.org").await.expect("cw");
    let client = f
        .app
        .register_client(
            &worker,
            &ClientForm {
                legal_name: CLIENT.into(),
                preferred_language: Some("es".into()),
                interpreter_needed: true,
                safe_contact: Some("No voicemail <please>".into()),
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
    Team {
        f,
        worker,
        client_id: client.id,
        case_id: case.id,
        version: case.version,
    }
}

fn post_json(
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

fn authed_get(uri: &str, auth: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, auth)
        .body(Body::empty())
        .expect("request")
}

async fn record_engagement_work(t: &Team, b: &Browser) {
    let uri = format!("/cases/{}/consents", t.case_id);
    let body = encode(&[
        ("csrf", &b.csrf),
        ("given_on", "2026-09-01"),
        ("method", "verbal"),
        ("witness", ""),
    ]);
    let answer = send(&t.f.router, form(&uri, Some(&b.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let uri = format!("/cases/{}/contacts", t.case_id);
    let body = encode(&[
        ("csrf", &b.csrf),
        ("date", "2026-09-01"),
        ("mode", "home_visit"),
        ("duration_minutes", "45"),
        ("participants", "Ana, her sister"),
        ("interpreter_used", "on"),
        ("summary", "First visit"),
    ]);
    let answer = send(&t.f.router, form(&uri, Some(&b.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
}

fn move_form(b: &Browser, version: i64, reason: Option<&str>) -> String {
    let version = version.to_string();
    let mut pairs = vec![
        ("csrf", b.csrf.as_str()),
        ("version", version.as_str()),
        ("direction", "forward"),
    ];
    if let Some(r) = reason {
        pairs.push(("override_reason", r));
    }
    encode(&pairs)
}

#[tokio::test]
async fn the_caseload_lists_a_case_with_its_next_due_item() {
    let t = team().await;
    let b = sign_in(&t.f.router, "cw@example.org").await;
    let home = send(&t.f.router, get("/", Some(&b.cookie))).await;
    assert_eq!(home.location(), "/caseload");
    let page = send(&t.f.router, get("/caseload", Some(&b.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains(&format!("href=\"/cases/{}\"", t.case_id)));
    assert!(
        page.body.contains("Ana &#60;b&#62;López&#60;/b&#62;")
            || page.body.contains("Ana &lt;b&gt;López&lt;/b&gt;"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<b>López"));
    assert!(
        page.body
            .contains("Record the client&#39;s consent to services")
            || page
                .body
                .contains("Record the client's consent to services")
    );
    assert!(page.body.contains("Engagement"));
    assert!(page.body.contains("Interpreter needed"));
    assert!(page.body.contains("0 days"));
    // On a phone the header row is hidden and each cell names its column.
    assert!(
        page.body
            .contains("<td data-label=\"Stage\">Engagement</td>"),
        "{}",
        page.body
    );
    // A caseworker has no team tab; the supervisor has.
    assert!(!page.body.contains("scope=team"));
    let sup = sign_in(&t.f.router, "sup@example.org").await;
    let mine = send(&t.f.router, get("/caseload", Some(&sup.cookie))).await;
    assert!(
        mine.body.contains("You have no open cases."),
        "{}",
        mine.body
    );
    let theirs = send(&t.f.router, get("/caseload?scope=team", Some(&sup.cookie))).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs
        .body
        .contains(&format!("href=\"/cases/{}\"", t.case_id)));
    assert!(theirs.body.contains("Test caseworker"));
    // In Spanish.
    let lang = encode(&[("csrf", &b.csrf), ("lang", "es"), ("back", "/caseload")]);
    send(&t.f.router, form("/language", Some(&b.cookie), &lang)).await;
    let es = send(&t.f.router, get("/caseload", Some(&b.cookie))).await;
    assert!(es.body.contains("Acogida"), "{}", es.body);
    assert!(es.body.contains("Registra el consentimiento"));
}

#[tokio::test]
async fn a_case_is_opened_from_the_form() {
    let t = team().await;
    let b = sign_in(&t.f.router, "cw@example.org").await;
    let page = send(
        &t.f.router,
        get(
            &format!("/cases/new?client_id={}", t.client_id),
            Some(&b.cookie),
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for label in [
        "presenting-problem",
        "referral-source",
        "program",
        "primary-worker",
        "team",
    ] {
        assert!(
            page.body.contains(&format!("<label for=\"{label}\">")),
            "{label}"
        );
    }
    let client_id = t.client_id.to_string();
    let empty = encode(&[
        ("csrf", &b.csrf),
        ("client_id", &client_id),
        ("presenting_problem", "  "),
        ("referral_source", "School"),
        ("program_id", ""),
        ("primary_worker_id", ""),
        ("team_id", ""),
    ]);
    let refused = send(&t.f.router, form("/cases/new", Some(&b.cookie), &empty)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"presenting-problem-problem\""));
    assert!(refused.body.contains("value=\"School\""));
    let ok = encode(&[
        ("csrf", &b.csrf),
        ("client_id", &client_id),
        ("presenting_problem", "Needs housing support"),
        ("referral_source", "School"),
        ("program_id", ""),
        ("primary_worker_id", ""),
        ("team_id", ""),
    ]);
    let opened = send(&t.f.router, form("/cases/new", Some(&b.cookie), &ok)).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    assert!(opened.location().starts_with("/cases/"));
    let case = send(&t.f.router, get(opened.location(), Some(&b.cookie))).await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(case.body.contains("Needs housing support"));
    assert!(case
        .body
        .contains(&format!("href=\"/clients/{}\"", t.client_id)));
    assert!(
        case.body.contains("No voicemail &#60;please&#62;")
            || case.body.contains("No voicemail &lt;please&gt;")
    );
    // Intake must hand the case to someone.
    let intake = sign_in(&t.f.router, "intake@example.org").await;
    let nobody = encode(&[
        ("csrf", &intake.csrf),
        ("client_id", &client_id),
        ("presenting_problem", "Needs food"),
        ("primary_worker_id", ""),
        ("team_id", ""),
    ]);
    let refused = send(
        &t.f.router,
        form("/cases/new", Some(&intake.cookie), &nobody),
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
        .contains("Choose a worker or a team to carry the case."));
}

#[tokio::test]
async fn the_move_is_refused_with_what_is_missing_then_allowed() {
    let t = team().await;
    let b = sign_in(&t.f.router, "cw@example.org").await;
    let uri = format!("/cases/{}/stage", t.case_id);
    let page = send(
        &t.f.router,
        get(&format!("/cases/{}", t.case_id), Some(&b.cookie)),
    )
    .await;
    assert!(
        page.body
            .contains("aria-current=\"step\" class=\"current\">Engagement"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Move to Assessment"));
    // A caseworker sees no override form.
    assert!(!page.body.contains("override_reason"));
    let refused = send(
        &t.f.router,
        form(&uri, Some(&b.cookie), &move_form(&b, t.version, None)),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("This case cannot move on yet."));
    assert!(refused.body.contains("consent to services"));
    assert!(refused.body.contains("Record at least one contact."));
    record_engagement_work(&t, &b).await;
    let page = send(
        &t.f.router,
        get(&format!("/cases/{}", t.case_id), Some(&b.cookie)),
    )
    .await;
    assert!(page.body.contains("Ready to move on."));
    assert!(page.body.contains("Ana, her sister"));
    assert!(page.body.contains("Home visit"));
    let moved = send(
        &t.f.router,
        form(&uri, Some(&b.cookie), &move_form(&b, t.version, None)),
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = send(&t.f.router, get(moved.location(), Some(&b.cookie))).await;
    assert!(page
        .body
        .contains("aria-current=\"step\" class=\"current\">Assessment"));
    assert!(page.body.contains("Engagement → Assessment"));
    // The same (now old) version again: someone changed it meanwhile.
    let stale = send(
        &t.f.router,
        form(&uri, Some(&b.cookie), &move_form(&b, t.version, None)),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert!(stale
        .body
        .contains("changed this record since you opened it"));
}

#[tokio::test]
async fn only_a_supervisor_overrides_and_the_reason_is_in_the_timeline() {
    let t = team().await;
    let uri = format!("/cases/{}/stage", t.case_id);
    let cw = sign_in(&t.f.router, "cw@example.org").await;
    let reason = "Client in crisis; consent taken by phone";
    let forbidden = send(
        &t.f.router,
        form(
            &uri,
            Some(&cw.cookie),
            &move_form(&cw, t.version, Some(reason)),
        ),
    )
    .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let sup = sign_in(&t.f.router, "sup@example.org").await;
    let page = send(
        &t.f.router,
        get(&format!("/cases/{}", t.case_id), Some(&sup.cookie)),
    )
    .await;
    assert!(page.body.contains("name=\"override_reason\""));
    let short = send(
        &t.f.router,
        form(
            &uri,
            Some(&sup.cookie),
            &move_form(&sup, t.version, Some("because")),
        ),
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.body.contains(
            "id=\"override-reason-problem\">Reason for overriding: Give a fuller reason."
        ),
        "{}",
        short.body
    );
    let empty = send(
        &t.f.router,
        form(
            &uri,
            Some(&sup.cookie),
            &move_form(&sup, t.version, Some(" ")),
        ),
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let moved = send(
        &t.f.router,
        form(
            &uri,
            Some(&sup.cookie),
            &move_form(&sup, t.version, Some(reason)),
        ),
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = send(&t.f.router, get(moved.location(), Some(&sup.cookie))).await;
    assert!(page.body.contains(reason), "{}", page.body);
    assert!(page.body.contains("Overridden"));
    assert!(page
        .body
        .contains("aria-current=\"step\" class=\"current\">Assessment"));
}

#[tokio::test]
async fn contact_and_consent_forms_name_the_field_at_fault() {
    let t = team().await;
    let b = sign_in(&t.f.router, "cw@example.org").await;
    let uri = format!("/cases/{}/contacts", t.case_id);
    let body = encode(&[
        ("csrf", &b.csrf),
        ("date", "2026-09-01"),
        ("mode", "phone"),
        ("duration_minutes", "0"),
        ("summary", "Short call"),
    ]);
    let answer = send(&t.f.router, form(&uri, Some(&b.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer
        .body
        .contains("id=\"contact-duration-problem\">Enter a number of minutes"));
    assert!(answer.body.contains("Short call"));
    // The page comes back at its top: it says there that the form below failed, linking to it,
    // before the rest of the case.
    let top = answer
        .body
        .find("A form below was not saved: <a href=\"#new-contact-heading\">Enter a number of minutes")
        .expect("a summary at the top");
    assert!(top < answer.body.find("id=\"stages-heading\"").expect("timeline"));
    let uri = format!("/cases/{}/consents", t.case_id);
    let body = encode(&[
        ("csrf", &b.csrf),
        ("given_on", "2026-09-01"),
        ("method", "witnessed"),
    ]);
    let answer = send(&t.f.router, form(&uri, Some(&b.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("id=\"consent-witness-problem\""));
    assert!(answer
        .body
        .contains("A form below was not saved: <a href=\"#new-consent-heading\">"));
}

#[tokio::test]
async fn someone_elses_case_is_not_found() {
    let t = team().await;
    let other = sign_in(&t.f.router, "worker@example.org").await;
    let page = send(
        &t.f.router,
        get(&format!("/cases/{}", t.case_id), Some(&other.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("Facing eviction"));
    let bad = send(
        &t.f.router,
        get("/cases/new?client_id=abc", Some(&other.cookie)),
    )
    .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_api_guards_stage_moves_with_versions_and_requirements() {
    let t = team().await;
    let token = bearer(&t.f.app, "cw@example.org").await;
    let case_uri = format!("/api/v1/cases/{}", t.case_id);
    let shown = send(&t.f.router, authed_get(&case_uri, &token)).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let etag = shown.headers[header::ETAG]
        .to_str()
        .expect("ascii")
        .to_string();
    assert_eq!(etag, format!("\"{}\"", t.version));
    let record = shown.json();
    assert_eq!(record["unmet"][0], "consent_to_services_missing");
    assert_eq!(record["case"]["stage"], "engagement");
    assert_eq!(record["history"][0]["to"], "engagement");
    assert_eq!(record["client"]["interpreter_needed"], true);

    let stage_uri = format!("{case_uri}/stage");
    let forward = r#"{"direction": "forward"}"#;
    let missing = send(
        &t.f.router,
        post_json("POST", &stage_uri, &token, None, forward),
    )
    .await;
    assert_eq!(
        missing.status,
        StatusCode::PRECONDITION_REQUIRED,
        "{}",
        missing.body
    );
    assert_eq!(missing.json()["error"]["code"], "precondition_required");
    let stale = send(
        &t.f.router,
        post_json("POST", &stage_uri, &token, Some("\"999\""), forward),
    )
    .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
    );
    let guarded = send(
        &t.f.router,
        post_json("POST", &stage_uri, &token, Some(&etag), forward),
    )
    .await;
    assert_eq!(guarded.status, StatusCode::CONFLICT, "{}", guarded.body);
    let error = guarded.json();
    assert_eq!(error["error"]["code"], "guard_unmet");
    assert_eq!(
        error["error"]["unmet"],
        serde_json::json!(["consent_to_services_missing", "no_contact"])
    );
    let unknown = send(
        &t.f.router,
        post_json(
            "POST",
            &stage_uri,
            &token,
            Some(&etag),
            r#"{"direction": "forward", "colour": 1}"#,
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["error"]["field"], "colour");
    let override_attempt = send(
        &t.f.router,
        post_json(
            "POST",
            &stage_uri,
            &token,
            Some(&etag),
            r#"{"direction": "forward", "override_reason": "I am sure about this"}"#,
        ),
    )
    .await;
    assert_eq!(override_attempt.status, StatusCode::FORBIDDEN);

    let contacts_uri = format!("{case_uri}/contacts");
    let zero = send(
        &t.f.router,
        post_json(
            "POST",
            &contacts_uri,
            &token,
            None,
            r#"{"date": "2026-09-01", "mode": "phone", "duration_minutes": 0}"#,
        ),
    )
    .await;
    assert_eq!(
        zero.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        zero.body
    );
    assert_eq!(zero.json()["error"]["field"], "duration_minutes");
    let contact = send(
        &t.f.router,
        post_json("POST", &contacts_uri, &token, None, r#"{"date": "2026-09-01", "mode": "phone", "duration_minutes": 20, "interpreter_used": true}"#),
    )
    .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
    let consent = send(
        &t.f.router,
        post_json(
            "POST",
            &format!("{case_uri}/consents"),
            &token,
            None,
            r#"{"given_on": "2026-09-01", "method": "signed"}"#,
        ),
    )
    .await;
    assert_eq!(consent.status, StatusCode::CREATED, "{}", consent.body);
    let listed = send(&t.f.router, authed_get(&contacts_uri, &token)).await;
    assert_eq!(listed.json()["items"][0]["mode"], "phone");
    let moved = send(
        &t.f.router,
        post_json("POST", &stage_uri, &token, Some(&etag), forward),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.json()["stage"], "assessment");
    assert_ne!(moved.headers[header::ETAG].to_str().expect("ascii"), etag);

    let caseload = send(
        &t.f.router,
        authed_get("/api/v1/caseload?scope=mine", &token),
    )
    .await;
    assert_eq!(caseload.status, StatusCode::OK, "{}", caseload.body);
    assert_eq!(caseload.json()["items"][0]["case_id"], t.case_id);
    let bad_scope = send(
        &t.f.router,
        authed_get("/api/v1/caseload?scope=all", &token),
    )
    .await;
    assert_eq!(bad_scope.json()["error"]["field"], "scope");
}

#[tokio::test]
async fn the_api_opens_and_assigns_cases() {
    let t = team().await;
    let sup = bearer(&t.f.app, "sup@example.org").await;
    let opened = send(
        &t.f.router,
        post_json(
            "POST",
            "/api/v1/cases",
            &sup,
            None,
            &format!(
                r#"{{"client_id": {}, "presenting_problem": "Food insecurity"}}"#,
                t.client_id
            ),
        ),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let case = opened.json();
    let id = case["id"].as_i64().expect("id");
    let assign_uri = format!("/api/v1/cases/{id}/assignment");
    let body = format!(
        r#"{{"worker_id": {}, "reason": "Speaks Spanish"}}"#,
        t.worker.user_id
    );
    let missing = send(
        &t.f.router,
        post_json("PUT", &assign_uri, &sup, None, &body),
    )
    .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let etag = opened.headers[header::ETAG]
        .to_str()
        .expect("ascii")
        .to_string();
    let assigned = send(
        &t.f.router,
        post_json("PUT", &assign_uri, &sup, Some(&etag), &body),
    )
    .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.json()["primary_worker_id"], t.worker.user_id);
    let again = send(
        &t.f.router,
        post_json("PUT", &assign_uri, &sup, Some(&etag), &body),
    )
    .await;
    assert_eq!(again.status, StatusCode::PRECONDITION_FAILED);
}

#[test]
fn every_stage_mode_and_method_has_a_name() {
    let mut ids: Vec<String> = Stage::ALL
        .iter()
        .map(|s| format!("stage-{}", s.as_str()))
        .collect();
    ids.extend(
        ContactMode::ALL
            .iter()
            .map(|m| format!("case-mode-{}", m.as_str())),
    );
    ids.extend(
        ConsentMethod::ALL
            .iter()
            .map(|m| format!("case-method-{}", m.as_str())),
    );
    for id in ids {
        for locale in Locale::ALL {
            assert!(has_message(locale, &id), "{id} in {}", locale.tag());
        }
    }
}

#[tokio::test]
async fn a_supervisor_reassigns_from_the_case_page_and_intake_hands_over() {
    let t = team().await;
    let sup = sign_in(&t.f.router, "sup@example.org").await;
    let sup_id =
        t.f.app
            .actor_for_email("sup@example.org")
            .await
            .expect("sup")
            .user_id;
    let page = send(
        &t.f.router,
        get(&format!("/cases/{}", t.case_id), Some(&sup.cookie)),
    )
    .await;
    assert!(page.body.contains("<label for=\"assign-worker\">"));
    // The number an emergency-access request or a colleague on the phone asks for.
    assert!(page
        .body
        .contains(&format!("<dt>Case number</dt><dd>{}</dd>", t.case_id)));
    let uri = format!("/cases/{}/assignment", t.case_id);
    let version = t.version.to_string();
    let worker = sup_id.to_string();
    let body = encode(&[
        ("csrf", &sup.csrf),
        ("version", &version),
        ("worker_id", &worker),
        ("team_id", ""),
        ("reason", "Covering <leave>"),
    ]);
    let answer = send(&t.f.router, form(&uri, Some(&sup.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let page = send(&t.f.router, get(answer.location(), Some(&sup.cookie))).await;
    assert!(page.body.contains("The case assignment was changed."));
    assert!(
        page.body.contains("Covering &#60;leave&#62;"),
        "{}",
        page.body
    );
    // The old version again is refused, with the message and the current data.
    let stale = send(&t.f.router, form(&uri, Some(&sup.cookie), &body)).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert!(stale
        .body
        .contains("changed this record since you opened it"));
    // A caseworker cannot reassign: the form is not offered.
    let cw = sign_in(&t.f.router, "cw@example.org").await;
    let page = send(
        &t.f.router,
        get(&format!("/cases/{}", t.case_id), Some(&cw.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "no longer theirs");

    // Intake hands a new case to the team and goes back to the client.
    let intake = sign_in(&t.f.router, "intake@example.org").await;
    let teams = t.f.app.teams(&t.worker).await.expect("teams");
    let team_id = teams[0].id.to_string();
    let client_id = t.client_id.to_string();
    let body = encode(&[
        ("csrf", &intake.csrf),
        ("client_id", &client_id),
        ("presenting_problem", "Needs food"),
        ("primary_worker_id", ""),
        ("team_id", &team_id),
    ]);
    let answer = send(&t.f.router, form("/cases/new", Some(&intake.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(
        answer.location(),
        format!("/clients/{}?notice=case-handed-over", t.client_id)
    );
    // The case is no longer listed for intake, so the page says it was opened and handed over.
    let page = send(&t.f.router, get(answer.location(), Some(&intake.cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(
            "The case was opened and handed over to the worker or team you chose. \
             Only they see it from now on."
        ),
        "{}",
        page.body
    );
    // Not "no cases yet": intake is told an open case is there, held by someone else, and
    // warned again before opening another.
    assert!(!page.body.contains("No cases yet."), "{}", page.body);
    assert!(
        page.body
            .contains("open cases that other workers hold; you cannot open them"),
        "{}",
        page.body
    );
    let again = send(
        &t.f.router,
        get(
            &format!("/cases/new?client_id={}", t.client_id),
            Some(&intake.cookie),
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again.body.contains("This client already has 2 open cases."),
        "{}",
        again.body
    );
}
