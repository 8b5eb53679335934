//! Property tests over the whole login driver: with any mix of transient faults (fewer per call
//! than the retry budget) the login still reaches the same ready state; under arbitrary input
//! the driver never panics, keeps at most one login request in flight (a few during the set-up)
//! and goes quiet once failed.
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
    /// with the same contacts. During the login proper every retry waits for its backoff; in the
    /// set-up, where the page runs several calls at once (statusnotify and the timing reports
    /// not retried, synccheck long-polling), the faults hit the contact pages and the batch.
    #[test]
    fn transient_faults_never_change_the_outcome(
        plan in proptest::collection::vec(proptest::collection::vec(fault(), 0..4), 7),
        seed in any::<u64>(),
    ) {
        let (mut c, mut t) = started(webwx_core::Config::new(seed));
        let mut now = at(0);
        let mut step = 0;
        let mut contact_pages = 0;
        let mut faults_left = plan[0].clone();
        let apply = |c: &mut webwx_core::Client, t: &webwx_core::Transmit, f: Fault, now| {
            let rate_limit_is_answerable = !matches!(t.endpoint, Endpoint::JsLogin | Endpoint::LoginPoll | Endpoint::Ticket);
            match f {
                Fault::Transport(kind) => c.handle_transport_error(t.id, kind, now),
                Fault::Status(s) => c.handle_response(t.id, with_status(s, "oops"), now),
                Fault::Garbage(g) => c.handle_response(t.id, ok(Bytes::from(g)), now),
                Fault::RateLimited if rate_limit_is_answerable => c.handle_response(t.id, ok(fixture("ret-1205.json")), now),
                Fault::RateLimited => c.handle_transport_error(t.id, TransportErrorKind::Timeout, now),
            }
        };
        // The login proper: one request at a time, up to init.
        loop {
            now = now.after(std::time::Duration::from_millis(10));
            if let Some(f) = faults_left.pop() {
                apply(&mut c, &t, f, now);
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
            let endpoint = t.endpoint;
            c.handle_response(t.id, good_answer(endpoint, 0), now);
            events(&mut c);
            step += 1;
            if endpoint == Endpoint::Init { break; }
            t = c.poll_transmit().expect("the next call");
            faults_left = plan[step].clone();
        }
        // The set-up: everything the page runs at once.
        let mut pending: std::collections::VecDeque<_> = drain(&mut c).into();
        let mut faults: std::collections::HashMap<Endpoint, Vec<Fault>> = [
            (Endpoint::GetContact, plan[4].iter().chain(&plan[5]).cloned().collect()),
            (Endpoint::BatchGetContact, plan[6].clone()),
        ]
        .into_iter()
        .collect();
        let mut guard = 0;
        while c.state() != &State::Ready {
            guard += 1;
            prop_assert!(guard < 1_000, "the set-up does not end: {:?}", c.state());
            let Some(t) = pending.pop_front() else {
                let due = c.poll_timeout().expect("something to wait for");
                now = due.max(now);
                c.handle_timeout(now);
                pending.extend(drain(&mut c));
                continue;
            };
            now = now.after(std::time::Duration::from_millis(10));
            match t.endpoint {
                // The long poll stays open (its deadline may pass: it is then retried).
                Endpoint::SyncCheck => continue,
                Endpoint::StatusNotify | Endpoint::StatReport => {
                    c.handle_response(t.id, plain_ok(), now);
                }
                endpoint => {
                    if let Some(f) = faults.get_mut(&endpoint).and_then(Vec::pop) {
                        apply(&mut c, &t, f, now);
                    } else {
                        c.handle_response(t.id, good_answer(endpoint, contact_pages), now);
                        if endpoint == Endpoint::GetContact { contact_pages += 1; }
                    }
                }
            }
            prop_assert!(!matches!(c.state(), State::Failed(_)), "{:?}", c.state());
            pending.extend(drain(&mut c));
            events(&mut c);
        }
        prop_assert_eq!(contact_pages, 2);
        prop_assert_eq!(
            c.contacts().counts(),
            ContactCounts { friends: 3, groups: 3, officials: 1, specials: 2, group_members: 6 }
        );
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
            // The login proper goes one request at a time; the set-up runs a few at once
            // (statusnotify, a contact page and its report, synccheck, a batch), never more.
            let logging_in = matches!(
                c.state(),
                State::FetchingUuid | State::WaitingForScan { .. } | State::WaitingForConfirm { .. }
                    | State::FetchingTicket | State::Initializing
            );
            prop_assert!(c.in_flight() <= if logging_in { 1 } else { 6 }, "{} in flight in {:?}", c.in_flight(), c.state());
            if c.state().is_terminal() {
                prop_assert_eq!(c.in_flight(), 0);
                prop_assert!(c.poll_transmit().is_none());
                prop_assert_eq!(c.poll_timeout(), None);
            }
        }
    }
}
