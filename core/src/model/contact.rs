//! `RawContact` (a friend, group, official account, special account, or the self user) and
//! `RawMember` (one member of a group), as the JSON answers carry them; the application gets
//! them as [`Contact`](crate::Contact) and [`Member`](crate::Member).

use super::lenient::{self, Entry};

/// A contact as the server describes it. The self user has the same shape.
///
/// Unknown fields are ignored and missing ones default, as in every answer type.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawContact {
    /// `Uin` (usually 0 except for the self user).
    #[serde(rename = "Uin", deserialize_with = "lenient::uint")]
    pub uin: u64,
    /// `UserName`: the session-scoped id (`@…`, `@@…` for groups, or a plain special name).
    #[serde(rename = "UserName", deserialize_with = "lenient::string")]
    pub user_name: String,
    /// `NickName`: the contact's own name (may hold emoji spans).
    #[serde(rename = "NickName", deserialize_with = "lenient::string")]
    pub nick_name: String,
    /// `RemarkName`: the name this account gave the contact.
    #[serde(rename = "RemarkName", deserialize_with = "lenient::string")]
    pub remark_name: String,
    /// `DisplayName`.
    #[serde(rename = "DisplayName", deserialize_with = "lenient::string")]
    pub display_name: String,
    /// `HeadImgUrl`: a path on the API host, with the value of its `skey` parameter removed
    /// (a secret the server embeds there).
    #[serde(rename = "HeadImgUrl", deserialize_with = "lenient::url_without_skey")]
    pub head_img_url: String,
    /// `ContactFlag`.
    #[serde(rename = "ContactFlag", deserialize_with = "lenient::int")]
    pub contact_flag: i64,
    /// `VerifyFlag`: `& 8` marks an official account.
    #[serde(rename = "VerifyFlag", deserialize_with = "lenient::int")]
    pub verify_flag: i64,
    /// `Sex`: 0 unknown, 1 male, 2 female.
    #[serde(rename = "Sex", deserialize_with = "lenient::int")]
    pub sex: i64,
    /// `Signature`.
    #[serde(rename = "Signature", deserialize_with = "lenient::string")]
    pub signature: String,
    /// `Province`.
    #[serde(rename = "Province", deserialize_with = "lenient::string")]
    pub province: String,
    /// `City`.
    #[serde(rename = "City", deserialize_with = "lenient::string")]
    pub city: String,
    /// `Alias`.
    #[serde(rename = "Alias", deserialize_with = "lenient::string")]
    pub alias: String,
    /// `PYInitial`.
    #[serde(rename = "PYInitial", deserialize_with = "lenient::string")]
    pub py_initial: String,
    /// `PYQuanPin`.
    #[serde(rename = "PYQuanPin", deserialize_with = "lenient::string")]
    pub py_quan_pin: String,
    /// `RemarkPYInitial`.
    #[serde(rename = "RemarkPYInitial", deserialize_with = "lenient::string")]
    pub remark_py_initial: String,
    /// `RemarkPYQuanPin`.
    #[serde(rename = "RemarkPYQuanPin", deserialize_with = "lenient::string")]
    pub remark_py_quan_pin: String,
    /// `StarFriend`.
    #[serde(rename = "StarFriend", deserialize_with = "lenient::int")]
    pub star_friend: i64,
    /// `AttrStatus`.
    #[serde(rename = "AttrStatus", deserialize_with = "lenient::int")]
    pub attr_status: i64,
    /// `SnsFlag`.
    #[serde(rename = "SnsFlag", deserialize_with = "lenient::int")]
    pub sns_flag: i64,
    /// `KeyWord`.
    #[serde(rename = "KeyWord", deserialize_with = "lenient::string")]
    pub key_word: String,
    /// `OwnerUin` (groups).
    #[serde(rename = "OwnerUin", deserialize_with = "lenient::uint")]
    pub owner_uin: u64,
    /// `IsOwner` (groups): 1 when the account owns the group.
    #[serde(rename = "IsOwner", deserialize_with = "lenient::int")]
    pub is_owner: i64,
    /// `ChatRoomOwner` (groups): the owner's user name.
    #[serde(rename = "ChatRoomOwner", deserialize_with = "lenient::string")]
    pub chat_room_owner: String,
    /// `Statues` (sic; groups): 0 when the group's notifications are off (muted), 1 when on;
    /// `None` when the answer does not say.
    #[serde(rename = "Statues", deserialize_with = "some_int")]
    pub statues: Option<i64>,
    /// `MemberCount` (groups).
    #[serde(rename = "MemberCount", deserialize_with = "lenient::int")]
    pub member_count: i64,
    /// `MemberList` (groups): empty until fetched with `webwxbatchgetcontact`.
    #[serde(rename = "MemberList", deserialize_with = "lenient::list")]
    pub member_list: Vec<RawMember>,
    /// `EncryChatRoomId` (groups).
    #[serde(rename = "EncryChatRoomId", deserialize_with = "lenient::string")]
    pub encry_chat_room_id: String,
}

/// An integer read as `lenient::int` reads it, present (a missing field is `None`).
fn some_int<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    lenient::int(d).map(Some)
}

/// A contact without a user name is of no use (the store ignores it): dropped as it is read.
impl Entry for RawContact {
    fn is_kept(&self) -> bool {
        !self.user_name.is_empty()
    }
}

/// One member of a group (`MemberList` entry).
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawMember {
    /// `Uin`.
    #[serde(rename = "Uin", deserialize_with = "lenient::uint")]
    pub uin: u64,
    /// `UserName`.
    #[serde(rename = "UserName", deserialize_with = "lenient::string")]
    pub user_name: String,
    /// `NickName`.
    #[serde(rename = "NickName", deserialize_with = "lenient::string")]
    pub nick_name: String,
    /// `DisplayName`: the member's name in this group, when set.
    #[serde(rename = "DisplayName", deserialize_with = "lenient::string")]
    pub display_name: String,
    /// `AttrStatus`.
    #[serde(rename = "AttrStatus", deserialize_with = "lenient::int")]
    pub attr_status: i64,
    /// `MemberStatus`.
    #[serde(rename = "MemberStatus", deserialize_with = "lenient::int")]
    pub member_status: i64,
    /// `KeyWord`.
    #[serde(rename = "KeyWord", deserialize_with = "lenient::string")]
    pub key_word: String,
}

/// A member without a user name cannot be looked up: dropped as it is read.
impl Entry for RawMember {
    fn is_kept(&self) -> bool {
        !self.user_name.is_empty()
    }
}
