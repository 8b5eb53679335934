//! The message loop: one synccheck long poll in flight; webwxsync when it says so; everything a
//! sync answer carries applied before the keys advance.

use super::calls::{Exchange, Stamp, check_code};
use super::{Client, Fault};
use crate::Contact;
use crate::cursor::SyncCursor;
use crate::model::SyncAnswer;
use crate::parse::SyncCheck;
use crate::request::ApiRequest;
use crate::{Endpoint, Event, LogoutReason, Message, State, Timestamp};

/// The message loop's own state, beside the session's cursor.
#[derive(Debug, Default)]
pub(super) struct MessageLoop {
    /// Whether [`Event::Offline`] was announced and [`Event::Online`] not yet.
    pub(super) offline: bool,
    /// The loop's next call, held back while the application has
    /// [`Config::max_queued_events`](crate::Config::max_queued_events) events to take (boxed:
    /// a call is large, and rarely paused).
    pub(super) paused: Option<Box<super::calls::Call>>,
    /// When the latest synccheck was sent (the loop is paced from it).
    pub(super) last_synccheck_at: Option<Timestamp>,
}

/// `synccheck`: the long poll on the push host that says whether to sync.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct SyncCheckCall;

impl Exchange for SyncCheckCall {
    const ENDPOINT: Endpoint = Endpoint::SyncCheck;
    type Answer = SyncCheck;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let now = at.now;
        let creds = client.session.credentials.as_ref()?;
        let ms = now.as_unix_millis();
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("r", ms)
                .component("skey", creds.skey.expose())
                .component("sid", creds.sid.expose())
                .raw("uin", creds.uin)
                .raw("deviceid", &at.device_id)
                .component("synckey", client.session.cursor.for_synccheck())
                .raw("_", at.nonce),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        check: SyncCheck,
        sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        if let Some(reason) = LogoutReason::from_code(check.retcode) {
            // As the official page does (`loginout(0)` for 1100, `loginout(1)` for 1101 and
            // 1102): the logout form, then the session is over.
            client.log_out(reason, now);
            return Ok(());
        }
        check_code(Self::ENDPOINT, check.retcode, "")?;
        if check.selector == 0 {
            let at = sent_at.after(client.config.long_poll_min_interval);
            client.issue_at(SyncCheckCall, at, now);
        } else {
            // Any selector other than 0 (2, 4, 6, 7, 3 and ones not seen yet) means: sync.
            client.issue(SyncCall, 0, now);
        }
        Ok(())
    }
}

/// `{"BaseRequest", "SyncKey", "rr"}`.
#[derive(serde::Serialize)]
struct SyncBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "SyncKey")]
    sync_key: &'a crate::model::SyncKey,
    rr: i32,
}

/// `webwxsync`: what is new since the SyncKey; also the probe of a resumed session.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct SyncCall;

impl Exchange for SyncCall {
    const ENDPOINT: Endpoint = Endpoint::Sync;
    type Answer = SyncAnswer;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let now = at.now;
        let creds = client.session.credentials.as_ref()?;
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("sid", creds.sid.expose())
                .raw("skey", creds.skey.expose())
                .json(&SyncBody {
                    base_request: creds.base_request(&at.device_id),
                    sync_key: client.session.cursor.sync_key(),
                    rr: now.js_bitwise_not(),
                }),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        answer: SyncAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        SyncCursor::check(
            [&answer.sync_key, &answer.sync_check_key],
            client.config.limits.max_sync_key_entries,
        )?;
        let continue_flag = answer.continue_flag;
        let resuming = client.state == State::Resuming;
        if resuming {
            // The saved session answered: it is live (announced before what the answer carries).
            client.resumed();
        }
        let (delivered, wanted) = client.apply_sync(answer)?;
        for group in wanted {
            client.want_group(&group, now);
        }
        if resuming {
            client.pump_outbox(now);
        }
        // The loop goes on at once while answers bring new messages. An answer with nothing
        // new (a server that keeps saying "sync" or "continue" without data) paces it: the next
        // call waits for `long_poll_min_interval`, so no server can make the client spin.
        let pace = client.config.long_poll_min_interval;
        if continue_flag != 0 {
            let at = if delivered > 0 { now } else { now.after(pace) };
            client.issue_at(SyncCall, at, now);
        } else {
            let at = match client.message_loop.last_synccheck_at {
                Some(sent) if delivered == 0 => sent.after(pace),
                _ => now,
            };
            client.issue_at(SyncCheckCall, at, now);
        }
        Ok(())
    }
}

impl Client {
    /// Applies everything a sync answer carries, then advances the keys. Returns how many new
    /// messages it delivered, and the groups they came from or went to whose members the store
    /// does not know.
    fn apply_sync(&mut self, answer: SyncAnswer) -> Result<(usize, Vec<String>), Fault> {
        let limits = self.config.limits.clone();
        for contact in answer.mod_contact_list {
            let contact = Contact::from(contact);
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
                user.set_nick_name(&p.nick_name.buff);
            }
            if !p.signature.is_empty() {
                user.set_signature(&p.signature);
            }
            if !p.head_img_url.is_empty() {
                user.set_head_img_url(&p.head_img_url);
            }
            if !p.alias.is_empty() {
                user.set_alias(&p.alias);
            }
            self.events
                .push(Event::ProfileChanged(Box::new(user.clone())));
        }
        let nobody = Contact::default();
        let me = self.session.user.as_ref().unwrap_or(&nobody);
        let mut delivered = 0;
        let mut wanted: Vec<String> = Vec::new();
        for raw in answer.add_msg_list {
            if !self
                .session
                .seen
                .insert(&raw.dedup_id(), limits.max_remembered_msg_ids)
            {
                tracing::debug!("duplicate message dropped");
                continue;
            }
            // A group the store does not know with its members is wanted (the page's
            // `getContact` of the message's peer).
            let peer = [&raw.from_user_name, &raw.to_user_name]
                .into_iter()
                .find(|n| crate::contact::is_group_user_name(n));
            if let Some(group) = peer
                && self
                    .session
                    .contacts
                    .get(group)
                    .is_none_or(|c| c.members().is_empty())
                && !wanted.contains(group)
            {
                wanted.push(group.clone());
            }
            let mut message = Message::from_raw_with(raw, me, &self.session.contacts, &limits);
            if message.is_dropped() {
                // A friend request from the account itself: the official page drops it.
                continue;
            }
            if let crate::Content::Recalled { msg_id, seen, .. } = &mut message.content {
                *seen = self.session.seen.contains(msg_id);
            }
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
        Ok((delivered, wanted))
    }
}
