//! Inside `casework serve`: the key rotation, run by the server itself whenever stored data uses
//! an older master key than the newest in its keyring (after a reload, or at start), or still
//! holds plaintext marked legacy. Batched, one short transaction per batch, while requests go on;
//! of several server processes the one holding the job's claim runs it. `casework keys rotate`
//! does the same work directly.

use casework_service::keys::BackgroundRotation;
use casework_service::Casework;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Rows per transaction.
const BATCH: i64 = 500;

/// Check at start, whenever `changed` is woken (the keys were reloaded), and again every `retry`
/// while a check is owed (another process held the claim, or the run failed).
pub fn schedule(
    app: Casework,
    retry: Duration,
    changed: Arc<Notify>,
) -> tokio::task::JoinHandle<()> {
    let me = crate::retention::holder("serve");
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(retry);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut due = true;
        loop {
            tokio::select! {
                _ = changed.notified() => due = true,
                _ = tick.tick() => {}
            }
            if !due {
                continue;
            }
            due = match app.rotate_keys_if_due(&me, BATCH).await {
                Ok(BackgroundRotation::NothingToDo) => {
                    tracing::debug!("key rotation: everything is under the newest master key");
                    false
                }
                Ok(BackgroundRotation::Ran(r)) => {
                    tracing::info!(
                        newest = app.keyring().newest().0,
                        keys_rewrapped = r.keys_rewrapped,
                        values_resealed = r.values_resealed,
                        legacy_sealed = r.legacy_sealed,
                        indexes_rewritten = r.indexes_rewritten,
                        "key rotation finished"
                    );
                    false
                }
                Ok(BackgroundRotation::HeldElsewhere) => {
                    tracing::debug!("key rotation: another process is running it; checking later");
                    true
                }
                Ok(BackgroundRotation::NewerKeysElsewhere(v)) => {
                    tracing::warn!(
                        version = v,
                        "key rotation: stored data uses master key version {v}, newer than any \
                         in this server's keyring; add it to this server's key file"
                    );
                    false
                }
                Err(e) => {
                    tracing::error!(code = e.code(), "key rotation failed; trying again later");
                    true
                }
            };
        }
    })
}
