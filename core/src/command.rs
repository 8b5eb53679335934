//! Commands as values, for transports that carry them across threads or tasks to the one place
//! the [`Client`](crate::Client) is driven.

use crate::SendHandle;

/// A command from the application.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Command {
    /// [`Client::send_text`](crate::Client::send_text).
    SendText {
        /// The receiver's user name.
        to: String,
        /// The text.
        text: String,
    },
    /// [`Client::mark_read`](crate::Client::mark_read).
    MarkRead {
        /// The chat's user name.
        chat: String,
    },
    /// [`Client::logout`](crate::Client::logout).
    Logout,
}

/// What a command returned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum CommandOutcome {
    /// A send was queued; its outcome arrives as an event for this handle.
    Queued(SendHandle),
    /// Done (read mark sent, logout started).
    Done,
}
