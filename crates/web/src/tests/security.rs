//! Sign-in security through the router: the second step and forced enrolment as a browser
//! goes through them, the account and admin pages, and the API.

use super::*;
use casework_service::domain::totp::TotpSecret;

fn json_request(method: &str, uri: &str, auth: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn authed(method: &str, uri: &str, auth: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth)
        .body(Body::empty())
        .expect("request")
}

/// The code `steps` time steps from now (the test clock stands still, so a later step is how a
/// second code within the accepted window is had).
fn code(f: &Fixture, secret: &TotpSecret, steps: i64) -> String {
    secret.code_at(f.app.now_ms() / 1000 + 30 * steps)
}

/// Enrol through the API; returns the secret and the recovery codes.
async fn enrol_by_api(f: &Fixture, auth: &str) -> (TotpSecret, Vec<String>) {
    let started = send(&f.router, authed("POST", "/api/v1/me/totp", auth)).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let body = started.json();
    let secret = TotpSecret::from_base32(body["secret"].as_str().expect("secret")).expect("b32");
    assert!(body["otpauth_uri"]
        .as_str()
        .is_some_and(|u| u.starts_with("otpauth://totp/")));
    let confirmed = send(
        &f.router,
        json_request(
            "POST",
            "/api/v1/me/totp/confirm",
            auth,
            &format!(r#"{{"code": "{}"}}"#, code(f, &secret, 0)),
        ),
    )
    .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let codes: Vec<String> = confirmed.json()["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Post the password form; the answer (a redirect) and the pre-session cookie used.
async fn password_form(router: &Router, email: &str) -> (Answer, String) {
    let page = send(router, get("/sign-in", None)).await;
    let pre = page
        .cookie(crate::session::PRE_SESSION_COOKIE)
        .expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", email),
        ("password", PASSWORD),
    ]);
    (send(router, form("/sign-in", Some(&pre), &body)).await, pre)
}

#[tokio::test]
async fn an_enrolled_caseworker_signs_in_with_a_code() {
    each_backend(|f| async move {
        let auth = bearer(&f.app, "worker@example.org").await;
        let (secret, recovery) = enrol_by_api(&f, &auth).await;
        let status = send(&f.router, authed("GET", "/api/v1/me/totp", &auth)).await;
        assert_eq!(status.json()["enabled"], true, "{}", status.body);
        assert_eq!(status.json()["recovery_codes_left"], 10);

        let (answer, pre) = password_form(&f.router, "worker@example.org").await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(answer.location(), "/sign-in/code");
        assert!(answer.cookie(crate::session::SESSION_COOKIE).is_none());
        let pending = answer
            .cookie(crate::pages::PENDING_COOKIE)
            .expect("pending cookie");
        let pending_line = answer
            .set_cookie_line(crate::pages::PENDING_COOKIE)
            .expect("line");
        assert!(pending_line.contains("HttpOnly"), "{pending_line}");
        let cookies = format!("{pre}; {pending}");
        // The pending state opens nothing else.
        let elsewhere = send(&f.router, get("/caseload", Some(&cookies))).await;
        assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
        assert!(elsewhere.location().starts_with("/sign-in"));

        let page = send(&f.router, get("/sign-in/code", Some(&cookies))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(r#"<label for="code">Code</label>"#),
            "{}",
            page.body
        );
        assert!(page.body.contains(r#"autocomplete="one-time-code""#));
        assert!(page.body.contains(r#"inputmode="numeric""#));
        assert!(page.body.contains(r#"<label for="recovery-code">"#));
        let csrf = page.form_csrf();

        let wrong = send(
            &f.router,
            form(
                "/sign-in/code",
                Some(&cookies),
                &encode(&[("csrf", &csrf), ("code", "12345")]),
            ),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            wrong.body.contains("That code is not right"),
            "{}",
            wrong.body
        );

        let right = code(&f, &secret, 1);
        let done = send(
            &f.router,
            form(
                "/sign-in/code",
                Some(&cookies),
                &encode(&[("csrf", &csrf), ("code", &right)]),
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location(), "/caseload");
        let session = done
            .cookie(crate::session::SESSION_COOKIE)
            .expect("session cookie");
        assert!(done
            .set_cookie_line(crate::pages::PENDING_COOKIE)
            .is_some_and(|l| l.contains("Max-Age=0")));
        let caseload = send(&f.router, get("/caseload", Some(&session))).await;
        assert_eq!(caseload.status, StatusCode::OK);

        // A recovery code signs in once.
        let (answer, pre) = password_form(&f.router, "worker@example.org").await;
        let cookies = format!(
            "{pre}; {}",
            answer
                .cookie(crate::pages::PENDING_COOKIE)
                .expect("pending")
        );
        let csrf = send(&f.router, get("/sign-in/code", Some(&cookies)))
            .await
            .form_csrf();
        let done = send(
            &f.router,
            form(
                "/sign-in/code",
                Some(&cookies),
                &encode(&[("csrf", &csrf), ("code", &recovery[0])]),
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(done.cookie(crate::session::SESSION_COOKIE).is_some());
    })
    .await;
}

#[tokio::test]
async fn a_required_role_is_sent_to_enrolment_and_signed_in_after_it() {
    each_backend(|f| async move {
        let admin = bearer(&f.app, "admin@example.org").await;
        let worker = bearer(&f.app, "worker@example.org").await;
        let body = r#"{"mfa_roles": ["caseworker"]}"#;
        let missing = send(
            &f.router,
            json_request("PUT", "/api/v1/agency/security", &admin, body),
        )
        .await;
        assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
        let read = send(&f.router, authed("GET", "/api/v1/agency/security", &admin)).await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.headers[header::ETAG], "\"0\"");
        assert_eq!(read.json()["mfa_roles"], serde_json::json!([]));
        let mut req = json_request("PUT", "/api/v1/agency/security", &worker, body);
        req.headers_mut()
            .insert(header::IF_MATCH, "\"0\"".parse().expect("header"));
        assert_eq!(send(&f.router, req).await.status, StatusCode::FORBIDDEN);
        let mut req = json_request(
            "PUT",
            "/api/v1/agency/security",
            &admin,
            r#"{"mfa_roles": ["wizard"]}"#,
        );
        req.headers_mut()
            .insert(header::IF_MATCH, "\"0\"".parse().expect("header"));
        let bad = send(&f.router, req).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["error"]["field"], "mfa_roles");
        let mut req = json_request("PUT", "/api/v1/agency/security", &admin, body);
        req.headers_mut()
            .insert(header::IF_MATCH, "\"0\"".parse().expect("header"));
        let saved = send(&f.router, req).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!(saved.headers[header::ETAG], "\"1\"");
        let mut req = json_request("PUT", "/api/v1/agency/security", &admin, body);
        req.headers_mut()
            .insert(header::IF_MATCH, "\"0\"".parse().expect("header"));
        assert_eq!(
            send(&f.router, req).await.status,
            StatusCode::PRECONDITION_FAILED
        );

        let (answer, pre) = password_form(&f.router, "worker@example.org").await;
        assert_eq!(answer.location(), "/sign-in/enrol", "{}", answer.body);
        let cookies = format!(
            "{pre}; {}",
            answer
                .cookie(crate::pages::PENDING_COOKIE)
                .expect("pending")
        );
        let code_page = send(&f.router, get("/sign-in/code", Some(&cookies))).await;
        assert_eq!(
            code_page.location(),
            "/sign-in",
            "no code step while enrolling"
        );
        let page = send(&f.router, get("/sign-in/enrol", Some(&cookies))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<svg"), "QR code drawn on the server");
        assert!(!page.body.contains("<script"));
        assert!(page.body.contains(r#"autocomplete="one-time-code""#));
        assert!(page.body.contains(r#"inputmode="numeric""#));
        let marker = r#"<code id="totp-secret">"#;
        let start = page.body.find(marker).expect("secret as text") + marker.len();
        let end = page.body[start..].find('<').expect("end");
        let secret = TotpSecret::from_base32(&page.body[start..start + end]).expect("base32");
        let csrf = page.form_csrf();
        let done = send(
            &f.router,
            form(
                "/sign-in/enrol",
                Some(&cookies),
                &encode(&[("csrf", &csrf), ("code", &code(&f, &secret, 0))]),
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(
            done.body.matches("<li><code>").count(),
            10,
            "recovery codes shown"
        );
        let session = done
            .cookie(crate::session::SESSION_COOKIE)
            .expect("session");
        let caseload = send(&f.router, get("/caseload", Some(&session))).await;
        assert_eq!(caseload.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn password_changes_explain_refusals_and_end_other_sessions() {
    each_backend(|f| async move {
        let auth = bearer(&f.app, "worker@example.org").await;
        let other = sign_in(&f.router, "worker@example.org").await;
        let change = |current: &str, new: &str| {
            json_request(
                "POST",
                "/api/v1/me/password",
                &auth,
                &serde_json::json!({"current_password": current, "new_password": new}).to_string(),
            )
        };
        let wrong = send(
            &f.router,
            change("not it at all", "quiet harbour lantern ninety"),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(wrong.json()["error"]["field"], "current_password");
        let common = send(&f.router, change(PASSWORD, "password1234")).await;
        assert_eq!(common.json()["error"]["code"], "password_common");
        let weak = send(&f.router, change(PASSWORD, "aaaaaaaaaaaaaaaa")).await;
        let body = weak.json();
        assert_eq!(body["error"]["code"], "password_too_weak", "{body}");
        assert_eq!(body["error"]["field"], "password");
        let hints = body["error"]["hints"].as_array().expect("hints");
        assert!(hints.iter().any(|h| h["code"] == "repeats"), "{body}");
        assert!(hints
            .iter()
            .all(|h| h["message"].as_str().is_some_and(|m| !m.is_empty())));
        let ok = send(&f.router, change(PASSWORD, "quiet harbour lantern ninety")).await;
        assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
        let ended = send(&f.router, get("/account", Some(&other.cookie))).await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER, "other sessions end");
    })
    .await;
}

#[tokio::test]
async fn the_account_page_changes_the_password_and_lists_sessions() {
    let f = fixture().await;
    let here = sign_in(&f.router, "worker@example.org").await;
    let there = sign_in(&f.router, "worker@example.org").await;
    let page = send(&f.router, get("/account", Some(&here.cookie))).await;
    assert!(page
        .body
        .contains(r#"<label for="current-password">Current password</label>"#));
    assert!(page
        .body
        .contains(r#"<label for="new-password">New password</label>"#));
    assert!(page.body.contains("This session"));
    assert_eq!(
        page.body.matches("Sign out this session</button>").count(),
        1
    );
    // Revoke the other session by its public id, never its token.
    let marker = r#"action="/account/sessions/"#;
    let start = page.body.find(marker).expect("revoke form") + marker.len();
    let id = &page.body[start..start + page.body[start..].find('/').expect("id end")];
    assert!(!there.cookie.contains(id));
    let revoked = send(
        &f.router,
        form(
            &format!("/account/sessions/{id}/revoke"),
            Some(&here.cookie),
            &encode(&[("csrf", &here.csrf)]),
        ),
    )
    .await;
    assert_eq!(revoked.location(), "/account?notice=session-revoked");
    assert_eq!(
        send(&f.router, get("/account", Some(&there.cookie)))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A weak password is refused on its page with our hints.
    let weak = send(
        &f.router,
        form(
            "/account/password",
            Some(&here.cookie),
            &encode(&[
                ("csrf", &here.csrf),
                ("current_password", PASSWORD),
                ("password", "aaaaaaaaaaaaaaaa"),
            ]),
        ),
    )
    .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.body.contains("This password is too easy to guess."),
        "{}",
        weak.body
    );
    assert!(weak.body.contains("Avoid repeated characters and words."));
    assert!(weak.body.contains(r#"id="new-password" name="password""#));
    let ok = send(
        &f.router,
        form(
            "/account/password",
            Some(&here.cookie),
            &encode(&[
                ("csrf", &here.csrf),
                ("current_password", PASSWORD),
                ("password", "quiet harbour lantern ninety"),
            ]),
        ),
    )
    .await;
    assert_eq!(ok.location(), "/account?notice=password-changed");
    let still = send(
        &f.router,
        get("/account?notice=password-changed", Some(&here.cookie)),
    )
    .await;
    assert!(still.body.contains("Your password is changed."));
}

#[tokio::test]
async fn sessions_api_lists_and_revokes_by_public_id() {
    each_backend(|f| async move {
        let one = sign_in(&f.router, "worker@example.org").await;
        let two = sign_in(&f.router, "worker@example.org").await;
        let list = send(&f.router, get("/api/v1/me/sessions", Some(&one.cookie))).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let items = list.json()["items"].as_array().cloned().expect("items");
        assert_eq!(items.len(), 2);
        let other = items
            .iter()
            .find(|s| s["current"] == false)
            .and_then(|s| s["id"].as_str())
            .expect("the other session")
            .to_string();
        assert!(!two.cookie.contains(&other));
        let auth = bearer(&f.app, "worker@example.org").await;
        let admin = bearer(&f.app, "admin@example.org").await;
        let theirs = send(
            &f.router,
            authed("DELETE", &format!("/api/v1/me/sessions/{other}"), &admin),
        )
        .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        let gone = send(
            &f.router,
            authed("DELETE", &format!("/api/v1/me/sessions/{other}"), &auth),
        )
        .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        assert_eq!(
            send(&f.router, get("/account", Some(&two.cookie)))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    })
    .await;
}

#[tokio::test]
async fn admins_see_locked_accounts_and_unlock_them() {
    each_backend(|f| async move {
        for _ in 0..5 {
            let page = send(&f.router, get("/sign-in", None)).await;
            let pre = page
                .cookie(crate::session::PRE_SESSION_COOKIE)
                .expect("pre");
            let body = encode(&[
                ("csrf", &page.form_csrf()),
                ("email", "worker@example.org"),
                ("password", "not the password"),
            ]);
            send(&f.router, form("/sign-in", Some(&pre), &body)).await;
        }
        let admin = sign_in(&f.router, "admin@example.org").await;
        let users = send(&f.router, get("/admin/users", Some(&admin.cookie))).await;
        assert!(users.body.contains("Locked"), "{}", users.body);
        assert!(users.body.contains(">Unlock</button>"));
        let worker_id = f
            .app
            .user_by_email("worker@example.org")
            .await
            .expect("worker")
            .id;
        let auth = bearer(&f.app, "admin@example.org").await;
        let worker_auth = bearer(&f.app, "worker@example.org").await;
        let refused = send(
            &f.router,
            authed(
                "POST",
                &format!("/api/v1/users/{worker_id}/unlock"),
                &worker_auth,
            ),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let done = send(
            &f.router,
            authed("POST", &format!("/api/v1/users/{worker_id}/unlock"), &auth),
        )
        .await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
        let users = send(&f.router, get("/admin/users", Some(&admin.cookie))).await;
        assert!(!users.body.contains(">Unlock</button>"));
        sign_in(&f.router, "worker@example.org").await;
        let auditor = bearer(&f.app, "auditor@example.org").await;
        let log = send(
            &f.router,
            authed("GET", "/api/v1/audit?limit=200", &auditor),
        )
        .await;
        assert!(log.body.contains("user.unlock"), "{}", log.body);
    })
    .await;
}

#[tokio::test]
async fn the_security_pages_speak_spanish() {
    let f = fixture().await;
    let admin = sign_in(&f.router, "admin@example.org").await;
    send(
        &f.router,
        form(
            "/language",
            Some(&admin.cookie),
            &encode(&[("csrf", &admin.csrf), ("lang", "es"), ("back", "/account")]),
        ),
    )
    .await;
    let page = send(&f.router, get("/admin/security", Some(&admin.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains("<legend>Roles que deben usar el inicio de sesión en dos pasos</legend>"));
    assert!(page.body.contains(r#"<label for="mfa-caseworker">"#));
    let saved = send(
        &f.router,
        form(
            "/admin/security",
            Some(&admin.cookie),
            &encode(&[("csrf", &admin.csrf), ("version", "0"), ("mfa_admin", "on")]),
        ),
    )
    .await;
    assert_eq!(saved.location(), "/admin/security?notice=saved");
    let page = send(
        &f.router,
        get("/admin/security?notice=saved", Some(&admin.cookie)),
    )
    .await;
    assert!(page
        .body
        .contains(r#"id="mfa-admin" name="mfa_admin" value="on" checked"#));
    let account = send(&f.router, get("/account", Some(&admin.cookie))).await;
    assert!(account.body.contains("Inicio de sesión en dos pasos"));
    assert!(account.body.contains("Tu agencia lo exige para tu rol."));
    assert!(account.body.contains("Esta sesión"));
    let code = send(
        &f.router,
        Request::get("/sign-in/code")
            .header(header::ACCEPT_LANGUAGE, "es")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(
        code.location(),
        "/sign-in",
        "no pending sign-in: back to the start"
    );
}

#[test]
fn every_password_hint_has_a_message_in_every_language() {
    for locale in crate::i18n::Locale::ALL {
        for hint in casework_service::domain::password::PasswordHint::ALL {
            let id = format!("password-hint-{}", hint.code());
            assert!(crate::i18n::has_message(locale, &id), "{locale:?}: {id}");
        }
    }
}
