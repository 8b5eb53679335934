//! The login path of the login benchmarks (`src/bin/login_bench/`, `benches/login.rs`): the
//! simulator scenario of a heavy account, and the floor under `webwx login`.
//!
//! The floor fetches the answers the CLI's login fetches, in the same order, from the same
//! simulator through the same transport (`webwx-hyper`), with hand-built `http::Request`s: jslogin,
//! the login polls until the phone confirms, the ticket (`webwxnewloginpage`), `webwxinit`,
//! `webwxstatusnotify`, every `webwxgetcontact` page (each followed by a `webwxstatreport`, as
//! the official page and the CLI do), and the `webwxbatchgetcontact` of init's groups. Each JSON
//! answer is decoded as its `Content-Encoding` says (the simulator gzips them, as the real
//! server does for a browser) and parsed into a [`serde_json::Value`], from which only what the
//! next request needs is read; script and XML answers are read as text. Nothing is kept, nothing
//! is saved. The CLI also sends a synccheck (whose answer it never waits for before it exits);
//! the floor does not. Neither fetches the QR image (`/qrcode/<uuid>`): the CLI draws the code
//! from the uuid itself.

use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, COOKIE, SET_COOKIE};
use http::{Request, Response};
use serde_json::{Value, json};
use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use webwx_sim::{ContactDetail, ContactSpec, Scenario};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The simulator's groups per `webwxbatchgetcontact` request.
const BATCH_LIMIT: usize = 50;
/// How long the floor waits for one answer.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Login polls before the floor gives up (the benchmark's phone confirms at once).
const MAX_POLLS: usize = 50;
const API: &str = "/cgi-bin/mmwebwx-bin";

/// A heavy account of `contacts` contacts in all, of a real account's shape: 1 % groups (each
/// with 100 members; init's recent chats name one, which the login fetches with its members),
/// 1 % official accounts, `filehelper` and `weixin`, the rest friends (Chinese nick names, every
/// fifth with an emoji span, every third with a remark), every field filled as the real server
/// fills it ([`ContactDetail::Full`]: signatures, pinyin, aliases, avatar URLs), served
/// `page_size` to a `webwxgetcontact` page. The phone scans and confirms at once; no message and
/// no contact change arrives after login, so every run sees the same answers.
pub fn heavy_scenario(contacts: usize, page_size: usize) -> Scenario {
    let groups = contacts / 100;
    let officials = contacts / 100;
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 0;
    s.phone.confirm_after_ms = 0;
    s.contact_events.clear();
    s.messages.count = 0;
    s.contact_detail = ContactDetail::Full;
    s.contacts = ContactSpec {
        friends: contacts.saturating_sub(groups + officials + 2),
        groups,
        members_per_group: 100,
        officials,
        page_size,
    };
    s
}

/// Whether the answer of the endpoint named `endpoint` (the last segment of its path) is JSON;
/// the others (jslogin, the login poll, the ticket) are a script or XML.
pub fn is_json(endpoint: &str) -> bool {
    !matches!(endpoint, "jslogin" | "login" | "webwxnewloginpage")
}

/// The body of `response` decoded as its `Content-Encoding` says (gzip, deflate or none: what
/// the simulator sends).
pub fn decoded_body(response: &Response<Bytes>) -> Result<Bytes, BoxError> {
    let body = response.body();
    let coding = response
        .headers()
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().map(str::trim))
        .transpose()?;
    let mut out = Vec::new();
    match coding {
        None | Some("identity") => return Ok(body.clone()),
        Some("gzip" | "x-gzip") => {
            flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut out)?;
        }
        Some("deflate") => {
            flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut out)?;
        }
        Some(other) => return Err(format!("unexpected Content-Encoding {other:?}").into()),
    }
    Ok(Bytes::from(out))
}

/// What the floor fetched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fetched {
    /// Requests sent (every one answered).
    pub requests: usize,
    /// Answer bytes as they came over the wire (compressed).
    pub wire_bytes: usize,
    /// Answer bytes decoded.
    pub decoded_bytes: usize,
    /// The `webwxgetcontact` pages.
    pub pages: usize,
    /// Contacts in the `webwxgetcontact` pages.
    pub contacts: usize,
    /// Groups fetched by `webwxbatchgetcontact`.
    pub batched_groups: usize,
}

fn millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let rest = text.get(from..)?;
    rest.get(..rest.find(end)?)
}

/// The session's secrets from the ticket.
struct Creds {
    uin: String,
    sid: String,
    skey: String,
    /// As the server gave it (already %-encoded), encoded again as Angular sends it.
    pass_ticket: String,
    cookie: String,
}

impl Creds {
    fn base_request(&self, skey: bool, uin_as_text: bool) -> Value {
        let uin: Value = if uin_as_text {
            json!(self.uin)
        } else {
            json!(self.uin.parse::<u64>().unwrap_or(0))
        };
        let mut base = json!({"Uin": uin, "Sid": self.sid, "DeviceID": "e123456789012345"});
        if skey && let Some(obj) = base.as_object_mut() {
            obj.insert("Skey".into(), json!(self.skey));
        }
        base
    }
}

/// The floor's client: the transport, the simulator's origin, what it has fetched.
struct Floor<'a, F> {
    transport: &'a webwx_hyper::Transport,
    base: &'a str,
    record: F,
    fetched: Fetched,
}

impl<F: FnMut(&'static str, &Response<Bytes>)> Floor<'_, F> {
    /// Sends `request` and returns the answer's body, decoded; JSON is parsed into a `Value`.
    async fn fetch(
        &mut self,
        endpoint: &'static str,
        request: Request<Bytes>,
    ) -> Result<(Response<Bytes>, Bytes, Option<Value>), BoxError> {
        let response = self.transport.execute(request, TIMEOUT).await?;
        if !response.status().is_success() {
            return Err(format!("{endpoint}: the simulator answered {}", response.status()).into());
        }
        (self.record)(endpoint, &response);
        let body = decoded_body(&response)?;
        self.fetched.requests += 1;
        self.fetched.wire_bytes += response.body().len();
        self.fetched.decoded_bytes += body.len();
        let value = if is_json(endpoint) {
            let v: Value = serde_json::from_slice(&body)?;
            let ret = &v["BaseResponse"]["Ret"];
            if ret != 0 {
                return Err(format!("{endpoint}: BaseResponse.Ret {ret}").into());
            }
            Some(v)
        } else {
            None
        };
        Ok((response, body, value))
    }

    fn get(
        &self,
        path_and_query: String,
        cookie: Option<&str>,
    ) -> Result<Request<Bytes>, BoxError> {
        let mut b = Request::get(format!("{}{path_and_query}", self.base))
            .header(ACCEPT_ENCODING, "gzip, deflate, br");
        if let Some(c) = cookie {
            b = b.header(COOKIE, c);
        }
        Ok(b.body(Bytes::new())?)
    }

    fn post(
        &self,
        path_and_query: String,
        creds: &Creds,
        body: &Value,
    ) -> Result<Request<Bytes>, BoxError> {
        Ok(Request::post(format!("{}{path_and_query}", self.base))
            .header(ACCEPT_ENCODING, "gzip, deflate, br")
            .header(CONTENT_TYPE, "application/json;charset=UTF-8")
            .header(COOKIE, &creds.cookie)
            .body(Bytes::from(serde_json::to_vec(body)?))?)
    }

    async fn run(&mut self) -> Result<(), BoxError> {
        // jslogin: the login uuid.
        let redirect = format!("{}{API}/webwxnewloginpage", self.base);
        let encoded: String = url_encode(&redirect);
        let req = self.get(
            format!(
                "/jslogin?appid=wx782c26e4c19acffb&redirect_uri={encoded}&fun=new&lang=zh_CN&_={}",
                millis()
            ),
            None,
        )?;
        let (_, body, _) = self.fetch("jslogin", req).await?;
        let text = std::str::from_utf8(&body)?;
        let uuid = between(text, "uuid = \"", "\"")
            .ok_or_else(|| format!("jslogin: no uuid in {text:?}"))?
            .to_string();

        // The login polls, until the phone confirms.
        let mut ticket_url = None;
        for tip in (0..MAX_POLLS).map(|i| u8::from(i == 0)) {
            let r = -((millis() % 1_000_000_000) as i64);
            let req = self.get(
                format!(
                    "{API}/login?loginicon=true&uuid={uuid}&tip={tip}&r={r}&_={}",
                    millis()
                ),
                None,
            )?;
            let (_, body, _) = self.fetch("login", req).await?;
            let text = std::str::from_utf8(&body)?;
            if text.contains("window.code=200") {
                ticket_url = between(text, "redirect_uri=\"", "\"").map(str::to_string);
                break;
            }
        }
        let ticket_url = ticket_url.ok_or("the login was not confirmed")?;

        // The ticket: the secrets and the cookies.
        let path = ticket_url
            .strip_prefix(self.base)
            .ok_or_else(|| format!("a ticket URL on another host: {ticket_url}"))?;
        let req = self.get(format!("{path}&fun=new&version=v2&lang=zh_CN"), None)?;
        let (response, body, _) = self.fetch("webwxnewloginpage", req).await?;
        let xml = std::str::from_utf8(&body)?;
        let field = |name: &str| {
            between(xml, &format!("<{name}>"), &format!("</{name}>"))
                .map(str::to_string)
                .ok_or_else(|| format!("ticket: no <{name}> in {xml:?}"))
        };
        let cookie = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next())
            .collect::<Vec<_>>()
            .join("; ");
        let creds = Creds {
            uin: field("wxuin")?,
            sid: field("wxsid")?,
            skey: field("skey")?,
            pass_ticket: field("pass_ticket")?.replace('%', "%25"),
            cookie,
        };
        let pt = creds.pass_ticket.clone();

        // webwxinit: the self user and init's groups.
        let r = -((millis() % 1_000_000_000) as i64);
        let body = json!({"BaseRequest": creds.base_request(true, true)});
        let req = self.post(
            format!("{API}/webwxinit?r={r}&lang=zh_CN&pass_ticket={pt}"),
            &creds,
            &body,
        )?;
        let (_, _, init) = self.fetch("webwxinit", req).await?;
        let init = init.unwrap_or_default();
        let me = init["User"]["UserName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let groups: Vec<String> = init["ChatSet"]
            .as_str()
            .unwrap_or_default()
            .split(',')
            .filter(|n| n.starts_with("@@"))
            .map(str::to_string)
            .collect();
        drop(init);

        // webwxstatusnotify.
        let body = json!({"BaseRequest": creds.base_request(true, false), "Code": 3,
            "FromUserName": me, "ToUserName": me, "ClientMsgId": millis()});
        let req = self.post(
            format!("{API}/webwxstatusnotify?lang=zh_CN&pass_ticket={pt}"),
            &creds,
            &body,
        )?;
        self.fetch("webwxstatusnotify", req).await?;

        // Every webwxgetcontact page, each followed by a webwxstatreport.
        let mut seq = 0;
        loop {
            let req = self.get(
                format!(
                    "{API}/webwxgetcontact?lang=zh_CN&pass_ticket={pt}&r={}&seq={seq}&skey={}",
                    millis(),
                    creds.skey
                ),
                Some(&creds.cookie),
            )?;
            let (_, _, page) = self.fetch("webwxgetcontact", req).await?;
            let page = page.unwrap_or_default();
            self.fetched.pages += 1;
            self.fetched.contacts += page["MemberList"].as_array().map_or(0, Vec::len);
            seq = page["Seq"].as_u64().unwrap_or(0);
            drop(page);
            let text = json!({"type": "[app-timing]", "data": {"appTiming": {"initContactEnd": millis()}}});
            let body = json!({"BaseRequest": creds.base_request(false, false), "Count": 1,
                "List": [{"Type": 1, "Text": text.to_string()}]});
            let req = self.post(
                format!("{API}/webwxstatreport?fun=new&lang=zh_CN&pass_ticket={pt}"),
                &creds,
                &body,
            )?;
            self.fetch("webwxstatreport", req).await?;
            if seq == 0 || self.fetched.pages >= 17 {
                break;
            }
        }

        // The groups of init's ChatSet, with their members.
        for chunk in groups.chunks(BATCH_LIMIT) {
            let list: Vec<Value> = chunk
                .iter()
                .map(|g| json!({"UserName": g, "ChatRoomId": ""}))
                .collect();
            let body = json!({"BaseRequest": creds.base_request(true, false), "Count": list.len(), "List": list});
            let req = self.post(
                format!(
                    "{API}/webwxbatchgetcontact?type=ex&r={}&lang=zh_CN&pass_ticket={pt}",
                    millis()
                ),
                &creds,
                &body,
            )?;
            let (_, _, answer) = self.fetch("webwxbatchgetcontact", req).await?;
            self.fetched.batched_groups += answer
                .as_ref()
                .and_then(|a| a["ContactList"].as_array())
                .map_or(0, Vec::len);
        }
        Ok(())
    }
}

/// encodeURIComponent.
fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Runs the floor's login against the simulator at `base` (`http://127.0.0.1:PORT`, loopback
/// family) through `transport`, handing every answer as it came (before decoding) to `record`
/// with the name of its endpoint.
pub async fn fetch_login(
    transport: &webwx_hyper::Transport,
    base: &str,
    record: impl FnMut(&'static str, &Response<Bytes>),
) -> Result<Fetched, BoxError> {
    let mut floor = Floor {
        transport,
        base,
        record,
        fetched: Fetched::default(),
    };
    floor.run().await?;
    Ok(floor.fetched)
}
