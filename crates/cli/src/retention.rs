//! `casework retention run`: erase the clients whose agency's retention period has run out, once,
//! now. `casework serve` runs the same job on a schedule (`--retention-interval-minutes`).

use crate::config::{with_service, GlobalArgs};
use crate::failure::{describe, Failure};
use casework_service::Casework;
use std::time::Duration;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the retention job once; prints how many clients were erased (no names).
    Run,
}

/// A name for this process in the job's claim: host-independent, unique enough per start.
pub fn holder(kind: &str) -> String {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("{kind}-{}-{started}", std::process::id())
}

pub async fn run(global: &GlobalArgs, cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Run => {
            with_service(global, async |app| {
                match app.run_retention(&holder("cli"), Duration::ZERO).await {
                    Ok(r) if !r.claimed => {
                        println!("retention: another process is running the job; nothing done");
                        Ok(())
                    }
                    Ok(r) => {
                        println!("retention: {} client(s) erased", r.erased.len());
                        Ok(())
                    }
                    Err(e) => Err(Failure::failed(format!(
                        "the retention job failed: {}",
                        describe(&e)
                    ))),
                }
            })
            .await
        }
    }
}

/// The job on a schedule inside `casework serve`: every `interval`, in every process; the claim
/// (held for the interval) lets one process run it per interval.
pub fn schedule(app: Casework, interval: Duration) -> tokio::task::JoinHandle<()> {
    let me = holder("serve");
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match app.run_retention(&me, interval).await {
                Ok(r) if r.claimed => {
                    tracing::info!(erased = r.erased.len(), run = ?r.run_id, "retention job ran");
                }
                Ok(_) => tracing::debug!("retention job claimed by another process"),
                Err(e) => tracing::error!(code = e.code(), "retention job failed"),
            }
        }
    })
}
