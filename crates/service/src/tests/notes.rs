use super::*;
use crate::ServiceError;
use casework_domain::note::{NoteForm, Sensitivity};

fn narrative(body: &str, sensitivity: &str) -> NoteForm {
    NoteForm {
        format: "narrative".into(),
        sensitivity: Some(sensitivity.into()),
        body: Some(body.into()),
        ..Default::default()
    }
}

fn soap() -> NoteForm {
    NoteForm {
        format: "soap".into(),
        subjective: Some("Says she is sleeping badly".into()),
        objective: Some("Eviction notice on the table".into()),
        assessment: Some("Housing at risk".into()),
        plan: Some("Call the landlord on Monday".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_signed_note_is_never_edited_only_amended() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Lima").await;
        let note = env
            .app
            .write_note(&env.worker, case, &soap())
            .await
            .expect("write");
        assert!(!note.signed(), "{b:?}");
        assert_eq!(
            note.section("objective"),
            Some("Eviction notice on the table")
        );
        // A draft can be changed by its author, from the version read.
        let mut changed = soap();
        changed.plan = Some("Call the landlord today".into());
        let note = env
            .app
            .update_note(&env.worker, note.note.id, note.note.version, &changed)
            .await
            .expect("update draft");
        let stale = env
            .app
            .update_note(&env.worker, note.note.id, note.note.version - 1, &changed)
            .await;
        assert!(matches!(stale, Err(ServiceError::Stale)), "{b:?}");
        // An addendum waits for the signature.
        let early = env
            .app
            .add_addendum(&env.worker, note.note.id, "More")
            .await;
        assert_eq!(early.unwrap_err().code(), "note_not_signed", "{b:?}");
        // Only the author signs.
        let other = env
            .app
            .sign_note(&env.sup, note.note.id, note.note.version)
            .await;
        assert!(matches!(other, Err(ServiceError::Forbidden)), "{b:?}");
        let signed = env
            .app
            .sign_note(&env.worker, note.note.id, note.note.version)
            .await
            .expect("sign");
        assert!(signed.signed(), "{b:?}");
        let edit = env
            .app
            .update_note(&env.worker, note.note.id, signed.note.version, &soap())
            .await
            .unwrap_err();
        assert_eq!(edit.code(), "note_signed", "{b:?}");
        let again = env
            .app
            .sign_note(&env.worker, note.note.id, signed.note.version)
            .await
            .unwrap_err();
        assert_eq!(again.code(), "note_signed", "{b:?}");
        // Addenda, signed on save, by the author or the team supervisor.
        let add = env
            .app
            .add_addendum(
                &env.worker,
                note.note.id,
                "  The landlord agreed to wait.  ",
            )
            .await
            .expect("addendum");
        assert_eq!(add.addendum.body, "The landlord agreed to wait.");
        assert!(add.addendum.signed_at > 0);
        env.app
            .add_addendum(&env.sup, note.note.id, "Reviewed.")
            .await
            .expect("supervisor addendum");
        let detail = env.app.note(&env.worker, note.note.id).await.expect("read");
        assert_eq!(detail.addenda.len(), 2, "{b:?}");
        assert!(!detail.can_edit && !detail.can_sign && detail.can_add_addendum);
        assert_eq!(detail.note.section("plan"), Some("Call the landlord today"));
        let entries = log(&env).await;
        for action in ["note.write", "note.sign", "note.addendum", "note.read"] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.action == action && e.outcome == "allowed"),
                "{action} on {b:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_soap_note_without_objective_is_refused_naming_the_field() {
    each_backend(|env| async move {
        let (_, case) = env.client_with_case("Ana Lima").await;
        let mut form = soap();
        form.objective = None;
        let e = env
            .app
            .write_note(&env.worker, case, &form)
            .await
            .unwrap_err();
        assert_eq!((e.code(), e.field()), ("required", Some("objective")));
        assert!(env
            .app
            .notes(&env.worker, case)
            .await
            .unwrap()
            .notes
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn sensitivity_decides_who_sees_a_note_in_the_list_and_on_its_page() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Lima").await;
        let normal = env
            .app
            .write_note(&env.worker, case, &narrative("Home visit", "normal"))
            .await
            .expect("normal");
        // The supervisor writes a restricted note; a sensitive one by the worker.
        let restricted = env
            .app
            .write_note(
                &env.sup,
                case,
                &narrative("Disclosure of abuse", "restricted"),
            )
            .await
            .expect("restricted");
        assert_eq!(restricted.sensitivity, Sensitivity::Restricted);
        let sensitive = env
            .app
            .write_note(
                &env.worker,
                case,
                &narrative("Immigration status", "sensitive"),
            )
            .await
            .expect("sensitive");
        let ids = |notes: &crate::note::CaseNotes| -> Vec<i64> {
            notes.notes.iter().map(|n| n.note.id).collect()
        };
        // The primary worker: normal and sensitive, not the supervisor's restricted note.
        let worker = env.app.notes(&env.worker, case).await.expect("worker list");
        assert_eq!(
            ids(&worker),
            vec![sensitive.note.id, normal.note.id],
            "{b:?}"
        );
        let denied = env.app.note(&env.worker, restricted.note.id).await;
        assert!(matches!(denied, Err(ServiceError::NotFound)), "{b:?}");
        let edit = env
            .app
            .add_addendum(&env.worker, restricted.note.id, "x")
            .await;
        assert!(matches!(edit, Err(ServiceError::NotFound)), "{b:?}");
        // The team supervisor reads all three.
        let sup = env
            .app
            .notes(&env.sup, case)
            .await
            .expect("supervisor list");
        assert_eq!(ids(&sup).len(), 3, "{b:?}");
        env.app
            .note(&env.sup, restricted.note.id)
            .await
            .expect("supervisor reads restricted");
        // Reassigned to another caseworker: now the primary worker, they see the normal and
        // the sensitive note, never the restricted one.
        env.app
            .assign_case(
                &env.sup,
                case,
                1,
                &crate::case::AssignForm {
                    worker_id: Some(env.worker2.user_id),
                    team_id: env.worker2.team_id,
                    reason: None,
                },
            )
            .await
            .expect("reassign");
        let w2 = env.app.notes(&env.worker2, case).await.expect("w2 list");
        assert_eq!(ids(&w2), vec![sensitive.note.id, normal.note.id], "{b:?}");
        let r = env.app.note(&env.worker2, restricted.note.id).await;
        assert!(matches!(r, Err(ServiceError::NotFound)), "{b:?}");
        // The former worker, who wrote the sensitive note, has lost the case with it.
        let r = env.app.note(&env.worker, sensitive.note.id).await;
        assert!(matches!(r, Err(ServiceError::NotFound)), "{b:?}");
        // Outside the case's reach nothing is listed at all.
        let outside = env.app.notes(&env.worker_b, case).await;
        assert!(matches!(outside, Err(ServiceError::NotFound)), "{b:?}");
        let entries = log(&env).await;
        let denials: Vec<_> = entries
            .iter()
            .filter(|e| e.action == "note.read" && e.outcome == "denied")
            .collect();
        assert_eq!(denials.len(), 3, "{b:?}");
        assert!(denials
            .iter()
            .any(|e| e.record_id == Some(restricted.note.id)
                && e.actor_user_id == Some(env.worker.user_id)));
        assert!(entries
            .iter()
            .any(|e| e.action == "note.addendum" && e.outcome == "denied"));
    })
    .await;
}

#[tokio::test]
async fn a_note_points_only_to_contacts_and_goals_of_its_own_case() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Lima").await;
        let (_, other) = env.client_with_case("Ben Okafor").await;
        let theirs = env
            .app
            .record_contact(&env.worker, other, &contact())
            .await
            .expect("contact")
            .id;
        let mut form = narrative("Phone call", "normal");
        form.contact_id = Some(theirs);
        let e = env
            .app
            .write_note(&env.worker, case, &form)
            .await
            .unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("unknown_choice", Some("contact_id"))
        );
        let own = env
            .app
            .record_contact(&env.worker, case, &contact())
            .await
            .expect("contact")
            .id;
        form.contact_id = Some(own);
        let goal = env
            .app
            .create_goal(
                &env.worker,
                case,
                &casework_domain::goal::GoalForm {
                    statement: Some("Keep the flat".into()),
                    ..Default::default()
                },
                &Default::default(),
            )
            .await
            .expect("goal")
            .goal
            .id;
        form.goal_ids = vec![goal];
        let note = env
            .app
            .write_note(&env.worker, case, &form)
            .await
            .expect("linked note");
        assert_eq!(note.note.contact_id, Some(own), "{b:?}");
        assert_eq!(note.goal_ids, vec![goal], "{b:?}");
        let moved = env.app.write_note(&env.worker, other, &form).await;
        assert_eq!(moved.unwrap_err().field(), Some("contact_id"), "{b:?}");
    })
    .await;
}
