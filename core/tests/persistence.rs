//! Persistence: save mid-session, rebuild, continue from the same SyncKey; the resume order
//! (saved session → push login → QR login).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use webwx_core::{
    Client, Endpoint, Error, Event, ResumeError, SAVED_SESSION_VERSION, SavedSession, State,
};

const ALICE: &str = "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e";

/// A ready client that synced once and has a send in flight, saved and rebuilt through JSON.
fn saved_mid_session() -> (SavedSession, Vec<u8>, String) {
    let (mut c, check) = ready(config());
    let sync = to_sync(&mut c, &check, at(7_000));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-all-types.json")),
        at(7_100),
    );
    events(&mut c);
    let _check = next(&mut c, Endpoint::SyncCheck);
    c.send_text(ALICE, "在路上", at(7_200)).unwrap();
    let send = next(&mut c, Endpoint::SendMsg);
    let saved = c.save().expect("a ready session saves");
    assert_eq!(saved.pending_sends(), 1);
    // What the next sync would post.
    let key = serde_json::to_vec(c.sync_key()).unwrap();
    let json = serde_json::to_string(&saved).unwrap();
    // The contacts are saved apart.
    let contacts = serde_json::to_string(c.contacts()).unwrap();
    let back = serde_json::from_str::<SavedSession>(&json)
        .unwrap()
        .with_contacts(serde_json::from_str(&contacts).unwrap());
    (
        back,
        key,
        String::from_utf8(send.request.body().to_vec()).unwrap(),
    )
}

#[test]
fn round_trip_continues_from_the_same_sync_key() {
    let (saved, key, send_body) = saved_mid_session();
    assert_eq!(saved.version, SAVED_SESSION_VERSION);
    assert_eq!(saved.uin(), 2_846_173_901);
    let mut c = Client::resume(config(), saved).unwrap();
    c.start(at(100_000)).unwrap();
    assert_eq!(c.state(), &State::Resuming);
    let probe = next(&mut c, Endpoint::Sync);
    let body: serde_json::Value = serde_json::from_slice(probe.request.body()).unwrap();
    assert_eq!(
        serde_json::to_vec(&body["SyncKey"]).unwrap(),
        key,
        "the saved SyncKey"
    );
    assert!(
        probe.request.headers()["cookie"]
            .to_str()
            .unwrap()
            .contains("wxsid=Sx9fKq2LmN7pR4tV")
    );
    assert_eq!(
        body["BaseRequest"]["Skey"],
        "@crypt_3f9c1a2b_init0000000000000000000000"
    );

    // The answer redelivers 1001 (seen before the save): only 1019 comes out.
    answer(
        &mut c,
        &probe,
        ok(sync_fixture("webwxsync-duplicate.json")),
        at(100_100),
    );
    let ev = events(&mut c);
    let ids: Vec<&str> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["1019"]);
    assert!(ev.contains(&Event::Resumed { uin: 2_846_173_901 }));
    assert_eq!(c.state(), &State::Ready);
    assert_eq!(
        c.contacts().find_by_name("爱丽丝")[0].user_name(),
        ALICE,
        "the store came back"
    );

    // The loop goes on, and the pending send goes out again with the same LocalID.
    let sent = drain(&mut c);
    let mut endpoints: Vec<Endpoint> = sent.iter().map(|t| t.endpoint).collect();
    endpoints.sort();
    assert_eq!(endpoints, [Endpoint::SyncCheck, Endpoint::SendMsg]);
    let resent = sent
        .iter()
        .find(|t| t.endpoint == Endpoint::SendMsg)
        .unwrap();
    let resent: serde_json::Value = serde_json::from_slice(resent.request.body()).unwrap();
    let before: serde_json::Value = serde_json::from_str(&send_body).unwrap();
    assert_eq!(resent["Msg"], before["Msg"], "same LocalID, same message");
    assert_eq!(
        resent["BaseRequest"]["Skey"], "@crypt_3f9c1a2b_sync0000000000000000000000",
        "the probe's SKey"
    );
}

#[test]
fn over_session_falls_back_to_push_login() {
    let (saved, ..) = saved_mid_session();
    let mut c = Client::resume(config(), saved).unwrap();
    c.start(at(200_000)).unwrap();
    let probe = next(&mut c, Endpoint::Sync);
    answer(
        &mut c,
        &probe,
        ok(sync_fixture("webwxsync-1101.json")),
        at(200_100),
    );
    assert_eq!(c.state(), &State::PushLogin);
    let push = next(&mut c, Endpoint::PushLogin);
    assert_eq!(
        push.request.uri().to_string(),
        "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin=2846173901"
    );
    insta::assert_snapshot!("16_webwxpushloginurl", render(&push));
    answer(
        &mut c,
        &push,
        ok(sync_fixture("webwxpushloginurl.json")),
        at(200_200),
    );
    assert_eq!(
        events(&mut c),
        [Event::PushLoginSent {
            uuid: "Yt5mP0qW2e==".into()
        }]
    );
    assert_eq!(
        c.state(),
        &State::WaitingForConfirm {
            uuid: "Yt5mP0qW2e==".into()
        }
    );
    let poll = next(&mut c, Endpoint::LoginPoll);
    // On the family's login host, as the page (on wx2.qq.com) polls it.
    assert!(
        poll.request.uri().to_string().starts_with(
            "https://login.wx2.qq.com/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid=Yt5mP0qW2e==&tip=1&"
        ),
        "{}",
        poll.request.uri()
    );
    // The phone confirms: a whole new session, and the stale send fails.
    answer(&mut c, &poll, ok(fixture("login-200.js")), at(205_000));
    let ticket = next(&mut c, Endpoint::Ticket);
    answer(&mut c, &ticket, ticket_answer("ticket.xml"), at(205_100));
    let ev = events(&mut c);
    assert!(
        ev.iter().any(|e| matches!(
            e,
            Event::SendFailed {
                error: Error::SessionOver,
                ..
            }
        )),
        "{ev:?}"
    );
    assert!(ev.contains(&Event::LoggedIn { uin: 2_846_173_901 }));
    assert!(
        c.contacts().is_empty(),
        "user names of the old session are stale"
    );
    next(&mut c, Endpoint::Init);
}

#[test]
fn refused_push_login_falls_back_to_qr() {
    let (saved, ..) = saved_mid_session();
    let mut c = Client::resume(config(), saved).unwrap();
    c.start(at(300_000)).unwrap();
    let probe = next(&mut c, Endpoint::Sync);
    answer(
        &mut c,
        &probe,
        ok(sync_fixture("webwxsync-1101.json")),
        at(300_100),
    );
    let push = next(&mut c, Endpoint::PushLogin);
    answer(
        &mut c,
        &push,
        ok(sync_fixture("webwxpushloginurl-refused.json")),
        at(300_200),
    );
    assert_eq!(c.state(), &State::FetchingUuid);
    let js = next(&mut c, Endpoint::JsLogin);
    answer(&mut c, &js, ok(fixture("jslogin.js")), at(300_300));
    assert!(matches!(&events(&mut c)[..], [Event::QrCode { .. }]));
}

#[test]
fn transient_faults_during_the_probe_are_retried_not_a_new_login() {
    let (saved, ..) = saved_mid_session();
    let mut c = Client::resume(config(), saved).unwrap();
    c.start(at(1)).unwrap();
    let probe = next(&mut c, Endpoint::Sync);
    answer(&mut c, &probe, with_status(503, ""), at(2));
    assert_eq!(c.state(), &State::Resuming);
    c.handle_timeout(c.poll_timeout().unwrap());
    next(&mut c, Endpoint::Sync);
}

#[test]
fn versions_and_secrets() {
    let (mut saved, ..) = saved_mid_session();
    let debug = format!("{saved:?}");
    for secret in [
        "Sx9fKq2LmN7pR4tV",
        "@crypt_3f9c1a2b",
        "Hk3%2Fp9Qz",
        "gSfTicketDataZ9x8c7",
    ] {
        assert!(!debug.contains(secret), "{secret} in Debug");
    }
    saved.version = 99;
    assert_eq!(
        Client::resume(config(), saved).err(),
        Some(ResumeError::Version {
            found: 99,
            supported: SAVED_SESSION_VERSION
        })
    );
    let (c, _) = started(config());
    assert!(c.save().is_none(), "nothing to save before login");
}

#[test]
fn a_saved_session_logs_out_without_a_probe() {
    let (saved, ..) = saved_mid_session();
    let mut c = Client::resume(config(), saved).unwrap();
    c.logout(at(1)).unwrap();
    let logout = next(&mut c, Endpoint::Logout);
    assert!(
        logout
            .request
            .uri()
            .query()
            .unwrap()
            .contains("skey=%40crypt_3f9c1a2b_init")
    );
    answer(&mut c, &logout, ok(sync_fixture("webwxlogout.html")), at(2));
    let ev = events(&mut c);
    assert!(
        ev.contains(&Event::LoggedOut {
            reason: webwx_core::LogoutReason::Requested
        }),
        "{ev:?}"
    );
    assert!(c.poll_transmit().is_none());
}
