//! `Client::resume` from arbitrary JSON: bytes → `serde_json::from_slice::<SavedSession>` (and its
//! `contacts`, saved apart by applications, read from the same object as a `ContactStore`) →
//! `Client::resume` → `start`, then a few steps driven with canned answers.
//!
//! The input is the JSON of a saved session with a `contacts` list beside its fields, optionally followed by a `0xFF` byte (never part of
//! JSON), a byte that makes one of the session's lists longer (see `grow`; without it a hash of
//! the input picks), and a script: one byte a step, picking which request to answer and how.
//!
//! Checked: no panic; the resumed client holds no more than the configuration's `Limits` allow
//! (contacts, members of a contact, queued sends, SyncKey entries, remembered message ids), and
//! no request carries more than 50 cookies, however large the saved lists (a session over the
//! limits may also be refused); at most 8 requests in flight; `Debug` of the saved session, the
//! client and every event never shows the saved credentials or cookie values (the harness puts
//! secrets of its own into them before resuming); a session saved by the resumed client reads
//! back and resumes again.
#![no_main]

use std::time::Duration;
use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::{
    Client, Config, ContactStore, Endpoint, Limits, SavedSession, Timestamp, Transmit,
};

/// The clock at the start (2025-11-24T16:00:00Z).
const T0: u64 = 1_764_000_000_000;
/// The most steps the script drives.
const MAX_STEPS: usize = 64;
/// A marker no input can predict (it is a hash of the input): every secret the harness puts
/// into the saved session holds it.
fn marker(data: &[u8]) -> String {
    format!("{:016x}", fnv(data))
}

/// 64-bit FNV-1a.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Limits smaller than the defaults, as an application that lowered them since it saved the
/// session (and small enough that a fuzz input can exceed them).
fn config() -> Config {
    let mut limits = Limits::default();
    limits.max_contacts = 32;
    limits.max_group_members = 8;
    limits.max_send_queue = 4;
    limits.max_sync_key_entries = 8;
    limits.max_remembered_msg_ids = 16;
    limits.max_body_bytes = 1 << 20;
    Config::new(5)
        .with_limits(limits)
        .with_allowed_host("127.0.0.1")
        .with_min_send_interval(Duration::ZERO)
}

/// Makes one list of the saved session longer, as `grow` says: its low 3 bits pick the list
/// (none, contacts, a contact's members, queued sends, SyncKey, SyncCheckKey, remembered ids,
/// cookies), the rest how many entries are added (1 to 63), so that sessions over the limits are
/// as easy to reach as any other.
fn grow(value: &mut serde_json::Value, cookies: &mut Vec<serde_json::Value>, grow: u8) {
    use serde_json::{Value, json};
    let n = 1 + usize::from(grow >> 3) * 2;
    let push_n = |list: Option<&mut Vec<Value>>, make: &dyn Fn(usize) -> Value| {
        if let Some(list) = list {
            list.extend((0..n).map(make));
        }
    };
    match grow % 8 {
        1 => push_n(
            value["contacts"].as_array_mut(),
            &|i| json!({ "UserName": format!("@grown{i}"), "NickName": "g" }),
        ),
        2 => {
            if let Some(first) = value["contacts"]
                .as_array_mut()
                .and_then(|list| list.first_mut())
                .and_then(Value::as_object_mut)
            {
                let members = first.entry("MemberList").or_insert_with(|| json!([]));
                push_n(
                    members.as_array_mut(),
                    &|i| json!({ "UserName": format!("@m{i}") }),
                );
            }
        }
        3 => push_n(
            value["outbox"].as_array_mut(),
            &|i| json!({ "handle": 100 + i, "to": "filehelper", "text": "t", "local_id": i.to_string() }),
        ),
        4 => push_n(
            value["sync_key"]["List"].as_array_mut(),
            &|i| json!({ "Key": 3000 + i, "Val": i }),
        ),
        5 => push_n(
            value["sync_check_key"]["List"].as_array_mut(),
            &|i| json!({ "Key": 3000 + i, "Val": i }),
        ),
        6 => push_n(value["seen"]["order"].as_array_mut(), &|i| {
            (4_000_000 + i).to_string().into()
        }),
        7 => {
            if let Some(template) = cookies.first().cloned() {
                cookies.extend((0..n).map(|i| {
                    let mut c = template.clone();
                    c["raw_cookie"] = format!("grown{i}=1; Path=/; Domain=wx2.qq.com").into();
                    c
                }));
            }
        }
        _ => {}
    }
}

/// The saved session grown as `how` says (see [`grow`]), with secrets of the harness in its
/// credentials and in its cookies' values; `None` when the JSON does not have that shape.
fn prepared(json: &[u8], marker: &str, how: u8) -> Option<SavedSession> {
    let mut value: serde_json::Value = serde_json::from_slice(json).ok()?;
    let creds = value.get_mut("credentials")?.as_object_mut()?;
    creds.insert("sid".into(), format!("S{marker}sd").into());
    creds.insert("skey".into(), format!("@crypt_{marker}_sk").into());
    creds.insert("pass_ticket".into(), format!("P{marker}%2Bpt").into());
    let cookies: Option<serde_json::Value> = value
        .get("cookies")
        .and_then(|c| c.as_str())
        .and_then(|c| serde_json::from_str(c).ok());
    let mut list = match cookies {
        Some(serde_json::Value::Array(list)) => list,
        _ => Vec::new(),
    };
    grow(&mut value, &mut list, how);
    if !list.is_empty() {
        for (i, cookie) in list.iter_mut().enumerate() {
            let Some(raw) = cookie.get_mut("raw_cookie") else {
                continue;
            };
            let Some((name, rest)) = raw.as_str().and_then(|r| r.split_once('=')) else {
                continue;
            };
            let attrs = rest.split_once(';').map_or("", |(_, a)| a);
            *raw = format!("{name}=C{marker}{i};{attrs}").into();
        }
        value["cookies"] = serde_json::Value::Array(list).to_string().into();
    }
    saved_with_contacts(value)
}

/// The saved session of `value`, with the contacts of its `contacts` list (none when it has no
/// such list, or it does not read as one).
fn saved_with_contacts(mut value: serde_json::Value) -> Option<SavedSession> {
    let contacts = value
        .get_mut("contacts")
        .map(serde_json::Value::take)
        .and_then(|c| serde_json::from_value::<ContactStore>(c).ok())
        .unwrap_or_default();
    serde_json::from_value::<SavedSession>(value)
        .ok()
        .map(|saved| saved.with_contacts(contacts))
}

/// The most cookies the jar holds, and the longest one (the core's documented bound: 50 cookies
/// of at most 4 KiB, RFC 6265's minimums).
const MAX_COOKIES: usize = 50;
const MAX_COOKIE_BYTES: usize = 4_096;

/// Checks that a request carries no more cookies than the jar may hold.
fn assert_cookies_bounded(t: &Transmit) {
    let Some(header) = t.request.headers().get("cookie") else {
        return;
    };
    let pairs = header.as_bytes().split(|b| *b == b';').count();
    assert!(
        pairs <= MAX_COOKIES && header.len() <= MAX_COOKIES * (MAX_COOKIE_BYTES + 2),
        "a {} request carries {pairs} cookies in {} bytes",
        t.endpoint,
        header.len()
    );
}

/// Checks that the resumed client holds no more than the limits allow.
fn assert_within_limits(c: &Client) {
    let limits = &c.config().limits;
    assert!(
        c.contacts().len() <= limits.max_contacts,
        "{} contacts kept, limit {}",
        c.contacts().len(),
        limits.max_contacts
    );
    if let Some(big) = c
        .contacts()
        .iter()
        .find(|g| g.members().len() > limits.max_group_members)
    {
        panic!(
            "a group of {} members kept, limit {}",
            big.members().len(),
            limits.max_group_members
        );
    }
    assert!(
        c.pending_sends() <= limits.max_send_queue,
        "{} queued sends kept, limit {}",
        c.pending_sends(),
        limits.max_send_queue
    );
    for key in [c.sync_key(), c.sync_check_key()] {
        assert!(
            key.list.len() <= limits.max_sync_key_entries,
            "a SyncKey of {} entries kept, limit {}",
            key.list.len(),
            limits.max_sync_key_entries
        );
    }
    if let Some(saved) = c.save() {
        let json = serde_json::to_value(&saved).expect("a saved session serialises");
        let seen = json["seen"]["order"].as_array().map_or(0, Vec::len);
        assert!(
            seen <= limits.max_remembered_msg_ids,
            "{seen} message ids remembered, limit {}",
            limits.max_remembered_msg_ids
        );
    }
}

/// The canned answer `choice` gives to `t`.
fn answer(t: &Transmit, choice: u8) -> Response<Bytes> {
    let body: &'static str = match (t.endpoint, choice % 4) {
        (Endpoint::Sync, 0 | 1) => {
            r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"AddMsgCount":1,"AddMsgList":[{"MsgId":"4611686018427387905","FromUserName":"filehelper","ToUserName":"@me","MsgType":1,"Content":"hi"}],"ModContactCount":1,"ModContactList":[{"UserName":"@new","NickName":"n"}],"ContinueFlag":0,"SyncKey":{"Count":1,"List":[{"Key":1,"Val":9}]},"SKey":""}"#
        }
        (Endpoint::Sync, 2) => r#"{"BaseResponse":{"Ret":1101,"ErrMsg":""}}"#,
        (Endpoint::Sync, _) => r#"{"BaseResponse":{"Ret":1205,"ErrMsg":""}}"#,
        (Endpoint::SyncCheck, 0 | 1) => r#"window.synccheck={retcode:"0",selector:"2"}"#,
        (Endpoint::SyncCheck, 2) => r#"window.synccheck={retcode:"1101",selector:"0"}"#,
        (Endpoint::SyncCheck, _) => r#"window.synccheck={retcode:"0",selector:"0"}"#,
        (Endpoint::PushLogin, 0 | 1) => r#"{"ret":"0","msg":"all ok","uuid":"Pu5hUu1d=="}"#,
        (Endpoint::PushLogin, _) => r#"{"ret":"1","msg":"refused"}"#,
        (Endpoint::JsLogin, _) => {
            r#"window.QRLogin.code = 200; window.QRLogin.uuid = "Qb7xN1e2Mw==";"#
        }
        (Endpoint::LoginPoll, 0 | 1) => {
            r#"window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U";"#
        }
        (Endpoint::LoginPoll, _) => "window.code=408;",
        (Endpoint::Ticket, _) => {
            "<error><ret>0</ret><message></message><skey>@crypt_1</skey><wxsid>sid</wxsid><wxuin>42</wxuin><pass_ticket>p</pass_ticket></error>"
        }
        (Endpoint::Init, _) => {
            r#"{"BaseResponse":{"Ret":0},"User":{"UserName":"@me","NickName":"me"},"ContactList":[],"SyncKey":{"Count":1,"List":[{"Key":1,"Val":1}]}}"#
        }
        (Endpoint::GetContact, _) => {
            r#"{"BaseResponse":{"Ret":0},"MemberList":[{"UserName":"@f"}],"Seq":0}"#
        }
        (Endpoint::BatchGetContact, _) => r#"{"BaseResponse":{"Ret":0},"ContactList":[]}"#,
        (Endpoint::SendMsg, 0 | 1) => {
            r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MsgID":"9","LocalID":"1"}"#
        }
        _ => r#"{"BaseResponse":{"Ret":1205,"ErrMsg":""}}"#,
    };
    Response::new(Bytes::from_static(body.as_bytes()))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (json, script) = match data.iter().rposition(|b| *b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    // Without a script, the hash of the input picks the list to grow: a byte deep in a large
    // JSON input is rarely what a mutation changes, the hash changes with every mutation.
    let (how, script) = script
        .split_first()
        .map_or((fnv(data).to_le_bytes()[0], script), |(h, s)| (*h, s));
    let Some(saved) = serde_json::from_slice(json).ok().and_then(saved_with_contacts) else {
        return;
    };
    let marker = marker(data);
    // Grown and with the harness's secrets when the JSON has the usual shape, else as it came.
    let (saved, secret) = match prepared(json, &marker, how) {
        Some(s) => (s, true),
        None => (saved, false),
    };
    let assert_clean = |what: &str, text: &str| {
        assert!(
            !(secret && text.contains(&marker)),
            "a saved secret in {what}: {text}"
        );
    };
    assert_clean("the saved session", &format!("{saved:?}"));
    let Ok(mut c) = Client::resume(config(), saved) else {
        return;
    };
    assert_within_limits(&c);
    assert_clean("the resumed client", &format!("{c:?}"));
    let mut now = T0;
    let _ = c.start(Timestamp::from_unix_millis(now));
    let mut pending: Vec<Transmit> = std::iter::from_fn(|| c.poll_transmit()).collect();
    pending.iter().for_each(assert_cookies_bounded);
    for &step in script.iter().take(MAX_STEPS) {
        now += 700;
        let at = Timestamp::from_unix_millis(now);
        let fresh: Vec<Transmit> = std::iter::from_fn(|| c.poll_transmit()).collect();
        fresh.iter().for_each(assert_cookies_bounded);
        pending.extend(fresh);
        match step >> 6 {
            0 | 1 => {
                if !pending.is_empty() {
                    let t = pending.remove(usize::from(step) % pending.len());
                    c.handle_response(t.id, answer(&t, step >> 2), at);
                }
            }
            2 => {
                let due = c
                    .poll_timeout()
                    .map_or(now, |t| t.as_unix_millis().max(now));
                now = due;
                c.handle_timeout(Timestamp::from_unix_millis(now));
            }
            _ => {
                let _ = match step % 4 {
                    0 => c.send_text("filehelper", "hi", at).map(|_| ()),
                    1 => c.mark_read("filehelper", at),
                    2 => c.logout(at),
                    _ => {
                        // A session the resumed client saves reads back and resumes again.
                        if let Some(again) = c.save() {
                            let json = serde_json::to_vec(&again).expect("it serialises");
                            let contacts =
                                serde_json::to_vec(c.contacts()).expect("contacts serialise");
                            let back = serde_json::from_slice::<SavedSession>(&json)
                                .expect("and reads back")
                                .with_contacts(
                                    serde_json::from_slice(&contacts).expect("contacts read back"),
                                );
                            c = Client::resume(config(), back).expect("and resumes");
                            pending.clear();
                            let _ = c.start(at);
                        }
                        Ok(())
                    }
                };
            }
        }
        while let Some(event) = c.poll_event() {
            assert_clean("an event", &format!("{event:?}"));
        }
        assert_clean("the client", &format!("{c:?}"));
        assert!(c.in_flight() <= 8, "{} requests in flight", c.in_flight());
        assert_within_limits(&c);
    }
});
