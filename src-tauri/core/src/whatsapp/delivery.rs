//! Whether each message sent from here reached WhatsApp's server: confirmed by its server
//! ack (1 or more), refused by an error ack (-1 or below), or never answered within a
//! bound. A send is never assumed delivered because the page took it.

use std::collections::HashMap;
use std::time::Duration;

use super::message::{Ack, Undelivered, WaEvent};
use super::recent::RecentIds;

/// A send the page took, to watch until the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub id: String,
    /// When the send was asked for (the clock of the session).
    pub sent_at_ms: i64,
    /// The page's send result was `OK`: the server took it already.
    pub server_acked: bool,
}

/// How many ids of recent sends and acks are remembered (acks can arrive before the send's
/// answer does, and an error ack after a success).
const REMEMBERED: usize = 1024;

/// The sends of one session and what the server said of them.
#[derive(Debug)]
pub struct Deliveries {
    timeout_ms: i64,
    /// Sends without a server ack yet, with the time they stop waiting.
    waiting: HashMap<String, i64>,
    /// Every send of this session (to recognise a later error ack as ours).
    ours: RecentIds,
    /// Ids the server acked before their send's answer arrived.
    acked_early: RecentIds,
    /// Ids refused (error ack) before their send's answer arrived.
    refused_early: RecentIds,
    /// Ids already reported without a server ack in time (reported once).
    reported_late: RecentIds,
    /// Ids already reported refused (reported once; also after a late report: the page
    /// may refuse a send it held on the clock).
    reported_refused: RecentIds,
}

impl Deliveries {
    pub fn new(timeout: Duration) -> Deliveries {
        Deliveries {
            timeout_ms: i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX),
            waiting: HashMap::new(),
            ours: RecentIds::new(REMEMBERED),
            acked_early: RecentIds::new(REMEMBERED),
            refused_early: RecentIds::new(REMEMBERED),
            reported_late: RecentIds::new(REMEMBERED),
            reported_refused: RecentIds::new(REMEMBERED),
        }
    }

    /// The page took a send: watch it unless the server confirmed it already.
    pub fn sent(&mut self, watch: Watch, now_ms: i64) -> Vec<WaEvent> {
        self.ours.insert(&watch.id);
        if self.refused_early.contains(&watch.id) {
            return self.not_delivered(&watch.id, Undelivered::Refused);
        }
        if watch.server_acked || self.acked_early.contains(&watch.id) {
            return Vec::new();
        }
        let deadline = watch.sent_at_ms.saturating_add(self.timeout_ms);
        if deadline <= now_ms {
            return self.not_delivered(&watch.id, Undelivered::NoServerAck);
        }
        self.waiting.insert(watch.id, deadline);
        Vec::new()
    }

    /// An ack of any message: confirms or refuses one of ours.
    pub fn ack(&mut self, id: &str, ack: Ack) -> Vec<WaEvent> {
        if ack >= 1 {
            if self.waiting.remove(id).is_none() && !self.ours.contains(id) {
                self.acked_early.insert(id);
            }
            return Vec::new();
        }
        if ack < 0 {
            if self.ours.contains(id) {
                self.waiting.remove(id);
                return self.not_delivered(id, Undelivered::Refused);
            }
            self.refused_early.insert(id);
        }
        Vec::new()
    }

    /// Sends whose server ack did not come in time.
    pub fn expired(&mut self, now_ms: i64) -> Vec<WaEvent> {
        let late: Vec<String> = self
            .waiting
            .iter()
            .filter(|(_, deadline)| **deadline <= now_ms)
            .map(|(id, _)| id.clone())
            .collect();
        let mut out = Vec::new();
        for id in late {
            self.waiting.remove(&id);
            out.extend(self.not_delivered(&id, Undelivered::NoServerAck));
        }
        out
    }

    /// When the next waiting send runs out of time.
    pub fn next_deadline_ms(&self) -> Option<i64> {
        self.waiting.values().min().copied()
    }

    fn not_delivered(&mut self, id: &str, reason: Undelivered) -> Vec<WaEvent> {
        let reported = match reason {
            Undelivered::NoServerAck => &mut self.reported_late,
            Undelivered::Refused => &mut self.reported_refused,
        };
        if reported.contains(id) {
            return Vec::new();
        }
        reported.insert(id);
        vec![WaEvent::NotDelivered {
            id: id.to_string(),
            reason,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(id: &str, at: i64, acked: bool) -> Watch {
        Watch {
            id: id.into(),
            sent_at_ms: at,
            server_acked: acked,
        }
    }

    fn undelivered(id: &str, reason: Undelivered) -> Vec<WaEvent> {
        vec![WaEvent::NotDelivered {
            id: id.into(),
            reason,
        }]
    }

    #[test]
    fn a_send_without_a_server_ack_in_time_is_not_delivered_once() {
        let mut book = Deliveries::new(Duration::from_secs(10));
        assert!(book.sent(watch("A", 1_000, false), 1_500).is_empty());
        assert_eq!(book.next_deadline_ms(), Some(11_000));
        assert!(book.expired(10_999).is_empty());
        assert_eq!(
            book.expired(11_000),
            undelivered("A", Undelivered::NoServerAck)
        );
        assert!(book.expired(20_000).is_empty(), "reported once");
        assert_eq!(book.next_deadline_ms(), None);
    }

    #[test]
    fn a_server_ack_before_or_after_the_answer_confirms_it() {
        let mut book = Deliveries::new(Duration::from_secs(10));
        book.sent(watch("A", 0, false), 0);
        assert!(book.ack("A", 1).is_empty());
        assert!(
            book.expired(60_000).is_empty(),
            "an acked send is delivered"
        );

        assert!(book.ack("B", 2).is_empty(), "the ack comes first");
        assert!(book.sent(watch("B", 0, false), 0).is_empty());
        assert!(book.expired(60_000).is_empty());
    }

    #[test]
    fn an_error_ack_after_the_bound_passed_is_reported_too() {
        let mut book = Deliveries::new(Duration::from_secs(10));
        book.sent(watch("A", 0, false), 0);
        assert_eq!(
            book.expired(10_000),
            undelivered("A", Undelivered::NoServerAck)
        );
        assert_eq!(book.ack("A", -1), undelivered("A", Undelivered::Refused));
        assert!(book.ack("A", -1).is_empty(), "reported once");
    }

    #[test]
    fn an_error_ack_refuses_it_even_after_the_page_said_ok() {
        let mut book = Deliveries::new(Duration::from_secs(10));
        assert!(book.sent(watch("A", 0, true), 0).is_empty());
        assert_eq!(book.ack("A", -1), undelivered("A", Undelivered::Refused));
        assert!(book.ack("A", -1).is_empty(), "reported once");

        assert!(book.ack("B", -1).is_empty(), "not known to be ours yet");
        assert_eq!(
            book.sent(watch("B", 0, false), 0),
            undelivered("B", Undelivered::Refused)
        );
        assert!(
            book.ack("someone-else", -1).is_empty(),
            "only our own sends are reported"
        );
    }
}
