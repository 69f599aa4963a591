//! `casework token create`: an API token for a user, printed once so a script can capture it.

use crate::config::{with_service, GlobalArgs};
use crate::failure::Failure;
use casework_service::ServiceError;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an API token for a user and print it (only the token, on stdout).
    Create(CreateArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// Email of the user the token acts for.
    #[arg(long)]
    user: String,
    /// A label to recognise the token by when revoking it.
    #[arg(long, default_value = "command line")]
    name: String,
}

pub async fn run(global: &GlobalArgs, cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Create(args) => {
            with_service(global, async |app| {
                let actor = match app.actor_for_email(&args.user).await {
                    Ok(actor) => actor,
                    Err(ServiceError::NotFound) => {
                        return Err(Failure::usage(format!(
                            "no user has the email {:?}",
                            args.user
                        )))
                    }
                    Err(e) => return Err(e.into()),
                };
                let (token, secret) = app.create_token(&actor, &args.name).await?;
                tracing::info!(
                    token_id = token.id,
                    user_id = actor.user_id,
                    "API token created"
                );
                println!("{}", secret.expose());
                Ok(())
            })
            .await
        }
    }
}
