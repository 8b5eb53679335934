//! The official client's rules for the operations of issue 16 (`/work/notes/ops16.md`): revoke
//! (`webwxrevokemsg`), friend requests (`webwxverifyuser`), remark and pin (`webwxoplog`), groups
//! (`webwxcreatechatroom`, `webwxupdatechatroom`), search (`webwxsearchcontact`) and the
//! `MsgSource` of a text with @-mentions (`webwxsendmsg`).
//!
//! Every one is an Angular `$http` POST: the query is the op's own `r=<Date.now()>` or `fun=`,
//! then `lang` and `pass_ticket` (checked by `params` and `pass-ticket` like every Angular call);
//! the body is `angular.toJson` of `angular.extend(..)`, whose key order these rules check.
//!
//! Rule names (the prefix of every deviation): `revoke`, `verify`, `oplog`, `chatroom`,
//! `search`, `send` (webwxsendmsg's `Msg` keys), `mention`, and `params` (`r` as `Date.now()`).

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use super::{note, number, official_keys, shown, shown_keys};
use serde_json::Value;

/// The longest remark or group topic the official page sends (it cuts the text to 18).
pub(crate) const MAX_NAME_CHARS: usize = 18;

/// The space the official @-picker puts after a name.
const MENTION_SPACE: char = ' ';

/// The space phones put after a name (U+2005).
const PHONE_SPACE: char = '\u{2005}';

/// A JSON text's shape with every object's keys in the order sent (`serde_json::Value` keeps no
/// order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tree {
    /// An object: its keys in order, with their values' shapes.
    Object(Vec<(String, Tree)>),
    /// An array's elements.
    Array(Vec<Tree>),
    /// Anything else.
    Leaf,
}

impl Tree {
    /// The shape of a JSON text (`None` when it is not JSON).
    pub(crate) fn parse(text: &[u8]) -> Option<Tree> {
        serde_json::from_slice(text).ok()
    }

    /// An object's keys in order (`None` for anything else).
    pub(crate) fn keys(&self) -> Option<Vec<String>> {
        match self {
            Tree::Object(fields) => Some(fields.iter().map(|(k, _)| k.clone()).collect()),
            _ => None,
        }
    }

    /// An object's member `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// An array's elements (none for anything else).
    fn elements(&self) -> &[Tree] {
        match self {
            Tree::Array(items) => items,
            _ => &[],
        }
    }
}

impl<'de> serde::Deserialize<'de> for Tree {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tree;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
                let mut fields = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    fields.push((k, map.next_value::<Tree>()?));
                }
                Ok(Tree::Object(fields))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element::<Tree>()? {
                    items.push(v);
                }
                Ok(Tree::Array(items))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_str<E>(self, _: &str) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_unit<E>(self) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether `sent` is exactly `official` (no optional keys here: `angular.toJson` drops only
/// `undefined` values, and the official bodies have none).
fn exact(sent: &[String], official: &[&str]) -> bool {
    sent.len() == official.len() && sent.iter().zip(official).all(|(s, o)| s == o)
}

/// `<rule>: <endpoint> body keys <sent> (official: <keys>)` when the body's keys are not
/// `official` in that order.
fn body_keys(
    rule: &str,
    what: &str,
    tree: Option<&Tree>,
    official: &[&str],
    out: &mut Vec<String>,
) {
    let sent = tree.and_then(Tree::keys).unwrap_or_default();
    if !exact(&sent, official) {
        note(
            out,
            format!(
                "{rule}: {what} body keys {} (official: {})",
                shown_keys(&sent),
                official.join(",")
            ),
        );
    }
}

/// `<rule>: <what> <key> not a string (official: a string)` for each of `keys` that is there
/// and is not a string.
fn strings(rule: &str, what: &str, body: &Value, keys: &[&str], out: &mut Vec<String>) {
    for key in keys {
        if body.get(*key).is_some_and(|v| !v.is_string()) {
            note(
                out,
                format!("{rule}: {what} {key} not a string (official: a string)"),
            );
        }
    }
}

/// `<rule>: <what> <key> not a number (official: a number)` for each of `keys` that is there
/// and is not a number.
fn numbers(rule: &str, what: &str, body: &Value, keys: &[&str], out: &mut Vec<String>) {
    for key in keys {
        if body.get(*key).is_some_and(|v| !v.is_number()) {
            note(
                out,
                format!("{rule}: {what} {key} not a number (official: a number)"),
            );
        }
    }
}

/// `params`: the op's `r` is `Date.now()`, 13 digits of milliseconds (not seconds, not `~ms`).
pub(crate) fn r_ms(endpoint: &str, uri: &http::Uri, out: &mut Vec<String>) {
    let Some(r) = number(uri, "r") else {
        return;
    };
    if !(1_000_000_000_000..10_000_000_000_000).contains(&r) {
        note(
            out,
            format!("params: {endpoint} r is not 13-digit ms (official: Date.now())"),
        );
    }
}

/// `revoke`: `{BaseRequest, SvrMsgId, ToUserName, ClientMsgId}`, all strings.
pub(crate) fn revoke(body: &Value, tree: Option<&Tree>, out: &mut Vec<String>) {
    let what = "webwxrevokemsg";
    body_keys(
        "revoke",
        what,
        tree,
        &["BaseRequest", "SvrMsgId", "ToUserName", "ClientMsgId"],
        out,
    );
    strings(
        "revoke",
        what,
        body,
        &["SvrMsgId", "ToUserName", "ClientMsgId"],
        out,
    );
}

/// What a webwxverifyuser asks: its `Opcode`, the user and ticket of its one entry, and its
/// `VerifyContent`.
#[derive(Debug)]
pub(crate) struct Verify {
    pub(crate) opcode: Option<i64>,
    pub(crate) user: String,
    pub(crate) ticket: String,
    pub(crate) content: String,
}

/// `verify`: `{BaseRequest, Opcode, VerifyUserListSize, VerifyUserList: [{Value,
/// VerifyUserTicket}], VerifyContent, SceneListCount, SceneList, skey}`; numbers Opcode (3 to
/// accept, 2 to send a request), `VerifyUserListSize` 1, `SceneListCount` 1, `SceneList` `[33]`;
/// strings `Value`, `VerifyUserTicket`, `VerifyContent`, `skey` (the session's, raw); an accept
/// has an empty `VerifyContent`.
pub(crate) fn verify(
    body: &Value,
    tree: Option<&Tree>,
    skey: &str,
    out: &mut Vec<String>,
) -> Verify {
    let what = "webwxverifyuser";
    body_keys(
        "verify",
        what,
        tree,
        &[
            "BaseRequest",
            "Opcode",
            "VerifyUserListSize",
            "VerifyUserList",
            "VerifyContent",
            "SceneListCount",
            "SceneList",
            "skey",
        ],
        out,
    );
    numbers(
        "verify",
        what,
        body,
        &["Opcode", "VerifyUserListSize", "SceneListCount"],
        out,
    );
    strings("verify", what, body, &["VerifyContent", "skey"], out);
    let opcode = match &body["Opcode"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    if !matches!(opcode, Some(2 | 3)) {
        note(
            out,
            format!(
                "verify: {what} Opcode {} (official: 3 to accept, 2 to send a request)",
                shown(&body["Opcode"].to_string())
            ),
        );
    }
    let list = body["VerifyUserList"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if list.len() != 1 {
        note(
            out,
            format!(
                "verify: {what} VerifyUserList of {} entries (official: one)",
                list.len()
            ),
        );
    }
    for (key, n) in [("VerifyUserListSize", list.len()), ("SceneListCount", 1)] {
        if body[key].as_u64().is_some_and(|v| v != n as u64) {
            note(
                out,
                format!("verify: {what} {key} not {n} (official: the list's length, 1)"),
            );
        }
    }
    let entry_keys = tree
        .and_then(|t| t.get("VerifyUserList"))
        .and_then(|l| l.elements().first())
        .and_then(Tree::keys);
    if let Some(keys) = entry_keys
        && !exact(&keys, &["Value", "VerifyUserTicket"])
    {
        note(
            out,
            format!(
                "verify: {what} VerifyUserList entry keys {} (official: Value,VerifyUserTicket)",
                shown_keys(&keys)
            ),
        );
    }
    let entry = list.first().cloned().unwrap_or_default();
    strings("verify", what, &entry, &["Value", "VerifyUserTicket"], out);
    let scenes = &body["SceneList"];
    if scenes.as_array().is_none_or(|s| s.len() != 1 || s[0] != 33) {
        note(
            out,
            format!(
                "verify: {what} SceneList {} (official: [33], ADDSCENE_PF_WEB)",
                shown(&scenes.to_string())
            ),
        );
    }
    match body["skey"].as_str() {
        None => note(
            out,
            format!("verify: {what} without skey (official: the session's skey, raw)"),
        ),
        Some(s) if s != skey => note(
            out,
            format!("verify: {what} skey not the session's (official: the session's skey, raw)"),
        ),
        Some(_) => {}
    }
    let content = crate::handlers::session::text(&body["VerifyContent"]);
    if opcode == Some(3) && !content.is_empty() {
        note(
            out,
            format!("verify: {what} an accept with a VerifyContent (official: \"\")"),
        );
    }
    Verify {
        opcode,
        user: crate::handlers::session::text(&entry["Value"]),
        ticket: crate::handlers::session::text(&entry["VerifyUserTicket"]),
        content,
    }
}

/// `oplog`: a remark `{UserName, CmdId: 2, RemarkName, BaseRequest}` or a pin `{UserName,
/// CmdId: 3, OP: 1|0, RemarkName, BaseRequest}`; numbers CmdId and OP, strings UserName and
/// RemarkName, the remark at most 18 characters. `current`: the contact's remark now (a pin
/// sends it as it is).
pub(crate) fn oplog(
    body: &Value,
    tree: Option<&Tree>,
    current: Option<&str>,
    out: &mut Vec<String>,
) {
    let what = "webwxoplog";
    numbers("oplog", what, body, &["CmdId", "OP"], out);
    strings("oplog", what, body, &["UserName", "RemarkName"], out);
    let cmd = body["CmdId"]
        .as_i64()
        .or_else(|| body["CmdId"].as_str()?.parse().ok());
    match cmd {
        Some(2) => body_keys(
            "oplog",
            "webwxoplog CmdId 2",
            tree,
            &["UserName", "CmdId", "RemarkName", "BaseRequest"],
            out,
        ),
        Some(3) => {
            // A pin without RemarkName is noted below, on its own.
            let sent = tree.and_then(Tree::keys).unwrap_or_default();
            if !exact(&sent, &["UserName", "CmdId", "OP", "BaseRequest"]) {
                body_keys(
                    "oplog",
                    "webwxoplog CmdId 3",
                    tree,
                    &["UserName", "CmdId", "OP", "RemarkName", "BaseRequest"],
                    out,
                );
            }
            if !matches!(body["OP"].as_i64(), Some(0 | 1)) {
                note(
                    out,
                    format!(
                        "oplog: {what} OP {} (official: 1 to pin, 0 to unpin)",
                        shown(&body["OP"].to_string())
                    ),
                );
            }
            match (body.get("RemarkName"), current) {
                (None, _) => note(
                    out,
                    "oplog: webwxoplog a pin without RemarkName (official: the contact's RemarkName; without it the server clears the remark)"
                        .into(),
                ),
                (Some(sent), Some(now)) if crate::handlers::session::text(sent) != now => {
                    note(
                        out,
                        "oplog: webwxoplog a pin with a RemarkName other than the contact's (official: its current RemarkName)"
                            .into(),
                    );
                }
                _ => {}
            }
        }
        _ => note(
            out,
            format!(
                "oplog: {what} CmdId {} (official: 2 remark, 3 pin)",
                shown(&body["CmdId"].to_string())
            ),
        ),
    }
    if body["RemarkName"]
        .as_str()
        .is_some_and(|r| r.chars().count() > MAX_NAME_CHARS)
    {
        note(
            out,
            format!("oplog: {what} RemarkName longer than 18 characters (official: cut to 18)"),
        );
    }
}

/// `chatroom`: webwxcreatechatroom's `{MemberCount, MemberList: [{UserName}], Topic: "",
/// BaseRequest}`, MemberCount the list's length (a number), the account itself left out.
pub(crate) fn create(body: &Value, tree: Option<&Tree>, me: &str, out: &mut Vec<String>) {
    let what = "webwxcreatechatroom";
    body_keys(
        "chatroom",
        what,
        tree,
        &["MemberCount", "MemberList", "Topic", "BaseRequest"],
        out,
    );
    let list = body["MemberList"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if body["MemberCount"].as_u64() != Some(list.len() as u64) {
        note(
            out,
            format!(
                "chatroom: {what} MemberCount not the MemberList's length (official: its length, a number)"
            ),
        );
    }
    let odd_entry = tree
        .and_then(|t| t.get("MemberList"))
        .map(Tree::elements)
        .unwrap_or_default()
        .iter()
        .find_map(|e| e.keys().filter(|k| !exact(k, &["UserName"])));
    if let Some(keys) = odd_entry {
        note(
            out,
            format!(
                "chatroom: {what} MemberList entry keys {} (official: UserName)",
                shown_keys(&keys)
            ),
        );
    }
    if list.iter().any(|e| !e["UserName"].is_string()) {
        note(
            out,
            format!("chatroom: {what} MemberList entry UserName not a string (official: a string)"),
        );
    }
    if list.iter().any(|e| e["UserName"] == me) {
        note(
            out,
            format!(
                "chatroom: {what} MemberList with the account itself (official: removed first)"
            ),
        );
    }
    if body["Topic"] != "" {
        note(
            out,
            format!("chatroom: {what} Topic not \"\" (official: always \"\")"),
        );
    }
}

/// One `fun` of webwxupdatechatroom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Update {
    /// `addmember`: `AddMemberList`.
    Add,
    /// `invitemember`: `InviteMemberList`.
    Invite,
    /// `delmember`: `DelMemberList`.
    Del,
    /// `modtopic`: `NewTopic`.
    Topic,
    /// `quitchatroom`.
    Quit,
}

impl Update {
    /// The update of `fun`.
    pub(crate) fn of(fun: &str) -> Option<Update> {
        Some(match fun {
            "addmember" => Update::Add,
            "invitemember" => Update::Invite,
            "delmember" => Update::Del,
            "modtopic" => Update::Topic,
            "quitchatroom" => Update::Quit,
            _ => return None,
        })
    }

    pub(crate) fn fun(self) -> &'static str {
        match self {
            Update::Add => "addmember",
            Update::Invite => "invitemember",
            Update::Del => "delmember",
            Update::Topic => "modtopic",
            Update::Quit => "quitchatroom",
        }
    }

    /// The body key that carries the update's value, if it has one.
    pub(crate) fn key(self) -> Option<&'static str> {
        match self {
            Update::Add => Some("AddMemberList"),
            Update::Invite => Some("InviteMemberList"),
            Update::Del => Some("DelMemberList"),
            Update::Topic => Some("NewTopic"),
            Update::Quit => None,
        }
    }
}

/// `chatroom`: a webwxupdatechatroom body, `{<the fun's key>, ChatRoomName, BaseRequest}`
/// (`{ChatRoomName, BaseRequest}` to quit), the member lists comma-joined strings. Returns the
/// user names the update names (any of the three member keys; an array of names is taken too).
pub(crate) fn update(
    update: Update,
    body: &Value,
    tree: Option<&Tree>,
    out: &mut Vec<String>,
) -> Vec<String> {
    let fun = update.fun();
    let mut official: Vec<&str> = update.key().into_iter().collect();
    official.extend(["ChatRoomName", "BaseRequest"]);
    body_keys(
        "chatroom",
        &format!("webwxupdatechatroom fun={fun}"),
        tree,
        &official,
        out,
    );
    strings(
        "chatroom",
        "webwxupdatechatroom",
        body,
        &["ChatRoomName", "NewTopic"],
        out,
    );
    let mut names = Vec::new();
    for key in ["AddMemberList", "InviteMemberList", "DelMemberList"] {
        match &body[key] {
            Value::String(s) => names.extend(
                s.split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string),
            ),
            Value::Array(items) => {
                note(
                    out,
                    format!(
                        "chatroom: webwxupdatechatroom fun={fun} {key} an array (official: a comma-joined string)"
                    ),
                );
                names.extend(items.iter().filter_map(|v| {
                    v.as_str()
                        .or_else(|| v["UserName"].as_str())
                        .map(str::to_string)
                }));
            }
            _ => {}
        }
    }
    if update == Update::Del && names.len() > 1 {
        note(
            out,
            format!(
                "chatroom: webwxupdatechatroom fun=delmember with {} names (official: one at a time)",
                names.len()
            ),
        );
    }
    names
}

/// `chatroom`: the 40 rule (`addMember`): `invitemember` when the group's members (the account
/// included) and the added ones make `invite_from` (webwxinit's `InviteStartCount`, 40) or
/// more, else `addmember`.
pub(crate) fn forty(
    update: Update,
    members: usize,
    added: usize,
    invite_from: usize,
    out: &mut Vec<String>,
) {
    let total = members + added;
    let official = if total >= invite_from {
        Update::Invite
    } else {
        Update::Add
    };
    if matches!(update, Update::Add | Update::Invite) && update != official {
        note(
            out,
            format!(
                "chatroom: webwxupdatechatroom fun={} for {members} members + {added} (official: {} when members + added {} {invite_from})",
                update.fun(),
                official.fun(),
                if official == Update::Invite {
                    ">="
                } else {
                    "<"
                }
            ),
        );
    }
}

/// `chatroom`: modtopic's `NewTopic` as the page sends it: not empty, not the current topic, at
/// most 18 characters.
pub(crate) fn topic(new: &str, current: &str, out: &mut Vec<String>) {
    if new.is_empty() || new == current {
        note(
            out,
            "chatroom: webwxupdatechatroom fun=modtopic with an empty or unchanged NewTopic (official: not sent)"
                .into(),
        );
    }
    if new.chars().count() > MAX_NAME_CHARS {
        note(
            out,
            "chatroom: webwxupdatechatroom fun=modtopic NewTopic longer than 18 characters (official: cut to 18)"
                .into(),
        );
    }
}

/// `search`: `{BaseRequest, KeyWord}`, KeyWord a string.
pub(crate) fn search(body: &Value, tree: Option<&Tree>, out: &mut Vec<String>) {
    body_keys(
        "search",
        "webwxsearchcontact",
        tree,
        &["BaseRequest", "KeyWord"],
        out,
    );
    strings("search", "webwxsearchcontact", body, &["KeyWord"], out);
}

/// webwxsendmsg's `Msg` keys (`postTextMessage`, then `_postMessage`).
const TEXT_KEYS: [(&str, bool); 7] = [
    ("Type", false),
    ("Content", false),
    ("MsgSource", true),
    ("FromUserName", false),
    ("ToUserName", false),
    ("LocalID", false),
    ("ClientMsgId", false),
];

/// `send`: webwxsendmsg's `Msg` keys in the official order, `Type, Content, [MsgSource],
/// FromUserName, ToUserName, LocalID, ClientMsgId`.
pub(crate) fn text_keys(keys: Option<&[String]>, out: &mut Vec<String>) {
    if keys.is_some_and(|k| super::keys_match(k, &TEXT_KEYS)) {
        return;
    }
    let sent = keys.map_or_else(|| "no Msg object".to_string(), shown_keys);
    note(
        out,
        format!(
            "send: webwxsendmsg Msg keys {sent} (official: {})",
            official_keys(&TEXT_KEYS)
        ),
    );
}

/// A group member as a mention may name it.
#[derive(Debug)]
pub(crate) struct Mentionable {
    /// Its user name.
    pub(crate) user_name: String,
    /// Names the page's picker may write after `@`: the account's remark for a friend, the
    /// group display name (the nick name when it has none).
    pub(crate) names: Vec<String>,
}

/// `mention`: a text's `MsgSource` (`postTextMessage`, dev hosts only):
/// `<msgsource><atusername>u1,u2</atusername><atchatroomname>@@room</atchatroomname></msgsource>`
/// on a message to a group (`to`), each named user a member of it (`members`: `None` when `to`
/// is no group of the account), and `@<name> ` in `content` for each (the name the picker
/// writes: the friend's remark, or the group display name, else the nick name; then U+0020). Returns the user names named
/// in `<atusername>`.
pub(crate) fn mentions(
    source: &Value,
    to: &str,
    content: &str,
    members: Option<&[Mentionable]>,
    out: &mut Vec<String>,
) -> Vec<String> {
    let Some(source) = source.as_str() else {
        note(
            out,
            "mention: MsgSource not a string (official: <msgsource>..</msgsource>)".into(),
        );
        return Vec::new();
    };
    let parsed = source
        .strip_prefix("<msgsource><atusername>")
        .and_then(|rest| rest.split_once("</atusername><atchatroomname>"))
        .and_then(|(users, rest)| {
            let room = rest.strip_suffix("</atchatroomname></msgsource>")?;
            Some((users, room))
        });
    let Some((users, room)) = parsed else {
        note(
            out,
            "mention: MsgSource not <msgsource><atusername>u1,u2</atusername><atchatroomname>@@room</atchatroomname></msgsource>"
                .into(),
        );
        return Vec::new();
    };
    if !to.starts_with("@@") {
        note(
            out,
            "mention: MsgSource on a message to a person (official: only to a group)".into(),
        );
    }
    if room != to {
        note(
            out,
            "mention: atchatroomname not the message's ToUserName (official: the group's @@ name)"
                .into(),
        );
    }
    let named: Vec<String> = users
        .split(',')
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .collect();
    if named.is_empty() {
        note(
            out,
            "mention: MsgSource with an empty atusername (official: only with mentions)".into(),
        );
    }
    for user in &named {
        let Some(m) = members
            .unwrap_or_default()
            .iter()
            .find(|m| &m.user_name == user)
        else {
            note(
                out,
                "mention: atusername names a user who is not a member of the group".into(),
            );
            continue;
        };
        let mut spaced = false;
        let mut phone = false;
        for name in m.names.iter().filter(|n| !n.is_empty()) {
            let at = format!("@{name}");
            spaced |= content.contains(&format!("{at}{MENTION_SPACE}"));
            phone |= content.contains(&format!("{at}{PHONE_SPACE}"));
        }
        if !spaced && phone {
            note(
                out,
                "mention: @<name> followed by U+2005 (official: a space, U+0020)".into(),
            );
        } else if !spaced {
            note(
                out,
                "mention: Content without @<name> and a space for a named member (official: @ + remark or group display name (else nick name), then U+0020)"
                    .into(),
            );
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trees_keep_the_order_sent() {
        let t = Tree::parse(br#"{"b":1,"a":[{"y":1,"x":2}],"c":{"z":null}}"#).unwrap();
        assert_eq!(t.keys().unwrap(), ["b", "a", "c"]);
        assert_eq!(
            t.get("a").unwrap().elements()[0].keys().unwrap(),
            ["y", "x"]
        );
        assert_eq!(t.get("c").unwrap().keys().unwrap(), ["z"]);
        assert!(Tree::parse(b"{").is_none());
    }

    #[test]
    fn r_is_date_now() {
        let mut out = vec![];
        r_ms("x", &"/x?r=1764000000123".parse().unwrap(), &mut out);
        assert!(out.is_empty());
        r_ms("x", &"/x?r=1764000000".parse().unwrap(), &mut out);
        r_ms("x", &"/x?r=-12345".parse().unwrap(), &mut out);
        assert_eq!(out.len(), 1, "noted once: {out:?}");
    }

    #[test]
    fn the_official_verify_body_records_nothing() {
        let text = br#"{"BaseRequest":{},"Opcode":3,"VerifyUserListSize":1,"VerifyUserList":[{"Value":"@a","VerifyUserTicket":"v2_x"}],"VerifyContent":"","SceneListCount":1,"SceneList":[33],"skey":"@crypt_1"}"#;
        let body: Value = serde_json::from_slice(text).unwrap();
        let mut out = vec![];
        let v = verify(&body, Tree::parse(text).as_ref(), "@crypt_1", &mut out);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(
            (v.opcode, v.user.as_str(), v.ticket.as_str()),
            (Some(3), "@a", "v2_x")
        );
        // ItChat's: SceneList a bare number, keys in its own order.
        let itchat = json!({"BaseRequest": {}, "Opcode": 3, "VerifyUserListSize": 1,
            "VerifyUserList": [{"Value": "@a", "VerifyUserTicket": ""}], "VerifyContent": "",
            "SceneListCount": 1, "SceneList": 33, "skey": "@crypt_1"});
        verify(&itchat, None, "@crypt_1", &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
    }

    #[test]
    fn mentions_need_the_name_and_a_space() {
        let members = [Mentionable {
            user_name: "@u1".into(),
            names: vec!["备注".into(), "".into(), "小明".into()],
        }];
        let source = json!(
            "<msgsource><atusername>@u1</atusername><atchatroomname>@@r</atchatroomname></msgsource>"
        );
        let mut out = vec![];
        let named = mentions(&source, "@@r", "@小明 你好", Some(&members), &mut out);
        assert_eq!(named, ["@u1"]);
        assert!(out.is_empty(), "{out:?}");
        mentions(&source, "@@r", "@备注 你好", Some(&members), &mut out);
        assert!(
            out.is_empty(),
            "the remark is the picker's first choice: {out:?}"
        );
        mentions(
            &source,
            "@@r",
            "@小明\u{2005}你好",
            Some(&members),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        mentions(&source, "@@r", "你好", Some(&members), &mut out);
        assert_eq!(out.len(), 2);
        mentions(&source, "@@other", "@小明 你好", None, &mut out);
        assert_eq!(out.len(), 4, "{out:?}");
    }
}
