//! What the client tells the application.

use crate::{ContactCounts, Endpoint, Error, Failure, model::Contact};
use std::time::Duration;

/// The QR payload prefix: the phone scans `https://login.weixin.qq.com/l/<uuid>`.
pub const QR_PAYLOAD_PREFIX: &str = "https://login.weixin.qq.com/l/";

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
    /// The login or session failed for good; no more requests will be emitted.
    Failed(Error),
}
