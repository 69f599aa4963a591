//! `casework retention run` and `casework audit verify` on a database where a client's case
//! closed long ago and the agency keeps records for twelve months: the binary erases the client
//! (on its real clock), the chain still verifies, and (SQLite) the file holds no trace of them.

use crate::harness::{backend_name, backends, TestDb, START_MS};
use casework_service::case::MoveForm;
use casework_service::domain::case::{CaseForm, ContactForm, ServiceConsentForm};
use casework_service::domain::client::ClientForm;
use casework_service::domain::subject_rights::SubjectRightsForm;
use casework_service::{Actor, Casework, FixedClock, Settings};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

const NAME: &str = "Ottoline Vanterpool";

fn casework(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casework"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CASEWORK_") {
            cmd.env_remove(&key);
        }
    }
    // Its own data directory (the generated key file goes there), not the working directory's.
    let data = tempfile::tempdir().expect("data dir");
    cmd.env("CASEWORK_DATA_DIR", data.path())
        .env("CASEWORK_LOG", "warn")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the casework binary")
}

async fn actor(app: &Casework, agency: i64, email: &str, role: &str, team: Option<i64>) -> Actor {
    let form = casework_service::admin::UserForm {
        email: email.into(),
        display_name: email.into(),
        role: role.into(),
        team_id: team,
        password: casework_service::auth::Secret::new("correct horse battery staple"),
        locale: "en".into(),
    };
    app.create_user(None, agency, &form).await.expect("user");
    app.actor_for_email(email).await.expect("actor")
}

/// A client whose case was closed on the test's start day (March 2025), and a 12-month retention.
async fn closed_long_ago(url: &str) {
    let clock = Arc::new(FixedClock::new(START_MS));
    let app = Casework::open(url, clock, Settings::default())
        .await
        .expect("open");
    let agency = app
        .ensure_agency("Retention Agency")
        .await
        .expect("agency")
        .id;
    let team = app
        .create_team(None, agency, "North")
        .await
        .expect("team")
        .id;
    let sup = actor(
        &app,
        agency,
        "sup@retention.example",
        "supervisor",
        Some(team),
    )
    .await;
    let admin = actor(&app, agency, "admin@retention.example", "admin", None).await;
    let client = app
        .register_client(
            &sup,
            &ClientForm {
                legal_name: NAME.into(),
                birth_date: Some("1966-06-16".into()),
                ..Default::default()
            },
            &Default::default(),
        )
        .await
        .expect("register")
        .id;
    let case = app
        .open_case(
            &sup,
            &CaseForm {
                client_id: client,
                presenting_problem: format!("{NAME} needs housing"),
                primary_worker_id: Some(sup.user_id),
                team_id: Some(team),
                ..Default::default()
            },
        )
        .await
        .expect("case")
        .id;
    app.record_service_consent(
        &sup,
        case,
        &ServiceConsentForm {
            given_on: "2025-03-01".into(),
            method: "signed".into(),
            witness: None,
        },
    )
    .await
    .expect("consent");
    app.record_contact(
        &sup,
        case,
        &ContactForm {
            date: "2025-03-01".into(),
            mode: "office".into(),
            duration_minutes: 30,
            summary: Some(format!("First meeting with {NAME}")),
            ..Default::default()
        },
    )
    .await
    .expect("contact");
    let skip = MoveForm {
        direction: "forward".into(),
        override_reason: Some(format!("{NAME} moved away")),
        ..Default::default()
    };
    let mut row = app.move_stage(&sup, case, 1, &skip).await.expect("move");
    while row.stage != "closed" {
        row = app
            .move_stage(&sup, case, row.version, &skip)
            .await
            .expect("move");
    }
    app.save_subject_rights_settings(
        &admin,
        0,
        &SubjectRightsForm {
            retention_months: Some("12".into()),
            admin_privacy_officer: false,
        },
    )
    .await
    .expect("retention");
    app.shutdown().await;
}

fn file_bytes(url: &str) -> Vec<u8> {
    let path = url.trim_start_matches("sqlite://");
    let mut all = std::fs::read(path).expect("database file");
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        all.extend(wal);
    }
    all
}

fn holds(bytes: &[u8], s: &str) -> bool {
    bytes.windows(s.len()).any(|w| w == s.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_run_erases_a_client_closed_long_ago_and_audit_verify_still_passes() {
    for backend in backends() {
        let name = backend_name(backend);
        let db = TestDb::fresh(backend).await;
        closed_long_ago(&db.url).await;
        if name == "sqlite" {
            assert!(
                holds(&file_bytes(&db.url), NAME),
                "{name}: the scan sees the client first"
            );
        }
        let out = casework(&["--database-url", &db.url, "retention", "run"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("1 client(s) erased"), "{name}: {stdout}");
        assert!(!stdout.contains(NAME), "{name}: no names in the output");
        // Nothing left for a second run.
        let out = casework(&["--database-url", &db.url, "retention", "run"]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("0 client(s) erased"),
            "{name}"
        );
        let out = casework(&["--database-url", &db.url, "audit", "verify"]);
        assert!(
            out.status.success(),
            "{name}: audit verify after erasure: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("intact"),
            "{name}"
        );
        if name == "sqlite" {
            let bytes = file_bytes(&db.url);
            for s in [NAME, "Vanterpool", "1966-06-16"] {
                assert!(!holds(&bytes, s), "{name}: {s} still in the database file");
            }
        }
        drop(db);
    }
}
