//! Calls: what the client asks the server, each described once.
//!
//! A call is a small value (the data its request needs, kept for retries) that implements
//! [`Exchange`]: its [`Endpoint`] (whose row in the endpoint table gives path, host, method,
//! timeout and status policy), its request, the type its answer is read into ([`Answer`]), and
//! its handler. The [`Call`] enum and everything that routes by it (endpoint, request, dispatch,
//! failure) are generated from the one list at the bottom of this file, so adding an endpoint is
//! a row in the endpoint table, an answer type, and one `Exchange` impl listed here.
//!
//! The impls live with the phase they belong to: `login.rs` (jslogin, login poll, ticket),
//! `setup.rs` (init, status notify, contacts, group members), `sync.rs` (synccheck, webwxsync),
//! `commands.rs` (send, read mark, logout) and `resume.rs` (push login).

use super::commands::{LogoutCall, MarkReadCall, SendCall};
use super::group_fetch::BatchGetContactCall;
use super::login::{JsLoginCall, LoginPollCall, TicketCall};
use super::ops::OpCall;
use super::resume::PushLoginCall;
use super::setup::{GetContactCall, InitCall, StatReportCall, StatusNotifyCall};
use super::sync::{SyncCall, SyncCheckCall};
use super::upload::{CheckUploadCall, UploadChunkCall};
use super::{Client, Fault};
use crate::credentials::BaseRequest;
use crate::model::{HasBaseResponse, PushLoginAnswer, RetClass};
use crate::parse::{self, QrLogin, SyncCheck, TicketAnswer};
use crate::request::ApiRequest;
use crate::{Endpoint, Error, Failure, Limits, Timestamp};
use std::time::Duration;

/// What a request is stamped with as it is built: the time, and what the official client draws
/// afresh for every request.
pub(super) struct Stamp {
    /// When the request is built.
    pub(super) now: Timestamp,
    /// A fresh DeviceID: the official client makes a new one for every `BaseRequest` and every
    /// synccheck (`getDeviceID`).
    pub(super) device_id: String,
    /// jQuery's `_` on the calls it loads as scripts: the page-load milliseconds plus the number
    /// of such calls made before.
    pub(super) nonce: u64,
    /// When the page was loaded (the first request): webwxinit's `r` is taken from it.
    pub(super) page_loaded_at: Timestamp,
    /// The page's origin (jslogin's `redirect_uri` names it).
    pub(super) page_origin: String,
    /// The random draw of a `FormData` body's boundary (Chrome makes one per request); only
    /// for requests with such a body.
    pub(super) boundary: Option<[u8; 16]>,
}

/// One exchange with the server: a request and what its answer does.
pub(super) trait Exchange: Into<Call> {
    /// The endpoint (its row in the table says where and how the request goes).
    const ENDPOINT: Endpoint;

    /// The endpoint of this call: [`Exchange::ENDPOINT`], unless the call's data decides (a
    /// forward goes where its kind of message goes).
    fn endpoint(&self) -> Endpoint {
        Self::ENDPOINT
    }

    /// What the answer's body is read into before the handler sees it.
    type Answer: Answer;

    /// The request, stamped with `at`. `None` when it needs session state the client does not
    /// have (a bug guard: the state machine never asks for that).
    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest>;

    /// The answer arrived (read, and its server code checked): move the session on.
    /// `sent_at` is when the request went out (long polls are paced from it).
    fn handle(
        &self,
        client: &mut Client,
        answer: Self::Answer,
        sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault>;

    /// The call failed (transport, status, unreadable answer, transient server code): by
    /// default retried after backoff.
    fn failed(self, client: &mut Client, failure: Failure, attempt: u32, now: Timestamp) {
        client.retry(self.into(), attempt, failure, now);
    }

    /// The call used up its retries: by default the client fails with `error`.
    fn give_up(self, client: &mut Client, error: Error, _now: Timestamp) {
        client.fail(error);
    }
}

/// How an answer type is read from a body: parsed under the configured [`Limits`], and its
/// server code mapped by [`check_code`].
pub(super) trait Answer: Sized {
    /// Reads `body`, an answer of `endpoint`.
    fn read(body: &[u8], endpoint: Endpoint, limits: &Limits) -> Result<Self, Fault>;
}

/// Every JSON answer with a `BaseResponse`: parsed, then its `Ret` checked.
impl<T: serde::de::DeserializeOwned + HasBaseResponse> Answer for T {
    fn read(body: &[u8], endpoint: Endpoint, limits: &Limits) -> Result<T, Fault> {
        let answer: T = parse::parse_json_with(body, limits)?;
        let base = answer.base_response();
        check_code(endpoint, base.ret, &base.err_msg)?;
        Ok(answer)
    }
}

impl Answer for QrLogin {
    fn read(body: &[u8], _: Endpoint, _: &Limits) -> Result<Self, Fault> {
        Ok(parse::parse_qr_login(body)?)
    }
}

impl Answer for parse::LoginPoll {
    fn read(body: &[u8], _: Endpoint, _: &Limits) -> Result<Self, Fault> {
        Ok(parse::parse_login_poll(body)?)
    }
}

impl Answer for TicketAnswer {
    fn read(body: &[u8], _: Endpoint, limits: &Limits) -> Result<Self, Fault> {
        Ok(parse::parse_ticket_with(body, limits)?)
    }
}

/// Its `retcode` is the handler's: a session-ending one is answered with a logout.
impl Answer for SyncCheck {
    fn read(body: &[u8], _: Endpoint, _: &Limits) -> Result<Self, Fault> {
        Ok(parse::parse_synccheck(body)?)
    }
}

impl Answer for PushLoginAnswer {
    fn read(body: &[u8], _: Endpoint, limits: &Limits) -> Result<Self, Fault> {
        // Its `ret` is not a session code: a refusal means "fall back to a QR login".
        Ok(parse::parse_json_with(body, limits)?)
    }
}

/// An answer whose body is not read (logout: whatever the server says, the session is over).
pub(super) struct Ignored;

impl Answer for Ignored {
    fn read(_: &[u8], _: Endpoint, _: &Limits) -> Result<Self, Fault> {
        Ok(Ignored)
    }
}

/// The one mapping of a server code (`BaseResponse.Ret`, synccheck's `retcode`) to what the
/// client does: 0 goes on, 1100/1101/1102 end the session, anything else is retried.
pub(super) fn check_code(endpoint: Endpoint, code: i64, message: &str) -> Result<(), Fault> {
    match RetClass::of(code) {
        RetClass::Ok => Ok(()),
        RetClass::SessionEnded => Err(Fault::Fatal(Error::SessionEnded {
            endpoint,
            code,
            message: message.to_string(),
        })),
        RetClass::Transient => Err(Fault::Retry(Failure::Server {
            code,
            message: message.to_string(),
        })),
    }
}

/// `{"BaseRequest": {...}}`: the body of calls that send nothing else.
#[derive(serde::Serialize)]
pub(super) struct BaseBody<'a> {
    #[serde(rename = "BaseRequest")]
    pub(super) base_request: BaseRequest<'a>,
}

/// Generates [`Call`] and its routing from the list of calls.
macro_rules! calls {
    ($($(#[$doc:meta])* $variant:ident($ty:ty),)*) => {
        /// One call: what to send, with everything needed to send it again after a failure.
        #[derive(Clone, PartialEq, Eq, Debug)]
        pub(crate) enum Call {
            $($(#[$doc])* $variant($ty),)*
        }

        $(impl From<$ty> for Call {
            fn from(call: $ty) -> Call {
                Call::$variant(call)
            }
        })*

        impl Call {
            /// The endpoint the call goes to.
            pub(super) fn endpoint(&self) -> Endpoint {
                match self {
                    $(Call::$variant(call) => call.endpoint(),)*
                }
            }

            /// The call's request, stamped with `at`.
            pub(super) fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
                match self {
                    $(Call::$variant(call) => call.request(client, at),)*
                }
            }

            /// Reads `body` as the call's answer and hands it to the call's handler.
            pub(super) fn dispatch(
                &self,
                client: &mut Client,
                body: &[u8],
                sent_at: Timestamp,
                now: Timestamp,
            ) -> Result<(), Fault> {
                match self {
                    $(Call::$variant(call) => {
                        let endpoint = call.endpoint();
                        let answer = <<$ty as Exchange>::Answer as Answer>::read(
                            body,
                            endpoint,
                            &client.config.limits,
                        )?;
                        call.handle(client, answer, sent_at, now)
                    })*
                }
            }

            /// The call failed after `attempt` earlier failures.
            pub(super) fn failed(
                self,
                client: &mut Client,
                failure: Failure,
                attempt: u32,
                now: Timestamp,
            ) {
                match self {
                    $(Call::$variant(call) => call.failed(client, failure, attempt, now),)*
                }
            }

            /// The call used up its retries.
            pub(super) fn give_up(self, client: &mut Client, error: Error, now: Timestamp) {
                match self {
                    $(Call::$variant(call) => call.give_up(client, error, now),)*
                }
            }
        }
    };
}

calls! {
    /// `jslogin`.
    JsLogin(JsLoginCall),
    /// The login long poll.
    LoginPoll(LoginPollCall),
    /// `webwxnewloginpage`.
    Ticket(TicketCall),
    /// `webwxinit`.
    Init(InitCall),
    /// `webwxstatusnotify` Code 3, during set-up.
    StatusNotify(StatusNotifyCall),
    /// One `webwxgetcontact` page.
    GetContact(GetContactCall),
    /// One `webwxbatchgetcontact` batch of groups.
    BatchGetContact(BatchGetContactCall),
    /// `synccheck`.
    SyncCheck(SyncCheckCall),
    /// `webwxsync` (also the probe of a resumed session).
    Sync(SyncCall),
    /// `webwxsendmsg`.
    Send(SendCall),
    /// `webwxstatusnotify` Code 1: a read mark.
    MarkRead(MarkReadCall),
    /// `webwxlogout`.
    Logout(LogoutCall),
    /// `webwxpushloginurl`.
    PushLogin(PushLoginCall),
    /// `webwxstatreport`.
    StatReport(StatReportCall),
    /// `webwxcheckupload`.
    CheckUpload(CheckUploadCall),
    /// One `webwxuploadmedia` chunk.
    UploadChunk(UploadChunkCall),
    /// An operation: revoke, friend request, remark, pin, group change, search.
    Op(OpCall),
}

impl Call {
    /// Whether the call is part of the message loop (synccheck, webwxsync).
    pub(super) fn is_message_loop(&self) -> bool {
        matches!(self, Call::SyncCheck(_) | Call::Sync(_))
    }

    /// The file send this call uploads for, if it is part of an upload.
    pub(super) fn upload_of(&self) -> Option<crate::SendHandle> {
        match self {
            Call::UploadChunk(call) => Some(call.send_handle()),
            Call::CheckUpload(call) => Some(call.send_handle()),
            _ => None,
        }
    }

    /// The send this call makes, if it is one.
    pub(super) fn as_send(&self) -> Option<&super::PendingSend> {
        match self {
            Call::Send(call) => Some(&call.0),
            Call::Op(call) => Some(&call.0),
            _ => None,
        }
    }
}

impl Client {
    /// The timeout a call needs.
    pub(super) fn timeout_of(&self, call: &Call) -> Duration {
        if call.endpoint().is_long_poll() {
            self.config.long_poll_timeout
        } else {
            self.config.request_timeout
        }
    }
}
