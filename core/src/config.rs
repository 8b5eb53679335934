//! What an embedder can set: seed, hosts, desktop mode, retry policy and limits.

use crate::{Endpoint, HostRole, Hosts};
use std::borrow::Cow;
use std::time::Duration;

/// The default user agent: a current desktop Chrome, as the official web client runs in one.
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

/// The origin of the real login service: the login host of the official page at `wx.qq.com`
/// (`login.weixin.qq.com` is the page's fallback for hosts it does not know).
pub const DEFAULT_LOGIN_ORIGIN: &str = "https://login.wx.qq.com";

/// Settings of one [`Client`](crate::Client).
///
/// Build it with [`Config::new`] and the `with_*` methods; every field has a sensible default.
///
/// ```
/// use webwx_core::Config;
/// let config = Config::new(42)
///     .with_login_origin("http://127.0.0.1:8080")
///     .with_allowed_host("127.0.0.1");
/// assert_eq!(config.seed, 42);
/// assert!(!config.desktop_mode);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Seed of the random number generator (DeviceID, message ids, retry jitter). The same seed
    /// and the same inputs give byte-identical requests. Production embedders should draw it from
    /// the operating system; tests fix it.
    pub seed: u64,
    /// Where the login starts (`jslogin`, the QR image, the login long poll):
    /// [`DEFAULT_LOGIN_ORIGIN`] unless you point it at a simulator or test server. Scheme, host and
    /// optional port, no path. The page the requests come from (their `Referer` and `Origin`, and
    /// jslogin's `redirect_uri`) is this origin without its `login.` label; once a session's hosts
    /// are known, later logins (a push login's poll, a QR login after a saved session ended) use
    /// the family's login host instead. (`Cow`: the default is shared by every session, not copied.)
    pub login_origin: Cow<'static, str>,
    /// Hosts outside the WeChat domains that the server may redirect to (for example `127.0.0.1`
    /// for a simulator), as host names or IP addresses (`::1` or `[::1]`), without port. Such a
    /// host keeps the redirect's scheme and port; a WeChat host is always https on 443. A
    /// redirect to any other foreign host is refused with
    /// [`Error::ForeignHost`](crate::Error::ForeignHost): it would leak credentials. The whole
    /// policy is described on [`Hosts`](crate::Hosts).
    pub allowed_hosts: Vec<String>,
    /// Desktop ("UOS") mode: `mod=desktop` and the desktop client's headers on the ticket request.
    /// Off by default. It gets some accounts past the 1203 refusal, but since 2025 accounts that
    /// use it report warnings and temporary bans: turn it on only knowing that risk.
    pub desktop_mode: bool,
    /// The `lang` query parameter.
    pub lang: Cow<'static, str>,
    /// The `User-Agent` header of every request (the default is shared, not copied per session).
    pub user_agent: Cow<'static, str>,
    /// How many times a new QR code is fetched after an expiry (400/500/0) or a cancel on the
    /// phone (202) before the login gives up with
    /// [`Error::QrRefreshLimit`](crate::Error::QrRefreshLimit). The official client uses 5.
    pub max_qr_refreshes: u32,
    /// Timeout of ordinary requests.
    pub request_timeout: Duration,
    /// Timeout of long polls (the login poll and synccheck, which the server holds ~25 s).
    pub long_poll_timeout: Duration,
    /// The least time between the starts of two consecutive long polls, so that a server that
    /// answers at once cannot make the client spin.
    pub long_poll_min_interval: Duration,
    /// The least time between two sends, so that a burst cannot trip the server's rate limit.
    pub min_send_interval: Duration,
    /// Backoff for transient failures.
    pub retry: RetryPolicy,
    /// Caps on what the server may make the client hold.
    pub limits: Limits,
    /// How many events may wait for the application (in [`Client::poll_event`]'s queue) before
    /// the message loop pauses: no new synccheck or webwxsync goes out until the application has
    /// taken events below this number. An answer is always applied whole, so the queue can hold
    /// one answer's events beyond it. Commands (sends, read marks, logout) are never paused.
    /// An application that never takes its events therefore stops polling, and the server may
    /// end such a session after a while: take events, even ones you ignore.
    ///
    /// [`Client::poll_event`]: crate::Client::poll_event
    pub max_queued_events: usize,
}

impl Config {
    /// The defaults, with the given random seed.
    pub fn new(seed: u64) -> Self {
        Config {
            seed,
            login_origin: Cow::Borrowed(DEFAULT_LOGIN_ORIGIN),
            allowed_hosts: Vec::new(),
            desktop_mode: false,
            lang: Cow::Borrowed("zh_CN"),
            user_agent: Cow::Borrowed(DEFAULT_USER_AGENT),
            max_qr_refreshes: 5,
            request_timeout: Duration::from_secs(30),
            long_poll_timeout: Duration::from_secs(35),
            long_poll_min_interval: Duration::from_secs(1),
            min_send_interval: Duration::from_secs(1),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            max_queued_events: 4096,
        }
    }

    /// Starts the login at `origin` (for example a simulator's `http://127.0.0.1:PORT`).
    pub fn with_login_origin(mut self, origin: impl Into<String>) -> Self {
        self.login_origin = Cow::Owned(origin.into().trim_end_matches('/').to_string());
        self
    }

    /// Allows redirects to `host` (a host name or IP address, without port).
    pub fn with_allowed_host(mut self, host: impl Into<String>) -> Self {
        self.allowed_hosts.push(host.into().to_ascii_lowercase());
        self
    }

    /// Turns desktop mode on or off (see [`Config::desktop_mode`] for the risk).
    pub fn with_desktop_mode(mut self, on: bool) -> Self {
        self.desktop_mode = on;
        self
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The origin (`scheme://host[:port]`) that serves `endpoint`: the login origin before the
    /// session's hosts are known and for the login's own endpoints, else the session's API,
    /// push or file host. (An endpoint at a server-given URL is on the API host.)
    pub fn origin_of<'a>(&'a self, endpoint: Endpoint, hosts: Option<&'a Hosts>) -> &'a str {
        match (endpoint.host_role(), hosts) {
            (HostRole::Api | HostRole::Redirect, Some(h)) => &h.api,
            (HostRole::Push, Some(h)) => &h.push,
            (HostRole::File, Some(h)) => &h.file,
            // The page's login host: the family's once the session's hosts are known (a push
            // login's poll, a QR login after a saved session ended).
            (HostRole::Login, Some(h)) => &h.login,
            _ => &self.login_origin,
        }
    }

    /// Replaces the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the least time between two sends.
    pub fn with_min_send_interval(mut self, gap: Duration) -> Self {
        self.min_send_interval = gap;
        self
    }

    /// Sets the maximum number of QR refreshes.
    pub fn with_max_qr_refreshes(mut self, refreshes: u32) -> Self {
        self.max_qr_refreshes = refreshes;
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new(0)
    }
}

/// Exponential backoff with jitter for transient failures.
///
/// The n-th consecutive failure of the same call waits `min(cap, base · 2ⁿ⁻¹)`, of which the
/// second half is random ("equal jitter"), then tries again. After `max_attempts` failed tries in a
/// row the call fails for good with [`Error::RetriesExhausted`](crate::Error::RetriesExhausted).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The delay after the first failure (before jitter).
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
    /// How many failed tries in a row a call may have before it is given up. The message loop
    /// of a ready session (synccheck, webwxsync) is exempt: it retries without limit at the
    /// capped backoff, so a session survives an outage of any length (only the server's
    /// session-ending codes end it).
    pub max_attempts: u32,
    /// After how many failures in a row of the ready session's message loop the application is
    /// told [`Event::Offline`](crate::Event::Offline) (and [`Event::Online`](crate::Event::Online)
    /// once it gets through again).
    pub offline_after: u32,
}

impl RetryPolicy {
    /// A policy with the given base delay, cap and budget.
    pub fn new(base: Duration, cap: Duration, max_attempts: u32) -> Self {
        RetryPolicy {
            base,
            cap,
            max_attempts,
            offline_after: 3,
        }
    }

    /// The delay before the retry that follows failure number `failures` (1-based), before
    /// jitter is drawn: half of it is fixed, half random.
    pub fn ceiling(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(30);
        self.base.saturating_mul(1u32 << exp).min(self.cap)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::new(Duration::from_millis(500), Duration::from_secs(60), 10)
    }
}

/// Caps on what a server answer may make the client hold. Exceeding one is a typed error
/// ([`Error::LimitExceeded`](crate::Error::LimitExceeded) for what the session holds,
/// [`ParseError::LimitExceeded`](crate::ParseError::LimitExceeded) for what one answer carries)
/// or, for a string's length, a cut; never a crash or unbounded memory. Within these caps the
/// work and memory spent on an answer are linear in its size.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest response body the core accepts (transports should cap reads at this too).
    pub max_body_bytes: usize,
    /// Largest media download (an image, voice, video, file or sticker) a transport writes:
    /// past it the download stops with [`DownloadError::TooLarge`](crate::DownloadError), having
    /// written no more than this. Separate from `max_body_bytes`: media never pass through the
    /// core's memory.
    pub max_media_bytes: u64,
    /// Most contacts (of every kind) the store holds.
    pub max_contacts: usize,
    /// Most members one group may list.
    pub max_group_members: usize,
    /// Most `webwxgetcontact` pages one login fetches.
    pub max_contact_pages: u32,
    /// Most entries a SyncKey may have.
    pub max_sync_key_entries: usize,
    /// How many recent message ids are remembered to drop duplicate deliveries (8 bytes each,
    /// looked up by a scan, so keep it in the thousands; the server repeats a message within a
    /// sync or two, far fewer than the default).
    pub max_remembered_msg_ids: usize,
    /// Most messages waiting in the send queue.
    pub max_send_queue: usize,
    /// Largest text (in bytes) `send_text` accepts.
    pub max_message_bytes: usize,
    /// Most entries one JSON answer may list, over all its lists together: messages, contacts,
    /// group members, SyncKey entries. Entries the client would ignore anyway (messages with
    /// neither `MsgId` nor `NewMsgId`, contacts and members without a `UserName`) are dropped as
    /// they are read and do not count. Past it the answer is refused
    /// ([`ParseError::LimitExceeded`](crate::ParseError::LimitExceeded)) before the rest is
    /// read. Default 50,000: a batch of 50 groups of 500 members is 25,050.
    pub max_entries_per_answer: usize,
    /// The least answer size, in bytes, that each list entry beyond the first 512 of an answer
    /// must come with: an answer may hold `512 + body length / min_entry_bytes` entries (and
    /// never more than `max_entries_per_answer`). An entry costs up to about 2 KiB while it is
    /// handled (a `Contact` and its event), however few bytes it took on the wire, so this is
    /// what keeps the memory of any answer within 8 × its size plus a constant. Past it the
    /// answer is refused ([`ParseError::LimitExceeded`](crate::ParseError::LimitExceeded)).
    /// Default 256 (the server's contacts and messages take 400 to 1,000 bytes each).
    pub min_entry_bytes: usize,
    /// Most messages one `webwxsync` answer may carry (`AddMsgList`, after dropping those without
    /// an id). A message costs about 1.9 KiB while its answer is handled (the parsed message and
    /// its event), whatever its size on the wire, so this bounds the answer's cost. Past it the
    /// answer is refused ([`ParseError::LimitExceeded`](crate::ParseError::LimitExceeded)).
    /// Default 1,000 (the server sends a few dozen and sets `ContinueFlag` for more).
    pub max_messages_per_answer: usize,
    /// Longest string, in bytes, kept from a JSON answer (a message's `Content`, a nick name, a
    /// URL, ...). A longer one is cut at the last character boundary within the limit, not
    /// refused: a sync answer is never lost to one oversized field (a cut XML payload reads as
    /// [`Content::Unknown`](crate::Content::Unknown) or without its fields). Default 1 MiB.
    pub max_string_bytes: usize,
    /// Most elements an XML document (the ticket answer, a message's XML payload) may hold.
    /// Past it the document is refused
    /// ([`ParseError::LimitExceeded`](crate::ParseError::LimitExceeded)); a message whose
    /// payload is refused keeps its raw content. Default 10,000.
    pub max_xml_elements: usize,
    /// Deepest nesting of XML elements accepted; past it the document is refused. Default 32.
    pub max_xml_depth: usize,
    /// Longest XML element or attribute name, in bytes; past it the document is refused.
    /// Default 128 (real payload names are under 32).
    pub max_xml_name_bytes: usize,
    /// Most attributes one XML element may carry; past it the document is refused. Default 128
    /// (a friend request's `<msg>` carries about 40).
    pub max_xml_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024 * 1024,
            max_media_bytes: 100 * 1024 * 1024,
            max_contacts: 200_000,
            max_group_members: 10_000,
            max_contact_pages: 1_000,
            max_sync_key_entries: 128,
            max_remembered_msg_ids: 1_000,
            max_send_queue: 1_000,
            max_message_bytes: 64 * 1024,
            max_entries_per_answer: 50_000,
            max_messages_per_answer: 1_000,
            min_entry_bytes: 256,
            max_string_bytes: 1024 * 1024,
            max_xml_elements: 10_000,
            max_xml_depth: 32,
            max_xml_name_bytes: 128,
            max_xml_attributes: 128,
        }
    }
}
