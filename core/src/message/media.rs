//! The media a message carries, described well enough to fetch it later in the same session:
//! [`Message::media`] gives a [`Media`], and
//! [`Client::media_request`](crate::Client::media_request) builds the request of one of its
//! [`Variant`]s with the session's current skey and cookies.

use super::{Content, Message};

/// What kind of media.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MediaKind {
    /// `MsgType` 3.
    Image,
    /// `MsgType` 34.
    Voice,
    /// `MsgType` 43, or 62 (a short video).
    Video,
    /// `MsgType` 49 with `AppMsgType` 6: a file on the file host.
    File,
    /// `MsgType` 47: a sticker or gif.
    Sticker,
}

/// Which version of a media to fetch.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Variant {
    /// The image's thumbnail (`type=slave`), or a video's preview image.
    Thumbnail,
    /// The media itself: the full image, the voice, the video, the file, the sticker.
    Full,
}

/// A piece of media a message carries: its kind, what is known of it, and the ids needed to
/// fetch it. Serializable, so that a program can keep it (`webwx listen --json` prints it) and
/// fetch the media later in the same session.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Media {
    /// The kind.
    pub kind: MediaKind,
    /// The message's `MsgId`: images, voices, videos and stickers are fetched by it.
    pub msg_id: String,
    /// Who sent it (`FromUserName`): the file host wants it.
    pub sender: String,
    /// `MediaId`: a file's id on the file host, or what a forward refers to.
    pub media_id: String,
    /// `EncryFileName`: the file host wants it beside the `MediaId`.
    pub encry_file_name: String,
    /// The file name (files); empty when the server gave none.
    pub file_name: String,
    /// The size in bytes, when the message says (files).
    pub size: Option<u64>,
    /// Width and height in pixels, when the message says (images, videos).
    pub dimensions: Option<(u32, u32)>,
    /// Length in milliseconds, when the message says (voices, videos).
    pub duration_ms: Option<u64>,
    /// A sticker's md5 (what the sticker is known by, and what sending it again needs).
    pub md5: String,
    /// A paid sticker (`HasProductId`): the server does not hand it out.
    pub paid: bool,
}

impl Media {
    /// Whether `variant` can be fetched: every kind has its full version except a paid sticker,
    /// and images and videos have a thumbnail.
    pub fn has(&self, variant: Variant) -> bool {
        match variant {
            Variant::Full => !self.paid,
            Variant::Thumbnail => matches!(self.kind, MediaKind::Image | MediaKind::Video),
        }
    }

    /// A file name to save it under: the message's for a file, else the message id with the
    /// kind's usual extension (`.jpg`, `.mp3`, `.mp4`, `.gif`).
    pub fn suggested_name(&self) -> String {
        let safe: String = self
            .file_name
            .chars()
            .filter(|c| !matches!(c, '/' | '\\' | '\0') && !c.is_control())
            .collect();
        let safe = safe.trim().trim_start_matches('.');
        if !safe.is_empty() {
            return safe.to_string();
        }
        let ext = match self.kind {
            MediaKind::Image => "jpg",
            MediaKind::Voice => "mp3",
            MediaKind::Video => "mp4",
            MediaKind::Sticker => "gif",
            MediaKind::File => "bin",
        };
        let id: String = self
            .msg_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        format!("{id}.{ext}")
    }
}

fn positive(n: i64) -> Option<u64> {
    u64::try_from(n).ok().filter(|n| *n > 0)
}

impl Message {
    /// The media this message carries, if any: an image, a voice, a video, a file or a sticker.
    pub fn media(&self) -> Option<Media> {
        let raw = &self.raw;
        let dims = match (
            u32::try_from(raw.img_width).ok(),
            u32::try_from(raw.img_height).ok(),
        ) {
            (Some(w), Some(h)) if w > 0 && h > 0 => Some((w, h)),
            _ => None,
        };
        let (kind, md5, size, duration_ms, file_name) = match &self.content {
            Content::Image => (MediaKind::Image, String::new(), None, None, String::new()),
            Content::Voice { duration_ms } => (
                MediaKind::Voice,
                String::new(),
                None,
                positive(*duration_ms),
                String::new(),
            ),
            Content::Video { play_length } | Content::ShortVideo { play_length } => (
                MediaKind::Video,
                String::new(),
                None,
                positive(*play_length).map(|s| s.saturating_mul(1000)),
                String::new(),
            ),
            Content::Emoticon { md5, .. } => {
                (MediaKind::Sticker, md5.clone(), None, None, String::new())
            }
            Content::App(app) if app.app_type == 6 => {
                let name = if app.file_name.is_empty() {
                    app.title.clone()
                } else {
                    app.file_name.clone()
                };
                let size = Some(app.file_size).filter(|s| *s > 0);
                (MediaKind::File, String::new(), size, None, name)
            }
            _ => return None,
        };
        Some(Media {
            kind,
            msg_id: raw.msg_id.clone(),
            sender: raw.from_user_name.clone(),
            media_id: raw.media_id.clone(),
            encry_file_name: raw.encry_file_name.clone(),
            file_name,
            size,
            dimensions: dims.filter(|_| matches!(kind, MediaKind::Image | MediaKind::Video)),
            duration_ms,
            md5,
            paid: kind == MediaKind::Sticker && raw.has_product_id != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RawMessage;
    use crate::{Contact, ContactStore};

    fn message(raw: serde_json::Value) -> Message {
        let raw: RawMessage = serde_json::from_value(raw).unwrap();
        Message::from_raw(raw, &Contact::new("@me", "me"), &ContactStore::default())
    }

    #[test]
    fn every_kind_is_described() {
        let image = message(
            serde_json::json!({"MsgId": "11", "FromUserName": "@a", "ToUserName": "@me",
            "MsgType": 3, "ImgWidth": 640, "ImgHeight": 480, "Content": ""}),
        )
        .media()
        .unwrap();
        assert_eq!(image.kind, MediaKind::Image);
        assert_eq!(image.dimensions, Some((640, 480)));
        assert!(image.has(Variant::Thumbnail) && image.has(Variant::Full));
        assert_eq!(image.suggested_name(), "11.jpg");

        let voice = message(
            serde_json::json!({"MsgId": "12", "FromUserName": "@a", "ToUserName": "@me",
            "MsgType": 34, "VoiceLength": 2300}),
        )
        .media()
        .unwrap();
        assert_eq!(
            (voice.kind, voice.duration_ms),
            (MediaKind::Voice, Some(2300))
        );
        assert!(!voice.has(Variant::Thumbnail));

        let video = message(
            serde_json::json!({"MsgId": "13", "FromUserName": "@a", "ToUserName": "@me",
            "MsgType": 62, "PlayLength": 7}),
        )
        .media()
        .unwrap();
        assert_eq!(
            (video.kind, video.duration_ms),
            (MediaKind::Video, Some(7000))
        );

        let file = message(serde_json::json!({"MsgId": "14", "FromUserName": "@a", "ToUserName": "@me",
            "MsgType": 49, "AppMsgType": 6, "FileName": "../报告.pdf", "FileSize": "1234",
            "MediaId": "@crypt_m", "EncryFileName": "%E6%8A%A5",
            "Content": "&lt;msg&gt;&lt;appmsg appid=\"\"&gt;&lt;title&gt;../报告.pdf&lt;/title&gt;&lt;type&gt;6&lt;/type&gt;&lt;appattach&gt;&lt;totallen&gt;1234&lt;/totallen&gt;&lt;fileext&gt;pdf&lt;/fileext&gt;&lt;/appattach&gt;&lt;/appmsg&gt;&lt;/msg&gt;"}))
        .media()
        .unwrap();
        assert_eq!(file.kind, MediaKind::File);
        assert_eq!(file.size, Some(1234));
        assert_eq!(
            (file.media_id.as_str(), file.encry_file_name.as_str()),
            ("@crypt_m", "%E6%8A%A5")
        );
        assert_eq!(
            file.suggested_name(),
            "报告.pdf",
            "no path in a suggested name"
        );

        let paid = message(
            serde_json::json!({"MsgId": "15", "FromUserName": "@a", "ToUserName": "@me",
            "MsgType": 47, "HasProductId": 1,
            "Content": "&lt;msg&gt;&lt;emoji md5=\"abc\" cdnurl=\"http://x\" /&gt;&lt;/msg&gt;"}),
        )
        .media()
        .unwrap();
        assert_eq!(
            (paid.kind, paid.md5.as_str(), paid.paid),
            (MediaKind::Sticker, "abc", true)
        );
        assert!(!paid.has(Variant::Full));

        let text = message(
            serde_json::json!({"MsgId": "16", "FromUserName": "@a", "ToUserName": "@me",
            "MsgType": 1, "Content": "hi"}),
        );
        assert!(text.media().is_none());
    }
}
