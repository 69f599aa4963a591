use super::*;
use crate::ServiceError;

#[tokio::test]
async fn case_reach_follows_role_and_relationship_and_denials_are_audited() {
    each_backend(|env| async move {
        let (client, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        // Allowed: the assigned worker and the team's supervisor.
        assert!(env.app.case(&env.worker, case, None).await.is_ok(), "{b:?}");
        assert!(env.app.case(&env.sup, case, None).await.is_ok(), "{b:?}");
        // Hidden (404): everyone else, including another agency.
        for who in [
            &env.worker2,
            &env.worker_b,
            &env.sup_b,
            &env.intake,
            &env.admin,
            &env.auditor,
            &env.stranger,
        ] {
            let err = env
                .app
                .case(who, case, None)
                .await
                .expect_err("must be refused");
            assert!(
                matches!(err, ServiceError::NotFound),
                "{b:?} {:?}: {err:?}",
                who.role
            );
        }
        let entries = log(&env).await;
        let denied: Vec<_> = entries
            .iter()
            .filter(|e| e.action == "case.read" && e.outcome == "denied")
            .collect();
        // The stranger's denial lands in the stranger's own agency, not this one.
        assert_eq!(denied.len(), 6, "{b:?}");
        assert!(denied.iter().all(|e| e.client_id == Some(client)), "{b:?}");
        let allowed = entries
            .iter()
            .filter(|e| e.action == "case.read" && e.outcome == "allowed")
            .count();
        assert_eq!(allowed, 2, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn client_profile_reach_and_search_respect_need_to_know() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        assert!(env.app.client(&env.worker, client).await.is_ok(), "{b:?}");
        assert!(env.app.client(&env.intake, client).await.is_ok(), "{b:?}");
        assert!(
            matches!(
                env.app.client(&env.worker_b, client).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app.client(&env.admin, client).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        let q = crate::client::ClientQuery {
            q: Some("ana torres".into()),
            ..Default::default()
        };
        let mine = env
            .app
            .search_clients(&env.worker, &q, None, None)
            .await
            .expect("search");
        assert_eq!(
            mine.items.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![client],
            "{b:?}"
        );
        let theirs = env
            .app
            .search_clients(&env.worker_b, &q, None, None)
            .await
            .expect("search");
        assert!(
            theirs.items.is_empty(),
            "{b:?}: a worker outside the case must not find the client"
        );
        let foreign = env
            .app
            .search_clients(&env.stranger, &q, None, None)
            .await
            .expect("search");
        assert!(
            foreign.items.is_empty(),
            "{b:?}: another agency must not find the client"
        );
    })
    .await;
}

#[tokio::test]
async fn admin_and_auditor_powers_do_not_cross() {
    each_backend(|env| async move {
        let b = env.backend;
        assert!(
            matches!(
                env.app.users(&env.worker, None, None).await,
                Err(ServiceError::Forbidden)
            ),
            "{b:?}"
        );
        assert!(env.app.users(&env.admin, None, None).await.is_ok(), "{b:?}");
        let refused = env
            .app
            .audit_log(&env.admin, &Default::default(), None, None)
            .await;
        assert!(matches!(refused, Err(ServiceError::Forbidden)), "{b:?}");
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "audit.browse"
                && e.outcome == "denied"
                && e.actor_user_id == Some(env.admin.user_id)),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn intake_hands_over_and_loses_sight_of_the_case() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        assert!(
            matches!(
                env.app.case(&env.intake, case, None).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app.record_contact(&env.intake, case, &contact()).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        // A caseworker may not transfer their own case; the supervisor may.
        let v = env
            .app
            .case(&env.worker, case, None)
            .await
            .expect("read")
            .case
            .version;
        let form = crate::case::AssignForm {
            worker_id: Some(env.worker2.user_id),
            team_id: None,
            reason: Some("Caseload balance".into()),
        };
        assert!(
            matches!(
                env.app.assign_case(&env.worker, case, v, &form).await,
                Err(ServiceError::Forbidden)
            ),
            "{b:?}"
        );
        env.app
            .assign_case(&env.sup, case, v, &form)
            .await
            .expect("transfer");
        assert!(
            matches!(
                env.app.case(&env.worker, case, None).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}: old worker loses access"
        );
        assert!(
            env.app.case(&env.worker2, case, None).await.is_ok(),
            "{b:?}: new worker gains access"
        );
    })
    .await;
}
