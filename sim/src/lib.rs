//! `webwx-sim`: a fake Web WeChat server on loopback.
//!
//! **Not built yet** (issue 4). This crate will serve every endpoint the core uses in the real wire
//! formats, with a scriptable phone, scenarios and faults, for tests, demos and embedders' own
//! offline tests. It will be written independently of `webwx-core` and never depend on it. Until
//! then it exports nothing.
