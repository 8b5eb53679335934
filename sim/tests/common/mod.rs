//! A minimal HTTP client for talking to the simulator in tests (hyper's client connection, one
//! connection per request), and a scripted login.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::collections::HashMap;

pub mod browser;

pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

/// Sends one request; `Err` when the connection broke (dropped or truncated). A compressed
/// answer is decoded.
pub async fn send(
    base: &str,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Result<Reply, String> {
    let mut reply = send_raw(base, method, path_and_query, headers, body).await?;
    reply.body = match reply
        .headers
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
    {
        Some("gzip") => decode(flate2::read::GzDecoder::new(&reply.body[..])),
        Some("deflate") => decode(flate2::read::ZlibDecoder::new(&reply.body[..])),
        _ => reply.body,
    };
    Ok(reply)
}

/// [`send`] without decoding.
pub async fn send_raw(
    base: &str,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Result<Reply, String> {
    let addr = base.trim_start_matches("http://");
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let mut req = http::Request::builder().method(method).uri(path_and_query);
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req = req.header("host", addr);
    }
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let req = req.body(Full::new(Bytes::from(body))).unwrap();
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok(Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    })
}

fn decode(mut reader: impl std::io::Read) -> Bytes {
    let mut out = Vec::new();
    reader.read_to_end(&mut out).unwrap();
    Bytes::from(out)
}

pub async fn get(base: &str, path: &str, headers: &[(&str, String)]) -> Reply {
    send(base, "GET", path, headers, vec![]).await.unwrap()
}

pub async fn post_json(base: &str, path: &str, headers: &[(&str, String)], body: &Value) -> Reply {
    send(
        base,
        "POST",
        path,
        headers,
        serde_json::to_vec(body).unwrap(),
    )
    .await
    .unwrap()
}

/// A logged-in session as a client sees it.
#[derive(Clone, Debug)]
pub struct Login {
    pub uin: u64,
    pub sid: String,
    pub skey: String,
    pub pass_ticket: String,
    pub cookies: HashMap<String, String>,
    pub redirect: String,
}

impl Login {
    pub fn cookie_header(&self) -> (&'static str, String) {
        let mut pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.sort();
        ("cookie", pairs.join("; "))
    }
    pub fn base_request(&self) -> Value {
        json!({"Uin": self.uin, "Sid": self.sid, "Skey": self.skey, "DeviceID": "e123456789012345"})
    }
}

pub fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// A new uuid from jslogin.
pub async fn uuid(base: &str) -> String {
    let r = get(
        base,
        "/jslogin?appid=wx782c26e4c19acffb&redirect_uri=x&fun=new&lang=zh_CN&_=1",
        &[],
    )
    .await;
    between(&r.text(), "window.QRLogin.uuid = \"", "\"")
        .unwrap()
        .to_string()
}

/// Polls the login endpoint once.
pub async fn poll(base: &str, uuid: &str) -> String {
    get(
        base,
        &format!("/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid={uuid}&tip=0&r=-1&_=1"),
        &[],
    )
    .await
    .text()
}

/// Exchanges the redirect of a 200 for credentials.
pub async fn ticket(base: &str, redirect: &str) -> Reply {
    let path = redirect.splitn(4, '/').nth(3).unwrap();
    get(base, &format!("/{path}&fun=new&version=v2"), &[]).await
}

/// Parses a ticket answer and its cookies.
pub fn login_from(reply: &Reply, redirect: &str) -> Login {
    let t = reply.text();
    let field = |f: &str| {
        between(&t, &format!("<{f}>"), &format!("</{f}>"))
            .unwrap()
            .to_string()
    };
    let cookies = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| {
            c.split(';')
                .next()?
                .split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    Login {
        uin: field("wxuin").parse().unwrap(),
        sid: field("wxsid"),
        skey: field("skey"),
        pass_ticket: field("pass_ticket"),
        cookies,
        redirect: redirect.to_string(),
    }
}

/// A whole QR login with the default phone.
pub async fn login(base: &str) -> Login {
    let id = uuid(base).await;
    loop {
        let r = poll(base, &id).await;
        if r.starts_with("window.code=200;") {
            let redirect = between(&r, "window.redirect_uri=\"", "\"")
                .unwrap()
                .to_string();
            let reply = ticket(base, &redirect).await;
            return login_from(&reply, &redirect);
        }
        assert!(
            r.starts_with("window.code=201;") || r.starts_with("window.code=408;"),
            "{r}"
        );
    }
}

/// The API path of `endpoint` with the session's query.
pub fn api(l: &Login, endpoint: &str, extra: &str) -> String {
    format!(
        "/cgi-bin/mmwebwx-bin/{endpoint}?pass_ticket={}{extra}",
        l.pass_ticket
    )
}

pub async fn init(base: &str, l: &Login) -> Value {
    post_json(
        base,
        &api(l, "webwxinit", "&r=-1"),
        &[l.cookie_header()],
        &json!({"BaseRequest": l.base_request()}),
    )
    .await
    .json()
}

pub fn synckey_param(key: &Value) -> String {
    key["List"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}_{}", e["Key"], e["Val"]))
        .collect::<Vec<_>>()
        .join("%7C")
}

pub async fn synccheck(base: &str, l: &Login, key: &Value) -> String {
    let path = format!(
        "/cgi-bin/mmwebwx-bin/synccheck?r=1&skey={}&sid={}&uin={}&deviceid=e123456789012345&synckey={}&_=1",
        l.skey.replace('@', "%40"),
        l.sid,
        l.uin,
        synckey_param(key)
    );
    get(base, &path, &[l.cookie_header()]).await.text()
}

pub async fn sync(base: &str, l: &Login, key: &Value) -> Reply {
    post_json(
        base,
        &api(l, "webwxsync", &format!("&sid={}&skey={}", l.sid, l.skey)),
        &[l.cookie_header()],
        &json!({"BaseRequest": l.base_request(), "SyncKey": key, "rr": -1}),
    )
    .await
}

/// A scenario for fast tests: the phone scans and confirms within 100 ms, synccheck is held
/// 300 ms, the login poll 2 s.
pub fn quick() -> webwx_sim::Scenario {
    let mut s = webwx_sim::Scenario::default();
    s.phone.scan_after_ms = 50;
    s.phone.confirm_after_ms = 50;
    s.synccheck_hold_ms = 300;
    s.login_hold_ms = 2_000;
    s
}
