#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = webwx_core::parse::parse_synccheck(data);
});
