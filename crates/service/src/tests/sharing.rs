use super::*;
use crate::case::CaseloadScope;
use crate::client::ClientQuery;
use crate::ServiceError;
use casework_domain::sharing::{ReviewForm, ShareForm};

const DAY: i64 = 86_400_000;
const REASON: &str = "Police called about the children tonight";

fn share_form(worker: i64, ends_on: &str) -> ShareForm {
    ShareForm {
        worker_id: Some(worker),
        ends_on: ends_on.into(),
        reason: "Covering while Wanda is on leave".into(),
    }
}

fn field(err: ServiceError) -> (String, &'static str) {
    match err {
        ServiceError::Invalid(i) => (i.field, i.code),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn finds(env: &Env, who: &Actor, name: &str) -> bool {
    let q = ClientQuery {
        q: Some(name.into()),
        ..Default::default()
    };
    env.app
        .search_clients(who, &q, None, None)
        .await
        .expect("search")
        .items
        .iter()
        .any(|c| c.legal_name == name)
}

async fn in_caseload(env: &Env, who: &Actor, case: i64) -> Option<Option<String>> {
    env.app
        .caseload(who, CaseloadScope::Mine, None, None)
        .await
        .expect("caseload")
        .items
        .into_iter()
        .find(|i| i.case_id == case)
        .map(|i| i.shared_until)
}

#[tokio::test]
async fn shared_worker_reads_and_records_until_the_end_date_then_loses_reach_everywhere() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        // Before the share: worker_b (another team) cannot see it anywhere.
        assert!(matches!(
            env.app.case(&env.worker_b, case, None).await,
            Err(ServiceError::NotFound)
        ));
        assert!(!finds(&env, &env.worker_b, "Ana Torres").await, "{b:?}");
        // NOW is 2026-11-22; the share ends (inclusive) on the 24th.
        let share = env
            .app
            .share_case(
                &env.worker,
                case,
                &share_form(env.worker_b.user_id, "2026-11-24"),
            )
            .await
            .expect("share");
        assert!(
            env.app.case(&env.worker_b, case, None).await.is_ok(),
            "{b:?}"
        );
        env.app
            .record_contact(&env.worker_b, case, &contact())
            .await
            .expect("shared worker records");
        assert!(finds(&env, &env.worker_b, "Ana Torres").await, "{b:?}");
        assert_eq!(
            in_caseload(&env, &env.worker_b, case).await,
            Some(Some("2026-11-24".into())),
            "{b:?}"
        );
        // Never a supervisor's reach.
        let err = env
            .app
            .assign_case(
                &env.worker_b,
                case,
                1,
                &crate::case::AssignForm {
                    worker_id: Some(env.worker_b.user_id),
                    ..Default::default()
                },
            )
            .await
            .expect_err("no assigning");
        assert!(matches!(err, ServiceError::Forbidden), "{b:?} {err:?}");
        // The last day still counts.
        env.clock.advance_ms(2 * DAY);
        assert!(
            env.app.case(&env.worker_b, case, None).await.is_ok(),
            "{b:?}"
        );
        // The day after, the access is gone: detail, caseload, search.
        env.clock.advance_ms(DAY);
        assert!(matches!(
            env.app.case(&env.worker_b, case, None).await,
            Err(ServiceError::NotFound)
        ));
        assert_eq!(in_caseload(&env, &env.worker_b, case).await, None, "{b:?}");
        assert!(!finds(&env, &env.worker_b, "Ana Torres").await, "{b:?}");
        // The case page lists the share as past.
        let sharing = env.app.case_sharing(&env.worker, case).await.expect("list");
        assert_eq!(sharing.shares.len(), 1);
        assert_eq!(sharing.shares[0].share.id, share.id);
        assert!(!sharing.shares[0].current, "{b:?}");
        assert!(sharing.can_share);
        let entries = log(&env).await;
        assert!(entries
            .iter()
            .any(|e| e.action == "case.share" && e.record_id == Some(case)));
    })
    .await;
}

#[tokio::test]
async fn a_share_ended_early_stops_at_once_and_stale_ends_are_refused() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let share = env
            .app
            .share_case(
                &env.sup,
                case,
                &share_form(env.worker2.user_id, "2026-12-31"),
            )
            .await
            .expect("supervisor shares");
        assert_eq!(
            in_caseload(&env, &env.worker2, case).await,
            Some(Some("2026-12-31".into()))
        );
        let err = env
            .app
            .end_share(&env.worker, share.id, share.version + 1)
            .await
            .expect_err("stale");
        assert!(matches!(err, ServiceError::Stale), "{b:?}");
        // Only the primary worker or the team's supervisor may end it.
        let err = env
            .app
            .end_share(&env.worker2, share.id, share.version)
            .await
            .expect_err("shared worker cannot end");
        assert!(matches!(err, ServiceError::Forbidden), "{b:?} {err:?}");
        let ended = env
            .app
            .end_share(&env.worker, share.id, share.version)
            .await
            .expect("end");
        assert!(ended.ended_at.is_some());
        assert!(matches!(
            env.app.case(&env.worker2, case, None).await,
            Err(ServiceError::NotFound)
        ));
        assert_eq!(in_caseload(&env, &env.worker2, case).await, None);
        let entries = log(&env).await;
        assert!(entries.iter().any(|e| e.action == "case.share_end"
            && e.outcome == "allowed"
            && e.record_id == Some(case)));
        assert!(entries
            .iter()
            .any(|e| e.action == "case.share_end" && e.outcome == "denied"));
    })
    .await;
}

#[tokio::test]
async fn sharing_is_refused_to_others_and_bad_input_names_the_field() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let form = share_form(env.worker_b.user_id, "2026-12-01");
        // Not the primary worker nor the team's supervisor: hidden (they cannot read it).
        for who in [
            &env.worker2,
            &env.sup_b,
            &env.intake,
            &env.admin,
            &env.stranger,
        ] {
            let err = env
                .app
                .share_case(who, case, &form)
                .await
                .expect_err("refused");
            assert!(
                matches!(err, ServiceError::NotFound),
                "{b:?} {:?}",
                who.role
            );
        }
        let bad = [
            (
                share_form(env.worker_b.user_id, "2026-11-21"),
                "ends_on",
                "date_in_past",
            ),
            (
                share_form(env.worker_b.user_id, "2028-01-01"),
                "ends_on",
                "share_too_long",
            ),
            (share_form(env.worker_b.user_id, ""), "ends_on", "required"),
            (
                share_form(env.admin.user_id, "2026-12-01"),
                "worker_id",
                "not_a_worker",
            ),
            (
                share_form(env.stranger.user_id, "2026-12-01"),
                "worker_id",
                "unknown_choice",
            ),
            (
                share_form(env.worker.user_id, "2026-12-01"),
                "worker_id",
                "already_reachable",
            ),
            (
                ShareForm {
                    reason: "  ".into(),
                    ..share_form(env.worker_b.user_id, "2026-12-01")
                },
                "reason",
                "required",
            ),
        ];
        for (form, f, code) in bad {
            let err = env
                .app
                .share_case(&env.worker, case, &form)
                .await
                .expect_err(f);
            assert_eq!(field(err), (f.to_string(), code), "{b:?}");
        }
        let sharing = env.app.case_sharing(&env.worker, case).await.expect("list");
        assert!(sharing.shares.is_empty(), "nothing written on {b:?}");
        let denied = log(&env)
            .await
            .into_iter()
            .filter(|e| e.action == "case.share" && e.outcome == "denied")
            .count();
        // The stranger's refusal is logged in the stranger's own agency.
        assert_eq!(denied, 4, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn break_glass_needs_a_reason_is_audited_alerts_the_supervisor_and_expires() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let err = env
            .app
            .break_glass(&env.worker_b, case, "")
            .await
            .expect_err("no reason");
        assert_eq!(field(err), ("reason".to_string(), "required"), "{b:?}");
        let err = env
            .app
            .break_glass(&env.worker_b, case, "urgent")
            .await
            .expect_err("short reason");
        assert_eq!(field(err), ("reason".to_string(), "reason_too_short"));
        assert!(env
            .app
            .break_glass_reviews(&env.sup, None, None)
            .await
            .expect("reviews")
            .items
            .is_empty());
        let access = env
            .app
            .break_glass(&env.worker_b, case, REASON)
            .await
            .expect("break glass");
        // Read, never record.
        assert!(
            env.app.case(&env.worker_b, case, None).await.is_ok(),
            "{b:?}"
        );
        let err = env
            .app
            .record_contact(&env.worker_b, case, &contact())
            .await
            .expect_err("read only");
        assert!(matches!(err, ServiceError::Forbidden), "{b:?} {err:?}");
        // The team's supervisor sees the alert; another team's supervisor does not.
        let open = env
            .app
            .break_glass_reviews(&env.sup, None, None)
            .await
            .expect("reviews");
        assert_eq!(open.items.len(), 1, "{b:?}");
        assert_eq!(open.items[0].access.id, access.id);
        assert_eq!(open.items[0].access.reason, REASON);
        // ... and finds it in their queue, beside plans, overrides and safety alerts.
        let queue = env.app.queue(&env.sup, None, None).await.expect("queue");
        assert!(
            queue
                .items
                .iter()
                .any(|l| l.kind == "break_glass" && l.id == access.id),
            "{b:?}"
        );
        assert!(env
            .app
            .break_glass_reviews(&env.sup_b, None, None)
            .await
            .expect("reviews")
            .items
            .is_empty());
        assert!(matches!(
            env.app.break_glass_reviews(&env.worker, None, None).await,
            Err(ServiceError::Forbidden)
        ));
        let entries = log(&env).await;
        let glass = entries
            .iter()
            .find(|e| e.action == "case.break_glass" && e.outcome == "allowed")
            .expect("audited");
        assert_eq!(glass.reason.as_deref(), Some(REASON));
        let marker = format!("break_glass:{}", access.id);
        assert!(
            entries.iter().any(|e| e.action == "case.read"
                && e.actor_user_id == Some(env.worker_b.user_id)
                && e.reason.as_deref() == Some(marker.as_str())),
            "the read under broken glass is marked on {b:?}"
        );
        // Four hours later the access is gone.
        env.clock.advance_ms(4 * 3_600_000);
        assert!(matches!(
            env.app.case(&env.worker_b, case, None).await,
            Err(ServiceError::NotFound)
        ));
        // Still listed for review after it expired.
        let open = env
            .app
            .break_glass_reviews(&env.sup, None, None)
            .await
            .expect("reviews");
        assert!(open.items[0].expired);
    })
    .await;
}

#[tokio::test]
async fn break_glass_is_refused_to_other_agencies_and_roles_that_never_may() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let err = env
            .app
            .break_glass(&env.stranger, case, REASON)
            .await
            .expect_err("another agency");
        assert!(matches!(err, ServiceError::NotFound), "{b:?}");
        for who in [&env.intake, &env.admin, &env.auditor] {
            let err = env
                .app
                .break_glass(who, case, REASON)
                .await
                .expect_err("role never may");
            assert!(
                matches!(err, ServiceError::Forbidden),
                "{b:?} {:?}",
                who.role
            );
        }
        let err = env
            .app
            .break_glass(&env.worker, case, REASON)
            .await
            .expect_err("own case");
        assert_eq!(field(err), ("case_id".to_string(), "already_reachable"));
        let denied = log(&env)
            .await
            .into_iter()
            .filter(|e| e.action == "case.break_glass" && e.outcome == "denied")
            .count();
        assert_eq!(denied, 3, "{b:?}");
        assert!(env
            .app
            .break_glass_reviews(&env.sup, None, None)
            .await
            .expect("reviews")
            .items
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn review_of_break_glass_is_audited_and_only_for_the_team_supervisor() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let access = env
            .app
            .break_glass(&env.sup_b, case, REASON)
            .await
            .expect("break glass");
        let form = ReviewForm {
            verdict: "justified".into(),
            comment: "Called by police; right call".into(),
        };
        let err = env
            .app
            .review_break_glass(&env.sup_b, access.id, access.version, &form)
            .await
            .expect_err("not the team's supervisor");
        assert!(matches!(err, ServiceError::NotFound), "{b:?}");
        let err = env
            .app
            .review_break_glass(
                &env.sup,
                access.id,
                access.version,
                &ReviewForm {
                    verdict: "maybe".into(),
                    ..form.clone()
                },
            )
            .await
            .expect_err("bad verdict");
        assert_eq!(field(err), ("verdict".to_string(), "unknown_choice"));
        let err = env
            .app
            .review_break_glass(&env.sup, access.id, access.version + 1, &form)
            .await
            .expect_err("stale");
        assert!(matches!(err, ServiceError::Stale), "{b:?}");
        let done = env
            .app
            .review_break_glass(&env.sup, access.id, access.version, &form)
            .await
            .expect("review");
        assert_eq!(done.verdict.as_deref(), Some("justified"));
        assert!(env
            .app
            .break_glass_reviews(&env.sup, None, None)
            .await
            .expect("reviews")
            .items
            .is_empty());
        let entries = log(&env).await;
        assert!(entries.iter().any(|e| e.action == "break_glass.review"
            && e.outcome == "allowed"
            && e.record_id == Some(access.id)));
        assert!(entries
            .iter()
            .any(|e| e.action == "break_glass.review" && e.outcome == "denied"));
        // The case page lists the access with its verdict.
        let sharing = env.app.case_sharing(&env.sup, case).await.expect("list");
        assert_eq!(sharing.break_glass[0].verdict.as_deref(), Some("justified"));
    })
    .await;
}

#[tokio::test]
async fn a_shared_worker_reads_ordinary_notes_but_not_others_sensitive_ones() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let note = |sensitivity: &str, body: &str| casework_domain::note::NoteForm {
            format: "narrative".into(),
            sensitivity: Some(sensitivity.into()),
            body: Some(body.into()),
            ..Default::default()
        };
        env.app
            .write_note(&env.worker, case, &note("normal", "Met the landlord"))
            .await
            .expect("normal note");
        env.app
            .write_note(
                &env.worker,
                case,
                &note("sensitive", "Disclosed a diagnosis"),
            )
            .await
            .expect("sensitive note");
        env.app
            .share_case(
                &env.worker,
                case,
                &share_form(env.worker_b.user_id, "2026-11-30"),
            )
            .await
            .expect("share");
        let seen = env.app.notes(&env.worker_b, case).await.expect("notes");
        assert_eq!(seen.notes.len(), 1, "{b:?}");
        assert_eq!(seen.notes[0].sensitivity.as_str(), "normal");
        assert!(seen.can_record, "{b:?}");
        let detail = env.app.case(&env.worker_b, case, None).await.expect("case");
        assert!(detail.can_record && !detail.can_override && !detail.can_assign);
        env.app
            .write_note(&env.worker_b, case, &note("normal", "Covered the visit"))
            .await
            .expect("shared worker writes a note");
    })
    .await;
}

/// Every case-scoped function reaches its case through one access path: a running share opens a
/// goal, a task and a service by their own ids and offers to record on them; the client's page
/// lists the shared case, its consents and disclosures open, and a printed summary carries the
/// shared case's plan. A read of a record under broken glass is marked in the audit log.
#[tokio::test]
async fn share_and_glass_reach_every_record_of_the_case_through_one_path() {
    use casework_domain::consent::{DisclosureForm, ShareConsentForm};
    use casework_domain::goal::{GoalForm, GoalScaleForm};
    use casework_domain::task::TaskForm;
    each_backend(|env| async move {
        let b = env.backend;
        let (client, case) = env.client_with_case("Ana Torres").await;
        let goal = env
            .app
            .create_goal(
                &env.worker,
                case,
                &GoalForm {
                    statement: Some("Find a home".into()),
                    ..Default::default()
                },
                &GoalScaleForm::default(),
            )
            .await
            .expect("goal");
        let task = env
            .app
            .create_task(
                &env.worker,
                case,
                &TaskForm {
                    title: "Call the landlord".into(),
                    description: None,
                    due_on: "2026-11-30".into(),
                    assignee_id: None,
                    remind_days: None,
                },
            )
            .await
            .expect("task");
        env.app
            .record_share_consent(
                &env.worker,
                client,
                &ShareConsentForm {
                    recipient_type: "organisation".into(),
                    recipient_name: Some("Eastside Clinic".into()),
                    recipient_kind: Some("health_care".into()),
                    purpose: "care_coordination".into(),
                    purpose_other: None,
                    categories: vec!["identity".into(), "goals_and_plan".into()],
                    starts_on: "2026-11-01".into(),
                    expires_on: None,
                    given_how: "signed".into(),
                    witness: None,
                },
            )
            .await
            .expect("consent");
        // Before the share, worker_b reaches none of it.
        assert!(matches!(
            env.app.goal(&env.worker_b, goal.goal.id).await,
            Err(ServiceError::NotFound)
        ));
        env.app
            .share_case(
                &env.worker,
                case,
                &share_form(env.worker_b.user_id, "2026-11-24"),
            )
            .await
            .expect("share");
        let g = env.app.goal(&env.worker_b, goal.goal.id).await;
        assert!(g.as_ref().is_ok_and(|g| g.can_record), "{b:?}: {g:?}");
        let goals = env.app.goals(&env.worker_b, case).await.expect("goals");
        assert!(goals.can_record, "{b:?}");
        let t = env.app.task(&env.worker_b, task.id).await.expect("task");
        assert!(t.can_record, "{b:?}");
        let note = env
            .app
            .write_note(
                &env.worker,
                case,
                &casework_domain::note::NoteForm {
                    format: "narrative".into(),
                    body: Some("Met at the office".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("note");
        env.app
            .sign_note(&env.worker, note.note.id, note.note.version)
            .await
            .expect("sign");
        let n = env
            .app
            .note(&env.worker_b, note.note.id)
            .await
            .expect("note");
        assert!(n.can_add_addendum, "the shared worker may amend on {b:?}");
        let detail = env.app.client(&env.worker_b, client).await.expect("client");
        assert!(
            detail.cases.iter().any(|c| c.id == case),
            "the client page lists the shared case on {b:?}"
        );
        env.app
            .consent_sections(&env.worker_b, client)
            .await
            .expect("consents and disclosures open to the shared worker");
        let summary = env
            .app
            .print_summary(
                &env.worker_b,
                client,
                &DisclosureForm {
                    recipient_name: "eastside clinic".into(),
                    recipient_kind: Some("health_care".into()),
                    purpose: "care_coordination".into(),
                    purpose_other: None,
                    categories: vec!["identity".into(), "goals_and_plan".into()],
                    channel: "printed_summary".into(),
                    legal_basis: None,
                },
            )
            .await
            .expect("printed summary");
        assert!(
            summary
                .plans
                .unwrap_or_default()
                .iter()
                .any(|p| p.case_id == case),
            "the summary carries the shared case's plan on {b:?}"
        );

        // Broken glass: the supervisor of the other team reads the goal, marked as such, and
        // is offered nothing to record.
        let access = env
            .app
            .break_glass(&env.sup_b, case, REASON)
            .await
            .expect("glass");
        let g = env.app.goal(&env.sup_b, goal.goal.id).await.expect("goal");
        assert!(!g.can_record, "{b:?}");
        assert!(matches!(
            env.app
                .update_goal(
                    &env.sup_b,
                    goal.goal.id,
                    g.goal.goal.version,
                    &GoalForm {
                        statement: Some("Changed".into()),
                        ..Default::default()
                    },
                    &GoalScaleForm::default(),
                )
                .await,
            Err(ServiceError::Forbidden)
        ));
        let marker = format!("break_glass:{}", access.id);
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "goal.read"
                && e.actor_user_id == Some(env.sup_b.user_id)
                && e.reason.as_deref() == Some(marker.as_str())),
            "the goal read under broken glass is marked on {b:?}"
        );
    })
    .await;
}
