//! Errors, split by who is at fault: the server ([`Error`], [`Failure`], [`ParseError`]), the
//! network ([`TransportErrorKind`]) or the caller ([`UsageError`]).

use crate::Endpoint;

/// What went wrong while reading a server answer. Never a panic: every malformed input ends here.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is not UTF-8 where text was expected.
    #[error("the answer is not valid UTF-8")]
    NotUtf8,
    /// The body is larger than the parser accepts.
    #[error("the answer is {len} bytes, more than the {limit} accepted")]
    TooLarge {
        /// Length of the body.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The JavaScript assignments (`window.x = ...;`) are malformed.
    #[error("malformed script answer at byte {at}: expected {expected}")]
    Script {
        /// Byte offset of the problem.
        at: usize,
        /// What the parser expected there.
        expected: &'static str,
    },
    /// A required field is missing.
    #[error("the answer lacks {0}")]
    Missing(&'static str),
    /// A field has a value of the wrong form.
    #[error("{field} has an unexpected value")]
    Invalid {
        /// The field.
        field: &'static str,
    },
    /// The XML is malformed.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// The JSON is malformed or of the wrong shape.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// The body's `Content-Encoding` is one the core does not decode, or the compressed data is
    /// corrupt.
    #[error("content encoding: {0}")]
    Encoding(String),
    /// The answer holds more of something than a [`Limits`](crate::Limits) value allows (XML
    /// elements, nesting, a name's length, attributes, list entries): it is refused before the
    /// rest of it is read.
    #[error("{what}: more than the limit of {limit}")]
    LimitExceeded {
        /// Which limit.
        what: &'static str,
        /// The limit's value.
        limit: usize,
    },
}

/// How a request failed in the transport, as the transport reports it to
/// [`Client::handle_transport_error`](crate::Client::handle_transport_error).
/// Every kind is transient to the core: it retries with backoff.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No complete answer within the timeout the core asked for.
    Timeout,
    /// The connection could not be made (DNS, refused, unreachable).
    Connect,
    /// The connection was reset or closed before the answer was complete.
    Reset,
    /// TLS failed (handshake, certificate).
    Tls,
    /// The answer's body was larger than the transport's cap.
    BodyTooLarge,
    /// Any other failure.
    Other,
}

impl std::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Reset => "connection reset",
            TransportErrorKind::Tls => "TLS failure",
            TransportErrorKind::BodyTooLarge => "body too large",
            TransportErrorKind::Other => "transport failure",
        })
    }
}

/// One failed try of a call: the cause a retry is scheduled for.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// The transport failed.
    #[error("{0}")]
    Transport(TransportErrorKind),
    /// The server answered with an unexpected HTTP status (5xx and the like).
    #[error("HTTP status {0}")]
    Status(u16),
    /// The answer could not be read.
    #[error("{0}")]
    Parse(ParseError),
    /// The server answered with an error code (`BaseResponse.Ret` or a script code) that is not
    /// session-ending, such as 1205 (rate limited).
    #[error("server code {code}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Server {
        /// The server's code.
        code: i64,
        /// The server's message, verbatim (may be empty).
        message: String,
    },
}

/// A terminal failure of the login or session, delivered as
/// [`Event::Failed`](crate::Event::Failed). After it the client emits no more requests.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the login (the ticket answer's `ret` ≠ 0); `message` is the server's
    /// text, verbatim. 1203 means web login is blocked for this account; desktop mode is the usual
    /// way round, at a risk (see [`Config::desktop_mode`](crate::Config::desktop_mode)).
    #[error("login refused by the server (ret {code}): {message}")]
    LoginRefused {
        /// The server's `ret`.
        code: i64,
        /// The server's `message`.
        message: String,
    },
    /// The server redirected to a host outside the WeChat domains that the configuration does not
    /// allow: following it could leak credentials.
    #[error(
        "refused to follow a redirect to {host}, which is not a WeChat host (allow it in the config if you trust it)"
    )]
    ForeignHost {
        /// The refused host.
        host: String,
    },
    /// The QR code expired or was cancelled more times than allowed.
    #[error("gave up after {refreshes} QR code refreshes without a confirmed login")]
    QrRefreshLimit {
        /// How many new QR codes were fetched.
        refreshes: u32,
    },
    /// The server ended the session (`BaseResponse.Ret` 1100, 1101 or 1102) during set-up.
    #[error("the server ended the session at {endpoint} (code {code}): {message}")]
    SessionEnded {
        /// Where.
        endpoint: Endpoint,
        /// The server's code.
        code: i64,
        /// The server's message, verbatim.
        message: String,
    },
    /// A call failed `attempts` times in a row; `last` is the last cause.
    #[error("{endpoint} failed {attempts} times in a row; last: {last}")]
    RetriesExhausted {
        /// The call.
        endpoint: Endpoint,
        /// How many tries failed.
        attempts: u32,
        /// The last failure.
        last: Failure,
    },
    /// The server sent more than a configured [`Limits`](crate::Limits) value allows.
    #[error("{what}: more than the limit of {limit}")]
    LimitExceeded {
        /// Which limit.
        what: &'static str,
        /// The limit's value.
        limit: usize,
    },
    /// The session ended before a queued message could be sent.
    #[error("the session ended before the message was sent")]
    SessionOver,
    /// The server refused an operation (not a friend, not the group's owner, a ticket that
    /// expired, ...): its code and message. The session goes on.
    #[error("{endpoint} refused (ret {code}){}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Refused {
        /// The operation's endpoint.
        endpoint: Endpoint,
        /// `BaseResponse.Ret`.
        code: i64,
        /// `BaseResponse.ErrMsg`.
        message: String,
    },
    /// A file could not be uploaded: its bytes could not be read, or the server did not take
    /// them. The session goes on.
    #[error("upload of {file} failed{}: {reason}", chunk.map(|c| format!(" at chunk {c}")).unwrap_or_default())]
    Upload {
        /// The file's name.
        file: String,
        /// The chunk (from 0) that failed, when the upload had started.
        chunk: Option<u32>,
        /// Why: the read error, or the server's refusal with its code and message.
        reason: String,
    },
    /// The server's answers contradict the protocol in a way a retry cannot fix.
    #[error("protocol violation at {endpoint}: {detail}")]
    Protocol {
        /// Where.
        endpoint: Endpoint,
        /// What.
        detail: &'static str,
    },
}

/// The caller used the API wrongly: a command in a state that does not allow it.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// [`Client::start`](crate::Client::start) was called twice.
    #[error("the client was already started")]
    AlreadyStarted,
    /// The client has failed or ended; it takes no more commands.
    #[error("the client has ended")]
    Ended,
    /// The command needs a logged-in session.
    #[error("not logged in yet")]
    NotLoggedIn,
    /// A message to send is empty, too long, or has no receiver.
    #[error("invalid message: {0}")]
    InvalidMessage(&'static str),
    /// The send queue is full.
    #[error("the send queue is full ({0} messages)")]
    QueueFull(usize),
    /// The media, or this variant of it, cannot be fetched (a paid sticker, a voice's
    /// thumbnail, a file without its ids).
    #[error("not available: {0}")]
    Unavailable(&'static str),
}

/// A media download failed. Nothing past the failure was written; what was written before it
/// stays with the caller (who may delete or keep it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The core could not build the request (see [`UsageError`]).
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The server answered with this status (not 200 or 206).
    #[error("the server answered {0}")]
    Status(u16),
    /// The media is larger than [`Limits::max_media_bytes`](crate::Limits::max_media_bytes):
    /// `written` bytes (at most the limit) were written before the download stopped.
    #[error("the media is larger than the limit of {limit} bytes ({written} written)")]
    TooLarge {
        /// The limit.
        limit: u64,
        /// Bytes written before stopping.
        written: u64,
    },
    /// The network failed.
    #[error("transport: {0}")]
    Transport(TransportErrorKind),
    /// Writing the bytes failed (the destination's error).
    #[error("writing: {0}")]
    Write(String),
    /// The server sent less than the whole media: a `206` whose `Content-Range` ends before the
    /// total it names.
    #[error("the server sent {written} of {total} bytes")]
    Incomplete {
        /// Bytes written.
        written: u64,
        /// The media's size, as the server said.
        total: u64,
    },
    /// The progress callback asked to stop.
    #[error("cancelled after {written} bytes")]
    Cancelled {
        /// Bytes written before stopping.
        written: u64,
    },
}
