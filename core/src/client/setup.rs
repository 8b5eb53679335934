//! The session set-up after login: `webwxinit` → `webwxstatusnotify` → `webwxgetcontact` pages →
//! `webwxbatchgetcontact` batches → ready.

use super::calls::{BaseBody, Exchange, with_session_query};
use super::sync::SyncCheckCall;
use super::{Client, Fault};
use crate::cursor::SyncCursor;
use crate::model::{BatchGetContactAnswer, GetContactAnswer, InitAnswer, PlainAnswer, SyncKey};
use crate::request::ApiRequest;
use crate::{Endpoint, Error, Event, ParseError, State, Timestamp};
use std::sync::Arc;

/// Groups per `webwxbatchgetcontact` request.
pub(crate) const BATCH_SIZE: usize = 50;

/// `webwxinit`: the self user, recent chats and the first SyncKey.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct InitCall;

impl Exchange for InitCall {
    const ENDPOINT: Endpoint = Endpoint::Init;
    type Answer = InitAnswer;

    fn request(&self, client: &Client, now: Timestamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .text("r", now.js_bitwise_not())
                .text("lang", &client.config.lang)
                .encoded("pass_ticket", creds.pass_ticket.expose())
                .json(&BaseBody {
                    base_request: creds.base_request(),
                }),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        init: InitAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        if init.user.user_name.is_empty() {
            return Err(ParseError::Missing("User.UserName").into());
        }
        SyncCursor::check(
            [&init.sync_key, &SyncKey::default()],
            client.config.limits.max_sync_key_entries,
        )?;
        if let Some(creds) = client.session.credentials.as_mut() {
            creds.update_skey(init.skey);
        }
        client
            .session
            .cursor
            .advance(init.sync_key, SyncKey::default());
        for contact in init.contact_list {
            client
                .session
                .contacts
                .upsert(contact, &client.config.limits)?;
        }
        client.session.user = Some(init.user.into());
        client.set_state(State::NotifyingStatus);
        client.issue(StatusNotifyCall, 0, now);
        Ok(())
    }
}

/// `{"BaseRequest", "Code", "FromUserName", "ToUserName", "ClientMsgId"}`.
#[derive(serde::Serialize)]
struct StatusNotifyBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "Code")]
    code: u32,
    #[serde(rename = "FromUserName")]
    from: &'a str,
    #[serde(rename = "ToUserName")]
    to: &'a str,
    #[serde(rename = "ClientMsgId")]
    client_msg_id: u64,
}

/// `webwxstatusnotify` with `code` (3 inited, 1 read) about `chat` (the self user when
/// `None`): the request of the set-up's notice and of read marks.
pub(super) fn status_notify(
    client: &Client,
    code: u32,
    chat: Option<&str>,
    now: Timestamp,
) -> Option<ApiRequest> {
    let creds = client.session.credentials.as_ref()?;
    let me = client.session.user.as_ref().map(|u| u.user_name.as_str())?;
    Some(
        ApiRequest::new(Endpoint::StatusNotify)
            .text("lang", &client.config.lang)
            .encoded("pass_ticket", creds.pass_ticket.expose())
            .json(&StatusNotifyBody {
                base_request: creds.base_request(),
                code,
                from: me,
                to: chat.unwrap_or(me),
                client_msg_id: now.as_unix_millis(),
            }),
    )
}

/// `webwxstatusnotify` Code 3: tell the phone about this client.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct StatusNotifyCall;

impl Exchange for StatusNotifyCall {
    const ENDPOINT: Endpoint = Endpoint::StatusNotify;
    type Answer = PlainAnswer;

    fn request(&self, client: &Client, now: Timestamp) -> Option<ApiRequest> {
        status_notify(client, 3, None, now)
    }

    fn handle(
        &self,
        client: &mut Client,
        _: PlainAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        client.set_state(State::LoadingContacts { pages: 0 });
        client.issue(GetContactCall { seq: 0 }, 0, now);
        Ok(())
    }
}

/// One `webwxgetcontact` page, from `seq` (0 for the first).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct GetContactCall {
    seq: u64,
}

impl Exchange for GetContactCall {
    const ENDPOINT: Endpoint = Endpoint::GetContact;
    type Answer = GetContactAnswer;

    fn request(&self, client: &Client, now: Timestamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        Some(
            with_session_query(ApiRequest::new(Self::ENDPOINT), client, creds)
                .text("r", now.as_unix_millis())
                .text("seq", self.seq)
                .text("skey", creds.skey.expose()),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        page: GetContactAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        for contact in page.member_list {
            client
                .session
                .contacts
                .upsert(contact, &client.config.limits)?;
        }
        // The state carries the count of pages so far.
        let pages = match client.state {
            State::LoadingContacts { pages } => pages + 1,
            _ => 1,
        };
        client.set_state(State::LoadingContacts { pages });
        client.events.push(Event::ContactsProgress {
            contacts: client.session.contacts.len(),
            pages,
        });
        if page.seq == 0 {
            BatchGetContactCall::start(client, now);
            return Ok(());
        }
        if page.seq == self.seq {
            return Err(Fault::Fatal(Error::Protocol {
                endpoint: Endpoint::GetContact,
                detail: "contact paging did not advance (the same Seq twice)",
            }));
        }
        if pages >= client.config.limits.max_contact_pages {
            return Err(Fault::Fatal(Error::LimitExceeded {
                what: "contact pages",
                limit: client.config.limits.max_contact_pages as usize,
            }));
        }
        client.issue(GetContactCall { seq: page.seq }, 0, now);
        Ok(())
    }
}

/// One `webwxbatchgetcontact` request: the members of the [`BATCH_SIZE`] groups from `from`
/// in `groups` (every group of the store, shared by the calls of all batches).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct BatchGetContactCall {
    /// `(UserName, EncryChatRoomId)` of every group.
    groups: Arc<[(String, String)]>,
    from: usize,
}

#[derive(serde::Serialize)]
struct BatchBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "Count")]
    count: usize,
    #[serde(rename = "List")]
    list: Vec<BatchEntry<'a>>,
}

#[derive(serde::Serialize)]
struct BatchEntry<'a> {
    #[serde(rename = "UserName")]
    user_name: &'a str,
    #[serde(rename = "EncryChatRoomId")]
    encry_chat_room_id: &'a str,
}

impl BatchGetContactCall {
    /// This call's groups.
    fn batch(&self) -> &[(String, String)] {
        let end = self.groups.len().min(self.from.saturating_add(BATCH_SIZE));
        self.groups.get(self.from..end).unwrap_or_default()
    }

    /// The progress after this batch: batches done, batches in all.
    fn progress(&self) -> (usize, usize) {
        let done = (self.from / BATCH_SIZE).saturating_add(1);
        (done, self.groups.len().div_ceil(BATCH_SIZE))
    }

    /// Fetches the members of every known group, 50 groups a request (ready at once when there
    /// are no groups).
    fn start(client: &mut Client, now: Timestamp) {
        let groups: Arc<[(String, String)]> = client
            .session
            .contacts
            .groups()
            .map(|g| (g.user_name.clone(), g.encry_chat_room_id.clone()))
            .collect();
        if groups.is_empty() {
            return become_ready(client, now);
        }
        let total = groups.len().div_ceil(BATCH_SIZE);
        client.set_state(State::LoadingGroupMembers { done: 0, total });
        client.issue(BatchGetContactCall { groups, from: 0 }, 0, now);
    }
}

impl Exchange for BatchGetContactCall {
    const ENDPOINT: Endpoint = Endpoint::BatchGetContact;
    type Answer = BatchGetContactAnswer;

    fn request(&self, client: &Client, now: Timestamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        let list: Vec<BatchEntry<'_>> = self
            .batch()
            .iter()
            .map(|(user_name, room)| BatchEntry {
                user_name,
                encry_chat_room_id: room,
            })
            .collect();
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .text("type", "ex")
                .text("r", now.as_unix_millis())
                .text("lang", &client.config.lang)
                .encoded("pass_ticket", creds.pass_ticket.expose())
                .json(&BatchBody {
                    base_request: creds.base_request(),
                    count: list.len(),
                    list,
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
        for contact in answer.contact_list {
            client
                .session
                .contacts
                .upsert(contact, &client.config.limits)?;
        }
        let (done, total) = self.progress();
        if done < total {
            client.set_state(State::LoadingGroupMembers { done, total });
            let next = BatchGetContactCall {
                groups: Arc::clone(&self.groups),
                from: self.from.saturating_add(BATCH_SIZE),
            };
            client.issue(next, 0, now);
        } else {
            become_ready(client, now);
        }
        Ok(())
    }
}

/// Logged in and loaded: the message loop starts and queued sends go out.
fn become_ready(client: &mut Client, now: Timestamp) {
    client.set_state(State::Ready);
    let user = Box::new(client.session.user.clone().unwrap_or_default());
    client.events.push(Event::Ready {
        user,
        counts: client.session.contacts.counts(),
    });
    client.issue(SyncCheckCall, 0, now);
    client.pump_outbox(now);
}
