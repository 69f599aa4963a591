//! Master keys: versioned, the newest one active, loaded from a key file or an environment
//! variable and never from the database.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::BTreeMap;
use zeroize::Zeroize;

pub const KEY_BYTES: usize = 32;

/// 256 bits of key material. Wiped on drop; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; KEY_BYTES]);

impl Drop for Key {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Key {
    /// From random bytes the caller drew.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Key {
        Key(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Key> {
        <[u8; KEY_BYTES]>::try_from(bytes).ok().map(Key)
    }

    pub fn as_bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// A subkey for one purpose, so the same master key never serves two.
    pub fn derive(&self, purpose: &str) -> Key {
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"casework/v1"), &self.0);
        let mut out = [0u8; KEY_BYTES];
        // 32 bytes is far below HKDF-SHA256's limit; expand cannot fail.
        let _ = hk.expand(purpose.as_bytes(), &mut out);
        Key(out)
    }
}

/// Why a key file (or `CASEWORK_MASTER_KEYS`) was refused: which line and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    #[error("line {line}: expected `<version>:<base64 key>`")]
    Shape { line: usize },
    #[error("line {line}: the version must be a whole number from 1 up")]
    Version { line: usize },
    #[error("line {line}: the key is not valid base64")]
    Base64 { line: usize },
    #[error("line {line}: the key must be 32 bytes (44 base64 characters), it is {bytes}")]
    Length { line: usize, bytes: usize },
    #[error("line {line}: version {version} appears twice")]
    Duplicate { line: usize, version: u32 },
    #[error("no key in it (each line: `<version>:<base64 key>`)")]
    Empty,
}

/// Every master key the server knows, by version. The newest encrypts; all of them decrypt,
/// so a rotation can run while older ciphertexts still exist.
#[derive(Clone, PartialEq, Eq)]
pub struct Keyring {
    keys: BTreeMap<u32, Key>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("versions", &self.keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// One key of version 1.
    pub fn single(key: Key) -> Keyring {
        Keyring {
            keys: BTreeMap::from([(1, key)]),
        }
    }

    pub fn from_keys(keys: impl IntoIterator<Item = (u32, Key)>) -> Option<Keyring> {
        let keys: BTreeMap<u32, Key> = keys.into_iter().filter(|(v, _)| *v > 0).collect();
        (!keys.is_empty()).then_some(Keyring { keys })
    }

    /// The key file's text: one `<version>:<base64>` per line; blank lines and `#` comments
    /// ignored. Entries may also be separated by `,` or `;` (for the environment variable), in
    /// which case "line" counts entries.
    pub fn parse(text: &str) -> Result<Keyring, KeyFileError> {
        let mut keys = BTreeMap::new();
        let entries = text
            .lines()
            .flat_map(|l| l.split([',', ';']))
            .enumerate()
            .map(|(i, e)| (i + 1, e.trim()));
        for (line, entry) in entries {
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            let (version, key) = entry.split_once(':').ok_or(KeyFileError::Shape { line })?;
            let version: u32 = version
                .trim()
                .parse()
                .ok()
                .filter(|v| *v > 0)
                .ok_or(KeyFileError::Version { line })?;
            let mut bytes = STANDARD
                .decode(key.trim())
                .map_err(|_| KeyFileError::Base64 { line })?;
            let parsed = Key::from_slice(&bytes);
            let len = bytes.len();
            bytes.zeroize();
            let key = parsed.ok_or(KeyFileError::Length { line, bytes: len })?;
            if keys.insert(version, key).is_some() {
                return Err(KeyFileError::Duplicate { line, version });
            }
        }
        if keys.is_empty() {
            return Err(KeyFileError::Empty);
        }
        Ok(Keyring { keys })
    }

    /// The text of a key file holding this keyring.
    pub fn to_file_text(&self) -> String {
        let mut out = String::from(
            "# Casework master keys: <version>:<base64 32 bytes>. The newest version encrypts.\n",
        );
        for (v, k) in &self.keys {
            out.push_str(&format!("{v}:{}\n", k.to_base64()));
        }
        out
    }

    /// The version that encrypts now.
    pub fn newest(&self) -> (u32, &Key) {
        let (v, k) = self
            .keys
            .iter()
            .next_back()
            .expect("a keyring is never empty");
        (*v, k)
    }

    pub fn get(&self, version: u32) -> Option<&Key> {
        self.keys.get(&version)
    }

    pub fn versions(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.keys().copied()
    }

    /// A keyring with one more version, newer than every other.
    pub fn with_new_key(&self, key: Key) -> Keyring {
        let mut keys = self.keys.clone();
        keys.insert(self.newest().0 + 1, key);
        Keyring { keys }
    }

    /// The same keyring without one version (to show that rotation left nothing behind).
    pub fn without(&self, version: u32) -> Option<Keyring> {
        let mut keys = self.keys.clone();
        keys.remove(&version);
        (!keys.is_empty()).then_some(Keyring { keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(b: u8) -> Key {
        Key::from_bytes([b; KEY_BYTES])
    }

    #[test]
    fn key_file_round_trips_and_newest_encrypts() {
        let ring = Keyring::single(k(1)).with_new_key(k(2));
        let back = Keyring::parse(&ring.to_file_text()).unwrap();
        assert_eq!(back, ring);
        assert_eq!(back.newest().0, 2);
        assert_eq!(back.newest().1, &k(2));
    }

    #[test]
    fn environment_form_separates_by_comma() {
        let text = format!("1:{},2:{}", k(1).to_base64(), k(2).to_base64());
        assert_eq!(
            Keyring::parse(&text)
                .unwrap()
                .versions()
                .collect::<Vec<_>>(),
            [1, 2]
        );
    }

    #[test]
    fn bad_lines_are_named() {
        let good = k(1).to_base64();
        assert_eq!(
            Keyring::parse("# c\n\nnope"),
            Err(KeyFileError::Shape { line: 3 })
        );
        assert_eq!(
            Keyring::parse(&format!("0:{good}")),
            Err(KeyFileError::Version { line: 1 })
        );
        assert_eq!(
            Keyring::parse("1:***"),
            Err(KeyFileError::Base64 { line: 1 })
        );
        assert_eq!(
            Keyring::parse("1:AAAA"),
            Err(KeyFileError::Length { line: 1, bytes: 3 })
        );
        assert_eq!(
            Keyring::parse(&format!("1:{good}\n1:{good}")),
            Err(KeyFileError::Duplicate {
                line: 2,
                version: 1
            })
        );
        assert_eq!(
            Keyring::parse("# only a comment\n"),
            Err(KeyFileError::Empty)
        );
    }

    #[test]
    fn debug_shows_no_key() {
        let ring = Keyring::single(k(7));
        let shown = format!("{ring:?} {:?}", k(7));
        assert!(!shown.contains(&k(7).to_base64()), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn subkeys_differ_by_purpose() {
        assert_ne!(k(1).derive("a"), k(1).derive("b"));
        assert_ne!(k(1).derive("a"), k(1));
    }
}
