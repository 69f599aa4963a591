use super::*;
use crate::case::MoveForm;
use crate::ServiceError;
use casework_domain::assessment::{AssessmentForm, InstrumentForm};
use casework_domain::evaluation::{EvaluationForm, FeedbackForm, GoalLevelForm, TScoreMeaning};
use casework_domain::goal::{AgreementForm, GoalForm, GoalScaleForm};
use casework_domain::instrument::Direction;
use casework_domain::stage::{Stage, Unmet};
use casework_domain::Invalid;

fn mv(direction: &str, reason: Option<&str>) -> MoveForm {
    MoveForm {
        direction: direction.into(),
        override_reason: reason.map(str::to_string),
        ..Default::default()
    }
}

fn assessment(needs: &[&str]) -> AssessmentForm {
    AssessmentForm {
        assessed_on: "2026-11-21".into(),
        needs: needs.iter().map(|s| s.to_string()).collect(),
        strengths: vec!["Supportive sister nearby".into()],
        risk_level: Some("low".into()),
        ..Default::default()
    }
}

/// A case carried to the evaluation stage with two active goals weighted 2 and 1 (the planning
/// guard overridden by the supervisor); (case id, goal ids).
pub(crate) async fn in_evaluation(env: &Env) -> (i64, Vec<i64>) {
    let (_, case) = env.client_with_case("Ana Torres").await;
    env.engage(case).await;
    let mut v = env
        .app
        .move_stage(&env.worker, case, 1, &mv("forward", None))
        .await
        .expect("to assessment")
        .version;
    let needs: Vec<i64> = env
        .app
        .save_assessment(
            &env.worker,
            case,
            &assessment(&["Stable housing", "Income"]),
            true,
        )
        .await
        .expect("assessment")
        .needs
        .iter()
        .map(|n| n.id)
        .collect();
    v = env
        .app
        .move_stage(&env.worker, case, v, &mv("forward", None))
        .await
        .expect("to goal setting")
        .version;
    let mut goals = Vec::new();
    for (need, statement, weight) in [
        (needs[0], "Move into stable housing", 2.0),
        (needs[1], "Find work", 1.0),
    ] {
        let form = GoalForm {
            statement: Some(statement.into()),
            measure: Some("Nights a week in own tenancy".into()),
            baseline: Some("0".into()),
            target: Some("7".into()),
            resources: Some("Housing first programme".into()),
            barriers: Some("Rent arrears".into()),
            linked_need_ids: vec![need],
            target_date: Some("2027-06-01".into()),
        };
        let scale = GoalScaleForm {
            gas: [
                Some("Evicted".into()),
                Some("Still in the shelter".into()),
                Some("In a tenancy".into()),
                Some("Tenancy and savings".into()),
                Some("Own home".into()),
            ],
            weight: Some(weight),
            ..Default::default()
        };
        let g = env
            .app
            .create_goal(&env.worker, case, &form, &scale)
            .await
            .expect("goal");
        let g = env
            .app
            .activate_goal(&env.worker, g.goal.id, g.goal.version)
            .await
            .expect("activate");
        env.app
            .record_goal_agreement(
                &env.worker,
                g.goal.id,
                g.goal.version,
                &AgreementForm {
                    agreed_on: "2026-11-22".into(),
                    client_words: "Yes".into(),
                },
            )
            .await
            .expect("agree");
        goals.push(g.goal.id);
    }
    v = env
        .app
        .move_stage(&env.worker, case, v, &mv("forward", None))
        .await
        .expect("to planning")
        .version;
    v = env
        .app
        .move_stage(
            &env.sup,
            case,
            v,
            &mv("forward", Some("Plan agreed on paper at the shelter")),
        )
        .await
        .expect("to intervention")
        .version;
    let moved = env
        .app
        .move_stage(&env.worker, case, v, &mv("forward", None))
        .await
        .expect("to evaluation");
    assert_eq!(moved.stage, Stage::Evaluation.as_str());
    (case, goals)
}

fn levels(goals: &[i64], values: &[i64], decision: &str) -> EvaluationForm {
    EvaluationForm {
        assessment_id: None,
        goals: goals
            .iter()
            .zip(values)
            .map(|(g, v)| GoalLevelForm {
                goal_id: *g,
                level: Some(*v),
                comment: Some("Discussed with the client".into()),
            })
            .collect(),
        summary: Some("Housing secured; work search continues".into()),
        decision: Some(decision.into()),
    }
}

async fn version_of(env: &Env, case: i64) -> i64 {
    env.app
        .case(&env.worker, case, None)
        .await
        .expect("case")
        .case
        .version
}

fn unmet_of<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> Vec<Unmet> {
    match r {
        Err(ServiceError::GuardUnmet(u)) => u,
        other => panic!("expected guard_unmet, got {other:?}"),
    }
}

#[tokio::test]
async fn a_recorded_close_decision_opens_termination() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, goals) = in_evaluation(&env).await;
        let v = version_of(&env, case).await;
        let u = unmet_of(
            env.app
                .move_stage(&env.worker, case, v, &mv("forward", None))
                .await,
        );
        assert!(u.contains(&Unmet::NoEvaluation), "{b:?}: {u:?}");
        // A draft does not count.
        let mut draft_form = levels(&goals, &[2, -1], "close");
        draft_form.goals[1].level = None;
        let draft = env
            .app
            .save_evaluation(&env.worker, case, &draft_form, false)
            .await
            .expect("draft");
        assert_eq!(draft.evaluation.status, "draft", "{b:?}");
        assert_eq!(draft.evaluation.t_score, None, "{b:?}");
        assert_eq!(
            draft.goals.len(),
            2,
            "{b:?}: a draft lists every active goal"
        );
        let u = unmet_of(
            env.app
                .move_stage(&env.worker, case, v, &mv("forward", None))
                .await,
        );
        assert!(u.contains(&Unmet::NoEvaluation), "{b:?}: {u:?}");
        // Recorded: +2 on the goal weighted 2, −1 on the goal weighted 1.
        let recorded = env
            .app
            .update_evaluation(
                &env.worker,
                draft.evaluation.id,
                draft.evaluation.version,
                &levels(&goals, &[2, -1], "close"),
                true,
            )
            .await
            .expect("record");
        assert_eq!(recorded.evaluation.status, "recorded", "{b:?}");
        let t = recorded.evaluation.t_score.expect("t-score");
        assert!((t - 62.0483).abs() < 1e-3, "{b:?}: {t}");
        assert_eq!(
            recorded.meaning,
            Some(TScoreMeaning::AboveExpected),
            "{b:?}"
        );
        assert_eq!(recorded.goals[0].weight, 2.0, "{b:?}");
        assert_eq!(recorded.goals[0].level, Some(2), "{b:?}");
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &mv("forward", None))
            .await
            .expect("guard passes");
        assert_eq!(moved.stage, Stage::Termination.as_str(), "{b:?}");
        let entries = log(&env).await;
        for action in ["evaluation.draft", "evaluation.record"] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.action == action && e.outcome == "allowed"),
                "{b:?}: {action}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_continue_decision_goes_back_to_intervention_not_on() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, goals) = in_evaluation(&env).await;
        let v = version_of(&env, case).await;
        let u = unmet_of(
            env.app
                .move_stage(&env.worker, case, v, &mv("back_to_intervention", None))
                .await,
        );
        assert!(u.contains(&Unmet::NoEvaluation), "{b:?}: {u:?}");
        env.app
            .save_evaluation(
                &env.worker,
                case,
                &levels(&goals, &[0, -1], "continue"),
                true,
            )
            .await
            .expect("record");
        let u = unmet_of(
            env.app
                .move_stage(&env.worker, case, v, &mv("forward", None))
                .await,
        );
        assert_eq!(u, vec![Unmet::EvaluationDecidedContinue], "{b:?}");
        let back = env
            .app
            .move_stage(&env.worker, case, v, &mv("back_to_intervention", None))
            .await
            .expect("back to intervention");
        assert_eq!(back.stage, Stage::Intervention.as_str(), "{b:?}");
        let list = env
            .app
            .evaluations(&env.worker, case, None, None)
            .await
            .expect("list");
        assert_eq!(list.items.len(), 1, "{b:?}");
        assert_eq!(list.items[0].decision.as_deref(), Some("continue"), "{b:?}");
        // The spent decision does not carry the case back again: the next round needs its own.
        env.clock.advance_ms(60_000);
        let v = version_of(&env, case).await;
        let again = env
            .app
            .move_stage(&env.worker, case, v, &mv("forward", None))
            .await
            .expect("evaluation may start at any time");
        assert_eq!(again.stage, Stage::Evaluation.as_str(), "{b:?}");
        let v = version_of(&env, case).await;
        let u = unmet_of(
            env.app
                .move_stage(&env.worker, case, v, &mv("back_to_intervention", None))
                .await,
        );
        assert!(u.contains(&Unmet::NoEvaluation), "{b:?}: {u:?}");
        env.clock.advance_ms(60_000);
        env.app
            .save_evaluation(&env.worker, case, &levels(&goals, &[1, 0], "close"), true)
            .await
            .expect("record");
        let u = unmet_of(
            env.app
                .move_stage(&env.worker, case, v, &mv("back_to_intervention", None))
                .await,
        );
        assert_eq!(u, vec![Unmet::EvaluationDecidedClose], "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn others_are_refused_and_the_refusals_audited() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, goals) = in_evaluation(&env).await;
        let e = env
            .app
            .save_evaluation(&env.worker, case, &levels(&goals, &[0, 0], "close"), true)
            .await
            .expect("record");
        let id = e.evaluation.id;
        let r = env
            .app
            .save_evaluation(&env.worker_b, case, &levels(&goals, &[0, 0], "close"), true)
            .await;
        assert!(
            matches!(r, Err(ServiceError::NotFound | ServiceError::Forbidden)),
            "{b:?}: {r:?}"
        );
        let r = env.app.evaluation(&env.stranger, id).await;
        assert!(matches!(r, Err(ServiceError::NotFound)), "{b:?}: {r:?}");
        let r = env
            .app
            .record_evaluation_feedback(
                &env.worker_b,
                id,
                &FeedbackForm {
                    helpfulness: Some(3),
                    respect: Some(3),
                    understanding: Some(3),
                    ..Default::default()
                },
            )
            .await;
        assert!(r.is_err(), "{b:?}");
        let entries = log(&env).await;
        assert!(
            entries
                .iter()
                .any(|e| e.action == "evaluation.record" && e.outcome == "denied"),
            "{b:?}"
        );
        assert!(
            entries.iter().any(|e| e.action == "evaluation.feedback"
                && e.outcome == "denied"
                && e.record_id == Some(id)),
            "{b:?}"
        );
        // The worker's read is allowed and audited.
        let seen = env.app.evaluation(&env.worker, id).await.expect("read");
        assert_eq!(seen.evaluation.id, id, "{b:?}");
        let entries = log(&env).await;
        assert!(
            entries
                .iter()
                .any(|e| e.action == "evaluation.read" && e.outcome == "allowed"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn stale_and_recorded_evaluations_are_not_changed() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, goals) = in_evaluation(&env).await;
        let draft = env
            .app
            .save_evaluation(&env.worker, case, &levels(&goals, &[1, 1], "close"), false)
            .await
            .expect("draft");
        let (id, v) = (draft.evaluation.id, draft.evaluation.version);
        let again = env
            .app
            .update_evaluation(&env.worker, id, v, &levels(&goals, &[1, 0], "close"), false)
            .await
            .expect("update");
        assert_eq!(again.evaluation.version, v + 1, "{b:?}");
        let r = env
            .app
            .update_evaluation(&env.worker, id, v, &levels(&goals, &[2, 2], "close"), false)
            .await;
        assert!(matches!(r, Err(ServiceError::Stale)), "{b:?}: {r:?}");
        let r = env.app.record_evaluation(&env.worker, id, v).await;
        assert!(matches!(r, Err(ServiceError::Stale)), "{b:?}: {r:?}");
        let recorded = env
            .app
            .record_evaluation(&env.worker, id, v + 1)
            .await
            .expect("record as it stands");
        assert_eq!(recorded.evaluation.status, "recorded", "{b:?}");
        assert_eq!(recorded.goals[1].level, Some(0), "{b:?}");
        let r = env
            .app
            .update_evaluation(
                &env.worker,
                id,
                recorded.evaluation.version,
                &levels(&goals, &[2, 2], "close"),
                false,
            )
            .await;
        match r {
            Err(ServiceError::Invalid(i)) => {
                assert_eq!(i, Invalid::new("status", "evaluation_recorded"), "{b:?}")
            }
            other => panic!("{b:?}: {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, goals) = in_evaluation(&env).await;
        let mut bad = levels(&goals, &[2, 3], "close");
        let r = env.app.save_evaluation(&env.worker, case, &bad, true).await;
        match r {
            Err(ServiceError::Invalid(i)) => assert_eq!(
                i,
                Invalid::new("goals[1].level", "gas_level_out_of_range"),
                "{b:?}"
            ),
            other => panic!("{b:?}: {other:?}"),
        }
        bad.goals[1].level = None;
        let r = env.app.save_evaluation(&env.worker, case, &bad, true).await;
        assert!(
            matches!(&r, Err(ServiceError::Invalid(i)) if i.field == "goals[1].level"),
            "{b:?}: {r:?}"
        );
        let mut bad = levels(&goals, &[0, 0], "close");
        bad.summary = None;
        let r = env.app.save_evaluation(&env.worker, case, &bad, true).await;
        assert!(
            matches!(&r, Err(ServiceError::Invalid(i)) if i.field == "summary"),
            "{b:?}: {r:?}"
        );
        let mut bad = levels(&goals, &[0, 0], "close");
        bad.decision = None;
        let r = env.app.save_evaluation(&env.worker, case, &bad, true).await;
        assert!(
            matches!(&r, Err(ServiceError::Invalid(i)) if i.field == "decision"),
            "{b:?}: {r:?}"
        );
        let mut bad = levels(&goals, &[0, 0], "close");
        bad.assessment_id = Some(999_999);
        let r = env.app.save_evaluation(&env.worker, case, &bad, true).await;
        assert!(
            matches!(&r, Err(ServiceError::Invalid(i)) if i.field == "assessment_id"),
            "{b:?}: {r:?}"
        );
        let list = env
            .app
            .evaluations(&env.worker, case, None, None)
            .await
            .expect("list");
        assert!(list.items.is_empty(), "{b:?}: nothing written");
        assert!(
            !log(&env)
                .await
                .iter()
                .any(|e| e.action == "evaluation.record"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_clients_feedback_is_recorded_later() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, goals) = in_evaluation(&env).await;
        let e = env
            .app
            .save_evaluation(&env.worker, case, &levels(&goals, &[0, 0], "close"), true)
            .await
            .expect("record");
        assert_eq!(e.meaning, Some(TScoreMeaning::AsExpected), "{b:?}");
        assert_eq!(e.evaluation.feedback_helpfulness, None, "{b:?}");
        let mut form = FeedbackForm {
            helpfulness: Some(5),
            respect: Some(4),
            understanding: Some(9),
            comment: Some("She listened to me".into()),
            given_on: None,
        };
        let r = env
            .app
            .record_evaluation_feedback(&env.worker, e.evaluation.id, &form)
            .await;
        assert!(
            matches!(&r, Err(ServiceError::Invalid(i)) if i.field == "understanding"),
            "{b:?}: {r:?}"
        );
        form.understanding = Some(3);
        let f = env
            .app
            .record_evaluation_feedback(&env.worker, e.evaluation.id, &form)
            .await
            .expect("feedback");
        assert_eq!(
            (
                f.evaluation.feedback_helpfulness,
                f.evaluation.feedback_respect,
                f.evaluation.feedback_understanding
            ),
            (Some(5), Some(4), Some(3)),
            "{b:?}"
        );
        assert_eq!(
            f.evaluation.feedback_given_on.as_deref(),
            Some("2026-11-22"),
            "{b:?}"
        );
        assert_eq!(f.evaluation.status, "recorded", "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn a_reassessment_is_compared_with_the_baseline() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, _) = in_evaluation(&env).await;
        let only = env
            .app
            .assessment_comparison(&env.worker, case, None)
            .await
            .expect("comparison");
        assert!(only.baseline.is_some() && only.later.is_none(), "{b:?}");
        assert!(only.comparison.is_none(), "{b:?}");
        let phq = |answers: [i64; 9], assessment_id| InstrumentForm {
            answers: answers.map(Some).to_vec(),
            assessment_id,
            ..Default::default()
        };
        let baseline = only.baseline.expect("baseline").id;
        env.app
            .record_instrument(&env.worker, case, "phq9", &phq([2; 9], Some(baseline)))
            .await
            .expect("phq9");
        let later = env
            .app
            .save_assessment(
                &env.worker,
                case,
                &assessment(&["Income", "Childcare"]),
                true,
            )
            .await
            .expect("re-assessment")
            .assessment
            .id;
        env.app
            .record_instrument(
                &env.worker,
                case,
                "phq9",
                &phq([1, 1, 1, 1, 1, 1, 1, 1, 0], Some(later)),
            )
            .await
            .expect("phq9");
        let c = env
            .app
            .assessment_comparison(&env.worker, case, None)
            .await
            .expect("comparison");
        assert_eq!(c.later.as_ref().map(|a| a.id), Some(later), "{b:?}");
        let cmp = c.comparison.expect("compared");
        assert_eq!(cmp.needs.added, ["Childcare"], "{b:?}");
        assert_eq!(cmp.needs.removed, ["Stable housing"], "{b:?}");
        assert_eq!(
            (cmp.phq9.baseline_total, cmp.phq9.later_total),
            (Some(18), Some(8)),
            "{b:?}"
        );
        assert_eq!(
            cmp.phq9.change.map(|c| c.direction),
            Some(Direction::Improved),
            "{b:?}"
        );
        assert_eq!(cmp.phq9.band_changed, Some(true), "{b:?}");
        let r = env
            .app
            .assessment_comparison(&env.worker, case, Some(baseline))
            .await;
        assert!(
            matches!(&r, Err(ServiceError::Invalid(i)) if i.field == "assessment_id"),
            "{b:?}: {r:?}"
        );
        let r = env
            .app
            .assessment_comparison(&env.stranger, case, None)
            .await;
        assert!(matches!(r, Err(ServiceError::NotFound)), "{b:?}");
        let r = env
            .app
            .assessment_comparison(&env.worker_b, case, None)
            .await;
        assert!(r.is_err(), "{b:?}");
        assert!(
            log(&env)
                .await
                .iter()
                .any(|e| e.action == "assessment.compare" && e.outcome == "denied"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn evaluation_texts_are_sealed_read_back_rotated_and_exported() {
    use super::encryption::{client_of_case, exported, owner, raw, seal_legacy, sealed_for};
    use casework_store::subject_access::Value;
    each_backend(|env| async move {
        let b = env.backend;
        let (case, goals) = in_evaluation(&env).await;
        let client = client_of_case(&env, case).await;
        let sealed = |stored: &str, plain: &str| sealed_for(client, stored, plain);
        // A draft, then recorded from what was stored: the texts go through the seal twice.
        let draft = env
            .app
            .save_evaluation(&env.worker, case, &levels(&goals, &[0, 1], "close"), false)
            .await
            .expect("draft");
        let e = env
            .app
            .record_evaluation(&env.worker, draft.evaluation.id, draft.evaluation.version)
            .await
            .expect("record");
        assert_eq!(
            e.evaluation.summary.as_deref(),
            Some("Housing secured; work search continues"),
            "{b:?}"
        );
        assert!(
            e.goals
                .iter()
                .all(|g| g.comment.as_deref() == Some("Discussed with the client")),
            "{b:?}: {:?}",
            e.goals
        );
        let id = e.evaluation.id;
        let summary = raw(&env, "SELECT summary FROM evaluations WHERE id = $1", id).await;
        assert!(sealed(&summary, "Housing"), "{b:?}: {summary}");
        let comments: Vec<String> = sqlx::query_scalar(
            "SELECT comment FROM evaluation_goals WHERE evaluation_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut owner(&env).await)
        .await
        .expect("comments");
        assert_eq!(comments.len(), 2, "{b:?}");
        assert!(
            comments.iter().all(|c| sealed(c, "Discussed")),
            "{b:?}: {comments:?}"
        );

        let form = FeedbackForm {
            helpfulness: Some(5),
            respect: Some(4),
            understanding: Some(4),
            comment: Some("She listened to me".into()),
            given_on: None,
        };
        let f = env
            .app
            .record_evaluation_feedback(&env.worker, id, &form)
            .await
            .expect("feedback");
        assert_eq!(f.evaluation.feedback_comment, form.comment, "{b:?}");
        let stored = raw(
            &env,
            "SELECT feedback_comment FROM evaluations WHERE id = $1",
            id,
        )
        .await;
        assert!(sealed(&stored, "listened"), "{b:?}: {stored}");
        let listed = env
            .app
            .evaluations(&env.worker, case, None, None)
            .await
            .expect("list");
        assert_eq!(listed.items[0].feedback_comment, form.comment, "{b:?}");

        // A summary from before 0026 reads, and rotation seals it.
        sqlx::query("UPDATE evaluations SET summary = 'legacy:Ready to close' WHERE id = $1")
            .bind(id)
            .execute(&mut owner(&env).await)
            .await
            .expect("legacy");
        let read = env
            .app
            .evaluation(&env.worker, id)
            .await
            .expect("legacy reads");
        assert_eq!(
            read.evaluation.summary.as_deref(),
            Some("Ready to close"),
            "{b:?}"
        );
        let report = seal_legacy(&env).await;
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        let summary = raw(&env, "SELECT summary FROM evaluations WHERE id = $1", id).await;
        assert!(sealed(&summary, "Ready"), "{b:?}: {summary}");

        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        assert_eq!(
            exported(&sar, "evaluations", "feedback_comment"),
            vec![Value::Text("She listened to me".into())],
            "{b:?}"
        );
        assert_eq!(
            exported(&sar, "evaluations", "summary"),
            vec![Value::Text("Ready to close".into())],
            "{b:?}"
        );
        assert_eq!(
            exported(&sar, "evaluation_goals", "comment"),
            vec![Value::Text("Discussed with the client".into()); 2],
            "{b:?}"
        );
    })
    .await;
}
