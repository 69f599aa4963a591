use super::*;
use crate::case::MoveForm;
use crate::ServiceError;
use casework_domain::plan::ApprovalForm;
use casework_domain::stage::{Stage, Unmet};
use casework_domain::termination::{CheckInForm, TerminationForm, TerminationStatus};

pub(super) fn forward() -> MoveForm {
    MoveForm {
        direction: "forward".into(),
        ..Default::default()
    }
}

fn reopen(to: &str, reason: Option<&str>) -> MoveForm {
    MoveForm {
        direction: "reopen".into(),
        reopen_to: Some(to.into()),
        reopen_reason: reason.map(str::to_string),
        ..Default::default()
    }
}

pub(super) fn termination_form() -> TerminationForm {
    TerminationForm {
        reason: Some("goals_achieved".into()),
        reason_other: None,
        closing_summary: Some("Housed since March and working part time".into()),
        growth: Some("Keeps a monthly budget".into()),
        aftercare_plan: Some("Tenancy support line; food bank nearby".into()),
    }
}

pub(super) fn check_in(held: &str) -> CheckInForm {
    CheckInForm {
        contact_date: "2026-11-22".into(),
        contact_mode: "phone".into(),
        change_held: held.into(),
        new_needs: Some("Childcare in the mornings".into()),
        referrals: Some("Family centre".into()),
        comment: None,
    }
}

fn decision(d: &str, comment: Option<&str>) -> ApprovalForm {
    ApprovalForm {
        decision: d.into(),
        comment: comment.map(str::to_string),
    }
}

/// A case of a program (closure approval or not, follow-up days) carried to termination by its
/// team's supervisor (the earlier stages' work is not this test's subject); (case, version).
pub(super) async fn in_termination(env: &Env, approval: bool, days: &[i64]) -> (i64, i64) {
    let agency = env.worker.agency_id;
    let program = env
        .app
        .create_program(None, agency, "Housing", false, approval)
        .await
        .expect("program");
    if !days.is_empty() {
        env.app
            .set_follow_up_schedule(&env.admin, program.id, 0, days)
            .await
            .expect("schedule");
    }
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
        .expect("open case")
        .id;
    env.engage(case).await;
    let skip = MoveForm {
        direction: "forward".into(),
        override_reason: Some("Earlier stages are not under test here".into()),
        ..Default::default()
    };
    let mut row = env
        .app
        .move_stage(&env.sup, case, 1, &skip)
        .await
        .expect("move");
    while row.stage != Stage::Termination.as_str() {
        row = env
            .app
            .move_stage(&env.sup, case, row.version, &skip)
            .await
            .expect("move");
    }
    (case, row.version)
}

fn unmet_of<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> Vec<Unmet> {
    match r {
        Err(ServiceError::GuardUnmet(u)) => u,
        other => panic!("expected guard_unmet, got {other:?}"),
    }
}

fn invalid_field<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> (String, &'static str) {
    match r {
        Err(ServiceError::Invalid(i)) => (i.field, i.code),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn without_approval_a_handed_in_summary_opens_follow_up_with_check_ins_due_from_closure() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, v) = in_termination(&env, false, &[30, 90, 180]).await;
        assert_eq!(
            unmet_of(env.app.move_stage(&env.worker, case, v, &forward()).await),
            vec![Unmet::NoClosingSummary],
            "{b:?}"
        );
        let t = env
            .app
            .save_termination(&env.worker, case, 0, &termination_form())
            .await
            .expect("draft");
        assert_eq!(t.status, "draft", "{b:?}");
        // A draft is not a handed-in summary.
        unmet_of(env.app.move_stage(&env.worker, case, v, &forward()).await);
        let t = env
            .app
            .submit_termination(&env.worker, case, t.version)
            .await
            .expect("submit");
        assert_eq!(t.status, TerminationStatus::Submitted.as_str(), "{b:?}");
        // Closed a day later than the suite's "now": the due dates follow the injected clock.
        env.clock.advance_ms(86_400_000);
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("to follow-up");
        assert_eq!(moved.stage, Stage::FollowUp.as_str(), "{b:?}");
        let list = env
            .app
            .follow_ups(&env.worker, case, None, None)
            .await
            .expect("follow-ups");
        let due: Vec<(&str, i64, &str)> = list
            .follow_ups
            .items
            .iter()
            .map(|f| (f.due_on.as_str(), f.day_offset, f.status.as_str()))
            .collect();
        assert_eq!(
            due,
            vec![
                ("2026-12-23", 30, "open"),
                ("2027-02-21", 90, "open"),
                ("2027-05-22", 180, "open")
            ],
            "{b:?}"
        );
        assert!(
            list.follow_ups
                .items
                .iter()
                .all(|f| f.assigned_to == Some(env.worker.user_id)),
            "{b:?}"
        );
        // The worker's due list: until March, earliest first, one per page when asked.
        let until = time::macros::date!(2027 - 03 - 01);
        let mine = env
            .app
            .due_follow_ups(&env.worker, until, None)
            .await
            .expect("due");
        let names: Vec<(&str, &str)> = mine
            .items
            .iter()
            .map(|d| (d.due_on.as_str(), d.client_preferred_name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![("2026-12-23", "Ana Torres"), ("2027-02-21", "Ana Torres")],
            "{b:?}"
        );
        assert!(
            env.app
                .due_follow_ups(&env.worker2, until, None)
                .await
                .expect("due")
                .items
                .is_empty(),
            "{b:?}"
        );
        // The guard holds the case in follow-up while check-ins are open.
        let mut v = moved.version;
        assert_eq!(
            unmet_of(env.app.move_stage(&env.worker, case, v, &forward()).await),
            vec![Unmet::FollowUpsPending],
            "{b:?}"
        );
        let items = list.follow_ups.items.clone();
        let done = env
            .app
            .complete_follow_up(
                &env.worker,
                items[0].id,
                items[0].version,
                &check_in("held"),
            )
            .await
            .expect("done");
        assert_eq!(
            (done.status.as_str(), done.change_held.as_deref()),
            ("done", Some("held")),
            "{b:?}"
        );
        // Done once only.
        assert_eq!(
            invalid_field(
                env.app
                    .complete_follow_up(&env.worker, done.id, done.version, &check_in("held"))
                    .await
            ),
            ("follow_up".into(), "follow_up_not_open"),
            "{b:?}"
        );
        env.app
            .complete_follow_up(
                &env.worker,
                items[1].id,
                items[1].version,
                &check_in("partly"),
            )
            .await
            .expect("done");
        assert_eq!(
            invalid_field(
                env.app
                    .cancel_follow_up(&env.worker, items[2].id, items[2].version, Some(" "))
                    .await
            ),
            ("reason".into(), "required"),
            "{b:?}"
        );
        let cancelled = env
            .app
            .cancel_follow_up(
                &env.worker,
                items[2].id,
                items[2].version,
                Some("Client asked not to be called again"),
            )
            .await
            .expect("cancel");
        assert_eq!(cancelled.status, "cancelled", "{b:?}");
        v = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("closed")
            .version;
        assert!(v > moved.version, "{b:?}");
        let entries = log(&env).await;
        let count = |action: &str| entries.iter().filter(|e| e.action == action).count();
        assert_eq!(count("follow_up.schedule"), 3, "{b:?}");
        assert_eq!(count("follow_up.done"), 2, "{b:?}");
        assert_eq!(count("follow_up.cancel"), 1, "{b:?}");
        assert_eq!(count("termination.submit"), 1, "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn with_approval_required_a_supervisor_of_the_team_decides_and_a_return_needs_a_comment() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, v) = in_termination(&env, true, &[]).await;
        let t = env
            .app
            .save_termination(&env.worker, case, 0, &termination_form())
            .await
            .expect("draft");
        let t = env
            .app
            .submit_termination(&env.worker, case, t.version)
            .await
            .expect("submit");
        assert_eq!(t.status, "awaiting_approval", "{b:?}");
        assert_eq!(
            unmet_of(env.app.move_stage(&env.worker, case, v, &forward()).await),
            vec![Unmet::ClosureNotApproved],
            "{b:?}"
        );
        // Frozen while it waits.
        assert_eq!(
            invalid_field(
                env.app
                    .save_termination(&env.worker, case, t.version, &termination_form())
                    .await
            )
            .1,
            "termination_not_editable",
            "{b:?}"
        );
        // The caseworker may not decide: 403, audited.
        assert!(
            matches!(
                env.app
                    .decide_termination(&env.worker, case, t.version, &decision("approve", None))
                    .await,
                Err(ServiceError::Forbidden)
            ),
            "{b:?}"
        );
        // Another team's supervisor does not know the case.
        assert!(
            matches!(
                env.app
                    .decide_termination(&env.sup_b, case, t.version, &decision("approve", None))
                    .await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "termination.approve"
                && e.outcome == "denied"
                && e.actor_user_id == Some(env.worker.user_id)),
            "{b:?}"
        );
        // The team supervisor's queue lists it; the other team's does not.
        let queue = env
            .app
            .terminations_awaiting_approval(&env.sup, None, None)
            .await
            .expect("queue");
        assert_eq!(queue.items.len(), 1, "{b:?}");
        assert_eq!(queue.items[0].case_id, case, "{b:?}");
        assert_eq!(queue.items[0].client_name, "Ana Torres", "{b:?}");
        assert!(
            env.app
                .terminations_awaiting_approval(&env.sup_b, None, None)
                .await
                .expect("queue")
                .items
                .is_empty(),
            "{b:?}"
        );
        // A return without a comment is refused naming the comment; nothing changes.
        assert_eq!(
            invalid_field(
                env.app
                    .decide_termination(&env.sup, case, t.version, &decision("return", Some(" ")))
                    .await
            ),
            ("comment".into(), "required"),
            "{b:?}"
        );
        let view = env.app.termination(&env.sup, case).await.expect("read");
        assert_eq!(
            view.status,
            Some(TerminationStatus::AwaitingApproval),
            "{b:?}"
        );
        assert!(view.can_decide && !view.can_edit, "{b:?}");
        let returned = env
            .app
            .decide_termination(
                &env.sup,
                case,
                t.version,
                &decision("return", Some("Say what the aftercare contact is")),
            )
            .await
            .expect("return");
        assert_eq!(returned.status, "returned", "{b:?}");
        assert_eq!(
            returned.return_comment.as_deref(),
            Some("Say what the aftercare contact is"),
            "{b:?}"
        );
        // Kept on the termination sealed, out of the audit log.
        let client = super::encryption::client_of_case(&env, case).await;
        let stored = super::encryption::raw(
            &env,
            "SELECT return_comment FROM terminations WHERE id = $1",
            returned.id,
        )
        .await;
        assert!(
            super::encryption::sealed_for(client, &stored, "aftercare"),
            "{b:?}: {stored}"
        );
        assert!(
            log(&env)
                .await
                .iter()
                .filter(|e| e.action == "termination.return")
                .all(|e| !format!("{e:?}").contains("aftercare")),
            "{b:?}: the audit log names no client text"
        );
        let again = env
            .app
            .save_termination(&env.worker, case, returned.version, &termination_form())
            .await
            .expect("edit returned");
        let again = env
            .app
            .submit_termination(&env.worker, case, again.version)
            .await
            .expect("resubmit");
        let approved = env
            .app
            .decide_termination(&env.sup, case, again.version, &decision("approve", None))
            .await
            .expect("approve");
        assert_eq!(
            (approved.status.as_str(), approved.decided_by),
            ("approved", Some(env.sup.user_id)),
            "{b:?}"
        );
        // No schedule: follow-up has no check-ins, and its guard passes at once.
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("to follow-up");
        let closed = env
            .app
            .move_stage(&env.worker, case, moved.version, &forward())
            .await
            .expect("closed");
        assert_eq!(closed.stage, "closed", "{b:?}");
        let entries = log(&env).await;
        for action in [
            "termination.return",
            "termination.approve",
            "termination.save",
        ] {
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
async fn stale_and_bad_input_are_refused_and_nothing_is_written() {
    each_backend(|env| async move {
        let b = env.backend;
        // Not yet terminating.
        let (_, early) = env.client_with_case("Bea Early").await;
        assert_eq!(
            invalid_field(
                env.app
                    .save_termination(&env.worker, early, 0, &termination_form())
                    .await
            ),
            ("stage".into(), "case_not_terminating"),
            "{b:?}"
        );
        let (case, _) = in_termination(&env, false, &[30]).await;
        let other = TerminationForm {
            reason: Some("other".into()),
            reason_other: None,
            ..termination_form()
        };
        assert_eq!(
            invalid_field(env.app.save_termination(&env.worker, case, 0, &other).await),
            ("reason_other".into(), "required"),
            "{b:?}"
        );
        let view = env.app.termination(&env.worker, case).await.expect("read");
        assert!(view.current.is_none() && view.can_edit, "{b:?}");
        let blank = TerminationForm {
            closing_summary: None,
            ..termination_form()
        };
        let t = env
            .app
            .save_termination(&env.worker, case, 0, &blank)
            .await
            .expect("draft");
        // Starting a second record, or writing an old version, is stale.
        assert!(
            matches!(
                env.app
                    .save_termination(&env.worker, case, 0, &termination_form())
                    .await,
                Err(ServiceError::Stale)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app
                    .submit_termination(&env.worker, case, t.version + 1)
                    .await,
                Err(ServiceError::Stale)
            ),
            "{b:?}"
        );
        assert_eq!(
            invalid_field(
                env.app
                    .submit_termination(&env.worker, case, t.version)
                    .await
            ),
            ("closing_summary".into(), "required"),
            "{b:?}"
        );
        // Someone from another team does not learn the case exists.
        assert!(
            matches!(
                env.app.termination(&env.worker_b, case).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app.follow_ups(&env.worker_b, case, None, None).await,
                Err(ServiceError::NotFound)
            ),
            "{b:?}"
        );
        // Schedules: admins only, checked, versioned.
        let program = env.app.programs(&env.admin).await.expect("programs")[0].id;
        let s = env
            .app
            .follow_up_schedule(&env.admin, program)
            .await
            .expect("schedule");
        assert_eq!((s.schedule.days(), s.version), (&[30u32][..], 1), "{b:?}");
        assert_eq!(
            invalid_field(
                env.app
                    .set_follow_up_schedule(&env.admin, program, 1, &[90, 30])
                    .await
            ),
            ("days".into(), "follow_up_days_not_ascending"),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app
                    .set_follow_up_schedule(&env.admin, program, 0, &[30, 90])
                    .await,
                Err(ServiceError::Stale)
            ),
            "{b:?}"
        );
        assert!(
            matches!(
                env.app
                    .set_follow_up_schedule(&env.worker, program, 1, &[30, 90])
                    .await,
                Err(ServiceError::Forbidden)
            ),
            "{b:?}"
        );
        let s = env
            .app
            .set_follow_up_schedule(&env.admin, program, 1, &[30, 90])
            .await
            .expect("set");
        assert_eq!(
            (s.schedule.days(), s.version),
            (&[30u32, 90][..], 2),
            "{b:?}"
        );
        let entries = log(&env).await;
        assert!(
            entries
                .iter()
                .any(|e| e.action == "program.follow_up_schedule" && e.outcome == "denied"),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn reopening_keeps_the_history_and_cancels_open_check_ins() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, v) = in_termination(&env, false, &[30, 90]).await;
        let t = env
            .app
            .save_termination(&env.worker, case, 0, &termination_form())
            .await
            .expect("draft");
        env.app
            .submit_termination(&env.worker, case, t.version)
            .await
            .expect("submit");
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("to follow-up");
        let items = env
            .app
            .follow_ups(&env.worker, case, None, None)
            .await
            .expect("list")
            .follow_ups
            .items;
        let done = env
            .app
            .complete_follow_up(
                &env.worker,
                items[0].id,
                items[0].version,
                &check_in("not_held"),
            )
            .await
            .expect("done");
        // Stale: the check-in changed since it was read.
        assert!(
            matches!(
                env.app
                    .cancel_follow_up(&env.worker, done.id, items[0].version, Some("Wrong one"))
                    .await,
                Err(ServiceError::Stale)
            ),
            "{b:?}"
        );
        assert_eq!(
            invalid_field(
                env.app
                    .move_stage(
                        &env.worker,
                        case,
                        moved.version,
                        &reopen("intervention", None)
                    )
                    .await
            ),
            ("reopen_reason".into(), "required"),
            "{b:?}"
        );
        let reopened = env
            .app
            .move_stage(
                &env.worker,
                case,
                moved.version,
                &reopen("intervention", Some("Lost the job; rent arrears again")),
            )
            .await
            .expect("reopen");
        assert_eq!(reopened.stage, Stage::Intervention.as_str(), "{b:?}");
        let list = env
            .app
            .follow_ups(&env.worker, case, None, None)
            .await
            .expect("list");
        let states: Vec<(&str, Option<&str>)> = list
            .follow_ups
            .items
            .iter()
            .map(|f| (f.status.as_str(), f.cancel_reason.as_deref()))
            .collect();
        assert_eq!(
            states,
            vec![("done", None), ("cancelled", Some("reopened"))],
            "{b:?}"
        );
        assert_eq!(list.reopenings.len(), 1, "{b:?}");
        assert_eq!(
            (
                list.reopenings[0].from_stage.as_str(),
                list.reopenings[0].to_stage.as_str(),
                list.reopenings[0].reason.as_str()
            ),
            (
                "follow_up",
                "intervention",
                "Lost the job; rent arrears again"
            ),
            "{b:?}"
        );
        // The termination is history now; a new one starts from a blank draft.
        let view = env.app.termination(&env.worker, case).await.expect("read");
        assert!(view.current.is_none(), "{b:?}");
        assert_eq!(view.earlier.len(), 1, "{b:?}");
        assert_eq!(view.earlier[0].status, "submitted", "{b:?}");
        let detail = env.app.case(&env.worker, case, None).await.expect("case");
        let moves: Vec<(Option<&str>, &str)> = detail
            .history
            .iter()
            .map(|m| (m.from_stage.as_deref(), m.to_stage.as_str()))
            .collect();
        assert!(
            moves.contains(&(Some("termination"), "follow_up"))
                && moves.contains(&(Some("follow_up"), "intervention")),
            "{b:?}: {moves:?}"
        );
        // Nothing is pending any more for the worker.
        assert!(
            env.app
                .due_follow_ups(&env.worker, time::macros::date!(2030 - 01 - 01), None)
                .await
                .expect("due")
                .items
                .is_empty(),
            "{b:?}"
        );
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "case.reopen"
                && e.reason.as_deref() == Some("Lost the job; rent arrears again")),
            "{b:?}"
        );
        assert!(
            entries
                .iter()
                .any(|e| e.action == "follow_up.cancel" && e.reason.as_deref() == Some("reopened")),
            "{b:?}"
        );
    })
    .await;
}
