//! The short admin lists (teams, programs, users, API tokens) walked a page at a time: every
//! row once, in the list's order, whatever the page size.

use super::*;
use crate::{Cursor, Page, ServiceError, ServiceResult};

/// Every item of a list, following the cursor; and how many pages it took.
async fn walk<T, F, Fut>(mut next: F) -> (Vec<T>, usize)
where
    F: FnMut(Option<Cursor>) -> Fut,
    Fut: std::future::Future<Output = ServiceResult<Page<T>>>,
{
    let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None);
    loop {
        let page = next(cursor).await.expect("page");
        pages += 1;
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Cursor::parse(Some(&c)).expect("our own cursor parses"),
            None => return (all, pages),
        }
    }
}

fn refused_cursor<T: std::fmt::Debug>(result: ServiceResult<T>) -> bool {
    matches!(result, Err(ServiceError::Invalid(ref i)) if i.field == "cursor")
}

#[tokio::test]
async fn teams_and_programs_page_by_name_each_once() {
    each_backend(|env| async move {
        let b = env.backend;
        let agency = env.admin.agency_id;
        // Env made North and South; these come before, between and after them by name but
        // after them by id. One case and ASCII, so both databases order them alike.
        for name in ["Delta", "Alpha", "Oscar", "Zulu", "Papa"] {
            env.app.create_team(None, agency, name).await.expect("team");
            env.app
                .create_program(None, agency, &format!("{name} program"), false, true)
                .await
                .expect("program");
        }
        let teams = ["Alpha", "Delta", "North", "Oscar", "Papa", "South", "Zulu"];
        for size in [1, 2, 3, 7, 50] {
            let (got, pages) = walk(|c| env.app.team_page(&env.worker, c, Some(size))).await;
            let names: Vec<&str> = got.iter().map(|t| t.name.as_str()).collect();
            assert_eq!(names, teams, "{b:?}: page size {size}");
            assert_eq!(pages, 7usize.div_ceil(size as usize), "{b:?}: size {size}");
            assert!(got.iter().all(|t| t.agency_id == agency), "{b:?}");
        }
        let all_programs: Vec<String> = env
            .app
            .programs(&env.admin)
            .await
            .expect("programs")
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert!(all_programs.len() >= 5, "{b:?}: {all_programs:?}");
        let mut sorted = all_programs.clone();
        sorted.sort();
        assert_eq!(all_programs, sorted, "{b:?}: the whole list is by name");
        for size in [1, 2, 4] {
            let (got, _) = walk(|c| env.app.program_page(&env.admin, c, Some(size))).await;
            let names: Vec<String> = got.into_iter().map(|p| p.name).collect();
            assert_eq!(names, all_programs, "{b:?}: page size {size}");
        }
        // The picker list is every team, in the same order.
        let picker: Vec<String> = env
            .app
            .teams(&env.worker)
            .await
            .expect("teams")
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(picker, teams, "{b:?}");
        // Another agency's list and cursors are its own: its only team is North.
        let (theirs, _) = walk(|c| env.app.team_page(&env.stranger, c, Some(1))).await;
        assert_eq!(theirs.len(), 1, "{b:?}");
        let ours = env
            .app
            .team_page(&env.worker, None, Some(1))
            .await
            .expect("page");
        let our_cursor = Cursor::parse(ours.next_cursor.as_deref()).expect("cursor");
        assert!(
            refused_cursor(env.app.team_page(&env.stranger, our_cursor, None).await),
            "{b:?}: a cursor from another agency's list"
        );
        assert!(
            refused_cursor(
                env.app
                    .program_page(&env.admin, Some(Cursor(i64::MAX)), None)
                    .await
            ),
            "{b:?}: a cursor naming no program"
        );
    })
    .await;
}

#[tokio::test]
async fn tokens_page_newest_first_each_once() {
    each_backend(|env| async move {
        let b = env.backend;
        let mut made = Vec::new();
        for n in 0..5 {
            let (row, _) = env
                .app
                .create_token(&env.worker, &format!("script {n}"))
                .await
                .expect("token");
            made.push(row.id);
        }
        env.app
            .create_token(&env.worker2, "someone else's")
            .await
            .expect("token");
        env.app
            .revoke_token(&env.worker, made[1])
            .await
            .expect("revoke");
        made.reverse();
        for size in [1, 2, 5] {
            let (got, pages) = walk(|c| env.app.tokens(&env.worker, c, Some(size))).await;
            let ids: Vec<i64> = got.iter().map(|t| t.id).collect();
            assert_eq!(ids, made, "{b:?}: page size {size}, revoked ones included");
            assert_eq!(pages, 5usize.div_ceil(size as usize), "{b:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn users_page_by_id_each_once_and_workers_are_whoever_carries_cases() {
    each_backend(|env| async move {
        let b = env.backend;
        let (all, _) = walk(|c| env.app.users(&env.admin, c, Some(200))).await;
        assert_eq!(all.len(), 8, "{b:?}: the agency's eight, not the stranger");
        for size in [1, 3] {
            let (got, _) = walk(|c| env.app.users(&env.admin, c, Some(size))).await;
            assert_eq!(got, all, "{b:?}: page size {size}");
        }
        let ids: Vec<i64> = all.iter().map(|u| u.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{b:?}: {ids:?}");

        let bob = all
            .iter()
            .find(|u| u.id == env.worker2.user_id)
            .expect("walt");
        env.app
            .update_user(&env.admin, bob.id, bob.version, "caseworker", None, false)
            .await
            .expect("deactivate");
        let workers: Vec<i64> = env
            .app
            .workers(&env.sup)
            .await
            .expect("workers")
            .iter()
            .map(|u| u.id)
            .collect();
        let wanted = [
            env.worker.user_id,
            env.worker_b.user_id,
            env.sup.user_id,
            env.sup_b.user_id,
        ];
        assert_eq!(
            workers, wanted,
            "{b:?}: active caseworkers and supervisors, by id"
        );
    })
    .await;
}
