//! What the client asks the transport to send.

use crate::Endpoint;
use bytes::Bytes;
use std::fmt;
use std::time::Duration;

/// The id of an emitted request; the transport hands it back with the answer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct RequestId(pub(crate) u64);

impl RequestId {
    /// The id as a number (unique within one client).
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// A request to perform: send `request`, wait at most `timeout` for the whole answer, then call
/// [`Client::handle_response`](crate::Client::handle_response) or
/// [`Client::handle_transport_error`](crate::Client::handle_transport_error) with `id`.
/// Do not follow redirects: the core reads 3xx answers itself.
pub struct Transmit {
    /// Routes the answer back.
    pub id: RequestId,
    /// Which endpoint this is (for logs and metrics).
    pub endpoint: Endpoint,
    /// The request. Its URL and headers hold secrets: do not log them.
    pub request: http::Request<Bytes>,
    /// How long the transport may wait for the whole answer.
    pub timeout: Duration,
}

impl fmt::Debug for Transmit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query and headers carry skey, sid, pass_ticket and cookies: show the path only.
        f.debug_struct("Transmit")
            .field("id", &self.id.0)
            .field("endpoint", &self.endpoint)
            .field("method", self.request.method())
            .field("path", &self.request.uri().path())
            .field("timeout", &self.timeout)
            .finish()
    }
}
