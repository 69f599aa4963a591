use super::*;
use crate::case::MoveForm;
use crate::ServiceError;
use casework_domain::stage::{Stage, Unmet};

fn forward() -> MoveForm {
    MoveForm {
        direction: "forward".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn engagement_guard_needs_consent_and_a_contact() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let v = env
            .app
            .case(&env.worker, case, None)
            .await
            .expect("read")
            .case
            .version;
        match env.app.move_stage(&env.worker, case, v, &forward()).await {
            Err(ServiceError::GuardUnmet(u)) => {
                assert!(
                    u.contains(&Unmet::ConsentToServicesMissing) && u.contains(&Unmet::NoContact),
                    "{b:?}: {u:?}"
                )
            }
            other => panic!("{b:?}: expected guard_unmet, got {other:?}"),
        }
        env.app
            .record_service_consent(
                &env.worker,
                case,
                &casework_domain::case::ServiceConsentForm {
                    given_on: "2026-11-20".into(),
                    method: "verbal".into(),
                    witness: None,
                },
            )
            .await
            .expect("consent");
        match env.app.move_stage(&env.worker, case, v, &forward()).await {
            Err(ServiceError::GuardUnmet(u)) => assert_eq!(u, vec![Unmet::NoContact], "{b:?}"),
            other => panic!("{b:?}: expected guard_unmet, got {other:?}"),
        }
        env.app
            .record_contact(&env.worker, case, &contact())
            .await
            .expect("contact");
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("guard passes");
        assert_eq!(moved.stage, "assessment", "{b:?}");
        let detail = env.app.case(&env.worker, case, None).await.expect("read");
        assert_eq!(detail.history.len(), 2, "{b:?}");
        assert_eq!(
            detail.history[1].from_stage.as_deref(),
            Some("engagement"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn only_a_supervisor_overrides_a_guard_and_the_reason_is_kept() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        env.engage(case).await;
        let b = env.backend;
        let v = env
            .app
            .move_stage(&env.worker, case, 1, &forward())
            .await
            .expect("to assessment")
            .version;
        let mut over = forward();
        over.override_reason = Some("Assessment completed on paper during the home visit".into());
        assert!(
            matches!(
                env.app.move_stage(&env.worker, case, v, &over).await,
                Err(ServiceError::Forbidden)
            ),
            "{b:?}"
        );
        let short = MoveForm {
            override_reason: Some("because".into()),
            ..forward()
        };
        match env.app.move_stage(&env.sup, case, v, &short).await {
            Err(ServiceError::Invalid(i)) => assert_eq!(
                (i.field.as_str(), i.code),
                ("override_reason", "reason_too_short"),
                "{b:?}"
            ),
            other => panic!("{b:?}: {other:?}"),
        }
        let moved = env
            .app
            .move_stage(&env.sup, case, v, &over)
            .await
            .expect("override");
        assert_eq!(moved.stage, Stage::GoalSetting.as_str(), "{b:?}");
        let detail = env.app.case(&env.sup, case, None).await.expect("read");
        assert_eq!(
            detail
                .history
                .last()
                .and_then(|h| h.override_reason.as_deref()),
            over.override_reason.as_deref(),
            "{b:?}"
        );
        let entries = log(&env).await;
        let o = entries
            .iter()
            .find(|e| e.action == "case.stage_override")
            .expect("override audited");
        assert!(
            o.reason
                .as_deref()
                .unwrap_or("")
                .contains("assessment_incomplete"),
            "{b:?}: {:?}",
            o.reason
        );
    })
    .await;
}

#[tokio::test]
async fn a_stale_version_is_refused_and_nothing_moves() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        env.engage(case).await;
        let b = env.backend;
        env.app
            .move_stage(&env.worker, case, 1, &forward())
            .await
            .expect("first move");
        assert!(
            matches!(
                env.app.move_stage(&env.worker, case, 1, &forward()).await,
                Err(ServiceError::Stale)
            ),
            "{b:?}"
        );
        assert_eq!(
            env.app
                .case(&env.worker, case, None)
                .await
                .expect("read")
                .case
                .stage,
            "assessment",
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn reopen_and_back_to_intervention_follow_the_machine() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let back = MoveForm {
            direction: "back_to_intervention".into(),
            ..Default::default()
        };
        assert!(
            matches!(
                env.app.move_stage(&env.sup, case, 1, &back).await,
                Err(ServiceError::TransitionNotAllowed)
            ),
            "{b:?}"
        );
        let bad = MoveForm {
            direction: "sideways".into(),
            ..Default::default()
        };
        match env.app.move_stage(&env.sup, case, 1, &bad).await {
            Err(ServiceError::Invalid(i)) => assert_eq!(i.field, "direction", "{b:?}"),
            other => panic!("{b:?}: {other:?}"),
        }
    })
    .await;
}

/// The caseload's pages follow one another by cursor: in case order, none twice, none left out.
#[tokio::test]
async fn the_caseload_pages_by_cursor_in_case_order() {
    each_backend(|env| async move {
        let b = env.backend;
        let mut cases = Vec::new();
        for name in ["Ana Torres", "Bo Lindqvist", "Chen Wei"] {
            cases.push(env.client_with_case(name).await.1);
        }
        let mine = crate::case::CaseloadScope::Mine;
        let first = env
            .app
            .caseload(&env.worker, mine, None, Some(2))
            .await
            .expect("first page");
        let cursor = crate::Cursor::parse(first.next_cursor.as_deref()).expect("our own cursor");
        assert!(cursor.is_some(), "a second page {b:?}");
        let second = env
            .app
            .caseload(&env.worker, mine, cursor, Some(2))
            .await
            .expect("second page");
        assert!(second.next_cursor.is_none(), "{b:?}");
        let shown: Vec<i64> = first
            .items
            .iter()
            .chain(&second.items)
            .map(|i| i.case_id)
            .collect();
        assert_eq!(shown, cases, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn caseload_shows_open_cases_with_next_due_item() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        env.clock.advance_ms(3 * 86_400_000);
        let page = env
            .app
            .caseload(&env.worker, crate::case::CaseloadScope::Mine, None, None)
            .await
            .expect("caseload");
        assert_eq!(page.items.len(), 1, "{b:?}");
        let item = &page.items[0];
        assert_eq!((item.case_id, item.days_in_stage), (case, 3), "{b:?}");
        assert_eq!(item.next_due, Some("consent_to_services_missing"), "{b:?}");
        let team = env
            .app
            .caseload(&env.sup, crate::case::CaseloadScope::Team, None, None)
            .await
            .expect("team caseload");
        assert_eq!(team.items.len(), 1, "{b:?}");
        assert!(
            env.app
                .caseload(&env.worker_b, crate::case::CaseloadScope::Mine, None, None)
                .await
                .expect("other")
                .items
                .is_empty(),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app
                    .caseload(&env.worker, crate::case::CaseloadScope::Team, None, None)
                    .await,
                Err(ServiceError::Forbidden)
            ),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_case_page_names_the_program_worker_and_team_it_has() {
    each_backend(|env| async move {
        let b = env.backend;
        let agency = env.worker.agency_id;
        let program = env
            .app
            .create_program(None, agency, "Housing", true, false)
            .await
            .expect("program");
        let client = env.register("Ana Torres").await;
        let open = |program_id, primary_worker_id, team_id| {
            let app = env.app.clone();
            let intake = env.intake.clone();
            async move {
                app.open_case(
                    &intake,
                    &CaseForm {
                        client_id: client.id,
                        presenting_problem: "Facing eviction".into(),
                        primary_worker_id,
                        team_id,
                        program_id,
                        ..Default::default()
                    },
                )
                .await
                .expect("open case")
                .id
            }
        };
        let full = open(
            Some(program.id),
            Some(env.worker.user_id),
            env.worker.team_id,
        )
        .await;
        let page = env
            .app
            .case_page(&env.sup, full, None)
            .await
            .expect("case page");
        let d = &page.detail;
        let named = (
            d.program
                .as_ref()
                .map(|p| (p.name.as_str(), p.plan_approval_required)),
            d.worker_name.as_deref(),
            d.team.as_ref().map(|t| (t.id, t.name.as_str())),
        );
        assert_eq!(
            named,
            (
                Some(("Housing", 1)),
                Some("wanda"),
                env.worker.team_id.map(|t| (t, "North"))
            ),
            "{b:?}"
        );
        // Without a program or a worker, only the team is named.
        let bare = open(None, None, env.sup.team_id).await;
        let d = env
            .app
            .case_page(&env.sup, bare, None)
            .await
            .expect("case page")
            .detail;
        assert_eq!(d.program, None, "{b:?}");
        assert_eq!(d.worker_name, None, "{b:?}");
        assert_eq!(d.team.map(|t| t.name), Some("North".into()), "{b:?}");
    })
    .await;
}

/// The server keeps no agency time zone: a contact dated today east of Greenwich, while UTC is
/// still on yesterday, is accepted; a date that is in the future everywhere is not.
#[tokio::test]
async fn a_contact_dated_today_anywhere_is_accepted_and_only_the_future_everywhere_refused() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        // NOW is 2026-11-22 10:00 UTC: 2026-11-23 00:00 at UTC+14.
        let east = ContactForm {
            date: "2026-11-23".into(),
            ..contact()
        };
        env.app
            .record_contact(&env.worker, case, &east)
            .await
            .unwrap_or_else(|e| panic!("{b:?}: {e:?}"));
        let future = ContactForm {
            date: "2026-11-24".into(),
            ..contact()
        };
        let refused = env.app.record_contact(&env.worker, case, &future).await;
        assert!(
            matches!(&refused, Err(crate::ServiceError::Invalid(i)) if i.code == "date_in_future"),
            "{b:?}: {refused:?}"
        );
        let detail = env.app.case(&env.worker, case, None).await.expect("case");
        assert_eq!(detail.contacts.len(), 1, "{b:?}: nothing half-written");
    })
    .await;
}
