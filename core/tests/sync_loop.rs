//! The message loop: synccheck codes and selectors, webwxsync and everything it carries, the
//! SyncKey rules, faults, exactly-once delivery, sends, read marks and logout.
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
use webwx_core::message::AppMessage;
use webwx_core::{
    Client, Content, Endpoint, Error, Event, Failure, LogoutReason, Message, RetryPolicy, State,
    Transmit, TransportErrorKind, UsageError,
};

const ALICE: &str = "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e";
const BOB: &str = "@8d2e4f6a0c1b3d5e7f9a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b2d4f6a8c0e1b3d";
const FAM: &str = "@@7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d";
const NEWS: &str = "@c4e6b8d0f2a1c3e5b7d9f1a3c5e7b9d0";

fn messages(ev: &[Event]) -> Vec<&Message> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.as_ref()),
            _ => None,
        })
        .collect()
}

fn query(t: &Transmit) -> String {
    t.request.uri().query().unwrap_or_default().to_string()
}

/// Answers a synccheck with selector 2 and returns the sync request.
#[test]
fn selector_2_syncs_and_delivers_every_type() {
    let (mut c, check) = ready(config());
    assert!(
        query(&check).contains("synckey=1_702345611%7C2_702345679%7C3_702345601%7C1000_1763990000")
    );
    let sync = to_sync(&mut c, &check, at(10_000));
    let body: serde_json::Value = serde_json::from_slice(sync.request.body()).unwrap();
    assert_eq!(body["SyncKey"]["Count"], 4);
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-all-types.json")),
        at(10_100),
    );
    let ev = events(&mut c);
    let msgs = messages(&ev);
    assert_eq!(msgs.len(), 18);
    let content = |id: &str| &msgs.iter().find(|m| m.id == id).unwrap().content;

    assert_eq!(
        content("1001"),
        &Content::Text("你好 <Bob> & co\n第二行 😀🇨🇳".into())
    );
    let group = msgs.iter().find(|m| m.id == "1002").unwrap();
    assert!(group.is_group && group.mentions_me);
    assert_eq!(group.chat, FAM);
    let sender = group.group_sender.as_ref().unwrap();
    assert_eq!(sender.display_name, "老妈");
    assert_eq!(
        group.content,
        Content::Text("@小明\u{2005}吃饭了吗:\n快回来".into())
    );
    assert_eq!(content("1003"), &Content::Image);
    assert_eq!(content("1004"), &Content::Voice { duration_ms: 3000 });
    assert_eq!(
        content("1005"),
        &Content::FriendRequest {
            user_name: "@77aa88bb99cc00dd11ee22ff33aa44bb".into(),
            nick_name: "新朋友".into(),
            greeting: "我是新朋友".into(),
            ticket: webwx_core::Secret::new("v2_ticket@stranger".into())
        }
    );
    assert_eq!(
        content("1006"),
        &Content::Card {
            user_name: ALICE.into(),
            nick_name: "Alice".into(),
            alias: "alice_w".into()
        }
    );
    assert_eq!(content("1007"), &Content::Video { play_length: 15 });
    assert_eq!(
        content("1008"),
        &Content::Emoticon {
            md5: "4b5f3a2e1d0c9b8a7f6e5d4c3b2a1f0e".into(),
            url: "http://emoji.qpic.cn/wx_emoji/abc/".into()
        }
    );
    assert_eq!(
        content("1009"),
        &Content::Location {
            label: "深圳市南山区".into(),
            url: "https://apis.map.qq.com/uri/v1/geocoder?coord=22.5,113.9".into()
        }
    );
    let Content::App(link) = content("1010") else {
        panic!()
    };
    assert_eq!((link.app_type, link.title.as_str()), (5, "今日要闻 & 评论"));
    assert_eq!(link.url, "https://mp.weixin.qq.com/s?__biz=x&mid=1");
    assert_eq!(
        content("1011"),
        &Content::App(AppMessage {
            app_type: 6,
            title: "报告.pdf".into(),
            file_name: "报告.pdf".into(),
            file_size: 204_800,
            file_ext: "pdf".into(),
            app_id: "wx6618f1cfc6c132f8".into(),
            ..AppMessage::default()
        })
    );
    assert_eq!(
        content("1012"),
        &Content::StatusNotify {
            code: 4,
            user_names: vec!["filehelper".into(), ALICE.into()]
        }
    );
    assert_eq!(content("1013"), &Content::ShortVideo { play_length: 8 });
    assert_eq!(
        content("1014"),
        &Content::System("\"妈妈\"邀请\"鲍勃 Bob\"加入了群聊".into())
    );
    assert_eq!(
        content("1015"),
        &Content::Recalled {
            msg_id: "8765432109876543210".into(),
            old_msg_id: "1677000000".into(),
            notice: "\"鲍勃 Bob\" 撤回了一条消息".into(),
            seen: false,
        }
    );
    assert_eq!(content("1016"), &Content::SystemNotice("系统提示".into()));
    assert_eq!(
        content("1017"),
        &Content::Unknown {
            msg_type: 12345,
            text: "未来的消息类型 & 内容".into()
        }
    );
    let mine = msgs.iter().find(|m| m.id == "1018").unwrap();
    assert!(mine.outgoing);
    assert_eq!(mine.chat, ALICE);

    // Contact changes, removals and the profile were applied and announced.
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::ContactChanged(c) if c.user_name() == BOB))
    );
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::ContactRemoved { user_name } if user_name == NEWS))
    );
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::ProfileChanged(u) if u.nick_name() == "小明明"))
    );
    assert_eq!(c.contacts().get(BOB).unwrap().remark_name(), "老鲍");
    assert!(c.contacts().get(NEWS).is_none());
    assert_eq!(c.user().unwrap().signature(), "新签名");

    // Both keys advanced; synccheck now sends the SyncCheckKey.
    assert_eq!(c.sync_key().list.len(), 6);
    assert_eq!(c.sync_check_key().list.len(), 7);
    let check = next(&mut c, Endpoint::SyncCheck);
    assert!(
        query(&check).contains("%7C1001_1764000099&"),
        "{}",
        query(&check)
    );
}

#[test]
fn selector_0_polls_again_paced() {
    let (mut c, check) = ready(config());
    let sent_at = at(5_400); // the synccheck went out with the init answer
    answer(
        &mut c,
        &check,
        ok(sync_fixture("synccheck-0-0.js")),
        at(6_200),
    );
    assert!(
        c.poll_transmit().is_none(),
        "paced: not before long_poll_min_interval"
    );
    assert_eq!(
        c.poll_timeout(),
        Some(sent_at.after(Duration::from_secs(1)))
    );
    c.handle_timeout(sent_at.after(Duration::from_secs(1)));
    next(&mut c, Endpoint::SyncCheck);
    assert!(events(&mut c).is_empty());
}

#[test]
fn every_non_zero_selector_syncs() {
    for file in ["synccheck-0-4.js", "synccheck-0-6.js", "synccheck-0-7.js"] {
        let (mut c, check) = ready(config());
        answer(&mut c, &check, ok(sync_fixture(file)), at(40_000));
        next(&mut c, Endpoint::Sync);
    }
    let (mut c, check) = ready(config());
    answer(
        &mut c,
        &check,
        ok(Bytes::from_static(
            b"window.synccheck={retcode:\"0\",selector:\"3\"}",
        )),
        at(40_000),
    );
    next(&mut c, Endpoint::Sync);
}

#[test]
fn session_ending_codes_log_out_with_the_reason() {
    for (file, reason) in [
        ("synccheck-1100-0.js", LogoutReason::LoggedOutOnPhone),
        ("synccheck-1101-0.js", LogoutReason::LoggedInElsewhere),
        ("synccheck-1102-0.js", LogoutReason::SessionInvalid),
    ] {
        let (mut c, check) = ready(config());
        let handle = c.send_text(ALICE, "queued", at(30_000)).unwrap();
        let send = next(&mut c, Endpoint::SendMsg);
        answer(&mut c, &check, ok(sync_fixture(file)), at(30_001));
        // As the page does: the logout form (type 0 for 1100, 1 for 1101 and 1102), then out.
        assert_eq!(c.state(), &State::LoggingOut);
        let logout = next(&mut c, Endpoint::Logout);
        let kind = if file.contains("1100") {
            "type=0"
        } else {
            "type=1"
        };
        assert!(
            logout.request.uri().query().unwrap().contains(kind),
            "{file}: {}",
            logout.request.uri()
        );
        answer(&mut c, &logout, with_status(302, ""), at(30_002));
        let ev = events(&mut c);
        assert_eq!(
            ev,
            [
                Event::SendFailed {
                    handle,
                    error: Error::SessionOver
                },
                Event::LoggedOut { reason }
            ],
            "{file}"
        );
        assert_eq!(c.state(), &State::LoggedOut(reason));
        assert!(c.poll_transmit().is_none());
        assert_eq!(c.poll_timeout(), None);
        // A late answer to the send changes nothing.
        answer(
            &mut c,
            &send,
            ok(sync_fixture("webwxsendmsg.json")),
            at(30_002),
        );
        assert!(c.poll_event().is_none());
        assert_eq!(c.send_text(ALICE, "x", at(30_003)), Err(UsageError::Ended));
    }
    let (mut c, check) = ready(config());
    let sync = to_sync(&mut c, &check, at(1));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-1101.json")),
        at(2),
    );
    assert_eq!(
        events(&mut c),
        [Event::LoggedOut {
            reason: LogoutReason::LoggedInElsewhere
        }]
    );
}

#[test]
fn rate_limit_1205_backs_off_and_never_logs_out() {
    let (mut c, mut check) = ready(config());
    let mut now = at(50_000);
    for attempt in 1..=5 {
        answer(&mut c, &check, ok(sync_fixture("synccheck-1205-0.js")), now);
        let mut ev = events(&mut c);
        if attempt == 3 {
            // RetryPolicy::offline_after failures in a row: the application is told.
            assert!(
                matches!(
                    ev.first(),
                    Some(Event::Offline {
                        cause: Failure::Server { code: 1205, .. }
                    })
                ),
                "{ev:?}"
            );
            ev.remove(0);
        }
        let [
            Event::Retrying {
                endpoint: Endpoint::SyncCheck,
                attempt: a,
                delay,
                cause: Failure::Server { code: 1205, .. },
            },
        ] = &ev[..]
        else {
            panic!("{ev:?}")
        };
        assert_eq!(*a, attempt);
        assert!(*delay >= Duration::from_millis(250 << (attempt - 1)));
        assert!(c.poll_transmit().is_none());
        now = c.poll_timeout().unwrap();
        c.handle_timeout(now);
        check = next(&mut c, Endpoint::SyncCheck);
    }
    assert_eq!(c.state(), &State::Ready);
    // A good answer resets the run.
    answer(&mut c, &check, ok(sync_fixture("synccheck-0-2.js")), now);
    assert_eq!(events(&mut c), vec![Event::Online]);
    next(&mut c, Endpoint::Sync);
}

#[test]
fn faults_on_synccheck_and_sync_are_retried_with_the_same_key() {
    let (mut c, check) = ready(config());
    c.handle_transport_error(check.id, TransportErrorKind::Timeout, at(40_000));
    c.handle_timeout(c.poll_timeout().unwrap());
    let check = next(&mut c, Endpoint::SyncCheck);
    answer(&mut c, &check, with_status(502, "bad gateway"), at(41_000));
    c.handle_timeout(c.poll_timeout().unwrap());
    let check = next(&mut c, Endpoint::SyncCheck);
    answer(
        &mut c,
        &check,
        ok(Bytes::from_static(b"<html>")),
        at(42_000),
    );
    c.handle_timeout(c.poll_timeout().unwrap());
    let check = next(&mut c, Endpoint::SyncCheck);
    let sync = to_sync(&mut c, &check, at(43_000));
    let first_body: serde_json::Value = serde_json::from_slice(sync.request.body()).unwrap();
    // The answer is truncated: nothing is applied, the same key is posted again.
    let full = sync_fixture("webwxsync-all-types.json");
    answer(&mut c, &sync, ok(full.slice(..full.len() / 2)), at(43_100));
    assert!(messages(&events(&mut c)).is_empty());
    c.handle_timeout(c.poll_timeout().unwrap());
    let sync = next(&mut c, Endpoint::Sync);
    let again: serde_json::Value = serde_json::from_slice(sync.request.body()).unwrap();
    assert_eq!(first_body["SyncKey"], again["SyncKey"]);
    answer(&mut c, &sync, ok(full), at(44_000));
    assert_eq!(messages(&events(&mut c)).len(), 18);
}

#[test]
fn a_lost_answer_is_fetched_again_and_delivered_exactly_once() {
    let (mut c, check) = ready(config());
    let sync = to_sync(&mut c, &check, at(1_000));
    // The answer was lost in the network.
    c.handle_transport_error(sync.id, TransportErrorKind::Reset, at(1_100));
    assert!(messages(&events(&mut c)).is_empty());
    c.handle_timeout(c.poll_timeout().unwrap());
    let sync = next(&mut c, Endpoint::Sync);
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-all-types.json")),
        at(3_000),
    );
    let first: Vec<String> = messages(&events(&mut c))
        .iter()
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(first.len(), 18);
    // The server delivers 1001 again with one new message: only the new one comes out.
    let check = next(&mut c, Endpoint::SyncCheck);
    let sync = to_sync(&mut c, &check, at(4_000));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-duplicate.json")),
        at(4_100),
    );
    let ev = events(&mut c);
    let ids: Vec<&str> = messages(&ev).iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["1019"]);
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::GroupMembersChanged { group } if group == FAM))
    );
    assert_eq!(c.contacts().get(FAM).unwrap().members().len(), 2);
    // An empty SyncCheckKey did not replace the held one; the SKey was replaced.
    assert_eq!(c.sync_check_key().list.len(), 7);
    let check = next(&mut c, Endpoint::SyncCheck);
    assert!(query(&check).contains("skey=%40crypt_3f9c1a2b_sync"));
}

#[test]
fn empty_sync_key_never_replaces_and_continue_flag_syncs_again() {
    let (mut c, check) = ready(config());
    let before = c.sync_key().clone();
    let sync = to_sync(&mut c, &check, at(1_000));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-empty.json")),
        at(1_100),
    );
    assert_eq!(c.sync_key(), &before);
    // An answer with nothing new paces the loop: the next synccheck waits for the interval.
    assert!(c.poll_transmit().is_none());
    c.handle_timeout(c.poll_timeout().unwrap());
    let check = next(&mut c, Endpoint::SyncCheck);
    let sync = to_sync(&mut c, &check, at(2_000));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-continue.json")),
        at(2_100),
    );
    assert_eq!(messages(&events(&mut c)).len(), 1);
    next(&mut c, Endpoint::Sync);
}

#[test]
fn sends_are_paced_and_answered_by_handle_while_synccheck_is_in_flight() {
    let (mut c, _check) = ready(config());
    let h1 = c.send_text(ALICE, "第一条 <b>&", at(10_000)).unwrap();
    let h2 = c.send_text("filehelper", "second", at(10_001)).unwrap();
    assert_ne!(h1, h2);
    assert_eq!(c.in_flight(), 2, "the send goes out beside the long poll");
    let s1 = next(&mut c, Endpoint::SendMsg);
    let body: serde_json::Value = serde_json::from_slice(s1.request.body()).unwrap();
    assert_eq!(body["Msg"]["Content"], "第一条 <b>&");
    assert_eq!(body["Msg"]["Type"], 1);
    assert_eq!(body["Msg"]["LocalID"], body["Msg"]["ClientMsgId"]);
    let local_id = body["Msg"]["LocalID"].as_str().unwrap().to_string();
    assert!(
        local_id.starts_with("1764000010000") && local_id.len() == 17,
        "{local_id}"
    );

    answer(
        &mut c,
        &s1,
        ok(sync_fixture("webwxsendmsg.json")),
        at(10_200),
    );
    assert!(matches!(
        &events(&mut c)[..],
        [Event::Sent { handle, msg_id, local_id, .. }]
            if *handle == h1 && msg_id == "7318240092178440511" && local_id.len() == 17
    ));
    // The second waits for the minimum gap after the first.
    assert!(c.poll_transmit().is_none());
    assert_eq!(c.poll_timeout(), Some(at(11_200)));
    c.handle_timeout(at(11_200));
    let s2 = next(&mut c, Endpoint::SendMsg);
    // Rate limited: retried with the same LocalID.
    answer(
        &mut c,
        &s2,
        ok(sync_fixture("webwxsendmsg-1205.json")),
        at(11_300),
    );
    assert!(matches!(
        &events(&mut c)[..],
        [Event::Retrying {
            endpoint: Endpoint::SendMsg,
            ..
        }]
    ));
    c.handle_timeout(c.poll_timeout().unwrap());
    let s2b = next(&mut c, Endpoint::SendMsg);
    // The same message (LocalID, ClientMsgId); as every request, a fresh DeviceID.
    let msg = |t: &webwx_core::Transmit| {
        serde_json::from_slice::<serde_json::Value>(t.request.body()).unwrap()["Msg"].clone()
    };
    assert_eq!(msg(&s2), msg(&s2b));
    assert_ne!(s2.request.body(), s2b.request.body());
    answer(
        &mut c,
        &s2b,
        ok(sync_fixture("webwxsendmsg.json")),
        at(12_000),
    );
    assert!(matches!(&events(&mut c)[..], [Event::Sent { handle, .. }] if *handle == h2));
}

#[test]
fn a_send_that_keeps_failing_fails_alone() {
    let policy = RetryPolicy::new(Duration::from_millis(100), Duration::from_millis(100), 3);
    let (mut c, _check) = ready(config().with_retry(policy));
    let h = c.send_text(ALICE, "hi", at(10_000)).unwrap();
    let mut now = at(10_000);
    for _ in 0..3 {
        let s = next(&mut c, Endpoint::SendMsg);
        now = now.after(Duration::from_millis(10));
        c.handle_transport_error(s.id, TransportErrorKind::Connect, now);
        // The send's retry (not the synccheck's deadline, a minute away).
        if let Some(t) = c.poll_timeout()
            && t < now.after(Duration::from_secs(1))
        {
            now = t;
            c.handle_timeout(now);
        }
    }
    let ev = events(&mut c);
    assert!(
        matches!(
            ev.last(),
            Some(Event::SendFailed { handle, error: Error::RetriesExhausted { endpoint: Endpoint::SendMsg, attempts: 3, .. } }) if *handle == h
        ),
        "{ev:?}"
    );
    assert_eq!(c.state(), &State::Ready, "the session goes on");
    assert_eq!(c.in_flight(), 1, "the synccheck is still in flight");
}

#[test]
fn commands_are_checked() {
    let mut c = Client::new(config());
    assert_eq!(c.send_text(ALICE, "x", at(0)), Err(UsageError::NotLoggedIn));
    let (mut c, _check) = ready(config());
    assert!(matches!(
        c.send_text("", "x", at(0)),
        Err(UsageError::InvalidMessage(_))
    ));
    assert!(matches!(
        c.send_text(ALICE, "", at(0)),
        Err(UsageError::InvalidMessage(_))
    ));
    let long = "长".repeat(30_000);
    assert!(matches!(
        c.send_text(ALICE, &long, at(0)),
        Err(UsageError::InvalidMessage(_))
    ));
}

#[test]
fn mark_read_and_logout() {
    let (mut c, check) = ready(config());
    c.mark_read(ALICE, at(20_000)).unwrap();
    let mark = next(&mut c, Endpoint::StatusNotify);
    let body: serde_json::Value = serde_json::from_slice(mark.request.body()).unwrap();
    assert_eq!(
        (body["Code"].as_u64(), body["ToUserName"].as_str()),
        (Some(1), Some(ALICE))
    );
    answer(
        &mut c,
        &mark,
        ok(fixture("webwxstatusnotify.json")),
        at(20_100),
    );

    let h = c.send_text(ALICE, "never sent", at(20_200)).unwrap();
    let send = next(&mut c, Endpoint::SendMsg);
    c.logout(at(20_300)).unwrap();
    assert_eq!(c.state(), &State::LoggingOut);
    let logout = next(&mut c, Endpoint::Logout);
    assert_eq!(
        logout.request.uri().to_string(),
        "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxlogout?redirect=1&type=0&skey=%40crypt_3f9c1a2b_init0000000000000000000000"
    );
    assert_eq!(
        logout.request.body().as_ref(),
        b"sid=Sx9fKq2LmN7pR4tV&uin=2846173901"
    );
    assert_eq!(
        events(&mut c),
        [Event::SendFailed {
            handle: h,
            error: Error::SessionOver
        }]
    );
    // Late answers to the long poll and the send are ignored.
    answer(
        &mut c,
        &check,
        ok(sync_fixture("synccheck-0-2.js")),
        at(20_400),
    );
    answer(
        &mut c,
        &send,
        ok(sync_fixture("webwxsendmsg.json")),
        at(20_401),
    );
    assert!(c.poll_transmit().is_none() && c.poll_event().is_none());
    let mut redirect = ok(sync_fixture("webwxlogout.html"));
    *redirect.status_mut() = webwx_core::http::StatusCode::FOUND;
    answer(&mut c, &logout, redirect, at(20_500));
    assert_eq!(
        events(&mut c),
        [Event::LoggedOut {
            reason: LogoutReason::Requested
        }]
    );
    assert_eq!(c.state(), &State::LoggedOut(LogoutReason::Requested));
    assert!(c.poll_transmit().is_none());
    assert_eq!(c.logout(at(20_600)), Err(UsageError::Ended));
}

#[test]
fn loop_requests_are_snapshotted() {
    let (mut c, check) = ready(config());
    insta::assert_snapshot!("10_synccheck", render(&check));
    let sync = to_sync(&mut c, &check, at(7_000));
    insta::assert_snapshot!("11_webwxsync", render(&sync));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-all-types.json")),
        at(7_100),
    );
    let check = next(&mut c, Endpoint::SyncCheck);
    insta::assert_snapshot!("12_synccheck_with_synccheckkey", render(&check));
    c.send_text(ALICE, "你好 😀", at(8_000)).unwrap();
    insta::assert_snapshot!("13_webwxsendmsg", render(&next(&mut c, Endpoint::SendMsg)));
    c.mark_read(ALICE, at(8_100)).unwrap();
    insta::assert_snapshot!(
        "14_mark_read",
        render(&next(&mut c, Endpoint::StatusNotify))
    );
    c.logout(at(8_200)).unwrap();
    insta::assert_snapshot!("15_webwxlogout", render(&next(&mut c, Endpoint::Logout)));
}

/// Found by the `client` fuzz target: every mark_read used to go out at once, so a burst of
/// them meant unbounded requests in flight.
#[test]
fn read_marks_go_out_one_at_a_time_without_repeats() {
    let (mut c, _check) = ready(config());
    for i in 0..20 {
        c.mark_read(if i % 2 == 0 { ALICE } else { BOB }, at(20_000 + i))
            .unwrap();
    }
    assert_eq!(c.in_flight(), 2, "the synccheck and one read mark");
    let first = next(&mut c, Endpoint::StatusNotify);
    answer(
        &mut c,
        &first,
        ok(fixture("webwxstatusnotify.json")),
        at(21_000),
    );
    let second = next(&mut c, Endpoint::StatusNotify);
    let body: serde_json::Value = serde_json::from_slice(second.request.body()).unwrap();
    assert_eq!(body["ToUserName"], BOB);
    answer(
        &mut c,
        &second,
        ok(fixture("webwxstatusnotify.json")),
        at(21_100),
    );
    // ALICE was marked again while her first mark was in flight (new messages may have come):
    // that one mark goes; the other seventeen calls were folded into the waiting ones.
    let third = next(&mut c, Endpoint::StatusNotify);
    let body: serde_json::Value = serde_json::from_slice(third.request.body()).unwrap();
    assert_eq!(body["ToUserName"], ALICE);
    answer(
        &mut c,
        &third,
        ok(fixture("webwxstatusnotify.json")),
        at(21_200),
    );
    assert!(c.poll_transmit().is_none());
    assert!(matches!(
        c.mark_read("", at(21_200)),
        Err(UsageError::InvalidMessage(_))
    ));
}

/// A message from a group the store does not know with its members wants that group, as the
/// page's `getContact` does: `{UserName, EncryChatRoomId: ""}` 200 ms later, once however many
/// messages come from it meanwhile; its answer is announced as a contact change.
#[test]
fn a_message_from_an_unknown_group_fetches_the_group() {
    const NEW: &str = "@@9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";
    let (mut c, check) = ready(config());
    assert!(c.contacts().get(NEW).is_none());
    let sync = to_sync(&mut c, &check, at(10_000));
    let msg = |id: u32| {
        format!(
            r#"{{"MsgId":"{id}","FromUserName":"{NEW}","ToUserName":"@me","MsgType":1,"Content":"{ALICE}:<br/>hi {id}","CreateTime":1764000120}}"#
        )
    };
    let body = format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"AddMsgCount":2,"AddMsgList":[{},{}],"ContinueFlag":0,"SyncKey":{{"Count":1,"List":[{{"Key":1,"Val":9}}]}},"SKey":""}}"#,
        msg(1),
        msg(2)
    );
    answer(&mut c, &sync, ok(Bytes::from(body)), at(10_100));
    assert_eq!(messages(&events(&mut c)).len(), 2);
    // The next synccheck goes at once; the group 200 ms later.
    let next_check = next(&mut c, Endpoint::SyncCheck);
    c.handle_timeout(at(10_300));
    let batch = next(&mut c, Endpoint::BatchGetContact);
    let body: serde_json::Value = serde_json::from_slice(batch.request.body()).unwrap();
    assert_eq!(
        body["List"],
        serde_json::json!([{"UserName": NEW, "EncryChatRoomId": ""}])
    );
    let group = format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"Count":1,"ContactList":[{{"UserName":"{NEW}","NickName":"新群","MemberCount":2,"MemberList":[{{"UserName":"{ALICE}","NickName":"Alice"}},{{"UserName":"@me"}}],"EncryChatRoomId":"@e1"}}]}}"#
    );
    answer(&mut c, &batch, ok(Bytes::from(group)), at(10_400));
    assert!(matches!(
        &events(&mut c)[..],
        [Event::ContactChanged(g)] if g.user_name() == NEW && g.members().len() == 2
    ));
    assert_eq!(c.contacts().member_display_name(NEW, ALICE), Some("Alice"));
    // Known now: a later message from it wants nothing.
    answer(
        &mut c,
        &next_check,
        ok(sync_fixture("synccheck-0-2.js")),
        at(11_000),
    );
    let sync = next(&mut c, Endpoint::Sync);
    let body = format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"AddMsgCount":1,"AddMsgList":[{}],"ContinueFlag":0,"SyncKey":{{"Count":1,"List":[{{"Key":1,"Val":10}}]}},"SKey":""}}"#,
        msg(3)
    );
    answer(&mut c, &sync, ok(Bytes::from(body)), at(11_100));
    next(&mut c, Endpoint::SyncCheck);
    c.handle_timeout(at(11_400));
    assert!(c.poll_transmit().is_none(), "no second fetch");
}
