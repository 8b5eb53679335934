//! The whole login of a heavy account (20,000 contacts), in process and sans-IO, beside its
//! floor, so that a regression of the login path shows:
//!
//! - `floor_value`: every answer of the login decoded (the JSON ones are gzipped, as the
//!   simulator and the real server send them to a browser) and each JSON answer parsed into a
//!   `serde_json::Value`, then dropped;
//! - `webwx`: a `webwx_core::Client` driven from `start` to `Ready` with the same answers (jslogin,
//!   the login polls, the ticket, init, statusnotify, the contact pages each with its statreport,
//!   the batch of init's groups; the synccheck it sends is left unanswered, as the CLI leaves
//!   it), then its session saved the way `webwx login` saves it ([`save`]: JSON of
//!   `Client::save()`), then dropped;
//! - `webwx_no_save`: the same without the save.
//!
//! The answers are the simulator's own: recorded once, before the measurements, by the login
//! benchmark's floor ([`webwx_tests::login_floor::fetch_login`]) against an in-process simulator
//! serving [`webwx_tests::login_floor::heavy_scenario`].
//!
//! `cargo bench -p webwx-tests --bench login`

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bytes::Bytes;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, Response, StatusCode};
use std::collections::{HashMap, VecDeque};
use std::hint::black_box;
use std::time::Duration;
use webwx_core::{Client, Event, State, Timestamp};
use webwx_tests::login_floor::{decoded_body, fetch_login, heavy_scenario, is_json};

const CONTACTS: usize = 20_000;
const PAGE_SIZE: usize = 5_000;

/// One recorded answer, as it came over the wire.
struct Recorded {
    endpoint: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Recorded {
    fn response(&self) -> Response<Bytes> {
        let mut r = Response::new(self.body.clone());
        *r.status_mut() = self.status;
        *r.headers_mut() = self.headers.clone();
        r
    }
}

/// The simulator's answers to a whole login, and the simulator's origin they name.
fn record() -> (String, Vec<Recorded>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = webwx_sim::Simulator::start(heavy_scenario(CONTACTS, PAGE_SIZE))
            .await
            .unwrap();
        let transport = webwx_hyper::Transport::new();
        let mut answers = Vec::new();
        let fetched = fetch_login(&transport, &sim.base_url(), |endpoint, r| {
            answers.push(Recorded {
                endpoint,
                status: r.status(),
                headers: r.headers().clone(),
                body: r.body().clone(),
            })
        })
        .await
        .unwrap();
        assert_eq!(fetched.contacts, CONTACTS);
        (sim.base_url(), answers)
    })
}

fn now() -> Timestamp {
    Timestamp::from_unix_millis(1_764_000_000_000)
}

/// A client driven from `start` to `Ready` with the recorded answers, each to the request of
/// its endpoint in turn; time jumps to each timer (the group batch waits 200 ms).
fn login(origin: &str, answers: &[Recorded]) -> Client {
    let mut queues: HashMap<&str, VecDeque<&Recorded>> = HashMap::new();
    for a in answers {
        queues.entry(a.endpoint).or_default().push_back(a);
    }
    let mut c = Client::new(webwx_tests::config_for_origin(origin, 7));
    let mut at = now();
    c.start(at).unwrap();
    for _ in 0..1_000 {
        while let Some(t) = c.poll_transmit() {
            let name = t.endpoint.name();
            if name == "synccheck" {
                continue;
            }
            let answer = queues
                .get_mut(name)
                .and_then(VecDeque::pop_front)
                .unwrap_or_else(|| panic!("no recorded answer left for {name}"));
            c.handle_response(t.id, answer.response(), at);
        }
        while let Some(e) = c.poll_event() {
            if let Event::Failed(e) = e {
                panic!("the login failed: {e}");
            }
        }
        if *c.state() == State::Ready {
            return c;
        }
        let next = c.poll_timeout().expect("something to wait for");
        at = next.max(at);
        c.handle_timeout(at);
    }
    panic!("not ready after 1,000 turns: {:?}", c.state());
}

/// The session saved as `webwx login` saves it: the contacts, then `Client::save()`, as JSON.
fn save(c: &Client) -> Vec<u8> {
    // The contacts first (the CLI writes them, at login, before the session file).
    let mut out = serde_json::to_vec(c.contacts()).unwrap();
    serde_json::to_writer(&mut out, &c.save().expect("a saved session")).unwrap();
    out
}

/// The floor: every answer decoded, each JSON answer parsed into a `Value`.
fn floor(answers: &[Recorded]) {
    for a in answers {
        let body = decoded_body(&a.response()).unwrap();
        if is_json(a.endpoint) {
            black_box(serde_json::from_slice::<serde_json::Value>(&body).unwrap());
        } else {
            black_box(std::str::from_utf8(&body).unwrap());
        }
    }
}

fn whole_login(c: &mut Criterion) {
    let (origin, answers) = record();
    let decoded: usize = answers
        .iter()
        .map(|a| decoded_body(&a.response()).unwrap().len())
        .sum();
    let ready = login(&origin, &answers);
    assert!(ready.contacts().len() >= CONTACTS);
    let saved = save(&ready).len();
    drop(ready);
    eprintln!(
        "{} answers, {:.1} MB on the wire, {decoded} bytes decoded; saved session {saved} bytes",
        answers.len(),
        answers.iter().map(|a| a.body.len()).sum::<usize>() as f64 / 1e6
    );
    let mut g = c.benchmark_group(format!("login_{CONTACTS}_contacts"));
    // One login per sample (each takes a few hundred ms): 10 samples, about 5 s a function.
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(2));
    g.measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Bytes(decoded as u64));
    g.bench_function("floor_value", |b| b.iter(|| floor(&answers)));
    g.bench_function("webwx", |b| {
        b.iter(|| {
            let c = login(&origin, &answers);
            black_box(save(&c))
        })
    });
    g.bench_function("webwx_no_save", |b| {
        b.iter(|| black_box(login(&origin, &answers)))
    });
    g.finish();
}

criterion_group!(benches, whole_login);
criterion_main!(benches);
