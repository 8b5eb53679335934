//! What a session's events mean for the account: the events to store (and show), the account's
//! new state, the outcome of actions.

use crate::db::{NewEvent, Progress};
use crate::state::AccountState;
use serde_json::{Value, json};
use webwx_core::message::decode_text;
use webwx_core::{Contact, Event, Message, Outcome, SendHandle};

/// How an action ended, as a session reported it.
#[derive(Debug)]
pub(crate) enum ActionEnd {
    /// It was done; what it did.
    Done(Value),
    /// It failed; why.
    Failed(String),
}

/// The effect of one batch of events.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// The events to store.
    pub(crate) events: Vec<NewEvent>,
    /// The account's changes.
    pub(crate) progress: Progress,
    /// Ends of actions, by the handle the session gave them.
    pub(crate) ends: Vec<(SendHandle, ActionEnd)>,
    /// The session is over.
    pub(crate) ended: bool,
    /// Messages received (for the metrics).
    pub(crate) received: u64,
    /// Messages sent (for the metrics).
    pub(crate) sent: u64,
    /// Retries (for the metrics).
    pub(crate) retries: u64,
}

impl Batch {
    fn event(&mut self, kind: &'static str, dedup: Option<String>, data: Value, deliver: bool) {
        self.events.push(NewEvent {
            kind,
            dedup,
            data: data.to_string(),
            deliver,
        });
    }

    /// Takes in one event; `actions` names the action of each handle.
    pub(crate) fn add(
        &mut self,
        event: Event,
        action_of: impl Fn(SendHandle) -> Option<String>,
        deliver: bool,
    ) {
        match event {
            Event::QrCode { payload, .. } => {
                self.progress.state = Some(AccountState::Login);
                self.progress.qr_payload = Some(Some(payload.clone()));
                self.event("qr", None, json!({ "payload": payload }), deliver);
            }
            Event::Scanned { .. } => self.event("scanned", None, json!({}), deliver),
            Event::PushLoginSent { .. } => self.event("push_login_sent", None, json!({}), deliver),
            Event::LoginCancelled => self.event("login_cancelled", None, json!({}), deliver),
            Event::LoggedIn { uin } => {
                self.progress.uin = Some(uin.to_string());
                self.progress.qr_payload = Some(None);
                self.event(
                    "logged_in",
                    None,
                    json!({ "uin": uin.to_string() }),
                    deliver,
                );
            }
            Event::Resumed { uin } => {
                self.progress.state = Some(AccountState::Online);
                self.progress.uin = Some(uin.to_string());
                self.event("resumed", None, json!({ "uin": uin.to_string() }), deliver);
            }
            Event::Ready { user, counts } => {
                self.progress.state = Some(AccountState::Online);
                self.progress.qr_payload = Some(None);
                self.progress.nick_name = Some(decode_text(user.nick_name()));
                self.event(
                    "ready",
                    None,
                    json!({ "user": contact_json(&user), "counts": counts }),
                    deliver,
                );
            }
            Event::Message(m) => {
                if !m.outgoing {
                    self.received += 1;
                }
                let key = format!("msg:{}", m.id);
                self.event("message", Some(key), message_json(&m), deliver);
            }
            Event::ContactChanged(c) => {
                self.event("contact_changed", None, contact_json(&c), deliver)
            }
            Event::ContactRemoved { user_name } => self.event(
                "contact_removed",
                None,
                json!({ "user_name": user_name }),
                deliver,
            ),
            Event::GroupMembersChanged { group } => self.event(
                "group_members_changed",
                None,
                json!({ "group": group }),
                deliver,
            ),
            Event::ProfileChanged(c) => {
                self.progress.nick_name = Some(decode_text(c.nick_name()));
                self.event("profile_changed", None, contact_json(&c), deliver)
            }
            Event::Sent {
                handle,
                msg_id,
                local_id,
                to,
            } => {
                self.sent += 1;
                let action = action_of(handle);
                let result = json!({ "msg_id": msg_id, "local_id": local_id, "to": to });
                self.event(
                    "sent",
                    Some(format!("sent:{local_id}:{to}")),
                    json!({ "action": action, "msg_id": msg_id, "local_id": local_id, "to": to }),
                    deliver,
                );
                self.ends.push((handle, ActionEnd::Done(result)));
            }
            Event::SendFailed { handle, error } => {
                let action = action_of(handle);
                self.event(
                    "action_failed",
                    None,
                    json!({ "action": action, "error": error.to_string() }),
                    deliver,
                );
                self.ends
                    .push((handle, ActionEnd::Failed(error.to_string())));
            }
            Event::Done { handle, outcome } => {
                let action = action_of(handle);
                let result = outcome_json(&outcome);
                self.event(
                    "action_done",
                    None,
                    json!({ "action": action, "outcome": result }),
                    deliver,
                );
                self.ends.push((handle, ActionEnd::Done(result)));
            }
            Event::LoggedOut { reason } => {
                self.progress.state = Some(AccountState::LoggedOut);
                self.progress.last_error = Some(format!("logged out: {reason:?}"));
                self.progress.qr_payload = Some(None);
                self.progress.release = true;
                self.ended = true;
                self.event("logged_out", None, json!({ "reason": reason }), deliver);
            }
            Event::Failed(error) => {
                self.progress.state = Some(AccountState::LoggedOut);
                self.progress.last_error = Some(error.to_string());
                self.progress.qr_payload = Some(None);
                self.progress.release = true;
                self.ended = true;
                self.event(
                    "failed",
                    None,
                    json!({ "error": error.to_string() }),
                    deliver,
                );
            }
            Event::Offline { cause } => {
                self.progress.state = Some(AccountState::Offline);
                self.event(
                    "offline",
                    None,
                    json!({ "cause": cause.to_string() }),
                    deliver,
                );
            }
            Event::Online => {
                self.progress.state = Some(AccountState::Online);
                self.event("online", None, json!({}), deliver);
            }
            Event::Retrying { .. } => self.retries += 1,
            // Progress reports and the rest: nothing to keep.
            _ => {}
        }
    }
}

/// A message for the API: `{id, chat, is_group, outgoing, sender, sender_name, mentions_me,
/// time, msg_type, kind, text, content}`.
pub(crate) fn message_json(m: &Message) -> Value {
    let mut value = json!({
        "id": m.id,
        "chat": m.chat,
        "is_group": m.is_group,
        "outgoing": m.outgoing,
        "sender": m.group_sender.as_ref().map(|s| s.user_name.clone()),
        "sender_name": m.group_sender.as_ref().map(|s| decode_text(&s.display_name)),
        "mentions_me": m.mentions_me,
        "time": m.create_time,
        "msg_type": m.raw.msg_type,
        "kind": m.content.kind(),
        "text": m.content.text(),
    });
    if let (Some(media), Some(map)) = (m.media(), value.as_object_mut()) {
        map.insert(
            "media".into(),
            serde_json::to_value(media).unwrap_or(Value::Null),
        );
    }
    value
}

/// A contact for the API (no avatar URL: it carries the session's skey).
pub(crate) fn contact_json(c: &Contact) -> Value {
    json!({
        "user_name": c.user_name(),
        "nick_name": decode_text(c.nick_name()),
        "remark_name": decode_text(c.remark_name()),
        "display_name": decode_text(c.display()),
        "kind": format!("{:?}", c.kind()).to_lowercase(),
        "is_group": c.is_group(),
        "member_count": c.member_count(),
        "muted": c.is_muted(),
        "pinned": c.is_pinned(),
    })
}

/// What an operation did, for the API.
pub(crate) fn outcome_json(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Revoked { msg_id } => json!({ "revoked": msg_id }),
        Outcome::FriendAccepted { user_name } => json!({ "friend_accepted": user_name }),
        Outcome::FriendRequested { user_name } => json!({ "friend_requested": user_name }),
        Outcome::RemarkSet { user_name, remark } => {
            json!({ "remark_set": { "user_name": user_name, "remark": remark } })
        }
        Outcome::Pinned { user_name, pinned } => {
            json!({ "pinned": { "user_name": user_name, "pinned": pinned } })
        }
        Outcome::GroupCreated { group, topic_set } => {
            json!({ "group_created": { "group": group, "topic_set": topic_set } })
        }
        Outcome::MembersAdded {
            group,
            members,
            invited,
        } => json!({ "members_added": { "group": group, "members": members, "invited": invited } }),
        Outcome::MembersRemoved { group, members } => {
            json!({ "members_removed": { "group": group, "members": members } })
        }
        Outcome::GroupRenamed { group, topic } => {
            json!({ "group_renamed": { "group": group, "topic": topic } })
        }
        Outcome::GroupQuit { group } => json!({ "group_quit": group }),
        Outcome::Found(list) => {
            json!({ "found": list.iter().map(contact_json).collect::<Vec<_>>() })
        }
        other => json!({ "other": format!("{other:?}") }),
    }
}
