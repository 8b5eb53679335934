//! Fetching groups (and unknown contacts) with `webwxbatchgetcontact`, as the official page does:
//! a queue of wanted user names, groups in front, sent 200 ms after something is wanted, at most
//! 50 a request, one request at a time, the next chained on its answer. At start-up the groups of
//! init's `ChatSet` are wanted; later a message from or to a group the store does not know with
//! its members wants that group.

use super::calls::{Exchange, Stamp};
use super::setup::{BATCH_DELAY, become_ready};
use super::{Client, Fault};
use crate::model::BatchGetContactAnswer;
use crate::request::ApiRequest;
use crate::{Endpoint, Error, Event, Limits, State, Timestamp};
use std::collections::VecDeque;

/// Entries per `webwxbatchgetcontact` request.
pub(crate) const BATCH_SIZE: usize = 50;

/// One wanted user name, and the shape of its entry in the request's `List`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Wanted {
    /// A group the store knows with its members (a `ChatSet` group from init's `ContactList`):
    /// `{"UserName": "@@…", "ChatRoomId": ""}` (`addBatchgetChatroomContact`).
    ChatRoom(String),
    /// A group or contact the store does not know, or a group without members:
    /// `{"UserName": "@@…", "EncryChatRoomId": ""}` (`getContact`).
    Unknown(String),
}

impl Wanted {
    fn user_name(&self) -> &str {
        match self {
            Wanted::ChatRoom(name) | Wanted::Unknown(name) => name,
        }
    }
}

impl serde::Serialize for Wanted {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut entry = serializer.serialize_struct("Entry", 2)?;
        match self {
            Wanted::ChatRoom(name) => {
                entry.serialize_field("UserName", name)?;
                entry.serialize_field("ChatRoomId", "")?;
            }
            Wanted::Unknown(name) => {
                entry.serialize_field("UserName", name)?;
                entry.serialize_field("EncryChatRoomId", "")?;
            }
        }
        entry.end()
    }
}

/// The wanted user names: see the module docs.
#[derive(Debug, Default)]
pub(super) struct GroupQueue {
    /// Wanted, not yet asked for; each with whether the start-up wants it.
    waiting: VecDeque<(Wanted, bool)>,
    /// The user names of the request in flight (or scheduled); empty when none is (a request
    /// always asks for at least one).
    asking: Vec<String>,
    /// Start-up entries in all, and not yet answered (or given up).
    startup_total: usize,
    startup_left: usize,
}

impl GroupQueue {
    /// The start-up's wanted groups, in `ChatSet` order; each goes in front (`unshift`), so they
    /// are asked for in the reverse order.
    pub(super) fn start_up(&mut self, wanted: Vec<Wanted>, limits: &Limits) {
        for w in wanted.into_iter().take(limits.max_send_queue) {
            if !self.is_wanted(w.user_name()) {
                self.waiting.push_front((w, true));
                self.startup_total += 1;
                self.startup_left += 1;
            }
        }
    }

    /// Batches done and in all while start-up groups are still wanted; `None` once they are in.
    pub(super) fn start_up_progress(&self) -> Option<(usize, usize)> {
        (self.startup_left > 0).then(|| {
            let total = self.startup_total.div_ceil(BATCH_SIZE);
            let done = (self.startup_total - self.startup_left) / BATCH_SIZE;
            (done, total)
        })
    }

    fn is_wanted(&self, user_name: &str) -> bool {
        self.asking.iter().any(|n| n == user_name)
            || self.waiting.iter().any(|(w, _)| w.user_name() == user_name)
    }

    /// Wants `group` later (not at start-up). Bounded: past `limit` waiting, it is dropped.
    fn want(&mut self, group: &str, limit: usize) -> bool {
        if self.is_wanted(group) || self.waiting.len() >= limit {
            return false;
        }
        self.waiting
            .push_front((Wanted::Unknown(group.to_string()), false));
        true
    }

    /// The next request's entries, unless one is in flight or none is wanted.
    fn next_batch(&mut self) -> Option<Vec<(Wanted, bool)>> {
        if !self.asking.is_empty() || self.waiting.is_empty() {
            return None;
        }
        let n = self.waiting.len().min(BATCH_SIZE);
        let batch: Vec<(Wanted, bool)> = self.waiting.drain(..n).collect();
        self.asking = batch
            .iter()
            .map(|(w, _)| w.user_name().to_string())
            .collect();
        if self.waiting.is_empty() {
            // An idle session keeps no room for names it does not want.
            self.waiting = VecDeque::new();
        }
        Some(batch)
    }

    /// The request in flight was answered or given up; `startup` of its entries were the
    /// start-up's.
    fn done(&mut self, startup: usize) {
        self.asking.clear();
        self.startup_left = self.startup_left.saturating_sub(startup);
    }

    /// Forgets everything (the session ended).
    pub(super) fn clear(&mut self) {
        *self = GroupQueue::default();
    }
}

/// `{"BaseRequest", "Count", "List"}`.
#[derive(serde::Serialize)]
struct BatchBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "Count")]
    count: usize,
    #[serde(rename = "List")]
    list: Vec<&'a Wanted>,
}

/// One `webwxbatchgetcontact` request: up to [`BATCH_SIZE`] wanted user names.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct BatchGetContactCall {
    /// The entries, each with whether the start-up wanted it.
    entries: Vec<(Wanted, bool)>,
}

impl BatchGetContactCall {
    fn startup_entries(&self) -> usize {
        self.entries.iter().filter(|(_, s)| *s).count()
    }
}

impl Exchange for BatchGetContactCall {
    const ENDPOINT: Endpoint = Endpoint::BatchGetContact;
    type Answer = BatchGetContactAnswer;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("type", "ex")
                .raw("r", at.now.as_unix_millis())
                .json(&BatchBody {
                    base_request: creds.base_request(&at.device_id),
                    count: self.entries.len(),
                    list: self.entries.iter().map(|(w, _)| w).collect(),
                }),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        answer: BatchGetContactAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        let announce = client.state == State::Ready;
        for contact in answer.contact_list {
            let contact = crate::Contact::from(contact);
            if client
                .session
                .contacts
                .upsert(contact.clone(), &client.config.limits)?
                && announce
            {
                client.events.push(Event::ContactChanged(Box::new(contact)));
            }
        }
        client.groups.done(self.startup_entries());
        client.group_batch_over(now);
        Ok(())
    }

    /// The page gives up on a failed entry too: the session goes on without it.
    fn give_up(self, client: &mut Client, error: Error, now: Timestamp) {
        tracing::warn!(%error, entries = self.entries.len(), "batch of contacts given up");
        client.groups.done(self.startup_entries());
        client.group_batch_over(now);
    }
}

impl Client {
    /// Asks for the wanted names [`BATCH_DELAY`] from now, unless a request is on its way.
    pub(super) fn schedule_group_fetch(&mut self, now: Timestamp) {
        if let Some(entries) = self.groups.next_batch() {
            self.issue_at(BatchGetContactCall { entries }, now.after(BATCH_DELAY), now);
        }
    }

    /// Wants `group` (a message came from or went to it and the store does not know its members).
    pub(super) fn want_group(&mut self, group: &str, now: Timestamp) {
        let known = self
            .session
            .contacts
            .get(group)
            .is_some_and(|c| !c.members().is_empty());
        if !known && self.groups.want(group, self.config.limits.max_send_queue) {
            self.schedule_group_fetch(now);
        }
    }

    /// A request was answered or given up: the set-up may be over, and the next one goes at
    /// once (chained, as on the page).
    fn group_batch_over(&mut self, now: Timestamp) {
        if let State::LoadingGroupMembers { .. } = self.state {
            match self.groups.start_up_progress() {
                None => become_ready(self, now),
                Some((done, total)) => self.set_state(State::LoadingGroupMembers { done, total }),
            }
        }
        if let Some(entries) = self.groups.next_batch() {
            self.issue(BatchGetContactCall { entries }, 0, now);
        }
    }
}
