//! The page of the official client this client stands for: when it loaded (jQuery's `_`
//! counter and webwxinit's `r` start from it), how many script calls it made, and the timings it
//! reports in `webwxstatreport`.

use crate::Timestamp;
use crate::rng::Rng;

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Page {
    /// When it loaded: the first time a request was built.
    pub(super) loaded_at: Option<Timestamp>,
    /// Calls made as scripts (jslogin, login poll, synccheck) so far.
    pub(super) script_calls: u64,
    /// Files handed to WebUploader so far (its `WU_FILE_<n>` ids count them from 0).
    pub(super) files: u64,
    /// The app's timings, as the page records them (`M.report(timing, …)`).
    pub(super) timing: AppTiming,
    /// The browser's `performance.timing` of the page load, drawn once.
    navigation: Option<PageTiming>,
}

/// The page's `appTiming`: milliseconds of each step of the login, in the order the page records
/// them (a JSON object keeps its first insertion order).
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AppTiming {
    #[serde(skip_serializing_if = "Option::is_none")]
    qrcode_start: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qrcode_end: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scan: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    login_end: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    init_start: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    init_end: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    init_contact_start: Option<u64>,
}

impl AppTiming {
    /// jslogin was sent at `sent` and answered at `now` (the QR code shows).
    pub(super) fn qrcode(&mut self, sent: Timestamp, now: Timestamp) {
        self.qrcode_start = Some(sent.as_unix_millis());
        self.qrcode_end = Some(now.as_unix_millis());
    }

    /// The phone scanned.
    pub(super) fn scanned(&mut self, now: Timestamp) {
        self.scan = Some(now.as_unix_millis());
    }

    /// The phone confirmed.
    pub(super) fn login_end(&mut self, now: Timestamp) {
        self.login_end = Some(now.as_unix_millis());
    }

    /// webwxinit was sent at `sent` and answered at `now`.
    pub(super) fn init(&mut self, sent: Timestamp, now: Timestamp) {
        self.init_start = Some(sent.as_unix_millis());
        self.init_end = Some(now.as_unix_millis());
    }

    /// The contact pages start.
    pub(super) fn init_contact_start(&mut self, now: Timestamp) {
        self.init_contact_start = Some(now.as_unix_millis());
    }
}

/// `window.performance.timing` as Chrome serialises it (its IDL order), for a page that
/// loaded fresh over https: no unload, no redirect.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PageTiming {
    navigation_start: u64,
    unload_event_start: u64,
    unload_event_end: u64,
    redirect_start: u64,
    redirect_end: u64,
    fetch_start: u64,
    domain_lookup_start: u64,
    domain_lookup_end: u64,
    connect_start: u64,
    connect_end: u64,
    secure_connection_start: u64,
    request_start: u64,
    response_start: u64,
    response_end: u64,
    dom_loading: u64,
    dom_interactive: u64,
    dom_content_loaded_event_start: u64,
    dom_content_loaded_event_end: u64,
    dom_complete: u64,
    load_event_start: u64,
    load_event_end: u64,
}

impl PageTiming {
    /// A plausible load of the page whose scripts ran at `loaded` (jQuery's clock starts there,
    /// while the document is parsed): network times before it, DOM events after it, each step
    /// drawn from `rng` within what a page of this size takes.
    fn around(loaded: u64, rng: &mut Rng) -> PageTiming {
        let mut ms = |lo: u64, hi: u64| lo + rng.below(hi - lo + 1);
        let dom_loading_before = ms(40, 160);
        let dom_loading = loaded.saturating_sub(dom_loading_before);
        let response_end = dom_loading.saturating_sub(ms(1, 6));
        let response_start = response_end.saturating_sub(ms(2, 30));
        let request_start = response_start.saturating_sub(ms(30, 140));
        let connect_end = request_start.saturating_sub(ms(0, 2));
        let secure_connection_start = connect_end.saturating_sub(ms(20, 70));
        let connect_start = secure_connection_start.saturating_sub(ms(10, 40));
        let domain_lookup_end = connect_start;
        let domain_lookup_start = domain_lookup_end.saturating_sub(ms(1, 30));
        let fetch_start = domain_lookup_start.saturating_sub(ms(0, 3));
        let navigation_start = fetch_start.saturating_sub(ms(1, 8));
        let dom_interactive = loaded + ms(60, 300);
        let dom_content_loaded_event_start = dom_interactive + ms(0, 3);
        let dom_content_loaded_event_end = dom_content_loaded_event_start + ms(2, 40);
        let dom_complete = dom_content_loaded_event_end + ms(100, 700);
        let load_event_start = dom_complete;
        let load_event_end = load_event_start + ms(0, 4);
        PageTiming {
            navigation_start,
            unload_event_start: 0,
            unload_event_end: 0,
            redirect_start: 0,
            redirect_end: 0,
            fetch_start,
            domain_lookup_start,
            domain_lookup_end,
            connect_start,
            connect_end,
            secure_connection_start,
            request_start,
            response_start,
            response_end,
            dom_loading,
            dom_interactive,
            dom_content_loaded_event_start,
            dom_content_loaded_event_end,
            dom_complete,
            load_event_start,
            load_event_end,
        }
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TimingData<'a> {
    app_timing: &'a AppTiming,
    page_timing: &'a PageTiming,
}

#[derive(serde::Serialize)]
struct TimingReport<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    data: TimingData<'a>,
}

impl Page {
    /// The `Text` of the page's `[app-timing]` report at `now`:
    /// `{"type":"[app-timing]","data":{"appTiming":{…},"pageTiming":{…}}}`.
    pub(super) fn timing_report(&mut self, rng: &mut Rng, now: Timestamp) -> String {
        let loaded = self.loaded_at.unwrap_or(now).as_unix_millis();
        let navigation = self
            .navigation
            .get_or_insert_with(|| PageTiming::around(loaded, rng));
        let report = TimingReport {
            kind: "[app-timing]",
            data: TimingData {
                app_timing: &self.timing,
                page_timing: navigation,
            },
        };
        // Our own plain types: serializing them cannot fail.
        serde_json::to_string(&report).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_reads_like_the_page_s() {
        let mut page = Page {
            loaded_at: Some(Timestamp::from_unix_millis(1_764_000_000_000)),
            ..Page::default()
        };
        let t = |ms: u64| Timestamp::from_unix_millis(1_764_000_000_000 + ms);
        page.timing.qrcode(t(10), t(90));
        page.timing.scanned(t(5_000));
        page.timing.login_end(t(8_000));
        page.timing.init(t(8_100), t(8_300));
        page.timing.init_contact_start(t(8_301));
        let mut rng = Rng::from_seed(1);
        let text = page.timing_report(&mut rng, t(9_000));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["type"], "[app-timing]");
        let app: Vec<&String> = v["data"]["appTiming"].as_object().unwrap().keys().collect();
        assert_eq!(app.len(), 7);
        assert!(text.contains(r#""appTiming":{"qrcodeStart":1764000000010,"qrcodeEnd":1764000000090,"scan":1764000005000"#));
        let p = &v["data"]["pageTiming"];
        let at = |k: &str| p[k].as_u64().unwrap();
        let order = [
            "navigationStart",
            "fetchStart",
            "domainLookupStart",
            "connectStart",
            "secureConnectionStart",
            "requestStart",
            "responseStart",
            "responseEnd",
            "domLoading",
            "domInteractive",
            "domContentLoadedEventStart",
            "domComplete",
            "loadEventEnd",
        ];
        for pair in order.windows(2) {
            assert!(at(pair[0]) <= at(pair[1]), "{pair:?}");
        }
        assert!(at("domLoading") <= 1_764_000_000_000 && at("domInteractive") > 1_764_000_000_000);
        assert_eq!(at("redirectStart"), 0);
        // Drawn once: the next report carries the same page timing.
        let again = page.timing_report(&mut rng, t(9_500));
        assert_eq!(again, text);
    }
}
