//! Unwrapped client data keys kept for a short while, so a page that opens a client's sealed
//! fields does not look up and unwrap the same key for every one of them, request after request
//! (it was the most frequent statement under load: BENCHMARKS.md).
//!
//! Safe because a key is only ever a hint: the AEAD tag checks every open, and a value the cached
//! key cannot open is retried with the key from the database (`Reader::open`). A key never
//! outlives `TTL` here; erasure in this process forgets the client's keys at once, and erasure
//! in another process blanks the sealed values along with the keys.

use casework_domain::crypto::Key;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(60);
const CAPACITY: usize = 10_000;

/// (agency, client, key version).
type Slot = (i64, i64, u32);

#[derive(Default)]
pub(crate) struct KeyCache {
    entries: Mutex<HashMap<Slot, (Key, Instant)>>,
}

impl KeyCache {
    pub(crate) fn get(&self, slot: Slot) -> Option<Key> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(&slot)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(k, _)| k.clone())
    }

    pub(crate) fn put(&self, slot: Slot, key: &Key) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.retain(|_, (_, at)| at.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(slot, (key.clone(), Instant::now()));
    }

    /// Every key of one client (erasure, a refused key).
    pub(crate) fn forget_client(&self, agency_id: i64, client_id: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|(a, c, _), _| !(*a == agency_id && *c == client_id));
    }

    /// Everything (a new master keyring: keys it can no longer unwrap must not stay readable).
    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_forgotten_is_not_served_and_others_stay() {
        let cache = KeyCache::default();
        let k = Key::from_bytes([7; 32]);
        cache.put((1, 10, 1), &k);
        cache.put((1, 11, 1), &k);
        assert!(cache.get((1, 10, 1)).is_some());
        assert!(cache.get((2, 10, 1)).is_none(), "another agency's slot");
        cache.forget_client(1, 10);
        assert!(cache.get((1, 10, 1)).is_none());
        assert!(cache.get((1, 11, 1)).is_some());
        cache.clear();
        assert!(cache.get((1, 11, 1)).is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = KeyCache::default();
        let k = Key::from_bytes([1; 32]);
        for c in 0..(CAPACITY as i64 + 5) {
            cache.put((1, c, 1), &k);
        }
        let len = cache.entries.lock().map(|e| e.len()).unwrap_or(usize::MAX);
        assert!(len <= CAPACITY, "{len} entries");
    }
}
