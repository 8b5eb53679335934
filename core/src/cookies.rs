//! The cookie jar: fed from `Set-Cookie` on every answer, applied by domain and path to every
//! request.

use cookie_store::CookieStore;
use http::HeaderMap;
use std::fmt;
use url::Url;

/// The session's cookies (`wxuin`, `wxsid`, `webwx_data_ticket`, ...), on the `cookie_store`
/// crate. Its `Debug` shows cookie names and domains, never values.
///
/// One caveat to "time is an input": `cookie_store` judges cookie expiry (`Expires`,
/// `Max-Age`) against the system clock, and offers no way to pass the time in. The WeChat
/// cookies live for hours to days, so this only matters to a test that feeds cookies expiring
/// around the real present.
#[derive(Clone, Default)]
pub struct CookieJar(CookieStore);

impl CookieJar {
    /// Stores every `Set-Cookie` of an answer to a request for `url`. Malformed cookies are
    /// skipped; cookies for another domain than `url`'s are refused by the store.
    pub fn store_from(&mut self, url: &Url, headers: &HeaderMap) {
        let cookies = headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|s| cookie::Cookie::parse(s.to_string()).ok());
        self.0.store_response_cookies(cookies, url);
    }

    /// The `Cookie` header for a request to `url`, sorted by name so that requests are
    /// deterministic; `None` when no cookie applies.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        let mut pairs: Vec<(&str, &str)> = self.0.get_request_values(url).collect();
        if pairs.is_empty() {
            return None;
        }
        pairs.sort_unstable();
        Some(
            pairs
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    /// The jar as JSON, session cookies included (for [`SavedSession`](crate::SavedSession)).
    pub(crate) fn to_json(&self) -> String {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail; an error would leave the jar empty, never panic.
        let _ = cookie_store::serde::json::save_incl_expired_and_nonpersistent(&self.0, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// A jar from [`CookieJar::to_json`]'s output.
    pub(crate) fn from_json(json: &str) -> Option<CookieJar> {
        cookie_store::serde::json::load_all(json.as_bytes())
            .ok()
            .map(CookieJar)
    }

    /// The value of the cookie `name` that would be sent to `url` (for example
    /// `webwx_data_ticket`, which uploads repeat in a form field).
    pub fn value_for(&self, url: &Url, name: &str) -> Option<&str> {
        self.0
            .get_request_values(url)
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<String> = self
            .0
            .iter_any()
            .map(|c| format!("{}@{}", c.name(), c.domain().unwrap_or_default()))
            .collect();
        names.sort();
        f.debug_struct("CookieJar")
            .field("cookies", &names)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn jar_with(url: &str, set: &[&str]) -> CookieJar {
        let mut headers = HeaderMap::new();
        for s in set {
            headers.append(http::header::SET_COOKIE, HeaderValue::from_str(s).unwrap());
        }
        let mut jar = CookieJar::default();
        jar.store_from(&Url::parse(url).unwrap(), &headers);
        jar
    }

    #[test]
    fn applies_by_domain_and_path() {
        let jar = jar_with(
            "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage",
            &[
                "wxuin=42; Domain=wx2.qq.com; Path=/",
                "wxsid=SID; Domain=.qq.com; Path=/",
                "only_here=1; Path=/cgi-bin/mmwebwx-bin/",
                "bad cookie",
            ],
        );
        let api = Url::parse("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxinit").unwrap();
        assert_eq!(
            jar.header_for(&api).unwrap(),
            "only_here=1; wxsid=SID; wxuin=42"
        );
        let push = Url::parse("https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck").unwrap();
        assert_eq!(jar.header_for(&push).unwrap(), "wxsid=SID; wxuin=42");
        let other = Url::parse("https://example.com/").unwrap();
        assert_eq!(jar.header_for(&other), None);
        let root = Url::parse("https://wx2.qq.com/").unwrap();
        assert_eq!(jar.header_for(&root).unwrap(), "wxsid=SID; wxuin=42");
        assert_eq!(jar.value_for(&api, "wxsid"), Some("SID"));
    }

    #[test]
    fn foreign_domains_are_refused_and_debug_hides_values() {
        let jar = jar_with(
            "https://wx2.qq.com/",
            &["steal=1; Domain=example.com", "wxsid=SECRET"],
        );
        assert_eq!(
            jar.header_for(&Url::parse("https://example.com/").unwrap()),
            None
        );
        assert!(!format!("{jar:?}").contains("SECRET"));
    }
}
