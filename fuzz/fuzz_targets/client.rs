//! The whole machine: an arbitrary sequence of answers (good, garbage, any status), transport
//! errors, timeouts and commands, with the invariants checked after every step: no panic,
//! bounded queues, no request after the end, SyncKey never going backwards, every message id
//! delivered at most once.
#![no_main]

use std::collections::HashSet;
use std::time::Duration;
use webwx_core::bytes::Bytes;
use webwx_core::http::{Response, StatusCode};
use webwx_core::{Client, Config, Endpoint, Event, Timestamp, Transmit, TransportErrorKind};

const T0: u64 = 1_764_000_000_000;

/// The harness plays a server whose SyncKey only grows and whose message ids are fresh, except
/// when it deliberately delivers the previous messages again.
struct Server {
    key: u64,
    next_id: u64,
    last_ids: Vec<u64>,
}

impl Server {
    fn answer(&mut self, endpoint: Endpoint, a: u8) -> (u16, Vec<u8>) {
        let key = |k: u64| {
            format!(r#"{{"Count":2,"List":[{{"Key":1,"Val":{k}}},{{"Key":2,"Val":{k}}}]}}"#)
        };
        let body = match endpoint {
            Endpoint::JsLogin => r#"window.QRLogin.code = 200; window.QRLogin.uuid = "Qb7xN1e2Mw==";"#.to_string(),
            Endpoint::LoginPoll => match a % 6 {
                0 => "window.code=408;".into(),
                1 => "window.code=201;".into(),
                2 => "window.code=202;".into(),
                3 => "window.code=400;".into(),
                _ => r#"window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=U&lang=zh_CN&scan=1";"#.into(),
            },
            Endpoint::Ticket if a % 8 == 0 => "<error><ret>1203</ret><message>no</message></error>".into(),
            Endpoint::Ticket => "<error><ret>0</ret><message></message><skey>@crypt_1</skey><wxsid>sid</wxsid><wxuin>42</wxuin><pass_ticket>p%2B</pass_ticket></error>".into(),
            Endpoint::Init => {
                self.key += 1;
                format!(r#"{{"BaseResponse":{{"Ret":0}},"User":{{"UserName":"@me","NickName":"me"}},"ContactList":[{{"UserName":"@@g","MemberList":[{{"UserName":"@a"}}]}}],"SyncKey":{}}}"#, key(self.key))
            }
            Endpoint::GetContact => format!(r#"{{"BaseResponse":{{"Ret":0}},"MemberList":[{{"UserName":"@f{a}"}}],"Seq":{}}}"#, a % 3),
            Endpoint::SyncCheck => match a % 5 {
                0 => r#"window.synccheck={retcode:"0",selector:"0"}"#.into(),
                1 | 2 => r#"window.synccheck={retcode:"0",selector:"2"}"#.into(),
                3 => r#"window.synccheck={retcode:"1205",selector:"0"}"#.into(),
                _ => r#"window.synccheck={retcode:"1101",selector:"0"}"#.into(),
            },
            Endpoint::Sync => {
                let ids: Vec<u64> = if a % 4 == 0 && !self.last_ids.is_empty() {
                    let mut again = self.last_ids.clone();
                    again.push(self.next_id);
                    self.next_id += 1;
                    again
                } else {
                    (0..u64::from(a % 3)).map(|_| { self.next_id += 1; self.next_id }).collect()
                };
                self.last_ids = ids.clone();
                let msgs: Vec<String> = ids
                    .iter()
                    .map(|id| format!(r#"{{"MsgId":"{id}","FromUserName":"@@g","ToUserName":"@me","MsgType":{},"Content":"@a:<br/>hi &amp; <span class=\"emoji emoji1f600\"></span>"}}"#, [1, 49, 10002, 37][(*id % 4) as usize]))
                    .collect();
                let k = if a % 5 == 0 { String::from(r#"{"Count":0,"List":[]}"#) } else { self.key += 1; key(self.key) };
                format!(r#"{{"BaseResponse":{{"Ret":{}}},"AddMsgList":[{}],"SyncKey":{k},"ContinueFlag":{}}}"#,
                    if a % 11 == 0 { 1205 } else { 0 }, msgs.join(","), u8::from(a % 7 == 0))
            }
            Endpoint::SendMsg => format!(r#"{{"BaseResponse":{{"Ret":{}}},"MsgID":"9","LocalID":"1"}}"#, if a % 3 == 0 { 1205 } else { 0 }),
            Endpoint::PushLogin => r#"{"ret":"0","msg":"all ok","uuid":"Pu5hUu1d=="}"#.into(),
            _ => r#"{"BaseResponse":{"Ret":0}}"#.into(),
        };
        (200, body.into_bytes())
    }
}

fn key1(c: &Client) -> u64 {
    c.sync_key().list.first().map_or(0, |e| e.val)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut config = Config::new(1);
    config.min_send_interval = Duration::ZERO;
    let mut c = Client::new(config);
    let mut now = T0;
    let _ = c.start(Timestamp::from_unix_millis(now));
    let mut pending: Vec<Transmit> = Vec::new();
    let mut server = Server {
        key: 700,
        next_id: 1,
        last_ids: Vec::new(),
    };
    let mut seen: HashSet<String> = HashSet::new();
    for (step, chunk) in data.chunks(3).enumerate() {
        let [op, a, b] = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        now += u64::from(b) * 50;
        let at = Timestamp::from_unix_millis(now);
        let before = key1(&c);
        let pick = |pending: &mut Vec<Transmit>| {
            (!pending.is_empty()).then(|| pending.remove(usize::from(a) % pending.len()))
        };
        match op % 8 {
            0..=2 => {
                if let Some(t) = pick(&mut pending) {
                    let (status, body) = server.answer(t.endpoint, a ^ b);
                    let mut r = Response::new(Bytes::from(body));
                    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                    c.handle_response(t.id, r, at);
                }
            }
            3 => {
                if let Some(t) = pick(&mut pending) {
                    let garbage = data.get(step * 3..).unwrap_or_default();
                    let garbage = &garbage[..garbage.len().min(usize::from(b))];
                    let mut r = Response::new(Bytes::copy_from_slice(garbage));
                    *r.status_mut() =
                        StatusCode::from_u16(200 + u16::from(a) * 2).unwrap_or(StatusCode::OK);
                    c.handle_response(t.id, r, at);
                }
            }
            4 => {
                if let Some(t) = pick(&mut pending) {
                    let kinds = [
                        TransportErrorKind::Timeout,
                        TransportErrorKind::Connect,
                        TransportErrorKind::Reset,
                        TransportErrorKind::Tls,
                        TransportErrorKind::BodyTooLarge,
                        TransportErrorKind::Other,
                    ];
                    c.handle_transport_error(t.id, kinds[usize::from(b) % kinds.len()], at);
                }
            }
            5 => {
                let due = c
                    .poll_timeout()
                    .map_or(now, |t| t.as_unix_millis().max(now));
                now = due;
                c.handle_timeout(Timestamp::from_unix_millis(now));
            }
            6 => {
                let _ = match a % 4 {
                    0 => c.send_text("@f1", "hi", at).map(|_| ()),
                    1 => c.mark_read("@f1", at),
                    2 if b % 16 == 0 => c.logout(at),
                    _ => Ok(()),
                };
            }
            _ => {
                if let Some(saved) = c.save() {
                    assert_eq!(saved.sync_key(), c.sync_key());
                }
            }
        }
        pending.extend(std::iter::from_fn(|| c.poll_transmit()));
        while let Some(event) = c.poll_event() {
            if let Event::Message(m) = event {
                assert!(
                    seen.insert(m.id.clone()),
                    "message {} delivered twice",
                    m.id
                );
            }
        }
        assert!(key1(&c) >= before, "SyncKey went backwards");
        assert!(pending.len() <= 8, "{} requests in flight", pending.len());
        if c.state().is_terminal() {
            assert!(c.poll_transmit().is_none(), "a request after the end");
            assert_eq!(c.poll_timeout(), None);
            pending.clear();
        }
    }
});
