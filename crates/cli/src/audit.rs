//! `casework audit verify`: recompute the audit hash chain of every agency.

use crate::config::{with_service, GlobalArgs};
use crate::failure::{describe, Failure};
use casework_service::audit::VerifyError;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Recompute every agency's hash chain; exit 0 when intact, 1 naming the first bad entry.
    Verify,
}

pub async fn run(global: &GlobalArgs, cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Verify => {
            with_service(global, async |app| match app.verify_audit().await {
                Ok(report) => {
                    let entries: i64 = report.chains.iter().map(|c| c.entries).sum();
                    println!(
                        "audit log intact: {entries} entries in {} agency chain(s)",
                        report.chains.len()
                    );
                    Ok(())
                }
                Err(e @ VerifyError::Broken { .. }) => {
                    tracing::error!("audit chain broken");
                    Err(Failure::failed(format!("audit log tampered: {e}")))
                }
                Err(e) => Err(Failure::failed(format!(
                    "could not verify the audit log: {}",
                    describe(&e)
                ))),
            })
            .await
        }
    }
}
