//! The data of one simulated account: the self user and its contacts, in the server's JSON
//! shapes (field names and casing as the real server sends them).

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use crate::ids::{group_name, hex, mix, official_name, person_name};
use crate::scenario::ContactSpec;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A generated account.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub(crate) uin: u64,
    pub(crate) user_name: String,
    pub(crate) nick_name: String,
    /// Every contact of the contact list, in page order (friends, groups, officials, specials).
    pub(crate) contacts: Vec<Value>,
    /// Groups by user name, with their members.
    pub(crate) groups: BTreeMap<String, Value>,
    /// Friends' user names.
    pub(crate) friends: Vec<String>,
    /// How many members joined its groups by a change (numbers their generated names).
    pub(crate) joined: u64,
    /// The owner (a user name) of each group.
    pub(crate) owners: BTreeMap<String, String>,
    /// Friend requests that arrived and wait for an answer, and the account's own requests
    /// (webwxverifyuser Opcode 2).
    pub(crate) pending: Vec<crate::ops::PendingRequest>,
    pub(crate) outgoing: Vec<crate::ops::OutgoingRequest>,
    /// How many friend requests and groups were made (numbers their generated names).
    pub(crate) requests_made: u64,
    pub(crate) groups_made: u64,
    /// The keywords of each webwxsearchcontact, in order.
    pub(crate) searches: Vec<String>,
}

/// The account's own signature.
pub(crate) const SIGNATURE: &str = "模拟账号";

/// The real server's full contact object.
pub(crate) fn contact(user_name: &str, nick: &str, verify_flag: i64, extra: Value) -> Value {
    let mut c = json!({
        "Uin": 0,
        "UserName": user_name,
        "NickName": nick,
        "HeadImgUrl": format!("/cgi-bin/mmwebwx-bin/webwxgeticon?seq=6{}&username={user_name}&skey=", user_name.len()),
        "ContactFlag": 3,
        "MemberCount": 0,
        "MemberList": [],
        "RemarkName": "",
        "HideInputBarFlag": 0,
        "Sex": 0,
        "Signature": "",
        "VerifyFlag": verify_flag,
        "OwnerUin": 0,
        "PYInitial": "",
        "PYQuanPin": "",
        "RemarkPYInitial": "",
        "RemarkPYQuanPin": "",
        "StarFriend": 0,
        "AppAccountFlag": 0,
        "Statues": 0,
        "AttrStatus": 0,
        "Province": "",
        "City": "",
        "Alias": "",
        "SnsFlag": 0,
        "UniFriend": 0,
        "DisplayName": "",
        "ChatRoomId": 0,
        "KeyWord": "",
        "EncryChatRoomId": "",
        "IsOwner": 0
    });
    if let (Some(obj), Value::Object(extra)) = (c.as_object_mut(), extra) {
        obj.extend(extra);
    }
    c
}

pub(crate) fn member(user_name: &str, nick: &str, display: &str) -> Value {
    json!({
        "Uin": 0,
        "UserName": user_name,
        "NickName": nick,
        "AttrStatus": 0,
        "PYInitial": "",
        "PYQuanPin": "",
        "RemarkPYInitial": "",
        "RemarkPYQuanPin": "",
        "MemberStatus": 0,
        "DisplayName": display,
        "KeyWord": ""
    })
}

impl Account {
    /// The account logged in with the `n`-th login of a simulator seeded `seed`.
    pub(crate) fn generate(seed: u64, n: u64, spec: &ContactSpec) -> Account {
        let s = mix(seed, n);
        let uin = 1_000_000_000 + mix(s, 0) % 3_000_000_000;
        let user_name = format!("@{}", hex(s, 1, 64));
        let nick_name = format!("测试{}", person_name(s, 1000));
        let mut contacts = Vec::new();
        let mut friends = Vec::new();
        for i in 0..spec.friends as u64 {
            let name = format!("@{}", hex(s, 10_000 + i, 32));
            let nick = person_name(s, i);
            let remark = if i % 3 == 0 {
                format!("备注{i}")
            } else {
                String::new()
            };
            contacts.push(contact(
                &name,
                &nick,
                0,
                json!({"RemarkName": remark, "Sex": 1 + i % 2, "Province": "广东", "City": "深圳"}),
            ));
            friends.push(name);
        }
        let mut groups = BTreeMap::new();
        for g in 0..spec.groups as u64 {
            let name = format!("@@{}", hex(s, 20_000 + g, 64));
            let title = group_name(s, g);
            let mut members = vec![member(&user_name, &nick_name, "")];
            for m in 0..spec.members_per_group as u64 {
                // Members are friends where there are enough, strangers after.
                let (mname, mnick) = match friends.get((g + m) as usize % friends.len().max(1)) {
                    Some(f) if m < spec.friends as u64 => (
                        f.clone(),
                        person_name(s, (g + m) % spec.friends.max(1) as u64),
                    ),
                    _ => (
                        format!("@{}", hex(s, 30_000 + g * 1_000 + m, 32)),
                        person_name(s, 5_000 + m),
                    ),
                };
                let display = if m == 0 {
                    format!("群昵称{g}")
                } else {
                    String::new()
                };
                members.push(member(&mname, &mnick, &display));
            }
            let encry = format!("@{}", hex(s, 40_000 + g, 32));
            // A group's avatar is webwxgetheadimg's.
            let head = format!("/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=0&username={name}&skey=");
            contacts.push(contact(
                &name,
                &title,
                0,
                json!({"ContactFlag": 2, "MemberCount": members.len(), "OwnerUin": uin,
                       "IsOwner": 1, "HeadImgUrl": head.clone()}),
            ));
            groups.insert(
                name.clone(),
                contact(
                    &name,
                    &title,
                    0,
                    json!({"ContactFlag": 2, "MemberCount": members.len(), "MemberList": members,
                           "OwnerUin": uin, "IsOwner": 1, "EncryChatRoomId": encry,
                           "HeadImgUrl": head}),
                ),
            );
        }
        // The account owns the groups at even positions (in user-name order, the order of
        // `SessionInfo::groups`; the first included); the first other member owns the others
        // (its uin unknown to the account: OwnerUin 0).
        let mut owners = BTreeMap::new();
        for (k, (name, g)) in groups.iter_mut().enumerate() {
            let other = g["MemberList"][1]["UserName"].as_str().map(str::to_string);
            let owner = match other {
                Some(o) if k % 2 == 1 => {
                    g["OwnerUin"] = json!(0);
                    g["IsOwner"] = json!(0);
                    if let Some(c) = contacts.iter_mut().find(|c| c["UserName"] == name.as_str()) {
                        c["OwnerUin"] = json!(0);
                        c["IsOwner"] = json!(0);
                    }
                    o
                }
                _ => user_name.clone(),
            };
            owners.insert(name.clone(), owner);
        }
        for o in 0..spec.officials as u64 {
            let name = format!("@{}", hex(s, 50_000 + o, 32));
            contacts.push(contact(
                &name,
                &official_name(s, o),
                24,
                json!({"KeyWord": "gh_", "Signature": "官方账号"}),
            ));
        }
        contacts.push(contact(
            "filehelper",
            "文件传输助手",
            0,
            json!({"KeyWord": "fil"}),
        ));
        contacts.push(contact("weixin", "微信团队", 56, json!({})));
        Account {
            uin,
            user_name,
            nick_name,
            contacts,
            groups,
            friends,
            joined: 0,
            owners,
            pending: Vec::new(),
            outgoing: Vec::new(),
            requests_made: 0,
            groups_made: 0,
            searches: Vec::new(),
        }
    }

    /// The account's own avatar URL.
    pub(crate) fn head_img_url(&self) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username={}&skey=",
            self.user_name
        )
    }

    /// The `User` object of `webwxinit`.
    pub(crate) fn user_json(&self) -> Value {
        json!({
            "Uin": self.uin,
            "UserName": self.user_name,
            "NickName": self.nick_name,
            "HeadImgUrl": self.head_img_url(),
            "RemarkName": "",
            "PYInitial": "",
            "PYQuanPin": "",
            "RemarkPYInitial": "",
            "RemarkPYQuanPin": "",
            "HideInputBarFlag": 0,
            "StarFriend": 0,
            "Sex": 1,
            "Signature": SIGNATURE,
            "AppAccountFlag": 0,
            "VerifyFlag": 0,
            "ContactFlag": 0,
            "WebWxPluginSwitch": 0,
            "HeadImgFlag": 1,
            "SnsFlag": 17
        })
    }

    /// The recent chats of `webwxinit`: filehelper, the first group (with members) and the
    /// first friends.
    pub(crate) fn init_contacts(&self) -> Vec<Value> {
        let mut out = vec![contact(
            "filehelper",
            "文件传输助手",
            0,
            json!({"KeyWord": "fil"}),
        )];
        out.extend(self.groups.values().take(1).cloned());
        out.extend(
            self.contacts
                .iter()
                .filter(|c| {
                    c["VerifyFlag"] == 0 && !c["UserName"].as_str().unwrap_or("").starts_with("@@")
                })
                .take(3)
                .cloned(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_every_kind() {
        let spec = ContactSpec {
            friends: 4,
            groups: 2,
            members_per_group: 3,
            officials: 1,
            page_size: 10,
        };
        let a = Account::generate(7, 0, &spec);
        assert_eq!(a.contacts.len(), 4 + 2 + 1 + 2);
        assert_eq!(a.groups.len(), 2);
        let g = a.groups.values().next().unwrap();
        assert_eq!(g["MemberList"].as_array().unwrap().len(), 4);
        assert_eq!(Account::generate(7, 0, &spec).user_name, a.user_name);
        assert_ne!(Account::generate(7, 1, &spec).user_name, a.user_name);
        let empty = Account::generate(
            7,
            0,
            &ContactSpec {
                friends: 0,
                groups: 1,
                members_per_group: 2,
                officials: 0,
                page_size: 10,
            },
        );
        assert_eq!(
            empty.groups.values().next().unwrap()["MemberList"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
}
