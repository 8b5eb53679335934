//! The whole sans-IO `Client`, driven by an input that plays the server, the network, the clock
//! and the application at once, with the invariants checked after every step.
//!
//! The server is a model (as in `core/tests/model_props.rs`): a log of messages, and a webwxsync
//! answer carries the messages from the position its request's SyncKey asks for. Its answers are
//! well formed but adversarial (duplicates, repeats, reorders, empty keys, ContinueFlag, 5xx,
//! 1205 and session-ending codes, contact and profile changes, a new SKey, Set-Cookie headers of
//! every kind, odd and foreign `redirect_uri`s, `<redirecturl>` and 3xx tickets, push logins).
//! Beside them the input can answer any request with garbage, fail it in the transport, lose it,
//! fire timers, step the clock forwards or backwards by up to days, send, mark read, log out,
//! take events or not, and save the session and resume it (cleanly, or as a crash that drops the
//! events not taken yet).
//!
//! Checked after every step: no panic; at most 8 requests in flight; no request, timer or
//! in-flight request after the end; every request goes to the login origin, a WeChat host or an
//! allowed host; `poll_timeout` never more than two minutes after the latest time passed in;
//! `Debug` of the client, of every event, request and saved session never shows the secrets of
//! the ticket, sync and cookie answers; the SyncKey never goes back on a model answer; no message
//! id delivered twice while the client can still remember it; the messages waiting in the event
//! queue never more than `max_queued_events` plus one answer's worth. At the end, after draining
//! with good answers only: a live client has caught up with the model, and every message a model
//! answer moved the client's SyncKey past (the client took exactly that answer's key; the
//! messages from its request's position to its own, not the duplicates before) was delivered
//! exactly once, unless garbage moved the SyncKey or the session those messages belonged to ended
//! before a resumed client could fetch them again.
#![no_main]

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::time::Duration;
use webwx_core::bytes::Bytes;
use webwx_core::http::header::{HeaderValue, LOCATION, SET_COOKIE};
use webwx_core::http::{Response, StatusCode};
use webwx_core::parse::parse_sync;
use webwx_core::{
    CHUNK_SIZE, Client, Config, Endpoint, Event, FileInfo, Limits, RetryPolicy, SavedSession, State,
    Timestamp, Transmit, TransportErrorKind,
};

/// The clock at the start (2025-11-24T16:00:00Z).
const T0: u64 = 1_764_000_000_000;
/// The model's SyncKey: key 1 is `BASE + position in the log`.
const BASE: u64 = 702_345_611;
/// The most messages the model's log holds.
const MAX_LOG: usize = 400;
/// How far after the latest time passed in a timer may be (the longest wait is a long poll's
/// deadline, 2 × 35 s + 5 s, or the 60 s retry cap).
const TIMER_SLACK: Duration = Duration::from_secs(120);
/// Requests the harness keeps unanswered at most (older ones count as lost).
const MAX_PENDING: usize = 32;
/// The most steps of the final drain.
const DRAIN_STEPS: usize = 2_000;
/// The most steps one input drives (the rest of a longer input is not read): a bound on the time
/// one input takes, since every step formats the whole client.
const MAX_STEPS: usize = 20_000;

/// The fuzz input, read front to back; zeros once it runs out.
struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos = self.pos.saturating_add(1);
        b
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// Up to `n` bytes (fewer at the end of the input).
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        let end = start.saturating_add(n).min(self.data.len());
        self.pos = end;
        self.data.get(start..end).unwrap_or_default()
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[usize::from(self.byte()) % items.len()]
    }
}

/// How the model answers one request: three variant bytes and a Set-Cookie byte. All zeros is
/// the plain good answer (what the final drain uses).
#[derive(Clone, Copy, Default)]
struct Choice {
    v: u8,
    w: u8,
    x: u8,
    cookies: u8,
}

impl Choice {
    fn read(input: &mut Input<'_>) -> Choice {
        Choice {
            v: input.byte(),
            w: input.byte(),
            x: input.byte(),
            cookies: input.byte(),
        }
    }
}

/// Whether to print every step (`CLIENT_TRACE=1`, to read what a crashing input does).
fn trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CLIENT_TRACE").is_some())
}

/// 64-bit FNV-1a.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The secrets the model hands out, derived from a hash of the whole input so that the input
/// cannot carry them anywhere else (a leak found is a real leak). They share one marker of 16 hex
/// digits, which no `Debug` output may contain.
struct Secrets {
    skey: String,
    sid: String,
    pass_ticket: String,
    sync_skey: String,
    data_ticket: String,
    login_ticket: String,
    marker: String,
}

impl Secrets {
    fn of(data: &[u8]) -> Secrets {
        let marker = format!("{:016x}", fnv(data));
        Secrets {
            skey: format!("@crypt_{marker}_sk"),
            sid: format!("S{marker}sd"),
            pass_ticket: format!("P{marker}pt%2Bq%3D"),
            sync_skey: format!("@crypt_{marker}_sy"),
            data_ticket: format!("D{marker}dt"),
            login_ticket: format!("A{marker}lt@qrticket_0"),
            marker,
        }
    }

    fn assert_absent(&self, what: &str, text: &str) {
        assert!(!text.contains(&self.marker), "a secret in {what}: {text}");
    }
}

/// Escapes `s` for a double-quoted JavaScript string.
fn js_string(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// Escapes `s` for XML text.
fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The origins a login may be confirmed with: the real families, then odd spellings of them,
/// then foreign hosts dressed up as WeChat ones (userinfo, backslashes, `#`, percent-encoded
/// authorities, case, trailing dots, IPv6, ports).
const ORIGINS: &[&str] = &[
    "https://wx2.qq.com",
    "https://wx.qq.com",
    "https://wx8.qq.com",
    "https://web.wechat.com",
    "https://web2.wechat.com",
    "http://wx2.qq.com",
    "https://WX2.QQ.COM",
    "https://wx2.qq.com.",
    "https://wx2.qq.com:8443",
    "https://wx2.qq.com:0",
    "https://evil.example",
    "https://wx2.qq.com.evil.example",
    "https://evilqq.com",
    "https://qq.com.evil.example",
    "https://evil.example@wx2.qq.com",
    "https://wx2.qq.com@evil.example",
    "https://wx2.qq.com:443@evil.example",
    "https://wx2.qq.com\\@evil.example",
    "https://wx2.qq.com\\.evil.example",
    "https://evil.example\\@wx2.qq.com",
    "https://evil.example\\wx2.qq.com",
    "https://wx2.qq.com#@evil.example",
    "https://evil.example#@wx2.qq.com",
    "https://wx2.qq.com?@evil.example",
    "https://wx2.qq.com%2F@evil.example",
    "https://wx2.qq.com%23@evil.example",
    "https://wx2.qq.com%5C@evil.example",
    "https://evil.example%2F@wx2.qq.com",
    "https://wx2%2Eqq%2Ecom",
    "https://%77x2.qq.com",
    "https://evil%2Eexample",
    "https://[::1]",
    "https://[::ffff:127.0.0.1]:8080",
    "http://127.0.0.1:8080",
    "http://127.0.0.2",
    "http://2130706433",
    "https://0x7f.1",
    "https://wx2.qq.com\t.evil.example",
    "https://wx2.qq.com%00.evil.example",
    "https://wx2.qq.com .evil.example",
    "//wx2.qq.com",
    "wx2.qq.com",
    "javascript:alert(1)//wx2.qq.com",
    "data:text/html,wx2.qq.com",
    "https://xn--wx2-qq-com.evil.example",
    "https://wx2。qq。com",
    "https://ｗx2.qq.com",
];

/// A `redirect_uri` (or `<redirecturl>`): an origin from `ORIGINS` with the login page's path,
/// sometimes followed by text from the input.
fn redirect_uri(input: &mut Input<'_>, ticket: &str) -> String {
    let origin = input.pick(ORIGINS);
    let shape = input.byte();
    let path = if shape & 1 == 0 {
        format!(
            "/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket={ticket}&uuid=Qb7xN1e2Mw==&lang=zh_CN&scan=1764000000"
        )
    } else {
        format!("/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket={ticket}")
    };
    let tail = if shape & 2 != 0 {
        let n = usize::from(input.byte() % 32);
        String::from_utf8_lossy(input.bytes(n)).into_owned()
    } else {
        String::new()
    };
    format!("{origin}{path}{tail}")
}

/// Cookies of a fixed odd form.
const ODD_COOKIES: &[&str] = &[
    "=",
    "a",
    ";",
    "=v; Path=/",
    "x=1; Domain=evil.example; Path=/",
    "x=1; Domain=.; Path=/",
    "x=1; Domain=qq.com.; Path=/",
    "x=1; Domain=com",
    "x=1; Domain=[::1]",
    "x=1; Max-Age=-1",
    "x=1; Max-Age=99999999999999999999",
    "x=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    "x=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT",
    "x=\"q\"; Path=",
    "x=1; Path=/cgi-bin/../../",
    "x=1; Secure; HttpOnly; SameSite=None; Partitioned",
    "wxuin=; Max-Age=0; Domain=wx2.qq.com; Path=/",
    "wxsid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=.qq.com; Path=/",
    "mm_lang=zh_CN; Domain=.wx2.qq.com; Path=/; Domain=evil.example",
    "__Host-x=1; Path=/; Secure",
    "x=1;;;;; ; ;Path=/",
];

/// The Set-Cookie headers of one answer (none when the byte is 0).
fn cookies(input: &mut Input<'_>, byte: u8, secrets: &Secrets) -> Vec<HeaderValue> {
    let mut out: Vec<String> = Vec::new();
    let n = usize::from(byte >> 3);
    match byte % 8 {
        0 => {}
        1 => {
            // What the real server sets with the ticket, the values secret.
            for c in [
                format!(
                    "wxsid={}; Domain=wx2.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT",
                    secrets.sid
                ),
                format!(
                    "webwx_data_ticket={}; Domain=.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT",
                    secrets.data_ticket
                ),
                format!(
                    "webwx_auth_ticket={}; Domain=wx2.qq.com; Path=/",
                    secrets.data_ticket
                ),
                "wxuin=42; Domain=wx2.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT".into(),
                "wxloadtime=1764000000; Domain=wx.qq.com; Path=/".into(),
                format!("wxsid={}; Domain=127.0.0.1; Path=/", secrets.sid),
            ] {
                out.push(c);
            }
        }
        2 => {
            // Many.
            for i in 0..(n + 1) * 8 {
                out.push(format!("c{byte}_{i}=v{i}; Path=/; Domain=.qq.com"));
            }
        }
        3 => {
            // Long.
            let len = (n + 1) * 2_048;
            out.push(format!("long{n}={}; Path=/", "v".repeat(len)));
            out.push(format!("{}=x; Path=/", "n".repeat(len)));
        }
        4 => out.push(ODD_COOKIES[n % ODD_COOKIES.len()].to_string()),
        5 => {
            // Raw bytes from the input, as many headers as the byte says.
            let mut raw = Vec::new();
            for _ in 0..=n % 4 {
                let len = usize::from(input.byte());
                if let Ok(v) = HeaderValue::from_bytes(input.bytes(len)) {
                    raw.push(v);
                }
            }
            return raw;
        }
        6 => {
            for domain in [
                "evil.example",
                "qq.com.evil.example",
                "wechat.com",
                "localhost",
            ] {
                out.push(format!("f{n}=1; Domain={domain}; Path=/"));
            }
        }
        _ => {
            out.push(format!(
                "wxsid={}; Domain=wx2.qq.com; Path=/; Max-Age={}",
                secrets.sid,
                i64::from(byte) - 200
            ));
        }
    }
    out.iter()
        .filter_map(|s| HeaderValue::from_str(s).ok())
        .collect()
}

/// One answer the model gives.
struct Answer {
    status: u16,
    body: String,
    location: Option<String>,
    /// For a webwxsync answer: what it carried.
    sync: Option<SyncSent>,
}

impl Answer {
    fn ok(body: String) -> Answer {
        Answer {
            status: 200,
            body,
            location: None,
            sync: None,
        }
    }
}

/// What a model webwxsync answer moves the client past: the ids of the messages from the
/// position its request's SyncKey stood at to the position of its own SyncKey (not the
/// duplicates before it), and that position and the key's nonce (`None`: no key, or not a `Ret`
/// 0 answer).
struct SyncSent {
    ids: Vec<String>,
    to: Option<(usize, u64)>,
}

/// The model server.
struct Model {
    /// Message ids, by position.
    log: Vec<u64>,
    next_msg_id: u64,
    /// Where the previous sync answer started (duplicates are sent from there).
    previous_from: usize,
    next_contact: u32,
    next_uuid: u32,
    /// The nonce of the next SyncKey.
    next_nonce: u64,
}

/// Chats the messages come from.
const CHATS: &[&str] = &["@f1", "@@g1", "filehelper", "@c3", "@me", "@@r7"];
/// Message types.
const TYPES: &[u32] = &[1, 1, 1, 3, 34, 37, 42, 43, 47, 49, 51, 62, 10000, 10002];

/// A SyncKey at position `pos`; key 2 is a nonce, so that an answer's key tells whether the
/// client took exactly that answer.
fn key_json(pos: usize, nonce: u64) -> String {
    format!(
        r#"{{"Count":2,"List":[{{"Key":1,"Val":{}}},{{"Key":2,"Val":{nonce}}}]}}"#,
        BASE + pos as u64
    )
}

/// Key 1 of a SyncKey in JSON form.
fn key1_of(key: &serde_json::Value) -> Option<u64> {
    key["List"].as_array()?.iter().find(|e| e["Key"] == 1)?["Val"].as_u64()
}

/// Key `k` of the client's SyncKey (0 without one).
fn key_of(c: &Client, k: u64) -> u64 {
    c.sync_key()
        .list
        .iter()
        .find(|e| e.key == k)
        .map_or(0, |e| e.val)
}

/// Key 1 of the client's SyncKey: the model position.
fn key1(c: &Client) -> u64 {
    key_of(c, 1)
}

fn ret_of(x: u8) -> i64 {
    match x % 16 {
        0..=9 => 0,
        10 | 11 => 1205,
        12 => 1101,
        13 => 1100,
        14 => 1102,
        _ => -1,
    }
}

impl Model {
    /// The position a key 1 value stands for, if it is one of the model's.
    fn position(&self, k1: u64) -> Option<usize> {
        let pos = usize::try_from(k1.checked_sub(BASE)?).ok()?;
        (pos <= self.log.len()).then_some(pos)
    }

    fn contact(&mut self, w: u8, secrets: &Secrets) -> String {
        self.next_contact += 1;
        let n = if w & 1 == 0 {
            u32::from(w % 80)
        } else {
            self.next_contact
        };
        let head = format!(
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=9&username=@c{n}&skey={}",
            secrets.skey
        );
        if w & 2 == 0 {
            format!(
                r#"{{"UserName":"@c{n}","NickName":"c{n} &amp; <span class=\"emoji emoji1f600\"></span>","RemarkName":"r{n}","HeadImgUrl":"{head}","VerifyFlag":{}}}"#,
                [0, 8, 24][n as usize % 3]
            )
        } else {
            let members: Vec<String> = (0..=u32::from(w >> 4))
                .map(|m| {
                    format!(r#"{{"UserName":"@m{m}","NickName":"m{m}","DisplayName":"d{m}"}}"#)
                })
                .collect();
            format!(
                r#"{{"UserName":"@@r{n}","NickName":"room {n}","HeadImgUrl":"{head}","MemberCount":{},"MemberList":[{}],"EncryChatRoomId":"@e{n}"}}"#,
                members.len(),
                members.join(",")
            )
        }
    }

    fn message(id: u64) -> String {
        let chat = CHATS[(id % CHATS.len() as u64) as usize];
        let kind = TYPES[(id / 3 % TYPES.len() as u64) as usize];
        let (from, to) = if chat == "@me" {
            ("@me", "@f1")
        } else {
            (chat, "@me")
        };
        let content = if chat.starts_with("@@") {
            format!("@m1:<br/>m{id} &lt;b&gt; @me\u{2005}")
        } else if kind == 49 {
            format!(
                "&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;t{id}&lt;/title&gt;&lt;type&gt;5&lt;/type&gt;&lt;url&gt;https://mp.weixin.qq.com/s/{id}&lt;/url&gt;&lt;/appmsg&gt;&lt;/msg&gt;"
            )
        } else {
            format!("m{id}")
        };
        format!(
            r#"{{"MsgId":"{id}","NewMsgId":{id},"FromUserName":"{from}","ToUserName":"{to}","MsgType":{kind},"Content":"{content}","CreateTime":1764000120,"Status":3}}"#
        )
    }

    /// The webwxsync answer to a request whose SyncKey stands at `from`.
    fn sync(&mut self, from: usize, ch: Choice, secrets: &Secrets) -> Answer {
        let take = usize::from(4 - ch.w % 5);
        let to = (from + take).min(self.log.len());
        let start = if ch.v & 1 != 0 {
            self.previous_from.min(from)
        } else {
            from
        };
        self.previous_from = from;
        let mut ids: Vec<u64> = self.log.get(start..to).unwrap_or_default().to_vec();
        if ch.v & 2 != 0
            && let Some(&first) = ids.first()
        {
            ids.push(first);
        }
        if ch.v & 4 != 0 {
            ids.reverse();
        }
        let msgs: Vec<String> = ids.iter().map(|id| Model::message(*id)).collect();
        let keyed = ch.v & 8 == 0;
        self.next_nonce += 1;
        let nonce = self.next_nonce;
        let ret = ret_of(ch.x);
        let continue_flag = u8::from(to < self.log.len()) ^ u8::from(ch.v & 128 != 0);
        let mut extra = String::new();
        if ch.v & 16 != 0 {
            let m = self.contact(ch.w, secrets);
            let d = format!(r#"{{"UserName":"@c{}"}}"#, ch.w % 80);
            let room = self.contact(ch.w | 2, secrets);
            extra.push_str(&format!(
                r#","ModContactCount":1,"ModContactList":[{m}],"DelContactCount":1,"DelContactList":[{d}],"ModChatRoomMemberCount":1,"ModChatRoomMemberList":[{room}]"#
            ));
        }
        if ch.v & 32 != 0 {
            extra.push_str(&format!(
                r#","Profile":{{"BitFlag":190,"UserName":{{"Buff":"@me"}},"NickName":{{"Buff":"me {}"}},"Signature":"s","HeadImgUrl":"/cgi-bin/mmwebwx-bin/webwxgeticon?seq=2&username=@me&skey={}","Sex":1,"Alias":"a"}}"#,
                ch.w, secrets.skey
            ));
        } else {
            extra.push_str(r#","Profile":{"BitFlag":0}"#);
        }
        if ch.v & 64 != 0 {
            extra.push_str(&format!(r#","SKey":"{}""#, secrets.sync_skey));
        }
        // The SyncCheckKey moves with the SyncKey, as the real server's does.
        let key = if keyed {
            let key = key_json(to, nonce);
            format!("{key},\"SyncCheckKey\":{key}")
        } else {
            r#"{"Count":0,"List":[]},"SyncCheckKey":{"Count":0,"List":[]}"#.to_string()
        };
        let body = format!(
            r#"{{"BaseResponse":{{"Ret":{ret},"ErrMsg":""}},"AddMsgCount":{},"AddMsgList":[{}],"ContinueFlag":{continue_flag},"SyncKey":{key}{extra}}}"#,
            msgs.len(),
            msgs.join(",")
        );
        let passed = self.log.get(from..to).unwrap_or_default();
        Answer {
            sync: Some(SyncSent {
                ids: passed.iter().map(u64::to_string).collect(),
                to: (keyed && ret == 0).then_some((to, nonce)),
            }),
            ..Answer::ok(body)
        }
    }

    /// The model's answer to `t` (the answer of a good server when `ch` is all zeros).
    fn answer(
        &mut self,
        t: &Transmit,
        ch: Choice,
        input: &mut Input<'_>,
        secrets: &Secrets,
    ) -> Answer {
        match t.endpoint {
            Endpoint::JsLogin => Answer::ok(match ch.v % 8 {
                0..=5 => {
                    self.next_uuid += 1;
                    format!(
                        r#"window.QRLogin.code = 200; window.QRLogin.uuid = "Qb7xN{}Mw==";"#,
                        self.next_uuid
                    )
                }
                6 => "window.QRLogin.code = 400;".into(),
                _ => r#"window.QRLogin.code = 200; window.QRLogin.uuid = "";"#.into(),
            }),
            Endpoint::LoginPoll => Answer::ok(match ch.v % 12 {
                0..=3 => {
                    let uri = if ch.w.is_multiple_of(4) {
                        format!(
                            "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket={}&uuid=Qb7xN1e2Mw==&lang=zh_CN&scan=1764000000",
                            secrets.login_ticket
                        )
                    } else {
                        redirect_uri(input, &secrets.login_ticket)
                    };
                    format!(
                        "window.code=200;\nwindow.redirect_uri=\"{}\";",
                        js_string(&uri)
                    )
                }
                4 => "window.code=408;".into(),
                5 => "window.code=201;window.userAvatar = 'data:img/jpg;base64,/9j/4AAQ';".into(),
                6 => "window.code=201;".into(),
                7 => "window.code=202;".into(),
                8 => "window.code=400;".into(),
                9 => "window.code=500;".into(),
                10 => "window.code=200;".into(),
                _ => format!("window.code={};", i16::from_le_bytes([ch.w, ch.x])),
            }),
            Endpoint::Ticket => self.ticket(t, ch, input, secrets),
            Endpoint::Init => {
                let pos = self.log.len().saturating_sub(usize::from(ch.w % 4));
                self.next_nonce += 1;
                Answer::ok(format!(
                    r#"{{"BaseResponse":{{"Ret":{},"ErrMsg":""}},"Count":2,"ContactList":[{{"UserName":"@@g1","NickName":"g","MemberCount":2,"MemberList":[{{"UserName":"@m1","NickName":"m1"}},{{"UserName":"@me"}}]}},{{"UserName":"filehelper","NickName":"文件传输助手"}}],"SyncKey":{},"User":{{"Uin":42,"UserName":"@me","NickName":"me","HeadImgUrl":"/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@me&skey={}"}},"ChatSet":"@@g1,filehelper","SKey":"{}","SystemTime":1764000000}}"#,
                    ret_of(ch.x),
                    key_json(pos, self.next_nonce),
                    secrets.skey,
                    if ch.v & 1 != 0 {
                        secrets.sync_skey.as_str()
                    } else {
                        ""
                    }
                ))
            }
            Endpoint::GetContact => {
                let seq: u64 = t
                    .request
                    .uri()
                    .query()
                    .unwrap_or_default()
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("seq="))
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let next = if ch.v & 1 != 0 {
                    seq + 1 + u64::from(ch.v >> 6)
                } else {
                    0
                };
                let members: Vec<String> = (0..=usize::from(ch.w % 4))
                    .map(|_| self.contact(ch.w.wrapping_add(ch.v), secrets))
                    .collect();
                Answer::ok(format!(
                    r#"{{"BaseResponse":{{"Ret":{},"ErrMsg":""}},"MemberCount":{},"MemberList":[{}],"Seq":{next}}}"#,
                    ret_of(ch.x),
                    members.len(),
                    members.join(",")
                ))
            }
            Endpoint::BatchGetContact => {
                let body: serde_json::Value =
                    serde_json::from_slice(t.request.body()).unwrap_or_default();
                let groups: Vec<String> = body["List"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .filter_map(|e| e["UserName"].as_str())
                            .map(|g| {
                                let members: Vec<String> = (0..=usize::from(ch.w % 24))
                                    .map(|m| format!(r#"{{"UserName":"@m{m}","NickName":"m{m}","DisplayName":""}}"#))
                                    .collect();
                                format!(
                                    r#"{{"UserName":"{g}","NickName":"group","MemberCount":{},"MemberList":[{}],"EncryChatRoomId":"@e"}}"#,
                                    members.len(),
                                    members.join(",")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Answer::ok(format!(
                    r#"{{"BaseResponse":{{"Ret":{},"ErrMsg":""}},"Count":{},"ContactList":[{}]}}"#,
                    ret_of(ch.x),
                    groups.len(),
                    groups.join(",")
                ))
            }
            Endpoint::SyncCheck => {
                let retcode = match ch.x % 16 {
                    0..=10 => 0,
                    11 | 12 => 1205,
                    13 => 1101,
                    14 => 1100 + i64::from(ch.w % 3) * 2,
                    _ => -1,
                };
                let selector = match ch.v % 8 {
                    0 => {
                        // A good server: "sync" while the log holds more than the client has.
                        let pos = t
                            .request
                            .uri()
                            .query()
                            .unwrap_or_default()
                            .split('&')
                            .find_map(|kv| kv.strip_prefix("synckey="))
                            .and_then(|key| key.split("%7C").find_map(|kv| kv.strip_prefix("1_")))
                            .and_then(|v| v.parse().ok())
                            .and_then(|k1| self.position(k1));
                        i64::from(pos.is_none_or(|p| p < self.log.len())) * 2
                    }
                    1 => 0,
                    2 => 2,
                    3 => 4,
                    4 => 6,
                    5 => 7,
                    6 => 3,
                    _ => i64::from(i16::from_le_bytes([ch.w, ch.v])),
                };
                Answer::ok(format!(
                    r#"window.synccheck={{retcode:"{retcode}",selector:"{selector}"}}"#
                ))
            }
            Endpoint::Sync => {
                let body: serde_json::Value =
                    serde_json::from_slice(t.request.body()).unwrap_or_default();
                // A key the model never gave out (after garbage moved it): from the end.
                let from = key1_of(&body["SyncKey"])
                    .and_then(|k1| self.position(k1))
                    .unwrap_or(self.log.len());
                self.sync(from, ch, secrets)
            }
            Endpoint::SendMsg => Answer::ok(format!(
                r#"{{"BaseResponse":{{"Ret":{},"ErrMsg":""}},"MsgID":"{}","LocalID":"1"}}"#,
                ret_of(ch.x),
                9_000 + u32::from(ch.w)
            )),
            Endpoint::UploadMedia => Answer::ok(format!(
                r#"{{"BaseResponse":{{"Ret":{},"ErrMsg":""}},"MediaId":"{}","StartPos":0}}"#,
                ret_of(ch.x),
                if ch.v % 4 == 0 { "" } else { "@crypt_up" }
            )),
            Endpoint::CheckUpload => Answer::ok(format!(
                r#"{{"BaseResponse":{{"Ret":{},"ErrMsg":""}},"MediaId":"{}","AESKey":"k","Signature":"s"}}"#,
                ret_of(ch.x),
                if ch.v % 2 == 0 { "" } else { "@crypt_have" }
            )),
            Endpoint::PushLogin => Answer::ok(match ch.v % 4 {
                0 | 1 => {
                    self.next_uuid += 1;
                    format!(
                        r#"{{"ret":"0","msg":"all ok","uuid":"Pu5h{}Uu1d=="}}"#,
                        self.next_uuid
                    )
                }
                2 => r#"{"ret":"1","msg":"refused"}"#.into(),
                _ => r#"{"ret":"0","msg":"","uuid":""}"#.into(),
            }),
            Endpoint::Logout => Answer {
                status: [200, 301, 302, 500][usize::from(ch.v % 4)],
                ..Answer::ok(String::new())
            },
            _ => Answer::ok(format!(
                r#"{{"BaseResponse":{{"Ret":{},"ErrMsg":""}}}}"#,
                ret_of(ch.x)
            )),
        }
    }

    /// The answer of `webwxnewloginpage`: the credentials, a refusal, a `<redirecturl>` (to an
    /// odd or foreign place, or back to the same URL), in a 200 or a 3xx.
    fn ticket(
        &mut self,
        t: &Transmit,
        ch: Choice,
        input: &mut Input<'_>,
        secrets: &Secrets,
    ) -> Answer {
        let creds = format!(
            "<skey>{}</skey><wxsid>{}</wxsid><wxuin>42</wxuin><pass_ticket>{}</pass_ticket><isgrayscale>1</isgrayscale>",
            secrets.skey, secrets.sid, secrets.pass_ticket
        );
        let body = match ch.v % 10 {
            0..=3 => format!("<error><ret>0</ret><message></message>{creds}</error>"),
            4 => "<error><ret>1203</ret><message>为了你的帐号安全，此微信号不能登录网页微信。</message></error>".into(),
            5 => format!(
                "<error><ret>0</ret><message></message><redirecturl>{}</redirecturl></error>",
                xml_text(&t.request.uri().to_string())
            ),
            6 | 7 => format!(
                "<error><ret>0</ret><message></message><redirecturl>{}</redirecturl>{}</error>",
                xml_text(&redirect_uri(input, &secrets.login_ticket)),
                if ch.v & 16 != 0 { creds.as_str() } else { "" }
            ),
            8 => format!(
                "<error><ret>0</ret><message>OK</message><skey>{}</skey><wxuin>42</wxuin></error>",
                secrets.skey
            ),
            _ => format!(
                "<error><ret>0</ret><message></message><skey>{}</skey><wxsid>{}</wxsid><wxuin>{}</wxuin><pass_ticket>{}</pass_ticket></error>",
                secrets.skey, secrets.sid, i32::from_le_bytes([ch.w, ch.x, 0, 0]) - 1, secrets.pass_ticket
            ),
        };
        let status = match ch.w % 8 {
            0..=4 => 200,
            5 => 301,
            6 => 302,
            _ => 307,
        };
        Answer {
            status,
            body,
            location: (status != 200).then(|| "https://wx2.qq.com/".to_string()),
            sync: None,
        }
    }
}

/// Whether `host` may receive a request: the login origin's host, a WeChat host (`qq.com`,
/// `wechat.com` and their subdomains, letters, digits, dots and dashes only), or an allowed host.
fn host_ok(host: &str, login_host: &str, allowed: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    let name = host.strip_suffix('.').unwrap_or(&host);
    let ldh = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let within = |domain: &str| {
        name == domain
            || name
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
    };
    host == login_host
        || (ldh && (within("qq.com") || within("wechat.com")))
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(&host))
}

/// The whole run: the client, the model, the application's view and the checks' memory.
struct Run {
    config: Config,
    client: Client,
    model: Model,
    secrets: Secrets,
    login_host: String,
    /// The harness's clock, and the latest time passed to the client.
    now: u64,
    client_now: u64,
    pending: Vec<Transmit>,
    /// How many times the application took each message id.
    taken: HashMap<String, u32>,
    /// Every message id any answer carried (while there are no more than the client remembers,
    /// a second delivery is a bug).
    carried: HashSet<String>,
    /// Message ids of model answers the client accepted (its SyncKey advanced past them).
    accepted: HashSet<String>,
    /// Accepted ids dropped untaken by a crash restart, not taken since.
    dropped: HashSet<String>,
    /// Dropped ids whose session ended before a resumed client could fetch them again.
    excused: HashSet<String>,
    /// Garbage moved the SyncKey: the model no longer knows where the client stands.
    tainted: bool,
    /// Key 1 after the previous step (the SyncKey never goes back on a model answer).
    last_key: u64,
    /// The most messages one sync answer carried since the event queue was last emptied.
    burst: usize,
    /// Whether the client has been live (Ready, Resumed, or the end taken): before that it
    /// holds messages back where taking events cannot empty them, so `burst` is not reset.
    live: bool,
    /// Room for the client's `Debug` output, checked after every step that called into it.
    debug: String,
    /// Whether this step called into the client (taking events only removes from it).
    touched: bool,
}

impl Run {
    /// The time to pass to the client now (every call into the client that can change it takes
    /// one).
    fn at(&mut self) -> Timestamp {
        self.client_now = self.now;
        self.touched = true;
        Timestamp::from_unix_millis(self.now)
    }

    fn pick(&mut self, index: u8) -> Option<Transmit> {
        (!self.pending.is_empty())
            .then(|| self.pending.remove(usize::from(index) % self.pending.len()))
    }

    /// Feeds an answer; sync answers also update the burst and the accepted ids.
    fn respond(&mut self, t: &Transmit, answer: Answer, cookies: Vec<HeaderValue>) {
        let mut r = Response::new(Bytes::from(answer.body));
        *r.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
        for c in cookies {
            r.headers_mut().append(SET_COOKIE, c);
        }
        if let Some(l) = answer.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            r.headers_mut().insert(LOCATION, l);
        }
        self.note_sync_body(t.endpoint, r.body());
        if trace() {
            eprintln!(
                "  {} {} <- {} {}",
                t.endpoint,
                t.request.uri(),
                r.status(),
                String::from_utf8_lossy(r.body())
            );
        }
        let at = self.at();
        self.client.handle_response(t.id, r, at);
        if let Some(sent) = answer.sync
            && let Some((to, nonce)) = sent.to
            && self.model.position(key1(&self.client)) == Some(to)
            && key_of(&self.client, 2) == nonce
            && !self.tainted
        {
            self.accepted.extend(sent.ids);
        }
    }

    /// The messages a sync answer carries, for the burst bound and the memory of ids.
    fn note_sync_body(&mut self, endpoint: Endpoint, body: &[u8]) {
        if endpoint != Endpoint::Sync {
            return;
        }
        if let Ok(answer) = parse_sync(body) {
            self.burst = self.burst.max(answer.add_msg_list.len());
            self.carried
                .extend(answer.add_msg_list.iter().map(|m| m.dedup_id()));
        }
    }

    /// Takes up to `n` events as the application; returns how many messages came out, and
    /// whether the queue was emptied.
    fn take(&mut self, n: usize) -> (usize, bool) {
        let mut messages = 0;
        for _ in 0..n {
            let Some(event) = self.client.poll_event() else {
                return (messages, true);
            };
            self.secrets
                .assert_absent("an event", &format!("{event:?}"));
            if matches!(
                event,
                Event::Ready { .. } | Event::Resumed { .. } | Event::LoggedOut { .. } | Event::Failed(_)
            ) {
                self.live = true;
            }
            if let Event::Message(m) = event {
                messages += 1;
                self.dropped.remove(&m.id);
                let count = self.taken.entry(m.id.clone()).or_default();
                *count += 1;
                assert!(
                    *count == 1
                        || m.id.is_empty()
                        || self.carried.len() > self.config.limits.max_remembered_msg_ids,
                    "message {} delivered {count} times",
                    m.id
                );
            }
        }
        (messages, false)
    }

    /// Takes every event, checking that the messages waiting were within the back-pressure
    /// bound: `max_queued_events` plus the largest answer that could have added to them.
    fn take_all(&mut self) {
        let (messages, _) = self.take(usize::MAX);
        assert!(
            messages <= self.config.max_queued_events + self.burst,
            "{messages} messages were waiting (max_queued_events {}, largest answer {})",
            self.config.max_queued_events,
            self.burst
        );
        if self.live {
            self.burst = 0;
        }
    }

    /// Saves the session through JSON and continues with a client resumed from it. A crash
    /// drops the events the application has not taken; a clean restart takes them first.
    fn restart(&mut self, crash: bool, start: bool) {
        if !crash {
            self.take_all();
        }
        let Some(saved) = self.client.save() else {
            return;
        };
        self.secrets
            .assert_absent("a saved session", &format!("{saved:?}"));
        let json = serde_json::to_vec(&saved).expect("a saved session serialises");
        // The contacts are saved apart, and read back as well.
        let contacts = serde_json::to_vec(self.client.contacts()).expect("contacts serialise");
        let back = serde_json::from_slice::<SavedSession>(&json)
            .expect("and reads back")
            .with_contacts(serde_json::from_slice(&contacts).expect("contacts read back"));
        let resumed =
            Client::resume(self.config.clone(), back).expect("a session it saved resumes");
        let mut old = std::mem::replace(&mut self.client, resumed);
        while let Some(event) = old.poll_event() {
            self.secrets
                .assert_absent("an event never taken", &format!("{event:?}"));
            if let Event::Message(m) = event
                && self.accepted.contains(&m.id)
            {
                self.dropped.insert(m.id.clone());
            }
        }
        // Messages the old client still held back (before it was live) were not taken either.
        for id in &self.accepted {
            if self.taken.get(id).copied().unwrap_or(0) == 0 {
                self.dropped.insert(id.clone());
            }
        }
        self.pending.clear();
        self.burst = 0;
        self.live = false;
        self.last_key = key1(&self.client);
        let at = self.at();
        if start {
            self.client.start(at).expect("a resumed client starts");
        } else {
            self.client
                .logout(at)
                .expect("a resumed client can log out unstarted");
        }
    }

    /// Answers the client's requests for a file's bytes: mostly with them, sometimes with too
    /// few, sometimes with a read error (decided by the clock, which the input drives).
    fn feed_chunks(&mut self) {
        while let Some(r) = self.client.poll_chunk_request() {
            let at = self.at();
            match (self.now / 10) % 8 {
                0 => self.client.handle_chunk_error(r.handle, "unreadable", at),
                1 => {
                    let short = Bytes::from(vec![0x5a; r.len / 2]);
                    let _ = self.client.handle_chunk(r.handle, r.offset, short, at);
                }
                _ => {
                    let bytes = Bytes::from(vec![0x5a; r.len]);
                    self.client
                        .handle_chunk(r.handle, r.offset, bytes, at)
                        .expect("the bytes asked for are taken");
                }
            }
        }
    }

    /// The checks after every step.
    fn check(&mut self) {
        self.feed_chunks();
        let c = &mut self.client;
        let fresh: Vec<Transmit> = std::iter::from_fn(|| c.poll_transmit()).collect();
        for t in &fresh {
            let host = t.request.uri().host().unwrap_or_default();
            assert!(
                host_ok(host, &self.login_host, &self.config.allowed_hosts),
                "a {} request to {}",
                t.endpoint,
                t.request.uri()
            );
            self.secrets
                .assert_absent("a request's Debug", &format!("{t:?}"));
            if let Some(header) = t.request.headers().get("cookie") {
                // The jar holds at most 50 cookies of at most 4 KiB (the core's documented bound).
                let pairs = header.as_bytes().split(|b| *b == b';').count();
                assert!(
                    pairs <= 50 && header.len() <= 50 * (4_096 + 2),
                    "a {} request carries {pairs} cookies in {} bytes",
                    t.endpoint,
                    header.len()
                );
            }
        }
        self.pending.extend(fresh);
        if self.pending.len() > MAX_PENDING {
            // The transport never reports the oldest ones.
            self.pending.drain(..self.pending.len() - MAX_PENDING);
        }
        let c = &self.client;
        assert!(c.in_flight() <= 8, "{} requests in flight", c.in_flight());
        if c.state().is_terminal() {
            assert_eq!(c.in_flight(), 0, "a request in flight after the end");
            assert_eq!(c.poll_timeout(), None, "a timer after the end");
        }
        if let Some(due) = c.poll_timeout() {
            let limit = Timestamp::from_unix_millis(self.client_now).after(TIMER_SLACK);
            assert!(
                due <= limit,
                "a timer at {due:?}, more than {TIMER_SLACK:?} after {}",
                self.client_now
            );
        }
        if std::mem::take(&mut self.touched) {
            self.debug.clear();
            // Writing to a String does not fail.
            let _ = write!(self.debug, "{c:?}");
            self.secrets
                .assert_absent("the client's Debug", &self.debug);
        }
        let k = key1(c);
        if !self.tainted {
            assert!(
                k >= self.last_key,
                "the SyncKey went back from {} to {k}",
                self.last_key
            );
        }
        self.last_key = k;
        if !matches!(c.state(), State::Ready | State::Resuming) {
            // The session the dropped messages belonged to is over for this client.
            self.excused.extend(self.dropped.drain());
        }
    }

    /// One step of the input.
    fn step(&mut self, input: &mut Input<'_>) {
        let op = input.byte();
        self.now += u64::from(op >> 4) * 100;
        match op % 16 {
            0..=5 => {
                let index = input.byte();
                let ch = Choice::read(input);
                if let Some(t) = self.pick(index) {
                    let answer = self.model.answer(&t, ch, input, &self.secrets);
                    let cookies = cookies(input, ch.cookies, &self.secrets);
                    // A new login starts a new SyncKey.
                    if matches!(t.endpoint, Endpoint::Ticket | Endpoint::Init) {
                        self.last_key = 0;
                    }
                    self.respond(&t, answer, cookies);
                }
            }
            6 => {
                let index = input.byte();
                let status = 100 + u16::from(input.byte()) * 4;
                let len = usize::from(input.u16() % 4_096);
                let body = input.bytes(len);
                let ck = input.byte();
                if let Some(t) = self.pick(index) {
                    let before = key1(&self.client);
                    let mut r = Response::new(Bytes::copy_from_slice(body));
                    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                    for c in cookies(input, ck, &self.secrets) {
                        r.headers_mut().append(SET_COOKIE, c);
                    }
                    self.note_sync_body(t.endpoint, r.body());
                    let at = self.at();
                    self.client.handle_response(t.id, r, at);
                    if key1(&self.client) != before {
                        self.tainted = true;
                    }
                }
            }
            7 => {
                let index = input.byte();
                let kind = input.pick(&[
                    TransportErrorKind::Timeout,
                    TransportErrorKind::Connect,
                    TransportErrorKind::Reset,
                    TransportErrorKind::Tls,
                    TransportErrorKind::BodyTooLarge,
                    TransportErrorKind::Other,
                ]);
                if let Some(t) = self.pick(index) {
                    let at = self.at();
                    self.client.handle_transport_error(t.id, kind, at);
                }
            }
            8 => {
                if let Some(due) = self.client.poll_timeout() {
                    self.now = self.now.max(due.as_unix_millis());
                }
                let at = self.at();
                self.client.handle_timeout(at);
            }
            9 => {
                // The clock steps, by up to 18 hours forwards or backwards (or 45 days).
                let how = input.byte();
                let unit: u64 = match how % 3 {
                    0 => 1,
                    1 => 1_000,
                    _ => 60_000,
                };
                let amount = u64::from(input.u16()) * unit;
                self.now = if how & 4 != 0 {
                    self.now.saturating_sub(amount)
                } else {
                    self.now.saturating_add(amount)
                };
                if how & 8 != 0 {
                    let at = self.at();
                    self.client.handle_timeout(at);
                }
            }
            10 => {
                let what = input.byte();
                let at = self.at();
                let chat = ["@f1", "@@g1", "filehelper", "", "@c3"][usize::from(what >> 5) % 5];
                let _ = match what % 8 {
                    0..=2 => self.client.send_text(chat, "hi 你好", at).map(|_| ()),
                    3 => {
                        // A file: its kind and size from the byte (up to three chunks), its
                        // bytes fed when asked (see `feed_chunks`).
                        let name = ["a.png", "b.mp4", "c.gif", "d.pdf"][usize::from(what >> 3) % 4];
                        let size = [1u64, 700, CHUNK_SIZE as u64 + 1, 3 * CHUNK_SIZE as u64]
                            [usize::from(what >> 5) % 4];
                        let mut info = FileInfo::new(name, size);
                        if what & 4 != 0 {
                            info = info.md5([7; 16]);
                        }
                        self.client.send_file(chat, info, at).map(|_| ())
                    }
                    4 | 5 => self.client.mark_read(chat, at),
                    6 if what & 16 != 0 => self.client.logout(at),
                    7 => {
                        // An operation: its answer is the model's plain `BaseResponse` (any Ret).
                        let two = ["@f1".to_string(), "@c3".to_string()];
                        match (what >> 4) % 6 {
                            0 => self.client.revoke(chat, "9001", "17640000000000123", at),
                            1 => self.client.accept_friend(chat, "v1_ticket", at),
                            2 => self.client.set_pinned(chat, what & 8 != 0, at),
                            3 => self.client.create_group(&two, "g", at),
                            4 => self.client.add_members("@@g1", &two, at),
                            _ => self.client.search_contacts("a", at),
                        }
                        .map(|_| ())
                    }
                    _ => self.client.start(at),
                };
            }
            11 => {
                let n = input.byte();
                if n == 255 {
                    self.take_all();
                } else {
                    let (_, emptied) = self.take(usize::from(n));
                    if emptied && self.live {
                        self.burst = 0;
                    }
                }
            }
            12 => {
                let n = usize::from(input.byte() % 5);
                for _ in 0..n.min(MAX_LOG - self.model.log.len()) {
                    self.model.log.push(self.model.next_msg_id);
                    self.model.next_msg_id += 1;
                }
            }
            13 => {
                let how = input.byte();
                match how % 4 {
                    0 => {
                        if let Some(saved) = self.client.save() {
                            self.secrets
                                .assert_absent("a saved session", &format!("{saved:?}"));
                        }
                    }
                    1 => self.restart(false, true),
                    2 => self.restart(true, true),
                    _ => self.restart(true, how & 4 != 0),
                }
            }
            14 => {
                // Lost: the transport never reports (the request's deadline must fire).
                let index = input.byte();
                let _ = self.pick(index);
            }
            _ => {
                let index = input.byte();
                let status = input.pick(&[500u16, 502, 503, 504, 404, 403, 429, 304, 204]);
                if let Some(t) = self.pick(index) {
                    let mut r = Response::new(Bytes::from_static(b"<html>busy</html>"));
                    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                    let at = self.at();
                    self.client.handle_response(t.id, r, at);
                }
            }
        }
        self.check();
        if trace() {
            eprintln!(
                "step {:>2}: {:<28} key {} of {} in flight {:?} taken {} accepted {}",
                op % 16,
                format!("{:?}", self.client.state()),
                key1(&self.client).saturating_sub(BASE),
                self.model.log.len(),
                self.pending.iter().map(|t| t.endpoint).collect::<Vec<_>>(),
                self.taken.len(),
                self.accepted.len(),
            );
        }
    }

    /// Good answers only until the client has caught up with the model (or ended).
    fn drain(&mut self) {
        let mut none = Input { data: &[], pos: 0 };
        for _ in 0..DRAIN_STEPS {
            // Taking every event first lets a paused message loop go on.
            self.take_all();
            self.check();
            let c = &self.client;
            let caught_up = *c.state() == State::Ready
                && self.model.position(key1(c)) == Some(self.model.log.len())
                && self.dropped.is_empty();
            if c.state().is_terminal() || caught_up {
                break;
            }
            if let Some(t) = self.pending.pop() {
                self.now += 10;
                let answer = self
                    .model
                    .answer(&t, Choice::default(), &mut none, &self.secrets);
                if matches!(t.endpoint, Endpoint::Ticket | Endpoint::Init) {
                    self.last_key = 0;
                }
                self.respond(&t, answer, Vec::new());
            } else if let Some(due) = self.client.poll_timeout() {
                self.now = self.now.max(due.as_unix_millis());
                let at = self.at();
                self.client.handle_timeout(at);
            } else {
                panic!("the client waits for nothing in {:?}", self.client.state());
            }
        }
        self.take_all();
        if self.tainted {
            return;
        }
        let c = &self.client;
        if !c.state().is_terminal() {
            assert_eq!(c.state(), &State::Ready, "a live client ends up ready");
            assert_eq!(
                self.model.position(key1(c)),
                Some(self.model.log.len()),
                "a live client catches up with the model"
            );
        }
        for id in &self.accepted {
            let n = self.taken.get(id).copied().unwrap_or(0);
            assert!(
                n == 1 || (n == 0 && self.excused.contains(id)),
                "message {id} of an accepted answer was delivered {n} times"
            );
        }
    }
}

/// The configuration, from the first bytes of the input.
fn config(input: &mut Input<'_>) -> Config {
    let flags = input.byte();
    let mut config = Config::new(u64::from(input.byte()));
    if flags & 1 != 0 {
        config = config
            .with_login_origin("http://127.0.0.1:8080")
            .with_allowed_host("127.0.0.1");
    }
    config.desktop_mode = flags & 2 != 0;
    config.min_send_interval = if flags & 4 != 0 {
        Duration::from_secs(1)
    } else {
        Duration::ZERO
    };
    config.max_queued_events = [4_096, 1, 2, 5, 16, 64][usize::from(flags >> 3) % 6];
    let base = Duration::from_millis(10 << (input.byte() % 7));
    let cap = Duration::from_secs(1 + u64::from(input.byte() % 60));
    let mut retry = RetryPolicy::new(base, cap, 1 + u32::from(input.byte() % 12));
    retry.offline_after = 1 + u32::from(input.byte() % 4);
    config.retry = retry;
    let mut limits = Limits::default();
    limits.max_contacts = 64;
    limits.max_group_members = 16;
    limits.max_contact_pages = 8;
    limits.max_send_queue = 8;
    limits.max_body_bytes = 1 << 20;
    config.limits = limits;
    config
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut input = Input { data, pos: 0 };
    let config = config(&mut input);
    let login_host = url::Url::parse(&config.login_origin)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let mut client = Client::new(config.clone());
    client
        .start(Timestamp::from_unix_millis(T0))
        .expect("a new client starts");
    let mut run = Run {
        config,
        client,
        model: Model {
            log: Vec::new(),
            next_msg_id: 4_611_686_018_427_387_904,
            previous_from: 0,
            next_contact: 0,
            next_uuid: 0,
            next_nonce: 0,
        },
        secrets: Secrets::of(data),
        login_host,
        now: T0,
        client_now: T0,
        pending: Vec::new(),
        taken: HashMap::new(),
        carried: HashSet::new(),
        accepted: HashSet::new(),
        dropped: HashSet::new(),
        excused: HashSet::new(),
        tainted: false,
        last_key: 0,
        burst: 0,
        live: false,
        debug: String::new(),
        touched: true,
    };
    run.check();
    for _ in 0..MAX_STEPS {
        if input.is_empty() {
            break;
        }
        run.step(&mut input);
    }
    run.drain();
});
