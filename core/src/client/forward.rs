//! Forwarding a received message as the official page does (its `transpondDialogController`):
//! a copy to another chat with `Scene` 2, the media by the `MediaId` the server already has
//! (nothing downloaded or uploaded), the content as it came with a group's sender prefix removed.
//! Text, images, videos, short videos, stickers and files can be forwarded; voices and link
//! cards cannot (the page offers neither).

use crate::message::{decode_entities, split_group_content};
use crate::{Content, Endpoint, Message, UsageError};

/// What a media send carries, kept with the queued send (and in a saved session's outbox): a
/// forward's media, or an uploaded file's once its upload is done.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Forward {
    /// `webwxsendmsgimg`, `Msg {Type: 3, MediaId, Content}`.
    Image { media_id: String, content: String },
    /// `webwxsendvideomsg`, `Msg {Type: 43 | 62, MediaId, Content}`.
    Video {
        msg_type: u32,
        media_id: String,
        content: String,
    },
    /// `webwxsendemoticon?fun=sys`, `Msg {Type: 47, [EmojiFlag], [EMoticonMd5], [MediaId]}`
    /// (an uploaded gif: `EmojiFlag` 2 and its `MediaId`).
    Sticker {
        md5: String,
        media_id: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        emoji_flag: u32,
    },
    /// `webwxsendappmsg?fun=async&f=json`, `Msg {[Signature], Type: <AppMsgType>, Content}`
    /// (the `Signature` of a checked upload).
    File {
        app_type: u32,
        content: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<crate::Secret<String>>,
    },
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Forward {
    /// The endpoint it goes to.
    pub(crate) fn endpoint(&self) -> Endpoint {
        match self {
            Forward::Image { .. } => Endpoint::SendMsgImg,
            Forward::Video { .. } => Endpoint::SendVideoMsg,
            Forward::Sticker { .. } => Endpoint::SendEmoticon,
            Forward::File { .. } => Endpoint::SendAppMsg,
        }
    }

    /// The query the page writes before the interceptor's (`?fun=async&f=json`, `?fun=sys`).
    pub(crate) fn query(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            Forward::Sticker { .. } => &[("fun", "sys")],
            _ => &[("fun", "async"), ("f", "json")],
        }
    }
}

/// What forwarding `m` sends: a text to send again, or a media forward. The content is the
/// message's as the server sent it, HTML-decoded, without a group's `@sender:<br/>` prefix.
pub(crate) enum Forwarded {
    Text(String),
    Media(Forward),
}

/// How `m` is forwarded, or why it cannot be.
pub(crate) fn forwarded(m: &Message) -> Result<Forwarded, UsageError> {
    let raw = &m.raw;
    let body = split_group_content(&raw.content)
        .filter(|_| m.is_group)
        .map_or(raw.content.as_str(), |(_, body)| body);
    let content = decode_entities(body);
    let media_id = raw.media_id.clone();
    // The server finds the media by the MediaId, or, for images and videos it does not give one
    // (they come with `"MediaId": ""`), by the payload the content carries (its cdn URLs and
    // keys): the page sends both as they came.
    let needs_media = |id: &str, content: &str| {
        if id.is_empty() && content.trim().is_empty() {
            Err(UsageError::Unavailable(
                "the message has neither a MediaId nor a payload to forward",
            ))
        } else {
            Ok(())
        }
    };
    Ok(match &m.content {
        Content::Text(text) => Forwarded::Text(text.clone()),
        Content::Image => {
            needs_media(&media_id, &content)?;
            Forwarded::Media(Forward::Image { media_id, content })
        }
        Content::Video { .. } | Content::ShortVideo { .. } => {
            needs_media(&media_id, &content)?;
            let msg_type = if matches!(m.content, Content::ShortVideo { .. }) {
                62
            } else {
                43
            };
            Forwarded::Media(Forward::Video {
                msg_type,
                media_id,
                content,
            })
        }
        Content::Emoticon { md5, .. } => {
            if md5.is_empty() && media_id.is_empty() {
                return Err(UsageError::Unavailable("a sticker without md5 or MediaId"));
            }
            if raw.has_product_id != 0 {
                return Err(UsageError::Unavailable("a paid sticker"));
            }
            Forwarded::Media(Forward::Sticker {
                md5: md5.clone(),
                media_id,
                emoji_flag: 0,
            })
        }
        Content::App(app) if app.app_type == 6 => {
            needs_media(&media_id, "")?;
            Forwarded::Media(Forward::File {
                app_type: 6,
                content,
                signature: None,
            })
        }
        _ => {
            return Err(UsageError::Unavailable(
                "only text, images, videos, stickers and files can be forwarded",
            ));
        }
    })
}
