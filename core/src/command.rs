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
