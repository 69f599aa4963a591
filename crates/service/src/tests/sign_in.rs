use super::*;
use crate::ServiceError;

#[tokio::test]
async fn sessions_expire_when_idle_and_sign_out_everywhere_ends_them() {
    each_backend(|env| async move {
        let b = env.backend;
        let s = env
            .app
            .sign_in("wanda@example.org", &Secret::new(PASSWORD), "127.0.0.1")
            .await
            .expect("sign in");
        assert!(env.app.session(&s.token).await.is_ok(), "{b:?}");
        env.clock.advance_ms(31 * 60 * 1000);
        assert!(
            matches!(
                env.app.session(&s.token).await,
                Err(ServiceError::Unauthenticated)
            ),
            "{b:?}: idle timeout"
        );
        let s1 = env
            .app
            .sign_in("wanda@example.org", &Secret::new(PASSWORD), "127.0.0.1")
            .await
            .expect("again");
        let s2 = env
            .app
            .sign_in("wanda@example.org", &Secret::new(PASSWORD), "127.0.0.2")
            .await
            .expect("again");
        env.app
            .sign_out_everywhere(&env.worker)
            .await
            .expect("everywhere");
        for s in [s1, s2] {
            assert!(env.app.session(&s.token).await.is_err(), "{b:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn failed_sign_ins_lock_the_account_for_a_while() {
    each_backend(|env| async move {
        let b = env.backend;
        for _ in 0..5 {
            let e = env
                .app
                .sign_in(
                    "wanda@example.org",
                    &Secret::new("wrong password!!"),
                    "10.0.0.1",
                )
                .await;
            assert!(
                matches!(e, Err(ServiceError::BadCredentials)),
                "{b:?}: {e:?}"
            );
        }
        let locked = env
            .app
            .sign_in("wanda@example.org", &Secret::new(PASSWORD), "10.0.0.1")
            .await;
        assert!(
            matches!(locked, Err(ServiceError::Throttled { .. })),
            "{b:?}: {locked:?}"
        );
        env.clock.advance_ms(16 * 60 * 1000);
        assert!(
            env.app
                .sign_in("wanda@example.org", &Secret::new(PASSWORD), "10.0.0.1")
                .await
                .is_ok(),
            "{b:?}: lock expires"
        );
        // Unknown accounts answer exactly like a wrong password.
        assert!(
            matches!(
                env.app
                    .sign_in("nobody@example.org", &Secret::new(PASSWORD), "10.0.0.1")
                    .await,
                Err(ServiceError::BadCredentials)
            ),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn api_tokens_are_shown_once_and_revocable() {
    each_backend(|env| async move {
        let b = env.backend;
        let (row, token) = env
            .app
            .create_token(&env.worker, "laptop sync")
            .await
            .expect("token");
        assert_eq!(
            env.app.token_principal(&token).await.expect("valid").actor,
            env.worker,
            "{b:?}"
        );
        assert!(
            !format!("{token:?}").contains(token.expose()),
            "{b:?}: Debug must redact"
        );
        env.app
            .revoke_token(&env.worker, row.id)
            .await
            .expect("revoke");
        assert!(env.app.token_principal(&token).await.is_err(), "{b:?}");
        assert!(
            matches!(
                env.app.revoke_token(&env.worker2, row.id).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
    })
    .await;
}
