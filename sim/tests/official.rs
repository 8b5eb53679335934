//! The official web client's wire rules (issue 14): a session whose every request is built like
//! the official client's records no deviation, and each departure records its own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::browser::*;
use common::*;
use serde_json::{Value, json};
use std::time::Duration;
use webwx_sim::{Family, Scenario, SessionInfo, Simulator};

fn scenario() -> Scenario {
    let mut s = quick();
    // 27 contacts in 3 pages, each followed by a webwxstatreport.
    s.contacts.page_size = 10;
    s.contact_events.clear();
    s
}

fn info(sim: &Simulator, uin: u64) -> SessionInfo {
    sim.sessions().into_iter().find(|s| s.uin == uin).unwrap()
}

/// The deviations noted since the last call, by count.
struct Seen<'a> {
    sim: &'a Simulator,
    uin: u64,
    count: usize,
}

impl Seen<'_> {
    /// Asserts that the deviations noted since the last call are exactly `wanted` (each given by
    /// its beginning).
    #[track_caller]
    fn expect(&mut self, wanted: &[&str]) {
        let all = info(self.sim, self.uin).deviations;
        let new = &all[self.count..];
        assert_eq!(new.len(), wanted.len(), "wanted {wanted:?}, noted {new:?}");
        for (n, w) in new.iter().zip(wanted) {
            assert!(n.starts_with(w), "wanted {w:?}, noted {n:?}");
        }
        self.count = all.len();
    }
}

fn chat_set_groups(init: &Value) -> Vec<String> {
    init["ChatSet"]
        .as_str()
        .unwrap()
        .split(',')
        .filter(|n| n.starts_with("@@"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_session_built_like_the_official_client_records_nothing() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let b = Browser::new(&sim.base_url());
    let l = b.login().await;
    let init = b.init(&l).await;
    assert_eq!(init["BaseResponse"]["Ret"], 0);
    let me = init["User"]["UserName"].as_str().unwrap().to_string();
    let key = init["SyncKey"].clone();
    assert_eq!(b.status_notify(&l, &me).await["BaseResponse"]["Ret"], 0);
    // Contacts and the first synccheck go out together; the ChatSet's groups a little later.
    let (check, (contacts, batch)) = tokio::join!(b.synccheck(&l, &key), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let contacts = b.contacts(&l).await;
        let list = chat_set_groups(&init)
            .into_iter()
            .map(|g| json!({"UserName": g, "ChatRoomId": ""}))
            .collect();
        (contacts, b.batch(&l, list).await)
    });
    assert_eq!(check, "window.synccheck={retcode:\"0\",selector:\"0\"}");
    assert_eq!(contacts.len(), 27);
    assert_eq!(batch["Count"], 1);

    // A message in another group: synced, its group and a member fetched, answered.
    let s = info(&sim, l.uin);
    let group = s.groups[2].clone();
    let member = batch["ContactList"][0]["MemberList"][1]["UserName"]
        .as_str()
        .unwrap()
        .to_string();
    sim.inject(l.uin, Some(&group), 1, &format!("{member}:<br/>你好"))
        .unwrap();
    assert_eq!(
        b.synccheck(&l, &key).await,
        "window.synccheck={retcode:\"0\",selector:\"2\"}"
    );
    let answer = b.sync(&l, &key).await;
    assert_eq!(answer["AddMsgCount"], 1);
    let key = answer["SyncCheckKey"].clone();
    let members = b
        .batch(
            &l,
            vec![
                json!({"UserName": group, "EncryChatRoomId": ""}),
                json!({"UserName": member, "EncryChatRoomId": group}),
            ],
        )
        .await;
    assert_eq!(members["BaseResponse"]["Ret"], 0);
    let sent = b.send_text(&l, &me, &group, "收到").await;
    assert_eq!(sent["BaseResponse"]["Ret"], 0);
    b.send_text(&l, &me, "filehelper", "备忘").await;

    // Logged out on another device: synccheck says 1101, the client logs out with type 1.
    sim.end_session(l.uin, 1101);
    assert_eq!(
        b.synccheck(&l, &key).await,
        "window.synccheck={retcode:\"1101\",selector:\"0\"}"
    );
    assert_eq!(b.logout(&l, 1).await.status, 302);

    let s = info(&sim, l.uin);
    assert_eq!(s.deviations, Vec::<String>::new());
    assert_eq!((s.logouts, s.stat_reports, s.sent), (vec![1], 3, 2));

    // A push login of the same account, on a new page.
    let b = Browser::new(&sim.base_url());
    let again = b.push_login(l.uin).await;
    assert_eq!(again.uin, l.uin);
    let init = b.init(&again).await;
    assert_eq!(init["BaseResponse"]["Ret"], 0);
    b.status_notify(&again, &me).await;
    let key = init["SyncKey"].clone();
    let (check, contacts) = tokio::join!(b.synccheck(&again, &key), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        b.contacts(&again).await
    });
    assert!(
        check.starts_with("window.synccheck={retcode:\"0\""),
        "{check}"
    );
    assert_eq!(contacts.len(), 27);
    assert_eq!(b.logout(&again, 0).await.status, 302);
    let s = info(&sim, l.uin);
    assert_eq!(s.deviations, Vec::<String>::new());
    assert_eq!(s.logouts, [0]);
}

/// A logged-in, set-up session of the official client (init, statusnotify, contacts, a first
/// synccheck, the ChatSet's groups).
async fn set_up(sim: &Simulator, b: &Browser) -> (Login, Value) {
    let l = b.login().await;
    let init = b.init(&l).await;
    let me = init["User"]["UserName"].as_str().unwrap().to_string();
    b.status_notify(&l, &me).await;
    let key = init["SyncKey"].clone();
    tokio::join!(b.synccheck(&l, &key), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        b.contacts(&l).await;
    });
    let list = chat_set_groups(&init)
        .into_iter()
        .map(|g| json!({"UserName": g, "ChatRoomId": ""}))
        .collect();
    b.batch(&l, list).await;
    assert_eq!(info(sim, l.uin).deviations, Vec::<String>::new());
    (l, init)
}

#[tokio::test]
async fn each_departure_in_a_session_records_its_deviation() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let b = Browser::new(&sim.base_url());
    let (l, init) = set_up(&sim, &b).await;
    let me = init["User"]["UserName"].as_str().unwrap().to_string();
    let key = init["SyncKey"].clone();
    let mut seen = Seen {
        sim: &sim,
        uin: l.uin,
        count: 0,
    };
    let cookies = |h: Vec<(&'static str, String)>| Browser::with_cookies(h, &l);

    // R4 params: webwxgetcontact in the order of the JavaScript literal, not Angular's.
    let path = format!(
        "/cgi-bin/mmwebwx-bin/webwxgetcontact?skey={}&pass_ticket={}&seq=0&r=1&lang=zh_CN",
        l.skey,
        pt2(&l.pass_ticket)
    );
    get(&b.base, &path, &cookies(b.angular_headers(false))).await;
    b.stat_report(&l).await;
    seen.expect(&[
        "params: webwxgetcontact sent skey,pass_ticket,seq,r,lang (official: lang,pass_ticket,r,seq,skey)",
    ]);

    // R4 pass_ticket as issued (once), and skey %40-encoded where the official client writes @.
    let body = json!({"BaseRequest": b.base_request(&l), "SyncKey": key, "rr": -1});
    let once = format!(
        "/cgi-bin/mmwebwx-bin/webwxsync?sid={}&skey={}&lang=zh_CN&pass_ticket={}",
        l.sid,
        l.skey.replace('@', "%40"),
        l.pass_ticket
    );
    assert_eq!(
        b.post(&l, &once, &body).await.json()["BaseResponse"]["Ret"],
        0
    );
    seen.expect(&[
        "pass-ticket: webwxsync encoded once (official: encoded again, %2B as %252B)",
        "encoding: webwxsync skey as %40 (official: a raw @)",
    ]);
    let path = b
        .api(&l, "webwxstatusnotify", "")
        .replace("pass_ticket=", "pass_ticket=x");
    let body = json!({"BaseRequest": b.base_request(&l), "Code": 3, "FromUserName": me, "ToUserName": me, "ClientMsgId": 1});
    b.post(&l, &path, &body).await;
    let path = b
        .api(&l, "webwxstatusnotify", "")
        .replace(&format!("&pass_ticket={}", pt2(&l.pass_ticket)), "");
    let body = json!({"BaseRequest": b.base_request(&l), "Code": 3, "FromUserName": me, "ToUserName": me, "ClientMsgId": 1});
    b.post(&l, &path, &body).await;
    seen.expect(&[
        "pass-ticket: webwxstatusnotify neither",
        "params: webwxstatusnotify sent lang (official: lang,pass_ticket)",
        "pass-ticket: webwxstatusnotify without it",
    ]);

    // R2 DeviceID: kept for two requests; not e + 15 digits. R11: a string Uin after init.
    let id = b.device_id();
    for rr in [-1, -2] {
        let body = json!({"BaseRequest": {"Uin": l.uin, "Sid": l.sid, "Skey": l.skey, "DeviceID": id},
            "SyncKey": key, "rr": rr});
        b.post(
            &l,
            &b.api(&l, "webwxsync", &format!("sid={}&skey={}&", l.sid, l.skey)),
            &body,
        )
        .await;
    }
    seen.expect(&["device-id: the same DeviceID as the previous request"]);
    let body = json!({"BaseRequest": {"Uin": l.uin.to_string(), "Sid": l.sid, "Skey": l.skey,
        "DeviceID": "e12345"}, "SyncKey": key, "rr": -3});
    b.post(
        &l,
        &b.api(&l, "webwxsync", &format!("sid={}&skey={}&", l.sid, l.skey)),
        &body,
    )
    .await;
    seen.expect(&[
        "device-id: a DeviceID that is not e + 15 digits",
        "uin: BaseRequest.Uin a string after webwxinit (official: the number of User.Uin)",
    ]);

    // R1 LocalID / ClientMsgId.
    let send = b.api(&l, "webwxsendmsg", "");
    let mut msg = b.text_body(&l, &me, "filehelper", "x");
    msg["Msg"]["LocalID"] = json!(17_640_000_001_230_456_u64);
    msg["Msg"]["ClientMsgId"] = json!(17_640_000_001_230_456_u64);
    b.post(&l, &send, &msg).await;
    seen.expect(&["local-id: LocalID or ClientMsgId not a string"]);
    let mut msg = b.text_body(&l, &me, "filehelper", "x");
    msg["Msg"]["ClientMsgId"] = json!(b.local_id());
    b.post(&l, &send, &msg).await;
    seen.expect(&["local-id: LocalID and ClientMsgId differ"]);
    let mut msg = b.text_body(&l, &me, "filehelper", "x");
    msg["Msg"]["LocalID"] = json!("1764000000123");
    msg["Msg"]["ClientMsgId"] = json!("1764000000123");
    b.post(&l, &send, &msg).await;
    seen.expect(&["local-id: LocalID not 13-digit ms + 0 + 3 digits"]);

    // R5 headers.
    let mut h = cookies(b.angular_headers(true));
    h.retain(|(k, _)| *k != "origin" && *k != "sec-fetch-dest");
    let text = official_json(&b.text_body(&l, &me, "filehelper", "x"));
    common::send(&b.base, "POST", &send, &h, text)
        .await
        .unwrap();
    seen.expect(&["headers: an Angular call without Sec-Fetch-Dest, Origin"]);
    for (name, value, wanted) in [
        (
            "accept",
            "*/*",
            "headers: an Angular call with Accept `*/*`",
        ),
        (
            "origin",
            "http://evil.example",
            "headers: an Angular call with Origin",
        ),
        (
            "referer",
            "http://127.0.0.1/",
            "headers: an Angular call with Referer",
        ),
        (
            "sec-ch-ua",
            "\"Google Chrome\";v=\"119\"",
            "headers: an Angular call with sec-ch-ua",
        ),
        (
            "content-type",
            "text/plain",
            "headers: an Angular call with Content-Type `text/plain`",
        ),
        (
            "accept-encoding",
            "gzip",
            "headers: an Angular call with Accept-Encoding `gzip`",
        ),
        (
            "sec-fetch-mode",
            "navigate",
            "headers: an Angular call with Sec-Fetch-Mode",
        ),
    ] {
        let mut h = cookies(b.angular_headers(true));
        h.retain(|(k, _)| *k != name);
        h.push((name, value.into()));
        let text = official_json(&b.text_body(&l, &me, "filehelper", "x"));
        common::send(&b.base, "POST", &send, &h, text)
            .await
            .unwrap();
        seen.expect(&[wanted]);
    }

    // R3 and R4 on synccheck: `_` is the time; `_` skips; skey with a raw @; a raw | in synckey.
    let check = |path: String| {
        let h = cookies(b.script_headers());
        let base = b.base.clone();
        async move { get(&base, &path, &h).await.text() }
    };
    let r = now_ms();
    let path = b
        .synccheck_path(&l, &key)
        .replacen("?r=", &format!("?r={r}&x="), 1);
    let path = format!(
        "{}{r}",
        path.rsplit_once("&_=").unwrap().0.to_string() + "&_="
    );
    check(path).await;
    // (A jump to the time reads as a reloaded page; `_ == r` is what gives it away.)
    seen.expect(&[
        "params: synccheck sent r,x,skey",
        "underscore: synccheck `_` equals its r",
    ]);
    let path = b.synccheck_path(&l, &key).replace("%40crypt", "@crypt");
    check(path).await;
    // Back to the page's own counter: lower than the time it jumped to.
    seen.expect(&[
        "underscore: synccheck `_` does not go up by 1",
        "encoding: synccheck skey with a raw @ (official: %40)",
    ]);
    let path = b.synccheck_path(&l, &key).replace("%7C", "|");
    check(path).await;
    seen.expect(&["encoding: synccheck synckey with a raw | (official: %7C)"]);
    let mut h = cookies(b.script_headers());
    h.retain(|(k, _)| *k != "referer");
    h.push(("referer", b.page_url() + "#x"));
    get(&b.base, &b.synccheck_path(&l, &key), &h).await;
    seen.expect(&["headers: a script call with Referer"]);
}

#[tokio::test]
async fn each_departure_in_the_contacts_and_at_logout_records_its_deviation() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let b = Browser::new(&sim.base_url());
    let (l, init) = set_up(&sim, &b).await;
    let key = init["SyncKey"].clone();
    let mut seen = Seen {
        sim: &sim,
        uin: l.uin,
        count: 0,
    };

    // R7 and R6 batchgetcontact.
    let group = info(&sim, l.uin).groups[1].clone();
    let chat_group = chat_set_groups(&init)[0].clone();
    b.batch(
        &l,
        vec![json!({"UserName": chat_group, "EncryChatRoomId": chat_group})],
    )
    .await;
    seen.expect(&["batch: a group entry with the group's own EncryChatRoomId (official: empty)"]);
    b.batch(&l, vec![json!({"UserName": chat_group})]).await;
    seen.expect(&["batch: an entry with {UserName}"]);
    b.batch(&l, vec![json!({"UserName": group, "ChatRoomId": ""})])
        .await;
    seen.expect(&["batch: a group outside ChatSet and the message peers"]);

    // R10 webwxstatreport bodies.
    let report = b.api(&l, "webwxstatreport", "fun=new&");
    let mut body = b.stat_report_body(&l);
    body["BaseRequest"]["Skey"] = json!(l.skey);
    body["Count"] = json!(2);
    b.post(&l, &report, &body).await;
    seen.expect(&[
        "statreport: BaseRequest with Skey",
        "statreport: Count is not the List's length",
    ]);
    let mut body = b.stat_report_body(&l);
    body["List"][0]["Text"] = json!("not json");
    body["List"][0]["Type"] = json!(7);
    assert_eq!(
        b.post(&l, &report, &body).await.json()["BaseResponse"]["Ret"],
        0
    );
    seen.expect(&[
        "statreport: an entry Type other than 1, 2, 16",
        "statreport: an entry whose Text is not JSON with a type",
    ]);

    // R10: a contact page, then the next one without the first one's report.
    b.contact_page(&l, 0).await;
    b.contact_page(&l, 10).await;
    seen.expect(&[]);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    seen.expect(&["statreport: no webwxstatreport after a contact page"]);
    // R6: at most 17 contact requests (3 + 2 made so far).
    for _ in 0..13 {
        b.contact_page(&l, 0).await;
        b.stat_report(&l).await;
    }
    seen.expect(&["contacts: more than 17 webwxgetcontact requests"]);

    // R9: logged out elsewhere (1101) but the logout says type 0.
    sim.end_session(l.uin, 1101);
    b.synccheck(&l, &key).await;
    b.logout(&l, 0).await;
    seen.expect(&["logout: type=0 after synccheck 1101 (official: type=1)"]);
    assert_eq!(info(&sim, l.uin).logouts, [0]);
}

#[tokio::test]
async fn departures_before_and_at_login_are_noted_with_the_session() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let b = Browser::new(&sim.base_url());
    let deviations = |uin| info(&sim, uin).deviations;

    // R3: a jslogin without `_`, a poll that skips a dozen.
    let redirect = b.origin.clone() + "%2Fcgi-bin%2Fmmwebwx-bin%2Fwebwxnewloginpage";
    let r = get(
        &b.base,
        &format!("/jslogin?appid=wx782c26e4c19acffb&redirect_uri={redirect}&fun=new&lang=zh_CN"),
        &b.script_headers(),
    )
    .await;
    let uuid = between(&r.text(), "uuid = \"", "\"").unwrap().to_string();
    let redirect = b.wait_for_redirect(&uuid).await;
    let l = b.ticket(&redirect).await;
    assert_eq!(
        deviations(l.uin),
        [
            "params: jslogin sent appid,redirect_uri,fun,lang (official: appid,redirect_uri,fun,lang,_)",
            "underscore: jslogin without `_`"
        ]
    );

    let uuid = b.jslogin().await;
    // More numbers skipped than requests lost on the way explain.
    for _ in 0..12 {
        b.nonce();
    }
    let redirect = b.wait_for_redirect(&uuid).await;
    // R4: the ticket without the page's lang; R5: as a plain GET without Sec-Fetch-*.
    let path = redirect.splitn(4, '/').nth(3).unwrap();
    let mut h = b.angular_headers(false);
    h.retain(|(k, _)| !k.starts_with("sec-fetch"));
    let l = login_from(
        &get(&b.base, &format!("/{path}&fun=new&version=v2"), &h).await,
        &redirect,
    );
    assert_eq!(
        deviations(l.uin),
        [
            "underscore: login `_` does not go up by 1 (official: jQuery's counter)",
            "params: webwxnewloginpage sent ticket,uuid,lang,scan,fun,version (official: ticket,uuid,lang,scan,fun,version,lang)",
            "headers: an Angular call without Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest"
        ]
    );

    // R11: webwxinit with a number Uin and an `r` that is now, not the page load; R4: r positive.
    let l = b.login().await;
    let body = || json!({"BaseRequest": b.base_request(&l)});
    let path = b.api(&l, "webwxinit", &format!("r={}&", js_not(now_ms())));
    assert_eq!(
        b.post(&l, &path, &body()).await.json()["BaseResponse"]["Ret"],
        0
    );
    let path = b.api(&l, "webwxinit", &format!("r={}&", now_ms()));
    b.post(&l, &path, &body()).await;
    assert_eq!(
        deviations(l.uin),
        [
            "uin: webwxinit BaseRequest.Uin a number (official: a string, as the ticket gave it)",
            "init-r: webwxinit r is not ~(the page-load time of the jslogin's `_`)",
            "params: webwxinit r is not ~ms, negative"
        ]
    );

    // R6: the group members before the first synccheck, and the first synccheck long after
    // the contacts.
    let l = b.login().await;
    let init = b.init(&l).await;
    let me = init["User"]["UserName"].as_str().unwrap().to_string();
    b.status_notify(&l, &me).await;
    b.contacts(&l).await;
    let list = chat_set_groups(&init)
        .into_iter()
        .map(|g| json!({"UserName": g, "ChatRoomId": ""}))
        .collect();
    b.batch(&l, list).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    b.synccheck(&l, &init["SyncKey"]).await;
    assert_eq!(
        deviations(l.uin),
        [
            "setup: the first webwxbatchgetcontact before the first synccheck (synccheck waited for the group members)",
            "setup: the first synccheck waited for the contacts (official: right after webwxinit)"
        ]
    );

    // R3 and R5 on webwxpushloginurl: a `_`, and no X-Requested-With.
    let mut h = b.jquery_headers();
    h.retain(|(k, _)| *k != "x-requested-with");
    let r = get(
        &b.base,
        &format!("/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={}&_=1", l.uin),
        &h,
    )
    .await
    .json();
    let redirect = b.wait_for_redirect(r["uuid"].as_str().unwrap()).await;
    let again = b.ticket(&redirect).await;
    assert_eq!(
        deviations(again.uin),
        [
            "params: webwxpushloginurl sent uin,_ (official: uin)",
            "underscore: webwxpushloginurl with `_` (official: none, a jQuery JSON call)",
            "headers: a jQuery JSON call without X-Requested-With"
        ]
    );
}

#[tokio::test]
async fn the_login_poll_after_a_push_login_goes_to_the_familys_login_host() {
    let mut s = scenario();
    s.family = Family::Wx2;
    let sim = Simulator::start(s).await.unwrap();
    let base = sim.base_url();
    let mut b = Browser::new(&base);
    b.origin = "https://wx2.qq.com".into();
    let l = b.login().await;
    let host = |h: &str| vec![("host", h.to_string())];
    let mut h = b.jquery_headers();
    h.extend(host("wx2.qq.com"));
    let r = get(
        &base,
        &format!("/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={}", l.uin),
        &h,
    )
    .await
    .json();
    let uuid = r["uuid"].as_str().unwrap().to_string();
    let poll = |uuid: String, h: &'static str| {
        let mut headers = b.script_headers();
        headers.extend(host(h));
        let path = b.poll_path(&uuid, 1);
        let base = base.clone();
        async move {
            let r = get(&base, &path, &headers).await.text();
            between(&r, "window.redirect_uri=\"", "\"")
                .unwrap()
                .to_string()
        }
    };
    // On the API host: noted.
    let redirect = poll(uuid, "wx2.qq.com").await;
    let again = b.ticket(&redirect).await;
    assert_eq!(
        info(&sim, again.uin).deviations,
        [
            "hosts: the login poll after webwxpushloginurl not on login.wx2.qq.com (official: the family's login host)"
        ]
    );
    // On the family's login host: nothing.
    let r = get(
        &base,
        &format!("/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={}", l.uin),
        &h,
    )
    .await
    .json();
    let redirect = poll(r["uuid"].as_str().unwrap().to_string(), "login.wx2.qq.com").await;
    let again = b.ticket(&redirect).await;
    assert_eq!(info(&sim, again.uin).deviations, Vec::<String>::new());
}
