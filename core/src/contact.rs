//! The application's contacts: [`Contact`] (a friend, group, official account, special account
//! or the self user), [`Member`] (one member of a group) and [`ContactKind`].
//!
//! These are built from the wire types the server's JSON is read into (`model::RawContact`,
//! `model::RawMember`) and keep what an application uses; the wire's sorting keys (`PYInitial`,
//! `PYQuanPin`, ...) and search keywords are not kept. A [`SavedSession`](crate::SavedSession)
//! stores them with the server's field names, so a saved session reads like the server's answers.

use crate::model::{RawContact, RawMember};

/// User names of the special accounts of the official client (its `SPECIALUSERS` list).
pub const SPECIAL_USER_NAMES: &[&str] = &[
    "newsapp",
    "fmessage",
    "filehelper",
    "weibo",
    "qqmail",
    "tmessage",
    "qmessage",
    "qqsync",
    "floatbottle",
    "lbsapp",
    "shakeapp",
    "medianote",
    "qqfriend",
    "readerapp",
    "blogapp",
    "facebookapp",
    "masssendapp",
    "meishiapp",
    "feedsapp",
    "voip",
    "blogappweixin",
    "weixin",
    "brandsessionholder",
    "weixinreminder",
    "wxid_novlwrv3lqwv11",
    "gh_22b87fa7cb3c",
    "officialaccounts",
    "notification_messages",
    "wxitil",
    "userexperience_alarm",
];

/// Whether `user_name` is a group's: `@@…`, or `…@chatroom` (the official client's
/// `/^@@|@chatroom$/`).
pub(crate) fn is_group_user_name(user_name: &str) -> bool {
    user_name.starts_with("@@") || user_name.ends_with("@chatroom")
}

/// `ContactFlag` bits the official client reads (its `CONTACTFLAG_*` constants).
mod flag {
    /// `CONTACTFLAG_CONTACT`: saved to the contacts (a friend, or a saved group).
    pub(super) const CONTACT: i64 = 1;
    /// `CONTACTFLAG_BLACKLISTCONTACT`: blocked.
    pub(super) const BLOCKED: i64 = 8;
    /// `CONTACTFLAG_NOTIFYCLOSECONTACT`: notifications off (a person).
    pub(super) const MUTED: i64 = 512;
    /// `CONTACTFLAG_TOPCONTACT`: pinned to the top of the chat list.
    pub(super) const PINNED: i64 = 2048;
    /// `MM_USERATTRVERIFYFALG_BIZ_BRAND` of `VerifyFlag`: an official account.
    pub(super) const BRAND: i64 = 8;
}

/// The kind of a contact, derived from its user name and flags.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum ContactKind {
    /// A person.
    Friend,
    /// A group chat (user name `@@…` or `…@chatroom`).
    Group,
    /// An official (brand) account: `VerifyFlag & 8`.
    Official,
    /// A special account such as `filehelper` or `weixin`.
    Special,
}

/// A contact of the session (the self user has the same shape).
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Contact {
    /// `Uin` (usually 0 except for the self user).
    #[serde(rename = "Uin")]
    pub uin: u64,
    /// `UserName`: the session-scoped id (`@…`, `@@…` for groups, or a plain special name).
    #[serde(rename = "UserName")]
    pub user_name: String,
    /// `NickName`: the contact's own name (may hold emoji spans).
    #[serde(rename = "NickName")]
    pub nick_name: String,
    /// `RemarkName`: the name this account gave the contact.
    #[serde(rename = "RemarkName")]
    pub remark_name: String,
    /// `DisplayName`.
    #[serde(rename = "DisplayName")]
    pub display_name: String,
    /// `HeadImgUrl`: a path on the API host, with the value of its `skey` parameter removed
    /// (a secret the server embeds there).
    #[serde(rename = "HeadImgUrl")]
    pub head_img_url: String,
    /// `ContactFlag`: bits 1 saved (a friend, or a saved group), 2 has a chat, 8 blocked, 512
    /// notifications off (people), 2048 pinned; read them with [`Contact::is_friend`],
    /// [`Contact::is_blocked`], [`Contact::is_muted`], [`Contact::is_pinned`].
    #[serde(rename = "ContactFlag")]
    pub contact_flag: i64,
    /// `VerifyFlag`: `& 8` marks an official account.
    #[serde(rename = "VerifyFlag")]
    pub verify_flag: i64,
    /// `Sex`: 0 unknown, 1 male, 2 female.
    #[serde(rename = "Sex")]
    pub sex: i64,
    /// `Signature`.
    #[serde(rename = "Signature")]
    pub signature: String,
    /// `Province`.
    #[serde(rename = "Province")]
    pub province: String,
    /// `City`.
    #[serde(rename = "City")]
    pub city: String,
    /// `Alias`.
    #[serde(rename = "Alias")]
    pub alias: String,
    /// `StarFriend`.
    #[serde(rename = "StarFriend")]
    pub star_friend: i64,
    /// `AttrStatus`.
    #[serde(rename = "AttrStatus")]
    pub attr_status: i64,
    /// `OwnerUin` (groups): the owner's uin, when the server gives it (0 otherwise).
    #[serde(rename = "OwnerUin")]
    pub owner_uin: u64,
    /// `IsOwner` (groups): whether the self user owns the group, when the server says so (see
    /// [`Contact::is_owner`] for the rule that also reads `ChatRoomOwner` and `OwnerUin`).
    #[serde(rename = "IsOwner", deserialize_with = "crate::model::lenient::flag")]
    pub is_owner: bool,
    /// `ChatRoomOwner` (groups): the owner's user name, when the server gives it (empty
    /// otherwise).
    #[serde(rename = "ChatRoomOwner", skip_serializing_if = "String::is_empty")]
    pub chat_room_owner: String,
    /// `Statues` (sic; groups): 0 when the group's notifications are off (muted), 1 when on;
    /// `None` when no answer said (see [`Contact::is_muted`]).
    #[serde(rename = "Statues", skip_serializing_if = "Option::is_none")]
    pub statues: Option<i64>,
    /// `MemberCount` (groups).
    #[serde(rename = "MemberCount")]
    pub member_count: i64,
    /// `MemberList` (groups): empty until fetched with `webwxbatchgetcontact`.
    #[serde(rename = "MemberList")]
    pub members: Vec<Member>,
    /// `EncryChatRoomId` (groups).
    #[serde(rename = "EncryChatRoomId")]
    pub encry_chat_room_id: String,
}

impl Contact {
    /// A contact with this user name and nick name (the other fields empty), for applications'
    /// own tests and for contacts known only by name.
    pub fn new(user_name: impl Into<String>, nick_name: impl Into<String>) -> Contact {
        Contact {
            user_name: user_name.into(),
            nick_name: nick_name.into(),
            ..Contact::default()
        }
    }

    /// The kind of contact: group by `@@` (or `@chatroom`), special by name, official by
    /// `VerifyFlag & 8`, otherwise a person ([`ContactKind::Friend`], saved to the contacts or
    /// not: see [`Contact::is_friend`]).
    pub fn kind(&self) -> ContactKind {
        if self.is_group() {
            ContactKind::Group
        } else if SPECIAL_USER_NAMES.contains(&self.user_name.as_str()) {
            ContactKind::Special
        } else if self.verify_flag & 8 != 0 {
            ContactKind::Official
        } else {
            ContactKind::Friend
        }
    }

    /// Whether this is a group: its user name is `@@…` or `…@chatroom`.
    pub fn is_group(&self) -> bool {
        is_group_user_name(&self.user_name)
    }

    /// Whether this is an official (brand) account: `VerifyFlag & 8` (the only bit the official
    /// client reads; verified accounts have 24).
    pub fn is_official(&self) -> bool {
        self.verify_flag & flag::BRAND != 0
    }

    /// Whether this is a friend: a person saved to the contacts (`ContactFlag & 1`), not a
    /// group, an official account or a special account (`filehelper`, `weixin`, ...). A
    /// group's member the account has not added is not a friend.
    pub fn is_friend(&self) -> bool {
        self.contact_flag & flag::CONTACT != 0 && self.kind() == ContactKind::Friend
    }

    /// Whether the account blocked this contact (`ContactFlag & 8`).
    pub fn is_blocked(&self) -> bool {
        self.contact_flag & flag::BLOCKED != 0
    }

    /// Whether the account muted this chat, as the official client reads it: a group when its
    /// `Statues` is 0 (not when no answer gave it), anyone else when `ContactFlag & 512`.
    pub fn is_muted(&self) -> bool {
        if self.is_group() {
            self.statues == Some(0)
        } else {
            self.contact_flag & flag::MUTED != 0
        }
    }

    /// Whether the account pinned this chat to the top (`ContactFlag & 2048`).
    pub fn is_pinned(&self) -> bool {
        self.contact_flag & flag::PINNED != 0
    }

    /// Whether the account (user name `self_user_name`, uin `self_uin`) owns this group:
    /// `IsOwner` is set, or `ChatRoomOwner` is the account, or `OwnerUin` is the account's uin
    /// (and not 0). Always false for a contact that is not a group.
    pub fn is_owner(&self, self_user_name: &str, self_uin: u64) -> bool {
        self.is_group()
            && (self.is_owner
                || (!self_user_name.is_empty() && self.chat_room_owner == self_user_name)
                || (self.owner_uin != 0 && self.owner_uin == self_uin))
    }

    /// The name to show: the remark name when set, else the nick name, else the user name.
    pub fn display(&self) -> &str {
        [&self.remark_name, &self.nick_name]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or(&self.user_name)
    }

    /// The member `user_name` of this group.
    pub fn member(&self, user_name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.user_name == user_name)
    }
}

impl From<RawContact> for Contact {
    fn from(raw: RawContact) -> Contact {
        Contact {
            uin: raw.uin,
            user_name: raw.user_name,
            nick_name: raw.nick_name,
            remark_name: raw.remark_name,
            display_name: raw.display_name,
            head_img_url: raw.head_img_url,
            contact_flag: raw.contact_flag,
            verify_flag: raw.verify_flag,
            sex: raw.sex,
            signature: raw.signature,
            province: raw.province,
            city: raw.city,
            alias: raw.alias,
            star_friend: raw.star_friend,
            attr_status: raw.attr_status,
            owner_uin: raw.owner_uin,
            is_owner: raw.is_owner != 0,
            chat_room_owner: raw.chat_room_owner,
            statues: raw.statues,
            member_count: raw.member_count,
            members: raw.member_list.into_iter().map(Member::from).collect(),
            encry_chat_room_id: raw.encry_chat_room_id,
        }
    }
}

/// One member of a group.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Member {
    /// `Uin`.
    #[serde(rename = "Uin")]
    pub uin: u64,
    /// `UserName`.
    #[serde(rename = "UserName")]
    pub user_name: String,
    /// `NickName`.
    #[serde(rename = "NickName")]
    pub nick_name: String,
    /// `DisplayName`: the member's name in this group, when set.
    #[serde(rename = "DisplayName")]
    pub display_name: String,
    /// `AttrStatus`.
    #[serde(rename = "AttrStatus")]
    pub attr_status: i64,
}

impl Member {
    /// A member with this user name and nick name.
    pub fn new(user_name: impl Into<String>, nick_name: impl Into<String>) -> Member {
        Member {
            user_name: user_name.into(),
            nick_name: nick_name.into(),
            ..Member::default()
        }
    }

    /// The name to show in the group: the group display name when set, else the nick name, else
    /// the user name.
    pub fn display(&self) -> &str {
        [&self.display_name, &self.nick_name]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or(&self.user_name)
    }
}

impl From<RawMember> for Member {
    fn from(raw: RawMember) -> Member {
        Member {
            uin: raw.uin,
            user_name: raw.user_name,
            nick_name: raw.nick_name,
            display_name: raw.display_name,
            attr_status: raw.attr_status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_from_the_wire_with_what_applications_use() {
        let raw: RawContact = serde_json::from_str(
            r#"{"UserName":"@@g","NickName":"家庭","RemarkName":"","PYQuanPin":"jiating",
                "KeyWord":"","IsOwner":1,"OwnerUin":7,"MemberCount":"2","VerifyFlag":0,
                "MemberList":[{"UserName":"@a","NickName":"A","DisplayName":"妈妈",
                               "MemberStatus":0,"KeyWord":"k"},{"NickName":"no user name"}],
                "EncryChatRoomId":"@e"}"#,
        )
        .unwrap();
        let c = Contact::from(raw);
        assert_eq!(c.kind(), ContactKind::Group);
        assert!(c.is_owner);
        assert_eq!((c.owner_uin, c.member_count), (7, 2));
        assert_eq!(
            c.members.len(),
            1,
            "members without a user name are dropped as read"
        );
        assert_eq!(c.member("@a").map(Member::display), Some("妈妈"));
        assert_eq!(c.encry_chat_room_id, "@e");
    }

    #[test]
    fn a_contact_stays_small() {
        // Every contact of the store costs this plus its strings: flags are integers, and a
        // field only groups have is empty (no allocation) for everyone else.
        assert!(std::mem::size_of::<Contact>() <= 376);
    }

    #[test]
    fn statues_and_owner_from_the_wire() {
        let read = |json: &str| Contact::from(serde_json::from_str::<RawContact>(json).unwrap());
        let g = read(r#"{"UserName":"@@g","Statues":"0","ChatRoomOwner":"@o","OwnerUin":"9"}"#);
        assert_eq!(
            (g.statues, g.chat_room_owner.as_str(), g.owner_uin),
            (Some(0), "@o", 9)
        );
        assert!(g.is_muted() && g.is_owner("@o", 0) && g.is_owner("@x", 9));
        assert!(!g.is_owner("@x", 0));
        let g = read(r#"{"UserName":"@@g"}"#);
        assert_eq!(g.statues, None, "absent, not 0");
        assert!(!g.is_muted());
        let g = read(r#"{"UserName":"@@g","Statues":1}"#);
        assert!(!g.is_muted());
        assert_eq!(
            read(r#"{"UserName":"1@chatroom"}"#).kind(),
            ContactKind::Group
        );
        let p = read(r#"{"UserName":"@p","Statues":0,"ContactFlag":3}"#);
        assert!(!p.is_muted(), "a person's Statues means nothing");
        assert!(p.is_friend() && !p.is_pinned() && !p.is_blocked() && !p.is_official());
    }

    #[test]
    fn saved_with_the_server_names_and_read_back() {
        let mut c = Contact::new("@a", "Alice");
        c.remark_name = "A".into();
        c.members.push(Member::new("@m", "M"));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["UserName"], "@a");
        assert_eq!(json["MemberList"][0]["NickName"], "M");
        assert_eq!(serde_json::from_value::<Contact>(json).unwrap(), c);
        // A session saved before the wire and application types were split carried the wire's
        // every field: the ones not kept are ignored.
        let old = r#"{"Uin":0,"UserName":"@b","NickName":"B","PYInitial":"B","PYQuanPin":"b",
                      "RemarkPYInitial":"","RemarkPYQuanPin":"","KeyWord":"","SnsFlag":1,
                      "IsOwner":0,"MemberList":[{"UserName":"@x","MemberStatus":0,"KeyWord":""}]}"#;
        let b: Contact = serde_json::from_str(old).unwrap();
        assert_eq!((b.display(), b.members.len()), ("B", 1));
    }
}
