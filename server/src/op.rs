//! The actions an API client can ask of an account, as recorded in the action queue and made by
//! the node holding the account.

use serde::{Deserialize, Serialize};

/// An action (the JSON of `POST /v1/accounts/{id}/operations`, tagged by `op`).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Op {
    /// A text message (through `POST /v1/accounts/{id}/messages`).
    Text {
        /// The receiver's user name (`@…`, `@@…` for a group, or `filehelper`).
        to: String,
        /// The text.
        text: String,
    },
    /// A file, image, video or sticker (through `POST /v1/accounts/{id}/files`); what it is
    /// sent as follows from the name's extension.
    File {
        /// The receiver's user name.
        to: String,
        /// The file's name.
        name: String,
    },
    /// Log the account out (through `POST /v1/accounts/{id}/logout`).
    Logout,
    /// Mark a chat read on the phone.
    MarkRead {
        /// The chat's user name.
        chat: String,
    },
    /// Set a contact's remark name.
    Remark {
        /// The contact's user name.
        user_name: String,
        /// The new remark (empty clears it).
        remark: String,
    },
    /// Pin a chat to the top, or unpin it.
    Pin {
        /// The chat's user name.
        user_name: String,
        /// Pin (`true`) or unpin.
        pinned: bool,
    },
    /// Create a group.
    CreateGroup {
        /// The members' user names (at least two).
        members: Vec<String>,
        /// Its name (may be empty).
        topic: String,
    },
    /// Add members to a group.
    AddMembers {
        /// The group's user name.
        group: String,
        /// The members' user names.
        members: Vec<String>,
    },
    /// Remove members from a group this account owns.
    RemoveMembers {
        /// The group's user name.
        group: String,
        /// The members' user names.
        members: Vec<String>,
    },
    /// Rename a group.
    RenameGroup {
        /// The group's user name.
        group: String,
        /// The new name.
        topic: String,
    },
    /// Leave a group.
    QuitGroup {
        /// The group's user name.
        group: String,
    },
    /// Take back a message this account sent (within two minutes).
    Revoke {
        /// The chat it went to.
        to: String,
        /// Its `msg_id` (from the send's action or its `sent` event).
        msg_id: String,
        /// Its `local_id`.
        local_id: String,
    },
    /// Accept a friend request (from a `message` event of kind `friend-request`).
    AcceptFriend {
        /// The requester's user name.
        user_name: String,
        /// The request's ticket.
        ticket: String,
    },
    /// Ask someone to be a friend.
    RequestFriend {
        /// Their user name.
        user_name: String,
        /// The greeting.
        greeting: String,
    },
    /// Search contacts on the server.
    Search {
        /// What to look for.
        keyword: String,
    },
}

impl Op {
    /// Its name in the action queue.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Op::Text { .. } => "text",
            Op::File { .. } => "file",
            Op::Logout => "logout",
            Op::MarkRead { .. } => "mark_read",
            Op::Remark { .. } => "remark",
            Op::Pin { .. } => "pin",
            Op::CreateGroup { .. } => "create_group",
            Op::AddMembers { .. } => "add_members",
            Op::RemoveMembers { .. } => "remove_members",
            Op::RenameGroup { .. } => "rename_group",
            Op::QuitGroup { .. } => "quit_group",
            Op::Revoke { .. } => "revoke",
            Op::AcceptFriend { .. } => "accept_friend",
            Op::RequestFriend { .. } => "request_friend",
            Op::Search { .. } => "search",
        }
    }

    /// Refuses what no session could make: empty names, too many members, oversized text.
    pub(crate) fn check(&self) -> Result<(), String> {
        const MAX_NAME: usize = 256;
        const MAX_MEMBERS: usize = 500;
        let name = |what: &str, s: &str| {
            if s.is_empty() || s.len() > MAX_NAME {
                Err(format!("`{what}` must be 1 to {MAX_NAME} bytes"))
            } else {
                Ok(())
            }
        };
        let members = |list: &[String]| {
            if list.is_empty() || list.len() > MAX_MEMBERS {
                return Err(format!("`members` must list 1 to {MAX_MEMBERS} user names"));
            }
            list.iter().try_for_each(|m| name("members", m))
        };
        let max_text = webwx_core::Limits::default().max_message_bytes;
        match self {
            Op::Text { to, text } => {
                name("to", to)?;
                if text.is_empty() || text.len() > max_text {
                    return Err(format!("`text` must be 1 to {max_text} bytes"));
                }
                Ok(())
            }
            Op::File { to, name: file } => {
                name("to", to)?;
                name("name", file)
            }
            Op::Logout => Ok(()),
            Op::MarkRead { chat } => name("chat", chat),
            Op::Remark { user_name, remark } => {
                name("user_name", user_name)?;
                if remark.len() > MAX_NAME {
                    return Err(format!("`remark` must be at most {MAX_NAME} bytes"));
                }
                Ok(())
            }
            Op::Pin { user_name, .. } => name("user_name", user_name),
            Op::CreateGroup {
                members: list,
                topic,
            } => {
                members(list)?;
                if topic.len() > MAX_NAME {
                    return Err(format!("`topic` must be at most {MAX_NAME} bytes"));
                }
                Ok(())
            }
            Op::AddMembers {
                group,
                members: list,
            }
            | Op::RemoveMembers {
                group,
                members: list,
            } => {
                name("group", group)?;
                members(list)
            }
            Op::RenameGroup { group, topic } => {
                name("group", group)?;
                name("topic", topic)
            }
            Op::QuitGroup { group } => name("group", group),
            Op::Revoke {
                to,
                msg_id,
                local_id,
            } => {
                name("to", to)?;
                name("msg_id", msg_id)?;
                name("local_id", local_id)
            }
            Op::AcceptFriend { user_name, ticket } => {
                name("user_name", user_name)?;
                name("ticket", ticket)
            }
            Op::RequestFriend {
                user_name,
                greeting,
            } => {
                name("user_name", user_name)?;
                if greeting.len() > MAX_NAME {
                    return Err(format!("`greeting` must be at most {MAX_NAME} bytes"));
                }
                Ok(())
            }
            Op::Search { keyword } => name("keyword", keyword),
        }
    }
}
