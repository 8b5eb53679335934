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

/// A client logged in through the fixtures, its events drained, and its first synccheck (sent
/// with the set-up, still in flight).
pub fn ready(config: Config) -> (Client, Transmit) {
    let (mut c, first) = started(config);
    let mut sent = login_to_ready(&mut c, first);
    events(&mut c);
    assert!(c.poll_transmit().is_none());
    let at = sent
        .iter()
        .position(|t| t.endpoint == Endpoint::SyncCheck)
        .expect("synccheck");
    (c, sent.swap_remove(at))
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

/// Every pending transmit, which must be for `endpoints` in this order.
pub fn next_all(c: &mut Client, endpoints: &[Endpoint]) -> Vec<Transmit> {
    let sent = drain(c);
    let got: Vec<Endpoint> = sent.iter().map(|t| t.endpoint).collect();
    assert_eq!(got, endpoints, "state {:?}", c.state());
    sent
}

/// A `BaseResponse` of 0: what webwxstatreport answers.
pub fn plain_ok() -> Response<Bytes> {
    ok(Bytes::from_static(
        br#"{"BaseResponse":{"Ret":0,"ErrMsg":""}}"#,
    ))
}

/// Drives a client through the whole fixture login up to Ready, as the official page runs it,
/// returning every request sent (the first synccheck, sent with the set-up, is among them and
/// not answered).
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
    let init = next(c, Endpoint::Init);
    answer(c, &init, ok(fixture("webwxinit.json")), at(5_400));
    sent.push(init);
    // The init answer starts everything at once: statusnotify (not awaited), the first contact
    // page, the synccheck loop; the ChatSet's groups 200 ms later.
    let [notify, page1, check] = <[Transmit; 3]>::try_from(next_all(
        c,
        &[
            Endpoint::StatusNotify,
            Endpoint::GetContact,
            Endpoint::SyncCheck,
        ],
    ))
    .ok()
    .unwrap();
    assert!(matches!(c.state(), State::LoadingContacts { pages: 0 }));
    answer(c, &notify, ok(fixture("webwxstatusnotify.json")), at(5_500));
    c.handle_timeout(at(5_600));
    let batch = next(c, Endpoint::BatchGetContact);
    answer(c, &page1, ok(fixture("webwxgetcontact-1.json")), at(5_700));
    let [report1, page2] =
        <[Transmit; 2]>::try_from(next_all(c, &[Endpoint::StatReport, Endpoint::GetContact]))
            .ok()
            .unwrap();
    answer(c, &report1, plain_ok(), at(5_750));
    answer(c, &page2, ok(fixture("webwxgetcontact-2.json")), at(5_900));
    let report2 = next(c, Endpoint::StatReport);
    answer(c, &report2, plain_ok(), at(5_950));
    assert!(matches!(
        c.state(),
        State::LoadingGroupMembers { done: 0, total: 1 }
    ));
    answer(
        c,
        &batch,
        ok(fixture("webwxbatchgetcontact.json")),
        at(6_100),
    );
    assert_eq!(c.state(), &State::Ready);
    sent.extend([notify, page1, check, batch, report1, page2, report2]);
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
