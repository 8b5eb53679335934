//! The HTTP/1.1 server on hyper: accepts connections, counts requests, applies scheduled faults
//! and routes each request to its endpoint.

use crate::handlers::session::Req;
use crate::handlers::{admin, login, media, ops, session, upload};
use crate::scenario::Fault;
use crate::state::Shared;
use crate::wire::{self, Answer};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The largest request body accepted.
const MAX_REQUEST_BODY: usize = 4 * 1024 * 1024;

/// The largest answer of `/__sim/bytes/<n>`.
const MAX_BYTES_ANSWER: usize = 1024 * 1024;

/// The longest hold of `/__sim/bytes/<n>?hold_ms=<ms>`.
const MAX_BYTES_HOLD_MS: u64 = 600_000;

/// Serves until `stop` turns true.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                    let conn = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stop.changed() => conn.as_mut().graceful_shutdown(),
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
}

/// One request. An `Err` closes the connection without an answer (the "drop" faults).
async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Answer, std::io::Error> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let admin = path.starts_with("/__sim/");
    let endpoint = path.rsplit('/').next().unwrap_or_default().to_string();
    // The fault is decided before the body is read: `DropMidBody` reads only part of it. A CORS
    // preflight is not counted against its endpoint (a browser sends one before each upload).
    let fault = if admin {
        None
    } else if parts.method == Method::OPTIONS {
        shared.count_request();
        None
    } else {
        shared.fault_for(&endpoint)
    };
    if fault == Some(Fault::DropMidBody) {
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        read_part(body, declared.map_or(1, |n| n / 2)).await;
        return Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated drop in the middle of the request body",
        ));
    }
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(wire::html(StatusCode::PAYLOAD_TOO_LARGE, "too large")),
    };
    if let Some(ms) = path.strip_prefix("/__sim/hold/") {
        return Ok(admin::hold(&shared, ms).await);
    }
    if let Some(n) = path.strip_prefix("/__sim/bytes/") {
        return Ok(bytes_answer(&shared, n, parts.uri.query()).await);
    }
    if admin {
        let answer = admin::handle(&shared, &parts.method, &path, parts.uri.query(), &body);
        return Ok(wire::compress(answer, &parts.headers));
    }
    let (forced, duplicate, truncate) = match fault {
        None | Some(Fault::DropMidBody) => (None, false, false),
        Some(Fault::Drop) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "simulated drop",
            ));
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return Ok(wire::html(
                status,
                "<html><body>simulated failure</body></html>",
            ));
        }
        Some(Fault::DelayMs(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            (None, false, false)
        }
        Some(Fault::Code(code)) => (Some(code), false, false),
        Some(Fault::Duplicate) => (None, true, false),
        Some(Fault::Truncate) => (None, false, true),
    };
    let req = Req {
        method: &parts.method,
        endpoint: &endpoint,
        uri: &parts.uri,
        headers: &parts.headers,
        body: &body,
    };
    let answer = route(&shared, &parts.method, &path, &req, forced, duplicate).await;
    let answer = wire::compress(answer, &parts.headers);
    Ok(if truncate {
        wire::truncate(answer)
    } else {
        answer
    })
}

/// `GET /__sim/bytes/<n>[?hold_ms=<ms>]`: answers `n` bytes (at most [`MAX_BYTES_ANSWER`]),
/// never compressed, at once or after `ms` milliseconds (at most 10 minutes; counted in the
/// long-poll gauge meanwhile): an answer of a chosen size that needs no session, for bringing an
/// HTTP client's connections to the state a session's connection is in after its login (the
/// scale benchmark's warm baseline; held, so that many of them are seen in flight at once, each
/// on a connection of its own).
async fn bytes_answer(shared: &Shared, n: &str, query: Option<&str>) -> Answer {
    let hold_ms = match query {
        None | Some("") => Some(0),
        Some(q) => q
            .strip_prefix("hold_ms=")
            .and_then(|ms| ms.parse::<u64>().ok()),
    };
    let (Ok(n), Some(hold_ms)) = (n.parse::<usize>(), hold_ms) else {
        return wire::html(StatusCode::BAD_REQUEST, "bytes/<count>[?hold_ms=<ms>]");
    };
    if hold_ms > 0 {
        let _held = shared.load.long_poll();
        tokio::time::sleep(Duration::from_millis(hold_ms.min(MAX_BYTES_HOLD_MS))).await;
    }
    let mut answer = Answer::new(wire::SimBody::full(vec![b'x'; n.min(MAX_BYTES_ANSWER)]));
    answer.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/octet-stream"),
    );
    answer
}

/// Reads `at_least` bytes of `body` (or all of it, when it is shorter), and drops the rest.
async fn read_part(mut body: Incoming, at_least: u64) {
    let mut read = 0u64;
    while read < at_least.max(1) {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    read += data.len() as u64;
                }
            }
            _ => return,
        }
    }
}

async fn route(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    req: &Req<'_>,
    forced: Option<i64>,
    duplicate: bool,
) -> Answer {
    const CGI: &str = "/cgi-bin/mmwebwx-bin/";
    if path == "/jslogin" {
        return login::jslogin(shared, req);
    }
    if path == "/" {
        return wire::html(StatusCode::OK, "<html><body>webwx-sim</body></html>");
    }
    if let Some(uuid) = path.strip_prefix("/qrcode/") {
        return login::qrcode(uuid);
    }
    let Some(name) = path.strip_prefix(CGI) else {
        return wire::html(StatusCode::NOT_FOUND, "not found");
    };
    match (method, name) {
        (&Method::GET, "login") => login::poll(shared, req, forced).await,
        (&Method::GET, "webwxnewloginpage") => login::new_login_page(shared, req),
        (&Method::GET, "webwxpushloginurl") => login::push_login(shared, req),
        (&Method::POST, "webwxinit") => session::init(shared, req, forced),
        (&Method::POST, "webwxstatusnotify") => session::status_notify(shared, req, forced),
        (&Method::GET | &Method::POST, "webwxgetcontact") => {
            session::get_contact(shared, req, forced)
        }
        (&Method::POST, "webwxbatchgetcontact") => session::batch_get_contact(shared, req, forced),
        (&Method::GET, "synccheck") => session::synccheck(shared, req, forced).await,
        (&Method::POST, "webwxsync") => session::sync(shared, req, forced, duplicate),
        (&Method::POST, "webwxsendmsg") => session::send_msg(shared, req, forced),
        (
            &Method::POST,
            "webwxsendmsgimg" | "webwxsendvideomsg" | "webwxsendemoticon" | "webwxsendappmsg",
        ) => match crate::official::SendCall::of(name) {
            Some(call) => session::send_media(shared, req, forced, call),
            None => wire::html(StatusCode::NOT_FOUND, "not found"),
        },
        (&Method::POST, "webwxuploadmedia") => upload::upload_media(shared, req, forced).await,
        (&Method::OPTIONS, "webwxuploadmedia") => upload::preflight(req),
        (&Method::POST, "webwxcheckupload") => upload::check_upload(shared, req, forced),
        (&Method::POST, "webwxstatreport") => session::stat_report(shared, req, forced),
        (&Method::POST, "webwxrevokemsg") => ops::revoke(shared, req, forced),
        (&Method::POST, "webwxverifyuser") => ops::verify_user(shared, req, forced),
        (&Method::POST, "webwxoplog") => ops::oplog(shared, req, forced),
        (&Method::POST, "webwxcreatechatroom") => ops::create_chatroom(shared, req, forced),
        (&Method::POST, "webwxupdatechatroom") => ops::update_chatroom(shared, req, forced),
        (&Method::POST, "webwxsearchcontact") => ops::search_contact(shared, req, forced),
        (&Method::GET | &Method::POST, "webwxlogout") => session::logout(shared, req),
        (&Method::GET, "webwxgetmsgimg") => media::msg_img(shared, req, forced),
        (&Method::GET, "webwxgetvoice") => media::voice(shared, req, forced),
        (&Method::GET, "webwxgetvideo") => media::video(shared, req, forced),
        (&Method::GET, "webwxgetmedia") => media::file(shared, req, forced),
        (&Method::GET, "webwxgeticon" | "webwxgetheadimg") => media::avatar(shared, req, forced),
        _ => wire::html(StatusCode::NOT_FOUND, "not found"),
    }
}
