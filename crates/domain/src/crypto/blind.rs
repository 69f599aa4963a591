//! A keyed blind index: the HMAC of a normalised value, so an exact lookup by identifier works
//! without the identifier being stored in the clear. Keyed per master version (a rotation
//! rewrites them) and per agency (the same number in two agencies gives unrelated indexes).

use super::Key;
use hmac::{Hmac, Mac};

pub const BLIND_PREFIX: &str = "bix1:";

/// `bix1:<master version>:<hex HMAC-SHA256>` of `norm` within `agency_id`.
pub fn blind_index(master_version: u32, master: &Key, agency_id: i64, norm: &str) -> String {
    let key = master.derive("blind index");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(&agency_id.to_be_bytes());
    mac.update(norm.as_bytes());
    format!(
        "{BLIND_PREFIX}{master_version}:{}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_same_index_only_within_agency_and_version() {
        let k = Key::from_bytes([3; 32]);
        let a = blind_index(1, &k, 1, "ab123");
        assert_eq!(a, blind_index(1, &k, 1, "ab123"));
        assert_ne!(a, blind_index(1, &k, 2, "ab123"));
        assert_ne!(a, blind_index(1, &k, 1, "ab124"));
        assert_ne!(a, blind_index(1, &Key::from_bytes([4; 32]), 1, "ab123"));
        assert!(!a.contains("ab123"));
        assert!(a.starts_with("bix1:1:"));
    }
}
