//! The events waiting for the application, and what a save must know of them: the messages
//! not taken yet, and the cursor from before the answer that brought the oldest of them.
//!
//! Messages that arrive before the session is live (the message loop starts with the contact
//! pages, so a message can come before `Ready`) are held back and follow `Ready` (or
//! `Resumed`, or the end): an application that stops at `Ready` — `webwx login` saves there —
//! has not taken them, so a save fetches them again instead of losing them.

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
    /// Messages held until the session is live (counted in `untaken`).
    held: Vec<Event>,
    /// Whether the session has been live (messages are no longer held).
    live: bool,
}

impl Feed {
    /// Queues an event (not a message: see [`Feed::push_message`]).
    pub(super) fn push(&mut self, event: Event) {
        let opens = matches!(
            event,
            Event::Ready { .. }
                | Event::Resumed { .. }
                | Event::LoggedOut { .. }
                | Event::Failed(_)
        );
        self.events.push_back(event);
        if opens && !self.live {
            self.live = true;
            self.events.extend(self.held.drain(..));
            self.held = Vec::new();
        }
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
        let event = Event::Message(Box::new(message));
        if self.live {
            self.events.push_back(event);
        } else {
            self.held.push(event);
        }
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

    /// Whether [`Feed::pop`] has an event to give (held messages wait for the session to be
    /// live).
    pub(super) fn has_next(&self) -> bool {
        !self.events.is_empty()
    }

    /// How many events wait.
    pub(super) fn len(&self) -> usize {
        self.events.len() + self.held.len()
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
            .chain(self.held.iter())
            .filter(move |_| any)
            .filter_map(|e| match e {
                Event::Message(m) => Some(m.id.as_str()),
                _ => None,
            })
    }
}
