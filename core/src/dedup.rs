//! The memory of recent message ids, to drop duplicate deliveries.
//!
//! Ids are kept as 64-bit numbers: the server's `MsgId`s are decimal numbers, kept exactly; any
//! other id (none has been seen from the real server) is kept as its 64-bit FNV-1a hash, so two
//! such ids could only be confused with odds of about n²/2⁶⁵ for n remembered ids. Eight bytes
//! an id, looked up by a scan (a thousand ids take well under a microsecond), instead of two
//! copies of a string and a hash table: a long-lived session's memory stays small.

use std::collections::VecDeque;

/// Remembers the last `capacity` message ids; the oldest are forgotten first. Saved (in
/// [`SavedSession`](crate::SavedSession)) as the list of ids in decimal, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SeenIds {
    order: VecDeque<u64>,
}

/// The number an id is remembered by.
fn key(id: &str) -> u64 {
    // Only the canonical decimal form ("0", or digits without a leading zero) is kept as its
    // number, so "5", "05" and "+5" stay three different ids.
    let canonical = id.bytes().all(|b| b.is_ascii_digit()) && (id == "0" || !id.starts_with('0'));
    if canonical && let Ok(n) = id.parse::<u64>() {
        return n;
    }
    // FNV-1a, 64 bits.
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl SeenIds {
    /// Records `id`; `true` when it is new, `false` when it was already seen (a duplicate) or is
    /// empty. A message without an id could never be told from its redelivery, so it is never
    /// delivered (the parser already drops such messages; this holds for any other source).
    pub(crate) fn insert(&mut self, id: &str, capacity: usize) -> bool {
        if id.is_empty() {
            return false;
        }
        let key = key(id);
        if self.order.contains(&key) {
            return false;
        }
        while self.order.len() >= capacity.max(1) {
            self.order.pop_front();
        }
        self.order.push_back(key);
        true
    }

    /// Whether `id` is remembered.
    pub(crate) fn contains(&self, id: &str) -> bool {
        !id.is_empty() && self.order.contains(&key(id))
    }

    /// Forgets `id`, so that it is delivered again if the server repeats it.
    pub(crate) fn forget(&mut self, id: &str) {
        if id.is_empty() {
            return;
        }
        let key = key(id);
        self.order.retain(|k| *k != key);
    }

    /// Forgets the oldest ids beyond `capacity` and gives back the room they took.
    pub(crate) fn trim_to(&mut self, capacity: usize) {
        let excess = self.order.len().saturating_sub(capacity.max(1));
        self.order.drain(..excess);
        self.order.shrink_to_fit();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

/// The saved form: `{"order": ["<id>", ...]}`, as version 1 of the saved session always had.
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    order: Vec<String>,
}

impl serde::Serialize for SeenIds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Saved {
            order: self.order.iter().map(u64::to_string).collect(),
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for SeenIds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let saved = Saved::deserialize(d)?;
        Ok(SeenIds {
            order: saved
                .order
                .iter()
                .filter(|id| !id.is_empty())
                .map(|id| key(id))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_within_capacity() {
        let mut s = SeenIds::default();
        assert!(s.insert("1", 2));
        assert!(!s.insert("1", 2));
        assert!(s.insert("2", 2));
        assert!(s.insert("3", 2));
        assert_eq!(s.len(), 2);
        assert!(s.insert("1", 2), "forgotten after capacity");
        assert!(!s.insert("", 2), "an empty id is never new");
        assert_eq!(s.len(), 2, "nor remembered");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"order":["3","1"]}"#);
        let mut back: SeenIds = serde_json::from_str(&json).unwrap();
        assert!(!back.insert("3", 2));
    }

    #[test]
    fn server_ids_are_kept_exactly_and_others_by_hash() {
        let mut s = SeenIds::default();
        // Two 19-digit MsgIds one apart, and the largest u64.
        assert!(s.insert("4611686018427387904", 10));
        assert!(s.insert("4611686018427387905", 10));
        assert!(s.insert("18446744073709551615", 10));
        assert!(!s.insert("4611686018427387905", 10));
        // Not numbers: told apart from each other, and from the numbers.
        assert!(s.insert("abc", 10));
        assert!(s.insert("abd", 10));
        assert!(s.insert("18446744073709551616", 10), "over u64: hashed");
        assert!(!s.insert("abc", 10));
        assert_eq!(s.len(), 6);
        // Only the canonical form is a number.
        assert!(s.insert("5", 20));
        assert!(s.insert("05", 20));
        assert!(s.insert("+5", 20));
        assert!(!s.insert("5", 20));
    }

    #[test]
    fn saved_ids_of_any_form_load_and_still_match() {
        // A saved session written before ids were kept as numbers: strings, one not a number.
        let old = r#"{"order":["1001","x-7",""]}"#;
        let mut s: SeenIds = serde_json::from_str(old).unwrap();
        assert_eq!(s.len(), 2);
        assert!(!s.insert("1001", 10));
        assert!(!s.insert("x-7", 10));
        // A hashed id survives a save and a load.
        let mut back: SeenIds = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert!(!back.insert("x-7", 10));
    }

    #[test]
    fn a_larger_saved_memory_is_trimmed_to_the_limit() {
        let mut s = SeenIds::default();
        for i in 0..100 {
            s.insert(&i.to_string(), 100);
        }
        s.trim_to(10);
        assert_eq!(s.len(), 10);
        assert!(s.order.capacity() < 100, "the room is given back");
        assert!(!s.insert("99", 10), "the newest are kept");
        assert!(s.insert("89", 10), "the oldest are gone");
    }

    #[test]
    fn capacity_is_never_exceeded_even_when_it_shrinks() {
        let mut s = SeenIds::default();
        for i in 0..100 {
            s.insert(&i.to_string(), 50);
        }
        assert_eq!(s.len(), 50);
        s.insert("1000", 10);
        assert_eq!(s.len(), 10);
        assert!(s.insert("0", 10), "long forgotten");
    }
}
