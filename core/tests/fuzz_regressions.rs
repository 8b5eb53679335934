//! Regressions found by the fuzz targets (`fuzz/`): each test is the smallest input that showed
//! the bug. A test marked `#[ignore]` shows a bug not fixed yet: run it with
//! `cargo test -p webwx-core --test fuzz_regressions -- --ignored`, and remove the mark with the
//! fix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use webwx_core::bytes::Bytes;
use webwx_core::{Endpoint, State, Transmit, is_wechat_host};

/// Redirects whose host the client checks as `wx2.qq.com` (the URL parser reads `\` as `/` and
/// stops the authority at `#`), written back into the request URI so that an HTTP client reads
/// `evil.example` as the host (`%5C` and `%23` are userinfo there).
const SMUGGLED: &[&str] = &[
    r"https://wx2.qq.com\@evil.example/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
    "https://wx2.qq.com#@evil.example/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
    r"https://wx2.qq.com\.evil.example/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
];

/// The host an HTTP client connects to for `t`.
fn host_of(t: &Transmit) -> String {
    t.request
        .uri()
        .host()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Refused (the client fails), or sent to a WeChat host: never to another host.
fn assert_not_smuggled(c: &mut webwx_core::Client, redirect: &str) {
    match c.poll_transmit() {
        None => assert!(matches!(c.state(), State::Failed(_)), "{:?}", c.state()),
        Some(t) => {
            let host = host_of(&t);
            assert!(
                is_wechat_host(&host)
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'),
                "the redirect {redirect:?} sent the login ticket to {}",
                t.request.uri()
            );
        }
    }
}

/// Found by `client` (2026-12-02): a `redirect_uri` with a backslash or `#` before an `@` passes
/// the host check as a WeChat host, and the ticket request (with the login ticket in its query)
/// goes to the host after the `@`.
#[test]

fn a_redirect_uri_cannot_smuggle_a_foreign_host() {
    for redirect in SMUGGLED {
        let (mut c, first) = started(config());
        answer(&mut c, &first, ok(fixture("jslogin.js")), at(100));
        let poll = next(&mut c, Endpoint::LoginPoll);
        let js = redirect.replace('\\', "\\\\");
        let body = format!("window.code=200;\nwindow.redirect_uri=\"{js}\";");
        answer(&mut c, &poll, ok(Bytes::from(body)), at(200));
        assert_not_smuggled(&mut c, redirect);
    }
}

/// The same through the ticket answer's `<redirecturl>`.
#[test]

fn a_redirecturl_cannot_smuggle_a_foreign_host() {
    for redirect in SMUGGLED {
        let (mut c, first) = started(config());
        answer(&mut c, &first, ok(fixture("jslogin.js")), at(100));
        let poll = next(&mut c, Endpoint::LoginPoll);
        answer(&mut c, &poll, ok(fixture("login-200.js")), at(200));
        let ticket = next(&mut c, Endpoint::Ticket);
        let xml = redirect.replace('&', "&amp;");
        let body = format!(
            "<error><ret>0</ret><message></message><redirecturl>{xml}</redirecturl></error>"
        );
        answer(&mut c, &ticket, ok(Bytes::from(body)), at(300));
        assert_not_smuggled(&mut c, redirect);
    }
}

/// A session saved by a ready client (after one sync), as JSON to edit.
fn saved_json() -> serde_json::Value {
    let (mut c, check) = ready(config());
    let sync = to_sync(&mut c, &check, at(7_000));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-all-types.json")),
        at(7_100),
    );
    serde_json::to_value(c.save().unwrap()).unwrap()
}

/// Found by `resume` (2026-12-02): `Client::resume` trims the remembered message ids to
/// `Limits::max_remembered_msg_ids`, but keeps every contact, every member of a group, every
/// queued send and every SyncKey entry of the saved session, whatever the limits say. (A saved
/// session of 1.5 MB with 110,000 contacts resumes into about 60 MB.)
#[test]

fn a_resumed_session_is_held_to_the_limits() {
    let mut limits = webwx_core::Limits::default();
    limits.max_contacts = 8;
    limits.max_group_members = 2;
    limits.max_send_queue = 2;
    limits.max_sync_key_entries = 4;
    let mut json = saved_json();
    let contacts = json["contacts"]["contacts"].as_object_mut().unwrap();
    for i in 0..20 {
        contacts.insert(
            format!("@x{i}"),
            serde_json::json!({ "UserName": format!("@x{i}") }),
        );
    }
    let members: Vec<serde_json::Value> = (0..5)
        .map(|i| serde_json::json!({ "UserName": format!("@m{i}") }))
        .collect();
    contacts.insert(
        "@@big".into(),
        serde_json::json!({ "UserName": "@@big", "MemberList": members }),
    );
    json["outbox"] = (0..5)
        .map(|i| serde_json::json!({ "handle": i, "to": "filehelper", "text": "t", "local_id": i.to_string() }))
        .collect();
    json["sync_key"] = serde_json::json!({
        "Count": 10,
        "List": (1..=10).map(|k| serde_json::json!({ "Key": k, "Val": k })).collect::<Vec<_>>(),
    });
    let saved: webwx_core::SavedSession = serde_json::from_value(json).unwrap();
    // Refusing the session would do as well as trimming it.
    let Ok(c) = webwx_core::Client::resume(config().with_limits(limits.clone()), saved) else {
        return;
    };
    assert!(
        c.contacts().len() <= limits.max_contacts,
        "{} contacts",
        c.contacts().len()
    );
    assert!(
        c.contacts()
            .iter()
            .all(|g| g.member_list.len() <= limits.max_group_members),
        "a group over the member limit"
    );
    assert!(
        c.pending_sends() <= limits.max_send_queue,
        "{} queued sends",
        c.pending_sends()
    );
    assert!(
        c.sync_key().list.len() <= limits.max_sync_key_entries,
        "{} SyncKey entries",
        c.sync_key().list.len()
    );
}
