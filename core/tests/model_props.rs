//! A model of the server, and random interleavings of its answers, faults, sends and timeouts:
//! the client receives exactly the messages the model sent, in order per chat, with no
//! duplicates and no losses, and every send is answered exactly once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use webwx_core::bytes::Bytes;
use webwx_core::http::{Response, StatusCode};
use webwx_core::{Endpoint, Event, RetryPolicy, SendHandle, Transmit, TransportErrorKind};

/// What the model does with one request.
#[derive(Clone, Copy, Debug)]
enum Reply {
    Good,
    Lost,
    Status5xx,
    Truncated,
    RateLimited,
    Duplicate,
}

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        6 => Just(Reply::Good),
        1 => Just(Reply::Lost),
        1 => Just(Reply::Status5xx),
        1 => Just(Reply::Truncated),
        1 => Just(Reply::RateLimited),
        1 => Just(Reply::Duplicate),
    ]
}

/// The model server: a log of messages; the SyncKey's Key 1 is `BASE + position`.
struct Model {
    log: Vec<(String, String)>,
    previous_from: usize,
    next_msg_id: u64,
}

const BASE: u64 = 702_345_611;
const CHATS: [&str; 3] = [
    "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e",
    "@@7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d",
    "filehelper",
];

impl Model {
    fn key(&self, pos: usize) -> String {
        format!(
            r#"{{"Count":2,"List":[{{"Key":1,"Val":{}}},{{"Key":2,"Val":1}}]}}"#,
            BASE + pos as u64
        )
    }

    fn position(body: &[u8]) -> usize {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        let k1 = v["SyncKey"]["List"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["Key"] == 1)
            .unwrap()["Val"]
            .as_u64()
            .unwrap();
        usize::try_from(k1 - BASE).unwrap()
    }

    fn synccheck_position(t: &Transmit) -> usize {
        let q = t.request.uri().query().unwrap().to_string();
        let key = q
            .split("synckey=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        let k1: u64 = key
            .split("%7C")
            .find_map(|kv| kv.strip_prefix("1_"))
            .unwrap()
            .parse()
            .unwrap();
        usize::try_from(k1 - BASE).unwrap()
    }

    fn sync_body(&mut self, from: usize, duplicate: bool) -> String {
        let to = (from + 3).min(self.log.len());
        let start = if duplicate {
            self.previous_from.min(from)
        } else {
            from
        };
        self.previous_from = from;
        let msgs: Vec<String> = self.log[start..to]
            .iter()
            .map(|(chat, id)| {
                let content = if chat.starts_with("@@") { format!("@e1f3a5c7b9d2f4a6c8e0b1d3f5a7c9e2:<br/>m{id}") } else { format!("m{id}") };
                format!(r#"{{"MsgId":"{id}","FromUserName":"{chat}","ToUserName":"@me","MsgType":1,"Content":"{content}"}}"#)
            })
            .collect();
        format!(
            r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"AddMsgCount":{},"AddMsgList":[{}],"SyncKey":{},"ContinueFlag":{}}}"#,
            msgs.len(),
            msgs.join(","),
            self.key(to),
            u8::from(to < self.log.len())
        )
    }
}

fn respond(body: String) -> Response<Bytes> {
    Response::new(Bytes::from(body))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn exactly_the_model_messages_in_order_and_every_send_once(
        arrivals in proptest::collection::vec((0usize..3, 0usize..4), 1..12),
        replies in proptest::collection::vec(reply(), 200),
        sends in proptest::collection::vec(0usize..3, 0..6),
    ) {
        let mut config = config().with_min_send_interval(Duration::from_millis(10));
        config.retry = RetryPolicy::new(Duration::from_millis(10), Duration::from_millis(80), 1_000);
        let (mut c, first) = started(config);
        login_to_ready(&mut c, first);
        events(&mut c);
        let mut model = Model { log: vec![], previous_from: 0, next_msg_id: 1 };
        let mut now = at(10_000);
        let mut pending: Vec<Transmit> = drain(&mut c);
        let mut got: Vec<(String, String)> = vec![];
        let mut ids = HashSet::new();
        let mut handles: HashMap<SendHandle, u32> = HashMap::new();
        let mut sent_texts = vec![];
        let mut arrivals = arrivals.into_iter();
        let mut sends = sends.into_iter();
        let mut replies = replies.into_iter().cycle();

        for step in 0..600 {
            now = now.after(Duration::from_millis(7));
            // New messages arrive at the model now and then; the application sends now and then.
            if step % 5 == 0 && let Some((chat, n)) = arrivals.next() {
                for _ in 0..n {
                    model.log.push((CHATS[chat].to_string(), format!("{}", model.next_msg_id)));
                    model.next_msg_id += 1;
                }
            }
            if step % 7 == 3 && let Some(chat) = sends.next() {
                let text = format!("reply {step}");
                let h = c.send_text(CHATS[chat], &text, now).unwrap();
                handles.insert(h, 0);
                sent_texts.push(text);
            }
            pending.extend(drain(&mut c));
            if let Some(t) = (!pending.is_empty()).then(|| pending.remove(step % pending.len())) {
                let r = replies.next().unwrap();
                let good = match t.endpoint {
                    Endpoint::SyncCheck => {
                        let pos = Model::synccheck_position(&t);
                        let selector = if pos < model.log.len() { 2 } else { 0 };
                        format!(r#"window.synccheck={{retcode:"0",selector:"{selector}"}}"#)
                    }
                    Endpoint::Sync => {
                        let pos = Model::position(t.request.body());
                        model.sync_body(pos, matches!(r, Reply::Duplicate))
                    }
                    Endpoint::SendMsg => r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MsgID":"77","LocalID":"1"}"#.to_string(),
                    other => panic!("unexpected {other}"),
                };
                match r {
                    Reply::Good | Reply::Duplicate => c.handle_response(t.id, respond(good), now),
                    Reply::Lost => c.handle_transport_error(t.id, TransportErrorKind::Reset, now),
                    Reply::Status5xx => {
                        let mut resp = respond("busy".into());
                        *resp.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                        c.handle_response(t.id, resp, now);
                    }
                    Reply::Truncated => c.handle_response(t.id, respond(good[..good.len() / 2].to_string()), now),
                    Reply::RateLimited if t.endpoint == Endpoint::SyncCheck => {
                        c.handle_response(t.id, respond(r#"window.synccheck={retcode:"1205",selector:"0"}"#.into()), now)
                    }
                    Reply::RateLimited => c.handle_response(t.id, respond(r#"{"BaseResponse":{"Ret":1205,"ErrMsg":""}}"#.into()), now),
                }
            } else if let Some(due) = c.poll_timeout() {
                now = now.max(due);
                c.handle_timeout(now);
            }
            for e in events(&mut c) {
                match e {
                    Event::Message(m) => {
                        prop_assert!(ids.insert(m.id.clone()), "message {} twice", m.id);
                        got.push((m.chat.clone(), m.id.clone()));
                    }
                    Event::Sent { handle, .. } => *handles.get_mut(&handle).unwrap() += 1,
                    Event::SendFailed { error, .. } => prop_assert!(false, "a send failed: {}", error),
                    Event::Retrying { .. } | Event::Offline { .. } | Event::Online => {}
                    other => prop_assert!(false, "unexpected {:?}", other),
                }
            }
        }
        // Let everything settle with good answers only.
        for _ in 0..400 {
            pending.extend(drain(&mut c));
            if let Some(t) = pending.pop() {
                let good = match t.endpoint {
                    Endpoint::SyncCheck => {
                        let selector = if Model::synccheck_position(&t) < model.log.len() { 2 } else { 0 };
                        format!(r#"window.synccheck={{retcode:"0",selector:"{selector}"}}"#)
                    }
                    Endpoint::Sync => model.sync_body(Model::position(t.request.body()), false),
                    _ => r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MsgID":"77","LocalID":"1"}"#.to_string(),
                };
                now = now.after(Duration::from_millis(5));
                c.handle_response(t.id, respond(good), now);
            } else if let Some(due) = c.poll_timeout() {
                now = now.max(due);
                c.handle_timeout(now);
            }
            for e in events(&mut c) {
                match e {
                    Event::Message(m) => {
                        prop_assert!(ids.insert(m.id.clone()), "message {} twice", m.id);
                        got.push((m.chat.clone(), m.id.clone()));
                    }
                    Event::Sent { handle, .. } => *handles.get_mut(&handle).unwrap() += 1,
                    _ => {}
                }
            }
        }
        // Exactly the model's messages, in order per chat.
        let per_chat = |list: &[(String, String)]| {
            let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (chat, id) in list {
                m.entry(chat.clone()).or_default().push(id.clone());
            }
            m
        };
        prop_assert_eq!(per_chat(&got), per_chat(&model.log));
        prop_assert!(handles.values().all(|n| *n == 1), "every send answered once: {:?}", handles);
    }
}
