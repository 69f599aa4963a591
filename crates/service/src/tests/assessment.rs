use super::*;
use crate::case::MoveForm;
use crate::ServiceError;
use casework_domain::assessment::{AssessmentForm, InstrumentForm, RatingForm};
use casework_domain::stage::{Stage, Unmet};

fn forward() -> MoveForm {
    MoveForm {
        direction: "forward".into(),
        ..Default::default()
    }
}

fn assessment_form() -> AssessmentForm {
    AssessmentForm {
        assessed_on: "2026-11-21".into(),
        situation: Some("Two months behind on rent".into()),
        background: Some("Moved here in 2024".into()),
        needs: vec!["Stable housing".into(), "".into(), "Steady income".into()],
        strengths: vec!["Supportive sister nearby".into()],
        risk_level: Some("low".into()),
        client_words: Some("I just want my kids to have a home".into()),
        ..Default::default()
    }
}

fn phq9(answers: [i64; 9]) -> InstrumentForm {
    InstrumentForm {
        answers: answers.map(Some).to_vec(),
        ..Default::default()
    }
}

/// A case moved on to the assessment stage; its version.
async fn in_assessment(env: &Env, case: i64) -> i64 {
    env.engage(case).await;
    env.app
        .move_stage(&env.worker, case, 1, &forward())
        .await
        .expect("to assessment")
        .version
}

#[tokio::test]
async fn the_assessment_guard_passes_only_after_a_completed_assessment_with_needs_and_strengths() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let v = in_assessment(&env, case).await;
        // A draft does not count, even naming needs and strengths.
        let draft = env
            .app
            .save_assessment(&env.worker, case, &assessment_form(), false)
            .await
            .expect("draft");
        assert_eq!(draft.assessment.status, "draft", "{b:?}");
        assert_eq!(draft.needs.len(), 2, "{b:?}");
        match env.app.move_stage(&env.worker, case, v, &forward()).await {
            Err(ServiceError::GuardUnmet(u)) => assert_eq!(
                u,
                vec![
                    Unmet::AssessmentIncomplete,
                    Unmet::NoNeedsAssessed,
                    Unmet::NoStrengthsAssessed
                ],
                "{b:?}"
            ),
            other => panic!("{b:?}: expected guard_unmet, got {other:?}"),
        }
        // Completing without a strength is refused with the field named.
        let mut no_strength = assessment_form();
        no_strength.strengths = vec![" ".into()];
        match env
            .app
            .update_assessment(
                &env.worker,
                draft.assessment.id,
                draft.assessment.version,
                &no_strength,
                true,
            )
            .await
        {
            Err(ServiceError::Invalid(i)) => {
                assert_eq!(
                    (i.field.as_str(), i.code),
                    ("strengths", "required"),
                    "{b:?}"
                )
            }
            other => panic!("{b:?}: {other:?}"),
        }
        let done = env
            .app
            .update_assessment(
                &env.worker,
                draft.assessment.id,
                draft.assessment.version,
                &assessment_form(),
                true,
            )
            .await
            .expect("complete");
        assert_eq!(done.assessment.status, "completed", "{b:?}");
        assert_eq!(done.assessment.completed_by, Some(env.worker.user_id));
        assert_eq!(done.needs.len(), 2, "{b:?}");
        // A completed assessment is never rewritten.
        match env
            .app
            .update_assessment(
                &env.worker,
                done.assessment.id,
                done.assessment.version,
                &assessment_form(),
                false,
            )
            .await
        {
            Err(ServiceError::Invalid(i)) => assert_eq!(i.code, "assessment_completed", "{b:?}"),
            other => panic!("{b:?}: {other:?}"),
        }
        let detail = env.app.case(&env.worker, case, None).await.expect("read");
        assert!(detail.unmet.is_empty(), "{b:?}: {:?}", detail.unmet);
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("guard passes");
        assert_eq!(moved.stage, Stage::GoalSetting.as_str(), "{b:?}");
        let list = env.app.assessments(&env.worker, case).await.expect("list");
        assert_eq!(list.len(), 1, "{b:?}");
        let read = env
            .app
            .assessment(&env.sup, done.assessment.id)
            .await
            .expect("supervisor reads");
        assert_eq!(read.strengths[0].description, "Supportive sister nearby");
        let entries = log(&env).await;
        for action in [
            "assessment.draft",
            "assessment.complete",
            "assessment.read",
            "assessment.list",
        ] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.action == action && e.outcome == "allowed"),
                "{b:?}: {action} not audited"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_phq9_is_stored_with_its_total_and_band() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let r = env
            .app
            .record_instrument(
                &env.worker,
                case,
                "phq9",
                &phq9([2, 2, 2, 2, 2, 1, 1, 0, 0]),
            )
            .await
            .expect("record");
        assert_eq!(r.total, Some(12), "{b:?}");
        assert_eq!(r.band.as_deref(), Some("moderate"), "{b:?}");
        assert!(!r.safety_alert, "{b:?}");
        assert_eq!(r.taken_on, "2026-11-22", "{b:?}");
        assert_eq!(r.answers, serde_json::json!([2, 2, 2, 2, 2, 1, 1, 0, 0]));
        env.clock.advance_ms(86_400_000);
        env.app
            .record_instrument(
                &env.worker,
                case,
                "phq9",
                &phq9([1, 1, 1, 1, 0, 0, 0, 0, 0]),
            )
            .await
            .expect("second");
        let ssm = InstrumentForm {
            ratings: vec![
                RatingForm {
                    domain: "housing".into(),
                    rating: 1,
                },
                RatingForm {
                    domain: "income".into(),
                    rating: 2,
                },
            ],
            ..Default::default()
        };
        let s = env
            .app
            .record_instrument(&env.worker, case, "ssm", &ssm)
            .await
            .expect("matrix");
        assert_eq!((s.total, s.score), (None, 1.5), "{b:?}");
        let history = env
            .app
            .instrument_history(&env.worker, case, "phq9")
            .await
            .expect("history");
        let totals: Vec<_> = history.iter().map(|h| h.total).collect();
        assert_eq!(totals, vec![Some(12), Some(4)], "{b:?}: oldest first");
        assert_eq!(history[1].band.as_deref(), Some("minimal"), "{b:?}");
        let detail = env.app.case(&env.worker, case, None).await.expect("read");
        assert_eq!(detail.case.risk_flag, 0, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn item_nine_flags_the_case_and_writes_a_safety_alert() {
    each_backend(|env| async move {
        let (client, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let r = env
            .app
            .record_instrument(
                &env.worker,
                case,
                "phq9",
                &phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]),
            )
            .await
            .expect("record");
        assert!(r.safety_alert, "{b:?}");
        assert_eq!(r.band.as_deref(), Some("minimal"), "{b:?}");
        let detail = env.app.case(&env.worker, case, None).await.expect("read");
        assert_eq!(detail.case.risk_flag, 1, "{b:?}");
        let entries = log(&env).await;
        let alert = entries
            .iter()
            .find(|e| e.action == "safety.alert")
            .expect("safety alert audited");
        assert_eq!(alert.record_type, "case", "{b:?}");
        assert_eq!(alert.record_id, Some(case), "{b:?}");
        assert_eq!(alert.client_id, Some(client), "{b:?}");
        assert!(
            alert.reason.as_deref().unwrap_or("").contains("item 9"),
            "{b:?}: {:?}",
            alert.reason
        );
    })
    .await;
}

#[tokio::test]
async fn invalid_answers_are_refused_naming_the_item_and_nothing_is_written() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let mut missing = phq9([1; 9]);
        missing.answers[8] = None;
        let mut out_of_range = phq9([1; 9]);
        out_of_range.answers[3] = Some(4);
        let short = InstrumentForm {
            answers: vec![Some(1); 6],
            ..Default::default()
        };
        for (instrument, form, field, code) in [
            ("phq9", &missing, "answers[8]", "answer_missing"),
            ("phq9", &out_of_range, "answers[3]", "answer_out_of_range"),
            ("gad7", &short, "answers", "wrong_answer_count"),
            ("ssm", &short, "ratings", "no_domain_rated"),
            ("bdi", &short, "instrument", "unknown_choice"),
        ] {
            match env
                .app
                .record_instrument(&env.worker, case, instrument, form)
                .await
            {
                Err(ServiceError::Invalid(i)) => {
                    assert_eq!((i.field.as_str(), i.code), (field, code), "{b:?}")
                }
                other => panic!("{b:?} {instrument}: {other:?}"),
            }
        }
        for instrument in ["phq9", "gad7", "ssm"] {
            let history = env
                .app
                .instrument_history(&env.worker, case, instrument)
                .await
                .expect("history");
            assert!(history.is_empty(), "{b:?}: {instrument} written");
        }
        let entries = log(&env).await;
        assert!(
            !entries.iter().any(|e| e.action == "instrument.record"),
            "{b:?}"
        );
        let detail = env.app.case(&env.worker, case, None).await.expect("read");
        assert_eq!(detail.case.risk_flag, 0, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn a_worker_not_on_the_case_is_refused_and_audited() {
    each_backend(|env| async move {
        let (client, case) = env.client_with_case("Ana Torres").await;
        let b = env.backend;
        let mine = env
            .app
            .save_assessment(&env.worker, case, &assessment_form(), true)
            .await
            .expect("complete");
        let id = mine.assessment.id;
        assert!(
            matches!(
                env.app
                    .save_assessment(&env.worker2, case, &assessment_form(), false)
                    .await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app.assessment(&env.worker2, id).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app.assessments(&env.worker_b, case).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app
                    .record_instrument(&env.worker2, case, "phq9", &phq9([3; 9]))
                    .await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app.instrument_history(&env.worker2, case, "phq9").await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        // Another agency cannot tell the assessment exists.
        assert!(
            matches!(
                env.app.assessment(&env.stranger, id).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        let entries = log(&env).await;
        for action in [
            "assessment.draft",
            "assessment.read",
            "assessment.list",
            "instrument.record",
            "instrument.read",
        ] {
            let denied = entries
                .iter()
                .find(|e| e.action == action && e.outcome == "denied")
                .unwrap_or_else(|| panic!("{b:?}: denied {action} not audited"));
            assert_eq!(denied.client_id, Some(client), "{b:?}: {action}");
        }
        assert_eq!(
            env.app
                .assessments(&env.worker, case)
                .await
                .expect("mine")
                .len(),
            1,
            "{b:?}: nothing was written"
        );
        let detail = env.app.case(&env.worker, case, None).await.expect("read");
        assert_eq!(detail.case.risk_flag, 0, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn the_caseload_next_due_item_follows_the_assessment() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        in_assessment(&env, case).await;
        let next = |env: &Env| {
            let app = env.app.clone();
            let worker = env.worker.clone();
            async move {
                app.caseload(&worker, crate::case::CaseloadScope::Mine, None, None)
                    .await
                    .expect("caseload")
                    .items[0]
                    .next_due
            }
        };
        assert_eq!(next(&env).await, Some("assessment_incomplete"), "{b:?}");
        env.app
            .save_assessment(&env.worker, case, &assessment_form(), true)
            .await
            .expect("complete");
        // Completed with needs and strengths: nothing more is due before goal setting.
        assert_eq!(next(&env).await, None, "{b:?}");
    })
    .await;
}
