//! The calls the client makes, and the request each is described by. Every request goes through
//! [`ApiRequest`]; this file is the one place that knows endpoints' queries and bodies.

use super::Client;
use crate::credentials::Credentials;
use crate::hosts::CheckedUrl;
use crate::request::ApiRequest;
use crate::{Endpoint, SendHandle, Timestamp, desktop};
use http::header::{HeaderName, HeaderValue};
use std::time::Duration;

/// The `appid` of the web client.
const APP_ID: &str = "wx782c26e4c19acffb";
/// Where `jslogin` is told the login continues.
const NEW_LOGIN_PAGE: &str = "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage";
/// Groups per `webwxbatchgetcontact` request.
pub(crate) const BATCH_SIZE: usize = 50;

/// A queued text message.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct PendingSend {
    pub(crate) handle: SendHandle,
    pub(crate) to: String,
    pub(crate) text: String,
    /// LocalID = ClientMsgId, kept across retries.
    pub(crate) local_id: String,
}

/// One call: what to send, with everything needed to send it again after a failure.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Call {
    JsLogin,
    LoginPoll {
        uuid: String,
        tip: u8,
    },
    /// The ticket at `url`, reached after `hops` `<redirecturl>` follows.
    Ticket {
        url: CheckedUrl,
        hops: u8,
    },
    Init,
    StatusNotify,
    GetContact {
        seq: u64,
    },
    BatchGetContact {
        batch: usize,
    },
    SyncCheck,
    Sync,
    Send(PendingSend),
    MarkRead {
        chat: String,
    },
    Logout,
    PushLogin,
}

impl Call {
    pub(crate) fn endpoint(&self) -> Endpoint {
        match self {
            Call::JsLogin => Endpoint::JsLogin,
            Call::LoginPoll { .. } => Endpoint::LoginPoll,
            Call::Ticket { .. } => Endpoint::Ticket,
            Call::Init => Endpoint::Init,
            Call::StatusNotify => Endpoint::StatusNotify,
            Call::GetContact { .. } => Endpoint::GetContact,
            Call::BatchGetContact { .. } => Endpoint::BatchGetContact,
            Call::SyncCheck => Endpoint::SyncCheck,
            Call::Sync => Endpoint::Sync,
            Call::Send(_) => Endpoint::SendMsg,
            Call::MarkRead { .. } => Endpoint::StatusNotify,
            Call::Logout => Endpoint::Logout,
            Call::PushLogin => Endpoint::PushLogin,
        }
    }
}

#[derive(serde::Serialize)]
struct BaseBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
}

#[derive(serde::Serialize)]
struct StatusNotifyBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "Code")]
    code: u32,
    #[serde(rename = "FromUserName")]
    from: &'a str,
    #[serde(rename = "ToUserName")]
    to: &'a str,
    #[serde(rename = "ClientMsgId")]
    client_msg_id: u64,
}

#[derive(serde::Serialize)]
struct SyncBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "SyncKey")]
    sync_key: &'a crate::model::SyncKey,
    rr: i32,
}

#[derive(serde::Serialize)]
struct SendBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "Msg")]
    msg: SendMsg<'a>,
    #[serde(rename = "Scene")]
    scene: u32,
}

#[derive(serde::Serialize)]
struct SendMsg<'a> {
    #[serde(rename = "Type")]
    msg_type: u32,
    #[serde(rename = "Content")]
    content: &'a str,
    #[serde(rename = "FromUserName")]
    from: &'a str,
    #[serde(rename = "ToUserName")]
    to: &'a str,
    #[serde(rename = "LocalID")]
    local_id: &'a str,
    #[serde(rename = "ClientMsgId")]
    client_msg_id: &'a str,
}

#[derive(serde::Serialize)]
struct BatchBody<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: crate::credentials::BaseRequest<'a>,
    #[serde(rename = "Count")]
    count: usize,
    #[serde(rename = "List")]
    list: Vec<BatchEntry<'a>>,
}

#[derive(serde::Serialize)]
struct BatchEntry<'a> {
    #[serde(rename = "UserName")]
    user_name: &'a str,
    #[serde(rename = "EncryChatRoomId")]
    encry_chat_room_id: &'a str,
}

impl Client {
    /// The timeout a call needs.
    pub(crate) fn timeout_of(&self, call: &Call) -> Duration {
        if call.endpoint().is_long_poll() {
            self.config.long_poll_timeout
        } else {
            self.config.request_timeout
        }
    }

    /// Describes the request of `call` at `now`. `None` when the call needs credentials the
    /// client does not have (a bug guard: the state machine never asks for that).
    pub(crate) fn describe(&self, call: &Call, now: Timestamp) -> Option<ApiRequest> {
        let config = &self.config;
        let ms = now.as_unix_millis();
        let req = match call {
            Call::JsLogin => {
                let redirect = if config.desktop_mode {
                    format!("{NEW_LOGIN_PAGE}?mod=desktop")
                } else {
                    NEW_LOGIN_PAGE.to_string()
                };
                ApiRequest::new(Endpoint::JsLogin)
                    .text("appid", APP_ID)
                    .text("redirect_uri", redirect)
                    .text("fun", "new")
                    .text("lang", &config.lang)
                    .text("_", ms)
            }
            Call::LoginPoll { uuid, tip } => ApiRequest::new(Endpoint::LoginPoll)
                .text("loginicon", "true")
                .text("uuid", uuid)
                .text("tip", tip)
                .text("r", now.js_bitwise_not())
                .text("_", ms),
            Call::Ticket { url, .. } => {
                let mut req = ApiRequest::at(Endpoint::Ticket, url.clone())
                    .text("fun", "new")
                    .text("version", "v2");
                if config.desktop_mode {
                    req = req
                        .text("mod", "desktop")
                        .header(
                            HeaderName::from_static("client-version"),
                            HeaderValue::from_static(desktop::CLIENT_VERSION),
                        )
                        .header(
                            http::header::REFERER,
                            HeaderValue::from_static(desktop::REFERER),
                        )
                        .header(
                            HeaderName::from_static("extspam"),
                            HeaderValue::from_static(desktop::EXTSPAM),
                        );
                }
                req
            }
            Call::Init => {
                let creds = self.session.credentials.as_ref()?;
                ApiRequest::new(Endpoint::Init)
                    .text("r", now.js_bitwise_not())
                    .text("lang", &config.lang)
                    .encoded("pass_ticket", creds.pass_ticket.expose())
                    .json(&BaseBody {
                        base_request: creds.base_request(),
                    })
            }
            Call::StatusNotify => self.status_notify(3, None, ms)?,
            Call::MarkRead { chat } => self.status_notify(1, Some(chat), ms)?,
            Call::SyncCheck => {
                let creds = self.session.credentials.as_ref()?;
                let key = self.session.cursor.for_synccheck();
                ApiRequest::new(Endpoint::SyncCheck)
                    .text("r", ms)
                    .text("skey", creds.skey.expose())
                    .text("sid", creds.sid.expose())
                    .text("uin", creds.uin)
                    .text("deviceid", &creds.device_id)
                    .text("synckey", key)
                    .text("_", ms)
            }
            Call::Sync => {
                let creds = self.session.credentials.as_ref()?;
                ApiRequest::new(Endpoint::Sync)
                    .text("sid", creds.sid.expose())
                    .text("skey", creds.skey.expose())
                    .text("lang", &config.lang)
                    .encoded("pass_ticket", creds.pass_ticket.expose())
                    .json(&SyncBody {
                        base_request: creds.base_request(),
                        sync_key: self.session.cursor.sync_key(),
                        rr: now.js_bitwise_not(),
                    })
            }
            Call::Send(p) => {
                let creds = self.session.credentials.as_ref()?;
                let me = self.session.user.as_ref().map(|u| u.user_name.as_str())?;
                ApiRequest::new(Endpoint::SendMsg)
                    .text("lang", &config.lang)
                    .encoded("pass_ticket", creds.pass_ticket.expose())
                    .json(&SendBody {
                        base_request: creds.base_request(),
                        msg: SendMsg {
                            msg_type: 1,
                            content: &p.text,
                            from: me,
                            to: &p.to,
                            local_id: &p.local_id,
                            client_msg_id: &p.local_id,
                        },
                        scene: 0,
                    })
            }
            Call::PushLogin => {
                let creds = self.session.credentials.as_ref()?;
                let mut req = ApiRequest::new(Endpoint::PushLogin).text("uin", creds.uin);
                if config.desktop_mode {
                    req = req.text("mod", "desktop");
                }
                req
            }
            Call::Logout => {
                let creds = self.session.credentials.as_ref()?;
                ApiRequest::new(Endpoint::Logout)
                    .text("redirect", 1)
                    .text("type", 0)
                    .text("skey", creds.skey.expose())
                    .form(vec![
                        ("sid", creds.sid.expose().clone()),
                        ("uin", creds.uin.to_string()),
                    ])
            }
            Call::GetContact { seq } => {
                let creds = self.session.credentials.as_ref()?;
                self.with_session_query(ApiRequest::new(Endpoint::GetContact), creds)
                    .text("r", ms)
                    .text("seq", seq)
                    .text("skey", creds.skey.expose())
            }
            Call::BatchGetContact { batch } => {
                let creds = self.session.credentials.as_ref()?;
                let groups = self.group_batches.get(*batch)?;
                let list: Vec<BatchEntry<'_>> = groups
                    .iter()
                    .map(|(user_name, room)| BatchEntry {
                        user_name,
                        encry_chat_room_id: room,
                    })
                    .collect();
                ApiRequest::new(Endpoint::BatchGetContact)
                    .text("type", "ex")
                    .text("r", ms)
                    .text("lang", &config.lang)
                    .encoded("pass_ticket", creds.pass_ticket.expose())
                    .json(&BatchBody {
                        base_request: creds.base_request(),
                        count: list.len(),
                        list,
                    })
            }
        };
        Some(req)
    }

    /// `webwxstatusnotify` with `code` (3 inited, 1 read) about `chat` (the self user when
    /// `None`).
    fn status_notify(&self, code: u32, chat: Option<&str>, ms: u64) -> Option<ApiRequest> {
        let creds = self.session.credentials.as_ref()?;
        let me = self.session.user.as_ref().map(|u| u.user_name.as_str())?;
        Some(
            ApiRequest::new(Endpoint::StatusNotify)
                .text("lang", &self.config.lang)
                .encoded("pass_ticket", creds.pass_ticket.expose())
                .json(&StatusNotifyBody {
                    base_request: creds.base_request(),
                    code,
                    from: me,
                    to: chat.unwrap_or(me),
                    client_msg_id: ms,
                }),
        )
    }

    /// `lang` and `pass_ticket`, which the official client appends to every API call.
    fn with_session_query(&self, req: ApiRequest, creds: &Credentials) -> ApiRequest {
        req.text("lang", &self.config.lang)
            .encoded("pass_ticket", creds.pass_ticket.expose())
    }
}
