//! Consent to share and disclosures, on both databases.

use super::*;
use crate::case::CaseloadScope;
use crate::ServiceError;
use casework_domain::consent::{DisclosureForm, LegalBasisForm, RevocationForm, ShareConsentForm};

fn consent_form(categories: &[&str], expires_on: Option<&str>) -> ShareConsentForm {
    ShareConsentForm {
        recipient_type: "organisation".into(),
        recipient_name: Some("Eastside Clinic".into()),
        recipient_kind: Some("health_care".into()),
        purpose: "care_coordination".into(),
        purpose_other: None,
        categories: categories.iter().map(|c| c.to_string()).collect(),
        starts_on: "2026-11-01".into(),
        expires_on: expires_on.map(str::to_string),
        given_how: "signed".into(),
        witness: None,
    }
}

fn disclosure(categories: &[&str]) -> DisclosureForm {
    DisclosureForm {
        recipient_name: "eastside clinic".into(),
        recipient_kind: Some("health_care".into()),
        purpose: "care_coordination".into(),
        purpose_other: None,
        categories: categories.iter().map(|c| c.to_string()).collect(),
        channel: "letter".into(),
        legal_basis: None,
    }
}

fn legal_basis() -> LegalBasisForm {
    LegalBasisForm {
        kind: "court_order".into(),
        law_cited: "Family Court order 2026/114".into(),
        authorised_by_name: "Dana Lee".into(),
        authorised_by_role: "Agency director".into(),
        authorised_on: "2026-11-22".into(),
    }
}

async fn disclosure_count(env: &Env, client: i64) -> usize {
    env.app
        .disclosures(&env.worker, client, None, Some(200))
        .await
        .expect("disclosures")
        .items
        .len()
}

fn denied(log: &[crate::audit::AuditView], action: &str) -> usize {
    log.iter()
        .filter(|e| e.action == action && e.outcome == "denied")
        .count()
}

#[tokio::test]
async fn a_disclosure_without_consent_is_refused_audited_and_not_recorded() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let err = env
            .app
            .disclose(&env.worker, client, &disclosure(&["identity"]))
            .await
            .unwrap_err();
        match &err {
            ServiceError::NotCovered(u) => assert_eq!(u.codes(), vec!["no_consent"]),
            other => panic!("expected not covered, got {other:?}"),
        }
        assert_eq!(err.code(), "consent_not_covering");
        assert_eq!(disclosure_count(&env, client).await, 0);
        let log = log(&env).await;
        let entry = log
            .iter()
            .find(|e| e.action == "disclosure.record" && e.outcome == "denied")
            .expect("the refusal is audited");
        assert_eq!(entry.client_id, Some(client));
        assert_eq!(entry.reason.as_deref(), Some("no_consent"));
    })
    .await;
}

#[tokio::test]
async fn a_covering_consent_allows_a_disclosure_recorded_under_it() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let consent = env
            .app
            .record_share_consent(
                &env.worker,
                client,
                &consent_form(&["identity", "contact", "health"], Some("2027-05-01")),
            )
            .await
            .expect("consent");
        let d = env
            .app
            .disclose(&env.worker, client, &disclosure(&["identity", "health"]))
            .await
            .expect("disclosed");
        assert_eq!(d.consent_id, Some(consent.id));
        assert_eq!(d.categories, "identity,health");
        assert_eq!(d.channel, "letter");
        assert_eq!(d.disclosed_by, env.worker.user_id);
        assert_eq!(d.law_cited, None);
        let listed = env
            .app
            .disclosures(&env.worker, client, None, None)
            .await
            .expect("list");
        assert_eq!(listed.items[0].disclosure, d);
        assert_eq!(listed.items[0].disclosed_by_name.as_deref(), Some("wanda"));
        let log = log(&env).await;
        let entry = log
            .iter()
            .find(|e| e.action == "disclosure.record" && e.outcome == "allowed")
            .expect("audited");
        assert_eq!(entry.record_id, Some(d.id));
        assert_eq!(
            entry.reason.as_deref(),
            Some(format!("letter; identity,health; consent {}", consent.id).as_str())
        );
        assert!(log
            .iter()
            .any(|e| e.action == "consent.share_record" && e.record_id == Some(consent.id)));
        // The status list shows it active.
        let consents = env
            .app
            .share_consents(&env.worker, client, None, None)
            .await
            .expect("consents");
        assert!(consents.can_record);
        assert_eq!(
            consents.page.items[0].status,
            crate::consent::ConsentStatus::Active
        );
    })
    .await;
}

#[tokio::test]
async fn uncovered_categories_are_named_and_nothing_is_recorded() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        env.app
            .record_share_consent(&env.worker, client, &consent_form(&["identity"], None))
            .await
            .expect("consent");
        let err = env
            .app
            .disclose(
                &env.worker,
                client,
                &disclosure(&["identity", "substance_use", "legal"]),
            )
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("categories"));
        match err {
            ServiceError::NotCovered(u) => assert_eq!(u.codes(), vec!["substance_use", "legal"]),
            other => panic!("expected not covered, got {other:?}"),
        }
        assert_eq!(disclosure_count(&env, client).await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_legal_basis_allows_a_disclosure_and_an_incomplete_one_is_refused() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let incomplete = DisclosureForm {
            legal_basis: Some(LegalBasisForm {
                authorised_by_role: " ".into(),
                ..legal_basis()
            }),
            ..disclosure(&["identity", "legal"])
        };
        let err = env
            .app
            .disclose(&env.worker, client, &incomplete)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("authorised_by_role"));
        assert_eq!(disclosure_count(&env, client).await, 0);
        let form = DisclosureForm {
            legal_basis: Some(legal_basis()),
            ..disclosure(&["identity", "legal"])
        };
        let d = env
            .app
            .disclose(&env.worker, client, &form)
            .await
            .expect("disclosed under a legal basis");
        assert_eq!(d.consent_id, None);
        assert_eq!(d.legal_basis_kind.as_deref(), Some("court_order"));
        assert_eq!(d.law_cited.as_deref(), Some("Family Court order 2026/114"));
        assert_eq!(d.authorised_by_name.as_deref(), Some("Dana Lee"));
        assert_eq!(d.authorised_by_role.as_deref(), Some("Agency director"));
        assert_eq!(d.authorised_on.as_deref(), Some("2026-11-22"));
    })
    .await;
}

#[tokio::test]
async fn revoking_a_consent_stops_disclosures_at_once() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let c = env
            .app
            .record_share_consent(&env.worker, client, &consent_form(&["identity"], None))
            .await
            .expect("consent");
        env.app
            .disclose(&env.worker, client, &disclosure(&["identity"]))
            .await
            .expect("before revocation");
        let no_reason = env
            .app
            .revoke_share_consent(&env.worker, c.id, c.version, &RevocationForm::default())
            .await
            .unwrap_err();
        assert_eq!(no_reason.field(), Some("reason"));
        let stale = env
            .app
            .revoke_share_consent(
                &env.worker,
                c.id,
                c.version + 1,
                &RevocationForm {
                    reason: "Client asked".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(stale, ServiceError::Stale));
        let revoked = env
            .app
            .revoke_share_consent(
                &env.worker,
                c.id,
                c.version,
                &RevocationForm {
                    reason: "Client asked us to stop".into(),
                },
            )
            .await
            .expect("revoked");
        assert_eq!(revoked.revoked_by, Some(env.worker.user_id));
        assert_eq!(
            revoked.revocation_reason.as_deref(),
            Some("Client asked us to stop")
        );
        let err = env
            .app
            .disclose(&env.worker, client, &disclosure(&["identity"]))
            .await
            .unwrap_err();
        match err {
            ServiceError::NotCovered(u) => assert_eq!(u.codes(), vec!["consent_revoked"]),
            other => panic!("expected not covered, got {other:?}"),
        }
        assert_eq!(disclosure_count(&env, client).await, 1);
        let again = env
            .app
            .revoke_share_consent(
                &env.worker,
                c.id,
                revoked.version,
                &RevocationForm {
                    reason: "Twice".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(again.code(), "consent_already_revoked");
        let listed = env
            .app
            .share_consents(&env.worker, client, None, None)
            .await
            .expect("consents");
        assert_eq!(
            listed.page.items[0].status,
            crate::consent::ConsentStatus::Revoked
        );
    })
    .await;
}

#[tokio::test]
async fn an_expired_consent_covers_nothing_after_its_last_day() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        // NOW is 2026-11-22; the consent's last day is 2026-11-23.
        env.app
            .record_share_consent(
                &env.worker,
                client,
                &consent_form(&["identity"], Some("2026-11-23")),
            )
            .await
            .expect("consent");
        env.clock.advance_ms(86_400_000);
        env.app
            .disclose(&env.worker, client, &disclosure(&["identity"]))
            .await
            .expect("on the last day");
        env.clock.advance_ms(86_400_000);
        let err = env
            .app
            .disclose(&env.worker, client, &disclosure(&["identity"]))
            .await
            .unwrap_err();
        match err {
            ServiceError::NotCovered(u) => assert_eq!(u.codes(), vec!["consent_expired"]),
            other => panic!("expected not covered, got {other:?}"),
        }
        let listed = env
            .app
            .share_consents(&env.worker, client, None, None)
            .await
            .expect("consents");
        assert_eq!(
            listed.page.items[0].status,
            crate::consent::ConsentStatus::Expired
        );
    })
    .await;
}

#[tokio::test]
async fn a_worker_who_does_not_carry_the_client_is_refused_and_audited() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        env.app
            .record_share_consent(&env.worker, client, &consent_form(&["identity"], None))
            .await
            .expect("consent");
        let err = env
            .app
            .disclose(&env.worker2, client, &disclosure(&["identity"]))
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::NotFound), "{err:?}");
        let err = env
            .app
            .record_share_consent(&env.worker_b, client, &consent_form(&["identity"], None))
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::NotFound), "{err:?}");
        let err = env
            .app
            .disclose(&env.stranger, client, &disclosure(&["identity"]))
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::NotFound), "{err:?}");
        // Intake registered the client but does not send its information out.
        let err = env
            .app
            .disclose(&env.intake, client, &disclosure(&["identity"]))
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden), "{err:?}");
        assert_eq!(disclosure_count(&env, client).await, 0);
        let log = log(&env).await;
        assert_eq!(denied(&log, "disclosure.record"), 2);
        assert_eq!(denied(&log, "consent.share_record"), 1);
        let refused = log
            .iter()
            .find(|e| {
                e.action == "disclosure.record" && e.actor_user_id == Some(env.worker2.user_id)
            })
            .expect("audited");
        assert_eq!(refused.outcome, "denied");
    })
    .await;
}

#[tokio::test]
async fn an_auditor_lists_disclosures_but_cannot_read_the_client() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        env.app
            .record_share_consent(&env.worker, client, &consent_form(&["identity"], None))
            .await
            .expect("consent");
        let d = env
            .app
            .disclose(&env.worker, client, &disclosure(&["identity"]))
            .await
            .expect("disclosed");
        let listed = env
            .app
            .disclosures(&env.auditor, client, None, None)
            .await
            .expect("auditor reads disclosure records");
        assert_eq!(listed.items.len(), 1);
        assert_eq!(listed.items[0].disclosure.id, d.id);
        assert!(matches!(
            env.app.client(&env.auditor, client).await.unwrap_err(),
            ServiceError::NotFound
        ));
        assert!(matches!(
            env.app
                .share_consents(&env.auditor, client, None, None)
                .await
                .unwrap_err(),
            ServiceError::NotFound
        ));
        assert!(matches!(
            env.app
                .disclosures(&env.admin, client, None, None)
                .await
                .unwrap_err(),
            ServiceError::NotFound
        ));
        // Another agency's auditor... is another agency: the stranger sees nothing.
        assert!(matches!(
            env.app
                .disclosures(&env.stranger, client, None, None)
                .await
                .unwrap_err(),
            ServiceError::NotFound
        ));
    })
    .await;
}

#[tokio::test]
async fn a_bad_consent_is_refused_naming_the_field_and_nothing_is_written() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let bad = ShareConsentForm {
            expires_on: Some("2026-10-01".into()),
            ..consent_form(&["identity"], None)
        };
        let err = env
            .app
            .record_share_consent(&env.worker, client, &bad)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("expires_on"));
        assert_eq!(err.code(), "expiry_not_after_start");
        let unknown = consent_form(&["identity", "dreams"], None);
        let err = env
            .app
            .record_share_consent(&env.worker, client, &unknown)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("categories"));
        let listed = env
            .app
            .share_consents(&env.worker, client, None, None)
            .await
            .expect("consents");
        assert!(listed.page.items.is_empty());
    })
    .await;
}

#[tokio::test]
async fn consents_running_out_soon_are_listed_for_the_worker_who_carries_the_client() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let (other, _) = env.client_with_case("Ben Ortiz").await;
        let soon = env
            .app
            .record_share_consent(
                &env.worker,
                client,
                &consent_form(&["identity"], Some("2026-12-10")),
            )
            .await
            .expect("consent");
        let sooner = env
            .app
            .record_share_consent(
                &env.worker,
                other,
                &consent_form(&["identity"], Some("2026-11-25")),
            )
            .await
            .expect("consent");
        env.app
            .record_share_consent(
                &env.worker,
                client,
                &consent_form(&["identity"], Some("2027-06-01")),
            )
            .await
            .expect("later consent");
        let revoked = env
            .app
            .record_share_consent(
                &env.worker,
                client,
                &consent_form(&["identity"], Some("2026-11-30")),
            )
            .await
            .expect("consent");
        env.app
            .revoke_share_consent(
                &env.worker,
                revoked.id,
                revoked.version,
                &RevocationForm {
                    reason: "Client asked".into(),
                },
            )
            .await
            .expect("revoked");
        let first = env
            .app
            .expiring_consents(&env.worker, None, None, Some(1))
            .await
            .expect("expiring");
        assert_eq!(first.items.len(), 1);
        assert_eq!(first.items[0].id, sooner.id);
        assert_eq!(first.items[0].client_name, "Ben Ortiz");
        let cursor = crate::Cursor::parse(first.next_cursor.as_deref())
            .expect("cursor")
            .expect("more");
        let second = env
            .app
            .expiring_consents(&env.worker, None, Some(cursor), Some(1))
            .await
            .expect("expiring");
        assert_eq!(second.items.len(), 1);
        assert_eq!(second.items[0].id, soon.id);
        assert_eq!(second.next_cursor, None);
        let week = env
            .app
            .expiring_consents(&env.worker, Some(7), None, None)
            .await
            .expect("expiring");
        assert_eq!(week.items.len(), 1);
        assert!(env
            .app
            .expiring_consents(&env.worker2, None, None, None)
            .await
            .expect("expiring")
            .items
            .is_empty());
        assert!(matches!(
            env.app
                .expiring_consents(&env.auditor, None, None, None)
                .await
                .unwrap_err(),
            ServiceError::Forbidden
        ));
        assert_eq!(
            env.app
                .expiring_consents(&env.worker, Some(999), None, None)
                .await
                .unwrap_err()
                .field(),
            Some("days")
        );
    })
    .await;
}

/// The caseload home reads the caseload, the consents running out and the overdue count on one
/// connection: the same as the three reads alone, with the same entries on the log.
#[tokio::test]
async fn the_caseload_home_is_its_three_reads_with_their_entries() {
    each_backend(|env| async move {
        let (client, case) = env.client_with_case("Ana Torres").await;
        env.client_with_case("Ben Ortiz").await;
        let consent = env
            .app
            .record_share_consent(
                &env.worker,
                client,
                &consent_form(&["identity"], Some("2026-12-10")),
            )
            .await
            .expect("consent");
        let entries = || async {
            log(&env)
                .await
                .into_iter()
                .filter(|e| !e.action.starts_with("audit."))
                .map(|e| (e.action, e.record_id, e.client_id, e.subjects))
                .collect::<Vec<_>>()
        };
        let before = entries().await.len();
        let home = env
            .app
            .caseload_page(&env.worker, CaseloadScope::Mine, None, Some(50))
            .await
            .expect("caseload home");
        let mut added = entries().await;
        added.truncate(added.len() - before);
        added.sort_by(|a, b| a.0.cmp(&b.0));
        let cases = env
            .app
            .caseload(&env.worker, CaseloadScope::Mine, None, Some(50))
            .await
            .expect("caseload");
        let expiring = env
            .app
            .expiring_consents(&env.worker, None, None, Some(10))
            .await
            .expect("expiring");
        let overdue = env.app.overdue_count(&env.worker).await.expect("overdue");
        assert_eq!(home.cases, cases, "{:?}", env.backend);
        assert_eq!(home.expiring, expiring);
        assert_eq!(home.overdue, overdue);
        assert_eq!(home.cases.items.len(), 2);
        assert!(home.cases.items.iter().any(|i| i.case_id == case));
        assert_eq!(home.expiring.items.len(), 1);
        // One entry naming the cases shown, one per consent shown: as the separate reads write.
        let expected = vec![
            (
                "case.list".to_string(),
                None,
                None,
                caseload_subjects(&cases),
            ),
            (
                "consent.expiring_list".to_string(),
                Some(consent.id),
                Some(client),
                Vec::new(),
            ),
        ];
        assert_eq!(added, expected);
        // Someone without a caseload is refused, and nothing is read or written.
        let before = entries().await.len();
        assert!(matches!(
            env.app
                .caseload_page(&env.auditor, CaseloadScope::Mine, None, None)
                .await
                .unwrap_err(),
            ServiceError::Forbidden
        ));
        assert_eq!(entries().await.len(), before);
    })
    .await;
}

#[tokio::test]
async fn a_printed_summary_holds_only_the_chosen_categories() {
    each_backend(|env| async move {
        let client = env
            .app
            .register_client(
                &env.intake,
                &casework_domain::client::ClientForm {
                    legal_name: "Ana Torres".into(),
                    phone: Some("555 0100".into()),
                    ..client_form("Ana Torres", Some("1990-04-12"))
                },
                &Default::default(),
            )
            .await
            .expect("register");
        env.app
            .open_case(
                &env.intake,
                &casework_domain::case::CaseForm {
                    client_id: client.id,
                    presenting_problem: "Facing eviction".into(),
                    primary_worker_id: Some(env.worker.user_id),
                    team_id: env.worker.team_id,
                    ..Default::default()
                },
            )
            .await
            .expect("case");
        env.app
            .record_share_consent(
                &env.worker,
                client.id,
                &consent_form(&["identity", "contact", "health"], None),
            )
            .await
            .expect("consent");
        let form = DisclosureForm {
            channel: "printed_summary".into(),
            ..disclosure(&["identity"])
        };
        let s = env
            .app
            .print_summary(&env.worker, client.id, &form)
            .await
            .expect("summary");
        let identity = s.identity.expect("identity chosen");
        assert_eq!(identity.legal_name, "Ana Torres");
        assert_eq!(identity.phone, None, "contact was not chosen");
        assert!(s.contact.is_none());
        assert!(s.household.is_none());
        assert!(s.plans.is_none());
        assert_eq!(s.disclosure.channel, "printed_summary");
        let with_contact = DisclosureForm {
            channel: "printed_summary".into(),
            ..disclosure(&["contact"])
        };
        let s = env
            .app
            .print_summary(&env.worker, client.id, &with_contact)
            .await
            .expect("summary");
        assert!(s.identity.is_none());
        assert_eq!(
            s.contact.expect("contact").phone.as_deref(),
            Some("555 0100")
        );
        let health = DisclosureForm {
            channel: "printed_summary".into(),
            ..disclosure(&["health"])
        };
        let err = env
            .app
            .print_summary(&env.worker, client.id, &health)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "category_not_printable");
        assert_eq!(disclosure_count(&env, client.id).await, 2);
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_a_disclosure() {
    each_backend(|env| async move {
        let (client, _) = env.client_with_case("Ana Torres").await;
        let form = DisclosureForm {
            legal_basis: Some(legal_basis()),
            ..disclosure(&["identity"])
        };
        let d = env
            .app
            .disclose(&env.worker, client, &form)
            .await
            .expect("disclosed");
        let wall = casework_store::Wall::Agency(env.worker.agency_id);
        let mut tx = env.app.store().begin_write(wall).await.expect("tx");
        let update = sqlx::query("UPDATE disclosures SET channel = 'phone' WHERE id = $1")
            .bind(d.id)
            .execute(&mut *tx)
            .await;
        assert!(update.is_err());
        drop(tx);
        let mut tx = env.app.store().begin_write(wall).await.expect("tx");
        let delete = sqlx::query("DELETE FROM disclosures WHERE id = $1")
            .bind(d.id)
            .execute(&mut *tx)
            .await;
        assert!(delete.is_err());
        drop(tx);
        assert_eq!(disclosure_count(&env, client).await, 1);
    })
    .await;
}
