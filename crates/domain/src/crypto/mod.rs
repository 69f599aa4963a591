//! Encryption of sensitive fields: the master keyring, the ciphertext format, and the keyed
//! blind index that keeps exact lookups working over encrypted identifiers.
//!
//! Pure: the caller draws every random byte (nonces, new keys) and hands it in.
//!
//! Formats (also in README):
//! - a master key: one line `<version>:<base64 of 32 bytes>` in the key file;
//! - a ciphertext: `enc1:c<client id>.<data key version>:<base64 of nonce ‖ ciphertext ‖ tag>`
//!   under a client's data key, or `enc1:m<master version>:<...>` under a master key (TOTP secrets,
//!   wrapped data keys). XChaCha20-Poly1305, 24-byte random nonce;
//! - the associated data: `casework/v1|<table>|<column>|<row id>|<agency id>|<client id or ->`,
//!   so a ciphertext only opens in the row and column it was written for.

mod blind;
mod keyring;
mod sealed;

pub use blind::{blind_index, BLIND_PREFIX};
pub use keyring::{Key, KeyFileError, Keyring, KEY_BYTES};
pub use sealed::{open, seal, KeyRef, Place, Sealed, NONCE_BYTES, PREFIX};

/// Why a ciphertext could not be opened. Each kind has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Not in the `enc1:` form at all.
    #[error("stored value is not a ciphertext")]
    Malformed,
    /// The ciphertext names a master key version that is not in the keyring.
    #[error("master key version {0} is not in the keyring")]
    MasterKeyMissing(u32),
    /// The client's data key (of that version) does not exist.
    #[error("data key version {version} of client {client_id} does not exist")]
    DataKeyMissing { client_id: i64, version: u32 },
    /// The client's data key was destroyed (the client was erased).
    #[error("the client's data key was destroyed")]
    Erased,
    /// Authentication failed: the wrong key, or a ciphertext moved from another row or column.
    #[error("ciphertext does not belong to {0}")]
    Refused(String),
}

impl CryptoError {
    pub fn code(&self) -> &'static str {
        match self {
            CryptoError::Malformed => "ciphertext_malformed",
            CryptoError::MasterKeyMissing(_) | CryptoError::DataKeyMissing { .. } => {
                "key_unavailable"
            }
            CryptoError::Erased => "record_erased",
            CryptoError::Refused(_) => "ciphertext_refused",
        }
    }
}
