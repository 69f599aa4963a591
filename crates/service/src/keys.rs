//! Operator work on the encryption keys: rotation and its progress. The keyring itself comes
//! from outside (key file or environment); nothing here stores a master key.

use crate::{Casework, ServiceResult};
use casework_domain::crypto::{Key, Keyring, KEY_BYTES};
pub use casework_store::rotation::{KeyStatus, RotateOptions, RotateReport};
use rand::RngCore;

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
        let mut conn = self.store.conn(casework_store::Wall::System).await?;
        Ok(casework_store::rotation::status(&mut conn).await?)
    }

    /// The keyring in use (versions only are ever shown).
    pub fn keyring(&self) -> &Keyring {
        self.vault.keyring()
    }
}
