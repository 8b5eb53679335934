//! The simulator speaks the real formats and checks calls like the real server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use serde_json::json;
use std::time::Duration;
use webwx_sim::{ContactSpec, Family, Fault, FaultRule, Refusal, Scenario, Simulator};

#[tokio::test]
async fn a_whole_session_in_the_real_formats() {
    let mut scenario = quick();
    scenario.contacts = ContactSpec {
        friends: 7,
        groups: 2,
        members_per_group: 3,
        officials: 1,
        page_size: 4,
    };
    let sim = Simulator::start(scenario).await.unwrap();
    let base = sim.base_url();

    let js = get(
        &base,
        "/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN&_=1",
        &[],
    )
    .await;
    assert!(
        js.text()
            .starts_with("window.QRLogin.code = 200; window.QRLogin.uuid = \""),
        "{}",
        js.text()
    );
    let id = between(&js.text(), "uuid = \"", "\"").unwrap().to_string();
    let png = get(&base, &format!("/qrcode/{id}"), &[]).await;
    assert_eq!(png.headers["content-type"], "image/png");
    assert!(png.body.starts_with(b"\x89PNG\r\n\x1a\n"));

    let scanned = poll(&base, &id).await;
    assert!(
        scanned.starts_with("window.code=201;window.userAvatar = 'data:img/jpg;base64,"),
        "{scanned}"
    );
    let confirmed = poll(&base, &id).await;
    let redirect = between(&confirmed, "window.redirect_uri=\"", "\"")
        .unwrap()
        .to_string();
    assert!(
        redirect.starts_with(&format!(
            "{base}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket="
        )),
        "{redirect}"
    );
    let reply = ticket(&base, &redirect).await;
    let xml = reply.text();
    assert!(
        xml.starts_with("<error><ret>0</ret><message></message><skey>@crypt_"),
        "{xml}"
    );
    let l = login_from(&reply, &redirect);
    for c in [
        "wxuin",
        "wxsid",
        "webwx_data_ticket",
        "webwx_auth_ticket",
        "webwxuvid",
        "mm_lang",
    ] {
        assert!(l.cookies.contains_key(c), "{c}");
    }
    assert!(
        l.pass_ticket.contains("%2B") && l.pass_ticket.contains("%3D"),
        "pass_ticket arrives URL-encoded"
    );
    // The ticket is single-use.
    assert!(
        ticket(&base, &redirect)
            .await
            .text()
            .contains("<ret>-14</ret>")
    );

    let init = init(&base, &l).await;
    assert_eq!(init["BaseResponse"]["Ret"], 0);
    assert_eq!(init["User"]["Uin"], l.uin);
    assert_eq!(init["SyncKey"]["Count"], 4);
    assert_eq!(init["InviteStartCount"], 40);
    assert_eq!(init["SKey"], l.skey.as_str());

    let notify = post_json(
        &base,
        &api(&l, "webwxstatusnotify", "&lang=zh_CN"),
        &[l.cookie_header()],
        &json!({"BaseRequest": l.base_request(), "Code": 3, "FromUserName": init["User"]["UserName"],
                "ToUserName": init["User"]["UserName"], "ClientMsgId": 1}),
    )
    .await
    .json();
    assert_eq!(notify["BaseResponse"]["Ret"], 0);

    // Contacts page by Seq: 7 friends + 2 groups + 1 official + filehelper + weixin = 12.
    let mut seq = 0;
    let mut all = vec![];
    let mut pages = 0;
    loop {
        let page = get(
            &base,
            &api(
                &l,
                "webwxgetcontact",
                &format!("&r=1&seq={seq}&skey={}", l.skey),
            ),
            &[l.cookie_header()],
        )
        .await
        .json();
        assert_eq!(page["BaseResponse"]["Ret"], 0);
        all.extend(page["MemberList"].as_array().unwrap().clone());
        pages += 1;
        seq = page["Seq"].as_u64().unwrap();
        if seq == 0 {
            break;
        }
    }
    assert_eq!((all.len(), pages), (12, 3));
    let groups: Vec<_> = all
        .iter()
        .filter(|c| c["UserName"].as_str().unwrap().starts_with("@@"))
        .collect();
    let list: Vec<_> = groups
        .iter()
        .map(|g| json!({"UserName": g["UserName"], "EncryChatRoomId": ""}))
        .collect();
    let batch = post_json(
        &base,
        &api(&l, "webwxbatchgetcontact", "&type=ex&r=1"),
        &[l.cookie_header()],
        &json!({"BaseRequest": l.base_request(), "Count": list.len(), "List": list}),
    )
    .await
    .json();
    assert_eq!(batch["Count"], 2);
    assert_eq!(
        batch["ContactList"][0]["MemberList"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Nothing new: synccheck is held, then selector 0.
    let key = init["SyncKey"].clone();
    let started = std::time::Instant::now();
    assert_eq!(
        synccheck(&base, &l, &key).await,
        "window.synccheck={retcode:\"0\",selector:\"0\"}"
    );
    assert!(started.elapsed() >= Duration::from_millis(250));

    // A message arrives while synccheck is held: selector 2 at once.
    let sim_ref = &sim;
    let (check, _) = tokio::join!(synccheck(&base, &l, &key), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        sim_ref
            .inject_text(l.uin, None, "你好 &lt;sim&gt;")
            .unwrap()
    });
    assert_eq!(check, "window.synccheck={retcode:\"0\",selector:\"2\"}");
    let answer = sync(&base, &l, &key).await.json();
    assert_eq!(answer["AddMsgCount"], 1);
    assert_eq!(answer["AddMsgList"][0]["Content"], "你好 &lt;sim&gt;");
    assert_eq!(answer["SyncCheckKey"]["Count"], 5);
    // Posting the old key again fetches the same message again (a lost answer is not lost);
    // the new key has nothing.
    assert_eq!(sync(&base, &l, &key).await.json()["AddMsgCount"], 1);
    let key2 = answer["SyncKey"].clone();
    assert_eq!(sync(&base, &l, &key2).await.json()["AddMsgCount"], 0);

    // A send is recorded; a retry with the same LocalID is the same message.
    let send = |local: &str| {
        json!({"BaseRequest": l.base_request(), "Msg": {"Type": 1, "Content": "回复", "FromUserName": init["User"]["UserName"],
               "ToUserName": "filehelper", "LocalID": local, "ClientMsgId": local}, "Scene": 0})
    };
    let s1 = post_json(
        &base,
        &api(&l, "webwxsendmsg", ""),
        &[l.cookie_header()],
        &send("17640000000001234"),
    )
    .await
    .json();
    let s2 = post_json(
        &base,
        &api(&l, "webwxsendmsg", ""),
        &[l.cookie_header()],
        &send("17640000000001234"),
    )
    .await
    .json();
    assert_eq!(s1["MsgID"], s2["MsgID"]);
    assert_eq!(s1["LocalID"], "17640000000001234");
    let sent = sim.sent(l.uin).unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].to.as_str(), sent[0].content.as_str()),
        ("filehelper", "回复")
    );
    // These helpers do not build requests like the official client (sim/tests/official.rs
    // does): the departures are noted, the answers are the same.
    assert!(!sim.sessions()[0].deviations.is_empty());

    // Logout ends the session: synccheck then says 1101.
    let out = send_form(&base, &l).await;
    assert_eq!(out.status, 302);
    assert_eq!(
        synccheck(&base, &l, &key2).await,
        "window.synccheck={retcode:\"1101\",selector:\"0\"}"
    );
    assert_eq!(init_again(&base, &l).await, 1101);
}

async fn send_form(base: &str, l: &Login) -> Reply {
    send(
        base,
        "POST",
        &format!(
            "/cgi-bin/mmwebwx-bin/webwxlogout?redirect=1&type=0&skey={}",
            l.skey
        ),
        &[
            l.cookie_header(),
            ("content-type", "application/x-www-form-urlencoded".into()),
        ],
        format!("sid={}&uin={}", l.sid, l.uin).into_bytes(),
    )
    .await
    .unwrap()
}

async fn init_again(base: &str, l: &Login) -> i64 {
    init(base, l).await["BaseResponse"]["Ret"].as_i64().unwrap()
}

#[tokio::test]
async fn calls_are_checked_like_the_real_server() {
    let sim = Simulator::start(quick()).await.unwrap();
    let base = sim.base_url();
    let l = login(&base).await;
    let key = init(&base, &l).await["SyncKey"].clone();

    let mut wrong = l.clone();
    wrong.skey = "@crypt_wrong".into();
    assert_eq!(init_again(&base, &wrong).await, 1100, "wrong skey");
    let mut wrong = l.clone();
    wrong.sid = "nope".into();
    assert_eq!(init_again(&base, &wrong).await, 1101, "wrong sid");
    let mut wrong = l.clone();
    wrong.uin = 1;
    assert_eq!(init_again(&base, &wrong).await, 1101, "unknown uin");
    let mut wrong = l.clone();
    wrong.cookies.clear();
    assert_eq!(init_again(&base, &wrong).await, 1101, "no cookies");
    assert_eq!(
        synccheck(&base, &wrong, &key).await,
        "window.synccheck={retcode:\"1102\",selector:\"0\"}"
    );
    let bad_key = json!({"Count": 1, "List": [{"Key": 1, "Val": 5}]});
    assert_eq!(
        synccheck(&base, &l, &bad_key).await,
        "window.synccheck={retcode:\"1102\",selector:\"0\"}"
    );
    assert_eq!(
        sync(&base, &l, &bad_key).await.json()["BaseResponse"]["Ret"],
        1102
    );
    let no_base = post_json(
        &base,
        &api(&l, "webwxinit", ""),
        &[l.cookie_header()],
        &json!({}),
    )
    .await
    .json();
    assert_eq!(no_base["BaseResponse"]["Ret"], 1101);
    let list: Vec<_> = (0..51)
        .map(|i| json!({"UserName": format!("@@{i}"), "EncryChatRoomId": ""}))
        .collect();
    let batch = post_json(
        &base,
        &api(&l, "webwxbatchgetcontact", "&type=ex"),
        &[l.cookie_header()],
        &json!({"BaseRequest": l.base_request(), "Count": 51, "List": list}),
    )
    .await
    .json();
    assert_eq!(batch["BaseResponse"]["Ret"], 1, "at most 50 a request");

    // The pass_ticket as issued (the official client encodes it again) is answered, as the real
    // server does, but noted; so is one that is neither.
    let r = post_json(
        &base,
        &format!(
            "/cgi-bin/mmwebwx-bin/webwxinit?pass_ticket={}",
            l.pass_ticket
        ),
        &[l.cookie_header()],
        &json!({"BaseRequest": l.base_request()}),
    )
    .await
    .json();
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    let r = post_json(
        &base,
        "/cgi-bin/mmwebwx-bin/webwxinit?pass_ticket=nonsense",
        &[l.cookie_header()],
        &json!({"BaseRequest": l.base_request()}),
    )
    .await
    .json();
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    let deviations = &sim.sessions()[0].deviations;
    for d in [
        "pass-ticket: webwxinit encoded once (official: encoded again, %2B as %252B)",
        "pass-ticket: webwxinit neither the issued value nor it encoded again",
    ] {
        assert!(deviations.iter().any(|x| x == d), "{deviations:?}");
    }

    // The phone logs out: 1100 on the next synccheck.
    assert!(sim.end_session(l.uin, 1100));
    assert_eq!(
        synccheck(&base, &l, &key).await,
        "window.synccheck={retcode:\"1100\",selector:\"0\"}"
    );
    // An ended session takes no more messages.
    assert_eq!(sim.inject_text(l.uin, None, "too late"), None);
    assert_eq!(sim.inject_text(1, None, "nobody"), None);
}

#[tokio::test]
async fn the_phone_expires_cancels_and_refuses_as_scripted() {
    let mut s = quick();
    s.phone.expire_first = 1;
    s.phone.cancel_first = 1;
    let sim = Simulator::start(s).await.unwrap();
    let base = sim.base_url();
    let first = uuid(&base).await;
    assert_eq!(poll(&base, &first).await, "window.code=400;");
    let second = uuid(&base).await;
    assert!(poll(&base, &second).await.starts_with("window.code=201;"));
    assert_eq!(poll(&base, &second).await, "window.code=202;");
    let l = login(&base).await;
    assert!(l.uin > 0);

    let mut s = quick();
    s.phone.refuse = Some(Refusal::web_login_blocked());
    let sim = Simulator::start(s).await.unwrap();
    let base = sim.base_url();
    let id = uuid(&base).await;
    poll(&base, &id).await;
    let r = poll(&base, &id).await;
    let redirect = between(&r, "window.redirect_uri=\"", "\"")
        .unwrap()
        .to_string();
    let refused = ticket(&base, &redirect).await.text();
    assert_eq!(
        refused,
        format!(
            "<error><ret>1203</ret><message>{}</message></error>",
            Refusal::web_login_blocked().message
        )
    );

    // Nobody scans: 408 after the hold time.
    let mut s = quick();
    s.phone.scan_after_ms = 60_000;
    s.login_hold_ms = 200;
    let sim = Simulator::start(s).await.unwrap();
    let id = uuid(&sim.base_url()).await;
    assert_eq!(poll(&sim.base_url(), &id).await, "window.code=408;");
}

#[tokio::test]
async fn a_ticket_request_without_version_v2_gets_a_301_without_location() {
    let sim = Simulator::start(quick()).await.unwrap();
    let base = sim.base_url();
    let id = uuid(&base).await;
    let redirect = loop {
        let r = poll(&base, &id).await;
        if let Some(u) = between(&r, "window.redirect_uri=\"", "\"") {
            break u.to_string();
        }
    };
    // As ItChat and older clients send it: no `fun=new&version=v2`.
    let path = redirect.splitn(4, '/').nth(3).unwrap();
    let old = get(&base, &format!("/{path}"), &[]).await;
    assert_eq!(old.status, 301);
    assert!(old.headers.get("location").is_none(), "{:?}", old.headers);
    assert!(
        old.text()
            .starts_with("<error><ret>0</ret><message></message><skey>@crypt_"),
        "{}",
        old.text()
    );
    let names: Vec<_> = old
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().split('=').next().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "wxuin",
            "wxsid",
            "webwx_data_ticket",
            "webwx_auth_ticket",
            "webwxuvid",
            "mm_lang"
        ]
    );
    // The credentials of the 301 work, and the departure is noted.
    let l = login_from(&old, &redirect);
    assert_eq!(init(&base, &l).await["BaseResponse"]["Ret"], 0);
    let first = sim.sessions().into_iter().find(|s| s.uin == l.uin).unwrap();
    assert!(
        first.deviations.contains(
            &"ticket: a ticket request without fun=new&version=v2 (official: both)".into()
        ),
        "{:?}",
        first.deviations
    );

    // With `version=v2`, as the official client asks: a 200, and nothing noted.
    let l2 = common::browser::Browser::new(&base).login().await;
    let s = sim
        .sessions()
        .into_iter()
        .find(|s| s.uin == l2.uin)
        .unwrap();
    assert!(s.deviations.is_empty(), "{:?}", s.deviations);
    let id = uuid(&base).await;
    let redirect = loop {
        let r = poll(&base, &id).await;
        if let Some(u) = between(&r, "window.redirect_uri=\"", "\"") {
            break u.to_string();
        }
    };
    let new = ticket(&base, &redirect).await;
    assert_eq!(new.status, 200);
}

#[tokio::test]
async fn push_login_confirms_on_the_phone_without_a_scan() {
    let sim = Simulator::start(quick()).await.unwrap();
    let base = sim.base_url();
    let first = login(&base).await;
    let key = init(&base, &first).await["SyncKey"].clone();
    let r = get(
        &base,
        &format!("/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={}", first.uin),
        &[],
    )
    .await
    .json();
    assert_eq!(
        (r["ret"].as_str(), r["msg"].as_str()),
        (Some("0"), Some("all ok"))
    );
    let id = r["uuid"].as_str().unwrap().to_string();
    let done = loop {
        let p = poll(&base, &id).await;
        if p.starts_with("window.code=200;") {
            break p;
        }
        assert_eq!(p, "window.code=408;");
    };
    let redirect = between(&done, "window.redirect_uri=\"", "\"")
        .unwrap()
        .to_string();
    let again = login_from(&ticket(&base, &redirect).await, &redirect);
    assert_eq!(again.uin, first.uin, "the same account");
    assert_ne!(again.sid, first.sid, "a new session");
    assert_eq!(
        synccheck(&base, &first, &key).await,
        "window.synccheck={retcode:\"1101\",selector:\"0\"}"
    );
    let unknown = get(&base, "/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin=42", &[])
        .await
        .json();
    assert_eq!(unknown["ret"], "1");
}

#[tokio::test]
async fn faults_happen_where_scheduled() {
    let mut s = quick();
    s.faults = vec![
        FaultRule {
            endpoint: "jslogin".into(),
            nth: 1,
            fault: Fault::Status(503),
        },
        FaultRule {
            endpoint: "jslogin".into(),
            nth: 2,
            fault: Fault::Drop,
        },
        FaultRule {
            endpoint: "jslogin".into(),
            nth: 3,
            fault: Fault::Truncate,
        },
        FaultRule {
            endpoint: "jslogin".into(),
            nth: 4,
            fault: Fault::DelayMs(300),
        },
        FaultRule {
            endpoint: "synccheck".into(),
            nth: 1,
            fault: Fault::Code(1205),
        },
        FaultRule {
            endpoint: "webwxinit".into(),
            nth: 1,
            fault: Fault::Code(1205),
        },
        FaultRule {
            endpoint: "webwxsync".into(),
            nth: 2,
            fault: Fault::Duplicate,
        },
    ];
    let sim = Simulator::start(s).await.unwrap();
    let base = sim.base_url();
    let path = "/jslogin?appid=wx782c26e4c19acffb&fun=new";
    assert_eq!(get(&base, path, &[]).await.status, 503);
    assert!(
        send(&base, "GET", path, &[], vec![]).await.is_err(),
        "dropped"
    );
    assert!(
        send(&base, "GET", path, &[], vec![]).await.is_err(),
        "truncated"
    );
    let started = std::time::Instant::now();
    assert_eq!(get(&base, path, &[]).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300), "delayed");

    let l = login(&base).await;
    assert_eq!(init_again(&base, &l).await, 1205);
    let key = init(&base, &l).await["SyncKey"].clone();
    assert_eq!(
        synccheck(&base, &l, &key).await,
        "window.synccheck={retcode:\"1205\",selector:\"0\"}"
    );
    sim.inject_text(l.uin, None, "one").unwrap();
    let first = sync(&base, &l, &key).await.json();
    sim.inject_text(l.uin, None, "two").unwrap();
    let dup = sync(&base, &l, &first["SyncKey"]).await.json();
    let texts: Vec<_> = dup["AddMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Content"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["one", "two"],
        "the previous answer's message again, with the new one"
    );
}

#[tokio::test]
async fn host_families_are_told_apart_by_host() {
    let mut s = quick();
    s.family = Family::Wx2;
    let sim = Simulator::start(s).await.unwrap();
    let base = sim.base_url();
    let id = uuid(&base).await;
    poll(&base, &id).await;
    let r = poll(&base, &id).await;
    let redirect = between(&r, "window.redirect_uri=\"", "\"")
        .unwrap()
        .to_string();
    assert!(
        redirect.starts_with("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket="),
        "{redirect}"
    );
    let reply = ticket(&base, &redirect).await;
    assert!(
        reply
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("Domain=.qq.com"))
    );
    let l = login_from(&reply, &redirect);
    let as_host = |h: &str| ("host", h.to_string());
    let init_on = |h: &'static str| {
        let l = l.clone();
        let base = base.clone();
        async move {
            post_json(
                &base,
                &api(&l, "webwxinit", ""),
                &[l.cookie_header(), as_host(h)],
                &json!({"BaseRequest": l.base_request()}),
            )
            .await
            .json()["BaseResponse"]["Ret"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(init_on("wx2.qq.com").await, 0);
    assert_eq!(init_on("wx.qq.com").await, 1101, "another family's host");
    let path = format!(
        "/cgi-bin/mmwebwx-bin/synccheck?r=1&skey={}&sid={}&uin={}&deviceid=e1&synckey=1_0&_=1",
        l.skey, l.sid, l.uin
    );
    let wrong_push = get(&base, &path, &[l.cookie_header(), as_host("wx2.qq.com")])
        .await
        .text();
    assert_eq!(
        wrong_push, "window.synccheck={retcode:\"1102\",selector:\"0\"}",
        "synccheck on the API host"
    );
}

#[tokio::test]
async fn many_sessions_at_once_are_isolated() {
    let sim = Simulator::start(quick()).await.unwrap();
    let base = sim.base_url();
    let logins = futures_join(&base, 12).await;
    let mut uins: Vec<u64> = logins.iter().map(|l| l.uin).collect();
    uins.sort_unstable();
    uins.dedup();
    assert_eq!(uins.len(), 12);
    let keys: Vec<_> = futures_init(&base, &logins).await;
    sim.inject_text(logins[3].uin, None, "only for #3").unwrap();
    for (i, (l, key)) in logins.iter().zip(&keys).enumerate() {
        let got = sync(&base, l, key).await.json()["AddMsgCount"]
            .as_i64()
            .unwrap();
        assert_eq!(got, i64::from(i == 3), "session {i}");
    }
    assert_eq!(sim.sessions().len(), 12);
}

async fn futures_join(base: &str, n: usize) -> Vec<Login> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let base = base.to_string();
            tokio::spawn(async move { login(&base).await })
        })
        .collect();
    let mut out = vec![];
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn futures_init(base: &str, logins: &[Login]) -> Vec<serde_json::Value> {
    let mut out = vec![];
    for l in logins {
        out.push(init(base, l).await["SyncKey"].clone());
    }
    out
}

#[tokio::test]
async fn scheduled_messages_cover_every_type_and_the_admin_api_works() {
    let mut s = quick();
    s.messages.count = 18;
    s.messages.interval_ms = 1;
    s.messages.start_after_ms = 1;
    let sim = Simulator::start(s).await.unwrap();
    let base = sim.base_url();
    let l = login(&base).await;
    let key = init(&base, &l).await["SyncKey"].clone();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = sync(&base, &l, &key).await.json();
    let mut types: Vec<i64> = answer["AddMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["MsgType"].as_i64().unwrap())
        .collect();
    types.sort_unstable();
    types.dedup();
    assert_eq!(
        types,
        [
            1, 3, 34, 37, 42, 43, 47, 49, 51, 62, 9999, 10000, 10002, 12345
        ]
    );

    let state = get(&base, "/__sim/state", &[]).await.json();
    assert_eq!(state["sessions"][0]["uin"], l.uin);
    assert!(state["requests"].as_u64().unwrap() > 3);
    let injected = send(
        &base,
        "POST",
        &format!("/__sim/sessions/{}/messages", l.uin),
        &[],
        br#"{"text":"via admin"}"#.to_vec(),
    )
    .await
    .unwrap()
    .json();
    assert!(injected["MsgId"].as_str().is_some());
    let sent = get(&base, &format!("/__sim/sessions/{}/sent", l.uin), &[])
        .await
        .json();
    assert_eq!(sent, json!([]));
    assert_eq!(get(&base, "/__sim/nothing", &[]).await.status, 404);
}

#[test]
fn every_scenario_file_parses() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            Scenario::from_json(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{path:?}: {e}"));
            n += 1;
        }
    }
    assert!(n >= 5);
    assert!(Scenario::from_json(r#"{"no_such_field": 1}"#).is_err());
}

#[test]
fn a_spawned_simulator_serves_blocking_code() {
    let sim = Simulator::spawn(quick()).unwrap();
    let mut stream = std::net::TcpStream::connect(sim.addr()).unwrap();
    use std::io::{Read, Write};
    write!(
        stream,
        "GET /jslogin?appid=wx782c26e4c19acffb HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    assert!(out.contains("window.QRLogin.code = 200;"), "{out}");
}
