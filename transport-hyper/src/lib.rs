//! `webwx-hyper`: the async transport for `webwx-core`, on hyper 1, hyper-util and tokio, with
//! rustls for TLS.
//!
//! **Not built yet** (issue 5). This crate will run the core in one task, execute every in-flight
//! request concurrently with the timeout the core asks for, and offer an async `Session` handle
//! (a stream of events and commands). It will hold no protocol knowledge. Until then it exports
//! nothing.
