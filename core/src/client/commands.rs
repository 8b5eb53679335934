//! Commands from the application once logged in: send a text, mark a chat read, log out.

use super::calls::{Exchange, Ignored, Stamp};
use super::forward::{Forward, Forwarded, forwarded};
use super::setup::status_notify;
use super::{Client, Fault, QueuedSends};
use crate::model::{PlainAnswer, SendAnswer};
use crate::request::ApiRequest;
use crate::{
    Command, Endpoint, Error, Event, Failure, LogoutReason, SendHandle, State, Timestamp,
    UsageError,
};
use std::time::Duration;

/// A queued send: a text, or a forward.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct PendingSend {
    pub(crate) handle: SendHandle,
    pub(crate) to: String,
    /// The text (empty for a media forward).
    pub(crate) text: String,
    /// LocalID = ClientMsgId, kept across retries.
    pub(crate) local_id: String,
    /// A media forward (image, video, sticker, file) instead of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) forward: Option<Forward>,
    /// `Scene`: 0, or 2 for a forward.
    #[serde(default)]
    pub(crate) scene: u32,
    /// The members a group text mentions (`Msg.MsgSource`'s `atusername`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) mentions: Vec<String>,
    /// An operation (revoke, friend request, remark, pin, group change, search) instead of a
    /// message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) op: Option<super::ops::Op>,
    /// A file to upload first (its bytes are the application's: never saved).
    #[serde(skip)]
    pub(crate) upload: Option<Box<super::upload::UploadJob>>,
}

/// What a queued send carries besides its receiver.
#[derive(Default)]
pub(super) struct Outgoing {
    /// The text (empty for media and operations).
    pub(super) text: String,
    /// A media send (a forward, or an uploaded file's).
    pub(super) forward: Option<Forward>,
    /// `Scene`: 0, or 2 for a forward.
    pub(super) scene: u32,
    /// A file to upload first.
    pub(super) upload: Option<Box<super::upload::UploadJob>>,
    /// An operation instead of a message.
    pub(super) op: Option<super::ops::Op>,
    /// The members a group text mentions.
    pub(super) mentions: Vec<String>,
    /// The LocalID the application chose ([`Client::new_local_id`]); a new one when `None`.
    pub(super) local_id: Option<String>,
}

/// `Msg` of a forwarded image or video: `{Type, MediaId, Content, From, To, LocalID,
/// ClientMsgId}`.
#[derive(serde::Serialize)]
struct MediaMsg<'a> {
    #[serde(rename = "Type")]
    msg_type: u32,
    #[serde(rename = "MediaId")]
    media_id: &'a str,
    #[serde(rename = "Content")]
    content: &'a str,
    #[serde(flatten)]
    ids: MsgIds<'a>,
}

/// `Msg` of a sticker: `{Type: 47, [EmojiFlag], [EMoticonMd5], [MediaId], From, To, LocalID,
/// ClientMsgId}` (postEmoticonMessage: a forward has its md5, an uploaded gif `EmojiFlag` 2
/// and its MediaId).
#[derive(serde::Serialize)]
struct StickerMsg<'a> {
    #[serde(rename = "Type")]
    msg_type: u32,
    #[serde(rename = "EmojiFlag", skip_serializing_if = "is_zero")]
    emoji_flag: u32,
    #[serde(rename = "EMoticonMd5", skip_serializing_if = "str::is_empty")]
    md5: &'a str,
    #[serde(rename = "MediaId", skip_serializing_if = "str::is_empty")]
    media_id: &'a str,
    #[serde(flatten)]
    ids: MsgIds<'a>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// `Msg` of a text (`Type` 1) or a file card (`Type` = its AppMsgType):
/// `{[Signature], Type, Content, From, To, LocalID, ClientMsgId}` (postAppMessage puts a checked
/// upload's `Signature` first).
#[derive(serde::Serialize)]
struct ContentMsg<'a> {
    #[serde(rename = "Signature", skip_serializing_if = "Option::is_none")]
    signature: Option<&'a str>,
    #[serde(rename = "Type")]
    msg_type: u32,
    #[serde(rename = "Content")]
    content: &'a str,
    /// A group text's mentions: `<msgsource><atusername>u1,u2</atusername><atchatroomname>…`.
    #[serde(rename = "MsgSource", skip_serializing_if = "Option::is_none")]
    msg_source: Option<String>,
    #[serde(flatten)]
    ids: MsgIds<'a>,
}

/// The keys every sent `Msg` ends with.
#[derive(serde::Serialize)]
struct MsgIds<'a> {
    #[serde(rename = "FromUserName")]
    from: &'a str,
    #[serde(rename = "ToUserName")]
    to: &'a str,
    #[serde(rename = "LocalID")]
    local_id: &'a str,
    #[serde(rename = "ClientMsgId")]
    client_msg_id: &'a str,
}

/// `{BaseRequest, Msg, Scene}`: the body of every send.
#[derive(serde::Serialize)]
struct MediaSendBody<'a, M: serde::Serialize> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "Msg")]
    msg: M,
    #[serde(rename = "Scene")]
    scene: u32,
}

/// `webwxsendmsg`: one queued text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct SendCall(pub(super) PendingSend);

impl Exchange for SendCall {
    const ENDPOINT: Endpoint = Endpoint::SendMsg;
    type Answer = SendAnswer;

    fn endpoint(&self) -> Endpoint {
        self.0
            .forward
            .as_ref()
            .map_or(Endpoint::SendMsg, Forward::endpoint)
    }

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        let me = client.session.user.as_ref().map(|u| u.user_name())?;
        let p = &self.0;
        let ids = MsgIds {
            from: me,
            to: &p.to,
            local_id: &p.local_id,
            client_msg_id: &p.local_id,
        };
        if let Some(forward) = &p.forward {
            let mut req = ApiRequest::new(forward.endpoint());
            for (name, value) in forward.query() {
                req = req.raw(name, value);
            }
            let base_request = creds.base_request(&at.device_id);
            let scene = p.scene;
            return Some(match forward {
                Forward::Image { media_id, content } => req.json(&MediaSendBody {
                    base_request,
                    msg: MediaMsg {
                        msg_type: 3,
                        media_id,
                        content,
                        ids,
                    },
                    scene,
                }),
                Forward::Video {
                    msg_type,
                    media_id,
                    content,
                } => req.json(&MediaSendBody {
                    base_request,
                    msg: MediaMsg {
                        msg_type: *msg_type,
                        media_id,
                        content,
                        ids,
                    },
                    scene,
                }),
                Forward::Sticker {
                    md5,
                    media_id,
                    emoji_flag,
                } => req.json(&MediaSendBody {
                    base_request,
                    msg: StickerMsg {
                        msg_type: 47,
                        emoji_flag: *emoji_flag,
                        md5,
                        media_id,
                        ids,
                    },
                    scene,
                }),
                Forward::File {
                    app_type,
                    content,
                    signature,
                } => req.json(&MediaSendBody {
                    base_request,
                    msg: ContentMsg {
                        signature: signature.as_ref().map(|s| s.expose().as_str()),
                        msg_type: *app_type,
                        content,
                        msg_source: None,
                        ids,
                    },
                    scene,
                }),
            });
        }
        Some(ApiRequest::new(Self::ENDPOINT).json(&MediaSendBody {
            base_request: creds.base_request(&at.device_id),
            msg: ContentMsg {
                signature: None,
                msg_type: 1,
                content: &p.text,
                msg_source: (!p.mentions.is_empty()).then(|| {
                    format!(
                        "<msgsource><atusername>{}</atusername><atchatroomname>{}</atchatroomname></msgsource>",
                        p.mentions.join(","),
                        p.to
                    )
                }),
                ids,
            },
            scene: p.scene,
        }))
    }

    fn handle(
        &self,
        client: &mut Client,
        answer: SendAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        client.sends.done(now);
        client.events.push(Event::Sent {
            handle: self.0.handle,
            msg_id: answer.msg_id,
            local_id: self.0.local_id.clone(),
            to: self.0.to.clone(),
        });
        client.pump_outbox(now);
        Ok(())
    }

    /// Reported as [`Event::SendFailed`]; the queue goes on.
    fn give_up(self, client: &mut Client, error: Error, now: Timestamp) {
        client.sends.done(now);
        client.events.push(Event::SendFailed {
            handle: self.0.handle,
            error,
        });
        client.pump_outbox(now);
    }
}

/// `webwxstatusnotify` Code 1: mark `chat` read on the phone.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct MarkReadCall {
    chat: String,
}

impl Exchange for MarkReadCall {
    const ENDPOINT: Endpoint = Endpoint::StatusNotify;
    type Answer = PlainAnswer;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        status_notify(client, 1, Some(&self.chat), at)
    }

    fn handle(
        &self,
        client: &mut Client,
        _: PlainAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        client.read_done(now);
        Ok(())
    }

    /// Best effort: dropped with a log line.
    fn give_up(self, client: &mut Client, error: Error, now: Timestamp) {
        tracing::warn!(%error, "read mark dropped");
        client.read_done(now);
    }
}

/// `webwxlogout`, the form the official page submits. Best effort: whatever the server
/// answers, or the transport reports, the session is over for this client, for `reason`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct LogoutCall {
    reason: LogoutReason,
}

impl LogoutCall {
    /// The logout of `reason`.
    pub(super) fn new(reason: LogoutReason) -> LogoutCall {
        LogoutCall { reason }
    }

    /// The form's `type`: 1 after synccheck said 1101 or 1102 (`loginout(1)`), 0 otherwise (the
    /// user's menu, synccheck 1100).
    fn kind(&self) -> u8 {
        match self.reason {
            LogoutReason::LoggedInElsewhere | LogoutReason::SessionInvalid => 1,
            _ => 0,
        }
    }
}

impl Exchange for LogoutCall {
    const ENDPOINT: Endpoint = Endpoint::Logout;
    type Answer = Ignored;

    fn request(&self, client: &Client, _: &Stamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("redirect", 1)
                .raw("type", self.kind())
                .component("skey", creds.skey.expose())
                .form(vec![
                    ("sid", creds.sid.expose().clone()),
                    ("uin", creds.uin.to_string()),
                ]),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        _: Ignored,
        _sent_at: Timestamp,
        _now: Timestamp,
    ) -> Result<(), Fault> {
        client.end_session(self.reason);
        Ok(())
    }

    fn failed(self, client: &mut Client, failure: Failure, _attempt: u32, _now: Timestamp) {
        tracing::debug!(%failure, "logout not confirmed; the session is over anyway");
        client.end_session(self.reason);
    }
}

impl Client {
    /// Applies a [`Command`] (the same as calling its method), with its typed reply.
    pub fn apply<C: Command>(
        &mut self,
        command: C,
        now: Timestamp,
    ) -> Result<C::Reply, UsageError> {
        command.apply(self, now)
    }

    /// Queues a text message to `to` (a user name: `@…`, `@@…` for a group, or `filehelper`).
    ///
    /// Sends go out one at a time, at least [`Config::min_send_interval`](crate::Config) apart,
    /// once the session is ready; the outcome arrives as [`Event::Sent`] or
    /// [`Event::SendFailed`] for the returned handle. Transient failures are retried with the same
    /// `LocalID`, so the server can tell a retry from a new message.
    pub fn send_text(
        &mut self,
        to: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        self.queue_text(to, text, None, now)
    }

    /// Like [`send_text`](Client::send_text), with the `LocalID` (= `ClientMsgId`) the
    /// application chose and recorded beforehand (from [`new_local_id`](Client::new_local_id)).
    ///
    /// The server treats a second send with the same LocalID to the same chat as a retry of the
    /// first, so an application that records its sends before making them (a service that may
    /// be taken over by another process) can make a send again after a crash without it
    /// arriving twice. `local_id` is 1 to 32 ASCII digits.
    pub fn send_text_with_local_id(
        &mut self,
        to: &str,
        text: &str,
        local_id: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        check_local_id(local_id)?;
        self.queue_text(to, text, Some(local_id.to_string()), now)
    }

    /// Checks and queues a text, with the LocalID given or a new one.
    fn queue_text(
        &mut self,
        to: &str,
        text: &str,
        local_id: Option<String>,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        self.observe(now);
        self.check_alive()?;
        if text.is_empty() {
            return Err(UsageError::InvalidMessage("empty text"));
        }
        if text.len() > self.config.limits.max_message_bytes {
            return Err(UsageError::InvalidMessage(
                "text longer than Limits::max_message_bytes",
            ));
        }
        self.check_can_send(to)?;
        Ok(self.queue_send(
            to,
            Outgoing {
                text: text.to_string(),
                local_id,
                ..Outgoing::default()
            },
            now,
        ))
    }

    /// A new `LocalID` as the official client makes one (`(now + Math.random().toFixed(3))`
    /// without the dot: the milliseconds, then `0` and three digits), from the session's seeded
    /// randomness, for [`send_text_with_local_id`](Client::send_text_with_local_id) and
    /// [`FileInfo::local_id`](crate::FileInfo::local_id).
    pub fn new_local_id(&mut self, now: Timestamp) -> String {
        format!("{}{}", now.as_unix_millis(), self.rng.local_id_suffix())
    }

    /// Queues a text to the group `group` that mentions `members` (user names of its members):
    /// the text starts with `@<name> ` for each (the name as the official page writes it: your
    /// remark of the member, else their display name in the group, else their nick name), and
    /// `Msg.MsgSource` names them, so their phones notify them. Otherwise like
    /// [`send_text`](Client::send_text).
    pub fn send_text_mentioning(
        &mut self,
        group: &str,
        text: &str,
        members: &[String],
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        if !group.starts_with("@@") {
            return Err(UsageError::InvalidMessage("mentions are for groups (@@…)"));
        }
        let mut mentions: Vec<String> = Vec::new();
        let mut content = String::new();
        for m in members {
            if m.is_empty() || mentions.contains(m) {
                continue;
            }
            let name = self.mention_name(group, m);
            content.push('@');
            content.push_str(&name);
            content.push(' ');
            mentions.push(m.clone());
        }
        content.push_str(text);
        self.observe(now);
        self.check_alive()?;
        if text.is_empty() && mentions.is_empty() {
            return Err(UsageError::InvalidMessage("empty text"));
        }
        if content.len() > self.config.limits.max_message_bytes {
            return Err(UsageError::InvalidMessage(
                "text longer than Limits::max_message_bytes",
            ));
        }
        self.check_can_send(group)?;
        Ok(self.queue_send(
            group,
            Outgoing {
                text: content,
                mentions,
                ..Outgoing::default()
            },
            now,
        ))
    }

    /// The name a mention of `member` in `group` shows, decoded from the server's HTML.
    fn mention_name(&self, group: &str, member: &str) -> String {
        let contacts = &self.session.contacts;
        let friend_remark = contacts
            .get(member)
            .map(|c| c.remark_name())
            .filter(|r| !r.is_empty());
        let in_group = contacts.get(group).and_then(|g| g.member(member));
        let name = friend_remark
            .or_else(|| {
                in_group
                    .map(|m| m.display_name.as_str())
                    .filter(|d| !d.is_empty())
            })
            .or_else(|| {
                in_group
                    .map(|m| m.nick_name.as_str())
                    .filter(|n| !n.is_empty())
            })
            .or_else(|| contacts.get(member).map(|c| c.nick_name()))
            .unwrap_or(member);
        crate::message::decode_text(name)
    }

    /// Forwards the received message `m` to `to`, as the official page does: `Scene` 2, an image,
    /// video, sticker or file by the `MediaId` the server already has (nothing is downloaded or
    /// uploaded), a text as a text; the content as it came, without a group's sender prefix.
    /// Voices, link cards and the other kinds cannot be forwarded
    /// ([`UsageError::Unavailable`]). Queued, paced and retried like a text; the outcome arrives
    /// as [`Event::Sent`] or [`Event::SendFailed`] for the returned handle.
    pub fn forward(
        &mut self,
        m: &crate::Message,
        to: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        self.observe(now);
        self.check_can_send(to)?;
        let (text, forward) = match forwarded(m)? {
            Forwarded::Text(text) => (text, None),
            Forwarded::Media(forward) => (String::new(), Some(forward)),
        };
        if text.len() > self.config.limits.max_message_bytes {
            return Err(UsageError::InvalidMessage(
                "text longer than Limits::max_message_bytes",
            ));
        }
        Ok(self.queue_send(
            to,
            Outgoing {
                text,
                forward,
                scene: 2,
                ..Outgoing::default()
            },
            now,
        ))
    }

    /// Whether a send to `to` can be queued: the session is alive, `to` names someone, the
    /// queue has room.
    pub(super) fn check_can_send(&self, to: &str) -> Result<(), UsageError> {
        if to.is_empty() {
            self.check_alive()?;
            return Err(UsageError::InvalidMessage("no receiver"));
        }
        self.check_room()
    }

    /// Whether anything can be queued: the session is alive and the queue has room.
    pub(super) fn check_room(&self) -> Result<(), UsageError> {
        self.check_alive()?;
        if self.pending_sends() >= self.config.limits.max_send_queue {
            return Err(UsageError::QueueFull(self.config.limits.max_send_queue));
        }
        Ok(())
    }

    /// Queues a send with a new handle and LocalID.
    pub(super) fn queue_send(&mut self, to: &str, what: Outgoing, now: Timestamp) -> SendHandle {
        let handle = SendHandle(self.session.next_send);
        self.session.next_send += 1;
        // LocalID = ClientMsgId = the official client's
        // `(utilFactory.now() + Math.random().toFixed(3)).replace(".", "")`: the milliseconds,
        // then `0` and three random digits (or `1000`).
        let Outgoing {
            text,
            forward,
            scene,
            upload,
            op,
            mentions,
            local_id,
        } = what;
        let local_id = match local_id {
            Some(id) => id,
            None => self.new_local_id(now),
        };
        self.sends.push(PendingSend {
            handle,
            to: to.to_string(),
            text,
            local_id,
            forward,
            scene,
            upload,
            op,
            mentions,
        });
        self.pump_outbox(now);
        handle
    }

    /// Marks the chat `chat` read on the phone (`webwxstatusnotify` Code 1). Read marks go out
    /// one at a time; a chat already waiting is not queued twice. Best effort: retried on
    /// transient faults, dropped (with a log line) when the budget is used up.
    pub fn mark_read(&mut self, chat: &str, now: Timestamp) -> Result<(), UsageError> {
        self.observe(now);
        self.check_alive()?;
        if !self.state.is_logged_in() {
            return Err(UsageError::NotLoggedIn);
        }
        if chat.is_empty() {
            return Err(UsageError::InvalidMessage("no chat"));
        }
        if self.reads.waiting().any(|c| c == chat) {
            return Ok(());
        }
        if self.reads.waiting().count() >= self.config.limits.max_send_queue {
            return Err(UsageError::QueueFull(self.config.limits.max_send_queue));
        }
        self.reads.push(chat.to_string());
        self.pump_reads(now);
        Ok(())
    }

    /// Sends the next read mark when none is in flight.
    pub(super) fn pump_reads(&mut self, now: Timestamp) {
        if !self.state.is_logged_in() {
            return;
        }
        if let Some((chat, _)) = self.reads.next(now, Duration::ZERO) {
            self.issue(MarkReadCall { chat }, 0, now);
        }
    }

    /// A read mark was answered or given up: the next one may go.
    pub(super) fn read_done(&mut self, now: Timestamp) {
        self.reads.done(now);
        self.pump_reads(now);
    }

    /// Logs out (`webwxlogout`). Answers to requests still in flight are ignored from now on;
    /// once the server answered (or failed to), the client is
    /// [`State::LoggedOut`]`(Requested)` and emits no more requests. Queued sends fail with
    /// [`Error::SessionOver`]. A client from [`Client::resume`] can log out without being
    /// started (no probe, no push login first).
    pub fn logout(&mut self, now: Timestamp) -> Result<(), UsageError> {
        self.observe(now);
        let resumed_not_started = self.state == State::Idle && self.session.credentials.is_some();
        if !resumed_not_started {
            self.check_alive()?;
        }
        if self.session.credentials.is_none() {
            // Nothing to log out of: just stop.
            self.end_session(LogoutReason::Requested);
            return Ok(());
        }
        self.log_out(LogoutReason::Requested, now);
        Ok(())
    }

    /// Posts the logout form for `reason`; the session ends (for that reason) once it was
    /// answered or failed. Requests in flight are forgotten, queued sends fail.
    pub(super) fn log_out(&mut self, reason: LogoutReason, now: Timestamp) {
        self.stop_requests(QueuedSends::Fail);
        self.set_state(State::LoggingOut);
        self.issue(LogoutCall::new(reason), 0, now);
    }

    pub(super) fn check_alive(&self) -> Result<(), UsageError> {
        match self.state {
            State::Idle => Err(UsageError::NotLoggedIn),
            State::LoggingOut => Err(UsageError::Ended),
            ref s if s.is_terminal() => Err(UsageError::Ended),
            _ => Ok(()),
        }
    }

    /// Messages queued or being sent.
    pub fn pending_sends(&self) -> usize {
        self.sends.len()
    }

    /// Sends the next queued message when none is in flight and the pacing allows.
    pub(super) fn pump_outbox(&mut self, now: Timestamp) {
        if !self.state.is_logged_in() {
            return;
        }
        if let Some((next, at)) = self.sends.next(now, self.config.min_send_interval) {
            if next.upload.is_some() {
                self.start_upload(next, at, now);
            } else if next.op.is_some() {
                self.issue_at(super::ops::OpCall(next), at, now);
            } else {
                self.issue_at(SendCall(next), at, now);
            }
        }
    }

    /// Ends the session: every queued send fails, the state becomes `LoggedOut(reason)`.
    pub(super) fn end_session(&mut self, reason: LogoutReason) {
        tracing::debug!(%reason, "session ended");
        self.stop_requests(QueuedSends::Fail);
        self.events.push(Event::LoggedOut { reason });
        self.set_state(State::LoggedOut(reason));
    }

    pub(super) fn fail_pending_sends(&mut self) {
        let in_flight_send = self
            .scheduler
            .calls()
            .find_map(|c| c.as_send().map(|p| p.handle));
        let uploading = self.take_upload();
        let handles: Vec<SendHandle> = in_flight_send
            .into_iter()
            .chain(uploading)
            .chain(self.sends.drain().into_iter().map(|p| p.handle))
            .collect();
        for handle in handles {
            self.events.push(Event::SendFailed {
                handle,
                error: Error::SessionOver,
            });
        }
    }
}

/// A LocalID an application chose: 1 to 32 ASCII digits (the official client's are 17).
pub(super) fn check_local_id(local_id: &str) -> Result<(), UsageError> {
    if local_id.is_empty() || local_id.len() > 32 || !local_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UsageError::InvalidMessage(
            "a LocalID is 1 to 32 ASCII digits",
        ));
    }
    Ok(())
}

/// A `LocalID` in the official client's form (`(now + Math.random().toFixed(3))` without the
/// dot: the milliseconds, then `0` and three digits) from a random `draw`, for an application
/// that records a send where no session runs (a service that queues sends for the node holding
/// the account); a session makes its own with [`Client::new_local_id`].
pub fn local_id(now: Timestamp, draw: u32) -> String {
    format!(
        "{}{}",
        now.as_unix_millis(),
        crate::rng::local_id_suffix_of(draw)
    )
}
