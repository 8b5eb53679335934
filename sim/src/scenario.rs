//! What a simulated account looks like and how the simulated phone and network behave:
//! configurable from Rust and from a JSON file (`fixtures/scenarios/*.json`).

use crate::detail::ContactDetail;
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
    /// How completely the generated contacts fill in the server's contact fields (default
    /// `sparse`; `full` for answers of a real account's size and shape).
    pub contact_detail: ContactDetail,
    /// The messages each account receives after login.
    pub messages: MessageSpec,
    /// How the phone answers logins.
    pub phone: PhoneScript,
    /// Which host family the login redirects to.
    pub family: Family,
    /// Changes to each account's contacts and profile after login, each at its time (by default
    /// one of each kind, 3 to 4.5 s after `webwxinit`: see [`Scenario::default_contact_events`]).
    pub contact_events: Vec<ContactEvent>,
    /// Faults injected at chosen requests.
    pub faults: Vec<FaultRule>,
    /// How long the login long poll is held before answering 408 (the real server: ~25 s).
    pub login_hold_ms: u64,
    /// How long synccheck is held when there is nothing new (the real server: ~25 s).
    pub synccheck_hold_ms: u64,
    /// The largest upload (webwxuploadmedia) whose bytes the simulator keeps, in bytes (default
    /// 64 MiB). A larger upload keeps only its MD5 and size: it is checked, stored and sent like
    /// any other, but its bytes cannot be downloaded or read back.
    pub upload_keep_bytes: u64,
    /// How many strangers' friend requests (MsgType 37 from `fmessage`) each account gets,
    /// queued at its first `webwxinit` (so the first `webwxsync` delivers them); each waits for
    /// an accept (`webwxverifyuser` Opcode 3 with its ticket). Default 0.
    pub friend_requests: u32,
    /// How long after a send the account may revoke the message (webwxrevokemsg), in ms: the
    /// real server's 2 minutes by default; later revokes are refused with `Ret` -1.
    pub revoke_window_ms: u64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            seed: 1,
            contacts: ContactSpec::default(),
            contact_detail: ContactDetail::Sparse,
            messages: MessageSpec::default(),
            phone: PhoneScript::default(),
            family: Family::Loopback,
            contact_events: Scenario::default_contact_events(),
            faults: Vec::new(),
            login_hold_ms: 25_000,
            synccheck_hold_ms: 25_000,
            upload_keep_bytes: 64 * 1024 * 1024,
            friend_requests: 0,
            revoke_window_ms: 120_000,
        }
    }
}

impl Scenario {
    /// Reads a scenario from JSON.
    pub fn from_json(json: &str) -> Result<Scenario, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The contact changes of the default scenario, one of each kind: 3 s after `webwxinit` the
    /// second friend is renamed (nick and remark name), at 3.5 s one member joins the last group
    /// and one leaves it, at 4 s the account's own nick name changes, at 4.5 s the last friend is
    /// deleted.
    pub fn default_contact_events() -> Vec<ContactEvent> {
        vec![
            ContactEvent {
                at_ms: 3_000,
                change: ContactChange::RenameFriend {
                    friend: ContactRef::Index(1),
                    nick_name: "改了名的朋友".into(),
                    remark_name: Some("新备注".into()),
                },
            },
            ContactEvent {
                at_ms: 3_500,
                change: ContactChange::ChangeGroupMembers {
                    group: ContactRef::Index(-1),
                    join: 1,
                    leave: 1,
                },
            },
            ContactEvent {
                at_ms: 4_000,
                change: ContactChange::RenameSelf {
                    nick_name: "改了名的我".into(),
                },
            },
            ContactEvent {
                at_ms: 4_500,
                change: ContactChange::DeleteFriend {
                    friend: ContactRef::Index(-1),
                },
            },
        ]
    }

    pub(crate) fn login_hold(&self) -> Duration {
        Duration::from_millis(self.login_hold_ms)
    }

    pub(crate) fn synccheck_hold(&self) -> Duration {
        Duration::from_millis(self.synccheck_hold_ms)
    }

    pub(crate) fn revoke_window(&self) -> Duration {
        Duration::from_millis(self.revoke_window_ms)
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
/// files, system messages, recalls, an unknown type). Images, voices, videos, stickers and files
/// refer to stored media the media endpoints serve (see the crate docs' "Media").
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

/// A change to an account's contacts or profile, `at_ms` milliseconds after its `webwxinit`
/// (the same clock as [`MessageSpec::start_after_ms`]). The simulator's state changes at that
/// moment (later `webwxinit`, `webwxgetcontact` and `webwxbatchgetcontact` answers show it), and
/// the change waits in the session's log for the client's next `webwxsync`, announced by
/// synccheck's selector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactEvent {
    /// When, after `webwxinit`.
    pub at_ms: u64,
    /// What changes.
    pub change: ContactChange,
}

/// A change the phone (or the other side) makes to the account's contacts or profile, delivered
/// in a `webwxsync` answer as the real server delivers it. A change whose contact does not exist
/// (an index past the end, an unknown user name, a deleted friend) is skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ContactChange {
    /// A friend's nick name changes (and the remark name, when given; `""` clears it): the
    /// friend's contact object, same `UserName`, in `ModContactList`; synccheck selector 4.
    RenameFriend {
        /// Which friend.
        friend: ContactRef,
        /// The new `NickName`.
        nick_name: String,
        /// The new `RemarkName` (`None` keeps it).
        #[serde(default)]
        remark_name: Option<String>,
    },
    /// A friend is deleted: `{"UserName": ...}` in `DelContactList`; synccheck selector 6. The
    /// friend stays a member of the groups it is in.
    DeleteFriend {
        /// Which friend.
        friend: ContactRef,
    },
    /// Members join and leave a group: the group's contact object with its new `MemberList` in
    /// `ModChatRoomMemberList`; synccheck selector 4. Joining members are new (strangers, with
    /// generated names); the last `leave` members other than the account itself leave.
    ChangeGroupMembers {
        /// Which group.
        group: ContactRef,
        /// How many members join.
        #[serde(default)]
        join: usize,
        /// How many members leave.
        #[serde(default)]
        leave: usize,
    },
    /// The account's own nick name changes (on the phone): `Profile` with `BitFlag` 190 and the
    /// new `NickName.Buff`; synccheck selector 4.
    RenameSelf {
        /// The new nick name.
        nick_name: String,
    },
}

/// Which friend or group a [`ContactChange`] is about: its position among the account's friends
/// (or groups) at the time of the change, in the order of
/// [`SessionInfo::friends`](crate::SessionInfo::friends) (`groups`), negative counting from the
/// end (`-1` is the last), or its user name. In JSON, a number or a string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ContactRef {
    /// A position (negative: from the end).
    Index(i64),
    /// A user name (`@...`, `@@...`).
    UserName(String),
}

impl From<i64> for ContactRef {
    fn from(i: i64) -> ContactRef {
        ContactRef::Index(i)
    }
}

impl From<&str> for ContactRef {
    fn from(name: &str) -> ContactRef {
        ContactRef::UserName(name.to_string())
    }
}

impl From<String> for ContactRef {
    fn from(name: String) -> ContactRef {
        ContactRef::UserName(name)
    }
}

impl ContactRef {
    /// The entry of `names` this picks.
    pub(crate) fn resolve<'a>(&self, names: &'a [String]) -> Option<&'a String> {
        match self {
            ContactRef::Index(i) => {
                let len = i64::try_from(names.len()).ok()?;
                let at = if *i < 0 { len + i } else { *i };
                names.get(usize::try_from(at).ok()?)
            }
            ContactRef::UserName(name) => names.iter().find(|n| *n == name),
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
/// last path segment: `synccheck`, `webwxsync`, `webwxsendmsg`, `login`, `jslogin`,
/// `webwxuploadmedia`, ...). CORS preflights (`OPTIONS`) are not counted.
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
    /// Read about half of the request body (half its `Content-Length`; the first piece when it
    /// has none), then close the connection without an answer: a connection lost in the middle
    /// of an upload's chunk. The request is not handled.
    DropMidBody,
}
