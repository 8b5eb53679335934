//! The JSON answers of the login set-up: `webwxinit`, `webwxgetcontact`, `webwxbatchgetcontact`.

use super::{BaseResponse, HasBaseResponse, RawContact, SyncKey, lenient};
use crate::message::MpSubscription;
use crate::{Contact, Secret};

/// The answer of `webwxinit`.
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct InitAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    /// `User`: the self user.
    #[serde(rename = "User", default)]
    pub user: RawContact,
    /// `ContactList`: recent chats (groups among them carry a `MemberList`).
    #[serde(rename = "ContactList", default, deserialize_with = "lenient::list")]
    pub contact_list: Vec<RawContact>,
    /// `SyncKey`: the first cursor of the message stream.
    #[serde(rename = "SyncKey", default)]
    pub sync_key: SyncKey,
    /// `SKey`: when non-empty, replaces the skey of the ticket.
    #[serde(rename = "SKey", default, deserialize_with = "lenient::secret_string")]
    pub skey: Secret<String>,
    /// `ChatSet`: comma-separated user names of recent chats.
    #[serde(rename = "ChatSet", default, deserialize_with = "lenient::string")]
    pub chat_set: String,
    /// `SystemTime`: the server's clock, in seconds.
    #[serde(rename = "SystemTime", default, deserialize_with = "lenient::int")]
    pub system_time: i64,
    /// `MPSubscribeMsgList`: official accounts and their latest articles (sent only here; sync
    /// never updates it). Entries without a `UserName` are dropped as they are read; each keeps
    /// at most [`MAX_ARTICLES`](crate::message::MAX_ARTICLES) articles.
    #[serde(
        rename = "MPSubscribeMsgList",
        default,
        deserialize_with = "lenient::list"
    )]
    pub mp_subscribe_msg_list: Vec<MpSubscription>,
}

/// The answer of `webwxgetcontact`: one page of contacts.
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct GetContactAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    /// `MemberCount`: contacts on this page.
    #[serde(rename = "MemberCount", default, deserialize_with = "lenient::int")]
    pub member_count: i64,
    /// `MemberList`: the contacts, each made a [`Contact`] as it is read (see
    /// [`RawContact`] for the wire form).
    #[serde(
        rename = "MemberList",
        default,
        deserialize_with = "lenient::list_into::<_, RawContact, _>"
    )]
    pub member_list: Vec<Contact>,
    /// `Seq`: 0 on the last page, else the `seq` of the next page.
    #[serde(rename = "Seq", default, deserialize_with = "lenient::uint")]
    pub seq: u64,
}

/// The answer of `webwxbatchgetcontact`: contacts or groups with their members.
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct BatchGetContactAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    /// `Count`.
    #[serde(rename = "Count", default, deserialize_with = "lenient::int")]
    pub count: i64,
    /// `ContactList`.
    #[serde(rename = "ContactList", default, deserialize_with = "lenient::list")]
    pub contact_list: Vec<RawContact>,
}

impl HasBaseResponse for InitAnswer {
    fn base_response(&self) -> &BaseResponse {
        &self.base_response
    }
}

impl HasBaseResponse for GetContactAnswer {
    fn base_response(&self) -> &BaseResponse {
        &self.base_response
    }
}

impl HasBaseResponse for BatchGetContactAnswer {
    fn base_response(&self) -> &BaseResponse {
        &self.base_response
    }
}

/// The answer of `webwxsendmsg`.
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct SendAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    /// `MsgID`: the server's id of the sent message.
    #[serde(rename = "MsgID", default, deserialize_with = "lenient::string")]
    pub msg_id: String,
    /// `LocalID`: the client's id, echoed.
    #[serde(rename = "LocalID", default, deserialize_with = "lenient::string")]
    pub local_id: String,
}

impl HasBaseResponse for SendAnswer {
    fn base_response(&self) -> &BaseResponse {
        &self.base_response
    }
}

/// The answer to one `webwxuploadmedia` chunk. Every chunk's carries `BaseResponse`; only the
/// last one's `MediaId` is set (the others say `""`).
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct UploadAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    /// `MediaId`: the uploaded file's id (`@crypt_…`), on the last chunk's answer.
    #[serde(rename = "MediaId", default, deserialize_with = "lenient::string")]
    pub media_id: String,
    /// `StartPos`: the file's size on the last chunk's answer, 0 before.
    #[serde(rename = "StartPos", default, deserialize_with = "lenient::uint")]
    pub start_pos: u64,
    /// `EncryFileName`: the file name as the server keeps it.
    #[serde(
        rename = "EncryFileName",
        default,
        deserialize_with = "lenient::string"
    )]
    pub encry_file_name: String,
}

impl HasBaseResponse for UploadAnswer {
    fn base_response(&self) -> &BaseResponse {
        &self.base_response
    }
}

/// The answer of `webwxcheckupload`: the key and signature the upload (and a file card) must
/// carry, and a `MediaId` when the server already has the file.
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct CheckUploadAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    /// `MediaId`: set when the server already has the file (then nothing is uploaded).
    #[serde(rename = "MediaId", default, deserialize_with = "lenient::string")]
    pub media_id: String,
    /// `AESKey`, added to every chunk's `uploadmediarequest`.
    #[serde(rename = "AESKey", default, deserialize_with = "lenient::secret")]
    pub aes_key: Secret<String>,
    /// `Signature`, added to every chunk's `uploadmediarequest` and to the file card.
    #[serde(rename = "Signature", default, deserialize_with = "lenient::secret")]
    pub signature: Secret<String>,
}

impl HasBaseResponse for CheckUploadAnswer {
    fn base_response(&self) -> &BaseResponse {
        &self.base_response
    }
}

/// The answer of `webwxpushloginurl`: `{"ret":"0","msg":"all ok","uuid":"..."}`.
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct PushLoginAnswer {
    /// `ret`: 0 when the phone was asked (sent as a string).
    #[serde(deserialize_with = "lenient::int")]
    pub ret: i64,
    /// `msg`.
    #[serde(default)]
    pub msg: String,
    /// `uuid`: poll the login endpoint with it.
    #[serde(default)]
    pub uuid: String,
}
