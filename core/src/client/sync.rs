//! The message loop: one synccheck long poll in flight; webwxsync when it says so; everything a
//! sync answer carries applied before the keys advance.

use super::calls::Call;
use super::{Client, Fault};
use crate::cursor::SyncCursor;
use crate::model::{Contact, SyncAnswer};
use crate::parse::parse_synccheck;
use crate::{Endpoint, Event, Message, State, Timestamp};

impl Client {
    /// Starts the loop (on becoming ready).
    pub(super) fn start_sync_loop(&mut self, now: Timestamp) {
        self.issue(Call::SyncCheck, 0, now);
    }

    pub(super) fn on_synccheck(
        &mut self,
        sent_at: Timestamp,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), Fault> {
        let check = parse_synccheck(body)?;
        Self::check_code(Endpoint::SyncCheck, check.retcode, "")?;
        if check.selector == 0 {
            let at = sent_at.after(self.config.long_poll_min_interval);
            self.issue_at(Call::SyncCheck, at, now);
        } else {
            // Any selector other than 0 (2, 4, 6, 7, 3 and ones not seen yet) means: sync.
            self.issue(Call::Sync, 0, now);
        }
        Ok(())
    }

    pub(super) fn on_sync(&mut self, body: &[u8], now: Timestamp) -> Result<(), Fault> {
        let answer: SyncAnswer = self.answer(Endpoint::Sync, body)?;
        SyncCursor::check(
            [&answer.sync_key, &answer.sync_check_key],
            self.config.limits.max_sync_key_entries,
        )?;
        let continue_flag = answer.continue_flag;
        let resuming = self.state == State::Resuming;
        if resuming {
            // The saved session answered: it is live (announced before what the answer carries).
            self.resumed();
        }
        let delivered = self.apply_sync(answer)?;
        if resuming {
            self.pump_outbox(now);
        }
        // The loop goes on at once while answers bring new messages. An answer with nothing
        // new (a server that keeps saying "sync" or "continue" without data) paces it: the next
        // call waits for `long_poll_min_interval`, so no server can make the client spin.
        let pace = self.config.long_poll_min_interval;
        if continue_flag != 0 {
            let at = if delivered > 0 { now } else { now.after(pace) };
            self.issue_at(Call::Sync, at, now);
        } else {
            let at = match self.last_synccheck_at {
                Some(sent) if delivered == 0 => sent.after(pace),
                _ => now,
            };
            self.issue_at(Call::SyncCheck, at, now);
        }
        Ok(())
    }

    /// Applies everything a sync answer carries, then advances the keys. Returns how many new
    /// messages it delivered.
    fn apply_sync(&mut self, answer: SyncAnswer) -> Result<usize, Fault> {
        let limits = self.config.limits.clone();
        for contact in answer.mod_contact_list {
            if self.session.contacts.upsert(contact.clone(), &limits)? {
                self.events.push(Event::ContactChanged(Box::new(contact)));
            }
        }
        for contact in answer.del_contact_list {
            if self.session.contacts.remove(&contact.user_name).is_some() {
                self.events.push(Event::ContactRemoved {
                    user_name: contact.user_name,
                });
            }
        }
        for group in answer.mod_chat_room_member_list {
            let name = group.user_name.clone();
            self.session.contacts.upsert(group, &limits)?;
            self.events.push(Event::GroupMembersChanged { group: name });
        }
        if answer.profile.bit_flag != 0
            && let Some(user) = self.session.user.as_mut()
        {
            let p = &answer.profile;
            if !p.nick_name.buff.is_empty() {
                user.nick_name = p.nick_name.buff.clone();
            }
            if !p.signature.is_empty() {
                user.signature = p.signature.clone();
            }
            if !p.head_img_url.is_empty() {
                user.head_img_url = p.head_img_url.clone();
            }
            if !p.alias.is_empty() {
                user.alias = p.alias.clone();
            }
            self.events
                .push(Event::ProfileChanged(Box::new(user.clone())));
        }
        let nobody = Contact::default();
        let me = self.session.user.as_ref().unwrap_or(&nobody);
        let mut delivered = 0;
        for raw in answer.add_msg_list {
            if !self
                .session
                .seen
                .insert(&raw.dedup_id(), limits.max_remembered_msg_ids)
            {
                tracing::debug!("duplicate message dropped");
                continue;
            }
            let message = Message::from_raw_with(raw, me, &self.session.contacts, &limits);
            delivered += 1;
            self.events.push_message(message, &self.session.cursor);
        }
        // Only now, with everything handled, do the keys advance.
        self.session
            .cursor
            .advance(answer.sync_key, answer.sync_check_key);
        if let Some(creds) = self.session.credentials.as_mut() {
            creds.update_skey(answer.skey);
        }
        Ok(delivered)
    }
}
