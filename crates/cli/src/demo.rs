//! The demo agency for `casework serve --demo`: fictional people with published passwords, so
//! anyone can try the system. Never use --demo on a database with real clients.
//!
//! Idempotent: every step finds what an earlier start created instead of failing or duplicating.

use crate::failure::Failure;
use crate::user::ensure_team;
use casework_service::admin::UserForm;
use casework_service::auth::Secret;
use casework_service::{Casework, ServiceError};

pub const AGENCY: &str = "Riverside Family Services";
const FAMILY_TEAM: &str = "Family Support";
const INTAKE_TEAM: &str = "Intake";
const PROGRAM: &str = "Family Stabilization";

/// One demo account, printed at start so a visitor can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Team {
    None,
    Family,
    Intake,
}

struct DemoUser {
    login: DemoLogin,
    team: Team,
    locale: &'static str,
}

const fn person(
    role: &'static str,
    name: &'static str,
    email: &'static str,
    password: &'static str,
    team: Team,
    locale: &'static str,
) -> DemoUser {
    DemoUser {
        login: DemoLogin {
            role,
            name,
            email,
            password,
        },
        team,
        locale,
    }
}

// `.example` is reserved (RFC 2606): these addresses can never reach a real person.
const USERS: [DemoUser; 6] = [
    person(
        "admin",
        "Priya Nair",
        "admin@riverside.example",
        "riverside-admin-2024",
        Team::None,
        "en",
    ),
    person(
        "caseworker",
        "Maya Okafor",
        "maya.okafor@riverside.example",
        "riverside-caseworker-1",
        Team::Family,
        "en",
    ),
    person(
        "caseworker",
        "Daniel Reyes",
        "daniel.reyes@riverside.example",
        "riverside-caseworker-2",
        Team::Family,
        "es",
    ),
    person(
        "supervisor",
        "Grace Lindqvist",
        "grace.lindqvist@riverside.example",
        "riverside-supervisor",
        Team::Family,
        "en",
    ),
    person(
        "intake_worker",
        "Samuel Tran",
        "samuel.tran@riverside.example",
        "riverside-intake-desk",
        Team::Intake,
        "en",
    ),
    person(
        "auditor",
        "Thomas Brennan",
        "thomas.brennan@riverside.example",
        "riverside-auditor-log",
        Team::None,
        "en",
    ),
];

/// Create (or find) the demo agency, its teams, a program and one user per role.
pub async fn seed(app: &Casework) -> Result<Vec<DemoLogin>, Failure> {
    let agency = app.ensure_agency(AGENCY).await?;
    let family = ensure_team(app, agency.id, FAMILY_TEAM).await?;
    let intake = ensure_team(app, agency.id, INTAKE_TEAM).await?;
    match app
        .create_program(None, agency.id, PROGRAM, true, true)
        .await
    {
        Ok(_) | Err(ServiceError::Duplicate(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let mut logins = Vec::new();
    for u in &USERS {
        let form = UserForm {
            email: u.login.email.into(),
            display_name: u.login.name.into(),
            role: u.login.role.into(),
            team_id: match u.team {
                Team::None => None,
                Team::Family => Some(family),
                Team::Intake => Some(intake),
            },
            password: Secret::new(u.login.password),
            locale: u.locale.into(),
        };
        match app.create_user(None, agency.id, &form).await {
            // Already there from an earlier start: keep it as it is.
            Ok(_) | Err(ServiceError::Duplicate(_)) => {}
            Err(e) => return Err(e.into()),
        }
        logins.push(u.login.clone());
    }
    // About twenty fictional clients over every stage; skipped when the agency has clients.
    let staff = crate::demo_clients::DemoStaff {
        intake: "samuel.tran@riverside.example",
        caseworkers: &[
            "maya.okafor@riverside.example",
            "daniel.reyes@riverside.example",
        ],
        supervisor: "grace.lindqvist@riverside.example",
        program: PROGRAM,
    };
    crate::demo_clients::add_demo_clients(app, agency.id, &staff).await?;
    Ok(logins)
}

/// The login table printed by `serve --demo`.
pub fn login_table(logins: &[DemoLogin]) -> String {
    let mut out = format!("Demo agency {AGENCY:?}. Sign in as any of:\n");
    for l in logins {
        out.push_str(&format!(
            "  {:<14} {:<16} {:<36} password: {}\n",
            l.role, l.name, l.email, l.password
        ));
    }
    out.push_str("These passwords are public: never use --demo with real client data.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_passwords_pass_the_strength_rule() {
        // With what a guesser knows of each person, as user creation checks it.
        for u in &USERS {
            let l = &u.login;
            casework_service::domain::password::NewPassword::parse(
                l.password,
                &[l.email, l.name, AGENCY],
            )
            .unwrap_or_else(|e| panic!("{}: {e:?}", l.email));
        }
    }

    #[test]
    fn every_role_has_a_demo_user() {
        for role in casework_service::domain::Role::ALL {
            assert!(
                USERS.iter().any(|u| u.login.role == role.as_str()),
                "no demo user for {role}"
            );
        }
    }
}
