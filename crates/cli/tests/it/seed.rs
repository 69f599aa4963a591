//! `casework seed` and the service's dataset generator: deterministic, complete, searchable, and
//! leaving an intact audit chain; `casework bench` runs end to end on a tiny dataset.

use crate::harness::{on_each_backend, submit_sign_in, TestServer};
use casework_domain::client::ClientForm;
use casework_service::client::{ClientQuery, DuplicateDecision};
use casework_service::seed::{SeedPlan, SeedReport, SEED_PASSWORD};
use casework_service::ServiceError;
use std::process::{Command, Output, Stdio};

fn plan(agency: &str, seed: u64) -> SeedPlan {
    SeedPlan {
        agency: agency.into(),
        seed,
        // Small batches, so several transactions (and id hand-overs between them) are exercised.
        batch_clients: 64,
        ..SeedPlan::new(200)
    }
}

async fn seed(server: &TestServer, agency: &str, seed: u64) -> SeedReport {
    server
        .app
        .seed(plan(agency, seed), |_| {})
        .await
        .unwrap_or_else(|e| panic!("{}: seed {agency}: {e:?}", server.name()))
}

async fn names(server: &TestServer, agency_id: i64) -> Vec<(i64, String)> {
    let mut conn = server
        .app
        .store()
        .conn(casework_store::Wall::Agency(agency_id))
        .await
        .expect("connection");
    casework_store::seed::client_names(&mut conn, agency_id, 1000)
        .await
        .expect("client names")
}

/// One slip: the middle letter of the name's longest word dropped.
fn typo(name: &str) -> String {
    let longest = name
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap_or(name);
    let mut chars: Vec<char> = longest.chars().collect();
    chars.remove(chars.len() / 2);
    let slipped: String = chars.into_iter().collect();
    name.replacen(longest, &slipped, 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeding_is_deterministic_complete_searchable_and_audited() {
    on_each_backend(async |server: &TestServer| {
        let name = server.name();
        let a = seed(server, "Seed A", 42).await;
        let b = seed(server, "Seed B", 42).await;
        let c = seed(server, "Seed C", 7).await;

        let names_a = names(server, a.agency_id).await;
        let names_b = names(server, b.agency_id).await;
        let just = |v: &[(i64, String)]| v.iter().map(|n| n.1.clone()).collect::<Vec<_>>();
        assert_eq!(
            just(&names_a),
            just(&names_b),
            "{name}: same seed, same names"
        );
        assert_ne!(
            just(&names_a),
            just(&names(server, c.agency_id).await),
            "{name}"
        );

        for r in [&a, &b, &c] {
            let counts = server.app.agency_counts(r.agency_id).await.expect("counts");
            assert_eq!(counts.clients, 200, "{name}");
            assert_eq!(counts.cases, 300, "{name}");
            assert_eq!(counts.contacts, 2000, "{name}");
            assert_eq!(counts.users, r.users.len() as i64, "{name}");
            assert_eq!(counts.stage_moves as u64, r.stage_moves, "{name}");
            assert_eq!(counts.audit_entries as u64, r.audit_entries, "{name}");
            assert!(
                counts.name_grams > 200 * 5,
                "{name}: every client has trigrams"
            );
        }

        let report = server
            .app
            .verify_audit()
            .await
            .unwrap_or_else(|e| panic!("{name}: audit chain broken after seeding: {e}"));
        assert!(report.chains.len() >= 3, "{name}");

        // Search tolerates a typo in a seeded name, as it does for registered clients.
        let intake = server
            .app
            .actor_for_email("intake1@seed-a.example")
            .await
            .expect("seeded intake worker");
        let (id, wanted) = names_a
            .iter()
            .find(|(_, n)| n.split_whitespace().any(|w| w.chars().count() >= 6))
            .cloned()
            .expect("a name with a long word");
        let query = ClientQuery {
            q: Some(typo(&wanted)),
            ..ClientQuery::default()
        };
        let found = server
            .app
            .search_clients(&intake, &query, None, Some(100))
            .await
            .expect("search");
        assert!(
            found.items.iter().any(|c| c.id == id),
            "{name}: searching {:?} did not find {wanted:?}",
            query.q
        );

        // Ids were handed out by the seeder: the database must still hand out free ones.
        let form = ClientForm {
            legal_name: "Registered After Seeding".into(),
            ..ClientForm::default()
        };
        let registered = server
            .app
            .register_client(&intake, &form, &DuplicateDecision::default())
            .await
            .unwrap_or_else(|e| panic!("{name}: register after seeding: {e:?}"));
        assert!(registered.id > names(server, c.agency_id).await.last().unwrap().0);

        // Seeded presenting problems and contact summaries are sealed, one data key per client,
        // and read back in the clear; contact ids handed out by the seeder leave free ones.
        let status = server.app.key_status().await.expect("key status");
        assert_eq!((status.legacy, status.unrecognised), (0, 0), "{name}: {status:?}");
        assert_eq!(
            status.data_keys_by_master.values().sum::<u64>(),
            3 * 200 + 1,
            "{name}: one key per seeded client (and the one registered above): {status:?}"
        );
        let mut owner = server.app.store().owner_conn().await.expect("owner");
        let plain: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases WHERE presenting_problem NOT LIKE 'enc1:%'",
        )
        .fetch_one(&mut owner)
        .await
        .expect("count");
        assert_eq!(plain, 0, "{name}: a presenting problem in the clear");
        let (case_id, email, date): (i64, String, String) = sqlx::query_as(
            "SELECT c.id, u.email, k.contact_date FROM cases c JOIN users u ON u.id = c.primary_worker_id
               JOIN contacts k ON k.case_id = c.id
             WHERE c.agency_id = $1 AND c.closed_at IS NULL AND k.summary IS NOT NULL
             ORDER BY c.id LIMIT 1",
        )
        .bind(a.agency_id)
        .fetch_one(&mut owner)
        .await
        .expect("a seeded open case with a contact summary");
        drop(owner);
        let worker = server.app.actor_for_email(&email).await.expect("worker");
        let page = server
            .app
            .case(&worker, case_id, None)
            .await
            .unwrap_or_else(|e| panic!("{name}: seeded case: {e:?}"));
        assert!(
            !page.case.presenting_problem.is_empty()
                && !page.case.presenting_problem.starts_with("enc1:"),
            "{name}: {}",
            page.case.presenting_problem
        );
        assert!(
            page.contacts
                .iter()
                .filter_map(|k| k.summary.as_deref())
                .any(|s| !s.is_empty() && !s.starts_with("enc1:")),
            "{name}: {:?}",
            page.contacts
        );
        let form = casework_domain::case::ContactForm {
            date,
            mode: "phone".into(),
            duration_minutes: 10,
            summary: Some("Recorded after seeding".into()),
            ..Default::default()
        };
        server
            .app
            .record_contact(&worker, case_id, &form)
            .await
            .unwrap_or_else(|e| panic!("{name}: contact after seeding: {e:?}"));

        // Seeded staff sign in with the one published password.
        let http = server.client();
        submit_sign_in(
            &http,
            &server.url(""),
            "caseworker0001@seed-a.example",
            SEED_PASSWORD,
        )
        .await;
        let me = http.get(server.url("/api/v1/me")).send().await.expect("me");
        assert_eq!(me.status(), 200, "{name}: seeded caseworker signs in");

        // A second seed into the same agency is refused, not mixed in.
        let again = server.app.seed(plan("Seed A", 42), |_| {}).await;
        assert!(matches!(again, Err(ServiceError::Duplicate(_))), "{name}");
    })
    .await;
}

fn casework(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casework"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CASEWORK_") {
            cmd.env_remove(&key);
        }
    }
    // A data directory of its own for commands given none (the generated key file goes there,
    // not into the working directory); `--data-dir` wins over it.
    let data = tempfile::tempdir().expect("data dir");
    cmd.env("CASEWORK_DATA_DIR", data.path())
        .env("CASEWORK_LOG", "error")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run casework")
}

#[test]
fn the_seed_command_refuses_bad_input_and_prints_the_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    for bad in [
        vec!["--data-dir", data, "seed", "--clients", "0"],
        vec!["--data-dir", data, "seed", "--clients", "many"],
        vec!["--data-dir", data, "seed"],
    ] {
        let out = casework(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let out = casework(&[
        "--data-dir",
        data,
        "seed",
        "--clients",
        "150",
        "--seed",
        "9",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches(SEED_PASSWORD).count(), 1, "{stdout}");
    assert!(stdout.contains("150 clients, 225 cases"), "{stdout}");
    let again = casework(&["--data-dir", data, "seed", "--clients", "150"]);
    assert_eq!(again.status.code(), Some(2), "the agency already has users");
    let verify = casework(&["--data-dir", data, "audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn the_bench_command_runs_every_phase_on_a_tiny_dataset() {
    let out = casework(&[
        "bench",
        "--clients",
        "100",
        "--users",
        "2",
        "--duration-secs",
        "1",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for phase in ["Phase 1", "Phase 2", "Phase 3", "Phase 4", "Targets"] {
        assert!(stdout.contains(phase), "{phase} missing:\n{stdout}");
    }
    assert!(!stdout.contains("first error"), "{stdout}");
}
