//! Property tests: the parsers never panic on arbitrary input or on any prefix of a real-shaped
//! answer, and they read back what they should.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::fixture;
use proptest::prelude::*;
use webwx_core::Hosts;
use webwx_core::parse::*;
use webwx_core::{SyncKey, SyncKeyEntry};

const FIXTURES: &[&str] = &[
    "jslogin.js",
    "login-201.js",
    "login-200.js",
    "ticket.xml",
    "ticket-1203.xml",
    "webwxinit.json",
    "webwxgetcontact-1.json",
    "webwxbatchgetcontact.json",
    "webwxstatusnotify.json",
];

/// Runs every parser on `bytes`; none may panic (their results do not matter here).
fn parse_everything(bytes: &[u8]) {
    let _ = parse_qr_login(bytes);
    let _ = parse_login_poll(bytes);
    let _ = parse_ticket(bytes);
    let _ = parse_init(bytes);
    let _ = parse_get_contact(bytes);
    let _ = parse_batch_get_contact(bytes);
    let _ = parse_plain(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = parse_assignments(text);
        let _ = Hosts::for_redirect(text, &[]);
    }
}

#[test]
fn every_prefix_of_every_fixture_is_handled() {
    for name in FIXTURES {
        let body = fixture(name);
        for end in 0..=body.len() {
            parse_everything(&body[..end]);
        }
    }
}

#[test]
fn every_fixture_parses_whole() {
    assert!(parse_qr_login(&fixture("jslogin.js")).is_ok());
    assert!(parse_login_poll(&fixture("login-200.js")).is_ok());
    assert!(parse_ticket(&fixture("ticket.xml")).is_ok());
    assert!(parse_init(&fixture("webwxinit.json")).is_ok());
    assert!(parse_get_contact(&fixture("webwxgetcontact-1.json")).is_ok());
    assert!(parse_batch_get_contact(&fixture("webwxbatchgetcontact.json")).is_ok());
}

fn uuid() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{8,14}={0,2}"
}

fn ws() -> impl Strategy<Value = String> {
    "[ \t\n]{0,3}"
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_everything(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,256}") {
        parse_everything(text.as_bytes());
    }

    #[test]
    fn script_shaped_noise_never_panics(text in "(window\\.[a-zA-Z.]{1,12}[ =]{1,3}(\"[^\"]{0,8}\"?|'[^']{0,8}'?|-?[0-9]{0,20}|\\{[a-z:\",0-9]{0,20}\\}?)[; ]{0,2}){0,4}") {
        parse_everything(text.as_bytes());
    }

    #[test]
    fn qr_login_reads_code_and_uuid(uuid in uuid(), a in ws(), b in ws(), quote in prop::sample::select(vec!['"', '\''])) {
        let body = format!("window.QRLogin.code{a}={b}200;{a}window.QRLogin.uuid{b}={a}{quote}{uuid}{quote};");
        let qr = parse_qr_login(body.as_bytes()).unwrap();
        prop_assert_eq!(qr.code, 200);
        prop_assert_eq!(qr.uuid, Some(uuid));
    }

    #[test]
    fn login_poll_classifies_every_code(code in -5i64..1000) {
        let body = format!("window.code={code};window.redirect_uri=\"https://wx.qq.com/x?ticket=t\";");
        let poll = parse_login_poll(body.as_bytes()).unwrap();
        let expected = match code {
            408 => LoginPoll::Waiting,
            201 => LoginPoll::Scanned { avatar: None },
            200 => LoginPoll::Confirmed { redirect_uri: "https://wx.qq.com/x?ticket=t".into() },
            202 => LoginPoll::Cancelled,
            400 | 500 | 0 => LoginPoll::Expired { code },
            code => LoginPoll::Unknown { code },
        };
        prop_assert_eq!(poll, expected);
    }

    #[test]
    fn ticket_round_trips(
        ret in -2000i64..2000,
        message in "\\PC{0,40}",
        skey in "@crypt_[0-9a-f_]{8,40}",
        sid in "[A-Za-z0-9]{16}",
        uin in any::<u32>(),
        pass in "[A-Za-z0-9%]{10,60}",
    ) {
        let body = format!(
            "<error><ret>{ret}</ret><message>{}</message><skey>{skey}</skey><wxsid>{sid}</wxsid><wxuin>{uin}</wxuin><pass_ticket>{pass}</pass_ticket></error>",
            xml_escape(&message)
        );
        let t = parse_ticket(body.as_bytes()).unwrap();
        prop_assert_eq!(t.ret, ret);
        prop_assert_eq!(&t.message, &message);
        prop_assert_eq!(t.skey.expose(), &skey);
        prop_assert_eq!(t.wxsid.expose(), &sid);
        prop_assert_eq!(t.wxuin, Some(u64::from(uin)));
        prop_assert_eq!(t.pass_ticket.expose(), &pass);
    }

    #[test]
    fn sync_key_json_and_synccheck_form(entries in proptest::collection::vec((any::<u32>(), any::<u64>()), 1..20)) {
        let list: Vec<_> = entries.iter().map(|&(k, v)| format!("{{\"Key\":{k},\"Val\":{v}}}")).collect();
        let json = format!("{{\"Count\":{},\"List\":[{}]}}", entries.len(), list.join(","));
        let key: SyncKey = serde_json::from_str(&json).unwrap();
        let expected: Vec<_> = entries.iter().map(|&(k, v)| SyncKeyEntry { key: u64::from(k), val: v }).collect();
        prop_assert_eq!(&key.list, &expected);
        let text = key.to_string();
        let back: Vec<(u64, u64)> = text
            .split('|')
            .map(|kv| {
                let (k, v) = kv.split_once('_').unwrap();
                (k.parse().unwrap(), v.parse().unwrap())
            })
            .collect();
        prop_assert_eq!(back, entries.iter().map(|&(k, v)| (u64::from(k), v)).collect::<Vec<_>>());
    }

    #[test]
    fn contact_json_with_any_strings_round_trips(nick in "\\PC{0,30}", remark in "\\PC{0,30}", verify in 0i64..64) {
        let body = serde_json::json!({
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "MemberList": [{"UserName": "@abc", "NickName": nick, "RemarkName": remark, "VerifyFlag": verify, "Unknown": [1, 2]}],
            "Seq": 0
        });
        let page = parse_get_contact(body.to_string().as_bytes()).unwrap();
        let c = page.member_list[0].clone();
        prop_assert_eq!(&c.nick_name(), &nick);
        prop_assert_eq!(&c.remark_name(), &remark);
        prop_assert_eq!(c.verify_flag(), verify);
        let shown = if !remark.is_empty() { &remark } else if !nick.is_empty() { &nick } else { "@abc" };
        prop_assert_eq!(c.display(), shown);
    }
}
