//! A [`Contact`] saved and read back (serde), with the server's field names. Empty and zero
//! fields are left out of what is written (a saved list of 20,000 contacts is a third smaller
//! for it) and read as empty when missing, as the server's own answers are read.

use super::text::{FIELDS, Texts};
use super::{Contact, GroupPart, Member};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;

/// A contact as written: borrowed from it.
#[derive(Serialize)]
struct Written<'a> {
    #[serde(rename = "Uin", skip_serializing_if = "is_zero")]
    uin: u64,
    #[serde(rename = "UserName")]
    user_name: &'a str,
    #[serde(rename = "NickName", skip_serializing_if = "str::is_empty")]
    nick_name: &'a str,
    #[serde(rename = "RemarkName", skip_serializing_if = "str::is_empty")]
    remark_name: &'a str,
    #[serde(rename = "DisplayName", skip_serializing_if = "str::is_empty")]
    display_name: &'a str,
    #[serde(rename = "HeadImgUrl", skip_serializing_if = "str::is_empty")]
    head_img_url: Cow<'a, str>,
    #[serde(rename = "ContactFlag", skip_serializing_if = "is_zero")]
    contact_flag: i64,
    #[serde(rename = "VerifyFlag", skip_serializing_if = "is_zero")]
    verify_flag: i64,
    #[serde(rename = "Sex", skip_serializing_if = "is_zero")]
    sex: i64,
    #[serde(rename = "Signature", skip_serializing_if = "str::is_empty")]
    signature: &'a str,
    #[serde(rename = "Province", skip_serializing_if = "str::is_empty")]
    province: &'a str,
    #[serde(rename = "City", skip_serializing_if = "str::is_empty")]
    city: &'a str,
    #[serde(rename = "Alias", skip_serializing_if = "str::is_empty")]
    alias: &'a str,
    #[serde(rename = "StarFriend", skip_serializing_if = "is_zero")]
    star_friend: i64,
    #[serde(rename = "AttrStatus", skip_serializing_if = "is_zero")]
    attr_status: i64,
    #[serde(rename = "OwnerUin", skip_serializing_if = "is_zero")]
    owner_uin: u64,
    #[serde(rename = "IsOwner", skip_serializing_if = "is_false")]
    is_owner: bool,
    #[serde(rename = "ChatRoomOwner", skip_serializing_if = "str::is_empty")]
    chat_room_owner: &'a str,
    #[serde(rename = "Statues", skip_serializing_if = "Option::is_none")]
    statues: Option<i64>,
    #[serde(rename = "MemberCount", skip_serializing_if = "is_zero")]
    member_count: i64,
    #[serde(rename = "MemberList", skip_serializing_if = "<[Member]>::is_empty")]
    members: &'a [Member],
    #[serde(rename = "EncryChatRoomId", skip_serializing_if = "str::is_empty")]
    encry_chat_room_id: &'a str,
}

/// A contact as read: text borrowed from the input where it has no escapes.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Read<'a> {
    #[serde(rename = "Uin")]
    uin: u64,
    #[serde(rename = "UserName", borrow)]
    user_name: Cow<'a, str>,
    #[serde(rename = "NickName", borrow)]
    nick_name: Cow<'a, str>,
    #[serde(rename = "RemarkName", borrow)]
    remark_name: Cow<'a, str>,
    #[serde(rename = "DisplayName", borrow)]
    display_name: Cow<'a, str>,
    #[serde(rename = "HeadImgUrl", borrow)]
    head_img_url: Cow<'a, str>,
    #[serde(rename = "ContactFlag")]
    contact_flag: i64,
    #[serde(rename = "VerifyFlag")]
    verify_flag: i64,
    #[serde(rename = "Sex")]
    sex: i64,
    #[serde(rename = "Signature", borrow)]
    signature: Cow<'a, str>,
    #[serde(rename = "Province", borrow)]
    province: Cow<'a, str>,
    #[serde(rename = "City", borrow)]
    city: Cow<'a, str>,
    #[serde(rename = "Alias", borrow)]
    alias: Cow<'a, str>,
    #[serde(rename = "StarFriend")]
    star_friend: i64,
    #[serde(rename = "AttrStatus")]
    attr_status: i64,
    #[serde(rename = "OwnerUin")]
    owner_uin: u64,
    #[serde(rename = "IsOwner", deserialize_with = "crate::model::lenient::flag")]
    is_owner: bool,
    #[serde(rename = "ChatRoomOwner")]
    chat_room_owner: String,
    #[serde(rename = "Statues")]
    statues: Option<i64>,
    #[serde(rename = "MemberCount")]
    member_count: i64,
    #[serde(rename = "MemberList")]
    members: Vec<Member>,
    #[serde(rename = "EncryChatRoomId")]
    encry_chat_room_id: String,
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Serialize for Contact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let g = self.group_part();
        Written {
            uin: self.uin,
            user_name: self.user_name(),
            nick_name: self.nick_name(),
            remark_name: self.remark_name(),
            display_name: self.display_name(),
            head_img_url: self.head_img_url(),
            contact_flag: self.contact_flag,
            verify_flag: self.verify_flag,
            sex: self.sex,
            signature: self.signature(),
            province: self.province(),
            city: self.city(),
            alias: self.alias(),
            star_friend: self.star_friend,
            attr_status: self.attr_status,
            owner_uin: g.owner_uin,
            is_owner: g.is_owner,
            chat_room_owner: &g.chat_room_owner,
            statues: g.statues,
            member_count: g.member_count,
            members: &g.members,
            encry_chat_room_id: &g.encry_chat_room_id,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Contact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Contact, D::Error> {
        let r = Read::deserialize(deserializer)?;
        let texts: [&str; FIELDS] = [
            &r.user_name,
            &r.nick_name,
            &r.remark_name,
            &r.display_name,
            &r.head_img_url,
            &r.signature,
            &r.province,
            &r.city,
            &r.alias,
        ];
        let mut contact = Contact {
            text: Texts::new(texts),
            uin: r.uin,
            contact_flag: r.contact_flag,
            verify_flag: r.verify_flag,
            sex: r.sex,
            star_friend: r.star_friend,
            attr_status: r.attr_status,
            group: Some(Box::new(GroupPart {
                owner_uin: r.owner_uin,
                is_owner: r.is_owner,
                chat_room_owner: r.chat_room_owner,
                statues: r.statues,
                member_count: r.member_count,
                members: r.members,
                encry_chat_room_id: r.encry_chat_room_id,
            })),
        };
        contact.tidy();
        Ok(contact)
    }
}
