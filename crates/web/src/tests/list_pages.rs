//! The admin lists and the account's tokens as pages: a page at a time, a "Next page" link in
//! the reader's language, every row once.

use super::*;

/// The `href` of the page's "Next page" link (`label` in the page's language), if any.
fn next_link(body: &str, label: &str) -> Option<String> {
    let end = body.find(&format!("rel=\"next\">{label}</a>"))?;
    let start = body[..end].rfind("href=\"")? + "href=\"".len();
    Some(
        body[start..end]
            .trim_end()
            .trim_end_matches('"')
            .to_string(),
    )
}

/// Every page from `first`, following the links: the bodies.
async fn pages(router: &Router, first: &str, cookie: &str, label: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    let mut uri = first.to_string();
    loop {
        let page = send(router, get(&uri, Some(cookie))).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
        let next = next_link(&page.body, label);
        bodies.push(page.body);
        match next {
            Some(href) => uri = href.replace("&amp;", "&"),
            None => return bodies,
        }
    }
}

#[tokio::test]
async fn admin_teams_and_programs_pages_are_paged_by_name() {
    let f = fixture().await;
    let admin = f
        .app
        .actor_for_email("admin@example.org")
        .await
        .expect("admin");
    // 51 each: one more than a page. Zero-padded so the names' order is the numbers'.
    for n in (1..=51).rev() {
        f.app
            .create_team(None, admin.agency_id, &format!("Team {n:02}"))
            .await
            .expect("team");
        f.app
            .create_program(
                None,
                admin.agency_id,
                &format!("Program {n:02}"),
                false,
                false,
            )
            .await
            .expect("program");
    }
    let browser = sign_in(&f.router, "admin@example.org").await;
    for (path, prefix) in [("/admin/teams", "Team"), ("/admin/programs", "Program")] {
        let bodies = pages(&f.router, path, &browser.cookie, "Next page").await;
        assert_eq!(bodies.len(), 2, "{path}: 50 then 1");
        assert!(bodies[0].contains(&format!("{prefix} 01")), "{path}");
        assert!(bodies[0].contains(&format!("{prefix} 50")), "{path}");
        assert!(!bodies[0].contains(&format!("{prefix} 51")), "{path}");
        assert!(bodies[1].contains(&format!("{prefix} 51")), "{path}");
        assert!(!bodies[1].contains(&format!("{prefix} 50<")), "{path}");
        // The form to add one is on every page.
        assert!(bodies[1].contains(&format!("action=\"{path}\"")), "{path}");

        let bad = send(
            &f.router,
            get(&format!("{path}?cursor=nope"), Some(&browser.cookie)),
        )
        .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            bad.body
        );
    }
    // In Spanish, the link is too.
    let body = encode(&[("csrf", &browser.csrf), ("lang", "es"), ("back", "/")]);
    send(&f.router, form("/language", Some(&browser.cookie), &body)).await;
    let bodies = pages(
        &f.router,
        "/admin/teams",
        &browser.cookie,
        "Página siguiente",
    )
    .await;
    assert_eq!(bodies.len(), 2, "the Spanish page links on too");
    assert!(bodies[0].contains("<html lang=\"es\">"));
}

#[tokio::test]
async fn the_account_pages_its_tokens_newest_first() {
    let f = fixture().await;
    let worker = f
        .app
        .actor_for_email("worker@example.org")
        .await
        .expect("worker");
    for n in 1..=52 {
        f.app
            .create_token(&worker, &format!("script {n:02}"))
            .await
            .expect("token");
    }
    let browser = sign_in(&f.router, "worker@example.org").await;
    let bodies = pages(&f.router, "/account", &browser.cookie, "Next page").await;
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].contains("script 52") && bodies[0].contains("script 03"));
    assert!(!bodies[0].contains("script 02"));
    assert!(bodies[1].contains("script 02") && bodies[1].contains("script 01"));
    assert!(!bodies[1].contains("script 03"));
}
