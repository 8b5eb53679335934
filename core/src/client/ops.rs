//! Operations on contacts, groups and sent messages, as the official page makes them (see
//! `core/PROTOCOL.md`, "Operations"): revoke, friend requests, remark, pin, group create / add /
//! invite / remove / rename / quit, search.
//!
//! Each is queued in the send lane like a message (so a group created and then written to goes
//! out in that order), answered with [`Event::Done`] and an [`Outcome`], or with
//! [`Event::SendFailed`]: a refusal by the server ([`Error::Refused`], with its code and message)
//! is final at once; a transient fault is retried like any call.

use super::calls::{Answer, Exchange, Stamp, check_code};
use super::commands::PendingSend;
use super::{Client, Fault};
use crate::credentials::BaseRequest;
use crate::model::{OpAnswer, RetClass};
use crate::parse::parse_json_with;
use crate::request::ApiRequest;
use crate::{
    Contact, Endpoint, Error, Event, Limits, Member, Outcome, Secret, SendHandle, Timestamp,
    UsageError,
};

/// A group of this many members (self included) or more gets new members invited, not added
/// (the official page: `MemberList.length + added >= 40`; webwxinit's `InviteStartCount`).
pub const INVITE_FROM_MEMBERS: usize = 40;

/// `webwxupdatechatroom?fun=`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GroupFun {
    AddMember,
    InviteMember,
    DelMember,
    ModTopic,
    QuitChatroom,
}

impl GroupFun {
    fn as_str(self) -> &'static str {
        match self {
            GroupFun::AddMember => "addmember",
            GroupFun::InviteMember => "invitemember",
            GroupFun::DelMember => "delmember",
            GroupFun::ModTopic => "modtopic",
            GroupFun::QuitChatroom => "quitchatroom",
        }
    }
}

/// A queued operation (its target is the queued item's `to`).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Op {
    /// Take back the sent message `msg_id` (`LocalID` `local_id`).
    Revoke { msg_id: String, local_id: String },
    /// `webwxverifyuser`: Opcode 3 accepts (with the request's ticket), 2 asks.
    Verify {
        opcode: u8,
        ticket: Secret<String>,
        greeting: String,
    },
    /// CmdId 2.
    Remark { remark: String },
    /// CmdId 3 (the current remark goes along, or the server clears it).
    Pin { pinned: bool, remark: String },
    /// A new group of `members`; `topic` set right after when not empty.
    CreateGroup { members: Vec<String>, topic: String },
    /// A change of the group `to`.
    Group {
        fun: GroupFun,
        members: Vec<String>,
        topic: String,
        /// The rename that follows a creation: its outcome is the creation's.
        #[serde(default)]
        after_create: bool,
    },
    /// `webwxsearchcontact`.
    Search { keyword: String },
}

impl Op {
    fn endpoint(&self) -> Endpoint {
        match self {
            Op::Revoke { .. } => Endpoint::RevokeMsg,
            Op::Verify { .. } => Endpoint::VerifyUser,
            Op::Remark { .. } | Op::Pin { .. } => Endpoint::OpLog,
            Op::CreateGroup { .. } => Endpoint::CreateChatRoom,
            Op::Group { .. } => Endpoint::UpdateChatRoom,
            Op::Search { .. } => Endpoint::SearchContact,
        }
    }
}

/// The answer of an operation, its `Ret` left to the operation.
impl Answer for OpAnswer {
    fn read(body: &[u8], _: Endpoint, limits: &Limits) -> Result<Self, Fault> {
        Ok(parse_json_with(body, limits)?)
    }
}

#[derive(serde::Serialize)]
struct RevokeBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: BaseRequest<'a>,
    #[serde(rename = "SvrMsgId")]
    svr_msg_id: &'a str,
    #[serde(rename = "ToUserName")]
    to: &'a str,
    #[serde(rename = "ClientMsgId")]
    client_msg_id: &'a str,
}

#[derive(serde::Serialize)]
struct VerifyEntry<'a> {
    #[serde(rename = "Value")]
    value: &'a str,
    #[serde(rename = "VerifyUserTicket")]
    ticket: &'a str,
}

#[derive(serde::Serialize)]
struct VerifyBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: BaseRequest<'a>,
    #[serde(rename = "Opcode")]
    opcode: u8,
    #[serde(rename = "VerifyUserListSize")]
    list_size: u32,
    #[serde(rename = "VerifyUserList")]
    list: [VerifyEntry<'a>; 1],
    #[serde(rename = "VerifyContent")]
    content: &'a str,
    #[serde(rename = "SceneListCount")]
    scene_count: u32,
    #[serde(rename = "SceneList")]
    scenes: [u32; 1],
    skey: &'a str,
}

#[derive(serde::Serialize)]
struct OpLogBody<'a> {
    #[serde(rename = "UserName")]
    user_name: &'a str,
    #[serde(rename = "CmdId")]
    cmd_id: u32,
    #[serde(rename = "OP", skip_serializing_if = "Option::is_none")]
    op: Option<u32>,
    #[serde(rename = "RemarkName")]
    remark: &'a str,
    #[serde(rename = "BaseRequest")]
    base_request: BaseRequest<'a>,
}

#[derive(serde::Serialize)]
struct UserNameEntry<'a> {
    #[serde(rename = "UserName")]
    user_name: &'a str,
}

#[derive(serde::Serialize)]
struct CreateBody<'a> {
    #[serde(rename = "MemberCount")]
    count: usize,
    #[serde(rename = "MemberList")]
    members: Vec<UserNameEntry<'a>>,
    #[serde(rename = "Topic")]
    topic: &'a str,
    #[serde(rename = "BaseRequest")]
    base_request: BaseRequest<'a>,
}

/// `webwxupdatechatroom`'s body: the one list or topic of its `fun`, the group, BaseRequest.
#[derive(serde::Serialize)]
struct UpdateBody<'a> {
    #[serde(rename = "AddMemberList", skip_serializing_if = "Option::is_none")]
    add: Option<String>,
    #[serde(rename = "DelMemberList", skip_serializing_if = "Option::is_none")]
    del: Option<String>,
    #[serde(rename = "InviteMemberList", skip_serializing_if = "Option::is_none")]
    invite: Option<String>,
    #[serde(rename = "NewTopic", skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    #[serde(rename = "ChatRoomName")]
    group: &'a str,
    #[serde(rename = "BaseRequest")]
    base_request: BaseRequest<'a>,
}

#[derive(serde::Serialize)]
struct SearchBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: BaseRequest<'a>,
    #[serde(rename = "KeyWord")]
    keyword: &'a str,
}

/// One queued operation in flight.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct OpCall(pub(super) PendingSend);

impl OpCall {
    fn op(&self) -> Option<&Op> {
        self.0.op.as_ref()
    }
}

impl Exchange for OpCall {
    const ENDPOINT: Endpoint = Endpoint::OpLog;
    type Answer = OpAnswer;

    fn endpoint(&self) -> Endpoint {
        self.op().map_or(Self::ENDPOINT, Op::endpoint)
    }

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        let base_request = creds.base_request(&at.device_id);
        let to = self.0.to.as_str();
        let req = ApiRequest::new(self.endpoint());
        let ms = at.now.as_unix_millis();
        Some(match self.op()? {
            Op::Revoke { msg_id, local_id } => req.json(&RevokeBody {
                base_request,
                svr_msg_id: msg_id,
                to,
                client_msg_id: local_id,
            }),
            Op::Verify {
                opcode,
                ticket,
                greeting,
            } => req.raw("r", ms).json(&VerifyBody {
                base_request,
                opcode: *opcode,
                list_size: 1,
                list: [VerifyEntry {
                    value: to,
                    ticket: ticket.expose(),
                }],
                content: greeting,
                scene_count: 1,
                scenes: [33],
                skey: creds.skey.expose(),
            }),
            Op::Remark { remark } => req.json(&OpLogBody {
                user_name: to,
                cmd_id: 2,
                op: None,
                remark,
                base_request,
            }),
            Op::Pin { pinned, remark } => req.json(&OpLogBody {
                user_name: to,
                cmd_id: 3,
                op: Some(u32::from(*pinned)),
                remark,
                base_request,
            }),
            Op::CreateGroup { members, .. } => req.raw("r", ms).json(&CreateBody {
                count: members.len(),
                members: members
                    .iter()
                    .map(|m| UserNameEntry { user_name: m })
                    .collect(),
                topic: "",
                base_request,
            }),
            Op::Group {
                fun,
                members,
                topic,
                ..
            } => {
                let list = Some(members.join(","));
                let mut body = UpdateBody {
                    add: None,
                    del: None,
                    invite: None,
                    topic: None,
                    group: to,
                    base_request,
                };
                match fun {
                    GroupFun::AddMember => body.add = list,
                    GroupFun::InviteMember => body.invite = list,
                    GroupFun::DelMember => body.del = list,
                    GroupFun::ModTopic => body.topic = Some(topic),
                    GroupFun::QuitChatroom => {}
                }
                req.raw("fun", fun.as_str()).json(&body)
            }
            Op::Search { keyword } => req.json(&SearchBody {
                base_request,
                keyword,
            }),
        })
    }

    fn handle(
        &self,
        client: &mut Client,
        answer: OpAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        let endpoint = self.endpoint();
        let Some(op) = self.op() else {
            return Ok(());
        };
        let (code, message) = (answer.base_response.ret, &answer.base_response.err_msg);
        // -2013 after adding or inviting members: the official page takes it as done.
        let tolerated = code == -2013
            && matches!(
                op,
                Op::Group {
                    fun: GroupFun::AddMember | GroupFun::InviteMember,
                    ..
                }
            );
        if code != 0 && !tolerated {
            match RetClass::of(code) {
                // Session-ending codes end the session; 1205 (rate limited) is retried.
                RetClass::SessionEnded => return check_code(endpoint, code, message),
                _ if code == 1205 => return check_code(endpoint, code, message),
                _ => {
                    if let Op::Group {
                        after_create: true, ..
                    } = op
                    {
                        // The group exists; only its topic could not be set.
                        client.op_done(self, created(&self.0.to, false), now);
                        return Ok(());
                    }
                    client.op_failed(
                        &self.0,
                        Error::Refused {
                            endpoint,
                            code,
                            message: message.clone(),
                        },
                        now,
                    );
                    return Ok(());
                }
            }
        }
        let to = self.0.to.clone();
        let outcome = match op {
            Op::Revoke { msg_id, .. } => Outcome::Revoked {
                msg_id: msg_id.clone(),
            },
            Op::Verify { opcode: 3, .. } => Outcome::FriendAccepted { user_name: to },
            Op::Verify { .. } => Outcome::FriendRequested { user_name: to },
            Op::Remark { remark } => {
                client.edit_contact(&to, |c| c.set_remark_name(remark));
                Outcome::RemarkSet {
                    user_name: to,
                    remark: remark.clone(),
                }
            }
            Op::Pin { pinned, .. } => {
                client.edit_contact(&to, |c| {
                    c.set_contact_flag(if *pinned {
                        c.contact_flag() | 0x800
                    } else {
                        c.contact_flag() & !0x800
                    });
                });
                Outcome::Pinned {
                    user_name: to,
                    pinned: *pinned,
                }
            }
            Op::CreateGroup { topic, .. } => {
                let group = answer.chat_room_name.clone();
                if group.is_empty() {
                    client.op_failed(
                        &self.0,
                        Error::Protocol {
                            endpoint,
                            detail: "the server created no group (no ChatRoomName)",
                        },
                        now,
                    );
                    return Ok(());
                }
                let mut contact = Contact::new(group.clone(), answer.topic.clone());
                contact.set_members(
                    answer
                        .member_list
                        .iter()
                        .cloned()
                        .map(Member::from)
                        .collect(),
                );
                contact.set_member_count(i64::try_from(contact.members().len()).unwrap_or(0));
                contact.set_owner_flag(true);
                contact.set_contact_flag(2);
                client.store_contact(contact);
                if !topic.is_empty() {
                    // The topic right after, in the same slot of the lane.
                    let mut rename = self.0.clone();
                    rename.to = group;
                    rename.op = Some(Op::Group {
                        fun: GroupFun::ModTopic,
                        members: Vec::new(),
                        topic: topic.clone(),
                        after_create: true,
                    });
                    client.issue(OpCall(rename), 0, now);
                    return Ok(());
                }
                created(&group, true)
            }
            Op::Group {
                fun,
                members,
                topic,
                after_create,
            } => match fun {
                GroupFun::AddMember | GroupFun::InviteMember => {
                    let added: Vec<Member> = members
                        .iter()
                        .map(|m| {
                            let nick = client
                                .session
                                .contacts
                                .get(m)
                                .map(|c| c.nick_name().to_string())
                                .unwrap_or_default();
                            Member::new(m.clone(), nick)
                        })
                        .collect();
                    client.edit_contact(&to, |g| {
                        g.edit_members(|list| {
                            for m in added {
                                if !list.iter().any(|known| known.user_name == m.user_name) {
                                    list.push(m);
                                }
                            }
                        });
                        g.set_member_count(i64::try_from(g.members().len()).unwrap_or(0));
                    });
                    Outcome::MembersAdded {
                        group: to,
                        members: members.clone(),
                        invited: *fun == GroupFun::InviteMember,
                    }
                }
                GroupFun::DelMember => {
                    client.edit_contact(&to, |g| {
                        g.edit_members(|list| list.retain(|m| !members.contains(&m.user_name)));
                        g.set_member_count(i64::try_from(g.members().len()).unwrap_or(0));
                    });
                    Outcome::MembersRemoved {
                        group: to,
                        members: members.clone(),
                    }
                }
                GroupFun::ModTopic => {
                    client.edit_contact(&to, |g| g.set_nick_name(topic));
                    if *after_create {
                        created(&to, true)
                    } else {
                        Outcome::GroupRenamed {
                            group: to,
                            topic: topic.clone(),
                        }
                    }
                }
                GroupFun::QuitChatroom => {
                    if client.session.contacts.remove(&to).is_some() {
                        client.events.push(Event::ContactRemoved {
                            user_name: to.clone(),
                        });
                    }
                    Outcome::GroupQuit { group: to }
                }
            },
            Op::Search { .. } => Outcome::Found(
                answer
                    .list
                    .iter()
                    .take(client.config.limits.max_contacts)
                    .cloned()
                    .map(Contact::from)
                    .collect(),
            ),
        };
        client.op_done(self, outcome, now);
        Ok(())
    }

    /// Reported as [`Event::SendFailed`]; the queue goes on.
    fn give_up(self, client: &mut Client, error: Error, now: Timestamp) {
        client.op_failed(&self.0, error, now);
    }
}

fn created(group: &str, topic_set: bool) -> Outcome {
    Outcome::GroupCreated {
        group: group.to_string(),
        topic_set,
    }
}

impl Client {
    fn op_done(&mut self, call: &OpCall, outcome: Outcome, now: Timestamp) {
        self.events.push(Event::Done {
            handle: call.0.handle,
            outcome,
        });
        self.sends.done(now);
        self.pump_outbox(now);
    }

    fn op_failed(&mut self, send: &PendingSend, error: Error, now: Timestamp) {
        self.events.push(Event::SendFailed {
            handle: send.handle,
            error,
        });
        self.sends.done(now);
        self.pump_outbox(now);
    }

    /// Changes the stored contact `user_name` (if known) and tells the application.
    fn edit_contact(&mut self, user_name: &str, edit: impl FnOnce(&mut Contact)) {
        let Some(mut contact) = self.session.contacts.get(user_name).cloned() else {
            return;
        };
        edit(&mut contact);
        self.store_contact(contact);
    }

    /// Stores `contact` (added or replaced) and tells the application.
    fn store_contact(&mut self, contact: Contact) {
        if self
            .session
            .contacts
            .upsert(contact.clone(), &self.config.limits)
            .unwrap_or(false)
        {
            self.events.push(Event::ContactChanged(Box::new(contact)));
        }
    }

    /// Queues `op` on `to`.
    fn queue_op(&mut self, to: &str, op: Op, now: Timestamp) -> Result<SendHandle, UsageError> {
        self.observe(now);
        self.check_can_send(to)?;
        Ok(self.queue_op_unchecked(to, op, now))
    }

    fn queue_op_unchecked(&mut self, to: &str, op: Op, now: Timestamp) -> SendHandle {
        self.queue_send(
            to,
            super::commands::Outgoing {
                op: Some(op),
                ..Default::default()
            },
            now,
        )
    }

    /// Takes back a message this account sent: `to`, `msg_id` and `local_id` as
    /// [`Event::Sent`] told them (they survive a restart). The official page offers it for two
    /// minutes after sending; the server decides.
    pub fn revoke(
        &mut self,
        to: &str,
        msg_id: &str,
        local_id: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        if msg_id.is_empty() || local_id.is_empty() {
            return Err(UsageError::InvalidMessage("no message id to revoke"));
        }
        let op = Op::Revoke {
            msg_id: msg_id.to_string(),
            local_id: local_id.to_string(),
        };
        self.queue_op(to, op, now)
    }

    /// Accepts the friend request of `user_name` (a [`Content::FriendRequest`](crate::Content)
    /// message's `user_name` and `ticket`): `webwxverifyuser` Opcode 3. The new friend arrives
    /// as a contact change.
    pub fn accept_friend(
        &mut self,
        user_name: &str,
        ticket: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        if ticket.is_empty() {
            return Err(UsageError::InvalidMessage(
                "a friend request without its ticket",
            ));
        }
        let op = Op::Verify {
            opcode: 3,
            ticket: Secret::new(ticket.to_string()),
            greeting: String::new(),
        };
        self.queue_op(user_name, op, now)
    }

    /// Accepts the friend request `m` carries ([`Content::FriendRequest`](crate::Content)):
    /// [`accept_friend`](Client::accept_friend) with its user name and ticket.
    pub fn accept_request(
        &mut self,
        m: &crate::Message,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        match &m.content {
            crate::Content::FriendRequest {
                user_name, ticket, ..
            } => self.accept_friend(user_name, ticket.expose(), now),
            _ => Err(UsageError::InvalidMessage("not a friend request")),
        }
    }

    /// Asks `user_name` to be friends, with `greeting` (the official page suggests
    /// `我是<nick name>`): `webwxverifyuser` Opcode 2.
    pub fn request_friend(
        &mut self,
        user_name: &str,
        greeting: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        let op = Op::Verify {
            opcode: 2,
            ticket: Secret::new(String::new()),
            greeting: greeting.to_string(),
        };
        self.queue_op(user_name, op, now)
    }

    /// Sets the remark of `user_name` (empty: none); cut to 18 characters as the official page
    /// does.
    pub fn set_remark(
        &mut self,
        user_name: &str,
        remark: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        let remark: String = remark.chars().take(18).collect();
        self.queue_op(user_name, Op::Remark { remark }, now)
    }

    /// Pins the chat `user_name` to the top, or unpins it.
    pub fn set_pinned(
        &mut self,
        user_name: &str,
        pinned: bool,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        let remark = self
            .session
            .contacts
            .get(user_name)
            .map(|c| c.remark_name().to_string())
            .unwrap_or_default();
        self.queue_op(user_name, Op::Pin { pinned, remark }, now)
    }

    /// Creates a group of `members` (friends' user names, at least two; the account is its
    /// owner), then sets `topic` (when not empty) right after.
    pub fn create_group(
        &mut self,
        members: &[String],
        topic: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        let me = self
            .session
            .user
            .as_ref()
            .map(|u| u.user_name().to_string());
        let members: Vec<String> = dedup(members)
            .into_iter()
            .filter(|m| Some(m) != me.as_ref())
            .collect();
        if members.len() < 2 {
            return Err(UsageError::InvalidMessage(
                "a group needs at least two other members",
            ));
        }
        let topic: String = topic.chars().take(18).collect();
        self.observe(now);
        self.check_room()?;
        Ok(self.queue_op_unchecked("", Op::CreateGroup { members, topic }, now))
    }

    /// Adds `members` to `group`: `addmember`, or `invitemember` once the group would reach
    /// [`INVITE_FROM_MEMBERS`] members (self included), as the official page decides.
    pub fn add_members(
        &mut self,
        group: &str,
        members: &[String],
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        let members = named(members)?;
        let current = self
            .session
            .contacts
            .get(group)
            .map_or(0, |g| g.members().len());
        let fun = if current + members.len() >= INVITE_FROM_MEMBERS {
            GroupFun::InviteMember
        } else {
            GroupFun::AddMember
        };
        self.group_op(group, fun, members, String::new(), now)
    }

    /// Removes `members` from `group` (the server allows it to the group's owner).
    pub fn remove_members(
        &mut self,
        group: &str,
        members: &[String],
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        let members = named(members)?;
        self.group_op(group, GroupFun::DelMember, members, String::new(), now)
    }

    /// Renames `group` (cut to 18 characters, as the official page does).
    pub fn rename_group(
        &mut self,
        group: &str,
        topic: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        let topic: String = topic.chars().take(18).collect();
        if topic.is_empty() {
            return Err(UsageError::InvalidMessage("an empty group name"));
        }
        self.group_op(group, GroupFun::ModTopic, Vec::new(), topic, now)
    }

    /// Leaves `group` (`quitchatroom`: in the official page's code, though its page offers no
    /// button for it).
    pub fn quit_group(&mut self, group: &str, now: Timestamp) -> Result<SendHandle, UsageError> {
        self.group_op(
            group,
            GroupFun::QuitChatroom,
            Vec::new(),
            String::new(),
            now,
        )
    }

    fn group_op(
        &mut self,
        group: &str,
        fun: GroupFun,
        members: Vec<String>,
        topic: String,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        if !group.starts_with("@@") {
            return Err(UsageError::InvalidMessage("not a group (@@…)"));
        }
        let op = Op::Group {
            fun,
            members,
            topic,
            after_create: false,
        };
        self.queue_op(group, op, now)
    }

    /// Searches the server's contacts for `keyword` (`webwxsearchcontact`); the outcome is
    /// [`Outcome::Found`]. (The official page's code has it, its search box searches locally:
    /// see [`ContactStore`](crate::ContactStore) for that.)
    pub fn search_contacts(
        &mut self,
        keyword: &str,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        if keyword.trim().is_empty() {
            return Err(UsageError::InvalidMessage("an empty search"));
        }
        self.observe(now);
        self.check_room()?;
        let op = Op::Search {
            keyword: keyword.to_string(),
        };
        Ok(self.queue_op_unchecked("", op, now))
    }
}

/// [`dedup`], refused when no name is left.
fn named(members: &[String]) -> Result<Vec<String>, UsageError> {
    let members = dedup(members);
    if members.is_empty() {
        return Err(UsageError::InvalidMessage("no members named"));
    }
    Ok(members)
}

/// The names in order, each once, none empty.
fn dedup(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        if !n.is_empty() && !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}
