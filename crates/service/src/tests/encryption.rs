//! Sensitive fields are ciphertext at rest, bound to their row; keys rotate without losing a
//! record; a destroyed client key makes that client's fields unreadable.

use super::*;
use crate::case::MoveForm;
use crate::keys::{new_key, RotateOptions};
use crate::ServiceError;
use casework_domain::assessment::{AssessmentForm, InstrumentForm};
use casework_domain::client::IdentifierForm;
use casework_domain::crypto::Keyring;
use casework_domain::note::NoteForm;

const BODY: &str = "Disclosed that her partner reads her phone";
const SAFE: &str = "Call only on Tuesdays, never leave a message";
const IDENT: &str = "QX-77 1234";
const RISK: &str = "Partner has threatened her twice this month";
const PROBLEM: &str = "Afraid to go home after the last argument";
const SUMMARY: &str = "Talked through where she could stay tonight";

pub(super) fn note(body: &str) -> NoteForm {
    NoteForm {
        format: "narrative".into(),
        sensitivity: Some("normal".into()),
        body: Some(body.into()),
        ..Default::default()
    }
}

/// A client with an identifier and a safe-contact note, a case with its presenting problem and a
/// contact summary, a note, an assessment naming a risk, and a PHQ-9. Returns (client, case, note).
pub(super) async fn sensitive_record(env: &Env, name: &str) -> (i64, i64, i64) {
    let mut f = client_form(name, Some("1988-02-03"));
    f.safe_contact = Some(SAFE.into());
    f.identifiers.push(IdentifierForm {
        kind: "medicaid".into(),
        value: IDENT.into(),
    });
    let client = env
        .app
        .register_client(&env.intake, &f, &Default::default())
        .await
        .expect("register");
    let case = env
        .app
        .open_case(
            &env.intake,
            &CaseForm {
                client_id: client.id,
                presenting_problem: PROBLEM.into(),
                primary_worker_id: Some(env.worker.user_id),
                team_id: env.worker.team_id,
                ..Default::default()
            },
        )
        .await
        .expect("case")
        .id;
    env.engage(case).await;
    env.app
        .record_contact(
            &env.worker,
            case,
            &casework_domain::case::ContactForm {
                summary: Some(SUMMARY.into()),
                ..contact()
            },
        )
        .await
        .expect("contact with a summary");
    let forward = MoveForm {
        direction: "forward".into(),
        ..Default::default()
    };
    env.app
        .move_stage(&env.worker, case, 1, &forward)
        .await
        .expect("to assessment");
    env.app
        .save_assessment(
            &env.worker,
            case,
            &AssessmentForm {
                assessed_on: "2026-11-21".into(),
                situation: Some("Lives with partner".into()),
                needs: vec!["Safety plan".into()],
                strengths: vec!["Sister nearby".into()],
                risk_level: Some("high".into()),
                risk_details: Some(RISK.into()),
                ..Default::default()
            },
            false,
        )
        .await
        .expect("assessment");
    env.app
        .record_instrument(
            &env.worker,
            case,
            "phq9",
            &InstrumentForm {
                answers: [3, 2, 2, 1, 1, 1, 0, 0, 0].map(Some).to_vec(),
                ..Default::default()
            },
        )
        .await
        .expect("phq9");
    let n = env
        .app
        .write_note(&env.worker, case, &note(BODY))
        .await
        .expect("note");
    (client.id, case, n.note.id)
}

/// As the owner: under row-level security the serving pool, outside a walled transaction, sees
/// no rows, and these tests read and tamper "directly in the database".
pub(super) async fn owner(env: &Env) -> sqlx::AnyConnection {
    env.app
        .store()
        .owner_conn()
        .await
        .expect("owner connection")
}

/// The client a case belongs to, read as the owner.
pub(super) async fn client_of_case(env: &Env, case: i64) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT client_id FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&mut owner(env).await)
        .await
        .expect("client of case")
}

/// Is `stored` a value sealed under the first data key of `client`, without `plain` in it?
pub(super) fn sealed_for(client: i64, stored: &str, plain: &str) -> bool {
    stored.starts_with(&format!("enc1:c{client}.1:")) && !stored.contains(plain)
}

/// Rotate without new data keys: what seals the values still marked legacy.
pub(super) async fn seal_legacy(env: &Env) -> crate::keys::RotateReport {
    env.app
        .rotate_keys(RotateOptions {
            data_keys: false,
            batch: 10,
        })
        .await
        .expect("rotate")
}

/// Every value of the field `name` in the export's section, in order.
pub(super) fn exported(
    sar: &crate::subject_access::SubjectAccess,
    section: &str,
    name: &str,
) -> Vec<casework_store::subject_access::Value> {
    sar.section(section)
        .unwrap_or_else(|| panic!("no section {section}"))
        .records
        .iter()
        .flat_map(|r| r.fields.iter())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

pub(super) async fn raw(env: &Env, sql: &str, id: i64) -> String {
    sqlx::query_scalar::<_, String>(sql)
        .bind(id)
        .fetch_one(&mut owner(env).await)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

pub(super) async fn reopen(env: &Env, url: &str, keyring: Keyring) -> Casework {
    Casework::open(
        url,
        env.clock.clone(),
        Settings {
            keyring,
            ..Settings::default()
        },
    )
    .await
    .expect("open with another keyring")
}

/// Everything `sensitive_record` wrote reads back in the clear through `app`.
pub(super) async fn reads_back(env: &Env, app: &Casework, client: i64, case: i64, note_id: i64) {
    let b = env.backend;
    let n = app.note(&env.worker, note_id).await.expect("note");
    assert_eq!(n.note.section("body"), Some(BODY), "{b:?}");
    let c = app.client(&env.worker, client).await.expect("client");
    assert_eq!(c.client.safe_contact.as_deref(), Some(SAFE), "{b:?}");
    assert_eq!(c.identifiers[0].value, IDENT, "{b:?}");
    let found = app
        .search_clients(
            &env.intake,
            &crate::client::ClientQuery {
                identifier: Some("qx771234".into()),
                ..Default::default()
            },
            None,
            None,
        )
        .await
        .expect("search by identifier");
    assert_eq!(
        found.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [client],
        "{b:?}"
    );
    let history = app
        .instrument_history(&env.worker, case, "phq9")
        .await
        .expect("history");
    assert_eq!(
        history[0].answers,
        serde_json::json!([3, 2, 2, 1, 1, 1, 0, 0, 0]),
        "{b:?}"
    );
    let list = app
        .assessments(&env.worker, case)
        .await
        .expect("assessments");
    assert_eq!(list[0].risk_details.as_deref(), Some(RISK), "{b:?}");
    let detail = app
        .assessment(&env.worker, list[0].id)
        .await
        .expect("assessment");
    assert_eq!(detail.needs[0].description, "Safety plan", "{b:?}");
    assert_eq!(detail.strengths[0].description, "Sister nearby", "{b:?}");
    let page = app.case(&env.worker, case, None).await.expect("case page");
    assert_eq!(page.case.presenting_problem, PROBLEM, "{b:?}");
    assert!(
        page.contacts
            .iter()
            .any(|k| k.summary.as_deref() == Some(SUMMARY)),
        "{b:?}: {:?}",
        page.contacts
    );
    let of_client = app.client(&env.worker, client).await.expect("client page");
    assert_eq!(of_client.cases[0].presenting_problem, PROBLEM, "{b:?}");
}

pub(super) async fn on_each_backend<F, Fut>(body: F)
where
    F: Fn(Env, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        eprintln!("-- on {backend:?}");
        let db = TestDb::fresh(backend).await;
        body(Env::new(backend, &db.url).await, db.url.clone()).await;
        drop(db);
    }
}

#[tokio::test]
async fn the_database_holds_ciphertext_and_the_service_reads_plaintext() {
    on_each_backend(|env, _| async move {
        let b = env.backend;
        let (client, case, note_id) = sensitive_record(&env, "Rosa Marin").await;
        let sections = raw(
            &env,
            "SELECT sections FROM case_notes WHERE id = $1",
            note_id,
        )
        .await;
        let safe = raw(
            &env,
            "SELECT safe_contact FROM clients WHERE id = $1",
            client,
        )
        .await;
        let ident = raw(
            &env,
            "SELECT value FROM client_identifiers WHERE client_id = $1",
            client,
        )
        .await;
        let norm = raw(
            &env,
            "SELECT value_norm FROM client_identifiers WHERE client_id = $1",
            client,
        )
        .await;
        let risk = raw(
            &env,
            "SELECT risk_details FROM assessments WHERE case_id = $1",
            case,
        )
        .await;
        let answers = raw(
            &env,
            "SELECT answers FROM instrument_results WHERE case_id = $1",
            case,
        )
        .await;
        let problem = raw(
            &env,
            "SELECT presenting_problem FROM cases WHERE id = $1",
            case,
        )
        .await;
        let summary = raw(
            &env,
            "SELECT summary FROM contacts WHERE case_id = $1 AND summary IS NOT NULL",
            case,
        )
        .await;
        let need = raw(
            &env,
            "SELECT description FROM needs WHERE case_id = $1",
            case,
        )
        .await;
        let strength = raw(
            &env,
            "SELECT description FROM strengths WHERE case_id = $1",
            case,
        )
        .await;
        for (what, stored, plain) in [
            ("need", &need, "Safety"),
            ("strength", &strength, "Sister"),
            ("presenting problem", &problem, "Afraid"),
            ("contact summary", &summary, "stay tonight"),
            ("note", &sections, "partner reads"),
            ("safe contact", &safe, "Tuesdays"),
            ("identifier", &ident, "1234"),
            ("risk", &risk, "threatened"),
            ("answers", &answers, "[3,"),
        ] {
            assert!(
                stored.starts_with(&format!("enc1:c{client}.1:")),
                "{b:?} {what}: {stored}"
            );
            assert!(
                !stored.contains(plain),
                "{b:?} {what} in the clear: {stored}"
            );
        }
        assert!(
            norm.starts_with("bix1:1:") && !norm.contains("qx771234"),
            "{b:?}: {norm}"
        );
        reads_back(&env, &env.app, client, case, note_id).await;
        // The subject access export opens them.
        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        for (section, field, plain) in [
            ("needs", "description", "Safety plan"),
            ("strengths", "description", "Sister nearby"),
            ("cases", "presenting_problem", PROBLEM),
            ("contacts", "summary", SUMMARY),
        ] {
            let found = sar
                .section(section)
                .expect(section)
                .records
                .iter()
                .flat_map(|r| r.fields.iter())
                .any(|(k, v)| {
                    k == field
                        && *v == casework_store::subject_access::Value::Text(plain.to_string())
                });
            assert!(found, "{b:?}: {section}.{field} not in the export");
        }

        // TOTP secrets are sealed under the master key.
        let e = env.app.start_totp(&env.worker).await.expect("totp");
        let secret = raw(
            &env,
            "SELECT secret FROM user_totp WHERE user_id = $1",
            env.worker.user_id,
        )
        .await;
        assert!(secret.starts_with("enc1:m1:"), "{b:?}: {secret}");
        assert!(!secret.contains(&e.secret.to_base32()), "{b:?}");
        let again = env.app.start_totp(&env.worker).await.expect("same secret");
        assert_eq!(again.secret, e.secret, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_row_or_client_is_refused() {
    on_each_backend(|env, _| async move {
        let b = env.backend;
        let (_, _, first) = sensitive_record(&env, "Rosa Marin").await;
        let (_, _, other_client_note) = sensitive_record(&env, "Ines Duarte").await;
        let stolen = raw(&env, "SELECT sections FROM case_notes WHERE id = $1", first).await;
        sqlx::query("UPDATE case_notes SET sections = $1 WHERE id = $2")
            .bind(&stolen)
            .bind(other_client_note)
            .execute(&mut owner(&env).await)
            .await
            .expect("tamper");
        let err = env.app.note(&env.worker, other_client_note).await.unwrap_err();
        assert_eq!(err.code(), "ciphertext_refused", "{b:?}: {err:?}");
        // The original still reads.
        assert!(env.app.note(&env.worker, first).await.is_ok(), "{b:?}");

        // Within one client: a second note of Rosa's case gets the first one's ciphertext.
        let n2 = env
            .app
            .write_note(&env.worker, case_of(&env, first).await, &note("Second"))
            .await
            .expect("second note");
        sqlx::query("UPDATE case_notes SET sections = $1 WHERE id = $2")
            .bind(&stolen)
            .bind(n2.note.id)
            .execute(&mut owner(&env).await)
            .await
            .expect("tamper");
        let err = env.app.note(&env.worker, n2.note.id).await.unwrap_err();
        assert!(
            matches!(&err, ServiceError::Crypto(c) if c.to_string().contains(&format!("case_notes.sections row {}", n2.note.id))),
            "{b:?}: {err:?}"
        );

        // Into another column: the note body as a safe-contact text.
        let client = client_of(&env, first).await;
        sqlx::query("UPDATE clients SET safe_contact = $1 WHERE id = $2")
            .bind(&stolen)
            .bind(client)
            .execute(&mut owner(&env).await)
            .await
            .expect("tamper");
        let err = env.app.client(&env.worker, client).await.unwrap_err();
        assert_eq!(err.code(), "ciphertext_refused", "{b:?}");

        // Plaintext slipped in without the legacy mark is refused too.
        sqlx::query("UPDATE case_notes SET sections = '{\"body\":\"x\"}' WHERE id = $1")
            .bind(first)
            .execute(&mut owner(&env).await)
            .await
            .expect("tamper");
        let err = env.app.note(&env.worker, first).await.unwrap_err();
        assert_eq!(err.code(), "ciphertext_malformed", "{b:?}");
    })
    .await;
}

async fn case_of(env: &Env, note_id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT case_id FROM case_notes WHERE id = $1")
        .bind(note_id)
        .fetch_one(&mut owner(env).await)
        .await
        .expect("case of note")
}

async fn client_of(env: &Env, note_id: i64) -> i64 {
    let case = case_of(env, note_id).await;
    sqlx::query_scalar::<_, i64>("SELECT client_id FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&mut owner(env).await)
        .await
        .expect("client of case")
}

#[tokio::test]
async fn a_wrong_or_missing_master_key_is_refused_clearly() {
    on_each_backend(|env, url| async move {
        let b = env.backend;
        let (_, _, note_id) = sensitive_record(&env, "Rosa Marin").await;
        // The same version number, another key.
        let wrong = reopen(&env, &url, Keyring::single(new_key())).await;
        let err = wrong.note(&env.worker, note_id).await.unwrap_err();
        assert_eq!(err.code(), "ciphertext_refused", "{b:?}: {err:?}");
        // A keyring without version 1.
        let newer_only = env
            .app
            .keyring()
            .with_new_key(new_key())
            .without(1)
            .expect("v2");
        let missing = reopen(&env, &url, newer_only).await;
        let err = missing.note(&env.worker, note_id).await.unwrap_err();
        assert_eq!(err.code(), "key_unavailable", "{b:?}: {err:?}");
        assert!(
            err.to_string().contains("master key version 1"),
            "{b:?}: {err}"
        );
        wrong.shutdown().await;
        missing.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn rotation_leaves_every_record_readable_then_the_old_key_can_go() {
    on_each_backend(|env, url| async move {
        let b = env.backend;
        let (client, case, note_id) = sensitive_record(&env, "Rosa Marin").await;
        let secret = env.app.start_totp(&env.worker).await.expect("totp").secret;
        // A row from before encryption, as migration 0017 marks it.
        let legacy = env
            .app
            .write_note(&env.worker, case, &note("placeholder"))
            .await
            .expect("note")
            .note
            .id;
        sqlx::query("UPDATE case_notes SET sections = $1 WHERE id = $2")
            .bind("legacy:{\"body\":\"Written before encryption\"}")
            .bind(legacy)
            .execute(&mut owner(&env).await)
            .await
            .expect("legacy row");
        let read = env
            .app
            .note(&env.worker, legacy)
            .await
            .expect("legacy reads");
        assert_eq!(
            read.note.section("body"),
            Some("Written before encryption"),
            "{b:?}"
        );
        // The presenting problem and contact summaries, as migration 0020 marks them.
        let mut o = owner(&env).await;
        sqlx::query("UPDATE cases SET presenting_problem = $1 WHERE id = $2")
            .bind(format!("legacy:{PROBLEM}"))
            .bind(case)
            .execute(&mut o)
            .await
            .expect("legacy problem");
        sqlx::query("UPDATE contacts SET summary = $1 WHERE case_id = $2 AND summary IS NOT NULL")
            .bind(format!("legacy:{SUMMARY}"))
            .bind(case)
            .execute(&mut o)
            .await
            .expect("legacy summary");
        sqlx::query("UPDATE needs SET description = 'legacy:Safety plan' WHERE case_id = $1")
            .bind(case)
            .execute(&mut o)
            .await
            .expect("legacy need");
        drop(o);
        reads_back(&env, &env.app, client, case, note_id).await;

        // The operator adds version 2 and rotates while the old server keeps running.
        let both = env.app.keyring().with_new_key(new_key());
        let rotating = reopen(&env, &url, both.clone()).await;
        let options = RotateOptions {
            data_keys: false,
            batch: 2,
        };
        let report = rotating.rotate_keys(options).await.expect("rotate");
        assert_eq!(report.keys_rewrapped, 1, "{b:?}: {report:?}");
        assert_eq!(report.legacy_sealed, 4, "{b:?}: {report:?}");
        for sql in [
            "SELECT description FROM needs WHERE case_id = $1",
            "SELECT presenting_problem FROM cases WHERE id = $1",
            "SELECT summary FROM contacts WHERE case_id = $1 AND summary IS NOT NULL",
        ] {
            let stored = raw(&env, sql, case).await;
            assert!(
                stored.starts_with(&format!("enc1:c{client}.1:")),
                "{b:?} {sql}: {stored}"
            );
        }
        let status = rotating.key_status().await.expect("status");
        assert_eq!(
            status.data_keys_by_master.keys().collect::<Vec<_>>(),
            [&2],
            "{b:?}: {status:?}"
        );
        assert_eq!(
            status.values_by_master.keys().collect::<Vec<_>>(),
            [&2],
            "{b:?}: {status:?}"
        );
        assert_eq!(
            status.indexes_by_master.keys().collect::<Vec<_>>(),
            [&2],
            "{b:?}: {status:?}"
        );
        assert_eq!(status.legacy, 0, "{b:?}");
        // Running it again finds nothing left to do.
        let again = rotating.rotate_keys(options).await.expect("again");
        assert_eq!(again, Default::default(), "{b:?}");

        // Version 1 removed: everything still reads, identifier search still finds the client.
        let new_only = both.without(1).expect("v2 only");
        let after = reopen(&env, &url, new_only.clone()).await;
        reads_back(&env, &after, client, case, note_id).await;
        let read = after
            .note(&env.worker, legacy)
            .await
            .expect("legacy now sealed");
        assert_eq!(
            read.note.section("body"),
            Some("Written before encryption"),
            "{b:?}"
        );
        assert_eq!(
            after.start_totp(&env.worker).await.expect("totp").secret,
            secret,
            "{b:?}"
        );

        // Fresh data keys: every field re-sealed under version 2 of each client's key.
        env.clock.advance_ms(60_000);
        let report = after
            .rotate_keys(RotateOptions {
                data_keys: true,
                batch: 3,
            })
            .await
            .expect("rotate data keys");
        assert!(
            report.keys_issued == 1 && report.values_resealed >= 6,
            "{b:?}: {report:?}"
        );
        let status = after.key_status().await.expect("status");
        assert_eq!(
            status.values_by_data_key.keys().collect::<Vec<_>>(),
            [&2],
            "{b:?}: {status:?}"
        );
        assert_eq!(report.keys_retired, report.keys_issued, "{b:?}: {report:?}");
        reads_back(&env, &after, client, case, note_id).await;
        let sections = raw(
            &env,
            "SELECT sections FROM case_notes WHERE id = $1",
            note_id,
        )
        .await;
        assert!(
            sections.starts_with(&format!("enc1:c{client}.2:")),
            "{b:?}: {sections}"
        );
        rotating.shutdown().await;
        after.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_destroyed_client_key_leaves_that_client_unreadable_and_others_untouched() {
    on_each_backend(|env, _| async move {
        let b = env.backend;
        let (client, _, note_id) = sensitive_record(&env, "Rosa Marin").await;
        let (_, _, other_note) = sensitive_record(&env, "Ines Duarte").await;
        let mut tx = env
            .app
            .store()
            .begin_write(casework_store::Wall::System)
            .await
            .expect("tx");
        let destroyed = casework_store::client_key::destroy(
            &mut tx,
            env.app.vault(),
            env.worker.agency_id,
            client,
            NOW,
        )
        .await
        .expect("destroy");
        casework_store::commit(tx).await.expect("commit");
        assert_eq!(destroyed, 1, "{b:?}");
        let err = env.app.note(&env.worker, note_id).await.unwrap_err();
        assert_eq!(err.code(), "record_erased", "{b:?}: {err:?}");
        let err = env.app.client(&env.worker, client).await.unwrap_err();
        assert_eq!(err.code(), "record_erased", "{b:?}");
        // Nothing new can be sealed for an erased client either.
        let case = case_of(&env, note_id).await;
        let err = env
            .app
            .write_note(&env.worker, case, &note("more"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "record_erased", "{b:?}");
        assert!(env.app.note(&env.worker, other_note).await.is_ok(), "{b:?}");
        let status = env.app.key_status().await.expect("status");
        assert_eq!(status.data_keys_destroyed, 1, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn termination_texts_are_sealed_read_back_rotated_and_exported() {
    use super::termination::{in_termination, termination_form};
    on_each_backend(|env, _| async move {
        let b = env.backend;
        let (case, _) = in_termination(&env, false, &[30]).await;
        let client = client_of_case(&env, case).await;
        let form = termination_form();
        let t = env
            .app
            .save_termination(&env.worker, case, 0, &form)
            .await
            .expect("draft");
        assert_eq!(t.growth, form.growth, "{b:?}: the saved row comes back in the clear");
        // Rewritten (the update path), then read back.
        let mut edited = termination_form();
        edited.aftercare_plan = Some("Weekly call with the tenancy officer".into());
        env.app
            .save_termination(&env.worker, case, t.version, &edited)
            .await
            .expect("edit");
        let column = |c: &str| format!("SELECT {c} FROM terminations WHERE case_id = $1");
        for (c, plain) in [
            ("closing_summary", "Housed since March"),
            ("growth", "monthly budget"),
            ("aftercare_plan", "tenancy officer"),
        ] {
            let stored = raw(&env, &column(c), case).await;
            assert!(
                stored.starts_with(&format!("enc1:c{client}.1:")) && !stored.contains(plain),
                "{b:?} {c}: {stored}"
            );
        }
        let view = env
            .app
            .termination(&env.worker, case)
            .await
            .expect("termination");
        let current = view.current.expect("current");
        assert_eq!(current.closing_summary, form.closing_summary, "{b:?}");
        assert_eq!(current.aftercare_plan, edited.aftercare_plan, "{b:?}");

        // A value from before 0020 reads, and rotation seals it.
        sqlx::query("UPDATE terminations SET growth = 'legacy:Cooks for the family again' WHERE case_id = $1")
            .bind(case)
            .execute(&mut owner(&env).await)
            .await
            .expect("legacy");
        let view = env.app.termination(&env.worker, case).await.expect("legacy reads");
        assert_eq!(
            view.current.and_then(|t| t.growth).as_deref(),
            Some("Cooks for the family again"),
            "{b:?}"
        );
        let report = seal_legacy(&env).await;
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        let stored = raw(&env, &column("growth"), case).await;
        assert!(stored.starts_with("enc1:") && !stored.contains("Cooks"), "{b:?}: {stored}");

        // Handed in, the guard sees the summary through the seal; the export opens it.
        let t = env
            .app
            .termination(&env.worker, case)
            .await
            .expect("termination")
            .current
            .expect("current");
        env.app
            .submit_termination(&env.worker, case, t.version)
            .await
            .expect("submit");
        let facts = env.app.case(&env.worker, case, None).await.expect("case");
        assert!(
            !facts.unmet.contains(&casework_domain::stage::Unmet::NoClosingSummary),
            "{b:?}: {:?}",
            facts.unmet
        );
        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        let texts: Vec<_> = sar
            .section("terminations")
            .expect("terminations")
            .records
            .iter()
            .flat_map(|r| r.fields.iter())
            .filter(|(k, _)| k == "aftercare_plan" || k == "growth")
            .map(|(_, v)| v.clone())
            .collect();
        use casework_store::subject_access::Value;
        assert_eq!(
            texts,
            vec![
                Value::Text("Cooks for the family again".into()),
                Value::Text("Weekly call with the tenancy officer".into())
            ],
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn follow_up_findings_are_sealed_read_back_rotated_and_exported() {
    use super::termination::{check_in, forward, in_termination, termination_form};
    on_each_backend(|env, _| async move {
        let b = env.backend;
        let (case, v) = in_termination(&env, false, &[30, 90]).await;
        let client = client_of_case(&env, case).await;
        let t = env
            .app
            .save_termination(&env.worker, case, 0, &termination_form())
            .await
            .expect("draft");
        env.app
            .submit_termination(&env.worker, case, t.version)
            .await
            .expect("submit");
        env.app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("to follow-up");
        let items = env
            .app
            .follow_ups(&env.worker, case, None, None)
            .await
            .expect("list")
            .follow_ups
            .items;
        let mut form = check_in("held");
        form.comment = Some("Back at work three days a week".into());
        let done = env
            .app
            .complete_follow_up(&env.worker, items[0].id, items[0].version, &form)
            .await
            .expect("done");
        assert_eq!(
            done.comment, form.comment,
            "{b:?}: the written row comes back in the clear"
        );
        let column = |c: &str| format!("SELECT {c} FROM follow_ups WHERE id = $1");
        for (c, plain) in [
            ("new_needs", "Childcare"),
            ("referrals", "Family centre"),
            ("comment", "Back at work"),
        ] {
            let stored = raw(&env, &column(c), done.id).await;
            assert!(
                stored.starts_with(&format!("enc1:c{client}.1:")) && !stored.contains(plain),
                "{b:?} {c}: {stored}"
            );
        }
        let listed = env
            .app
            .follow_ups(&env.worker, case, None, None)
            .await
            .expect("list")
            .follow_ups
            .items;
        assert_eq!(listed[0].new_needs, form.new_needs, "{b:?}");
        assert_eq!(listed[0].referrals, form.referrals, "{b:?}");
        let page = env
            .app
            .case_page(&env.worker, case, None)
            .await
            .expect("case page");
        assert_eq!(
            page.follow_ups.follow_ups.items[0].comment, form.comment,
            "{b:?}: the case page opens them too"
        );

        // A value from before 0024 reads, and rotation seals it.
        sqlx::query(
            "UPDATE follow_ups SET referrals = 'legacy:Food bank on Elm Street' WHERE id = $1",
        )
        .bind(done.id)
        .execute(&mut owner(&env).await)
        .await
        .expect("legacy");
        let listed = env
            .app
            .follow_ups(&env.worker, case, None, None)
            .await
            .expect("legacy reads")
            .follow_ups
            .items;
        assert_eq!(
            listed[0].referrals.as_deref(),
            Some("Food bank on Elm Street"),
            "{b:?}"
        );
        let report = seal_legacy(&env).await;
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        let stored = raw(&env, &column("referrals"), done.id).await;
        assert!(
            stored.starts_with("enc1:") && !stored.contains("Elm"),
            "{b:?}: {stored}"
        );

        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        use casework_store::subject_access::Value;
        let texts: Vec<_> = sar
            .section("follow_ups")
            .expect("follow_ups")
            .records
            .iter()
            .flat_map(|r| r.fields.iter())
            .filter(|(k, _)| k == "referrals" || k == "comment")
            .map(|(_, v)| v.clone())
            .collect();
        assert_eq!(
            texts,
            vec![
                Value::Text("Food bank on Elm Street".into()),
                Value::Text("Back at work three days a week".into()),
                Value::Null,
                Value::Null,
            ],
            "{b:?}"
        );
    })
    .await;
}
