//! One test per error path of the login: refusals, expiry, cancel, foreign redirects, malformed
//! answers of every kind, transport errors and the retry budget.
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
use webwx_core::{
    Endpoint, Error, Event, Failure, Limits, ParseError, RetryPolicy, State, Transmit,
    TransportErrorKind, UsageError,
};

/// Drives the fixture login until the request for `endpoint` is pending, and returns it.
/// Drives the fixture login until a request for `endpoint` goes out, and returns it. The
/// requests the set-up makes at the same time (statusnotify, synccheck, the first contact page,
/// the ChatSet batch) stay in flight unanswered.
fn until(c: &mut webwx_core::Client, first: Transmit, endpoint: Endpoint) -> Transmit {
    let steps: [(Endpoint, &str); 4] = [
        (Endpoint::JsLogin, "jslogin.js"),
        (Endpoint::LoginPoll, "login-200.js"),
        (Endpoint::Ticket, "ticket.xml"),
        (Endpoint::Init, "webwxinit.json"),
    ];
    let mut t = first;
    for (i, (e, body)) in steps.iter().enumerate() {
        assert_eq!(t.endpoint, *e);
        if *e == endpoint {
            return t;
        }
        let resp = if *e == Endpoint::Ticket {
            ticket_answer(body)
        } else {
            ok(fixture(body))
        };
        answer(c, &t, resp, at(1_000 + i as u64));
        events(c);
        if *e != Endpoint::Init {
            t = c.poll_transmit().unwrap();
        }
    }
    // The set-up's requests: statusnotify, the first page, synccheck; the batch 200 ms later.
    let mut set_up = drain(c);
    c.handle_timeout(at(1_003 + 200));
    set_up.extend(drain(c));
    let wanted = set_up
        .iter()
        .position(|t| t.endpoint == endpoint)
        .unwrap_or_else(|| panic!("{endpoint} not reached"));
    let wanted = set_up.swap_remove(wanted);
    // The others are answered (statusnotify, the batch), or stay in flight (the first page,
    // synccheck, whose deadline is 75 s away).
    for t in set_up {
        let body = match t.endpoint {
            Endpoint::StatusNotify => "webwxstatusnotify.json",
            Endpoint::BatchGetContact => "webwxbatchgetcontact.json",
            _ => continue,
        };
        answer(c, &t, ok(fixture(body)), at(1_300));
    }
    events(c);
    wanted
}

/// The request for `endpoint` among the pending ones (exactly one); the others (the page's
/// timing reports) are left in flight.
fn next_of(c: &mut webwx_core::Client, endpoint: Endpoint) -> Transmit {
    let mut pending: Vec<Transmit> = drain(c)
        .into_iter()
        .filter(|t| t.endpoint == endpoint)
        .collect();
    assert_eq!(pending.len(), 1, "one {endpoint} request");
    pending.remove(0)
}

fn failed_with(c: &mut webwx_core::Client) -> Error {
    let ev = events(c);
    let Some(Event::Failed(e)) = ev.last() else {
        panic!("no failure in {ev:?}")
    };
    assert_eq!(c.state(), &State::Failed(e.clone()));
    assert!(c.poll_transmit().is_none(), "no request after a failure");
    assert_eq!(c.poll_timeout(), None);
    e.clone()
}

#[test]
fn login_refused_1203_carries_the_message_verbatim() {
    let (mut c, first) = started(config());
    let t = until(&mut c, first, Endpoint::Ticket);
    answer(&mut c, &t, ok(fixture("ticket-1203.xml")), at(9_000));
    let e = failed_with(&mut c);
    assert_eq!(
        e,
        Error::LoginRefused {
            code: 1203,
            message: "当前登录环境异常。为了你的帐号安全，暂时不能登录web微信。你可以通过Windows微信、Mac微信或者手机客户端微信登录。".into()
        }
    );
    // Nothing more happens, whatever arrives.
    c.handle_timeout(at(100_000));
    c.handle_response(t.id, ok(fixture("ticket.xml")), at(100_001));
    assert!(c.poll_transmit().is_none() && c.poll_event().is_none());
    assert_eq!(c.start(at(0)), Err(UsageError::Ended));
}

#[test]
fn expired_qr_is_refreshed_with_a_new_uuid() {
    let (mut c, first) = started(config());
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(10));
    events(&mut c);
    let poll = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &poll, ok(fixture("login-400.js")), at(25_000));
    assert_eq!(events(&mut c), [Event::QrExpired { code: 400 }]);
    assert_eq!(c.state(), &State::FetchingUuid);
    let js = next(&mut c, Endpoint::JsLogin);
    answer(&mut c, &js, ok(fixture("jslogin-2.js")), at(25_100));
    assert!(matches!(&events(&mut c)[..], [Event::QrCode { uuid, .. }] if uuid == "Zp4kR8s0Vw=="));
    let poll = next(&mut c, Endpoint::LoginPoll);
    assert!(
        poll.request
            .uri()
            .query()
            .unwrap()
            .contains("uuid=Zp4kR8s0Vw==&tip=1")
    );
}

#[test]
fn refresh_limit_ends_the_login() {
    let (mut c, mut js) = started(config().with_max_qr_refreshes(2));
    for round in 0..3u64 {
        answer(&mut c, &js, ok(fixture("jslogin.js")), at(round * 100));
        let poll = next(&mut c, Endpoint::LoginPoll);
        answer(
            &mut c,
            &poll,
            ok(fixture("login-400.js")),
            at(round * 100 + 50),
        );
        if round < 2 {
            js = next(&mut c, Endpoint::JsLogin);
        }
    }
    assert_eq!(failed_with(&mut c), Error::QrRefreshLimit { refreshes: 2 });
}

#[test]
fn cancel_on_the_phone_starts_over() {
    let (mut c, first) = started(config());
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(10));
    let poll = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &poll, ok(fixture("login-201.js")), at(3_000));
    let poll = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &poll, ok(fixture("login-202.js")), at(6_000));
    let ev = events(&mut c);
    assert!(matches!(ev.last(), Some(Event::LoginCancelled)), "{ev:?}");
    assert_eq!(c.state(), &State::FetchingUuid);
    next(&mut c, Endpoint::JsLogin);
}

#[test]
fn foreign_redirect_is_refused() {
    let (mut c, first) = started(config());
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(10));
    let poll = next(&mut c, Endpoint::LoginPoll);
    answer(
        &mut c,
        &poll,
        ok(fixture("login-200-foreign.js")),
        at(3_000),
    );
    assert_eq!(
        failed_with(&mut c),
        Error::ForeignHost {
            host: "wx2.qq.com.attacker.example".into()
        }
    );
}

#[test]
fn allowed_foreign_host_serves_every_role() {
    let config = config()
        .with_login_origin("http://127.0.0.1:4567")
        .with_allowed_host("127.0.0.1");
    let (mut c, first) = started(config);
    assert!(
        first
            .request
            .uri()
            .to_string()
            .starts_with("http://127.0.0.1:4567/jslogin?")
    );
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(10));
    let poll = next(&mut c, Endpoint::LoginPoll);
    let redirect = Bytes::from_static(
        b"window.code=200;window.redirect_uri=\"http://127.0.0.1:4567/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=Qb7xN1e2Mw==&lang=zh_CN&scan=1\";",
    );
    answer(&mut c, &poll, ok(redirect), at(20));
    let ticket = next(&mut c, Endpoint::Ticket);
    assert!(
        ticket
            .request
            .uri()
            .to_string()
            .starts_with("http://127.0.0.1:4567/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=")
    );
    assert_eq!(c.hosts().unwrap().push, "http://127.0.0.1:4567");
}

#[test]
fn ticket_redirecturl_is_followed_within_policy() {
    let (mut c, first) = started(config());
    let t = until(&mut c, first, Endpoint::Ticket);
    let moved = Bytes::from_static(
        b"<error><ret>0</ret><message></message><redirecturl>https://wx8.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=B&amp;uuid=U</redirecturl></error>",
    );
    answer(&mut c, &t, ok(moved), at(9_000));
    let t2 = next(&mut c, Endpoint::Ticket);
    assert_eq!(
        t2.request.uri().to_string(),
        "https://wx8.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=B&uuid=U&fun=new&version=v2&lang=zh_CN"
    );
    assert_eq!(c.hosts().unwrap().push, "https://webpush.wx8.qq.com");
    let evil = Bytes::from_static(
        b"<error><ret>0</ret><redirecturl>https://evil.example/steal</redirecturl></error>",
    );
    answer(&mut c, &t2, ok(evil), at(9_100));
    assert_eq!(
        failed_with(&mut c),
        Error::ForeignHost {
            host: "evil.example".into()
        }
    );
}

#[test]
fn ticket_as_a_301_with_xml_body_is_read() {
    let (mut c, first) = started(config());
    let t = until(&mut c, first, Endpoint::Ticket);
    let mut r = ticket_answer("ticket.xml");
    *r.status_mut() = webwx_core::http::StatusCode::MOVED_PERMANENTLY;
    answer(&mut c, &t, r, at(9_000));
    assert_eq!(events(&mut c), [Event::LoggedIn { uin: 2_846_173_901 }]);
}

#[test]
fn ticket_without_credentials_is_a_protocol_error() {
    let (mut c, first) = started(config());
    let t = until(&mut c, first, Endpoint::Ticket);
    answer(
        &mut c,
        &t,
        ok(Bytes::from_static(
            b"<error><ret>0</ret><message>OK</message></error>",
        )),
        at(9_000),
    );
    assert!(matches!(
        failed_with(&mut c),
        Error::Protocol {
            endpoint: Endpoint::Ticket,
            ..
        }
    ));
}

/// Every endpoint: a malformed answer is retried after backoff, then the good answer goes on.
#[test]
fn malformed_answers_of_every_kind_are_retried() {
    let cases: [(Endpoint, &[u8]); 6] = [
        (Endpoint::JsLogin, b"window.QRLogin.code = ;"),
        (Endpoint::LoginPoll, b"<html>502 Bad Gateway</html>"),
        (Endpoint::Ticket, b"<error><ret>0</ret>"),
        (
            Endpoint::Init,
            b"{\"BaseResponse\":{\"Ret\":0},\"User\":{\"UserName\":\"\"}}",
        ),
        (
            Endpoint::GetContact,
            b"{\"BaseResponse\":{\"Ret\":0},\"MemberList\":{}}",
        ),
        (Endpoint::BatchGetContact, b"\xff\xfe not json"),
    ];
    for (endpoint, bad) in cases {
        let (mut c, first) = started(config());
        let t = until(&mut c, first, endpoint);
        answer(&mut c, &t, ok(Bytes::copy_from_slice(bad)), at(50_000));
        let ev = events(&mut c);
        let [
            Event::Retrying {
                endpoint: e,
                attempt: 1,
                delay,
                cause: Failure::Parse(_),
            },
        ] = &ev[..]
        else {
            panic!("{endpoint}: {ev:?}");
        };
        assert_eq!(*e, endpoint);
        assert!(
            c.poll_transmit().is_none(),
            "{endpoint}: nothing before the backoff"
        );
        let due = c.poll_timeout().unwrap();
        assert_eq!(due, at(50_000).after(*delay));
        assert!(
            *delay >= Duration::from_millis(250) && *delay <= Duration::from_millis(500),
            "{delay:?}"
        );
        c.handle_timeout(due);
        let again = next(&mut c, endpoint);
        assert_ne!(again.id, t.id);
    }
}

#[test]
fn server_errors_and_oversized_bodies_are_retried() {
    let (mut c, first) = started(config());
    let t = until(&mut c, first, Endpoint::Init);
    answer(&mut c, &t, with_status(503, "busy"), at(9_000));
    assert!(matches!(
        &events(&mut c)[..],
        [Event::Retrying {
            cause: Failure::Status(503),
            ..
        }]
    ));

    let mut limits = Limits::default();
    limits.max_body_bytes = 1_000;
    let (mut c, first) = started(config().with_limits(limits));
    let t = until(&mut c, first, Endpoint::Init);
    answer(&mut c, &t, ok(fixture("webwxinit.json")), at(9_000));
    assert!(matches!(
        &events(&mut c)[..],
        [Event::Retrying {
            cause: Failure::Parse(ParseError::TooLarge { limit: 1_000, .. }),
            ..
        }]
    ));
}

#[test]
fn ret_1205_is_backed_off_and_1101_ends_the_session() {
    let (mut c, first) = started(config());
    let t = until(&mut c, first, Endpoint::Init);
    answer(&mut c, &t, ok(fixture("ret-1205.json")), at(9_000));
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [Event::Retrying { cause: Failure::Server { code: 1205, message }, .. }] if message == "freq limit"),
        "{ev:?}"
    );
    let due = c.poll_timeout().unwrap();
    c.handle_timeout(due);
    let t = next(&mut c, Endpoint::Init);
    answer(&mut c, &t, ok(fixture("ret-1101.json")), at(20_000));
    assert_eq!(
        failed_with(&mut c),
        Error::SessionEnded {
            endpoint: Endpoint::Init,
            code: 1101,
            message: String::new()
        }
    );
}

#[test]
fn transport_errors_back_off_exponentially_until_the_budget() {
    let policy = RetryPolicy::new(Duration::from_secs(1), Duration::from_secs(8), 5);
    let (mut c, first) = started(config().with_retry(policy.clone()));
    let mut t = until(&mut c, first, Endpoint::GetContact);
    let mut now = at(2_000);
    for failure in 1..=5u32 {
        c.handle_transport_error(t.id, TransportErrorKind::Timeout, now);
        if failure == 5 {
            break;
        }
        let ev = events(&mut c);
        let [
            Event::Retrying {
                attempt,
                delay,
                cause: Failure::Transport(TransportErrorKind::Timeout),
                ..
            },
        ] = &ev[..]
        else {
            panic!("{ev:?}")
        };
        assert_eq!(*attempt, failure);
        let ceiling = policy.ceiling(failure);
        assert!(
            *delay >= ceiling / 2 && *delay <= ceiling,
            "{delay:?} vs {ceiling:?}"
        );
        // Not before its time.
        c.handle_timeout(now.after(*delay - Duration::from_millis(1)));
        assert!(c.poll_transmit().is_none());
        now = now.after(*delay);
        c.handle_timeout(now);
        t = next(&mut c, Endpoint::GetContact);
        assert!(
            t.request.uri().query().unwrap().contains("seq=0"),
            "the same page again"
        );
    }
    assert_eq!(
        failed_with(&mut c),
        Error::RetriesExhausted {
            endpoint: Endpoint::GetContact,
            attempts: 5,
            last: Failure::Transport(TransportErrorKind::Timeout)
        }
    );
}

#[test]
fn a_success_resets_the_budget() {
    let policy = RetryPolicy::new(Duration::from_millis(10), Duration::from_millis(10), 2);
    let (mut c, first) = started(config().with_retry(policy));
    let t = until(&mut c, first, Endpoint::Init);
    c.handle_transport_error(t.id, TransportErrorKind::Reset, at(1));
    c.handle_timeout(at(100));
    let t = next(&mut c, Endpoint::Init);
    answer(&mut c, &t, ok(fixture("webwxinit.json")), at(101));
    events(&mut c);
    let t = next_of(&mut c, Endpoint::GetContact);
    c.handle_transport_error(t.id, TransportErrorKind::Connect, at(102));
    assert!(
        matches!(c.state(), State::LoadingContacts { .. }),
        "one failure of a new call is within budget"
    );
    assert!(matches!(
        &events(&mut c)[..],
        [Event::Retrying {
            endpoint: Endpoint::GetContact,
            attempt: 1,
            ..
        }]
    ));
}

#[test]
fn statusnotify_and_reports_are_fire_and_forget() {
    // As on the page: neither is retried nor read; a failure changes nothing.
    let (mut c, first) = started(config());
    let notify = until(&mut c, first, Endpoint::StatusNotify);
    answer(
        &mut c,
        &notify,
        ok(Bytes::from_static(b"{\"BaseResponse\":")),
        at(5_000),
    );
    assert!(events(&mut c).is_empty());
    assert!(c.poll_transmit().is_none(), "no retry");
    let (mut c, first) = started(config());
    let page = until(&mut c, first, Endpoint::GetContact);
    answer(
        &mut c,
        &page,
        ok(fixture("webwxgetcontact-1.json")),
        at(5_000),
    );
    let report = next_of(&mut c, Endpoint::StatReport);
    c.handle_transport_error(report.id, TransportErrorKind::Timeout, at(5_100));
    answer(&mut c, &report, with_status(500, "no"), at(5_100));
    assert!(
        events(&mut c)
            .iter()
            .all(|e| !matches!(e, Event::Retrying { .. } | Event::Failed(_))),
        "no retry, no failure"
    );
    assert!(matches!(c.state(), State::LoadingContacts { pages: 1 }));
}

#[test]
fn login_poll_is_paced_when_the_server_answers_at_once() {
    let (mut c, first) = started(config());
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(10));
    let poll = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &poll, ok(fixture("login-408.js")), at(60));
    assert!(c.poll_transmit().is_none());
    assert_eq!(c.poll_timeout(), Some(at(10 + 1_000)));
    c.handle_timeout(at(1_010));
    next(&mut c, Endpoint::LoginPoll);
}

#[test]
fn jslogin_refusal_code_is_retried() {
    let (mut c, first) = started(config());
    answer(&mut c, &first, ok(fixture("jslogin-refused.js")), at(10));
    assert!(matches!(
        &events(&mut c)[..],
        [Event::Retrying {
            endpoint: Endpoint::JsLogin,
            cause: Failure::Server { code: 400, .. },
            ..
        }]
    ));
}

#[test]
fn contact_paging_must_advance_and_is_bounded() {
    let (mut c, first) = started(config());
    let t = until(&mut c, first, Endpoint::GetContact);
    let page = |seq: u64| {
        Bytes::from(format!(
            "{{\"BaseResponse\":{{\"Ret\":0}},\"MemberList\":[],\"Seq\":{seq}}}"
        ))
    };
    answer(&mut c, &t, ok(page(5)), at(1));
    let t = next_of(&mut c, Endpoint::GetContact);
    answer(&mut c, &t, ok(page(5)), at(2));
    assert!(matches!(
        failed_with(&mut c),
        Error::Protocol {
            endpoint: Endpoint::GetContact,
            ..
        }
    ));

    let mut limits = Limits::default();
    limits.max_contact_pages = 3;
    let (mut c, first) = started(config().with_limits(limits));
    let mut t = until(&mut c, first, Endpoint::GetContact);
    for seq in 1..=3 {
        answer(&mut c, &t, ok(page(seq)), at(seq));
        if seq < 3 {
            t = next_of(&mut c, Endpoint::GetContact);
        }
    }
    assert_eq!(
        failed_with(&mut c),
        Error::LimitExceeded {
            what: "contact pages",
            limit: 3
        }
    );
}

#[test]
fn contact_limit_is_a_typed_error() {
    let mut limits = Limits::default();
    limits.max_contacts = 6;
    let (mut c, first) = started(config().with_limits(limits));
    // init's 3 contacts and the ChatSet batch's 3 groups, then the pages go past 6.
    let t = until(&mut c, first, Endpoint::GetContact);
    assert_eq!(c.contacts().len(), 5);
    answer(&mut c, &t, ok(fixture("webwxgetcontact-1.json")), at(1));
    assert_eq!(
        failed_with(&mut c),
        Error::LimitExceeded {
            what: "contacts",
            limit: 6
        }
    );
}

#[test]
fn unknown_and_stale_ids_are_ignored() {
    let (mut c, first) = started(config());
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(10));
    events(&mut c);
    // The same answer again (a duplicate from a confused transport) changes nothing.
    answer(&mut c, &first, ok(fixture("jslogin-2.js")), at(11));
    assert!(c.poll_event().is_none());
    assert_eq!(c.in_flight(), 1);
    assert_eq!(c.start(at(12)), Err(UsageError::AlreadyStarted));
}

#[test]
fn secrets_stay_out_of_debug() {
    let (mut c, first) = started(config());
    let sent = login_to_ready(&mut c, first);
    let debug = format!("{c:?} {sent:?}");
    for secret in [
        "Sx9fKq2LmN7pR4tV",
        "@crypt_3f9c1a2b",
        "Hk3%2Fp9QzL1xVb7Nw4Ry2Tm8Us6Oe0Ja5Ic",
        "gSfTicketDataZ9x8c7",
        "CIsBEAUaAuthTicket",
        "AbC3dEf4GhI5jKl6MnO7pQr8",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked into Debug");
    }
    assert!(
        debug.contains("webwx_data_ticket"),
        "cookie names are shown: {debug}"
    );
}

/// The page reads at most 17 contact pages (`t <= 16 && Seq != 0`, `t` from 1): past them the
/// set-up goes on with what it has, as there.
#[test]
fn contact_paging_stops_after_the_pages_official_limit() {
    let (mut c, first) = started(config());
    let mut t = until(&mut c, first, Endpoint::GetContact);
    let page = |seq: u64| {
        Bytes::from(format!(
            "{{\"BaseResponse\":{{\"Ret\":0}},\"MemberList\":[{{\"UserName\":\"@p{seq}\"}}],\"Seq\":{seq}}}"
        ))
    };
    for seq in 1..=17u64 {
        answer(&mut c, &t, ok(page(seq)), at(2_000 + seq));
        let sent = drain(&mut c);
        let pages: Vec<_> = sent
            .into_iter()
            .filter(|t| t.endpoint == Endpoint::GetContact)
            .collect();
        if seq < 17 {
            assert_eq!(pages.len(), 1, "page {seq}");
            t = pages.into_iter().next().unwrap();
        } else {
            assert!(pages.is_empty(), "no 18th page");
        }
    }
    assert_eq!(c.state(), &State::Ready);
    assert!(c.contacts().get("@p17").is_some());
}
