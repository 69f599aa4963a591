use super::*;
use crate::client::{ClientQuery, DuplicateDecision};
use crate::ServiceError;
use casework_domain::matching::DuplicateReason;

#[tokio::test]
async fn a_near_duplicate_is_shown_with_its_reason_and_the_choice_recorded() {
    each_backend(|env| async move {
        let b = env.backend;
        let first = env.app.register_client(&env.intake, &client_form("María López", Some("1990-04-12")), &Default::default()).await.expect("first");
        let again = client_form("Maria Lopes", Some("1990-04-12"));
        let found = env.app.check_duplicates(&env.worker, &again).await.expect("check");
        assert_eq!(found.len(), 1, "{b:?}: {found:?}");
        assert_eq!(found[0].client.id, first.id, "{b:?}");
        assert!(found[0].reasons.iter().any(|r| matches!(r, DuplicateReason::SimilarNameSameBirthDate { .. })), "{b:?}: {:?}", found[0].reasons);
        let none = env.app.check_duplicates(&env.worker, &client_form("Peter Brown", Some("1971-01-02"))).await.expect("check");
        assert!(none.is_empty(), "{b:?}");
        let decision = DuplicateDecision { shown: vec![first.id] };
        let second = env.app.register_client(&env.worker, &again, &decision).await.expect("register anyway");
        let entries = log(&env).await;
        assert!(entries.iter().any(|e| e.action == "client.duplicate_overruled" && e.client_id == Some(second.id)), "{b:?}");
        assert!(entries.iter().any(|e| e.action == "client.duplicate_shown" && e.client_id == Some(first.id)), "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn the_same_identifier_is_a_duplicate_whatever_the_name() {
    each_backend(|env| async move {
        let mut f = client_form("Nguyen Van An", None);
        f.identifiers.push(casework_domain::client::IdentifierForm {
            kind: "medicaid".into(),
            value: "AB-12 34".into(),
        });
        env.app
            .register_client(&env.intake, &f, &Default::default())
            .await
            .expect("first");
        let mut g = client_form("Completely Different", None);
        g.identifiers.push(casework_domain::client::IdentifierForm {
            kind: "medicaid".into(),
            value: "ab1234".into(),
        });
        let found = env
            .app
            .check_duplicates(&env.intake, &g)
            .await
            .expect("check");
        assert!(
            found.iter().any(|d| d
                .reasons
                .iter()
                .any(|r| matches!(r, DuplicateReason::SameIdentifier { .. }))),
            "{:?}: {found:?}",
            env.backend
        );
        let by_id = env
            .app
            .search_clients(
                &env.intake,
                &ClientQuery {
                    identifier: Some("AB 1234".into()),
                    ..Default::default()
                },
                None,
                None,
            )
            .await
            .expect("search");
        assert_eq!(by_id.items.len(), 1, "{:?}", env.backend);
    })
    .await;
}

#[tokio::test]
async fn search_tolerates_typos_accents_and_word_order_and_pages() {
    each_backend(|env| async move {
        let b = env.backend;
        let jose = env
            .app
            .register_client(
                &env.intake,
                &client_form("José Núñez", Some("1985-02-01")),
                &Default::default(),
            )
            .await
            .expect("jose");
        for i in 0..5 {
            env.app
                .register_client(
                    &env.intake,
                    &client_form(&format!("John Smith{}", "e".repeat(i)), None),
                    &Default::default(),
                )
                .await
                .expect("john");
        }
        for q in ["jose nunez", "Nunez Jose", "Jsoe Núñez"] {
            let page = env
                .app
                .search_clients(
                    &env.intake,
                    &ClientQuery {
                        q: Some(q.into()),
                        ..Default::default()
                    },
                    None,
                    None,
                )
                .await
                .expect("search");
            assert_eq!(
                page.items.first().map(|c| c.id),
                Some(jose.id),
                "{b:?}: query {q:?}"
            );
        }
        let by_date = env
            .app
            .search_clients(
                &env.intake,
                &ClientQuery {
                    birth_date: Some("1985-02-01".into()),
                    ..Default::default()
                },
                None,
                None,
            )
            .await
            .expect("by date");
        assert_eq!(by_date.items.len(), 1, "{b:?}");
        let q = ClientQuery {
            q: Some("john smith".into()),
            ..Default::default()
        };
        let first = env
            .app
            .search_clients(&env.intake, &q, None, Some(2))
            .await
            .expect("page 1");
        assert_eq!(first.items.len(), 2, "{b:?}");
        let mut seen: Vec<i64> = first.items.iter().map(|c| c.id).collect();
        let mut cursor = first.next_cursor.clone();
        while let Some(c) = cursor {
            let next = env
                .app
                .search_clients(
                    &env.intake,
                    &q,
                    crate::Cursor::parse(Some(&c)).expect("cursor"),
                    Some(2),
                )
                .await
                .expect("next");
            seen.extend(next.items.iter().map(|c| c.id));
            cursor = next.next_cursor;
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (5, 5), "{b:?}: every John once");
        let empty = env
            .app
            .search_clients(&env.intake, &ClientQuery::default(), None, None)
            .await;
        assert!(
            matches!(empty, Err(ServiceError::Invalid(ref i)) if i.field == "q"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    each_backend(|env| async move {
        let b = env.backend;
        let mut f = client_form("Ana", Some("2030-01-01"));
        match env
            .app
            .register_client(&env.intake, &f, &Default::default())
            .await
        {
            Err(ServiceError::Invalid(i)) => assert_eq!(
                (i.field.as_str(), i.code),
                ("birth_date", "date_in_future"),
                "{b:?}"
            ),
            other => panic!("{b:?}: {other:?}"),
        }
        f.birth_date = None;
        f.household.push(casework_domain::client::HouseholdForm {
            name: "Kid".into(),
            relationship: None,
            birth_date: Some("nope".into()),
        });
        assert!(
            env.app
                .register_client(&env.intake, &f, &Default::default())
                .await
                .is_err(),
            "{b:?}"
        );
        let found = env
            .app
            .search_clients(
                &env.intake,
                &ClientQuery {
                    q: Some("Ana".into()),
                    ..Default::default()
                },
                None,
                None,
            )
            .await
            .expect("search");
        assert!(found.items.is_empty(), "{b:?}: nothing half-written");
    })
    .await;
}

#[tokio::test]
async fn stale_client_update_is_refused() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let mut f = client_form("Ana Torres", Some("1990-04-12"));
        f.pronouns = Some("she/her".into());
        let updated = env
            .app
            .update_client(&env.worker, client, 1, &f)
            .await
            .expect("update");
        assert_eq!(updated.version, 2);
        f.pronouns = Some("they/them".into());
        assert!(
            matches!(
                env.app.update_client(&env.worker, client, 1, &f).await,
                Err(ServiceError::Stale)
            ),
            "{:?}",
            env.backend
        );
        assert_eq!(
            env.app
                .client(&env.worker, client)
                .await
                .expect("read")
                .client
                .pronouns
                .as_deref(),
            Some("she/her")
        );
    })
    .await;
}

#[tokio::test]
async fn a_merge_moves_everything_and_can_be_undone_exactly() {
    each_backend(|env| async move {
        let b = env.backend;
        let (keep, case_keep) = env.client_with_case("Ana Torres").await;
        let (gone, case_gone) = env.client_with_case("Ana Torrez").await;
        assert!(
            matches!(
                env.app
                    .merge_clients(&env.worker, keep, gone, "same person")
                    .await,
                Err(ServiceError::Forbidden)
            ),
            "{b:?}"
        );
        let m = env
            .app
            .merge_clients(&env.sup, keep, gone, "Same person, registered twice")
            .await
            .expect("merge");
        let detail = env.app.client(&env.sup, keep).await.expect("read");
        let mut cases: Vec<i64> = detail.cases.iter().map(|c| c.id).collect();
        cases.sort();
        assert_eq!(cases, vec![case_keep, case_gone], "{b:?}");
        assert_eq!(
            env.app
                .client(&env.sup, gone)
                .await
                .expect("read")
                .client
                .merged_into,
            Some(keep),
            "{b:?}"
        );
        env.app.undo_merge(&env.sup, m.id).await.expect("undo");
        let after: Vec<i64> = env
            .app
            .client(&env.sup, gone)
            .await
            .expect("read")
            .cases
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(after, vec![case_gone], "{b:?}");
        assert_eq!(
            env.app
                .client(&env.sup, gone)
                .await
                .expect("read")
                .client
                .merged_into,
            None,
            "{b:?}"
        );
        assert!(
            matches!(
                env.app.undo_merge(&env.sup, m.id).await,
                Err(ServiceError::Stale)
            ),
            "{b:?}: undo twice"
        );
    })
    .await;
}

#[tokio::test]
async fn choosing_an_existing_record_says_whether_it_can_be_opened() {
    each_backend(|env| async move {
        let b = env.backend;
        let existing = env
            .app
            .register_client(
                &env.intake,
                &client_form("Ana Torres", Some("1990-04-12")),
                &Default::default(),
            )
            .await
            .expect("register");
        let shown = [existing.id];
        let worker = env
            .app
            .use_existing_client(&env.worker, existing.id, &shown)
            .await;
        assert!(
            matches!(worker, Ok(false)),
            "{b:?}: a record the worker does not carry: {worker:?}"
        );
        let intake = env
            .app
            .use_existing_client(&env.intake, existing.id, &shown)
            .await;
        assert!(matches!(intake, Ok(true)), "{b:?}: {intake:?}");
        let forged = env
            .app
            .use_existing_client(&env.intake, existing.id, &[])
            .await;
        assert!(
            matches!(forged, Err(ServiceError::NotFound)),
            "{b:?}: a record never offered"
        );
    })
    .await;
}

/// A caseworker's search reaches the clients of their cases and the clients they registered,
/// each once, and no one else's.
#[tokio::test]
async fn a_caseworker_finds_the_clients_they_carry_or_registered_and_no_others() {
    each_backend(|env| async move {
        let b = env.backend;
        let (carried, _) = env.client_with_case("Tomas Berg").await;
        let own = |name: &'static str| {
            let app = env.app.clone();
            let worker = env.worker.clone();
            async move {
                app.register_client(&worker, &client_form(name, None), &Default::default())
                    .await
                    .expect("register")
            }
        };
        let registered = own("Rosa Marquez").await;
        let both = own("Ida Lund").await;
        env.open_case_for(both.id).await;
        let elsewhere = env.register("Rosa Martinez").await;
        let found = |q: &'static str| {
            let app = env.app.clone();
            let worker = env.worker.clone();
            async move {
                let query = ClientQuery {
                    q: Some(q.into()),
                    ..Default::default()
                };
                app.search_clients(&worker, &query, None, None)
                    .await
                    .expect("search")
                    .items
                    .iter()
                    .map(|c| c.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(found("Tomas Berg").await, vec![carried], "{b:?}");
        assert_eq!(
            found("Rosa").await,
            vec![registered.id],
            "{b:?}: not {}",
            elsewhere.id
        );
        assert_eq!(found("Ida Lund").await, vec![both.id], "{b:?}: once");
    })
    .await;
}

/// A caseworker who reaches more clients than the search scores one by one (an intake worker
/// with thousands) still finds each of them by name, through the name index, and still no one
/// else's.
#[tokio::test]
async fn a_caseworker_reaching_more_than_the_scan_limit_still_finds_each_client() {
    for backend in casework_store::testing::backends() {
        let db = casework_store::testing::TestDb::fresh(backend).await;
        let settings = crate::Settings {
            reach_scan_limit: 2,
            ..crate::Settings::default()
        };
        let env = Env::with_settings(backend, &db.url, settings).await;
        let b = env.backend;
        let mut own = Vec::new();
        for name in ["Alma Soto", "Bruno Diaz", "Carla Ruiz", "Dario Vega"] {
            let c = env
                .app
                .register_client(&env.worker, &client_form(name, None), &Default::default())
                .await
                .expect("register");
            own.push(c.id);
        }
        let elsewhere = env.register("Dario Vegas").await;
        let query = ClientQuery {
            q: Some("Dario Vega".into()),
            ..Default::default()
        };
        let found: Vec<i64> = env
            .app
            .search_clients(&env.worker, &query, None, None)
            .await
            .expect("search")
            .items
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(
            found,
            vec![own[3]],
            "{b:?}: the last registered, not {}",
            elsewhere.id
        );
        drop(env);
        drop(db);
    }
}
