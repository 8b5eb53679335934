//! Response helpers: the real content types, and a body that can be cut short (the
//! "truncated body" fault).

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
