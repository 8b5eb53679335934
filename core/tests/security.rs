//! Secrets never reach logs, `Debug` or `Display`; cookies go only where they belong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use std::sync::{Arc, Mutex};
use webwx_core::{Endpoint, Event};

/// Every secret value of the fixture session.
const SECRETS: &[&str] = &[
    "Sx9fKq2LmN7pR4tV",                             // wxsid
    "@crypt_3f9c1a2b",                              // skey (every one of them)
    "Hk3%2Fp9QzL1xVb7Nw4Ry2Tm8Us6Oe0Ja5Ic%2BGd%3D", // pass_ticket
    "Hk3/p9QzL1xVb7Nw4Ry2Tm8Us6Oe0Ja5Ic+Gd=",       // pass_ticket, decoded
    "gSfTicketDataZ9x8c7",                          // webwx_data_ticket cookie
    "CIsBEAUaAuthTicket",                           // webwx_auth_ticket cookie
    "AbC3dEf4GhI5jKl6MnO7pQr8",                     // the login ticket
    "v2_ticket@stranger",                           // a friend request's ticket
];

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{secret} appears in {what}:\n{text}"
        );
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A whole session — login, sync, send, read mark, save, a failed call, logout — and everything
/// it shows: events, requests' Debug, the client's Debug, the saved session's Debug, errors.
fn whole_session() -> String {
    let mut shown = String::new();
    let (mut c, check) = ready(config());
    let sync = to_sync(&mut c, &check, at(7_000));
    shown += &format!("{sync:?}");
    c.handle_transport_error(sync.id, webwx_core::TransportErrorKind::Reset, at(7_050));
    c.handle_timeout(c.poll_timeout().unwrap());
    let sync = next(&mut c, Endpoint::Sync);
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-all-types.json")),
        at(7_100),
    );
    c.send_text("filehelper", "hi", at(7_200)).unwrap();
    c.mark_read("filehelper", at(7_300)).unwrap();
    for t in drain(&mut c) {
        shown += &format!("{t:?}");
    }
    shown += &format!("{c:?}");
    shown += &format!("{:?}", c.save().unwrap());
    shown += &format!("{:?}", c.cookies());
    c.logout(at(7_400)).unwrap();
    let logout = next(&mut c, Endpoint::Logout);
    shown += &format!("{logout:?}");
    answer(
        &mut c,
        &logout,
        ok(sync_fixture("webwxlogout.html")),
        at(7_500),
    );
    for e in events(&mut c) {
        shown += &format!("{e:?}");
        if let Event::Failed(err) | Event::SendFailed { error: err, .. } = &e {
            shown += &err.to_string();
        }
    }
    shown
}

#[test]
fn logs_debug_and_display_never_carry_secrets() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let shown = tracing::subscriber::with_default(subscriber, whole_session);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("webwxsync"), "the logs were captured: {logs}");
    assert_clean("the logs", &logs);
    assert_clean("Debug and Display output", &shown);
    assert!(
        shown.contains("webwx_data_ticket"),
        "cookie names are shown"
    );
    assert!(
        shown.contains("FriendRequest") && shown.contains("新朋友"),
        "the friend request was shown, its ticket redacted"
    );
}

#[test]
fn errors_and_refusals_show_no_secrets() {
    let (mut c, first) = started(config());
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(1));
    let poll = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &poll, ok(fixture("login-200-foreign.js")), at(2));
    for e in events(&mut c) {
        assert_clean("a foreign-redirect failure", &format!("{e:?}"));
        if let Event::Failed(err) = e {
            assert_clean("its Display", &err.to_string());
            assert!(err.to_string().contains("wx2.qq.com.attacker.example"));
        }
    }
}

#[test]
fn cookies_go_only_to_the_hosts_they_belong_to() {
    let (c, _) = ready(config());
    let jar = c.cookies();
    let header = |url: &str| {
        jar.header_for(&url::Url::parse(url).unwrap())
            .unwrap_or_default()
    };
    // Host cookies of wx2.qq.com go to it and its subdomains, not to another family.
    assert!(header("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxinit").contains("wxsid="));
    assert!(header("https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck").contains("wxsid="));
    assert!(!header("https://wx.qq.com/").contains("wxsid="));
    assert!(!header("https://wx8.qq.com/").contains("wxuin="));
    // The .qq.com ticket goes across qq.com, and nowhere else.
    assert!(header("https://file.wx.qq.com/").contains("webwx_data_ticket="));
    for foreign in [
        "https://example.com/",
        "http://127.0.0.1/",
        "https://qq.com.evil.org/",
        "https://wechat.com/",
    ] {
        assert_eq!(header(foreign), "", "{foreign}");
    }
}
