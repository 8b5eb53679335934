//! The answer of `webwxsync`.

use super::{BaseResponse, HasBaseResponse, RawContact, RawMessage, SyncKey, lenient};
use crate::Secret;

/// A `{"Buff": "..."}` wrapper the profile uses for strings.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Buff {
    /// `Buff`.
    #[serde(rename = "Buff", deserialize_with = "lenient::string")]
    pub buff: String,
}

/// `Profile`: changes to the self user.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Profile {
    /// `BitFlag`: which fields changed (0: none).
    #[serde(rename = "BitFlag", deserialize_with = "lenient::int")]
    pub bit_flag: i64,
    /// `UserName`.
    #[serde(rename = "UserName")]
    pub user_name: Buff,
    /// `NickName`.
    #[serde(rename = "NickName")]
    pub nick_name: Buff,
    /// `Signature`.
    #[serde(rename = "Signature", deserialize_with = "lenient::string")]
    pub signature: String,
    /// `HeadImgUrl`.
    #[serde(rename = "HeadImgUrl", deserialize_with = "lenient::url_without_skey")]
    pub head_img_url: String,
    /// `Sex`.
    #[serde(rename = "Sex", deserialize_with = "lenient::int")]
    pub sex: i64,
    /// `Alias`.
    #[serde(rename = "Alias", deserialize_with = "lenient::string")]
    pub alias: String,
}

/// The answer of `webwxsync`.
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct SyncAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    /// `AddMsgList`: new messages.
    #[serde(rename = "AddMsgList", default, deserialize_with = "lenient::list")]
    pub add_msg_list: Vec<RawMessage>,
    /// `ModContactList`: contacts added or changed.
    #[serde(rename = "ModContactList", default, deserialize_with = "lenient::list")]
    pub mod_contact_list: Vec<RawContact>,
    /// `DelContactList`: contacts removed.
    #[serde(rename = "DelContactList", default, deserialize_with = "lenient::list")]
    pub del_contact_list: Vec<RawContact>,
    /// `ModChatRoomMemberList`: groups whose members changed.
    #[serde(
        rename = "ModChatRoomMemberList",
        default,
        deserialize_with = "lenient::list"
    )]
    pub mod_chat_room_member_list: Vec<RawContact>,
    /// `Profile`.
    #[serde(rename = "Profile", default)]
    pub profile: Profile,
    /// `ContinueFlag`: non-zero when more is waiting (sync again at once).
    #[serde(rename = "ContinueFlag", default, deserialize_with = "lenient::int")]
    pub continue_flag: i64,
    /// `SyncKey`: replaces the held one when its `Count > 0`.
    #[serde(rename = "SyncKey", default)]
    pub sync_key: SyncKey,
    /// `SyncCheckKey`: replaces the held one when its `Count > 0`.
    #[serde(rename = "SyncCheckKey", default)]
    pub sync_check_key: SyncKey,
    /// `SKey`: replaces the skey when non-empty.
    #[serde(rename = "SKey", default, deserialize_with = "lenient::secret_string")]
    pub skey: Secret<String>,
}

impl HasBaseResponse for SyncAnswer {
    fn base_response(&self) -> &BaseResponse {
        &self.base_response
    }
}
