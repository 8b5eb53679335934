//! `webwx-cli`: the `webwx` command line.
//!
//! **Not built yet** (issue 6). This crate will hold the `webwx` binary: `webwx demo` (a whole
//! session against the embedded simulator) and the real-service commands (`login`, `listen`,
//! `send`, `contacts`, `logout`). Until then it has no binary and exports nothing.
