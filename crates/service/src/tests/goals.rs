use super::*;
use crate::case::MoveForm;
use crate::ServiceError;
use casework_domain::assessment::AssessmentForm;
use casework_domain::goal::{AgreementForm, GoalForm, GoalScaleForm, GoalStatus, SmartGap};
use casework_domain::stage::{Stage, Unmet};

fn forward() -> MoveForm {
    MoveForm {
        direction: "forward".into(),
        ..Default::default()
    }
}

/// Needs named by a completed (or draft) assessment of the case, in order.
async fn assessed_needs(env: &Env, case: i64, complete: bool) -> Vec<i64> {
    let form = AssessmentForm {
        assessed_on: "2026-11-21".into(),
        situation: Some("Two months behind on rent".into()),
        needs: vec!["Stable housing".into(), "Steady income".into()],
        strengths: vec!["Supportive sister nearby".into()],
        risk_level: Some("low".into()),
        ..Default::default()
    };
    env.app
        .save_assessment(&env.worker, case, &form, complete)
        .await
        .expect("assessment")
        .needs
        .iter()
        .map(|n| n.id)
        .collect()
}

/// A case engaged, assessed (its needs returned) and moved on to goal setting; its version.
async fn in_goal_setting(env: &Env, case: i64) -> (i64, Vec<i64>) {
    env.engage(case).await;
    let v = env
        .app
        .move_stage(&env.worker, case, 1, &forward())
        .await
        .expect("to assessment")
        .version;
    let needs = assessed_needs(env, case, true).await;
    let moved = env
        .app
        .move_stage(&env.worker, case, v, &forward())
        .await
        .expect("to goal setting");
    assert_eq!(moved.stage, Stage::GoalSetting.as_str());
    (moved.version, needs)
}

fn smart(need: i64) -> GoalForm {
    GoalForm {
        statement: Some("Move into stable housing".into()),
        measure: Some("Nights a week in own tenancy".into()),
        baseline: Some("0".into()),
        target: Some("7".into()),
        resources: Some("Housing first programme; sister's support".into()),
        barriers: Some("Rent arrears from last tenancy".into()),
        linked_need_ids: vec![need],
        target_date: Some("2027-06-01".into()),
    }
}

fn agreement() -> AgreementForm {
    AgreementForm {
        agreed_on: "2026-11-22".into(),
        client_words: "I want a place of my own for me and the kids".into(),
    }
}

#[tokio::test]
async fn a_draft_with_gaps_saves_and_activation_names_every_gap() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let form = GoalForm {
            statement: Some("Find a job".into()),
            resources: Some("Job centre".into()),
            target_date: Some("2026-11-22".into()),
            ..Default::default()
        };
        let draft = env
            .app
            .create_goal(&env.worker, case, &form, &GoalScaleForm::default())
            .await
            .expect("a draft saves whatever it lacks");
        assert_eq!(draft.status, GoalStatus::Draft, "{b:?}");
        assert_eq!(draft.goal.priority, 1, "{b:?}");
        assert_eq!(draft.goal.weight, 1.0, "{b:?}");
        let expected = vec![
            SmartGap::NoMeasure,
            SmartGap::NoBaseline,
            SmartGap::NoTarget,
            SmartGap::NoResourcesOrBarriers,
            SmartGap::NoLinkedNeed,
            SmartGap::TargetDateNotInFuture,
        ];
        assert_eq!(draft.gaps, expected, "{b:?}");
        match env
            .app
            .activate_goal(&env.worker, draft.goal.id, draft.goal.version)
            .await
        {
            Err(ServiceError::SmartGaps(gaps)) => assert_eq!(gaps, expected, "{b:?}"),
            other => panic!("{b:?}: expected smart gaps, got {other:?}"),
        }
        // Refused means unchanged.
        let again = env
            .app
            .goal(&env.worker, draft.goal.id)
            .await
            .expect("read");
        assert_eq!(again.goal.status, GoalStatus::Draft, "{b:?}");
        assert_eq!(again.goal.goal.version, draft.goal.version, "{b:?}");
        // A second goal comes after the first.
        let second = env
            .app
            .create_goal(&env.worker, case, &GoalForm::default(), &Default::default())
            .await
            .expect("empty draft");
        assert_eq!(second.goal.priority, 2, "{b:?}");
        assert_eq!(second.gaps.len(), 7, "{b:?}: {:?}", second.gaps);
    })
    .await;
}

#[tokio::test]
async fn the_goal_setting_guard_needs_an_active_goal_the_client_agreed_to() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let (v, needs) = in_goal_setting(&env, case).await;
        let refused = |r: Result<_, ServiceError>| match r {
            Err(ServiceError::GuardUnmet(u)) => assert_eq!(u, vec![Unmet::NoAgreedSmartGoal]),
            other => panic!("{b:?}: expected guard_unmet, got {other:?}"),
        };
        refused(env.app.move_stage(&env.worker, case, v, &forward()).await);
        let scale = GoalScaleForm {
            gas: [
                "Evicted",
                "Still in a shelter",
                "Tenancy signed",
                "Tenancy kept three months",
                "Tenancy kept, arrears cleared",
            ]
            .map(|s| Some(s.to_string())),
            priority: None,
            weight: Some(2.0),
        };
        let goal = env
            .app
            .create_goal(&env.worker, case, &smart(needs[0]), &scale)
            .await
            .expect("create");
        assert_eq!(goal.gaps, [], "{b:?}");
        assert_eq!(goal.linked_need_ids, vec![needs[0]], "{b:?}");
        assert_eq!(
            goal.goal.gas_zero.as_deref(),
            Some("Tenancy signed"),
            "{b:?}"
        );
        assert_eq!(goal.goal.weight, 2.0, "{b:?}");
        // Agreed while a draft: not yet enough.
        let agreed = env
            .app
            .record_goal_agreement(&env.worker, goal.goal.id, goal.goal.version, &agreement())
            .await
            .expect("agree");
        assert_eq!(agreed.goal.client_agreed, 1, "{b:?}");
        assert_eq!(
            agreed.goal.client_agreed_on.as_deref(),
            Some("2026-11-22"),
            "{b:?}"
        );
        refused(env.app.move_stage(&env.worker, case, v, &forward()).await);
        let active = env
            .app
            .activate_goal(&env.worker, goal.goal.id, agreed.goal.version)
            .await
            .expect("a SMART goal linked to a need activates");
        assert_eq!(active.status, GoalStatus::Active, "{b:?}");
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("guard passes");
        assert_eq!(moved.stage, Stage::Planning.as_str(), "{b:?}");
        let entries = log(&env).await;
        for action in ["goal.create", "goal.agree", "goal.activate"] {
            assert!(
                entries.iter().any(|e| e.action == action
                    && e.record_id == Some(goal.goal.id)
                    && e.outcome == "allowed"),
                "{b:?}: {action}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn an_active_goal_without_agreement_does_not_pass_and_an_agreed_goal_changed_loses_agreement()
{
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let (v, needs) = in_goal_setting(&env, case).await;
        let goal = env
            .app
            .create_goal(&env.worker, case, &smart(needs[0]), &Default::default())
            .await
            .expect("create");
        let active = env
            .app
            .activate_goal(&env.worker, goal.goal.id, goal.goal.version)
            .await
            .expect("activate");
        assert!(matches!(
            env.app.move_stage(&env.worker, case, v, &forward()).await,
            Err(ServiceError::GuardUnmet(_))
        ));
        let agreed = env
            .app
            .record_goal_agreement(&env.worker, goal.goal.id, active.goal.version, &agreement())
            .await
            .expect("agree");
        // Changing only the order keeps the agreement.
        let reordered = env
            .app
            .update_goal(
                &env.worker,
                goal.goal.id,
                agreed.goal.version,
                &smart(needs[0]),
                &GoalScaleForm {
                    priority: Some(3),
                    ..Default::default()
                },
            )
            .await
            .expect("reprioritise");
        assert_eq!(reordered.goal.priority, 3, "{b:?}");
        assert_eq!(reordered.goal.client_agreed, 1, "{b:?}");
        // An active goal must stay SMART.
        let mut broken = smart(needs[0]);
        broken.measure = None;
        match env
            .app
            .update_goal(
                &env.worker,
                goal.goal.id,
                reordered.goal.version,
                &broken,
                &Default::default(),
            )
            .await
        {
            Err(ServiceError::SmartGaps(g)) => assert_eq!(g, vec![SmartGap::NoMeasure], "{b:?}"),
            other => panic!("{b:?}: {other:?}"),
        }
        // Changing what the client agreed to withdraws the agreement.
        let mut changed = smart(needs[0]);
        changed.linked_need_ids = vec![needs[1], needs[0]];
        let changed = env
            .app
            .update_goal(
                &env.worker,
                goal.goal.id,
                reordered.goal.version,
                &changed,
                &Default::default(),
            )
            .await
            .expect("change");
        assert_eq!(changed.goal.client_agreed, 0, "{b:?}");
        assert_eq!(changed.goal.client_words, None, "{b:?}");
        assert_eq!(changed.linked_need_ids, vec![needs[1], needs[0]], "{b:?}");
        assert_eq!(
            changed.goal.priority, 3,
            "{b:?}: priority kept when not given"
        );
        assert!(matches!(
            env.app.move_stage(&env.worker, case, v, &forward()).await,
            Err(ServiceError::GuardUnmet(_))
        ));
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "goal.update"
                && e.reason.as_deref() == Some("client agreement withdrawn: the goal changed")),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_need_from_another_case_or_a_draft_assessment_is_refused() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let (_, other) = env.client_with_case("Ben Okafor").await;
        let b = env.backend;
        let theirs = assessed_needs(&env, other, true).await;
        let drafted = assessed_needs(&env, case, false).await;
        let mine = assessed_needs(&env, case, true).await;
        for (bad, at) in [
            (vec![mine[0], theirs[0]], "linked_need_ids[1]"),
            (vec![drafted[0]], "linked_need_ids[0]"),
            (vec![mine[0], mine[1], 999_999], "linked_need_ids[2]"),
        ] {
            let mut form = smart(mine[0]);
            form.linked_need_ids = bad;
            match env
                .app
                .create_goal(&env.worker, case, &form, &Default::default())
                .await
            {
                Err(ServiceError::Invalid(i)) => {
                    assert_eq!((i.field.as_str(), i.code), (at, "unknown_need"), "{b:?}")
                }
                other => panic!("{b:?}: {other:?}"),
            }
        }
        let list = env.app.goals(&env.worker, case).await.expect("list");
        assert!(list.goals.is_empty(), "{b:?}");
        // Only the completed assessment's needs are offered.
        let offered: Vec<i64> = list.needs.iter().map(|n| n.id).collect();
        assert_eq!(offered, mine, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn stale_versions_are_refused() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let needs = assessed_needs(&env, case, true).await;
        let goal = env
            .app
            .create_goal(&env.worker, case, &smart(needs[0]), &Default::default())
            .await
            .expect("create");
        let old = goal.goal.version;
        env.app
            .update_goal(
                &env.worker,
                goal.goal.id,
                old,
                &smart(needs[1]),
                &Default::default(),
            )
            .await
            .expect("changed in another tab");
        let stale = |r: Result<_, ServiceError>| {
            assert!(matches!(r, Err(ServiceError::Stale)), "{b:?}: {r:?}");
        };
        stale(
            env.app
                .update_goal(
                    &env.worker,
                    goal.goal.id,
                    old,
                    &smart(needs[0]),
                    &Default::default(),
                )
                .await,
        );
        stale(env.app.activate_goal(&env.worker, goal.goal.id, old).await);
        stale(
            env.app
                .record_goal_agreement(&env.worker, goal.goal.id, old, &agreement())
                .await,
        );
    })
    .await;
}

#[tokio::test]
async fn goals_are_reordered_and_listed_in_priority_order() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let mut ids = Vec::new();
        for statement in ["Housing", "Income", "School"] {
            let form = GoalForm {
                statement: Some(statement.into()),
                ..Default::default()
            };
            ids.push(
                env.app
                    .create_goal(&env.worker, case, &form, &Default::default())
                    .await
                    .expect("create")
                    .goal
                    .id,
            );
        }
        let order = [ids[2], ids[0], ids[1]];
        let listed = env
            .app
            .reorder_goals(&env.worker, case, &order)
            .await
            .expect("reorder");
        let got: Vec<(i64, i64)> = listed
            .iter()
            .map(|g| (g.goal.id, g.goal.priority))
            .collect();
        assert_eq!(got, vec![(ids[2], 1), (ids[0], 2), (ids[1], 3)], "{b:?}");
        let list = env.app.goals(&env.worker, case).await.expect("list");
        let got: Vec<i64> = list.goals.iter().map(|g| g.goal.id).collect();
        assert_eq!(got, order, "{b:?}");
        match env.app.reorder_goals(&env.worker, case, &order[..2]).await {
            Err(ServiceError::Invalid(i)) => {
                assert_eq!(
                    (i.field.as_str(), i.code),
                    ("goal_ids", "goal_order_incomplete")
                )
            }
            other => panic!("{b:?}: {other:?}"),
        }
        match env
            .app
            .reorder_goals(&env.worker, case, &[ids[0], ids[0], ids[1]])
            .await
        {
            Err(ServiceError::Invalid(i)) => {
                assert_eq!(
                    (i.field.as_str(), i.code),
                    ("goal_ids[1]", "unknown_choice")
                )
            }
            other => panic!("{b:?}: {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn goal_access_is_limited_to_the_case_and_denials_are_audited() {
    each_backend(|env| async move {
        let (client, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let goal = env
            .app
            .create_goal(&env.worker, case, &GoalForm::default(), &Default::default())
            .await
            .expect("create");
        // Another team's worker and another agency's supervisor learn nothing.
        for who in [&env.worker_b, &env.stranger] {
            assert!(
                matches!(
                    env.app.goals(who, case).await,
                    Err(ServiceError::NotFound | ServiceError::Forbidden)
                ),
                "{b:?}"
            );
            assert!(
                matches!(
                    env.app.goal(who, goal.goal.id).await,
                    Err(ServiceError::NotFound | ServiceError::Forbidden)
                ),
                "{b:?}"
            );
            assert!(
                matches!(
                    env.app
                        .create_goal(who, case, &GoalForm::default(), &Default::default())
                        .await,
                    Err(ServiceError::NotFound | ServiceError::Forbidden)
                ),
                "{b:?}"
            );
        }
        // An auditor may not change goals.
        assert!(
            env.app
                .activate_goal(&env.auditor, goal.goal.id, goal.goal.version)
                .await
                .is_err(),
            "{b:?}"
        );
        let entries = log(&env).await;
        let denied = |action: &str| {
            entries
                .iter()
                .filter(|e| e.action == action && e.outcome == "denied")
                .count()
        };
        // The stranger is in another agency: the denial is logged there, not here.
        assert_eq!(denied("goal.list"), 1, "{b:?}");
        assert_eq!(denied("goal.read"), 1, "{b:?}");
        assert_eq!(denied("goal.create"), 1, "{b:?}");
        assert_eq!(denied("goal.activate"), 1, "{b:?}");
        assert!(
            entries
                .iter()
                .filter(|e| e.action == "goal.read" && e.outcome == "denied")
                .all(|e| e.client_id == Some(client) && e.record_id == Some(goal.goal.id)),
            "{b:?}"
        );
        // The worker's own reads are audited too.
        env.app.goal(&env.worker, goal.goal.id).await.expect("read");
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "goal.read"
                && e.outcome == "allowed"
                && e.actor_user_id == Some(env.worker.user_id)),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn goal_texts_are_sealed_read_back_rotated_and_exported() {
    use super::encryption::{client_of_case, owner, raw, seal_legacy, sealed_for};
    use casework_store::subject_access::Value;
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Rosa Delgado").await;
        let (_, needs) = in_goal_setting(&env, case).await;
        let client = client_of_case(&env, case).await;
        let sealed = |stored: &str, plain: &str| sealed_for(client, stored, plain);
        let scale = GoalScaleForm {
            gas: [
                "Evicted",
                "In a shelter",
                "Tenancy signed",
                "Kept",
                "Arrears cleared",
            ]
            .map(|s| Some(s.to_string())),
            priority: None,
            weight: None,
        };
        let goal = env
            .app
            .create_goal(&env.worker, case, &smart(needs[0]), &scale)
            .await
            .expect("create");
        assert_eq!(
            goal.goal.statement.as_deref(),
            Some("Move into stable housing"),
            "{b:?}: the new goal comes back in the clear"
        );
        let column = |c: &str| format!("SELECT {c} FROM goals WHERE id = $1");
        for (c, plain) in [
            ("statement", "stable housing"),
            ("measure", "Nights"),
            ("barriers", "arrears"),
            ("gas_zero", "Tenancy"),
        ] {
            let stored = raw(&env, &column(c), goal.goal.id).await;
            assert!(sealed(&stored, plain), "{b:?} {c}: {stored}");
        }
        // Changed: sealed again; the target date stays in the clear for the lists.
        let mut changed = smart(needs[0]);
        changed.target = Some("Five nights a week".into());
        let updated = env
            .app
            .update_goal(
                &env.worker,
                goal.goal.id,
                goal.goal.version,
                &changed,
                &scale,
            )
            .await
            .expect("update");
        assert_eq!(
            updated.goal.target.as_deref(),
            Some("Five nights a week"),
            "{b:?}"
        );
        let stored = raw(&env, &column("target"), goal.goal.id).await;
        assert!(sealed(&stored, "Five"), "{b:?}: {stored}");
        assert_eq!(
            raw(&env, &column("target_date"), goal.goal.id).await,
            "2027-06-01"
        );
        let agreed = env
            .app
            .record_goal_agreement(
                &env.worker,
                goal.goal.id,
                updated.goal.version,
                &agreement(),
            )
            .await
            .expect("agree");
        assert_eq!(
            agreed.goal.client_words.as_deref(),
            Some(agreement().client_words.as_str())
        );
        let stored = raw(&env, &column("client_words"), goal.goal.id).await;
        assert!(sealed(&stored, "place of my own"), "{b:?}: {stored}");
        let listed = env.app.goals(&env.worker, case).await.expect("goals");
        assert_eq!(
            listed.goals[0].goal.gas_zero.as_deref(),
            Some("Tenancy signed"),
            "{b:?}"
        );

        // A text from before 0027 reads, and rotation seals it.
        sqlx::query("UPDATE goals SET resources = 'legacy:Her brother drives her' WHERE id = $1")
            .bind(goal.goal.id)
            .execute(&mut owner(&env).await)
            .await
            .expect("legacy");
        let read = env
            .app
            .goal(&env.worker, goal.goal.id)
            .await
            .expect("legacy reads");
        assert_eq!(
            read.goal.goal.resources.as_deref(),
            Some("Her brother drives her"),
            "{b:?}"
        );
        let report = seal_legacy(&env).await;
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        let stored = raw(&env, &column("resources"), goal.goal.id).await;
        assert!(sealed(&stored, "brother"), "{b:?}: {stored}");

        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        let record = &sar.section("goals").expect("goals").records[0];
        let field = |name: &str| {
            record
                .fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            field("statement"),
            Some(Value::Text("Move into stable housing".into()))
        );
        assert_eq!(
            field("resources"),
            Some(Value::Text("Her brother drives her".into()))
        );
        assert_eq!(
            field("_row_id"),
            None,
            "{b:?}: the row id is not part of the export"
        );
    })
    .await;
}
