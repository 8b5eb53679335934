//! The client's states, explicit and inspectable through [`Client::state`](crate::Client::state).

use crate::Error;

/// Where the client is. See the state graph in the crate docs.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum State {
    /// Created; [`Client::start`](crate::Client::start) not called yet.
    Idle,
    /// Rebuilt from a [`SavedSession`](crate::SavedSession): probing it with a webwxsync from the
    /// saved SyncKey.
    Resuming,
    /// The saved session is over: asking the phone to confirm a new login (`webwxpushloginurl`).
    PushLogin,
    /// Fetching a login uuid (`jslogin`).
    FetchingUuid,
    /// Long-polling the login endpoint; the QR code is shown.
    WaitingForScan {
        /// The login uuid.
        uuid: String,
    },
    /// Scanned (or a push login was sent); waiting for the user to confirm on the phone.
    WaitingForConfirm {
        /// The login uuid.
        uuid: String,
    },
    /// Confirmed; fetching the credentials (`webwxnewloginpage`).
    FetchingTicket,
    /// Fetching the self user, recent chats and SyncKey (`webwxinit`).
    Initializing,
    /// Logged in and initialised; paging through the contact list (`webwxgetcontact`). As on
    /// the official page, the message loop already runs and commands go out.
    LoadingContacts {
        /// Pages fetched so far.
        pages: u32,
    },
    /// The contact pages are in; fetching the recent groups (init's `ChatSet`) with their members
    /// (`webwxbatchgetcontact`, 50 a request). The message loop runs, commands go out.
    LoadingGroupMembers {
        /// Batches done.
        done: usize,
        /// Batches in all.
        total: usize,
    },
    /// Logged in, contacts loaded; the message loop runs (one synccheck long poll in flight,
    /// webwxsync when it says so) and sends go out.
    Ready,
    /// Logging out (`webwxlogout`): [`Client::logout`](crate::Client::logout) was called, or
    /// synccheck said the session is over (the official page then posts the logout form too).
    LoggingOut,
    /// The session ended: logged out on request, on the phone, elsewhere, or invalidated.
    LoggedOut(LogoutReason),
    /// Failed for good.
    Failed(Error),
}

/// Why a session ended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum LogoutReason {
    /// [`Client::logout`](crate::Client::logout) was called.
    Requested,
    /// 1100: logged out on the phone (or the session is gone).
    LoggedOutOnPhone,
    /// 1101: logged in elsewhere, or logged out.
    LoggedInElsewhere,
    /// 1102: the session is invalid (often: wrong host, missing cookies).
    SessionInvalid,
}

impl LogoutReason {
    /// The reason of a session-ending code (1100, 1101, 1102).
    pub const fn from_code(code: i64) -> Option<LogoutReason> {
        match code {
            1100 => Some(LogoutReason::LoggedOutOnPhone),
            1101 => Some(LogoutReason::LoggedInElsewhere),
            1102 => Some(LogoutReason::SessionInvalid),
            _ => None,
        }
    }
}

impl std::fmt::Display for LogoutReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LogoutReason::Requested => "logged out on request",
            LogoutReason::LoggedOutOnPhone => "logged out on the phone (1100)",
            LogoutReason::LoggedInElsewhere => "logged in elsewhere or logged out (1101)",
            LogoutReason::SessionInvalid => "session invalid (1102)",
        })
    }
}

impl State {
    /// Whether the session runs: the message loop polls and commands go out (the set-up may
    /// still be loading contacts).
    pub fn is_logged_in(&self) -> bool {
        matches!(
            self,
            State::LoadingContacts { .. } | State::LoadingGroupMembers { .. } | State::Ready
        )
    }

    /// Whether the client has ended (no more requests will be emitted).
    pub fn is_terminal(&self) -> bool {
        matches!(self, State::Failed(_) | State::LoggedOut(_))
    }
}
