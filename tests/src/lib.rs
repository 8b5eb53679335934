//! End-to-end tests across the webwx crates.
//!
//! **Not built yet** (issue 5). The tests here will drive whole sessions through both transports
//! against the simulator. Until then this crate holds nothing.
