use super::*;
use crate::case::MoveForm;
use crate::form::FormChange;
use crate::form_response::ResponseForm;
use crate::ServiceError;
use casework_domain::assessment::AssessmentForm;
use casework_domain::form::{FieldDoc, Requirement};
use casework_domain::stage::{Stage, Unmet};
use serde_json::{json, Map, Value};

fn forward() -> MoveForm {
    MoveForm {
        direction: "forward".into(),
        ..Default::default()
    }
}

fn field(key: &str, kind: &str, required: bool) -> FieldDoc {
    FieldDoc {
        key: key.into(),
        label: format!("Label {key}"),
        kind: kind.into(),
        required,
        ..FieldDoc::default()
    }
}

fn answers(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The admin builds "Housing check" (a required number 0-20 and a single choice) and publishes
/// it; (form id, form version).
async fn published_form(env: &Env) -> (i64, i64) {
    let admin = &env.admin;
    let f = env
        .app
        .create_assessment_form(admin, "Housing check")
        .await
        .expect("create");
    let mut v = f.form.version;
    let changes = [
        FormChange::AddSection {
            title: "Home".into(),
        },
        FormChange::AddField {
            section: 0,
            field: FieldDoc {
                min: Some(0.0),
                max: Some(20.0),
                ..field("nights_housed", "number", true)
            },
        },
        FormChange::AddField {
            section: 0,
            field: FieldDoc {
                choices: vec!["Rent".into(), "Shelter".into()],
                ..field("tenure", "single_choice", false)
            },
        },
    ];
    for c in &changes {
        v = env
            .app
            .change_assessment_form(admin, f.form.id, v, c)
            .await
            .expect("change")
            .form
            .version;
    }
    let p = env
        .app
        .publish_assessment_form(admin, f.form.id, v)
        .await
        .expect("publish");
    assert!(!p.is_draft());
    (f.form.id, p.form.version)
}

#[tokio::test]
async fn an_admin_builds_and_publishes_and_editing_makes_a_new_draft_version() {
    each_backend(|env| async move {
        let b = env.backend;
        let (form_id, v) = published_form(&env).await;
        // Workers see the published version only.
        let seen = env
            .app
            .assessment_form(&env.worker, form_id)
            .await
            .expect("worker reads");
        assert_eq!(seen.shown.version_no, 1, "{b:?}");
        assert_eq!(seen.definition.fields().count(), 2, "{b:?}");
        let list = env
            .app
            .assessment_forms(&env.worker, None, None)
            .await
            .expect("list");
        assert_eq!(list.items.len(), 1, "{b:?}");
        // A change after publishing makes version 2 as a draft; version 1 is untouched.
        let d = env
            .app
            .change_assessment_form(
                &env.admin,
                form_id,
                v,
                &FormChange::AddField {
                    section: 0,
                    field: field("notes", "long_text", false),
                },
            )
            .await
            .expect("change");
        assert_eq!((d.shown.version_no, d.is_draft()), (2, true), "{b:?}");
        assert_eq!(d.definition.fields().count(), 3, "{b:?}");
        let seen = env
            .app
            .assessment_form(&env.worker, form_id)
            .await
            .expect("worker reads");
        assert_eq!(seen.definition.fields().count(), 2, "{b:?}");
        // Publishing twice is refused; the stale version is refused.
        let stale = env
            .app
            .change_assessment_form(&env.admin, form_id, v, &FormChange::Rename("X".into()))
            .await;
        assert!(
            matches!(stale, Err(ServiceError::Stale)),
            "{b:?}: {stale:?}"
        );
        let p = env
            .app
            .publish_assessment_form(&env.admin, form_id, d.form.version)
            .await
            .expect("publish 2");
        let again = env
            .app
            .publish_assessment_form(&env.admin, form_id, p.form.version)
            .await;
        assert!(
            matches!(&again, Err(ServiceError::Invalid(i)) if i.code == "form_already_published"),
            "{b:?}: {again:?}"
        );
        // A caseworker cannot define forms, and the refusal is audited.
        let denied = env.app.create_assessment_form(&env.worker, "Mine").await;
        assert!(matches!(denied, Err(ServiceError::Forbidden)), "{b:?}");
        let entries = log(&env).await;
        assert!(entries.iter().any(|e| e.action == "assessment_form.create"
            && e.outcome == "denied"
            && e.actor_user_id == Some(env.worker.user_id)));
        assert!(entries
            .iter()
            .any(|e| e.action == "assessment_form.revise" && e.outcome == "allowed"));
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "assessment_form.publish" && e.outcome == "allowed")
                .count(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn a_bad_definition_change_is_refused_naming_the_input_and_nothing_is_written() {
    each_backend(|env| async move {
        let b = env.backend;
        let f = env
            .app
            .create_assessment_form(&env.admin, "Empty")
            .await
            .expect("create");
        let v = env
            .app
            .change_assessment_form(
                &env.admin,
                f.form.id,
                f.form.version,
                &FormChange::AddSection {
                    title: "One".into(),
                },
            )
            .await
            .expect("section")
            .form
            .version;
        let bad = env
            .app
            .change_assessment_form(
                &env.admin,
                f.form.id,
                v,
                &FormChange::AddField {
                    section: 0,
                    field: field("pick", "multiple_choice", true),
                },
            )
            .await;
        assert!(
            matches!(&bad, Err(ServiceError::Invalid(i)) if i.field == "choices" && i.code == "choices_missing"),
            "{b:?}: {bad:?}"
        );
        let now = env
            .app
            .assessment_form(&env.admin, f.form.id)
            .await
            .expect("read");
        assert_eq!(now.form.version, v, "{b:?}");
        assert_eq!(now.definition.fields().count(), 0, "{b:?}");
        // An empty form cannot be published.
        let empty = env.app.publish_assessment_form(&env.admin, f.form.id, v).await;
        assert!(
            matches!(&empty, Err(ServiceError::Invalid(i)) if i.code == "form_empty"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_caseworker_fills_a_form_and_a_required_field_missing_is_refused_naming_it() {
    each_backend(|env| async move {
        let b = env.backend;
        let (form_id, _) = published_form(&env).await;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let missing = env
            .app
            .start_form_response(
                &env.worker,
                case,
                form_id,
                &ResponseForm {
                    answers: answers(json!({"tenure": "Rent"})),
                    filled_on: None,
                    complete: true,
                },
            )
            .await;
        assert!(
            matches!(&missing, Err(ServiceError::Invalid(i)) if i.field == "nights_housed" && i.code == "required"),
            "{b:?}: {missing:?}"
        );
        let out_of_range = env
            .app
            .start_form_response(
                &env.worker,
                case,
                form_id,
                &ResponseForm {
                    answers: answers(json!({"nights_housed": 21})),
                    filled_on: None,
                    complete: false,
                },
            )
            .await;
        assert!(
            matches!(&out_of_range, Err(ServiceError::Invalid(i)) if i.field == "nights_housed" && i.code == "out_of_range"),
            "{b:?}"
        );
        let none = env
            .app
            .form_responses(&env.worker, case, None, None)
            .await
            .expect("list");
        assert!(none.items.is_empty(), "{b:?}: nothing written");

        // A draft without the required field, then completed with it.
        let draft = env
            .app
            .start_form_response(
                &env.worker,
                case,
                form_id,
                &ResponseForm {
                    answers: answers(json!({"tenure": "Shelter"})),
                    filled_on: Some("2026-11-21".into()),
                    complete: false,
                },
            )
            .await
            .expect("draft");
        assert_eq!(draft.status, "draft", "{b:?}");
        let incomplete = env
            .app
            .complete_form_response(&env.worker, draft.id, draft.version)
            .await;
        assert!(
            matches!(&incomplete, Err(ServiceError::Invalid(i)) if i.field == "nights_housed"),
            "{b:?}"
        );
        let saved = env
            .app
            .update_form_response(
                &env.worker,
                draft.id,
                draft.version,
                &ResponseForm {
                    answers: answers(json!({"tenure": "Shelter", "nights_housed": 3})),
                    filled_on: None,
                    complete: false,
                },
            )
            .await
            .expect("update");
        // The version read before the update is stale now.
        let stale = env
            .app
            .complete_form_response(&env.worker, draft.id, draft.version)
            .await;
        assert!(matches!(stale, Err(ServiceError::Stale)), "{b:?}: {stale:?}");
        let done = env
            .app
            .complete_form_response(&env.worker, draft.id, saved.version)
            .await
            .expect("complete");
        assert_eq!(done.status, "completed", "{b:?}");
        assert_eq!(done.filled_on, "2026-11-21", "{b:?}");
        let changed = env
            .app
            .update_form_response(&env.worker, draft.id, done.version, &ResponseForm::default())
            .await;
        assert!(
            matches!(&changed, Err(ServiceError::Invalid(i)) if i.code == "form_response_completed"),
            "{b:?}"
        );
        let read = env
            .app
            .form_response(&env.worker, draft.id)
            .await
            .expect("read");
        assert_eq!(read.form_name, "Housing check", "{b:?}");
        assert_eq!(read.answers.len(), 2, "{b:?}");
        let entries = log(&env).await;
        for action in [
            "form_response.create",
            "form_response.update",
            "form_response.complete",
            "form_response.read",
        ] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.action == action && e.record_id == Some(draft.id)),
                "{b:?}: {action}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_response_stays_pinned_to_the_version_it_was_filled_against() {
    each_backend(|env| async move {
        let b = env.backend;
        let (form_id, v) = published_form(&env).await;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let r = env
            .app
            .start_form_response(
                &env.worker,
                case,
                form_id,
                &ResponseForm {
                    answers: answers(json!({"nights_housed": 2})),
                    ..Default::default()
                },
            )
            .await
            .expect("draft");
        // The admin adds a required field and publishes version 2.
        let d = env
            .app
            .change_assessment_form(
                &env.admin,
                form_id,
                v,
                &FormChange::AddField {
                    section: 0,
                    field: field("safe", "yes_no", true),
                },
            )
            .await
            .expect("change");
        env.app
            .publish_assessment_form(&env.admin, form_id, d.form.version)
            .await
            .expect("publish");
        // The old draft still completes against version 1, which did not ask about safety.
        let done = env
            .app
            .complete_form_response(&env.worker, r.id, r.version)
            .await
            .expect("complete against version 1");
        let read = env
            .app
            .form_response(&env.worker, done.id)
            .await
            .expect("read");
        assert_eq!(read.version_no, 1, "{b:?}");
        assert!(read.definition.field("safe").is_none(), "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn an_admin_cannot_read_a_response_and_the_denial_is_audited() {
    each_backend(|env| async move {
        let b = env.backend;
        let (form_id, _) = published_form(&env).await;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let r = env
            .app
            .start_form_response(
                &env.worker,
                case,
                form_id,
                &ResponseForm {
                    answers: answers(json!({"nights_housed": 2})),
                    complete: true,
                    ..Default::default()
                },
            )
            .await
            .expect("response");
        let denied = env.app.form_response(&env.admin, r.id).await;
        assert!(matches!(denied, Err(ServiceError::NotFound)), "{b:?}");
        let other = env.app.form_response(&env.worker_b, r.id).await;
        assert!(matches!(other, Err(ServiceError::NotFound)), "{b:?}");
        let fill = env
            .app
            .start_form_response(&env.admin, case, form_id, &ResponseForm::default())
            .await;
        assert!(matches!(fill, Err(ServiceError::NotFound)), "{b:?}");
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "form_response.read"
                && e.outcome == "denied"
                && e.actor_user_id == Some(env.admin.user_id)
                && e.record_id == Some(r.id)),
            "{b:?}"
        );
        assert!(entries.iter().any(|e| e.action == "form_response.create"
            && e.outcome == "denied"
            && e.actor_user_id == Some(env.admin.user_id)));
    })
    .await;
}

#[tokio::test]
async fn the_guard_keeps_a_case_in_assessment_until_the_required_form_is_completed() {
    each_backend(|env| async move {
        let b = env.backend;
        let (form_id, _) = published_form(&env).await;
        let agency = env.worker.agency_id;
        let program = env
            .app
            .create_program(None, agency, "Housing", false, false)
            .await
            .expect("program");
        let set = env
            .app
            .set_program_requirements(
                &env.admin,
                program.id,
                &[format!("form:{form_id}"), "phq9".into()],
            )
            .await
            .expect("requirements");
        assert_eq!(set.len(), 2, "{b:?}");
        assert!(set.contains(&Requirement::Form(form_id)), "{b:?}");
        let bad = env
            .app
            .set_program_requirements(&env.admin, program.id, &["form:999999".into()])
            .await;
        assert!(
            matches!(&bad, Err(ServiceError::Invalid(i)) if i.field == "requirements[0]"),
            "{b:?}"
        );
        let worker_sets = env
            .app
            .set_program_requirements(&env.worker, program.id, &[])
            .await;
        assert!(matches!(worker_sets, Err(ServiceError::Forbidden)), "{b:?}");
        assert_eq!(
            env.app
                .program_requirements(&env.worker, program.id)
                .await
                .expect("read")
                .len(),
            2,
            "{b:?}"
        );

        let client = env
            .app
            .register_client(
                &env.intake,
                &client_form("Ana Torres", Some("1990-04-12")),
                &Default::default(),
            )
            .await
            .expect("register");
        let case = env
            .app
            .open_case(
                &env.intake,
                &casework_domain::case::CaseForm {
                    client_id: client.id,
                    presenting_problem: "Facing eviction".into(),
                    primary_worker_id: Some(env.worker.user_id),
                    team_id: env.worker.team_id,
                    program_id: Some(program.id),
                    ..Default::default()
                },
            )
            .await
            .expect("open")
            .id;
        env.engage(case).await;
        let v = env
            .app
            .move_stage(&env.worker, case, 1, &forward())
            .await
            .expect("to assessment")
            .version;
        env.app
            .save_assessment(
                &env.worker,
                case,
                &AssessmentForm {
                    assessed_on: "2026-11-21".into(),
                    needs: vec!["Stable housing".into()],
                    strengths: vec!["Supportive sister".into()],
                    risk_level: Some("low".into()),
                    ..Default::default()
                },
                true,
            )
            .await
            .expect("assessment");
        let blocked = env.app.move_stage(&env.worker, case, v, &forward()).await;
        match blocked {
            Err(ServiceError::GuardUnmet(u)) => {
                assert_eq!(u, [Unmet::RequiredAssessmentMissing], "{b:?}")
            }
            other => panic!("{b:?}: expected guard_unmet, got {other:?}"),
        }
        let lines = env
            .app
            .case_requirements(&env.worker, case)
            .await
            .expect("lines");
        assert_eq!(lines.iter().filter(|l| !l.met).count(), 2, "{b:?}");
        env.app
            .start_form_response(
                &env.worker,
                case,
                form_id,
                &ResponseForm {
                    answers: answers(json!({"nights_housed": 0})),
                    complete: true,
                    ..Default::default()
                },
            )
            .await
            .expect("form");
        // PHQ-9 is still missing.
        let still = env.app.move_stage(&env.worker, case, v, &forward()).await;
        assert!(matches!(still, Err(ServiceError::GuardUnmet(_))), "{b:?}");
        env.app
            .record_instrument(
                &env.worker,
                case,
                "phq9",
                &casework_domain::assessment::InstrumentForm {
                    taken_on: Some("2026-11-21".into()),
                    answers: vec![Some(1); 9],
                    ..Default::default()
                },
            )
            .await
            .expect("phq9");
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("to goal setting");
        assert_eq!(moved.stage, Stage::GoalSetting.as_str(), "{b:?}");
    })
    .await;
}
