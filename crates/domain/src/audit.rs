//! The audit log is a hash chain per agency: entry n's hash covers entry n-1's hash and entry n's
//! canonical bytes, so changing, deleting, inserting or reordering any entry breaks every hash after it.

use sha2::{Digest, Sha256};

/// The hash that stands before an agency's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allowed,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allowed" => Some(Outcome::Allowed),
            "denied" => Some(Outcome::Denied),
            _ => None,
        }
    }
}

/// What happened, before it has a place in the chain. Names records by id, never by content, so
/// that the log itself holds no client data beyond which client an action concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub agency_id: i64,
    pub at_ms: i64,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    pub client_id: Option<i64>,
    pub outcome: Outcome,
    pub reason: Option<String>,
}

/// An event with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub event: Event,
    pub prev_hash: String,
    pub hash: String,
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u64).to_be_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn put_opt_str(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => buf.push(0),
        Some(s) => {
            buf.push(1);
            put_str(buf, s);
        }
    }
}

fn put_opt_i64(buf: &mut Vec<u8>, v: Option<i64>) {
    match v {
        None => buf.push(0),
        Some(v) => {
            buf.push(1);
            buf.extend_from_slice(&v.to_be_bytes());
        }
    }
}

/// Length-prefixed, fixed-order bytes: no two different entries encode the same way.
pub fn canonical_bytes(seq: i64, event: &Event) -> Vec<u8> {
    let mut buf = Vec::with_capacity(128);
    buf.extend_from_slice(b"casework-audit-v1");
    buf.extend_from_slice(&event.agency_id.to_be_bytes());
    buf.extend_from_slice(&seq.to_be_bytes());
    buf.extend_from_slice(&event.at_ms.to_be_bytes());
    put_opt_i64(&mut buf, event.actor_user_id);
    put_str(&mut buf, &event.action);
    put_str(&mut buf, &event.record_type);
    put_opt_i64(&mut buf, event.record_id);
    put_opt_i64(&mut buf, event.client_id);
    put_str(&mut buf, event.outcome.as_str());
    put_opt_str(&mut buf, event.reason.as_deref());
    buf
}

pub fn chain_hash(prev_hash: &str, seq: i64, event: &Event) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical_bytes(seq, event));
    hex::encode(h.finalize())
}

/// Place `event` after (`prev_seq`, `prev_hash`).
pub fn link(prev_seq: i64, prev_hash: &str, event: Event) -> Entry {
    let seq = prev_seq + 1;
    let hash = chain_hash(prev_hash, seq, &event);
    Entry {
        seq,
        event,
        prev_hash: prev_hash.to_string(),
        hash,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq}: its content does not match its hash (changed)")]
    Altered { seq: i64 },
    #[error("entry {seq}: expected sequence number {expected} (an entry was deleted, inserted or reordered)")]
    Sequence { seq: i64, expected: i64 },
    #[error("entry {seq}: does not follow the entry before it (an entry was deleted, inserted or reordered)")]
    Link { seq: i64 },
    #[error("the chain ends at entry {last} but its head says {head} (entries were removed from the end)")]
    Truncated { last: i64, head: i64 },
}

/// Walks one agency's chain in sequence order, as read from the store.
#[derive(Debug)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }
}

impl Verifier {
    pub fn check(&mut self, entry: &Entry) -> Result<(), ChainBreak> {
        if entry.seq != self.expected_seq {
            return Err(ChainBreak::Sequence {
                seq: entry.seq,
                expected: self.expected_seq,
            });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainBreak::Link { seq: entry.seq });
        }
        if chain_hash(&entry.prev_hash, entry.seq, &entry.event) != entry.hash {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = entry.hash.clone();
        Ok(())
    }

    /// After the last entry: the chain must reach the head the store keeps separately.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainBreak> {
        let last = self.expected_seq - 1;
        if last != head_seq || (last > 0 && self.prev_hash != head_hash) {
            return Err(ChainBreak::Truncated {
                last,
                head: head_seq,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: i64) -> Event {
        Event {
            agency_id: 1,
            at_ms: 1_700_000_000_000 + n,
            actor_user_id: Some(7),
            action: "client.read".into(),
            record_type: "client".into(),
            record_id: Some(n),
            client_id: Some(n),
            outcome: Outcome::Allowed,
            reason: None,
        }
    }

    fn chain(n: i64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 1..=n {
            let (s, h) = out
                .last()
                .map(|e| (e.seq, e.hash.clone()))
                .unwrap_or((0, GENESIS.to_string()));
            out.push(link(s, &h, event(i)));
        }
        out
    }

    fn verify(entries: &[Entry], head: (i64, &str)) -> Result<(), ChainBreak> {
        let mut v = Verifier::default();
        for e in entries {
            v.check(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, (5, &c[4].hash)), Ok(()));
        assert_eq!(verify(&[], (0, GENESIS)), Ok(()));
    }

    #[test]
    fn a_changed_entry_is_named() {
        let mut c = chain(5);
        c[2].event.reason = Some("edited".into());
        let head = c[4].hash.clone();
        assert_eq!(verify(&c, (5, &head)), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        let head = c[3].hash.clone();
        assert_eq!(
            verify(&c, (5, &head)),
            Err(ChainBreak::Sequence {
                seq: 3,
                expected: 2
            })
        );
    }

    #[test]
    fn reordered_entries_are_caught() {
        let mut c = chain(5);
        c.swap(1, 2);
        let head = c[4].hash.clone();
        assert!(verify(&c, (5, &head)).is_err());
    }

    #[test]
    fn an_inserted_entry_with_renumbering_breaks_the_link() {
        let mut c = chain(5);
        let forged = link(2, &c[1].hash, event(99));
        c.insert(2, forged);
        for (i, e) in c.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        let head = c[5].hash.clone();
        // The forged entry links correctly but the next real entry now points at the wrong hash.
        assert!(verify(&c, (6, &head)).is_err());
    }

    #[test]
    fn removing_the_tail_is_caught_by_the_head() {
        let c = chain(5);
        let head = c[4].hash.clone();
        assert_eq!(
            verify(&c[..3], (5, &head)),
            Err(ChainBreak::Truncated { last: 3, head: 5 })
        );
    }

    #[test]
    fn canonical_bytes_distinguish_missing_from_empty() {
        let mut a = event(1);
        let mut b = event(1);
        a.reason = None;
        b.reason = Some(String::new());
        assert_ne!(canonical_bytes(1, &a), canonical_bytes(1, &b));
    }
}
