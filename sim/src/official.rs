//! The official web client's wire rules (issue 14's notes: what `webwxApp.js`, Angular 1 and
//! jQuery put on the wire): query parameter names and order, encodings, headers by kind of call,
//! jQuery's `_` counter, DeviceIDs, LocalIDs, batchgetcontact entries, webwxstatreport bodies.
//! The real server tolerates departures from them; the simulator notes each as a deviation
//! (`"<rule>: <what was seen>"`), and keeps the per-session state the rules need ([`Wire`]).
//!
//! Rule names (the prefix of every deviation): `ticket`, `params`, `encoding`, `headers`,
//! `underscore`, `device-id`, `pass-ticket`, `uin`, `local-id`, `setup`, `contacts`, `batch`,
//! `hosts`, `logout`, `statreport`, `init-r`, `media`, `send`, `upload`, `checkupload` (the
//! last two in [`crate::upload`]), and the operations' `revoke`, `verify`, `oplog`, `chatroom`,
//! `search`, `mention` (in [`ops`]).
//!
//! Media downloads (issue 15's notes, `media-dl.md`) are loaded by the page's elements, not by
//! `$http`: an `<img>` (message images, thumbnails, stickers, avatars), an `<audio>` (voices), a
//! `<video>` (videos), a link to the file host (files). Their URLs are concatenated by the page
//! ([`media_params`], [`file_params`], [`avatar_params`]) and their headers are the element's
//! ([`Kind::Image`], [`Kind::Audio`], [`Kind::Video`], [`Kind::Link`]).

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

pub(crate) mod ops;

use crate::media::MediaKind;
use http::HeaderMap;
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;
use tokio::time::Instant;

/// How late a webwxstatreport may arrive after the next contact page's request (the two are
/// posted together and may overtake each other), and how long the first synccheck may wait
/// after the contacts and webwxstatusnotify were answered.
pub(crate) const GRACE: Duration = Duration::from_secs(1);

/// The most webwxgetcontact requests the official client makes per session (1 + 16).
const MAX_CONTACT_PAGES: u32 = 17;

/// How far `~r` of webwxinit may be from the jslogin's `_` (both are the page-load time).
const INIT_R_SLACK_MS: i64 = 60_000;

/// The most characters of a client's value quoted in a deviation.
const SHOWN: usize = 60;

/// The most deviations kept per session (or login).
const MAX_DEVIATIONS: usize = 128;

/// Notes `what` in `list` once, at most 128 entries (a session's or a login's deviations).
pub(crate) fn note(list: &mut Vec<String>, what: String) {
    if list.len() < MAX_DEVIATIONS && !list.contains(&what) {
        list.push(what);
    }
}

/// A client's value as quoted in a deviation: at most 60 characters, controls shown as `?`.
pub(crate) fn shown(v: &str) -> String {
    let mut out: String = v
        .chars()
        .take(SHOWN)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if v.chars().count() > SHOWN {
        out.push('…');
    }
    out
}

/// How the official client makes a call, which decides its headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// jQuery `dataType: "script"`: jslogin, the login poll, synccheck.
    Script,
    /// Angular `$http`: the ticket, webwxinit, statusnotify, getcontact, batchgetcontact, sync,
    /// sendmsg, statreport.
    Angular,
    /// jQuery `dataType: "json"`: webwxpushloginurl.
    JqueryJson,
    /// A form posted by navigation: webwxlogout.
    Form,
    /// An `<img>`: webwxgetmsgimg, webwxgeticon, webwxgetheadimg.
    Image,
    /// An `<audio>` element (jPlayer's HTML solution): webwxgetvoice.
    Audio,
    /// A `<video>` element: webwxgetvideo.
    Video,
    /// A link the user clicks, a top-level navigation: webwxgetmedia on the file host.
    Link,
    /// WebUploader's own `XMLHttpRequest` (not Angular's): webwxuploadmedia on the file host, a
    /// multipart POST with credentials.
    Upload,
}

/// Chrome's `Accept` on an `<img>`.
pub(crate) const IMAGE_ACCEPT: &str =
    "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

/// Chrome's `Accept-Encoding` on a media element's request.
pub(crate) const MEDIA_ELEMENT_ENCODING: &str = "identity;q=1, *;q=0";

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Script => "a script call",
            Kind::Angular => "an Angular call",
            Kind::JqueryJson => "a jQuery JSON call",
            Kind::Form => "a form navigation",
            Kind::Image => "an <img> load",
            Kind::Audio => "an <audio> load",
            Kind::Video => "a <video> load",
            Kind::Link => "a link navigation",
            Kind::Upload => "an upload XHR",
        }
    }
}

/// The page the official client runs in: its origin, and the `lang` of its URL when known.
#[derive(Clone, Debug, Default)]
pub(crate) struct Page {
    /// `https://wx2.qq.com`, or the simulator's origin in the loopback family.
    pub(crate) origin: Option<String>,
    /// The `lang` the client used in jslogin (`zh_CN`).
    pub(crate) lang: Option<String>,
}

impl Page {
    /// Whether `referer` is the page's URL, `<origin>/?&lang=<lang>`.
    fn is_page_url(&self, referer: &str) -> bool {
        let Some(origin) = &self.origin else {
            return true;
        };
        let Some(lang) = referer
            .strip_prefix(origin.as_str())
            .and_then(|r| r.strip_prefix("/?&lang="))
        else {
            return false;
        };
        self.lang.as_deref().is_none_or(|l| l == lang)
    }
}

/// Whether the request (by its `Host`) goes to the page's own host.
fn same_origin(page: &Page, h: &http::HeaderMap) -> bool {
    let host = header(h, "host").unwrap_or_default();
    page.origin.as_deref().is_none_or(|o| {
        url::Url::parse(o).is_ok_and(|u| {
            let own = match u.port() {
                Some(port) => format!("{}:{port}", u.host_str().unwrap_or_default()),
                None => u.host_str().unwrap_or_default().to_string(),
            };
            own.eq_ignore_ascii_case(host)
        })
    })
}

/// The origin (`scheme://host[:port]`) of a URL, e.g. of a `Referer`.
pub(crate) fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let origin = u.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The names of a query's parameters, in order, as sent.
fn names(uri: &http::Uri) -> Vec<&str> {
    uri.query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .collect()
}

/// The raw (still encoded) value of query parameter `name`.
fn raw<'a>(uri: &'a http::Uri, name: &str) -> Option<&'a str> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// The query parameter names of each call of a session, in the official client's order.
pub(crate) fn official_params(endpoint: &str) -> Option<&'static [&'static str]> {
    Some(match endpoint {
        "webwxinit" => &["r", "lang", "pass_ticket"],
        "webwxstatusnotify" | "webwxsendmsg" => &["lang", "pass_ticket"],
        "webwxsendmsgimg" | "webwxsendvideomsg" | "webwxsendappmsg" => {
            &["fun", "f", "lang", "pass_ticket"]
        }
        "webwxsendemoticon" => &["fun", "lang", "pass_ticket"],
        "webwxcheckupload" => &["lang", "pass_ticket"],
        // ops16.md §0: the op's own `r=`/`fun=`, then the interceptor's lang and pass_ticket.
        "webwxrevokemsg" | "webwxoplog" | "webwxsearchcontact" => &["lang", "pass_ticket"],
        "webwxverifyuser" | "webwxcreatechatroom" => &["r", "lang", "pass_ticket"],
        "webwxupdatechatroom" => &["fun", "lang", "pass_ticket"],
        // WebUploader's XHR: no interceptor adds lang or pass_ticket.
        "webwxuploadmedia" => &["f"],
        // Angular sorts the params of a GET.
        "webwxgetcontact" => &["lang", "pass_ticket", "r", "seq", "skey"],
        "webwxbatchgetcontact" => &["type", "r", "lang", "pass_ticket"],
        "webwxsync" => &["sid", "skey", "lang", "pass_ticket"],
        "webwxstatreport" => &["fun", "lang", "pass_ticket"],
        "synccheck" => &["r", "skey", "sid", "uin", "deviceid", "synckey", "_"],
        "webwxlogout" => &["redirect", "type", "skey"],
        "webwxgetvoice" | "webwxgetvideo" => &["msgid", "skey"],
        "webwxgetmedia" => &[
            "sender",
            "mediaid",
            "encryfilename",
            "fromuser",
            "pass_ticket",
            "webwx_data_ticket",
        ],
        _ => return None,
    })
}

/// `params`: the query's parameter names must be `official`, in that order.
pub(crate) fn params(endpoint: &str, uri: &http::Uri, official: &[&str], out: &mut Vec<String>) {
    if names(uri) != official {
        note(
            out,
            format!(
                "params: {endpoint} sent {} (official: {})",
                sent_names(uri),
                official.join(",")
            ),
        );
    }
}

/// The names of the query's parameters as a deviation quotes them (at most 12).
fn sent_names(uri: &http::Uri) -> String {
    let sent = names(uri);
    let mut list: Vec<String> = sent.iter().take(12).map(|n| shown(n)).collect();
    if sent.len() > 12 {
        list.push("…".into());
    }
    if list.is_empty() {
        list.push("nothing".into());
    }
    list.join(",")
}

/// A number parameter's value (`r`, `_`).
fn number(uri: &http::Uri, name: &str) -> Option<i64> {
    raw(uri, name)?.parse().ok()
}

/// `params`: `r` must be negative (`~now`) or positive (`now`).
pub(crate) fn r_sign(endpoint: &str, uri: &http::Uri, negative: bool, out: &mut Vec<String>) {
    let Some(r) = number(uri, "r") else {
        return;
    };
    if (r < 0) != negative {
        let want = if negative { "~ms, negative" } else { "ms" };
        note(out, format!("params: {endpoint} r is not {want}"));
    }
}

/// `underscore`: a script call's `_` (jQuery's counter) must be there, last, a number. Returns it.
pub(crate) fn underscore(endpoint: &str, uri: &http::Uri, out: &mut Vec<String>) -> Option<i64> {
    let sent = names(uri);
    if !sent.contains(&"_") {
        note(out, format!("underscore: {endpoint} without `_`"));
        return None;
    }
    if sent.last() != Some(&"_") {
        note(out, format!("underscore: {endpoint} `_` not last"));
    }
    let v = number(uri, "_");
    if v.is_none() {
        note(out, format!("underscore: {endpoint} `_` not a number"));
    }
    v
}

/// `underscore`: synccheck's `_` is jQuery's counter, not the time in `r`.
pub(crate) fn underscore_not_r(uri: &http::Uri, underscore: i64, out: &mut Vec<String>) {
    if number(uri, "r") == Some(underscore) {
        note(
            out,
            "underscore: synccheck `_` equals its r (official: jQuery's counter, not the time)"
                .into(),
        );
    }
}

/// How many script calls in a row may be lost on the way to the server (their `_` unseen).
const MAX_UNSEEN: i64 = 8;

/// `underscore`: `now` must be `previous + 1` (jQuery's counter goes up by one per script call;
/// up to [`MAX_UNSEEN`] more when requests were lost on the way),
/// unless the page was loaded again (a client restarted from a saved session): a new counter
/// then starts at the new page's load time, at least a second after the old chain and not in
/// the future. (A client that sends the time as `_` passes this one; `underscore_not_r` catches
/// the usual form of that mistake.)
pub(crate) fn chain(endpoint: &str, previous: Option<i64>, now: i64, out: &mut Vec<String>) {
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let reloaded = previous.is_some_and(|p| now > p.saturating_add(1_000) && now <= wall);
    // A request lost on the way (a dropped connection, a proxy's error page) used a number the
    // server never saw: a small jump is the official client too.
    let lost_on_the_way = previous.is_some_and(|p| now > p && now <= p.saturating_add(MAX_UNSEEN));
    if !reloaded && !lost_on_the_way && previous.is_some() {
        note(
            out,
            format!("underscore: {endpoint} `_` does not go up by 1 (official: jQuery's counter)"),
        );
    }
}

/// What JavaScript's `encodeURIComponent` encodes: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// What Angular's `encodeUriQuery` encodes: [`COMPONENT`] but `@ : $ , ;` (a space is `+`).
const URI_QUERY: &percent_encoding::AsciiSet = &COMPONENT
    .remove(b'@')
    .remove(b':')
    .remove(b'$')
    .remove(b',')
    .remove(b';');

/// Angular's `encodeUriQuery`: `encodeURIComponent`, then `@ : $ , ;` back and `%20` as `+`.
pub(crate) fn encode_uri_query(s: &str) -> String {
    s.split(' ')
        .map(|part| percent_encoding::utf8_percent_encode(part, URI_QUERY).to_string())
        .collect::<Vec<_>>()
        .join("+")
}

/// `pass-ticket`: an Angular call carries the issued pass_ticket (already encoded) encoded again.
pub(crate) fn pass_ticket(endpoint: &str, uri: &http::Uri, issued: &str, out: &mut Vec<String>) {
    match raw(uri, "pass_ticket") {
        None => note(out, format!("pass-ticket: {endpoint} without it")),
        Some(v) if v == encode_uri_query(issued) => {}
        Some(v) if v == issued => note(
            out,
            format!("pass-ticket: {endpoint} encoded once (official: encoded again, %2B as %252B)"),
        ),
        Some(_) => note(
            out,
            format!("pass-ticket: {endpoint} neither the issued value nor it encoded again"),
        ),
    }
}

/// JavaScript's `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XX`
/// of its UTF-8 bytes.
pub(crate) fn encode_uri_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// `encoding`: skey raw (`@crypt_`) or `%40`-encoded, as the official client writes it for
/// `endpoint`.
pub(crate) fn skey(endpoint: &str, uri: &http::Uri, encoded: bool, out: &mut Vec<String>) {
    let Some(v) = raw(uri, "skey") else {
        return;
    };
    if encoded && v.starts_with('@') {
        note(
            out,
            format!("encoding: {endpoint} skey with a raw @ (official: %40)"),
        );
    }
    if !encoded && v.to_ascii_uppercase().starts_with("%40") {
        note(
            out,
            format!("encoding: {endpoint} skey as %40 (official: a raw @)"),
        );
    }
}

/// `encoding`: synccheck's synckey joins its pairs with `%7C`.
pub(crate) fn synckey(uri: &http::Uri, out: &mut Vec<String>) {
    if raw(uri, "synckey").is_some_and(|v| v.contains('|')) {
        note(
            out,
            "encoding: synccheck synckey with a raw | (official: %7C)".into(),
        );
    }
}

/// Whether `id` is `e` + 15 digits.
pub(crate) fn is_device_id(id: &str) -> bool {
    id.len() == 16 && id.starts_with('e') && id.bytes().skip(1).all(|b| b.is_ascii_digit())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// `headers`: what a browser running the official client sends with a call of `kind`.
pub(crate) fn headers(
    kind: Kind,
    method: &http::Method,
    h: &HeaderMap,
    page: &Page,
    out: &mut Vec<String>,
) {
    let post = method == http::Method::POST;
    let mut required = vec![
        "User-Agent",
        "Accept-Language",
        "Accept-Encoding",
        "Accept",
        "Referer",
        "Sec-Fetch-Site",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Dest",
    ];
    let ua = header(h, "user-agent").unwrap_or_default();
    let chrome = ua
        .split("Chrome/")
        .nth(1)
        .map(|v| v.split('.').next().unwrap_or_default());
    if chrome.is_some() {
        required.extend(["sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform"]);
    }
    match kind {
        Kind::Angular if post => required.extend(["Origin", "Content-Type"]),
        Kind::Upload => required.extend(["Origin", "Content-Type"]),
        Kind::JqueryJson => required.push("X-Requested-With"),
        Kind::Form => required.extend(["Origin", "Content-Type"]),
        Kind::Audio | Kind::Video => required.push("Range"),
        Kind::Link => required.extend(["Sec-Fetch-User", "Upgrade-Insecure-Requests"]),
        _ => {}
    }
    let media_element = matches!(kind, Kind::Audio | Kind::Video);
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|n| !h.contains_key(*n))
        .collect();
    let what = kind.name();
    if !missing.is_empty() {
        note(
            out,
            format!("headers: {what} without {}", missing.join(", ")),
        );
    }
    let mut wrong = |name: &str, official: &str| {
        if let Some(v) = header(h, name) {
            note(
                out,
                format!(
                    "headers: {what} with {name} `{}` (official: {official})",
                    shown(v)
                ),
            );
        }
    };
    // Accept-Encoding: the browser's `gzip, deflate, br` (a newer one adds zstd); a media
    // element asks for the bytes as they are.
    if let Some(v) = header(h, "accept-encoding").filter(|_| media_element) {
        let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if !compact(v).eq_ignore_ascii_case(&compact(MEDIA_ELEMENT_ENCODING)) {
            wrong("Accept-Encoding", &format!("`{MEDIA_ELEMENT_ENCODING}`"));
        }
    } else if let Some(v) = header(h, "accept-encoding") {
        let tokens: Vec<String> = v
            .split(',')
            .map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect();
        if !["gzip", "deflate", "br"]
            .iter()
            .all(|t| tokens.iter().any(|s| s == t))
        {
            wrong("Accept-Encoding", "`gzip, deflate, br`");
        }
    }
    if let (Some(major), Some(ch)) = (chrome, header(h, "sec-ch-ua"))
        && !ch.contains(&format!("v=\"{major}\""))
    {
        wrong("sec-ch-ua", "the User-Agent's Chrome version");
    }
    let (accept_ok, accept, dest, mode): (bool, &str, &str, &str) = {
        let a = header(h, "accept");
        match kind {
            Kind::Script => (a.is_none_or(|a| a == "*/*"), "`*/*`", "script", "no-cors"),
            Kind::Angular => (
                a.is_none_or(|a| a == "application/json, text/plain, */*"),
                "`application/json, text/plain, */*`",
                "empty",
                "cors",
            ),
            Kind::JqueryJson => (
                a.is_none_or(|a| a == "application/json, text/javascript, */*; q=0.01"),
                "`application/json, text/javascript, */*; q=0.01`",
                "empty",
                "cors",
            ),
            Kind::Form | Kind::Link => (
                a.is_none_or(|a| a.starts_with("text/html,")),
                "`text/html,...`",
                "document",
                "navigate",
            ),
            Kind::Image => (
                a.is_none_or(|a| a == IMAGE_ACCEPT),
                "`image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8`",
                "image",
                "no-cors",
            ),
            Kind::Audio => (a.is_none_or(|a| a == "*/*"), "`*/*`", "audio", "no-cors"),
            Kind::Video => (a.is_none_or(|a| a == "*/*"), "`*/*`", "video", "no-cors"),
            Kind::Upload => (a.is_none_or(|a| a == "*/*"), "`*/*`", "empty", "cors"),
        }
    };
    if !accept_ok {
        wrong("Accept", accept);
    }
    if header(h, "sec-fetch-dest").is_some_and(|v| v != dest) {
        wrong("Sec-Fetch-Dest", &format!("`{dest}`"));
    }
    if header(h, "sec-fetch-mode").is_some_and(|v| v != mode) {
        wrong("Sec-Fetch-Mode", &format!("`{mode}`"));
    }
    if kind == Kind::JqueryJson
        && header(h, "x-requested-with").is_some_and(|v| v != "XMLHttpRequest")
    {
        wrong("X-Requested-With", "`XMLHttpRequest`");
    }
    if kind == Kind::Link {
        if header(h, "sec-fetch-user").is_some_and(|v| v != "?1") {
            wrong("Sec-Fetch-User", "`?1`");
        }
        if header(h, "upgrade-insecure-requests").is_some_and(|v| v != "1") {
            wrong("Upgrade-Insecure-Requests", "`1`");
        }
    }
    // A media element asks for an open range: `bytes=0-` first, `bytes=<n>-` when it seeks.
    if media_element
        && header(h, "range").is_some_and(|v| {
            v.strip_prefix("bytes=")
                .and_then(|r| r.strip_suffix('-'))
                .is_none_or(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
        })
    {
        wrong("Range", "`bytes=<start>-`");
    }
    // Noted after the checks above, which share `out` through `wrong`.
    let mut content_type = None;
    if kind == Kind::Upload {
        // Chrome's FormData: `multipart/form-data; boundary=----WebKitFormBoundary` + 16
        // characters. The boundary is not quoted: it changes on every request.
        content_type = match header(h, "content-type") {
            Some(v) if !v.to_ascii_lowercase().starts_with("multipart/form-data") => Some(format!(
                "headers: {what} with Content-Type `{}` (official: multipart/form-data)",
                shown(v)
            )),
            Some(v) if !v.contains("boundary=----WebKitFormBoundary") => Some(format!(
                "headers: {what} with a multipart boundary other than Chrome's (official: ----WebKitFormBoundary + 16 characters)"
            )),
            _ => None,
        };
        if let (Some(o), Some(page)) = (header(h, "origin"), &page.origin)
            && o != page
        {
            wrong("Origin", "the page's origin");
        }
    }
    if (kind == Kind::Angular && post) || kind == Kind::Form {
        let (ct, official) = if kind == Kind::Form {
            (
                "application/x-www-form-urlencoded",
                "`application/x-www-form-urlencoded`",
            )
        } else {
            (
                "application/json;charset=utf-8",
                "`application/json;charset=UTF-8`",
            )
        };
        if header(h, "content-type").is_some_and(|v| !v.eq_ignore_ascii_case(ct)) {
            wrong("Content-Type", official);
        }
        if let (Some(o), Some(page)) = (header(h, "origin"), &page.origin)
            && o != page
        {
            wrong("Origin", "the page's origin");
        }
    }
    if let Some(referer) = header(h, "referer") {
        // Chrome's strict-origin-when-cross-origin: the page's URL to the page's own origin, the
        // page's origin elsewhere (a script on the login or push host; the ticket of a login
        // moved to another host of the family).
        let origin_only = page
            .origin
            .as_ref()
            .is_none_or(|o| referer == format!("{o}/"));
        let ok = match kind {
            Kind::Script => origin_only || page.is_page_url(referer),
            _ => page.is_page_url(referer) || (origin_only && !same_origin(page, h)),
        };
        if !ok {
            let official = match kind {
                Kind::Script => "the page's origin + /",
                _ => "the page's URL, <origin>/?&lang=<lang>",
            };
            wrong("Referer", official);
        }
    }
    if let Some(m) = content_type {
        note(out, m);
    }
}

/// `params` and `encoding` of a message's media request, as the page concatenates it (no `lang`,
/// no `pass_ticket`): webwxgetmsgimg `?&MsgID=<id>&skey=<%40 skey>[&type=..]` (note the empty
/// first parameter), webwxgetvoice `?msgid=<id>&skey=<raw skey>`, webwxgetvideo
/// `?msgid=<id>&skey=<%40 skey>`.
pub(crate) fn media_params(endpoint: &str, uri: &http::Uri, out: &mut Vec<String>) {
    match endpoint {
        "webwxgetmsgimg" => {
            if !uri.query().is_some_and(|q| q.starts_with('&')) {
                note(
                    out,
                    "params: webwxgetmsgimg without the empty parameter of `?&` (official: ?&MsgID=..)"
                        .into(),
                );
            }
            let sent = names(uri);
            if sent != ["MsgID", "skey"] && sent != ["MsgID", "skey", "type"] {
                note(
                    out,
                    format!(
                        "params: webwxgetmsgimg sent {} (official: MsgID,skey[,type])",
                        sent_names(uri)
                    ),
                );
            }
            skey(endpoint, uri, true, out);
        }
        "webwxgetvoice" | "webwxgetvideo" => {
            if let Some(p) = official_params(endpoint) {
                params(endpoint, uri, p, out);
            }
            skey(endpoint, uri, endpoint == "webwxgetvideo", out);
        }
        _ => {}
    }
}

/// `media`: the `type` the page asks webwxgetmsgimg for: `slave` (the bubble) or none (the
/// viewer) for an image, `big` for a sticker, `slave` for a video's thumbnail; never a voice or
/// a file.
pub(crate) fn msg_img_type(kind: MediaKind, ty: Option<&str>, out: &mut Vec<String>) {
    let (ok, official) = match kind {
        MediaKind::Image => (matches!(ty, None | Some("slave")), "type=slave, or none"),
        MediaKind::Sticker => (ty == Some("big"), "type=big"),
        MediaKind::Video | MediaKind::ShortVideo => (ty == Some("slave"), "type=slave"),
        MediaKind::Voice => (false, "webwxgetvoice"),
        MediaKind::File => (false, "webwxgetmedia on the file host"),
    };
    if !ok {
        let sent = ty.map_or_else(|| "no type".to_string(), |t| format!("type={}", shown(t)));
        note(
            out,
            format!(
                "media: webwxgetmsgimg with {sent} for {} (official: {official})",
                kind.name()
            ),
        );
    }
}

/// `params`, `pass-ticket` and `encoding` of a file download (webwxgetmedia on the file host,
/// the 2019 page's link): `sender`, `mediaid`, `encryfilename` (the message's `EncryFileName` as
/// it is) and `fromuser` raw, `pass_ticket` encoded again, `webwx_data_ticket` the cookie's value
/// through encodeURIComponent.
pub(crate) fn file_params(
    uri: &http::Uri,
    issued_pass_ticket: &str,
    data_ticket: Option<&str>,
    encry_file_name: Option<&str>,
    out: &mut Vec<String>,
) {
    if let Some(p) = official_params("webwxgetmedia") {
        params("webwxgetmedia", uri, p, out);
    }
    pass_ticket("webwxgetmedia", uri, issued_pass_ticket, out);
    for name in ["sender", "mediaid", "fromuser"] {
        if raw(uri, name).is_some_and(|v| v.contains('%')) {
            note(
                out,
                format!("encoding: webwxgetmedia {name} %-encoded (official: raw)"),
            );
        }
    }
    if let (Some(v), Some(e)) = (raw(uri, "encryfilename"), encry_file_name)
        && v != e
    {
        note(
            out,
            "encoding: webwxgetmedia encryfilename not as the message carried it (official: EncryFileName as it is)"
                .into(),
        );
    }
    if let (Some(v), Some(t)) = (raw(uri, "webwx_data_ticket"), data_ticket)
        && v != encode_uri_component(t)
    {
        note(
            out,
            "encoding: webwxgetmedia webwx_data_ticket not encodeURIComponent(the cookie's value)"
                .into(),
        );
    }
}

/// `params` and `encoding` of an avatar (webwxgeticon, webwxgetheadimg): the server's
/// `HeadImgUrl` as it is (`seq, username, skey`) or the page's own (then `msgid`, `chatroomid`
/// when it has them), with `&type=big` for a large one; every value raw.
pub(crate) fn avatar_params(endpoint: &str, uri: &http::Uri, out: &mut Vec<String>) {
    let sent = names(uri);
    let ok = sent
        .strip_prefix(&["seq", "username", "skey"][..])
        .is_some_and(|rest| {
            let mut allowed = ["msgid", "chatroomid", "type"].iter();
            rest.iter().all(|n| allowed.any(|a| a == n))
        });
    if !ok {
        note(
            out,
            format!(
                "params: {endpoint} sent {} (official: seq,username,skey[,msgid][,chatroomid][,type])",
                sent_names(uri)
            ),
        );
    }
    skey(endpoint, uri, false, out);
    if raw(uri, "username").is_some_and(|v| v.contains('%')) {
        note(
            out,
            format!("encoding: {endpoint} username %-encoded (official: raw)"),
        );
    }
}

/// `local-id`: webwxsendmsg's `LocalID` and `ClientMsgId` are the same string of 13-digit
/// milliseconds then `0` and 3 digits (or `1000`).
pub(crate) fn local_id(msg: &Value, out: &mut Vec<String>) {
    let (local, client) = (&msg["LocalID"], &msg["ClientMsgId"]);
    if !local.is_string() || !client.is_string() {
        note(
            out,
            "local-id: LocalID or ClientMsgId not a string (official: a string)".into(),
        );
    }
    if local != client {
        note(
            out,
            "local-id: LocalID and ClientMsgId differ (official: the same)".into(),
        );
    }
    let text = match local {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let shaped = text.len() == 17
        && text.bytes().all(|b| b.is_ascii_digit())
        && text
            .get(13..)
            .is_some_and(|t| t.starts_with('0') || t == "1000");
    if !shaped {
        note(
            out,
            "local-id: LocalID not 13-digit ms + 0 + 3 digits (official: (now + Math.random().toFixed(3)) without the dot)"
                .into(),
        );
    }
}

/// One of the media send calls (media15.md §4, chatFactory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SendCall {
    /// `webwxsendmsgimg?fun=async&f=json`, `Type` 3.
    Image,
    /// `webwxsendvideomsg?fun=async&f=json`, `Type` 43 (62 for a forwarded short video).
    Video,
    /// `webwxsendemoticon?fun=sys`, `Type` 47.
    Emoticon,
    /// `webwxsendappmsg?fun=async&f=json`, `Type` 6 (a file).
    App,
}

impl SendCall {
    /// The call of `endpoint`, if it is a media send.
    pub(crate) fn of(endpoint: &str) -> Option<SendCall> {
        Some(match endpoint {
            "webwxsendmsgimg" => SendCall::Image,
            "webwxsendvideomsg" => SendCall::Video,
            "webwxsendemoticon" => SendCall::Emoticon,
            "webwxsendappmsg" => SendCall::App,
            _ => return None,
        })
    }

    pub(crate) fn endpoint(self) -> &'static str {
        match self {
            SendCall::Image => "webwxsendmsgimg",
            SendCall::Video => "webwxsendvideomsg",
            SendCall::Emoticon => "webwxsendemoticon",
            SendCall::App => "webwxsendappmsg",
        }
    }

    /// The query's values before `lang` and `pass_ticket`.
    fn query(self) -> &'static [(&'static str, &'static str)] {
        match self {
            SendCall::Emoticon => &[("fun", "sys")],
            _ => &[("fun", "async"), ("f", "json")],
        }
    }

    /// The `Msg` keys in order, each with whether it may be left out.
    fn keys(self) -> &'static [(&'static str, bool)] {
        const TAIL: [(&str, bool); 4] = [
            ("FromUserName", false),
            ("ToUserName", false),
            ("LocalID", false),
            ("ClientMsgId", false),
        ];
        match self {
            // An upload has no Content; a forward carries the original's.
            SendCall::Image | SendCall::Video => &[
                ("Type", false),
                ("MediaId", false),
                ("Content", true),
                TAIL[0],
                TAIL[1],
                TAIL[2],
                TAIL[3],
            ],
            SendCall::Emoticon => &[
                ("Type", false),
                ("EmojiFlag", true),
                ("EMoticonMd5", true),
                ("MediaId", true),
                TAIL[0],
                TAIL[1],
                TAIL[2],
                TAIL[3],
            ],
            SendCall::App => &[
                ("Signature", true),
                ("Type", false),
                ("Content", false),
                TAIL[0],
                TAIL[1],
                TAIL[2],
                TAIL[3],
            ],
        }
    }

    /// The `Msg.Type` values the official client sends.
    fn types(self) -> &'static [i64] {
        match self {
            SendCall::Image => &[3],
            SendCall::Video => &[43, 62],
            SendCall::Emoticon => &[47],
            SendCall::App => &[6],
        }
    }
}

/// The keys of the body's `Msg` object in the order sent (`None` when there is no `Msg`
/// object): `serde_json::Value` keeps no order.
pub(crate) fn msg_keys(body: &[u8]) -> Option<Vec<String>> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Keys(Vec<String>);
    struct KeysVisitor;
    impl<'de> Visitor<'de> for KeysVisitor {
        type Value = Keys;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
            let mut keys = Vec::new();
            while let Some(k) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                keys.push(k);
            }
            Ok(Keys(keys))
        }
    }
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Keys, D::Error> {
            d.deserialize_map(KeysVisitor)
        }
    }
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(rename = "Msg")]
        msg: Keys,
    }
    serde_json::from_slice::<Body>(body).ok().map(|b| b.msg.0)
}

/// The keys of a JSON object in the order sent, and those of its member `nested` (`None` when
/// the text is not a JSON object; the second `None` when it has no such member object).
pub(crate) fn key_order(text: &[u8], nested: &str) -> Option<(Vec<String>, Option<Vec<String>>)> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    /// The keys of one object, and those of its member `nested`.
    struct Seed<'a>(&'a str);
    type Found = (Vec<String>, Option<Vec<String>>);
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = Found;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
            let mut keys = Vec::new();
            let mut inner = None;
            while let Some(k) = map.next_key::<String>()? {
                if k == self.0 && inner.is_none() {
                    // An inner value that is not an object has no keys.
                    let v: Option<Found> = map.next_value_seed(Optional(Seed("")))?;
                    inner = v.map(|(keys, _)| keys);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
                keys.push(k);
            }
            Ok((keys, inner))
        }
    }
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = Found;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found, D::Error> {
            d.deserialize_map(self)
        }
    }
    /// An object's keys, or `None` for any other value.
    struct Optional<'a>(Seed<'a>);
    impl<'de> DeserializeSeed<'de> for Optional<'_> {
        type Value = Option<Found>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Found>, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Optional<'_> {
        type Value = Option<Found>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any value")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Found>, A::Error> {
            self.0.visit_map(map).map(Some)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Option<Found>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<Found>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<Found>, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Option<Found>, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Option<Found>, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Option<Found>, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Option<Found>, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    let mut d = serde_json::Deserializer::from_slice(text);
    let found = Seed(nested).deserialize(&mut d).ok()?;
    d.end().ok()?;
    Some(found)
}

/// A list of keys as a deviation quotes it (at most 14).
pub(crate) fn shown_keys(keys: &[String]) -> String {
    let mut list: Vec<String> = keys.iter().take(14).map(|k| shown(k)).collect();
    if keys.len() > 14 {
        list.push("…".into());
    }
    if list.is_empty() {
        list.push("nothing".into());
    }
    list.join(",")
}

/// An official key list as a deviation quotes it: optional keys in brackets.
pub(crate) fn official_keys(official: &[(&str, bool)]) -> String {
    official
        .iter()
        .map(|(k, opt)| {
            if *opt {
                format!("[{k}]")
            } else {
                (*k).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether JSON text is compact, as `JSON.stringify` writes it: no whitespace outside strings.
pub(crate) fn is_compact(text: &str) -> bool {
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_whitespace() {
            return false;
        }
    }
    true
}

/// Whether `sent` is `official` with some of its optional keys left out.
pub(crate) fn keys_match(sent: &[String], official: &[(&str, bool)]) -> bool {
    let mut sent = sent.iter().peekable();
    for (key, optional) in official {
        if sent.peek().is_some_and(|s| s == key) {
            sent.next();
        } else if !optional {
            return false;
        }
    }
    sent.next().is_none()
}

/// `params` and `send`: a media send as the official client posts it: the query's values
/// (`fun=async&f=json`, `fun=sys` for a sticker), `Msg`'s keys in chatFactory's order, its
/// `Type`, and `Scene` 0 (sent) or 2 (forwarded). `keys` are `Msg`'s keys as sent.
pub(crate) fn send_media(
    call: SendCall,
    uri: &http::Uri,
    body: &Value,
    keys: Option<&[String]>,
    out: &mut Vec<String>,
) {
    let endpoint = call.endpoint();
    let official_query = call
        .query()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    // Names out of order are noted by `params` already.
    let names_ok = official_params(endpoint).is_some_and(|p| names(uri) == p);
    if names_ok && call.query().iter().any(|(k, v)| raw(uri, k) != Some(*v)) {
        note(
            out,
            format!("params: {endpoint} without {official_query} (official: {official_query})"),
        );
    }
    let official = call.keys();
    if !keys.is_some_and(|k| keys_match(k, official)) {
        let sent = keys.map_or_else(
            || "no Msg object".to_string(),
            |k| {
                let list: Vec<String> = k.iter().take(12).map(|n| shown(n)).collect();
                list.join(",")
            },
        );
        let want: Vec<String> = official
            .iter()
            .map(|(k, opt)| {
                if *opt {
                    format!("[{k}]")
                } else {
                    (*k).to_string()
                }
            })
            .collect();
        note(
            out,
            format!(
                "send: {endpoint} Msg keys {sent} (official: {})",
                want.join(",")
            ),
        );
    }
    let ty = &body["Msg"]["Type"];
    if !ty.as_i64().is_some_and(|t| call.types().contains(&t)) {
        let want: Vec<String> = call.types().iter().map(i64::to_string).collect();
        note(
            out,
            format!(
                "send: {endpoint} Msg.Type {} (official: {})",
                shown(&ty.to_string()),
                want.join(" or ")
            ),
        );
    }
    let scene = &body["Scene"];
    if !scene.as_i64().is_some_and(|s| s == 0 || s == 2) {
        note(
            out,
            format!(
                "send: {endpoint} Scene {} (official: 0, or 2 for a forward)",
                shown(&scene.to_string())
            ),
        );
    }
}

/// `batch`: each webwxbatchgetcontact entry is `{UserName, ChatRoomId: ""}` or
/// `{UserName, EncryChatRoomId}` (empty for a group; empty or the group's `@@` name for a
/// person).
pub(crate) fn batch_entry(entry: &Value, out: &mut Vec<String>) {
    let Some(obj) = entry.as_object() else {
        note(out, "batch: an entry that is not an object".into());
        return;
    };
    let name = obj.get("UserName").and_then(Value::as_str);
    let group = name.is_some_and(|n| n.starts_with("@@"));
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let ok = match (name, keys.as_slice()) {
        (Some(_), ["ChatRoomId", "UserName"]) => obj["ChatRoomId"] == "",
        (Some(_), ["EncryChatRoomId", "UserName"]) => match obj["EncryChatRoomId"].as_str() {
            Some("") => true,
            Some(_) if group => {
                note(
                    out,
                    "batch: a group entry with the group's own EncryChatRoomId (official: empty)"
                        .into(),
                );
                return;
            }
            Some(g) => g.starts_with("@@"),
            None => false,
        },
        _ => false,
    };
    if !ok {
        let shape: Vec<String> = keys.iter().take(6).map(|k| shown(k)).collect();
        note(
            out,
            format!(
                "batch: an entry with {{{}}} (official: {{UserName, ChatRoomId:\"\"}} or {{UserName, EncryChatRoomId}})",
                shape.join(", ")
            ),
        );
    }
}

/// `statreport`: a webwxstatreport body: BaseRequest without Skey, `Count` = the list's length,
/// entries `{Type: 1|2|16, Text: <JSON with a "type">}`. Returns how many entries are
/// `[app-timing]` reports (the one the official client posts after each contact page).
pub(crate) fn stat_report(body: &Value, out: &mut Vec<String>) -> usize {
    if body["BaseRequest"].get("Skey").is_some() {
        note(
            out,
            "statreport: BaseRequest with Skey (official: Uin, Sid, DeviceID)".into(),
        );
    }
    let list = body["List"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if body["Count"].as_u64() != Some(list.len() as u64) {
        note(out, "statreport: Count is not the List's length".into());
    }
    let mut timing = 0;
    for entry in list {
        if !matches!(entry["Type"].as_i64(), Some(1 | 2 | 16)) {
            note(out, "statreport: an entry Type other than 1, 2, 16".into());
        }
        let text: Option<Value> = entry["Text"]
            .as_str()
            .and_then(|t| serde_json::from_str(t).ok());
        match text.as_ref().and_then(|t| t["type"].as_str()) {
            Some("[app-timing]") => timing += 1,
            Some(t) if t.starts_with('[') && t.ends_with(']') => {}
            Some(_) => note(out, "statreport: an entry of an unknown type".into()),
            None => note(
                out,
                "statreport: an entry whose Text is not JSON with a type".into(),
            ),
        }
    }
    timing
}

/// `init-r`: webwxinit's `r` is `~(page-load ms)` (32-bit), near the jslogin's `_`.
pub(crate) fn init_r(uri: &http::Uri, jslogin: i64, out: &mut Vec<String>) {
    let Some(r) = number(uri, "r") else {
        return;
    };
    // JavaScript's `~` works on the low 32 bits.
    let page = !(r as i32);
    let diff = page.wrapping_sub(jslogin as i32);
    if i64::from(diff).abs() > INIT_R_SLACK_MS {
        note(
            out,
            "init-r: webwxinit r is not ~(the page-load time of the jslogin's `_`)".into(),
        );
    }
}

/// What the rules need to remember about one session.
#[derive(Debug, Default)]
pub(crate) struct Wire {
    /// The page the session runs in.
    pub(crate) page: Page,
    /// The `_` of the jslogin that started the login.
    pub(crate) jslogin_underscore: Option<i64>,
    /// Whether a webwxinit came (the first is the one the jslogin's page load dates).
    pub(crate) init_seen: bool,
    /// The `_` of the previous synccheck.
    pub(crate) synccheck_underscore: Option<i64>,
    /// The previous request's DeviceID, with a fingerprint of the request (a retry of the same
    /// request may repeat its DeviceID).
    pub(crate) device: Option<(String, u64)>,
    /// webwxgetcontact requests.
    pub(crate) contact_pages: u32,
    /// webwxgetcontact pages answered, and `[app-timing]` reports received.
    pub(crate) pages_answered: u32,
    pub(crate) timing_reports: u32,
    /// Since when a page's report is owed (a later page was asked for), and how many reports
    /// settle it.
    pub(crate) report_owed: Option<(Instant, u32)>,
    /// When the last contact page (Seq 0) and webwxstatusnotify were answered.
    pub(crate) contacts_done: Option<Instant>,
    pub(crate) status_notified: Option<Instant>,
    /// Whether a synccheck and a webwxbatchgetcontact came.
    pub(crate) synccheck_seen: bool,
    pub(crate) batch_seen: bool,
    /// Groups in the init answer's ChatSet, and groups that were peers of messages.
    pub(crate) chat_set: HashSet<String>,
    pub(crate) group_peers: HashSet<String>,
    /// The session-ending code synccheck answered.
    pub(crate) synccheck_code: Option<i64>,
    /// The `type` of each webwxlogout.
    pub(crate) logouts: Vec<u8>,
    /// webwxstatreport requests.
    pub(crate) stat_reports: usize,
}

impl Wire {
    /// `device-id`: a new DeviceID each request (a retry of the very same request aside).
    pub(crate) fn device(&mut self, id: &str, fingerprint: u64, out: &mut Vec<String>) {
        if let Some((last, print)) = &self.device
            && last == id
            && *print != fingerprint
        {
            note(
                out,
                "device-id: the same DeviceID as the previous request (official: new each request)"
                    .into(),
            );
        }
        self.device = Some((id.to_string(), fingerprint));
    }

    /// `contacts`: a webwxgetcontact request (before its answer).
    pub(crate) fn contact_page(&mut self, now: Instant, out: &mut Vec<String>) {
        self.settle(now, out);
        self.contact_pages += 1;
        if self.contact_pages > MAX_CONTACT_PAGES {
            note(
                out,
                "contacts: more than 17 webwxgetcontact requests (official: at most 17)".into(),
            );
        }
        if self.timing_reports < self.pages_answered && self.report_owed.is_none() {
            self.report_owed = Some((now, self.pages_answered));
        }
    }

    /// A webwxgetcontact page answered (`last`: Seq 0).
    pub(crate) fn contact_answered(&mut self, last: bool, now: Instant) {
        self.pages_answered += 1;
        if last {
            self.contacts_done = Some(now);
        }
    }

    /// `statreport`: `timing` `[app-timing]` reports arrived.
    pub(crate) fn reports(&mut self, timing: usize, now: Instant, out: &mut Vec<String>) {
        self.stat_reports += 1;
        // A report pays for a page already answered, never for one to come.
        self.timing_reports = self
            .timing_reports
            .saturating_add(u32::try_from(timing).unwrap_or(u32::MAX))
            .min(self.pages_answered);
        if let Some((since, need)) = self.report_owed
            && self.timing_reports >= need
        {
            if now.duration_since(since) > GRACE {
                note(out, Self::LATE.into());
            }
            self.report_owed = None;
        }
    }

    const LATE: &str =
        "statreport: no webwxstatreport after a contact page (official: one after each page)";

    /// Notes a report owed for longer than the grace time.
    pub(crate) fn settle(&mut self, now: Instant, out: &mut Vec<String>) {
        if let Some((since, _)) = self.report_owed
            && now.duration_since(since) > GRACE
        {
            note(out, Self::LATE.into());
            self.report_owed = None;
        }
    }

    /// `setup`: a synccheck; the first should go out with the contacts, not after them.
    pub(crate) fn synccheck(&mut self, now: Instant, out: &mut Vec<String>) {
        if self.synccheck_seen {
            return;
        }
        self.synccheck_seen = true;
        if let (Some(c), Some(s)) = (self.contacts_done, self.status_notified)
            && now.duration_since(c.max(s)) > GRACE
        {
            note(
                out,
                "setup: the first synccheck waited for the contacts (official: right after webwxinit)"
                    .into(),
            );
        }
    }

    /// `setup` and `batch`: a webwxbatchgetcontact naming `groups`.
    pub(crate) fn batch<'a>(
        &mut self,
        groups: impl Iterator<Item = &'a str>,
        out: &mut Vec<String>,
    ) {
        if !self.batch_seen {
            self.batch_seen = true;
            if !self.synccheck_seen {
                note(
                    out,
                    "setup: the first webwxbatchgetcontact before the first synccheck (synccheck waited for the group members)"
                        .into(),
                );
            }
        }
        for g in groups {
            if !self.chat_set.contains(g) && !self.group_peers.contains(g) {
                note(
                    out,
                    "batch: a group outside ChatSet and the message peers (official: only those)"
                        .into(),
                );
            }
        }
    }

    /// Remembers the groups a message is about (its peers, a sync-conversation list).
    pub(crate) fn message_peers(&mut self, msg: &Value) {
        for field in ["FromUserName", "ToUserName"] {
            if let Some(n) = msg[field].as_str().filter(|n| n.starts_with("@@")) {
                self.group_peers.insert(n.to_string());
            }
        }
        if let Some(list) = msg["StatusNotifyUserName"].as_str() {
            self.group_peers.extend(
                list.split(',')
                    .filter(|n| n.starts_with("@@"))
                    .map(str::to_string),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_uri_query_is_angulars() {
        assert_eq!(encode_uri_query("ab%2Bc%3D"), "ab%252Bc%253D");
        assert_eq!(encode_uri_query("@crypt_1:$,; x"), "@crypt_1:$,;+x");
        assert_eq!(encode_uri_query("a|b/é"), "a%7Cb%2F%C3%A9");
    }

    #[test]
    fn init_r_is_read_as_javascript_does() {
        let page: i64 = 1_764_000_000_123;
        let r = i64::from(!(page as i32));
        let uri: http::Uri = format!("/x?r={r}").parse().unwrap();
        let mut out = vec![];
        init_r(&uri, page + 5, &mut out);
        assert!(out.is_empty(), "{out:?}");
        init_r(&uri, page + 120_000, &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn local_ids() {
        let mut out = vec![];
        local_id(
            &serde_json::json!({"LocalID": "17640000001230456", "ClientMsgId": "17640000001230456"}),
            &mut out,
        );
        local_id(
            &serde_json::json!({"LocalID": "17640000001231000", "ClientMsgId": "17640000001231000"}),
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        local_id(
            &serde_json::json!({"LocalID": 17640000001230456_u64, "ClientMsgId": "1"}),
            &mut out,
        );
        assert_eq!(out.len(), 2, "a number, and different: {out:?}");
        local_id(
            &serde_json::json!({"LocalID": "1764000000123", "ClientMsgId": "1764000000123"}),
            &mut out,
        );
        assert_eq!(out.len(), 3, "13 digits only: {out:?}");
    }
}
