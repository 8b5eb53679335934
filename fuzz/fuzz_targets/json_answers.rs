#![no_main]
use webwx_core::parse::*;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = parse_init(data);
    let _ = parse_get_contact(data);
    let _ = parse_batch_get_contact(data);
    let _ = parse_sync(data);
    let _ = parse_send(data);
    let _ = parse_plain(data);
    let _ = parse_push_login(data);
});
