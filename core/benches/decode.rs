//! Hostile input against plain input of the same size, for every decoder an answer goes
//! through: entity and emoji decoding (`decode_text`), the XML reader (`Payload::parse_with`,
//! caps raised so that the reader is timed rather than a refusal), and a whole `webwxsync`
//! answer through a ready client. Linear decoders keep each hostile figure within a small factor
//! of the plain one; a quadratic one is thousands of times slower at these sizes.
//!
//! `cargo bench -p webwx-core --bench decode`

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::message::{Payload, decode_text};
use webwx_core::{Client, Config, Endpoint, Limits, Timestamp};

const SIZE: usize = 1 << 20;

/// `unit` repeated to `SIZE` bytes, between `head` and `tail`.
fn fill(unit: &str, head: &str, tail: &str) -> String {
    let n = (SIZE - head.len() - tail.len()) / unit.len();
    format!("{head}{}{tail}", unit.repeat(n))
}

fn text(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode_text 1 MiB");
    g.throughput(Throughput::Bytes(SIZE as u64));
    for (name, input) in [
        ("plain 'a'", "a".repeat(SIZE)),
        ("'&'", "&".repeat(SIZE)),
        ("'&#'", fill("&#", "", "")),
        ("'&amp;'", fill("&amp;", "", "")),
        ("'<'", "<".repeat(SIZE)),
        (
            "'<span class=\"emoji emoji' unclosed",
            fill("<span class=\"emoji emoji", "", ""),
        ),
        (
            "emoji spans",
            fill("<span class=\"emoji emoji1f600\"></span>", "", ""),
        ),
    ] {
        g.bench_function(name, |b| b.iter(|| decode_text(black_box(&input))));
    }
    g.finish();
}

fn xml(c: &mut Criterion) {
    let mut limits = Limits::default();
    limits.max_xml_elements = usize::MAX;
    limits.max_xml_depth = usize::MAX;
    limits.max_xml_name_bytes = usize::MAX;
    limits.max_xml_attributes = usize::MAX;
    let attrs: String = (0..SIZE / 12).map(|i| format!(" a{i:06}=\"v\"")).collect();
    let mut g = c.benchmark_group("Payload::parse_with 1 MiB, caps raised");
    g.throughput(Throughput::Bytes(SIZE as u64));
    for (name, input) in [
        ("plain text in one element", fill("a", "<msg>", "</msg>")),
        ("87,000 attributes", format!("<msg{attrs}/>")),
        (
            "80,000 children",
            fill("<b x=\"1\">t</b>", "<msg>", "</msg>"),
        ),
        (
            "150,000 levels",
            "<a>".repeat(SIZE / 7) + &"</a>".repeat(SIZE / 7),
        ),
        ("a 1 MiB name", fill("n", "<msg><", "/></msg>")),
        (
            "140,000 entities",
            fill("&amp;lt;&amp;#20013;", "<msg>", "</msg>"),
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| Payload::parse_with(black_box(&input), &limits).unwrap())
        });
    }
    g.finish();
}

fn now() -> Timestamp {
    Timestamp::from_unix_millis(1_764_000_000_000)
}

/// A ready client and its pending `webwxsync` request id.
fn at_sync() -> (Client, webwx_core::RequestId) {
    let mut c = Client::new(Config::new(1));
    c.start(now()).unwrap();
    let answers: [(Endpoint, &str); 7] = [
        (
            Endpoint::JsLogin,
            r#"window.QRLogin.code = 200; window.QRLogin.uuid = "Qb7xN1e2Mw==";"#,
        ),
        (
            Endpoint::LoginPoll,
            r#"window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=U&lang=zh_CN&scan=1";"#,
        ),
        (
            Endpoint::Ticket,
            "<error><ret>0</ret><message></message><skey>@crypt_1</skey><wxsid>sid</wxsid><wxuin>42</wxuin><pass_ticket>p%2Bq</pass_ticket></error>",
        ),
        (
            Endpoint::Init,
            r#"{"BaseResponse":{"Ret":0},"User":{"Uin":42,"UserName":"@me","NickName":"me"},"SyncKey":{"Count":1,"List":[{"Key":1,"Val":1}]}}"#,
        ),
        (Endpoint::StatusNotify, r#"{"BaseResponse":{"Ret":0}}"#),
        (
            Endpoint::GetContact,
            r#"{"BaseResponse":{"Ret":0},"MemberCount":0,"MemberList":[],"Seq":0}"#,
        ),
        (
            Endpoint::SyncCheck,
            r#"window.synccheck={retcode:"0",selector:"2"}"#,
        ),
    ];
    for (endpoint, body) in answers {
        let t = c.poll_transmit().unwrap();
        assert_eq!(t.endpoint, endpoint);
        c.handle_response(t.id, Response::new(Bytes::from(body)), now());
    }
    let t = c.poll_transmit().unwrap();
    assert_eq!(t.endpoint, Endpoint::Sync);
    while c.poll_event().is_some() {}
    (c, t.id)
}

fn client(c: &mut Criterion) {
    let sync = |content: &str| {
        Bytes::from(format!(
            r#"{{"BaseResponse":{{"Ret":0}},"AddMsgList":[{{"MsgId":"9","FromUserName":"@a","ToUserName":"@me","MsgType":1,"Content":"{content}"}}]}}"#
        ))
    };
    let mut g = c.benchmark_group("webwxsync with 1 MiB of Content, through the client");
    g.throughput(Throughput::Bytes(SIZE as u64));
    for (name, body) in [
        ("plain 'a'", sync(&"a".repeat(SIZE))),
        ("'&'", sync(&"&".repeat(SIZE))),
        ("'&#'", sync(&fill("&#", "", ""))),
        ("'<'", sync(&"<".repeat(SIZE))),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                at_sync,
                |(mut c, id)| c.handle_response(id, Response::new(body.clone()), now()),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = text, xml, client
}
criterion_main!(benches);
