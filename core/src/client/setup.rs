//! The session set-up after login: `webwxinit` → `webwxstatusnotify` → `webwxgetcontact` pages →
//! `webwxbatchgetcontact` batches → ready.

use super::calls::{BATCH_SIZE, Call};
use super::{Client, Fault};
use crate::cursor::SyncCursor;
use crate::model::{BatchGetContactAnswer, GetContactAnswer, InitAnswer, PlainAnswer, SyncKey};
use crate::{Endpoint, Error, Event, ParseError, State, Timestamp};

impl Client {
    pub(super) fn on_init(&mut self, body: &[u8], now: Timestamp) -> Result<(), Fault> {
        let init: InitAnswer = self.answer(Endpoint::Init, body)?;
        if init.user.user_name.is_empty() {
            return Err(ParseError::Missing("User.UserName").into());
        }
        SyncCursor::check(
            [&init.sync_key, &SyncKey::default()],
            self.config.limits.max_sync_key_entries,
        )?;
        if let Some(creds) = self.session.credentials.as_mut() {
            creds.update_skey(init.skey);
        }
        self.session
            .cursor
            .advance(init.sync_key, SyncKey::default());
        for contact in init.contact_list {
            self.session.contacts.upsert(contact, &self.config.limits)?;
        }
        self.session.user = Some(init.user);
        self.set_state(State::NotifyingStatus);
        self.issue(Call::StatusNotify, 0, now);
        Ok(())
    }

    pub(super) fn on_status_notify(&mut self, body: &[u8], now: Timestamp) -> Result<(), Fault> {
        let _: PlainAnswer = self.answer(Endpoint::StatusNotify, body)?;
        self.set_state(State::LoadingContacts { pages: 0 });
        self.issue(Call::GetContact { seq: 0 }, 0, now);
        Ok(())
    }

    pub(super) fn on_get_contact(
        &mut self,
        seq: u64,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), Fault> {
        let page: GetContactAnswer = self.answer(Endpoint::GetContact, body)?;
        for contact in page.member_list {
            self.session.contacts.upsert(contact, &self.config.limits)?;
        }
        // The state carries the count of pages so far.
        let pages = match self.state {
            State::LoadingContacts { pages } => pages + 1,
            _ => 1,
        };
        self.set_state(State::LoadingContacts { pages });
        self.events.push(Event::ContactsProgress {
            contacts: self.session.contacts.len(),
            pages,
        });
        if page.seq == 0 {
            self.start_group_members(now);
            return Ok(());
        }
        if page.seq == seq {
            return Err(Fault::Fatal(Error::Protocol {
                endpoint: Endpoint::GetContact,
                detail: "contact paging did not advance (the same Seq twice)",
            }));
        }
        if pages >= self.config.limits.max_contact_pages {
            return Err(Fault::Fatal(Error::LimitExceeded {
                what: "contact pages",
                limit: self.config.limits.max_contact_pages as usize,
            }));
        }
        self.issue(Call::GetContact { seq: page.seq }, 0, now);
        Ok(())
    }

    /// Fetches the members of every known group, 50 groups a request.
    fn start_group_members(&mut self, now: Timestamp) {
        let groups: Vec<(String, String)> = self
            .session
            .contacts
            .groups()
            .map(|g| (g.user_name.clone(), g.encry_chat_room_id.clone()))
            .collect();
        self.group_batches = groups.chunks(BATCH_SIZE).map(<[_]>::to_vec).collect();
        if self.group_batches.is_empty() {
            return self.become_ready(now);
        }
        self.set_state(State::LoadingGroupMembers {
            done: 0,
            total: self.group_batches.len(),
        });
        self.issue(Call::BatchGetContact { batch: 0 }, 0, now);
    }

    pub(super) fn on_batch_get_contact(
        &mut self,
        batch: usize,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), Fault> {
        let answer: BatchGetContactAnswer = self.answer(Endpoint::BatchGetContact, body)?;
        for contact in answer.contact_list {
            self.session.contacts.upsert(contact, &self.config.limits)?;
        }
        let done = batch + 1;
        let total = self.group_batches.len();
        if done < total {
            self.set_state(State::LoadingGroupMembers { done, total });
            self.issue(Call::BatchGetContact { batch: done }, 0, now);
        } else {
            self.group_batches.clear();
            self.become_ready(now);
        }
        Ok(())
    }

    fn become_ready(&mut self, now: Timestamp) {
        self.set_state(State::Ready);
        let user = Box::new(self.session.user.clone().unwrap_or_default());
        self.events.push(Event::Ready {
            user,
            counts: self.session.contacts.counts(),
        });
        self.start_sync_loop(now);
        self.pump_outbox(now);
    }
}
