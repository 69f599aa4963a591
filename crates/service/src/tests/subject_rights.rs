//! Subject access export, erasure and retention, on both databases. The erasure test scans the
//! database files themselves (SQLite file and WAL; a `pg_dump` on PostgreSQL) for the client's
//! names, birth date and identifiers.

use super::*;
use crate::case::MoveForm;
use crate::ServiceError;
use casework_domain::client::{HouseholdForm, IdentifierForm};
use casework_domain::consent::{DisclosureForm, LegalBasisForm};
use casework_domain::delivery::ServiceForm;
use casework_domain::note::NoteForm;
use casework_domain::subject_rights::{ErasureForm, SubjectRightsForm};
use casework_store::subject_access::Value;
use std::time::Duration;

const LEGAL: &str = "Zephyrine Quillfeather";
const PREFERRED: &str = "Zephy Quillfeather-Marsh";
const BIRTH: &str = "1971-03-09";
const IDENT: &str = "QX-99812-ZZ";
const IDENT_NORM: &str = "qx99812zz";
const PHONE: &str = "+44 7700 900123";
const EMAIL: &str = "zephyrine.q@example.org";
const ADDRESS: &str = "17 Wrenfield Lane";
const HOUSEHOLD: &str = "Bartholomew Quillfeather";

/// Every string that must be gone from the files after erasure.
fn secrets() -> Vec<&'static str> {
    vec![
        LEGAL,
        PREFERRED,
        BIRTH,
        IDENT,
        IDENT_NORM,
        PHONE,
        EMAIL,
        ADDRESS,
        HOUSEHOLD,
        "Quillfeather",
        "quillfeather",
        "Wrenfield",
    ]
}

fn rich_form() -> casework_domain::client::ClientForm {
    let mut f = client_form(LEGAL, Some(BIRTH));
    f.preferred_name = Some(PREFERRED.into());
    f.preferred_language = Some("es".into());
    f.phone = Some(PHONE.into());
    f.email = Some(EMAIL.into());
    f.address = Some(ADDRESS.into());
    f.identifiers.push(IdentifierForm {
        kind: "medicaid".into(),
        value: IDENT.into(),
    });
    f.household.push(HouseholdForm {
        name: HOUSEHOLD.into(),
        relationship: Some("son".into()),
        birth_date: Some("2001-02-03".into()),
    });
    f
}

fn override_to(reason: &str) -> MoveForm {
    MoveForm {
        direction: "forward".into(),
        override_reason: Some(reason.into()),
        ..Default::default()
    }
}

/// A client with personal data everywhere (profile, identifiers, household, contact summary,
/// a note, a service, a disclosure, an audit reason naming them), their case carried to closed by
/// the team's supervisor. (client, case)
async fn closed_client(env: &Env, legal: &str) -> (i64, i64) {
    let mut form = rich_form();
    form.legal_name = legal.into();
    let client = env
        .app
        .register_client(&env.intake, &form, &Default::default())
        .await
        .expect("register")
        .id;
    let case = env
        .app
        .open_case(
            &env.intake,
            &casework_domain::case::CaseForm {
                client_id: client,
                presenting_problem: format!("{legal} is facing eviction"),
                primary_worker_id: Some(env.worker.user_id),
                team_id: env.worker.team_id,
                ..Default::default()
            },
        )
        .await
        .expect("open case")
        .id;
    env.engage(case).await;
    env.app
        .record_contact(
            &env.worker,
            case,
            &casework_domain::case::ContactForm {
                summary: Some(format!("Met {legal} at {ADDRESS}")),
                ..contact()
            },
        )
        .await
        .expect("contact");
    env.app
        .write_note(
            &env.worker,
            case,
            &NoteForm {
                format: "narrative".into(),
                body: Some(format!("{legal} ({BIRTH}) brought her son {HOUSEHOLD}")),
                ..Default::default()
            },
        )
        .await
        .expect("note");
    env.app
        .disclose(
            &env.worker,
            client,
            &DisclosureForm {
                recipient_name: "Family Court".into(),
                recipient_kind: Some("court".into()),
                purpose: "legal_proceedings".into(),
                purpose_other: None,
                categories: vec!["identity".into()],
                channel: "letter".into(),
                legal_basis: Some(LegalBasisForm {
                    kind: "court_order".into(),
                    law_cited: format!("Order in the matter of {legal}"),
                    authorised_by_name: "Dana Lee".into(),
                    authorised_by_role: "Director".into(),
                    authorised_on: "2026-11-20".into(),
                }),
            },
        )
        .await
        .expect("disclose");
    let mut row = env
        .app
        .move_stage(
            &env.sup,
            case,
            1,
            &override_to(&format!("{legal} asked to move on")),
        )
        .await
        .expect("move");
    while row.stage != "closed" {
        if row.stage == "intervention" {
            env.app
                .record_service(
                    &env.worker,
                    case,
                    &ServiceForm {
                        kind: "counselling".into(),
                        other_kind: None,
                        delivered_on: "2026-11-21".into(),
                        provider: "worker".into(),
                        provider_name: None,
                        units: 1.5,
                        unit_name: "hours".into(),
                        goal_id: None,
                        intervention_id: None,
                        note: Some(format!("Budgeting with {legal}")),
                    },
                )
                .await
                .expect("service");
        }
        row = env
            .app
            .move_stage(&env.sup, case, row.version, &override_to("Not under test"))
            .await
            .expect("move");
    }
    (client, case)
}

fn erase_form() -> ErasureForm {
    ErasureForm {
        reason: "Client asked in writing on 2026-11-20".into(),
        confirm: true,
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    haystack.windows(n.len()).any(|w| w == n)
}

/// The bytes the database keeps on disk: the SQLite file and the audit staging file, each with
/// its WAL and shared-memory index, or a plain `pg_dump` of the PostgreSQL database.
fn database_bytes(backend: Backend, url: &str) -> Vec<(String, Vec<u8>)> {
    match backend {
        Backend::Sqlite => {
            let path = url.trim_start_matches("sqlite://");
            let staging = casework_store::audit_sqlite::staging_file(std::path::Path::new(path));
            let files = [path.to_string(), staging.display().to_string()];
            assert!(
                staging.exists(),
                "the staging file is where it is looked for"
            );
            files
                .iter()
                .flat_map(|file| {
                    ["", "-wal", "-shm", "-journal"]
                        .iter()
                        .map(move |suffix| format!("{file}{suffix}"))
                })
                .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
                .collect()
        }
        Backend::Postgres => {
            let pg_dump = pg_dump_path();
            let out = std::process::Command::new(&pg_dump)
                .arg("--dbname")
                .arg(url)
                .arg("--no-owner")
                .output()
                .expect("run pg_dump");
            assert!(
                out.status.success(),
                "pg_dump failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            vec![("pg_dump".into(), out.stdout)]
        }
    }
}

fn pg_dump_path() -> String {
    if let Ok(p) = std::env::var("CASEWORK_PG_DUMP") {
        return p;
    }
    let mut found: Vec<String> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| format!("{}/bin/pg_dump", e.path().display()))
        .filter(|p| std::path::Path::new(p).exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| "pg_dump".into())
}

/// Raw SQL as the owner: the serving role sees nothing outside a walled transaction.
async fn count(env: &Env, sql: &str) -> i64 {
    use sqlx::Row;
    let mut owner = env.app.store().owner_conn().await.expect("owner");
    let n = sqlx::query(sql)
        .fetch_one(&mut owner)
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("count value");
    sqlx::Connection::close(owner).await.ok();
    n
}

#[tokio::test]
async fn erasure_leaves_no_trace_in_the_database_files_and_the_chain_verifies() {
    for backend in backends() {
        eprintln!("-- on {backend:?}");
        let db = TestDb::fresh(backend).await;
        let env = Env::new(backend, &db.url).await;
        let b = backend;
        let (client, case) = closed_client(&env, LEGAL).await;
        let (other, _) = env.client_with_case("Ana Torres").await;
        // Before: the secrets are really in the files (the scan can see them).
        env.app.flush_audit().await;
        let before = database_bytes(b, &db.url);
        assert!(
            before.iter().any(|(_, bytes)| contains(bytes, LEGAL)),
            "{b:?}: the scan does not see the client before erasure"
        );
        let stats_before = (
            count(&env, "SELECT COUNT(*) FROM cases WHERE stage = 'closed'").await,
            count(&env, "SELECT COUNT(*) FROM services_delivered").await,
            count(&env, "SELECT COUNT(*) FROM contacts").await,
            count(&env, "SELECT COUNT(*) FROM case_notes").await,
            count(&env, "SELECT COUNT(*) FROM disclosures").await,
            count(&env, "SELECT COUNT(*) FROM stage_history").await,
        );

        let receipt = env
            .app
            .erase_client(&env.sup, client, &erase_form())
            .await
            .expect("erase");
        assert_eq!((receipt.client_id, receipt.cases), (client, 1), "{b:?}");
        assert!(receipt.audit_entries_redacted >= 1, "{b:?}");

        for (file, bytes) in database_bytes(b, &db.url) {
            for s in secrets() {
                assert!(!contains(&bytes, s), "{b:?}: {s:?} still in {file}");
            }
        }
        // Sealed free text is blanked too (an empty value marked plain), not left as ciphertext.
        assert_eq!(
            count(&env, &format!("SELECT COUNT(*) FROM cases WHERE id = {case} AND presenting_problem = 'legacy:'")).await,
            1,
            "{b:?}: presenting problem not blanked"
        );
        assert_eq!(
            count(
                &env,
                &format!(
                    "SELECT COUNT(*) FROM contacts WHERE case_id = {case} AND summary IS NOT NULL"
                )
            )
            .await,
            0,
            "{b:?}: a contact summary survived"
        );
        // The case of the erased client still opens, with nothing left to show.
        let page = env
            .app
            .case(&env.sup, case, None)
            .await
            .expect("erased case page");
        assert_eq!(page.case.presenting_problem, "", "{b:?}");
        // The client's data key is gone, so what stays sealed can never be opened.
        let sql = format!(
            "SELECT count(*) FROM client_keys WHERE client_id = {client} AND wrapped IS NOT NULL"
        );
        assert_eq!(count(&env, &sql).await, 0, "{b:?}: a data key survived");
        // The audit chain still verifies, redacted entries included.
        let report = env.app.verify_audit().await.expect("audit verifies");
        assert!(report.chains.iter().any(|c| c.entries > 10), "{b:?}");
        // Counts and anonymous statistics survive.
        let stats_after = (
            count(&env, "SELECT COUNT(*) FROM cases WHERE stage = 'closed'").await,
            count(&env, "SELECT COUNT(*) FROM services_delivered").await,
            count(&env, "SELECT COUNT(*) FROM contacts").await,
            count(&env, "SELECT COUNT(*) FROM case_notes").await,
            count(&env, "SELECT COUNT(*) FROM disclosures").await,
            count(&env, "SELECT COUNT(*) FROM stage_history").await,
        );
        assert_eq!(stats_before, stats_after, "{b:?}");
        assert_eq!(
            count(&env, &format!("SELECT COUNT(*) FROM cases WHERE id = {case} AND stage = 'closed' AND closed_at IS NOT NULL")).await,
            1,
            "{b:?}"
        );
        assert_eq!(
            count(&env, "SELECT CAST(SUM(units * 10) AS BIGINT) FROM services_delivered WHERE kind = 'counselling'").await,
            15,
            "{b:?}"
        );
        // The tombstone stays; the other client is untouched.
        assert_eq!(
            count(&env, &format!("SELECT COUNT(*) FROM clients WHERE id = {client} AND erased_at IS NOT NULL AND legal_name = ''")).await,
            1,
            "{b:?}"
        );
        let kept = env.app.client(&env.sup, other).await.expect("other client");
        assert_eq!(kept.client.legal_name, "Ana Torres", "{b:?}");
        // The erasure is listed for the admin, without names; the audit says who and when.
        let list = env
            .app
            .erasures(&env.admin, None, None)
            .await
            .expect("list");
        assert_eq!(list.items.len(), 1, "{b:?}");
        assert_eq!(
            (list.items[0].client_id, list.items[0].cause.as_str()),
            (client, "request"),
            "{b:?}"
        );
        assert_eq!(list.items[0].erased_by, Some(env.sup.user_id), "{b:?}");
        let entries = log(&env).await;
        let e = entries
            .iter()
            .find(|e| e.action == "client.erase.request")
            .expect("erasure audited");
        assert_eq!(
            (e.client_id, e.actor_user_id, e.record_id),
            (
                Some(client),
                Some(env.sup.user_id),
                Some(receipt.erasure_id)
            ),
            "{b:?}"
        );
        // Once only.
        let again = env.app.erase_client(&env.sup, client, &erase_form()).await;
        assert!(
            matches!(&again, Err(ServiceError::Invalid(i)) if i.code == "already_erased"),
            "{b:?}: {again:?}"
        );
        // The redaction is the one change the database lets through: nothing else (even for
        // the owner, who is not bound by row-level security).
        let mut owner = env.app.store().owner_conn().await.expect("owner");
        let pool = &mut owner;
        assert!(
            sqlx::query("UPDATE audit_entries SET action = 'x' WHERE redacted_at IS NOT NULL")
                .execute(&mut *pool)
                .await
                .is_err(),
            "{b:?}"
        );
        assert!(
            sqlx::query("UPDATE audit_entries SET reason = 'x', reason_nonce = 'y' WHERE redacted_at IS NOT NULL")
                .execute(&mut *pool)
                .await
                .is_err(),
            "{b:?}"
        );
        assert!(
            sqlx::query("UPDATE disclosures SET purpose = 'referral'")
                .execute(&mut *pool)
                .await
                .is_err(),
            "{b:?}"
        );
        sqlx::Connection::close(owner).await.ok();
        env.app.shutdown().await;
        drop(db);
    }
}

#[tokio::test]
async fn erasure_needs_the_right_person_a_confirmation_and_no_open_case() {
    each_backend(|env| async move {
        let b = env.backend;
        let (client, _) = closed_client(&env, LEGAL).await;
        let (open, _) = env.client_with_case("Ana Torres").await;
        let refused = |r: Result<crate::erasure::ErasureReceipt, ServiceError>| match r {
            Err(e) => e.code(),
            Ok(_) => "ok",
        };
        assert_eq!(
            refused(
                env.app
                    .erase_client(&env.worker, client, &erase_form())
                    .await
            ),
            "forbidden",
            "{b:?}"
        );
        assert_eq!(
            refused(
                env.app
                    .erase_client(&env.sup_b, client, &erase_form())
                    .await
            ),
            "not_found",
            "{b:?}"
        );
        // An admin who is not the privacy officer never opens a client: refused as unseen.
        assert_eq!(
            refused(
                env.app
                    .erase_client(&env.admin, client, &erase_form())
                    .await
            ),
            "not_found",
            "{b:?}"
        );
        assert_eq!(
            refused(
                env.app
                    .erase_client(&env.stranger, client, &erase_form())
                    .await
            ),
            "not_found",
            "{b:?}"
        );
        let unconfirmed = ErasureForm {
            confirm: false,
            ..erase_form()
        };
        assert_eq!(
            refused(env.app.erase_client(&env.sup, client, &unconfirmed).await),
            "confirmation_required",
            "{b:?}"
        );
        assert_eq!(
            refused(env.app.erase_client(&env.sup, open, &erase_form()).await),
            "client_has_open_case",
            "{b:?}"
        );
        assert_eq!(
            count(
                &env,
                "SELECT COUNT(*) FROM clients WHERE erased_at IS NOT NULL"
            )
            .await,
            0,
            "{b:?}"
        );
        let denied = log(&env)
            .await
            .iter()
            .filter(|e| e.action == "client.erase" && e.outcome == "denied")
            .count();
        // (The stranger's refusal is in their own agency's chain.)
        assert_eq!(denied, 3, "{b:?}");
        // An agency that makes its admins privacy officer lets them erase.
        env.app
            .save_subject_rights_settings(
                &env.admin,
                0,
                &SubjectRightsForm {
                    retention_months: None,
                    admin_privacy_officer: true,
                },
            )
            .await
            .expect("settings");
        env.app
            .erase_client(&env.admin, client, &erase_form())
            .await
            .expect("privacy officer erases");
    })
    .await;
}

#[tokio::test]
async fn a_subject_access_export_holds_everything_and_is_recorded_as_a_disclosure() {
    each_backend(|env| async move {
        let b = env.backend;
        let (client, case) = closed_client(&env, LEGAL).await;
        env.app.client(&env.sup, client).await.expect("read");
        let text = |s: &str| Value::Text(s.to_string());
        let field = |sar: &crate::subject_access::SubjectAccess, section: &str, name: &str| {
            sar.section(section)
                .expect(section)
                .records
                .iter()
                .flat_map(|r| r.fields.iter())
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        assert_eq!(sar.preferred_language, "es", "{b:?}");
        assert!(!sar.erased, "{b:?}");
        assert_eq!(
            field(&sar, "profile", "legal_name"),
            vec![text(LEGAL)],
            "{b:?}"
        );
        assert_eq!(
            field(&sar, "profile", "birth_date"),
            vec![text(BIRTH)],
            "{b:?}"
        );
        assert_eq!(
            field(&sar, "identifiers", "value"),
            vec![text(IDENT)],
            "{b:?}"
        );
        assert_eq!(
            field(&sar, "household", "name"),
            vec![text(HOUSEHOLD)],
            "{b:?}"
        );
        assert_eq!(
            field(&sar, "cases", "case_id"),
            vec![Value::Integer(case)],
            "{b:?}"
        );
        assert_eq!(
            field(&sar, "cases", "presenting_problem"),
            vec![text(&format!("{LEGAL} is facing eviction"))],
            "{b:?}"
        );
        assert!(
            field(&sar, "contacts", "summary")
                .contains(&text(&format!("Met {LEGAL} at {ADDRESS}"))),
            "{b:?}"
        );
        assert!(
            field(&sar, "notes", "sections")
                .iter()
                .any(|v| matches!(v, Value::Text(t) if t.contains(HOUSEHOLD))),
            "{b:?}"
        );
        assert_eq!(
            field(&sar, "services", "units"),
            vec![Value::Real(1.5)],
            "{b:?}"
        );
        assert!(
            field(&sar, "stage_history", "to_stage").contains(&text("closed")),
            "{b:?}"
        );
        assert_eq!(
            field(&sar, "disclosures", "recipient_name"),
            vec![text("Family Court")],
            "{b:?}"
        );
        assert!(
            sar.access_log
                .iter()
                .any(|l| l.action == "client.read" && l.actor_name.as_deref() == Some("sue")),
            "{b:?}"
        );
        // JSON carries the same, keyed by field name.
        let json = serde_json::to_value(&sar).expect("json");
        assert_eq!(json["sections"][0]["name"], "profile", "{b:?}");
        assert_eq!(
            json["sections"][0]["records"][0]["legal_name"], LEGAL,
            "{b:?}"
        );
        // It was recorded as a disclosure to the client and audited; the next export shows it.
        let again = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        let channels = field(&again, "disclosures", "channel");
        assert_eq!(channels, vec![text("letter"), text("export")], "{b:?}");
        assert!(
            again
                .access_log
                .iter()
                .any(|l| l.action == "client.subject_access"),
            "{b:?}"
        );
        // Others may not.
        for who in [&env.worker, &env.admin, &env.auditor] {
            assert!(
                env.app.subject_access(who, client).await.is_err(),
                "{b:?} {who:?}"
            );
        }
        // After erasure the export says so and holds nothing personal.
        env.app
            .erase_client(&env.sup, client, &erase_form())
            .await
            .expect("erase");
        let after = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        assert!(after.erased, "{b:?}");
        let json = serde_json::to_string(&after).expect("json");
        for s in secrets() {
            assert!(!json.contains(s), "{b:?}: {s} in the export after erasure");
        }
    })
    .await;
}

const DAY: i64 = 86_400_000;

async fn retention(env: &Env, months: Option<&str>, version: i64) {
    env.app
        .save_subject_rights_settings(
            &env.admin,
            version,
            &SubjectRightsForm {
                retention_months: months.map(str::to_string),
                admin_privacy_officer: false,
            },
        )
        .await
        .expect("settings");
}

#[tokio::test]
async fn retention_erases_only_clients_whose_cases_all_closed_longer_ago_than_the_period() {
    each_backend(|env| async move {
        let b = env.backend;
        let (old, _) = closed_client(&env, "Old Quillfeather").await;
        env.clock.advance_ms(400 * DAY);
        let (recent, _) = closed_client(&env, "Recent Quillfeather").await;
        let (open, _) = env.client_with_case("Ana Torres").await;
        // Off by default: nothing happens.
        let r = env
            .app
            .run_retention("test", Duration::ZERO)
            .await
            .expect("run");
        assert!(r.claimed && r.erased.is_empty(), "{b:?}: {r:?}");
        retention(&env, Some("12"), 0).await;
        let r = env
            .app
            .run_retention("test", Duration::ZERO)
            .await
            .expect("run");
        assert_eq!(r.erased, vec![(env.sup.agency_id, old)], "{b:?}");
        let list = env
            .app
            .erasures(&env.admin, None, None)
            .await
            .expect("list");
        assert_eq!(list.items.len(), 1, "{b:?}");
        assert_eq!(
            (
                list.items[0].cause.as_str(),
                list.items[0].erased_by,
                list.items[0].retention_run_id
            ),
            ("retention", None, r.run_id),
            "{b:?}"
        );
        for id in [recent, open] {
            assert!(env.app.client(&env.sup, id).await.is_ok(), "{b:?}");
        }
        // Another run finds nothing new; the chain verifies.
        let r = env
            .app
            .run_retention("test", Duration::ZERO)
            .await
            .expect("run");
        assert!(r.erased.is_empty(), "{b:?}");
        env.app.verify_audit().await.expect("verifies");
        let entries = log(&env).await;
        let e = entries
            .iter()
            .find(|e| e.action == "client.erase.retention")
            .expect("audited");
        assert_eq!((e.client_id, e.actor_user_id), (Some(old), None), "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn concurrent_retention_runs_claim_once_and_erase_each_client_once() {
    for backend in backends() {
        eprintln!("-- on {backend:?}");
        let db = TestDb::fresh(backend).await;
        let env = Env::new(backend, &db.url).await;
        let b = backend;
        let mut due = Vec::new();
        for n in 0..4 {
            due.push(
                closed_client(&env, &format!("Client{n} Quillfeather"))
                    .await
                    .0,
            );
        }
        env.clock.advance_ms(400 * DAY);
        retention(&env, Some("12"), 0).await;
        // A second server process: its own pool on the same database.
        let other = Casework::open(&db.url, env.clock.clone(), Settings::default())
            .await
            .expect("second process");
        // Both tick on a one-hour schedule.
        let hour = Duration::from_secs(3600);
        let (a, c) = tokio::join!(
            env.app.run_retention("process-a", hour),
            other.run_retention("process-b", hour)
        );
        let (a, c) = (a.expect("run a"), c.expect("run b"));
        assert_eq!(
            [a.claimed, c.claimed].iter().filter(|x| **x).count(),
            1,
            "{b:?}: exactly one run claims ({a:?}, {c:?})"
        );
        let mut erased: Vec<i64> = a
            .erased
            .iter()
            .chain(c.erased.iter())
            .map(|e| e.1)
            .collect();
        erased.sort();
        assert_eq!(erased, due, "{b:?}");
        assert_eq!(
            count(&env, "SELECT COUNT(*) FROM erasures").await,
            4,
            "{b:?}"
        );
        assert_eq!(
            count(&env, "SELECT COUNT(*) FROM retention_runs").await,
            1,
            "{b:?}"
        );
        // Within the hour neither claims again; after it, the next tick does.
        let early = other.run_retention("process-b", hour).await.expect("run");
        assert!(!early.claimed, "{b:?}");
        env.clock.advance_ms(3600 * 1000 + 1);
        let next = other.run_retention("process-b", hour).await.expect("run");
        assert!(next.claimed && next.erased.is_empty(), "{b:?}");
        other.shutdown().await;
        env.app.shutdown().await;
        drop(db);
    }
}

#[tokio::test]
async fn only_admins_change_the_retention_setting_and_a_stale_version_is_refused() {
    each_backend(|env| async move {
        let b = env.backend;
        let form = SubjectRightsForm {
            retention_months: Some("84".into()),
            admin_privacy_officer: false,
        };
        assert!(matches!(
            env.app
                .save_subject_rights_settings(&env.sup, 0, &form)
                .await,
            Err(ServiceError::Forbidden)
        ));
        let s = env
            .app
            .subject_rights_settings(&env.admin)
            .await
            .expect("read");
        assert_eq!((s.retention_months, s.version), (None, 0), "{b:?}");
        let saved = env
            .app
            .save_subject_rights_settings(&env.admin, 0, &form)
            .await
            .expect("save");
        assert_eq!(
            (saved.retention_months, saved.version),
            (Some(84), 1),
            "{b:?}"
        );
        assert!(matches!(
            env.app
                .save_subject_rights_settings(&env.admin, 0, &form)
                .await,
            Err(ServiceError::Stale)
        ));
        let bad = SubjectRightsForm {
            retention_months: Some("0".into()),
            ..form
        };
        assert!(matches!(
            env.app.save_subject_rights_settings(&env.admin, 1, &bad).await,
            Err(ServiceError::Invalid(i)) if i.field == "retention_months"
        ));
    })
    .await;
}
