//! Property tests of the content decoders (group split, entities, emoji) and of the SyncKey
//! rules through the driver.
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
use webwx_core::message::{decode_text, split_group_content};
use webwx_core::{Endpoint, Event, TransportErrorKind};

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
        .replace('\n', "<br/>")
}

/// Emoji code points as WeChat writes them: BMP ones (4 hex digits, not starting with `1`) and
/// supplementary ones (5 hex digits).
fn emoji_char() -> impl Strategy<Value = char> {
    prop_oneof![
        (0x2000u32..0xD800).prop_filter_map("char", char::from_u32),
        (0xE000u32..0x10000).prop_filter_map("char", char::from_u32),
        (0x1F000u32..0x1FB00).prop_filter_map("char", char::from_u32),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn group_content_splits_on_the_first_separator_only(
        sender in "@[0-9a-f]{32,64}",
        body in "(\\PC|:<br/>){0,40}",
    ) {
        let content = format!("{sender}:<br/>{body}");
        prop_assert_eq!(split_group_content(&content), Some((sender.as_str(), body.as_str())));
    }

    #[test]
    fn escaped_text_decodes_to_itself(text in "\\PC{0,60}|[<>&\"'\\n a-z;#]{0,40}") {
        prop_assert_eq!(decode_text(&html_escape(&text)), text);
    }

    #[test]
    fn emoji_spans_decode_to_their_code_points(emoji in proptest::collection::vec(emoji_char(), 1..4), before in "[a-z ]{0,5}") {
        let hex: String = emoji.iter().map(|c| format!("{:x}", u32::from(*c))).collect();
        let content = format!("{before}<span class=\"emoji emoji{hex}\"></span>!");
        let expected: String = before.chars().chain(emoji.iter().copied()).chain(['!']).collect();
        prop_assert_eq!(decode_text(&content), expected);
    }

    #[test]
    fn decoders_never_panic(text in "\\PC{0,80}|(<span class=\"emoji emoji[0-9a-fz]{0,12}\"></span>|&#?[0-9a-zA-Z]{0,8};?|<br/>|:<br/>|@[a-f0-9]{1,4}){0,8}") {
        let _ = decode_text(&text);
        let _ = split_group_content(&text);
        let _ = webwx_core::message::Payload::parse(&text);
    }

    /// Random sync answers, some with an empty SyncKey or SyncCheckKey, some lost on the way:
    /// the held keys are always those of the last fully handled answer with `Count > 0`.
    #[test]
    fn sync_keys_follow_the_rules(steps in proptest::collection::vec((any::<bool>(), 0usize..3, 0usize..3, 1u64..1_000_000), 1..12)) {
        let (mut c, mut check) = ready(config());
        let mut expect_key = c.sync_key().clone();
        let mut expect_check = c.sync_check_key().clone();
        let mut now = at(10_000);
        for (lost, key_len, check_len, base) in steps {
            now = now.after(std::time::Duration::from_secs(2));
            c.handle_response(check.id, ok(sync_fixture("synccheck-0-2.js")), now);
            let sync = next(&mut c, Endpoint::Sync);
            let posted: serde_json::Value = serde_json::from_slice(sync.request.body()).unwrap();
            prop_assert_eq!(serde_json::to_value(&expect_key).unwrap(), posted["SyncKey"].clone());
            let list = |n: usize, off: u64| (0..n).map(|i| format!("{{\"Key\":{},\"Val\":{}}}", i + 1, base + off)).collect::<Vec<_>>().join(",");
            let body = format!(
                "{{\"BaseResponse\":{{\"Ret\":0}},\"SyncKey\":{{\"Count\":{key_len},\"List\":[{}]}},\"SyncCheckKey\":{{\"Count\":{check_len},\"List\":[{}]}}}}",
                list(key_len, 0), list(check_len, 7)
            );
            if lost {
                c.handle_transport_error(sync.id, TransportErrorKind::Reset, now);
                now = c.poll_timeout().unwrap();
                c.handle_timeout(now);
                let again = next(&mut c, Endpoint::Sync);
                let reposted: serde_json::Value = serde_json::from_slice(again.request.body()).unwrap();
                prop_assert_eq!(&posted["SyncKey"], &reposted["SyncKey"], "a lost answer is fetched with the same key");
                c.handle_response(again.id, ok(Bytes::from(body.clone())), now);
            } else {
                c.handle_response(sync.id, ok(Bytes::from(body.clone())), now);
            }
            let parsed: webwx_core::model::SyncAnswer = webwx_core::parse::parse_sync(body.as_bytes()).unwrap();
            if !parsed.sync_key.is_empty() { expect_key = parsed.sync_key; }
            if !parsed.sync_check_key.is_empty() { expect_check = parsed.sync_check_key; }
            prop_assert_eq!(c.sync_key(), &expect_key);
            prop_assert_eq!(c.sync_check_key(), &expect_check);
            for e in events(&mut c) {
                prop_assert!(matches!(e, Event::Retrying { .. }), "{:?}", e);
            }
            check = next(&mut c, Endpoint::SyncCheck);
            let sent_key = if expect_check.is_empty() { &expect_key } else { &expect_check };
            let q = check.request.uri().query().unwrap().to_string();
            let encoded = sent_key.to_string().replace('|', "%7C");
            prop_assert!(q.contains(&format!("synckey={encoded}&")), "{} vs {}", q, encoded);
        }
    }
}
