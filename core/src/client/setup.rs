//! The session set-up after login, as the official page runs it: the `webwxinit` answer starts
//! everything at once — `webwxstatusnotify` (not awaited), the `webwxgetcontact` pages (one after
//! another, at most 17, each followed by a `webwxstatreport`), the synccheck loop, and 200 ms later
//! the `webwxbatchgetcontact` of the groups in `ChatSet`. The client is [`State::Ready`] once the
//! pages and those groups are in; messages flow from the start.

use super::calls::{BaseBody, Exchange, Ignored, Stamp};
use super::group_fetch::Wanted;
use super::sync::SyncCheckCall;
use super::{Client, Fault};
use crate::cursor::SyncCursor;
use crate::model::{GetContactAnswer, InitAnswer, SyncKey};
use crate::request::ApiRequest;
use crate::{
    ContactKind, Endpoint, Error, Event, Failure, ParseError, SPECIAL_USER_NAMES, State, Timestamp,
};
use std::time::Duration;

/// The most `webwxgetcontact` pages the official page reads (`t <= 16 && Seq != 0`, `t` from 1):
/// past them paging stops, as it does there.
pub(crate) const MAX_CONTACT_PAGES: u32 = 17;

/// How long the page waits after a contact is wanted before it batch-fetches (`$timeout(…, 200)`).
pub(crate) const BATCH_DELAY: Duration = Duration::from_millis(200);

/// `webwxinit`: the self user, recent chats and the first SyncKey.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct InitCall;

impl Exchange for InitCall {
    const ENDPOINT: Endpoint = Endpoint::Init;
    type Answer = InitAnswer;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        // `r` is the page-load time (a constant of the page's config), and the Uin is still the
        // ticket's text: a string here, a number in every later BaseRequest.
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("r", at.page_loaded_at.js_bitwise_not())
                .json(&BaseBody {
                    base_request: creds.base_request(&at.device_id).with_uin_as_text(),
                }),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        init: InitAnswer,
        sent_at: Timestamp,
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
        if !init.mp_subscribe_msg_list.is_empty() {
            // Only webwxinit carries them: the official accounts' latest articles.
            client
                .events
                .push(crate::Event::Subscriptions(init.mp_subscribe_msg_list));
        }
        client.page.timing.init(sent_at, now);
        // `initChatList(ChatSet)`: its groups are wanted (a group known with members as
        // `ChatRoomId`, one unknown or without members as `EncryChatRoomId`), each put in front.
        let mut wanted = Vec::new();
        for name in init.chat_set.split(',') {
            let is_group = name.starts_with("@@") || name.ends_with("@chatroom");
            if name.is_empty() || !is_group || SPECIAL_USER_NAMES.contains(&name) {
                continue;
            }
            let known = client
                .session
                .contacts
                .get(name)
                .is_some_and(|c| c.kind() == ContactKind::Group && !c.members().is_empty());
            wanted.push(if known {
                Wanted::ChatRoom(name.to_string())
            } else {
                Wanted::Unknown(name.to_string())
            });
        }
        client.groups.start_up(wanted, &client.config.limits);
        client.set_state(State::LoadingContacts { pages: 0 });
        // All at once, nothing awaited, as the page does.
        client.issue(StatusNotifyCall, 0, now);
        client.page.timing.init_contact_start(now);
        client.issue(GetContactCall { seq: 0 }, 0, now);
        client.issue(SyncCheckCall, 0, now);
        client.schedule_group_fetch(now);
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
    at: &Stamp,
) -> Option<ApiRequest> {
    let creds = client.session.credentials.as_ref()?;
    let me = client.session.user.as_ref().map(|u| u.user_name())?;
    Some(
        ApiRequest::new(Endpoint::StatusNotify).json(&StatusNotifyBody {
            base_request: creds.base_request(&at.device_id),
            code,
            from: me,
            to: chat.unwrap_or(me),
            client_msg_id: at.now.as_unix_millis(),
        }),
    )
}

/// `webwxstatusnotify` Code 3: tell the phone about this client. Fire and forget, as on the page
/// (no retry; its answer is not read).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct StatusNotifyCall;

impl Exchange for StatusNotifyCall {
    const ENDPOINT: Endpoint = Endpoint::StatusNotify;
    type Answer = Ignored;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        status_notify(client, 3, None, at)
    }

    fn handle(&self, _: &mut Client, _: Ignored, _: Timestamp, _: Timestamp) -> Result<(), Fault> {
        Ok(())
    }

    fn failed(self, _: &mut Client, failure: Failure, _attempt: u32, _now: Timestamp) {
        tracing::debug!(%failure, "status notify not confirmed (not retried, as on the page)");
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

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let now = at.now;
        let creds = client.session.credentials.as_ref()?;
        Some(
            // All Angular params: on the wire sorted (lang, pass_ticket, r, seq, skey).
            ApiRequest::new(Self::ENDPOINT)
                .param("skey", creds.skey.expose())
                .param("seq", self.seq)
                .param("r", now.as_unix_millis()),
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
        // The page reports its timing after every contact page.
        let report = client.page.timing_report(&mut client.rng, now);
        client.issue(StatReportCall { text: report }, 0, now);
        if page.seq != 0 && page.seq == self.seq {
            return Err(Fault::Fatal(Error::Protocol {
                endpoint: Endpoint::GetContact,
                detail: "contact paging did not advance (the same Seq twice)",
            }));
        }
        if page.seq != 0 && pages >= client.config.limits.max_contact_pages {
            return Err(Fault::Fatal(Error::LimitExceeded {
                what: "contact pages",
                limit: client.config.limits.max_contact_pages as usize,
            }));
        }
        if page.seq == 0 || pages >= MAX_CONTACT_PAGES {
            if page.seq != 0 {
                tracing::warn!(pages, "contact paging stopped at the official page's limit");
            }
            contacts_loaded(client, now);
            return Ok(());
        }
        client.issue(GetContactCall { seq: page.seq }, 0, now);
        Ok(())
    }
}

/// The contact pages are in: ready, or waiting for the start-up groups.
fn contacts_loaded(client: &mut Client, now: Timestamp) {
    match client.groups.start_up_progress() {
        None => become_ready(client, now),
        Some((done, total)) => client.set_state(State::LoadingGroupMembers { done, total }),
    }
}

/// `{"BaseRequest": {"Uin", "Sid", "DeviceID"}, "Count", "List": [{"Type", "Text"}]}`: the
/// page's report, whose `BaseRequest` has no `Skey`.
#[derive(serde::Serialize)]
struct StatReportBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: ReportBase<'a>,
    #[serde(rename = "Count")]
    count: usize,
    #[serde(rename = "List")]
    list: [ReportEntry<'a>; 1],
}

#[derive(serde::Serialize)]
struct ReportBase<'a> {
    #[serde(rename = "Uin")]
    uin: u64,
    #[serde(rename = "Sid")]
    sid: &'a str,
    #[serde(rename = "DeviceID")]
    device_id: &'a str,
}

#[derive(serde::Serialize)]
struct ReportEntry<'a> {
    #[serde(rename = "Type")]
    kind: u32,
    #[serde(rename = "Text")]
    text: &'a str,
}

/// `webwxstatreport?fun=new`: the page's `[app-timing]` report after a contact page. Best
/// effort, as on the page: not retried, its answer not read.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct StatReportCall {
    /// The entry's `Text`: `{"type":"[app-timing]","data":{"appTiming":…,"pageTiming":…}}`.
    text: String,
}

impl Exchange for StatReportCall {
    const ENDPOINT: Endpoint = Endpoint::StatReport;
    type Answer = Ignored;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("fun", "new")
                .json(&StatReportBody {
                    base_request: ReportBase {
                        uin: creds.uin,
                        sid: creds.sid.expose(),
                        device_id: &at.device_id,
                    },
                    count: 1,
                    list: [ReportEntry {
                        kind: 1,
                        text: &self.text,
                    }],
                }),
        )
    }

    fn handle(&self, _: &mut Client, _: Ignored, _: Timestamp, _: Timestamp) -> Result<(), Fault> {
        Ok(())
    }

    fn failed(self, _: &mut Client, failure: Failure, _attempt: u32, _now: Timestamp) {
        tracing::debug!(%failure, "stat report not confirmed (not retried, as on the page)");
    }
}

/// Logged in and loaded: the contact pages and the start-up groups are in.
pub(super) fn become_ready(client: &mut Client, now: Timestamp) {
    client.set_state(State::Ready);
    let user = Box::new(client.session.user.clone().unwrap_or_default());
    client.events.push(Event::Ready {
        user,
        counts: client.session.contacts.counts(),
    });
    client.pump_outbox(now);
    client.pump_reads(now);
}
