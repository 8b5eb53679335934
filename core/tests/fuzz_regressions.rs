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
use webwx_core::{Endpoint, State, is_wechat_host};

/// Redirects whose host `url` reads as `wx2.qq.com` (it takes `\` for `/` and ends the authority
/// at `#`), but an HTTP client reads as `evil.example` once `\` and `#` are percent-encoded
/// (`%5C` and `%23` are then user info).
const SMUGGLED: &[&str] = &[
    r"https://wx2.qq.com\@evil.example/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
    "https://wx2.qq.com#@evil.example/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
];

/// Refused (the client fails), or sent to the host the client checked: the host `url` reads in
/// `redirect`, which is what an HTTP client must read in the request's URI too.
fn assert_sent_where_checked(c: &mut webwx_core::Client, redirect: &str) {
    let Some(t) = c.poll_transmit() else {
        assert!(matches!(c.state(), State::Failed(_)), "{:?}", c.state());
        return;
    };
    let checked = url::Url::parse(redirect).unwrap();
    let sent = t
        .request
        .uri()
        .host()
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert_eq!(
        Some(sent.as_str()),
        checked.host_str(),
        "the redirect {redirect:?} was checked as {:?} and sent to {}",
        checked.host_str(),
        t.request.uri()
    );
    assert!(is_wechat_host(&sent) || sent == "127.0.0.1");
}

/// Confirms a login with `redirect_uri` under `config`, and checks the ticket request.
fn confirm_with(config: webwx_core::Config, redirect: &str) {
    let (mut c, first) = started(config);
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(100));
    let poll = next(&mut c, Endpoint::LoginPoll);
    let js = redirect.replace('\\', "\\\\");
    let body = format!("window.code=200;\nwindow.redirect_uri=\"{js}\";");
    answer(&mut c, &poll, ok(Bytes::from(body)), at(200));
    assert_sent_where_checked(&mut c, redirect);
}

/// Found by `client` (2026-12-02): a `redirect_uri` with a backslash or `#` before an `@` passed
/// the host check as a WeChat host, and the ticket request (with the login ticket in its query)
/// went to the host after the `@`: the host was checked on the URL as `url` parses it, but the
/// request's URI was the server's string re-encoded (`keep_encoded`). Fixed by sending the URL
/// that was checked.
#[test]
fn a_redirect_uri_cannot_smuggle_a_foreign_host() {
    for redirect in SMUGGLED {
        confirm_with(config(), redirect);
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
        assert_sent_where_checked(&mut c, redirect);
    }
}

/// Found by `client` (2026-12-02), the same cause without a foreign host: `url` reads the IPv4
/// forms `2130706433` and `0x7f.1` as `127.0.0.1`, which a simulator configuration allows, and
/// the request went out with the server's spelling (resolvers read it as 127.0.0.1 too, so it
/// reached the allowed host; the request now names the host that was checked).
#[test]
fn the_ticket_request_names_the_host_that_was_checked() {
    for redirect in [
        "http://2130706433/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
        "https://0x7f.1/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
    ] {
        confirm_with(config().with_allowed_host("127.0.0.1"), redirect);
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

/// Found by the `resume` target's limit check (2026-12-02): `Client::resume` trimmed the
/// remembered message ids to `Limits::max_remembered_msg_ids`, but kept every contact, every
/// member of a group, every queued send and every SyncKey entry of the saved session, whatever
/// the limits said (a saved session of 1.5 MB with 110,000 contacts resumed into about 60 MB).
/// Fixed: such a session is refused.
#[test]
fn a_resumed_session_is_held_to_the_limits() {
    let mut limits = webwx_core::Limits::default();
    limits.max_contacts = 8;
    limits.max_group_members = 2;
    limits.max_send_queue = 2;
    limits.max_sync_key_entries = 4;
    let mut json = saved_json();
    // The contacts are saved apart from the session (a list of contacts).
    let mut contacts: Vec<serde_json::Value> = (0..20)
        .map(|i| serde_json::json!({ "UserName": format!("@x{i}") }))
        .collect();
    let members: Vec<serde_json::Value> = (0..5)
        .map(|i| serde_json::json!({ "UserName": format!("@m{i}") }))
        .collect();
    contacts.push(serde_json::json!({ "UserName": "@@big", "MemberList": members }));
    let contacts: webwx_core::ContactStore =
        serde_json::from_value(serde_json::Value::Array(contacts)).unwrap();
    json["outbox"] = (0..5)
        .map(|i| serde_json::json!({ "handle": i, "to": "filehelper", "text": "t", "local_id": i.to_string() }))
        .collect();
    json["sync_key"] = serde_json::json!({
        "Count": 10,
        "List": (1..=10).map(|k| serde_json::json!({ "Key": k, "Val": k })).collect::<Vec<_>>(),
    });
    let saved = serde_json::from_value::<webwx_core::SavedSession>(json)
        .unwrap()
        .with_contacts(contacts);
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
            .all(|g| g.members().len() <= limits.max_group_members),
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

/// Found by the `resume` target's limit check (2026-12-02), after the fix above: resume counts
/// the members of groups (`@@` user names) only, while an answer's contacts are held to
/// `Limits::max_group_members` whatever their kind, so a saved friend (or any contact that is not
/// a group) with a member list of any length still resumes whole.
#[test]
fn a_resumed_contact_of_any_kind_is_held_to_the_member_limit() {
    // The fixture groups have up to 3 members.
    let mut limits = webwx_core::Limits::default();
    limits.max_group_members = 3;
    let json = saved_json();
    let members: Vec<serde_json::Value> = (0..5)
        .map(|i| serde_json::json!({ "UserName": format!("@m{i}") }))
        .collect();
    let contacts: webwx_core::ContactStore = serde_json::from_value(serde_json::json!([
        { "UserName": "@friend", "MemberList": members }
    ]))
    .unwrap();
    let saved = serde_json::from_value::<webwx_core::SavedSession>(json)
        .unwrap()
        .with_contacts(contacts);
    let Ok(c) = webwx_core::Client::resume(config().with_limits(limits.clone()), saved) else {
        return;
    };
    let longest = c
        .contacts()
        .iter()
        .map(|g| g.members().len())
        .max()
        .unwrap_or(0);
    assert!(
        longest <= limits.max_group_members,
        "a contact with {longest} members, limit {}",
        limits.max_group_members
    );
}

/// Found by the `resume` target's cookie check (2026-12-02): answers can make the jar hold at
/// most 50 cookies, but a saved session's jar is loaded whole, so a session saved with more
/// (by an older build, or edited) resumes with all of them and sends them on every request.
#[test]
fn a_resumed_cookie_jar_is_held_to_50_cookies() {
    let mut json = saved_json();
    let mut jar: Vec<serde_json::Value> =
        serde_json::from_str(json["cookies"].as_str().unwrap()).unwrap();
    let template = jar[0].clone();
    for i in 0..60 {
        let mut cookie = template.clone();
        cookie["raw_cookie"] = format!("extra{i}=1; Path=/; Domain=wx2.qq.com").into();
        jar.push(cookie);
    }
    json["cookies"] = serde_json::Value::Array(jar).to_string().into();
    let saved: webwx_core::SavedSession = serde_json::from_value(json).unwrap();
    let Ok(c) = webwx_core::Client::resume(config(), saved) else {
        return;
    };
    let api = url::Url::parse("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsync").unwrap();
    let sent = c.cookies().header_for(&api).unwrap_or_default();
    let count = sent.split("; ").count();
    assert!(count <= 50, "{count} cookies sent");
}
