//! Shared test helpers: fixtures, canned answers and a request renderer for snapshots.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use webwx_core::bytes::Bytes;
use webwx_core::http::{self, Response, StatusCode};
use webwx_core::{Client, Config, Endpoint, Event, RequestId, State, Timestamp, Transmit};

/// The clock every transcript starts at (2025-11-24T16:00:00Z).
pub const T0: u64 = 1_764_000_000_000;

pub fn at(offset_ms: u64) -> Timestamp {
    Timestamp::from_unix_millis(T0 + offset_ms)
}

/// A fixture file of `fixtures/login`.
pub fn fixture(name: &str) -> Bytes {
    fixture_in("login", name)
}

/// A fixture file of `fixtures/sync`.
pub fn sync_fixture(name: &str) -> Bytes {
    fixture_in("sync", name)
}

fn fixture_in(dir: &str, name: &str) -> Bytes {
    let path = format!("{}/../fixtures/{dir}/{name}", env!("CARGO_MANIFEST_DIR"));
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// A client logged in through the fixtures, its events drained, and its first synccheck.
pub fn ready(config: Config) -> (Client, Transmit) {
    let (mut c, first) = started(config);
    login_to_ready(&mut c, first);
    events(&mut c);
    let check = c.poll_transmit().expect("synccheck");
    assert_eq!(check.endpoint, Endpoint::SyncCheck);
    assert!(c.poll_transmit().is_none());
    (c, check)
}

/// Answers the synccheck `check` with "selector 2" at `now`; returns the webwxsync it leads to.
pub fn to_sync(c: &mut Client, check: &Transmit, now: Timestamp) -> Transmit {
    answer(c, check, ok(sync_fixture("synccheck-0-2.js")), now);
    next(c, Endpoint::Sync)
}

/// Every pending transmit.
pub fn drain(c: &mut Client) -> Vec<Transmit> {
    std::iter::from_fn(|| c.poll_transmit()).collect()
}

pub fn ok(body: Bytes) -> Response<Bytes> {
    Response::new(body)
}

pub fn with_status(status: u16, body: &'static str) -> Response<Bytes> {
    let mut r = Response::new(Bytes::from_static(body.as_bytes()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    r
}

/// The ticket answer with the cookies the real server sets on it.
pub fn ticket_answer(name: &str) -> Response<Bytes> {
    let mut r = ok(fixture(name));
    for c in [
        "wxuin=2846173901; Domain=wx2.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT",
        "wxsid=Sx9fKq2LmN7pR4tV; Domain=wx2.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT",
        "webwx_data_ticket=gSfTicketDataZ9x8c7; Domain=.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT",
        "webwx_auth_ticket=CIsBEAUaAuthTicket; Domain=wx2.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT",
        "webwxuvid=3c1f7e9a2b4d; Domain=wx2.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT",
        "mm_lang=zh_CN; Domain=wx2.qq.com; Path=/; Expires=Tue, 25-Nov-2036 04:00:00 GMT",
    ] {
        r.headers_mut()
            .append(http::header::SET_COOKIE, c.parse().unwrap());
    }
    r
}

pub fn config() -> Config {
    Config::new(7)
}

/// A started client and its first transmit (jslogin).
pub fn started(config: Config) -> (Client, Transmit) {
    let mut c = Client::new(config);
    c.start(at(0)).unwrap();
    let t = c.poll_transmit().expect("jslogin");
    assert_eq!(t.endpoint, Endpoint::JsLogin);
    (c, t)
}

/// Drains the events.
pub fn events(c: &mut Client) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

/// The next transmit, which must be for `endpoint`, and no other after it.
pub fn next(c: &mut Client, endpoint: Endpoint) -> Transmit {
    let t = c
        .poll_transmit()
        .unwrap_or_else(|| panic!("expected a {endpoint} request; state {:?}", c.state()));
    assert_eq!(t.endpoint, endpoint, "state {:?}", c.state());
    assert!(
        c.poll_transmit().is_none(),
        "one request at a time during login"
    );
    t
}

/// Answers `t` with `response` at `now`.
pub fn answer(c: &mut Client, t: &Transmit, response: Response<Bytes>, now: Timestamp) {
    c.handle_response(t.id, response, now);
}

/// Drives a client through the whole fixture login up to Ready, returning every request sent.
pub fn login_to_ready(c: &mut Client, first: Transmit) -> Vec<Transmit> {
    let mut sent = vec![];
    answer(c, &first, ok(fixture("jslogin.js")), at(100));
    sent.push(first);
    let poll = next(c, Endpoint::LoginPoll);
    answer(c, &poll, ok(fixture("login-201.js")), at(2_000));
    sent.push(poll);
    let poll = next(c, Endpoint::LoginPoll);
    answer(c, &poll, ok(fixture("login-200.js")), at(5_000));
    sent.push(poll);
    let ticket = next(c, Endpoint::Ticket);
    answer(c, &ticket, ticket_answer("ticket.xml"), at(5_200));
    sent.push(ticket);
    for (endpoint, body, t) in [
        (Endpoint::Init, "webwxinit.json", 5_400),
        (Endpoint::StatusNotify, "webwxstatusnotify.json", 5_500),
        (Endpoint::GetContact, "webwxgetcontact-1.json", 5_700),
        (Endpoint::GetContact, "webwxgetcontact-2.json", 5_900),
        (
            Endpoint::BatchGetContact,
            "webwxbatchgetcontact.json",
            6_100,
        ),
    ] {
        let tr = next(c, endpoint);
        answer(c, &tr, ok(fixture(body)), at(t));
        sent.push(tr);
    }
    assert_eq!(c.state(), &State::Ready);
    sent
}

/// A request as text: method and URL, headers sorted by name, then the body.
pub fn render(t: &Transmit) -> String {
    let req = &t.request;
    let mut out = format!("{} {}\n", req.method(), req.uri());
    let mut headers: Vec<_> = req
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("<binary>")))
        .collect();
    headers.sort();
    for h in headers {
        out.push_str(&h);
        out.push('\n');
    }
    out.push_str(&format!("timeout: {:?}\n", t.timeout));
    if !req.body().is_empty() {
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(req.body()));
        out.push('\n');
    }
    out
}

pub fn id_of(t: &Transmit) -> RequestId {
    t.id
}
