use super::*;
use crate::security::SignInStep;
use crate::ServiceError;

fn code_now(env: &Env, secret: &casework_domain::totp::TotpSecret) -> Secret {
    Secret::new(secret.code_at(env.app.now_ms() / 1000))
}

/// Wanda enrols and confirms; returns her secret and recovery codes.
async fn enrol(env: &Env) -> (casework_domain::totp::TotpSecret, Vec<String>) {
    let e = env.app.start_totp(&env.worker).await.expect("start");
    // Starting again before confirming shows the same secret.
    let again = env.app.start_totp(&env.worker).await.expect("again");
    assert_eq!(again.secret, e.secret);
    let codes = env
        .app
        .confirm_totp(&env.worker, &code_now(env, &e.secret))
        .await
        .expect("confirm");
    (e.secret, codes.0)
}

async fn password_step(env: &Env, email: &str) -> SignInStep {
    env.app
        .begin_sign_in(
            email,
            &Secret::new(PASSWORD),
            "10.0.0.9",
            Some("Firefox on Linux"),
        )
        .await
        .expect("password accepted")
}

#[tokio::test]
async fn enrolment_needs_a_correct_code_and_gives_ten_recovery_codes() {
    each_backend(|env| async move {
        let b = env.backend;
        let e = env.app.start_totp(&env.worker).await.expect("start");
        assert!(e.uri.starts_with("otpauth://totp/Casework:wanda@example.org?secret="));
        assert!(format!("{e:?}").contains("redacted"));
        let status = env.app.totp_status(&env.worker).await.expect("status");
        assert!(status.pending && !status.enabled, "{b:?}");
        let wrong = env.app.confirm_totp(&env.worker, &Secret::new("000000")).await;
        assert!(
            matches!(&wrong, Err(ServiceError::Invalid(i)) if i.field == "code" && i.code == "code_wrong"),
            "{b:?}: {wrong:?}"
        );
        let codes = env
            .app
            .confirm_totp(&env.worker, &code_now(&env, &e.secret))
            .await
            .expect("confirm");
        assert_eq!(codes.0.len(), 10, "{b:?}");
        let status = env.app.totp_status(&env.worker).await.expect("status");
        assert!(status.enabled && !status.pending, "{b:?}");
        assert_eq!(status.recovery_codes_left, 10);
        assert!(matches!(
            env.app.start_totp(&env.worker).await,
            Err(ServiceError::Duplicate("totp"))
        ));
        let entries = log(&env).await;
        for action in ["totp.enrol", "totp.confirm"] {
            assert!(entries.iter().any(|x| x.action == action), "{b:?}: {action}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_enrolled_user_signs_in_with_password_then_code() {
    each_backend(|env| async move {
        let b = env.backend;
        let (secret, _) = enrol(&env).await;
        env.clock.advance_ms(60_000);
        let SignInStep::Code(pending) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}: a code should be asked for");
        };
        // The pending state is not a session: it grants nothing else.
        assert!(matches!(
            env.app.session(&pending).await,
            Err(ServiceError::Unauthenticated)
        ));
        let p = env.app.pending_sign_in(&pending).await.expect("pending");
        assert_eq!(p.purpose, "code");
        let s = env
            .app
            .finish_sign_in(&pending, &code_now(&env, &secret), "10.0.0.9", None)
            .await
            .expect("code accepted");
        assert!(env.app.session(&s.token).await.is_ok(), "{b:?}");
        // The pending state is spent.
        assert!(env.app.pending_sign_in(&pending).await.is_err(), "{b:?}");
        // The tools' sign_in refuses an account that needs a second step.
        assert!(matches!(
            env.app
                .sign_in("wanda@example.org", &Secret::new(PASSWORD), "10.0.0.9")
                .await,
            Err(ServiceError::Unauthenticated)
        ));
    })
    .await;
}

#[tokio::test]
async fn wrong_codes_are_refused_audited_and_lock_the_account() {
    each_backend(|env| async move {
        let b = env.backend;
        let (secret, _) = enrol(&env).await;
        env.clock.advance_ms(60_000);
        let SignInStep::Code(pending) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}: code step");
        };
        let right = secret.code_at(env.app.now_ms() / 1000);
        let wrong = if right == "123456" {
            "654321"
        } else {
            "123456"
        };
        for _ in 0..5 {
            let e = env
                .app
                .finish_sign_in(&pending, &Secret::new(wrong), "10.0.0.9", None)
                .await;
            assert!(
                matches!(&e, Err(ServiceError::Invalid(i)) if i.code == "code_wrong"),
                "{b:?}: {e:?}"
            );
        }
        // Five wrong codes: locked, even for the right one.
        let e = env
            .app
            .finish_sign_in(&pending, &Secret::new(right.clone()), "10.0.0.9", None)
            .await;
        assert!(
            matches!(e, Err(ServiceError::Throttled { .. })),
            "{b:?}: {e:?}"
        );
        let entries = log(&env).await;
        let refusals = entries
            .iter()
            .filter(|x| x.action == "session.second_factor" && x.outcome == "denied")
            .count();
        assert_eq!(refusals, 5, "{b:?}");
        // The admin sees the lock and lifts it; that is audited.
        let locks = env
            .app
            .locks(
                &env.admin,
                &[(env.worker.user_id, "wanda@example.org".into())],
            )
            .await
            .expect("locks");
        assert_eq!(locks.len(), 1, "{b:?}");
        assert!(locks[0].locked_until > env.app.now_ms());
        env.app
            .unlock_user(&env.admin, env.worker.user_id)
            .await
            .expect("unlock");
        assert!(env
            .app
            .locks(
                &env.admin,
                &[(env.worker.user_id, "wanda@example.org".into())]
            )
            .await
            .expect("locks")
            .is_empty());
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|x| x.action == "user.unlock"
                && x.record_id == Some(env.worker.user_id)
                && x.actor_user_id == Some(env.admin.user_id)),
            "{b:?}"
        );
        // A caseworker may not unlock, and the refusal is audited.
        assert!(matches!(
            env.app.unlock_user(&env.worker2, env.worker.user_id).await,
            Err(ServiceError::Forbidden)
        ));
        let entries = log(&env).await;
        assert!(
            entries
                .iter()
                .any(|x| x.action == "user.unlock" && x.outcome == "denied"),
            "{b:?}"
        );
        let s = env
            .app
            .finish_sign_in(&pending, &Secret::new(right.clone()), "10.0.0.9", None)
            .await;
        assert!(s.is_ok(), "{b:?}: unlocked: {s:?}");
    })
    .await;
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, codes) = enrol(&env).await;
        let SignInStep::Code(pending) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}");
        };
        let code = codes[3].to_uppercase();
        env.app
            .finish_sign_in(&pending, &Secret::new(code.clone()), "10.0.0.9", None)
            .await
            .expect("recovery code accepted");
        let SignInStep::Code(pending) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}");
        };
        let again = env
            .app
            .finish_sign_in(&pending, &Secret::new(code), "10.0.0.9", None)
            .await;
        assert!(
            matches!(again, Err(ServiceError::Invalid(_))),
            "{b:?}: spent"
        );
        let status = env.app.totp_status(&env.worker).await.expect("status");
        assert_eq!(status.recovery_codes_left, 9, "{b:?}");
        assert!(log(&env)
            .await
            .iter()
            .any(|x| x.action == "session.recovery_code_used"));
    })
    .await;
}

#[tokio::test]
async fn a_role_that_requires_mfa_is_sent_to_enrolment_first() {
    each_backend(|env| async move {
        let b = env.backend;
        let s = env.app.security_settings(&env.admin).await.expect("read");
        assert_eq!(s.version, 0);
        // A stale version is refused, an unknown role names the field.
        assert!(matches!(
            env.app
                .update_security_settings(&env.admin, 3, &["caseworker".into()])
                .await,
            Err(ServiceError::Stale)
        ));
        assert!(matches!(
            env.app
                .update_security_settings(&env.admin, 0, &["wizard".into()])
                .await,
            Err(ServiceError::Invalid(i)) if i.field == "mfa_roles"
        ));
        assert!(matches!(
            env.app
                .update_security_settings(&env.worker, 0, &["caseworker".into()])
                .await,
            Err(ServiceError::Forbidden)
        ));
        let saved = env
            .app
            .update_security_settings(&env.admin, 0, &["caseworker".into()])
            .await
            .expect("save");
        assert_eq!(saved.version, 1, "{b:?}");
        assert!(saved.mfa_roles.requires(casework_domain::Role::Caseworker));
        assert!(log(&env)
            .await
            .iter()
            .any(|x| x.action == "agency.security_update"));

        let SignInStep::Enrol(pending) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}: enrolment should be required");
        };
        assert!(env.app.session(&pending).await.is_err(), "{b:?}");
        // A code step is not possible from here.
        assert!(env
            .app
            .finish_sign_in(&pending, &Secret::new("123456"), "10.0.0.9", None)
            .await
            .is_err());
        let e = env.app.pending_enrolment(&pending).await.expect("secret");
        let (s, codes) = env
            .app
            .finish_enrolment(&pending, &code_now(&env, &e.secret), "10.0.0.9", None)
            .await
            .expect("enrolled and signed in");
        assert_eq!(codes.0.len(), 10);
        assert!(env.app.session(&s.token).await.is_ok(), "{b:?}");
        // Other roles are not affected.
        assert!(matches!(
            password_step(&env, "sue@example.org").await,
            SignInStep::Done(_)
        ));
    })
    .await;
}

#[tokio::test]
async fn totp_is_disabled_with_a_code_or_reset_by_an_admin() {
    each_backend(|env| async move {
        let b = env.backend;
        let (secret, _) = enrol(&env).await;
        env.clock.advance_ms(60_000);
        assert!(matches!(
            env.app.disable_totp(&env.worker, &Secret::new("12")).await,
            Err(ServiceError::Invalid(_))
        ));
        env.app
            .disable_totp(&env.worker, &code_now(&env, &secret))
            .await
            .expect("disable");
        assert!(!env.app.totp_status(&env.worker).await.expect("s").enabled);
        let (_, _) = enrol(&env).await;
        assert!(matches!(
            env.app.reset_totp(&env.worker2, env.worker.user_id).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            env.app.reset_totp(&env.admin, env.stranger.user_id).await,
            Err(ServiceError::NotFound)
        ));
        env.app
            .reset_totp(&env.admin, env.worker.user_id)
            .await
            .expect("reset");
        assert!(matches!(
            password_step(&env, "wanda@example.org").await,
            SignInStep::Done(_)
        ));
        let entries = log(&env).await;
        assert!(entries.iter().any(|x| x.action == "totp.disable"), "{b:?}");
        assert!(
            entries.iter().any(|x| x.action == "totp.reset"
                && x.outcome == "allowed"
                && x.record_id == Some(env.worker.user_id)),
            "{b:?}"
        );
        assert!(entries
            .iter()
            .any(|x| x.action == "totp.reset" && x.outcome == "denied"));
    })
    .await;
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_one_by_one() {
    each_backend(|env| async move {
        let b = env.backend;
        let SignInStep::Done(one) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}");
        };
        let SignInStep::Done(two) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}");
        };
        let list = env
            .app
            .my_sessions(&env.worker, Some(&one.session_id))
            .await
            .expect("list");
        assert_eq!(list.len(), 2, "{b:?}");
        assert!(list
            .iter()
            .all(|s| s.user_agent.as_deref() == Some("Firefox on Linux")));
        assert_eq!(list.iter().filter(|s| s.current).count(), 1);
        assert!(list.iter().all(|s| !s.id.contains(one.token.expose())));
        // Someone else's session id is unknown to me.
        assert!(matches!(
            env.app.revoke_session(&env.worker2, &two.session_id).await,
            Err(ServiceError::NotFound)
        ));
        env.app
            .revoke_session(&env.worker, &two.session_id)
            .await
            .expect("revoke");
        assert!(env.app.session(&two.token).await.is_err(), "{b:?}");
        assert!(env.app.session(&one.token).await.is_ok(), "{b:?}");
        assert!(log(&env).await.iter().any(|x| x.action == "session.revoke"));
    })
    .await;
}

#[tokio::test]
async fn a_password_change_checks_the_old_one_and_the_rules_and_ends_other_sessions() {
    each_backend(|env| async move {
        let b = env.backend;
        let SignInStep::Done(here) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}");
        };
        let SignInStep::Done(there) = password_step(&env, "wanda@example.org").await else {
            panic!("{b:?}");
        };
        let new = Secret::new("quiet harbour lantern ninety");
        let wrong = env
            .app
            .change_password(
                &env.worker,
                Some(here.session_id.as_str()),
                &Secret::new("nope"),
                &new,
            )
            .await;
        assert!(
            matches!(&wrong, Err(ServiceError::Invalid(i)) if i.field == "current_password"),
            "{b:?}: {wrong:?}"
        );
        for (raw, code) in [
            ("short", "password_too_short"),
            ("password1234", "password_common"),
            ("wanda@example.org", "password_too_weak"),
        ] {
            let e = env
                .app
                .change_password(
                    &env.worker,
                    Some(here.session_id.as_str()),
                    &Secret::new(PASSWORD),
                    &Secret::new(raw),
                )
                .await
                .unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                (code, Some("password")),
                "{b:?}: {raw}"
            );
        }
        env.app
            .change_password(
                &env.worker,
                Some(here.session_id.as_str()),
                &Secret::new(PASSWORD),
                &new,
            )
            .await
            .expect("change");
        assert!(env.app.session(&here.token).await.is_ok(), "{b:?}: kept");
        assert!(env.app.session(&there.token).await.is_err(), "{b:?}: ended");
        assert!(env
            .app
            .sign_in("wanda@example.org", &new, "10.0.0.3")
            .await
            .is_ok());
        assert!(log(&env)
            .await
            .iter()
            .any(|x| x.action == "user.password_change"));
    })
    .await;
}

#[tokio::test]
async fn new_users_get_the_password_rule_with_their_own_details() {
    each_backend(|env| async move {
        let form = crate::admin::UserForm {
            email: "new.person@example.org".into(),
            display_name: "New Person".into(),
            role: "caseworker".into(),
            team_id: None,
            password: Secret::new("new.person@example.org"),
            locale: "en".into(),
        };
        let e = env
            .app
            .create_user(Some(&env.admin), env.admin.agency_id, &form)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "password_too_weak", "{:?}", env.backend);
        assert!(matches!(&e, ServiceError::WeakPassword(h) if !h.is_empty()));
        assert!(env
            .app
            .user_by_email("new.person@example.org")
            .await
            .is_err());
    })
    .await;
}
