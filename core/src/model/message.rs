//! `AddMsgList` entries: a message as the server sends it.

use super::lenient::{self, Entry};
use crate::Secret;
use std::fmt;

/// `RecommendInfo` of a friend request or card.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RecommendInfo {
    /// `UserName`.
    #[serde(rename = "UserName", deserialize_with = "lenient::string")]
    pub user_name: String,
    /// `NickName`.
    #[serde(rename = "NickName", deserialize_with = "lenient::string")]
    pub nick_name: String,
    /// `Content`: the greeting of a friend request.
    #[serde(rename = "Content", deserialize_with = "lenient::string")]
    pub content: String,
    /// `Ticket`: needed to accept a friend request (a secret: redacted in `Debug`).
    #[serde(rename = "Ticket", deserialize_with = "lenient::secret")]
    pub ticket: Secret<String>,
    /// `Alias`.
    #[serde(rename = "Alias", deserialize_with = "lenient::string")]
    pub alias: String,
    /// `Sex`.
    #[serde(rename = "Sex", deserialize_with = "lenient::int")]
    pub sex: i64,
    /// `Scene`.
    #[serde(rename = "Scene", deserialize_with = "lenient::int")]
    pub scene: i64,
}

/// One message as the server sends it (`AddMsgList` entry). Typed views come from
/// [`Message`](crate::Message).
///
/// Its `Debug` redacts the tickets, and the `Content` of a friend request (`MsgType` 37), whose
/// XML carries the ticket too.
#[derive(Clone, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RawMessage {
    /// `MsgId` (sent as a string).
    #[serde(rename = "MsgId", deserialize_with = "lenient::string")]
    pub msg_id: String,
    /// `NewMsgId`.
    #[serde(rename = "NewMsgId", deserialize_with = "lenient::uint")]
    pub new_msg_id: u64,
    /// `FromUserName`.
    #[serde(rename = "FromUserName", deserialize_with = "lenient::string")]
    pub from_user_name: String,
    /// `ToUserName`.
    #[serde(rename = "ToUserName", deserialize_with = "lenient::string")]
    pub to_user_name: String,
    /// `MsgType`.
    #[serde(rename = "MsgType", deserialize_with = "lenient::int")]
    pub msg_type: i64,
    /// `AppMsgType` (for `MsgType` 49).
    #[serde(rename = "AppMsgType", deserialize_with = "lenient::int")]
    pub app_msg_type: i64,
    /// `SubMsgType` (48 for a location sent as text).
    #[serde(rename = "SubMsgType", deserialize_with = "lenient::int")]
    pub sub_msg_type: i64,
    /// `Content`: HTML-escaped text or XML, `<br/>` for newlines, emoji as spans.
    #[serde(rename = "Content", deserialize_with = "lenient::string")]
    pub content: String,
    /// `CreateTime`, seconds since the epoch.
    #[serde(rename = "CreateTime", deserialize_with = "lenient::int")]
    pub create_time: i64,
    /// `Status`.
    #[serde(rename = "Status", deserialize_with = "lenient::int")]
    pub status: i64,
    /// `FileName`.
    #[serde(rename = "FileName", deserialize_with = "lenient::string")]
    pub file_name: String,
    /// `FileSize` (a string, sometimes empty).
    #[serde(rename = "FileSize", deserialize_with = "lenient::string")]
    pub file_size: String,
    /// `MediaId`.
    #[serde(rename = "MediaId", deserialize_with = "lenient::string")]
    pub media_id: String,
    /// `EncryFileName`: what the file host wants beside the `MediaId` of a file.
    #[serde(rename = "EncryFileName", deserialize_with = "lenient::string")]
    pub encry_file_name: String,
    /// `HasProductId`: non-zero for a paid sticker (which cannot be downloaded).
    #[serde(rename = "HasProductId", deserialize_with = "lenient::int")]
    pub has_product_id: i64,
    /// `Url`.
    #[serde(rename = "Url", deserialize_with = "lenient::string")]
    pub url: String,
    /// `VoiceLength` in milliseconds.
    #[serde(rename = "VoiceLength", deserialize_with = "lenient::int")]
    pub voice_length: i64,
    /// `PlayLength` in seconds.
    #[serde(rename = "PlayLength", deserialize_with = "lenient::int")]
    pub play_length: i64,
    /// `ImgWidth`.
    #[serde(rename = "ImgWidth", deserialize_with = "lenient::int")]
    pub img_width: i64,
    /// `ImgHeight`.
    #[serde(rename = "ImgHeight", deserialize_with = "lenient::int")]
    pub img_height: i64,
    /// `StatusNotifyCode`.
    #[serde(rename = "StatusNotifyCode", deserialize_with = "lenient::int")]
    pub status_notify_code: i64,
    /// `StatusNotifyUserName`: comma-separated user names.
    #[serde(rename = "StatusNotifyUserName", deserialize_with = "lenient::string")]
    pub status_notify_user_name: String,
    /// `RecommendInfo`.
    #[serde(rename = "RecommendInfo")]
    pub recommend_info: RecommendInfo,
    /// `Ticket` (a secret: redacted in `Debug`).
    #[serde(rename = "Ticket", deserialize_with = "lenient::secret")]
    pub ticket: Secret<String>,
}

impl fmt::Debug for RawMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let content: &dyn fmt::Debug = if self.msg_type == 37 {
            &"<redacted: a friend request carries its ticket>"
        } else {
            &self.content
        };
        f.debug_struct("RawMessage")
            .field("msg_id", &self.msg_id)
            .field("new_msg_id", &self.new_msg_id)
            .field("from_user_name", &self.from_user_name)
            .field("to_user_name", &self.to_user_name)
            .field("msg_type", &self.msg_type)
            .field("app_msg_type", &self.app_msg_type)
            .field("sub_msg_type", &self.sub_msg_type)
            .field("content", &content)
            .field("create_time", &self.create_time)
            .field("status", &self.status)
            .field("file_name", &self.file_name)
            .field("file_size", &self.file_size)
            .field("media_id", &self.media_id)
            .field("encry_file_name", &self.encry_file_name)
            .field("has_product_id", &self.has_product_id)
            .field("url", &self.url)
            .field("voice_length", &self.voice_length)
            .field("play_length", &self.play_length)
            .field("img_width", &self.img_width)
            .field("img_height", &self.img_height)
            .field("status_notify_code", &self.status_notify_code)
            .field("status_notify_user_name", &self.status_notify_user_name)
            .field("recommend_info", &self.recommend_info)
            .field("ticket", &self.ticket)
            .finish()
    }
}

/// A message with neither `MsgId` nor `NewMsgId` cannot be de-duplicated (the real server always
/// sends both): dropped as it is read, so that a redelivery can never show it twice.
impl Entry for RawMessage {
    const IS_MESSAGE: bool = true;
    fn is_kept(&self) -> bool {
        !self.msg_id.is_empty() || self.new_msg_id != 0
    }
}

impl RawMessage {
    /// The id messages are de-duplicated by: `MsgId`, or `NewMsgId` when `MsgId` is empty; empty
    /// when it has neither (such a message is dropped as its answer is read, and the client never
    /// delivers a message with an empty id).
    pub fn dedup_id(&self) -> String {
        if self.msg_id.is_empty() && self.new_msg_id != 0 {
            self.new_msg_id.to_string()
        } else {
            self.msg_id.clone()
        }
    }
}
