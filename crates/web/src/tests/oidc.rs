//! Sign-in through an OpenID Connect provider, through the real router, against the in-test
//! provider (a real HTTP server on 127.0.0.1 signing real RS256 tokens).

use super::*;
use crate::pages::oidc::STATE_COOKIE;
use casework_service::oidc_testing::{TestProvider, CLIENT_ID, CLIENT_SECRET};

/// The fixture's clock (see `fixture_on`): the provider issues its tokens at the same time.
const NOW: i64 = 1_790_000_000_000;

/// The admin sets the provider up through the admin page.
async fn set_up(f: &Fixture) -> (TestProvider, i64) {
    let idp = TestProvider::start(NOW).await;
    idp.set(|b| b.email = Some("worker@example.org".into()));
    let admin = sign_in(&f.router, "admin@example.org").await;
    let body = encode(&[
        ("csrf", &admin.csrf),
        ("version", "0"),
        ("display_name", "Riverside login"),
        ("issuer", &idp.issuer),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("user_claim", ""),
        ("enabled", "on"),
    ]);
    let saved = send(
        &f.router,
        form("/admin/identity-provider", Some(&admin.cookie), &body),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = send(
        &f.router,
        get("/admin/identity-provider?notice=saved", Some(&admin.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Identity provider saved."));
    assert!(page.body.contains(&idp.issuer));
    assert!(
        !page.body.contains(CLIENT_SECRET) && !page.body.contains("s3cret"),
        "the secret is never shown back"
    );
    let agency = f
        .app
        .actor_for_email("admin@example.org")
        .await
        .expect("admin")
        .agency_id;
    (idp, agency)
}

/// Click the provider's button, sign in there, come back: the callback's answer.
async fn through_provider(f: &Fixture, agency: i64, lang: Option<&str>) -> Answer {
    let started = send(&f.router, get(&format!("/sign-in/oidc/{agency}"), None)).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let kept = started.cookie(STATE_COOKIE).expect("state cookie");
    let back = TestProvider::authorize(started.location()).await;
    let at = back.find("/sign-in/oidc/callback").expect("our callback");
    let mut req = Request::get(&back[at..]).header(header::COOKIE, kept);
    if let Some(lang) = lang {
        req = req.header(header::ACCEPT_LANGUAGE, lang);
    }
    send(&f.router, req.body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn the_sign_in_page_offers_the_provider_and_a_linked_user_gets_a_session() {
    each_backend(|f| async move {
        let (idp, agency) = set_up(&f).await;
        let page = send(&f.router, get("/sign-in", None)).await;
        assert!(
            page.body
                .contains(&format!("href=\"/sign-in/oidc/{agency}\"")),
            "{}",
            page.body
        );
        assert!(page.body.contains("Sign in with Riverside login"));

        let started = send(&f.router, get(&format!("/sign-in/oidc/{agency}"), None)).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER);
        assert!(started
            .location()
            .starts_with(&format!("{}/authorize?", idp.issuer)));
        for part in [
            "code_challenge=",
            "code_challenge_method=S256",
            "nonce=",
            "state=",
        ] {
            assert!(started.location().contains(part), "{part}");
        }
        let line = started.set_cookie_line(STATE_COOKIE).expect("state cookie");
        for attribute in ["HttpOnly", "SameSite=Lax", "Max-Age=600"] {
            assert!(line.contains(attribute), "{line}");
        }

        let answer = through_provider(&f, agency, None).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(answer.location(), "/caseload");
        let session = answer
            .cookie(crate::session::SESSION_COOKIE)
            .expect("session cookie");
        assert!(answer
            .set_cookie_line(STATE_COOKIE)
            .is_some_and(|l| l.contains("Max-Age=0")));
        let caseload = send(&f.router, get("/caseload", Some(&session))).await;
        assert_eq!(caseload.status, StatusCode::OK);
        assert!(caseload.body.contains("Test caseworker"));
    })
    .await;
}

#[tokio::test]
async fn every_refusal_has_its_own_translated_page() {
    each_backend(|f| async move {
        let (idp, agency) = set_up(&f).await;

        idp.set(|b| b.audience = Some("another-client".into()));
        let a = through_provider(&f, agency, None).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert!(
            a.body.contains("The sign-in could not be verified"),
            "{}",
            a.body
        );
        assert!(a.cookie(crate::session::SESSION_COOKIE).is_none());
        let a = through_provider(&f, agency, Some("es")).await;
        assert!(a.body.contains("No se pudo verificar el inicio de sesión"));
        idp.set(|b| b.audience = None);

        // A callback this browser did not start (no state cookie): refused, nothing spent.
        let started = send(&f.router, get(&format!("/sign-in/oidc/{agency}"), None)).await;
        let back = TestProvider::authorize(started.location()).await;
        let at = back.find("/sign-in/oidc/callback").expect("our callback");
        let forged = send(&f.router, get(&back[at..], None)).await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
        assert!(forged.body.contains("This sign-in has expired"));

        idp.set(|b| b.email = Some("stranger@example.org".into()));
        let a = through_provider(&f, agency, None).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert!(a.body.contains("No Casework account matches"));

        let admin = f
            .app
            .actor_for_email("admin@example.org")
            .await
            .expect("admin");
        let worker = f
            .app
            .actor_for_email("worker@example.org")
            .await
            .expect("worker");
        let w = f.app.user(&admin, worker.user_id).await.expect("worker");
        f.app
            .update_user(&admin, w.id, w.version, "caseworker", None, false)
            .await
            .expect("deactivate");
        idp.set(|b| b.email = Some("worker@example.org".into()));
        let a = through_provider(&f, agency, Some("es")).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert!(
            a.body.contains("Esta cuenta está desactivada"),
            "{}",
            a.body
        );

        idp.set(|b| b.down = true);
        // Discovery is cached from the earlier sign-ins; a provider that is down fails the
        // code exchange.
        let started = send(&f.router, get(&format!("/sign-in/oidc/{agency}"), None)).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER);
        let kept = started.cookie(STATE_COOKIE).expect("state cookie");
        idp.set(|b| b.down = false);
        let back = TestProvider::authorize(started.location()).await;
        idp.set(|b| b.down = true);
        let at = back.find("/sign-in/oidc/callback").expect("our callback");
        let a = send(&f.router, get(&back[at..], Some(&kept))).await;
        assert_eq!(a.status, StatusCode::BAD_GATEWAY);
        assert!(a.body.contains("The sign-in service cannot be reached"));
        assert!(a.body.contains("href=\"/sign-in\""));
    })
    .await;
}

#[tokio::test]
async fn only_admins_see_the_provider_page_and_bad_input_names_its_field() {
    let f = fixture().await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let page = send(
        &f.router,
        get("/admin/identity-provider", Some(&worker.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let admin = sign_in(&f.router, "admin@example.org").await;
    let page = send(
        &f.router,
        get("/admin/identity-provider", Some(&admin.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<label for=\"idp-client-secret\">"));
    assert!(page.body.contains("/sign-in/oidc/callback"));
    // Without a configured public URL, the address to register is the one the admin reached
    // this page on, never a placeholder to fill in.
    let mut asked = get("/admin/identity-provider", Some(&admin.cookie));
    asked.headers_mut().insert(
        axum::http::header::HOST,
        axum::http::HeaderValue::from_static("casework.riverside.example"),
    );
    let page = send(&f.router, asked).await;
    assert!(
        page.body
            .contains("<code>http://casework.riverside.example/sign-in/oidc/callback</code>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("&lt;host&gt;") && !page.body.contains("&#60;host&#62;"));
    let body = encode(&[
        ("csrf", &admin.csrf),
        ("version", "0"),
        ("display_name", "Riverside login"),
        ("issuer", "http://login.example.org"),
        ("client_id", CLIENT_ID),
        ("client_secret", "typed secret"),
        ("user_claim", "email"),
    ]);
    let refused = send(
        &f.router,
        form("/admin/identity-provider", Some(&admin.cookie), &body),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("idp-issuer-problem"));
    assert!(refused.body.contains("starting with https://"));
    assert!(
        !refused.body.contains("typed secret"),
        "a refused form does not echo the secret"
    );
    // Without a provider the sign-in page offers none.
    let sign_in_page = send(&f.router, get("/sign-in", None)).await;
    assert!(!sign_in_page.body.contains("/sign-in/oidc/"));
}

#[tokio::test]
async fn too_many_sign_ins_started_from_one_address_get_a_translated_429_page() {
    each_backend(|f| async move {
        let (_idp, agency) = set_up(&f).await;
        let uri = format!("/sign-in/oidc/{agency}");
        // The default address failure limit: 50 sign-ins may wait for the provider at once.
        for _ in 0..50 {
            let started = send(&f.router, get(&uri, None)).await;
            assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
        }
        let refused = send(&f.router, get(&uri, None)).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.body.contains("Too many sign-ins started"));
        assert!(refused
            .cookie(STATE_COOKIE)
            .is_none_or(|c| c.ends_with('=')));
        let req = Request::get(&uri)
            .header(header::ACCEPT_LANGUAGE, "es")
            .body(Body::empty())
            .expect("request");
        let refused = send(&f.router, req).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            refused.body.contains("Demasiados inicios de sesión"),
            "{}",
            refused.body
        );
    })
    .await;
}

#[tokio::test]
async fn with_more_than_one_agency_only_the_agencys_own_sign_in_address_offers_its_provider() {
    each_backend(|f| async move {
        let (_idp, agency) = set_up(&f).await;
        let link = format!("href=\"/sign-in/oidc/{agency}\"");
        let admin = sign_in(&f.router, "admin@example.org").await;
        let settings = send(
            &f.router,
            get("/admin/identity-provider", Some(&admin.cookie)),
        )
        .await;
        assert!(
            settings
                .body
                .contains("/sign-in?agency=riverside-family-services</code>"),
            "{}",
            settings.body
        );

        f.app
            .ensure_agency("Elsewhere Shelter")
            .await
            .expect("agency");
        let general = send(&f.router, get("/sign-in", None)).await;
        assert_eq!(general.status, StatusCode::OK);
        assert!(
            !general.body.contains(&link) && !general.body.contains("Riverside login"),
            "a server of two agencies names neither on its general sign-in page"
        );
        let own = send(
            &f.router,
            get("/sign-in?agency=riverside-family-services", None),
        )
        .await;
        assert!(own.body.contains(&link), "{}", own.body);
        assert!(own.body.contains("Sign in with Riverside login"));
        // A failed password sign-in from that address shows the provider again.
        assert!(own
            .body
            .contains("action=\"/sign-in?agency=riverside-family-services\""));
        let pre = own
            .cookie(crate::session::PRE_SESSION_COOKIE)
            .expect("pre-session cookie");
        let body = encode(&[
            ("csrf", &own.form_csrf()),
            ("email", "worker@example.org"),
            ("password", "not the password"),
        ]);
        let failed = send(
            &f.router,
            form(
                "/sign-in?agency=riverside-family-services",
                Some(&pre),
                &body,
            ),
        )
        .await;
        assert_eq!(failed.status, StatusCode::UNAUTHORIZED, "{}", failed.body);
        assert!(failed.body.contains(&link), "{}", failed.body);
        for other in ["elsewhere-shelter", "no-such-agency", ""] {
            let page = send(&f.router, get(&format!("/sign-in?agency={other}"), None)).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(!page.body.contains(&link), "{other}");
        }
    })
    .await;
}
