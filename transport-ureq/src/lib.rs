//! `webwx-ureq`: the blocking transport for `webwx-core`, on ureq.
//!
//! **Not built yet** (issue 5). This crate will execute the `http::Request` values that
//! `webwx_core::Client` emits with ureq (redirects off, per-request timeouts from the core, capped
//! bodies), feed the answers back, and offer a blocking `Session` handle. It will hold no protocol
//! knowledge. Until then it exports nothing.
