//! A small hostile server on loopback: it answers a login with canned, minimal answers and lets
//! each test script any answer (huge, empty, slow, broken) to any request. Unlike the simulator
//! it checks nothing and remembers nothing but which paths were asked for: it is for the rules
//! that hold whatever a server sends.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the script sees it.
#[derive(Debug)]
pub struct Hit {
    /// The path, e.g. `/cgi-bin/mmwebwx-bin/webwxsync`.
    pub path: String,
    /// The query string (without `?`).
    pub query: String,
    /// The body.
    pub body: Bytes,
    /// How many requests for this path came before this one.
    pub n: usize,
}

impl Hit {
    /// Whether the path ends with `name` (an endpoint's last segment).
    pub fn is(&self, name: &str) -> bool {
        self.path.rsplit('/').next() == Some(name)
    }
}

/// What the server answers.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Bytes,
    /// How long to wait before answering (a long poll).
    pub delay: Duration,
}

impl Answer {
    /// 200 with `body`, at once.
    pub fn ok(body: impl Into<Bytes>) -> Answer {
        Answer {
            status: 200,
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// `status` with an empty body.
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            body: Bytes::new(),
            delay: Duration::ZERO,
        }
    }

    /// This answer after `delay`.
    pub fn after(mut self, delay: Duration) -> Answer {
        self.delay = delay;
        self
    }
}

type Script = dyn Fn(&Hit) -> Option<Answer> + Send + Sync;

/// The server; stops when dropped.
pub struct HostileServer {
    port: u16,
    hits: Arc<Mutex<Vec<String>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl HostileServer {
    /// Starts a server whose `script` answers any request it wants to (`None`: the canned
    /// login answer for that path, see [`canned`]).
    pub fn start(script: impl Fn(&Hit) -> Option<Answer> + Send + Sync + 'static) -> HostileServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let for_server = Arc::clone(&hits);
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let hits = Arc::clone(&for_server);
                let script = Arc::clone(&script);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        answer(port, Arc::clone(&hits), Arc::clone(&script), req)
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        HostileServer {
            port,
            hits,
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many requests asked for a path ending in `/name`.
    pub fn count(&self, name: &str) -> usize {
        let hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        hits.iter()
            .filter(|p| p.rsplit('/').next() == Some(name))
            .count()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn answer(
    port: u16,
    hits: Arc<Mutex<Vec<String>>>,
    script: Arc<Script>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let n = {
        let mut hits = hits.lock().unwrap_or_else(|e| e.into_inner());
        let n = hits.iter().filter(|p| **p == path).count();
        hits.push(path.clone());
        n
    };
    let hit = Hit {
        path,
        query: parts.uri.query().unwrap_or_default().to_string(),
        body,
        n,
    };
    let answer = script(&hit).unwrap_or_else(|| canned(port, &hit));
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    let mut response = Response::new(Full::new(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    Ok(response)
}

/// The canned answers of a minimal login (`jslogin` to `webwxgetcontact`), an idle message loop
/// (synccheck held 300 ms, then "nothing"), sends accepted, logout; 404 for anything else.
pub fn canned(port: u16, hit: &Hit) -> Answer {
    let last = hit.path.rsplit('/').next().unwrap_or_default();
    match last {
        "jslogin" => Answer::ok(r#"window.QRLogin.code = 200; window.QRLogin.uuid = "hostile==";"#),
        "login" => Answer::ok(format!(
            r#"window.code=200;window.redirect_uri="http://127.0.0.1:{port}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=hostile==&lang=zh_CN&scan=1";"#
        )),
        "webwxnewloginpage" => Answer::ok(
            "<error><ret>0</ret><message></message><skey>@crypt_h</skey><wxsid>sid</wxsid>\
             <wxuin>4242</wxuin><pass_ticket>pt</pass_ticket><isgrayscale>1</isgrayscale></error>",
        ),
        "webwxinit" => Answer::ok(
            r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"Count":0,"ContactList":[],
            "SyncKey":{"Count":1,"List":[{"Key":1,"Val":1}]},
            "User":{"Uin":4242,"UserName":"@me","NickName":"Me"},"SKey":"@crypt_h"}"#,
        ),
        "webwxstatusnotify" => Answer::ok(r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MsgID":"1"}"#),
        "webwxgetcontact" => Answer::ok(
            r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MemberCount":0,"MemberList":[],"Seq":0}"#,
        ),
        "synccheck" => Answer::ok(r#"window.synccheck={retcode:"0",selector:"0"}"#)
            .after(Duration::from_millis(300)),
        "webwxsync" => Answer::ok(sync_body(&[], &[], 0, 1)),
        "webwxsendmsg" => Answer::ok(format!(
            r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"MsgID":"{}","LocalID":"1"}}"#,
            9_000_000 + hit.n
        )),
        "webwxlogout" => Answer::ok(""),
        _ => Answer::status(404),
    }
}

/// A webwxsync answer: text messages with `msg_ids` from `@friend`, contact changes for
/// `contacts` (user names), `continue_flag`, and a one-entry SyncKey with value `key`. Entries
/// have the server's fields (a few hundred bytes each), as the core's size rule expects.
pub fn sync_body(msg_ids: &[u64], contacts: &[String], continue_flag: u8, key: u64) -> String {
    let msgs: Vec<String> = msg_ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"MsgId":"{id}","FromUserName":"@friend","ToUserName":"@me","MsgType":1,"Content":"message {id}","Status":3,"ImgStatus":1,"CreateTime":1764000120,"VoiceLength":0,"PlayLength":0,"FileName":"","FileSize":"","MediaId":"","Url":"","AppMsgType":0,"StatusNotifyCode":0,"StatusNotifyUserName":"","ForwardFlag":0,"HasProductId":0,"Ticket":"","ImgHeight":0,"ImgWidth":0,"SubMsgType":0,"NewMsgId":{id}}}"#
            )
        })
        .collect();
    let mods: Vec<String> = contacts
        .iter()
        .map(|u| {
            format!(
                r#"{{"UserName":"{u}","NickName":"nick of {u}","HeadImgUrl":"/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username={u}","ContactFlag":3,"RemarkName":"","Sex":1,"Signature":"a signature as long as people write them","VerifyFlag":0,"Province":"Guangdong","City":"Shenzhen","Alias":"","SnsFlag":1}}"#
            )
        })
        .collect();
    format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"AddMsgCount":{},"AddMsgList":[{}],"ModContactCount":{},"ModContactList":[{}],"DelContactCount":0,"DelContactList":[],"ModChatRoomMemberCount":0,"ModChatRoomMemberList":[],"Profile":{{"BitFlag":0}},"ContinueFlag":{continue_flag},"SyncKey":{{"Count":1,"List":[{{"Key":1,"Val":{key}}}]}},"SKey":""}}"#,
        msgs.len(),
        msgs.join(","),
        mods.len(),
        mods.join(",")
    )
}
