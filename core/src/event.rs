//! What the client tells the application.

use crate::{Contact, ContactCounts, Endpoint, Error, Failure, LogoutReason, Message};
use std::time::Duration;

/// The QR payload prefix: the phone scans `https://login.weixin.qq.com/l/<uuid>`.
pub const QR_PAYLOAD_PREFIX: &str = "https://login.weixin.qq.com/l/";

/// The handle of a queued send; its outcome arrives as [`Event::Sent`] or [`Event::SendFailed`].
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SendHandle(pub(crate) u64);

impl SendHandle {
    /// The handle as a number (unique within one session).
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// Something the application should know, from [`Client::poll_event`](crate::Client::poll_event).
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Event {
    /// A QR code to show. Render `payload` (a terminal or PNG QR code), or fetch the ready PNG at
    /// `image_url`. A new one follows each expiry or cancel.
    QrCode {
        /// The login uuid.
        uuid: String,
        /// What the QR code must encode: `https://login.weixin.qq.com/l/<uuid>`.
        payload: String,
        /// A PNG of the QR code on the login host.
        image_url: String,
    },
    /// A saved session answered the probe: it is live again, from the saved SyncKey.
    Resumed {
        /// The account's uin.
        uin: u64,
    },
    /// The saved session was over; the phone was asked to confirm a new login (no QR scan).
    PushLoginSent {
        /// The login uuid of the push login.
        uuid: String,
    },
    /// The phone scanned the code and waits for the user to confirm.
    Scanned {
        /// The scanner's avatar as a `data:` URL, when the server sent it.
        avatar: Option<String>,
    },
    /// The user cancelled on the phone (202); a new QR code follows.
    LoginCancelled,
    /// The QR code expired (400, 500 or 0); a new QR code follows.
    QrExpired {
        /// The server's code.
        code: i64,
    },
    /// The phone confirmed; the client fetches its credentials.
    Confirmed,
    /// The credentials arrived: the account `uin` is logged in; set-up follows.
    LoggedIn {
        /// The account's uin.
        uin: u64,
    },
    /// A page of contacts was loaded.
    ContactsProgress {
        /// Contacts in the store so far.
        contacts: usize,
        /// Pages fetched so far.
        pages: u32,
    },
    /// The session is set up: the self user and the contact counts.
    Ready {
        /// The self user.
        user: Box<Contact>,
        /// How many contacts of each kind were loaded.
        counts: ContactCounts,
    },
    /// A new message (each message id is delivered once).
    Message(Box<Message>),
    /// A contact was added or changed (`ModContactList`).
    ContactChanged(Box<Contact>),
    /// A contact was removed (`DelContactList`).
    ContactRemoved {
        /// Its user name.
        user_name: String,
    },
    /// A group's members changed (`ModChatRoomMemberList`); the store holds the new list.
    GroupMembersChanged {
        /// The group's user name.
        group: String,
    },
    /// The self user changed (`Profile`).
    ProfileChanged(Box<Contact>),
    /// A message queued with [`Client::send_text`](crate::Client::send_text) (or a file, or a
    /// forward) was accepted. `to`, `msg_id` and `local_id` are what
    /// [`Client::revoke`](crate::Client::revoke) needs to take it back, also after a restart.
    Sent {
        /// The handle `send_text` returned.
        handle: SendHandle,
        /// The server's message id (`MsgID`).
        msg_id: String,
        /// The client's id of the message (`LocalID` = `ClientMsgId`).
        local_id: String,
        /// The receiver.
        to: String,
    },
    /// The latest articles of the official accounts the account follows (`MPSubscribeMsgList`
    /// of webwxinit; later pushes arrive as messages with [`Content::Articles`](crate::Content)).
    Subscriptions(Vec<crate::MpSubscription>),
    /// An operation (revoke, friend request, remark, pin, group change, search) succeeded.
    Done {
        /// The handle the operation's method returned.
        handle: SendHandle,
        /// What it did.
        outcome: crate::Outcome,
    },
    /// A queued message could not be sent; the session goes on (unless it ended).
    SendFailed {
        /// The handle `send_text` returned.
        handle: SendHandle,
        /// Why.
        error: Error,
    },
    /// A file being sent moved on: `sent` of its `total` bytes are uploaded (reported after
    /// each chunk the server accepted; `sent == total` once the upload is done, also when the
    /// server already had the file).
    UploadProgress {
        /// The handle `send_file` returned.
        handle: SendHandle,
        /// Bytes the server has.
        sent: u64,
        /// The file's size.
        total: u64,
    },
    /// The session ended; no more requests will be emitted.
    LoggedOut {
        /// Why.
        reason: LogoutReason,
    },
    /// A call failed transiently and will be tried again after `delay`.
    Retrying {
        /// The call.
        endpoint: Endpoint,
        /// Failed tries in a row so far.
        attempt: u32,
        /// The wait before the next try.
        delay: Duration,
        /// Why.
        cause: Failure,
    },
    /// The message loop of a ready session has failed
    /// [`RetryPolicy::offline_after`](crate::RetryPolicy::offline_after) times in a row (no
    /// network, the server unreachable): the session is kept and the loop goes on retrying at the
    /// capped backoff, without limit; [`Event::Online`] follows when it gets through. Sends
    /// queued meanwhile wait (each fails alone after its own retry budget).
    Offline {
        /// The last failure.
        cause: Failure,
    },
    /// The message loop got through again after [`Event::Offline`].
    Online,
    /// The login or session failed for good; no more requests will be emitted.
    Failed(Error),
}
