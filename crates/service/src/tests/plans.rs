use super::*;
use crate::case::MoveForm;
use crate::ServiceError;
use casework_domain::assessment::AssessmentForm;
use casework_domain::goal::{AgreementForm, GoalForm, GoalScaleForm};
use casework_domain::plan::{InterventionForm, PlanStatus, TaskForm};
use casework_domain::stage::{Stage, Unmet};

fn forward() -> MoveForm {
    MoveForm {
        direction: "forward".into(),
        ..Default::default()
    }
}

fn smart(need: i64, statement: &str) -> GoalForm {
    GoalForm {
        statement: Some(statement.into()),
        measure: Some("Nights a week in own tenancy".into()),
        baseline: Some("0".into()),
        target: Some("7".into()),
        resources: Some("Housing first programme".into()),
        barriers: Some("Rent arrears".into()),
        linked_need_ids: vec![need],
        target_date: Some("2027-06-01".into()),
    }
}

fn agreement(words: &str) -> AgreementForm {
    AgreementForm {
        agreed_on: "2026-11-22".into(),
        client_words: words.into(),
    }
}

fn intervention(goal_id: i64) -> InterventionForm {
    InterventionForm {
        goal_id,
        kind: "referral".into(),
        description: "Refer to the housing first programme".into(),
        responsible: "worker".into(),
        responsible_name: None,
        due_on: "2026-12-01".into(),
        resources: Some("Housing first intake line".into()),
    }
}

fn task() -> TaskForm {
    TaskForm {
        description: "Bring the last three payslips".into(),
        responsible: "client".into(),
        responsible_name: None,
        due_on: "2026-11-28".into(),
    }
}

/// A case in a program (approval required or not) carried to planning with two active goals the
/// client agreed to; (case id, case version, goal ids).
pub(super) async fn in_planning(env: &Env, approval: bool) -> (i64, i64, Vec<i64>) {
    let agency = env.worker.agency_id;
    let program = env
        .app
        .create_program(None, agency, "Housing", approval, false)
        .await
        .expect("program");
    let client = env.register("Ana Torres").await;
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
    let mut v = env
        .app
        .move_stage(&env.worker, case, 1, &forward())
        .await
        .expect("to assessment")
        .version;
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
    v = env
        .app
        .move_stage(&env.worker, case, v, &forward())
        .await
        .expect("to goal setting")
        .version;
    let mut goals = Vec::new();
    for (need, statement) in [
        (needs[0], "Move into stable housing"),
        (needs[1], "Find work"),
    ] {
        let g = env
            .app
            .create_goal(
                &env.worker,
                case,
                &smart(need, statement),
                &GoalScaleForm::default(),
            )
            .await
            .expect("goal");
        let g = env
            .app
            .activate_goal(&env.worker, g.goal.id, g.goal.version)
            .await
            .expect("activate");
        env.app
            .record_goal_agreement(&env.worker, g.goal.id, g.goal.version, &agreement("Yes"))
            .await
            .expect("agree");
        goals.push(g.goal.id);
    }
    let moved = env
        .app
        .move_stage(&env.worker, case, v, &forward())
        .await
        .expect("to planning");
    assert_eq!(moved.stage, Stage::Planning.as_str());
    (case, moved.version, goals)
}

/// The client agrees to the plan, the worker submits it and the supervisor approves it.
async fn agree_submit_approve(
    env: &Env,
    plan_id: i64,
    version: i64,
) -> casework_store::plan::PlanRow {
    let p = env
        .app
        .record_plan_agreement(&env.worker, plan_id, version, &agreement("Yes"))
        .await
        .expect("agree");
    let p = env
        .app
        .submit_plan(&env.worker, p.id, p.version)
        .await
        .expect("submit");
    env.app
        .approve_plan(&env.sup, p.id, p.version)
        .await
        .expect("approve")
}

fn unmet_of<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> Vec<Unmet> {
    match r {
        Err(ServiceError::GuardUnmet(u)) => u,
        other => panic!("expected guard_unmet, got {other:?}"),
    }
}

#[tokio::test]
async fn the_planning_guard_needs_interventions_agreement_and_approval() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, v, goals) = in_planning(&env, true).await;
        let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
        assert_eq!(plan.plan.version_no, 1, "{b:?}");
        assert_eq!(plan.status, PlanStatus::Draft, "{b:?}");
        assert_eq!(plan.goals.len(), 2, "{b:?}");
        assert!(plan.approval_required, "{b:?}");
        assert!(plan.can_record && !plan.can_approve, "{b:?}");
        // The same plan on the next read.
        let again = env.app.current_plan(&env.worker, case).await.expect("plan");
        assert_eq!(again.plan.id, plan.plan.id, "{b:?}");
        let first = unmet_of(env.app.move_stage(&env.worker, case, v, &forward()).await);
        assert_eq!(first[0], Unmet::GoalWithoutIntervention, "{b:?}: {first:?}");

        // One goal covered is not enough.
        let i = env
            .app
            .add_intervention(&env.worker, plan.plan.id, &intervention(goals[0]))
            .await
            .expect("intervention");
        let t = env
            .app
            .add_task(&env.worker, i.id, &task())
            .await
            .expect("task");
        assert_eq!(t.intervention_id, i.id, "{b:?}");
        let u = unmet_of(env.app.move_stage(&env.worker, case, v, &forward()).await);
        assert_eq!(u[0], Unmet::GoalWithoutIntervention, "{b:?}");
        env.app
            .add_intervention(
                &env.worker,
                plan.plan.id,
                &InterventionForm {
                    kind: "skill_building".into(),
                    description: "Practise interviews".into(),
                    responsible: "other_agency".into(),
                    responsible_name: Some("Job centre".into()),
                    ..intervention(goals[1])
                },
            )
            .await
            .expect("second intervention");
        let u = unmet_of(env.app.move_stage(&env.worker, case, v, &forward()).await);
        assert_eq!(u, [Unmet::PlanNotAgreed, Unmet::PlanNotApproved], "{b:?}");

        // Submitting before the client agreed is refused.
        let p = env.app.current_plan(&env.worker, case).await.unwrap().plan;
        match env.app.submit_plan(&env.worker, p.id, p.version).await {
            Err(ServiceError::Invalid(e)) => assert_eq!(e.code, "plan_not_agreed", "{b:?}"),
            other => panic!("{b:?}: expected plan_not_agreed, got {other:?}"),
        }
        let agreed = env
            .app
            .record_plan_agreement(&env.worker, p.id, p.version, &agreement("I can do this"))
            .await
            .expect("agree");
        assert_eq!(
            agreed.client_agreed_on.as_deref(),
            Some("2026-11-22"),
            "{b:?}"
        );
        // Stale agreement refused.
        assert!(matches!(
            env.app
                .record_plan_agreement(&env.worker, p.id, p.version, &agreement("x"))
                .await,
            Err(ServiceError::Stale)
        ));
        let u = unmet_of(env.app.move_stage(&env.worker, case, v, &forward()).await);
        assert_eq!(u, [Unmet::PlanNotApproved], "{b:?}");

        let submitted = env
            .app
            .submit_plan(&env.worker, p.id, agreed.version)
            .await
            .expect("submit");
        assert_eq!(submitted.status, "awaiting_approval", "{b:?}");
        // Waiting for approval, the plan is frozen.
        match env
            .app
            .add_intervention(&env.worker, p.id, &intervention(goals[0]))
            .await
        {
            Err(ServiceError::Invalid(e)) => assert_eq!(e.code, "plan_not_editable", "{b:?}"),
            other => panic!("{b:?}: expected plan_not_editable, got {other:?}"),
        }
        // A caseworker cannot approve, and the refusal is audited.
        assert!(matches!(
            env.app
                .approve_plan(&env.worker, p.id, submitted.version)
                .await,
            Err(ServiceError::Forbidden)
        ));
        // Another team's supervisor does not even see it.
        assert!(matches!(
            env.app
                .approve_plan(&env.sup_b, p.id, submitted.version)
                .await,
            Err(ServiceError::NotFound)
        ));
        let approved = env
            .app
            .approve_plan(&env.sup, p.id, submitted.version)
            .await
            .expect("approve");
        assert_eq!(approved.status, "approved", "{b:?}");
        assert_eq!(approved.approved_by, Some(env.sup.user_id), "{b:?}");
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("guard passes");
        assert_eq!(moved.stage, Stage::Intervention.as_str(), "{b:?}");

        let entries = log(&env).await;
        for action in [
            "plan.create",
            "plan.intervention_add",
            "plan.task_add",
            "plan.agree",
            "plan.submit",
            "plan.approve",
        ] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.action == action && e.outcome == "allowed"),
                "{b:?}: {action}"
            );
        }
        assert!(
            entries
                .iter()
                .any(|e| e.action == "plan.approve" && e.outcome == "denied"),
            "{b:?}: denied approval audited"
        );
    })
    .await;
}

#[tokio::test]
async fn without_required_approval_agreement_is_enough() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, v, goals) = in_planning(&env, false).await;
        let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
        assert!(!plan.approval_required, "{b:?}");
        for g in &goals {
            env.app
                .add_intervention(&env.worker, plan.plan.id, &intervention(*g))
                .await
                .expect("intervention");
        }
        let p = env.app.current_plan(&env.worker, case).await.unwrap().plan;
        let agreed = env
            .app
            .record_plan_agreement(&env.worker, p.id, p.version, &agreement("Yes"))
            .await
            .expect("agree");
        let submitted = env
            .app
            .submit_plan(&env.worker, p.id, agreed.version)
            .await
            .expect("submit");
        assert_eq!(submitted.status, "draft", "{b:?}");
        let moved = env
            .app
            .move_stage(&env.worker, case, v, &forward())
            .await
            .expect("guard passes");
        assert_eq!(moved.stage, Stage::Intervention.as_str(), "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn changing_an_approved_plan_makes_a_new_version_needing_approval() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, _, goals) = in_planning(&env, true).await;
        let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
        let mut first = None;
        for g in &goals {
            let i = env
                .app
                .add_intervention(&env.worker, plan.plan.id, &intervention(*g))
                .await
                .expect("intervention");
            first.get_or_insert(i.id);
        }
        let first = first.unwrap();
        env.app
            .add_task(&env.worker, first, &task())
            .await
            .expect("task");
        let p = env.app.current_plan(&env.worker, case).await.unwrap().plan;
        let p = env
            .app
            .record_plan_agreement(&env.worker, p.id, p.version, &agreement("Yes"))
            .await
            .unwrap();
        let p = env
            .app
            .submit_plan(&env.worker, p.id, p.version)
            .await
            .unwrap();
        // Returned with a comment, then changed, agreed and submitted again.
        let returned = env
            .app
            .return_plan(&env.sup, p.id, p.version, "Add who pays the deposit")
            .await
            .expect("return");
        assert_eq!(returned.status, "returned", "{b:?}");
        assert_eq!(
            returned.return_comment.as_deref(),
            Some("Add who pays the deposit"),
            "{b:?}"
        );
        env.app
            .add_task(
                &env.worker,
                first,
                &TaskForm {
                    description: "Ask the council for a deposit grant".into(),
                    ..task()
                },
            )
            .await
            .expect("task on a returned plan");
        let p = env.app.current_plan(&env.worker, case).await.unwrap();
        assert_eq!(
            p.plan.version_no, 1,
            "{b:?}: a returned plan is changed in place"
        );
        assert_eq!(p.status, PlanStatus::Draft, "{b:?}");
        assert_eq!(
            p.plan.client_agreed_on, None,
            "{b:?}: the change withdraws agreement"
        );
        let approved = agree_submit_approve(&env, p.plan.id, p.plan.version).await;

        // A task added after approval goes into version 2, a copy needing approval again.
        let t = env
            .app
            .add_task(
                &env.worker,
                first,
                &TaskForm {
                    description: "Sign the tenancy".into(),
                    ..task()
                },
            )
            .await
            .expect("task on an approved plan");
        let v2 = env.app.current_plan(&env.worker, case).await.unwrap();
        assert_eq!(v2.plan.version_no, 2, "{b:?}");
        assert_ne!(v2.plan.id, approved.id, "{b:?}");
        assert_eq!(v2.status, PlanStatus::Draft, "{b:?}");
        assert_eq!(v2.interventions.len(), 2, "{b:?}: interventions copied");
        assert_eq!(
            v2.tasks.len(),
            3,
            "{b:?}: tasks copied and the new one added"
        );
        assert!(
            v2.interventions.iter().all(|i| i.id != first),
            "{b:?}: the copy has its own interventions"
        );
        assert!(v2.tasks.iter().any(|x| x.id == t.id), "{b:?}");
        // The approved version is unchanged.
        let old = casework_store::plan::tasks(
            &mut env
                .app
                .store
                .conn(casework_store::Wall::Agency(env.worker.agency_id))
                .await
                .unwrap(),
            &env.app.vault,
            env.worker.agency_id,
            approved.id,
        )
        .await
        .unwrap();
        assert_eq!(old.len(), 2, "{b:?}");
        let detail = env.app.case(&env.worker, case, None).await.unwrap();
        assert_eq!(
            detail.unmet,
            [Unmet::PlanNotAgreed, Unmet::PlanNotApproved],
            "{b:?}"
        );
        // Completing a task is doing the plan, not changing it.
        let done = env
            .app
            .complete_task(&env.worker, t.id)
            .await
            .expect("done");
        assert!(done.done_at.is_some(), "{b:?}");
        let still = env.app.current_plan(&env.worker, case).await.unwrap();
        assert_eq!(still.plan.version_no, 2, "{b:?}");
        let entries = log(&env).await;
        assert!(
            entries.iter().any(|e| e.action == "plan.revise"),
            "{b:?}: new version audited"
        );
        assert!(entries.iter().any(|e| e.action == "plan.return"), "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn interventions_must_serve_an_active_goal_of_the_case_and_strangers_see_nothing() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, _, goals) = in_planning(&env, false).await;
        let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
        match env
            .app
            .add_intervention(&env.worker, plan.plan.id, &intervention(goals[0] + 1000))
            .await
        {
            Err(ServiceError::Invalid(e)) => {
                assert_eq!(
                    (e.field.as_str(), e.code),
                    ("goal_id", "unknown_choice"),
                    "{b:?}"
                )
            }
            other => panic!("{b:?}: {other:?}"),
        }
        match env
            .app
            .add_intervention(
                &env.worker,
                plan.plan.id,
                &InterventionForm {
                    due_on: "2026-11-21".into(),
                    ..intervention(goals[0])
                },
            )
            .await
        {
            Err(ServiceError::Invalid(e)) => {
                assert_eq!(
                    (e.field.as_str(), e.code),
                    ("due_on", "date_in_past"),
                    "{b:?}"
                )
            }
            other => panic!("{b:?}: {other:?}"),
        }
        assert!(matches!(
            env.app.current_plan(&env.worker_b, case).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            env.app
                .add_intervention(&env.stranger, plan.plan.id, &intervention(goals[0]))
                .await,
            Err(ServiceError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn people_opening_a_new_plan_at_once_all_see_the_one_draft() {
    each_backend(|env| async move {
        let b = env.backend;
        let (case, _, _) = in_planning(&env, false).await;
        // The first readers create version 1 lazily; on PostgreSQL they race for it.
        let read = || env.app.current_plan(&env.worker, case);
        let (a, b2, c, d) = tokio::join!(read(), read(), read(), read());
        let ids: Vec<i64> = [a, b2, c, d]
            .into_iter()
            .map(|v| v.unwrap_or_else(|e| panic!("{b:?}: {e}")).plan.id)
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "{b:?}: {ids:?}");
    })
    .await;
}

#[tokio::test]
async fn the_clients_words_and_a_return_comment_are_sealed_and_read_back() {
    use super::encryption::{client_of_case, exported, owner, raw, seal_legacy, sealed_for};
    use casework_store::subject_access::Value;
    each_backend(|env| async move {
        let b = env.backend;
        let (case, _, goals) = in_planning(&env, true).await;
        let client = client_of_case(&env, case).await;
        let sealed = |stored: &str, plain: &str| sealed_for(client, stored, plain);
        let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
        for g in &goals {
            env.app
                .add_intervention(&env.worker, plan.plan.id, &intervention(*g))
                .await
                .expect("intervention");
        }
        let p = env
            .app
            .current_plan(&env.worker, case)
            .await
            .expect("plan")
            .plan;
        let agreed = env
            .app
            .record_plan_agreement(&env.worker, p.id, p.version, &agreement("I can do this"))
            .await
            .expect("agree");
        assert_eq!(
            agreed.client_words.as_deref(),
            Some("I can do this"),
            "{b:?}"
        );
        let words = "SELECT client_words FROM plans WHERE id = $1";
        let stored = raw(&env, words, p.id).await;
        assert!(sealed(&stored, "I can do"), "{b:?}: {stored}");
        let submitted = env
            .app
            .submit_plan(&env.worker, p.id, agreed.version)
            .await
            .expect("submit");
        let returned = env
            .app
            .return_plan(
                &env.sup,
                p.id,
                submitted.version,
                "Add who pays the deposit",
            )
            .await
            .expect("return");
        assert_eq!(
            returned.return_comment.as_deref(),
            Some("Add who pays the deposit"),
            "{b:?}"
        );
        let comment = "SELECT return_comment FROM plans WHERE id = $1";
        let stored = raw(&env, comment, p.id).await;
        assert!(sealed(&stored, "deposit"), "{b:?}: {stored}");
        assert!(
            log(&env)
                .await
                .iter()
                .filter(|e| e.action == "plan.return")
                .all(|e| !format!("{e:?}").contains("deposit")),
            "{b:?}: the audit log names no client text"
        );
        let shown = env.app.current_plan(&env.worker, case).await.expect("plan");
        assert_eq!(
            shown.plan.return_comment.as_deref(),
            Some("Add who pays the deposit"),
            "{b:?}: the worker reads why it came back"
        );
        assert_eq!(
            shown.plan.client_words.as_deref(),
            Some("I can do this"),
            "{b:?}"
        );

        // Words from before 0028 read, and rotation seals them.
        sqlx::query("UPDATE plans SET client_words = 'legacy:Yes, all of it' WHERE id = $1")
            .bind(p.id)
            .execute(&mut owner(&env).await)
            .await
            .expect("legacy");
        let shown = env
            .app
            .current_plan(&env.worker, case)
            .await
            .expect("legacy reads");
        assert_eq!(
            shown.plan.client_words.as_deref(),
            Some("Yes, all of it"),
            "{b:?}"
        );
        let report = seal_legacy(&env).await;
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        let stored = raw(&env, words, p.id).await;
        assert!(sealed(&stored, "all of it"), "{b:?}: {stored}");
        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        assert_eq!(
            exported(&sar, "plans", "client_words"),
            vec![Value::Text("Yes, all of it".into())],
            "{b:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn interventions_and_steps_are_sealed_copied_to_a_new_version_and_listed_in_the_clear() {
    use super::encryption::{client_of_case, exported, owner, raw, seal_legacy, sealed_for};
    each_backend(|env| async move {
        let b = env.backend;
        let (case, _, goals) = in_planning(&env, true).await;
        let client = client_of_case(&env, case).await;
        let sealed = |stored: &str, plain: &str| sealed_for(client, stored, plain);
        let plan = env.app.current_plan(&env.worker, case).await.expect("plan");
        let mut ids = Vec::new();
        for g in &goals {
            let i = env
                .app
                .add_intervention(
                    &env.worker,
                    plan.plan.id,
                    &InterventionForm {
                        responsible: "other_agency".into(),
                        responsible_name: Some("Riverside tenants' union".into()),
                        ..intervention(*g)
                    },
                )
                .await
                .expect("intervention");
            assert_eq!(
                i.description, "Refer to the housing first programme",
                "{b:?}"
            );
            ids.push(i.id);
        }
        let step = env
            .app
            .add_task(
                &env.worker,
                ids[0],
                &TaskForm {
                    description: "Call the landlord about the deposit".into(),
                    responsible: "worker".into(),
                    ..task()
                },
            )
            .await
            .expect("task");
        let column = |table: &str, c: &str| format!("SELECT {c} FROM {table} WHERE id = $1");
        for (c, plain) in [
            ("description", "housing first"),
            ("responsible_name", "tenants"),
            ("resources", "intake line"),
        ] {
            let stored = raw(&env, &column("interventions", c), ids[0]).await;
            assert!(sealed(&stored, plain), "{b:?} {c}: {stored}");
        }
        let stored = raw(&env, &column("plan_tasks", "description"), step.id).await;
        assert!(sealed(&stored, "landlord"), "{b:?}: {stored}");

        // The worker's task list shows the step's words, not its ciphertext.
        let mine = env
            .app
            .my_tasks(&env.worker, None, None)
            .await
            .expect("tasks");
        assert!(
            mine.tasks
                .items
                .iter()
                .any(|t| t.line.id == step.id
                    && t.line.title == "Call the landlord about the deposit"),
            "{b:?}: {:?}",
            mine.tasks.items
        );

        // Agreed, approved, then changed: version 2 holds copies sealed for their own rows.
        let p = env.app.current_plan(&env.worker, case).await.unwrap().plan;
        agree_submit_approve(&env, p.id, p.version).await;
        env.app
            .add_task(&env.worker, ids[1], &task())
            .await
            .expect("a step on the approved plan");
        let v2 = env.app.current_plan(&env.worker, case).await.unwrap();
        assert_eq!(v2.plan.version_no, 2, "{b:?}");
        for i in &v2.interventions {
            assert!(!ids.contains(&i.id), "{b:?}");
            assert_eq!(
                i.responsible_name.as_deref(),
                Some("Riverside tenants' union")
            );
            let stored = raw(&env, &column("interventions", "description"), i.id).await;
            assert!(sealed(&stored, "housing first"), "{b:?}: {stored}");
        }
        assert!(
            v2.tasks
                .iter()
                .any(|t| t.description == "Call the landlord about the deposit"),
            "{b:?}: the copied step reads back"
        );

        // A step from before 0029 reads, and rotation seals it.
        sqlx::query("UPDATE plan_tasks SET description = 'legacy:Fill in the form' WHERE id = $1")
            .bind(step.id)
            .execute(&mut owner(&env).await)
            .await
            .expect("legacy");
        let report = seal_legacy(&env).await;
        assert_eq!(report.legacy_sealed, 1, "{b:?}: {report:?}");
        let stored = raw(&env, &column("plan_tasks", "description"), step.id).await;
        assert!(sealed(&stored, "Fill in"), "{b:?}: {stored}");
        let sar = env
            .app
            .subject_access(&env.sup, client)
            .await
            .expect("export");
        let steps = exported(&sar, "plan_tasks", "description");
        assert!(
            steps.contains(&casework_store::subject_access::Value::Text(
                "Fill in the form".into()
            )),
            "{b:?}: {steps:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_caseload_line_is_due_what_its_case_page_says_is_unmet() {
    each_backend(|env| async move {
        let b = env.backend;
        // Cases in engagement, assessment and planning: the caseload reads each count only for
        // the stage whose guard asks for it; the case page reads all of them.
        let (planning, _, _) = in_planning(&env, true).await;
        // Consent but no contact yet: due a contact.
        let (_, engaging) = env.client_with_case("Bo Lindqvist").await;
        env.app
            .record_service_consent(
                &env.worker,
                engaging,
                &ServiceConsentForm {
                    given_on: "2026-11-20".into(),
                    method: "verbal".into(),
                    witness: None,
                },
            )
            .await
            .expect("consent");
        // A completed assessment with needs and strengths: nothing due (it may move on).
        let (_, assessing) = env.client_with_case("Chen Wei").await;
        env.engage(assessing).await;
        env.app
            .move_stage(&env.worker, assessing, 1, &forward())
            .await
            .expect("to assessment");
        let assessed = AssessmentForm {
            assessed_on: "2026-11-21".into(),
            needs: vec!["Stable housing".into()],
            strengths: vec!["Supportive sister nearby".into()],
            risk_level: Some("low".into()),
            ..Default::default()
        };
        env.app
            .save_assessment(&env.worker, assessing, &assessed, true)
            .await
            .expect("assessment");
        let page = env
            .app
            .caseload(&env.worker, crate::case::CaseloadScope::Mine, None, None)
            .await
            .expect("caseload");
        let mut stages = Vec::new();
        for item in &page.items {
            let detail = env
                .app
                .case(&env.worker, item.case_id, None)
                .await
                .expect("case");
            let unmet = detail.unmet.first().map(|u| u.code());
            assert_eq!(item.next_due, unmet, "{b:?}: case {}", item.case_id);
            stages.push((item.case_id, item.stage, item.next_due));
        }
        stages.sort_by_key(|s| s.0);
        let mut expected = vec![
            (planning, Stage::Planning, Some("goal_without_intervention")),
            (engaging, Stage::Engagement, Some("no_contact")),
            (assessing, Stage::Assessment, None),
        ];
        expected.sort_by_key(|s| s.0);
        assert_eq!(stages, expected, "{b:?}");
    })
    .await;
}
