//! # webwx-hyper
//!
//! The async transport for [`webwx_core`], on hyper 1, hyper-util's pooled client and tokio, with
//! rustls for TLS (no OpenSSL). It executes the requests the core emits (redirects off, the
//! timeout each request asks for, bodies capped) and feeds the answers back. It holds no protocol
//! knowledge: no URL building, no parsing, no cookies, no retry policy.
//!
//! Two levels:
//! - [`Transport::execute`]: one request, for embedders who drive the core themselves;
//! - [`Session`]: a whole session driven in one task, every in-flight request (the synccheck long
//!   poll and sends at the same time) executed concurrently; events from
//!   [`Session::next_event`], commands through [`SessionHandle`] (cloneable, from any task).
//!
//! ```no_run
//! use webwx_core::{Config, Content, Event};
//! use webwx_hyper::Session;
//!
//! # async fn bot() -> Result<(), Box<dyn std::error::Error>> {
//! let mut session = Session::start(Config::new(42));
//! let handle = session.handle();
//! while let Some(event) = session.next_event().await {
//!     match event {
//!         Event::QrCode { payload, .. } => println!("scan {payload}"),
//!         Event::Message(m) => {
//!             if let (Content::Text(text), false) = (&m.content, m.outgoing) {
//!                 handle.send_text(&m.chat, text).await?;
//!             }
//!         }
//!         Event::LoggedOut { reason } => println!("{reason}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
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
