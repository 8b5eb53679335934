//! What a simulated account looks like and how the simulated phone and network behave:
//! configurable from Rust and from a JSON file (`fixtures/scenarios/*.json`).

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Everything a simulator run is made of. Every field has a default, so a scenario file only
/// names what it changes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Seed for every generated id and name: the same seed gives the same accounts.
    pub seed: u64,
    /// The contacts each logged-in account has.
    pub contacts: ContactSpec,
    /// The messages each account receives after login.
    pub messages: MessageSpec,
    /// How the phone answers logins.
    pub phone: PhoneScript,
    /// Which host family the login redirects to.
    pub family: Family,
    /// Faults injected at chosen requests.
    pub faults: Vec<FaultRule>,
    /// How long the login long poll is held before answering 408 (the real server: ~25 s).
    pub login_hold_ms: u64,
    /// How long synccheck is held when there is nothing new (the real server: ~25 s).
    pub synccheck_hold_ms: u64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            seed: 1,
            contacts: ContactSpec::default(),
            messages: MessageSpec::default(),
            phone: PhoneScript::default(),
            family: Family::Loopback,
            faults: Vec::new(),
            login_hold_ms: 25_000,
            synccheck_hold_ms: 25_000,
        }
    }
}

impl Scenario {
    /// Reads a scenario from JSON.
    pub fn from_json(json: &str) -> Result<Scenario, serde_json::Error> {
        serde_json::from_str(json)
    }

    pub(crate) fn login_hold(&self) -> Duration {
        Duration::from_millis(self.login_hold_ms)
    }

    pub(crate) fn synccheck_hold(&self) -> Duration {
        Duration::from_millis(self.synccheck_hold_ms)
    }
}

/// The contacts of each account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactSpec {
    /// Friends (Chinese names, some with emoji and remark names).
    pub friends: usize,
    /// Groups.
    pub groups: usize,
    /// Members of each group (besides the account itself).
    pub members_per_group: usize,
    /// Official accounts (`VerifyFlag` 24).
    pub officials: usize,
    /// Contacts per `webwxgetcontact` page.
    pub page_size: usize,
}

impl Default for ContactSpec {
    fn default() -> Self {
        ContactSpec {
            friends: 20,
            groups: 3,
            members_per_group: 5,
            officials: 2,
            page_size: 200,
        }
    }
}

/// The messages each account receives once it is set up: `count` messages, one every
/// `interval_ms`, cycling through every MsgType (texts with emoji and entities, group messages
/// with mentions, images, voice, friend requests, cards, videos, emoticons, locations, links,
/// files, system messages, recalls, an unknown type).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessageSpec {
    /// How many.
    pub count: usize,
    /// The gap between two.
    pub interval_ms: u64,
    /// The wait after `webwxinit` before the first.
    pub start_after_ms: u64,
}

impl Default for MessageSpec {
    fn default() -> Self {
        MessageSpec {
            count: 0,
            interval_ms: 200,
            start_after_ms: 500,
        }
    }
}

/// How the simulated phone answers each QR code, in the order the codes are issued.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhoneScript {
    /// The time from showing a QR code to the scan (or to its expiry).
    pub scan_after_ms: u64,
    /// The time from the scan to the confirmation (or cancel).
    pub confirm_after_ms: u64,
    /// The first this-many QR codes expire (400) instead of being scanned.
    pub expire_first: u32,
    /// The next this-many QR codes are scanned and then cancelled on the phone (202).
    pub cancel_first: u32,
    /// When set, confirmed logins are refused at the ticket with this `ret` and message (1203).
    pub refuse: Option<Refusal>,
    /// Whether a push login (`webwxpushloginurl`) is confirmed on the phone.
    pub confirm_push_login: bool,
}

impl Default for PhoneScript {
    fn default() -> Self {
        PhoneScript {
            scan_after_ms: 300,
            confirm_after_ms: 300,
            expire_first: 0,
            cancel_first: 0,
            refuse: None,
            confirm_push_login: true,
        }
    }
}

/// A login refusal at the ticket.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// The `ret` (1203 in real life).
    pub code: i64,
    /// The `message`, sent verbatim.
    pub message: String,
}

impl Refusal {
    /// The real 1203 refusal.
    pub fn web_login_blocked() -> Refusal {
        Refusal {
            code: 1203,
            message: "当前登录环境异常。为了你的帐号安全，暂时不能登录web微信。你可以通过Windows微信、Mac微信或者手机客户端微信登录。".into(),
        }
    }
}

/// The host family the login redirects to. `Loopback` redirects to the simulator's own
/// `http://127.0.0.1:PORT`; the others redirect to the real family's `https://` host names, which
/// a client reaches by connecting to the simulator instead (the simulator tells the families
/// apart by the `Host` header and checks that each call goes to its family's host: synccheck to
/// the push host, API calls to the API host, like the real service).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// `http://127.0.0.1:PORT` for everything.
    Loopback,
    /// wx.qq.com.
    Wx,
    /// wx2.qq.com.
    Wx2,
    /// wx8.qq.com.
    Wx8,
    /// web.wechat.com.
    Web,
    /// web2.wechat.com.
    Web2,
}

impl Family {
    /// `(api host, push host, file host, login host)`, `None` for loopback.
    pub fn hosts(self) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
        Some(match self {
            Family::Loopback => return None,
            Family::Wx => (
                "wx.qq.com",
                "webpush.wx.qq.com",
                "file.wx.qq.com",
                "login.wx.qq.com",
            ),
            Family::Wx2 => (
                "wx2.qq.com",
                "webpush.wx2.qq.com",
                "file.wx2.qq.com",
                "login.wx2.qq.com",
            ),
            Family::Wx8 => (
                "wx8.qq.com",
                "webpush.wx8.qq.com",
                "file.wx8.qq.com",
                "login.wx8.qq.com",
            ),
            Family::Web => (
                "web.wechat.com",
                "webpush.web.wechat.com",
                "file.web.wechat.com",
                "login.web.wechat.com",
            ),
            Family::Web2 => (
                "web2.wechat.com",
                "webpush.web2.wechat.com",
                "file.web2.wechat.com",
                "login.web2.wechat.com",
            ),
        })
    }
}

/// A fault at the `nth` request (1-based, counted over the whole simulator) to `endpoint` (the
/// last path segment: `synccheck`, `webwxsync`, `webwxsendmsg`, `login`, `jslogin`, ...).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// The endpoint.
    pub endpoint: String,
    /// Which request to it.
    pub nth: u64,
    /// What happens.
    pub fault: Fault,
}

/// A fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Answer with this HTTP status and a short HTML body.
    Status(u16),
    /// Answer only after this many milliseconds (past the client's timeout).
    DelayMs(u64),
    /// Close the connection without an answer.
    Drop,
    /// Send the headers and half the body, then close the connection.
    Truncate,
    /// Answer with this code in the endpoint's own format (synccheck `retcode`,
    /// `BaseResponse.Ret`): 1205 rate limited, 1100/1101/1102 session over.
    Code(i64),
    /// `webwxsync` only: deliver the previous answer's messages again alongside the new ones.
    Duplicate,
}
