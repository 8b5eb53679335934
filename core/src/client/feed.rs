//! The events waiting for the application, and what a save must know of them: the messages
//! not taken yet, and the cursor from before the answer that brought the oldest of them.

use crate::Event;
use crate::cursor::SyncCursor;
use crate::message::Message;
use std::collections::VecDeque;

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Feed {
    events: VecDeque<Event>,
    /// `Event::Message`s in `events`.
    untaken: usize,
    /// The cursor before the oldest answer whose messages are not all taken.
    rewind: Option<SyncCursor>,
}

impl Feed {
    /// Queues an event (not a message: see [`Feed::push_message`]).
    pub(super) fn push(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Queues a message that came with an answer applied on top of `before`.
    pub(super) fn push_message(&mut self, message: Message, before: &SyncCursor) {
        if self.untaken == 0 {
            // The first message the application has not taken: a save from now on stores the
            // keys from before this answer, so the message is fetched again after a restart
            // (and the ones taken meanwhile are dropped as duplicates).
            self.rewind = Some(before.clone());
        }
        self.untaken += 1;
        self.events.push_back(Event::Message(Box::new(message)));
    }

    /// The next event for the application.
    pub(super) fn pop(&mut self) -> Option<Event> {
        let next = self.events.pop_front();
        match &next {
            None => {
                // An idle session keeps no room for events it does not have.
                self.events = VecDeque::new();
            }
            Some(Event::Message(_)) => {
                self.untaken = self.untaken.saturating_sub(1);
                if self.untaken == 0 {
                    self.rewind = None;
                }
            }
            Some(_) => {}
        }
        next
    }

    /// How many events wait.
    pub(super) fn len(&self) -> usize {
        self.events.len()
    }

    /// The cursor a save must store instead of the current one, while messages wait.
    pub(super) fn rewind(&self) -> Option<&SyncCursor> {
        self.rewind.as_ref()
    }

    /// The ids of the messages waiting.
    pub(super) fn untaken_ids(&self) -> impl Iterator<Item = &str> {
        let any = self.untaken > 0;
        self.events
            .iter()
            .filter(move |_| any)
            .filter_map(|e| match e {
                Event::Message(m) => Some(m.id.as_str()),
                _ => None,
            })
    }
}
