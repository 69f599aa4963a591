//! Inside `casework serve`: reload the key file on SIGHUP and whenever it changes (its
//! modification time or size, polled), so a new master key version is used without a restart.
//! A reload that fails keeps the keys in use and says why; a log line never shows a key.

use casework_service::keys::KeyringRefused;
use casework_service::Casework;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Notify;

/// How the key file looked when last read: reload when this changes.
pub type Stamp = Option<(SystemTime, u64)>;

/// Taken before the keys are first read, so a change made while the server starts is not
/// missed (at worst the same keys are read again).
pub fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// What one reload did.
#[derive(Debug, PartialEq, Eq)]
pub enum Reloaded {
    /// New versions in use (the newest seals new values from now on).
    Changed,
    /// The file holds the keys already in use.
    Same,
    /// Refused; the keys in use stay.
    Kept,
}

/// Read `path` and swap its keys in if they are acceptable; log either way.
pub async fn reload(app: &Casework, path: &Path, why: &str) -> Reloaded {
    let keyring = match crate::keyring::read(path) {
        Ok(k) => k,
        Err(f) => {
            tracing::error!(
                reason = why,
                "master keys NOT reloaded, the keys in use stay: {}",
                f.message
            );
            return Reloaded::Kept;
        }
    };
    match app.replace_keyring(keyring).await {
        Ok(change) if change.changed() => {
            tracing::info!(
                reason = why,
                versions = ?change.after,
                newest = change.after.last(),
                before = ?change.before,
                "master keys reloaded; new values are sealed under the newest version"
            );
            Reloaded::Changed
        }
        Ok(change) => {
            tracing::info!(reason = why, versions = ?change.after, "master keys reloaded, unchanged");
            Reloaded::Same
        }
        Err(e) => {
            let hint = match e {
                KeyringRefused::VersionInUse(_) => {
                    " (keep every version until `casework keys status` shows nothing under it)"
                }
                _ => "",
            };
            tracing::error!(
                reason = why,
                code = e.code(),
                path = %path.display(),
                "master keys NOT reloaded, the keys in use stay: {e}{hint}"
            );
            Reloaded::Kept
        }
    }
}

/// Watch `path` (None: keys from the environment, which only a restart changes) every `poll`
/// and on SIGHUP, from how it looked (`seen`) when the keys in use were read; after a reload
/// that changed the keys, wake `changed` (the background rotation).
pub fn watch(
    app: Casework,
    path: Option<PathBuf>,
    mut seen: Stamp,
    poll: Option<Duration>,
    changed: Arc<Notify>,
) -> tokio::task::JoinHandle<()> {
    // Listening before the task starts: a SIGHUP sent once this returns is never lost (nor,
    // with no handler yet, fatal).
    let mut hangup = hangups();
    tokio::spawn(async move {
        let mut tick = poll.map(tokio::time::interval);
        if let Some(t) = tick.as_mut() {
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // The first tick is immediate; the file was just read.
            t.tick().await;
        }
        loop {
            let why = tokio::select! {
                _ = next_hangup(&mut hangup) => "SIGHUP",
                _ = next_tick(&mut tick) => {
                    let now = path.as_deref().and_then(stamp);
                    if now == seen {
                        continue;
                    }
                    "the key file changed"
                }
            };
            let Some(path) = path.as_deref() else {
                tracing::warn!(
                    "SIGHUP: the master keys come from {}, which only a restart changes",
                    crate::keyring::ENV_KEYS
                );
                continue;
            };
            // Taken before reading: a bad file is reported once, not at every tick.
            seen = stamp(path);
            if reload(&app, path, why).await == Reloaded::Changed {
                changed.notify_one();
            }
        }
    })
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = Option<()>;

fn hangups() -> Hangups {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::hangup()) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("cannot listen for SIGHUP ({e}); the key file is still polled");
                None
            }
        }
    }
    #[cfg(not(unix))]
    None
}

async fn next_hangup(h: &mut Hangups) {
    #[cfg(unix)]
    if let Some(s) = h.as_mut() {
        if s.recv().await.is_some() {
            return;
        }
    }
    let _ = h;
    std::future::pending::<()>().await
}

async fn next_tick(t: &mut Option<tokio::time::Interval>) {
    match t {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending::<()>().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use casework_domain::crypto::Keyring;
    use casework_service::keys::new_key;
    use casework_service::{Settings, SystemClock};

    async fn app_with(dir: &Path, keyring: Keyring) -> Casework {
        let url = format!("sqlite://{}/keys.db", dir.display());
        let settings = Settings {
            keyring,
            ..Settings::default()
        };
        Casework::open(&url, Arc::new(SystemClock), settings)
            .await
            .unwrap()
    }

    async fn newest_becomes(app: &Casework, version: u32) -> bool {
        for _ in 0..100 {
            if app.keyring().newest().0 == version {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    #[tokio::test]
    async fn a_bad_key_file_keeps_the_keys_in_use_and_a_good_one_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::single(new_key());
        let app = app_with(dir.path(), ring.clone()).await;
        let file = dir.path().join("master.key");

        assert_eq!(reload(&app, &file, "test").await, Reloaded::Kept, "missing");
        std::fs::write(&file, format!("{}not a key line\n", ring.to_file_text())).unwrap();
        assert_eq!(
            reload(&app, &file, "test").await,
            Reloaded::Kept,
            "malformed"
        );
        std::fs::write(&file, ring.to_file_text()).unwrap();
        assert_eq!(reload(&app, &file, "test").await, Reloaded::Same);
        let both = ring.with_new_key(new_key());
        std::fs::write(&file, both.to_file_text()).unwrap();
        assert_eq!(reload(&app, &file, "test").await, Reloaded::Changed);
        assert_eq!(*app.keyring(), both);
        app.shutdown().await;
    }

    #[tokio::test]
    async fn a_changed_key_file_is_picked_up_by_polling_and_wakes_the_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::single(new_key());
        let app = app_with(dir.path(), ring.clone()).await;
        let file = dir.path().join("master.key");
        std::fs::write(&file, ring.to_file_text()).unwrap();
        let changed = Arc::new(Notify::new());
        let job = watch(
            app.clone(),
            Some(file.clone()),
            stamp(&file),
            Some(Duration::from_millis(50)),
            changed.clone(),
        );
        std::fs::write(&file, ring.with_new_key(new_key()).to_file_text()).unwrap();
        assert!(
            newest_becomes(&app, 2).await,
            "the new version was not loaded"
        );
        tokio::time::timeout(Duration::from_secs(5), changed.notified())
            .await
            .expect("the rotation was woken");
        job.abort();
        app.shutdown().await;
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn sighup_reloads_the_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::single(new_key());
        let app = app_with(dir.path(), ring.clone()).await;
        let file = dir.path().join("master.key");
        std::fs::write(&file, ring.to_file_text()).unwrap();
        // No polling: only the signal can trigger the reload.
        let job = watch(
            app.clone(),
            Some(file.clone()),
            stamp(&file),
            None,
            Arc::new(Notify::new()),
        );
        std::fs::write(&file, ring.with_new_key(new_key()).to_file_text()).unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(app.keyring().newest().0, 1, "no reload before the signal");
        let sent = std::process::Command::new("kill")
            .args(["-HUP", &std::process::id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        assert!(newest_becomes(&app, 2).await, "SIGHUP did not reload");
        job.abort();
        app.shutdown().await;
    }
}
