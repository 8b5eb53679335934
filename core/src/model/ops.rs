//! The answers of the contact and group operations (`webwxrevokemsg`, `webwxverifyuser`,
//! `webwxoplog`, `webwxcreatechatroom`, `webwxupdatechatroom`, `webwxsearchcontact`): one shape
//! with what any of them may carry.

use super::{BaseResponse, RawContact, RawMember, lenient};

/// The answer of an operation. Its `Ret` is read by the operation itself (some codes that are
/// failures elsewhere are success here: -2013 after adding members).
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct OpAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    /// `ChatRoomName`: the group `webwxcreatechatroom` made.
    #[serde(rename = "ChatRoomName", deserialize_with = "lenient::string")]
    pub chat_room_name: String,
    /// `Topic`: the group's name.
    #[serde(rename = "Topic", deserialize_with = "lenient::string")]
    pub topic: String,
    /// `MemberList`: the group's members (`webwxcreatechatroom`, `webwxupdatechatroom`).
    #[serde(rename = "MemberList")]
    pub member_list: Vec<RawMember>,
    /// `List`: the contacts `webwxsearchcontact` found.
    #[serde(rename = "List")]
    pub list: Vec<RawContact>,
}
