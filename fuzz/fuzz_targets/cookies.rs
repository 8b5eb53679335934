#![no_main]
use webwx_core::CookieJar;
use webwx_core::http::{HeaderMap, HeaderValue, header::SET_COOKIE};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.lines();
    let Some(Ok(url)) = lines.next().map(url::Url::parse) else {
        return;
    };
    let mut headers = HeaderMap::new();
    for line in lines.take(32) {
        if let Ok(v) = HeaderValue::from_str(line) {
            headers.append(SET_COOKIE, v);
        }
    }
    let mut jar = CookieJar::default();
    jar.store_from(&url, &headers);
    for other in [
        "https://wx2.qq.com/x",
        "https://webpush.wx2.qq.com/cgi-bin/",
        "http://127.0.0.1:1/",
    ] {
        if let Ok(u) = url::Url::parse(other) {
            let _ = jar.header_for(&u);
        }
    }
    let _ = jar.header_for(&url);
    let _ = format!("{jar:?}");
});
