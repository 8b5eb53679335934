//! The QR login: `jslogin` → login long poll → ticket.

use super::calls::Call;
use super::{Client, Fault};
use crate::credentials::Credentials;
use crate::event::QR_PAYLOAD_PREFIX;
use crate::hosts::CheckedUrl;
use crate::parse::{LoginPoll, parse_login_poll, parse_qr_login, parse_ticket};
use crate::{Endpoint, Error, Event, Failure, Hosts, State, Timestamp};

/// How many `<redirecturl>` follows one login may make: the server moves a login once at most,
/// so more is a loop (a ticket answer that points at itself), which ends the login with
/// [`Error::Protocol`] instead of spinning.
pub(crate) const MAX_TICKET_HOPS: u8 = 3;
// The refusal's text names the number.
const _: () = assert!(
    MAX_TICKET_HOPS == 3,
    "update the redirect-loop error's detail"
);

impl Client {
    pub(super) fn on_js_login(&mut self, body: &[u8], now: Timestamp) -> Result<(), Fault> {
        let qr = parse_qr_login(body)?;
        let uuid = match (qr.code, qr.uuid) {
            (200, Some(uuid)) => uuid,
            (code, _) => {
                return Err(Fault::Retry(Failure::Server {
                    code,
                    message: String::new(),
                }));
            }
        };
        self.events.push(Event::QrCode {
            payload: format!("{QR_PAYLOAD_PREFIX}{uuid}"),
            image_url: format!("{}/qrcode/{uuid}", self.config.login_origin),
            uuid: uuid.clone(),
        });
        self.set_state(State::WaitingForScan { uuid: uuid.clone() });
        self.issue(Call::LoginPoll { uuid, tip: 1 }, 0, now);
        Ok(())
    }

    pub(super) fn on_login_poll(
        &mut self,
        uuid: &str,
        sent_at: Timestamp,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), Fault> {
        let poll_again = |client: &mut Client| {
            let at = sent_at.after(client.config.long_poll_min_interval);
            let call = Call::LoginPoll {
                uuid: uuid.to_string(),
                tip: 0,
            };
            client.issue_at(call, at, now);
        };
        match parse_login_poll(body)? {
            LoginPoll::Waiting => poll_again(self),
            LoginPoll::Scanned { avatar } => {
                // The scan is announced once: the state says whether it was.
                if !matches!(self.state, State::WaitingForConfirm { .. }) {
                    self.events.push(Event::Scanned { avatar });
                    self.set_state(State::WaitingForConfirm {
                        uuid: uuid.to_string(),
                    });
                }
                poll_again(self);
            }
            LoginPoll::Confirmed { redirect_uri } => {
                // Parsed and checked once; the ticket request is built from this URL.
                let url = CheckedUrl::parse(
                    &redirect_uri,
                    &self.config.allowed_hosts,
                    Endpoint::LoginPoll,
                )?;
                self.session.hosts = Some(Hosts::for_checked(&url));
                self.events.push(Event::Confirmed);
                self.set_state(State::FetchingTicket);
                self.issue(Call::Ticket { url, hops: 0 }, 0, now);
            }
            LoginPoll::Cancelled => {
                self.events.push(Event::LoginCancelled);
                self.refresh_qr(now)?;
            }
            LoginPoll::Expired { code } => {
                self.events.push(Event::QrExpired { code });
                self.refresh_qr(now)?;
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

    /// Fetches a new uuid, unless the refresh budget is used up.
    fn refresh_qr(&mut self, now: Timestamp) -> Result<(), Fault> {
        if self.qr_refreshes >= self.config.max_qr_refreshes {
            return Err(Fault::Fatal(Error::QrRefreshLimit {
                refreshes: self.qr_refreshes,
            }));
        }
        self.qr_refreshes += 1;
        self.set_state(State::FetchingUuid);
        self.issue(Call::JsLogin, 0, now);
        Ok(())
    }

    /// The ticket answer to a request made after `hops` `<redirecturl>` follows.
    pub(super) fn on_ticket(&mut self, hops: u8, body: &[u8], now: Timestamp) -> Result<(), Fault> {
        let ticket = parse_ticket(body)?;
        if ticket.ret != 0 {
            return Err(Fault::Fatal(Error::LoginRefused {
                code: ticket.ret,
                message: ticket.message,
            }));
        }
        if let Some(next) = ticket.redirect_url {
            // The server moved the login elsewhere: fetch the ticket there, if the host may
            // receive credentials and the login has not been moved too often already.
            if hops >= MAX_TICKET_HOPS {
                return Err(Fault::Fatal(Error::Protocol {
                    endpoint: Endpoint::Ticket,
                    detail: "the ticket answers redirected more than 3 times (a redirect loop)",
                }));
            }
            let url = CheckedUrl::parse(&next, &self.config.allowed_hosts, Endpoint::Ticket)?;
            self.session.hosts = Some(Hosts::for_checked(&url));
            let hops = hops + 1;
            self.issue(Call::Ticket { url, hops }, 0, now);
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
        if self.session.credentials.is_some() {
            // A new login replaces a saved session: user names are session-scoped, so the old
            // store, keys and queued sends are stale.
            self.fail_pending_sends();
            self.session.forget_account_state();
        }
        self.session.credentials = Some(Credentials {
            uin,
            sid: ticket.wxsid,
            skey: ticket.skey,
            pass_ticket: ticket.pass_ticket,
            device_id: self.session.device_id.clone(),
        });
        self.events.push(Event::LoggedIn { uin });
        self.set_state(State::Initializing);
        self.issue(Call::Init, 0, now);
        Ok(())
    }
}
