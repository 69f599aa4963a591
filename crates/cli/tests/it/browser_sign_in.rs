//! A person signs in with Chromium and sees that they are signed in.

use crate::browser::Browser;
use crate::harness::TestServer;
use casework_service::domain::Role;
use casework_store::Backend;
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_signs_in_and_sees_their_name() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // What is under test is the browser flow; the database rules are covered on both backends
    // by the HTTP tests.
    let server = TestServer::start(Backend::Sqlite).await;
    let agency = server.agency("Riverside Family Services").await;
    let team = server.team(agency, "Family Support").await;
    let maya = server
        .user_with(agency, Role::Caseworker, "Maya Okafor", Some(team))
        .await;
    let c = &browser.client;

    c.goto(&server.url("/sign-in")).await.expect("open sign-in");
    c.find(Locator::Id("email"))
        .await
        .expect("email field")
        .send_keys(&maya.email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .expect("password field")
        .send_keys(&maya.password)
        .await
        .unwrap();
    c.find(Locator::Css(
        "form[action='/sign-in'] button[type='submit']",
    ))
    .await
    .expect("sign-in button")
    .click()
    .await
    .unwrap();

    // The account menu appears only for a signed-in person, and names them.
    let menu = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".account-menu a[href='/account']"))
        .await
        .expect("the page after sign-in shows the account menu");
    let shown = menu.text().await.unwrap();
    assert_eq!(shown.trim(), "Maya Okafor");
    let url = c.current_url().await.unwrap();
    assert_ne!(url.path(), "/sign-in", "still on the sign-in page");

    browser.close().await;
    server.stop().await;
}
