//! `casework user add`: create a staff account from a script on a fresh install.

use crate::config::{with_service, GlobalArgs};
use crate::failure::Failure;
use casework_service::admin::UserForm;
use casework_service::auth::Secret;
use casework_service::{Casework, ServiceError};
use std::io::BufRead;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a user; the agency (and team) are created if missing.
    Add(AddArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Agency name; created if no agency has it yet.
    #[arg(long)]
    agency: String,
    #[arg(long)]
    email: String,
    /// The name shown to colleagues.
    #[arg(long)]
    name: String,
    /// caseworker, supervisor, intake_worker, admin or auditor.
    #[arg(long)]
    role: String,
    /// Team name within the agency; created if missing.
    #[arg(long)]
    team: Option<String>,
    /// Interface language, a BCP 47 tag such as `en` or `es`.
    #[arg(long, default_value = "en")]
    locale: String,
    /// Read the password from the first line of stdin. Required: a password on the command line
    /// would be visible to every user of the machine (ps, shell history).
    #[arg(long, required = true)]
    password_stdin: bool,
}

/// One line from stdin without its line ending; spaces inside are part of the password.
fn read_password() -> Result<Secret, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::failed(format!("could not read the password from stdin: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(Failure::usage(
            "no password on stdin (give it as the first line, e.g. `printf '%s\\n' \"$PW\" | casework user add ...`)",
        ));
    }
    Ok(Secret::new(password))
}

/// The team with this name in the agency, created if missing.
pub async fn ensure_team(app: &Casework, agency_id: i64, name: &str) -> Result<i64, Failure> {
    match app.create_team(None, agency_id, name).await {
        Ok(team) => Ok(team.id),
        Err(ServiceError::Duplicate(_)) => {
            // The service lists teams for a signed-in actor only; the operator at the command
            // line acts for the agency as its administrator would. Listing writes no audit entry.
            let operator = casework_service::Actor {
                user_id: 0,
                agency_id,
                role: casework_service::domain::Role::Admin,
                team_id: None,
            };
            let wanted = name.trim();
            app.teams(&operator)
                .await?
                .into_iter()
                .find(|t| t.name == wanted)
                .map(|t| t.id)
                .ok_or_else(|| Failure::failed(format!("team {wanted:?} exists but was not found")))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn run(global: &GlobalArgs, cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Add(args) => add(global, args).await,
    }
}

async fn add(global: &GlobalArgs, args: AddArgs) -> Result<(), Failure> {
    // Read the password before touching the database, so a missing one changes nothing.
    let password = read_password()?;
    with_service(global, async |app| {
        let agency = app.ensure_agency(&args.agency).await?;
        let team_id = match &args.team {
            Some(team) => Some(ensure_team(app, agency.id, team).await?),
            None => None,
        };
        let form = UserForm {
            email: args.email.clone(),
            display_name: args.name.clone(),
            role: args.role.clone(),
            team_id,
            password,
            locale: args.locale.clone(),
        };
        let user = app.create_user(None, agency.id, &form).await?;
        tracing::info!(user_id = user.id, agency_id = agency.id, "user created");
        println!(
            "created user {} <{}> ({}) in agency {:?}",
            user.id, user.email, user.role, agency.name
        );
        Ok(())
    })
    .await
}
