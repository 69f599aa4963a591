//! Operator work on the encryption keys: rotation and its progress, and swapping in a reloaded
//! keyring while the server runs. The keyring itself comes from outside (key file or
//! environment); nothing here stores a master key.

use crate::{Casework, ServiceError, ServiceResult};
use casework_domain::crypto::{Key, Keyring, KEY_BYTES};
use casework_store::retention::{claim, release};
pub use casework_store::rotation::{KeyStatus, RotateOptions, RotateReport};
use casework_store::Wall;
use rand::RngCore;
use std::sync::Arc;
use std::time::Duration;

/// The background rotation's claim in `job_claims` (migration 0021).
pub const ROTATION_JOB: &str = "key_rotation";
/// How long a claim holds before another process may take over a rotation that seems to have
/// died. A live run that outlasts it is harmless: every write is a compare-and-swap.
pub const ROTATION_LEASE: Duration = Duration::from_secs(30 * 60);

/// A new random master key.
pub fn new_key() -> Key {
    let mut bytes = [0u8; KEY_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Key::from_bytes(bytes)
}

/// One fresh random key, version 1, that lives only in memory.
pub fn ephemeral_keyring() -> Keyring {
    Keyring::single(new_key())
}

/// Why a new keyring was refused. The keyring in use stays; nothing here shows key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyringRefused {
    #[error("master key version {0} is missing from the new keys, but stored data still uses it")]
    VersionInUse(u32),
    #[error(
        "master key version {0} has a different key than before; a version's key never changes"
    )]
    KeyChanged(u32),
    #[error("could not check which key versions stored data uses: {0}")]
    Check(#[from] ServiceError),
}

impl KeyringRefused {
    pub fn code(&self) -> &'static str {
        match self {
            KeyringRefused::VersionInUse(_) => "key_version_in_use",
            KeyringRefused::KeyChanged(_) => "key_changed",
            KeyringRefused::Check(e) => e.code(),
        }
    }
}

/// What a keyring swap changed: the versions before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringChange {
    pub before: Vec<u32>,
    pub after: Vec<u32>,
}

impl KeyringChange {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// What one call of the background rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackgroundRotation {
    /// Stored data is all under the newest master key already.
    NothingToDo,
    /// Another process holds the claim (it is rotating now).
    HeldElsewhere,
    /// Stored data uses a master key newer than any in this process's keyring: another process
    /// has keys this one lacks. Nothing done; reload this process's keys.
    NewerKeysElsewhere(u32),
    Ran(RotateReport),
}

impl Casework {
    /// Rewrap every client data key and re-seal master-level values and blind indexes under the
    /// newest master key, seal legacy plaintext, and with `data_keys` issue fresh client data
    /// keys and re-seal every field. Batched; safe while the server runs; resumable.
    pub async fn rotate_keys(&self, options: RotateOptions) -> ServiceResult<RotateReport> {
        let now = self.clock.now_ms();
        Ok(casework_store::rotation::rotate(&self.store, &self.vault, options, now).await?)
    }

    /// How many keys and ciphertexts each key version covers.
    pub async fn key_status(&self) -> ServiceResult<KeyStatus> {
        let mut conn = self.store.conn(Wall::System).await?;
        Ok(casework_store::rotation::status(&mut conn).await?)
    }

    /// The keyring in use now (versions only are ever shown).
    pub fn keyring(&self) -> Arc<Keyring> {
        self.vault.keyring()
    }

    /// Use `new` from now on: new values are sealed under its newest version, and every
    /// version it holds opens. Refused, keeping the keyring in use, if it drops a version that
    /// stored data still needs or gives a version a different key.
    pub async fn replace_keyring(&self, new: Keyring) -> Result<KeyringChange, KeyringRefused> {
        let old = self.vault.keyring();
        for v in old.versions() {
            match new.get(v) {
                Some(key) if Some(key) != old.get(v) => {
                    return Err(KeyringRefused::KeyChanged(v));
                }
                Some(_) => {}
                None => {
                    let mut conn = self
                        .store
                        .conn(Wall::System)
                        .await
                        .map_err(ServiceError::from)?;
                    let used = casework_store::rotation::master_version_in_use(&mut conn, v)
                        .await
                        .map_err(ServiceError::from)?;
                    if used {
                        return Err(KeyringRefused::VersionInUse(v));
                    }
                }
            }
        }
        let change = KeyringChange {
            before: old.versions().collect(),
            after: new.versions().collect(),
        };
        self.vault.replace(new);
        Ok(change)
    }

    /// The rotation `casework serve` runs by itself: if stored data uses a master key older
    /// than the newest (or plaintext still marked legacy), take the job's claim and rotate
    /// (`data_keys` off). Of several processes, the one holding the claim runs; the others
    /// return `HeldElsewhere` at once.
    pub async fn rotate_keys_if_due(
        &self,
        holder: &str,
        batch: i64,
    ) -> ServiceResult<BackgroundRotation> {
        let now = self.clock.now_ms();
        let lease_until = now + ROTATION_LEASE.as_millis() as i64;
        let mut tx = self.store.begin_write(Wall::System).await?;
        if !claim(&mut tx, ROTATION_JOB, holder, now, lease_until).await? {
            return Ok(BackgroundRotation::HeldElsewhere);
        }
        casework_store::commit(tx).await?;
        let result = self.rotate_under_claim(batch).await;
        let mut tx = self.store.begin_write(Wall::System).await?;
        release(&mut tx, ROTATION_JOB, holder, self.clock.now_ms()).await?;
        casework_store::commit(tx).await?;
        result
    }

    async fn rotate_under_claim(&self, batch: i64) -> ServiceResult<BackgroundRotation> {
        // Rotate to the newest version of this snapshot, even if the keyring is swapped
        // meanwhile (the next call goes on to the newer one).
        let vault = self.vault.frozen();
        let newest = vault.keyring().newest().0;
        let status = self.key_status().await?;
        let used = status.master_versions();
        if let Some(&newer) = used.iter().rev().find(|&&v| v > newest) {
            return Ok(BackgroundRotation::NewerKeysElsewhere(newer));
        }
        if status.legacy == 0 && used.iter().all(|&v| v == newest) {
            return Ok(BackgroundRotation::NothingToDo);
        }
        let options = RotateOptions {
            data_keys: false,
            batch,
        };
        let now = self.clock.now_ms();
        let report = casework_store::rotation::rotate(&self.store, &vault, options, now).await?;
        Ok(BackgroundRotation::Ran(report))
    }
}
