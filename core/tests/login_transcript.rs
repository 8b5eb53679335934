//! The whole login against the fixtures: the sequence of requests, states and events, and an
//! insta snapshot of every request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use webwx_core::ContactKind;
use webwx_core::{ContactCounts, Endpoint, Event, State};

#[test]
fn whole_login_transcript() {
    let (mut c, jslogin) = started(config());
    assert_eq!(c.state(), &State::FetchingUuid);

    answer(&mut c, &jslogin, ok(fixture("jslogin.js")), at(100));
    assert_eq!(
        c.state(),
        &State::WaitingForScan {
            uuid: "Qb7xN1e2Mw==".into()
        }
    );
    assert_eq!(
        events(&mut c),
        [Event::QrCode {
            uuid: "Qb7xN1e2Mw==".into(),
            payload: "https://login.weixin.qq.com/l/Qb7xN1e2Mw==".into(),
            image_url: "https://login.weixin.qq.com/qrcode/Qb7xN1e2Mw==".into(),
        }]
    );

    // 408: poll again; the answer came after 25 s so the next poll goes at once.
    let poll1 = next(&mut c, Endpoint::LoginPoll);
    assert!(poll1.request.uri().query().unwrap().contains("tip=1"));
    answer(&mut c, &poll1, ok(fixture("login-408.js")), at(25_100));
    let poll2 = next(&mut c, Endpoint::LoginPoll);
    assert!(poll2.request.uri().query().unwrap().contains("tip=0"));

    // 201: scanned, with the avatar.
    answer(&mut c, &poll2, ok(fixture("login-201.js")), at(27_000));
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [Event::Scanned { avatar: Some(a) }] if a.starts_with("data:img/jpg;base64,"))
    );
    assert_eq!(
        c.state(),
        &State::WaitingForConfirm {
            uuid: "Qb7xN1e2Mw==".into()
        }
    );

    // 200: confirmed on the wx2 family.
    let poll3 = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &poll3, ok(fixture("login-200.js")), at(30_000));
    assert_eq!(events(&mut c), [Event::Confirmed]);
    assert_eq!(c.state(), &State::FetchingTicket);
    assert_eq!(c.hosts().unwrap().push, "https://webpush.wx2.qq.com");

    let ticket = next(&mut c, Endpoint::Ticket);
    assert_eq!(
        ticket.request.uri().to_string(),
        "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AbC3dEf4GhI5jKl6MnO7pQr8@qrticket_0&uuid=Qb7xN1e2Mw==&lang=zh_CN&scan=1764000000&fun=new&version=v2&lang=zh_CN"
    );
    answer(&mut c, &ticket, ticket_answer("ticket.xml"), at(30_300));
    assert_eq!(events(&mut c), [Event::LoggedIn { uin: 2_846_173_901 }]);
    assert_eq!(c.state(), &State::Initializing);

    let init = next(&mut c, Endpoint::Init);
    let cookie = init.request.headers()["cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("wxsid=Sx9fKq2LmN7pR4tV") && cookie.contains("webwx_data_ticket="),
        "{cookie}"
    );
    let body: serde_json::Value = serde_json::from_slice(init.request.body()).unwrap();
    // As on the official page: webwxinit's Uin is still the ticket's text.
    assert_eq!(body["BaseRequest"]["Uin"], "2846173901", "Uin as text");
    // `r` is the page-load time (the client started at 0), not the time of the call.
    let query = init.request.uri().query().unwrap().to_string();
    assert!(
        query.starts_with(&format!("r={}&lang=zh_CN&", at(0).js_bitwise_not())),
        "{query}"
    );
    // pass_ticket as the browser sends it: the server's encoded text, encoded again.
    assert!(
        query.ends_with("pass_ticket=Hk3%252Fp9QzL1xVb7Nw4Ry2Tm8Us6Oe0Ja5Ic%252BGd%253D"),
        "{query}"
    );
    let init_device = body["BaseRequest"]["DeviceID"]
        .as_str()
        .unwrap()
        .to_string();
    answer(&mut c, &init, ok(fixture("webwxinit.json")), at(30_500));
    assert_eq!(c.state(), &State::LoadingContacts { pages: 0 });
    assert_eq!(c.user().unwrap().nick_name(), "小明");
    assert_eq!(
        c.sync_key().to_string(),
        "1_702345611|2_702345679|3_702345601|1000_1763990000"
    );

    // The init answer starts everything at once, as the page does: statusnotify (not awaited),
    // the first contact page, and the message loop on the push host.
    let [notify, page1, check] = <[_; 3]>::try_from(next_all(
        &mut c,
        &[
            Endpoint::StatusNotify,
            Endpoint::GetContact,
            Endpoint::SyncCheck,
        ],
    ))
    .ok()
    .unwrap();
    let body: serde_json::Value = serde_json::from_slice(notify.request.body()).unwrap();
    assert_eq!(body["Code"], 3);
    assert_eq!(body["FromUserName"], c.user().unwrap().user_name());
    assert_eq!(body["ToUserName"], body["FromUserName"]);
    assert_eq!(body["BaseRequest"]["Uin"], 2_846_173_901u64, "a number now");
    // SKey from init replaced the ticket's skey; a fresh DeviceID for every request.
    assert_eq!(
        body["BaseRequest"]["Skey"],
        "@crypt_3f9c1a2b_init0000000000000000000000"
    );
    assert_ne!(body["BaseRequest"]["DeviceID"], init_device.as_str());
    // Angular sorts webwxgetcontact's params; skey goes with its `@`.
    let query = page1.request.uri().query().unwrap().to_string();
    assert!(
        query.starts_with("lang=zh_CN&pass_ticket=Hk3%252F")
            && query.contains("&r=1764000030500&seq=0&skey=@crypt_3f9c1a2b_init"),
        "{query}"
    );
    assert!(check.request.uri().to_string().starts_with(
        "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1764000030500&skey=%40crypt_"
    ));
    answer(
        &mut c,
        &notify,
        ok(fixture("webwxstatusnotify.json")),
        at(30_600),
    );

    // 200 ms after init, the groups of ChatSet (one here, known with members from init's
    // ContactList: the page's `ChatRoomId` shape).
    c.handle_timeout(at(30_700));
    let batch = next(&mut c, Endpoint::BatchGetContact);
    let body: serde_json::Value = serde_json::from_slice(batch.request.body()).unwrap();
    assert_eq!(body["Count"], 1);
    assert_eq!(
        body["List"],
        serde_json::json!([{
            "UserName": "@@7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d",
            "ChatRoomId": ""
        }])
    );

    answer(
        &mut c,
        &page1,
        ok(fixture("webwxgetcontact-1.json")),
        at(30_800),
    );
    // Each contact page is followed by the page's timing report.
    let [report1, page2] = <[_; 2]>::try_from(next_all(
        &mut c,
        &[Endpoint::StatReport, Endpoint::GetContact],
    ))
    .ok()
    .unwrap();
    let body: serde_json::Value = serde_json::from_slice(report1.request.body()).unwrap();
    assert!(
        body["BaseRequest"].get("Skey").is_none(),
        "no Skey in a report"
    );
    let text: serde_json::Value =
        serde_json::from_str(body["List"][0]["Text"].as_str().unwrap()).unwrap();
    assert_eq!(text["type"], "[app-timing]");
    assert_eq!(
        text["data"]["appTiming"]["initContactStart"],
        1_764_000_030_500u64
    );
    assert!(page2.request.uri().query().unwrap().contains("seq=583920"));
    answer(&mut c, &report1, plain_ok(), at(30_850));
    answer(
        &mut c,
        &page2,
        ok(fixture("webwxgetcontact-2.json")),
        at(31_000),
    );
    let report2 = next(&mut c, Endpoint::StatReport);
    answer(&mut c, &report2, plain_ok(), at(31_050));
    assert_eq!(
        events(&mut c),
        [
            Event::ContactsProgress {
                contacts: 5,
                pages: 1
            },
            Event::ContactsProgress {
                contacts: 9,
                pages: 2
            },
        ]
    );
    assert_eq!(c.state(), &State::LoadingGroupMembers { done: 0, total: 1 });
    answer(
        &mut c,
        &batch,
        ok(fixture("webwxbatchgetcontact.json")),
        at(31_200),
    );
    assert_eq!(c.state(), &State::Ready);
    let counts = ContactCounts {
        friends: 3,
        groups: 3,
        officials: 1,
        specials: 2,
        group_members: 6,
    };
    match &events(&mut c)[..] {
        [Event::Ready { user, counts: got }] => {
            assert_eq!(user.nick_name(), "小明");
            assert_eq!(got, &counts);
        }
        other => panic!("{other:?}"),
    }
    // Nothing is scheduled and nothing more goes out; the only timer is the synccheck's
    // deadline (twice its 35 s timeout plus 5 s), in case the transport never reports.
    assert!(c.poll_transmit().is_none());
    assert_eq!(c.poll_timeout(), Some(at(30_500 + 75_000)));

    // The store answers by user name and by display name.
    let store = c.contacts();
    let alice = &store.find_by_name("爱丽丝")[0];
    assert_eq!(alice.kind(), ContactKind::Friend);
    assert_eq!(
        store.find_by_name("腾讯新闻")[0].kind(),
        ContactKind::Official
    );
    assert_eq!(
        store.get("filehelper").unwrap().kind(),
        ContactKind::Special
    );
    let family = store.find_by_name("相亲相爱一家人")[0]
        .user_name()
        .to_string();
    assert_eq!(
        store.member_display_name(&family, alice.user_name()),
        Some("Alice")
    );
    let mama = &store.find_by_name("妈妈")[0].user_name();
    assert_eq!(store.member_display_name(&family, mama), Some("老妈"));
}

#[test]
fn every_login_request_is_snapshotted() {
    let (mut c, first) = started(config());
    let sent = login_to_ready(&mut c, first);
    let names = [
        "01_jslogin",
        "02_login_poll_first",
        "03_login_poll_after_scan",
        "04_ticket",
        "05_webwxinit",
        "06_webwxstatusnotify",
        "07_webwxgetcontact_first",
        "08_synccheck_first",
        "09_webwxbatchgetcontact",
        "10_webwxstatreport_first",
        "11_webwxgetcontact_next",
        "12_webwxstatreport_next",
    ];
    assert_eq!(sent.len(), names.len());
    for (t, name) in sent.iter().zip(names) {
        insta::assert_snapshot!(name, render(t));
    }
}

#[test]
fn desktop_mode_requests_are_snapshotted() {
    let (mut c, first) = started(config().with_desktop_mode(true));
    let sent = login_to_ready(&mut c, first);
    insta::assert_snapshot!("desktop_01_jslogin", render(&sent[0]));
    insta::assert_snapshot!("desktop_04_ticket", render(&sent[3]));
    assert!(
        sent[3].request.headers()["extspam"]
            .to_str()
            .unwrap()
            .starts_with("Go8FCIkFEokFCggwMDAwMDAwMRAG")
    );
}

#[test]
fn same_seed_same_bytes_other_seed_other_device_id() {
    let run = |seed| {
        let (mut c, first) = started(webwx_core::Config::new(seed));
        login_to_ready(&mut c, first)
            .iter()
            .map(render)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}
