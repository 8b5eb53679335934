//! The memory of recent message ids, to drop duplicate deliveries.

use std::collections::{HashSet, VecDeque};

/// Remembers the last `capacity` message ids; the oldest are forgotten first.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct SeenIds {
    order: VecDeque<String>,
    #[serde(skip)]
    set: HashSet<String>,
}

impl SeenIds {
    /// Records `id`; `false` when it was already seen (a duplicate). Empty ids are never
    /// duplicates.
    pub(crate) fn insert(&mut self, id: &str, capacity: usize) -> bool {
        if id.is_empty() {
            return true;
        }
        if self.set.len() != self.order.len() {
            // Rebuilt after deserialization (the set is not saved).
            self.set = self.order.iter().cloned().collect();
        }
        if self.set.contains(id) {
            return false;
        }
        self.order.push_back(id.to_string());
        self.set.insert(id.to_string());
        while self.order.len() > capacity.max(1) {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        true
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
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
        assert!(s.insert("", 2) && s.insert("", 2));
        let json = serde_json::to_string(&s).unwrap();
        let mut back: SeenIds = serde_json::from_str(&json).unwrap();
        assert!(!back.insert("3", 2));
    }
}
