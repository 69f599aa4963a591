//! A caseworker sets up two-step sign-in in Chromium (typing the key shown as text, as someone
//! who cannot scan the QR code would) and then signs in with a code.

use crate::browser::Browser;
use crate::harness::TestServer;
use casework_service::domain::totp::TotpSecret;
use casework_service::domain::Role;
use casework_store::Backend;
use fantoccini::{Client, Locator};
use std::time::Duration;

async fn fill(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("field {id}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {id}: {e}"));
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_enrols_totp_and_signs_in_with_a_code() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let server = TestServer::start(Backend::Sqlite).await;
    let agency = server.agency("Riverside Family Services").await;
    let maya = server
        .user_with(agency, Role::Caseworker, "Maya Okafor", None)
        .await;
    let c = &browser.client;

    c.goto(&server.url("/sign-in")).await.expect("open sign-in");
    fill(c, "email", &maya.email).await;
    fill(c, "password", &maya.password).await;
    click(c, "form[action='/sign-in'] button[type='submit']").await;
    wait_for(c, ".account-menu a[href='/account']").await;

    c.goto(&server.url("/account")).await.expect("account");
    let state = wait_for(c, "#totp-state").await.text().await.unwrap();
    assert!(state.contains("Off"), "{state}");
    click(c, "form[action='/account/totp'] button[type='submit']").await;

    // The set-up page: a QR code drawn as SVG, and the key as text.
    wait_for(c, ".qr-code svg").await;
    let shown = wait_for(c, "#totp-secret").await.text().await.unwrap();
    let secret = TotpSecret::from_base32(shown.trim()).expect("the key is base32");
    let code_field = wait_for(c, "#code").await;
    assert_eq!(
        code_field.attr("autocomplete").await.unwrap().as_deref(),
        Some("one-time-code")
    );
    assert_eq!(
        code_field.attr("inputmode").await.unwrap().as_deref(),
        Some("numeric")
    );
    let code = secret.code_at(server.app.now_ms() / 1000);
    fill(c, "code", &code).await;
    click(
        c,
        "form[action='/account/totp/confirm'] button[type='submit']",
    )
    .await;

    let codes = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("recovery-codes"))
        .await
        .expect("recovery codes shown once");
    let items = codes.find_all(Locator::Css("li")).await.unwrap();
    assert_eq!(items.len(), 10);

    // Sign out, and a minute later sign in again: now a code is asked for.
    c.goto(&server.url("/account")).await.expect("account");
    let state = wait_for(c, "#totp-state").await.text().await.unwrap();
    assert!(state.contains("On"), "{state}");
    click(c, ".account-menu form[action='/sign-out'] button").await;
    wait_for(c, "#email").await;
    server.clock.advance_ms(60_000);
    fill(c, "email", &maya.email).await;
    fill(c, "password", &maya.password).await;
    click(c, "form[action='/sign-in'] button[type='submit']").await;

    wait_for(c, "form[action='/sign-in/code'] #code").await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/sign-in/code");
    assert!(
        c.find(Locator::Css(".account-menu")).await.is_err(),
        "not signed in before the code"
    );
    let code = secret.code_at(server.app.now_ms() / 1000);
    fill(c, "code", &code).await;
    click(c, "form[action='/sign-in/code'] button[type='submit']").await;

    let menu = wait_for(c, ".account-menu a[href='/account']").await;
    assert_eq!(menu.text().await.unwrap().trim(), "Maya Okafor");
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/caseload");

    browser.close().await;
    server.stop().await;
}
