//! The credentials of a logged-in session and the `BaseRequest` built from them.

use crate::Secret;

/// What the ticket answer granted: uin, sid, skey, pass_ticket, plus this client's DeviceID.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Credentials {
    pub(crate) uin: u64,
    pub(crate) sid: Secret<String>,
    pub(crate) skey: Secret<String>,
    /// Exactly as the server sent it (already URL-encoded): never encoded again.
    pub(crate) pass_ticket: Secret<String>,
    pub(crate) device_id: String,
}

/// `{"Uin": n, "Sid": "...", "Skey": "...", "DeviceID": "e..."}`, the first field of every JSON
/// request body.
#[derive(serde::Serialize)]
pub(crate) struct BaseRequest<'a> {
    #[serde(rename = "Uin")]
    uin: Uin,
    #[serde(rename = "Sid")]
    sid: &'a str,
    #[serde(rename = "Skey")]
    skey: &'a str,
    #[serde(rename = "DeviceID")]
    device_id: &'a str,
}

/// The `Uin` of a `BaseRequest`: a number, except in webwxinit's, where the official page still
/// holds the ticket's text (`"Uin": "123"`).
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Uin {
    Number(u64),
    Text(String),
}

impl BaseRequest<'_> {
    /// The same, with the Uin as text (webwxinit's).
    pub(crate) fn with_uin_as_text(mut self) -> Self {
        if let Uin::Number(n) = self.uin {
            self.uin = Uin::Text(n.to_string());
        }
        self
    }
}

impl Credentials {
    /// The `BaseRequest` of one request, with that request's fresh `device_id`.
    pub(crate) fn base_request<'a>(&'a self, device_id: &'a str) -> BaseRequest<'a> {
        BaseRequest {
            uin: Uin::Number(self.uin),
            sid: self.sid.expose(),
            skey: self.skey.expose(),
            device_id,
        }
    }

    /// Replaces the skey when the server sent a non-empty one (`SKey` in init and sync answers).
    pub(crate) fn update_skey(&mut self, skey: Secret<String>) {
        if !skey.expose().is_empty() {
            self.skey = skey;
        }
    }
}
