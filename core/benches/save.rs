//! Saving a live 20,000-contact session, as an application (or `webwx listen`) does after each
//! batch of messages: the session state (credentials, cursor, remembered ids, queued sends),
//! which is all that changes when the cursor moves, beside writing the contacts (only when they
//! changed) and beside the old way (the whole session with a copy of the contact store).
//!
//! `cargo bench -p webwx-core --bench save`

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "parse/generate.rs"]
mod generate;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::{Client, Config, Endpoint, Event, Timestamp, Transmit};

const CONTACTS: u64 = 20_000;

fn now() -> Timestamp {
    Timestamp::from_unix_millis(1_764_000_000_000)
}

fn answer(c: &mut Client, t: &Transmit, body: &[u8]) {
    c.handle_response(t.id, Response::new(Bytes::copy_from_slice(body)), now());
}

/// The next request to `e`, the others kept in `pending` for later (a request dropped
/// unanswered would stay in flight for ever).
fn next_of(c: &mut Client, pending: &mut Vec<Transmit>, e: Endpoint) -> Transmit {
    pending.extend(std::iter::from_fn(|| c.poll_transmit()));
    let at = pending
        .iter()
        .position(|t| t.endpoint == e)
        .unwrap_or_else(|| panic!("no {e:?} request"));
    pending.remove(at)
}

/// A ready client with 20,000 contacts that has received 1,000 messages (so it remembers the
/// default most of message ids).
fn live() -> Client {
    let mut pending = Vec::new();
    let mut next = |c: &mut Client, e: Endpoint| next_of(c, &mut pending, e);
    let mut c = Client::new(Config::new(1));
    c.start(now()).unwrap();
    let t = next(&mut c, Endpoint::JsLogin);
    answer(
        &mut c,
        &t,
        br#"window.QRLogin.code = 200; window.QRLogin.uuid = "Qb7xN1e2Mw==";"#,
    );
    let t = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &t, br#"window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=Qb7xN1e2Mw==&lang=zh_CN&scan=1";"#);
    let t = next(&mut c, Endpoint::Ticket);
    answer(&mut c, &t, b"<error><ret>0</ret><message></message><skey>@crypt_1</skey><wxsid>sid</wxsid><wxuin>42</wxuin><pass_ticket>p%2Bq</pass_ticket></error>");
    let t = next(&mut c, Endpoint::Init);
    answer(&mut c, &t, &generate::init());
    let t = next(&mut c, Endpoint::StatusNotify);
    answer(
        &mut c,
        &t,
        br#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MsgID":"1"}"#,
    );
    for page in generate::contact_pages(CONTACTS, 5_000) {
        let t = next(&mut c, Endpoint::GetContact);
        answer(&mut c, &t, &page);
    }
    for batch in 0..10 {
        while c.poll_event().is_some() {}
        let t = next(&mut c, Endpoint::SyncCheck);
        answer(
            &mut c,
            &t,
            br#"window.synccheck={retcode:"0",selector:"2"}"#,
        );
        let t = next(&mut c, Endpoint::Sync);
        answer(
            &mut c,
            &t,
            &generate::sync(100, 5_000_000_000 + batch * 100),
        );
    }
    let messages = std::iter::from_fn(|| c.poll_event())
        .filter(|e| matches!(e, Event::Message(_)))
        .count();
    assert!(messages > 0, "messages were received");
    assert!(c.contacts().len() as u64 >= CONTACTS);
    c
}

fn save(c: &mut Criterion) {
    let client = live();
    let state = serde_json::to_vec(&client.save().unwrap()).unwrap();
    let contacts = serde_json::to_vec(client.contacts()).unwrap();
    println!(
        "session state: {} bytes of JSON; contacts: {} bytes of JSON",
        state.len(),
        contacts.len()
    );
    let mut g = c.benchmark_group("save a live 20k-contact session");
    g.sample_size(20);
    g.bench_function("session state (whenever the cursor moves)", |b| {
        b.iter(|| black_box(serde_json::to_vec(&client.save().unwrap()).unwrap()))
    });
    g.bench_function("contacts (only when they changed)", |b| {
        b.iter(|| black_box(serde_json::to_vec(client.contacts()).unwrap()))
    });
    g.bench_function("contacts read back (a command's start)", |b| {
        b.iter(|| black_box(serde_json::from_slice::<webwx_core::ContactStore>(&contacts).unwrap()))
    });
    g.bench_function("before: the whole session with a copy of the store", |b| {
        b.iter(|| {
            let whole = (client.save().unwrap(), client.contacts().clone());
            black_box(serde_json::to_vec(&whole).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, save);
criterion_main!(benches);
