//! A running service takes a new master key without a restart, refuses a keyring that would
//! strand stored data, and rotates to the newest key by itself, one process at a time.

use super::encryption::{note, on_each_backend, owner, raw, reads_back, reopen, sensitive_record};
use super::*;
use crate::keys::{new_key, BackgroundRotation, KeyringRefused};
use casework_domain::client::IdentifierForm;
use casework_domain::crypto::Keyring;

const WRAPPED: &str = "SELECT wrapped FROM client_keys WHERE client_id = $1";
const TOTP: &str = "SELECT secret FROM user_totp WHERE user_id = $1";
const INDEX: &str = "SELECT value_norm FROM client_identifiers WHERE client_id = $1";

/// A client registered now, with one identifier: its id.
async fn new_client(env: &Env, name: &str, ident: &str) -> i64 {
    let mut f = client_form(name, Some("1990-05-06"));
    f.identifiers.push(IdentifierForm {
        kind: "medicaid".into(),
        value: ident.into(),
    });
    let c = env
        .app
        .register_client(&env.intake, &f, &Default::default())
        .await
        .expect("register");
    c.id
}

#[tokio::test]
async fn a_new_key_version_without_restart_seals_new_writes_under_it_and_old_ones_still_read() {
    on_each_backend(|env, _url| async move {
        let b = env.backend;
        let (client, case, note_id) = sensitive_record(&env, "Rosa Marin").await;
        assert!(raw(&env, WRAPPED, client).await.starts_with("enc1:m1:"));

        let change = env
            .app
            .replace_keyring(env.app.keyring().with_new_key(new_key()))
            .await
            .expect("reload");
        assert!(change.changed(), "{b:?}");
        assert_eq!(change.after, [1, 2], "{b:?}");
        assert_eq!(env.app.keyring().newest().0, 2, "{b:?}");

        // New writes: a new client's data key, a TOTP secret and a blind index, all version 2.
        let fresh = new_client(&env, "Ana Ruiz", "ZZ-11 2222").await;
        let wrapped = raw(&env, WRAPPED, fresh).await;
        assert!(wrapped.starts_with("enc1:m2:"), "{b:?}: {wrapped}");
        assert!(
            raw(&env, INDEX, fresh).await.starts_with("bix1:2:"),
            "{b:?}"
        );
        env.app.start_totp(&env.worker2).await.expect("totp");
        let totp = raw(&env, TOTP, env.worker2.user_id).await;
        assert!(totp.starts_with("enc1:m2:"), "{b:?}: {totp}");

        // Old ones still read (identifier search tries every version), and so do new ones.
        reads_back(&env, &env.app, client, case, note_id).await;
        let n = env
            .app
            .write_note(&env.worker, case, &note("After the reload"))
            .await
            .expect("write");
        let read = env.app.note(&env.worker, n.note.id).await.expect("read");
        assert_eq!(read.note.section("body"), Some("After the reload"), "{b:?}");
        assert_eq!(
            env.app
                .client(&env.intake, fresh)
                .await
                .expect("fresh")
                .identifiers[0]
                .value,
            "ZZ-11 2222"
        );
    })
    .await;
}

#[tokio::test]
async fn a_reload_that_would_strand_data_or_change_a_key_keeps_the_keys_in_use() {
    on_each_backend(|env, _url| async move {
        let b = env.backend;
        let (client, case, note_id) = sensitive_record(&env, "Rosa Marin").await;
        let before = env.app.keyring();

        // Version 1 dropped while data still uses it.
        let only_new = Keyring::single(new_key())
            .with_new_key(new_key())
            .without(1);
        let r = env.app.replace_keyring(only_new.expect("v2")).await;
        assert!(
            matches!(r, Err(KeyringRefused::VersionInUse(1))),
            "{b:?}: {r:?}"
        );
        // Version 1 with another key.
        let r = env
            .app
            .replace_keyring(Keyring::single(new_key()).with_new_key(new_key()))
            .await;
        assert!(
            matches!(r, Err(KeyringRefused::KeyChanged(1))),
            "{b:?}: {r:?}"
        );
        assert!(
            !format!("{r:?}").contains(&before.newest().1.to_base64()),
            "no key material"
        );

        assert_eq!(*env.app.keyring(), *before, "{b:?}");
        let fresh = new_client(&env, "Ana Ruiz", "ZZ-11 2222").await;
        assert!(raw(&env, WRAPPED, fresh).await.starts_with("enc1:m1:"));
        reads_back(&env, &env.app, client, case, note_id).await;
    })
    .await;
}

#[tokio::test]
async fn the_background_rotation_leaves_nothing_under_the_old_version() {
    on_each_backend(|env, _url| async move {
        let b = env.backend;
        let (client, case, note_id) = sensitive_record(&env, "Rosa Marin").await;
        let secret = env.app.start_totp(&env.worker).await.expect("totp").secret;
        new_client(&env, "Ana Ruiz", "ZZ-11 2222").await;
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

        // Nothing to do while every value is under the newest key... except the legacy row.
        let both = env.app.keyring().with_new_key(new_key());
        env.app.replace_keyring(both.clone()).await.expect("reload");
        let r = env
            .app
            .rotate_keys_if_due("serve-a", 2)
            .await
            .expect("rotate");
        let BackgroundRotation::Ran(report) = r else {
            panic!("{b:?}: did not run: {r:?}");
        };
        assert_eq!(report.keys_rewrapped, 2, "{b:?}: {report:?}");
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        let status = env.app.key_status().await.expect("status");
        assert_eq!(
            status.master_versions().into_iter().collect::<Vec<_>>(),
            [2],
            "{b:?}: {status:?}"
        );
        assert_eq!(status.legacy, 0, "{b:?}");
        assert_eq!(
            env.app
                .rotate_keys_if_due("serve-a", 2)
                .await
                .expect("again"),
            BackgroundRotation::NothingToDo,
            "{b:?}"
        );

        // Version 1 may go now; everything still reads with version 2 alone.
        env.app
            .replace_keyring(both.without(1).expect("v2"))
            .await
            .expect("version 1 no longer used");
        reads_back(&env, &env.app, client, case, note_id).await;
        let read = env.app.note(&env.worker, legacy).await.expect("legacy");
        assert_eq!(
            read.note.section("body"),
            Some("Written before encryption"),
            "{b:?}"
        );
        assert_eq!(
            env.app.start_totp(&env.worker).await.expect("totp").secret,
            secret,
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn only_the_process_holding_the_claim_rotates() {
    on_each_backend(|env, url| async move {
        let b = env.backend;
        for i in 0..4 {
            new_client(&env, &format!("Client Number{i}"), &format!("AB-{i} 0000")).await;
        }
        let both = env.app.keyring().with_new_key(new_key());
        env.app.replace_keyring(both.clone()).await.expect("reload");

        // Another process holds the claim: this one leaves the data alone.
        let mut tx = env
            .app
            .store()
            .begin_write(casework_store::Wall::System)
            .await
            .expect("tx");
        let held = casework_store::retention::claim(
            &mut tx,
            crate::keys::ROTATION_JOB,
            "serve-other",
            NOW,
            NOW + 60_000,
        )
        .await
        .expect("claim");
        casework_store::commit(tx).await.expect("commit");
        assert!(held, "{b:?}");
        assert_eq!(
            env.app.rotate_keys_if_due("serve-a", 1).await.expect("try"),
            BackgroundRotation::HeldElsewhere,
            "{b:?}"
        );
        let status = env.app.key_status().await.expect("status");
        assert_eq!(status.data_keys_by_master.get(&1), Some(&4), "{b:?}");

        // The lease runs out; two processes try at once: one runs, the other does not.
        env.clock.advance_ms(60_000);
        let other = reopen(&env, &url, both).await;
        let (x, y) = tokio::join!(
            env.app.rotate_keys_if_due("serve-a", 1),
            other.rotate_keys_if_due("serve-b", 1)
        );
        let outcomes = [x.expect("a"), y.expect("b")];
        let ran: Vec<_> = outcomes
            .iter()
            .filter_map(|o| match o {
                BackgroundRotation::Ran(r) => Some(r.keys_rewrapped),
                _ => None,
            })
            .collect();
        assert_eq!(ran, [4], "{b:?}: {outcomes:?}");
        assert!(
            outcomes.iter().all(|o| matches!(
                o,
                BackgroundRotation::Ran(_)
                    | BackgroundRotation::HeldElsewhere
                    | BackgroundRotation::NothingToDo
            )),
            "{b:?}: {outcomes:?}"
        );
        let status = env.app.key_status().await.expect("status");
        assert_eq!(
            status.master_versions().into_iter().collect::<Vec<_>>(),
            [2],
            "{b:?}"
        );
        other.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_process_without_the_newest_key_leaves_rotation_alone() {
    on_each_backend(|env, url| async move {
        let b = env.backend;
        new_client(&env, "Ana Ruiz", "ZZ-11 2222").await;
        let both = env.app.keyring().with_new_key(new_key());
        let ahead = reopen(&env, &url, both).await;
        assert!(matches!(
            ahead.rotate_keys_if_due("serve-b", 10).await,
            Ok(BackgroundRotation::Ran(_))
        ));
        // The first process has not reloaded yet: it neither fails nor undoes anything.
        assert_eq!(
            env.app
                .rotate_keys_if_due("serve-a", 10)
                .await
                .expect("try"),
            BackgroundRotation::NewerKeysElsewhere(2),
            "{b:?}"
        );
        ahead.shutdown().await;
    })
    .await;
}
