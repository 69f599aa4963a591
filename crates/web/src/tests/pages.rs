//! Browser flows: sign-in, CSRF, language, role-based pages and admin forms.

use super::*;
use crate::session::{PRE_SESSION_COOKIE, SESSION_COOKIE};

#[tokio::test]
async fn sign_in_sets_a_safe_session_cookie_and_lands_on_the_role_home() {
    let f = fixture().await;
    let page = send(&f.router, get("/sign-in", None)).await;
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("<label for=\"email\">"));
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", "Admin@Example.org"),
        ("password", PASSWORD),
    ]);
    let answer = send(&f.router, form("/sign-in", Some(&pre), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/admin/users");
    let line = answer
        .set_cookie_line(SESSION_COOKIE)
        .expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(attribute), "{line}");
    }
    assert!(!line.contains("Secure"), "{line}");
    let session = answer.cookie(SESSION_COOKIE).expect("cookie");
    let home = send(&f.router, get("/", Some(&session))).await;
    assert_eq!(home.location(), "/admin/users");
    let users = send(&f.router, get("/admin/users", Some(&session))).await;
    assert_eq!(users.status, StatusCode::OK);
    // How each user signs in is said even when nothing is out of the ordinary.
    assert!(users.body.contains("Password only; not locked"));
    assert_eq!(
        users
            .headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
}

#[tokio::test]
async fn the_session_cookie_is_secure_behind_tls() {
    let f = fixture_with(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    })
    .await;
    let page = send(&f.router, get("/sign-in", None)).await;
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    assert!(page
        .set_cookie_line(PRE_SESSION_COOKIE)
        .is_some_and(|l| l.contains("Secure")));
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", "admin@example.org"),
        ("password", PASSWORD),
    ]);
    let answer = send(&f.router, form("/sign-in", Some(&pre), &body)).await;
    assert!(answer
        .set_cookie_line(SESSION_COOKIE)
        .is_some_and(|l| l.contains("Secure")));
}

#[tokio::test]
async fn a_wrong_password_is_refused_on_the_form() {
    let f = fixture().await;
    let page = send(&f.router, get("/sign-in", None)).await;
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", "admin@example.org"),
        ("password", "wrong"),
    ]);
    let answer = send(&f.router, form("/sign-in", Some(&pre), &body)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.body.contains("The email or password is wrong."));
    assert!(answer.body.contains("value=\"admin@example.org\""));
    assert!(answer.cookie(SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let f = fixture().await;
    let page = send(&f.router, get("/sign-in", None)).await;
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", "worker@example.org"),
        ("password", "wrong"),
    ]);
    let mut last = None;
    for _ in 0..6 {
        last = Some(send(&f.router, form("/sign-in", Some(&pre), &body)).await);
    }
    let last = last.expect("answers");
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = last.headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry > 0);
}

#[tokio::test]
async fn sign_in_without_the_csrf_token_is_refused() {
    let f = fixture().await;
    let page = send(&f.router, get("/sign-in", None)).await;
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    // Right cookie, wrong field.
    let body = encode(&[
        ("csrf", "forged-forged-forged-forged"),
        ("email", "admin@example.org"),
        ("password", PASSWORD),
    ]);
    let answer = send(&f.router, form("/sign-in", Some(&pre), &body)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.body.contains("did not come from Casework"));
    assert!(answer.cookie(SESSION_COOKIE).is_none());
    // No cookie at all: a cross-site form post.
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", "admin@example.org"),
        ("password", PASSWORD),
    ]);
    let answer = send(&f.router, form("/sign-in", None, &body)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signed_in_forms_need_the_session_token() {
    let f = fixture().await;
    let admin = sign_in(&f.router, "admin@example.org").await;
    let body = encode(&[
        ("csrf", "not-the-token-not-the-token"),
        ("name", "Outreach"),
    ]);
    let answer = send(&f.router, form("/admin/teams", Some(&admin.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let body = encode(&[("csrf", &admin.csrf), ("name", "Outreach")]);
    let answer = send(&f.router, form("/admin/teams", Some(&admin.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let teams = send(
        &f.router,
        get("/admin/teams?notice=team-created", Some(&admin.cookie)),
    )
    .await;
    assert!(teams.body.contains("Outreach"));
    assert!(teams.body.contains("The team was added."));
}

#[tokio::test]
async fn pages_need_a_session_and_the_right_role() {
    let f = fixture().await;
    let answer = send(&f.router, get("/admin/users", None)).await;
    assert_eq!(
        (answer.status, answer.location()),
        (StatusCode::SEE_OTHER, "/sign-in?next=%2Fadmin%2Fusers")
    );
    let worker = sign_in(&f.router, "worker@example.org").await;
    let answer = send(&f.router, get("/admin/users", Some(&worker.cookie))).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let home = send(&f.router, get("/", Some(&worker.cookie))).await;
    assert_eq!(home.location(), "/caseload");
    let account = send(&f.router, get("/account", Some(&worker.cookie))).await;
    assert!(account.body.contains("href=\"/caseload\""));
    assert!(account.body.contains("href=\"/clients\""));
    assert!(!account.body.contains("href=\"/admin/users\""));
    let auditor = sign_in(&f.router, "auditor@example.org").await;
    let home = send(&f.router, get("/", Some(&auditor.cookie))).await;
    assert_eq!(home.location(), "/audit");
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let f = fixture().await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let body = encode(&[("csrf", &worker.csrf)]);
    let answer = send(&f.router, form("/sign-out", Some(&worker.cookie), &body)).await;
    assert_eq!(
        (answer.status, answer.location()),
        (StatusCode::SEE_OTHER, "/sign-in")
    );
    let after = send(&f.router, get("/account", Some(&worker.cookie))).await;
    assert_eq!(after.location(), "/sign-in?next=%2Faccount");
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let f = fixture().await;
    let laptop = sign_in(&f.router, "worker@example.org").await;
    let phone = sign_in(&f.router, "worker@example.org").await;
    let body = encode(&[("csrf", &laptop.csrf)]);
    let answer = send(
        &f.router,
        form("/sign-out-everywhere", Some(&laptop.cookie), &body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let after = send(&f.router, get("/account", Some(&phone.cookie))).await;
    assert_eq!(after.location(), "/sign-in?next=%2Faccount");
}

#[tokio::test]
async fn language_follows_cookie_header_and_account() {
    let f = fixture().await;
    let req = Request::get("/sign-in")
        .header(header::ACCEPT_LANGUAGE, "es-MX,es;q=0.9,en;q=0.5")
        .body(Body::empty())
        .expect("request");
    let page = send(&f.router, req).await;
    assert!(page.body.contains("<html lang=\"es\">"));
    assert!(page.body.contains("Iniciar sesión"));

    // Someone not signed in picks English over their browser's Spanish.
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("lang", "en"),
        ("back", "/sign-in"),
    ]);
    let answer = send(&f.router, form("/language", Some(&pre), &body)).await;
    assert_eq!(
        (answer.status, answer.location()),
        (StatusCode::SEE_OTHER, "/sign-in")
    );
    let lang = answer.cookie("lang").expect("lang cookie");
    let req = Request::get("/sign-in")
        .header(header::ACCEPT_LANGUAGE, "es")
        .header(header::COOKIE, format!("{pre}; {lang}"))
        .body(Body::empty())
        .expect("request");
    assert!(send(&f.router, req)
        .await
        .body
        .contains("<html lang=\"en\">"));

    // A signed-in user's choice is kept in their account.
    let worker = sign_in(&f.router, "worker@example.org").await;
    let body = encode(&[
        ("csrf", &worker.csrf),
        ("lang", "es"),
        ("back", "//evil.example"),
    ]);
    let answer = send(&f.router, form("/language", Some(&worker.cookie), &body)).await;
    assert_eq!(answer.location(), "/");
    let account = send(&f.router, get("/account", Some(&worker.cookie))).await;
    assert!(account.body.contains("<html lang=\"es\">"));
    assert!(account.body.contains("Tu cuenta"));
    assert!(account.body.contains("Trabajador/a social"));
}

#[tokio::test]
async fn admin_forms_show_problems_next_to_the_field() {
    let f = fixture().await;
    let admin = sign_in(&f.router, "admin@example.org").await;
    let body = encode(&[
        ("csrf", &admin.csrf),
        ("email", "new@example.org"),
        ("display_name", "New Worker"),
        ("role", "caseworker"),
        ("team_id", ""),
        ("locale", "en"),
        ("password", "short"),
    ]);
    let answer = send(&f.router, form("/admin/users", Some(&admin.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("id=\"new-password-problem\""));
    assert!(answer.body.contains("at least 12 characters"));
    assert!(
        answer.body.contains("value=\"new@example.org\""),
        "typing kept"
    );

    let body = encode(&[
        ("csrf", &admin.csrf),
        ("email", "new@example.org"),
        ("display_name", "New Worker"),
        ("role", "caseworker"),
        ("team_id", ""),
        ("locale", "es"),
        ("password", PASSWORD),
    ]);
    let answer = send(&f.router, form("/admin/users", Some(&admin.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let list = send(&f.router, get("/admin/users", Some(&admin.cookie))).await;
    assert!(list.body.contains("New Worker"));
}

#[tokio::test]
async fn a_stale_access_change_is_refused_with_a_message() {
    let f = fixture().await;
    let admin = sign_in(&f.router, "admin@example.org").await;
    let worker = f
        .app
        .user_by_email("worker@example.org")
        .await
        .expect("worker");
    let change = |version: i64| {
        encode(&[
            ("csrf", &admin.csrf),
            ("version", &version.to_string()),
            ("role", "supervisor"),
            ("team_id", ""),
            ("active", "on"),
        ])
    };
    let uri = format!("/admin/users/{}", worker.id);
    let answer = send(
        &f.router,
        form(&uri, Some(&admin.cookie), &change(worker.version)),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let answer = send(
        &f.router,
        form(&uri, Some(&admin.cookie), &change(worker.version)),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PRECONDITION_FAILED);
    assert!(answer.body.contains("Someone changed this record"));
}

#[tokio::test]
async fn tokens_are_shown_once_and_can_be_revoked() {
    let f = fixture().await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let body = encode(&[("csrf", &worker.csrf), ("name", "laptop script")]);
    let answer = send(
        &f.router,
        form("/account/tokens", Some(&worker.cookie), &body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let start = answer.body.find("<code>cw_").expect("token shown") + "<code>".len();
    let token = &answer.body[start..start + answer.body[start..].find('<').expect("end")];
    let again = send(&f.router, get("/account", Some(&worker.cookie))).await;
    assert!(again.body.contains("laptop script"));
    assert!(!again.body.contains(token), "shown only once");

    let tokens = f
        .app
        .tokens(
            &f.app
                .actor_for_email("worker@example.org")
                .await
                .expect("actor"),
            None,
            None,
        )
        .await
        .expect("tokens");
    let uri = format!("/account/tokens/{}/revoke", tokens.items[0].id);
    let answer = send(
        &f.router,
        form(
            &uri,
            Some(&worker.cookie),
            &encode(&[("csrf", &worker.csrf)]),
        ),
    )
    .await;
    assert_eq!(answer.location(), "/account?notice=token-revoked");
    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&f.router, req).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_pages_get_a_page_in_the_visitors_language() {
    let f = fixture().await;
    let req = Request::get("/nowhere")
        .header(header::ACCEPT_LANGUAGE, "es")
        .body(Body::empty())
        .expect("request");
    let answer = send(&f.router, req).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.body.contains("No hemos encontrado"));
    let css = send(&f.router, get("/assets/casework.css", None)).await;
    assert!(css.body.contains("@media print"));
}

/// The create form sits below the list of users: a refused user is said at the top of the page
/// too, in words that name what is duplicated, linking down to the form.
#[tokio::test]
async fn a_duplicate_user_is_named_at_the_top_of_the_users_page() {
    let f = fixture().await;
    let admin = sign_in(&f.router, "admin@example.org").await;
    let body = encode(&[
        ("csrf", &admin.csrf),
        ("email", "admin@example.org"),
        ("display_name", "Another Admin"),
        ("role", "caseworker"),
        ("team_id", ""),
        ("password", "a long and unusual passphrase 2026"),
    ]);
    let answer = send(&f.router, form("/admin/users", Some(&admin.cookie), &body)).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    let message = "A user with this email address already exists.";
    let top = answer
        .body
        .find(&format!(
            "A form below was not saved: <a href=\"#new-user-heading\">{message}</a>"
        ))
        .expect("a summary at the top");
    let form_at = answer.body.find("id=\"new-user-heading\"").expect("form");
    assert!(top < form_at);
    assert!(answer.body[form_at..].contains(message), "and at the field");
}

/// Someone whose session ended, following a link or a bookmark, signs in and lands on the page
/// they asked for, not on their home page; a `next` that leaves the site is ignored.
#[tokio::test]
async fn signing_in_returns_to_the_page_that_asked_for_it() {
    let f = fixture().await;
    let asked = send(&f.router, get("/account?tab=sessions", None)).await;
    assert!(asked.status.is_redirection(), "{}", asked.status);
    assert_eq!(
        asked.location(),
        "/sign-in?next=%2Faccount%3Ftab%3Dsessions"
    );
    let page = send(&f.router, get(asked.location(), None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("action=\"/sign-in?next=%2Faccount%3Ftab%3Dsessions\""),
        "{}",
        page.body
    );
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", "admin@example.org"),
        ("password", PASSWORD),
    ]);
    let done = send(&f.router, form(asked.location(), Some(&pre), &body)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/account?tab=sessions");

    // Elsewhere is not a page of ours: the person lands on their home page.
    let page = send(&f.router, get("/sign-in", None)).await;
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", "admin@example.org"),
        ("password", PASSWORD),
    ]);
    for next in ["//evil.example/x", "https://evil.example/", "/sign-in"] {
        let uri = format!("/sign-in?{}", encode(&[("next", next)]));
        let done = send(&f.router, form(&uri, Some(&pre), &body)).await;
        assert_eq!(done.location(), "/admin/users", "{next}");
    }
}

/// The language picker comes back to the page as it was asked for, search or filter included.
#[tokio::test]
async fn changing_language_keeps_the_search() {
    let f = fixture().await;
    let admin = sign_in(&f.router, "admin@example.org").await;
    let page = send(
        &f.router,
        get("/admin/users?notice=created", Some(&admin.cookie)),
    )
    .await;
    assert!(
        page.body.contains(
            "<input type=\"hidden\" name=\"back\" value=\"/admin/users?notice=created\">"
        ),
        "{}",
        page.body
    );
}
