//! A bounded set of recent WhatsApp ids, oldest forgotten first: enough memory to drop a
//! redelivered message or match an ack to its send, without growing for ever.

use std::collections::{HashSet, VecDeque};

#[derive(Debug)]
pub(super) struct RecentIds {
    capacity: usize,
    order: VecDeque<String>,
    set: HashSet<String>,
}

impl RecentIds {
    pub(super) fn new(capacity: usize) -> RecentIds {
        RecentIds {
            capacity: capacity.max(1),
            order: VecDeque::new(),
            set: HashSet::new(),
        }
    }

    /// Remembers `id`; true the first time it is seen.
    pub(super) fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.order.push_back(id.to_string());
        self.set.insert(id.to_string());
        true
    }

    pub(super) fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::RecentIds;

    #[test]
    fn the_oldest_id_is_forgotten_first() {
        let mut recent = RecentIds::new(2);
        assert!(recent.insert("a"));
        assert!(!recent.insert("a"), "seen once already");
        assert!(recent.insert("b"));
        assert!(recent.insert("c"));
        assert!(!recent.contains("a") && recent.contains("b") && recent.contains("c"));
    }
}
