//! # webwx-ureq
//!
//! The blocking transport for [`webwx_core`]: it executes the requests the core emits with ureq 3
//! (redirects off, the timeout each request asks for, bodies capped) and feeds the answers back.
//! It holds no protocol knowledge: no URL building, no parsing, no cookies, no retry policy.
//!
//! Two levels:
//! - [`Transport::execute`]: one request, for embedders who drive the core themselves;
//! - [`Session`]: a whole session on a driver thread, with the events as a blocking iterator and
//!   commands from any thread ([`SessionHandle`]). Each request runs on its own thread, so the
//!   synccheck long poll never blocks a send.
//!
//! ```no_run
//! use webwx_core::{Config, Content, Event};
//! use webwx_ureq::Session;
//!
//! let session = Session::start(Config::new(42));
//! let handle = session.handle();
//! for event in session.events() {
//!     match event {
//!         Event::QrCode { payload, .. } => println!("scan {payload}"),
//!         Event::Message(m) => {
//!             if let (Content::Text(text), false) = (&m.content, m.outgoing) {
//!                 handle.send_text(&m.chat, text).ok();
//!             }
//!         }
//!         Event::LoggedOut { reason } => println!("{reason}"),
//!         _ => {}
//!     }
//! }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod session;
mod source;
mod transport;

pub use session::{Session, SessionHandle};
pub use transport::{DEFAULT_MAX_BODY, DOWNLOAD_IDLE_TIMEOUT, Transport, TransportError};
pub use webwx_core;
pub use webwx_core::SessionError;
