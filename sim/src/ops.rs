//! What the account's own operations change (`/work/notes/ops16.md`): friend requests, remarks
//! and pins, groups created, joined, renamed and left, searches; and what the admin API shows of
//! them ([`AccountInfo`]). The endpoints are in `handlers::ops`; each change is announced the way
//! `webwxsync` delivers it ([`Entry`]).

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use crate::account::{Account, contact, member};
use crate::changes::{Entry, sync_contact};
use crate::ids::{hex, mix, person_name};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// `ContactFlag` bit of a pinned contact (`CONTACTFLAG_TOPCONTACT`).
pub(crate) const TOP_CONTACT: i64 = 0x800;

/// A friend request that arrived (MsgType 37 from `fmessage`) and waits for the account's
/// answer: accepted by `webwxverifyuser` with `Opcode` 3 and this `ticket`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PendingRequest {
    /// The stranger's user name (`RecommendInfo.UserName`, the `VerifyUserList` entry's `Value`).
    pub user_name: String,
    /// The stranger's nick name.
    pub nick_name: String,
    /// `RecommendInfo.Ticket` (the `VerifyUserTicket` of the accept).
    pub ticket: String,
    /// The greeting (`RecommendInfo.Content`).
    pub greeting: String,
    /// The `MsgId` of the MsgType 37 message that brought it.
    pub msg_id: String,
}

/// A friend request the account sent (`webwxverifyuser` with `Opcode` 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutgoingRequest {
    /// Whom to (the `VerifyUserList` entry's `Value`).
    pub user_name: String,
    /// The `VerifyContent` (the official page prefills `我是<own nick name>`).
    pub verify_content: String,
}

/// A group of the account as the admin API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupInfo {
    /// Its `@@` user name.
    pub user_name: String,
    /// Its topic (`NickName`; empty for a group created without one).
    pub topic: String,
    /// The owner's user name.
    pub owner: String,
    /// Whether the account owns it.
    pub is_owner: bool,
    /// Whether it is pinned (`ContactFlag` bit 0x800).
    pub pinned: bool,
    /// The members' user names (the account included), in order.
    pub members: Vec<String>,
}

/// What the account's operations did, as the admin API shows it (`GET
/// /__sim/sessions/<uin>/account`, [`Simulator::account`](crate::Simulator::account)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountInfo {
    /// The account's uin.
    pub uin: u64,
    /// The `MsgID`s of the account's messages it revoked (webwxrevokemsg), in order.
    pub revoked: Vec<String>,
    /// The `MsgId`s of received messages their senders recalled ([`Simulator::recall`](crate::Simulator::recall)).
    pub recalled: Vec<String>,
    /// Friend requests waiting for an answer.
    pub pending_requests: Vec<PendingRequest>,
    /// Friend requests the account sent.
    pub outgoing_requests: Vec<OutgoingRequest>,
    /// The remark of each contact that has one, by user name.
    pub remarks: BTreeMap<String, String>,
    /// The pinned contacts and groups, in contact-list order.
    pub pinned: Vec<String>,
    /// The account's groups.
    pub groups: Vec<GroupInfo>,
    /// The keyword of each webwxsearchcontact, in order.
    pub searches: Vec<String>,
}

/// A wxid-like id of `user_name` (the `<session>` of a recall notice is the wxid or
/// `<number>@chatroom`, never the `@` name the web client knows).
pub(crate) fn wxid(user_name: &str) -> String {
    let h = user_name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    if user_name.starts_with("@@") {
        format!("{}@chatroom", 10_000_000_000 + mix(h, 1) % 90_000_000_000)
    } else {
        format!("wxid_{}", hex(h, 2, 14))
    }
}

/// `ContactFlag` of a contact object as a number.
fn flag(c: &Value) -> i64 {
    c["ContactFlag"].as_i64().unwrap_or(0)
}

impl Account {
    /// Whether `name` is a friend.
    pub(crate) fn is_friend(&self, name: &str) -> bool {
        self.friends.iter().any(|f| f == name)
    }

    /// The contact-list object of `name` (a friend, group, official or special account), or the
    /// group object of a group outside the list.
    pub(crate) fn find(&self, name: &str) -> Option<&Value> {
        self.contacts
            .iter()
            .find(|c| c["UserName"] == name)
            .or_else(|| self.groups.get(name))
    }

    /// Applies `f` to every copy of contact `name` (its contact-list entry, its group object).
    /// `false` when it has none.
    fn edit(&mut self, name: &str, f: impl Fn(&mut Value)) -> bool {
        let mut found = false;
        for c in self.contacts.iter_mut().filter(|c| c["UserName"] == name) {
            f(c);
            found = true;
        }
        if let Some(g) = self.groups.get_mut(name) {
            f(g);
            found = true;
        }
        found
    }

    /// The `ModContactList` entry of contact `name` as it is now (a group with its members and
    /// its `ChatRoomOwner`).
    pub(crate) fn announce(&self, name: &str) -> Option<Entry> {
        if let Some(g) = self.groups.get(name) {
            let owner = self.owners.get(name).map_or("", String::as_str);
            return Some(Entry::ModContact(sync_contact(g, owner)));
        }
        self.find(name)
            .map(|c| Entry::ModContact(sync_contact(c, "")))
    }

    /// The name the account sees for `name`: a contact's remark, else its nick name; a group
    /// member's nick name; the account's own nick name.
    pub(crate) fn seen_name(&self, name: &str) -> String {
        if name == self.user_name {
            return self.nick_name.clone();
        }
        if let Some(c) = self.contacts.iter().find(|c| c["UserName"] == name) {
            let remark = c["RemarkName"].as_str().unwrap_or_default();
            let nick = c["NickName"].as_str().unwrap_or_default();
            return if remark.is_empty() { nick } else { remark }.to_string();
        }
        self.groups
            .values()
            .filter_map(|g| g["MemberList"].as_array())
            .flatten()
            .find(|m| m["UserName"] == name)
            .and_then(|m| m["NickName"].as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// The members of group `group`.
    pub(crate) fn members(&self, group: &str) -> Option<&Vec<Value>> {
        self.groups.get(group)?["MemberList"].as_array()
    }

    /// Whether the account owns group `group`.
    pub(crate) fn owns(&self, group: &str) -> bool {
        self.owners.get(group) == Some(&self.user_name)
    }

    /// Sets the remark of contact `name`; `false` when there is no such contact.
    pub(crate) fn set_remark(&mut self, name: &str, remark: &str) -> bool {
        self.edit(name, |c| c["RemarkName"] = json!(remark))
    }

    /// Pins (or unpins) contact `name`: `ContactFlag` bit 0x800.
    pub(crate) fn set_pinned(&mut self, name: &str, pinned: bool) -> bool {
        self.edit(name, |c| {
            let f = flag(c);
            c["ContactFlag"] = json!(if pinned {
                f | TOP_CONTACT
            } else {
                f & !TOP_CONTACT
            });
        })
    }

    /// A new stranger's friend request: the request, the stranger's wxid and encrypted name.
    pub(crate) fn new_request(&mut self, msg_id: u64) -> (PendingRequest, String, String) {
        let n = self.requests_made;
        self.requests_made += 1;
        let s = self.uin;
        let nick_name = person_name(s, 7_000 + n);
        let request = PendingRequest {
            user_name: format!("@{}", hex(s, 80_000 + n, 32)),
            greeting: format!("我是{}", strip_spans(&nick_name)),
            nick_name,
            ticket: format!("v2_{}@stranger", hex(s, 81_000 + n, 96)),
            msg_id: msg_id.to_string(),
        };
        let wxid = format!("wxid_{}", hex(s, 82_000 + n, 14));
        let encrypt = format!("v1_{}@stranger", hex(s, 83_000 + n, 64));
        self.pending.push(request.clone());
        (request, wxid, encrypt)
    }

    /// Accepts the pending request of `name`: the stranger becomes a friend (`ContactFlag` 3).
    /// Returns the request; `None` when none waits from `name`.
    pub(crate) fn accept(&mut self, name: &str) -> Option<PendingRequest> {
        let at = self.pending.iter().position(|r| r.user_name == name)?;
        let request = self.pending.remove(at);
        if !self.is_friend(name) {
            let c = contact(
                name,
                &request.nick_name,
                0,
                json!({"Sex": 1, "Province": "广东", "City": "深圳", "Signature": "新朋友"}),
            );
            // Friends come first in the contact list.
            let at = self
                .contacts
                .iter()
                .rposition(|c| self.friends.iter().any(|f| c["UserName"] == f.as_str()))
                .map_or(0, |i| i + 1);
            self.contacts.insert(at.min(self.contacts.len()), c);
            self.friends.push(name.to_string());
        }
        Some(request)
    }

    /// A group member object for friend `name` (its nick name, no display name).
    fn member_of(&self, name: &str) -> Value {
        let nick = self
            .contacts
            .iter()
            .find(|c| c["UserName"] == name)
            .and_then(|c| c["NickName"].as_str())
            .unwrap_or_default();
        member(name, nick, "")
    }

    /// Creates a group owned by the account with `members` (friends, the account left out) and
    /// `topic`; returns its user name.
    pub(crate) fn create_group(&mut self, members: &[String], topic: &str) -> String {
        let n = self.groups_made;
        self.groups_made += 1;
        let name = format!("@@{}", hex(self.uin, 90_000 + n, 64));
        let mut list = vec![member(&self.user_name, &self.nick_name, "")];
        list.extend(members.iter().map(|m| self.member_of(m)));
        let head = format!("/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=0&username={name}&skey=");
        let g = contact(
            &name,
            topic,
            0,
            json!({"ContactFlag": 2, "MemberCount": list.len(), "MemberList": list,
                   "OwnerUin": self.uin, "IsOwner": 1, "HeadImgUrl": head,
                   "EncryChatRoomId": format!("@{}", hex(self.uin, 91_000 + n, 32))}),
        );
        self.groups.insert(name.clone(), g);
        self.owners.insert(name.clone(), self.user_name.clone());
        name
    }

    /// Sets `MemberCount` of group `group` (both copies) from its member list.
    fn recount(&mut self, group: &str) {
        let count = self.members(group).map_or(0, Vec::len);
        self.edit(group, |c| c["MemberCount"] = json!(count));
    }

    /// Adds friends `names` to group `group`.
    pub(crate) fn add_members(&mut self, group: &str, names: &[String]) {
        let added: Vec<Value> = names.iter().map(|n| self.member_of(n)).collect();
        if let Some(list) = self
            .groups
            .get_mut(group)
            .and_then(|g| g["MemberList"].as_array_mut())
        {
            list.extend(added);
        }
        self.recount(group);
    }

    /// Removes members `names` from group `group`.
    pub(crate) fn remove_members(&mut self, group: &str, names: &[String]) {
        if let Some(list) = self
            .groups
            .get_mut(group)
            .and_then(|g| g["MemberList"].as_array_mut())
        {
            list.retain(|m| !names.iter().any(|n| m["UserName"] == n.as_str()));
        }
        self.recount(group);
    }

    /// Renames group `group`.
    pub(crate) fn set_topic(&mut self, group: &str, topic: &str) {
        self.edit(group, |c| c["NickName"] = json!(topic));
    }

    /// The account leaves group `group`: it is gone from its groups and contacts.
    pub(crate) fn leave(&mut self, group: &str) {
        self.groups.remove(group);
        self.owners.remove(group);
        self.contacts.retain(|c| c["UserName"] != group);
    }

    /// The friends whose `NickName`, `RemarkName` or `Alias` contains `keyword` (ASCII letters
    /// in any case), as webwxsearchcontact lists them.
    pub(crate) fn search(&self, keyword: &str) -> Vec<Value> {
        let keyword = keyword.to_lowercase();
        if keyword.is_empty() {
            return Vec::new();
        }
        self.contacts
            .iter()
            .filter(|c| self.friends.iter().any(|f| c["UserName"] == f.as_str()))
            .filter(|c| {
                ["NickName", "RemarkName", "Alias"].iter().any(|k| {
                    c[*k]
                        .as_str()
                        .is_some_and(|v| v.to_lowercase().contains(&keyword))
                })
            })
            .map(|c| {
                let mut entry = sync_contact(c, "");
                entry["EncryUserName"] = c["UserName"].clone();
                entry
            })
            .collect()
    }

    /// The account's part of [`AccountInfo`].
    pub(crate) fn info(&self, uin: u64) -> AccountInfo {
        let remarks = self
            .contacts
            .iter()
            .chain(self.groups.values())
            .filter_map(|c| {
                let remark = c["RemarkName"].as_str().filter(|r| !r.is_empty())?;
                Some((c["UserName"].as_str()?.to_string(), remark.to_string()))
            })
            .collect();
        // A group of the contact list is in both.
        let mut pinned: Vec<String> = Vec::new();
        for c in self.contacts.iter().chain(self.groups.values()) {
            if let Some(name) = c["UserName"]
                .as_str()
                .filter(|_| flag(c) & TOP_CONTACT != 0)
                && !pinned.iter().any(|p| p == name)
            {
                pinned.push(name.to_string());
            }
        }
        let groups = self
            .groups
            .iter()
            .map(|(name, g)| GroupInfo {
                user_name: name.clone(),
                topic: g["NickName"].as_str().unwrap_or_default().to_string(),
                owner: self.owners.get(name).cloned().unwrap_or_default(),
                is_owner: self.owns(name),
                pinned: flag(g) & TOP_CONTACT != 0,
                members: g["MemberList"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .filter_map(|m| m["UserName"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        AccountInfo {
            uin,
            revoked: Vec::new(),
            recalled: Vec::new(),
            pending_requests: self.pending.clone(),
            outgoing_requests: self.outgoing.clone(),
            remarks,
            pinned,
            groups,
            searches: self.searches.clone(),
        }
    }
}

/// `text` without the server's emoji spans (`<span class="emoji emoji1f600"></span>`).
fn strip_spans(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("<span") {
        out.push_str(before);
        rest = after.split_once("</span>").map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ContactSpec;

    fn account() -> Account {
        Account::generate(5, 0, &ContactSpec::default())
    }

    #[test]
    fn groups_alternate_owners() {
        let a = account();
        let owned: Vec<bool> = a.groups.keys().map(|g| a.owns(g)).collect();
        assert_eq!(owned.len(), 3);
        assert_eq!(owned.iter().filter(|o| **o).count(), 2);
        for (name, g) in &a.groups {
            assert_eq!(g["IsOwner"] == 1, a.owns(name));
            assert_eq!(g["OwnerUin"] == a.uin, a.owns(name));
        }
    }

    #[test]
    fn a_request_accepted_makes_a_friend_once() {
        let mut a = account();
        let (r, wxid, encrypt) = a.new_request(7);
        assert!(wxid.starts_with("wxid_") && encrypt.ends_with("@stranger"));
        assert!(!a.is_friend(&r.user_name));
        assert_eq!(a.accept(&r.user_name), Some(r.clone()));
        assert!(a.is_friend(&r.user_name));
        assert_eq!(a.find(&r.user_name).unwrap()["ContactFlag"], 3);
        assert!(a.accept(&r.user_name).is_none());
        let friends_then_groups = a
            .contacts
            .iter()
            .position(|c| c["UserName"] == r.user_name.as_str())
            .unwrap();
        assert_eq!(friends_then_groups, a.friends.len() - 1);
    }

    #[test]
    fn pins_and_remarks_change_both_copies_of_a_group() {
        let mut a = account();
        let g = a.groups.keys().next().unwrap().clone();
        assert!(a.set_pinned(&g, true));
        assert!(a.set_remark(&g, "备注群"));
        let info = a.info(1);
        assert_eq!(info.pinned, std::slice::from_ref(&g));
        assert_eq!(info.remarks[&g], "备注群");
        assert!(a.set_pinned(&g, false));
        assert!(a.info(1).pinned.is_empty());
        assert!(!a.set_pinned("@nobody", true));
    }

    #[test]
    fn wxids_are_stable_and_shaped() {
        assert_eq!(wxid("@abc"), wxid("@abc"));
        assert!(wxid("@abc").starts_with("wxid_"));
        assert!(wxid("@@abc").ends_with("@chatroom"));
        assert_eq!(
            strip_spans("a<span class=\"emoji emoji1f600\"></span>b"),
            "ab"
        );
    }
}
