//! The QR login: `jslogin` → login long poll → ticket.

use super::calls::{Exchange, Stamp};
use super::{Client, Fault};
use crate::credentials::Credentials;
use crate::event::QR_PAYLOAD_PREFIX;
use crate::hosts::CheckedUrl;
use crate::parse::{LoginPoll, QrLogin, TicketAnswer};
use crate::request::ApiRequest;
use crate::{Endpoint, Error, Event, Failure, Hosts, State, Timestamp, desktop};
use http::header::{HeaderName, HeaderValue};

/// The `appid` of the web client.
const APP_ID: &str = "wx782c26e4c19acffb";
/// Where the official page loads the QR image from, whatever its own host.
const QR_IMAGE_ORIGIN: &str = "https://login.weixin.qq.com";
/// Where `jslogin` is told the login continues, on the page's host.
const NEW_LOGIN_PAGE: &str = "/cgi-bin/mmwebwx-bin/webwxnewloginpage";

/// How many `<redirecturl>` follows one login may make: the server moves a login once at most,
/// so more is a loop (a ticket answer that points at itself), which ends the login with
/// [`Error::Protocol`] instead of spinning.
pub(crate) const MAX_TICKET_HOPS: u8 = 3;
// The refusal's text names the number.
const _: () = assert!(
    MAX_TICKET_HOPS == 3,
    "update the redirect-loop error's detail"
);

/// `jslogin`: a new login uuid. `refreshes`: uuids fetched before this one in this login.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct JsLoginCall {
    pub(super) refreshes: u32,
}

impl Exchange for JsLoginCall {
    const ENDPOINT: Endpoint = Endpoint::JsLogin;
    type Answer = QrLogin;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let config = &client.config;
        let mut redirect = format!("{}{NEW_LOGIN_PAGE}", at.page_origin);
        if config.desktop_mode {
            redirect.push_str("?mod=desktop");
        }
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("appid", APP_ID)
                .component("redirect_uri", redirect)
                .raw("fun", "new")
                .raw("lang", &config.lang)
                .raw("_", at.nonce),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        qr: QrLogin,
        sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        let uuid = match (qr.code, qr.uuid) {
            (200, Some(uuid)) => uuid,
            (code, _) => {
                return Err(Fault::Retry(Failure::Server {
                    code,
                    message: String::new(),
                }));
            }
        };
        client.page.timing.qrcode(sent_at, now);
        // The page always shows the image from login.weixin.qq.com (a simulator serves its own).
        let image_origin = match url::Url::parse(&client.config.login_origin) {
            Ok(u) if u.host_str().is_some_and(crate::is_wechat_host) => QR_IMAGE_ORIGIN,
            _ => &*client.config.login_origin,
        };
        client.events.push(Event::QrCode {
            payload: format!("{QR_PAYLOAD_PREFIX}{uuid}"),
            image_url: format!("{image_origin}/qrcode/{uuid}"),
            uuid: uuid.clone(),
        });
        client.set_state(State::WaitingForScan { uuid: uuid.clone() });
        client.issue(LoginPollCall::first(uuid, self.refreshes), 0, now);
        Ok(())
    }
}

/// The login long poll for `uuid`; `tip` 1 on the first poll of a uuid, 0 after.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct LoginPollCall {
    uuid: String,
    tip: u8,
    /// Uuids fetched before this one in this login (the QR refresh budget).
    refreshes: u32,
}

impl LoginPollCall {
    /// The first poll of `uuid`.
    pub(super) fn first(uuid: String, refreshes: u32) -> LoginPollCall {
        LoginPollCall {
            uuid,
            tip: 1,
            refreshes,
        }
    }

    /// The next poll, at least `long_poll_min_interval` after this one was sent.
    fn again(&self, client: &mut Client, sent_at: Timestamp, now: Timestamp) {
        let at = sent_at.after(client.config.long_poll_min_interval);
        let next = LoginPollCall {
            tip: 0,
            ..self.clone()
        };
        client.issue_at(next, at, now);
    }

    /// Fetches a new uuid, unless the refresh budget is used up.
    fn refresh_qr(&self, client: &mut Client, now: Timestamp) -> Result<(), Fault> {
        if self.refreshes >= client.config.max_qr_refreshes {
            return Err(Fault::Fatal(Error::QrRefreshLimit {
                refreshes: self.refreshes,
            }));
        }
        client.set_state(State::FetchingUuid);
        let refreshes = self.refreshes + 1;
        client.issue(JsLoginCall { refreshes }, 0, now);
        Ok(())
    }
}

impl Exchange for LoginPollCall {
    const ENDPOINT: Endpoint = Endpoint::LoginPoll;
    type Answer = LoginPoll;

    fn request(&self, _: &Client, at: &Stamp) -> Option<ApiRequest> {
        let now = at.now;
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("loginicon", "true")
                .raw("uuid", &self.uuid)
                .raw("tip", self.tip)
                .raw("r", now.js_bitwise_not())
                .raw("_", at.nonce),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        poll: LoginPoll,
        sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        match poll {
            LoginPoll::Waiting => self.again(client, sent_at, now),
            LoginPoll::Scanned { avatar } => {
                // The scan is announced once: the state says whether it was.
                if !matches!(client.state, State::WaitingForConfirm { .. }) {
                    client.page.timing.scanned(now);
                    client.events.push(Event::Scanned { avatar });
                    client.set_state(State::WaitingForConfirm {
                        uuid: self.uuid.clone(),
                    });
                }
                self.again(client, sent_at, now);
            }
            LoginPoll::Confirmed { redirect_uri } => {
                // Parsed and checked once; the ticket request is built from this URL.
                let url = CheckedUrl::parse(
                    &redirect_uri,
                    &client.config.allowed_hosts,
                    Endpoint::LoginPoll,
                )?;
                client.session.hosts = Some(Hosts::for_checked(&url));
                client.page.timing.login_end(now);
                client.events.push(Event::Confirmed);
                client.set_state(State::FetchingTicket);
                client.issue(TicketCall { url, hops: 0 }, 0, now);
            }
            LoginPoll::Cancelled => {
                client.events.push(Event::LoginCancelled);
                self.refresh_qr(client, now)?;
            }
            LoginPoll::Expired { code } => {
                client.events.push(Event::QrExpired { code });
                self.refresh_qr(client, now)?;
            }
            LoginPoll::Unknown { code } => {
                return Err(Fault::Retry(Failure::Server {
                    code,
                    message: String::new(),
                }));
            }
        }
        Ok(())
    }
}

/// The ticket at `url`, reached after `hops` `<redirecturl>` follows.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct TicketCall {
    url: CheckedUrl,
    hops: u8,
}

impl Exchange for TicketCall {
    const ENDPOINT: Endpoint = Endpoint::Ticket;
    type Answer = TicketAnswer;

    fn request(&self, client: &Client, _: &Stamp) -> Option<ApiRequest> {
        let mut req = ApiRequest::at(Self::ENDPOINT, self.url.clone())
            .raw("fun", "new")
            .raw("version", "v2");
        if client.config.desktop_mode {
            req = req
                .raw("mod", "desktop")
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
        Some(req)
    }

    fn handle(
        &self,
        client: &mut Client,
        ticket: TicketAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        if ticket.ret != 0 {
            return Err(Fault::Fatal(Error::LoginRefused {
                code: ticket.ret,
                message: ticket.message,
            }));
        }
        if let Some(next) = ticket.redirect_url {
            // The server moved the login elsewhere: fetch the ticket there, if the host may
            // receive credentials and the login has not been moved too often already.
            if self.hops >= MAX_TICKET_HOPS {
                return Err(Fault::Fatal(Error::Protocol {
                    endpoint: Endpoint::Ticket,
                    detail: "the ticket answers redirected more than 3 times (a redirect loop)",
                }));
            }
            let url = CheckedUrl::parse(&next, &client.config.allowed_hosts, Endpoint::Ticket)?;
            client.session.hosts = Some(Hosts::for_checked(&url));
            let hops = self.hops + 1;
            client.issue(TicketCall { url, hops }, 0, now);
            return Ok(());
        }
        let (Some(uin), false, false, false) = (
            ticket.wxuin,
            ticket.skey.expose().is_empty(),
            ticket.wxsid.expose().is_empty(),
            ticket.pass_ticket.expose().is_empty(),
        ) else {
            return Err(Fault::Fatal(Error::Protocol {
                endpoint: Endpoint::Ticket,
                detail: "the ticket answer lacks skey, wxsid, wxuin or pass_ticket",
            }));
        };
        if client.session.credentials.is_some() {
            // A new login replaces a saved session: user names are session-scoped, so the old
            // store, keys and queued sends are stale.
            client.fail_pending_sends();
            client.session.forget_account_state();
        }
        client.session.credentials = Some(Credentials {
            uin,
            sid: ticket.wxsid,
            skey: ticket.skey,
            pass_ticket: ticket.pass_ticket,
            device_id: client.session.device_id.clone(),
        });
        client.events.push(Event::LoggedIn { uin });
        client.set_state(State::Initializing);
        client.issue(super::setup::InitCall, 0, now);
        Ok(())
    }
}
