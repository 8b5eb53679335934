//! Property tests over the whole login driver: with any mix of transient faults (fewer per call
//! than the retry budget) the login still reaches the same ready state; under arbitrary input
//! the driver never panics, keeps at most one login request in flight and goes quiet once failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use proptest::prelude::*;
use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::{ContactCounts, Endpoint, Event, State, TransportErrorKind};

#[derive(Clone, Debug)]
enum Fault {
    Transport(TransportErrorKind),
    Status(u16),
    Garbage(Vec<u8>),
    RateLimited,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        prop::sample::select(vec![
            TransportErrorKind::Timeout,
            TransportErrorKind::Connect,
            TransportErrorKind::Reset,
            TransportErrorKind::Tls,
            TransportErrorKind::BodyTooLarge,
            TransportErrorKind::Other,
        ])
        .prop_map(Fault::Transport),
        prop::sample::select(vec![500u16, 502, 503, 504, 404]).prop_map(Fault::Status),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Fault::Garbage),
        Just(Fault::RateLimited),
    ]
}

fn good_answer(endpoint: Endpoint, page: usize) -> Response<Bytes> {
    match (endpoint, page) {
        (Endpoint::JsLogin, _) => ok(fixture("jslogin.js")),
        (Endpoint::LoginPoll, _) => ok(fixture("login-200.js")),
        (Endpoint::Ticket, _) => ticket_answer("ticket.xml"),
        (Endpoint::Init, _) => ok(fixture("webwxinit.json")),
        (Endpoint::StatusNotify, _) => ok(fixture("webwxstatusnotify.json")),
        (Endpoint::GetContact, 0) => ok(fixture("webwxgetcontact-1.json")),
        (Endpoint::GetContact, _) => ok(fixture("webwxgetcontact-2.json")),
        (Endpoint::BatchGetContact, _) => ok(fixture("webwxbatchgetcontact.json")),
        (e, _) => panic!("unexpected {e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Up to 4 faults before each good answer (the budget is 10): the login always ends Ready
    /// with the same contacts, and every retry waited for its backoff.
    #[test]
    fn transient_faults_never_change_the_outcome(
        plan in proptest::collection::vec(proptest::collection::vec(fault(), 0..4), 8),
        seed in any::<u64>(),
    ) {
        let (mut c, mut t) = started(webwx_core::Config::new(seed));
        let mut now = at(0);
        let mut step = 0;
        let mut contact_pages = 0;
        let mut faults_left = plan[0].clone();
        loop {
            now = now.after(std::time::Duration::from_millis(10));
            if let Some(f) = faults_left.pop() {
                let rate_limit_is_answerable = !matches!(t.endpoint, Endpoint::JsLogin | Endpoint::LoginPoll | Endpoint::Ticket);
                match f {
                    Fault::Transport(kind) => c.handle_transport_error(t.id, kind, now),
                    Fault::Status(s) => c.handle_response(t.id, with_status(s, "oops"), now),
                    Fault::Garbage(g) => c.handle_response(t.id, ok(Bytes::from(g)), now),
                    Fault::RateLimited if rate_limit_is_answerable => c.handle_response(t.id, ok(fixture("ret-1205.json")), now),
                    Fault::RateLimited => c.handle_transport_error(t.id, TransportErrorKind::Timeout, now),
                }
                let ev = events(&mut c);
                prop_assert!(c.poll_transmit().is_none(), "nothing before the backoff: {:?}", ev);
                let [Event::Retrying { delay, .. }] = &ev[..] else { panic!("{ev:?}") };
                let due = c.poll_timeout().unwrap();
                prop_assert_eq!(due, now.after(*delay));
                c.handle_timeout(due);
                now = due;
                t = c.poll_transmit().expect("the retry");
                continue;
            }
            let answer = good_answer(t.endpoint, contact_pages);
            if t.endpoint == Endpoint::GetContact { contact_pages += 1; }
            c.handle_response(t.id, answer, now);
            events(&mut c);
            step += 1;
            if c.state() == &State::Ready { break; }
            t = c.poll_transmit().expect("the next call");
            faults_left = plan[step].clone();
        }
        prop_assert_eq!(step, 8);
        prop_assert_eq!(
            c.contacts().counts(),
            ContactCounts { friends: 3, groups: 3, officials: 1, specials: 2, group_members: 6 }
        );
        prop_assert_eq!(c.poll_transmit().map(|t| t.endpoint), Some(Endpoint::SyncCheck));
        prop_assert!(c.poll_transmit().is_none());
    }

    /// Anything at all, in any order: no panic, at most one request in flight, nothing sent after
    /// a failure.
    #[test]
    fn arbitrary_inputs_keep_the_invariants(
        actions in proptest::collection::vec((0u8..6, 0usize..14, any::<u16>()), 1..60),
    ) {
        let bodies = [
            "jslogin.js", "jslogin-refused.js", "login-408.js", "login-201.js", "login-200.js",
            "login-202.js", "login-400.js", "ticket.xml", "ticket-1203.xml", "webwxinit.json",
            "webwxgetcontact-1.json", "webwxgetcontact-2.json", "webwxbatchgetcontact.json", "ret-1101.json",
        ];
        let (mut c, first) = started(config());
        let mut pending = vec![first];
        let mut now = at(0);
        for (action, body, n) in actions {
            now = now.after(std::time::Duration::from_millis(u64::from(n)));
            match (action, pending.pop()) {
                (0..=2, Some(t)) => c.handle_response(t.id, if body == 7 { ticket_answer(bodies[body]) } else { ok(fixture(bodies[body])) }, now),
                (3, Some(t)) => c.handle_transport_error(t.id, TransportErrorKind::Timeout, now),
                (4, Some(t)) => c.handle_response(t.id, with_status(500 + n % 100, ""), now),
                (_, t) => {
                    pending.extend(t);
                    now = c.poll_timeout().unwrap_or(now).max(now);
                    c.handle_timeout(now);
                    if c.in_flight() == 0 {
                        // Past its deadline the request counts as timed out: its answer would
                        // be ignored now.
                        pending.clear();
                    }
                }
            }
            pending.extend(std::iter::from_fn(|| c.poll_transmit()));
            let _ = events(&mut c);
            prop_assert!(c.in_flight() <= 1, "login requests go one at a time, then one synccheck");
            prop_assert!(pending.len() <= 1);
            if c.state().is_terminal() {
                prop_assert_eq!(c.in_flight(), 0);
                prop_assert!(c.poll_transmit().is_none());
                prop_assert_eq!(c.poll_timeout(), None);
            }
        }
    }
}
