//! One request at a time, on ureq.

use bytes::Bytes;
use std::io::{Read, Write};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;
use webwx_core::{ConnectTo, DownloadError, MediaRequest, TransportErrorKind};

/// How long a download may wait for its next bytes before it counts as timed out.
pub const DOWNLOAD_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The buffer a download copies through: the memory a download takes, whatever the size.
const DOWNLOAD_BUFFER: usize = 64 * 1024;

/// The default cap on a response body (64 MiB, the core's default limit).
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// A failed request: the kind the core understands, and the cause as ureq described it.
///
/// The request's query holds secrets (the login ticket, skey, sid, pass_ticket), and some of
/// ureq's errors quote the whole URL (`BadUri`, `RequireHttpsOnly`). So the cause (the
/// [`source`](std::error::Error::source)) is kept as text with every URL cut to scheme, host,
/// port and path, and the `ureq::Error` itself is not kept: neither `Display`, `Debug` nor the
/// source chain can show a query.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {cause}")]
pub struct TransportError {
    kind: TransportErrorKind,
    #[source]
    cause: Cause,
}

/// ureq's description of a failure, with no URL query in it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Cause(String);

impl TransportError {
    /// The error of a request to `uri` that failed with `error`.
    fn new(error: &ureq::Error, uri: &http::Uri) -> TransportError {
        TransportError {
            kind: kind_of(error),
            cause: Cause(redacted(&error.to_string(), uri)),
        }
    }

    /// The kind, for [`Client::handle_transport_error`](webwx_core::Client::handle_transport_error).
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

/// `uri` without user info, query or fragment: scheme, host, port and path.
fn without_query(uri: &http::Uri) -> String {
    let mut out = String::new();
    if let Some(scheme) = uri.scheme_str() {
        out.push_str(scheme);
        out.push_str("://");
    }
    out.push_str(uri.host().unwrap_or_default());
    if let Some(port) = uri.port_u16() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(uri.path());
    out
}

/// `message` with the query of `uri` removed wherever the URI or its path and query appear,
/// and, for any other URL in it, everything from its `?` or `#` on.
fn redacted(message: &str, uri: &http::Uri) -> String {
    let mut message = message.replace(&uri.to_string(), &without_query(uri));
    if let Some(path_and_query) = uri.path_and_query()
        && path_and_query.query().is_some()
    {
        message = message.replace(path_and_query.as_str(), uri.path());
    }
    message
        .split(' ')
        .map(|word| {
            if word.contains("://") || word.starts_with('/') {
                word.split(['?', '#']).next().unwrap_or_default()
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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
    routes: Arc<ConnectTo>,
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
            routes: Arc::default(),
        }
    }

    /// Caps response bodies at `bytes`: a larger one is a
    /// [`TransportErrorKind::BodyTooLarge`] error, never unbounded memory.
    pub fn with_max_body(mut self, bytes: u64) -> Transport {
        self.max_body = bytes;
        self
    }

    /// Sends the requests for some hosts to other origins, as curl's `--connect-to` does (a
    /// simulator of a host family, a proxy): see [`ConnectTo`]. The core's requests are not
    /// changed; they are rewritten here, just before they are sent.
    pub fn with_connect_to(mut self, routes: ConnectTo) -> Transport {
        self.routes = Arc::new(routes);
        self
    }

    /// Sends `request` and reads the whole answer within `timeout`.
    pub fn execute(
        &self,
        mut request: http::Request<Bytes>,
        timeout: Duration,
    ) -> Result<http::Response<Bytes>, TransportError> {
        self.routes.apply(&mut request);
        let uri = request.uri().clone();
        let fail = |error: ureq::Error| TransportError::new(&error, &uri);
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

    /// Downloads `media` (from [`Client::media_request`](webwx_core::Client::media_request))
    /// into `writer`, streamed through a 64 KiB buffer: memory stays the same whatever the size.
    /// At most `media.max_bytes` are written; past it the download stops with
    /// [`DownloadError::TooLarge`]. `progress` is called with the bytes written so far and the
    /// total when the server said it; returning [`ControlFlow::Break`] cancels. Each read is
    /// bounded by [`DOWNLOAD_IDLE_TIMEOUT`]. Returns the bytes written.
    pub fn download<W: Write>(
        &self,
        media: MediaRequest,
        writer: &mut W,
        mut progress: impl FnMut(u64, Option<u64>) -> ControlFlow<()>,
    ) -> Result<u64, DownloadError> {
        let limit = media.max_bytes;
        let mut request = media.request.clone().map(|()| Bytes::new());
        self.routes.apply(&mut request);
        let request = self
            .agent
            .configure_request(request.map(|b| b.to_vec()))
            .timeout_recv_response(Some(DOWNLOAD_IDLE_TIMEOUT))
            .timeout_recv_body(None)
            .build();
        let transport = |e: ureq::Error| DownloadError::Transport(kind_of(&e));
        let response = self.agent.run(request).map_err(transport)?;
        let status = response.status().as_u16();
        let total = media.check_head(status, response.headers())?;
        let (parts, mut body) = response.into_parts();
        // No limit of ureq's own: the cap is counted here, so that exactly `limit` bytes can be
        // written before a body that is too large is refused.
        let mut reader = body.as_reader();
        let mut buffer = vec![0u8; DOWNLOAD_BUFFER];
        let mut written: u64 = 0;
        loop {
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let kind = match e.kind() {
                        std::io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
                        _ => TransportErrorKind::Reset,
                    };
                    return Err(DownloadError::Transport(kind));
                }
            };
            let room = limit.saturating_sub(written);
            let take = usize::try_from((n as u64).min(room)).unwrap_or(n);
            writer
                .write_all(buffer.get(..take).unwrap_or_default())
                .map_err(|e| DownloadError::Write(e.to_string()))?;
            written += take as u64;
            if n as u64 > room {
                return Err(DownloadError::TooLarge { limit, written });
            }
            if progress(written, total).is_break() {
                return Err(DownloadError::Cancelled { written });
            }
        }
        writer
            .flush()
            .map_err(|e| DownloadError::Write(e.to_string()))?;
        media.check_complete(status, &parts.headers, written)?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SECRET: &str = "AbC3dEf4GhI5jKl6MnO7pQr8";

    fn request(uri: &str) -> http::Request<Bytes> {
        http::Request::get(uri).body(Bytes::new()).unwrap()
    }

    fn shown(e: &TransportError) -> String {
        format!("{e} {e:?} {:?}", std::error::Error::source(e))
    }

    #[test]
    fn a_bad_uri_error_shows_no_query() {
        let t = Transport::new();
        for uri in [
            format!("/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket={SECRET}&fun=new"),
            format!("ftp://wx.qq.com/cgi-bin/p?ticket={SECRET}"),
        ] {
            let e = t
                .execute(request(&uri), Duration::from_secs(1))
                .unwrap_err();
            assert!(shown(&e).contains("bad uri"), "{}", shown(&e));
            assert!(!shown(&e).contains(SECRET), "{uri}: {}", shown(&e));
        }
    }

    #[test]
    fn urls_in_causes_are_cut_to_their_path() {
        let uri: http::Uri = format!("https://u:p@wx.qq.com:8443/p/q?skey={SECRET}#f")
            .parse()
            .unwrap();
        assert_eq!(without_query(&uri), "https://wx.qq.com:8443/p/q");
        let messages = [
            format!("bad uri: {uri} is missing host"),
            format!("bad uri: /p/q?skey={SECRET} is missing scheme"),
            format!("configured for https only: http://other.example/x?skey={SECRET}#y"),
        ];
        let want = [
            "bad uri: https://wx.qq.com:8443/p/q is missing host",
            "bad uri: /p/q is missing scheme",
            "configured for https only: http://other.example/x",
        ];
        for (message, want) in messages.iter().zip(want) {
            assert_eq!(redacted(message, &uri), want);
        }
        assert_eq!(
            redacted("io: connection refused (os error 111)", &uri),
            "io: connection refused (os error 111)"
        );
    }
}
