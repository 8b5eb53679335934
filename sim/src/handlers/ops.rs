//! The account's own operations (`/work/notes/ops16.md`): `webwxrevokemsg`, `webwxverifyuser`,
//! `webwxoplog`, `webwxcreatechatroom`, `webwxupdatechatroom`, `webwxsearchcontact`; and what
//! the admin API makes happen to the account: friend requests arriving, a friend recalling a
//! message, an official account's article push.
//!
//! Each call is checked like the other JSON calls (BaseRequest, cookies, host; the official
//! client's query, headers and body rules, departures noted as deviations), refused as described
//! in the crate docs when the server would refuse it, and its effect queued for `webwxsync`.

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]
// A handler's `Err` is the answer it sends (a refusal), built once per request.
#![allow(clippy::result_large_err)]

use super::session::{Req, json_call, plain_fault, respond, text};
use crate::changes::Entry;
use crate::ids::mix;
use crate::messages;
use crate::official::ops::{self as rules, Tree, Update};
use crate::official::{note, shown};
use crate::ops::{AccountInfo, OutgoingRequest, PendingRequest, wxid};
use crate::state::{Inner, Session, Shared};
use crate::wire::{self, Answer};
use serde_json::{Value, json};
use tokio::time::Instant;

/// `Ret` of every refusal but one: the request names something the server will not do.
pub(crate) const REFUSED: i64 = 1;

/// `Ret` of a revoke of a message older than the window.
pub(crate) const TOO_OLD: i64 = -1;

/// `InviteStartCount` of webwxinit: from this many members (the account included) on, the page
/// invites instead of adding.
pub(crate) const INVITE_START_COUNT: usize = 40;

/// The text of a friend's 10000 line after an accept.
fn added_line(nick: &str) -> String {
    format!("你已添加了{nick}，现在可以开始聊天了。")
}

/// The names of `users` as the account sees them, joined as the server's system lines join them.
fn names(session: &Session, users: &[String]) -> String {
    users
        .iter()
        .map(|u| session.account.seen_name(u))
        .collect::<Vec<_>>()
        .join("、")
}

impl Inner {
    /// `uin`'s session, if it is live.
    fn live(&mut self, uin: u64) -> Option<&mut Session> {
        self.sessions.get_mut(&uin).filter(|s| s.ended.is_none())
    }

    /// Keeps `uin`'s account as its session has it now, for its next login (a push login).
    fn keep_account(&mut self, uin: u64) {
        if let Some(account) = self.sessions.get(&uin).map(|s| s.account.clone()) {
            self.accounts.insert(uin, account);
        }
    }

    /// Queues a message made by `make` (given its MsgId and CreateTime) for `uin`'s live session;
    /// returns its MsgId.
    fn queue_message(
        &mut self,
        uin: u64,
        make: impl FnOnce(&mut Session, u64, u64) -> Option<Value>,
    ) -> Option<String> {
        self.live(uin)?;
        let id = Shared::next_msg_id(self);
        let session = self.live(uin)?;
        let created = 1_764_000_000 + session.log.len() as u64;
        let msg = make(session, id, created)?;
        session.log.push(Entry::Message(msg));
        session.notify.notify_waiters();
        self.keep_account(uin);
        Some(id.to_string())
    }

    /// A stranger's friend request arrives at `uin` (MsgType 37 from `fmessage`); it waits for
    /// the account's accept. `None` when `uin` has no live session.
    pub(crate) fn friend_request(&mut self, uin: u64) -> Option<PendingRequest> {
        let mut made = None;
        self.queue_message(uin, |session, id, created| {
            let me = session.account.user_name.clone();
            let (request, wxid, encrypt) = session.account.new_request(id);
            let msg = messages::friend_request(id, &me, &request, &wxid, &encrypt, created);
            made = Some(request);
            Some(msg)
        })?;
        made
    }

    /// Registers the friend request a generated message carries (MsgType 37), so that the
    /// account can accept it.
    pub(crate) fn expect_request(session: &mut Session, msg: &Value) {
        if msg["MsgType"] != 37 {
            return;
        }
        let info = &msg["RecommendInfo"];
        let field = |k: &str| info[k].as_str().unwrap_or_default().to_string();
        session.account.pending.push(PendingRequest {
            user_name: field("UserName"),
            nick_name: field("NickName"),
            ticket: field("Ticket"),
            greeting: field("Content"),
            msg_id: text(&msg["MsgId"]),
        });
    }

    /// The sender of message `msg_id` of `uin`'s log recalls it: a 10002 from the same chat
    /// naming it. Returns the notice's MsgId; `None` for an unknown uin or message, or one the
    /// account sent.
    pub(crate) fn recall(&mut self, uin: u64, msg_id: &str) -> Option<String> {
        let session = self.live(uin)?;
        let me = session.account.user_name.clone();
        let original = session.log.iter().find_map(|e| match e {
            Entry::Message(m) if m["MsgId"] == msg_id => Some(m.clone()),
            _ => None,
        })?;
        let from = original["FromUserName"].as_str()?.to_string();
        if from == me || from.is_empty() {
            return None;
        }
        // In a group the sender is the content's prefix.
        let sender = from.starts_with("@@").then(|| {
            original["Content"]
                .as_str()
                .and_then(|c| c.split_once(":<br/>"))
                .map(|(s, _)| s.to_string())
                .unwrap_or_default()
        });
        let who = sender.clone().unwrap_or_else(|| from.clone());
        let nick = session.account.seen_name(&who);
        let replace = format!("\"{nick}\" 撤回了一条消息");
        let session_id = wxid(&from);
        let id = self.queue_message(uin, |_, id, created| {
            Some(messages::recall_notice(
                id,
                &from,
                &me,
                sender.as_deref(),
                &session_id,
                msg_id,
                &replace,
                created,
            ))
        })?;
        if let Some(s) = self.live(uin) {
            s.recalled.push(msg_id.to_string());
        }
        Some(id)
    }

    /// An official account of `uin` pushes `count` articles (1 to 8). `None` for an unknown
    /// uin, an account without official accounts, or a count of 0.
    pub(crate) fn article(&mut self, seed: u64, uin: u64, count: usize) -> Option<String> {
        if count == 0 {
            return None;
        }
        self.queue_message(uin, |session, id, created| {
            let official = session.account.contacts.iter().find(|c| {
                // An official account (VerifyFlag & 8) with an `@` name: not `weixin`.
                c["VerifyFlag"].as_i64().is_some_and(|f| f & 8 != 0)
                    && c["UserName"].as_str().is_some_and(|n| n.starts_with('@'))
            })?;
            let from = official["UserName"].as_str()?.to_string();
            let nick = official["NickName"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let gh = format!("gh_{}", crate::ids::hex(mix(seed, uin), 7, 12));
            let items = messages::articles(seed ^ uin, id % 1_000, count.min(8), created);
            Some(messages::article_push(
                id,
                (&from, &gh, &nick),
                &session.account.user_name,
                &items,
                created,
            ))
        })
    }

    /// What `uin`'s operations did.
    pub(crate) fn account_info(&self, uin: u64) -> Option<AccountInfo> {
        let session = self.sessions.get(&uin)?;
        let mut info = session.account.info(uin);
        info.revoked = session
            .sent
            .iter()
            .filter(|m| m.revoked)
            .map(|m| m.msg_id.clone())
            .collect();
        info.recalled = session.recalled.clone();
        Some(info)
    }
}

/// The body's key order, and the deviations `check` finds in it, noted for the session.
fn checked<T>(
    session: &mut Session,
    req: &Req<'_>,
    check: impl FnOnce(&mut Session, Option<&Tree>, &mut Vec<String>) -> T,
) -> T {
    let tree = Tree::parse(req.body);
    let mut found = Vec::new();
    let out = check(session, tree.as_ref(), &mut found);
    for d in found {
        note(&mut session.deviations, d);
    }
    out
}

/// Queues `entries` for the session's next sync.
fn publish(session: &mut Session, entries: Vec<Entry>) {
    session.log.extend(entries);
    session.notify.notify_waiters();
}

/// The answer of webwxrevokemsg.
fn revoke_answer(code: i64, message: &str) -> Answer {
    wire::json(
        &json!({"BaseResponse": {"Ret": code, "ErrMsg": message}, "Introduction": "", "SysWording": ""}),
    )
}

/// `POST /webwxrevokemsg?lang=..&pass_ticket=..` `{BaseRequest, SvrMsgId, ToUserName,
/// ClientMsgId}`: revokes a message the account sent to `ToUserName` within the scenario's
/// window; the account gets the 10002 notice "你撤回了一条消息".
pub(crate) fn revoke(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, |code| revoke_answer(code, ""))?;
        let notice_id = Shared::next_msg_id(&mut call.inner);
        let body = std::mem::take(&mut call.body);
        let window = shared.scenario.revoke_window();
        let session = call.session()?;
        checked(session, req, |_, tree, out| rules::revoke(&body, tree, out));
        let (svr, to, client) = (
            text(&body["SvrMsgId"]),
            text(&body["ToUserName"]),
            text(&body["ClientMsgId"]),
        );
        let Some(at) = session
            .sent
            .iter()
            .position(|m| m.msg_id == svr && !svr.is_empty())
        else {
            return Err(revoke_answer(REFUSED, "not a message this account sent"));
        };
        let sent = session.sent[at].clone();
        if sent.to != to {
            return Err(revoke_answer(
                REFUSED,
                "ToUserName is not the message's chat",
            ));
        }
        if sent.revoked {
            return Err(revoke_answer(REFUSED, "message already revoked"));
        }
        if client != sent.local_id {
            note(
                &mut session.deviations,
                "revoke: webwxrevokemsg ClientMsgId not the message's LocalID (official: the LocalID it was sent with)"
                    .into(),
            );
        }
        if to == "filehelper" {
            note(
                &mut session.deviations,
                "revoke: webwxrevokemsg of a message to filehelper (official: not offered there)"
                    .into(),
            );
        }
        let age = session
            .sent_at
            .get(&svr)
            .map_or(std::time::Duration::MAX, |t| t.elapsed());
        if age > window {
            return Err(revoke_answer(TOO_OLD, "message too old to revoke"));
        }
        session.sent[at].revoked = true;
        let me = session.account.user_name.clone();
        let created = 1_764_000_000 + session.log.len() as u64;
        let notice = messages::recall_notice(
            notice_id,
            &me,
            &to,
            None,
            &wxid(&to),
            &svr,
            "你撤回了一条消息",
            created,
        );
        publish(session, vec![Entry::Message(notice)]);
        Ok(revoke_answer(0, ""))
    })
}

/// `POST /webwxverifyuser?r=..&lang=..&pass_ticket=..`: `Opcode` 3 accepts a pending friend
/// request with its ticket (the new friend in `ModContactList`, and its 10000 line); `Opcode` 2
/// sends a request (recorded).
pub(crate) fn verify_user(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let line_id = Shared::next_msg_id(&mut call.inner);
        let uin = call.uin;
        let body = std::mem::take(&mut call.body);
        let session = call.session()?;
        let skey = session.skey.clone();
        let v = checked(session, req, |_, tree, out| {
            rules::r_ms("webwxverifyuser", req.uri, out);
            rules::verify(&body, tree, &skey, out)
        });
        if body["skey"].as_str().is_some_and(|s| s != skey) {
            return Err(wire::ret(REFUSED, "skey mismatch"));
        }
        match v.opcode {
            Some(3) => {
                let Some(pending) = session
                    .account
                    .pending
                    .iter()
                    .find(|r| r.user_name == v.user)
                else {
                    return Err(wire::ret(
                        REFUSED,
                        "no pending friend request from this user",
                    ));
                };
                if pending.ticket != v.ticket {
                    return Err(wire::ret(REFUSED, "user ticket invalid"));
                }
                let request = session.account.accept(&v.user).ok_or_else(|| {
                    wire::ret(REFUSED, "no pending friend request from this user")
                })?;
                let me = session.account.user_name.clone();
                let mut entries: Vec<Entry> =
                    session.account.announce(&v.user).into_iter().collect();
                let created = 1_764_000_000 + session.log.len() as u64;
                entries.push(Entry::Message(messages::system(
                    line_id,
                    &request.user_name,
                    &me,
                    &added_line(&request.nick_name),
                    created,
                )));
                publish(session, entries);
            }
            Some(2) => {
                if !v.user.starts_with('@') || v.user.starts_with("@@") {
                    return Err(wire::ret(REFUSED, "not a user name"));
                }
                if session.account.is_friend(&v.user) {
                    return Err(wire::ret(REFUSED, "already a friend"));
                }
                session.account.outgoing.push(OutgoingRequest {
                    user_name: v.user,
                    verify_content: v.content,
                });
            }
            _ => return Err(wire::ret(REFUSED, "unsupported Opcode")),
        }
        call.inner.keep_account(uin);
        Ok(wire::ret(0, ""))
    })
}

/// `POST /webwxoplog?lang=..&pass_ticket=..`: `CmdId` 2 sets a remark, 3 pins (`OP` 1) or
/// unpins (`OP` 0) a contact or group (a pin without `RemarkName` clears the remark, as the
/// real server does); the contact in `ModContactList`.
pub(crate) fn oplog(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let uin = call.uin;
        let body = std::mem::take(&mut call.body);
        let session = call.session()?;
        let user = text(&body["UserName"]);
        let current = session
            .account
            .find(&user)
            .map(|c| c["RemarkName"].as_str().unwrap_or_default().to_string());
        checked(session, req, |_, tree, out| {
            rules::oplog(&body, tree, current.as_deref(), out);
        });
        if current.is_none() || user.is_empty() {
            return Err(wire::ret(REFUSED, "no such contact"));
        }
        let cmd = body["CmdId"]
            .as_i64()
            .or_else(|| body["CmdId"].as_str()?.parse().ok());
        let remark = body.get("RemarkName").map(text).unwrap_or_default();
        let account = &mut session.account;
        match cmd {
            Some(2) => {
                account.set_remark(&user, &remark);
            }
            Some(3) => {
                let on = body["OP"]
                    .as_i64()
                    .or_else(|| body["OP"].as_str()?.parse().ok());
                account.set_pinned(&user, on.unwrap_or(0) != 0);
                account.set_remark(&user, &remark);
            }
            _ => return Err(wire::ret(REFUSED, "unknown CmdId")),
        }
        let entries: Vec<Entry> = account.announce(&user).into_iter().collect();
        publish(session, entries);
        call.inner.keep_account(uin);
        Ok(wire::ret(0, ""))
    })
}

/// `POST /webwxcreatechatroom?r=..&lang=..&pass_ticket=..`: a group of the account and at least
/// two friends, owned by the account; answered with its `ChatRoomName` and members, announced in
/// `ModContactList` with a 10000 line.
pub(crate) fn create_chatroom(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let line_id = Shared::next_msg_id(&mut call.inner);
        let uin = call.uin;
        let body = std::mem::take(&mut call.body);
        let session = call.session()?;
        let me = session.account.user_name.clone();
        checked(session, req, |_, tree, out| {
            rules::r_ms("webwxcreatechatroom", req.uri, out);
            rules::create(&body, tree, &me, out);
        });
        let mut members: Vec<String> = Vec::new();
        for entry in body["MemberList"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let name = text(&entry["UserName"]);
            if name != me && !members.contains(&name) {
                members.push(name);
            }
        }
        if let Some(stranger) = members.iter().find(|m| !session.account.is_friend(m)) {
            return Err(wire::ret(
                REFUSED,
                &format!("not a friend: {}", shown(stranger)),
            ));
        }
        if members.len() < 2 {
            return Err(wire::ret(REFUSED, "a group needs at least 2 other members"));
        }
        let topic = text(&body["Topic"]);
        let room = session.account.create_group(&members, &topic);
        let list = session.account.members(&room).cloned().unwrap_or_default();
        let mut entries: Vec<Entry> = session.account.announce(&room).into_iter().collect();
        let created = 1_764_000_000 + session.log.len() as u64;
        let line = format!("你邀请\"{}\"加入了群聊", names(session, &members));
        entries.push(Entry::Message(messages::system(
            line_id, &room, &me, &line, created,
        )));
        session.wire.group_peers.insert(room.clone());
        publish(session, entries);
        call.inner.keep_account(uin);
        // W4U #156: the members (the account included) with the group's own fields.
        Ok(wire::json(&json!({
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "Topic": topic,
            "PYInitial": "",
            "QuanPin": "",
            "MemberCount": list.len(),
            "MemberList": list,
            "ChatRoomName": room,
            "BlackList": ""
        })))
    })
}

/// The answer of a webwxupdatechatroom: the group's members after it.
fn update_answer(members: &[Value]) -> Answer {
    wire::json(&json!({
        "BaseResponse": {"Ret": 0, "ErrMsg": ""},
        "MemberCount": members.len(),
        "MemberList": members
    }))
}

/// `POST /webwxupdatechatroom?fun=addmember|invitemember|delmember|modtopic|quitchatroom&..`:
/// friends added (or invited: the 40 rule), members removed (by the owner), the topic changed,
/// the account gone from the group; the group in `ModContactList` with a 10000 line (the quit in
/// `DelContactList`).
pub(crate) fn update_chatroom(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let line_id = Shared::next_msg_id(&mut call.inner);
        let uin = call.uin;
        let body = std::mem::take(&mut call.body);
        let fun = super::query(req.uri)
            .get("fun")
            .cloned()
            .unwrap_or_default();
        let session = call.session()?;
        let Some(update) = Update::of(&fun) else {
            return Err(wire::ret(REFUSED, "unknown fun"));
        };
        let room = text(&body["ChatRoomName"]);
        let named = checked(session, req, |_, tree, out| {
            rules::update(update, &body, tree, out)
        });
        let Some(before) = session.account.members(&room).cloned() else {
            return Err(wire::ret(REFUSED, "not a group of this account"));
        };
        let me = session.account.user_name.clone();
        let is_member = |n: &String| before.iter().any(|m| m["UserName"] == n.as_str());
        let created = 1_764_000_000 + session.log.len() as u64;
        let line = match update {
            Update::Add | Update::Invite => {
                if named.is_empty() {
                    return Err(wire::ret(REFUSED, "no member to add"));
                }
                if let Some(stranger) = named.iter().find(|n| !session.account.is_friend(n)) {
                    return Err(wire::ret(
                        REFUSED,
                        &format!("not a friend: {}", shown(stranger)),
                    ));
                }
                if named.iter().any(is_member) {
                    return Err(wire::ret(REFUSED, "already a member"));
                }
                let mut found = Vec::new();
                rules::forty(
                    update,
                    before.len(),
                    named.len(),
                    INVITE_START_COUNT,
                    &mut found,
                );
                for d in found {
                    note(&mut session.deviations, d);
                }
                session.account.add_members(&room, &named);
                Some(format!("你邀请\"{}\"加入了群聊", names(session, &named)))
            }
            Update::Del => {
                if !session.account.owns(&room) {
                    return Err(wire::ret(
                        REFUSED,
                        "only the group's owner can remove members",
                    ));
                }
                if named.is_empty() || !named.iter().all(is_member) {
                    return Err(wire::ret(REFUSED, "not a member of the group"));
                }
                if named.contains(&me) {
                    return Err(wire::ret(REFUSED, "the owner cannot remove itself"));
                }
                let line = format!("你将\"{}\"移出了群聊", names(session, &named));
                session.account.remove_members(&room, &named);
                Some(line)
            }
            Update::Topic => {
                let topic = text(&body["NewTopic"]);
                let current = session
                    .account
                    .find(&room)
                    .and_then(|g| g["NickName"].as_str())
                    .unwrap_or_default()
                    .to_string();
                let mut found = Vec::new();
                rules::topic(&topic, &current, &mut found);
                for d in found {
                    note(&mut session.deviations, d);
                }
                session.account.set_topic(&room, &topic);
                Some(format!("你修改群名为“{topic}”"))
            }
            Update::Quit => None,
        };
        let Some(line) = line else {
            session.account.leave(&room);
            publish(
                session,
                vec![Entry::DelContact(
                    json!({"UserName": room, "ContactFlag": 0}),
                )],
            );
            call.inner.keep_account(uin);
            return Ok(update_answer(&[]));
        };
        let members = session.account.members(&room).cloned().unwrap_or_default();
        let mut entries: Vec<Entry> = session.account.announce(&room).into_iter().collect();
        entries.push(Entry::Message(messages::system(
            line_id, &room, &me, &line, created,
        )));
        publish(session, entries);
        call.inner.keep_account(uin);
        Ok(update_answer(&members))
    })
}

/// `POST /webwxsearchcontact?lang=..&pass_ticket=..` `{BaseRequest, KeyWord}`: the friends whose
/// nick name, remark or alias contains the keyword.
pub(crate) fn search_contact(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let uin = call.uin;
        let body = std::mem::take(&mut call.body);
        let session = call.session()?;
        checked(session, req, |_, tree, out| rules::search(&body, tree, out));
        let keyword = text(&body["KeyWord"]);
        let list = session.account.search(&keyword);
        session.account.searches.push(keyword);
        let answer = json!({
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "Count": list.len(),
            "List": list
        });
        call.inner.keep_account(uin);
        let session = call.session()?;
        Ok(super::session::answer_of(session, answer))
    })
}

/// The members of group `to` of `session`'s account as a mention may name them (`None` when
/// `to` is not one of its groups).
pub(crate) fn mentionable(session: &Session, to: &str) -> Option<Vec<rules::Mentionable>> {
    let account = &session.account;
    let members = account.members(to)?;
    Some(
        members
            .iter()
            .map(|m| {
                let user = m["UserName"].as_str().unwrap_or_default().to_string();
                let remark = account
                    .contacts
                    .iter()
                    .find(|c| c["UserName"] == user.as_str())
                    .and_then(|c| c["RemarkName"].as_str())
                    .unwrap_or_default()
                    .to_string();
                // The group display name, else the nick name; a friend's remark too (the
                // picker's first choice).
                let display = m["DisplayName"].as_str().filter(|d| !d.is_empty());
                let shown = display.or(m["NickName"].as_str()).unwrap_or_default();
                rules::Mentionable {
                    names: vec![remark, shown.to_string()],
                    user_name: user,
                }
            })
            .collect(),
    )
}

/// Queues `count` friend requests for `uin` (the scenario's, at the account's first webwxinit).
pub(crate) fn queue_friend_requests(inner: &mut Inner, uin: u64, count: u32) {
    for _ in 0..count {
        if inner.friend_request(uin).is_none() {
            return;
        }
    }
}

/// When a message `sent` by the account was sent (for the revoke window).
pub(crate) fn sent_now(session: &mut Session, msg_id: &str) {
    session.sent_at.insert(msg_id.to_string(), Instant::now());
}
