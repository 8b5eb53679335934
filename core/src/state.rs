//! The client's states, explicit and inspectable through [`Client::state`](crate::Client::state).

use crate::Error;

/// Where the client is. See the state graph in the crate docs.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum State {
    /// Created; [`Client::start`](crate::Client::start) not called yet.
    Idle,
    /// Fetching a login uuid (`jslogin`).
    FetchingUuid,
    /// Long-polling the login endpoint; the QR code is shown.
    WaitingForScan {
        /// The login uuid.
        uuid: String,
    },
    /// Scanned; waiting for the user to confirm on the phone.
    WaitingForConfirm {
        /// The login uuid.
        uuid: String,
    },
    /// Confirmed; fetching the credentials (`webwxnewloginpage`).
    FetchingTicket,
    /// Fetching the self user, recent chats and SyncKey (`webwxinit`).
    Initializing,
    /// Telling the phone about this client (`webwxstatusnotify`, Code 3).
    NotifyingStatus,
    /// Paging through the contact list (`webwxgetcontact`).
    LoadingContacts {
        /// Pages fetched so far.
        pages: u32,
    },
    /// Fetching the members of every group (`webwxbatchgetcontact`, 50 groups a request).
    LoadingGroupMembers {
        /// Batches done.
        done: usize,
        /// Batches in all.
        total: usize,
    },
    /// Logged in, contacts loaded.
    Ready,
    /// Failed for good.
    Failed(Error),
}

impl State {
    /// Whether the client has ended (no more requests will be emitted).
    pub fn is_terminal(&self) -> bool {
        matches!(self, State::Failed(_))
    }
}
