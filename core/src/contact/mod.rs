//! The application's contacts: [`Contact`] (a friend, group, official account, special account
//! or the self user), [`Member`] (one member of a group) and [`ContactKind`].
//!
//! These are built from the wire types the server's JSON is read into (`model::RawContact`,
//! `model::RawMember`) and keep what an application uses; the wire's sorting keys (`PYInitial`,
//! `PYQuanPin`, ...) and search keywords are not kept. Saved (serde), a contact has the server's
//! field names, so a saved contact list reads like the server's answers.
//!
//! A contact is compact, since a session may hold 20,000 of them: its nine text fields share
//! one allocation ([`text`]), and what only groups have is boxed apart ([`GroupPart`]), so a
//! person costs 104 bytes plus one allocation of its text.

mod group;
mod member;
mod saved;
mod text;

use crate::model::RawContact;
use group::GroupPart;
pub use member::Member;
use text::{Field, Texts};

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

/// A contact of the session (the self user has the same shape). Read its fields with the
/// methods named after them (`user_name()`, `nick_name()`, ...); change them with the `set_…`
/// methods.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct Contact {
    /// `UserName`, `NickName`, `RemarkName`, `DisplayName`, `HeadImgUrl`, `Signature`,
    /// `Province`, `City`, `Alias`.
    text: Texts,
    uin: u64,
    contact_flag: i64,
    verify_flag: i64,
    sex: i64,
    star_friend: i64,
    attr_status: i64,
    /// What only groups have; `None` while all of it is empty.
    group: Option<Box<GroupPart>>,
}

/// A getter and a setter for each text field.
macro_rules! text_fields {
    ($($(#[$doc:meta])* $field:ident, $get:ident, $set:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $get(&self) -> &str {
                self.text.get(Field::$field)
            }

            #[doc = concat!("Sets [`", stringify!($get), "`](Contact::", stringify!($get), ").")]
            pub fn $set(&mut self, value: &str) {
                self.text.set(Field::$field, value);
            }
        )*
    };
}

/// A getter and a setter for each number field.
macro_rules! number_fields {
    ($($(#[$doc:meta])* $field:ident: $ty:ty, $set:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $field(&self) -> $ty {
                self.$field
            }

            #[doc = concat!("Sets [`", stringify!($field), "`](Contact::", stringify!($field), ").")]
            pub fn $set(&mut self, value: $ty) {
                self.$field = value;
            }
        )*
    };
}

impl Contact {
    /// A contact with this user name and nick name (the other fields empty), for applications'
    /// own tests and for contacts known only by name.
    pub fn new(user_name: impl AsRef<str>, nick_name: impl AsRef<str>) -> Contact {
        let mut texts = [""; text::FIELDS];
        texts[0] = user_name.as_ref();
        texts[1] = nick_name.as_ref();
        Contact {
            text: Texts::new(texts),
            ..Contact::default()
        }
    }

    text_fields! {
        /// `UserName`: the session-scoped id (`@…`, `@@…` for groups, or a plain special name).
        UserName, user_name, set_user_name;
        /// `NickName`: the contact's own name (may hold emoji spans).
        NickName, nick_name, set_nick_name;
        /// `RemarkName`: the name this account gave the contact.
        RemarkName, remark_name, set_remark_name;
        /// `DisplayName`.
        DisplayName, display_name, set_display_name;
        /// `Signature`.
        Signature, signature, set_signature;
        /// `Province`.
        Province, province, set_province;
        /// `City`.
        City, city, set_city;
        /// `Alias`.
        Alias, alias, set_alias;
    }

    /// `HeadImgUrl`: a path on the API host, with the value of its `skey` parameter removed
    /// (a secret the server embeds there). Held short when it has the server's usual shape
    /// (its `seq` only), so it is made whole again here.
    pub fn head_img_url(&self) -> std::borrow::Cow<'_, str> {
        self.text.head_img_url()
    }

    /// Sets [`head_img_url`](Contact::head_img_url).
    pub fn set_head_img_url(&mut self, value: &str) {
        self.text.set(Field::HeadImgUrl, value);
    }

    number_fields! {
        /// `Uin` (usually 0 except for the self user).
        uin: u64, set_uin;
        /// `ContactFlag`: bits 1 saved (a friend, or a saved group), 2 has a chat, 8 blocked,
        /// 512 notifications off (people), 2048 pinned; read them with
        /// [`Contact::is_friend`], [`Contact::is_blocked`], [`Contact::is_muted`],
        /// [`Contact::is_pinned`].
        contact_flag: i64, set_contact_flag;
        /// `VerifyFlag`: `& 8` marks an official account.
        verify_flag: i64, set_verify_flag;
        /// `Sex`: 0 unknown, 1 male, 2 female.
        sex: i64, set_sex;
        /// `StarFriend`.
        star_friend: i64, set_star_friend;
        /// `AttrStatus`.
        attr_status: i64, set_attr_status;
    }

    /// What only groups have, empty when not set.
    fn group_part(&self) -> &GroupPart {
        self.group.as_deref().unwrap_or(&group::EMPTY)
    }

    /// What only groups have, to change (made when missing; dropped again by
    /// [`Contact::tidy`] when left empty).
    fn group_part_mut(&mut self) -> &mut GroupPart {
        self.group.get_or_insert_with(Box::default)
    }

    /// Drops the group part when it is empty, so an empty one costs nothing. A person's
    /// `Statues` is dropped first: the server sends it for everyone, but it means something
    /// only for a group (the official client reads a person's mute from `ContactFlag`), and
    /// kept it would make every person carry a group part.
    fn tidy(&mut self) {
        if let Some(g) = self.group.as_deref_mut()
            && g.statues.is_some()
            && !is_group_user_name(self.text.get(Field::UserName))
        {
            g.statues = None;
        }
        if self.group.as_deref().is_some_and(GroupPart::is_empty) {
            self.group = None;
        }
    }

    /// `OwnerUin` (groups): the owner's uin, when the server gives it (0 otherwise).
    pub fn owner_uin(&self) -> u64 {
        self.group_part().owner_uin
    }

    /// Sets [`owner_uin`](Contact::owner_uin).
    pub fn set_owner_uin(&mut self, value: u64) {
        self.group_part_mut().owner_uin = value;
        self.tidy();
    }

    /// `IsOwner` (groups) as the server sent it: whether the self user owns the group, when
    /// the server says so (see [`Contact::is_owner`] for the rule that also reads
    /// `ChatRoomOwner` and `OwnerUin`).
    pub fn owner_flag(&self) -> bool {
        self.group_part().is_owner
    }

    /// Sets [`owner_flag`](Contact::owner_flag).
    pub fn set_owner_flag(&mut self, value: bool) {
        self.group_part_mut().is_owner = value;
        self.tidy();
    }

    /// `ChatRoomOwner` (groups): the owner's user name, when the server gives it (empty
    /// otherwise).
    pub fn chat_room_owner(&self) -> &str {
        &self.group_part().chat_room_owner
    }

    /// Sets [`chat_room_owner`](Contact::chat_room_owner).
    pub fn set_chat_room_owner(&mut self, value: &str) {
        value.clone_into(&mut self.group_part_mut().chat_room_owner);
        self.tidy();
    }

    /// `Statues` (sic; groups): 0 when the group's notifications are off (muted), 1 when on;
    /// `None` when no answer said (see [`Contact::is_muted`]).
    pub fn statues(&self) -> Option<i64> {
        self.group_part().statues
    }

    /// Sets [`statues`](Contact::statues) (kept for groups only: see [`Contact::is_muted`]).
    pub fn set_statues(&mut self, value: Option<i64>) {
        self.group_part_mut().statues = value;
        self.tidy();
    }

    /// `MemberCount` (groups).
    pub fn member_count(&self) -> i64 {
        self.group_part().member_count
    }

    /// Sets [`member_count`](Contact::member_count).
    pub fn set_member_count(&mut self, value: i64) {
        self.group_part_mut().member_count = value;
        self.tidy();
    }

    /// `MemberList` (groups): empty until fetched with `webwxbatchgetcontact`.
    pub fn members(&self) -> &[Member] {
        &self.group_part().members
    }

    /// Replaces the [`members`](Contact::members).
    pub fn set_members(&mut self, members: Vec<Member>) {
        self.group_part_mut().members = members;
        self.tidy();
    }

    /// Changes the [`members`](Contact::members) with `edit`.
    pub fn edit_members<R>(&mut self, edit: impl FnOnce(&mut Vec<Member>) -> R) -> R {
        let r = edit(&mut self.group_part_mut().members);
        self.tidy();
        r
    }

    /// `EncryChatRoomId` (groups).
    pub fn encry_chat_room_id(&self) -> &str {
        &self.group_part().encry_chat_room_id
    }

    /// Sets [`encry_chat_room_id`](Contact::encry_chat_room_id).
    pub fn set_encry_chat_room_id(&mut self, value: &str) {
        value.clone_into(&mut self.group_part_mut().encry_chat_room_id);
        self.tidy();
    }

    /// A group update's missing parts (members, `EncryChatRoomId`, `ChatRoomOwner`,
    /// `Statues`) taken from what `old` knew.
    pub(crate) fn keep_group_parts_of(&mut self, old: &Contact) {
        let Some(old) = old.group.as_deref() else {
            return;
        };
        let new = self.group_part_mut();
        if new.members.is_empty() {
            new.members.clone_from(&old.members);
        }
        if new.encry_chat_room_id.is_empty() {
            new.encry_chat_room_id.clone_from(&old.encry_chat_room_id);
        }
        if new.chat_room_owner.is_empty() {
            new.chat_room_owner.clone_from(&old.chat_room_owner);
        }
        new.statues = new.statues.or(old.statues);
        self.tidy();
    }

    /// The heap bytes this contact holds beyond its own struct: its text, and its group part
    /// with the members' names (for the store's memory accounting and benchmarks).
    pub fn heap_bytes(&self) -> usize {
        self.text.len() + self.group.as_deref().map_or(0, GroupPart::heap_bytes)
    }

    /// The kind of contact: group by `@@` (or `@chatroom`), special by name, official by
    /// `VerifyFlag & 8`, otherwise a person ([`ContactKind::Friend`], saved to the contacts or
    /// not: see [`Contact::is_friend`]).
    pub fn kind(&self) -> ContactKind {
        if self.is_group() {
            ContactKind::Group
        } else if SPECIAL_USER_NAMES.contains(&self.user_name()) {
            ContactKind::Special
        } else if self.verify_flag & 8 != 0 {
            ContactKind::Official
        } else {
            ContactKind::Friend
        }
    }

    /// Whether this is a group: its user name is `@@…` or `…@chatroom`.
    pub fn is_group(&self) -> bool {
        is_group_user_name(self.user_name())
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
            self.statues() == Some(0)
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
        let g = self.group_part();
        self.is_group()
            && (g.is_owner
                || (!self_user_name.is_empty() && g.chat_room_owner == self_user_name)
                || (g.owner_uin != 0 && g.owner_uin == self_uin))
    }

    /// The name to show: the remark name when set, else the nick name, else the user name.
    pub fn display(&self) -> &str {
        [self.remark_name(), self.nick_name()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or(self.user_name())
    }

    /// The member `user_name` of this group.
    pub fn member(&self, user_name: &str) -> Option<&Member> {
        self.members().iter().find(|m| m.user_name == user_name)
    }
}

impl PartialEq for Contact {
    fn eq(&self, other: &Contact) -> bool {
        self.text == other.text
            && (self.uin, self.contact_flag, self.verify_flag, self.sex)
                == (other.uin, other.contact_flag, other.verify_flag, other.sex)
            && (self.star_friend, self.attr_status) == (other.star_friend, other.attr_status)
            && self.group_part() == other.group_part()
    }
}

impl Eq for Contact {}

impl std::fmt::Debug for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Contact");
        d.field("uin", &self.uin)
            .field("user_name", &self.user_name())
            .field("nick_name", &self.nick_name())
            .field("remark_name", &self.remark_name())
            .field("display_name", &self.display_name())
            .field("head_img_url", &self.head_img_url())
            .field("contact_flag", &self.contact_flag)
            .field("verify_flag", &self.verify_flag)
            .field("sex", &self.sex)
            .field("signature", &self.signature())
            .field("province", &self.province())
            .field("city", &self.city())
            .field("alias", &self.alias())
            .field("star_friend", &self.star_friend)
            .field("attr_status", &self.attr_status);
        if let Some(g) = self.group.as_deref() {
            d.field("group", g);
        }
        d.finish()
    }
}

impl From<RawContact> for Contact {
    fn from(raw: RawContact) -> Contact {
        let mut contact = Contact {
            text: Texts::new([
                &raw.user_name,
                &raw.nick_name,
                &raw.remark_name,
                &raw.display_name,
                &raw.head_img_url,
                &raw.signature,
                &raw.province,
                &raw.city,
                &raw.alias,
            ]),
            uin: raw.uin,
            contact_flag: raw.contact_flag,
            verify_flag: raw.verify_flag,
            sex: raw.sex,
            star_friend: raw.star_friend,
            attr_status: raw.attr_status,
            group: Some(Box::new(GroupPart {
                owner_uin: raw.owner_uin,
                is_owner: raw.is_owner != 0,
                chat_room_owner: raw.chat_room_owner,
                statues: raw.statues,
                member_count: raw.member_count,
                members: raw.member_list.into_iter().map(Member::from).collect(),
                encry_chat_room_id: raw.encry_chat_room_id,
            })),
        };
        contact.tidy();
        contact
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
        assert!(c.owner_flag());
        assert_eq!((c.owner_uin(), c.member_count()), (7, 2));
        assert_eq!(
            c.members().len(),
            1,
            "members without a user name are dropped as read"
        );
        assert_eq!(c.member("@a").map(Member::display), Some("妈妈"));
        assert_eq!(c.encry_chat_room_id(), "@e");
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
            (g.statues(), g.chat_room_owner(), g.owner_uin()),
            (Some(0), "@o", 9)
        );
        assert!(g.is_muted() && g.is_owner("@o", 0) && g.is_owner("@x", 9));
        assert!(!g.is_owner("@x", 0));
        let g = read(r#"{"UserName":"@@g"}"#);
        assert_eq!(g.statues(), None, "absent, not 0");
        assert!(!g.is_muted());
        let g = read(r#"{"UserName":"@@g","Statues":1}"#);
        assert!(!g.is_muted());
        assert_eq!(
            read(r#"{"UserName":"1@chatroom"}"#).kind(),
            ContactKind::Group
        );
        let p = read(r#"{"UserName":"@p","Statues":0,"ContactFlag":3}"#);
        assert!(!p.is_muted(), "a person's Statues means nothing");
        assert_eq!(p.statues(), None, "and is not kept");
        assert_eq!(
            p,
            Contact::from(
                serde_json::from_str::<RawContact>(r#"{"UserName":"@p","ContactFlag":3}"#).unwrap()
            )
        );
        assert!(p.is_friend() && !p.is_pinned() && !p.is_blocked() && !p.is_official());
    }

    #[test]
    fn saved_with_the_server_names_and_read_back() {
        let mut c = Contact::new("@a", "Alice");
        c.set_remark_name("A");
        c.set_members(vec![Member::new("@m", "M")]);
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
        assert_eq!((b.display(), b.members().len()), ("B", 1));
    }
}
