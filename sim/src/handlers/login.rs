//! The login endpoints: `jslogin`, the QR image, the login long poll, `webwxnewloginpage`,
//! `webwxpushloginurl`.

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use super::session::Req;
use super::{host, query};
use crate::official::{self, Kind, Page, note, origin_of};
use crate::qr;
use crate::scenario::Family;
use crate::state::{Plan, PreLogin, Shared, Ticket};
use crate::wire::{self, Answer};
use std::time::Duration;
use tokio::time::Instant;

/// The QR payload the phone scans.
const QR_PREFIX: &str = "https://login.weixin.qq.com/l/";

/// `GET /jslogin?appid=wx782c26e4c19acffb&redirect_uri=..&fun=new&lang=..&_=..`
pub(crate) fn jslogin(shared: &Shared, req: &Req<'_>) -> Answer {
    let q = query(req.uri);
    if q.get("appid").map(String::as_str) != Some("wx782c26e4c19acffb") {
        return wire::script(
            "window.QRLogin.code = 400; window.QRLogin.error = \"invalid appid\";".into(),
        );
    }
    // The page the login runs in is the one the jslogin comes from.
    let referer = req
        .headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok());
    let mut pre = PreLogin {
        page: Page {
            origin: referer.and_then(origin_of),
            lang: q.get("lang").cloned(),
        },
        ..PreLogin::default()
    };
    let out = &mut pre.deviations;
    official::params(
        "jslogin",
        req.uri,
        &["appid", "redirect_uri", "fun", "lang", "_"],
        out,
    );
    pre.jslogin_underscore = official::underscore("jslogin", req.uri, out);
    pre.last_underscore = pre.jslogin_underscore;
    official::headers(Kind::Script, req.method, req.headers, &pre.page, out);
    let uuid = shared.new_uuid(None, pre);
    wire::script(format!(
        "window.QRLogin.code = 200; window.QRLogin.uuid = \"{uuid}\";"
    ))
}

/// `GET /qrcode/<uuid>`: a PNG of the QR payload.
pub(crate) fn qrcode(uuid: &str) -> Answer {
    wire::png(qr::png(&format!("{QR_PREFIX}{uuid}")))
}

/// Where a login uuid is at `now`: the code a poll would answer, and when it changes next.
fn phase(shared: &Shared, plan: Plan, created: Instant, now: Instant) -> (i64, Option<Instant>) {
    let phone = &shared.scenario.phone;
    let scan = created + Duration::from_millis(phone.scan_after_ms);
    let confirm = scan + Duration::from_millis(phone.confirm_after_ms);
    match plan {
        Plan::Expire if now < scan => (408, Some(scan)),
        Plan::Expire => (400, None),
        Plan::Push { confirm: ok, .. } => {
            let at = created + Duration::from_millis(phone.confirm_after_ms);
            match (now < at, ok) {
                (true, _) => (408, Some(at)),
                (false, true) => (200, None),
                (false, false) => (400, None),
            }
        }
        Plan::Confirm | Plan::Cancel if now < scan => (408, Some(scan)),
        Plan::Confirm | Plan::Cancel if now < confirm => (201, Some(confirm)),
        Plan::Confirm => (200, None),
        Plan::Cancel => (202, None),
    }
}

/// `GET /cgi-bin/mmwebwx-bin/login?loginicon=true&uuid=..&tip=..&r=..&_=..`: held until the
/// phone does something or the hold time passes (408).
pub(crate) async fn poll(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    let q = query(req.uri);
    let Some(uuid) = q.get("uuid").cloned() else {
        return wire::script("window.code=400;".into());
    };
    check_poll(shared, req, &uuid);
    if let Some(code) = forced {
        return wire::script(format!("window.code={code};"));
    }
    let deadline = Instant::now() + shared.scenario.login_hold();
    loop {
        let now = Instant::now();
        let wait_until = {
            let mut inner = shared.lock();
            let Some(state) = inner.uuids.get_mut(&uuid) else {
                return wire::script("window.code=400;".into());
            };
            if state.ticket.is_some() {
                // Already confirmed and answered: the uuid is spent.
                return wire::script("window.code=400;".into());
            }
            let (code, next) = phase(shared, state.plan, state.created, now);
            if code != state.reported && code != 408 {
                state.reported = code;
                return answer_code(shared, &mut inner, &uuid, code);
            }
            next.map_or(deadline, |n| n.min(deadline))
        };
        if now >= deadline {
            return wire::script("window.code=408;".into());
        }
        tokio::time::sleep_until(wait_until).await;
    }
}

/// The official client's rules for a login poll, noted with the login.
fn check_poll(shared: &Shared, req: &Req<'_>, uuid: &str) {
    let mut inner = shared.lock();
    let Some(state) = inner.uuids.get_mut(uuid) else {
        return;
    };
    let push = matches!(state.plan, Plan::Push { .. });
    let pre = &mut state.pre;
    let out = &mut pre.deviations;
    let uri = req.uri;
    official::params("login", uri, &["loginicon", "uuid", "tip", "r", "_"], out);
    official::r_sign("login", uri, true, out);
    if let Some(u) = official::underscore("login", uri, out) {
        official::chain("login", pre.last_underscore, u, out);
        pre.last_underscore = Some(u);
    }
    official::headers(Kind::Script, req.method, req.headers, &pre.page, out);
    if let (true, Some((.., login))) = (push, shared.scenario.family.hosts())
        && host(req.headers) != login
    {
        note(
            out,
            format!(
                "hosts: the login poll after webwxpushloginurl not on {login} (official: the family's login host)"
            ),
        );
    }
}

fn answer_code(shared: &Shared, inner: &mut crate::state::Inner, uuid: &str, code: i64) -> Answer {
    match code {
        201 => wire::script(
            "window.code=201;window.userAvatar = 'data:img/jpg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHR0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AVN//2Q==';"
                .into(),
        ),
        200 => {
            let n = inner.tickets_issued;
            inner.tickets_issued += 1;
            let ticket = format!("A{}@qrticket_0", crate::ids::hex(shared.scenario.seed ^ 0x7777, n, 24));
            let push_uin = match inner.uuids.get(uuid).map(|s| s.plan) {
                Some(Plan::Push { uin, .. }) => Some(uin),
                _ => None,
            };
            inner.tickets.insert(
                ticket.clone(),
                Ticket {
                    push_uin,
                    uuid: uuid.to_string(),
                },
            );
            if let Some(state) = inner.uuids.get_mut(uuid) {
                state.ticket = Some(ticket.clone());
            }
            let origin = match shared.scenario.family.hosts() {
                Some((api, ..)) => format!("https://{api}"),
                None => shared.origin.clone(),
            };
            let scan = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            wire::script(format!(
                "window.code=200;\nwindow.redirect_uri=\"{origin}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket={ticket}&uuid={uuid}&lang=zh_CN&scan={scan}\";"
            ))
        }
        code => wire::script(format!("window.code={code};")),
    }
}

/// `GET /cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=..&uuid=..&lang=..&scan=..&fun=new&version=v2`
///
/// With `version=v2` the answer is a 200; without it, the real server's older answer: a 301 with
/// the same XML body and cookies and no `Location` (older clients such as wechat4u read the
/// credentials from that 301; ItChat does not follow redirects here and reads the body).
pub(crate) fn new_login_page(shared: &Shared, req: &Req<'_>) -> Answer {
    let q = query(req.uri);
    let v2 = q.get("version").map(String::as_str) == Some("v2");
    let mut answer = ticket_answer(shared, req, &q, v2);
    if !v2 {
        *answer.status_mut() = http::StatusCode::MOVED_PERMANENTLY;
    }
    answer
}

/// The ticket exchange's XML and cookies (status 200; [`new_login_page`] makes it a 301 for a
/// request without `version=v2`).
fn ticket_answer(
    shared: &Shared,
    req: &Req<'_>,
    q: &std::collections::HashMap<String, String>,
    v2: bool,
) -> Answer {
    // `fun=new&version=v2` is what the official client adds; the real server also answers
    // without it (ItChat sends none): noted as a deviation below.
    let as_official = q.get("fun").map(String::as_str) == Some("new") && v2;
    let ticket = q.get("ticket").cloned().unwrap_or_default();
    let (push_uin, mut pre) = {
        let mut inner = shared.lock();
        match inner.tickets.remove(&ticket) {
            Some(t) => (
                t.push_uin,
                inner
                    .uuids
                    .get_mut(&t.uuid)
                    .map(|u| std::mem::take(&mut u.pre))
                    .unwrap_or_default(),
            ),
            None => {
                return wire::xml(
                    "<error><ret>-14</ret><message>ticket error</message></error>".into(),
                );
            }
        }
    };
    if let Some(refusal) = &shared.scenario.phone.refuse {
        return wire::xml(format!(
            "<error><ret>{}</ret><message>{}</message></error>",
            refusal.code, refusal.message
        ));
    }
    let out = &mut pre.deviations;
    if as_official {
        // The redirect's own parameters, then what the client appends (Angular's interceptor
        // adds the page's lang).
        official::params(
            "webwxnewloginpage",
            req.uri,
            &["ticket", "uuid", "lang", "scan", "fun", "version", "lang"],
            out,
        );
    } else {
        note(
            out,
            "ticket: a ticket request without fun=new&version=v2 (official: both)".into(),
        );
    }
    official::headers(Kind::Angular, req.method, req.headers, &pre.page, out);
    let uin = shared.new_session(push_uin, pre);
    let mut inner = shared.lock();
    let Some(s) = inner.sessions.get_mut(&uin) else {
        return wire::xml("<error><ret>1</ret><message>no session</message></error>".into());
    };
    let mut answer = wire::xml(format!(
        "<error><ret>0</ret><message></message><skey>{}</skey><wxsid>{}</wxsid><wxuin>{uin}</wxuin><pass_ticket>{}</pass_ticket><isgrayscale>1</isgrayscale></error>",
        s.skey, s.sid, s.pass_ticket
    ));
    let (domain, wide) = match s.family.hosts() {
        Some((api, ..)) => (
            format!("; Domain={api}"),
            format!(
                "; Domain=.{}",
                if s.family == Family::Web || s.family == Family::Web2 {
                    "wechat.com"
                } else {
                    "qq.com"
                }
            ),
        ),
        None => (String::new(), String::new()),
    };
    let expires = "; Expires=Tue, 25-Nov-2036 04:00:00 GMT; Path=/";
    for (name, value, d) in [
        ("wxuin", uin.to_string(), &domain),
        ("wxsid", s.sid.clone(), &domain),
        ("webwx_data_ticket", s.data_ticket.clone(), &wide),
        (
            "webwx_auth_ticket",
            format!("CIsBE{}", s.data_ticket.get(..12).unwrap_or_default()),
            &domain,
        ),
        ("webwxuvid", crate::ids::hex(uin, 9, 32), &domain),
        ("mm_lang", "zh_CN".to_string(), &domain),
    ] {
        wire::set_cookie(&mut answer, &format!("{name}={value}{d}{expires}"));
    }
    answer
}

/// `GET /cgi-bin/mmwebwx-bin/webwxpushloginurl?uin=..` (on the page's host)
pub(crate) fn push_login(shared: &Shared, req: &Req<'_>) -> Answer {
    let uin: u64 = query(req.uri)
        .get("uin")
        .and_then(|u| u.parse().ok())
        .unwrap_or(0);
    let known = shared.lock().accounts.contains_key(&uin);
    if !known {
        return wire::json(&serde_json::json!({"ret": "1", "msg": "uin not found"}));
    }
    let origin = match shared.scenario.family {
        Family::Loopback => shared.origin.clone(),
        _ => format!("https://{}", host(req.headers)),
    };
    let mut pre = PreLogin {
        page: Page {
            origin: Some(origin),
            lang: None,
        },
        ..PreLogin::default()
    };
    let out = &mut pre.deviations;
    official::params("webwxpushloginurl", req.uri, &["uin"], out);
    if query(req.uri).contains_key("_") {
        note(
            out,
            "underscore: webwxpushloginurl with `_` (official: none, a jQuery JSON call)".into(),
        );
    }
    official::headers(Kind::JqueryJson, req.method, req.headers, &pre.page, out);
    let uuid = shared.new_uuid(Some((uin, shared.scenario.phone.confirm_push_login)), pre);
    wire::json(&serde_json::json!({"ret": "0", "msg": "all ok", "uuid": uuid}))
}
