//! Hostile redirects (issue 12): every `window.redirect_uri` and ticket `<redirecturl>` the
//! server may send is either refused with a typed error or followed to the host it names as a
//! URL parser reads it — never to a host hidden in its user info, fragment or escapes — and a
//! `<redirecturl>` loop ends after a few hops.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use webwx_core::bytes::Bytes;
use webwx_core::{Client, Config, Endpoint, Error, Event, State, Transmit, TransportErrorKind};

/// What a redirect must lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The ticket request goes to this URL prefix (scheme, host, port and path).
    Sent(&'static str),
    /// The login fails with `ForeignHost` naming this host.
    Foreign(&'static str),
    /// The login fails with `Protocol`.
    Protocol,
}
use Outcome::*;

const PATH: &str = "/cgi-bin/mmwebwx-bin/webwxnewloginpage";

/// Every hostile form, with where it must lead. `{P}` is the ticket path and query.
const CASES: &[(&str, Outcome)] = &[
    // The issue's example: `\` is `/` to a URL parser, so the host is wx.qq.com and
    // `@evil.example` is the start of the path.
    (
        r"https://wx.qq.com\@evil.example{P}",
        Sent("https://wx.qq.com/@evil.example/cgi-bin/"),
    ),
    (r"https:/\evil.example{P}", Foreign("evil.example")),
    (r"https:\\evil.example{P}", Foreign("evil.example")),
    // User info.
    ("https://wx.qq.com@evil.example{P}", Foreign("evil.example")),
    (
        "https://wx.qq.com:443@evil.example{P}",
        Foreign("evil.example"),
    ),
    ("https://user:pass@wx.qq.com{P}", Protocol),
    (
        "https://wx.qq.com%2F@evil.example{P}",
        Foreign("evil.example"),
    ),
    ("https://wx.qq.com%40evil.example{P}", Protocol),
    ("https://evil.example%2F.wx.qq.com{P}", Protocol),
    ("https://evil.example%2Fwx.qq.com{P}", Protocol),
    // A fragment or query before the path: the host is wx.qq.com, and the fragment is dropped.
    (
        "https://wx.qq.com#@evil.example{P}",
        Sent("https://wx.qq.com/?fun=new"),
    ),
    (
        "https://wx.qq.com?@evil.example{P}",
        Sent("https://wx.qq.com/?@evil.example/"),
    ),
    (
        "https://wx2.qq.com{P}#@evil.example",
        Sent("https://wx2.qq.com/cgi-bin/"),
    ),
    // Case.
    ("https://WX2.QQ.COM{P}", Sent("https://wx2.qq.com/cgi-bin/")),
    ("HTTPS://Wx2.Qq.Com{P}", Sent("https://wx2.qq.com/cgi-bin/")),
    (
        "https://WX2.QQ.COM.EVIL.EXAMPLE{P}",
        Foreign("wx2.qq.com.evil.example"),
    ),
    // A trailing dot is refused, not normalised; so is an empty label.
    ("https://wx2.qq.com.{P}", Foreign("wx2.qq.com.")),
    ("https://wx2..qq.com{P}", Foreign("wx2..qq.com")),
    // IDN: full-width letters and the ideographic full stop map to wx.qq.com; a Cyrillic `с`
    // is another host.
    (
        "https://\u{ff57}\u{ff58}.qq\u{3002}com{P}",
        Sent("https://wx.qq.com/cgi-bin/"),
    ),
    ("https://wx.qq.\u{441}om{P}", Foreign("wx.qq.xn--om-nmc")),
    (
        "https://wx.qq.com\u{3002}evil.example{P}",
        Foreign("wx.qq.com.evil.example"),
    ),
    // IP literals.
    ("https://[::1]{P}", Foreign("[::1]")),
    ("https://[::ffff:7f00:1]:443{P}", Foreign("[::ffff:7f00:1]")),
    ("http://127.0.0.1:8080{P}", Foreign("127.0.0.1")),
    ("http://0x7f.1{P}", Foreign("127.0.0.1")),
    // Scheme and ports: WeChat hosts are https on 443.
    ("http://wx2.qq.com{P}", Sent("https://wx2.qq.com/cgi-bin/")),
    (
        "http://wx2.qq.com:443{P}",
        Sent("https://wx2.qq.com/cgi-bin/"),
    ),
    (
        "https://wx2.qq.com:443{P}",
        Sent("https://wx2.qq.com/cgi-bin/"),
    ),
    ("https://wx2.qq.com:8443{P}", Protocol),
    (
        "http://wx2.qq.com:80{P}",
        Sent("https://wx2.qq.com/cgi-bin/"),
    ),
    ("http://wx2.qq.com:8080{P}", Protocol),
    ("ftp://wx2.qq.com{P}", Protocol),
    ("javascript:alert(1)//wx2.qq.com", Protocol),
    ("//evil.example{P}", Protocol),
    ("/cgi-bin/mmwebwx-bin/webwxnewloginpage", Protocol),
];

fn url_of(case: &str) -> String {
    case.replace(
        "{P}",
        &format!("{PATH}?ticket=T@qrticket_0&uuid=Qb7xN1e2Mw==&lang=zh_CN&scan=1"),
    )
}

/// `text` as a JavaScript string literal.
fn js_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `text` as XML character data.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A client waiting for the login poll's answer, and that poll.
fn at_login_poll(config: Config) -> (Client, Transmit) {
    let (mut c, first) = started(config);
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(10));
    let poll = next(&mut c, Endpoint::LoginPoll);
    events(&mut c);
    (c, poll)
}

/// A client waiting for the first ticket answer (at wx2.qq.com), and that request.
fn at_ticket(config: Config) -> (Client, Transmit) {
    let (mut c, poll) = at_login_poll(config);
    answer(&mut c, &poll, ok(fixture("login-200.js")), at(20));
    let ticket = next(&mut c, Endpoint::Ticket);
    events(&mut c);
    (c, ticket)
}

fn poll_answer(redirect: &str) -> Bytes {
    Bytes::from(format!(
        "window.code=200;window.redirect_uri={};",
        js_string(redirect)
    ))
}

fn ticket_answer_to(redirect: &str) -> Bytes {
    Bytes::from(format!(
        "<error><ret>0</ret><message></message><redirecturl>{}</redirecturl></error>",
        xml_text(redirect)
    ))
}

/// What the client did with the answer just given: the request it sent (and no other), or its
/// failure.
fn outcome_of(c: &mut Client) -> Result<Transmit, Error> {
    let sent = drain(c);
    if let State::Failed(e) = c.state().clone() {
        assert!(sent.is_empty(), "a request with the failure");
        assert!(matches!(events(c).last(), Some(Event::Failed(f)) if *f == e));
        return Err(e);
    }
    assert_eq!(sent.len(), 1, "one request, state {:?}", c.state());
    let t = sent.into_iter().next().unwrap();
    assert_eq!(t.endpoint, Endpoint::Ticket);
    Ok(t)
}

fn check(case: &str, outcome: Outcome, result: Result<Transmit, Error>) {
    match (outcome, result) {
        (Sent(prefix), Ok(t)) => {
            let uri = t.request.uri();
            let want = url::Url::parse(prefix).unwrap();
            assert_eq!(uri.scheme_str(), Some("https"), "{case}: {uri}");
            assert_eq!(uri.host(), want.host_str(), "{case}: {uri}");
            assert_eq!(uri.port(), None, "{case}: {uri}");
            let text = uri.to_string();
            assert!(text.starts_with(prefix), "{case}: {text}");
            assert!(
                text.ends_with("fun=new&version=v2&lang=zh_CN"),
                "{case}: {text}"
            );
        }
        (Foreign(host), Err(Error::ForeignHost { host: h })) => assert_eq!(h, host, "{case}"),
        (Protocol, Err(Error::Protocol { .. })) => {}
        (want, got) => panic!("{case}: expected {want:?}, got {got:?}"),
    }
}

#[test]
fn hostile_redirect_uris_are_refused_or_sent_to_the_host_they_name() {
    for &(case, outcome) in CASES {
        let raw = url_of(case);
        let (mut c, poll) = at_login_poll(config());
        answer(&mut c, &poll, ok(poll_answer(&raw)), at(20));
        let result = outcome_of(&mut c);
        if let Err(Error::Protocol { endpoint, .. }) = &result {
            assert_eq!(*endpoint, Endpoint::LoginPoll, "{case}");
        }
        if let (Sent(prefix), Ok(_)) = (outcome, &result) {
            let host = url::Url::parse(prefix).unwrap();
            assert!(
                c.hosts().unwrap().api.ends_with(host.host_str().unwrap()),
                "{case}: the host table follows the checked host"
            );
        }
        check(case, outcome, result);
    }
}

#[test]
fn hostile_redirecturls_are_refused_or_sent_to_the_host_they_name() {
    for &(case, outcome) in CASES {
        let raw = url_of(case);
        let (mut c, ticket) = at_ticket(config());
        answer(&mut c, &ticket, ok(ticket_answer_to(&raw)), at(30));
        let result = outcome_of(&mut c);
        if let Err(Error::Protocol { endpoint, .. }) = &result {
            assert_eq!(*endpoint, Endpoint::Ticket, "{case}");
        }
        check(case, outcome, result);
    }
}

#[test]
fn allowed_hosts_keep_their_scheme_and_port() {
    let config = config()
        .with_allowed_host("127.0.0.1")
        .with_allowed_host("::1");
    for (raw, want) in [
        ("http://127.0.0.1:8080{P}", "http://127.0.0.1:8080/cgi-bin/"),
        ("http://[::1]:8080{P}", "http://[::1]:8080/cgi-bin/"),
        ("https://[0:0::1]{P}", "https://[::1]/cgi-bin/"),
        ("http://0x7f.1:9{P}", "http://127.0.0.1:9/cgi-bin/"),
    ] {
        let (mut c, poll) = at_login_poll(config.clone());
        answer(&mut c, &poll, ok(poll_answer(&url_of(raw))), at(20));
        let t = outcome_of(&mut c).unwrap();
        assert!(t.request.uri().to_string().starts_with(want), "{raw}");
    }
    for (raw, host) in [
        ("http://127.0.0.2:8080{P}", "127.0.0.2"),
        ("http://[::2]:8080{P}", "[::2]"),
        ("http://127.0.0.1.evil.example{P}", "127.0.0.1.evil.example"),
    ] {
        let (mut c, poll) = at_login_poll(config.clone());
        answer(&mut c, &poll, ok(poll_answer(&url_of(raw))), at(20));
        assert_eq!(
            outcome_of(&mut c).unwrap_err(),
            Error::ForeignHost { host: host.into() }
        );
    }
}

#[test]
fn the_server_encoded_ticket_goes_out_as_sent() {
    let (mut c, poll) = at_login_poll(config());
    let raw = "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A%2Bb%3D@qrticket_0&uuid=x==&lang=zh_CN";
    answer(&mut c, &poll, ok(poll_answer(raw)), at(20));
    let t = outcome_of(&mut c).unwrap();
    assert_eq!(
        t.request.uri().to_string(),
        format!("{raw}&fun=new&version=v2&lang=zh_CN")
    );
}

/// A `<redirecturl>` that points at the ticket itself.
fn self_loop() -> Bytes {
    ticket_answer_to(&format!(
        "https://wx2.qq.com{PATH}?ticket=AbC3dEf4GhI5jKl6MnO7pQr8@qrticket_0&uuid=Qb7xN1e2Mw=="
    ))
}

#[test]
fn a_redirecturl_loop_ends_after_three_hops() {
    let (mut c, mut ticket) = at_ticket(config());
    let mut tickets = 1;
    loop {
        answer(&mut c, &ticket, ok(self_loop()), at(100 + tickets));
        match outcome_of(&mut c) {
            Ok(t) => {
                tickets += 1;
                ticket = t;
            }
            Err(e) => {
                assert_eq!(
                    e,
                    Error::Protocol {
                        endpoint: Endpoint::Ticket,
                        detail: "the ticket answers redirected more than 3 times (a redirect loop)"
                    }
                );
                break;
            }
        }
        assert!(tickets <= 10, "no end to the loop");
    }
    assert_eq!(tickets, 4, "the first ticket request and three follows");
}

#[test]
fn a_loop_between_two_hosts_ends_too() {
    let (mut c, mut ticket) = at_ticket(config());
    let mut tickets = 1;
    let hosts = ["wx.qq.com", "wx2.qq.com"];
    let failed = loop {
        let to = hosts[tickets % 2];
        let next = ticket_answer_to(&format!("https://{to}{PATH}?ticket=T"));
        answer(&mut c, &ticket, ok(next), at(100));
        match outcome_of(&mut c) {
            Ok(t) => {
                assert_eq!(t.request.uri().host(), Some(to));
                tickets += 1;
                ticket = t;
            }
            Err(e) => break e,
        }
        assert!(tickets <= 10, "no end to the loop");
    };
    assert!(matches!(failed, Error::Protocol { .. }));
    assert_eq!(tickets, 4);
}

#[test]
fn three_hops_are_followed_and_the_fourth_ticket_logs_in() {
    let (mut c, mut ticket) = at_ticket(config());
    for _ in 0..3 {
        answer(&mut c, &ticket, ok(self_loop()), at(100));
        ticket = outcome_of(&mut c).unwrap();
    }
    answer(&mut c, &ticket, ticket_answer("ticket.xml"), at(200));
    assert_eq!(events(&mut c), [Event::LoggedIn { uin: 2_846_173_901 }]);
    assert_eq!(c.state(), &State::Initializing);
}

#[test]
fn a_retried_hop_keeps_its_count() {
    let (mut c, mut ticket) = at_ticket(config());
    for _ in 0..3 {
        answer(&mut c, &ticket, ok(self_loop()), at(100));
        ticket = outcome_of(&mut c).unwrap();
    }
    // The last allowed hop fails in the transport and is tried again: still the last one.
    c.handle_transport_error(ticket.id, TransportErrorKind::Reset, at(200));
    events(&mut c);
    c.handle_timeout(c.poll_timeout().unwrap());
    let again = next(&mut c, Endpoint::Ticket);
    answer(&mut c, &again, ok(self_loop()), at(100_000));
    assert!(matches!(
        outcome_of(&mut c),
        Err(Error::Protocol {
            endpoint: Endpoint::Ticket,
            ..
        })
    ));
}
