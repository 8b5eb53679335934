//! Memory is bounded by the answer: the peak heap while the client (or a parser alone) handles a
//! hostile answer is at most 8 × the answer's size plus 2 MiB, measured by a counting global
//! allocator. The constant is what an answer at the message cap costs whatever its size: 1,000
//! messages of a dozen bytes each take about 1.3 MiB as parsed messages and their events.
//!
//! A contact the server lists is session state, kept in the store and announced by an event, and
//! a `Contact` is 464 bytes however few it took on the wire (`{"UserName":"@1"}`): with the
//! parsed list's slack, the store's copy and the event, about 1.9 KiB each. That is why an answer
//! may hold only 512 entries plus one per `Limits::min_entry_bytes` (256) of its size: 40,000
//! contacts of a few bytes each are refused, the same number of real-sized ones (400 bytes and
//! more) are taken, and both stay within the bound.
//!
//! One test function runs every case in turn: the allocator's counters are global to the
//! process, and a single test leaves the harness idle while it runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use peak_alloc::PeakAlloc;
use webwx_core::bytes::Bytes;
use webwx_core::message::{Payload, decode_text};
use webwx_core::model::SyncAnswer;
use webwx_core::parse::{parse_json_with, parse_sync, parse_ticket};
use webwx_core::{Event, Limits, ParseError};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// What an answer may cost beyond 8 bytes a byte: the fixed parts (a new request, the event
/// queue, an answer at the message cap).
const CONSTANT: usize = 2 * 1024 * 1024;

/// What one named contact of an answer may cost (its slot in the parsed list, the store's copy,
/// its event).
const PER_CONTACT: usize = 0;

/// Runs `f` and returns what it gave and the peak heap growth while it ran (what it returns
/// included, since it is still held at the end).
fn peak_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let out = f();
    (out, HEAP.peak_usage().saturating_sub(before))
}

struct Row {
    case: &'static str,
    body: usize,
    peak: usize,
    /// Named contacts in the answer, up to the entry cap (session state, bounded by the cap).
    contacts: usize,
}

impl Row {
    fn bound(&self) -> usize {
        8 * self.body + CONSTANT + PER_CONTACT * self.contacts
    }
}

/// A `webwxsync` answer carrying `messages` (JSON objects, comma-separated) and `contacts`.
fn sync_body(messages: &str, contacts: &str) -> Bytes {
    Bytes::from(format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"AddMsgList":[{messages}],"ModContactList":[{contacts}],"SyncKey":{{"Count":1,"List":[{{"Key":1,"Val":2}}]}},"SyncCheckKey":{{"Count":1,"List":[{{"Key":1,"Val":2}}]}}}}"#
    ))
}

/// One message from a friend to the fixture's self user.
fn message(id: u64, msg_type: u32, content: &str) -> String {
    format!(
        r#"{{"MsgId":"{id}","FromUserName":"@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e","ToUserName":"@5c1e0c8f2e1a4b7d9f3a6c2e8b4d0f1a5c7e9b3d2f4a6c8e0b1d3f5a7c9e2b4d","MsgType":{msg_type},"Content":"{content}"}}"#
    )
}

/// An app message's content: `xml` HTML-escaped, as the server sends it.
fn app_content(xml: &str) -> String {
    xml.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The peak heap while a ready client handles `body` as its `webwxsync` answer, and the events
/// that came out of it.
fn through_client(body: Bytes) -> (usize, Vec<Event>) {
    let (mut c, check) = ready(config());
    let sync = to_sync(&mut c, &check, at(7_000));
    let response = ok(body);
    let ((), peak) = peak_during(|| c.handle_response(sync.id, response, at(7_100)));
    (peak, events(&mut c))
}

fn wide_xml(children: usize) -> String {
    format!("<msg><appmsg>{}</appmsg></msg>", "<b/>".repeat(children))
}

/// The named contacts of the cases that have them, up to the entry cap.
fn contacts_in(case: &str) -> usize {
    if case.contains("40,000 contacts") {
        40_000
    } else if case.contains("50,001 contacts") {
        50_000
    } else {
        0
    }
}

fn client_cases(rows: &mut Vec<Row>) {
    let mut case = |case: &'static str, body: Bytes, check: &dyn Fn(&[Event])| {
        let len = body.len();
        let (peak, events) = through_client(body);
        check(&events);
        let contacts = contacts_in(case);
        rows.push(Row {
            case,
            body: len,
            peak,
            contacts,
        });
    };
    let delivered = |events: &[Event]| {
        events
            .iter()
            .filter(|e| matches!(e, Event::Message(_)))
            .count()
    };
    let ten_mb = 10 * 1024 * 1024;

    case(
        "client: 10 MB text content",
        sync_body(&message(9001, 1, &"a".repeat(ten_mb)), ""),
        &|events| assert_eq!(delivered(events), 1),
    );
    case(
        "client: 10 MB of '&' as text content",
        sync_body(&message(9001, 1, &"&amp;".repeat(ten_mb / 5)), ""),
        &|events| assert_eq!(delivered(events), 1),
    );
    case(
        "client: 10 MB nick name in ModContactList",
        sync_body(
            "",
            &format!(
                r#"{{"UserName":"@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e","NickName":"{}"}}"#,
                "名".repeat(ten_mb / 3)
            ),
        ),
        &|events| {
            let changed = events.iter().find_map(|e| match e {
                Event::ContactChanged(c) => Some(c.nick_name().len()),
                _ => None,
            });
            assert_eq!(
                changed,
                Some(1024 * 1024 - 1),
                "cut to max_string_bytes at a character boundary"
            );
        },
    );
    case(
        "client: 200,000 empty messages {}",
        sync_body(&vec!["{}"; 200_000].join(","), ""),
        &|events| assert_eq!(delivered(events), 0, "no id, never delivered"),
    );
    case(
        "client: 200,000 messages with one id",
        sync_body(&vec![r#"{"MsgId":"1"}"#; 200_000].join(","), ""),
        &|events| {
            assert!(
                events.iter().any(|e| matches!(
                    e,
                    Event::Retrying {
                        cause: webwx_core::Failure::Parse(ParseError::LimitExceeded {
                            what: "messages in one answer",
                            limit: 1_000
                        }),
                        ..
                    }
                )),
                "{events:?}"
            );
        },
    );
    let refused_for_its_size = |events: &[Event]| {
        assert!(
            events.iter().any(|e| matches!(
                e,
                Event::Retrying {
                    cause: webwx_core::Failure::Parse(ParseError::LimitExceeded {
                        what: "entries in one answer",
                        ..
                    }),
                    ..
                }
            )),
            "{events:?}"
        );
    };
    let distinct: Vec<String> = (0..1_000)
        .map(|i| format!(r#"{{"MsgId":"{i}"}}"#))
        .collect();
    case(
        "client: 1,000 messages {\"MsgId\":N} (refused: 16 bytes an entry)",
        sync_body(&distinct.join(","), ""),
        &refused_for_its_size,
    );
    let real_sized: Vec<String> = (0..1_000).map(|i| message(i + 1, 1, "hello")).collect();
    case(
        "client: 1,000 messages of the server's shape (the cap)",
        sync_body(&real_sized.join(","), ""),
        &|events| assert_eq!(delivered(events), 1_000),
    );
    let named: Vec<String> = (0..40_000)
        .map(|i| format!(r#"{{"UserName":"@{i}"}}"#))
        .collect();
    case(
        "client: 40,000 contacts {\"UserName\":\"@N\"} (refused for their size)",
        sync_body("", &named.join(",")),
        &refused_for_its_size,
    );
    let padded: Vec<String> = (0..10_000)
        .map(|i| {
            format!(
                r#"{{"UserName":"@{i:032x}","NickName":"朋友 {i}","RemarkName":"","Signature":"{}","HeadImgUrl":"/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@{i:032x}","ContactFlag":3,"VerifyFlag":0,"Sex":1,"Province":"广东","City":"深圳"}}"#,
                "签名".repeat(20)
            )
        })
        .collect();
    case(
        "client: 10,000 contacts of the server's shape",
        sync_body("", &padded.join(",")),
        &|events| {
            let changed = events
                .iter()
                .filter(|e| matches!(e, Event::ContactChanged(_)))
                .count();
            assert_eq!(changed, 10_000);
        },
    );
    let over: Vec<String> = (0..50_001)
        .map(|i| format!(r#"{{"UserName":"@{i}"}}"#))
        .collect();
    case(
        "client: 50,001 contacts (refused at the entry cap)",
        sync_body("", &over.join(",")),
        &|events| {
            assert!(
                events.iter().any(|e| matches!(
                    e,
                    Event::Retrying {
                        cause: webwx_core::Failure::Parse(ParseError::LimitExceeded {
                            what: "entries in one answer",
                            ..
                        }),
                        ..
                    }
                )),
                "{events:?}"
            );
        },
    );
    case(
        "client: 200,000 contacts {} in ModContactList",
        sync_body("", &vec!["{}"; 200_000].join(",")),
        &|events| {
            assert!(
                !events.iter().any(|e| matches!(e, Event::ContactChanged(_))),
                "nameless contacts are ignored, and no event says otherwise"
            );
        },
    );
    let long_name = "n".repeat(20 * 1024);
    case(
        "client: app message, 20 KB element name over 10,000 children",
        sync_body(
            &message(
                9001,
                49,
                &app_content(&format!(
                    "<msg><{long_name}>{}</{long_name}></msg>",
                    "<b/>".repeat(10_000)
                )),
            ),
            "",
        ),
        &|events| assert_eq!(delivered(events), 1),
    );
    case(
        "client: app message, 10,000 empty children",
        sync_body(&message(9001, 49, &app_content(&wide_xml(10_000))), ""),
        &|events| assert_eq!(delivered(events), 1),
    );
    case(
        "client: app message, 100,000 levels deep",
        sync_body(
            &message(
                9001,
                49,
                &app_content(&("<a>".repeat(100_000) + &"</a>".repeat(100_000))),
            ),
            "",
        ),
        &|events| assert_eq!(delivered(events), 1),
    );
    let attributes: String = (0..100_000).map(|i| format!(" a{i}=\"\"")).collect();
    case(
        "client: app message, 100,000 attributes",
        sync_body(
            &message(
                9001,
                49,
                &app_content(&format!("<msg{attributes}><appmsg/></msg>")),
            ),
            "",
        ),
        &|events| assert_eq!(delivered(events), 1),
    );
}

fn parser_cases(rows: &mut Vec<Row>) {
    // The caps raised, so that the reader's own costs show, not the caps' refusals.
    let mut open = Limits::default();
    open.max_xml_elements = usize::MAX;
    open.max_xml_depth = usize::MAX;
    open.max_xml_name_bytes = usize::MAX;
    open.max_xml_attributes = usize::MAX;
    open.max_string_bytes = usize::MAX;
    let mut case = |case: &'static str, input: &[u8], run: &dyn Fn(&[u8])| {
        let ((), peak) = peak_during(|| run(input));
        rows.push(Row {
            case,
            body: input.len(),
            peak,
            contacts: 0,
        });
    };
    let text = |b: &[u8]| std::str::from_utf8(b).unwrap().to_string();

    let wide = app_content(&wide_xml(100_000));
    case(
        "Payload::parse_with, no caps: 100,000 empty children",
        wide.as_bytes(),
        &|b| {
            let p = Payload::parse_with(&text(b), &open).unwrap();
            assert_eq!(p.root(), "msg");
        },
    );
    let named = app_content(&format!(
        "<msg><{n}>{}</{n}></msg>",
        "<b/>".repeat(10_000),
        n = "n".repeat(20 * 1024)
    ));
    case(
        "Payload::parse_with, no caps: 20 KB name over 10,000 children",
        named.as_bytes(),
        &|b| assert!(Payload::parse_with(&text(b), &open).is_ok()),
    );
    let attributes: String = (0..100_000).map(|i| format!(" a{i}=\"\"")).collect();
    let attrs = format!("<msg{attributes}/>");
    case(
        "parse_ticket: 100,000 attributes (refused at 128)",
        attrs.as_bytes(),
        &|b| assert!(parse_ticket(b).is_err()),
    );
    let deep = "<a>".repeat(31) + &"<b/>".repeat(9_000) + &"</a>".repeat(31);
    case(
        "parse_ticket: 32 deep, 9,000 elements",
        deep.as_bytes(),
        &|b| assert!(matches!(parse_ticket(b), Err(ParseError::Missing("ret")))),
    );
    let amps = "&".repeat(1024 * 1024);
    case("decode_text: 1 MB of '&'", amps.as_bytes(), &|b| {
        assert_eq!(decode_text(&text(b)).len(), b.len());
    });
    let spans = "<span class=\"emoji emoji".repeat(40_000);
    case(
        "decode_text: <span class=\"emoji emoji repeated",
        spans.as_bytes(),
        &|b| {
            assert_eq!(decode_text(&text(b)).len(), b.len());
        },
    );
    let empty = sync_body(&vec!["{}"; 200_000].join(","), "");
    case("parse_sync: 200,000 empty messages", &empty, &|b| {
        assert!(parse_sync(b).unwrap().add_msg_list.is_empty());
    });
    let long = sync_body(&message(1, 1, &"a".repeat(10 * 1024 * 1024)), "");
    case(
        "parse_json_with, no string cap: 10 MB content",
        &long,
        &|b| {
            let a: SyncAnswer = parse_json_with(b, &open).unwrap();
            assert_eq!(a.add_msg_list.len(), 1);
        },
    );
}

#[test]
fn peak_heap_is_at_most_eight_times_the_answer_plus_a_constant() {
    let mut rows = Vec::new();
    client_cases(&mut rows);
    parser_cases(&mut rows);
    println!("| case | body (bytes) | peak heap (bytes) | peak / body | bound |");
    println!("|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.2} | {} |",
            r.case,
            r.body,
            r.peak,
            r.peak as f64 / r.body as f64,
            r.bound()
        );
    }
    let over: Vec<&Row> = rows.iter().filter(|r| r.peak > r.bound()).collect();
    assert!(
        over.is_empty(),
        "over 8 × body + 2 MiB (+ 2 KiB a named contact): {:?}",
        over.iter()
            .map(|r| (r.case, r.body, r.peak))
            .collect::<Vec<_>>()
    );
}
