//! Commands as values, each with its own reply type, for transports that carry them across
//! threads or tasks to the one place the [`Client`] is driven, and the error such a driver
//! reports.

use crate::{Client, SendHandle, Timestamp, UsageError};

/// A command from the application, applied with [`Client::apply`]: its reply is typed, so a
/// driver never has to guess what a command answered.
pub trait Command {
    /// What the command answers.
    type Reply;

    /// Applies the command to `client` at `now`.
    fn apply(self, client: &mut Client, now: Timestamp) -> Result<Self::Reply, UsageError>;
}

/// [`Client::send_text`]: answers the handle of the queued send.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SendText {
    /// The receiver's user name.
    pub to: String,
    /// The text.
    pub text: String,
}

impl Command for SendText {
    type Reply = SendHandle;

    fn apply(self, client: &mut Client, now: Timestamp) -> Result<SendHandle, UsageError> {
        client.send_text(&self.to, &self.text, now)
    }
}

/// [`Client::forward`]: answers the handle of the queued forward.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Forward {
    /// The received message to forward.
    pub message: crate::Message,
    /// The receiver's user name.
    pub to: String,
}

impl Command for Forward {
    type Reply = SendHandle;

    fn apply(self, client: &mut Client, now: Timestamp) -> Result<SendHandle, UsageError> {
        client.forward(&self.message, &self.to, now)
    }
}

/// [`Client::mark_read`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MarkRead {
    /// The chat's user name.
    pub chat: String,
}

impl Command for MarkRead {
    type Reply = ();

    fn apply(self, client: &mut Client, now: Timestamp) -> Result<(), UsageError> {
        client.mark_read(&self.chat, now)
    }
}

/// [`Client::logout`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Logout;

impl Command for Logout {
    type Reply = ();

    fn apply(self, client: &mut Client, now: Timestamp) -> Result<(), UsageError> {
        client.logout(now)
    }
}

/// A command given to a session driven by a transport could not be carried out (the error of
/// `webwx-ureq`'s and `webwx-hyper`'s session handles).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The core refused it (for example a send before login, or after the session ended).
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The session's driver has stopped.
    #[error("the session has stopped")]
    Stopped,
}

/// A file could not be queued for sending by a session's handle (`send_image`, `send_file`, …
/// of `webwx-ureq` and `webwx-hyper`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendFileError {
    /// The file could not be opened or its size read.
    #[error("{path}: {message}")]
    Io {
        /// The file's path.
        path: String,
        /// What kind of I/O error.
        kind: std::io::ErrorKind,
        /// The error's text.
        message: String,
    },
    /// The file's extension makes it another kind of message than the one asked for (the
    /// official client decides by extension: see [`SendKind::of_name`](crate::SendKind::of_name)).
    #[error("{name} is sent as {actual} by its extension, not as {wanted}")]
    WrongKind {
        /// The file's name.
        name: String,
        /// What was asked for.
        wanted: crate::SendKind,
        /// What its extension makes it.
        actual: crate::SendKind,
    },
    /// The session refused it.
    #[error(transparent)]
    Session(#[from] SessionError),
}

impl SendFileError {
    /// `Ok` when the file at `path` is sent as `wanted` by its extension, else
    /// [`SendFileError::WrongKind`] (for `send_image`, `send_video`, ... of the transports).
    pub fn check_kind(
        path: &std::path::Path,
        wanted: crate::SendKind,
    ) -> Result<(), SendFileError> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let actual = crate::SendKind::of_name(&name);
        if actual == wanted {
            Ok(())
        } else {
            Err(SendFileError::WrongKind {
                name: name.into_owned(),
                wanted,
                actual,
            })
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path, error: &std::io::Error) -> SendFileError {
        SendFileError::Io {
            path: path.display().to_string(),
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}
