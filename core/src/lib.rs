//! # webwx-core
//!
//! The sans-IO core of the Web WeChat ("webwx", wx.qq.com) personal-account protocol: the QR
//! login and session set-up as an explicit state machine that emits `http::Request` values and
//! consumes `http::Response` values. It owns the protocol — hosts, cookies, credentials, SyncKey,
//! request building and parsing — and nothing else: no sockets, no clock, no ambient randomness,
//! no async. Transports (`webwx-ureq`, `webwx-hyper`, or your own HTTP stack) execute the
//! requests.
//!
//! **In scope**: QR login (with expiry, cancel and refresh), desktop mode (off by default),
//! the ticket, `webwxinit`, `webwxstatusnotify`, paged contacts, group members, a contact store;
//! the message loop (synccheck long poll, webwxsync, every `MsgType` typed, duplicates dropped);
//! sending text (queued and paced), read marks, logout; saving a session and resuming it (saved
//! session, then push login, then QR; the contacts saved apart, when they change: see
//! [`SavedSession`]); retries with backoff and jitter; media: typed media
//! descriptors, download requests for every kind and variant, forwarding by MediaId, and sending
//! files (images, videos, stickers, file cards) with the official client's chunked upload.
//! **Not yet**: group management, friend requests, revoking, the other endpoints of protocol §7.
//!
//! ## Where things are
//!
//! | file | what it owns |
//! |---|---|
//! | `client/mod.rs` | [`Client`]: getters, `poll_*`, `handle_*`, issuing, retrying, the teardown |
//! | `client/session.rs` | the durable part: what a [`SavedSession`] holds, and the contacts (saved apart) |
//! | `client/scheduler.rs` | requests in flight (with deadlines), scheduled calls, transmits, the clock |
//! | `client/lane.rs` | the serial lane of sends (paced) and of read marks |
//! | `client/feed.rs` | the events waiting for the application; what a save must know of them |
//! | `client/calls.rs` | `Exchange` (request + answer type + handler of one call), `Answer` (how a body is read, `Ret` checked), the generated `Call` enum |
//! | `client/login.rs` | the calls jslogin → login poll → ticket |
//! | `client/setup.rs` | the calls webwxinit → statusnotify → contact pages → group batches → ready |
//! | `client/sync.rs` | the message loop: the synccheck and webwxsync calls, pacing, applying an answer |
//! | `client/commands.rs` | send, mark read, logout (commands and their calls), the end of a session |
//! | `client/resume.rs` | save, resume, the probe, the push-login call |
//! | `client/media.rs`, `client/forward.rs` | download requests; forwarding a received message |
//! | `client/upload.rs` | sending a file: MD5 pass, checkupload, chunked upload, the send (its own state graph) |
//! | `upload.rs`, `multipart.rs` | [`FileInfo`], [`SendKind`] by extension, [`ChunkRequest`]; Chrome's `FormData` framing |
//! | `endpoint.rs` | the endpoint table: path, method, host role, long poll, redirect as answer |
//! | `request.rs` | the one place requests are built and their destination checked |
//! | `hosts.rs` | host families, the host policy, checked server URLs |
//! | `cursor.rs` | SyncKey and SyncCheckKey and their rules |
//! | `credentials.rs`, `secret.rs` | uin, sid, skey, pass_ticket, DeviceID; redaction |
//! | `cookies.rs` | the cookie jar (bounded) |
//! | `contact/` | [`Contact`] (compact: `text.rs` holds its nine texts in one allocation, `group.rs` what only groups have), [`Member`], [`ContactKind`]; `saved.rs` their serde form |
//! | `contacts.rs`, `dedup.rs` | the contact store (its revision tells a saver when to write it); the remembered message ids |
//! | `persist.rs` | [`SavedSession`] and [`ResumeError`] |
//! | `config.rs` | [`Config`], [`RetryPolicy`], [`Limits`] |
//! | `command.rs`, `event.rs`, `state.rs`, `error.rs` | what the application gives and gets |
//! | `connect_to.rs`, `time.rs`, `transmit.rs` | what transports use: routing, time, requests |
//! | `parse/` | the server's answers read: scripts, XML, JSON under the limits |
//! | `model/` | the wire types (serde): an answer type per endpoint, lenient readers, the caps of one answer |
//! | `message/` | messages decoded: text, entities, emoji, groups, XML payloads |
//!
//! **Adding an endpoint** touches three places: its variant and row in `endpoint.rs` (path,
//! method, host, long poll, status policy), its answer type in `model/` (a JSON answer with a
//! `BaseResponse` is read and checked by the generic `Answer` impl), and one call struct in the
//! client file of its phase whose `Exchange` impl holds both the request and the handler, named
//! once in the `calls!` list of `client/calls.rs`. Routing, timeouts, retries, deadlines and
//! teardown follow from those.
//!
//! ## The state graph
//!
//! ```text
//!   new(config) ── start() ──► FetchingUuid ◄─────────────────────────────┐
//!                                  │ jslogin 200: Event::QrCode            │ 202 cancelled, or
//!                                  ▼                                       │ 400/500/0 expired:
//!                            WaitingForScan ◄──┐ 408: poll again           │ a new uuid (at most
//!                                  │ 201       │                           │ max_qr_refreshes,
//!                                  ├───────────┘                           │ then Failed)
//!                                  ▼ Event::Scanned                        │
//!                           WaitingForConfirm ─────────────────────────────┘
//!                                  │ 200 + redirect_uri (host checked): Event::Confirmed
//!                                  ▼
//!                            FetchingTicket ── ret≠0 (1203) ──► Failed(LoginRefused)
//!                                  │ credentials: Event::LoggedIn
//!                                  ▼
//!     Initializing ──► LoadingContacts ─────────► LoadingGroupMembers
//!     (webwxinit)      (Seq paging, at most 17;   (the ChatSet groups,
//!                       with it, at once:          batches of 50, 200 ms
//!                       statusnotify 3, the        after init)
//!                       synccheck loop, sends)            │
//!                                                         │ Event::Ready
//!                                                         ▼
//!   resume(saved) ── start() ──► Resuming ── Ret 0: Event::Resumed ──► Ready
//!                                  │ (webwxsync probe                   │ one synccheck long poll;
//!                                  │  from the saved SyncKey)           │ selector ≠ 0 → webwxsync;
//!                                  │ 1100/1101/1102                     │ sends and read marks
//!                                  ▼                                    │ beside it
//!                              PushLogin ── uuid: Event::PushLoginSent ──► WaitingForConfirm
//!                                  │ refused
//!                                  ▼
//!                             FetchingUuid
//!
//!   Logged in ── synccheck 1100, 1101, 1102 ──► LoggingOut (webwxlogout type 0 / 1, as the
//!                                               page does) ── any answer ──► LoggedOut(reason)
//!   Logged in ── Ret 1100, 1101, 1102 ──► LoggedOut(reason)
//!   Logged in ── logout() ──► LoggingOut ── any answer ──► LoggedOut(Requested)
//!
//!   Any state: a transient fault (transport error, 5xx, unparseable answer, 1205 or any other
//!   non-session-ending code) retries the same call after backoff (Event::Retrying); after
//!   RetryPolicy::max_attempts failures in a row → Failed(RetriesExhausted), except that a send
//!   fails alone (Event::SendFailed), a batch of groups is given up alone, statusnotify and
//!   the timing reports are not retried (as on the page), and the message loop never gives
//!   up: it retries at the capped backoff without limit (Event::Offline, then Event::Online).
//!   "Logged in" is LoadingContacts, LoadingGroupMembers or Ready (State::is_logged_in).
//!   1100/1101/1102 before the message loop runs → Failed(SessionEnded).
//!   A redirect to a host that is not allowed → Failed(ForeignHost).
//! ```
//!
//! ## Driving it
//!
//! After every command and `handle_*` call, drain [`Client::poll_transmit`] (send each request
//! with its timeout, redirects not followed) and [`Client::poll_event`]; then wait for an answer
//! or until [`Client::poll_timeout`], and call [`Client::handle_timeout`] then. Feed each answer
//! back with [`Client::handle_response`] or [`Client::handle_transport_error`].
//!
//! Here is a whole login driven by hand, with the server's answers typed in:
//!
//! ```
//! use webwx_core::{Client, Config, Event, State, Timestamp, Transmit};
//! use webwx_core::{bytes::Bytes, http::Response};
//!
//! let mut client = Client::new(Config::new(42));
//! let mut now = Timestamp::from_unix_millis(1_764_000_000_000);
//! client.start(now).unwrap();
//!
//! // Answers the pending request with `body` two seconds later, checking its endpoint.
//! let mut reply = |client: &mut Client, path: &str, body: &'static str| {
//!     let t: Transmit = client.poll_transmit().expect("a request");
//!     assert!(t.request.uri().path().ends_with(path), "{}", t.request.uri().path());
//!     now = now + std::time::Duration::from_secs(2);
//!     client.handle_response(t.id, Response::new(Bytes::from_static(body.as_bytes())), now);
//! };
//!
//! reply(&mut client, "/jslogin", r#"window.QRLogin.code = 200; window.QRLogin.uuid = "gYmgd1grLg==";"#);
//! let Some(Event::QrCode { payload, .. }) = client.poll_event() else { panic!() };
//! assert_eq!(payload, "https://login.weixin.qq.com/l/gYmgd1grLg==");
//!
//! reply(&mut client, "/login", "window.code=201;");
//! assert!(matches!(client.state(), State::WaitingForConfirm { .. }));
//! reply(&mut client, "/login", r#"window.code=200;
//!     window.redirect_uri="https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=gYmgd1grLg==&lang=zh_CN&scan=1";"#);
//! reply(&mut client, "/webwxnewloginpage", "<error><ret>0</ret><message></message>\
//!     <skey>@crypt_1</skey><wxsid>sid</wxsid><wxuin>123</wxuin><pass_ticket>p%2B</pass_ticket></error>");
//! reply(&mut client, "/webwxinit", r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},
//!     "User":{"Uin":123,"UserName":"@me","NickName":"Me"},
//!     "SyncKey":{"Count":1,"List":[{"Key":1,"Val":7}]},"ContactList":[]}"#);
//! reply(&mut client, "/webwxstatusnotify", r#"{"BaseResponse":{"Ret":0,"ErrMsg":""}}"#);
//! reply(&mut client, "/webwxgetcontact", r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MemberCount":1,
//!     "MemberList":[{"UserName":"@friend","NickName":"Friend"}],"Seq":0}"#);
//!
//! assert_eq!(client.state(), &State::Ready);
//! let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
//! assert!(matches!(events.last(), Some(Event::Ready { user, .. }) if user.nick_name() == "Me"));
//! assert_eq!(client.contacts().find_by_name("Friend")[0].user_name(), "@friend");
//! assert_eq!(client.hosts().unwrap().push, "https://webpush.wx.qq.com");
//! ```
//!
//! ## Faults and session-ending codes
//!
//! Only `BaseResponse.Ret` and synccheck `retcode` 1100 (logged out on the phone), 1101 (logged
//! in elsewhere / logged out) and 1102 (session invalid) end a session
//! ([`Event::LoggedOut`] with the [`LogoutReason`]). Everything else that goes wrong — timeouts, connection
//! errors, 5xx, unparseable answers, 1205 (rate limited), unknown codes — is transient: the same
//! call is tried again after `min(cap, base·2ⁿ⁻¹)` with half of it random jitter from the seeded
//! RNG, and only a run of [`RetryPolicy::max_attempts`] failures in a row is terminal — except in
//! a ready session's message loop (synccheck and webwxsync), which retries without limit at the
//! capped backoff, so that an outage of any length (a laptop lid closed, a network gone) never
//! ends a session: the application is told [`Event::Offline`] after
//! [`RetryPolicy::offline_after`] failures in a row and [`Event::Online`] when it gets through.
//!
//! ## Pacing and back-pressure
//!
//! Every loop a server can drive is paced or bounded: the login poll and synccheck start at
//! most once per [`Config::long_poll_min_interval`]; a sync round (or a `ContinueFlag` follow-up)
//! that brought no new message waits that interval before the next; QR refreshes and retries
//! have budgets and backoff; each request in flight has a deadline (twice its timeout plus 5 s),
//! after which it counts as timed out even if the transport never reports. While
//! [`Config::max_queued_events`] events wait for the application, the message loop pauses
//! (commands go on). Timers survive clock steps: time passed in that goes backwards moves every
//! timer back by the step.
//!
//! ## Nothing lost, nothing twice
//!
//! The SyncKey (and SyncCheckKey) advance only from an answer with `Count > 0`, and only after
//! everything in it was applied; an answer that is lost or unreadable is fetched again with the
//! old key. [`Client::save`] never runs ahead of the application: while messages wait in
//! [`Client::poll_event`]'s queue, it saves the keys from before the answer that brought them. Redelivered messages are dropped by `MsgId` (the last
//! [`Limits::max_remembered_msg_ids`] are remembered, and saved with the session).
//!
//! ## Secrets
//!
//! skey, sid, pass_ticket, tickets and cookie values are kept in [`Secret`] or the redacted
//! [`CookieJar`], never appear in `Debug` output or logs, and the skey the server embeds in
//! `HeadImgUrl` is removed on parsing. A [`Transmit`]'s `Debug` shows the path only.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod browser;
mod client;
mod command;
mod config;
mod connect_to;
mod contact;
mod contacts;
mod content_encoding;
mod cookies;
mod credentials;
mod cursor;
mod dedup;
mod desktop;
mod endpoint;
mod error;
mod event;
#[doc(hidden)]
pub mod fuzzing;
mod hosts;
pub mod message;
/// The wire types: the server's answers as serde reads them. Not part of the stable API (they
/// follow the wire format); public for the fuzz targets, tests and benchmarks. The types an
/// application needs are re-exported at the crate root.
#[doc(hidden)]
pub mod model;
mod multipart;
mod outcome;
/// The parsers of the server's answers. Not part of the stable API; public for the fuzz
/// targets, tests and benchmarks.
#[doc(hidden)]
pub mod parse;
mod persist;
mod request;
mod rng;
mod secret;
mod state;
mod time;
mod transmit;
mod upload;
mod uri_encoding;

pub use bytes;
pub use http;

/// The user name of the file helper (文件传输助手), the account's notes-to-self chat: every
/// account has it, and sending to it reaches only the account's own devices.
pub const FILE_HELPER: &str = "filehelper";

pub use client::{Client, INVITE_FROM_MEMBERS, MediaRequest, local_id};
pub use command::{Command, Forward, Logout, MarkRead, SendFileError, SendText, SessionError};
pub use config::{Config, DEFAULT_LOGIN_ORIGIN, DEFAULT_USER_AGENT, Limits, RetryPolicy};
pub use connect_to::{ConnectTo, InvalidOrigin};
pub use contact::{Contact, ContactKind, Member, SPECIAL_USER_NAMES};
pub use contacts::{ContactCounts, ContactStore};
pub use cookies::CookieJar;
pub use endpoint::{Endpoint, HostRole, Loader};
pub use error::{DownloadError, Error, Failure, ParseError, TransportErrorKind, UsageError};
pub use event::{Event, QR_PAYLOAD_PREFIX, SendHandle};
pub use hosts::{Hosts, is_wechat_host};
pub use message::{Article, Content, Media, MediaKind, Message, MpSubscription, Variant};
pub use model::{SyncKey, SyncKeyEntry};
pub use outcome::Outcome;
pub use persist::{ResumeError, SAVED_SESSION_VERSION, SavedSession};
pub use secret::Secret;
pub use state::{LogoutReason, State};
pub use time::Timestamp;
pub use transmit::{RequestId, Transmit};
pub use upload::{
    CHECK_UPLOAD_ABOVE, CHUNK_SIZE, ChunkRequest, FileInfo, MAX_VIDEO_BYTES, SendKind, parse_md5,
};
