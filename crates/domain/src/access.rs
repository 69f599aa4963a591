//! Need-to-know access decisions. The service layer gathers the facts (who the actor is, how they
//! relate to the record) and asks here; nothing in this module reads a database.

use crate::Role;

/// The signed-in person a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub agency_id: i64,
    pub role: Role,
    pub team_id: Option<i64>,
}

/// How a case relates to the people who may reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReach {
    pub agency_id: i64,
    pub primary_worker_id: Option<i64>,
    pub team_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    /// Open a case for a client.
    Open,
    /// Read the case and its record (contacts, consents, stage history).
    Read,
    /// Record work on the case: contacts, consents.
    Record,
    /// Move the case to another stage when its guard allows.
    Transition,
    /// Move the case although its guard is unmet, with a written reason.
    OverrideGuard,
    /// Assign or transfer the case to a worker or team.
    Assign,
}

/// How a client record relates to the people who may reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientReach {
    pub agency_id: i64,
    pub registered_by: Option<i64>,
    /// Primary workers of the client's open or closed cases.
    pub case_workers: Vec<i64>,
    /// Teams of the client's cases.
    pub case_teams: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAction {
    Register,
    ReadProfile,
    UpdateProfile,
    Merge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Refused; the caller should not learn whether the record exists.
    Hidden,
    /// Refused; the caller may know the record exists but lacks the right.
    Forbidden,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

fn same_agency(actor: &Actor, agency_id: i64) -> bool {
    actor.agency_id == agency_id
}

fn on_team(actor: &Actor, team_id: Option<i64>) -> bool {
    matches!((actor.team_id, team_id), (Some(a), Some(b)) if a == b)
}

pub fn case_access(actor: &Actor, case: &CaseReach, action: CaseAction) -> Decision {
    if !same_agency(actor, case.agency_id) {
        return Decision::Hidden;
    }
    let assigned = case.primary_worker_id == Some(actor.user_id);
    let team_lead = actor.role == Role::Supervisor && on_team(actor, case.team_id);
    match actor.role {
        Role::Caseworker if assigned => match action {
            CaseAction::Open | CaseAction::Read | CaseAction::Record | CaseAction::Transition => {
                Decision::Allow
            }
            CaseAction::OverrideGuard | CaseAction::Assign => Decision::Forbidden,
        },
        Role::Supervisor if team_lead || assigned => Decision::Allow,
        // Intake opens and hands over cases but never reads their content afterwards.
        Role::IntakeWorker => match action {
            CaseAction::Open | CaseAction::Assign => Decision::Allow,
            _ => Decision::Hidden,
        },
        Role::Caseworker | Role::Supervisor | Role::Admin | Role::Auditor => Decision::Hidden,
    }
}

pub fn client_access(actor: &Actor, client: &ClientReach, action: ClientAction) -> Decision {
    if !same_agency(actor, client.agency_id) {
        return Decision::Hidden;
    }
    let works_case = client.case_workers.contains(&actor.user_id);
    let registered = client.registered_by == Some(actor.user_id);
    let team = client.case_teams.iter().any(|t| on_team(actor, Some(*t)));
    // A client with no case yet waits for a supervisor to assign; the team leads may see them.
    let unassigned = client.case_workers.is_empty() && client.case_teams.is_empty();
    match (actor.role, action) {
        (Role::Admin | Role::Auditor, _) => Decision::Hidden,
        (Role::Caseworker | Role::Supervisor | Role::IntakeWorker, ClientAction::Register) => {
            Decision::Allow
        }
        (Role::IntakeWorker, ClientAction::ReadProfile | ClientAction::UpdateProfile) => {
            Decision::Allow
        }
        (Role::IntakeWorker | Role::Caseworker, ClientAction::Merge) => {
            if works_case || registered || actor.role == Role::IntakeWorker {
                Decision::Forbidden
            } else {
                Decision::Hidden
            }
        }
        (Role::Caseworker, _) if works_case || registered => Decision::Allow,
        (Role::Supervisor, _) if team || works_case || registered || unassigned => Decision::Allow,
        (Role::Caseworker | Role::Supervisor, _) => Decision::Hidden,
    }
}

/// Who may read the audit log.
pub fn may_read_audit(actor: &Actor) -> bool {
    actor.role == Role::Auditor
}

/// Who may manage users, teams and programs.
pub fn may_administer(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(user_id: i64, role: Role, team: Option<i64>) -> Actor {
        Actor {
            user_id,
            agency_id: 1,
            role,
            team_id: team,
        }
    }

    fn case(worker: i64, team: i64) -> CaseReach {
        CaseReach {
            agency_id: 1,
            primary_worker_id: Some(worker),
            team_id: Some(team),
        }
    }

    #[test]
    fn another_agency_is_hidden_for_every_role_and_action() {
        let other = CaseReach {
            agency_id: 2,
            primary_worker_id: Some(10),
            team_id: Some(5),
        };
        for role in Role::ALL {
            let a = actor(10, role, Some(5));
            for act in [CaseAction::Read, CaseAction::Open, CaseAction::Assign] {
                assert_eq!(case_access(&a, &other, act), Decision::Hidden, "{role:?}");
            }
        }
    }

    #[test]
    fn caseworker_reaches_only_assigned_cases_and_cannot_override() {
        let me = actor(10, Role::Caseworker, Some(5));
        assert!(case_access(&me, &case(10, 5), CaseAction::Read).allowed());
        assert!(case_access(&me, &case(10, 5), CaseAction::Transition).allowed());
        assert_eq!(
            case_access(&me, &case(10, 5), CaseAction::OverrideGuard),
            Decision::Forbidden
        );
        assert_eq!(
            case_access(&me, &case(11, 5), CaseAction::Read),
            Decision::Hidden
        );
    }

    #[test]
    fn supervisor_reaches_team_cases_only() {
        let sup = actor(20, Role::Supervisor, Some(5));
        assert!(case_access(&sup, &case(10, 5), CaseAction::OverrideGuard).allowed());
        assert!(case_access(&sup, &case(10, 5), CaseAction::Assign).allowed());
        assert_eq!(
            case_access(&sup, &case(10, 6), CaseAction::Read),
            Decision::Hidden
        );
    }

    #[test]
    fn intake_opens_and_assigns_but_never_reads_content() {
        let intake = actor(30, Role::IntakeWorker, None);
        assert!(case_access(&intake, &case(10, 5), CaseAction::Open).allowed());
        assert!(case_access(&intake, &case(10, 5), CaseAction::Assign).allowed());
        assert_eq!(
            case_access(&intake, &case(10, 5), CaseAction::Read),
            Decision::Hidden
        );
    }

    #[test]
    fn admin_and_auditor_never_reach_client_content() {
        let reach = ClientReach {
            agency_id: 1,
            registered_by: Some(40),
            case_workers: vec![40],
            case_teams: vec![5],
        };
        for role in [Role::Admin, Role::Auditor] {
            let a = actor(40, role, Some(5));
            assert_eq!(
                case_access(&a, &case(40, 5), CaseAction::Read),
                Decision::Hidden
            );
            assert_eq!(
                client_access(&a, &reach, ClientAction::ReadProfile),
                Decision::Hidden
            );
        }
    }

    #[test]
    fn client_profile_reach_follows_cases_and_registration() {
        let reach = ClientReach {
            agency_id: 1,
            registered_by: Some(30),
            case_workers: vec![10],
            case_teams: vec![5],
        };
        let worker = actor(10, Role::Caseworker, Some(5));
        let stranger = actor(11, Role::Caseworker, Some(5));
        let sup = actor(20, Role::Supervisor, Some(5));
        let other_sup = actor(21, Role::Supervisor, Some(6));
        let intake = actor(30, Role::IntakeWorker, None);
        assert!(client_access(&worker, &reach, ClientAction::ReadProfile).allowed());
        assert_eq!(
            client_access(&stranger, &reach, ClientAction::ReadProfile),
            Decision::Hidden
        );
        assert!(client_access(&sup, &reach, ClientAction::Merge).allowed());
        assert_eq!(
            client_access(&other_sup, &reach, ClientAction::ReadProfile),
            Decision::Hidden
        );
        assert!(client_access(&intake, &reach, ClientAction::ReadProfile).allowed());
        assert_eq!(
            client_access(&intake, &reach, ClientAction::Merge),
            Decision::Forbidden
        );
        assert_eq!(
            client_access(&worker, &reach, ClientAction::Merge),
            Decision::Forbidden
        );
    }

    #[test]
    fn unassigned_client_is_visible_to_supervisors() {
        let reach = ClientReach {
            agency_id: 1,
            registered_by: Some(30),
            case_workers: vec![],
            case_teams: vec![],
        };
        assert!(client_access(
            &actor(21, Role::Supervisor, Some(6)),
            &reach,
            ClientAction::ReadProfile
        )
        .allowed());
        assert_eq!(
            client_access(
                &actor(11, Role::Caseworker, Some(6)),
                &reach,
                ClientAction::ReadProfile
            ),
            Decision::Hidden
        );
    }
}
