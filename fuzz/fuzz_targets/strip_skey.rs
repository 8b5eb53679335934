//! `strip_skey` (what `HeadImgUrl` goes through): no piece of the output between `?`, `&`, `;`
//! and `#` is an `skey` parameter with a value, in any case or encoding (decoded once, as a
//! server decodes it, `+` as a space); every other piece is kept byte for byte; and stripping
//! twice changes nothing.
#![no_main]

use percent_encoding::percent_decode_str;
use webwx_core::fuzzing::strip_skey;

fn pieces(url: &str) -> Vec<&str> {
    url.split(['?', '&', ';', '#']).collect()
}

/// Whether `piece` is an `skey` parameter with a value.
fn is_skey(piece: &str) -> bool {
    let spaced = piece.replace('+', " ");
    let decoded = percent_decode_str(&spaced).decode_utf8_lossy();
    decoded.split_once('=').is_some_and(|(name, value)| {
        name.trim().to_ascii_lowercase() == "skey" && !value.is_empty()
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let out = strip_skey(url);
    let (before, after) = (pieces(url), pieces(&out));
    assert_eq!(before.len(), after.len(), "{url:?} gave {out:?}");
    for (b, a) in before.iter().zip(&after) {
        assert!(!is_skey(a), "{a:?} is left in {out:?}");
        if is_skey(b) {
            assert_eq!(*a, "skey=");
        } else {
            assert_eq!(a, b, "{url:?} gave {out:?}");
        }
    }
    assert_eq!(strip_skey(&out), out, "a fixed point");
});
