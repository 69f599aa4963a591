//! Monitoring: services delivered (recorded, corrected, entered in error), progress entries
//! against goals, and the golden-thread view.

use super::*;
use crate::ServiceError;
use casework_domain::assessment::AssessmentForm;
use casework_domain::delivery::{ErrorForm, ServiceForm};
use casework_domain::goal::{GoalForm, GoalScaleForm};
use casework_domain::plan::InterventionForm;
use casework_domain::progress::ProgressForm;

/// A case with a completed assessment naming two needs, an active goal for the first with an
/// intervention in the plan, and a draft goal for nothing.
struct Setup {
    case: i64,
    needs: Vec<i64>,
    goal: i64,
    draft: i64,
    intervention: i64,
}

fn smart(need: i64) -> GoalForm {
    GoalForm {
        statement: Some("Move into stable housing".into()),
        measure: Some("Nights a week in own tenancy".into()),
        baseline: Some("0".into()),
        target: Some("7".into()),
        resources: Some("Housing first programme".into()),
        barriers: Some("Rent arrears".into()),
        linked_need_ids: vec![need],
        target_date: Some("2027-06-01".into()),
    }
}

async fn setup(env: &Env, name: &str) -> Setup {
    let (_, case) = env.client_with_case(name).await;
    let form = AssessmentForm {
        assessed_on: "2026-11-21".into(),
        needs: vec!["Stable housing".into(), "Steady income".into()],
        strengths: vec!["Supportive sister nearby".into()],
        risk_level: Some("low".into()),
        ..Default::default()
    };
    let needs: Vec<i64> = env
        .app
        .save_assessment(&env.worker, case, &form, true)
        .await
        .expect("assessment")
        .needs
        .iter()
        .map(|n| n.id)
        .collect();
    let g = env
        .app
        .create_goal(
            &env.worker,
            case,
            &smart(needs[0]),
            &GoalScaleForm::default(),
        )
        .await
        .expect("goal");
    let g = env
        .app
        .activate_goal(&env.worker, g.goal.id, g.goal.version)
        .await
        .expect("activate");
    let draft = env
        .app
        .create_goal(
            &env.worker,
            case,
            &GoalForm {
                statement: Some("Find work".into()),
                ..Default::default()
            },
            &GoalScaleForm::default(),
        )
        .await
        .expect("draft goal");
    let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
    let i = env
        .app
        .add_intervention(
            &env.worker,
            plan.plan.id,
            &InterventionForm {
                goal_id: g.goal.id,
                kind: "counselling".into(),
                description: "Weekly tenancy-sustainment sessions".into(),
                responsible: "worker".into(),
                responsible_name: None,
                due_on: "2026-12-15".into(),
                resources: None,
            },
        )
        .await
        .expect("intervention");
    Setup {
        case,
        needs,
        goal: g.goal.id,
        draft: draft.goal.id,
        intervention: i.id,
    }
}

fn service(goal: Option<i64>, intervention: Option<i64>) -> ServiceForm {
    ServiceForm {
        kind: "counselling".into(),
        other_kind: None,
        delivered_on: "2026-11-21".into(),
        provider: "worker".into(),
        provider_name: None,
        units: 1.5,
        unit_name: "hours".into(),
        goal_id: goal,
        intervention_id: intervention,
        note: Some("Budgeting for the first month's rent".into()),
    }
}

fn invalid<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> (String, &'static str) {
    match r {
        Err(ServiceError::Invalid(e)) => (e.field, e.code),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_service_is_recorded_corrected_and_entered_in_error_but_never_removed() {
    each_backend(|env| async move {
        let b = env.backend;
        let s = setup(&env, "Ana Torres").await;
        let row = env
            .app
            .record_service(&env.worker, s.case, &service(None, Some(s.intervention)))
            .await
            .expect("record");
        // The intervention brings its goal.
        assert_eq!(row.goal_id, Some(s.goal), "{b:?}");
        assert_eq!(row.units, 1.5, "{b:?}");
        assert_eq!(row.version, 1, "{b:?}");

        // A correction based on an old version is refused and changes nothing.
        let fixed = ServiceForm {
            units: 2.0,
            ..service(Some(s.goal), Some(s.intervention))
        };
        assert!(matches!(
            env.app.update_service(&env.worker, row.id, 0, &fixed).await,
            Err(ServiceError::Stale)
        ));
        let updated = env
            .app
            .update_service(&env.worker, row.id, row.version, &fixed)
            .await
            .expect("update");
        assert_eq!((updated.units, updated.version), (2.0, 2), "{b:?}");
        assert!(matches!(
            env.app
                .update_service(&env.worker, row.id, row.version, &fixed)
                .await,
            Err(ServiceError::Stale)
        ));

        // Entered in error: kept, with its reason, and no longer changed.
        let no_reason = ErrorForm { reason: " ".into() };
        assert_eq!(
            invalid(
                env.app
                    .mark_service_in_error(&env.worker, row.id, None, &no_reason)
                    .await
            ),
            ("reason".into(), "required")
        );
        let why = ErrorForm {
            reason: "Recorded on the wrong case".into(),
        };
        assert!(matches!(
            env.app
                .mark_service_in_error(&env.worker, row.id, Some(1), &why)
                .await,
            Err(ServiceError::Stale)
        ));
        let marked = env
            .app
            .mark_service_in_error(&env.worker, row.id, Some(2), &why)
            .await
            .expect("entered in error");
        assert!(marked.in_error(), "{b:?}");
        assert_eq!(
            marked.error_reason.as_deref(),
            Some("Recorded on the wrong case")
        );
        let kept = env
            .app
            .delivered_service(&env.worker, row.id)
            .await
            .expect("still there");
        assert!(kept.service.in_error(), "{b:?}");
        assert_eq!(kept.service.units, 2.0, "{b:?}");
        let list = env
            .app
            .services(&env.worker, s.case, None, None)
            .await
            .expect("list");
        assert_eq!(list.page.items.len(), 1, "{b:?}");
        assert_eq!(
            invalid(
                env.app
                    .update_service(&env.worker, row.id, marked.version, &fixed)
                    .await
            ),
            ("service_id".into(), "service_entered_in_error")
        );
        assert_eq!(
            invalid(
                env.app
                    .mark_service_in_error(&env.worker, row.id, None, &why)
                    .await
            )
            .1,
            "service_entered_in_error"
        );

        let entries = log(&env).await;
        for action in [
            "service.record",
            "service.update",
            "service.entered_in_error",
            "service.read",
            "service.list",
        ] {
            assert!(
                entries.iter().any(|e| e.action == action
                    && e.outcome == "allowed"
                    && e.record_type == "service_delivered"),
                "{b:?}: {action}"
            );
        }
        let error_entry = entries
            .iter()
            .find(|e| e.action == "service.entered_in_error")
            .expect("entry");
        assert_eq!(
            error_entry.reason.as_deref(),
            Some("Recorded on the wrong case")
        );
    })
    .await;
}

#[tokio::test]
async fn services_are_paged_newest_first() {
    each_backend(|env| async move {
        let b = env.backend;
        let s = setup(&env, "Ana Torres").await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(
                env.app
                    .record_service(&env.worker, s.case, &service(None, None))
                    .await
                    .expect("record")
                    .id,
            );
        }
        let first = env
            .app
            .services(&env.worker, s.case, None, Some(2))
            .await
            .expect("page");
        let got: Vec<i64> = first.page.items.iter().map(|r| r.id).collect();
        assert_eq!(got, [ids[2], ids[1]], "{b:?}");
        let cursor = crate::Cursor::parse(first.page.next_cursor.as_deref()).unwrap();
        let second = env
            .app
            .services(&env.worker, s.case, cursor, Some(2))
            .await
            .expect("page");
        let got: Vec<i64> = second.page.items.iter().map(|r| r.id).collect();
        assert_eq!(got, [ids[0]], "{b:?}");
        assert_eq!(second.page.next_cursor, None, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn bad_service_input_names_the_field_and_writes_nothing() {
    each_backend(|env| async move {
        let b = env.backend;
        let s = setup(&env, "Ana Torres").await;
        let other = setup(&env, "Bea Lopez").await;
        let cases: [(ServiceForm, &str, &str); 4] = [
            (
                ServiceForm {
                    // NOW is 2026-11-22 10:00 UTC: already the 23rd at UTC+14, not yet the 24th.
                    delivered_on: "2026-11-24".into(),
                    ..service(None, None)
                },
                "delivered_on",
                "date_in_future",
            ),
            (
                ServiceForm {
                    units: -1.0,
                    ..service(None, None)
                },
                "units",
                "units_invalid",
            ),
            // A goal of another case.
            (service(Some(other.goal), None), "goal_id", "unknown_choice"),
            // An intervention of another case's plan.
            (
                service(None, Some(other.intervention)),
                "intervention_id",
                "unknown_choice",
            ),
        ];
        for (form, field, code) in cases {
            let got = invalid(env.app.record_service(&env.worker, s.case, &form).await);
            assert_eq!(got, (field.to_string(), code), "{b:?}");
        }
        let list = env
            .app
            .services(&env.worker, s.case, None, None)
            .await
            .expect("list");
        assert!(list.page.items.is_empty(), "{b:?}: nothing written");
        let entries = log(&env).await;
        assert!(
            !entries.iter().any(|e| e.action == "service.record"),
            "{b:?}: no write audited"
        );
    })
    .await;
}

#[tokio::test]
async fn service_access_outside_reach_is_refused_and_audited() {
    each_backend(|env| async move {
        let b = env.backend;
        let s = setup(&env, "Ana Torres").await;
        let row = env
            .app
            .record_service(&env.worker, s.case, &service(None, None))
            .await
            .expect("record");
        // A caseworker of another team does not know the case or the record exists.
        assert!(matches!(
            env.app
                .record_service(&env.worker_b, s.case, &service(None, None))
                .await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            env.app.delivered_service(&env.worker_b, row.id).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            env.app.services(&env.stranger, s.case, None, None).await,
            Err(ServiceError::NotFound)
        ));
        let why = ErrorForm {
            reason: "Not mine".into(),
        };
        assert!(matches!(
            env.app
                .mark_service_in_error(&env.worker_b, row.id, None, &why)
                .await,
            Err(ServiceError::NotFound)
        ));
        let kept = env
            .app
            .delivered_service(&env.worker, row.id)
            .await
            .expect("read");
        assert!(!kept.service.in_error(), "{b:?}");
        let entries = log(&env).await;
        for action in ["service.record", "service.read", "service.entered_in_error"] {
            assert!(
                entries.iter().any(|e| e.action == action
                    && e.outcome == "denied"
                    && e.actor_user_id == Some(env.worker_b.user_id)),
                "{b:?}: denied {action} audited"
            );
        }
    })
    .await;
}

fn value(v: f64, on: &str) -> ProgressForm {
    ProgressForm {
        value: Some(v),
        gas_level: None,
        recorded_on: on.into(),
        comment: "Stayed in the flat".into(),
    }
}

#[tokio::test]
async fn progress_is_recorded_against_goals_that_are_not_drafts() {
    each_backend(|env| async move {
        let b = env.backend;
        let s = setup(&env, "Ana Torres").await;
        env.app
            .record_progress(&env.worker, s.goal, &value(3.0, "2026-11-15"))
            .await
            .expect("value");
        let level = ProgressForm {
            value: None,
            gas_level: Some(1),
            ..value(0.0, "2026-11-10")
        };
        env.app
            .record_progress(&env.worker, s.goal, &level)
            .await
            .expect("level");
        let p = env
            .app
            .goal_progress(&env.worker, s.goal)
            .await
            .expect("progress");
        // In date order.
        let got: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.recorded_on.as_str(), e.value, e.gas_level))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-11-10", None, Some(1)),
                ("2026-11-15", Some(3.0), None)
            ],
            "{b:?}"
        );
        assert!(p.can_record, "{b:?}");
        let page = env
            .app
            .progress_entries(&env.worker, s.goal, None, Some(1))
            .await
            .expect("page");
        assert_eq!(page.items.len(), 1, "{b:?}");
        assert!(page.next_cursor.is_some(), "{b:?}");

        // A draft goal takes no progress.
        assert_eq!(
            invalid(
                env.app
                    .record_progress(&env.worker, s.draft, &value(1.0, "2026-11-20"))
                    .await
            ),
            ("goal_id".into(), "goal_is_draft")
        );
        let draft = env
            .app
            .goal_progress(&env.worker, s.draft)
            .await
            .expect("draft");
        assert!(!draft.can_record && draft.entries.is_empty(), "{b:?}");
        // Bad input names the field and writes nothing.
        let bad = ProgressForm {
            value: None,
            gas_level: Some(3),
            ..value(0.0, "2026-11-20")
        };
        assert_eq!(
            invalid(env.app.record_progress(&env.worker, s.goal, &bad).await),
            ("gas_level".into(), "gas_level_out_of_range")
        );
        assert_eq!(
            invalid(
                env.app
                    .record_progress(&env.worker, s.goal, &value(1.0, "2026-11-24"))
                    .await
            ),
            ("recorded_on".into(), "date_in_future")
        );
        let after = env.app.goal_progress(&env.worker, s.goal).await.unwrap();
        assert_eq!(after.entries.len(), 2, "{b:?}");
        // Outside reach: refused and audited.
        assert!(matches!(
            env.app
                .record_progress(&env.worker_b, s.goal, &value(1.0, "2026-11-20"))
                .await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            env.app.goal_progress(&env.stranger, s.goal).await,
            Err(ServiceError::NotFound)
        ));
        let entries = log(&env).await;
        assert!(
            entries
                .iter()
                .filter(|e| e.action == "progress.record" && e.outcome == "allowed")
                .count()
                == 2,
            "{b:?}"
        );
        assert!(
            entries
                .iter()
                .any(|e| e.action == "progress.record" && e.outcome == "denied"),
            "{b:?}"
        );
        assert!(
            entries
                .iter()
                .any(|e| e.action == "progress.read" && e.outcome == "allowed"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_thread_shows_where_it_is_broken_until_the_work_is_done() {
    each_backend(|env| async move {
        let b = env.backend;
        let s = setup(&env, "Ana Torres").await;
        let view = env
            .app
            .thread(&env.worker, s.case, None)
            .await
            .expect("thread");
        let codes: Vec<_> = view
            .breaks
            .iter()
            .map(|x| (x.code(), x.record_id()))
            .collect();
        // The draft goal names no need, so the second need is unanswered.
        assert_eq!(
            codes,
            [
                ("need_without_goal", s.needs[1]),
                ("goal_without_recent_progress", s.goal),
                ("intervention_without_delivery", s.intervention),
            ],
            "{b:?}"
        );
        assert_eq!(view.window.days(), 30, "{b:?}");
        assert!(view.need(s.needs[1]).is_some() && view.intervention(s.intervention).is_some());

        // Progress 40 days ago is outside the default window, inside a 60-day one.
        env.app
            .record_progress(&env.worker, s.goal, &value(2.0, "2026-10-13"))
            .await
            .expect("old progress");
        let view = env.app.thread(&env.worker, s.case, None).await.unwrap();
        assert!(view
            .breaks
            .iter()
            .any(|x| x.code() == "goal_without_recent_progress"));
        let wide = env
            .app
            .thread(&env.worker, s.case, Some("60"))
            .await
            .unwrap();
        assert!(!wide
            .breaks
            .iter()
            .any(|x| x.code() == "goal_without_recent_progress"));

        // A service entered in error does not count as delivery; a standing one does.
        let wrong = env
            .app
            .record_service(&env.worker, s.case, &service(None, Some(s.intervention)))
            .await
            .unwrap();
        env.app
            .mark_service_in_error(
                &env.worker,
                wrong.id,
                None,
                &ErrorForm {
                    reason: "Duplicate".into(),
                },
            )
            .await
            .unwrap();
        let counts = env
            .app
            .monitoring_counts(&env.worker, s.case)
            .await
            .unwrap();
        assert_eq!((counts.services, counts.breaks), (0, 3), "{b:?}");
        // The case page skips the plan and services it knows the case lacks; this case has both.
        let page = env.app.case_page(&env.worker, s.case, None).await.unwrap();
        assert_eq!(page.monitoring, counts, "{b:?}");
        env.app
            .record_service(&env.worker, s.case, &service(None, Some(s.intervention)))
            .await
            .unwrap();
        env.app
            .record_progress(&env.worker, s.goal, &value(4.0, "2026-11-20"))
            .await
            .unwrap();
        let view = env.app.thread(&env.worker, s.case, None).await.unwrap();
        let codes: Vec<_> = view.breaks.iter().map(|x| x.code()).collect();
        assert_eq!(codes, ["need_without_goal"], "{b:?}");
        let counts = env
            .app
            .monitoring_counts(&env.worker, s.case)
            .await
            .unwrap();
        assert_eq!((counts.services, counts.breaks), (1, 1), "{b:?}");
        let page = env.app.case_page(&env.worker, s.case, None).await.unwrap();
        assert_eq!(page.monitoring, counts, "{b:?}");

        // The window is checked and named.
        assert_eq!(
            invalid(env.app.thread(&env.worker, s.case, Some("0")).await),
            ("days".into(), "days_range")
        );
        assert!(matches!(
            env.app.thread(&env.worker_b, s.case, None).await,
            Err(ServiceError::NotFound)
        ));
        let entries = log(&env).await;
        assert!(entries
            .iter()
            .any(|e| e.action == "thread.read" && e.outcome == "allowed"));
        assert!(
            entries
                .iter()
                .any(|e| e.action == "thread.read" && e.outcome == "denied"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn service_notes_and_progress_comments_are_sealed_read_back_rotated_and_exported() {
    use super::encryption::{client_of_case, exported, owner, raw, seal_legacy, sealed_for};
    use casework_store::subject_access::Value;
    each_backend(|env| async move {
        let b = env.backend;
        let s = setup(&env, "Mira Osei").await;
        let client = client_of_case(&env, s.case).await;
        let sealed = |stored: &str, plain: &str| sealed_for(client, stored, plain);
        let row = env
            .app
            .record_service(&env.worker, s.case, &service(None, Some(s.intervention)))
            .await
            .expect("service");
        assert_eq!(
            row.note.as_deref(),
            Some("Budgeting for the first month's rent")
        );
        let note = "SELECT note FROM services_delivered WHERE id = $1";
        let stored = raw(&env, note, row.id).await;
        assert!(sealed(&stored, "Budgeting"), "{b:?}: {stored}");
        // Corrected: sealed again, read back.
        let mut fixed = service(None, Some(s.intervention));
        fixed.note = Some("Opened a savings account together".into());
        env.app
            .update_service(&env.worker, row.id, row.version, &fixed)
            .await
            .expect("update");
        let stored = raw(&env, note, row.id).await;
        assert!(sealed(&stored, "savings"), "{b:?}: {stored}");
        let listed = env
            .app
            .services(&env.worker, s.case, None, None)
            .await
            .expect("services");
        assert_eq!(listed.page.items[0].note, fixed.note, "{b:?}");

        let entry = env
            .app
            .record_progress(&env.worker, s.goal, &value(3.0, "2026-11-15"))
            .await
            .expect("progress");
        assert_eq!(entry.comment, "Stayed in the flat");
        let comment = "SELECT comment FROM progress_entries WHERE id = $1";
        let stored = raw(&env, comment, entry.id).await;
        assert!(sealed(&stored, "flat"), "{b:?}: {stored}");
        let progress = env
            .app
            .goal_progress(&env.worker, s.goal)
            .await
            .expect("progress page");
        assert_eq!(progress.entries[0].comment, "Stayed in the flat", "{b:?}");

        // A comment from before 0025 reads, and rotation seals it.
        sqlx::query(
            "UPDATE progress_entries SET comment = 'legacy:Paid the rent on time' WHERE id = $1",
        )
        .bind(entry.id)
        .execute(&mut owner(&env).await)
        .await
        .expect("legacy");
        let page = env
            .app
            .progress_entries(&env.worker, s.goal, None, None)
            .await
            .expect("legacy reads");
        assert_eq!(page.items[0].comment, "Paid the rent on time", "{b:?}");
        let report = seal_legacy(&env).await;
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        let stored = raw(&env, comment, entry.id).await;
        assert!(
            stored.starts_with("enc1:") && !stored.contains("rent"),
            "{b:?}: {stored}"
        );

        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        assert_eq!(
            exported(&sar, "services", "note"),
            vec![Value::Text("Opened a savings account together".into())],
            "{b:?}"
        );
        assert_eq!(
            exported(&sar, "progress", "comment"),
            vec![Value::Text("Paid the rent on time".into())],
            "{b:?}"
        );
    })
    .await;
}
