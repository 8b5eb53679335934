//! Response helpers: the real content types, compression for clients that accept it, and a body
//! that can be cut short (the "truncated body" fault).

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use hyper::body::{Body, Frame, SizeHint};
use serde_json::Value;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The body of every simulator answer: whole, or cut after its first half.
#[derive(Debug)]
pub(crate) struct SimBody {
    data: Option<Bytes>,
    /// Fail after sending `data` (the connection then breaks mid-body).
    fail_after: bool,
}

impl SimBody {
    pub(crate) fn full(data: impl Into<Bytes>) -> SimBody {
        SimBody {
            data: Some(data.into()),
            fail_after: false,
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if self.fail_after {
            self.fail_after = false;
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "simulated truncated body",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.fail_after
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, self.fail_after) {
            (Some(d), false) => SizeHint::with_exact(d.len() as u64),
            (None, false) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

pub(crate) type Answer = Response<SimBody>;

fn with_type(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut r = Response::new(SimBody::full(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A `window.x = ...;` answer.
pub(crate) fn script(body: String) -> Answer {
    with_type(StatusCode::OK, "text/javascript", body)
}

/// A JSON answer.
pub(crate) fn json(value: &Value) -> Answer {
    with_type(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

/// A JSON answer written by hand (its keys in the real server's order).
pub(crate) fn json_text(body: String) -> Answer {
    with_type(StatusCode::OK, "text/plain; charset=utf-8", body)
}

/// A JSON answer that is only a `BaseResponse` with `ret`.
pub(crate) fn ret(code: i64, message: &str) -> Answer {
    json(&serde_json::json!({"BaseResponse": {"Ret": code, "ErrMsg": message}}))
}

/// An XML answer.
pub(crate) fn xml(body: String) -> Answer {
    with_type(StatusCode::OK, "text/plain", body)
}

/// An HTML answer with `status`.
pub(crate) fn html(status: StatusCode, body: &str) -> Answer {
    with_type(status, "text/html", body.to_string())
}

/// A PNG answer.
pub(crate) fn png(data: Vec<u8>) -> Answer {
    with_type(StatusCode::OK, "image/png", data)
}

/// The answer to a media request whose session the server does not know (a wrong skey or
/// cookie, an ended session, a wrong host): 200 with an empty body, as the real server answers.
pub(crate) fn empty() -> Answer {
    let mut r = Response::new(SimBody::full(Bytes::new()));
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    r
}

/// What a request's `Range` asks for of `len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Range {
    /// Everything: no `Range`, or one the server ignores (another unit, several ranges, a
    /// malformed one), as HTTP says.
    Whole,
    /// Bytes `start..=end`.
    Part(usize, usize),
    /// A range that starts past the end: 416.
    Unsatisfiable,
}

/// Reads `Range: bytes=a-`, `bytes=a-b` and `bytes=-n` (the last n bytes) for `len` bytes.
pub(crate) fn range(value: Option<&str>, len: usize) -> Range {
    let Some(v) = value.map(str::trim) else {
        return Range::Whole;
    };
    let Some(spec) = v
        .get(..6)
        .filter(|unit| unit.eq_ignore_ascii_case("bytes="))
        .and_then(|_| v.get(6..))
    else {
        return Range::Whole;
    };
    let Some((a, b)) = spec.split_once('-') else {
        return Range::Whole;
    };
    if spec.contains(',') {
        return Range::Whole;
    }
    let number = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().unwrap_or(u64::MAX))
    };
    let last = len.saturating_sub(1);
    let clamp = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    match (number(a), number(b), b.trim().is_empty()) {
        (Some(start), None, true) => {
            let start = clamp(start);
            if start >= len {
                Range::Unsatisfiable
            } else {
                Range::Part(start, last)
            }
        }
        (Some(start), Some(end), _) => {
            let (start, end) = (clamp(start), clamp(end));
            if end < start {
                Range::Whole
            } else if start >= len {
                Range::Unsatisfiable
            } else {
                Range::Part(start, end.min(last))
            }
        }
        (None, Some(n), _) if a.trim().is_empty() => {
            let n = clamp(n).min(len);
            if n == 0 {
                Range::Unsatisfiable
            } else {
                Range::Part(len - n, last)
            }
        }
        _ => Range::Whole,
    }
}

/// A media answer: `blob` as `content_type` with `Accept-Ranges: bytes` (and `disposition` as
/// `Content-Disposition`), or the part the request's `Range` asks for (206 with
/// `Content-Range`), or 416 for a range past the end. Never compressed (see [`compress`]).
pub(crate) fn media(
    content_type: &'static str,
    blob: &crate::media::Blob,
    request: &http::HeaderMap,
    disposition: Option<String>,
) -> Answer {
    let len = blob.len();
    let asked = request.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, body, content_range) = match range(asked, len) {
        Range::Whole => (StatusCode::OK, blob.all(), None),
        Range::Part(start, end) => (
            StatusCode::PARTIAL_CONTENT,
            blob.slice(start, end + 1),
            Some(format!("bytes {start}-{end}/{len}")),
        ),
        Range::Unsatisfiable => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            Bytes::new(),
            Some(format!("bytes */{len}")),
        ),
    };
    let mut r = with_type(status, content_type, body);
    let h = r.headers_mut();
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(v) = content_range.and_then(|v| HeaderValue::from_str(&v).ok()) {
        h.insert(header::CONTENT_RANGE, v);
    }
    if let Some(v) = disposition.and_then(|v| HeaderValue::from_str(&v).ok()) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Cuts `answer` after half its body; the client sees the connection break mid-body.
pub(crate) fn truncate(answer: Answer) -> Answer {
    let (mut parts, body) = answer.into_parts();
    let data = body.data.unwrap_or_default();
    let half = data.slice(..data.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(data.len().max(1)));
    Response::from_parts(
        parts,
        SimBody {
            data: Some(half),
            fail_after: true,
        },
    )
}

/// Adds a `Set-Cookie` header.
pub(crate) fn set_cookie(answer: &mut Answer, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        answer.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Answers with a body up to this size are sent as they are.
const COMPRESS_ABOVE: usize = 1024;

/// The content codings the simulator can apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coding {
    Gzip,
    /// zlib-wrapped, as HTTP's `deflate` means.
    Deflate,
}

/// The coding to use for a request's `Accept-Encoding` values: the acceptable one (q > 0) with
/// the highest q, gzip on a tie; `*` stands for both. `None`: identity.
fn pick_coding<'a>(accept: impl Iterator<Item = &'a str>) -> Option<Coding> {
    let mut best: Option<(Coding, f32)> = None;
    let mut explicit = [None::<f32>; 2];
    let mut star = None::<f32>;
    for item in accept.flat_map(|v| v.split(',')) {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim().eq_ignore_ascii_case("q")).then(|| v.trim().parse::<f32>().ok())?
            })
            .next()
            .unwrap_or(1.0);
        match name.as_str() {
            "gzip" | "x-gzip" => explicit[0] = Some(q),
            "deflate" => explicit[1] = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    for (coding, q) in [
        (Coding::Gzip, explicit[0].or(star)),
        (Coding::Deflate, explicit[1].or(star)),
    ] {
        let Some(q) = q else { continue };
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((coding, q));
        }
    }
    best.map(|(c, _)| c)
}

/// `data` in `coding` (deterministic: no time or name in the gzip header).
fn encode(coding: Coding, data: &[u8]) -> std::io::Result<Vec<u8>> {
    use flate2::Compression;
    use flate2::write::{GzEncoder, ZlibEncoder};
    use std::io::Write;
    match coding {
        Coding::Gzip => {
            let mut e = GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(data)?;
            e.finish()
        }
        Coding::Deflate => {
            let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
            e.write_all(data)?;
            e.finish()
        }
    }
}

/// Compresses a text answer of more than 1 KiB when the request's `Accept-Encoding` allows
/// gzip (preferred) or deflate, as the real server does for the browser (which sends
/// `gzip, deflate, br`); sets `Content-Encoding`, `Content-Length` and `Vary`. Other answers,
/// and answers to requests without `Accept-Encoding`, go out as they are: media (images, audio,
/// video, files, ranges of them) are never compressed.
pub(crate) fn compress(answer: Answer, request: &http::HeaderMap) -> Answer {
    if answer.headers().contains_key(header::ACCEPT_RANGES)
        || answer.headers().contains_key(header::CONTENT_RANGE)
    {
        return answer;
    }
    let text = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/"));
    let large = answer
        .body()
        .data
        .as_ref()
        .is_some_and(|d| d.len() > COMPRESS_ABOVE);
    if !text || !large || answer.headers().contains_key(header::CONTENT_ENCODING) {
        return answer;
    }
    let accept = request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok());
    let Some(coding) = pick_coding(accept) else {
        return answer;
    };
    let (mut parts, body) = answer.into_parts();
    let data = body.data.unwrap_or_default();
    let Ok(encoded) = encode(coding, &data) else {
        return Response::from_parts(parts, SimBody::full(data));
    };
    let name = match coding {
        Coding::Gzip => "gzip",
        Coding::Deflate => "deflate",
    };
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(encoded.len()));
    parts
        .headers
        .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Response::from_parts(parts, SimBody::full(encoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(v: &str) -> Option<Coding> {
        pick_coding([v].into_iter())
    }

    #[test]
    fn accept_encoding_is_read_like_http_says() {
        assert_eq!(pick("gzip, deflate, br"), Some(Coding::Gzip));
        assert_eq!(pick("deflate, gzip"), Some(Coding::Gzip), "gzip on a tie");
        assert_eq!(pick("br, deflate"), Some(Coding::Deflate));
        assert_eq!(pick("br"), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("identity"), None);
        assert_eq!(pick("gzip;q=0, deflate"), Some(Coding::Deflate));
        assert_eq!(pick("GZIP ; Q=0.000, *;q=0.5"), Some(Coding::Deflate));
        assert_eq!(pick("gzip;q=0.2, deflate;q=0.9"), Some(Coding::Deflate));
        assert_eq!(pick("*"), Some(Coding::Gzip));
        assert_eq!(pick("*;q=0"), None);
        assert_eq!(
            pick("gzip;q=nonsense"),
            Some(Coding::Gzip),
            "a bad q counts as 1"
        );
    }

    #[test]
    fn ranges_are_read_like_http_says() {
        let r = |v: &str| range(Some(v), 100);
        assert_eq!(range(None, 100), Range::Whole);
        assert_eq!(r("bytes=0-"), Range::Part(0, 99));
        assert_eq!(r("bytes=10-19"), Range::Part(10, 19));
        assert_eq!(r("bytes=90-500"), Range::Part(90, 99));
        assert_eq!(r("BYTES=99-"), Range::Part(99, 99));
        assert_eq!(r("bytes=-10"), Range::Part(90, 99));
        assert_eq!(r("bytes=-1000"), Range::Part(0, 99));
        assert_eq!(r("bytes=100-"), Range::Unsatisfiable);
        assert_eq!(r("bytes=100-200"), Range::Unsatisfiable);
        assert_eq!(r("bytes=-0"), Range::Unsatisfiable);
        for ignored in [
            "bytes=5-1",
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=x-",
            "bytes=-",
            "bytes",
        ] {
            assert_eq!(r(ignored), Range::Whole, "{ignored}");
        }
        assert_eq!(range(Some("bytes=0-"), 0), Range::Unsatisfiable);
    }

    #[test]
    fn the_same_answer_compresses_to_the_same_bytes() {
        let data = "窗口".repeat(1000);
        for coding in [Coding::Gzip, Coding::Deflate] {
            let a = encode(coding, data.as_bytes()).unwrap();
            assert_eq!(a, encode(coding, data.as_bytes()).unwrap());
            assert!(a.len() < data.len() / 10);
        }
    }
}
