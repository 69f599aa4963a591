//! Service tests on every backend: SQLite always, PostgreSQL when CASEWORK_TEST_DATABASE_URL is set.

mod access;
mod assessment;
mod audit;
mod audit_lists;
mod clients;
mod consents;
mod encryption;
mod evaluations;
mod forms;
mod goals;
mod keys;
mod lists;
mod monitoring;
mod notes;
mod oidc;
mod plans;
mod security;
mod sharing;
mod sign_in;
mod stages;
mod statistics;
mod subject_rights;
mod tasks;
mod termination;
mod wall;

use crate::admin::UserForm;
use crate::auth::Secret;
use crate::{Actor, Casework, FixedClock, Settings};
use casework_domain::case::{CaseForm, ContactForm, ServiceConsentForm};
use casework_domain::client::ClientForm;
use casework_store::client::ClientRow;
use casework_store::testing::{backends, TestDb};
use casework_store::Backend;
use std::sync::Arc;

/// 2026-11-22T10:00:00Z
pub const NOW: i64 = 1_795_341_600_000;

pub struct Env {
    pub app: Casework,
    pub clock: Arc<FixedClock>,
    pub backend: Backend,
    pub worker: Actor,
    pub worker2: Actor,
    pub worker_b: Actor,
    pub sup: Actor,
    pub sup_b: Actor,
    pub intake: Actor,
    pub admin: Actor,
    pub auditor: Actor,
    pub stranger: Actor,
}

pub const PASSWORD: &str = "correct horse battery staple";

async fn user(app: &Casework, agency: i64, email: &str, role: &str, team: Option<i64>) -> Actor {
    let form = UserForm {
        email: email.into(),
        display_name: email.split('@').next().unwrap_or(email).into(),
        role: role.into(),
        team_id: team,
        password: Secret::new(PASSWORD),
        locale: "en".into(),
    };
    app.create_user(None, agency, &form)
        .await
        .expect("create user");
    app.actor_for_email(email).await.expect("actor")
}

impl Env {
    pub async fn new(backend: Backend, url: &str) -> Env {
        Env::with_settings(backend, url, Settings::default()).await
    }

    pub async fn with_settings(backend: Backend, url: &str, settings: Settings) -> Env {
        let clock = Arc::new(FixedClock::new(NOW));
        let app = Casework::open(url, clock.clone(), settings)
            .await
            .expect("open");
        let agency = app.ensure_agency("Riverside").await.expect("agency").id;
        let other = app.ensure_agency("Elsewhere").await.expect("agency").id;
        let team_a = app
            .create_team(None, agency, "North")
            .await
            .expect("team")
            .id;
        let team_b = app
            .create_team(None, agency, "South")
            .await
            .expect("team")
            .id;
        let other_team = app
            .create_team(None, other, "North")
            .await
            .expect("team")
            .id;
        Env {
            worker: user(
                &app,
                agency,
                "wanda@example.org",
                "caseworker",
                Some(team_a),
            )
            .await,
            worker2: user(&app, agency, "walt@example.org", "caseworker", Some(team_a)).await,
            worker_b: user(&app, agency, "wes@example.org", "caseworker", Some(team_b)).await,
            sup: user(&app, agency, "sue@example.org", "supervisor", Some(team_a)).await,
            sup_b: user(&app, agency, "sam@example.org", "supervisor", Some(team_b)).await,
            intake: user(&app, agency, "ian@example.org", "intake_worker", None).await,
            admin: user(&app, agency, "ada@example.org", "admin", None).await,
            auditor: user(&app, agency, "aud@example.org", "auditor", None).await,
            stranger: user(
                &app,
                other,
                "sid@example.org",
                "supervisor",
                Some(other_team),
            )
            .await,
            app,
            clock,
            backend,
        }
    }

    /// A client registered by intake, born 1990-04-12.
    pub async fn register(&self, name: &str) -> ClientRow {
        self.app
            .register_client(
                &self.intake,
                &client_form(name, Some("1990-04-12")),
                &Default::default(),
            )
            .await
            .expect("register")
    }

    /// A client registered by intake with a case assigned to `worker` on team North.
    pub async fn client_with_case(&self, name: &str) -> (i64, i64) {
        let client = self.register(name).await;
        let case = self.open_case_for(client.id).await;
        (client.id, case)
    }

    /// A case opened by intake for `client_id`, assigned to `worker` on team North.
    pub async fn open_case_for(&self, client_id: i64) -> i64 {
        self.app
            .open_case(
                &self.intake,
                &CaseForm {
                    client_id,
                    presenting_problem: "Facing eviction".into(),
                    primary_worker_id: Some(self.worker.user_id),
                    team_id: self.worker.team_id,
                    ..Default::default()
                },
            )
            .await
            .expect("open case")
            .id
    }

    pub async fn engage(&self, case: i64) {
        self.app
            .record_service_consent(
                &self.worker,
                case,
                &ServiceConsentForm {
                    given_on: "2026-11-20".into(),
                    method: "signed".into(),
                    witness: None,
                },
            )
            .await
            .expect("consent");
        self.app
            .record_contact(&self.worker, case, &contact())
            .await
            .expect("contact");
    }
}

pub fn client_form(name: &str, birth: Option<&str>) -> ClientForm {
    ClientForm {
        legal_name: name.into(),
        birth_date: birth.map(str::to_string),
        ..Default::default()
    }
}

pub fn contact() -> ContactForm {
    ContactForm {
        date: "2026-11-21".into(),
        mode: "office".into(),
        duration_minutes: 50,
        ..Default::default()
    }
}

/// Run `body` once per backend, naming the backend if it fails.
pub async fn each_backend<F, Fut>(body: F)
where
    F: Fn(Env) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        eprintln!("-- on {backend:?}");
        // The database is held here, not in Env: the test body's future captures only the Env
        // fields it uses, and would drop an unused guard early.
        let db = TestDb::fresh(backend).await;
        body(Env::new(backend, &db.url).await).await;
        drop(db);
    }
}

/// The records a caseload page showed, as its `case.list` entry names them.
pub fn caseload_subjects(
    page: &crate::Page<crate::case::CaseloadItem>,
) -> Vec<casework_domain::audit::Subject> {
    page.items
        .iter()
        .map(|i| casework_domain::audit::Subject {
            record_id: i.case_id,
            client_id: i.client_id,
        })
        .collect()
}

/// Every entry of the agency's log, newest first (as the auditor sees it).
pub async fn log(env: &Env) -> Vec<crate::audit::AuditView> {
    env.app.flush_audit().await;
    env.app
        .audit_log(&env.auditor, &Default::default(), None, Some(500))
        .await
        .expect("audit log")
        .items
}
