//! Internals that the fuzz targets in `fuzz/` call directly. Not part of the API: hidden from
//! the docs, with no stability promise.

/// Keeps a server-sent, already-encoded query value as sent, encoding only what a URL cannot
/// hold (what `pass_ticket` goes through).
pub fn keep_encoded(value: &str) -> String {
    crate::request::keep_encoded(value)
}

/// Removes the value of every `skey` parameter of a server-sent URL (what `HeadImgUrl` goes
/// through).
pub fn strip_skey(url: &str) -> String {
    crate::model::strip_skey(url)
}
