//! A client that builds every request as the official web client in Chrome does (issue 14's
//! wire rules): parameter order and encodings, headers by kind of call, jQuery's `_` counter,
//! a new DeviceID per request, LocalIDs, a webwxstatreport after each contact page. A session
//! driven by it records no deviation; tests change one thing at a time with the pieces it
//! exposes.

use super::*;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

pub const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// JavaScript's `~x` on a number of milliseconds.
pub fn js_not(ms: i64) -> i64 {
    i64::from(!(ms as i32))
}

/// Angular's encodeUriQuery of an already-encoded pass_ticket (hex digits and %XX): `%` → `%25`.
pub fn pt2(pass_ticket: &str) -> String {
    pass_ticket.replace('%', "%25")
}

/// JavaScript's encodeURIComponent.
pub fn component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `Msg` keys of a send in chatFactory's order (`postTextMessage`, then `_postMessage`).
const MSG_ORDER: [&str; 7] = [
    "Type",
    "Content",
    "MsgSource",
    "FromUserName",
    "ToUserName",
    "LocalID",
    "ClientMsgId",
];

/// `body` as `angular.toJson` writes the page's object: `serde_json::Value` sorts keys, which is
/// the page's order for `{BaseRequest, Msg, Scene}` and the bodies the simulator does not check;
/// a `Msg` object is written in chatFactory's order (its other keys after, sorted).
pub fn official_json(body: &Value) -> Vec<u8> {
    let Some(Value::Object(msg)) = body.get("Msg") else {
        return serde_json::to_vec(body).unwrap();
    };
    let mut keys: Vec<&String> = msg.keys().collect();
    keys.sort_by_key(|k| {
        MSG_ORDER
            .iter()
            .position(|o| o == k)
            .unwrap_or(MSG_ORDER.len())
    });
    let msg_text: Vec<String> = keys
        .iter()
        .map(|k| format!("{}:{}", Value::from(k.as_str()), msg[k.as_str()]))
        .collect();
    let fields: Vec<String> = body
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let v = if k == "Msg" {
                format!("{{{}}}", msg_text.join(","))
            } else {
                v.to_string()
            };
            format!("{}:{v}", Value::from(k.as_str()))
        })
        .collect();
    format!("{{{}}}", fields.join(",")).into_bytes()
}

/// The official page, as one browser tab.
pub struct Browser {
    /// Where to connect.
    pub base: String,
    /// The page's origin (the simulator's own in the loopback family).
    pub origin: String,
    pub lang: String,
    /// When the page loaded: the start of jQuery's counter and webwxinit's `r`.
    pub page_load: i64,
    nonce: AtomicI64,
    devices: AtomicU64,
    local: AtomicU64,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        // The page loaded a while before the calls (the QR code was shown and scanned).
        let page_load = now_ms() - 600_000;
        Browser {
            base: base.to_string(),
            origin: base.to_string(),
            lang: "zh_CN".into(),
            page_load,
            nonce: AtomicI64::new(page_load),
            devices: AtomicU64::new(1),
            local: AtomicU64::new(1),
        }
    }

    pub fn page_url(&self) -> String {
        format!("{}/?&lang={}", self.origin, self.lang)
    }

    /// jQuery's next `_`.
    pub fn nonce(&self) -> i64 {
        self.nonce.fetch_add(1, Ordering::SeqCst)
    }

    /// A new `e` + 15 digits.
    pub fn device_id(&self) -> String {
        let n = self.devices.fetch_add(1, Ordering::SeqCst);
        format!(
            "e{:015}",
            (n * 7_919_000_003 + 12_345) % 1_000_000_000_000_000
        )
    }

    /// A LocalID as `(now + Math.random().toFixed(3)).replace('.', '')` makes it.
    pub fn local_id(&self) -> String {
        let n = self.local.fetch_add(1, Ordering::SeqCst);
        format!("{}0{:03}", now_ms(), n % 1000)
    }

    fn common(&self) -> Vec<(&'static str, String)> {
        vec![
            ("user-agent", UA.into()),
            ("accept-language", "zh-CN,zh;q=0.9,en;q=0.8".into()),
            ("accept-encoding", "gzip, deflate, br".into()),
            (
                "sec-ch-ua",
                "\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\""
                    .into(),
            ),
            ("sec-ch-ua-mobile", "?0".into()),
            ("sec-ch-ua-platform", "\"Windows\"".into()),
            ("sec-fetch-site", "same-origin".into()),
        ]
    }

    /// jslogin, the login poll, synccheck.
    pub fn script_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = self.common();
        h.extend([
            ("accept", "*/*".into()),
            ("sec-fetch-mode", "no-cors".into()),
            ("sec-fetch-dest", "script".into()),
            ("referer", format!("{}/", self.origin)),
        ]);
        h
    }

    /// Every Angular `$http` call.
    pub fn angular_headers(&self, post: bool) -> Vec<(&'static str, String)> {
        let mut h = self.common();
        h.extend([
            ("accept", "application/json, text/plain, */*".into()),
            ("sec-fetch-mode", "cors".into()),
            ("sec-fetch-dest", "empty".into()),
            ("referer", self.page_url()),
        ]);
        if post {
            h.extend([
                ("origin", self.origin.clone()),
                ("content-type", "application/json;charset=UTF-8".into()),
            ]);
        }
        h
    }

    /// webwxpushloginurl.
    pub fn jquery_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = self.common();
        h.extend([
            (
                "accept",
                "application/json, text/javascript, */*; q=0.01".into(),
            ),
            ("x-requested-with", "XMLHttpRequest".into()),
            ("sec-fetch-mode", "cors".into()),
            ("sec-fetch-dest", "empty".into()),
            ("referer", self.page_url()),
        ]);
        h
    }

    /// webwxlogout.
    pub fn form_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = self.common();
        h.extend([
            (
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8".into(),
            ),
            ("content-type", "application/x-www-form-urlencoded".into()),
            ("sec-fetch-mode", "navigate".into()),
            ("sec-fetch-dest", "document".into()),
            ("origin", self.origin.clone()),
            ("referer", self.page_url()),
        ]);
        h
    }

    /// An `<img>` (message images, thumbnails, stickers, avatars).
    pub fn image_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = self.common();
        h.extend([
            (
                "accept",
                "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8".into(),
            ),
            ("sec-fetch-mode", "no-cors".into()),
            ("sec-fetch-dest", "image".into()),
            ("referer", self.page_url()),
        ]);
        h
    }

    /// An `<audio>` or `<video>` element (`dest`) asking for the bytes from `start` on.
    pub fn media_element_headers(&self, dest: &str, start: u64) -> Vec<(&'static str, String)> {
        let mut h: Vec<(&'static str, String)> = self
            .common()
            .into_iter()
            .filter(|(k, _)| *k != "accept-encoding")
            .collect();
        h.extend([
            ("accept", "*/*".into()),
            ("accept-encoding", "identity;q=1, *;q=0".into()),
            ("range", format!("bytes={start}-")),
            ("sec-fetch-mode", "no-cors".into()),
            ("sec-fetch-dest", dest.to_string()),
            ("referer", self.page_url()),
        ]);
        h
    }

    /// WebUploader's XHR (webwxuploadmedia on the file host): a multipart POST with Chrome's
    /// boundary. On loopback the file host is the page's own origin, so the Referer is the
    /// page's URL.
    pub fn upload_headers(&self, boundary: &str) -> Vec<(&'static str, String)> {
        let mut h = self.common();
        h.extend([
            ("accept", "*/*".into()),
            (
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            ),
            ("origin", self.origin.clone()),
            ("sec-fetch-mode", "cors".into()),
            ("sec-fetch-dest", "empty".into()),
            ("referer", self.page_url()),
        ]);
        h
    }

    /// A link the user clicks (a file on the file host): a top-level navigation. On loopback the
    /// file host is the page's own origin, so the Referer is the page's URL.
    pub fn link_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = self.common();
        h.extend([
            (
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7".into(),
            ),
            ("sec-fetch-mode", "navigate".into()),
            ("sec-fetch-user", "?1".into()),
            ("sec-fetch-dest", "document".into()),
            ("upgrade-insecure-requests", "1".into()),
            ("referer", self.page_url()),
        ]);
        h
    }

    /// `webwxgetmsgimg?&MsgID=<id>&skey=<%40 skey>[&type=..]`.
    pub fn msg_img_path(&self, l: &Login, msg_id: &str, kind: Option<&str>) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgetmsgimg?&MsgID={msg_id}&skey={}{}",
            l.skey.replace('@', "%40"),
            kind.map(|t| format!("&type={t}")).unwrap_or_default()
        )
    }

    /// `webwxgetvoice?msgid=<id>&skey=<raw skey>`.
    pub fn voice_path(&self, l: &Login, msg_id: &str) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgetvoice?msgid={msg_id}&skey={}",
            l.skey
        )
    }

    /// `webwxgetvideo?msgid=<id>&skey=<%40 skey>`.
    pub fn video_path(&self, l: &Login, msg_id: &str) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgetvideo?msgid={msg_id}&skey={}",
            l.skey.replace('@', "%40")
        )
    }

    /// The 2019 page's file link for the message `msg` (its `FromUserName`, `MediaId`,
    /// `EncryFileName` as they are; pass_ticket encoded again; the data ticket cookie through
    /// encodeURIComponent).
    pub fn file_path(&self, l: &Login, msg: &Value) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgetmedia?sender={}&mediaid={}&encryfilename={}&fromuser={}&pass_ticket={}&webwx_data_ticket={}",
            msg["FromUserName"].as_str().unwrap(),
            msg["MediaId"].as_str().unwrap(),
            msg["EncryFileName"].as_str().unwrap(),
            l.uin,
            pt2(&l.pass_ticket),
            component(&l.cookies["webwx_data_ticket"])
        )
    }

    pub fn with_cookies(
        mut headers: Vec<(&'static str, String)>,
        l: &Login,
    ) -> Vec<(&'static str, String)> {
        headers.push(l.cookie_header());
        headers
    }

    pub async fn jslogin(&self) -> String {
        let redirect = url::form_urlencoded::byte_serialize(
            format!("{}/cgi-bin/mmwebwx-bin/webwxnewloginpage", self.origin).as_bytes(),
        )
        .collect::<String>();
        let path = format!(
            "/jslogin?appid=wx782c26e4c19acffb&redirect_uri={redirect}&fun=new&lang={}&_={}",
            self.lang,
            self.nonce()
        );
        let r = get(&self.base, &path, &self.script_headers()).await;
        between(&r.text(), "window.QRLogin.uuid = \"", "\"")
            .unwrap()
            .to_string()
    }

    pub fn poll_path(&self, uuid: &str, tip: u8) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid={uuid}&tip={tip}&r={}&_={}",
            js_not(now_ms()),
            self.nonce()
        )
    }

    pub async fn poll(&self, uuid: &str, tip: u8) -> String {
        get(
            &self.base,
            &self.poll_path(uuid, tip),
            &self.script_headers(),
        )
        .await
        .text()
    }

    /// Polls (tip 1, then 0) until 200; returns the redirect.
    pub async fn wait_for_redirect(&self, uuid: &str) -> String {
        let mut tip = 1;
        loop {
            let r = self.poll(uuid, tip).await;
            tip = 0;
            if let Some(u) = between(&r, "window.redirect_uri=\"", "\"") {
                return u.to_string();
            }
            assert!(
                r.starts_with("window.code=201;") || r.starts_with("window.code=408;"),
                "{r}"
            );
        }
    }

    pub async fn ticket(&self, redirect: &str) -> Login {
        let path = redirect.splitn(4, '/').nth(3).unwrap();
        let reply = get(
            &self.base,
            &format!("/{path}&fun=new&version=v2&lang={}", self.lang),
            &self.angular_headers(false),
        )
        .await;
        assert_eq!(reply.status, 200);
        login_from(&reply, redirect)
    }

    /// A whole QR login.
    pub async fn login(&self) -> Login {
        let uuid = self.jslogin().await;
        let redirect = self.wait_for_redirect(&uuid).await;
        self.ticket(&redirect).await
    }

    /// A push login of `uin`: the phone confirms without a scan.
    pub async fn push_login(&self, uin: u64) -> Login {
        let r = get(
            &self.base,
            &format!("/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={uin}"),
            &self.jquery_headers(),
        )
        .await
        .json();
        let uuid = r["uuid"].as_str().unwrap().to_string();
        let redirect = self.wait_for_redirect(&uuid).await;
        self.ticket(&redirect).await
    }

    /// `?<extra>lang=..&pass_ticket=<encoded again>` of an Angular call.
    pub fn api(&self, l: &Login, endpoint: &str, before: &str) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/{endpoint}?{before}lang={}&pass_ticket={}",
            self.lang,
            pt2(&l.pass_ticket)
        )
    }

    pub fn base_request(&self, l: &Login) -> Value {
        json!({"Uin": l.uin, "Sid": l.sid, "Skey": l.skey, "DeviceID": self.device_id()})
    }

    pub async fn post(&self, l: &Login, path: &str, body: &Value) -> Reply {
        send(
            &self.base,
            "POST",
            path,
            &Self::with_cookies(self.angular_headers(true), l),
            official_json(body),
        )
        .await
        .unwrap()
    }

    pub async fn init(&self, l: &Login) -> Value {
        // The ticket's Uin is a string until init's User replaces it.
        let body = json!({"BaseRequest": {"Uin": l.uin.to_string(), "Sid": l.sid, "Skey": l.skey,
            "DeviceID": self.device_id()}});
        let path = self.api(l, "webwxinit", &format!("r={}&", js_not(self.page_load)));
        self.post(l, &path, &body).await.json()
    }

    pub async fn status_notify(&self, l: &Login, me: &str) -> Value {
        let body = json!({"BaseRequest": self.base_request(l), "Code": 3, "FromUserName": me,
            "ToUserName": me, "ClientMsgId": now_ms()});
        let path = self.api(l, "webwxstatusnotify", "");
        self.post(l, &path, &body).await.json()
    }

    pub fn contact_path(&self, l: &Login, seq: u64) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgetcontact?lang={}&pass_ticket={}&r={}&seq={seq}&skey={}",
            self.lang,
            pt2(&l.pass_ticket),
            now_ms(),
            l.skey
        )
    }

    pub async fn contact_page(&self, l: &Login, seq: u64) -> Value {
        get(
            &self.base,
            &self.contact_path(l, seq),
            &Self::with_cookies(self.angular_headers(false), l),
        )
        .await
        .json()
    }

    /// Every contact page, each followed by its webwxstatreport; returns every contact.
    pub async fn contacts(&self, l: &Login) -> Vec<Value> {
        let mut all = vec![];
        let mut seq = 0;
        loop {
            let page = self.contact_page(l, seq).await;
            all.extend(page["MemberList"].as_array().unwrap().clone());
            assert_eq!(self.stat_report(l).await["BaseResponse"]["Ret"], 0);
            seq = page["Seq"].as_u64().unwrap();
            if seq == 0 {
                return all;
            }
        }
    }

    pub fn stat_report_body(&self, l: &Login) -> Value {
        let text =
            json!({"type": "[app-timing]", "data": {"appTiming": {"qrcodeStart": self.page_load},
            "pageTiming": {"navigationStart": self.page_load}}})
            .to_string();
        json!({"BaseRequest": {"Uin": l.uin, "Sid": l.sid, "DeviceID": self.device_id()},
            "Count": 1, "List": [{"Type": 1, "Text": text}]})
    }

    pub async fn stat_report(&self, l: &Login) -> Value {
        let path = self.api(l, "webwxstatreport", "fun=new&");
        self.post(l, &path, &self.stat_report_body(l)).await.json()
    }

    pub async fn batch(&self, l: &Login, list: Vec<Value>) -> Value {
        let body = json!({"BaseRequest": self.base_request(l), "Count": list.len(), "List": list});
        let path = self.api(
            l,
            "webwxbatchgetcontact",
            &format!("type=ex&r={}&", now_ms()),
        );
        self.post(l, &path, &body).await.json()
    }

    pub fn synccheck_path(&self, l: &Login, key: &Value) -> String {
        format!(
            "/cgi-bin/mmwebwx-bin/synccheck?r={}&skey={}&sid={}&uin={}&deviceid={}&synckey={}&_={}",
            now_ms(),
            l.skey.replace('@', "%40"),
            l.sid,
            l.uin,
            self.device_id(),
            synckey_param(key),
            self.nonce()
        )
    }

    pub async fn synccheck(&self, l: &Login, key: &Value) -> String {
        get(
            &self.base,
            &self.synccheck_path(l, key),
            &Self::with_cookies(self.script_headers(), l),
        )
        .await
        .text()
    }

    pub async fn sync(&self, l: &Login, key: &Value) -> Value {
        let body =
            json!({"BaseRequest": self.base_request(l), "SyncKey": key, "rr": js_not(now_ms())});
        let path = self.api(l, "webwxsync", &format!("sid={}&skey={}&", l.sid, l.skey));
        self.post(l, &path, &body).await.json()
    }

    pub fn text_body(&self, l: &Login, from: &str, to: &str, text: &str) -> Value {
        let id = self.local_id();
        json!({"BaseRequest": self.base_request(l), "Msg": {"Type": 1, "Content": text,
            "FromUserName": from, "ToUserName": to, "LocalID": id, "ClientMsgId": id}, "Scene": 0})
    }

    pub async fn send_text(&self, l: &Login, from: &str, to: &str, text: &str) -> Value {
        let path = self.api(l, "webwxsendmsg", "");
        self.post(l, &path, &self.text_body(l, from, to, text))
            .await
            .json()
    }

    pub async fn logout(&self, l: &Login, kind: u8) -> Reply {
        send(
            &self.base,
            "POST",
            &format!(
                "/cgi-bin/mmwebwx-bin/webwxlogout?redirect=1&type={kind}&skey={}",
                l.skey.replace('@', "%40")
            ),
            &Self::with_cookies(self.form_headers(), l),
            format!("sid={}&uin={}", l.sid, l.uin).into_bytes(),
        )
        .await
        .unwrap()
    }
}
