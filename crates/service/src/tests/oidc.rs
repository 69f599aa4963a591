use super::*;
use crate::identity_provider::ProviderForm;
use crate::oidc::{OidcAnswer, OidcRefusal};
use crate::oidc_testing::{TestProvider, CLIENT_ID, CLIENT_SECRET};
use crate::security::SignInStep;
use crate::{ServiceError, ServiceResult};
use casework_domain::id_token::TokenRefusal;

/// One way to spoil the next token.
type Change = fn(&mut crate::oidc_testing::Behaviour);

const CALLBACK: &str = "http://127.0.0.1:8080/sign-in/oidc/callback";
const ADDRESS: &str = "198.51.100.7";

fn form(issuer: &str, secret: &str) -> ProviderForm {
    ProviderForm {
        display_name: "Riverside login".into(),
        issuer: issuer.into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(secret),
        user_claim: String::new(),
        enabled: true,
    }
}

/// A provider for the env's agency, saved by its admin, whose next token names Wanda.
async fn provider(env: &Env) -> TestProvider {
    let idp = TestProvider::start(NOW).await;
    env.app
        .save_identity_provider(&env.admin, 0, &form(&idp.issuer, CLIENT_SECRET))
        .await
        .expect("save provider");
    idp.set(|b| b.email = Some("wanda@example.org".into()));
    idp
}

/// Start, visit the provider, come back: what the callback receives, and the browser's cookie.
async fn round_trip(env: &Env) -> ServiceResult<(OidcAnswer, Secret)> {
    let start = env
        .app
        .start_oidc_sign_in(env.admin.agency_id, CALLBACK, ADDRESS)
        .await?;
    assert!(start.authorize_url.contains("code_challenge_method=S256"));
    let back = TestProvider::authorize(&start.authorize_url).await;
    assert!(back.starts_with(CALLBACK), "{back}");
    let q = TestProvider::query_of(&back);
    let answer = OidcAnswer {
        state: q.get("state").cloned(),
        code: q.get("code").cloned().map(Secret::new),
        error: q.get("error").cloned(),
    };
    Ok((answer, start.state))
}

async fn sign_in(env: &Env) -> ServiceResult<SignInStep> {
    let (answer, cookie) = round_trip(env).await?;
    env.app
        .finish_oidc_sign_in(&answer, Some(&cookie), CALLBACK, Some("Firefox / Linux"))
        .await
}

fn refusal(r: ServiceResult<SignInStep>) -> OidcRefusal {
    match r {
        Err(ServiceError::SignInRefused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn refusal_reasons(env: &Env) -> Vec<String> {
    log(env)
        .await
        .into_iter()
        .filter(|e| e.action == "session.oidc_refused")
        .map(|e| {
            assert_eq!(e.outcome, "denied");
            e.reason.unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn a_user_signs_in_through_the_provider_and_stays_linked_by_subject() {
    each_backend(|env| async move {
        let b = env.backend;
        let idp = provider(&env).await;
        let Ok(SignInStep::Done(s)) = sign_in(&env).await else {
            panic!("{b:?}: not signed in");
        };
        assert_eq!(s.principal.actor.user_id, env.worker.user_id, "{b:?}");
        let live = env.app.session(&s.token).await.expect("session");
        assert_eq!(live.principal.email, "wanda@example.org");
        assert_eq!(idp.last_client_auth(), Some("basic"), "{b:?}");

        // Linked now: the provider may change the email, the subject still finds Wanda.
        idp.set(|b| b.email = Some("w.new@example.org".into()));
        let Ok(SignInStep::Done(s)) = sign_in(&env).await else {
            panic!("{b:?}: not signed in by subject");
        };
        assert_eq!(s.principal.actor.user_id, env.worker.user_id);

        // Another subject with Wanda's email does not take the account over.
        idp.set(|b| {
            b.subject = "subject-2".into();
            b.email = Some("wanda@example.org".into());
        });
        assert_eq!(refusal(sign_in(&env).await), OidcRefusal::NoUser, "{b:?}");

        let entries = log(&env).await;
        let signed: Vec<_> = entries
            .iter()
            .filter(|e| e.action == "session.oidc_sign_in")
            .map(|e| e.reason.clone().unwrap_or_default())
            .collect();
        assert_eq!(signed, vec!["known", "linked"], "{b:?}: newest first");
        assert!(entries.iter().any(|e| e.action == "session.sign_in"));
        assert_eq!(refusal_reasons(&env).await, vec!["no_user"]);
        // Nothing in the log names the person.
        assert!(entries
            .iter()
            .all(|e| !e.reason.clone().unwrap_or_default().contains('@')));
    })
    .await;
}

#[tokio::test]
async fn tokens_that_fail_a_check_are_refused_and_audited() {
    each_backend(|env| async move {
        let b = env.backend;
        let idp = provider(&env).await;
        let cases: Vec<(Change, TokenRefusal)> = vec![
            (|b| b.forge_signature = true, TokenRefusal::Signature),
            (
                |b| b.audience = Some("someone-else".into()),
                TokenRefusal::Audience,
            ),
            (
                |b| b.issuer = Some("https://evil.example.org".into()),
                TokenRefusal::Issuer,
            ),
            (|b| b.now -= 3600, TokenRefusal::Expired),
            (|b| b.nonce = Some("replayed".into()), TokenRefusal::Nonce),
        ];
        for (change, expected) in cases {
            idp.set(|b| {
                b.forge_signature = false;
                b.audience = None;
                b.issuer = None;
                b.nonce = None;
                b.now = NOW / 1000;
                change(b);
            });
            assert_eq!(
                refusal(sign_in(&env).await),
                OidcRefusal::Token(expected),
                "{b:?}"
            );
        }
        assert_eq!(
            refusal_reasons(&env).await,
            vec![
                "token_nonce",
                "token_expired",
                "token_issuer",
                "token_audience",
                "token_signature"
            ],
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_state_must_be_this_browsers_live_and_unspent() {
    each_backend(|env| async move {
        let b = env.backend;
        let _idp = provider(&env).await;
        let (answer, cookie) = round_trip(&env).await.expect("round trip");

        // Another browser (no cookie, or another state in it) gets nothing.
        for other in [None, Some(Secret::new("forged-state"))] {
            let r = env
                .app
                .finish_oidc_sign_in(&answer, other.as_ref(), CALLBACK, None)
                .await;
            assert_eq!(refusal(r), OidcRefusal::State, "{b:?}");
        }
        // A made-up state, even echoed in a cookie, is unknown.
        let forged = OidcAnswer {
            state: Some("forged-state".into()),
            code: answer.code.clone(),
            error: None,
        };
        let r = env
            .app
            .finish_oidc_sign_in(&forged, Some(&Secret::new("forged-state")), CALLBACK, None)
            .await;
        assert_eq!(refusal(r), OidcRefusal::State);

        let first = env
            .app
            .finish_oidc_sign_in(&answer, Some(&cookie), CALLBACK, None)
            .await;
        assert!(matches!(first, Ok(SignInStep::Done(_))), "{b:?}: {first:?}");
        let again = env
            .app
            .finish_oidc_sign_in(&answer, Some(&cookie), CALLBACK, None)
            .await;
        assert_eq!(refusal(again), OidcRefusal::State, "{b:?}: reused");

        let (late, cookie) = round_trip(&env).await.expect("round trip");
        env.clock.advance_ms(crate::oidc::ATTEMPT_MS + 1000);
        let r = env
            .app
            .finish_oidc_sign_in(&late, Some(&cookie), CALLBACK, None)
            .await;
        assert_eq!(refusal(r), OidcRefusal::State, "{b:?}: expired");
        // Only the expired one could be placed in an agency; the others are logged by code.
        assert_eq!(refusal_reasons(&env).await, vec!["state"], "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn only_an_active_unlocked_user_of_the_agency_with_a_verified_email_gets_in() {
    each_backend(|env| async move {
        let b = env.backend;
        let idp = provider(&env).await;
        idp.set(|b| b.email = Some("nobody@example.org".into()));
        assert_eq!(refusal(sign_in(&env).await), OidcRefusal::NoUser, "{b:?}");
        // A user of another agency is nobody here.
        idp.set(|b| b.email = Some("sid@example.org".into()));
        assert_eq!(refusal(sign_in(&env).await), OidcRefusal::NoUser, "{b:?}");
        idp.set(|b| {
            b.email = Some("wanda@example.org".into());
            b.email_verified = false;
        });
        assert_eq!(refusal(sign_in(&env).await), OidcRefusal::NoUser, "{b:?}");

        idp.set(|b| {
            b.email = Some("walt@example.org".into());
            b.email_verified = true;
        });
        let walt = env
            .app
            .user(&env.admin, env.worker2.user_id)
            .await
            .expect("walt");
        env.app
            .update_user(
                &env.admin,
                walt.id,
                walt.version,
                "caseworker",
                env.worker2.team_id,
                false,
            )
            .await
            .expect("deactivate");
        assert_eq!(refusal(sign_in(&env).await), OidcRefusal::Disabled, "{b:?}");

        idp.set(|b| b.email = Some("wes@example.org".into()));
        for _ in 0..5 {
            let _ = env
                .app
                .sign_in(
                    "wes@example.org",
                    &Secret::new("wrong password!!"),
                    "10.0.0.9",
                )
                .await;
        }
        assert_eq!(refusal(sign_in(&env).await), OidcRefusal::Locked, "{b:?}");
        assert_eq!(
            refusal_reasons(&env).await,
            vec![
                "user_locked",
                "user_disabled",
                "no_user",
                "no_user",
                "no_user"
            ],
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_required_second_factor_is_asked_unless_the_provider_used_one() {
    each_backend(|env| async move {
        let b = env.backend;
        let idp = provider(&env).await;
        env.app
            .update_security_settings(&env.admin, 0, &["caseworker".to_string()])
            .await
            .expect("require mfa");
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Enrol(_))),
            "{b:?}: enrol first"
        );
        idp.set(|b| b.amr = vec!["pwd".into(), "mfa".into()]);
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Done(_))),
            "{b:?}: the provider's second factor counts"
        );
    })
    .await;
}

#[tokio::test]
async fn an_unreachable_provider_a_refusal_there_and_rotated_keys() {
    each_backend(|env| async move {
        let b = env.backend;
        let idp = provider(&env).await;
        idp.set(|b| b.deny = true);
        assert_eq!(
            refusal(sign_in(&env).await),
            OidcRefusal::ProviderDenied,
            "{b:?}"
        );
        idp.set(|b| b.deny = false);

        // The provider rotates its key: the new kid is fetched once and then trusted.
        let before = idp.jwks_fetches();
        idp.set(|b| {
            b.kid = "key-2".into();
            b.published_kids = vec!["key-2".into()];
        });
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Done(_))),
            "{b:?}"
        );
        assert_eq!(idp.jwks_fetches(), before + 1, "{b:?}");
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Done(_))),
            "{b:?}"
        );
        assert_eq!(idp.jwks_fetches(), before + 1, "{b:?}: cached");

        // Down, and nothing cached any more: unreachable, said at the start.
        idp.set(|b| b.down = true);
        env.clock.advance_ms(2 * 3600 * 1000);
        let r = env
            .app
            .start_oidc_sign_in(env.admin.agency_id, CALLBACK, ADDRESS)
            .await;
        assert!(
            matches!(
                r,
                Err(ServiceError::SignInRefused(OidcRefusal::Unreachable(_)))
            ),
            "{b:?}: {r:?}"
        );
        assert_eq!(
            refusal_reasons(&env).await,
            vec!["provider_unreachable", "provider_denied"],
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_admin_sets_the_provider_and_never_sees_the_secret_again() {
    each_backend(|env| async move {
        let b = env.backend;
        let issuer = "https://login.example.org/realms/riverside/";
        assert!(matches!(
            env.app
                .save_identity_provider(&env.worker, 0, &form(issuer, "x"))
                .await,
            Err(ServiceError::Forbidden)
        ));
        let r = env
            .app
            .save_identity_provider(&env.admin, 0, &form(issuer, ""))
            .await;
        assert!(
            matches!(&r, Err(ServiceError::Invalid(i)) if i.field == "client_secret"),
            "{b:?}: {r:?}"
        );
        let r = env
            .app
            .save_identity_provider(&env.admin, 0, &form("http://login.example.org", "x"))
            .await;
        assert!(matches!(&r, Err(ServiceError::Invalid(i)) if i.field == "issuer"));

        let saved = env
            .app
            .save_identity_provider(&env.admin, 0, &form(issuer, "first secret"))
            .await
            .expect("save");
        assert_eq!(saved.issuer, "https://login.example.org/realms/riverside");
        assert!(saved.has_secret);
        assert_eq!(saved.user_claim, "email");
        // An empty secret keeps the stored one; a stale version is refused.
        let mut change = form(issuer, "");
        change.display_name = "Riverside staff login".into();
        let changed = env
            .app
            .save_identity_provider(&env.admin, saved.version, &change)
            .await
            .expect("change");
        assert!(changed.has_secret);
        assert!(matches!(
            env.app
                .save_identity_provider(&env.admin, saved.version, &change)
                .await,
            Err(ServiceError::Stale)
        ));
        let shown = env
            .app
            .identity_provider(&env.admin)
            .await
            .expect("view")
            .expect("set");
        assert_eq!(shown.display_name, "Riverside staff login");
        assert!(!format!("{shown:?}{change:?}").contains("first secret"));
        assert!(!format!("{:?}", form(issuer, "first secret")).contains("first secret"));
        // Two agencies share this server: only the address naming Riverside offers its
        // provider; the general page names no agency's.
        let options = env
            .app
            .sign_in_options(Some("riverside"))
            .await
            .expect("options");
        assert_eq!(options.len(), 1, "{b:?}");
        assert_eq!(options[0].display_name, "Riverside staff login");
        for slug in [None, Some("elsewhere"), Some("nowhere")] {
            let options = env.app.sign_in_options(slug).await.expect("options");
            assert!(options.is_empty(), "{b:?} {slug:?}: {options:?}");
        }
        assert_eq!(
            env.app.agency_slug(&env.admin).await.expect("slug"),
            "riverside"
        );
        assert!(matches!(
            env.app.agency_slug(&env.worker).await,
            Err(ServiceError::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_provider_signing_es256_signs_people_in_and_a_forged_es256_token_is_refused() {
    each_backend(|env| async move {
        let b = env.backend;
        let idp = provider(&env).await;
        idp.set(|b| {
            b.es256 = true;
            b.kid = "ec-1".into();
            b.published_kids = vec!["ec-1".into()];
        });
        let Ok(SignInStep::Done(s)) = sign_in(&env).await else {
            panic!("{b:?}: not signed in with ES256");
        };
        assert_eq!(s.principal.actor.user_id, env.worker.user_id, "{b:?}");
        idp.set(|b| b.forge_signature = true);
        assert_eq!(
            refusal(sign_in(&env).await),
            OidcRefusal::Token(TokenRefusal::Signature),
            "{b:?}"
        );
        assert_eq!(
            refusal_reasons(&env).await,
            vec!["token_signature"],
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn tokens_naming_unknown_keys_refetch_the_keys_at_most_once_a_minute() {
    each_backend(|env| async move {
        let b = env.backend;
        let idp = provider(&env).await;
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Done(_))),
            "{b:?}"
        );
        let before = idp.jwks_fetches();
        // Tokens name a key the provider does not publish.
        idp.set(|b| b.kid = "key-9".into());
        for _ in 0..3 {
            assert_eq!(
                refusal(sign_in(&env).await),
                OidcRefusal::Token(TokenRefusal::UnknownKey),
                "{b:?}"
            );
        }
        assert_eq!(idp.jwks_fetches(), before + 1, "{b:?}: one refetch");
        // A minute on, one more; and a key published meanwhile is then found.
        env.clock
            .advance_ms(crate::oidc_provider::KEY_REFETCH_MS + 1000);
        idp.set(|b| b.published_kids = vec!["key-1".into(), "key-9".into()]);
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Done(_))),
            "{b:?}"
        );
        assert_eq!(idp.jwks_fetches(), before + 2, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn sign_in_starts_are_capped_per_address_and_per_provider() {
    for backend in casework_store::testing::backends() {
        let db = casework_store::testing::TestDb::fresh(backend).await;
        let settings = crate::Settings {
            address_failure_limit: 3,
            ..crate::Settings::default()
        };
        let env = Env::with_settings(backend, &db.url, settings).await;
        let b = env.backend;
        let _idp = provider(&env).await;
        let agency = env.admin.agency_id;
        let start = |address: &'static str| {
            let app = env.app.clone();
            async move { app.start_oidc_sign_in(agency, CALLBACK, address).await }
        };
        for _ in 0..3 {
            start(ADDRESS).await.expect("under the cap");
        }
        let throttled = start(ADDRESS).await;
        assert!(
            matches!(
                throttled,
                Err(ServiceError::SignInRefused(OidcRefusal::Throttled))
            ),
            "{b:?}: {throttled:?}"
        );
        // Another address still starts; no row was stored for the refused start.
        start("203.0.113.9").await.expect("another address");
        assert_eq!(attempt_rows(&env).await, 4, "{b:?}");
        // The provider's cap: 40 addresses' worth of live attempts (120 here).
        let addresses: Vec<&'static str> = (0..200)
            .map(|i| &*Box::leak(format!("192.0.2.{i}").into_boxed_str()))
            .collect();
        let mut started = 4;
        for a in &addresses {
            match start(a).await {
                Ok(_) => started += 1,
                Err(ServiceError::SignInRefused(OidcRefusal::Throttled)) => break,
                Err(e) => panic!("{b:?}: {e:?}"),
            }
        }
        assert_eq!(started, 3 * crate::oidc::PROVIDER_ADDRESSES, "{b:?}");
        // Once the attempts expire, starts go through again; a flood left no audit entries.
        env.clock.advance_ms(crate::oidc::ATTEMPT_MS + 1);
        start(ADDRESS).await.expect("after the window");
        assert!(
            log(&env)
                .await
                .iter()
                .all(|e| e.action != "session.oidc_refused"),
            "{b:?}"
        );
        env.app.shutdown().await;
    }
}

/// Attempt rows, counted as the owner.
async fn attempt_rows(env: &Env) -> i64 {
    use sqlx::Row;
    let mut owner = env.app.store().owner_conn().await.expect("owner");
    let n = sqlx::query("SELECT COUNT(*) FROM oidc_attempts")
        .fetch_one(&mut owner)
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("count value");
    sqlx::Connection::close(owner).await.ok();
    n
}

#[tokio::test]
async fn the_client_secret_is_sealed_at_rest_and_sign_in_still_works() {
    each_backend(|env| async move {
        let b = env.backend;
        let _idp = provider(&env).await;
        let agency = env.admin.agency_id;
        let stored = || async {
            let mut owner = env.app.store().owner_conn().await.expect("owner");
            sqlx::query_scalar::<_, String>(
                "SELECT client_secret FROM identity_providers WHERE agency_id = $1",
            )
            .bind(agency)
            .fetch_one(&mut owner)
            .await
            .expect("secret")
        };
        let secret = stored().await;
        assert!(secret.starts_with("enc1:m1:"), "{b:?}: {secret}");
        assert!(!secret.contains(CLIENT_SECRET), "{b:?}");
        // The provider checks the secret it is sent: sign-in proves it opened.
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Done(_))),
            "{b:?}"
        );

        // A secret saved before it was sealed, as migration 0021 marks it, still works, and the
        // background rotation seals it under the newest key.
        let mut owner = env.app.store().owner_conn().await.expect("owner");
        sqlx::query("UPDATE identity_providers SET client_secret = $1 WHERE agency_id = $2")
            .bind(format!("legacy:{CLIENT_SECRET}"))
            .bind(agency)
            .execute(&mut owner)
            .await
            .expect("legacy secret");
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Done(_))),
            "{b:?}: legacy"
        );
        let both = env.app.keyring().with_new_key(crate::keys::new_key());
        env.app.replace_keyring(both).await.expect("reload");
        let r = env
            .app
            .rotate_keys_if_due("serve", 10)
            .await
            .expect("rotate");
        assert!(
            matches!(r, crate::keys::BackgroundRotation::Ran(_)),
            "{r:?}"
        );
        let secret = stored().await;
        assert!(secret.starts_with("enc1:m2:"), "{b:?}: {secret}");
        assert!(
            matches!(sign_in(&env).await, Ok(SignInStep::Done(_))),
            "{b:?}: after rotation"
        );
        let status = env.app.key_status().await.expect("status");
        assert_eq!(status.legacy, 0, "{b:?}");
    })
    .await;
}
