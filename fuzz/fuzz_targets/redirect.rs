//! Any string as the login's `window.redirect_uri` and as the ticket's `<redirecturl>`: the
//! client either fails with `ForeignHost` or `Protocol` and sends nothing, or sends the ticket
//! request to the host a URL parser reads in the string (over https on the default port for a
//! WeChat host; an allowed host keeps its scheme and port), and a `<redirecturl>` that keeps
//! pointing somewhere is followed at most three times.
#![no_main]

use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::parse::{LoginPoll, parse_login_poll, parse_ticket};
use webwx_core::{Client, Config, Endpoint, Error, State, Timestamp, Transmit, is_wechat_host};

const T0: u64 = 1_764_000_000_000;
/// The hosts the harness allows, as `url` serializes them.
const ALLOWED: &[&str] = &["127.0.0.1", "[::1]", "sim.test"];

fn client() -> Client {
    let config = Config::new(1)
        .with_allowed_host("127.0.0.1")
        .with_allowed_host("::1")
        .with_allowed_host("sim.test");
    let mut c = Client::new(config);
    let _ = c.start(Timestamp::from_unix_millis(T0));
    c
}

/// A client waiting for the answer to its login poll, and that poll.
fn at_login_poll() -> (Client, Transmit) {
    let mut c = client();
    let js = drain(&mut c).pop().expect("jslogin");
    let qr = r#"window.QRLogin.code = 200; window.QRLogin.uuid = "U";"#;
    reply(&mut c, &js, qr.into());
    let poll = drain(&mut c).pop().expect("login poll");
    (c, poll)
}

fn reply(c: &mut Client, t: &Transmit, body: String) {
    c.handle_response(
        t.id,
        Response::new(Bytes::from(body)),
        Timestamp::from_unix_millis(T0 + 1),
    );
}

fn drain(c: &mut Client) -> Vec<Transmit> {
    while c.poll_event().is_some() {}
    std::iter::from_fn(|| c.poll_transmit()).collect()
}

/// The one request the client sent after being given `raw`, checked; `None` when it refused.
fn followed(c: &mut Client, raw: &str) -> Option<Transmit> {
    let sent = drain(c);
    if let State::Failed(e) = c.state() {
        assert!(
            matches!(e, Error::ForeignHost { .. } | Error::Protocol { .. }),
            "{raw:?}: {e:?}"
        );
        assert!(sent.is_empty(), "{raw:?}: a request with the failure");
        return None;
    }
    assert_eq!(sent.len(), 1, "{raw:?}: {:?}", c.state());
    let t = sent.into_iter().next()?;
    assert_eq!(t.endpoint, Endpoint::Ticket);
    let checked = url::Url::parse(raw).expect("a followed redirect is a URL");
    let want = checked.host_str().expect("a followed redirect has a host");
    let uri = t.request.uri();
    assert_eq!(uri.host(), Some(want), "{raw:?} went to {uri}");
    assert!(!uri.authority().is_some_and(|a| a.as_str().contains('@')));
    let reparsed = url::Url::parse(&uri.to_string()).expect("the URI is a URL");
    assert_eq!(
        reparsed.host_str(),
        Some(want),
        "the parsers agree on {uri}"
    );
    if is_wechat_host(want) {
        assert_eq!(uri.scheme_str(), Some("https"), "{uri}");
        assert_eq!(uri.port(), None, "{uri}");
    } else {
        assert!(ALLOWED.contains(&want), "{raw:?} went to {want}");
        assert_eq!(uri.scheme_str(), Some(checked.scheme()));
        assert_eq!(uri.port_u16(), checked.port());
    }
    Some(t)
}

fn js_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `text` as `window.redirect_uri`.
fn as_redirect_uri(text: &str) {
    let body = format!("window.code=200;window.redirect_uri={};", js_string(text));
    let Ok(LoginPoll::Confirmed { redirect_uri }) = parse_login_poll(body.as_bytes()) else {
        return;
    };
    let (mut c, poll) = at_login_poll();
    reply(&mut c, &poll, body);
    followed(&mut c, &redirect_uri);
}

/// `text` as `<redirecturl>`, given again every time the client follows it.
fn as_redirecturl(text: &str) {
    let body = format!(
        "<error><ret>0</ret><message></message><redirecturl>{}</redirecturl></error>",
        xml_text(text)
    );
    let Some(raw) = parse_ticket(body.as_bytes())
        .ok()
        .and_then(|t| t.redirect_url)
    else {
        return;
    };
    let (mut c, poll) = at_login_poll();
    reply(
        &mut c,
        &poll,
        r#"window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T";"#.into(),
    );
    let mut ticket = drain(&mut c).pop().expect("ticket");
    let mut follows = 0;
    loop {
        reply(&mut c, &ticket, body.clone());
        match followed(&mut c, &raw) {
            Some(t) => ticket = t,
            None => break,
        }
        follows += 1;
        assert!(follows <= 3, "{follows} follows of {raw:?}");
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    as_redirect_uri(text);
    as_redirecturl(text);
});
