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
    ready_with(seed, Bytes::from(contact_page(contacts)))
}

/// The `webwxgetcontact` answer with `contacts` friends.
fn contact_page(contacts: usize) -> String {
    use std::fmt::Write;
    // Written into one string (no piece per contact), so making it leaves no freed pieces
    // behind for the store to fill unseen.
    let mut page =
        format!(r#"{{"BaseResponse":{{"Ret":0}},"MemberCount":{contacts},"MemberList":["#);
    for i in 0..contacts {
        if i > 0 {
            page.push(',');
        }
        write!(page, r#"{{"UserName":"@{:032x}","NickName":"联系人{i}","RemarkName":"","Signature":"今天也要加油","Province":"广东","City":"深圳","HeadImgUrl":"/cgi-bin/mmwebwx-bin/webwxgeticon?seq={i}&username=@{:032x}&skey="}}"#, i, i).unwrap();
    }
    page.push_str(r#"],"Seq":0}"#);
    page
}

/// A ready client whose contacts come in `page`.
fn ready_with(seed: u64, page: Bytes) -> Client {
    let mut c = Client::new(Config::new(seed));
    c.start(now()).unwrap();
    let answers: [(Endpoint, Bytes); 6] = [
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
        c.handle_response(t.id, Response::new(body), now());
    }
    while c.poll_event().is_some() {}
    // The requests it has made since (synccheck, reports) are a transport's to hold, as a
    // driver takes them at once.
    while c.poll_transmit().is_some() {}
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
    // The answer is made before the first measure: the page's text is the server's, not the
    // store's (made after it from 20,000 formatted pieces, freed but resident, those pieces
    // were counted as the store's until 2026-12-02).
    // Kept until measured (a shared buffer): freed, it would be handed back to the system and
    // its room subtracted from the store's.
    let page = Bytes::from(contact_page(CONTACTS));
    let before = rss_bytes();
    let big = ready_with(7, page.clone());
    let per_contact = (rss_bytes().saturating_sub(before)) / CONTACTS;
    drop(page);
    assert_eq!(big.contacts().len(), CONTACTS);
    println!("per contact: {per_contact} bytes of resident memory (a {CONTACTS}-contact store)");
    println!(
        "  of which the contacts' own bytes (structs and text, before the allocator's rounding): {} bytes",
        big.contacts().heap_bytes() / CONTACTS
    );
    let saved = serde_json::to_vec(&big.save().unwrap()).unwrap();
    let contacts = serde_json::to_vec(big.contacts()).unwrap();
    println!(
        "saved session: {} bytes of JSON; its {CONTACTS} contacts, saved apart: {} bytes",
        saved.len(),
        contacts.len()
    );
}
