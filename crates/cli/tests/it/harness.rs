//! The test harness: a real Casework server on a fresh database, in-process, per test.
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
//! async fn caseworker_sees_their_name() {
//!     on_each_backend(async |server: &TestServer| {
//!         let agency = server.agency("Test Agency").await;
//!         let maya = server.user(agency, Role::Caseworker).await;
//!         let client = server.sign_in(&maya).await;
//!         let me = client.get(server.url("/api/v1/me")).send().await.unwrap();
//!         assert_eq!(me.status(), 200, "{}", server.name());
//!     })
//!     .await;
//! }
//! ```
//!
//! `on_each_backend` runs the body once on SQLite and once on PostgreSQL (when
//! `CASEWORK_TEST_DATABASE_URL` is set; under `CI=true` it must be, or the test fails), each time
//! on a database nobody else uses, dropped afterwards. The clock is a `FixedClock` the test moves.

#![allow(dead_code)] // Helpers are shared by test modules that each use a part of them.

use casework_service::admin::UserForm;
use casework_service::auth::Secret;
use casework_service::domain::Role;
use casework_service::{Casework, FixedClock, Settings};
pub use casework_store::testing::{backends, TestDb};
pub use casework_store::Backend;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Monday 3 March 2025, 09:00 UTC: where every test's clock starts.
pub const START_MS: i64 = 1_740_992_400_000;

/// The password of every user the harness creates (long enough for the strength rule).
pub const PASSWORD: &str = "correct horse battery staple";

pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Run `test` once per available backend, each on a fresh server and database.
pub async fn on_each_backend(test: impl AsyncFn(&TestServer)) {
    for backend in backends() {
        let server = TestServer::start(backend).await;
        test(&server).await;
        server.stop().await;
    }
}

/// A staff account the harness created, with its password in the clear for signing in.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub agency_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<i64>,
    pub password: String,
}

pub struct TestServer {
    pub backend: Backend,
    /// The service behind the server, for setting up data the HTTP API cannot (yet) create.
    pub app: Casework,
    /// The server's clock: `clock.advance_ms(..)` moves time for sessions, lockouts, due dates.
    pub clock: Arc<FixedClock>,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    // Declared last so it is dropped last: the database outlives the server using it.
    db: TestDb,
}

static NEXT_USER: AtomicU64 = AtomicU64::new(1);

impl TestServer {
    /// A server on a fresh database of this backend.
    pub async fn start(backend: Backend) -> TestServer {
        let db = TestDb::fresh(backend).await;
        TestServer::start_on(backend, db).await
    }

    /// A server on a database the test prepared (e.g. with the `casework` binary).
    pub async fn start_on(backend: Backend, db: TestDb) -> TestServer {
        let clock = Arc::new(FixedClock::new(START_MS));
        let app = Casework::open(&db.url, clock.clone(), Settings::default())
            .await
            .unwrap_or_else(|e| panic!("{}: open the service: {e:?}", backend_name(backend)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let addr = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(casework_web::serve(
            listener,
            app.clone(),
            casework_web::WebConfig::default(),
            shutdown,
        ));
        TestServer {
            backend,
            app,
            clock,
            addr,
            stop: Some(stop),
            task: Some(task),
            db,
        }
    }

    /// "sqlite" or "postgres", for assertion messages.
    pub fn name(&self) -> &'static str {
        backend_name(self.backend)
    }

    pub fn database_url(&self) -> &str {
        &self.db.url
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Shut down the way production does (requests finish, audit log flushed), then drop the
    /// database. A test that panics skips this; `Drop` still stops the server and the database.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let served = task.await.expect("server task");
            served.expect("server stopped cleanly");
        }
    }

    /// A browser-like client: cookies kept, redirects followed.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("http client")
    }

    /// An agency, found or created.
    pub async fn agency(&self, name: &str) -> i64 {
        self.app.ensure_agency(name).await.expect("agency").id
    }

    pub async fn team(&self, agency_id: i64, name: &str) -> i64 {
        self.app
            .create_team(None, agency_id, name)
            .await
            .expect("team")
            .id
    }

    /// A user with this role, a unique email and a generated name.
    pub async fn user(&self, agency_id: i64, role: Role) -> TestUser {
        let n = NEXT_USER.fetch_add(1, Ordering::Relaxed);
        self.user_with(agency_id, role, &format!("Test {role} {n}"), None)
            .await
    }

    /// A user with this role, display name and team.
    pub async fn user_with(
        &self,
        agency_id: i64,
        role: Role,
        display_name: &str,
        team_id: Option<i64>,
    ) -> TestUser {
        let n = NEXT_USER.fetch_add(1, Ordering::Relaxed);
        let email = format!("{}.{n}@test.example", role.as_str().replace('_', "-"));
        let form = UserForm {
            email: email.clone(),
            display_name: display_name.to_string(),
            role: role.as_str().to_string(),
            team_id,
            password: Secret::new(PASSWORD),
            locale: "en".to_string(),
        };
        let view = self
            .app
            .create_user(None, agency_id, &form)
            .await
            .unwrap_or_else(|e| panic!("{}: create user: {e:?}", self.name()));
        TestUser {
            id: view.id,
            agency_id,
            email,
            display_name: display_name.to_string(),
            role,
            team_id,
            password: PASSWORD.to_string(),
        }
    }

    /// Submit the sign-in form the way a browser does (CSRF field from the page, cookie kept).
    pub async fn submit_sign_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        submit_sign_in(client, &self.url(""), email, password).await
    }

    /// A client signed in as `user`; fails the test if sign-in does not give a working session.
    pub async fn sign_in(&self, user: &TestUser) -> reqwest::Client {
        let client = self.client();
        let res = self
            .submit_sign_in(&client, &user.email, &user.password)
            .await;
        assert!(
            res.status() != reqwest::StatusCode::UNAUTHORIZED,
            "{}: sign-in as {} refused",
            self.name(),
            user.email
        );
        let me = client
            .get(self.url("/api/v1/me"))
            .send()
            .await
            .expect("GET /api/v1/me");
        assert_eq!(
            me.status(),
            200,
            "{}: no session after signing in as {}",
            self.name(),
            user.email
        );
        client
    }

    /// A fresh API token for `user`, for `Authorization: Bearer`.
    pub async fn token(&self, user: &TestUser) -> String {
        let actor = self
            .app
            .actor_for_email(&user.email)
            .await
            .expect("actor for token");
        let (_, secret) = self
            .app
            .create_token(&actor, "test")
            .await
            .expect("create token");
        secret.expose().to_string()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Reached without `stop()` only when a test failed: stop serving, then `db` drops the
        // database (PostgreSQL: DROP ... WITH (FORCE) ends the pool's connections).
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Fill in and post the sign-in form of the server at `base` (e.g. `http://127.0.0.1:8080`).
pub async fn submit_sign_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let page = client
        .get(format!("{base}/sign-in"))
        .send()
        .await
        .expect("GET /sign-in")
        .text()
        .await
        .expect("sign-in page");
    let csrf = hidden_value(&page, "csrf").expect("a csrf field on the sign-in page");
    client
        .post(format!("{base}/sign-in"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("POST /sign-in")
}

/// The `value` of the first `<input>` named `name` in an HTML page.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let len = tag[v..].find('"')?;
    Some(tag[v..v + len].to_string())
}

#[test]
fn hidden_value_reads_the_named_input_only() {
    let html = r#"<input type="hidden" name="back" value="/x"><input type="hidden" name="csrf" value="abc_-1">"#;
    assert_eq!(hidden_value(html, "csrf").as_deref(), Some("abc_-1"));
    assert_eq!(hidden_value(html, "back").as_deref(), Some("/x"));
    assert_eq!(hidden_value(html, "missing"), None);
}
