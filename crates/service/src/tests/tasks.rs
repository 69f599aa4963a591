use super::*;
use crate::case::MoveForm;
use crate::ServiceError;
use casework_domain::assessment::InstrumentForm;
use casework_domain::goal::AgreementForm;
use casework_domain::plan::{InterventionForm, TaskForm as PlanTaskForm};
use casework_domain::task::{CancelForm, CommentForm, TaskForm, TemplateForm, Urgency};

const DAY: i64 = 86_400_000;

fn forward() -> MoveForm {
    MoveForm {
        direction: "forward".into(),
        ..Default::default()
    }
}

fn task(title: &str, due: &str) -> TaskForm {
    TaskForm {
        title: title.into(),
        description: None,
        due_on: due.into(),
        assignee_id: None,
        remind_days: Some("3".into()),
    }
}

fn template(title: &str, stage: &str, days: &str) -> TemplateForm {
    TemplateForm {
        title: title.into(),
        stage: stage.into(),
        due_days: days.into(),
        remind_days: None,
    }
}

/// A program with default tasks at engagement (7 days) and assessment (14 days), and a case of
/// `worker` in it; (program id, case id).
async fn case_in_program(env: &Env) -> (i64, i64) {
    let agency = env.worker.agency_id;
    let program = env
        .app
        .create_program(None, agency, "Housing", false, false)
        .await
        .expect("program")
        .id;
    env.app
        .add_task_template(
            &env.admin,
            program,
            &template("First home visit", "engagement", "7"),
        )
        .await
        .expect("template");
    env.app
        .add_task_template(
            &env.admin,
            program,
            &template("Collect documents", "assessment", "14"),
        )
        .await
        .expect("template");
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
                program_id: Some(program),
                ..Default::default()
            },
        )
        .await
        .expect("open case")
        .id;
    (program, case)
}

#[tokio::test]
async fn default_tasks_are_made_on_opening_and_on_entering_a_stage() {
    each_backend(|env| async move {
        let b = env.backend;
        let (program, case) = case_in_program(&env).await;
        let tasks = env
            .app
            .case_tasks(&env.worker, case, None, None)
            .await
            .expect("tasks");
        let made: Vec<_> = tasks
            .tasks
            .items
            .iter()
            .map(|t| (t.title.as_str(), t.due_on.as_str(), t.assignee_id))
            .collect();
        // Opened 2026-11-22: due 7 days later, to the primary worker.
        assert_eq!(
            made,
            vec![("First home visit", "2026-11-29", Some(env.worker.user_id))],
            "{b:?}"
        );
        env.engage(case).await;
        env.clock.advance_ms(2 * DAY);
        env.app
            .move_stage(&env.worker, case, 1, &forward())
            .await
            .expect("to assessment");
        let tasks = env
            .app
            .case_tasks(&env.worker, case, None, None)
            .await
            .expect("tasks");
        let made: Vec<_> = tasks
            .tasks
            .items
            .iter()
            .map(|t| (t.title.as_str(), t.due_on.as_str()))
            .collect();
        assert_eq!(
            made,
            vec![
                ("First home visit", "2026-11-29"),
                ("Collect documents", "2026-12-08")
            ],
            "{b:?}: entered assessment 2026-11-24, due 14 days later"
        );
        // A retired template makes nothing more; the admin's list no longer holds it.
        let (_, templates) = env
            .app
            .task_templates(&env.admin, program)
            .await
            .expect("templates");
        assert_eq!(templates.len(), 2, "{b:?}");
        let stale = env
            .app
            .retire_task_template(
                &env.admin,
                program,
                templates[0].id,
                templates[0].version + 1,
            )
            .await;
        assert!(matches!(stale, Err(ServiceError::Stale)), "{b:?}");
        env.app
            .retire_task_template(&env.admin, program, templates[0].id, templates[0].version)
            .await
            .expect("retire");
        let (_, templates) = env.app.task_templates(&env.admin, program).await.unwrap();
        assert_eq!(templates.len(), 1, "{b:?}");
        // A caseworker does not configure programs: 403, audited.
        let denied = env.app.task_templates(&env.worker, program).await;
        assert!(matches!(denied, Err(ServiceError::Forbidden)), "{b:?}");
        let entries = log(&env).await;
        assert!(
            entries
                .iter()
                .any(|e| e.action == "task_template.read" && e.outcome == "denied"),
            "{b:?}"
        );
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "task.create" && e.outcome == "allowed")
                .count(),
            2,
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_task_is_edited_with_its_version_completed_and_cancelled_with_a_reason() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        let t = env
            .app
            .create_task(&env.worker, case, &task("Call the landlord", "2026-11-30"))
            .await
            .expect("create");
        assert_eq!(t.assignee_id, Some(env.worker.user_id), "{b:?}");
        assert_eq!(t.remind_on, "2026-11-27", "{b:?}");
        // Someone outside the case's team may not be assigned.
        let mut other = task("Call", "2026-11-30");
        other.assignee_id = Some(env.worker_b.user_id.to_string());
        match env.app.create_task(&env.worker, case, &other).await {
            Err(ServiceError::Invalid(i)) => {
                assert_eq!(
                    (i.field.as_str(), i.code),
                    ("assignee_id", "unknown_choice")
                )
            }
            r => panic!("{b:?}: {r:?}"),
        }
        let mut edit = task("Call the landlord again", "2026-12-02");
        edit.assignee_id = Some(env.worker2.user_id.to_string());
        let edited = env
            .app
            .update_task(&env.worker, t.id, t.version, &edit)
            .await
            .expect("edit");
        assert_eq!(edited.assignee_id, Some(env.worker2.user_id), "{b:?}");
        let stale = env
            .app
            .update_task(&env.worker, t.id, t.version, &edit)
            .await;
        assert!(matches!(stale, Err(ServiceError::Stale)), "{b:?}");
        // Cancelling without a reason names the field and writes nothing.
        let blank = CancelForm { reason: " ".into() };
        match env
            .app
            .cancel_task(&env.worker, t.id, edited.version, &blank)
            .await
        {
            Err(ServiceError::Invalid(i)) => {
                assert_eq!((i.field.as_str(), i.code), ("reason", "required"), "{b:?}")
            }
            r => panic!("{b:?}: {r:?}"),
        }
        let still = env.app.task(&env.worker, t.id).await.expect("read");
        assert_eq!(still.task.status, "open", "{b:?}");
        let reason = CancelForm {
            reason: "The client found a flat".into(),
        };
        let cancelled = env
            .app
            .cancel_task(&env.worker, t.id, edited.version, &reason)
            .await
            .expect("cancel");
        assert_eq!(cancelled.status, "cancelled", "{b:?}");
        assert_eq!(
            cancelled.cancel_reason.as_deref(),
            Some("The client found a flat")
        );
        let again = env
            .app
            .complete_case_task(&env.worker, t.id, cancelled.version)
            .await;
        match again {
            Err(ServiceError::Invalid(i)) => assert_eq!(i.code, "task_closed", "{b:?}"),
            r => panic!("{b:?}: {r:?}"),
        }
        let t2 = env
            .app
            .create_task(&env.worker, case, &task("Visit", "2026-11-25"))
            .await
            .unwrap();
        let done = env
            .app
            .complete_case_task(&env.worker, t2.id, t2.version)
            .await
            .expect("done");
        assert_eq!(done.status, "done", "{b:?}");
        // Another team's caseworker does not learn the task exists: 404, audited.
        let hidden = env.app.task(&env.worker_b, t2.id).await;
        assert!(matches!(hidden, Err(ServiceError::NotFound)), "{b:?}");
        let entries = log(&env).await;
        for action in ["task.create", "task.update", "task.cancel", "task.complete"] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.action == action && e.outcome == "allowed"),
                "{b:?}: {action}"
            );
        }
        assert!(
            entries.iter().any(|e| e.action == "task.read"
                && e.outcome == "denied"
                && e.actor_user_id == Some(env.worker_b.user_id)),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn my_tasks_list_case_and_plan_tasks_overdue_first_and_the_team_sees_overdue() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        // Later (due in 20 days, no reminder), due soon (reminder window reached), overdue.
        let mut later = task("Plan the review", "2026-12-12");
        later.remind_days = None;
        env.app
            .create_task(&env.worker, case, &later)
            .await
            .unwrap();
        env.app
            .create_task(&env.worker, case, &task("Call the landlord", "2026-11-24"))
            .await
            .unwrap();
        env.app
            .create_task(&env.worker, case, &task("Send the form", "2026-11-23"))
            .await
            .unwrap();
        env.clock.advance_ms(2 * DAY); // 2026-11-24
        let mine = env
            .app
            .my_tasks(&env.worker, None, None)
            .await
            .expect("mine");
        let seen: Vec<_> = mine
            .tasks
            .items
            .iter()
            .map(|i| (i.line.title.as_str(), i.urgency))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("Send the form", Urgency::Overdue),
                ("Call the landlord", Urgency::DueSoon),
                ("Plan the review", Urgency::Later),
            ],
            "{b:?}"
        );
        assert_eq!(mine.tasks.items[0].line.client_name, "Ana Torres", "{b:?}");
        assert_eq!(
            env.app.overdue_count(&env.worker).await.unwrap(),
            1,
            "{b:?}"
        );
        // Paged one by one, the cursor walks the same order.
        let first = env.app.my_tasks(&env.worker, None, Some(1)).await.unwrap();
        let cursor = first.tasks.next_cursor.clone().expect("more");
        let second = env
            .app
            .my_tasks(&env.worker, Some(&cursor), Some(1))
            .await
            .unwrap();
        assert_eq!(
            second.tasks.items[0].line.title, "Call the landlord",
            "{b:?}"
        );
        let bad = env.app.my_tasks(&env.worker, Some("x~y"), None).await;
        assert!(
            matches!(bad, Err(ServiceError::Invalid(ref i)) if i.field == "cursor"),
            "{b:?}"
        );
        // The team's supervisor sees the worker's overdue task; another team's sees nothing.
        let sup = env.app.my_tasks(&env.sup, None, None).await.unwrap();
        let team: Vec<_> = sup
            .team_overdue
            .iter()
            .map(|i| (i.line.title.as_str(), i.line.assignee_id))
            .collect();
        assert_eq!(
            team,
            vec![("Send the form", Some(env.worker.user_id))],
            "{b:?}"
        );
        let other = env.app.my_tasks(&env.sup_b, None, None).await.unwrap();
        assert!(
            other.team_overdue.is_empty() && other.tasks.items.is_empty(),
            "{b:?}"
        );
        // Intake has no task list.
        let refused = env.app.my_tasks(&env.intake, None, None).await;
        assert!(matches!(refused, Err(ServiceError::Forbidden)), "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn plan_tasks_of_the_worker_join_the_overdue_list_and_a_submitted_plan_waits_in_the_queue() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, _, goals) = super::plans::in_planning(&env, true).await;
        env.app
            .create_task(&env.worker, case, &task("Send the form", "2026-11-23"))
            .await
            .unwrap();
        let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
        let i = env
            .app
            .add_intervention(
                &env.worker,
                plan.plan.id,
                &InterventionForm {
                    goal_id: goals[0],
                    kind: "advocacy".into(),
                    description: "Speak to the landlord".into(),
                    responsible: "worker".into(),
                    responsible_name: None,
                    due_on: "2026-12-01".into(),
                    resources: None,
                },
            )
            .await
            .expect("intervention");
        for (who, what) in [
            ("worker", "Bring payslips to the office"),
            ("client", "Not mine"),
        ] {
            env.app
                .add_task(
                    &env.worker,
                    i.id,
                    &PlanTaskForm {
                        description: what.into(),
                        responsible: who.into(),
                        responsible_name: None,
                        due_on: "2026-11-22".into(),
                    },
                )
                .await
                .expect("plan task");
        }
        let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
        let agreed = env
            .app
            .record_plan_agreement(
                &env.worker,
                plan.plan.id,
                plan.plan.version,
                &AgreementForm {
                    agreed_on: "2026-11-22".into(),
                    client_words: "Yes".into(),
                },
            )
            .await
            .expect("agree");
        env.app
            .submit_plan(&env.worker, agreed.id, agreed.version)
            .await
            .expect("submit");
        env.clock.advance_ms(3 * DAY);
        let mine = env
            .app
            .my_tasks(&env.worker, None, None)
            .await
            .expect("mine");
        let seen: Vec<_> = mine
            .tasks
            .items
            .iter()
            .map(|i| (i.line.kind.as_str(), i.line.title.as_str(), i.urgency))
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "plan_task",
                    "Bring payslips to the office",
                    Urgency::Overdue
                ),
                ("case_task", "Send the form", Urgency::Overdue),
            ],
            "{b:?}"
        );
        assert_eq!(
            env.app.overdue_count(&env.worker).await.unwrap(),
            2,
            "{b:?}"
        );
        let queue = env.app.queue(&env.sup, None, None).await.expect("queue");
        let waiting: Vec<_> = queue
            .items
            .iter()
            .map(|l| (l.kind.as_str(), l.id))
            .collect();
        assert_eq!(waiting, vec![("plan_approval", agreed.id)], "{b:?}");
    })
    .await;
}

fn phq9_with_item9() -> InstrumentForm {
    InstrumentForm {
        answers: [1, 1, 1, 1, 0, 0, 0, 0, 2].map(Some).to_vec(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_queue_holds_overrides_and_safety_alerts_for_the_team_supervisor_only() {
    each_backend(|env| async move {
        let b = env.backend;
        let (_, case) = env.client_with_case("Ana Torres").await;
        env.engage(case).await;
        let v = env
            .app
            .move_stage(&env.worker, case, 1, &forward())
            .await
            .unwrap()
            .version;
        let over = MoveForm {
            override_reason: Some("Assessment completed on paper during the home visit".into()),
            ..forward()
        };
        env.app
            .move_stage(&env.sup, case, v, &over)
            .await
            .expect("override");
        let alert = env
            .app
            .record_instrument(&env.worker, case, "phq9", &phq9_with_item9())
            .await
            .expect("phq9");
        let queue = env.app.queue(&env.sup, None, None).await.expect("queue");
        let kinds: Vec<_> = queue.items.iter().map(|l| l.kind.as_str()).collect();
        assert_eq!(kinds, vec!["guard_override", "safety_alert"], "{b:?}");
        assert_eq!(queue.items[0].client_name, "Ana Torres", "{b:?}");
        // The override names who made it and which move it was, so that several on one case
        // can be told apart; the case's own worker is a different person.
        let line = &queue.items[0];
        let sup_name = env
            .app
            .user(&env.admin, env.sup.user_id)
            .await
            .expect("sup")
            .display_name;
        assert_eq!(
            line.acted_by_name.as_deref(),
            Some(sup_name.as_str()),
            "{b:?}"
        );
        assert_ne!(line.worker_name, line.acted_by_name, "{b:?}");
        assert_eq!(
            (line.from_stage.as_deref(), line.to_stage.as_deref()),
            (Some("assessment"), Some("goal_setting")),
            "{b:?}"
        );
        assert_eq!(
            queue.items[1].acted_by_name, None,
            "{b:?}: an alert names no actor"
        );
        // Another team's supervisor sees nothing of this team, and may not decide on it.
        let other = env.app.queue(&env.sup_b, None, None).await.expect("queue");
        assert!(other.items.is_empty(), "{b:?}");
        let ack = CommentForm {
            comment: Some("Called the client; safety plan made".into()),
        };
        let refused = env
            .app
            .acknowledge_safety_alert(&env.sup_b, alert.id, &ack)
            .await;
        assert!(matches!(refused, Err(ServiceError::NotFound)), "{b:?}");
        // A caseworker is refused the queue: 403, audited.
        let denied = env.app.queue(&env.worker, None, None).await;
        assert!(matches!(denied, Err(ServiceError::Forbidden)), "{b:?}");
        // An acknowledgement needs a comment.
        match env
            .app
            .acknowledge_safety_alert(&env.sup, alert.id, &CommentForm { comment: None })
            .await
        {
            Err(ServiceError::Invalid(i)) => {
                assert_eq!((i.field.as_str(), i.code), ("comment", "required"), "{b:?}")
            }
            r => panic!("{b:?}: {r:?}"),
        }
        env.app
            .acknowledge_safety_alert(&env.sup, alert.id, &ack)
            .await
            .expect("acknowledge");
        let history_id = queue.items[0].id;
        env.app
            .review_override(&env.sup, history_id, &CommentForm { comment: None })
            .await
            .expect("review");
        let twice = env
            .app
            .review_override(&env.sup, history_id, &CommentForm { comment: None })
            .await;
        assert!(
            matches!(twice, Err(ServiceError::Invalid(ref i)) if i.code == "already_reviewed"),
            "{b:?}"
        );
        let queue = env.app.queue(&env.sup, None, None).await.expect("queue");
        assert!(queue.items.is_empty(), "{b:?}");
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "queue.read"
                && e.outcome == "denied"
                && e.actor_user_id == Some(env.worker.user_id)),
            "{b:?}"
        );
        for action in ["safety.acknowledge", "override.review"] {
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
async fn follow_up_check_ins_join_my_tasks_and_closures_awaiting_approval_join_the_queue() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, v) = super::termination::in_termination(&env, false, &[30]).await;
        let t = env
            .app
            .save_termination(
                &env.worker,
                case,
                0,
                &super::termination::termination_form(),
            )
            .await
            .expect("draft");
        env.app
            .submit_termination(&env.worker, case, t.version)
            .await
            .expect("submit");
        env.app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("to follow-up");
        env.clock.advance_ms(31 * DAY);
        let mine = env
            .app
            .my_tasks(&env.worker, None, None)
            .await
            .expect("mine");
        let seen: Vec<_> = mine
            .tasks
            .items
            .iter()
            .map(|i| (i.line.kind.as_str(), i.line.title.as_str(), i.urgency))
            .collect();
        assert_eq!(seen, vec![("follow_up", "30", Urgency::Overdue)], "{b:?}");
    })
    .await;
    each_backend(|env| async move {
        let b = env.backend;
        let (case, _) = super::termination::in_termination(&env, true, &[]).await;
        let t = env
            .app
            .save_termination(
                &env.worker,
                case,
                0,
                &super::termination::termination_form(),
            )
            .await
            .expect("draft");
        let t = env
            .app
            .submit_termination(&env.worker, case, t.version)
            .await
            .expect("submit");
        let queue = env
            .app
            .queue(&env.sup, Some("0~a~0"), Some(200))
            .await
            .expect("queue");
        let closures: Vec<_> = queue
            .items
            .iter()
            .filter(|l| l.kind == "closure_approval")
            .map(|l| l.id)
            .collect();
        assert_eq!(closures, vec![t.id], "{b:?}");
        // The earlier stages were skipped by overrides: they wait for review too.
        assert!(
            queue.items.iter().any(|l| l.kind == "guard_override"),
            "{b:?}"
        );
        assert!(
            env.app
                .queue(&env.sup_b, None, None)
                .await
                .unwrap()
                .items
                .is_empty(),
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn case_task_texts_are_sealed_listed_in_the_clear_and_kept_out_of_the_audit_log() {
    use super::encryption::{owner, raw, seal_legacy, sealed_for};
    each_backend(|env| async move {
        let b = env.backend;
        let (client, case) = env.client_with_case("Ana Torres").await;
        let sealed = |stored: &str, plain: &str| sealed_for(client, stored, plain);
        let mut form = task("Call the landlord about the mould", "2026-11-30");
        form.description = Some("The children's asthma is worse".into());
        let t = env
            .app
            .create_task(&env.worker, case, &form)
            .await
            .expect("create");
        assert_eq!(t.title, "Call the landlord about the mould", "{b:?}");
        let column = |c: &str| format!("SELECT {c} FROM case_tasks WHERE id = $1");
        assert!(
            sealed(&raw(&env, &column("title"), t.id).await, "landlord"),
            "{b:?}"
        );
        assert!(
            sealed(&raw(&env, &column("description"), t.id).await, "asthma"),
            "{b:?}"
        );
        let mine = env
            .app
            .my_tasks(&env.worker, None, None)
            .await
            .expect("tasks");
        assert!(
            mine.tasks
                .items
                .iter()
                .any(|i| i.line.id == t.id && i.line.title == "Call the landlord about the mould"),
            "{b:?}: {:?}",
            mine.tasks.items
        );
        let listed = env
            .app
            .case_tasks(&env.worker, case, None, None)
            .await
            .expect("case tasks");
        assert_eq!(
            listed.tasks.items[0].description.as_deref(),
            Some("The children's asthma is worse"),
            "{b:?}"
        );
        let edited = env
            .app
            .update_task(
                &env.worker,
                t.id,
                t.version,
                &task("Call the council", "2026-12-02"),
            )
            .await
            .expect("edit");
        assert!(
            sealed(&raw(&env, &column("title"), t.id).await, "council"),
            "{b:?}"
        );
        let cancelled = env
            .app
            .cancel_task(
                &env.worker,
                t.id,
                edited.version,
                &CancelForm {
                    reason: "She moved in with her mother".into(),
                },
            )
            .await
            .expect("cancel");
        assert_eq!(
            cancelled.cancel_reason.as_deref(),
            Some("She moved in with her mother"),
            "{b:?}"
        );
        assert!(
            sealed(&raw(&env, &column("cancel_reason"), t.id).await, "mother"),
            "{b:?}"
        );
        let entries = log(&env).await;
        assert!(
            entries
                .iter()
                .filter(|e| e.action == "task.cancel")
                .all(|e| !format!("{e:?}").contains("mother")),
            "{b:?}: the audit log names no client text"
        );
        // A title from before 0030 reads, and rotation seals it.
        sqlx::query("UPDATE case_tasks SET title = 'legacy:Book the interpreter' WHERE id = $1")
            .bind(t.id)
            .execute(&mut owner(&env).await)
            .await
            .expect("legacy");
        let read = env.app.task(&env.worker, t.id).await.expect("legacy reads");
        assert_eq!(read.task.title, "Book the interpreter", "{b:?}");
        let report = seal_legacy(&env).await;
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        assert!(
            sealed(&raw(&env, &column("title"), t.id).await, "interpreter"),
            "{b:?}"
        );
    })
    .await;
}
