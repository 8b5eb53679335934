//! Changes to an account's contacts and profile (the scenario's contact events and the admin
//! API): applied to the account at once, and kept in the session's log in the shapes
//! `webwxsync` delivers them (`ModContactList`, `DelContactList`, `ModChatRoomMemberList`,
//! `Profile`).

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use crate::account::{Account, member};
use crate::ids::{hex, person_name};
use crate::scenario::ContactChange;
use serde_json::{Value, json};

/// The most members a group can have (WeChat's limit): joins past it are dropped.
const MAX_GROUP_MEMBERS: usize = 500;

/// `Profile.BitFlag` of a changed profile (the official client's `PROFILE_BITFLAG_CHANGE`).
const PROFILE_CHANGED: i64 = 190;

/// One entry of a session's log: one item of a `webwxsync` answer.
#[derive(Clone, Debug)]
pub(crate) enum Entry {
    /// An `AddMsgList` entry.
    Message(Value),
    /// A `ModContactList` entry: a contact's object after the change.
    ModContact(Value),
    /// A `DelContactList` entry.
    DelContact(Value),
    /// A `ModChatRoomMemberList` entry: a group's object with its new member list.
    ModChatRoomMember(Value),
    /// The `Profile` of a change of the account's own profile.
    Profile(Value),
}

impl Entry {
    /// The synccheck selector that announces this entry (protocol.md §4): 2 new messages, 6
    /// contacts removed, 4 other contact or profile changes.
    fn selector(&self) -> i64 {
        match self {
            Entry::Message(_) => 2,
            Entry::DelContact(_) => 6,
            Entry::ModContact(_) | Entry::ModChatRoomMember(_) | Entry::Profile(_) => 4,
        }
    }
}

/// The selector announcing `waiting` entries (0 when none): messages win (2), then contacts
/// removed (6), then other changes (4).
pub(crate) fn selector(waiting: &[Entry]) -> i64 {
    let mut best = 0;
    for entry in waiting {
        match entry.selector() {
            2 => return 2,
            6 => best = 6,
            other if best == 0 => best = other,
            _ => {}
        }
    }
    best
}

/// The `Profile` of a sync answer that changes nothing.
pub(crate) fn unchanged_profile() -> Value {
    json!({"BitFlag": 0, "UserName": {"Buff": ""}, "NickName": {"Buff": ""}, "BindUin": 0,
        "BindEmail": {"Buff": ""}, "BindMobile": {"Buff": ""}, "Status": 0, "Sex": 0,
        "PersonalCard": 0, "Alias": "", "HeadImgUpdateFlag": 0, "HeadImgUrl": "", "Signature": ""})
}

/// A contact as the sync lists carry it (the field set of the real `ModContactList` entries:
/// fewer than `webwxgetcontact`'s, plus `HeadImgUpdateFlag`, `ContactType`, `ChatRoomOwner`).
pub(crate) fn sync_contact(c: &Value, owner: &str) -> Value {
    json!({
        "UserName": c["UserName"],
        "NickName": c["NickName"],
        "Sex": c["Sex"],
        "HeadImgUpdateFlag": 0,
        "ContactType": 0,
        "Alias": c["Alias"],
        "ChatRoomOwner": owner,
        "HeadImgUrl": c["HeadImgUrl"],
        "ContactFlag": c["ContactFlag"],
        "MemberCount": c["MemberCount"],
        "MemberList": c["MemberList"],
        "HideInputBarFlag": c["HideInputBarFlag"],
        "Signature": c["Signature"],
        "VerifyFlag": c["VerifyFlag"],
        "RemarkName": c["RemarkName"],
        "Statues": c["Statues"],
        "AttrStatus": c["AttrStatus"],
        "Province": c["Province"],
        "City": c["City"],
        "SnsFlag": c["SnsFlag"],
        "KeyWord": c["KeyWord"]
    })
}

impl Account {
    /// Applies `change` to the account; returns the user name it changed and the log entry that
    /// announces it, `None` when its contact does not exist.
    pub(crate) fn apply(&mut self, change: &ContactChange) -> Option<(String, Entry)> {
        match change {
            ContactChange::RenameFriend {
                friend,
                nick_name,
                remark_name,
            } => {
                let name = friend.resolve(&self.friends)?.clone();
                let c = self
                    .contacts
                    .iter_mut()
                    .find(|c| c["UserName"] == name.as_str())?;
                c["NickName"] = json!(nick_name);
                if let Some(remark) = remark_name {
                    c["RemarkName"] = json!(remark);
                }
                let entry = Entry::ModContact(sync_contact(c, ""));
                self.rename_member(&name, nick_name);
                Some((name, entry))
            }
            ContactChange::DeleteFriend { friend } => {
                let name = friend.resolve(&self.friends)?.clone();
                self.friends.retain(|f| *f != name);
                self.contacts.retain(|c| c["UserName"] != name.as_str());
                let entry = Entry::DelContact(json!({ "UserName": name }));
                Some((name, entry))
            }
            ContactChange::ChangeGroupMembers { group, join, leave } => {
                let names: Vec<String> = self.groups.keys().cloned().collect();
                let name = group.resolve(&names)?.clone();
                let me = self.user_name.clone();
                let g = self.groups.get_mut(&name)?;
                let members = g["MemberList"].as_array_mut()?;
                let mut left = 0;
                let mut at = members.len();
                while left < *leave && at > 0 {
                    at -= 1;
                    if members
                        .get(at)
                        .is_some_and(|m| m["UserName"] != me.as_str())
                    {
                        members.remove(at);
                        left += 1;
                    }
                }
                let room = MAX_GROUP_MEMBERS.saturating_sub(members.len());
                for _ in 0..(*join).min(room) {
                    let k = self.joined;
                    self.joined += 1;
                    members.push(member(
                        &format!("@{}", hex(self.uin, 60_000 + k, 32)),
                        &person_name(self.uin, 6_000 + k),
                        "",
                    ));
                }
                let count = members.len();
                g["MemberCount"] = json!(count);
                let owner = self.owners.get(&name).unwrap_or(&me);
                let entry = Entry::ModChatRoomMember(sync_contact(g, owner));
                if let Some(c) = self
                    .contacts
                    .iter_mut()
                    .find(|c| c["UserName"] == name.as_str())
                {
                    c["MemberCount"] = json!(count);
                }
                Some((name, entry))
            }
            ContactChange::RenameSelf { nick_name } => {
                self.nick_name = nick_name.clone();
                let me = self.user_name.clone();
                self.rename_member(&me, nick_name);
                let profile = json!({
                    "BitFlag": PROFILE_CHANGED,
                    "UserName": {"Buff": me},
                    "NickName": {"Buff": nick_name},
                    "BindUin": 0,
                    "BindEmail": {"Buff": ""},
                    "BindMobile": {"Buff": ""},
                    "Status": 0,
                    "Sex": 1,
                    "PersonalCard": 0,
                    "Alias": "",
                    "HeadImgUpdateFlag": 0,
                    "HeadImgUrl": self.head_img_url(),
                    "Signature": crate::account::SIGNATURE
                });
                Some((me, Entry::Profile(profile)))
            }
        }
    }

    /// Gives `user_name` the nick name `nick` in every group's member list.
    fn rename_member(&mut self, user_name: &str, nick: &str) {
        for g in self.groups.values_mut() {
            if let Some(members) = g["MemberList"].as_array_mut() {
                for m in members.iter_mut().filter(|m| m["UserName"] == user_name) {
                    m["NickName"] = json!(nick);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ContactRef, ContactSpec};

    fn account() -> Account {
        Account::generate(3, 0, &ContactSpec::default())
    }

    #[test]
    fn each_change_changes_the_account_and_yields_its_entry() {
        let mut a = account();
        let second = a.friends[1].clone();
        let (name, entry) = a
            .apply(&ContactChange::RenameFriend {
                friend: ContactRef::Index(1),
                nick_name: "新".into(),
                remark_name: None,
            })
            .unwrap();
        assert_eq!(name, second);
        let Entry::ModContact(c) = entry else {
            panic!("{entry:?}")
        };
        assert_eq!(
            (c["UserName"].as_str(), c["NickName"].as_str()),
            (Some(second.as_str()), Some("新"))
        );
        assert_eq!(c["RemarkName"], "", "friend 1 has no remark and keeps none");

        let last = a.friends.last().unwrap().clone();
        let (name, _) = a
            .apply(&ContactChange::DeleteFriend {
                friend: ContactRef::Index(-1),
            })
            .unwrap();
        assert_eq!(name, last);
        assert!(!a.friends.contains(&last));
        assert!(a.contacts.iter().all(|c| c["UserName"] != last.as_str()));
        assert!(
            a.apply(&ContactChange::DeleteFriend {
                friend: ContactRef::UserName(last)
            })
            .is_none(),
            "already gone"
        );

        let group = a.groups.keys().next().unwrap().clone();
        let before = a.groups[&group]["MemberList"].as_array().unwrap().len();
        let (_, entry) = a
            .apply(&ContactChange::ChangeGroupMembers {
                group: ContactRef::Index(0),
                join: 2,
                leave: 1,
            })
            .unwrap();
        let Entry::ModChatRoomMember(g) = entry else {
            panic!("{entry:?}")
        };
        assert_eq!(g["MemberList"].as_array().unwrap().len(), before + 1);
        assert_eq!(g["MemberCount"], before + 1);
        assert_eq!(g["ChatRoomOwner"], a.user_name.as_str());

        let (_, entry) = a
            .apply(&ContactChange::RenameSelf {
                nick_name: "我".into(),
            })
            .unwrap();
        let Entry::Profile(p) = entry else {
            panic!("{entry:?}")
        };
        assert_eq!(p["BitFlag"], 190);
        assert_eq!(p["NickName"]["Buff"], "我");
        assert_eq!(a.user_json()["NickName"], "我");
        assert_eq!(a.groups[&group]["MemberList"][0]["NickName"], "我");
    }

    #[test]
    fn nobody_is_left_but_the_account_and_joins_stop_at_the_limit() {
        let mut a = account();
        a.apply(&ContactChange::ChangeGroupMembers {
            group: ContactRef::Index(0),
            join: usize::MAX,
            leave: usize::MAX,
        })
        .unwrap();
        let g = a.groups.values().next().unwrap();
        let members = g["MemberList"].as_array().unwrap();
        assert_eq!(members.len(), MAX_GROUP_MEMBERS);
        assert_eq!(members[0]["UserName"], a.user_name.as_str());
    }

    #[test]
    fn messages_win_then_removals_then_changes() {
        let m = Entry::Message(json!({}));
        let d = Entry::DelContact(json!({}));
        let p = Entry::Profile(json!({}));
        assert_eq!(selector(&[]), 0);
        assert_eq!(selector(std::slice::from_ref(&p)), 4);
        assert_eq!(selector(&[p.clone(), d.clone()]), 6);
        assert_eq!(selector(&[d, p, m]), 2);
    }
}
