//! Whole sessions through both transports against the simulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;
use webwx_core::{ConnectTo, Content, Error, Event, LogoutReason, Message};
use webwx_sim::{ContactSpec, Family, Fault, FaultRule, MessageSpec, Refusal, Scenario, Simulator};
use webwx_tests::{Bot, KINDS, Kind, config_for};

fn scenario() -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 200;
    s.phone.confirm_after_ms = 100;
    s.synccheck_hold_ms = 800;
    s.login_hold_ms = 3_000;
    s
}

fn ready(bot: &mut Bot) -> (u64, webwx_core::ContactCounts) {
    match bot.until(|e| matches!(e, Event::Ready { .. })) {
        Event::Ready { user, counts } => (user.uin(), counts),
        _ => unreachable!(),
    }
}

/// The messages that arrived before Ready: the message loop runs during the set-up, as on the
/// official page.
fn early_messages(bot: &Bot) -> Vec<Message> {
    bot.seen.iter().filter_map(message).cloned().collect()
}

fn message(e: &Event) -> Option<&Message> {
    match e {
        Event::Message(m) => Some(m),
        _ => None,
    }
}

/// Receives messages until `n` arrived (replying "echo: <text>" to every text), and returns them.
fn receive(bot: &mut Bot, n: usize, reply: bool) -> Vec<Message> {
    receive_after(bot, Vec::new(), n, reply)
}

/// [`receive`], counting (and replying to) `early` first.
fn receive_after(bot: &mut Bot, early: Vec<Message>, n: usize, reply: bool) -> Vec<Message> {
    let mut got = vec![];
    let mut early = early.into_iter();
    while got.len() < n {
        let m = match early.next() {
            Some(m) => m,
            None => {
                let e = bot.until(|e| matches!(e, Event::Message(_)));
                message(&e).unwrap().clone()
            }
        };
        if let (true, Content::Text(text), false, false) =
            (reply, &m.content, m.outgoing, m.is_group)
        {
            bot.send_text(&m.chat, &format!("echo: {text}"));
        }
        got.push(m);
    }
    got
}

fn assert_no_deviations(sim: &Simulator) {
    for s in sim.sessions() {
        assert!(
            s.deviations.is_empty(),
            "the client departed from the official client: {:?}",
            s.deviations
        );
    }
}

fn full_session(kind: Kind) {
    let mut s = scenario();
    s.phone.scan_after_ms = 600;
    s.contacts = ContactSpec {
        friends: 500,
        groups: 6,
        members_per_group: 20,
        officials: 10,
        page_size: 120,
    };
    s.messages = MessageSpec {
        count: 100,
        interval_ms: 3,
        start_after_ms: 200,
    };
    let sim = Simulator::spawn(s).unwrap();
    let mut bot = Bot::start(kind, config_for(&sim, 1));
    let qr = bot.until(|e| matches!(e, Event::QrCode { .. }));
    assert!(
        matches!(qr, Event::QrCode { ref payload, .. } if payload.starts_with("https://login.weixin.qq.com/l/"))
    );
    bot.until(|e| matches!(e, Event::Scanned { avatar: Some(_) }));
    let (uin, counts) = ready(&mut bot);
    assert_eq!(
        (
            counts.friends,
            counts.groups,
            counts.officials,
            counts.specials
        ),
        (500, 6, 10, 2)
    );
    // As on the official page, only the recent groups (init's ChatSet: one here) are fetched
    // with their members at start-up; the others when a message comes from them.
    assert_eq!(counts.group_members, 21);
    let pages = bot
        .seen
        .iter()
        .filter(|e| matches!(e, Event::ContactsProgress { .. }))
        .count();
    assert_eq!(pages, 5, "518 contacts over pages of 120");

    let early = early_messages(&bot);
    let msgs = receive_after(&mut bot, early, 100, true);
    let ids: HashSet<&str> = msgs.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), 100, "every message once");
    let types: BTreeSet<i64> = msgs.iter().map(|m| m.raw.msg_type).collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            1, 3, 34, 37, 42, 43, 47, 49, 51, 62, 9999, 10000, 10002, 12345
        ]
    );
    assert!(
        msgs.iter()
            .any(|m| m.is_group && m.mentions_me && m.group_sender.is_some())
    );
    let replies: Vec<String> = msgs
        .iter()
        .filter_map(|m| match (&m.content, m.outgoing, m.is_group) {
            (Content::Text(t), false, false) => Some(format!("echo: {t}")),
            _ => None,
        })
        .collect();
    assert_eq!(replies.len(), 6, "one text in every 18 kinds");
    // Every reply is answered (some answers came while messages were still arriving), then
    // recorded by the simulator.
    assert!(
        !bot.seen
            .iter()
            .any(|e| matches!(e, Event::SendFailed { .. }))
    );
    let mut sent = bot
        .seen
        .iter()
        .filter(|e| matches!(e, Event::Sent { .. }))
        .count();
    while sent < replies.len() {
        if let Event::Sent { .. } =
            bot.until(|e| matches!(e, Event::Sent { .. } | Event::SendFailed { .. }))
        {
            sent += 1;
        } else {
            panic!("a send failed");
        }
    }
    let recorded: Vec<String> = sim
        .sent(uin)
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(recorded, replies);
    assert_no_deviations(&sim);

    bot.logout();
    assert_eq!(
        bot.until(|e| matches!(e, Event::LoggedOut { .. })),
        Event::LoggedOut {
            reason: LogoutReason::Requested
        }
    );
    assert!(bot.drain().is_empty());
    assert!(!sim.sessions()[0].live);
}

#[test]
fn full_session_ureq() {
    full_session(Kind::Ureq);
}

#[test]
fn full_session_hyper() {
    full_session(Kind::Hyper);
}

#[test]
fn qr_expiry_cancel_and_refusal() {
    for kind in KINDS {
        let mut s = scenario();
        s.phone.expire_first = 2;
        s.phone.cancel_first = 1;
        s.phone.scan_after_ms = 100;
        let sim = Simulator::spawn(s).unwrap();
        let mut bot = Bot::start(kind, config_for(&sim, 2));
        ready(&mut bot);
        let codes: Vec<&Event> = bot
            .seen
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::QrCode { .. } | Event::QrExpired { .. } | Event::LoginCancelled
                )
            })
            .collect();
        assert_eq!(codes.len(), 4 + 3, "{kind:?}: {codes:?}");
        assert!(matches!(codes[1], Event::QrExpired { code: 400 }));
        assert!(matches!(codes[5], Event::LoginCancelled));

        let mut s = scenario();
        s.phone.refuse = Some(Refusal::web_login_blocked());
        let sim = Simulator::spawn(s).unwrap();
        let mut bot = Bot::start(kind, config_for(&sim, 3));
        let failed = bot.until(|e| matches!(e, Event::Failed(_)));
        assert_eq!(
            failed,
            Event::Failed(Error::LoginRefused {
                code: 1203,
                message: Refusal::web_login_blocked().message
            })
        );
        assert!(bot.drain().is_empty());
    }
}

fn faulty(kind: Kind) {
    let mut s = scenario();
    s.messages = MessageSpec {
        count: 36,
        interval_ms: 20,
        start_after_ms: 100,
    };
    let rule = |endpoint: &str, nth, fault| FaultRule {
        endpoint: endpoint.into(),
        nth,
        fault,
    };
    s.faults = vec![
        rule("jslogin", 1, Fault::Status(503)),
        rule("login", 1, Fault::Drop),
        rule("webwxinit", 1, Fault::Truncate),
        rule("webwxgetcontact", 1, Fault::Code(1205)),
        rule("synccheck", 2, Fault::Status(500)),
        rule("synccheck", 3, Fault::Code(1205)),
        rule("synccheck", 4, Fault::Drop),
        rule("webwxsync", 2, Fault::Truncate),
        rule("webwxsync", 3, Fault::DelayMs(3_500)),
        rule("webwxsync", 4, Fault::Duplicate),
        rule("webwxsync", 6, Fault::Status(502)),
        rule("webwxsync", 8, Fault::Duplicate),
        rule("webwxsendmsg", 1, Fault::Code(1205)),
        rule("webwxsendmsg", 3, Fault::Drop),
    ];
    let sim = Simulator::spawn(s).unwrap();
    let mut bot = Bot::start(kind, config_for(&sim, 4));
    let (uin, _) = ready(&mut bot);
    let early = early_messages(&bot);
    let msgs = receive_after(&mut bot, early, 36, false);
    let ids: HashSet<&str> = msgs.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids.len(),
        36,
        "every message exactly once despite the faults"
    );
    for i in 0..4 {
        bot.send_text("filehelper", &format!("reply {i}"));
    }

    let mut done = 0;
    while done < 4 {
        match bot.until(|e| matches!(e, Event::Sent { .. } | Event::SendFailed { .. })) {
            Event::Sent { .. } => done += 1,
            other => panic!("{other:?}"),
        }
    }
    let recorded: Vec<String> = sim
        .sent(uin)
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(
        recorded,
        ["reply 0", "reply 1", "reply 2", "reply 3"],
        "retried sends are not doubled"
    );
    // Nothing more arrives: wait past a synccheck hold and check no message came twice.
    std::thread::sleep(Duration::from_millis(1_200));
    sim.inject_text(uin, None, "last").unwrap();
    let last = receive(&mut bot, 1, false);
    assert_eq!(last[0].content, Content::Text("last".into()));
    assert!(bot.seen.iter().any(|e| matches!(e, Event::Retrying { .. })));
    assert_no_deviations(&sim);
}

#[test]
fn every_fault_with_every_message_once_ureq() {
    faulty(Kind::Ureq);
}

#[test]
fn every_fault_with_every_message_once_hyper() {
    faulty(Kind::Hyper);
}

#[test]
fn logged_in_elsewhere_mid_session() {
    for kind in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(kind, config_for(&sim, 5));
        let (uin, _) = ready(&mut bot);
        sim.inject_text(uin, None, "before").unwrap();
        receive(&mut bot, 1, false);
        assert!(sim.end_session(uin, 1101));
        assert_eq!(
            bot.until(|e| matches!(e, Event::LoggedOut { .. })),
            Event::LoggedOut {
                reason: LogoutReason::LoggedInElsewhere
            }
        );
        assert!(bot.drain().is_empty());
    }
}

#[test]
fn save_drop_and_resume_without_a_scan() {
    for kind in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(kind, config_for(&sim, 6));
        let (uin, _) = ready(&mut bot);
        sim.inject_text(uin, None, "one").unwrap();
        receive(&mut bot, 1, false);
        let saved = bot.save().expect("a saved session");
        let json = serde_json::to_string(&saved).unwrap();
        drop(bot);
        sim.inject_text(uin, None, "two, while nobody listened")
            .unwrap();

        let saved = serde_json::from_str(&json).unwrap();
        let mut bot = Bot::resume(kind, config_for(&sim, 6), saved);
        bot.until(|e| matches!(e, Event::Resumed { .. }));
        let msgs = receive(&mut bot, 1, false);
        assert_eq!(
            msgs[0].content,
            Content::Text("two, while nobody listened".into())
        );
        assert!(
            !bot.seen.iter().any(|e| matches!(e, Event::QrCode { .. })),
            "no scan"
        );
        sim.inject_text(uin, None, "three").unwrap();
        assert_eq!(
            receive(&mut bot, 1, false)[0].content,
            Content::Text("three".into())
        );
        assert_no_deviations(&sim);
    }
}

#[test]
fn push_login_after_the_saved_session_ended() {
    for kind in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(kind, config_for(&sim, 7));
        let (uin, _) = ready(&mut bot);
        let saved = bot.save().unwrap();
        drop(bot);
        sim.end_session(uin, 1100);
        let mut bot = Bot::resume(kind, config_for(&sim, 7), saved);
        bot.until(|e| matches!(e, Event::PushLoginSent { .. }));
        let (again, _) = ready(&mut bot);
        assert_eq!(again, uin);
        assert!(
            !bot.seen.iter().any(|e| matches!(e, Event::QrCode { .. })),
            "no scan"
        );
        sim.inject_text(uin, None, "after push login").unwrap();
        assert_eq!(
            receive(&mut bot, 1, false)[0].content,
            Content::Text("after push login".into())
        );
    }
}

#[test]
fn host_families_through_connect_to() {
    for (family, hosts) in [
        (
            Family::Wx2,
            ["wx2.qq.com", "webpush.wx2.qq.com", "file.wx2.qq.com"],
        ),
        (
            Family::Web,
            [
                "web.wechat.com",
                "webpush.web.wechat.com",
                "file.web.wechat.com",
            ],
        ),
    ] {
        for kind in KINDS {
            let mut s = scenario();
            s.family = family;
            let sim = Simulator::spawn(s).unwrap();
            let mut routes = ConnectTo::default();
            for host in hosts {
                routes = routes.route(host, &sim.base_url()).unwrap();
            }
            let mut bot = Bot::start_routed(kind, config_for(&sim, 8), routes);
            let (uin, _) = ready(&mut bot);
            sim.inject_text(uin, None, "family").unwrap();
            assert_eq!(
                receive(&mut bot, 1, false)[0].content,
                Content::Text("family".into()),
                "{family:?} {kind:?}"
            );
            assert_no_deviations(&sim);
        }
    }
}
