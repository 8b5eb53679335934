//! The cookie jar: fed from `Set-Cookie` on every answer, applied by domain and path to every
//! request.

use cookie_store::CookieStore;
use http::HeaderMap;
use std::fmt;
use url::Url;

/// Most cookies the jar holds (RFC 6265 §6.1 asks a client for at least 50 per domain; the
/// WeChat servers set about ten). A `Set-Cookie` for a new cookie past it is dropped; one that
/// replaces a held cookie is always applied.
pub(crate) const MAX_COOKIES: usize = 50;

/// Longest `Set-Cookie` value, in bytes, that is read (RFC 6265 §6.1 asks for at least 4096 per
/// cookie). A longer one is dropped unread.
pub(crate) const MAX_COOKIE_BYTES: usize = 4096;

/// The session's cookies (`wxuin`, `wxsid`, `webwx_data_ticket`, ...), on the `cookie_store`
/// crate. Its `Debug` shows cookie names and domains, never values. It holds at most 50 cookies
/// of at most 4096 bytes each, whatever the server sends (RFC 6265 §6.1's minimums; the WeChat
/// servers set about ten).
///
/// One caveat to "time is an input": `cookie_store` judges cookie expiry (`Expires`,
/// `Max-Age`) against the system clock, and offers no way to pass the time in. The WeChat
/// cookies live for hours to days, so this only matters to a test that feeds cookies expiring
/// around the real present.
#[derive(Clone, Default)]
pub struct CookieJar(CookieStore);

impl CookieJar {
    /// Stores every `Set-Cookie` of an answer to a request for `url`. Malformed cookies and
    /// those longer than 4096 bytes are skipped; cookies for another domain than `url`'s are
    /// refused by the store; a new cookie is dropped once the jar holds 50 (a new value for a
    /// held one still applies).
    pub fn store_from(&mut self, url: &Url, headers: &HeaderMap) {
        let values = headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter(|v| v.len() <= MAX_COOKIE_BYTES)
            .filter_map(|v| v.to_str().ok());
        for value in values {
            let Ok(raw) = cookie::Cookie::parse(value) else {
                continue;
            };
            let Ok(cookie) = cookie_store::Cookie::try_from_raw_cookie(&raw, url) else {
                continue;
            };
            let held = cookie.domain.as_cow().is_some_and(|domain| {
                self.0
                    .contains_any(&domain, &String::from(&cookie.path), cookie.name())
            });
            if !held && self.0.iter_any().count() >= MAX_COOKIES {
                tracing::debug!(name = cookie.name(), "cookie jar full: new cookie dropped");
                continue;
            }
            // Refusals (a foreign domain, an expired new cookie) are the store's to make.
            let _ = self.0.insert(cookie.into_owned(), url);
        }
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

    /// A jar from [`CookieJar::to_json`]'s output; `None` if it is unreadable or holds more
    /// cookies (or larger ones) than a live jar keeps.
    pub(crate) fn from_json(json: &str) -> Option<CookieJar> {
        let store = cookie_store::serde::json::load_all(json.as_bytes()).ok()?;
        // A saved jar is held to the same bounds as one the server filled: more cookies, or a
        // larger one, than a live session could have kept means it was not saved by one.
        let mut count = 0;
        for cookie in store.iter_any() {
            count += 1;
            let size = cookie.name().len() + cookie.value().len();
            if count > MAX_COOKIES || size > MAX_COOKIE_BYTES {
                return None;
            }
        }
        Some(CookieJar(store))
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
    fn the_jar_holds_a_bounded_number_of_bounded_cookies() {
        let many: Vec<String> = (0..MAX_COOKIES + 10)
            .map(|i| format!("c{i:03}=v; Path=/"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let mut jar = jar_with("https://wx2.qq.com/", &many);
        assert_eq!(jar.0.iter_any().count(), MAX_COOKIES);
        let url = Url::parse("https://wx2.qq.com/").unwrap();
        assert_eq!(jar.value_for(&url, "c000"), Some("v"), "the first are kept");
        assert_eq!(jar.value_for(&url, "c055"), None, "the extra dropped");
        // A full jar still takes new values for the cookies it holds.
        let mut headers = HeaderMap::new();
        for s in ["c001=new; Path=/", "fresh=1; Path=/"] {
            headers.append(http::header::SET_COOKIE, HeaderValue::from_str(s).unwrap());
        }
        let long = format!("big={}; Path=/", "x".repeat(MAX_COOKIE_BYTES));
        headers.append(
            http::header::SET_COOKIE,
            HeaderValue::from_str(&long).unwrap(),
        );
        jar.store_from(&url, &headers);
        assert_eq!(jar.value_for(&url, "c001"), Some("new"));
        assert_eq!(jar.value_for(&url, "fresh"), None);
        assert_eq!(jar.0.iter_any().count(), MAX_COOKIES);
        // An oversized cookie is dropped even when there is room.
        let roomy = jar_with("https://wx2.qq.com/", &[&long, "small=1"]);
        assert_eq!(roomy.header_for(&url).as_deref(), Some("small=1"));
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
