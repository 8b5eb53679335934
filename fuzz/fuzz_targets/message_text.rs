#![no_main]
use webwx_core::message::{decode_text, mentions, split_group_content};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let decoded = decode_text(text);
        let _ = split_group_content(text);
        let _ = mentions(&decoded, &["小明", ""]);
    }
});
