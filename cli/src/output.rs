//! How events and messages are shown: one line for a person, or one JSON object for a program.

use crate::failure::CliError;
use crate::sanitize;
use serde_json::{Value, json};
use std::borrow::Cow;
use webwx_core::message::decode_text;
use webwx_core::{Contact, ContactStore, Content, Event, Message, SavedSession};
use webwx_hyper::SessionHandle;

/// Display names, from the session's contact store (a copy, or the store itself for a moment)
/// and self user.
#[derive(Default)]
pub(crate) struct Names<'a>(pub(crate) Cow<'a, ContactStore>, String);

impl<'a> Names<'a> {
    /// The names of a saved session (with its contacts), borrowed from it.
    pub(crate) fn of_saved(saved: &'a SavedSession) -> Names<'a> {
        Names(
            Cow::Borrowed(saved.contacts()),
            saved.user().user_name().to_string(),
        )
    }
}

impl Names<'static> {
    /// The names of a running session.
    pub(crate) async fn of_running(session: &SessionHandle) -> Result<Names<'static>, CliError> {
        Names::within(session, |names| {
            Names(Cow::Owned(names.0.as_ref().clone()), names.1.clone())
        })
        .await
    }

    /// `f` with the names of a running session, its contacts read in place (not copied; the
    /// session waits meanwhile).
    pub(crate) async fn within<R>(
        session: &SessionHandle,
        f: impl FnOnce(&Names<'_>) -> R,
    ) -> Result<R, CliError> {
        let me = session
            .save()
            .await
            .ok()
            .flatten()
            .map(|saved| saved.user().user_name().to_string())
            .ok_or_else(CliError::expired)?;
        session
            .with_contacts(|contacts| f(&Names(Cow::Borrowed(contacts), me)))
            .await
            .map_err(|_| CliError::expired())
    }
}

impl Names<'_> {
    /// Keeps the copy current with a contact event of `session` (a changed group's members
    /// are read from the session).
    pub(crate) async fn follow(&mut self, event: &Event, session: &SessionHandle) {
        match event {
            Event::ContactChanged(c) => {
                self.0.to_mut().insert(Contact::clone(c));
            }
            Event::ContactRemoved { user_name } => {
                self.0.to_mut().remove(user_name);
            }
            Event::GroupMembersChanged { group } => {
                if let Ok(Some(g)) = session.with_contacts(|c| c.get(group).cloned()).await {
                    self.0.to_mut().insert(g);
                }
            }
            _ => {}
        }
    }

    /// The name to show for a user name (decoded: entities and emoji).
    pub(crate) fn of(&self, user_name: &str) -> String {
        match self.0.get(user_name) {
            Some(c) => decode_text(c.display()),
            None if user_name == self.1 => "me".to_string(),
            None if user_name == webwx_core::FILE_HELPER => "文件传输助手".to_string(),
            None => user_name.to_string(),
        }
    }
}

/// A one-line text for any content.
pub(crate) fn text(content: &Content) -> String {
    match content {
        Content::Voice { duration_ms } => format!("({:.1} s)", *duration_ms as f64 / 1000.0),
        Content::Video { play_length } | Content::ShortVideo { play_length } => {
            format!("({play_length} s)")
        }
        Content::FriendRequest {
            nick_name,
            greeting,
            ..
        } => format!("{nick_name}: {greeting}"),
        Content::Card { nick_name, .. } => nick_name.clone(),
        Content::Emoticon { md5, .. } => md5.clone(),
        Content::App(app) if !app.url.is_empty() => format!("{} <{}>", app.title, app.url),
        Content::Articles(list) => list
            .iter()
            .map(|a| format!("{} <{}>", a.title, a.url))
            .collect::<Vec<_>>()
            .join(" | "),
        Content::StatusNotify { code, user_names } => {
            format!("code {code}, {} chats", user_names.len())
        }
        other => other.text().unwrap_or_default().replace('\n', " ⏎ "),
    }
}

/// A message for a person: `[kind] sender (in group): text`, one line, safe to print (see
/// [`sanitize::for_terminal`]).
pub(crate) fn human(m: &Message, names: &Names) -> String {
    let sender = match (&m.group_sender, m.outgoing) {
        (_, true) => "me".to_string(),
        (Some(s), _) => decode_text(&s.display_name),
        (None, false) => names.of(&m.chat),
    };
    let place = if m.is_group {
        format!(" in {}", names.of(&m.chat))
    } else {
        String::new()
    };
    let to = if m.outgoing && !m.is_group {
        format!(" to {}", names.of(&m.chat))
    } else {
        String::new()
    };
    let mention = if m.mentions_me { " (@me)" } else { "" };
    sanitize::for_terminal(&format!(
        "[{}] {sender}{to}{place}{mention}: {}",
        m.content.kind(),
        text(&m.content)
    ))
}

/// A note for a person about the connection (`None` for other events), safe to print: the
/// session keeps trying while offline, so a person at a terminal should know why nothing comes.
pub(crate) fn connection_note(e: &Event) -> Option<String> {
    match e {
        Event::Offline { cause } => Some(sanitize::for_terminal(&format!(
            "offline ({cause}); still trying"
        ))),
        Event::Online => Some("back online".to_string()),
        _ => None,
    }
}

/// A message for a program (print it with [`sanitize::json_line`]).
pub(crate) fn message_json(m: &Message, names: &Names) -> Value {
    let mut line = json!({
        "event": "message",
        "id": m.id,
        "chat": m.chat,
        "chat_name": names.of(&m.chat),
        "group": m.is_group,
        "sender": m.group_sender.as_ref().map(|s| s.user_name.clone()),
        "sender_name": m.group_sender.as_ref().map(|s| decode_text(&s.display_name)),
        "outgoing": m.outgoing,
        "mentions_me": m.mentions_me,
        "msg_type": m.raw.msg_type,
        "kind": m.content.kind(),
        "text": text(&m.content),
        "time": m.create_time,
    });
    // What `webwx download` needs to fetch it later in the session.
    if let (Some(media), Some(map)) = (m.media(), line.as_object_mut()) {
        map.insert(
            "media".into(),
            serde_json::to_value(media).unwrap_or(Value::Null),
        );
    }
    line
}

/// Any event for a program (`None` for the ones a listener does not need; print it with
/// [`sanitize::json_line`]).
pub(crate) fn event_json(e: &Event, names: &Names) -> Option<Value> {
    Some(match e {
        Event::Message(m) => message_json(m, names),
        Event::Ready { user, counts } => {
            json!({"event": "ready", "user": user.user_name(), "nick_name": decode_text(user.nick_name()),
            "friends": counts.friends, "groups": counts.groups, "officials": counts.officials})
        }
        Event::Resumed { uin } => json!({"event": "resumed", "uin": uin}),
        Event::ContactChanged(c) => {
            json!({"event": "contact_changed", "user_name": c.user_name(), "name": decode_text(c.display())})
        }
        Event::ContactRemoved { user_name } => {
            json!({"event": "contact_removed", "user_name": user_name})
        }
        Event::GroupMembersChanged { group } => {
            json!({"event": "group_members_changed", "group": group})
        }
        Event::Sent { handle, msg_id, .. } => {
            json!({"event": "sent", "handle": handle.as_u64(), "msg_id": msg_id})
        }
        Event::SendFailed { handle, error } => {
            json!({"event": "send_failed", "handle": handle.as_u64(), "error": error.to_string()})
        }
        Event::LoggedOut { reason } => json!({"event": "logged_out", "reason": reason.to_string()}),
        Event::Retrying {
            endpoint,
            attempt,
            delay,
            cause,
        } => json!({"event": "retrying", "endpoint": endpoint.name(),
            "attempt": attempt, "delay_ms": delay.as_millis() as u64, "cause": cause.to_string()}),
        Event::Offline { cause } => json!({"event": "offline", "cause": cause.to_string()}),
        Event::Online => json!({"event": "online"}),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use webwx_core::Contact;
    use webwx_core::model::RawMessage;

    fn message(from: &str, content: &str) -> Message {
        let raw: RawMessage = serde_json::from_value(json!({
            "MsgId": "1", "FromUserName": from, "ToUserName": "@me", "MsgType": 1,
            "Content": content, "CreateTime": 1,
        }))
        .unwrap();
        let me = Contact::new("@me", "");
        Message::from_raw(raw, &me, &ContactStore::default())
    }

    #[test]
    fn a_human_line_runs_nothing_in_the_terminal() {
        // As the server sends it: entities, decoded to ESC, BEL and an override before printing.
        let m = message(
            "@stranger\u{1b}]0;title\u{7}",
            "&#27;[2J&#27;[31mpay&#7; now<br/>[text] boss: &#x202E;gnp.exe",
        );
        let line = human(&m, &Names::default());
        assert!(!line.chars().any(char::is_control), "{line:?}");
        assert!(!line.contains('\u{202E}'), "{line:?}");
        assert_eq!(
            line,
            "[text] @stranger␛]0;title␇: ␛[2J␛[31mpay␇ now ⏎ [text] boss: gnp.exe"
        );
    }

    #[test]
    fn going_offline_and_online_is_told() {
        let offline = Event::Offline {
            cause: webwx_core::Failure::Server {
                code: 1205,
                message: "slow down\u{1b}[2J".into(),
            },
        };
        assert_eq!(
            connection_note(&offline).unwrap(),
            "offline (server code 1205: slow down␛[2J); still trying"
        );
        assert_eq!(connection_note(&Event::Online).unwrap(), "back online");
        assert_eq!(connection_note(&Event::LoginCancelled), None);
        let names = Names::default();
        assert_eq!(
            event_json(&offline, &names).unwrap(),
            json!({"event": "offline", "cause": "server code 1205: slow down\u{1b}[2J"})
        );
        assert_eq!(
            event_json(&Event::Online, &names).unwrap(),
            json!({"event": "online"})
        );
    }

    #[test]
    fn the_same_message_as_json_keeps_the_text_and_carries_no_raw_control() {
        let m = message("@stranger", "a&#27;[31m&#x9B;b&#x202E;c");
        let value = message_json(&m, &Names::default());
        assert_eq!(value["text"], "a\u{1b}[31m\u{9B}b\u{202E}c");
        let line = sanitize::json_line(&value);
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{202E}'),
            "{line:?}"
        );
        let back: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back, value);
    }
}
