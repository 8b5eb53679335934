//! The typed content of a message, by `MsgType`.

use super::article::{Article, mmreader_articles};
use super::payload::Payload;
use super::text::{decode_entities, decode_text};
use crate::model::RawMessage;
use crate::{Limits, Secret};

/// An app message (`MsgType` 49), by `AppMsgType`: links, files, mini programs, transfers, ...
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AppMessage {
    /// `AppMsgType` (1 text, 2 image, 3 audio, 4 video, 5 link, 6 file, 8 emoji, 17 live
    /// location, 2000 transfer, 2001 red packet, ...).
    pub app_type: i64,
    /// `msg/appmsg/title`.
    pub title: String,
    /// `msg/appmsg/des`.
    pub description: String,
    /// `msg/appmsg/url` (or the message's `Url`).
    pub url: String,
    /// The file name of a file message.
    pub file_name: String,
    /// The file size (`msg/appmsg/appattach/totallen`, or `FileSize`).
    pub file_size: u64,
    /// `msg/appmsg/appattach/fileext`.
    pub file_ext: String,
    /// `appid` of the sending app.
    pub app_id: String,
}

/// What a message carries.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Content {
    /// 1: text, decoded (entities, newlines, emoji).
    Text(String),
    /// 1 with `SubMsgType` 48, or 48: a location. A type 1 message without `SubMsgType` 48 is
    /// text, however much it looks like a location (as the official client reads it).
    Location {
        /// The place's label (the text before the first `:<br/>`), decoded.
        label: String,
        /// The message's `Url` (the map); when it has none, what the content carries after the
        /// label (the map image's path).
        url: String,
    },
    /// 3: an image (download with the message id).
    Image,
    /// 34: a voice message.
    Voice {
        /// Length in milliseconds.
        duration_ms: i64,
    },
    /// 37: a friend request.
    FriendRequest {
        /// The requester's user name.
        user_name: String,
        /// The requester's nick name.
        nick_name: String,
        /// The greeting.
        greeting: String,
        /// The ticket needed to accept (a secret: redacted in `Debug`).
        ticket: Secret<String>,
    },
    /// 40: a possible friend.
    PossibleFriend,
    /// 42: a contact card.
    Card {
        /// The card's user name.
        user_name: String,
        /// The card's nick name.
        nick_name: String,
        /// The card's alias (WeChat id), when shared.
        alias: String,
    },
    /// 43: a video.
    Video {
        /// Length in seconds.
        play_length: i64,
    },
    /// 47: an emoticon (sticker).
    Emoticon {
        /// The sticker's md5.
        md5: String,
        /// Where to download it, when given.
        url: String,
    },
    /// 49: an app message (links, files, mini programs, ...) not typed below.
    App(AppMessage),
    /// A red packet (`AppMsgType` 2001, under `MsgType` 49 or 1): its card only, the amount is
    /// not given to web clients (the official client says "open it on the phone"). Some red
    /// packets arrive as [`Content::System`] notices instead ("收到红包，请在手机上查看").
    RedPacket(AppMessage),
    /// A money transfer (`MsgType` 49, `AppMsgType` 2000): its card only; it can only be
    /// accepted on the phone.
    Transfer(AppMessage),
    /// 49 with an `<mmreader>`: an official account's article push, one or more articles (at
    /// most [`MAX_ARTICLES`](crate::message::MAX_ARTICLES), in the order sent).
    Articles(Vec<Article>),
    /// 50, 52, 53: a VoIP call notice.
    Voip,
    /// 51: status sync (read marks on the phone): the code and the user names concerned.
    StatusNotify {
        /// `StatusNotifyCode`.
        code: i64,
        /// `StatusNotifyUserName`, split on commas: at most
        /// [`Limits::max_entries_per_answer`] names, the rest dropped.
        user_names: Vec<String>,
    },
    /// 62: a short video.
    ShortVideo {
        /// Length in seconds.
        play_length: i64,
    },
    /// 9999: a system notice.
    SystemNotice(String),
    /// 10000: a system message (joined, left, renamed, red packet, "pat"), decoded text.
    System(String),
    /// 10002: a message was recalled.
    Recalled {
        /// The `MsgId` of the recalled message (`<msgid>`, what the official page matches; 0
        /// means the account's own last message).
        msg_id: String,
        /// `<oldmsgid>`: the message's older 32-bit id.
        old_msg_id: String,
        /// The notice shown instead ("X recalled a message").
        notice: String,
        /// Whether this session delivered the recalled message (its id is among the remembered
        /// ones): the application can then replace it.
        seen: bool,
    },
    /// A type this library does not know, or a payload it could not read: the raw content.
    Unknown {
        /// `MsgType`.
        msg_type: i64,
        /// The content, decoded as text.
        text: String,
    },
}

impl Content {
    /// Types `body` (the content with any group sender prefix removed) by the message's type,
    /// within the default [`Limits`].
    pub fn from_raw(raw: &RawMessage, body: &str) -> Content {
        Content::from_raw_with(raw, body, &Limits::default())
    }

    /// [`Content::from_raw`] within `limits`: an XML payload past a `max_xml_*` limit is not
    /// read, as if it were malformed (the content falls back as for any unreadable payload).
    pub fn from_raw_with(raw: &RawMessage, body: &str, limits: &Limits) -> Content {
        let parse = |body| Payload::parse_with(body, limits);
        let unknown = || Content::Unknown {
            msg_type: raw.msg_type,
            text: decode_text(body),
        };
        match raw.msg_type {
            1 if raw.app_msg_type == 2001 => app(raw, body, limits),
            1 if raw.sub_msg_type == 48 => location(raw, body),
            1 => Content::Text(decode_text(body)),
            48 => location(raw, body),
            3 => Content::Image,
            34 => Content::Voice {
                duration_ms: raw.voice_length,
            },
            37 => {
                let info = &raw.recommend_info;
                let p = parse(body).ok();
                let attr = |name| {
                    p.as_ref()
                        .and_then(|p| p.root_attr(name))
                        .unwrap_or_default()
                        .to_string()
                };
                let pick = |a: &str, b: String| if a.is_empty() { b } else { a.to_string() };
                Content::FriendRequest {
                    user_name: pick(&info.user_name, attr("fromusername")),
                    nick_name: pick(&info.nick_name, attr("fromnickname")),
                    greeting: pick(&info.content, attr("content")),
                    ticket: Secret::new(pick(info.ticket.expose(), attr("ticket"))),
                }
            }
            40 => Content::PossibleFriend,
            42 => match parse(body) {
                Ok(p) => Content::Card {
                    user_name: p.root_attr("username").unwrap_or_default().to_string(),
                    nick_name: p.root_attr("nickname").unwrap_or_default().to_string(),
                    alias: p.root_attr("alias").unwrap_or_default().to_string(),
                },
                Err(_) => unknown(),
            },
            43 => Content::Video {
                play_length: raw.play_length,
            },
            47 => {
                let p = parse(body).ok();
                let attr = |name| {
                    p.as_ref()
                        .and_then(|p| p.attr("msg/emoji", name))
                        .unwrap_or_default()
                        .to_string()
                };
                Content::Emoticon {
                    md5: attr("md5"),
                    url: attr("cdnurl"),
                }
            }
            49 => app(raw, body, limits),
            50 | 52 | 53 => Content::Voip,
            51 => Content::StatusNotify {
                code: raw.status_notify_code,
                user_names: raw
                    .status_notify_user_name
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .take(limits.max_entries_per_answer)
                    .map(str::to_string)
                    .collect(),
            },
            62 => Content::ShortVideo {
                play_length: raw.play_length,
            },
            9999 => Content::SystemNotice(decode_text(body)),
            10000 => Content::System(decode_text(body)),
            10002 => match parse(body) {
                Ok(p) if p.root() == "sysmsg" => Content::Recalled {
                    msg_id: p
                        .text("sysmsg/revokemsg/msgid")
                        .unwrap_or_default()
                        .to_string(),
                    old_msg_id: p
                        .text("sysmsg/revokemsg/oldmsgid")
                        .unwrap_or_default()
                        .to_string(),
                    seen: false,
                    notice: p
                        .text("sysmsg/revokemsg/replacemsg")
                        .unwrap_or_default()
                        .to_string(),
                },
                _ => unknown(),
            },
            _ => unknown(),
        }
    }

    /// A short lowercase name of the kind of content (`text`, `image`, `friend-request`, ...),
    /// for programs that label messages (the CLI's JSON lines, `webwx serve`'s events).
    pub fn kind(&self) -> &'static str {
        match self {
            Content::Text(_) => "text",
            Content::Location { .. } => "location",
            Content::Image => "image",
            Content::Voice { .. } => "voice",
            Content::FriendRequest { .. } => "friend-request",
            Content::PossibleFriend => "possible-friend",
            Content::Card { .. } => "card",
            Content::Video { .. } => "video",
            Content::Emoticon { .. } => "emoticon",
            Content::App(_) => "app",
            Content::Voip => "voip",
            Content::StatusNotify { .. } => "status",
            Content::ShortVideo { .. } => "short-video",
            Content::SystemNotice(_) => "notice",
            Content::System(_) => "system",
            Content::Recalled { .. } => "recalled",
            Content::RedPacket(_) => "red-packet",
            Content::Transfer(_) => "transfer",
            Content::Articles(_) => "articles",
            Content::Unknown { .. } => "unknown",
        }
    }

    /// The text of text-like content (text, system messages, location labels, app titles, the
    /// first article's title), for display and logs.
    pub fn text(&self) -> Option<&str> {
        match self {
            Content::Text(t) | Content::System(t) | Content::SystemNotice(t) => Some(t),
            Content::Location { label, .. } => Some(label),
            Content::App(app) | Content::RedPacket(app) | Content::Transfer(app) => {
                Some(&app.title)
            }
            Content::Articles(articles) => articles.first().map(|a| a.title.as_str()),
            Content::Recalled { notice, .. } => Some(notice),
            Content::Unknown { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// A location, as the official client reads it: the content split on `:<br/>`, the label first
/// and the map image's path second (the group sender prefix is already removed from `body`),
/// the message's `Url` preferred as the URL.
fn location(raw: &RawMessage, body: &str) -> Content {
    let (label, rest) = body.split_once(":<br/>").unwrap_or((body, ""));
    let rest = rest.split_once(":<br/>").map_or(rest, |(first, _)| first);
    let url = if raw.url.is_empty() {
        decode_entities(rest)
    } else {
        raw.url.clone()
    };
    Content::Location {
        label: decode_text(label),
        url,
    }
}

/// An app message (`MsgType` 49, or 1 with `AppMsgType` 2001), typed by its `AppMsgType` (the
/// JSON field, as the official client switches on it; the payload's `<type>` when the field is
/// absent): a red packet, a transfer, an article push, or any other app message. A payload that
/// cannot be read leaves the fields the JSON gives.
fn app(raw: &RawMessage, body: &str, limits: &Limits) -> Content {
    let payload = Payload::parse_with(body, limits).ok();
    let app = match &payload {
        Some(p) => app_message(raw, p),
        None => AppMessage {
            app_type: raw.app_msg_type,
            title: raw.file_name.clone(),
            url: raw.url.clone(),
            file_name: raw.file_name.clone(),
            file_size: raw.file_size.trim().parse().unwrap_or(0),
            ..AppMessage::default()
        },
    };
    let app_type = match raw.app_msg_type {
        0 => app.app_type,
        t => t,
    };
    match app_type {
        2001 => Content::RedPacket(app),
        2000 => Content::Transfer(app),
        _ => {
            let articles = payload.as_ref().map(mmreader_articles).unwrap_or_default();
            if articles.is_empty() {
                Content::App(app)
            } else {
                Content::Articles(articles)
            }
        }
    }
}

fn app_message(raw: &RawMessage, p: &Payload) -> AppMessage {
    let text = |path| p.text(path).unwrap_or_default().to_string();
    let app_type = p
        .text("msg/appmsg/type")
        .and_then(|t| t.parse().ok())
        .unwrap_or(raw.app_msg_type);
    let url = match text("msg/appmsg/url") {
        u if u.is_empty() => raw.url.clone(),
        u => u,
    };
    let file_size = p
        .text("msg/appmsg/appattach/totallen")
        .and_then(|t| t.parse().ok())
        .or_else(|| raw.file_size.trim().parse().ok())
        .unwrap_or(0);
    AppMessage {
        app_type,
        title: text("msg/appmsg/title"),
        description: text("msg/appmsg/des"),
        url,
        file_name: raw.file_name.clone(),
        file_size,
        file_ext: text("msg/appmsg/appattach/fileext"),
        app_id: p
            .attr("msg/appmsg", "appid")
            .unwrap_or_default()
            .to_string(),
    }
}
