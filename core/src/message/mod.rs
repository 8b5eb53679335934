//! Messages, typed: every `MsgType` of protocol §5 (unknown types kept raw, never dropped), with
//! decoded text, group senders, mentions and the XML payloads read into fields.

mod article;
mod content;
mod group;
mod media;
mod payload;
mod text;

pub use article::{Article, MAX_ARTICLE_TEXT_BYTES, MAX_ARTICLES, MpArticle, MpSubscription};
pub use content::{AppMessage, Content};
pub use group::{mentions, split_group_content};
pub use media::{Media, MediaKind, Variant};
pub use payload::Payload;
pub use text::{decode_emoji_hex, decode_entities, decode_text};

use crate::Contact;
use crate::contact::is_group_user_name;
use crate::model::RawMessage;
use crate::{ContactStore, Limits};

/// The member of a group who sent a group message.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct GroupSender {
    /// The member's user name.
    pub user_name: String,
    /// The member's name to show (group display name, nick name, or the user name).
    pub display_name: String,
}

/// A received (or, from another device, sent) message.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Message {
    /// The id messages are de-duplicated by (`MsgId`, else `NewMsgId`).
    pub id: String,
    /// The chat it belongs to: the group or the other person (for a message this account sent
    /// from another device, the receiver).
    pub chat: String,
    /// Whether `chat` is a group (`@@…` or `…@chatroom`).
    pub is_group: bool,
    /// Whether this account sent it (from the phone or another client): `FromUserName` is the
    /// account or empty, or, in a group, the sender prefix names the account.
    pub outgoing: bool,
    /// In a group, the member who sent it (absent for the account's own and system messages).
    pub group_sender: Option<GroupSender>,
    /// Whether the message @-mentions this account: a text in a group, sent by someone else,
    /// holding `@` and the account's name in the group (its group display name, else its nick
    /// name) followed by U+2005, a space or the end (see [`mentions`]).
    pub mentions_me: bool,
    /// `CreateTime`, seconds since the epoch.
    pub create_time: i64,
    /// The typed content.
    pub content: Content,
    /// The message as the server sent it.
    pub raw: RawMessage,
    /// Whether the official client drops it (see [`Message::is_dropped`]).
    dropped: bool,
}

impl Message {
    /// Types a raw message, within the default [`Limits`]. `me` is the self user; the store
    /// resolves group senders' display names and the account's name in each group for mention
    /// detection.
    pub fn from_raw(raw: RawMessage, me: &Contact, store: &ContactStore) -> Message {
        Message::from_raw_with(raw, me, store, &Limits::default())
    }

    /// [`Message::from_raw`] within `limits`: its XML payload is read within the `max_xml_*`
    /// limits (a payload past one is not read: see [`Content::from_raw_with`]). Work and memory
    /// are linear in the message's size.
    pub fn from_raw_with(
        raw: RawMessage,
        me: &Contact,
        store: &ContactStore,
        limits: &Limits,
    ) -> Message {
        let self_user_name = me.user_name();
        let is_self = |name: &str| !self_user_name.is_empty() && name == self_user_name;
        // The official client: `MMIsSend = FromUserName == self || "" == FromUserName`.
        let mut outgoing = raw.from_user_name.is_empty() || is_self(&raw.from_user_name);
        let chat = if outgoing {
            raw.to_user_name.clone()
        } else {
            raw.from_user_name.clone()
        };
        let is_group = is_group_user_name(&chat);
        let (group_sender, body) = match split_group_content(&raw.content) {
            Some((sender, body)) if is_group && !outgoing => {
                if is_self(sender) {
                    // The account's own message, seen through the group.
                    outgoing = true;
                    (None, body)
                } else {
                    let display_name = store
                        .member_display_name(&chat, sender)
                        .unwrap_or(sender)
                        .to_string();
                    let group_sender = GroupSender {
                        user_name: sender.to_string(),
                        display_name,
                    };
                    (Some(group_sender), body)
                }
            }
            _ => (None, raw.content.as_str()),
        };
        let content = Content::from_raw_with(&raw, body, limits);
        let mentions_me = is_group
            && !outgoing
            && match &content {
                Content::Text(text) => mentions(text, &[&self_name_in(&chat, me, store)]),
                _ => false,
            };
        let dropped = raw.msg_type == 37 && is_self(&raw.recommend_info.user_name);
        Message {
            id: raw.dedup_id(),
            chat,
            is_group,
            outgoing,
            group_sender,
            mentions_me,
            create_time: raw.create_time,
            content,
            raw,
            dropped,
        }
    }

    /// Whether the official client drops this message without showing it: a friend request
    /// (`MsgType` 37) whose `RecommendInfo.UserName` is the account itself (its
    /// `messageProcess` drops these before typing anything). A client should not deliver a
    /// dropped message to the application; it is typed all the same, so a log can show it.
    pub fn is_dropped(&self) -> bool {
        self.dropped
    }
}

/// The account's name in `group`, decoded, as others @-mention it: its group display name, else
/// its nick name as the group lists it, else its own nick name.
fn self_name_in(group: &str, me: &Contact, store: &ContactStore) -> String {
    let member = store.get(group).and_then(|g| g.member(me.user_name()));
    let name = [
        member.map(|m| m.display_name.as_str()),
        member.map(|m| m.nick_name.as_str()),
        Some(me.nick_name()),
    ]
    .into_iter()
    .flatten()
    .find(|n| !n.is_empty())
    .unwrap_or_default();
    decode_text(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(from: &str, to: &str, content: &str) -> RawMessage {
        RawMessage {
            msg_id: "1".into(),
            from_user_name: from.into(),
            to_user_name: to.into(),
            msg_type: 1,
            content: content.into(),
            ..RawMessage::default()
        }
    }

    #[test]
    fn mention_by_nick_when_the_group_member_list_is_unknown() {
        let me = Contact::new("@me", "小明");
        let store = ContactStore::default();
        let m = Message::from_raw(raw("@@g", "@me", "@abc:<br/>@小明 看这里"), &me, &store);
        assert!(m.mentions_me && m.is_group);
        assert_eq!(
            m.group_sender.as_ref().map(|s| s.display_name.as_str()),
            Some("@abc")
        );
        let m = Message::from_raw(raw("@@g", "@me", "@abc:<br/>@小明明 看这里"), &me, &store);
        assert!(!m.mentions_me);
        let own = Message::from_raw(raw("@me", "@@g", "@小明 self"), &me, &store);
        assert!(own.outgoing && !own.mentions_me && own.group_sender.is_none());
        assert_eq!(own.chat, "@@g");
    }
}
