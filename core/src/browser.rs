//! The headers the official client's browser sends, by how the page makes the request
//! ([`Loader`]): what a Chrome on the configured User-Agent puts on a `<script>` load, an XHR
//! from Angular or jQuery, and a form navigation. The JavaScript sets no header itself; these are
//! the browser's and the libraries' defaults (see `core/PROTOCOL.md`).
//!
//! The page is the official client's page: before login at the origin the login origin belongs
//! to (`login.wx.qq.com` → `wx.qq.com`), after login at the session's API host, at the URL
//! `<origin>/?&lang=<lang>`.

use crate::Loader;
use crate::content_encoding::ACCEPT_ENCODING;
use http::header::{
    ACCEPT, ACCEPT_ENCODING as ACCEPT_ENCODING_NAME, ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE,
    HeaderName, HeaderValue, ORIGIN, RANGE, REFERER, UPGRADE_INSECURE_REQUESTS, USER_AGENT,
};
use http::{HeaderMap, Method};
use url::Url;

/// The page the requests come from.
pub(crate) struct Page<'a> {
    /// `scheme://host[:port]`, no trailing slash.
    pub(crate) origin: &'a str,
    /// The page's `lang` (its URL carries `?&lang=<lang>`).
    pub(crate) lang: &'a str,
    /// The browser's User-Agent.
    pub(crate) user_agent: &'a str,
}

impl Page<'_> {
    /// The page's URL: what same-origin requests carry as their Referer.
    pub(crate) fn url(&self) -> String {
        format!("{}/?&lang={}", self.origin, self.lang)
    }
}

/// Chrome's `Accept` on a top-level navigation.
const NAVIGATION_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,\
image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";

/// Chrome's `Accept` on an image.
const IMAGE_ACCEPT: &str = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

/// How a request's site relates to the page's (`Sec-Fetch-Site`).
fn fetch_site(page_origin: &str, url: &Url) -> &'static str {
    let origin = url.origin().ascii_serialization();
    if origin == page_origin {
        return "same-origin";
    }
    let Ok(page) = Url::parse(page_origin) else {
        return "cross-site";
    };
    // The registrable domain of the WeChat hosts is their last two labels (qq.com, wechat.com).
    let site = |u: &Url| {
        let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
        let labels: Vec<String> = host.rsplit('.').take(2).map(str::to_string).collect();
        (u.scheme().to_string(), labels)
    };
    if site(&page) == site(url) {
        "same-site"
    } else {
        "cross-site"
    }
}

/// `Accept-Language` for a page language: `zh_CN` → `zh-CN,zh;q=0.9`.
fn accept_language(lang: &str) -> String {
    match lang.split_once('_') {
        Some((primary, region)) if !primary.is_empty() && !region.is_empty() => {
            format!("{primary}-{region},{primary};q=0.9")
        }
        _ => lang.trim_end_matches('_').to_string(),
    }
}

/// The client hints of a Chrome User-Agent: `sec-ch-ua` and `sec-ch-ua-platform` (none for
/// other browsers, which do not send them).
fn client_hints(user_agent: &str) -> Option<(String, &'static str)> {
    let major: String = user_agent
        .split("Chrome/")
        .nth(1)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if major.is_empty() {
        return None;
    }
    let brands = format!(
        "\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"{major}\", \"Google Chrome\";v=\"{major}\""
    );
    let platform = if user_agent.contains("Windows") {
        "\"Windows\""
    } else if user_agent.contains("Macintosh") {
        "\"macOS\""
    } else if user_agent.contains("Android") {
        "\"Android\""
    } else {
        "\"Linux\""
    };
    Some((brands, platform))
}

/// The browser's headers for a request to `url` made by `loader`, in Chrome's order.
/// `form_type` is the `Content-Type` of a `FormData` body (with its boundary). Values that
/// cannot be header values (a User-Agent with a newline) are left out. The map has room for
/// `room` more headers (the caller's), and no more: a map is never shrunk, and a transport may
/// keep it for as long as its connection lives.
pub(crate) fn headers(
    page: &Page<'_>,
    loader: Loader,
    method: &Method,
    url: &Url,
    form_type: Option<&str>,
    room: usize,
) -> HeaderMap {
    let site = fetch_site(page.origin, url);
    let same_origin = site == "same-origin";
    let post = method == Method::POST;
    let (accept, dest, mode) = match loader {
        Loader::Script => ("*/*", "script", "no-cors"),
        Loader::Angular => ("application/json, text/plain, */*", "empty", "cors"),
        Loader::JQueryJson => (
            "application/json, text/javascript, */*; q=0.01",
            "empty",
            "cors",
        ),
        Loader::Form | Loader::Link => (NAVIGATION_ACCEPT, "document", "navigate"),
        Loader::Image => (IMAGE_ACCEPT, "image", "no-cors"),
        Loader::Audio => ("*/*", "audio", "no-cors"),
        Loader::Video => ("*/*", "video", "no-cors"),
        Loader::Upload => ("*/*", "empty", "cors"),
    };
    let media_element = matches!(loader, Loader::Audio | Loader::Video);
    let hints = client_hints(page.user_agent);
    let mut h: Vec<(HeaderName, String)> = Vec::new();
    if loader == Loader::Form {
        h.push((CACHE_CONTROL, "max-age=0".into()));
    }
    if media_element {
        // A media element asks for a range, and for the bytes as they are.
        h.push((RANGE, "bytes=0-".into()));
    }
    if let Some((brands, _)) = &hints {
        h.push((HeaderName::from_static("sec-ch-ua"), brands.clone()));
    }
    h.push((ACCEPT, accept.into()));
    if post && loader == Loader::Angular {
        h.push((CONTENT_TYPE, "application/json;charset=UTF-8".into()));
    }
    if post && loader == Loader::Form {
        h.push((CONTENT_TYPE, "application/x-www-form-urlencoded".into()));
    }
    if let Some(form_type) = form_type.filter(|_| post && loader == Loader::Upload) {
        h.push((CONTENT_TYPE, form_type.into()));
    }
    if loader == Loader::JQueryJson {
        h.push((
            HeaderName::from_static("x-requested-with"),
            "XMLHttpRequest".into(),
        ));
    }
    if hints.is_some() {
        h.push((HeaderName::from_static("sec-ch-ua-mobile"), "?0".into()));
    }
    if matches!(loader, Loader::Form | Loader::Link) {
        h.push((UPGRADE_INSECURE_REQUESTS, "1".into()));
    }
    h.push((USER_AGENT, page.user_agent.into()));
    if let Some((_, platform)) = &hints {
        h.push((
            HeaderName::from_static("sec-ch-ua-platform"),
            (*platform).into(),
        ));
    }
    // Chrome sends Origin on every POST, and on cross-origin CORS requests.
    if post || (mode == "cors" && !same_origin) {
        h.push((ORIGIN, page.origin.into()));
    }
    h.push((HeaderName::from_static("sec-fetch-site"), site.into()));
    h.push((HeaderName::from_static("sec-fetch-mode"), mode.into()));
    if loader == Loader::Link {
        // A navigation the user started.
        h.push((HeaderName::from_static("sec-fetch-user"), "?1".into()));
    }
    h.push((HeaderName::from_static("sec-fetch-dest"), dest.into()));
    // strict-origin-when-cross-origin: the page's URL to its own origin, its origin elsewhere.
    let referer = if same_origin {
        page.url()
    } else {
        format!("{}/", page.origin)
    };
    h.push((REFERER, referer));
    let encoding = if media_element {
        "identity;q=1, *;q=0"
    } else {
        ACCEPT_ENCODING
    };
    h.push((ACCEPT_ENCODING_NAME, encoding.into()));
    h.push((ACCEPT_LANGUAGE, accept_language(page.lang)));
    let mut map = HeaderMap::with_capacity(h.len() + room);
    for (name, value) in h {
        if let Ok(value) = HeaderValue::from_str(&value) {
            map.append(name, value);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = crate::DEFAULT_USER_AGENT;

    fn page() -> Page<'static> {
        Page {
            origin: "https://wx.qq.com",
            lang: "zh_CN",
            user_agent: UA,
        }
    }

    fn get(map: &HeaderMap, name: &str) -> String {
        map.get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn a_script_from_the_login_host() {
        let url = Url::parse("https://login.wx.qq.com/jslogin?appid=x").unwrap();
        let h = headers(&page(), Loader::Script, &Method::GET, &url, None, 0);
        assert_eq!(get(&h, "accept"), "*/*");
        assert_eq!(get(&h, "sec-fetch-site"), "same-site");
        assert_eq!(get(&h, "sec-fetch-mode"), "no-cors");
        assert_eq!(get(&h, "sec-fetch-dest"), "script");
        assert_eq!(get(&h, "referer"), "https://wx.qq.com/");
        assert_eq!(get(&h, "origin"), "");
        assert_eq!(get(&h, "accept-encoding"), "gzip, deflate, br");
        assert_eq!(get(&h, "accept-language"), "zh-CN,zh;q=0.9");
        assert_eq!(
            get(&h, "sec-ch-ua"),
            r#""Not_A Brand";v="8", "Chromium";v="120", "Google Chrome";v="120""#
        );
        assert_eq!(get(&h, "sec-ch-ua-platform"), r#""Windows""#);
    }

    #[test]
    fn an_angular_post_on_the_page_host() {
        let url = Url::parse("https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxsync?sid=1").unwrap();
        let h = headers(&page(), Loader::Angular, &Method::POST, &url, None, 0);
        assert_eq!(get(&h, "accept"), "application/json, text/plain, */*");
        assert_eq!(get(&h, "content-type"), "application/json;charset=UTF-8");
        assert_eq!(get(&h, "origin"), "https://wx.qq.com");
        assert_eq!(get(&h, "referer"), "https://wx.qq.com/?&lang=zh_CN");
        assert_eq!(get(&h, "sec-fetch-site"), "same-origin");
        let names: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
        assert_eq!(names.first(), Some(&"sec-ch-ua"), "Chrome's order");
        assert_eq!(names.last(), Some(&"accept-language"));
    }

    #[test]
    fn a_form_navigation_and_a_jquery_call() {
        let url = Url::parse("https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxlogout").unwrap();
        let h = headers(&page(), Loader::Form, &Method::POST, &url, None, 0);
        assert!(get(&h, "accept").starts_with("text/html,"));
        assert_eq!(get(&h, "content-type"), "application/x-www-form-urlencoded");
        assert_eq!(get(&h, "sec-fetch-mode"), "navigate");
        let h = headers(&page(), Loader::JQueryJson, &Method::GET, &url, None, 0);
        assert_eq!(get(&h, "x-requested-with"), "XMLHttpRequest");
        assert_eq!(get(&h, "origin"), "");
        // Not Chrome: no client hints.
        let firefox = Page {
            user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
            ..page()
        };
        let h = headers(&firefox, Loader::Angular, &Method::GET, &url, None, 0);
        assert_eq!(get(&h, "sec-ch-ua"), "");
        assert_eq!(accept_language("en_US"), "en-US,en;q=0.9");
    }
}
