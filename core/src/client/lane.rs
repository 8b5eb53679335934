//! A serial lane: items go out one at a time, in order, the next only once the one before is
//! done (and, for sends, at least an interval after it). Sends and read marks each have one.

use crate::Timestamp;
use std::collections::VecDeque;
use std::time::Duration;

/// See the module docs.
#[derive(Debug)]
pub(super) struct Lane<T> {
    waiting: VecDeque<T>,
    /// Whether an item is in flight or scheduled.
    busy: bool,
    /// When the last item was done.
    last_done: Option<Timestamp>,
}

impl<T> Default for Lane<T> {
    fn default() -> Self {
        Lane {
            waiting: VecDeque::new(),
            busy: false,
            last_done: None,
        }
    }
}

impl<T> Lane<T> {
    /// Queues `item`.
    pub(super) fn push(&mut self, item: T) {
        self.waiting.push_back(item);
    }

    /// The items waiting (not the one in flight).
    pub(super) fn waiting(&self) -> impl Iterator<Item = &T> {
        self.waiting.iter()
    }

    /// Items waiting, plus the one in flight.
    pub(super) fn len(&self) -> usize {
        self.waiting.len() + usize::from(self.busy)
    }

    /// The next item and the time it may go out (`gap` after the last one was done), unless an
    /// item is in flight or none waits.
    pub(super) fn next(&mut self, now: Timestamp, gap: Duration) -> Option<(T, Timestamp)> {
        if self.busy {
            return None;
        }
        let item = self.waiting.pop_front()?;
        self.busy = true;
        let at = self.last_done.map_or(now, |t| t.after(gap)).max(now);
        Some((item, at))
    }

    /// The item in flight is done (sent, or given up).
    pub(super) fn done(&mut self, now: Timestamp) {
        self.busy = false;
        self.last_done = Some(now);
        if self.waiting.is_empty() {
            // An idle session keeps no room for items it does not have.
            self.waiting = VecDeque::new();
        }
    }

    /// Takes the first waiting item `matches` picks out of the lane.
    pub(super) fn remove(&mut self, matches: impl Fn(&T) -> bool) -> Option<T> {
        let at = self.waiting.iter().position(matches)?;
        self.waiting.remove(at)
    }

    /// Empties the lane; the items that waited are returned.
    pub(super) fn drain(&mut self) -> Vec<T> {
        self.busy = false;
        std::mem::take(&mut self.waiting).into()
    }

    /// Moves the time of the last item back by `step` (the clock went backwards).
    pub(super) fn shift_back(&mut self, step: Duration) {
        self.last_done = self.last_done.map(|t| t.before(step));
    }
}
