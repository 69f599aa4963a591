//! Tests against the whole router, on a fresh database each: `fixture()` is SQLite;
//! `each_backend` runs a test body on SQLite and, when CASEWORK_TEST_DATABASE_URL is set, on
//! PostgreSQL too (use it for API tests of new endpoints).

mod api;
mod assessments;
mod audit;
mod cases;
mod catalogue;
mod clients;
mod consents;
mod encryption;
mod evaluations;
mod forms;
mod goals;
mod list_pages;
mod matrix;
mod monitoring;
mod notes;
mod oidc;
mod operations;
mod pages;
mod plans;
mod proxies;
mod security;
mod sharing;
mod subject_rights;
mod tasks;
mod termination;

use crate::{router, WebConfig};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use casework_service::admin::UserForm;
use casework_service::auth::Secret;
use casework_service::{Backend, Casework, FixedClock, Settings};
use casework_store::testing::{backends, TestDb};
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct Fixture {
    pub app: Casework,
    pub router: Router,
    // Held so the database outlives the test. `each_backend` holds it itself: a test body's
    // future captures only the fields it uses and would drop an unused guard early.
    _db: Option<TestDb>,
}

pub async fn fixture() -> Fixture {
    fixture_with(WebConfig::default()).await
}

pub async fn fixture_with(config: WebConfig) -> Fixture {
    let db = TestDb::fresh(Backend::Sqlite).await;
    let mut f = fixture_on(&db.url, config).await;
    f._db = Some(db);
    f
}

/// Run `body` on a fresh fixture for every backend under test.
pub async fn each_backend<F, Fut>(body: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        eprintln!("-- on {backend:?}");
        let db = TestDb::fresh(backend).await;
        body(fixture_on(&db.url, WebConfig::default()).await).await;
        drop(db);
    }
}

async fn fixture_on(url: &str, config: WebConfig) -> Fixture {
    let app = Casework::open(
        url,
        Arc::new(FixedClock::new(1_790_000_000_000)),
        Settings::default(),
    )
    .await
    .expect("open");
    let agency = app
        .ensure_agency("Riverside Family Services")
        .await
        .expect("agency");
    for (email, role) in [
        ("admin@example.org", "admin"),
        ("worker@example.org", "caseworker"),
        ("auditor@example.org", "auditor"),
    ] {
        app.create_user(
            None,
            agency.id,
            &UserForm {
                email: email.into(),
                display_name: format!("Test {role}"),
                role: role.into(),
                team_id: None,
                password: Secret::new(PASSWORD),
                locale: "en".into(),
            },
        )
        .await
        .expect("user");
    }
    let router = router(app.clone(), config);
    Fixture {
        app,
        router,
        _db: None,
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The value of a `Set-Cookie` for `name`, as `name=value`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
    }

    pub fn set_cookie_line(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// The value of the hidden `csrf` field of the first form on the page.
    pub fn form_csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a csrf field") + marker.len();
        let len = self.body[start..].find('"').expect("end of value");
        self.body[start..start + len].to_string()
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Answer {
    let res = router.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::get(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::empty()).expect("request")
}

pub fn form(uri: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut req =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::from(body.to_string())).expect("request")
}

pub fn encode(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("encodable")
}

/// A browser session: the cookie header to send and the CSRF token of its forms.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

/// Sign in through the form, as a browser would.
pub async fn sign_in(router: &Router, email: &str) -> Browser {
    let page = send(router, get("/sign-in", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    let pre = page
        .cookie(crate::session::PRE_SESSION_COOKIE)
        .expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", email),
        ("password", PASSWORD),
    ]);
    let answer = send(router, form("/sign-in", Some(&pre), &body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let session = answer
        .cookie(crate::session::SESSION_COOKIE)
        .expect("session cookie");
    let account = send(router, get("/account", Some(&session))).await;
    assert_eq!(account.status, StatusCode::OK);
    Browser {
        csrf: account.form_csrf(),
        cookie: session,
    }
}

/// A bearer token for `email`, made through the service as the CLI would.
pub async fn bearer(app: &Casework, email: &str) -> String {
    let actor = app.actor_for_email(email).await.expect("actor");
    let (_, secret) = app.create_token(&actor, "tests").await.expect("token");
    format!("Bearer {}", secret.expose())
}

/// A client registered by the user `email`, with a case that user opened (with no worker named,
/// a caseworker's case is their own): (client id, case id).
pub async fn client_with_case(app: &Casework, email: &str, name: &str) -> (i64, i64) {
    let actor = app.actor_for_email(email).await.expect("actor");
    let client = app
        .register_client(
            &actor,
            &casework_domain::client::ClientForm {
                legal_name: name.into(),
                ..Default::default()
            },
            &casework_service::client::DuplicateDecision::default(),
        )
        .await
        .expect("client");
    let case = app
        .open_case(
            &actor,
            &casework_domain::case::CaseForm {
                client_id: client.id,
                presenting_problem: "Facing eviction".into(),
                ..Default::default()
            },
        )
        .await
        .expect("case");
    (client.id, case.id)
}
