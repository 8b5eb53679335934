//! `keep_encoded` (what `pass_ticket` goes through): its output holds only URL characters and
//! `%XY` escapes, keeps a value that is already that as it is (never encodes `%XY` twice),
//! decodes to what the input decodes to, is a fixed point, and cannot move the authority of
//! the URL it is appended to.
#![no_main]

use percent_encoding::percent_decode_str;
use webwx_core::fuzzing::keep_encoded;

const URL_CHARS: &[u8] = b"-._~!$&'()*+,;=:@/?";

/// Whether `text` holds only URL characters and `%XY` escapes.
fn is_url_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if b.is_ascii_alphanumeric() || URL_CHARS.contains(&b) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let out = keep_encoded(value);
    assert!(is_url_text(&out), "{value:?} gave {out:?}");
    if is_url_text(value) {
        assert_eq!(out, value, "a URL-ready value is kept as it is");
    }
    assert_eq!(keep_encoded(&out), out, "a fixed point");
    assert_eq!(
        percent_decode_str(&out).collect::<Vec<u8>>(),
        percent_decode_str(value).collect::<Vec<u8>>(),
        "{value:?} means what {out:?} means"
    );
    let url = format!("https://wx.qq.com/p?pass_ticket={out}&x=1");
    let uri: webwx_core::http::Uri = url.parse().expect("a valid URI");
    assert_eq!(uri.host(), Some("wx.qq.com"));
    assert_eq!(uri.path(), "/p");
    let parsed = url::Url::parse(&url).expect("a valid URL");
    assert_eq!(parsed.host_str(), Some("wx.qq.com"));
    assert_eq!(parsed.fragment(), None);
});
