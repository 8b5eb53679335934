//! One request at a time, on hyper-util's pooled client.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::error::Error as StdError;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use webwx_core::{ConnectTo, DownloadError, MediaRequest, TransportErrorKind};

/// How long a download may wait for its next bytes before it counts as timed out.
pub const DOWNLOAD_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The default cap on a response body (64 MiB, the core's default limit).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// A failed request: the kind the core understands, and the cause.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {source}")]
pub struct TransportError {
    kind: TransportErrorKind,
    #[source]
    source: Box<dyn StdError + Send + Sync>,
}

impl TransportError {
    /// The kind, for [`Client::handle_transport_error`](webwx_core::Client::handle_transport_error).
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    fn new(kind: TransportErrorKind, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        TransportError {
            kind,
            source: source.into(),
        }
    }
}

/// The kind of a failure, from the chain of causes.
fn kind_of(error: &(dyn StdError + 'static)) -> TransportErrorKind {
    let mut cause: Option<&(dyn StdError + 'static)> = Some(error);
    let mut kind = TransportErrorKind::Other;
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as Io;
            kind = match io.kind() {
                Io::TimedOut => TransportErrorKind::Timeout,
                Io::ConnectionRefused | Io::NotFound | Io::AddrNotAvailable => {
                    TransportErrorKind::Connect
                }
                Io::ConnectionReset
                | Io::ConnectionAborted
                | Io::UnexpectedEof
                | Io::BrokenPipe => TransportErrorKind::Reset,
                Io::InvalidData if e.to_string().contains("tls") || e.source().is_some() => {
                    TransportErrorKind::Tls
                }
                _ => kind,
            };
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_closed() || h.is_canceled())
        {
            kind = TransportErrorKind::Reset;
        }
        if let Some(c) = e.downcast_ref::<hyper_util::client::legacy::Error>()
            && c.is_connect()
        {
            kind = TransportErrorKind::Connect;
        }
        if e.to_string().to_ascii_lowercase().contains("certificate") {
            kind = TransportErrorKind::Tls;
        }
        cause = e.source();
    }
    kind
}

/// Executes requests with hyper: a connection pool per transport (clone it to share the pool),
/// HTTP/1.1, rustls with the Mozilla roots, no redirects followed.
#[derive(Clone, Debug)]
pub struct Transport {
    client: Client<Connector, Full<Bytes>>,
    max_body: usize,
    routes: Arc<ConnectTo>,
}

impl Default for Transport {
    fn default() -> Self {
        Transport::new()
    }
}

impl Transport {
    /// A transport with rustls (ring, webpki roots) and [`DEFAULT_MAX_BODY`]. Must be called
    /// within a tokio runtime.
    pub fn new() -> Transport {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(connector);
        Transport {
            client,
            max_body: DEFAULT_MAX_BODY,
            routes: Arc::default(),
        }
    }

    /// Caps response bodies at `bytes`: a larger one is a
    /// [`TransportErrorKind::BodyTooLarge`] error, never unbounded memory.
    pub fn with_max_body(mut self, bytes: usize) -> Transport {
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
    pub async fn execute(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
    ) -> Result<http::Response<Bytes>, TransportError> {
        match tokio::time::timeout(timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(elapsed) => Err(TransportError::new(TransportErrorKind::Timeout, elapsed)),
        }
    }

    async fn exchange(
        &self,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        self.routes.apply(&mut request);
        let fail = |e: Box<dyn StdError + Send + Sync>| TransportError::new(kind_of(e.as_ref()), e);
        let response = self
            .client
            .request(request.map(Full::new))
            .await
            .map_err(|e| fail(Box::new(e)))?;
        let (parts, body) = response.into_parts();
        if let Some(len) = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            && len > self.max_body
        {
            return Err(TransportError::new(
                TransportErrorKind::BodyTooLarge,
                format!("Content-Length {len} is over the cap of {}", self.max_body),
            ));
        }
        let body = Limited::new(body, self.max_body)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    TransportError::new(TransportErrorKind::BodyTooLarge, e)
                } else {
                    fail(e)
                }
            })?;
        Ok(http::Response::from_parts(parts, body.to_bytes()))
    }

    /// Downloads `media` (from [`Client::media_request`](webwx_core::Client::media_request))
    /// into `writer`, streamed: memory stays at one frame of the body, whatever the size. At most
    /// `media.max_bytes` are written; past it the download stops with
    /// [`DownloadError::TooLarge`]. `progress` is called with the bytes written so far and the
    /// total when the server said it; returning [`ControlFlow::Break`] cancels. Each wait for
    /// more bytes is bounded by [`DOWNLOAD_IDLE_TIMEOUT`]. Returns the bytes written.
    pub async fn download<W: AsyncWrite + Unpin>(
        &self,
        media: MediaRequest,
        writer: &mut W,
        mut progress: impl FnMut(u64, Option<u64>) -> ControlFlow<()>,
    ) -> Result<u64, DownloadError> {
        let limit = media.max_bytes;
        let mut request = media.request.clone().map(|()| Full::new(Bytes::new()));
        self.routes.apply(&mut request);
        let transport_error = |e: &(dyn StdError + 'static)| DownloadError::Transport(kind_of(e));
        let response = tokio::time::timeout(DOWNLOAD_IDLE_TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| DownloadError::Transport(TransportErrorKind::Timeout))?
            .map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let total = media.check_head(status, response.headers())?;
        let headers = response.headers().clone();
        let mut body = response.into_body();
        let mut written: u64 = 0;
        loop {
            let frame = tokio::time::timeout(DOWNLOAD_IDLE_TIMEOUT, body.frame())
                .await
                .map_err(|_| DownloadError::Transport(TransportErrorKind::Timeout))?;
            let Some(frame) = frame else { break };
            let frame = frame.map_err(|e| transport_error(&e))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let room = limit.saturating_sub(written);
            let len = data.len() as u64;
            let take = usize::try_from(len.min(room)).unwrap_or(data.len());
            writer
                .write_all(data.get(..take).unwrap_or_default())
                .await
                .map_err(|e| DownloadError::Write(e.to_string()))?;
            written += take as u64;
            if len > room {
                return Err(DownloadError::TooLarge { limit, written });
            }
            if progress(written, total).is_break() {
                return Err(DownloadError::Cancelled { written });
            }
        }
        writer
            .flush()
            .await
            .map_err(|e| DownloadError::Write(e.to_string()))?;
        media.check_complete(status, &headers, written)?;
        Ok(written)
    }
}
