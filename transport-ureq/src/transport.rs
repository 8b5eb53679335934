//! One request at a time, on ureq.

use bytes::Bytes;
use std::time::Duration;
use webwx_core::TransportErrorKind;

/// The default cap on a response body (64 MiB, the core's default limit).
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// A failed request: the kind the core understands, and the cause.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {source}")]
pub struct TransportError {
    kind: TransportErrorKind,
    #[source]
    source: ureq::Error,
}

impl TransportError {
    /// The kind, for [`Client::handle_transport_error`](webwx_core::Client::handle_transport_error).
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

fn kind_of(error: &ureq::Error) -> TransportErrorKind {
    use std::io::ErrorKind as Io;
    match error {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::BodyExceedsLimit(_) => TransportErrorKind::BodyTooLarge,
        ureq::Error::Tls(_) | ureq::Error::TlsRequired => TransportErrorKind::Tls,
        ureq::Error::Io(e) => match e.kind() {
            Io::TimedOut | Io::WouldBlock => TransportErrorKind::Timeout,
            Io::ConnectionRefused | Io::NotFound | Io::AddrNotAvailable => {
                TransportErrorKind::Connect
            }
            Io::ConnectionReset | Io::ConnectionAborted | Io::UnexpectedEof | Io::BrokenPipe => {
                TransportErrorKind::Reset
            }
            _ => TransportErrorKind::Other,
        },
        ureq::Error::Protocol(_) | ureq::Error::BodyStalled => TransportErrorKind::Reset,
        other if other.to_string().to_ascii_lowercase().contains("tls") => TransportErrorKind::Tls,
        _ => TransportErrorKind::Other,
    }
}

/// Executes requests with a ureq agent: no redirects (the core reads 3xx itself), no status
/// errors (a 5xx is an answer), no cookie jar of its own (the core's cookies are in the request).
#[derive(Clone, Debug)]
pub struct Transport {
    agent: ureq::Agent,
    max_body: u64,
}

impl Default for Transport {
    fn default() -> Self {
        Transport::new()
    }
}

impl Transport {
    /// A transport with rustls for TLS and [`DEFAULT_MAX_BODY`].
    pub fn new() -> Transport {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .user_agent(ureq::config::AutoHeaderValue::None)
            .build()
            .new_agent();
        Transport {
            agent,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Caps response bodies at `bytes`: a larger one is a
    /// [`TransportErrorKind::BodyTooLarge`] error, never unbounded memory.
    pub fn with_max_body(mut self, bytes: u64) -> Transport {
        self.max_body = bytes;
        self
    }

    /// Sends `request` and reads the whole answer within `timeout`.
    pub fn execute(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let fail = |source: ureq::Error| TransportError {
            kind: kind_of(&source),
            source,
        };
        let request = self
            .agent
            .configure_request(request.map(|b| b.to_vec()))
            .timeout_global(Some(timeout))
            .build();
        let response = self.agent.run(request).map_err(fail)?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(self.max_body)
            .read_to_vec()
            .map_err(fail)?;
        Ok(http::Response::from_parts(parts, Bytes::from(bytes)))
    }
}
