//! Memory of the core: a ready session's state without contacts, and the cost of each contact.
//! Measured as the growth of the process's resident set while the states are alive (Linux
//! `/proc/self/statm`), over many sessions so the allocator's noise averages out.
//!
//! `cargo bench -p webwx-core --bench memory`

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::{Client, Config, Endpoint, Timestamp};

const SESSIONS: usize = 2_000;
const CONTACTS: usize = 20_000;

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn now() -> Timestamp {
    Timestamp::from_unix_millis(1_764_000_000_000)
}

/// A ready client whose contact list has `contacts` friends.
fn ready(seed: u64, contacts: usize) -> Client {
    let mut c = Client::new(Config::new(seed));
    c.start(now()).unwrap();
    let page = {
        let list: Vec<String> = (0..contacts)
            .map(|i| format!(r#"{{"UserName":"@{:032x}","NickName":"联系人{i}","RemarkName":"","Signature":"今天也要加油","Province":"广东","City":"深圳","HeadImgUrl":"/cgi-bin/mmwebwx-bin/webwxgeticon?seq={i}&username=@{:032x}&skey="}}"#, i, i))
            .collect();
        format!(
            r#"{{"BaseResponse":{{"Ret":0}},"MemberCount":{contacts},"MemberList":[{}],"Seq":0}}"#,
            list.join(",")
        )
    };
    let answers: [(Endpoint, String); 6] = [
        (Endpoint::JsLogin, r#"window.QRLogin.code = 200; window.QRLogin.uuid = "Qb7xN1e2Mw==";"#.into()),
        (Endpoint::LoginPoll, r#"window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=U&lang=zh_CN&scan=1";"#.into()),
        (Endpoint::Ticket, "<error><ret>0</ret><message></message><skey>@crypt_1</skey><wxsid>sid</wxsid><wxuin>42</wxuin><pass_ticket>p%2Bq</pass_ticket></error>".into()),
        (Endpoint::Init, r#"{"BaseResponse":{"Ret":0},"User":{"Uin":42,"UserName":"@me","NickName":"me"},"SyncKey":{"Count":4,"List":[{"Key":1,"Val":1},{"Key":2,"Val":2},{"Key":3,"Val":3},{"Key":1000,"Val":4}]}}"#.into()),
        (Endpoint::StatusNotify, r#"{"BaseResponse":{"Ret":0}}"#.into()),
        (Endpoint::GetContact, page),
    ];
    for (endpoint, body) in answers {
        let t = c.poll_transmit().unwrap();
        assert_eq!(t.endpoint, endpoint);
        c.handle_response(t.id, Response::new(Bytes::from(body)), now());
    }
    while c.poll_event().is_some() {}
    c
}

/// Each part runs in a fresh process of its own, so memory freed by one part cannot be reused
/// by (and hidden in) the next.
fn main() {
    match std::env::args().find_map(|a| a.strip_prefix("--part=").map(str::to_string)) {
        Some(part) if part == "sessions" => sessions(),
        Some(part) if part == "contacts" => contacts(),
        _ => {
            println!(
                "size_of::<Client>() = {} bytes",
                std::mem::size_of::<Client>()
            );
            for part in ["sessions", "contacts"] {
                let out = std::process::Command::new(std::env::current_exe().unwrap())
                    .arg(format!("--part={part}"))
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{part}: {out:?}");
                print!("{}", String::from_utf8_lossy(&out.stdout));
            }
        }
    }
}

fn sessions() {
    // Warm up the allocator and the lazily built tables.
    drop(ready(0, 10));
    let before = rss_bytes();
    let sessions: Vec<Client> = (0..SESSIONS).map(|i| ready(i as u64, 0)).collect();
    let per_session = (rss_bytes().saturating_sub(before)) / SESSIONS;
    println!(
        "ready session without contacts: {per_session} bytes ({:.1} KiB) of resident memory each, over {SESSIONS} sessions",
        per_session as f64 / 1024.0
    );
    drop(sessions);
}

fn contacts() {
    drop(ready(0, 10));
    let before = rss_bytes();
    let big = ready(7, CONTACTS);
    let per_contact = (rss_bytes().saturating_sub(before)) / CONTACTS;
    assert_eq!(big.contacts().len(), CONTACTS);
    println!("per contact: {per_contact} bytes of resident memory (a {CONTACTS}-contact store)");
    let saved = serde_json::to_vec(&big.save().unwrap()).unwrap();
    println!(
        "saved session with {CONTACTS} contacts: {} bytes of JSON",
        saved.len()
    );
}
