//! A caseworker's first case, end to end in real Chromium: sign in, register a client past the
//! duplicate warning, open a case, be refused a move with the reasons in words, record consent
//! and a contact, move to Assessment, be refused again; then an auditor finds every step (and no
//! trace of a refused move as a stage move) in the audit log.

use crate::browser::Browser;
use crate::harness::{TestServer, TestUser};
use casework_domain::client::ClientForm;
use casework_service::client::DuplicateDecision;
use casework_service::domain::Role;
use casework_store::Backend;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::{Duration, Instant};

/// How long a page may take to appear before the test fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_takes_a_new_client_to_assessment_and_the_auditor_sees_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // What is under test is what a person sees and does; the database rules are covered on both
    // backends by the HTTP and service tests.
    let server = TestServer::start(Backend::Sqlite).await;
    let agency = server.agency("Riverside Family Services").await;
    let team = server.team(agency, "Family Support").await;
    let maya = server
        .user_with(agency, Role::Caseworker, "Maya Okafor", Some(team))
        .await;
    let ines = server
        .user_with(agency, Role::Auditor, "Inés Duarte", None)
        .await;
    let intake = server
        .user_with(agency, Role::IntakeWorker, "Sam Reyes", Some(team))
        .await;

    // Someone at intake registered María López last month.
    let intake_actor = server
        .app
        .actor_for_email(&intake.email)
        .await
        .expect("the intake worker's actor");
    let maria = server
        .app
        .register_client(
            &intake_actor,
            &ClientForm {
                legal_name: "María López".into(),
                birth_date: Some("1990-04-12".into()),
                ..ClientForm::default()
            },
            &DuplicateDecision::default(),
        )
        .await
        .expect("register the existing client");

    let c = &browser.client;

    // 1. Maya signs in.
    sign_in(c, &server, &maya).await;

    // 2. She registers "Maria Lopes", born the same day: the page warns before creating anyone.
    c.goto(&server.url("/clients/new"))
        .await
        .expect("open /clients/new");
    let name = wait_for(
        c,
        Locator::Id("client-legal_name"),
        "the registration form's legal name field",
    )
    .await;
    name.send_keys("Maria Lopes").await.unwrap();
    set_date(c, "client-birth_date", "1990-04-12").await;
    submit(c, "#client-form button[type='submit']").await;

    let warning = wait_for(
        c,
        Locator::Css("section.duplicates[role='alert']"),
        "a duplicate warning after registering 'Maria Lopes' born 1990-04-12",
    )
    .await;
    assert!(
        warning.is_displayed().await.unwrap(),
        "the duplicate warning is in the page but not visible"
    );
    let said = warning.text().await.unwrap();
    assert!(
        said.contains("This client may already be registered"),
        "the warning has no heading a person would understand: {said:?}"
    );
    assert!(
        said.contains("María López"),
        "the warning does not name the existing client María López: {said:?}"
    );
    assert!(
        said.contains("The names are very alike") && said.contains("the birth date is the same"),
        "the warning does not say why María López may be the same person: {said:?}"
    );
    assert!(
        said.contains("1990-04-12"),
        "the warning does not show María López's birth date: {said:?}"
    );
    let same_person = warning
        .find(Locator::Css("form[action='/clients/new/existing'] button"))
        .await
        .expect("a 'same person' button for María López");
    assert!(
        same_person
            .text()
            .await
            .unwrap()
            .contains("This is the same person"),
        "the button to pick the existing record does not say so"
    );
    let anyway = warning
        .find(Locator::Css("button[name='confirmed']"))
        .await
        .expect("a 'register anyway' button in the warning");
    assert_eq!(
        anyway.text().await.unwrap().trim(),
        "Register as a new client anyway"
    );
    let before = page_marker(c).await;
    anyway
        .click()
        .await
        .expect("click 'Register as a new client anyway'");
    wait_for_new_page(c, before).await;

    let url = c.current_url().await.unwrap();
    let client_id: i64 = url
        .path()
        .strip_prefix("/clients/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| {
            panic!("after 'register anyway' the browser is at {url}, not a client page")
        });
    assert_ne!(
        client_id, maria.id,
        "'register anyway' opened María López's record instead of creating a new one"
    );
    let heading = text_of(c, "main h1").await;
    assert_eq!(
        heading.trim(),
        "Maria Lopes",
        "the new client's page is headed {heading:?}"
    );

    // 3. She opens a case for Maria Lopes.
    let open_case = c
        .find(Locator::LinkText("Open a case"))
        .await
        .expect("the client page offers 'Open a case'");
    let before = page_marker(c).await;
    open_case.click().await.unwrap();
    wait_for_new_page(c, before).await;
    let problem = wait_for(
        c,
        Locator::Id("presenting-problem"),
        "the new-case form's presenting problem field",
    )
    .await;
    problem
        .send_keys("Facing eviction at the end of the month; two children at home.")
        .await
        .unwrap();
    submit(c, "form[action='/cases/new'] button[type='submit']").await;

    let url = c.current_url().await.unwrap();
    let Some(case_id) = url
        .path()
        .strip_prefix("/cases/")
        .and_then(|id| id.parse::<i64>().ok())
    else {
        panic!(
            "after 'Open case' no case page was shown; {}",
            page_text(c).await
        );
    };
    assert_eq!(
        current_stage(c).await,
        "Engagement",
        "a new case does not start in Engagement"
    );
    let stage_fact = c
        .find(Locator::XPath(
            "//dl[contains(@class,'facts')]/dt[normalize-space()='Stage']/following-sibling::dd[1]",
        ))
        .await
        .expect("the case facts show the stage");
    assert_eq!(stage_fact.text().await.unwrap().trim(), "Engagement");
    let needed = text_of(c, ".needed").await;
    assert!(
        needed.contains("Record the client's consent to services.")
            && needed.contains("Record at least one contact."),
        "'What's needed' does not list consent and a contact: {needed:?}"
    );

    // 4. Moving on is refused, and the page says what is missing.
    move_forward(c, case_id, "Assessment").await;
    let refusal = wait_for(
        c,
        Locator::Css(".problem[role='alert']"),
        "a refusal to move an Engagement case with nothing recorded",
    )
    .await;
    let said = refusal.text().await.unwrap();
    assert!(
        said.contains("This case cannot move on yet"),
        "the refusal does not say the case cannot move: {said:?}"
    );
    assert!(
        said.contains("Record the client's consent to services.")
            && said.contains("Record at least one contact."),
        "the refusal does not name the missing consent and contact: {said:?}"
    );
    assert_eq!(
        current_stage(c).await,
        "Engagement",
        "a refused move changed the stage"
    );

    // 5. She records consent to services and a first contact, then moves on.
    c.goto(&server.url(&format!("/cases/{case_id}")))
        .await
        .unwrap();
    wait_for(c, Locator::Id("consent-date"), "the consent form").await;
    set_date(c, "consent-date", "2025-03-03").await;
    c.find(Locator::Id("consent-method"))
        .await
        .expect("a 'how it was given' choice")
        .select_by_label("Signed")
        .await
        .expect("'Signed' is a way to give consent");
    submit(
        c,
        &format!("form[action='/cases/{case_id}/consents'] button[type='submit']"),
    )
    .await;
    expect_notice(c, "The consent was recorded.").await;
    let consents = text_of(c, "#consents").await;
    assert!(
        consents.contains("2025-03-03") && consents.contains("Signed"),
        "the recorded consent is not listed: {consents:?}"
    );

    set_date(c, "contact-date", "2025-03-03").await;
    c.find(Locator::Id("contact-mode"))
        .await
        .expect("a contact mode choice")
        .select_by_label("Office")
        .await
        .expect("'Office' is a contact mode");
    let minutes = c
        .find(Locator::Id("contact-duration"))
        .await
        .expect("a duration field");
    minutes.clear().await.unwrap();
    minutes.send_keys("45").await.unwrap();
    c.find(Locator::Id("contact-summary"))
        .await
        .expect("a summary field")
        .send_keys("First meeting; talked through the eviction notice.")
        .await
        .unwrap();
    submit(
        c,
        &format!("form[action='/cases/{case_id}/contacts'] button[type='submit']"),
    )
    .await;
    expect_notice(c, "The contact was recorded.").await;
    let contacts = text_of(c, "#contacts table").await;
    assert!(
        contacts.contains("2025-03-03") && contacts.contains("Office") && contacts.contains("45"),
        "the recorded contact is not listed: {contacts:?}"
    );
    let needed = text_of(c, ".needed").await;
    assert!(
        needed.contains("Ready to move on."),
        "with consent and a contact recorded, 'What's needed' still says: {needed:?}"
    );

    move_forward(c, case_id, "Assessment").await;
    expect_notice(c, "The case moved to its new stage.").await;
    assert_eq!(
        current_stage(c).await,
        "Assessment",
        "the case did not move to Assessment"
    );
    let history = text_of(c, "#stages table").await;
    assert!(
        history.contains("Engagement → Assessment") && history.contains("Maya Okafor"),
        "the stage history does not show Maya's move: {history:?}"
    );

    // 6. Moving on from Assessment is refused: nothing of the assessment is done.
    move_forward(c, case_id, "Goal setting").await;
    let refusal = wait_for(
        c,
        Locator::Css(".problem[role='alert']"),
        "a refusal to move an Assessment case with no assessment",
    )
    .await;
    let said = refusal.text().await.unwrap();
    assert!(
        said.contains("This case cannot move on yet") && said.contains("Complete the assessment."),
        "the refusal does not say the assessment is missing: {said:?}"
    );
    assert!(
        said.contains("Name at least one need in the assessment.")
            && said.contains("Name at least one strength in the assessment."),
        "the refusal does not name the missing needs and strengths: {said:?}"
    );
    assert_eq!(
        current_stage(c).await,
        "Assessment",
        "a refused move changed the stage"
    );

    // 7. Maya signs out; Inés, the auditor, finds Maya's work in the audit log.
    submit(c, ".account-menu form[action='/sign-out'] button").await;
    wait_for(
        c,
        Locator::Id("email"),
        "the sign-in form after signing out",
    )
    .await;
    sign_in(c, &server, &ines).await;

    c.goto(&server.url("/audit")).await.expect("open /audit");
    let who = wait_for(
        c,
        Locator::Id("audit-actor"),
        "the audit page's 'Who' filter",
    )
    .await;
    who.select_by_label(&format!("Maya Okafor ({})", maya.id))
        .await
        .expect("Maya among the people the auditor can pick");
    submit(c, "form[action='/audit'] button[type='submit']").await;
    let rows = audit_rows(c).await;
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    for action in [
        "client.register",
        "case.open",
        "consent.record",
        "contact.record",
        "case.stage_move",
    ] {
        assert!(
            actions.contains(&action),
            "the audit log does not show Maya's {action}; it shows {actions:?}"
        );
    }
    let maya_label = format!("Maya Okafor (User {})", maya.id);
    assert!(
        rows.iter().all(|r| r.actor == maya_label),
        "filtering by Maya shows other people's entries: {rows:?}"
    );
    let registered = rows
        .iter()
        .find(|r| r.action == "client.register")
        .expect("checked above");
    assert_eq!(
        registered.client,
        client_id.to_string(),
        "the client.register entry names the wrong client"
    );

    // Only the one move that happened is a stage move: the two refused attempts are not.
    c.goto(&server.url("/audit")).await.unwrap();
    wait_for(
        c,
        Locator::Id("audit-action"),
        "the audit page's 'Action starts with' filter",
    )
    .await
    .send_keys("case.stage")
    .await
    .unwrap();
    submit(c, "form[action='/audit'] button[type='submit']").await;
    let moves = audit_rows(c).await;
    assert_eq!(
        moves.len(),
        1,
        "expected exactly one stage entry (Engagement to Assessment), the refused attempts \
         must not appear as moves: {moves:?}"
    );
    let only = &moves[0];
    assert_eq!(only.action, "case.stage_move");
    assert_eq!(only.actor, maya_label);
    assert_eq!(only.outcome, "Allowed");
    assert_eq!(only.client, client_id.to_string());
    assert!(
        only.reason.contains("engagement -> assessment"),
        "the stage move entry does not say from where to where: {only:?}"
    );

    browser.close().await;
    server.stop().await;
}

/// Fill in the sign-in form as `user` and wait until the page greets them.
pub(crate) async fn sign_in(c: &Client, server: &TestServer, user: &TestUser) {
    c.goto(&server.url("/sign-in")).await.expect("open sign-in");
    wait_for(c, Locator::Id("email"), "the sign-in form")
        .await
        .send_keys(&user.email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .expect("password field")
        .send_keys(&user.password)
        .await
        .unwrap();
    submit(c, "form[action='/sign-in'] button[type='submit']").await;
    let menu = wait_for(
        c,
        Locator::Css(".account-menu a[href='/account']"),
        &format!("the account menu of {} after signing in", user.display_name),
    )
    .await;
    assert_eq!(menu.text().await.unwrap().trim(), user.display_name);
}

/// Set a date input the way the date picker would (an ISO value; the display format depends on
/// the browser's locale, typing does not).
pub(crate) async fn set_date(c: &Client, id: &str, iso: &str) {
    wait_for(c, Locator::Id(id), &format!("the date field #{id}")).await;
    c.execute(
        "const input = document.getElementById(arguments[0]);
         input.value = arguments[1];
         input.dispatchEvent(new Event('input', { bubbles: true }));
         input.dispatchEvent(new Event('change', { bubbles: true }));
         return input.value;",
        vec![json!(id), json!(iso)],
    )
    .await
    .unwrap_or_else(|e| panic!("set #{id} to {iso}: {e}"));
}

/// Something that identifies the page now shown, to tell when the next one has replaced it.
pub(crate) async fn page_marker(c: &Client) -> Element {
    c.find(Locator::Css("html")).await.expect("a page is shown")
}

/// Wait (bounded) until the page `before` was taken from is gone and the next one has loaded.
pub(crate) async fn wait_for_new_page(c: &Client, before: Element) {
    let start = Instant::now();
    loop {
        match before.tag_name().await {
            // Chromium sometimes reports a replaced page's node this way instead of as stale.
            Err(e)
                if e.is_stale_element_reference()
                    || e.is_no_such_element()
                    || e.to_string().contains("does not belong to the document") =>
            {
                break
            }
            Err(e) => panic!("waiting for the next page: {e}"),
            Ok(_) => {}
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the page did not change within {PATIENCE:?} after the click"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    loop {
        let state = c.execute("return document.readyState;", vec![]).await;
        if matches!(state, Ok(ref s) if s == "complete") {
            break;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the next page did not finish loading within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Press the button `css` and wait for the page that answers it.
pub(crate) async fn submit(c: &Client, css: &str) {
    let button = wait_for(c, Locator::Css(css), &format!("the button {css}")).await;
    let before = page_marker(c).await;
    button
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
    wait_for_new_page(c, before).await;
}

/// Press "Move to <next>" on the case page.
pub(crate) async fn move_forward(c: &Client, case_id: i64, next: &str) {
    let form = format!(
        "form.inline[action='/cases/{case_id}/stage']:has(input[name='direction'][value='forward'])"
    );
    let button = wait_for(
        c,
        Locator::Css(&format!("{form} button[type='submit']")),
        &format!("the 'Move to {next}' button"),
    )
    .await;
    let label = button.text().await.unwrap();
    assert_eq!(
        label.trim(),
        format!("Move to {next}"),
        "the move-forward button does not name the next stage"
    );
    let before = page_marker(c).await;
    button.click().await.unwrap();
    wait_for_new_page(c, before).await;
}

/// The visible name of the current stage in the timeline.
pub(crate) async fn current_stage(c: &Client) -> String {
    let step = wait_for(
        c,
        Locator::Css("#stages ol.timeline li[aria-current='step']"),
        "the current stage in the timeline",
    )
    .await;
    let text = step.text().await.unwrap();
    // The step reads "Engagement (current stage)", the suffix for screen readers.
    let name = text
        .split('(')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    assert!(
        text.contains("(current stage)"),
        "the current stage is not announced as such: {text:?}"
    );
    name
}

/// The status notice a form's success leaves on the page.
pub(crate) async fn expect_notice(c: &Client, wanted: &str) {
    let notice = wait_for(
        c,
        Locator::Css("p.notice[role='status']"),
        &format!("the notice '{wanted}'"),
    )
    .await;
    let said = notice.text().await.unwrap();
    assert_eq!(said.trim(), wanted, "the page said something else");
}

/// The visible text of the first element matching `css`, waiting for it to appear.
pub(crate) async fn text_of(c: &Client, css: &str) -> String {
    wait_for(c, Locator::Css(css), css)
        .await
        .text()
        .await
        .unwrap()
}

/// Where the browser is and the main content of the page, for failure messages: what the
/// person would have read.
pub(crate) async fn page_text(c: &Client) -> String {
    let url = match c.current_url().await {
        Ok(url) => url.to_string(),
        Err(e) => return format!("(no page: {e})"),
    };
    let main = match c.find(Locator::Css("main")).await {
        Ok(main) => main.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    format!("at {url} the page read: {main:?}")
}

/// The element `locator` finds once the page shows it; fails naming `what` a person expected.
pub(crate) async fn wait_for(c: &Client, locator: Locator<'_>, what: &str) -> Element {
    match c.wait().at_most(PATIENCE).for_element(locator).await {
        Ok(element) => element,
        Err(e) => panic!("{what} did not appear ({e}); {}", page_text(c).await),
    }
}

#[derive(Debug)]
struct AuditRow {
    actor: String,
    action: String,
    client: String,
    outcome: String,
    reason: String,
}

/// The entries table of the audit page as shown.
async fn audit_rows(c: &Client) -> Vec<AuditRow> {
    wait_for(c, Locator::Id("audit-entries-heading"), "the audit entries").await;
    let mut rows = Vec::new();
    for tr in c
        .find_all(Locator::Css("table.records tbody tr"))
        .await
        .unwrap()
    {
        let mut cells = Vec::new();
        for td in tr.find_all(Locator::Css("td")).await.unwrap() {
            cells.push(td.text().await.unwrap().trim().to_string());
        }
        // Time, who, action, record, client, outcome, reason (the entry number is a th).
        assert_eq!(cells.len(), 7, "an audit row has other columns: {cells:?}");
        rows.push(AuditRow {
            actor: cells[1].clone(),
            action: cells[2].clone(),
            client: cells[4].clone(),
            outcome: cells[5].clone(),
            reason: cells[6].clone(),
        });
    }
    rows
}
