//! Script saved in a note, in a client's name and in a contact summary is shown as text in
//! Chromium and never runs: the pages escape it, and the CSP would stop it if they did not.

use crate::browser::Browser;
use crate::harness::TestServer;
use casework_service::client::DuplicateDecision;
use casework_service::domain::case::CaseForm;
use casework_service::domain::client::ClientForm;
use casework_service::domain::Role;
use casework_store::Backend;
use fantoccini::{Client, Locator};
use std::time::Duration;

/// Each payload, if it ran, would set `window.__xss` (or show an alert).
const SCRIPT: &str = "<script>window.__xss='script'</script>";
const IMAGE: &str = "<img src=x onerror=\"window.__xss='img'\">";
const ATTRIBUTE: &str = "\" autofocus onfocus=\"window.__xss='attr'";

async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

async fn no_script_ran(c: &Client, page: &str) {
    // Give an onerror handler time to fire if the image had been rendered as an element.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ran = c
        .execute(
            "return window.__xss === undefined ? null : window.__xss;",
            vec![],
        )
        .await
        .expect("read the page's window");
    assert!(ran.is_null(), "a payload ran on {page}: {ran}");
    assert!(
        c.get_alert_text().await.is_err(),
        "an alert is open on {page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_saved_in_a_note_is_shown_as_text_and_never_runs() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let server = TestServer::start(Backend::Sqlite).await;
    let agency = server.agency("Riverside Family Services").await;
    let team = server.team(agency, "Family support").await;
    let maya = server
        .user_with(agency, Role::Caseworker, "Maya Okafor", Some(team))
        .await;
    let intake = server
        .user_with(agency, Role::IntakeWorker, "Sam Reyes", Some(team))
        .await;
    let intake_actor = server.app.actor_for_email(&intake.email).await.unwrap();
    let client = server
        .app
        .register_client(
            &intake_actor,
            &ClientForm {
                legal_name: format!("Ana {IMAGE}"),
                birth_date: Some("1990-04-12".into()),
                ..ClientForm::default()
            },
            &DuplicateDecision::default(),
        )
        .await
        .expect("register a client whose name carries markup");
    let case = server
        .app
        .open_case(
            &intake_actor,
            &CaseForm {
                client_id: client.id,
                presenting_problem: format!("Housing {SCRIPT}"),
                primary_worker_id: Some(maya.id),
                team_id: Some(team),
                ..CaseForm::default()
            },
        )
        .await
        .expect("open a case for Maya");
    let c = &browser.client;

    c.goto(&server.url("/sign-in")).await.unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(&maya.email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(&maya.password)
        .await
        .unwrap();
    c.find(Locator::Css(
        "form[action='/sign-in'] button[type='submit']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_for(c, ".account-menu a[href='/account']").await;

    // Write a narrative note whose body is all three payloads.
    let body = format!("{SCRIPT}\n{IMAGE}\n{ATTRIBUTE}");
    c.goto(&server.url(&format!("/cases/{}/notes/new?format=narrative", case.id)))
        .await
        .unwrap();
    no_script_ran(c, "the note form").await;
    wait_for(c, "#note-body")
        .await
        .send_keys(&body)
        .await
        .unwrap();
    c.find(Locator::Css(&format!(
        "form[action='/cases/{}/notes'] button[type='submit']",
        case.id
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();

    // The saved note shows the payloads as the words typed.
    let text = wait_for(c, "#note-text").await.text().await.unwrap();
    for payload in [SCRIPT, IMAGE, ATTRIBUTE] {
        assert!(
            text.contains(payload.trim()),
            "the note does not show {payload:?} as text: {text:?}"
        );
    }
    let url = c.current_url().await.unwrap();
    assert!(url.path().starts_with("/notes/"), "{url}");
    no_script_ran(c, "the saved note").await;
    let injected = c
        .find_all(Locator::Css("#note-text img, #note-text script"))
        .await
        .unwrap();
    assert!(
        injected.is_empty(),
        "markup became elements on the note page"
    );

    // The case page and the client page show the name and the problem as text too.
    c.goto(&server.url(&format!("/cases/{}", case.id)))
        .await
        .unwrap();
    let main = wait_for(c, "main").await.text().await.unwrap();
    assert!(
        main.contains(SCRIPT),
        "the presenting problem as text: {main:?}"
    );
    no_script_ran(c, "the case page").await;
    c.goto(&server.url(&format!("/clients/{}", client.id)))
        .await
        .unwrap();
    let main = wait_for(c, "main").await.text().await.unwrap();
    assert!(main.contains(IMAGE), "the client's name as text: {main:?}");
    no_script_ran(c, "the client page").await;
    let images = c.find_all(Locator::Css("main img")).await.unwrap();
    assert!(images.is_empty(), "the name became an image element");

    browser.close().await;
    server.stop().await;
}
