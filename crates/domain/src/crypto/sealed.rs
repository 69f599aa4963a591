//! The ciphertext of one field: which key sealed it, and the sealed bytes, bound to the row and
//! column it belongs to.

use super::{CryptoError, Key};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

pub const PREFIX: &str = "enc1:";
pub const NONCE_BYTES: usize = 24;
/// The Poly1305 tag.
const TAG_BYTES: usize = 16;

/// Which key sealed a ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyRef {
    /// A client's data key, of this version.
    Client { client_id: i64, version: u32 },
    /// A master key, of this version.
    Master { version: u32 },
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyRef::Client { client_id, version } => write!(f, "c{client_id}.{version}"),
            KeyRef::Master { version } => write!(f, "m{version}"),
        }
    }
}

impl KeyRef {
    /// From its text form (`c12.3`, `m2`).
    pub fn parse(text: &str) -> Option<KeyRef> {
        if let Some(rest) = text.strip_prefix('c') {
            let (client, version) = rest.split_once('.')?;
            Some(KeyRef::Client {
                client_id: client.parse().ok().filter(|c| *c > 0)?,
                version: version.parse().ok().filter(|v| *v > 0)?,
            })
        } else {
            let version = text.strip_prefix('m')?.parse().ok().filter(|v| *v > 0)?;
            Some(KeyRef::Master { version })
        }
    }
}

/// Where a value lives: the identity its ciphertext is bound to (the associated data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row_id: i64,
    pub agency_id: i64,
    /// The client whose record it is; `None` for values that belong to no client (TOTP secrets).
    pub client_id: Option<i64>,
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{} row {}", self.table, self.column, self.row_id)
    }
}

impl Place<'_> {
    fn associated_data(&self) -> String {
        let client = self.client_id.map_or("-".to_string(), |c| c.to_string());
        format!(
            "casework/v1|{}|{}|{}|{}|{client}",
            self.table, self.column, self.row_id, self.agency_id
        )
    }
}

/// A stored ciphertext, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key: KeyRef,
    body: Vec<u8>,
}

impl Sealed {
    pub fn is_sealed(text: &str) -> bool {
        text.starts_with(PREFIX)
    }

    pub fn parse(text: &str) -> Result<Sealed, CryptoError> {
        let rest = text.strip_prefix(PREFIX).ok_or(CryptoError::Malformed)?;
        let (key, body) = rest.split_once(':').ok_or(CryptoError::Malformed)?;
        let key = KeyRef::parse(key).ok_or(CryptoError::Malformed)?;
        let body = STANDARD_NO_PAD
            .decode(body)
            .map_err(|_| CryptoError::Malformed)?;
        if body.len() < NONCE_BYTES + TAG_BYTES {
            return Err(CryptoError::Malformed);
        }
        Ok(Sealed { key, body })
    }
}

/// Seal `plain` for `place` under `key` (named `key_ref` in the text), with a nonce the caller
/// drew at random.
pub fn seal(
    key: &Key,
    key_ref: KeyRef,
    place: &Place<'_>,
    plain: &[u8],
    nonce: [u8; NONCE_BYTES],
) -> String {
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let aad = place.associated_data();
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: aad.as_bytes(),
            },
        )
        .expect("XChaCha20-Poly1305 encrypts any length a database field holds");
    let mut body = nonce.to_vec();
    body.extend_from_slice(&sealed);
    format!("{PREFIX}{key_ref}:{}", STANDARD_NO_PAD.encode(body))
}

/// Open a ciphertext found at `place`. Refused if the key is wrong or the ciphertext was
/// written for another row, column, agency or client.
pub fn open(key: &Key, sealed: &Sealed, place: &Place<'_>) -> Result<Vec<u8>, CryptoError> {
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let (nonce, ct) = sealed.body.split_at(NONCE_BYTES);
    let aad = place.associated_data();
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| CryptoError::Refused(place.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: KeyRef = KeyRef::Client {
        client_id: 7,
        version: 1,
    };

    fn place(row_id: i64) -> Place<'static> {
        Place {
            table: "case_notes",
            column: "sections",
            row_id,
            agency_id: 1,
            client_id: Some(7),
        }
    }

    #[test]
    fn round_trip_names_the_key_and_hides_the_text() {
        let key = Key::from_bytes([1; 32]);
        let text = seal(&key, K, &place(5), b"she said no", [9; NONCE_BYTES]);
        assert!(text.starts_with("enc1:c7.1:"), "{text}");
        assert!(!text.contains("said"));
        let parsed = Sealed::parse(&text).unwrap();
        assert_eq!(parsed.key, K);
        assert_eq!(open(&key, &parsed, &place(5)).unwrap(), b"she said no");
    }

    #[test]
    fn another_row_column_client_or_key_is_refused() {
        let key = Key::from_bytes([1; 32]);
        let parsed = Sealed::parse(&seal(&key, K, &place(5), b"x", [0; NONCE_BYTES])).unwrap();
        assert!(matches!(
            open(&key, &parsed, &place(6)),
            Err(CryptoError::Refused(_))
        ));
        let other_column = Place {
            column: "body",
            ..place(5)
        };
        assert!(open(&key, &parsed, &other_column).is_err());
        let other_client = Place {
            client_id: Some(8),
            ..place(5)
        };
        assert!(open(&key, &parsed, &other_client).is_err());
        assert!(open(&Key::from_bytes([2; 32]), &parsed, &place(5)).is_err());
    }

    #[test]
    fn malformed_text_is_named_so() {
        for bad in [
            "hello",
            "enc1:",
            "enc1:c7.1",
            "enc1:x1:AAAA",
            "enc1:c0.1:AAAA",
            "enc1:m1:AAAA",
        ] {
            assert_eq!(Sealed::parse(bad), Err(CryptoError::Malformed), "{bad}");
        }
        assert_eq!(KeyRef::parse("m3"), Some(KeyRef::Master { version: 3 }));
    }
}
