//! The message loop against a hostile or absent server (issue 12): every loop the server can
//! drive is paced, an outage of any length does not end a ready session, timers survive clock
//! steps, a request the transport never reports is given up at its deadline, the loop waits for
//! an application that does not take its events, and a saved session never runs ahead of the
//! messages the application has taken.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use std::time::Duration;
use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::{
    Client, Config, Endpoint, Event, Failure, State, Timestamp, Transmit, TransportErrorKind,
};

/// A webwxsync answer with `ids` as text messages from a friend, `continue_flag`, and a SyncKey
/// whose key 1 is `key`.
fn sync_answer(ids: &[u64], continue_flag: u8, key: u64) -> Response<Bytes> {
    let msgs: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"MsgId":"{id}","FromUserName":"@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e","ToUserName":"@me","MsgType":1,"Content":"m{id}","CreateTime":1764000120}}"#
            )
        })
        .collect();
    let body = format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"AddMsgCount":{},"AddMsgList":[{}],"ModContactCount":0,"ModContactList":[],"DelContactCount":0,"DelContactList":[],"ModChatRoomMemberCount":0,"ModChatRoomMemberList":[],"Profile":{{"BitFlag":0}},"ContinueFlag":{continue_flag},"SyncKey":{{"Count":1,"List":[{{"Key":1,"Val":{key}}}]}},"SKey":""}}"#,
        ids.len(),
        msgs.join(",")
    );
    ok(Bytes::from(body))
}

fn selector(sel: u8) -> Response<Bytes> {
    ok(Bytes::from(format!(
        r#"window.synccheck={{retcode:"0",selector:"{sel}"}}"#
    )))
}

/// Runs the client for `span` of simulated time, answering each request at once with
/// `reply`, and waiting for timers when nothing is in flight. Returns the requests sent.
fn run_for(
    c: &mut Client,
    first: Transmit,
    start: Timestamp,
    span: Duration,
    mut reply: impl FnMut(&mut Client, &Transmit, Timestamp),
) -> Vec<Endpoint> {
    let end = start.after(span);
    let mut now = start;
    let mut pending = vec![first];
    let mut sent = vec![];
    while now < end {
        if let Some(t) = pending.pop() {
            sent.push(t.endpoint);
            now = now.after(Duration::from_millis(1));
            reply(c, &t, now);
        } else if let Some(due) = c.poll_timeout() {
            now = now.max(due);
            c.handle_timeout(now);
        } else {
            break;
        }
        pending.extend(drain(c));
        events(c);
    }
    sent
}

/// Runs a ready client for a minute against a server that says "sync" to every synccheck and
/// answers every webwxsync with nothing new, with `continue_flag`; returns the requests sent.
fn a_minute_of_empty_rounds(continue_flag: u8) -> (Client, Vec<Endpoint>) {
    let (mut c, check) = ready(config());
    let sent = run_for(
        &mut c,
        check,
        at(10_000),
        Duration::from_secs(60),
        |c, t, now| match t.endpoint {
            Endpoint::SyncCheck => c.handle_response(t.id, selector(2), now),
            Endpoint::Sync => c.handle_response(t.id, sync_answer(&[], continue_flag, 0), now),
            other => panic!("unexpected {other}"),
        },
    );
    (c, sent)
}

#[test]
fn a_server_that_keeps_saying_sync_with_nothing_is_paced() {
    let (c, sent) = a_minute_of_empty_rounds(0);
    // Unpaced, this was ~570 synccheck + 570 webwxsync a second; paced, one round a second.
    assert!(sent.len() <= 2 * 61, "{} requests in 60 s", sent.len());
    assert!(
        sent.len() >= 2 * 55,
        "the loop goes on: {} requests",
        sent.len()
    );
    assert_eq!(c.state(), &State::Ready);
}

#[test]
fn continue_flag_forever_with_nothing_is_paced() {
    let (_, sent) = a_minute_of_empty_rounds(1);
    let syncs = sent.iter().filter(|e| **e == Endpoint::Sync).count();
    assert!(syncs <= 62, "{syncs} syncs in 60 s (was ~450 a second)");
    assert!(syncs >= 50, "{syncs}");
}

#[test]
fn new_messages_keep_the_loop_going_at_once() {
    let (mut c, check) = ready(config());
    let mut next_id = 5_000;
    let mut got = 0;
    let sent = run_for(
        &mut c,
        check,
        at(10_000),
        Duration::from_millis(500),
        |c, t, now| match t.endpoint {
            Endpoint::SyncCheck => c.handle_response(t.id, selector(2), now),
            Endpoint::Sync => {
                next_id += 1;
                c.handle_response(t.id, sync_answer(&[next_id], 0, next_id), now);
                got += 1;
            }
            other => panic!("unexpected {other}"),
        },
    );
    // A busy chat is not slowed down: each round with news is followed at once.
    assert!(got >= 100, "{got} rounds in 0.5 s");
    assert!(sent.len() >= 200);
}

#[test]
fn an_hour_offline_does_not_end_a_ready_session() {
    let (mut c, check) = ready(config());
    let start = at(10_000);
    let mut offline = 0;
    let mut online = 0;
    let mut requests = 0;
    let mut now = start;
    let mut pending = vec![check];
    let end = start.after(Duration::from_secs(3_600));
    let mut outage = true;
    let mut delivered = 0;
    loop {
        if let Some(t) = pending.pop() {
            requests += 1;
            now = now.after(Duration::from_millis(1));
            if now >= end {
                outage = false;
            }
            match (outage, t.endpoint) {
                (true, _) => c.handle_transport_error(t.id, TransportErrorKind::Connect, now),
                (false, Endpoint::SyncCheck) => c.handle_response(t.id, selector(2), now),
                (false, Endpoint::Sync) => {
                    c.handle_response(t.id, sync_answer(&[42], 0, 9), now);
                }
                (false, other) => panic!("unexpected {other}"),
            }
        } else if let Some(due) = c.poll_timeout() {
            now = now.max(due);
            c.handle_timeout(now);
        }
        pending.extend(drain(&mut c));
        for e in events(&mut c) {
            match e {
                Event::Offline {
                    cause: Failure::Transport(TransportErrorKind::Connect),
                } => offline += 1,
                Event::Online => online += 1,
                Event::Message(_) => delivered += 1,
                Event::Retrying { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        if delivered == 1 {
            break;
        }
        assert_eq!(c.state(), &State::Ready, "at {now:?}");
    }
    assert_eq!((offline, online), (1, 1));
    // The capped backoff (60 s, half of it jitter): 60 to 120 tries an hour, not a spin.
    assert!(
        (60..=140).contains(&requests),
        "{requests} requests in an hour"
    );
}

#[test]
fn sends_still_fail_alone_while_offline() {
    let (mut c, check) = ready(config());
    c.handle_transport_error(check.id, TransportErrorKind::Connect, at(10_000));
    let h = c.send_text("filehelper", "hi", at(10_001)).unwrap();
    let mut now = at(10_001);
    let mut failed = false;
    for _ in 0..200 {
        for t in drain(&mut c) {
            c.handle_transport_error(t.id, TransportErrorKind::Connect, now);
        }
        for e in events(&mut c) {
            if let Event::SendFailed { handle, .. } = e {
                assert_eq!(handle, h);
                failed = true;
            }
        }
        let Some(due) = c.poll_timeout() else { break };
        now = now.max(due);
        c.handle_timeout(now);
    }
    assert!(failed, "the send used up its own budget");
    assert_eq!(c.state(), &State::Ready);
}

#[test]
fn a_clock_step_back_does_not_stall_the_loop() {
    let (mut c, check) = ready(config());
    let interval = Config::new(0).long_poll_min_interval;
    // An empty synccheck answered at once: the next one is paced one interval after this one
    // was sent (at 6.1 s, when the session became ready).
    c.handle_response(check.id, selector(0), at(6_200));
    assert!(c.poll_transmit().is_none());
    // The wall clock steps back an hour (NTP, suspend) before the timer fires.
    let stepped = at(6_300).before(Duration::from_secs(3_600));
    c.handle_timeout(stepped);
    assert!(c.poll_transmit().is_none());
    let due = c.poll_timeout().unwrap();
    assert!(
        due.saturating_since(stepped) <= interval,
        "the next synccheck is due within one interval, not after an hour: {:?}",
        due.saturating_since(stepped)
    );
    c.handle_timeout(due);
    next(&mut c, Endpoint::SyncCheck);
}

#[test]
fn a_clock_step_back_moves_retries_and_deadlines_too() {
    let (mut c, check) = ready(config());
    c.handle_transport_error(check.id, TransportErrorKind::Reset, at(20_000));
    let retry_at = c.poll_timeout().unwrap();
    let wait = retry_at.saturating_since(at(20_000));
    let back = at(20_000).before(Duration::from_secs(7_200));
    c.handle_timeout(back);
    assert_eq!(c.poll_timeout().unwrap(), back.after(wait));
    c.handle_timeout(back.after(wait));
    let again = next(&mut c, Endpoint::SyncCheck);
    // Its deadline counts from the stepped clock.
    let deadline = c.poll_timeout().unwrap();
    assert!(deadline.saturating_since(back.after(wait)) <= Duration::from_secs(80));
    drop(again);
}

#[test]
fn a_request_the_transport_never_reports_times_out_at_its_deadline() {
    let (mut c, check) = ready(config());
    // The transport lost the synccheck (a failed thread spawn, a task that died).
    let deadline = c.poll_timeout().unwrap();
    assert!(deadline > at(6_100).after(Duration::from_secs(35)));
    c.handle_timeout(deadline);
    let ev = events(&mut c);
    assert!(
        matches!(
            &ev[..],
            [Event::Retrying {
                endpoint: Endpoint::SyncCheck,
                cause: Failure::Transport(TransportErrorKind::Timeout),
                ..
            }]
        ),
        "{ev:?}"
    );
    assert_eq!(c.in_flight(), 0);
    // A late answer to the lost request is ignored; the retry goes out.
    c.handle_response(check.id, selector(2), deadline);
    assert!(c.poll_transmit().is_none());
    c.handle_timeout(c.poll_timeout().unwrap());
    next(&mut c, Endpoint::SyncCheck);
}

#[test]
fn the_loop_waits_for_an_application_that_does_not_take_its_events() {
    let mut config = config();
    config.max_queued_events = 10;
    let (mut c, check) = ready(config);
    c.handle_response(check.id, selector(2), at(10_000));
    let sync = next(&mut c, Endpoint::Sync);
    let ids: Vec<u64> = (100..130).collect();
    c.handle_response(sync.id, sync_answer(&ids, 0, 77), at(10_100));
    // 30 messages wait: no synccheck, no timer for it.
    assert!(c.poll_transmit().is_none());
    assert_eq!(c.poll_timeout(), None);
    // Commands are never paused.
    c.send_text("filehelper", "still here", at(10_200)).unwrap();
    next(&mut c, Endpoint::SendMsg);
    // Taking events below the cap lets the loop go on at once.
    let mut taken = 0;
    while c.poll_timeout().is_none_or(|t| t > at(10_300)) {
        assert!(matches!(c.poll_event(), Some(Event::Message(_))));
        taken += 1;
    }
    assert_eq!(taken, 21, "30 queued - 21 taken = 9, below the cap of 10");
    c.handle_timeout(at(10_300));
    next(&mut c, Endpoint::SyncCheck);
}

#[test]
fn a_saved_session_never_runs_ahead_of_the_application() {
    let (mut c, check) = ready(config());
    let before = c.sync_key().clone();
    c.handle_response(check.id, selector(2), at(10_000));
    let sync = next(&mut c, Endpoint::Sync);
    c.handle_response(sync.id, sync_answer(&[501, 502, 503], 0, 900), at(10_100));
    // The application took the first message only, then saved.
    let first = c.poll_event().unwrap();
    assert!(matches!(&first, Event::Message(m) if m.id == "501"));
    let saved = c.save().unwrap();
    assert_eq!(
        saved.sync_key(),
        &before,
        "the keys from before that answer"
    );
    // Resumed from it, the probe asks again from the old keys; the server sends the three
    // again; only the two the application never took are delivered.
    let mut r = Client::resume(config(), saved).unwrap();
    r.start(at(20_000)).unwrap();
    let probe = next(&mut r, Endpoint::Sync);
    let body: serde_json::Value = serde_json::from_slice(probe.request.body()).unwrap();
    assert_eq!(body["SyncKey"]["List"][0]["Key"], 1);
    assert_ne!(body["SyncKey"]["List"][0]["Val"], 900);
    r.handle_response(probe.id, sync_answer(&[501, 502, 503], 0, 900), at(20_100));
    let ids: Vec<String> = events(&mut r)
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.id),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["502", "503"]);
    // Once everything is taken, the save moves to the new keys.
    events(&mut c);
    let saved = c.save().unwrap();
    assert_eq!(saved.sync_key().list[0].val, 900);
}
