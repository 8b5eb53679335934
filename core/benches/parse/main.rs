//! Parse benchmarks, each beside its floor: `serde_json::from_slice::<Value>` over the same
//! bytes (what any JSON-based client pays at least).
//!
//! `cargo bench -p webwx-core --bench parse`

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod generate;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::{Client, Config, Endpoint, Timestamp, Transmit};

const CONTACTS: u64 = 20_000;
const PER_PAGE: u64 = 5_000;

fn now() -> Timestamp {
    Timestamp::from_unix_millis(1_764_000_000_000)
}

fn answer(c: &mut Client, t: &Transmit, body: &[u8]) {
    c.handle_response(t.id, Response::new(Bytes::copy_from_slice(body)), now());
}

fn next(c: &mut Client, e: Endpoint) -> Transmit {
    let t = c.poll_transmit().expect("a request");
    assert_eq!(t.endpoint, e);
    t
}

const QR: &[u8] = br#"window.QRLogin.code = 200; window.QRLogin.uuid = "Qb7xN1e2Mw==";"#;
const OK_200: &[u8] = br#"window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=Qb7xN1e2Mw==&lang=zh_CN&scan=1";"#;
const TICKET: &[u8] = b"<error><ret>0</ret><message></message><skey>@crypt_1</skey><wxsid>sid</wxsid><wxuin>42</wxuin><pass_ticket>p%2Bq</pass_ticket></error>";
const NOTIFY: &[u8] = br#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MsgID":"1"}"#;
const SMALL_INIT: &[u8] = br#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"User":{"Uin":42,"UserName":"@5c1e0c8f2e1a4b7d9f3a6c2e8b4d0f1a","NickName":"xiaoming"},"ContactList":[],"SyncKey":{"Count":1,"List":[{"Key":1,"Val":1}]}}"#;
const ONE_PAGE: &[u8] = br#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MemberCount":1,"MemberList":[{"UserName":"@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e","NickName":"Alice"}],"Seq":0}"#;
const SELECTOR_2: &[u8] = br#"window.synccheck={retcode:"0",selector:"2"}"#;

/// A client waiting for the `webwxinit` answer.
fn at_init() -> (Client, Transmit) {
    let mut c = Client::new(Config::new(1));
    c.start(now()).unwrap();
    let t = next(&mut c, Endpoint::JsLogin);
    answer(&mut c, &t, QR);
    let t = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &t, OK_200);
    let t = next(&mut c, Endpoint::Ticket);
    answer(&mut c, &t, TICKET);
    let t = next(&mut c, Endpoint::Init);
    (c, t)
}

/// A ready client with a sync request pending.
fn at_sync() -> (Client, Transmit) {
    let (mut c, t) = at_init();
    answer(&mut c, &t, SMALL_INIT);
    let t = next(&mut c, Endpoint::StatusNotify);
    answer(&mut c, &t, NOTIFY);
    let t = next(&mut c, Endpoint::GetContact);
    answer(&mut c, &t, ONE_PAGE);
    while c.poll_event().is_some() {}
    let t = next(&mut c, Endpoint::SyncCheck);
    answer(&mut c, &t, SELECTOR_2);
    let t = next(&mut c, Endpoint::Sync);
    (c, t)
}

fn contacts(c: &mut Criterion) {
    let init = generate::init();
    let pages = generate::contact_pages(CONTACTS, PER_PAGE);
    let bytes = (init.len() + pages.iter().map(Vec::len).sum::<usize>()) as u64;
    let mut g = c.benchmark_group("init+contacts 20k");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(20);
    g.bench_function("baseline serde_json::Value", |b| {
        b.iter(|| {
            black_box(serde_json::from_slice::<serde_json::Value>(&init).unwrap());
            for p in &pages {
                black_box(serde_json::from_slice::<serde_json::Value>(p).unwrap());
            }
        })
    });
    g.bench_function("webwx typed parse + store", |b| {
        b.iter_batched(
            at_init,
            |(mut c, t)| {
                answer(&mut c, &t, &init);
                let t = next(&mut c, Endpoint::StatusNotify);
                answer(&mut c, &t, NOTIFY);
                for p in &pages {
                    let t = next(&mut c, Endpoint::GetContact);
                    answer(&mut c, &t, p);
                }
                assert_eq!(c.contacts().len() as u64, CONTACTS + 10);
                c
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn sync(c: &mut Criterion) {
    let body = generate::sync(100, 5_000_000_000);
    let mut g = c.benchmark_group("webwxsync 100 messages");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("baseline serde_json::Value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&body).unwrap()))
    });
    g.bench_function("webwx typed parse + messages", |b| {
        b.iter_batched(
            at_sync,
            |(mut c, t)| {
                answer(&mut c, &t, &body);
                let mut n = 0;
                while let Some(e) = c.poll_event() {
                    n += usize::from(matches!(e, webwx_core::Event::Message(_)));
                }
                assert_eq!(n, 100);
                c
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn login(c: &mut Criterion) {
    let answers: [&[u8]; 5] = [QR, OK_200, SMALL_INIT, NOTIFY, ONE_PAGE];
    let bytes: usize = answers.iter().map(|a| a.len()).sum::<usize>() + TICKET.len();
    let mut g = c.benchmark_group("whole login (requests built, answers read)");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("baseline serde_json::Value (JSON answers only)", |b| {
        b.iter(|| {
            for a in [SMALL_INIT, NOTIFY, ONE_PAGE] {
                black_box(serde_json::from_slice::<serde_json::Value>(a).unwrap());
            }
        })
    });
    // Like for like with the baseline: the typed parse of the same three JSON answers.
    g.bench_function("webwx typed parse (JSON answers only)", |b| {
        b.iter(|| {
            black_box(webwx_core::parse::parse_init(SMALL_INIT).unwrap());
            black_box(webwx_core::parse::parse_plain(NOTIFY).unwrap());
            black_box(webwx_core::parse::parse_get_contact(ONE_PAGE).unwrap());
        })
    });
    g.bench_function("webwx login to ready", |b| b.iter(|| black_box(at_sync())));
    g.finish();
}

criterion_group!(benches, contacts, sync, login);
criterion_main!(benches);
