//! # webwx-core
//!
//! The sans-IO core of the Web WeChat ("webwx", wx.qq.com) personal-account protocol.
//!
//! STATE_GRAPH_PLACEHOLDER

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod config;
mod contacts;
mod cookies;
mod credentials;
pub mod desktop;
mod endpoint;
mod error;
mod event;
mod hosts;
pub mod model;
pub mod parse;
mod request;
mod rng;
mod secret;
mod state;
mod time;
mod transmit;

pub use bytes;
pub use http;

pub use client::Client;
pub use config::{Config, DEFAULT_LOGIN_ORIGIN, DEFAULT_USER_AGENT, Limits, RetryPolicy};
pub use contacts::{ContactCounts, ContactStore};
pub use cookies::CookieJar;
pub use endpoint::Endpoint;
pub use error::{Error, Failure, ParseError, TransportErrorKind, UsageError};
pub use event::{Event, QR_PAYLOAD_PREFIX};
pub use hosts::{Hosts, is_wechat_host};
pub use secret::Secret;
pub use state::State;
pub use time::Timestamp;
pub use transmit::{RequestId, Transmit};
