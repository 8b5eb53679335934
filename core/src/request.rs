//! The one request-building path: every endpoint describes its request as an [`ApiRequest`]
//! (method, host role, path, query, body, extra headers), and [`ApiRequest::build`] turns it into
//! an `http::Request` with the session's hosts, cookies and common headers. New endpoints (media,
//! groups) add a description, not a new path.

use crate::browser::{self, Page};
use crate::cookies::CookieJar;
use crate::hosts::{CheckedUrl, check_url};
use crate::{Config, Endpoint, Error, HostRole, Hosts, Loader, uri_encoding};
use bytes::Bytes;
use http::header::{COOKIE, HeaderName, HeaderValue};
use http::{Method, Request};
use url::Url;

/// What building a request needs from the session: the configuration, the hosts, the cookies,
/// the pass_ticket (once known) and the page the request comes from.
pub(crate) struct Context<'a> {
    pub(crate) config: &'a Config,
    pub(crate) hosts: Option<&'a Hosts>,
    pub(crate) jar: &'a CookieJar,
    /// As the server sent it (already encoded): the interceptor's `pass_ticket`.
    pub(crate) pass_ticket: Option<&'a str>,
    /// The official page's origin: the login origin's page before login, the API host after.
    pub(crate) page_origin: &'a str,
}

/// A query value, as the official page's code writes it into the URL.
#[derive(Clone, Debug)]
pub(crate) enum Query {
    /// Concatenated as it is (`"&sid=" + sid`): numbers, constants and server values the page
    /// does not encode. Only what a URL cannot hold is encoded; `%XY` escapes are kept.
    Raw(String),
    /// Concatenated through `encodeURIComponent`.
    Component(String),
    /// Nothing: the page's `"?&MsgID="` has an empty parameter first.
    Empty,
}

/// A request body.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    Empty,
    /// A serialized JSON body.
    Json(Vec<u8>),
    /// An `application/x-www-form-urlencoded` body.
    Form(Vec<(&'static str, String)>),
    /// A `multipart/form-data` body (a `FormData`).
    Multipart(crate::multipart::Form),
}

/// The description of one request.
#[derive(Clone, Debug)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) endpoint: Endpoint,
    /// For an endpoint at a server-given URL ([`HostRole::Redirect`]): that URL, checked against
    /// the host policy; the request is built by serializing it and appending the query.
    pub(crate) checked: Option<CheckedUrl>,
    /// The query the page's code writes into the URL, in its order.
    pub(crate) query: Vec<(&'static str, Query)>,
    /// Angular `$http` params: after the query, sorted by name, encoded with `encodeUriQuery`.
    /// For an [`Loader::Angular`] request the interceptor's `lang` and `pass_ticket` join them.
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) body: Body,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiRequest {
    /// A request to `endpoint` (its method and host from the endpoint table), without query,
    /// body or extra headers.
    pub(crate) fn new(endpoint: Endpoint) -> Self {
        ApiRequest {
            method: endpoint.method(),
            endpoint,
            checked: None,
            query: Vec::new(),
            params: Vec::new(),
            body: Body::Empty,
            headers: Vec::new(),
        }
    }

    /// A request to `endpoint` at the server-given, checked `url`.
    pub(crate) fn at(endpoint: Endpoint, url: CheckedUrl) -> Self {
        ApiRequest {
            checked: Some(url),
            ..ApiRequest::new(endpoint)
        }
    }

    /// `&name=value`, concatenated as it is.
    pub(crate) fn raw(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, Query::Raw(value.to_string())));
        self
    }

    /// An empty parameter (the `&` of the page's `"?&MsgID="`).
    pub(crate) fn empty(mut self) -> Self {
        self.query.push(("", Query::Empty));
        self
    }

    /// `&name=encodeURIComponent(value)`.
    pub(crate) fn component(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, Query::Component(value.to_string())));
        self
    }

    /// An Angular `$http` param.
    pub(crate) fn param(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.push((name, value.to_string()));
        self
    }

    pub(crate) fn json(mut self, body: &impl serde::Serialize) -> Self {
        // Serializing our own request types cannot fail (no maps with non-string keys).
        self.body = Body::Json(serde_json::to_vec(body).unwrap_or_default());
        self
    }

    pub(crate) fn form(mut self, fields: Vec<(&'static str, String)>) -> Self {
        self.body = Body::Form(fields);
        self
    }

    pub(crate) fn multipart(mut self, form: crate::multipart::Form) -> Self {
        self.body = Body::Multipart(form);
        self
    }

    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The full URL of the request: the URL, the query in its order, then the Angular params
    /// sorted by name (with the interceptor's `lang` and `pass_ticket` for an Angular request).
    pub(crate) fn url(&self, ctx: &Context<'_>) -> String {
        let mut url = match &self.checked {
            Some(checked) => checked.url().as_str().to_string(),
            None => format!(
                "{}{}",
                ctx.config.origin_of(self.endpoint, ctx.hosts),
                self.endpoint.path()
            ),
        };
        let mut params = self.params.clone();
        if self.endpoint.loader() == Loader::Angular {
            // The page's interceptor: `pass_ticket` on every $http call (dropped while it is not
            // known), `lang` because the page's URL carries one.
            params.retain(|(name, _)| !matches!(*name, "lang" | "pass_ticket"));
            params.push(("lang", ctx.config.lang.to_string()));
            if let Some(ticket) = ctx.pass_ticket {
                params.push(("pass_ticket", ticket.to_string()));
            }
        }
        params.sort_by_key(|(name, _)| *name);
        let parts = self
            .query
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Query::Raw(v) => Some(keep_encoded(v)),
                    Query::Component(v) => Some(uri_encoding::component(v)),
                    Query::Empty => None,
                };
                (*name, value)
            })
            .chain(
                params
                    .iter()
                    .map(|(name, value)| (*name, Some(uri_encoding::angular(value)))),
            );
        // A checked URL has no fragment and a `?` only where its query starts.
        let mut separator = match url.find('?') {
            None => Some('?'),
            Some(at) if at + 1 == url.len() => None,
            Some(_) => Some('&'),
        };
        for (name, value) in parts {
            if let Some(c) = separator {
                url.push(c);
            }
            separator = Some('&');
            if let Some(value) = value {
                url.push_str(name);
                url.push('=');
                url.push_str(&value);
            }
        }
        url
    }

    /// Checks the final URL of the request: the scheme, host and port it was composed from (the
    /// checked URL, or the origin of its role) are still its own, whatever the query appended;
    /// it has no fragment; and every request but the login's (whose origin the embedder
    /// configured) goes to a host the policy accepts.
    fn check_destination(&self, url: &Url, ctx: &Context<'_>) -> Result<(), Error> {
        let (config, hosts) = (ctx.config, ctx.hosts);
        let origin;
        let base = match &self.checked {
            Some(checked) => checked.url(),
            None => {
                origin = Url::parse(config.origin_of(self.endpoint, hosts)).map_err(|_| {
                    Error::Protocol {
                        endpoint: self.endpoint,
                        detail: "the origin is not a URL",
                    }
                })?;
                &origin
            }
        };
        let same = base.scheme() == url.scheme()
            && base.host() == url.host()
            && base.port_or_known_default() == url.port_or_known_default();
        if !same {
            return Err(Error::ForeignHost {
                host: url.host_str().unwrap_or_default().to_string(),
            });
        }
        if url.fragment().is_some() {
            // Never sent, so something meant for the path or query was cut off.
            return Err(Error::Protocol {
                endpoint: self.endpoint,
                detail: "the URL has a fragment",
            });
        }
        if self.endpoint.host_role() != HostRole::Login {
            check_url(url, &config.allowed_hosts, self.endpoint)?;
        }
        Ok(())
    }

    /// The `http::Request`, with cookies from `jar` and the common headers. The request's URI
    /// (the only copy of its URL) is always the protocol's own
    /// URL: routing elsewhere (a simulator, a proxy) is the transport's business
    /// ([`ConnectTo`](crate::ConnectTo)).
    ///
    /// This is the one place requests are built, and it checks where each goes: the URL is
    /// parsed again and checked against the host policy (see [`check_destination`]), and the
    /// host of the URI handed to the transport, as `http::Uri` reads it, must be the checked
    /// host.
    ///
    /// [`check_destination`]: ApiRequest::check_destination
    pub(crate) fn build(self, ctx: &Context<'_>) -> Result<Request<Bytes>, Error> {
        let url = self.url(ctx);
        let invalid = Error::Protocol {
            endpoint: self.endpoint,
            detail: "the server's values do not make a valid URL",
        };
        let parsed = Url::parse(&url).map_err(|_| invalid.clone())?;
        self.check_destination(&parsed, ctx)?;
        // The same parse as `str::parse`, on the string itself instead of a copy of it.
        let uri = http::Uri::from_maybe_shared(Bytes::from(url)).map_err(|_| invalid.clone())?;
        let host = parsed.host_str().unwrap_or_default();
        if !uri.host().is_some_and(|h| h.eq_ignore_ascii_case(host)) {
            return Err(Error::ForeignHost {
                host: uri.host().unwrap_or_default().to_string(),
            });
        }
        let page = Page {
            origin: ctx.page_origin,
            lang: &ctx.config.lang,
            user_agent: &ctx.config.user_agent,
        };
        let form_type = match &self.body {
            Body::Multipart(form) => Some(form.content_type()),
            _ => None,
        };
        let cookie = match ctx.jar.header_for(&parsed) {
            Some(cookie) => Some(HeaderValue::from_str(&cookie).map_err(|_| invalid.clone())?),
            None => None,
        };
        // The map is sized once for every header the request gets, the two an HTTP/1.1
        // transport adds (`Host`, and `Content-Length` for a body) included, so it never grows
        // (a growth copies and rehashes it) and holds no more than it must: a transport may
        // keep it (hyper keeps a request's emptied map for its connection's next answer).
        let room = self.headers.len() + usize::from(cookie.is_some()) + 2;
        let mut headers = browser::headers(
            &page,
            self.endpoint.loader(),
            &self.method,
            &parsed,
            form_type.as_deref(),
            room,
        );
        let body = match self.body {
            Body::Empty => Bytes::new(),
            Body::Multipart(form) => form.encode(),
            Body::Json(json) => Bytes::from(json),
            Body::Form(fields) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (name, value) in &fields {
                    form.append_pair(name, value);
                }
                Bytes::from(form.finish())
            }
        };
        // The endpoint's own headers (desktop mode's) replace the browser's of the same name.
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        if let Some(cookie) = cookie {
            headers.insert(COOKIE, cookie);
        }
        let mut builder = Request::builder().method(self.method).uri(uri);
        if let Some(map) = builder.headers_mut() {
            *map = headers;
        }
        builder.body(body).map_err(|_| invalid)
    }
}

/// Keeps a server-sent, already-encoded value as it is, encoding only what a URL cannot hold:
/// `%XY` escapes and URL characters pass; `%` not followed by two hex digits, spaces, quotes,
/// non-ASCII and control characters are percent-encoded.
pub(crate) fn keep_encoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    for (i, &b) in bytes.iter().enumerate() {
        let is_escape = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let url_char = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b);
        if is_escape || url_char {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_encoded_never_encodes_twice() {
        assert_eq!(keep_encoded("VgRra8ty%2BZV9%3D"), "VgRra8ty%2BZV9%3D");
        assert_eq!(keep_encoded("a b%zz中\"#"), "a%20b%25zz%E4%B8%AD%22%23");
        assert_eq!(
            keep_encoded("https://wx2.qq.com/p?ticket=A@q_0&uuid=x=="),
            "https://wx2.qq.com/p?ticket=A@q_0&uuid=x=="
        );
    }

    fn ctx<'a>(config: &'a Config, hosts: Option<&'a Hosts>, jar: &'a CookieJar) -> Context<'a> {
        Context {
            config,
            hosts,
            jar,
            pass_ticket: None,
            page_origin: "https://wx.qq.com",
        }
    }

    #[test]
    fn builds_query_in_order() {
        let config = Config::new(1);
        let jar = CookieJar::default();
        let req = ApiRequest::new(Endpoint::JsLogin)
            .raw("a", "x y&z")
            .component("b", "@crypt_1|2")
            .raw("pass_ticket", "p%2Bq");
        assert_eq!(
            req.url(&ctx(&config, None, &jar)),
            "https://login.wx.qq.com/jslogin?a=x%20y&z&b=%40crypt_1%7C2&pass_ticket=p%2Bq"
        );
        let checked = |raw: &str| CheckedUrl::parse(raw, &[], Endpoint::LoginPoll).unwrap();
        // An Angular request: the interceptor's lang (and pass_ticket once known), and the
        // params sorted by name after the query.
        let abs =
            ApiRequest::at(Endpoint::Ticket, checked("https://wx.qq.com/p?t=1")).raw("fun", "new");
        assert_eq!(
            abs.url(&ctx(&config, None, &jar)),
            "https://wx.qq.com/p?t=1&fun=new&lang=zh_CN"
        );
        let hosts = hosts("https://wx.qq.com");
        let mut c = ctx(&config, Some(&hosts), &jar);
        c.pass_ticket = Some("p%2Bq");
        let contacts = ApiRequest::new(Endpoint::GetContact)
            .param("skey", "@crypt_1")
            .param("seq", 0)
            .param("r", 5);
        assert_eq!(
            contacts.url(&c),
            "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetcontact?lang=zh_CN&pass_ticket=p%252Bq&r=5&seq=0&skey=@crypt_1"
        );
    }

    fn hosts(api: &str) -> Hosts {
        Hosts {
            api: api.into(),
            login: api.into(),
            file: api.into(),
            push: api.into(),
        }
    }

    #[test]
    fn appends_to_a_checked_url_with_or_without_a_query() {
        let config = Config::new(1);
        let jar = CookieJar::default();
        for (raw, want) in [
            (
                "https://wx.qq.com/p",
                "https://wx.qq.com/p?fun=new&v=2&lang=zh_CN",
            ),
            (
                "https://wx.qq.com/p?",
                "https://wx.qq.com/p?fun=new&v=2&lang=zh_CN",
            ),
            (
                "https://wx.qq.com/p?t=a%2B",
                "https://wx.qq.com/p?t=a%2B&fun=new&v=2&lang=zh_CN",
            ),
        ] {
            let url = CheckedUrl::parse(raw, &[], Endpoint::LoginPoll).unwrap();
            let req = ApiRequest::at(Endpoint::Ticket, url)
                .raw("fun", "new")
                .raw("v", 2);
            assert_eq!(req.url(&ctx(&config, None, &jar)), want, "{raw}");
        }
    }

    #[test]
    fn build_checks_the_host_of_every_request() {
        let config = Config::new(1).with_allowed_host("127.0.0.1");
        let jar = CookieJar::default();
        let build = |api: &str| {
            let hosts = hosts(api);
            ApiRequest::new(Endpoint::Init)
                .raw("r", 1)
                .build(&ctx(&config, Some(&hosts), &jar))
                .map(|r| r.uri().to_string())
        };
        assert!(build("https://wx2.qq.com").is_ok());
        assert!(build("http://127.0.0.1:9").is_ok());
        // A host table that is not the policy's (a tampered saved session) sends nothing.
        assert_eq!(
            build("https://evil.example"),
            Err(Error::ForeignHost {
                host: "evil.example".into()
            })
        );
        assert!(matches!(
            build("http://wx2.qq.com"),
            Err(Error::Protocol { .. })
        ));
        assert!(matches!(
            build("https://u@wx2.qq.com"),
            Err(Error::Protocol { .. })
        ));
        // An origin that would cut the path off, or whose authority reads differently to
        // `http::Uri` (which the transports use) than to the URL parser.
        assert!(matches!(
            build("https://wx2.qq.com#"),
            Err(Error::Protocol { .. })
        ));
        assert!(matches!(
            build("https://wx2.qq.com\\@evil.example"),
            Err(Error::Protocol { .. })
        ));
    }

    #[test]
    fn build_checks_the_uri_handed_to_the_transport() {
        let config = Config::new(1);
        let jar = CookieJar::default();
        let hosts = hosts("https://wx2.qq.com");
        let request = ApiRequest::new(Endpoint::Init)
            .build(&ctx(&config, Some(&hosts), &jar))
            .unwrap();
        assert_eq!(request.uri().host(), Some("wx2.qq.com"));
        assert!(request.headers().get(http::header::HOST).is_none());
    }
}
