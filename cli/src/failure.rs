//! Errors a person can act on, and the exit codes.

use crate::sanitize;
use std::fmt::Display;
use webwx_core::{Endpoint, Error, Failure, TransportErrorKind};

/// The exit codes of `webwx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Not a failure: standard output was closed by its reader (`webwx listen | head`), so the
    /// command stopped early and quietly.
    OutputClosed = 0,
    /// Something else failed.
    Failure = 1,
    /// The command line was wrong (clap's code), or names a file that cannot be sent.
    Usage = 2,
    /// The server refused the login (1203 and the like).
    LoginRefused = 3,
    /// There is no live session: run `webwx login`.
    SessionExpired = 4,
    /// No contact has that name.
    UnknownContact = 5,
    /// A server could not be reached.
    Unreachable = 6,
}

/// A failure with its exit code and a message that says what to do.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) code: Exit,
    pub(crate) message: String,
}

impl CliError {
    pub(crate) fn new(code: Exit, message: impl Display) -> CliError {
        CliError {
            code,
            message: message.to_string(),
        }
    }

    pub(crate) fn expired() -> CliError {
        CliError::new(
            Exit::SessionExpired,
            "the session has expired or was logged out: run `webwx login`",
        )
    }

    /// Standard output could not be written: a reader that has gone (broken pipe) is a quiet
    /// stop, anything else a failure.
    pub(crate) fn output(error: std::io::Error) -> CliError {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::new(Exit::OutputClosed, "standard output was closed")
        } else {
            CliError::new(
                Exit::Failure,
                format!("cannot write to standard output: {error}"),
            )
        }
    }

    /// What a terminal core error means to a person. `host` names the host of `endpoint`.
    /// Text the server sent (an error message) is made safe to show.
    pub(crate) fn from_core(error: &Error, host: impl Fn(Endpoint) -> String) -> CliError {
        let safe = |shown: &dyn Display| sanitize::for_terminal(&shown.to_string());
        match error {
            Error::LoginRefused { code, message } => CliError::new(
                Exit::LoginRefused,
                format!(
                    "the server refused the login ({code}): {}\n\
                     Web login is blocked for this account. You can try `webwx login --desktop` \
                     (desktop mode; accounts using it have reported warnings and temporary bans), \
                     or use WeChat for Windows or Mac.",
                    safe(message)
                ),
            ),
            Error::SessionEnded { .. } => CliError::expired(),
            Error::RetriesExhausted { endpoint, last, .. } => match last {
                Failure::Transport(
                    TransportErrorKind::Connect
                    | TransportErrorKind::Timeout
                    | TransportErrorKind::Tls,
                ) => CliError::new(
                    Exit::Unreachable,
                    format!(
                        "could not reach {} ({}); check the network and try again",
                        safe(&host(*endpoint)),
                        safe(last)
                    ),
                ),
                _ => CliError::new(Exit::Failure, safe(error)),
            },
            other => CliError::new(Exit::Failure, safe(other)),
        }
    }
}
