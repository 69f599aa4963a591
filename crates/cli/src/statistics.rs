//! Query-planner statistics on a schedule inside `casework serve`: at start (a database that
//! grew since the last run gets good plans at once) and then every interval.

use casework_service::Casework;
use std::time::Duration;

pub fn schedule(app: Casework, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let started = std::time::Instant::now();
            match app.store().refresh_statistics().await {
                Ok(()) => tracing::info!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "planner statistics refreshed"
                ),
                Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed"),
            }
        }
    })
}
