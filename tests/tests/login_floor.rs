//! The login benchmarks' floor (`webwx_tests::login_floor`): it fetches every answer of a login
//! from the simulator, the simulator takes its requests as a session's, and the answers it
//! fetched are the ones a core client needs to reach `Ready` (the criterion bench feeds them so).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bytes::Bytes;
use http::Response;
use std::collections::{HashMap, VecDeque};
use webwx_core::{Client, ContactKind, Event, State, Timestamp};
use webwx_sim::Simulator;
use webwx_tests::login_floor::{decoded_body, fetch_login, heavy_scenario, is_json};

#[test]
fn the_floor_fetches_a_whole_login_and_its_answers_take_a_client_to_ready() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (base, answers, fetched, session) = runtime.block_on(async {
        let sim = Simulator::start(heavy_scenario(1_000, 300)).await.unwrap();
        let transport = webwx_hyper::Transport::new();
        let mut answers: Vec<(&'static str, Response<Bytes>)> = Vec::new();
        let fetched = fetch_login(&transport, &sim.base_url(), |endpoint, r| {
            let mut copy = Response::new(r.body().clone());
            *copy.headers_mut() = r.headers().clone();
            answers.push((endpoint, copy));
        })
        .await
        .unwrap();
        (sim.base_url(), answers, fetched, sim.sessions().remove(0))
    });

    // 1,000 contacts in 4 pages, each followed by its statreport; init's group fetched.
    assert_eq!(fetched.contacts, 1_000);
    assert_eq!(fetched.pages, 4);
    assert_eq!(fetched.batched_groups, 1);
    assert_eq!(fetched.requests, answers.len());
    let names: Vec<&str> = answers.iter().map(|(e, _)| *e).collect();
    let pages = ["webwxgetcontact", "webwxstatreport"].repeat(4);
    let expected: Vec<&str> = ["jslogin", "login", "webwxnewloginpage", "webwxinit"]
        .into_iter()
        .chain(["webwxstatusnotify"])
        .chain(pages)
        .chain(["webwxbatchgetcontact"])
        .collect();
    assert_eq!(names, expected);
    assert!(session.inited);
    assert_eq!(session.stat_reports, 4);
    // The big answers come gzipped, and decode to JSON.
    let (_, page) = answers
        .iter()
        .find(|(e, _)| *e == "webwxgetcontact")
        .unwrap();
    assert_eq!(page.headers()["content-encoding"], "gzip");
    let decoded = decoded_body(page).unwrap();
    assert!(decoded.len() > 4 * page.body().len(), "{}", decoded.len());
    assert!(is_json("webwxgetcontact") && !is_json("webwxnewloginpage"));

    // A client fed the same answers, each to the request of its endpoint, is ready with every
    // contact (the synccheck it sends stays unanswered, as in the CLI's login).
    let mut queues: HashMap<&str, VecDeque<Response<Bytes>>> = HashMap::new();
    for (e, r) in answers {
        queues.entry(e).or_default().push_back(r);
    }
    let mut c = Client::new(webwx_tests::config_for_origin(&base, 3));
    let mut now = Timestamp::from_unix_millis(1_764_000_000_000);
    c.start(now).unwrap();
    for _ in 0..100 {
        while let Some(t) = c.poll_transmit() {
            let name = t.endpoint.name();
            if name != "synccheck" {
                let answer = queues.get_mut(name).and_then(VecDeque::pop_front);
                let answer = answer.unwrap_or_else(|| panic!("no answer left for {name}"));
                c.handle_response(t.id, answer, now);
            }
        }
        while let Some(e) = c.poll_event() {
            assert!(!matches!(e, Event::Failed(_)), "{e:?}");
        }
        if *c.state() == State::Ready {
            break;
        }
        now = c.poll_timeout().unwrap().max(now);
        c.handle_timeout(now);
    }
    assert_eq!(*c.state(), State::Ready);
    assert!(queues.values().all(VecDeque::is_empty), "every answer used");
    assert!(c.contacts().len() >= 1_000);
    let group = c
        .contacts()
        .iter()
        .find(|g| g.kind() == ContactKind::Group && !g.members().is_empty());
    assert_eq!(group.map(|g| g.members().len()), Some(101));
}
