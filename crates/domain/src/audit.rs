//! The audit log is a hash chain per agency: entry n's hash covers entry n-1's hash and entry n's
//! canonical bytes, so changing, deleting, inserting or reordering any entry breaks every hash after it.
//!
//! The one part of an entry that may hold personal content is its free-text reason. Since format 2
//! the canonical bytes carry a digest of the reason (SHA-256 over a random nonce and the text)
//! rather than the text, so erasing a client can blank the reason and its nonce and keep the
//! digest: the chain still verifies, and without the nonce the digest gives nothing to guess with.
//!
//! A list page (a caseload, a page of search results) is one entry since format 3, naming every
//! record it showed as the entry's subjects; the hash covers them in order. Format 2 entries
//! have no subjects, and a subject attached to one breaks its hash check.

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
    /// The records a list page showed, in the order shown; empty for an entry about one record.
    pub subjects: Vec<Subject>,
}

/// One record a list page showed, and the client it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Subject {
    pub record_id: i64,
    pub client_id: i64,
}

/// An event with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub event: Event,
    pub seal: Seal,
    pub prev_hash: String,
    pub hash: String,
}

/// How an entry's reason is bound into its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seal {
    /// Format 1, written before digests: the hash covers the reason itself.
    Plain,
    /// A format 1 entry whose reason was erased: its hash can no longer be recomputed, only its
    /// place in the chain checked.
    PlainRedacted,
    /// Format 2: the hash covers `digest` (None when there never was a reason). While the reason
    /// is held, `nonce` is kept to recompute the digest; erasure removes both reason and nonce.
    Digest {
        digest: Option<String>,
        nonce: Option<String>,
    },
    /// Format 3: as format 2, and the hash also covers the entry's subjects.
    DigestWithSubjects {
        digest: Option<String>,
        nonce: Option<String>,
    },
}

impl Seal {
    pub fn format(&self) -> i64 {
        match self {
            Seal::Plain | Seal::PlainRedacted => 1,
            Seal::Digest { .. } => 2,
            Seal::DigestWithSubjects { .. } => 3,
        }
    }

    /// The seal a stored entry of `format` has, from its stored digest and nonce and whether its
    /// reason was erased. None for a format this build does not know.
    pub fn stored(
        format: i64,
        digest: Option<String>,
        nonce: Option<String>,
        redacted: bool,
    ) -> Option<Seal> {
        match format {
            1 if redacted => Some(Seal::PlainRedacted),
            1 => Some(Seal::Plain),
            2 => Some(Seal::Digest { digest, nonce }),
            3 => Some(Seal::DigestWithSubjects { digest, nonce }),
            _ => None,
        }
    }

    pub fn redacted(&self) -> bool {
        match self {
            Seal::Plain => false,
            Seal::PlainRedacted => true,
            Seal::Digest { digest, nonce } | Seal::DigestWithSubjects { digest, nonce } => {
                digest.is_some() && nonce.is_none()
            }
        }
    }

    /// The digest kept (formats 2 and 3), for storing.
    pub fn digest(&self) -> Option<&str> {
        match self {
            Seal::Digest { digest, .. } | Seal::DigestWithSubjects { digest, .. } => {
                digest.as_deref()
            }
            _ => None,
        }
    }

    pub fn nonce(&self) -> Option<&str> {
        match self {
            Seal::Digest { nonce, .. } | Seal::DigestWithSubjects { nonce, .. } => nonce.as_deref(),
            _ => None,
        }
    }
}

/// The digest of a reason under a nonce (hex): what a format 2 hash covers.
pub fn reason_digest(nonce: &str, reason: &str) -> String {
    let mut buf = Vec::with_capacity(64 + reason.len());
    buf.extend_from_slice(b"casework-audit-reason-v2");
    put_str(&mut buf, nonce);
    put_str(&mut buf, reason);
    hex::encode(Sha256::digest(&buf))
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

fn put_fields(buf: &mut Vec<u8>, seq: i64, event: &Event) {
    buf.extend_from_slice(&event.agency_id.to_be_bytes());
    buf.extend_from_slice(&seq.to_be_bytes());
    buf.extend_from_slice(&event.at_ms.to_be_bytes());
    put_opt_i64(buf, event.actor_user_id);
    put_str(buf, &event.action);
    put_str(buf, &event.record_type);
    put_opt_i64(buf, event.record_id);
    put_opt_i64(buf, event.client_id);
    put_str(buf, event.outcome.as_str());
}

/// Format 1 (entries written before digests): length-prefixed, fixed-order bytes, the reason
/// itself included. No two different entries encode the same way.
pub fn canonical_bytes(seq: i64, event: &Event) -> Vec<u8> {
    let mut buf = Vec::with_capacity(128);
    buf.extend_from_slice(b"casework-audit-v1");
    put_fields(&mut buf, seq, event);
    put_opt_str(&mut buf, event.reason.as_deref());
    buf
}

/// Format 2: as format 1, with the reason's digest in place of the reason.
pub fn canonical_bytes_v2(seq: i64, event: &Event, digest: Option<&str>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(160);
    buf.extend_from_slice(b"casework-audit-v2");
    put_fields(&mut buf, seq, event);
    put_opt_str(&mut buf, digest);
    buf
}

/// Format 3: as format 2, followed by the number of subjects and each subject's ids in order.
pub fn canonical_bytes_v3(seq: i64, event: &Event, digest: Option<&str>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(176 + 16 * event.subjects.len());
    buf.extend_from_slice(b"casework-audit-v3");
    put_fields(&mut buf, seq, event);
    put_opt_str(&mut buf, digest);
    buf.extend_from_slice(&(event.subjects.len() as u64).to_be_bytes());
    for s in &event.subjects {
        buf.extend_from_slice(&s.record_id.to_be_bytes());
        buf.extend_from_slice(&s.client_id.to_be_bytes());
    }
    buf
}

fn hash_of(prev_hash: &str, bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(bytes);
    hex::encode(h.finalize())
}

pub fn chain_hash(prev_hash: &str, seq: i64, event: &Event) -> String {
    hash_of(prev_hash, &canonical_bytes(seq, event))
}

pub fn chain_hash_v2(prev_hash: &str, seq: i64, event: &Event, digest: Option<&str>) -> String {
    hash_of(prev_hash, &canonical_bytes_v2(seq, event, digest))
}

pub fn chain_hash_v3(prev_hash: &str, seq: i64, event: &Event, digest: Option<&str>) -> String {
    hash_of(prev_hash, &canonical_bytes_v3(seq, event, digest))
}

/// Place `event` after (`prev_seq`, `prev_hash`): in format 3 when it has subjects, else in
/// format 2. `nonce` must be fresh random text for each entry (the caller supplies it: this
/// module does no I/O).
pub fn link(prev_seq: i64, prev_hash: &str, event: Event, nonce: &str) -> Entry {
    let seq = prev_seq + 1;
    let (digest, nonce) = match &event.reason {
        None => (None, None),
        Some(r) => (Some(reason_digest(nonce, r)), Some(nonce.to_string())),
    };
    let (seal, hash) = if event.subjects.is_empty() {
        let hash = chain_hash_v2(prev_hash, seq, &event, digest.as_deref());
        (Seal::Digest { digest, nonce }, hash)
    } else {
        let hash = chain_hash_v3(prev_hash, seq, &event, digest.as_deref());
        (Seal::DigestWithSubjects { digest, nonce }, hash)
    };
    Entry {
        seq,
        event,
        seal,
        prev_hash: prev_hash.to_string(),
        hash,
    }
}

/// The entry as it stands after erasure: reason and nonce gone, digest and hash kept.
pub fn redact(entry: &Entry) -> Entry {
    let seal = match &entry.seal {
        Seal::Plain | Seal::PlainRedacted => Seal::PlainRedacted,
        Seal::Digest { digest, .. } => Seal::Digest {
            digest: digest.clone(),
            nonce: None,
        },
        Seal::DigestWithSubjects { digest, .. } => Seal::DigestWithSubjects {
            digest: digest.clone(),
            nonce: None,
        },
    };
    let mut event = entry.event.clone();
    event.reason = None;
    Entry {
        seal,
        event,
        ..entry.clone()
    }
}

/// Does the entry's content match its hash? A redacted format 1 entry cannot be recomputed and
/// passes on its place in the chain alone. Only format 3 entries may have subjects.
fn content_matches(entry: &Entry) -> bool {
    let e = &entry.event;
    let digest_holds = |digest: &Option<String>, nonce: &Option<String>| {
        match (&e.reason, nonce, digest) {
            (Some(r), Some(n), Some(d)) => reason_digest(n, r) == *d,
            // Never had a reason, or had one that was erased.
            (None, None, _) => true,
            _ => false,
        }
    };
    match &entry.seal {
        Seal::Plain => {
            e.subjects.is_empty() && chain_hash(&entry.prev_hash, entry.seq, e) == entry.hash
        }
        Seal::PlainRedacted => e.subjects.is_empty() && e.reason.is_none(),
        Seal::Digest { digest, nonce } => {
            e.subjects.is_empty()
                && digest_holds(digest, nonce)
                && chain_hash_v2(&entry.prev_hash, entry.seq, e, digest.as_deref()) == entry.hash
        }
        Seal::DigestWithSubjects { digest, nonce } => {
            digest_holds(digest, nonce)
                && chain_hash_v3(&entry.prev_hash, entry.seq, e, digest.as_deref()) == entry.hash
        }
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
    #[error("subjects are stored for entry {seq}, which is not in the chain (subjects were added or moved)")]
    StraySubject { seq: i64 },
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
        if !content_matches(entry) {
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
            subjects: Vec::new(),
        }
    }

    fn chain(n: i64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 1..=n {
            let (s, h) = out
                .last()
                .map(|e| (e.seq, e.hash.clone()))
                .unwrap_or((0, GENESIS.to_string()));
            let mut ev = event(i);
            if i % 2 == 0 {
                ev.reason = Some(format!("override for Jana Novak {i}"));
            }
            if i % 3 == 0 {
                ev.record_id = None;
                ev.client_id = None;
                ev.subjects = (1..=i)
                    .map(|k| Subject {
                        record_id: 100 + k,
                        client_id: k,
                    })
                    .collect();
            }
            out.push(link(s, &h, ev, &format!("nonce{i}")));
        }
        out
    }

    /// A chain as written before digests (format 1).
    fn legacy_chain(n: i64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 1..=n {
            let (s, h) = out
                .last()
                .map(|e| (e.seq, e.hash.clone()))
                .unwrap_or((0, GENESIS.to_string()));
            let mut ev = event(i);
            ev.reason = Some(format!("reason {i}"));
            let hash = chain_hash(&h, s + 1, &ev);
            out.push(Entry {
                seq: s + 1,
                event: ev,
                seal: Seal::Plain,
                prev_hash: h,
                hash,
            });
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
        let forged = link(2, &c[1].hash, event(99), "n");
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
    fn a_redacted_chain_still_verifies_and_keeps_no_reason() {
        let mut c = chain(6);
        for e in c.iter_mut() {
            *e = redact(e);
        }
        assert!(c
            .iter()
            .all(|e| e.event.reason.is_none() && e.seal.nonce().is_none()));
        assert!(c[1].seal.redacted() && c[1].seal.digest().is_some());
        let head = c[5].hash.clone();
        assert_eq!(verify(&c, (6, &head)), Ok(()));
    }

    #[test]
    fn a_changed_reason_is_caught_by_its_digest() {
        let mut c = chain(4);
        c[1].event.reason = Some("something else".into());
        let head = c[3].hash.clone();
        assert_eq!(verify(&c, (4, &head)), Err(ChainBreak::Altered { seq: 2 }));
        // A changed digest breaks the hash.
        let mut c = chain(4);
        c[1] = Entry {
            seal: Seal::Digest {
                digest: Some("00".into()),
                nonce: None,
            },
            ..redact(&c[1])
        };
        assert_eq!(verify(&c, (4, &head)), Err(ChainBreak::Altered { seq: 2 }));
    }

    #[test]
    fn a_redacted_entry_cannot_have_other_fields_changed() {
        let mut c = chain(4);
        c[1] = redact(&c[1]);
        c[1].event.action = "client.update".into();
        let head = c[3].hash.clone();
        assert_eq!(verify(&c, (4, &head)), Err(ChainBreak::Altered { seq: 2 }));
    }

    #[test]
    fn legacy_entries_verify_and_when_redacted_keep_their_place() {
        let mut c = legacy_chain(4);
        let head = c[3].hash.clone();
        assert_eq!(verify(&c, (4, &head)), Ok(()));
        c[2] = redact(&c[2]);
        assert_eq!(c[2].seal, Seal::PlainRedacted);
        assert_eq!(verify(&c, (4, &head)), Ok(()));
        // An unredacted legacy entry is still checked in full.
        c[1].event.reason = Some("edited".into());
        assert_eq!(verify(&c, (4, &head)), Err(ChainBreak::Altered { seq: 2 }));
    }

    #[test]
    fn a_list_entry_covers_its_subjects() {
        let c = chain(6);
        assert_eq!(c[2].seal.format(), 3);
        assert_eq!(c[1].seal.format(), 2);
        let head = (6, c[5].hash.as_str());
        assert_eq!(verify(&c, head), Ok(()));
        let altered = Err(ChainBreak::Altered { seq: 3 });

        let mut changed = c.clone();
        changed[2].event.subjects[1].client_id = 99;
        assert_eq!(verify(&changed, head), altered);

        let mut removed = c.clone();
        removed[2].event.subjects.pop();
        assert_eq!(verify(&removed, head), altered);

        let mut reordered = c.clone();
        reordered[2].event.subjects.swap(0, 2);
        assert_eq!(verify(&reordered, head), altered);

        // Dropping every subject and calling the entry format 2 does not pass either.
        let mut downgraded = c.clone();
        downgraded[2].event.subjects.clear();
        downgraded[2].seal = Seal::Digest {
            digest: None,
            nonce: None,
        };
        assert_eq!(verify(&downgraded, head), altered);

        // A subject attached to an entry that never had one.
        let mut added = c.clone();
        added[1].event.subjects.push(Subject {
            record_id: 1,
            client_id: 1,
        });
        assert_eq!(verify(&added, head), Err(ChainBreak::Altered { seq: 2 }));
    }

    #[test]
    fn a_list_entry_with_a_reason_is_redacted_like_any_other() {
        let mut c = chain(6);
        c[5] = redact(&c[5]);
        assert!(c[5].seal.redacted());
        assert_eq!(c[5].seal.format(), 3);
        let head = c[5].hash.clone();
        assert_eq!(verify(&c, (6, &head)), Ok(()));
    }

    #[test]
    fn the_digest_depends_on_the_nonce() {
        assert_ne!(reason_digest("a", "x"), reason_digest("b", "x"));
        assert_ne!(reason_digest("a", "x"), reason_digest("a", "y"));
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
